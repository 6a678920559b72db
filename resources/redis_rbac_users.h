/*
 * redis_rbac_users.h - `secure_redis_rbac_users`: an ElastiCache RBAC user
 * group and its users, least privilege by default (issue 5).
 *
 * This file holds what needs no AWS: the schema, validation (user names,
 * roles, access strings through redis_acl.h, IAM rules, limits) and
 * planning (ids, access strings, rotation phases, IAM policy documents).
 * The lifecycle operations (create, read, update, delete, import) are in
 * redis_rbac_users_ops.c.
 *
 * Contracts between plan and apply (plan shows them as known values, so
 * apply must use exactly these):
 *   - user group id = `name` (refused unless lowercase);
 *   - user ids: redis_rbac_user_id() for password users and the group's
 *     `default` user, the user name itself for IAM users;
 *   - each user's access string = users[*].effective_access_string;
 *   - the default user: user name "default", id default_user_id, access
 *     string REDIS_ACL_DEFAULT_USER ("off -@all"), authentication
 *     `password` with a random password that is generated, sent once and
 *     never stored (a Valkey user group only admits users with a password
 *     or IAM, so no-password-required is not an option; `off` means nobody
 *     can authenticate as it anyway);
 *   - iam_policy_json = redis_rbac_iam_policy(user arn, cluster_arns).
 *
 * Thread-safety: everything is stateless; results are arena memory.
 */
#ifndef RESOURCES_REDIS_RBAC_USERS_H
#define RESOURCES_REDIS_RBAC_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "resources/resource.h"

extern const struct resource redis_rbac_users_resource;

#define REDIS_RBAC_DEFAULT_ENGINE "redis"
#define REDIS_RBAC_DEFAULT_AUTHENTICATION "password"
#define REDIS_RBAC_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS 7

/* ElastiCache allows 100 users per user group; the provider's `default`
 * user is one of them. */
#define REDIS_RBAC_MAX_USERS 99
#define REDIS_RBAC_ID_MAX 40

/* The tag every user, the group and every secret carry (value: the user
 * group id), by which import finds them.  Users may not set it. */
#define REDIS_RBAC_TAG_KEY "secure:redis-rbac-users"

/* users[*].password_rotation_phase: what the last apply did to the user's
 * passwords (in state), or what the next apply will do (in a plan that
 * changes it).  Null for IAM users, and after import until the next
 * rotation. */
#define REDIS_RBAC_PHASE_CREATED "created"	/* one password */
#define REDIS_RBAC_PHASE_ROTATED "rotated"	/* old and new both work */
#define REDIS_RBAC_PHASE_RETIRED "retired"	/* only the new one works */

/* The id of user `user` in group `group` (both valid ElastiCache ids):
 * "<group>-<user>" in lower case when that fits in 40 characters, else its
 * first 31 characters (trailing hyphens dropped) + "-" + the first 8 hex
 * digits of SHA-256("<group>/<user>").  Deterministic; arena string. */
const char *redis_rbac_user_id(struct arena *a, const char *group,
			       const char *user);

/* The IAM policy document for an IAM-authenticated user: one statement
 * allowing elasticache:Connect on the user's ARN and on each replication
 * group ARN (sorted, as given by a set).  Compact JSON, arena string; NULL
 * only if jansson fails to allocate. */
const char *redis_rbac_iam_policy(struct arena *a, const char *user_arn,
				  const char *const *cluster_arns, size_t n);

/* Checks a replication group ARN for cluster_arns:
 * arn:<partition>:elasticache:<region>:<12 digits>:replicationgroup:<id>.
 * NULL when valid, else a static reason. */
const char *redis_rbac_check_cluster_arn(const char *s);

#endif
