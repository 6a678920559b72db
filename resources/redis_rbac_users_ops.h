/*
 * redis_rbac_users_ops.h - the AWS lifecycle of `secure_redis_rbac_users`
 * (issue 5, part 2): create, read (refresh + drift), delete, import, and
 * update in place (users added/removed, access strings, drift restored,
 * password rotation, key and tag changes).
 *
 * Same contract as resource.h: 0 or -1 with an error diagnostic; on a
 * failed create op->new_state holds exactly what exists (users that were
 * not created are left out of `users`; `arn` and `user_group_id` stay null
 * until the group exists, `default_user_id` until the locked default user
 * exists), and op->new_private records every user id and secret ARN made,
 * which is what delete removes.  Every wait honours ctx_cancelled().
 *
 * Names of what create makes (group id `g`, user name `u`):
 *   KMS alias   alias/secure-redis-rbac/<g>  (only when it makes the key)
 *   secret      secure-redis-rbac/<g>/<u>    {"username": u, "password": p}
 *   users       redis_rbac_user_id(g, u), the IAM user name, and the
 *               default user redis_rbac_user_id(g, "default")
 * Each carries the tag REDIS_RBAC_TAG_KEY = <g>; import adopts only
 * tagged users and secrets, delete schedules only a tagged key.
 *
 * Private state (JSON): {"users": [ids made], "secrets": [ARNs made]}.
 *
 * Drift shown by read (as differences the plan then shows):
 *   - user gone                -> left out of `users` (plan: add it);
 *   - user not in the group    -> its effective_access_string is null;
 *   - access string changed    -> effective_access_string = the actual one;
 *   - default user changed, unlocked, missing or out of the group ->
 *     default_user_id null, plus a warning naming what is wrong.
 * A refresh makes 2 + (number of users) calls.
 *
 * Passwords exist only in memory during create (wiped with
 * OPENSSL_cleanse) and in the secrets; never in state, logs, diagnostics.
 * Thread-safe: no shared mutable state.
 */
#ifndef RESOURCES_REDIS_RBAC_USERS_OPS_H
#define RESOURCES_REDIS_RBAC_USERS_OPS_H

#include "core/ctx.h"
#include "resources/resource.h"

/* Length of generated passwords (ElastiCache allows 16 to 128). */
#define REDIS_RBAC_PASSWORD_LEN 32

/* KMS deletion window of a key the resource created, on destroy. */
#define REDIS_RBAC_KMS_DELETION_WINDOW_DAYS 30

int redis_rbac_users_create(struct ctx *c, struct resource_op *op);
int redis_rbac_users_read(struct ctx *c, struct resource_op *op);
/* Adds and removes users (ModifyUserGroup, retried while the group is
 * busy), restores drifted access strings, membership and the locked
 * default user (ModifyUser), rotates and retires passwords (the current
 * password stays valid until the secret holds the new one), re-encrypts
 * the secrets with a new kms_key_arn (scheduling the deletion of a key it
 * made) and re-tags everything when tags_all changes.  On failure the
 * state holds the users that exist. */
int redis_rbac_users_update(struct ctx *c, struct resource_op *op);
int redis_rbac_users_delete(struct ctx *c, struct resource_op *op);
int redis_rbac_users_import(struct ctx *c, struct resource_op *op);

#endif
