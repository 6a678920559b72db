/*
 * redis_cluster.c - `secure_redis_cluster` (issue 4), part 1: schema,
 * validation and planning (redis_cluster.h).
 *
 * The resource stands for a whole hardened ElastiCache deployment:
 * replication group, KMS key, security group, subnet group, log groups,
 * AUTH token secret, SSM parameters and IAM policies.  Its security
 * properties are not arguments: a configuration that asks for less than
 * the baseline is refused at validate time, on the attribute, saying why.
 *
 * Not here yet: create/read/update/delete/import (they need the AWS
 * clients of aws/); the descriptor leaves them NULL and the registry does
 * not list the resource.  Validation only knows syntax and AWS's published
 * limits: AZ spread of the subnets, whether the key, groups or user group
 * exist, and which engine versions a region offers are apply-time checks.
 */
#include "resources/redis_cluster.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "schema/timeouts.h"
#include "resources/aws_validate.h"
#include "resources/plan_common.h"
#include "resources/redis_cluster_ops.h"

static const struct type map_of_string = TYPE_MAP_OF(&type_string);
static const struct type set_of_string = TYPE_SET_OF(&type_string);

/* ---- schema ---- */

#define OPT (ATTR_OPTIONAL)
#define OPT_COMP (ATTR_OPTIONAL | ATTR_COMPUTED)
#define COMP (ATTR_COMPUTED)

static const struct schema_attr redis_attrs[] = {
	/* identity */
	{ .name = "name", .type = &type_string,
	  .flags = ATTR_REQUIRED | ATTR_FORCE_NEW,
	  .description = "The replication group id: 1 to 40 lowercase "
	  "letters, digits and hyphens, starting with a letter, without a "
	  "trailing hyphen or two hyphens in a row. ElastiCache stores the id "
	  "in lower case, so upper case is refused rather than silently "
	  "changed. Changing it replaces the whole deployment (AWS cannot "
	  "rename a replication group)." },
	{ .name = "id", .type = &type_string, .flags = COMP,
	  .description = "The replication group id (equal to `name`); also "
	  "the import id." },
	{ .name = "description", .type = &type_string, .flags = OPT_COMP,
	  .description = "Description of the replication group. Defaults to "
	  "`\"Managed by Terraform\"`." },

	/* engine and topology */
	{ .name = "engine", .type = &type_string, .flags = OPT_COMP,
	  .description = "`redis` (Redis OSS, the default) or `valkey`. "
	  "Moving from `redis` to `valkey` is an in-place upgrade; moving back "
	  "replaces the deployment, because ElastiCache cannot downgrade." },
	{ .name = "engine_version", .type = &type_string, .flags = OPT_COMP,
	  .description = "Engine version as `major.minor` (`7.1`, `8.0`; "
	  "`6.x` is accepted for Redis OSS 6). At least Redis OSS 6.2 or "
	  "Valkey 7.2: engine-log delivery to CloudWatch needs 6.2, and RBAC "
	  "user groups need 6.0. Upgrades happen in place; a lower version "
	  "replaces the deployment, because ElastiCache cannot downgrade. "
	  "Unset: ElastiCache's default for the engine (see "
	  "`engine_version_actual`)." },
	{ .name = "node_type", .type = &type_string, .flags = ATTR_REQUIRED,
	  .description = "Node type, `cache.<family>.<size>` such as "
	  "`cache.r7g.large`. Previous-generation families (t1, m1, m2, m3, "
	  "c1, r3) are refused: they lack the encryption, Multi-AZ and log "
	  "delivery features this resource always turns on. Changed in place." },
	{ .name = "shards", .type = &type_number, .flags = OPT_COMP,
	  .description = "Number of shards (node groups), 1 to 500. `1` means "
	  "cluster mode disabled; more means cluster mode enabled. Resharding "
	  "within cluster mode is in place; crossing between 1 and more "
	  "replaces the deployment (clients must switch to a cluster-aware "
	  "protocol). Defaults to 1." },
	{ .name = "replicas_per_shard", .type = &type_number,
	  .flags = OPT_COMP,
	  .description = "Replicas in each shard, 1 to 5. Zero is refused: "
	  "Multi-AZ with automatic failover needs a replica to fail over to. "
	  "Changed in place. Defaults to 1." },
	{ .name = "port", .type = &type_number,
	  .flags = OPT_COMP | ATTR_FORCE_NEW,
	  .description = "TCP port, 1024 to 65535; defaults to 6379. Also a "
	  "result. AWS cannot change the port of a replication group, so a "
	  "change replaces the deployment." },
	{ .name = "parameters", .type = &map_of_string, .flags = OPT,
	  .description = "Engine parameters (`maxmemory-policy` = "
	  "`allkeys-lru`, ...). When given, a custom parameter group of the "
	  "engine's family is created for them. `cluster-enabled` is derived "
	  "from `shards` and cannot be set. Changed in place (an upgrade to "
	  "another family moves the values to a new group); removing them all "
	  "returns the cluster to the family's default group." },

	/* network */
	{ .name = "subnet_ids", .type = &set_of_string,
	  .flags = ATTR_REQUIRED,
	  .description = "At least two subnets of one VPC, in at least two "
	  "availability zones (checked at apply, when AWS says which zone each "
	  "subnet is in): Multi-AZ automatic failover is always on and needs "
	  "them. A subnet group is created from them. Changed in place; a "
	  "subnet that nodes run in cannot leave (ElastiCache refuses), so "
	  "move the nodes first." },
	{ .name = "allowed_security_group_ids", .type = &set_of_string,
	  .flags = OPT,
	  .description = "Security groups (`sg-...`) of the applications "
	  "allowed to connect. The cluster's own security group admits the "
	  "port from these and from `allowed_cidr_blocks` only." },
	{ .name = "allowed_cidr_blocks", .type = &set_of_string, .flags = OPT,
	  .description = "Private CIDR blocks allowed to connect. Only RFC "
	  "1918 (10/8, 172.16/12, 192.168/16), RFC 6598 (100.64/10) and IPv6 "
	  "unique local (fc00::/7) blocks are accepted: `0.0.0.0/0`, `::/0` "
	  "and public ranges are refused, because a cache should never be "
	  "reachable from the internet." },

	/* encryption and authentication */
	{ .name = "kms_key_arn", .type = &type_string,
	  .flags = OPT_COMP | ATTR_FORCE_NEW,
	  .description = "ARN of a customer-managed KMS key to encrypt data "
	  "at rest, snapshots, logs, the secret and the SSM parameters. Unset: "
	  "the provider creates a key with rotation on and a policy that also "
	  "lets CloudWatch Logs use it. Encryption at rest cannot be turned off "
	  "and an AWS-owned key is never used (it cannot be audited or "
	  "revoked). ElastiCache cannot change a replication group's key, so "
	  "a change replaces the deployment. An alias ARN is refused: IAM "
	  "policies must name the key itself." },
	{ .name = "user_group_id", .type = &type_string, .flags = OPT,
	  .description = "ElastiCache RBAC user group (for example from "
	  "`secure_redis_rbac_users`) to authenticate with instead of an AUTH "
	  "token. Authentication is always on: without a user group the "
	  "provider generates an AUTH token and keeps it in Secrets Manager. "
	  "Attached and detached in place." },
	{ .name = "auth_token_version", .type = &type_number, .flags = OPT,
	  .description = "Token rotation trigger (AUTH token mode only; unset "
	  "means 1). Raising it runs the first rotation phase: a new token is "
	  "added with ElastiCache's ROTATE strategy while the old one keeps "
	  "working, then published in the secret. The old token is retired "
	  "(SET strategy) in a later apply, see `auth_token_retire_previous` "
	  "and `auth_token_grace_period`. It can only increase." },
	{ .name = "auth_token_retire_previous", .type = &type_bool,
	  .flags = OPT,
	  .description = "When `true`, the next apply after a rotation retires "
	  "the previous AUTH token (second phase). Set it once every client "
	  "reads the new token from the secret." },
	{ .name = "auth_token_grace_period", .type = &type_string,
	  .flags = OPT,
	  .description = "Go duration (`\"24h\"`). The first plan after this "
	  "long since the rotation retires the previous token, even without "
	  "`auth_token_retire_previous`." },
	{ .name = "auth_token_rotation_phase", .type = &type_string,
	  .flags = COMP,
	  .description = "Token phase run by the last apply, or by the next "
	  "one when the plan changes it: `created` (one token), `rotated` (old "
	  "and new token both accepted), `retired` (only the new token). Null "
	  "with a user group." },
	{ .name = "auth_token_rotated_at", .type = &type_string,
	  .flags = COMP,
	  .description = "RFC 3339 time of the last `rotated` phase; the grace "
	  "period counts from it." },

	/* maintenance, backups, logs */
	{ .name = "maintenance_window", .type = &type_string,
	  .flags = OPT_COMP,
	  .description = "Weekly maintenance window `ddd:hh24:mi-ddd:hh24:mi` "
	  "(UTC), 60 minutes to 24 hours, not overlapping `snapshot_window`. "
	  "Unset: chosen by ElastiCache." },
	{ .name = "snapshot_window", .type = &type_string, .flags = OPT_COMP,
	  .description = "Daily snapshot window `hh24:mi-hh24:mi` (UTC), at "
	  "least 60 minutes. Unset: chosen by ElastiCache." },
	{ .name = "snapshot_retention_days", .type = &type_number,
	  .flags = OPT_COMP,
	  .description = "Days automatic snapshots are kept, 1 to 35 (AWS's "
	  "maximum); defaults to 7. Zero is refused: it disables backups." },
	{ .name = "log_retention_days", .type = &type_number,
	  .flags = OPT_COMP,
	  .description = "Retention of the slow-log and engine-log groups, one "
	  "of CloudWatch Logs' values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
	  "180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653); "
	  "defaults to 365. Log delivery itself cannot be turned off." },
	{ .name = "apply_immediately", .type = &type_bool, .flags = OPT,
	  .description = "Apply node type, version and parameter changes now "
	  "instead of in the next maintenance window. Default `false`. Token "
	  "rotation and security group rules always apply immediately." },

	/* destroy */
	{ .name = "kms_deletion_window_days", .type = &type_number,
	  .flags = OPT_COMP,
	  .description = "Days (7 to 30) between destroy and the deletion of a "
	  "provider-created KMS key; defaults to 30. Ignored with "
	  "`kms_key_arn`: a key you bring is never deleted." },
	{ .name = "secret_recovery_window_days", .type = &type_number,
	  .flags = OPT_COMP,
	  .description = "Days (7 to 30) Secrets Manager keeps the AUTH token "
	  "secret recoverable after destroy; defaults to 7. `0` deletes it "
	  "at once without recovery (the token is useless once the cluster "
	  "is gone, and a replacement can reuse the secret name at once)." },

	/* tags */
	{ .name = "tags", .type = &map_of_string, .flags = OPT,
	  .description = "Tags for every sub-resource, merged with the "
	  "provider's `default_tags` (these win). At most 49: AWS allows 50 "
	  "and the provider adds `secure:redis-cluster`." },
	{ .name = "tags_all", .type = &map_of_string, .flags = COMP,
	  .description = "All tags applied: `default_tags`, then `tags`, then "
	  "`secure:redis-cluster` = id (how import finds the sub-resources)." },

	/* results */
	{ .name = "arn", .type = &type_string, .flags = COMP,
	  .description = "ARN of the replication group." },
	{ .name = "primary_endpoint", .type = &type_string, .flags = COMP,
	  .description = "Primary endpoint address (cluster mode disabled)." },
	{ .name = "reader_endpoint", .type = &type_string, .flags = COMP,
	  .description = "Reader endpoint address (cluster mode disabled)." },
	{ .name = "configuration_endpoint", .type = &type_string,
	  .flags = COMP,
	  .description = "Configuration endpoint address (cluster mode "
	  "enabled, `shards` > 1)." },
	{ .name = "kms_key_rotation_enabled", .type = &type_bool,
	  .flags = COMP,
	  .description = "Whether automatic rotation of the KMS key is on. "
	  "Always `true` for the key this resource creates: if rotation is "
	  "turned off outside Terraform, refresh shows `false` and the next "
	  "apply turns it back on. For a key you bring (`kms_key_arn`) it "
	  "reports the key's setting, which the provider leaves to you." },
	{ .name = "security_group_id", .type = &type_string, .flags = COMP,
	  .description = "The cluster's own security group." },
	{ .name = "subnet_group_name", .type = &type_string, .flags = COMP,
	  .description = "The subnet group created from `subnet_ids` "
	  "(`<id>-subnets`)." },
	{ .name = "auth_secret_arn", .type = &type_string, .flags = COMP,
	  .description = "Secrets Manager secret holding the AUTH token "
	  "(encrypted with the key; the token never appears in state). Null "
	  "with a user group." },
	{ .name = "log_group_names", .type = &map_of_string, .flags = COMP,
	  .description = "CloudWatch log groups by log type: `slow-log` and "
	  "`engine-log`, named `/aws/elasticache/<id>/<type>`." },
	{ .name = "ssm_parameter_arns", .type = &map_of_string, .flags = COMP,
	  .description = "SecureString SSM parameters (encrypted with the "
	  "key) holding the connection details: keys `endpoint` and `port`." },
	{ .name = "app_policy_arn", .type = &type_string, .flags = COMP,
	  .description = "Customer-managed IAM policy an application attaches "
	  "to connect: read the SSM parameters and the secret, decrypt with "
	  "the key, and `elasticache:Connect` with a user group. It names exact "
	  "resources, never `*`." },
	{ .name = "app_policy_json", .type = &type_string, .flags = COMP,
	  .description = "The document of `app_policy_arn`." },
	{ .name = "engine_version_actual", .type = &type_string,
	  .flags = COMP,
	  .description = "The engine version running (`7.1.0`)." },
	{ .name = "member_clusters", .type = &set_of_string, .flags = COMP,
	  .description = "Ids of the cache clusters (nodes)." },
};

static const struct schema_nested_block redis_blocks[] = {
	TIMEOUTS_NESTED_BLOCK,
};

static const struct schema_block redis_block = {
	.n_attrs = sizeof(redis_attrs) / sizeof(redis_attrs[0]),
	.attrs = redis_attrs,
	.n_blocks = sizeof(redis_blocks) / sizeof(redis_blocks[0]),
	.blocks = redis_blocks,
	.description = "A hardened ElastiCache Redis OSS / Valkey deployment "
	"in one resource: replication group, KMS key, security group, subnet "
	"group, log groups, AUTH token in Secrets Manager, SSM parameters and "
	"IAM policies. Encryption at rest with a customer-managed key, TLS in "
	"transit (`required` mode), authentication, Multi-AZ with automatic "
	"failover, private-only ingress, log delivery and backups are always "
	"on; a configuration asking for less is refused.",
};

static const struct schema redis_schema = { .version = 0,
					    .block = &redis_block };

/* ---- names ---- */

const char *const redis_cluster_ssm_keys[2] = { "endpoint", "port" };

const char *redis_cluster_subnet_group_name(struct arena *a, const char *id)
{
	return arena_sprintf(a, "%s-subnets", id);
}

const char *redis_cluster_log_group_name(struct arena *a, const char *id,
					 const char *log_type)
{
	return arena_sprintf(a, "/aws/elasticache/%s/%s", id, log_type);
}

int redis_cluster_parse_version(const char *s, int *major, int *minor)
{
	char *end;
	long ma, mi;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	ma = strtol(s, &end, 10);
	if (*end != '.' || ma > 99 || (s[0] == '0' && end - s > 1))
		return -1;
	s = end + 1;
	if (s[0] == 'x' && s[1] == '\0') {
		if (ma != 6)
			return -1;
		*major = 6;
		*minor = 2;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -1;
	mi = strtol(s, &end, 10);
	if (*end != '\0' || mi > 99 || (s[0] == '0' && end - s > 1))
		return -1;
	*major = (int)ma;
	*minor = (int)mi;
	return 0;
}

/* ---- validation ---- */

/* What a check needs: the context (diagnostics, arena) and the config. */
struct check {
	struct ctx *c;
	const struct value *cfg;
};

static struct path attr_path(const struct check *k, const char *name)
{
	return path_attr(k->c->arena, path_root, name);
}

static void fail(const struct check *k, const char *name,
		 const char *summary, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(const struct check *k, const char *name,
		 const char *summary, const char *fmt, ...)
{
	struct path p = attr_path(k, name);
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	detail = arena_vsprintf(k->c->arena, fmt, ap);
	va_end(ap);
	diag_error(&k->c->diags, &p, summary, "%s", detail);
}

/* A string attribute: 1 known (*out set), 0 null or absent, -1 unknown.
 * A string with an embedded NUL is reported and treated as absent. */
static int get_str(const struct check *k, const char *name, const char **out)
{
	const struct value *v = value_attr(k->cfg, name);

	if (!v || value_is_null(v))
		return 0;
	if (!value_is_known(v) || !value_get_string(v, out))
		return -1;
	if (strlen(*out) != v->u.str.len) {
		fail(k, name, "Invalid value", "%s must not contain a NUL "
		     "character.", name);
		return 0;
	}
	return 1;
}

/* A number attribute that must be whole: like get_str. */
static int get_int(const struct check *k, const char *name, int64_t *out)
{
	const struct value *v = value_attr(k->cfg, name);

	if (!v || value_is_null(v))
		return 0;
	if (!value_is_known(v))
		return -1;
	if (!value_get_int(v, out)) {
		fail(k, name, "Invalid value", "%s must be a whole number "
		     "(no fraction, within 64-bit range).", name);
		return 0;
	}
	return 1;
}

/* A known collection (set or map) attribute, or NULL. */
static const struct value *get_coll(const struct check *k, const char *name)
{
	const struct value *v = value_attr(k->cfg, name);

	return v && value_is_known(v) ? v : NULL;
}

/* Range check with the reason appended to the message. */
static void check_range(const struct check *k, const char *name, int64_t lo,
			int64_t hi, const char *why)
{
	int64_t n;

	if (get_int(k, name, &n) == 1 && (n < lo || n > hi))
		fail(k, name, "Value out of range", "%s must be from %lld to "
		     "%lld, got %lld.%s%s", name, (long long)lo,
		     (long long)hi, (long long)n, why ? " " : "",
		     why ? why : "");
}

static void check_name(const struct check *k)
{
	const char *s, *why;

	if (get_str(k, "name", &s) != 1)
		return;
	why = aws_check_elasticache_id(s, 40);
	if (why)
		fail(k, "name", "Invalid replication group name", "The name "
		     "\"%s\" %s. ElastiCache replication group ids are 1 to 40 "
		     "letters, digits and hyphens, start with a letter, and "
		     "neither end with a hyphen nor contain two in a row.", s,
		     why);
	else if (aws_has_upper(s))
		fail(k, "name", "Replication group name must be lowercase",
		     "ElastiCache stores replication group ids in lower case, "
		     "so \"%s\" would come back as \"%s\" and every plan would "
		     "show a change. Write name = \"%s\".", s,
		     arena_strlower(k->c->arena, s), arena_strlower(k->c->arena, s));
}

static void check_description(const struct check *k)
{
	const char *s;

	if (get_str(k, "description", &s) == 1 && !*s)
		fail(k, "description", "Invalid description", "description "
		     "must not be empty: ElastiCache requires a replication "
		     "group description. Leave it out for the default.");
}

/* The engine from config: "redis"/"valkey", NULL when unknown or invalid
 * (already reported). */
static const char *check_engine(const struct check *k)
{
	const char *s;
	int rc = get_str(k, "engine", &s);

	if (rc == 0)
		return REDIS_CLUSTER_DEFAULT_ENGINE;
	if (rc < 0)
		return NULL;
	if (strcmp(s, "redis") == 0 || strcmp(s, "valkey") == 0)
		return s;
	fail(k, "engine", "Unsupported engine", "engine must be \"redis\" "
	     "(Redis OSS) or \"valkey\", got \"%s\". Memcached has no "
	     "authentication, replication or Multi-AZ failover.", s);
	return NULL;
}

static void check_engine_version(const struct check *k, const char *engine)
{
	const char *s;
	int major, minor;

	if (get_str(k, "engine_version", &s) != 1)
		return;
	if (redis_cluster_parse_version(s, &major, &minor) < 0) {
		fail(k, "engine_version", "Invalid engine version", "\"%s\" is "
		     "not an ElastiCache engine version: from Redis OSS 6 on, "
		     "ElastiCache takes major.minor such as \"7.1\" (or \"6.x\"), "
		     "without a patch level.", s);
		return;
	}
	if (!engine)
		return;
	if (strcmp(engine, "redis") == 0 &&
	    (major < 6 || (major == 6 && minor < 2)))
		fail(k, "engine_version", "Engine version too old", "Redis OSS "
		     "%s cannot meet the baseline: engine-log delivery to "
		     "CloudWatch needs Redis OSS 6.2 or later (RBAC user groups "
		     "need 6.0). Use \"6.2\" or later.", s);
	else if (strcmp(engine, "valkey") == 0 &&
		 (major < 7 || (major == 7 && minor < 2)))
		fail(k, "engine_version", "Engine version too old", "Valkey "
		     "starts at 7.2 on ElastiCache; got \"%s\".", s);
}

/* Families ElastiCache offers today with encryption at rest and in transit,
 * Multi-AZ and log delivery, and old ones that do not qualify. */
static const char *const node_families_ok[] = {
	"t2", "t3", "t4g", "m4", "m5", "m6g", "m7g", "r4", "r5", "r6g",
	"r6gd", "r7g", "c7gn",
};
static const char *const node_families_old[] = {
	"t1", "m1", "m2", "m3", "c1", "r3", "cc1", "cc2", "hs1",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static bool node_size_ok(const char *s)
{
	size_t n = strlen(s);

	if (!strcmp(s, "micro") || !strcmp(s, "small") ||
	    !strcmp(s, "medium") || !strcmp(s, "large") ||
	    !strcmp(s, "xlarge"))
		return true;
	/* <n>xlarge, n = 2..99 without a leading zero */
	if (n < 7 || n > 8 || strcmp(s + n - 6, "xlarge") != 0 ||
	    s[0] < '1' || s[0] > '9' ||
	    (n == 8 && !isdigit((unsigned char)s[1])))
		return false;
	return !(n == 7 && s[0] == '1');
}

static void check_node_type(const struct check *k)
{
	char family[16], size[16];
	const char *s, *dot1, *dot2;
	size_t i;

	if (get_str(k, "node_type", &s) != 1)
		return;
	dot1 = strncmp(s, "cache.", 6) == 0 ? s + 5 : NULL;
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || (size_t)(dot2 - dot1 - 1) >= sizeof(family) ||
	    strlen(dot2 + 1) >= sizeof(size) || dot2 == dot1 + 1) {
		fail(k, "node_type", "Invalid node type", "\"%s\" is not a node "
		     "type: expected cache.<family>.<size>, such as "
		     "cache.r7g.large.", s);
		return;
	}
	memcpy(family, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	family[dot2 - dot1 - 1] = '\0';
	strcpy(size, dot2 + 1);
	for (i = 0; family[i]; i++)
		if (!islower((unsigned char)family[i]) &&
		    !isdigit((unsigned char)family[i]))
			break;
	if (family[i] || !islower((unsigned char)family[0]) ||
	    !node_size_ok(size)) {
		fail(k, "node_type", "Invalid node type", "\"%s\" is not a node "
		     "type: expected cache.<family>.<size> in lower case, size "
		     "one of micro, small, medium, large, xlarge, <n>xlarge.",
		     s);
		return;
	}
	if (in_list(family, node_families_old, sizeof(node_families_old) /
		    sizeof(node_families_old[0])))
		fail(k, "node_type", "Node type family not supported", "%s is "
		     "a previous-generation family: it lacks encryption in "
		     "transit and at rest, Multi-AZ automatic failover or log "
		     "delivery, which this resource always turns on. Use a "
		     "current family such as r7g, m7g or t4g.", s);
	else if (!in_list(family, node_families_ok,
			  sizeof(node_families_ok) /
			  sizeof(node_families_ok[0]))) {
		struct path p = attr_path(k, "node_type");

		diag_warn(&k->c->diags, &p, "Unknown node type family",
			  "This provider version does not know the family of "
			  "%s; ElastiCache will decide at apply whether it "
			  "exists and supports encryption in transit.", s);
	}
}

static void check_topology(const struct check *k)
{
	int64_t shards, replicas;
	int rs, rr;

	check_range(k, "shards", 1, 500, "One shard means cluster mode "
		    "disabled; ElastiCache allows at most 500.");
	rr = get_int(k, "replicas_per_shard", &replicas);
	if (rr == 1 && replicas < 1)
		fail(k, "replicas_per_shard", "At least one replica per shard "
		     "is required", "replicas_per_shard is %lld. Multi-AZ with "
		     "automatic failover is always on and needs a replica in "
		     "another availability zone to promote when the primary "
		     "fails; without one a node failure loses the shard.",
		     (long long)replicas);
	else if (rr == 1 && replicas > 5)
		fail(k, "replicas_per_shard", "Value out of range",
		     "replicas_per_shard must be from 1 to 5 (ElastiCache's "
		     "maximum), got %lld.", (long long)replicas);
	rs = get_int(k, "shards", &shards);
	if (rs == 0)
		shards = REDIS_CLUSTER_DEFAULT_SHARDS, rs = 1;
	if (rr == 0)
		replicas = REDIS_CLUSTER_DEFAULT_REPLICAS, rr = 1;
	if (rs == 1 && rr == 1 && shards >= 1 && shards <= 500 &&
	    replicas >= 1 && replicas <= 5 && shards * (replicas + 1) > 500)
		fail(k, "shards", "Too many nodes", "%lld shards with %lld "
		     "replicas each make %lld nodes; ElastiCache allows at most "
		     "500 nodes in a replication group.", (long long)shards,
		     (long long)replicas,
		     (long long)(shards * (replicas + 1)));
}

static void check_subnets(const struct check *k)
{
	const struct value *v = get_coll(k, "subnet_ids");
	const char *s, *why;
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->u.coll.n; i++)
		if (value_get_string(v->u.coll.items[i], &s) &&
		    (why = aws_check_subnet_id(s)))
			fail(k, "subnet_ids", "Invalid subnet id", "\"%s\" %s.",
			     s, why);
	/* Unknown elements may still turn out equal, so only a set that
	 * cannot grow any more is refused. */
	if (v->u.coll.n < 2)
		fail(k, "subnet_ids", "At least two subnets are required",
		     "Multi-AZ with automatic failover is always on: the "
		     "replicas must live in a different availability zone from "
		     "the primary, so give subnets in at least two zones "
		     "(the zones are checked at apply).");
}

static void check_ingress(const struct check *k)
{
	const struct value *sg = get_coll(k, "allowed_security_group_ids");
	const struct value *cidr = get_coll(k, "allowed_cidr_blocks");
	const struct value *sg_raw = value_attr(k->cfg,
						"allowed_security_group_ids");
	const struct value *cidr_raw = value_attr(k->cfg,
						  "allowed_cidr_blocks");
	const char *s, *why;
	size_t i, n = 0;

	for (i = 0; sg && i < sg->u.coll.n; i++, n++)
		if (value_get_string(sg->u.coll.items[i], &s) &&
		    (why = aws_check_security_group_id(s)))
			fail(k, "allowed_security_group_ids",
			     "Invalid security group id", "\"%s\" %s.", s, why);
	for (i = 0; cidr && i < cidr->u.coll.n; i++, n++) {
		if (!value_get_string(cidr->u.coll.items[i], &s))
			continue;
		if ((why = aws_check_cidr(s)))
			fail(k, "allowed_cidr_blocks", "Invalid CIDR block",
			     "\"%s\" %s.", s, why);
		else if (!aws_cidr_is_private(s))
			fail(k, "allowed_cidr_blocks", "CIDR block is not "
			     "private", "\"%s\" %s. Only private ranges may "
			     "reach the cluster: RFC 1918 (10.0.0.0/8, "
			     "172.16.0.0/12, 192.168.0.0/16), RFC 6598 "
			     "(100.64.0.0/10) and IPv6 unique local addresses "
			     "(fc00::/7). For applications, prefer "
			     "allowed_security_group_ids.", s,
			     strcmp(s, "0.0.0.0/0") == 0 ||
			     strcmp(s, "::/0") == 0 ?
			     "admits the whole internet" :
			     "includes public addresses");
	}
	if (n > 60) {
		struct path p = attr_path(k, "allowed_cidr_blocks");

		diag_warn(&k->c->diags, &p, "Many ingress rules", "%zu ingress "
			  "sources exceed EC2's default quota of 60 inbound "
			  "rules per security group; apply fails unless the "
			  "quota was raised.", n);
	}
	if (sg_raw && cidr_raw && !value_is_unknown(sg_raw) &&
	    !value_is_unknown(cidr_raw) && n == 0) {
		struct path p = attr_path(k, "allowed_security_group_ids");

		diag_warn(&k->c->diags, &p, "No client can connect", "Neither "
			  "allowed_security_group_ids nor allowed_cidr_blocks "
			  "is set: the cluster's security group admits nobody.");
	}
}

static void check_kms(const struct check *k)
{
	const char *s, *why;
	int64_t n;

	if (get_str(k, "kms_key_arn", &s) == 1 &&
	    (why = aws_check_kms_key_arn(s)))
		fail(k, "kms_key_arn", "Invalid KMS key ARN", "\"%s\" %s.", s,
		     why);
	check_range(k, "kms_deletion_window_days", 7, 30, "AWS KMS schedules "
		    "key deletion 7 to 30 days ahead.");
	if (get_str(k, "kms_key_arn", &s) == 1 &&
	    get_int(k, "kms_deletion_window_days", &n) == 1) {
		struct path p = attr_path(k, "kms_deletion_window_days");

		diag_warn(&k->c->diags, &p, "Setting has no effect", "The key "
			  "given in kms_key_arn is yours: destroy never "
			  "schedules it for deletion, so "
			  "kms_deletion_window_days is ignored.");
	}
}

static bool token_args_set(const struct check *k)
{
	static const char *const names[] = { "auth_token_version",
					     "auth_token_retire_previous",
					     "auth_token_grace_period" };
	const struct value *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = value_attr(k->cfg, names[i]);
		if (v && !value_is_null(v))
			return true;
	}
	return false;
}

static void check_auth(const struct check *k)
{
	const char *s, *why, *err;
	int64_t n, ms;

	if (get_str(k, "user_group_id", &s) == 1) {
		if ((why = aws_check_elasticache_id(s, 40)))
			fail(k, "user_group_id", "Invalid user group id",
			     "\"%s\" %s.", s, why);
		else if (aws_has_upper(s))
			fail(k, "user_group_id", "User group id must be "
			     "lowercase", "ElastiCache stores user group ids in "
			     "lower case; write \"%s\".", arena_strlower(k->c->arena, s));
		if (token_args_set(k))
			fail(k, "user_group_id", "AUTH token settings conflict "
			     "with user_group_id", "With an RBAC user group "
			     "there is no AUTH token to rotate: remove "
			     "auth_token_version, auth_token_retire_previous "
			     "and auth_token_grace_period, or remove "
			     "user_group_id.");
	}
	if (get_int(k, "auth_token_version", &n) == 1 && n < 1)
		fail(k, "auth_token_version", "Value out of range",
		     "auth_token_version starts at 1 and only increases; got "
		     "%lld.", (long long)n);
	if (get_str(k, "auth_token_grace_period", &s) == 1 &&
	    timeouts_parse_duration(s, &ms, &err) < 0)
		fail(k, "auth_token_grace_period", "Invalid duration", "\"%s\": "
		     "%s. Use a Go duration such as \"24h\" or \"90m\".", s,
		     err);
}

static void check_parameters(const struct check *k)
{
	const struct value *v = get_coll(k, "parameters");
	struct arena *a = k->c->arena;
	size_t i, j;

	for (i = 0; v && i < v->u.coll.n; i++) {
		const char *key = v->u.coll.keys[i];
		struct path p = path_key(a, attr_path(k, "parameters"), key);
		size_t n = strlen(key);

		for (j = 0; j < n; j++)
			if (!islower((unsigned char)key[j]) &&
			    !isdigit((unsigned char)key[j]) && key[j] != '-')
				break;
		if (n == 0 || n > 255 || j < n || key[0] == '-')
			diag_error(&k->c->diags, &p, "Invalid parameter name",
				   "\"%s\" is not an engine parameter name: "
				   "lowercase letters, digits and hyphens, "
				   "like maxmemory-policy.", key);
		else if (strcmp(key, "cluster-enabled") == 0)
			diag_error(&k->c->diags, &p, "Parameter is managed by "
				   "the provider", "cluster-enabled follows "
				   "shards (yes when shards > 1); set shards "
				   "instead.");
	}
}

static void check_windows(const struct check *k)
{
	const char *m, *s, *why;
	int ms = 0, ml = 0, ss = 0, sl = 0;
	bool have_m = false, have_s = false;

	if (get_str(k, "maintenance_window", &m) == 1) {
		why = aws_parse_maintenance_window(m, &ms, &ml);
		if (why)
			fail(k, "maintenance_window", "Invalid maintenance "
			     "window", "\"%s\" %s.", m, why);
		have_m = !why;
	}
	if (get_str(k, "snapshot_window", &s) == 1) {
		why = aws_parse_snapshot_window(s, &ss, &sl);
		if (why)
			fail(k, "snapshot_window", "Invalid snapshot window",
			     "\"%s\" %s.", s, why);
		have_s = !why;
	}
	if (have_m && have_s && aws_windows_overlap(ms, ml, ss, sl))
		fail(k, "snapshot_window", "Windows overlap", "The daily "
		     "snapshot window %s overlaps the weekly maintenance "
		     "window %s; ElastiCache requires them not to overlap.",
		     s, m);
}

static void check_retention(const struct check *k)
{
	int64_t n;

	check_range(k, "snapshot_retention_days", 1, 35, "At least one daily "
		    "snapshot is kept so data can be restored (0 would "
		    "disable backups); 35 days is AWS's maximum.");
	if (get_int(k, "log_retention_days", &n) == 1 &&
	    !aws_log_retention_valid(n))
		fail(k, "log_retention_days", "Invalid log retention",
		     "CloudWatch Logs accepts only these retention periods "
		     "(days): %s; got %lld.", aws_log_retention_list(),
		     (long long)n);
	if (get_int(k, "secret_recovery_window_days", &n) == 1 && n != 0 &&
	    (n < 7 || n > 30))
		fail(k, "secret_recovery_window_days", "Value out of range",
		     "secret_recovery_window_days must be 0 (delete at once) "
		     "or 7 to 30 days (Secrets Manager's recovery window); got "
		     "%lld.", (long long)n);
}

static void check_tags(const struct check *k)
{
	const struct value *v = get_coll(k, "tags");
	struct arena *a = k->c->arena;
	const char *val, *why;
	size_t i;

	if (!v)
		return;
	if (v->u.coll.n > AWS_TAGS_MAX - 1)
		fail(k, "tags", "Too many tags", "%zu tags given; AWS allows %d "
		     "per resource and the provider adds %s, so at most %d.",
		     v->u.coll.n, AWS_TAGS_MAX, REDIS_CLUSTER_TAG_KEY,
		     AWS_TAGS_MAX - 1);
	for (i = 0; i < v->u.coll.n; i++) {
		const char *key = v->u.coll.keys[i];
		struct path p = path_key(a, attr_path(k, "tags"), key);

		if ((why = aws_check_tag_key(key)))
			diag_error(&k->c->diags, &p, "Invalid tag key",
				   "Tag key \"%s\" %s.", key, why);
		else if (strcmp(key, REDIS_CLUSTER_TAG_KEY) == 0)
			diag_error(&k->c->diags, &p, "Reserved tag key",
				   "%s is set by the provider to the cluster "
				   "id; import finds the sub-resources by it.",
				   key);
		if (value_get_string(v->u.coll.items[i], &val) &&
		    (why = aws_check_tag_value(val)))
			diag_error(&k->c->diags, &p, "Invalid tag value",
				   "The value of tag \"%s\" %s.", key, why);
	}
}

static int redis_validate(struct ctx *c, struct resource_op *op)
{
	struct check k = { .c = c, .cfg = op->config };
	size_t before = c->diags.errors;
	const char *engine;

	if (!value_is_known(op->config))
		return 0;
	check_name(&k);
	check_description(&k);
	engine = check_engine(&k);
	check_engine_version(&k, engine);
	check_node_type(&k);
	check_topology(&k);
	check_range(&k, "port", 1024, 65535, "ElastiCache does not accept "
		    "privileged ports.");
	check_subnets(&k);
	check_ingress(&k);
	check_kms(&k);
	check_auth(&k);
	check_parameters(&k);
	check_windows(&k);
	check_retention(&k);
	check_tags(&k);
	return c->diags.errors > before ? -1 : 0;
}

/* ---- plan ---- */

struct planner {
	struct ctx *c;
	struct resource_op *op;
	const struct value *p;		/* the planned object, being built */
	struct path replace[4];
	size_t n_replace;
};

static const struct value *planned(const struct planner *pl,
				   const char *name)
{
	return value_attr(pl->p, name);
}

/* Prior attribute, NULL when creating. */
static const struct value *prior(const struct planner *pl, const char *name)
{
	return value_is_known(pl->op->prior) ?
		value_attr(pl->op->prior, name) : NULL;
}

static void set(struct planner *pl, const char *name, const struct value *v)
{
	pl->p = value_with_attr(pl->c->arena, pl->p, name, v);
}

static void set_unknown(struct planner *pl, const char *name)
{
	const struct value *v = planned(pl, name);

	set(pl, name, value_unknown(pl->c->arena, v->type));
}

static void set_null(struct planner *pl, const char *name)
{
	const struct value *v = planned(pl, name);

	set(pl, name, value_null(pl->c->arena, v->type));
}

static bool config_null(const struct planner *pl, const char *name)
{
	const struct value *v = value_attr(pl->op->config, name);

	return !v || value_is_null(v);
}

/* True when creating, or when the planned value differs from prior
 * (unknown counts as a change). */
static bool changed(const struct planner *pl, const char *name)
{
	const struct value *pr = prior(pl, name), *v = planned(pl, name);

	return !pr || value_is_unknown(v) || !value_equal(pr, v);
}

static void add_replace(struct planner *pl, const char *name)
{
	if (pl->n_replace < sizeof(pl->replace) / sizeof(pl->replace[0]))
		pl->replace[pl->n_replace++] = path_attr(pl->c->arena,
							 path_root, name);
}

/* Defaults of optional+computed arguments the configuration leaves out.
 * A default is a setting like any other: when refresh read something
 * else (retention shortened outside Terraform, say), the plan brings the
 * default back. */
static void plan_defaults(struct planner *pl)
{
	static const struct {
		const char *name;
		int64_t n;
	} nums[] = {
		{ "shards", REDIS_CLUSTER_DEFAULT_SHARDS },
		{ "replicas_per_shard", REDIS_CLUSTER_DEFAULT_REPLICAS },
		{ "port", REDIS_CLUSTER_DEFAULT_PORT },
		{ "snapshot_retention_days",
		  REDIS_CLUSTER_DEFAULT_SNAPSHOT_RETENTION_DAYS },
		{ "log_retention_days",
		  REDIS_CLUSTER_DEFAULT_LOG_RETENTION_DAYS },
		{ "kms_deletion_window_days",
		  REDIS_CLUSTER_DEFAULT_KMS_DELETION_WINDOW_DAYS },
		{ "secret_recovery_window_days",
		  REDIS_CLUSTER_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS },
	};
	static const struct {
		const char *name, *s;
	} strs[] = {
		{ "engine", REDIS_CLUSTER_DEFAULT_ENGINE },
		{ "description", REDIS_CLUSTER_DEFAULT_DESCRIPTION },
	};
	struct arena *a = pl->c->arena;
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (config_null(pl, nums[i].name))
			set(pl, nums[i].name, value_int(a, nums[i].n));
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (config_null(pl, strs[i].name))
			set(pl, strs[i].name, value_string(a, strs[i].s));
	}
}

/* id, subnet group and log group names follow from the name alone, so the
 * plan shows them (lowercase, as AWS stores the id). */
static void plan_identity(struct planner *pl)
{
	static const char *const keys[] = { "engine-log", "slow-log" };
	struct arena *a = pl->c->arena;
	const struct value *items[2];
	const char *name, *id;

	if (!value_get_string(planned(pl, "name"), &name)) {
		set_unknown(pl, "id");
		set_unknown(pl, "subnet_group_name");
		set_unknown(pl, "log_group_names");
		return;
	}
	id = arena_strlower(a, name);
	items[0] = value_string(a, redis_cluster_log_group_name(a, id,
								 keys[0]));
	items[1] = value_string(a, redis_cluster_log_group_name(a, id,
								 keys[1]));
	set(pl, "id", value_string(a, id));
	set(pl, "subnet_group_name",
	    value_string(a, redis_cluster_subnet_group_name(a, id)));
	set(pl, "log_group_names", value_map(a, &type_string, 2, keys, items));
}

/* tags_all = provider default_tags, overridden by tags, plus the identity
 * tag.  Returns -1 with an error when the result exceeds AWS's limit. */
static int plan_tags(struct planner *pl)
{
	const struct value *tags = planned(pl, "tags"), *all;

	if (value_is_unknown(tags)) {
		set_unknown(pl, "tags_all");
		return 0;
	}
	all = plan_common_tags_all(pl->c, tags, REDIS_CLUSTER_TAG_KEY,
				   planned(pl, "id"));
	if (!all)
		return -1;
	set(pl, "tags_all", all);
	return 0;
}

/* Results an in-place update changes become unknown. */
static void plan_results(struct planner *pl)
{
	if (!value_is_known(pl->op->prior))
		return;		/* create: the planner left them unknown */
	if (changed(pl, "engine") || changed(pl, "engine_version"))
		set_unknown(pl, "engine_version_actual");
	if (changed(pl, "shards") || changed(pl, "replicas_per_shard"))
		set_unknown(pl, "member_clusters");
	if (changed(pl, "user_group_id"))
		set_unknown(pl, "app_policy_json");
}

static bool str_is(const struct value *v, const char *s)
{
	const char *got;

	return v && value_get_string(v, &got) && strcmp(got, s) == 0;
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or -1. */
static int64_t parse_rfc3339(const char *s)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	return end && *end == '\0' ? (int64_t)timegm(&tm) : -1;
}

/* Should the previous token be retired now?  1 yes, 0 no, -1 unknown. */
static int retire_wanted(const struct planner *pl, int64_t now_s)
{
	const struct value *flag = planned(pl, "auth_token_retire_previous");
	const struct value *grace = planned(pl, "auth_token_grace_period");
	const char *g, *at, *err;
	int64_t ms, t;
	bool b = false;

	if (value_get_bool(flag, &b) && b)
		return 1;
	if (value_is_unknown(flag) || value_is_unknown(grace))
		return -1;
	if (!value_get_string(grace, &g) ||
	    timeouts_parse_duration(g, &ms, &err) < 0 ||
	    !value_get_string(prior(pl, "auth_token_rotated_at"), &at) ||
	    (t = parse_rfc3339(at)) < 0)
		return 0;
	return now_s >= t + ms / 1000;
}

/* Token mode on a cluster that already has a token: which rotation phase
 * the apply runs.  Returns -1 with an error for impossible requests. */
static int plan_rotation(struct planner *pl, int64_t now_s)
{
	const struct value *ver = planned(pl, "auth_token_version");
	const struct value *pr_ver = prior(pl, "auth_token_version");
	const struct value *pr_phase = prior(pl, "auth_token_rotation_phase");
	struct arena *a = pl->c->arena;
	struct path p = path_attr(a, path_root, "auth_token_version");
	int64_t nv = 1, pv = 1;
	bool rotated = str_is(pr_phase, REDIS_CLUSTER_PHASE_ROTATED);
	int r;

	if (value_is_unknown(ver)) {
		set_unknown(pl, "auth_token_rotation_phase");
		set_unknown(pl, "auth_token_rotated_at");
		return 0;
	}
	/* Imported state knows neither the version nor the phase: adopt
	 * the configured version instead of rotating on the first plan. */
	if (value_is_null(pr_ver) && (!pr_phase || value_is_null(pr_phase)))
		return 0;
	value_get_int(ver, &nv);
	value_get_int(pr_ver, &pv);
	if (nv < pv)
		return diag_error(&pl->c->diags, &p, "auth_token_version "
				  "cannot decrease", "auth_token_version was "
				  "%lld and is now %lld. A token that was "
				  "replaced cannot come back; raise the number "
				  "to rotate again.", (long long)pv,
				  (long long)nv);
	if (nv > pv && rotated)
		return diag_error(&pl->c->diags, &p, "A token rotation is "
				  "still in progress", "The previous AUTH "
				  "token is still accepted (phase \"rotated\") "
				  "and ElastiCache holds at most two tokens. "
				  "Set auth_token_version back to %lld, retire "
				  "the previous token first (set "
				  "auth_token_retire_previous = true and "
				  "apply), then raise auth_token_version.",
				  (long long)pv);
	if (nv > pv) {		/* phase 1: ROTATE */
		set(pl, "auth_token_rotation_phase",
		    value_string(a, REDIS_CLUSTER_PHASE_ROTATED));
		set_unknown(pl, "auth_token_rotated_at");
		return 0;
	}
	if (!rotated)
		return 0;
	r = retire_wanted(pl, now_s);
	if (r > 0)		/* phase 2: SET */
		set(pl, "auth_token_rotation_phase",
		    value_string(a, REDIS_CLUSTER_PHASE_RETIRED));
	else if (r < 0)
		set_unknown(pl, "auth_token_rotation_phase");
	return 0;
}

/* Authentication mode (RBAC user group or AUTH token) and, with a token,
 * the rotation phase; see the description of auth_token_version. */
static int plan_auth(struct planner *pl, int64_t now_s)
{
	const struct value *ug = planned(pl, "user_group_id");
	const struct value *pr_ug = prior(pl, "user_group_id");

	if (value_is_unknown(ug)) {
		set_unknown(pl, "auth_token_rotation_phase");
		set_unknown(pl, "auth_token_rotated_at");
		set_unknown(pl, "auth_secret_arn");
		set_unknown(pl, "app_policy_json");
		return 0;
	}
	if (!value_is_null(ug)) {	/* RBAC: no token, no secret */
		set_null(pl, "auth_token_rotation_phase");
		set_null(pl, "auth_token_rotated_at");
		set_null(pl, "auth_secret_arn");
		return 0;
	}
	if (!pr_ug || !value_is_null(pr_ug)) {	/* a first token */
		set(pl, "auth_token_rotation_phase",
		    value_string(pl->c->arena, REDIS_CLUSTER_PHASE_CREATED));
		set_null(pl, "auth_token_rotated_at");
		set_unknown(pl, "auth_secret_arn");
		set_unknown(pl, "app_policy_json");
		return 0;
	}
	if (value_is_null(planned(pl, "auth_secret_arn")))
		set_unknown(pl, "auth_secret_arn");	/* lost: recreated */
	return plan_rotation(pl, now_s);
}

/* A JSON true under `key` in the private state (refresh's findings). */
static bool private_flag(struct bytes b, const char *key)
{
	json_t *o = b.ptr && b.len ? json_loadb(b.ptr, b.len, 0, NULL) : NULL;
	bool on = json_is_true(json_object_get(o, key));

	json_decref(o);
	return on;
}

/* Sub-resources refresh found deleted or weakened outside Terraform come
 * back: their results become unknown and apply re-creates or restores
 * them (the log groups come back through plan_identity, the secret
 * through plan_auth).  The key this resource made always rotates. */
static void plan_repair(struct planner *pl)
{
	const struct value *ssm = planned(pl, "ssm_parameter_arns");
	size_t i;

	if (config_null(pl, "kms_key_arn"))
		set(pl, "kms_key_rotation_enabled",
		    value_bool(pl->c->arena, true));
	if (!value_is_known(pl->op->prior))
		return;
	if (value_is_null(planned(pl, "security_group_id")) ||
	    private_flag(pl->op->prior_private,
			 REDIS_CLUSTER_PRIVATE_SG_DRIFTED))
		set_unknown(pl, "security_group_id");
	if (value_is_null(planned(pl, "app_policy_arn")) ||
	    value_is_null(planned(pl, "app_policy_json"))) {
		set_unknown(pl, "app_policy_arn");
		set_unknown(pl, "app_policy_json");
	}
	for (i = 0; value_is_known(ssm) && i < 2; i++) {
		const struct value *v = value_map_get(ssm,
						      redis_cluster_ssm_keys[i]);

		if (!v || value_is_null(v))
			break;
	}
	if (!value_is_unknown(ssm) && i < 2)
		set_unknown(pl, "ssm_parameter_arns");
}

/* What ElastiCache cannot do in place, beyond the ATTR_FORCE_NEW
 * attributes: engine and version downgrades, and switching cluster mode. */
static void plan_replace(struct planner *pl)
{
	const char *pe, *ne, *pver, *nver;
	int pma, pmi, nma, nmi;
	int64_t ps, ns;

	if (!value_is_known(pl->op->prior))
		return;
	if (value_get_string(prior(pl, "engine"), &pe) &&
	    value_get_string(planned(pl, "engine"), &ne)) {
		if (strcmp(pe, "valkey") == 0 && strcmp(ne, "redis") == 0)
			add_replace(pl, "engine");
		else if (strcmp(pe, ne) == 0 &&
			 value_get_string(prior(pl, "engine_version"),
					  &pver) &&
			 value_get_string(planned(pl, "engine_version"),
					  &nver) &&
			 redis_cluster_parse_version(pver, &pma, &pmi) == 0 &&
			 redis_cluster_parse_version(nver, &nma, &nmi) == 0 &&
			 (nma < pma || (nma == pma && nmi < pmi)))
			add_replace(pl, "engine_version");
	}
	if (value_get_int(prior(pl, "shards"), &ps) &&
	    value_get_int(planned(pl, "shards"), &ns) &&
	    (ps == 1) != (ns == 1))
		add_replace(pl, "shards");
}

int redis_cluster_plan_at(struct ctx *c, struct resource_op *op,
			  int64_t now_s)
{
	struct planner pl = { .c = c, .op = op, .p = op->planned };
	size_t before = c->diags.errors;

	if (!op->planned || !value_is_known(op->planned))
		return 0;	/* destroy: nothing to plan */
	plan_defaults(&pl);
	plan_identity(&pl);
	plan_tags(&pl);
	plan_results(&pl);
	plan_auth(&pl, now_s);
	plan_repair(&pl);
	plan_replace(&pl);
	op->planned = pl.p;
	if (pl.n_replace) {
		struct path *paths = arena_calloc(c->arena, pl.n_replace,
						  sizeof(*paths));

		memcpy(paths, pl.replace, pl.n_replace * sizeof(*paths));
		op->requires_replace = paths;
		op->n_requires_replace = pl.n_replace;
	}
	return c->diags.errors > before ? -1 : 0;
}

static int redis_plan(struct ctx *c, struct resource_op *op)
{
	return redis_cluster_plan_at(c, op, (int64_t)time(NULL));
}

const struct resource redis_cluster_resource = {
	.type_name = "secure_redis_cluster",
	.schema = &redis_schema,
	.validate = redis_validate,
	.plan = redis_plan,
	/* Part 2 (redis_cluster_ops.h). */
	.create = redis_cluster_create,
	.read = redis_cluster_read,
	.update = redis_cluster_update,
	.delete = redis_cluster_delete,
	.import = redis_cluster_import,
	.timeout_create_ms = 60 * 60 * 1000,
	.timeout_update_ms = 60 * 60 * 1000,
	.timeout_delete_ms = 40 * 60 * 1000,
	.timeout_read_ms = 10 * 60 * 1000,
};
