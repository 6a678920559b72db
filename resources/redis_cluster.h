/*
 * redis_cluster.h - `secure_redis_cluster`: one resource for a hardened
 * ElastiCache Redis OSS / Valkey deployment (issue 4).
 *
 * This part holds what needs no AWS: the schema, validation of every
 * argument against AWS's limits and the hardening baseline, and planning.
 * The lifecycle operations (create, read, update, delete, import) are NOT
 * implemented yet: redis_cluster_resource has them NULL, which is why the
 * resource is not listed in resources_all.
 *
 * The names below are contracts between plan and apply: plan shows them as
 * known values, so create must use exactly these (Terraform rejects an
 * apply whose result differs from a known planned value).
 *
 * Thread-safety: everything is stateless; results are arena memory.
 */
#ifndef RESOURCES_REDIS_CLUSTER_H
#define RESOURCES_REDIS_CLUSTER_H

#include <stdint.h>

#include "core/ctx.h"
#include "resources/resource.h"

extern const struct resource redis_cluster_resource;

/* Defaults planned for optional+computed arguments left out of the
 * configuration. */
#define REDIS_CLUSTER_DEFAULT_ENGINE "redis"
#define REDIS_CLUSTER_DEFAULT_PORT 6379
#define REDIS_CLUSTER_DEFAULT_SHARDS 1
#define REDIS_CLUSTER_DEFAULT_REPLICAS 1
#define REDIS_CLUSTER_DEFAULT_SNAPSHOT_RETENTION_DAYS 7
#define REDIS_CLUSTER_DEFAULT_LOG_RETENTION_DAYS 365
#define REDIS_CLUSTER_DEFAULT_KMS_DELETION_WINDOW_DAYS 30
#define REDIS_CLUSTER_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS 7
#define REDIS_CLUSTER_DEFAULT_DESCRIPTION "Managed by Terraform"

/* The tag every sub-resource carries (value: the replication group id), by
 * which import finds them.  Users may not set it themselves. */
#define REDIS_CLUSTER_TAG_KEY "secure:redis-cluster"
/* The keys of ssm_parameter_arns; each parameter is named
 * /secure-redis/<id>/<key>. */
extern const char *const redis_cluster_ssm_keys[2];
/* Private-state key (JSON true) that refresh sets when the replication
 * group is not on its own security group alone; the plan then shows
 * security_group_id as changing and the apply moves the group back. */
#define REDIS_CLUSTER_PRIVATE_SG_DRIFTED "security_groups_drifted"

/* auth_token_rotation_phase values: the token phase the last apply ran (in
 * state) or the next apply will run (in a plan that changes it). */
#define REDIS_CLUSTER_PHASE_CREATED "created"	/* one token (create) */
#define REDIS_CLUSTER_PHASE_ROTATED "rotated"	/* ROTATE: old + new work */
#define REDIS_CLUSTER_PHASE_RETIRED "retired"	/* SET: only the new one */

/* auth_token_rotated_at is UTC "YYYY-MM-DDTHH:MM:SSZ" (strftime
 * "%Y-%m-%dT%H:%M:%SZ"); the grace period counts from it.
 *
 * Import and read: state with a null auth_token_version and a null
 * auth_token_rotation_phase (what import knows) makes the next plan adopt
 * the configured version without rotating.  Read should keep both from the
 * prior state: they record what the provider did, not what AWS reports. */

/* Names derived from the (lowercase) replication group id `id`; arena
 * strings.  Subnet group: "<id>-subnets".  Log groups:
 * "/aws/elasticache/<id>/slow-log" and ".../engine-log" (keys "slow-log"
 * and "engine-log" of log_group_names, as ElastiCache's LogType). */
const char *redis_cluster_subnet_group_name(struct arena *a, const char *id);
const char *redis_cluster_log_group_name(struct arena *a, const char *id,
					 const char *log_type);

/* Engine version text -> comparable (major, minor): "7.1" -> 7,1; "6.x" ->
 * 6,2 (ElastiCache resolves 6.x to the newest 6.2).  Returns 0, or -1 when
 * the text is not major.minor / 6.x. */
int redis_cluster_parse_version(const char *s, int *major, int *minor);

/* The plan hook with an explicit wall clock (Unix seconds), for tests; the
 * resource's plan hook calls it with time(NULL).  Same contract as
 * resource.plan. */
int redis_cluster_plan_at(struct ctx *c, struct resource_op *op,
			  int64_t now_s);

#endif
