/*
 * redis_cluster_ops.c - `secure_redis_cluster` part 2: create, read,
 * delete and import against AWS (redis_cluster_ops.h, issue 4).
 *
 * Create is an ordered list of small steps; each records what it made in
 * the state it is building before the next runs, so a failure returns
 * exactly what exists.  Read refreshes every sub-resource and shows what
 * was weakened or deleted outside Terraform as a difference from the
 * hardened values.  Delete runs in reverse and works from any subset of
 * ids.  Import finds the sub-resources by their derived names and adopts
 * them only when they carry the cluster's tag.
 *
 * Update converges AWS to the plan where this version can (subnets, tags,
 * rule diffs, windows, retention, parameters and their group, including a
 * family change with an engine upgrade, node type, shards, replicas,
 * engine upgrades, lost log groups, AUTH token rotation, RBAC user group
 * changes) and refuses everything else before changing anything.
 *
 * Not here yet: re-creating a secret deleted for good or a deleted
 * security group, restoring SSM parameter values (read drops a changed one
 * from ssm_parameter_arns but the plan keeps the prior map, so no update
 * runs for it), noticing parameter values changed outside Terraform (read
 * does not compare the group's values).
 */
#include "resources/redis_cluster_ops.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/ec2.h"
#include "aws/elasticache.h"
#include "aws/iam.h"
#include "aws/kms.h"
#include "aws/logs.h"
#include "aws/secretsmanager.h"
#include "aws/ssm.h"
#include "aws/session.h"
#include "resources/ops_common.h"
#include "resources/redis_cluster.h"


static const char *const log_types[] = { "slow-log", "engine-log" };
#define N_LOG_TYPES 2

/* One operation's working set. */
struct rc {
	struct ops o;			/* o.id: the replication group id */
	const char *vpc_id, *kms_arn, *param_group;
	/* Custom parameter groups of this cluster that are not (or soon no
	 * longer) attached: deleted once ElastiCache lets go of them.  In the
	 * private state with param_group. */
	struct svc_strs retired;
	/* Update: the group ModifyReplicationGroup attaches (a custom group
	 * or the family's default); NULL when it stays. */
	const char *pg_target;
	/* Refresh found the cluster not on its own security group alone
	 * (detached, or another group added): the plan makes
	 * security_group_id unknown and update puts the cluster back on it.
	 * In the private state, rewritten by every refresh. */
	bool sg_drifted;
	char *token;			/* secret: create only, wiped */
	struct ec_replication_group rg;
	struct ec_cache_cluster cc;
};

/* ---- small helpers ---- */

/* Known strings of a set/list/map value (elements that are not known
 * strings are skipped). */
static struct svc_strs strs_of(struct arena *a, const struct value *v)
{
	struct svc_strs s = { 0 };
	size_t i;

	if (!v || !value_is_known(v) || !v->u.coll.n)
		return s;
	s.v = arena_calloc(a, v->u.coll.n, sizeof(*s.v));
	for (i = 0; i < v->u.coll.n; i++)
		if (value_get_string(v->u.coll.items[i], &s.v[s.n]))
			s.n++;
	return s;
}

static const struct value *set_of(struct arena *a, struct svc_strs s)
{
	const struct value **items = arena_calloc(a, s.n + 1, sizeof(*items));
	size_t i;

	for (i = 0; i < s.n; i++)
		items[i] = value_string(a, s.v[i]);
	return value_set(a, &type_string, s.n, items);
}

/* A map of strings; keys/vals parallel, NULL values skipped. */
static const struct value *map_of(struct arena *a, size_t n,
				  const char *const *keys,
				  const char *const *vals)
{
	const struct value **items = arena_calloc(a, n + 1, sizeof(*items));
	const char **k = arena_calloc(a, n + 1, sizeof(*k));
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (!vals[i])
			continue;
		k[m] = keys[i];
		items[m++] = value_string(a, vals[i]);
	}
	return value_map(a, &type_string, m, k, items);
}

/* Copy of obj where every unknown top-level attribute is null: partial and
 * final states must be wholly known. */
static const struct value *known_only(struct arena *a, const struct value *obj)
{
	const struct type *t = obj->type;
	const struct value **items;
	size_t i;

	if (!value_is_known(obj) || t->kind != TYPE_OBJECT)
		return obj;
	items = arena_calloc(a, t->n + 1, sizeof(*items));
	for (i = 0; i < t->n; i++) {
		const struct value *v = obj->u.coll.items[i];

		items[i] = value_has_unknown(v) ? value_null(a, t->types[i]) : v;
	}
	return value_object(a, t, items);
}

static int rc_init(struct rc *r, struct ctx *c, struct resource_op *op,
		   const struct value *st)
{
	memset(r, 0, sizeof(*r));
	return ops_init(&r->o, c, op, st, "secure_redis_cluster",
			"Missing replication group id", REDIS_CLUSTER_TAG_KEY);
}

static const char *need_account(struct rc *r)
{
	if (r->o.aws->account_id)
		return r->o.aws->account_id;
	diag_error(&r->o.c->diags, NULL, "AWS account id unknown",
		   "secure_redis_cluster writes exact ARNs into the KMS key "
		   "policy and the IAM policy, which needs the account id from "
		   "STS GetCallerIdentity. Remove skip_credentials_validation "
		   "from the provider block.");
	return NULL;
}

static int cancelled(struct rc *r, const char *what)
{
	bool stop = r->o.c->stop && atomic_load(r->o.c->stop);

	return diag_error(&r->o.c->diags, NULL, stop ? "Operation cancelled"
			  : "Operation timed out", "%s %s: %s. What exists "
			  "so far is recorded in the state; destroy or the "
			  "next apply handles it.", stop ? "Stopped while"
			  : "Timed out while", what, stop ? "Terraform asked "
			  "the provider to stop" : "the timeouts block's "
			  "deadline passed");
}

/* ---- the AUTH token ---- */

int redis_cluster_gen_token(char *out, size_t len)
{
	static const char alphabet[] = REDIS_CLUSTER_TOKEN_ALPHABET;
	const unsigned n = sizeof(alphabet) - 1;
	/* Largest multiple of n below 256: bytes at or above it would favour
	 * the first characters, so they are drawn again. */
	const unsigned limit = 256 - 256 % n;
	unsigned char buf[64];
	size_t got = 0, i;

	while (got < len) {
		if (RAND_bytes(buf, sizeof(buf)) != 1) {
			OPENSSL_cleanse(buf, sizeof(buf));
			OPENSSL_cleanse(out, len + 1);
			return -1;
		}
		for (i = 0; i < sizeof(buf) && got < len; i++)
			if (buf[i] < limit)
				out[got++] = alphabet[buf[i] % n];
	}
	out[len] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* ---- derived names ---- */

static const char *alias_name(struct rc *r)
{
	return arena_sprintf(r->o.c->arena, "alias/secure-redis/%s", r->o.id);
}

static const char *sg_name(struct rc *r)
{
	return arena_sprintf(r->o.c->arena, "secure-redis-%s", r->o.id);
}

static const char *pg_name(struct rc *r)
{
	return arena_sprintf(r->o.c->arena, "%s-params", r->o.id);
}

static const char *secret_name(struct rc *r)
{
	return arena_sprintf(r->o.c->arena, "secure-redis/%s/auth-token",
			     r->o.id);
}

static const char *ssm_name(struct rc *r, const char *key)
{
	return arena_sprintf(r->o.c->arena, "/secure-redis/%s/%s", r->o.id,
			     key);
}

static const char *policy_name(struct rc *r)
{
	return arena_sprintf(r->o.c->arena, "secure-redis-%s-app", r->o.id);
}

/* The parameter name from an SSM parameter ARN (…:parameter/name). */
static const char *ssm_name_of_arn(const char *arn)
{
	const char *p = strstr(arn, ":parameter");

	return p ? p + strlen(":parameter") : arn;
}

/* ---- private state ----
 * {"parameter_group": name, "retired_parameter_groups": [names]}: the
 * custom group attached, and custom groups of this cluster still to be
 * deleted (a family change or a removal whose old group ElastiCache still
 * used, or a group made by an update that failed before attaching it). */

static void save_private(struct rc *r)
{
	json_t *o = json_object();
	char *s;

	if (r->param_group)
		json_object_set_new(o, "parameter_group",
				    json_string(r->param_group));
	if (r->retired.n)
		json_object_set_new(o, "retired_parameter_groups",
				    svc_json_strs(r->retired));
	if (r->sg_drifted)
		json_object_set_new(o, REDIS_CLUSTER_PRIVATE_SG_DRIFTED,
				    json_true());
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!s)
		return;
	r->o.op->new_private.ptr = arena_strdup(r->o.c->arena, s);
	r->o.op->new_private.len = strlen(s);
	free(s);
}

/* Fills r->param_group and r->retired from the private state. */
static void load_private(struct rc *r, struct bytes b)
{
	json_t *o, *list, *x;
	const char *s;
	size_t i;

	r->param_group = NULL;
	r->sg_drifted = false;
	memset(&r->retired, 0, sizeof(r->retired));
	if (!b.ptr || !b.len)
		return;
	o = json_loadb(b.ptr, b.len, 0, NULL);
	if (json_is_object(o) &&
	    (s = json_string_value(json_object_get(o, "parameter_group"))))
		r->param_group = arena_strdup(r->o.c->arena, s);
	r->sg_drifted = json_is_true(json_object_get(
		o, REDIS_CLUSTER_PRIVATE_SG_DRIFTED));
	list = json_is_object(o) ?
		json_object_get(o, "retired_parameter_groups") : NULL;
	if (json_is_array(list) && json_array_size(list)) {
		r->retired.v = arena_calloc(r->o.c->arena,
					    json_array_size(list),
					    sizeof(*r->retired.v));
		json_array_foreach(list, i, x)
			if ((s = json_string_value(x)))
				r->retired.v[r->retired.n++] =
					arena_strdup(r->o.c->arena, s);
	}
	json_decref(o);
}

static bool strs_has(struct svc_strs v, const char *s)
{
	size_t i;

	for (i = 0; s && i < v.n; i++)
		if (!strcmp(v.v[i], s))
			return true;
	return false;
}

/* "a, b, c". */
static const char *join_strs(struct arena *a, struct svc_strs v,
			     const char *sep)
{
	const char *out = "";
	size_t i;

	for (i = 0; i < v.n; i++)
		out = arena_sprintf(a, "%s%s%s", out, i ? sep : "", v.v[i]);
	return out;
}

/* rc of a call on parameter group `name`: SVC_NOT_FOUND (which comes
 * without a diagnostic) becomes an error saying it is gone. */
static int pg_gone(struct rc *r, const struct path *p, const char *name,
		   int rc)
{
	if (rc != SVC_NOT_FOUND)
		return rc ? -1 : 0;
	return diag_error(&r->o.c->diags, p, "Parameter group gone",
			  "The cache parameter group %s of %s disappeared "
			  "while it was being changed (deleted outside "
			  "Terraform?). Apply again.", name, r->o.id);
}

/* r->retired with `name` added (add) or removed. */
static void retire(struct rc *r, const char *name, bool add)
{
	struct svc_strs out = { 0 };
	size_t i;

	if (!name || strs_has(r->retired, name) == add)
		return;
	out.v = arena_calloc(r->o.c->arena, r->retired.n + 1, sizeof(*out.v));
	for (i = 0; i < r->retired.n; i++)
		if (strcmp(r->retired.v[i], name))
			out.v[out.n++] = r->retired.v[i];
	if (add)
		out.v[out.n++] = name;
	r->retired = out;
}

/* ---- documents ---- */

/* Key policy: the account root administers the key (KMS's lockout safety
 * check needs it) and CloudWatch Logs may use it for this cluster's log
 * groups only. */
static const char *key_policy(struct rc *r, const char *account)
{
	const char *part = r->o.aws->partition ? r->o.aws->partition : "aws";
	json_t *doc = json_pack(
		"{s:s, s:[{s:s, s:s, s:{s:s}, s:s, s:s},"
		" {s:s, s:s, s:{s:s}, s:[s,s,s,s,s], s:s,"
		"  s:{s:{s:s}}}]}",
		"Version", "2012-10-17", "Statement",
		"Sid", "AccountAdministers", "Effect", "Allow",
		"Principal", "AWS",
		arena_sprintf(r->o.c->arena, "arn:%s:iam::%s:root", part, account),
		"Action", "kms:*", "Resource", "*",
		"Sid", "CloudWatchLogsForThisCluster", "Effect", "Allow",
		"Principal", "Service",
		arena_sprintf(r->o.c->arena, "logs.%s.amazonaws.com", r->o.aws->region),
		"Action", "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
		"kms:GenerateDataKey*", "kms:Describe*", "Resource", "*",
		"Condition", "ArnLike", "kms:EncryptionContext:aws:logs:arn",
		arena_sprintf(r->o.c->arena,
			      "arn:%s:logs:%s:%s:log-group:/aws/elasticache/%s/*",
			      part, r->o.aws->region, account, r->o.id));

	return ops_dumps(r->o.c->arena, doc);
}

static bool same_json(const char *a, const char *b)
{
	json_t *x = a ? json_loads(a, 0, NULL) : NULL;
	json_t *y = b ? json_loads(b, 0, NULL) : NULL;
	bool eq = x && y && json_equal(x, y);

	json_decref(x);
	json_decref(y);
	return eq;
}

/* The application policy: exact ARNs only. */
static const char *app_policy(struct rc *r, const char *account)
{
	const char *part = r->o.aws->partition ? r->o.aws->partition : "aws";
	const struct value *ssm = ops_get(r->o.st, "ssm_parameter_arns");
	const char *secret = ops_get_str(r->o.st, "auth_secret_arn");
	const char *ug = ops_get_str(r->o.st, "user_group_id");
	const char *rg_arn = ops_get_str(r->o.st, "arn");
	json_t *stmts = json_array(), *res;
	size_t i;

	res = json_array();
	for (i = 0; ssm && value_is_known(ssm) && i < ssm->u.coll.n; i++) {
		const char *s;

		if (value_get_string(ssm->u.coll.items[i], &s))
			json_array_append_new(res, json_string(s));
	}
	json_array_append_new(stmts, json_pack(
		"{s:s, s:s, s:[s,s], s:o}", "Sid", "ReadConnectionParameters",
		"Effect", "Allow", "Action", "ssm:GetParameter",
		"ssm:GetParameters", "Resource", res));
	if (secret)
		json_array_append_new(stmts, json_pack(
			"{s:s, s:s, s:s, s:s}", "Sid", "ReadAuthToken",
			"Effect", "Allow", "Action",
			"secretsmanager:GetSecretValue", "Resource", secret));
	json_array_append_new(stmts, json_pack(
		"{s:s, s:s, s:s, s:s}", "Sid", "DecryptWithClusterKey",
		"Effect", "Allow", "Action", "kms:Decrypt", "Resource",
		r->kms_arn));
	res = json_array();
	if (rg_arn)
		json_array_append_new(res, json_string(rg_arn));
	if (ug)
		json_array_append_new(res, json_string(arena_sprintf(
			r->o.c->arena, "arn:%s:elasticache:%s:%s:usergroup:%s",
			part, r->o.aws->region, account, ug)));
	if (json_array_size(res))
		json_array_append_new(stmts, json_pack(
			"{s:s, s:s, s:s, s:o}", "Sid", "ConnectToCluster",
			"Effect", "Allow", "Action", "elasticache:Connect",
			"Resource", res));
	else
		json_decref(res);
	return ops_dumps(r->o.c->arena, json_pack("{s:s, s:o}", "Version",
					    "2012-10-17", "Statement", stmts));
}

/* ---- create steps ---- */

/* The subnets `v` exist, share one VPC (r->vpc_id) and span at least two
 * availability zones. */
static int check_subnets(struct rc *r, const struct value *v)
{
	struct path p = ops_path(&r->o, "subnet_ids");
	struct svc_strs ids = strs_of(r->o.c->arena, v);
	struct ec2_subnet *sn = NULL;
	size_t n = 0, i, j, azs = 0;

	if (ec2_describe_subnets(r->o.c, r->o.cl, &p, ids, &sn, &n) != 0)
		return -1;
	if (!n)
		return diag_error(&r->o.c->diags, &p, "No subnets",
				  "subnet_ids named no existing subnet.");
	for (i = 0; i < n; i++) {
		if (!sn[i].vpc_id || strcmp(sn[i].vpc_id, sn[0].vpc_id) != 0)
			return diag_error(&r->o.c->diags, &p, "Subnets in "
					  "different VPCs", "Subnet %s is in "
					  "VPC %s but %s is in %s: a cache "
					  "subnet group spans one VPC.",
					  sn[i].id, sn[i].vpc_id ? sn[i].vpc_id
					  : "(none)", sn[0].id, sn[0].vpc_id);
		for (j = 0; j < i; j++)
			if (sn[j].az && sn[i].az && !strcmp(sn[j].az, sn[i].az))
				break;
		if (j == i)
			azs++;
	}
	if (azs < 2)
		return diag_error(&r->o.c->diags, &p, "Subnets in one "
				  "availability zone", "All subnets are in %s. "
				  "Multi-AZ automatic failover, which this "
				  "resource always enables, needs subnets in "
				  "at least two availability zones.", sn[0].az);
	r->vpc_id = sn[0].vpc_id;
	return 0;
}

static int step_subnets(struct rc *r)
{
	return check_subnets(r, ops_get(r->o.st, "subnet_ids"));
}

/* A key the user brought must exist and be enabled. */
static int check_own_key(struct rc *r, const char *arn)
{
	struct path p = ops_path(&r->o, "kms_key_arn");
	struct kms_key k;
	int rc = kms_describe_key(r->o.c, r->o.cl, &p, arn, &k);

	if (rc < 0)
		return -1;
	if (rc == SVC_NOT_FOUND || !k.enabled)
		return diag_error(&r->o.c->diags, &p, "KMS key not usable",
				  "The key %s %s.", arn, rc == SVC_NOT_FOUND ?
				  "does not exist" : "is not enabled");
	r->kms_arn = k.arn ? k.arn : arn;
	ops_put_str(&r->o, "kms_key_arn", arn);	/* as planned */
	return 0;
}

static int step_kms(struct rc *r)
{
	const char *given = ops_get_str(r->o.op->planned, "kms_key_arn");
	struct path p = ops_path(&r->o, "kms_key_arn");
	const char *account;

	if (given) {
		bool on = false;

		if (check_own_key(r, given) ||
		    kms_get_key_rotation_status(r->o.c, r->o.cl, &p, given, &on,
						NULL) < 0)
			return -1;
		ops_put_bool(&r->o, "kms_key_rotation_enabled", on);
		return 0;
	}
	if (!(account = need_account(r)))
		return -1;
	if (ops_kms_make_key(&r->o, &p, arena_sprintf(r->o.c->arena,
			     "secure_redis_cluster %s: data at rest, logs, "
			     "secret, parameters", r->o.id),
			     key_policy(r, account), &r->kms_arn))
		return -1;
	ops_put_bool(&r->o, "kms_key_rotation_enabled", true);
	return kms_create_alias(r->o.c, r->o.cl, &p, alias_name(r),
				r->kms_arn) ? -1 : 0;
}

/* Ingress on the cache port from each group and CIDR block given. */
static int authorize_sources(struct rc *r, const char *sg, int port,
			     struct svc_strs groups, struct svc_strs cidrs)
{
	struct ec2_rule *rules = arena_calloc(r->o.c->arena,
					      groups.n + cidrs.n + 1,
					      sizeof(*rules));
	struct path p = ops_path(&r->o, "allowed_security_group_ids");
	size_t i, n = 0;

	for (i = 0; i < groups.n; i++, n++)
		rules[n].referenced_group_id = groups.v[i];
	for (i = 0; i < cidrs.n; i++, n++) {
		if (strchr(cidrs.v[i], ':'))
			rules[n].cidr_ipv6 = cidrs.v[i];
		else
			rules[n].cidr_ipv4 = cidrs.v[i];
	}
	for (i = 0; i < n; i++) {
		rules[i].protocol = "tcp";
		rules[i].from_port = rules[i].to_port = port;
		rules[i].description = "secure_redis_cluster: allowed client";
	}
	if (!n)
		return 0;
	return ec2_authorize_rules(r->o.c, r->o.cl, &p, sg, false, rules, n,
				   NULL,
				   NULL) ? -1 : 0;
}

static int add_ingress(struct rc *r, const char *sg, int port)
{
	return authorize_sources(
		r, sg, port,
		strs_of(r->o.c->arena, ops_get(r->o.st,
					       "allowed_security_group_ids")),
		strs_of(r->o.c->arena, ops_get(r->o.st,
					       "allowed_cidr_blocks")));
}

/* The cluster opens no connections: AWS's default allow-all egress rule
 * goes. */
static int revoke_egress(struct rc *r, const char *sg)
{
	struct path p = ops_path(&r->o, "security_group_id");
	struct ec2_rule *rules = NULL;
	struct svc_strs ids = { 0 };
	size_t n = 0, i;

	if (ec2_describe_security_group_rules(r->o.c, r->o.cl, &p, sg, &rules,
					      &n))
		return -1;
	ids.v = arena_calloc(r->o.c->arena, n + 1, sizeof(*ids.v));
	for (i = 0; i < n; i++)
		if (rules[i].is_egress && rules[i].id)
			ids.v[ids.n++] = rules[i].id;
	if (!ids.n)
		return 0;
	return ec2_revoke_rules(r->o.c, r->o.cl, &p, sg, true,
				ids) < 0 ? -1 : 0;
}

static int step_security_group(struct rc *r)
{
	struct path p = ops_path(&r->o, "security_group_id");
	const char *sg;

	if (ec2_create_security_group(r->o.c, r->o.cl, &p, sg_name(r),
				      arena_sprintf(r->o.c->arena,
						    "secure_redis_cluster %s: "
						    "cache port from allowed "
						    "clients only", r->o.id),
				      r->vpc_id, r->o.tags, r->o.n_tags, &sg))
		return -1;
	ops_put_str(&r->o, "security_group_id", sg);
	if (revoke_egress(r, sg))
		return -1;
	return add_ingress(r, sg, ops_get_int(r->o.st, "port",
					  REDIS_CLUSTER_DEFAULT_PORT));
}

static int step_subnet_group(struct rc *r)
{
	struct path p = ops_path(&r->o, "subnet_ids");
	const char *name = redis_cluster_subnet_group_name(r->o.c->arena,
							   r->o.id);

	if (ec_create_cache_subnet_group(r->o.c, r->o.cl, &p, name,
					 arena_sprintf(r->o.c->arena,
						       "secure_redis_cluster %s",
						       r->o.id),
					 strs_of(r->o.c->arena,
						 ops_get(r->o.st,
							 "subnet_ids")),
					 r->o.tags, r->o.n_tags, NULL))
		return -1;
	ops_put_str(&r->o, "subnet_group_name", name);
	return 0;
}

/* Parameter group family of an engine and version ("redis7", "redis6.x",
 * "valkey8"); NULL when either is unknown. */
static const char *family_for(const char *engine, const char *ver)
{
	int ma, mi;

	if (!engine || !ver || redis_cluster_parse_version(ver, &ma, &mi))
		return NULL;
	if (!strcmp(engine, "valkey"))
		return ma == 7 ? "valkey7" : "valkey8";
	return ma >= 7 ? "redis7" : "redis6.x";
}

/* ... of an object's engine and engine_version (NULL when the version is
 * not known at create). */
static const char *pg_family_of(const struct value *obj)
{
	return family_for(ops_get_str(obj, "engine"),
			  ops_get_str(obj, "engine_version"));
}

static const char *pg_family(struct rc *r)
{
	return pg_family_of(r->o.op->planned);
}

/* A custom group made by an update: the create's name plus the family
 * ("orders-params-redis7", "orders-params-redis6-x"), so that the group
 * of a family change never collides with the one it replaces. */
static const char *pg_name_for(struct rc *r, const char *family)
{
	char *n = arena_sprintf(r->o.c->arena, "%s-params-%s", r->o.id, family);

	for (char *q = n; *q; q++)
		if (*q == '.')
			*q = '-';
	return n;
}

/* The planned parameters (map `m`), plus cluster-enabled=yes in cluster
 * mode (the group must say what the replication group is). */
static struct ec_parameter *wanted_params(struct rc *r, const struct value *m,
					  size_t *n)
{
	size_t i, cap = m && value_is_known(m) ? m->u.coll.n : 0;
	struct ec_parameter *ps = arena_calloc(r->o.c->arena, cap + 1,
					       sizeof(*ps));

	*n = 0;
	for (i = 0; i < cap; i++) {
		ps[*n].name = m->u.coll.keys[i];
		if (value_get_string(m->u.coll.items[i], &ps[*n].value))
			(*n)++;
	}
	if (ops_get_int(r->o.op->planned, "shards", 1) > 1) {
		ps[*n].name = "cluster-enabled";
		ps[(*n)++].value = "yes";
	}
	return ps;
}

/* A group of that name exists already: a group of this cluster (its tag)
 * of the right family, left by an update that failed before attaching it
 * or by a removal ElastiCache still held on to, is taken over (user
 * values the plan does not have are reset); anything else is an error. */
static int adopt_param_group(struct rc *r, const struct path *p,
			     const char *name, const char *family,
			     const struct ec_parameter *want, size_t n_want)
{
	struct ec_parameter_group g;
	struct ec_parameter *have = NULL, *reset;
	struct svc_tags tags = { 0 };
	size_t n = 0, k = 0, i, j, errors = r->o.c->diags.errors;

	if (ec_describe_cache_parameter_group(r->o.c, r->o.cl, p, name,
					      &g) != 0 ||
	    !g.arn || ec_list_tags(r->o.c, r->o.cl, p, g.arn, &tags) != 0 ||
	    !svc_tags_has(tags.v, tags.n, REDIS_CLUSTER_TAG_KEY, r->o.id) ||
	    !g.family || strcmp(g.family, family))
		return r->o.c->diags.errors > errors ? -1 : diag_error(
			&r->o.c->diags, p, "Parameter group name in use",
			"A cache parameter group named %s already exists and "
			"is not a %s group of cluster %s. Delete or rename it.",
			name, family, r->o.id);
	if (pg_gone(r, p, name, ec_describe_cache_parameters(
			    r->o.c, r->o.cl, p, name, "user", &have, &n)))
		return -1;
	reset = arena_calloc(r->o.c->arena, n + 1, sizeof(*reset));
	for (i = 0; i < n; i++) {
		for (j = 0; j < n_want; j++)
			if (!strcmp(have[i].name, want[j].name))
				break;
		if (j == n_want)
			reset[k++] = have[i];
	}
	return pg_gone(r, p, name, ec_reset_cache_parameter_group(
			       r->o.c, r->o.cl, p, name, reset, k));
}

/* Makes (or takes over, see adopt_param_group) the custom group `name` of
 * `family` with the planned parameters.  It is recorded in the private
 * state before the call (an answer lost may still have made it): as the
 * attached group at create, as retired until attached in an update. */
static int make_param_group(struct rc *r, const char *name, const char *family,
			    bool attached)
{
	struct path p = ops_path(&r->o, "parameters");
	struct ec_parameter *ps;
	size_t n, before = r->o.c->diags.len;
	const char *desc;

	ps = wanted_params(r, ops_get(r->o.op->planned, "parameters"), &n);
	if (attached)
		r->param_group = name;
	else
		retire(r, name, true);
	save_private(r);
	desc = arena_sprintf(r->o.c->arena, "secure_redis_cluster %s", r->o.id);
	if (ec_create_cache_parameter_group(r->o.c, r->o.cl, &p, name, family,
					    desc,
					    r->o.tags, r->o.n_tags, NULL)) {
		if (!diags_drop_error(&r->o.c->diags, before,
				  "CacheParameterGroupAlreadyExists"))
			return -1;
		if (adopt_param_group(r, &p, name, family, ps, n)) {
			/* not ours: never delete it */
			if (attached)
				r->param_group = NULL;
			else
				retire(r, name, false);
			save_private(r);
			return -1;
		}
	}
	return pg_gone(r, &p, name, ec_modify_cache_parameter_group(
			       r->o.c, r->o.cl, &p, name, ps, n));
}

static int step_parameters(struct rc *r)
{
	const struct value *m = ops_get(r->o.st, "parameters");
	struct path p = ops_path(&r->o, "parameters");
	const char *family;

	if (!m || !value_is_known(m) || !m->u.coll.n)
		return 0;
	if (!(family = pg_family(r)))
		return diag_error(&r->o.c->diags, &p, "engine_version needed",
				  "A custom parameter group belongs to an "
				  "engine family, so set engine_version "
				  "together with parameters.");
	return make_param_group(r, pg_name(r), family, true);
}

static void put_log_groups(struct rc *r, const char *const *names)
{
	ops_put(&r->o, "log_group_names", map_of(r->o.c->arena, N_LOG_TYPES,
						 log_types,
					 names));
}

static int step_log_groups(struct rc *r)
{
	const char *names[N_LOG_TYPES] = { 0 };
	struct path p = ops_path(&r->o, "log_group_names");
	int days = ops_get_int(r->o.st, "log_retention_days",
			   REDIS_CLUSTER_DEFAULT_LOG_RETENTION_DAYS);
	size_t i;

	for (i = 0; i < N_LOG_TYPES; i++) {
		const char *n = redis_cluster_log_group_name(r->o.c->arena,
							     r->o.id,
							     log_types[i]);

		if (logs_create_log_group(r->o.c, r->o.cl, &p, n, r->kms_arn,
					  r->o.tags, r->o.n_tags))
			return -1;
		names[i] = n;
		put_log_groups(r, names);
		if (logs_put_retention_policy(r->o.c, r->o.cl, &p, n, days))
			return -1;
	}
	return 0;
}

static void wipe_token(void *data)
{
	OPENSSL_cleanse(data, REDIS_CLUSTER_TOKEN_LEN + 1);
}

/* A fresh AUTH token in r->token, wiped when the operation ends. */
static int new_token(struct rc *r, const struct path *p)
{
	r->token = arena_alloc(r->o.c->arena, REDIS_CLUSTER_TOKEN_LEN + 1);
	arena_add_cleanup(r->o.c->arena, wipe_token, r->token);
	if (redis_cluster_gen_token(r->token, REDIS_CLUSTER_TOKEN_LEN) < 0)
		return diag_error(&r->o.c->diags, p, "No randomness",
				  "OpenSSL's RAND_bytes failed: no AUTH token "
				  "can be generated.");
	return 0;
}

/* CreateSecret: the cluster's secret, holding r->token. */
static int create_secret(struct rc *r, const struct path *p, const char **arn)
{
	return sm_create_secret(r->o.c, r->o.cl, p, secret_name(r),
				arena_sprintf(r->o.c->arena, "AUTH token of "
					      "ElastiCache replication group "
					      "%s", r->o.id), r->kms_arn,
				r->token, r->o.tags, r->o.n_tags, arn, NULL);
}

/* The secret's name is taken: a cluster of the same id destroyed within
 * the recovery window (a replacement does exactly that).  A secret of ours
 * (the tag) that is scheduled for deletion is restored and given the new
 * token and key; anything else is an error. */
static int reuse_secret(struct rc *r)
{
	struct path p = ops_path(&r->o, "auth_secret_arn");
	const char *name = secret_name(r);
	struct sm_secret s;
	int rc = sm_describe_secret(r->o.c, r->o.cl, &p, name, &s);

	if (rc < 0)
		return -1;
	if (rc == SVC_NOT_FOUND || !s.deleted_date ||
	    !svc_tags_has(s.tags.v, s.tags.n, REDIS_CLUSTER_TAG_KEY, r->o.id))
		return diag_error(&r->o.c->diags, &p, "Secret name in use",
				  "A Secrets Manager secret named %s already "
				  "exists and does not belong to a destroyed "
				  "cluster %s. Delete it or choose another "
				  "name.", name, r->o.id);
	if (sm_restore_secret(r->o.c, r->o.cl, &p, name) < 0)
		return -1;
	ops_put_str(&r->o, "auth_secret_arn", s.arn);	/* it exists again */
	if (sm_update_secret(r->o.c, r->o.cl, &p, name, NULL, r->kms_arn) < 0 ||
	    sm_put_secret_value(r->o.c, r->o.cl, &p, name, r->token,
				NULL) < 0 ||
	    sm_tag_resource(r->o.c, r->o.cl, &p, name, r->o.tags,
			    r->o.n_tags) < 0)
		return -1;
	return 0;
}

static int step_token(struct rc *r)
{
	struct path p = ops_path(&r->o, "auth_secret_arn");
	const char *arn;
	size_t before;
	struct diags *d = &r->o.c->diags;

	if (ops_get_str(r->o.st, "user_group_id"))
		return 0;
	if (new_token(r, &p))
		return -1;
	before = r->o.c->diags.len;
	if (create_secret(r, &p, &arn) == 0) {
		ops_put_str(&r->o, "auth_secret_arn", arn);
		return 0;
	}
	/* AWS says InvalidRequestException for a name scheduled for
	 * deletion, ResourceExistsException for a live secret. */
	if (!diags_drop_error(d, before, "ResourceExistsException") &&
	    !diags_drop_error(d, before, "InvalidRequestException"))
		return -1;
	return reuse_secret(r);
}

/* CreateReplicationGroup failed.  Without an answer the group may exist
 * anyway (the call is not retried): record it when it carries this
 * cluster's tag, so destroy removes it.  A group of the same name that is
 * not ours (ReplicationGroupAlreadyExists) is never recorded. */
static void adopt_after_failed_create(struct rc *r)
{
	struct path p = ops_path(&r->o, "name");
	struct ec_replication_group g;
	struct svc_tags tags = { 0 };
	struct diags keep = r->o.c->diags;

	if (ec_describe_replication_group(r->o.c, r->o.cl, &p, r->o.id,
					  &g) == 0 &&
	    g.arn && ec_list_tags(r->o.c, r->o.cl, &p, g.arn, &tags) == 0 &&
	    svc_tags_has(tags.v, tags.n, REDIS_CLUSTER_TAG_KEY, r->o.id))
		ops_put_str(&r->o, "arn", g.arn);
	r->o.c->diags = keep;	/* the create's error is the one to report */
}

static int step_replication_group(struct rc *r)
{
	const struct value *pl = r->o.op->planned;
	struct ec_log_delivery logs[N_LOG_TYPES];
	struct path p = ops_path(&r->o, "name");
	struct ec_rg_create in = { 0 };
	const char *sg = ops_get_str(r->o.st, "security_group_id");
	const char *ug = ops_get_str(r->o.st, "user_group_id");
	int shards = ops_get_int(pl, "shards",
				 REDIS_CLUSTER_DEFAULT_SHARDS), rc;
	size_t i;

	memset(logs, 0, sizeof(logs));
	for (i = 0; i < N_LOG_TYPES; i++) {
		logs[i].log_type = log_types[i];
		logs[i].destination_type = "cloudwatch-logs";
		logs[i].log_group = redis_cluster_log_group_name(
			r->o.c->arena, r->o.id, log_types[i]);
		logs[i].log_format = "json";
		logs[i].enabled = SVC_TRUE;
	}
	in.id = r->o.id;
	in.description = ops_get_str(pl, "description");
	in.engine = ops_get_str(pl, "engine");
	in.engine_version = ops_get_str(pl, "engine_version");
	in.node_type = ops_get_str(pl, "node_type");
	in.parameter_group = r->param_group;
	in.subnet_group = ops_get_str(r->o.st, "subnet_group_name");
	in.kms_key_id = r->kms_arn;
	in.auth_token = r->token;
	in.transit_encryption_mode = "required";
	in.maintenance_window = ops_get_str(pl, "maintenance_window");
	in.snapshot_window = ops_get_str(pl, "snapshot_window");
	in.cluster_mode = shards > 1 ? "enabled" : NULL;
	in.at_rest_encryption = SVC_TRUE;
	in.transit_encryption = SVC_TRUE;
	in.automatic_failover = SVC_TRUE;
	in.multi_az = SVC_TRUE;
	in.auto_minor_version_upgrade = SVC_TRUE;
	in.num_node_groups = SVC_INT(shards);
	in.replicas_per_node_group = SVC_INT(ops_get_int(pl,
							 "replicas_per_shard",
					     REDIS_CLUSTER_DEFAULT_REPLICAS));
	in.port = SVC_INT(ops_get_int(pl, "port", REDIS_CLUSTER_DEFAULT_PORT));
	in.snapshot_retention_limit = SVC_INT(ops_get_int(
		pl, "snapshot_retention_days",
		REDIS_CLUSTER_DEFAULT_SNAPSHOT_RETENTION_DAYS));
	in.security_group_ids.v = &sg;
	in.security_group_ids.n = 1;
	if (ug) {
		in.user_group_ids.v = &ug;
		in.user_group_ids.n = 1;
	}
	in.log_delivery = logs;
	in.n_log_delivery = N_LOG_TYPES;
	in.tags = r->o.tags;
	in.n_tags = r->o.n_tags;
	rc = ec_create_replication_group(r->o.c, r->o.cl, &p, &in, &r->rg);
	if (r->token)		/* ElastiCache and the secret have it now */
		OPENSSL_cleanse(r->token, REDIS_CLUSTER_TOKEN_LEN + 1);
	if (rc) {
		adopt_after_failed_create(r);
		return -1;
	}
	ops_put_str(&r->o, "arn", r->rg.arn);
	return 0;
}

/* Polls until the replication group is `available`, with backoff. */
static int wait_available(struct rc *r)
{
	struct path p = ops_path(&r->o, "name");
	int64_t delay = 500;
	int rc;

	for (;;) {
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return cancelled(r, "waiting for the replication group "
					 "to become available");
		rc = ec_describe_replication_group(r->o.c, r->o.cl, &p, r->o.id,
						   &r->rg);
		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND)
			return diag_error(&r->o.c->diags, &p,
					  "Replication group "
					  "vanished", "%s disappeared while "
					  "waiting for it to become "
					  "available.", r->o.id);
		if (r->rg.status && !strcmp(r->rg.status, "available"))
			return 0;
		if (r->rg.status && (!strcmp(r->rg.status, "create-failed") ||
				     !strcmp(r->rg.status, "deleting")))
			return diag_error(&r->o.c->diags, &p,
					  "Replication group "
					  "creation failed", "%s is in state "
					  "%s.", r->o.id, r->rg.status);
		delay = ops_backoff_ms(delay, 15000);
	}
}

/* The endpoint applications connect to. */
static const char *main_endpoint(struct rc *r)
{
	if (r->rg.configuration_endpoint.address)
		return r->rg.configuration_endpoint.address;
	if (r->rg.n_node_groups)
		return r->rg.node_groups[0].primary.address;
	return NULL;
}

static int rg_port(struct rc *r)
{
	if (r->rg.configuration_endpoint.port)
		return r->rg.configuration_endpoint.port;
	if (r->rg.n_node_groups && r->rg.node_groups[0].primary.port)
		return r->rg.node_groups[0].primary.port;
	return ops_get_int(r->o.st, "port", REDIS_CLUSTER_DEFAULT_PORT);
}

/* "7.1.0" -> "7.1". */
static const char *major_minor(struct arena *a, const char *v)
{
	const char *dot = v ? strchr(v, '.') : NULL;
	const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;

	return dot2 ? arena_strndup(a, v, (size_t)(dot2 - v)) : v;
}

/* Results of the replication group (and its first node) into state. */
static void put_rg(struct rc *r, bool have_cc)
{
	struct arena *a = r->o.c->arena;
	bool cluster = r->rg.cluster_enabled;

	ops_put_str(&r->o, "arn", r->rg.arn);
	ops_put_str(&r->o, "primary_endpoint", !cluster && r->rg.n_node_groups ?
		r->rg.node_groups[0].primary.address : NULL);
	ops_put_str(&r->o, "reader_endpoint", !cluster && r->rg.n_node_groups ?
		r->rg.node_groups[0].reader.address : NULL);
	ops_put_str(&r->o, "configuration_endpoint", cluster ?
		r->rg.configuration_endpoint.address : NULL);
	ops_put_int(&r->o, "port", rg_port(r));
	ops_put(&r->o, "member_clusters", set_of(a, r->rg.member_clusters));
	if (r->rg.description)
		ops_put_str(&r->o, "description", r->rg.description);
	if (r->rg.engine)
		ops_put_str(&r->o, "engine", r->rg.engine);
	if (r->rg.node_type)
		ops_put_str(&r->o, "node_type", r->rg.node_type);
	if (r->rg.n_node_groups) {
		ops_put_int(&r->o, "shards", (int)r->rg.n_node_groups);
		if (r->rg.node_groups[0].n_members)
			ops_put_int(&r->o, "replicas_per_shard",
				(int)r->rg.node_groups[0].n_members - 1);
	}
	ops_put_int(&r->o, "snapshot_retention_days",
		    r->rg.snapshot_retention_limit);
	if (r->rg.snapshot_window)
		ops_put_str(&r->o, "snapshot_window", r->rg.snapshot_window);
	if (r->rg.kms_key_id) {
		r->kms_arn = r->rg.kms_key_id;
		ops_put_str(&r->o, "kms_key_arn", r->rg.kms_key_id);
	}
	ops_put_str(&r->o, "user_group_id", r->rg.user_group_ids.n ?
		r->rg.user_group_ids.v[0] : NULL);
	if (!have_cc)
		return;
	/* A node type change waiting for the maintenance window (no
	 * apply_immediately) is what the configuration asked for: showing
	 * the old type would plan the same change again on every run. */
	if (r->cc.pending_node_type)
		ops_put_str(&r->o, "node_type", r->cc.pending_node_type);
	ops_put_str(&r->o, "engine_version_actual", r->cc.engine_version);
	if (!ops_get_str(r->o.st, "engine_version") && r->cc.engine_version)
		ops_put_str(&r->o, "engine_version", major_minor(a, r->cc.engine_version));
	if (r->cc.maintenance_window)
		ops_put_str(&r->o, "maintenance_window",
			    r->cc.maintenance_window);
}

static int describe_first_node(struct rc *r)
{
	struct path p = ops_path(&r->o, "member_clusters");
	int rc;

	if (!r->rg.member_clusters.n)
		return SVC_NOT_FOUND;
	rc = ec_describe_cache_cluster(r->o.c, r->o.cl, &p,
				       r->rg.member_clusters.v[0], &r->cc);
	return rc;
}

static int step_wait(struct rc *r)
{
	int rc;

	if (wait_available(r))
		return -1;
	rc = describe_first_node(r);
	if (rc < 0)
		return -1;
	put_rg(r, rc == 0);
	return 0;
}

static int put_ssm(struct rc *r, const char *key, const char *value,
		   const char **arn)
{
	struct path p = ops_path(&r->o, "ssm_parameter_arns");
	struct ssm_put in = { 0 };
	struct ssm_parameter got;

	in.name = ssm_name(r, key);
	in.value = value;
	in.type = "SecureString";
	in.key_id = r->kms_arn;
	in.description = arena_sprintf(r->o.c->arena,
				       "secure_redis_cluster %s: "
				       "%s", r->o.id, key);
	in.tags = r->o.tags;
	in.n_tags = r->o.n_tags;
	if (ssm_put_parameter(r->o.c, r->o.cl, &p, &in, NULL))
		return -1;
	if (ssm_get_parameter(r->o.c, r->o.cl, &p, in.name, false, &got) != 0) {
		if (!diags_has_errors(&r->o.c->diags))
			diag_error(&r->o.c->diags, &p, "SSM parameter vanished",
				   "%s disappeared right after it was written.",
				   in.name);
		*arn = NULL;
		return -1;
	}
	*arn = got.arn;
	return 0;
}

static const char *const *const ssm_keys = redis_cluster_ssm_keys;

static int step_ssm(struct rc *r)
{
	const char *arns[2] = { 0 };
	const char *vals[2];
	int rc = 0;
	size_t i;

	vals[0] = main_endpoint(r);
	vals[1] = arena_sprintf(r->o.c->arena, "%d", rg_port(r));
	if (!vals[0])
		return diag_error(&r->o.c->diags, NULL, "No endpoint",
				  "The available replication group %s reports "
				  "no endpoint.", r->o.id);
	for (i = 0; i < 2 && !rc; i++) {
		rc = put_ssm(r, ssm_keys[i], vals[i], &arns[i]);
		if (!rc || arns[i])
			ops_put(&r->o, "ssm_parameter_arns",
			    map_of(r->o.c->arena, 2, ssm_keys, arns));
	}
	return rc;
}

static int step_policy(struct rc *r)
{
	struct path p = ops_path(&r->o, "app_policy_arn");
	const char *account = need_account(r), *doc;
	struct iam_policy out;

	if (!account)
		return -1;
	doc = app_policy(r, account);
	if (iam_create_policy(r->o.c, r->o.cl, &p, policy_name(r),
			      "/secure-redis/",
			      doc, arena_sprintf(r->o.c->arena, "Connect to "
						 "secure_redis_cluster %s",
						 r->o.id),
			      r->o.tags, r->o.n_tags, &out))
		return -1;
	ops_put_str(&r->o, "app_policy_arn", out.arn);
	ops_put_str(&r->o, "app_policy_json", doc);
	return 0;
}

typedef int step_fn(struct rc *r);

static step_fn *const create_steps[] = {
	step_subnets, step_kms, step_security_group, step_subnet_group,
	step_parameters, step_log_groups, step_token, step_replication_group,
	step_wait, step_ssm, step_policy,
};

int redis_cluster_create(struct ctx *c, struct resource_op *op)
{
	struct arena *a = c->arena;
	struct rc r;
	size_t i;
	int rc = 0;

	if (rc_init(&r, c, op, op->planned))
		return -1;
	/* Start from the plan; results become known as steps succeed. */
	r.o.st = known_only(a, op->planned);
	ops_put_str(&r.o, "id", r.o.id);
	ops_put_null(&r.o, "subnet_group_name");
	ops_put_null(&r.o, "log_group_names");
	ops_put_null(&r.o, "kms_key_arn");
	ops_put_null(&r.o, "auth_secret_arn");
	ops_put_null(&r.o, "ssm_parameter_arns");
	for (i = 0; i < sizeof(create_steps) / sizeof(create_steps[0]); i++) {
		if (ctx_cancelled(c)) {
			rc = cancelled(&r, "creating the cluster's resources");
			break;
		}
		if ((rc = create_steps[i](&r)) != 0)
			break;
	}
	if (r.token)
		OPENSSL_cleanse(r.token, REDIS_CLUSTER_TOKEN_LEN + 1);
	op->new_state = known_only(a, r.o.st);
	if (!r.param_group)
		save_private(&r);
	ctx_log(c, rc ? LOG_WARN : LOG_INFO, "secure_redis_cluster %s: create "
		"%s after step %zu of %zu", r.o.id, rc ? "failed" : "done", i,
		sizeof(create_steps) / sizeof(create_steps[0]));
	return rc ? -1 : 0;
}

/* ---- read ---- */

static void refresh_subnet_group(struct rc *r)
{
	const char *name = ops_get_str(r->o.st, "subnet_group_name");
	struct path p = ops_path(&r->o, "subnet_group_name");
	struct ec_subnet_group g;
	int rc;

	if (!name)
		return;
	rc = ec_describe_cache_subnet_group(r->o.c, r->o.cl, &p, name, &g);
	if (rc == SVC_NOT_FOUND)
		ops_put_null(&r->o, "subnet_group_name");
	else if (rc == 0 && g.subnet_ids.n)
		ops_put(&r->o, "subnet_ids", set_of(r->o.c->arena,
						    g.subnet_ids));
}

/* A set attribute from observed strings: empty keeps the prior's form
 * (null or empty set), so a config without the argument sees no change. */
static void put_observed_set(struct rc *r, const char *name,
			     struct svc_strs s)
{
	const struct value *prior = ops_get(r->o.st, name);

	if (!s.n && (!prior || !value_is_known(prior) || !prior->u.coll.n))
		return;
	ops_put(&r->o, name, set_of(r->o.c->arena, s));
}

/* Every ingress source of the cluster's group, whatever the port: a rule
 * admitting 0.0.0.0/0 added outside Terraform shows in allowed_cidr_blocks
 * and the plan removes it. */
static void refresh_security_group(struct rc *r)
{
	const char *sg = ops_get_str(r->o.st, "security_group_id");
	struct path p = ops_path(&r->o, "security_group_id");
	struct svc_strs groups = { 0 }, cidrs = { 0 };
	struct ec2_security_group g;
	struct ec2_rule *rules = NULL;
	size_t n = 0, i;
	bool attached = false;

	if (!sg)
		return;
	for (i = 0; i < r->cc.security_group_ids.n; i++)
		if (!strcmp(r->cc.security_group_ids.v[i], sg))
			attached = true;
	/* Attached to the node, it exists: one call saved per refresh. */
	if (!attached && ec2_describe_security_group(r->o.c, r->o.cl, &p, sg,
						     &g)
	    == SVC_NOT_FOUND) {
		ops_put_null(&r->o, "security_group_id");
		return;
	}
	if (r->cc.id && (!attached || r->cc.security_group_ids.n != 1)) {
		ctx_log(r->o.c, LOG_WARN, "%s is not on its security group %s "
			"alone (%zu attached): the next apply puts it back",
			r->o.id, sg, r->cc.security_group_ids.n);
		r->sg_drifted = true;
	}
	if (ec2_describe_security_group_rules(r->o.c, r->o.cl, &p, sg, &rules,
					      &n))
		return;
	groups.v = arena_calloc(r->o.c->arena, n + 1, sizeof(*groups.v));
	cidrs.v = arena_calloc(r->o.c->arena, 2 * n + 1, sizeof(*cidrs.v));
	for (i = 0; i < n; i++) {
		if (rules[i].is_egress)
			continue;
		if (rules[i].referenced_group_id)
			groups.v[groups.n++] = rules[i].referenced_group_id;
		if (rules[i].cidr_ipv4)
			cidrs.v[cidrs.n++] = rules[i].cidr_ipv4;
		if (rules[i].cidr_ipv6)
			cidrs.v[cidrs.n++] = rules[i].cidr_ipv6;
	}
	put_observed_set(r, "allowed_security_group_ids", groups);
	put_observed_set(r, "allowed_cidr_blocks", cidrs);
}

/* Rotation turned off shows in kms_key_rotation_enabled (the plan turns
 * it back on for the key this resource made); a key disabled or
 * scheduled for deletion is reported as a warning. */
static void refresh_kms(struct rc *r)
{
	struct path p = ops_path(&r->o, "kms_key_arn");
	struct kms_key k;
	bool on = true;
	int rc;

	if (!r->kms_arn)
		return;
	rc = kms_describe_key(r->o.c, r->o.cl, &p, r->kms_arn, &k);
	if (rc == SVC_NOT_FOUND || (rc == 0 && !k.enabled)) {
		diag_warn(&r->o.c->diags, &p, "KMS key not usable",
			  "The key %s "
			  "of %s is %s: the cluster cannot read its data.",
			  r->kms_arn, r->o.id, rc == SVC_NOT_FOUND ? "gone"
			  : k.state ? k.state : "disabled");
		return;
	}
	if (rc == 0 && kms_get_key_rotation_status(r->o.c, r->o.cl, &p,
						   r->kms_arn,
						   &on, NULL) == 0)
		ops_put_bool(&r->o, "kms_key_rotation_enabled", on);
}

static const struct ec_log_delivery *delivery_of(struct rc *r,
						 const char *type)
{
	size_t i;

	for (i = 0; i < r->rg.n_log_delivery; i++)
		if (r->rg.log_delivery[i].log_type &&
		    !strcmp(r->rg.log_delivery[i].log_type, type))
			return &r->rg.log_delivery[i];
	return NULL;
}

/* A log type stays in log_group_names only while its group exists,
 * encrypted with the key, and the replication group delivers to it. */
static void refresh_logs(struct rc *r)
{
	const struct value *prior = ops_get(r->o.st, "log_group_names");
	const char *names[N_LOG_TYPES] = { 0 };
	/* "/aws/elasticache/<id>/": both groups in one call */
	const char *prefix = redis_cluster_log_group_name(r->o.c->arena,
							  r->o.id, "");
	struct path p = ops_path(&r->o, "log_group_names");
	struct logs_group *all = NULL;
	size_t n_all = 0, i, j;
	int min_days = 0;

	if (!prior || !value_is_known(prior))
		return;
	if (logs_describe_log_groups(r->o.c, r->o.cl, &p, prefix, &all, &n_all))
		return;
	for (i = 0; i < N_LOG_TYPES; i++) {
		const struct value *v = value_map_get(prior, log_types[i]);
		const struct ec_log_delivery *d = delivery_of(r, log_types[i]);
		const struct logs_group *g = NULL;
		const char *n;

		if (!v || !value_get_string(v, &n))
			continue;
		for (j = 0; j < n_all && !g; j++)
			if (all[j].name && !strcmp(all[j].name, n))
				g = &all[j];
		if (!g)
			continue;
		if (g->retention_days &&
		    (!min_days || g->retention_days < min_days))
			min_days = g->retention_days;
		if (!d || !d->log_group || strcmp(d->log_group, n) ||
		    (d->status && (!strcmp(d->status, "disabling") ||
				   !strcmp(d->status, "error"))) ||
		    !g->kms_key_id || (r->kms_arn && strcmp(g->kms_key_id,
							    r->kms_arn)))
			continue;
		names[i] = n;
	}
	put_log_groups(r, names);
	if (min_days)
		ops_put_int(&r->o, "log_retention_days", min_days);
}

/* Values of the cluster's own parameter group changed outside Terraform
 * show in `parameters` (the apply sets them back).  Only while the
 * cluster uses that group; cluster-enabled is the provider's, from
 * `shards`. */
static void refresh_parameters(struct rc *r)
{
	const struct value *prior = ops_get(r->o.st, "parameters");
	struct path p = ops_path(&r->o, "parameters");
	struct ec_parameter *ps = NULL;
	const char **keys, **vals;
	size_t n = 0, i, m = 0;

	if (!r->param_group || !r->cc.parameter_group ||
	    strcmp(r->cc.parameter_group, r->param_group) ||
	    !prior || !value_is_known(prior))
		return;
	if (ec_describe_cache_parameters(r->o.c, r->o.cl, &p, r->param_group,
					 "user", &ps, &n) != 0)
		return;
	keys = arena_calloc(r->o.c->arena, n + 1, sizeof(*keys));
	vals = arena_calloc(r->o.c->arena, n + 1, sizeof(*vals));
	for (i = 0; i < n; i++) {
		if (!ps[i].name || !ps[i].value ||
		    !strcmp(ps[i].name, "cluster-enabled"))
			continue;
		keys[m] = ps[i].name;
		vals[m++] = ps[i].value;
	}
	ops_put(&r->o, "parameters", map_of(r->o.c->arena, m, keys, vals));
}

static void refresh_secret(struct rc *r)
{
	const char *arn = ops_get_str(r->o.st, "auth_secret_arn");
	struct path p = ops_path(&r->o, "auth_secret_arn");
	struct sm_secret s;
	int rc;

	if (!arn)
		return;
	rc = sm_describe_secret(r->o.c, r->o.cl, &p, arn, &s);
	if (rc == SVC_NOT_FOUND || (rc == 0 && s.deleted_date != 0))
		ops_put_null(&r->o, "auth_secret_arn");
}

/* A parameter stays in ssm_parameter_arns while it is a SecureString with
 * the value the cluster has. */
static void refresh_ssm(struct rc *r)
{
	const struct value *prior = ops_get(r->o.st, "ssm_parameter_arns");
	const char *arns[2] = { 0 }, *want[2];
	struct path p = ops_path(&r->o, "ssm_parameter_arns");
	size_t i;

	if (!prior || !value_is_known(prior))
		return;
	want[0] = main_endpoint(r);
	want[1] = arena_sprintf(r->o.c->arena, "%d", rg_port(r));
	for (i = 0; i < 2; i++) {
		const struct value *v = value_map_get(prior, ssm_keys[i]);
		struct ssm_parameter got;
		const char *arn;

		if (!v || !value_get_string(v, &arn) ||
		    ssm_get_parameter(r->o.c, r->o.cl, &p, ssm_name_of_arn(arn),
				      true, &got) != 0)
			continue;
		if (got.type && !strcmp(got.type, "SecureString") &&
		    got.value && want[i] && !strcmp(got.value, want[i]))
			arns[i] = arn;
	}
	ops_put(&r->o, "ssm_parameter_arns", map_of(r->o.c->arena, 2, ssm_keys,
						    arns));
}

static void refresh_policy(struct rc *r)
{
	const char *arn = ops_get_str(r->o.st, "app_policy_arn");
	struct path p = ops_path(&r->o, "app_policy_arn");
	struct iam_policy_version v;
	struct iam_policy pol;

	if (!arn)
		return;
	if (iam_get_policy(r->o.c, r->o.cl, &p, arn, &pol) == SVC_NOT_FOUND) {
		ops_put_null(&r->o, "app_policy_arn");
		ops_put_null(&r->o, "app_policy_json");
		return;
	}
	if (pol.default_version_id &&
	    iam_get_policy_version(r->o.c, r->o.cl, &p, arn,
				   pol.default_version_id,
				   &v) == 0 && v.document) {
		const char *have = ops_get_str(r->o.st, "app_policy_json");
		const char *want = r->o.aws->account_id ?
			app_policy(r, r->o.aws->account_id) : have;

		/* A document edited outside Terraform (a new default
		 * version) leaves the state without one: the plan writes
		 * the least-privilege one again. */
		if (!same_json(v.document, want))
			ops_put_null(&r->o, "app_policy_json");
		else if (!same_json(v.document, have))
			ops_put_str(&r->o, "app_policy_json", v.document);
	}
}

/* Fills r->o.st from AWS.  1: the replication group is gone. */
static int refresh(struct rc *r)
{
	struct path p = ops_path(&r->o, "id");
	int rc;

	rc = ec_describe_replication_group(r->o.c, r->o.cl, &p, r->o.id,
					   &r->rg);
	if (rc)
		return rc == SVC_NOT_FOUND ? 1 : -1;
	if (r->rg.status && !strcmp(r->rg.status, "deleting"))
		return 1;
	rc = describe_first_node(r);
	if (rc < 0)
		return -1;
	ops_put_str(&r->o, "id", r->o.id);
	put_rg(r, rc == 0);
	refresh_subnet_group(r);
	refresh_security_group(r);
	refresh_kms(r);
	refresh_logs(r);
	refresh_parameters(r);
	refresh_secret(r);
	refresh_ssm(r);
	refresh_policy(r);
	return diags_has_errors(&r->o.c->diags) ? -1 : 0;
}

int redis_cluster_read(struct ctx *c, struct resource_op *op)
{
	struct rc r;
	int rc;

	if (!value_is_known(op->prior)) {
		op->new_state = NULL;
		return 0;
	}
	if (rc_init(&r, c, op, op->prior))
		return -1;
	if (!ops_get_str(op->prior, "arn")) {
		/* Partial state of a failed create: the replication group was
		 * never made.  Keep what was recorded so that destroy (or the
		 * replacement of the tainted object) removes it; dropping the
		 * object here would leak every sub-resource. */
		op->new_state = op->prior;
		return 0;
	}
	r.kms_arn = ops_get_str(op->prior, "kms_key_arn");
	load_private(&r, op->prior_private);
	r.sg_drifted = false;	/* refresh tells */
	rc = refresh(&r);
	if (rc < 0)
		return -1;
	op->new_state = rc == 1 ? NULL : known_only(c->arena, r.o.st);
	if (rc == 0)
		save_private(&r);
	return 0;
}

/* ---- delete ---- */

/* Runs del until it stops failing with AWS error `code` (dependencies
 * still being released) or the deadline passes. */
static int retry_dependency(struct rc *r, const char *code,
			    int (*del)(struct ctx *, struct aws_client *,
				       const struct path *, const char *),
			    const struct path *p, const char *id)
{
	int64_t delay = 1000;

	for (;;) {
		size_t before = r->o.c->diags.len;
		int rc = del(r->o.c, r->o.cl, p, id);

		if (rc >= 0)
			return 0;
		if (!diags_drop_error(&r->o.c->diags, before, code))
			return -1;
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return cancelled(r, arena_sprintf(r->o.c->arena, "waiting "
						"for %s to be released", id));
		delay = ops_backoff_ms(delay, 10000);
	}
}

static int delete_policy(struct rc *r)
{
	const char *arn = ops_get_str(r->o.st, "app_policy_arn");
	struct path p = ops_path(&r->o, "app_policy_arn");
	struct iam_policy_version *vs = NULL;
	size_t n = 0, i;
	int rc;

	if (!arn)
		return 0;
	rc = iam_list_policy_versions(r->o.c, r->o.cl, &p, arn, &vs, &n);
	if (rc == SVC_NOT_FOUND)
		return 0;
	if (rc < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!vs[i].is_default &&
		    iam_delete_policy_version(r->o.c, r->o.cl, &p, arn,
					      vs[i].version_id) < 0)
			return -1;
	return iam_delete_policy(r->o.c, r->o.cl, &p, arn) < 0 ? -1 : 0;
}

static int delete_ssm(struct rc *r)
{
	const struct value *m = ops_get(r->o.st, "ssm_parameter_arns");
	struct path p = ops_path(&r->o, "ssm_parameter_arns");
	size_t i;

	for (i = 0; m && value_is_known(m) && i < m->u.coll.n; i++) {
		const char *arn;

		if (value_get_string(m->u.coll.items[i], &arn) &&
		    ssm_delete_parameter(r->o.c, r->o.cl, &p,
					 ssm_name_of_arn(arn)) < 0)
			return -1;
	}
	return 0;
}

static int delete_rg_call(struct ctx *c, struct aws_client *cl,
			  const struct path *p, const char *id)
{
	return ec_delete_replication_group(c, cl, p, id, NULL);
}

static int delete_rg(struct rc *r)
{
	struct path p = ops_path(&r->o, "id");
	struct ec_replication_group g;
	int64_t delay = 500;
	int rc;

	if (!ops_get_str(r->o.st, "arn"))
		return 0;
	/* A group still `creating` (a create that timed out or was
	 * stopped) or `modifying` cannot be deleted yet: wait for it. */
	if (retry_dependency(r, "InvalidReplicationGroupState", delete_rg_call,
			     &p, r->o.id))
		return -1;
	for (;;) {
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return cancelled(r, "waiting for the replication group "
					 "to be deleted");
		rc = ec_describe_replication_group(r->o.c, r->o.cl, &p, r->o.id,
						   &g);
		if (rc == SVC_NOT_FOUND)
			return 0;
		if (rc < 0)
			return -1;
		delay = ops_backoff_ms(delay, 15000);
	}
}

static int delete_secret(struct rc *r)
{
	const char *arn = ops_get_str(r->o.st, "auth_secret_arn");
	struct path p = ops_path(&r->o, "auth_secret_arn");
	int days = ops_get_int(r->o.st, "secret_recovery_window_days",
			   REDIS_CLUSTER_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS);

	if (!arn)
		return 0;
	if (days == 0)
		return sm_delete_secret(r->o.c, r->o.cl, &p, arn, (struct svc_int){ 0 },
					SVC_TRUE, NULL) < 0 ? -1 : 0;
	return sm_delete_secret(r->o.c, r->o.cl, &p, arn, SVC_INT(days),
				SVC_UNSET,
				NULL) < 0 ? -1 : 0;
}

static int delete_logs(struct rc *r)
{
	const struct value *m = ops_get(r->o.st, "log_group_names");
	struct path p = ops_path(&r->o, "log_group_names");
	size_t i;

	for (i = 0; m && value_is_known(m) && i < m->u.coll.n; i++) {
		const char *n;

		if (value_get_string(m->u.coll.items[i], &n) &&
		    logs_delete_log_group(r->o.c, r->o.cl, &p, n) < 0)
			return -1;
	}
	return 0;
}

/* The attached custom group and every retired one (each may be gone). */
static int delete_parameter_group(struct rc *r)
{
	struct path p = ops_path(&r->o, "parameters");
	size_t i;

	if (r->param_group && ec_delete_cache_parameter_group(
		    r->o.c, r->o.cl, &p, r->param_group) < 0)
		return -1;
	for (i = 0; i < r->retired.n; i++)
		if (ec_delete_cache_parameter_group(r->o.c, r->o.cl, &p,
						    r->retired.v[i]) < 0)
			return -1;
	return 0;
}

static int delete_subnet_group(struct rc *r)
{
	const char *name = ops_get_str(r->o.st, "subnet_group_name");
	struct path p = ops_path(&r->o, "subnet_group_name");

	if (!name)
		return 0;
	return retry_dependency(r, "CacheSubnetGroupInUse",
				ec_delete_cache_subnet_group, &p, name);
}

static int delete_security_group(struct rc *r)
{
	const char *sg = ops_get_str(r->o.st, "security_group_id");
	struct path p = ops_path(&r->o, "security_group_id");

	if (!sg)
		return 0;
	return retry_dependency(r, "DependencyViolation",
				ec2_delete_security_group, &p, sg);
}

/* Only a key this resource made (tagged with the id) is deleted; a key
 * the user brought is left alone. */
static int delete_kms(struct rc *r)
{
	return ops_kms_delete_own(&r->o, ops_get_str(r->o.st, "kms_key_arn"),
				  alias_name(r), ops_get_int(r->o.st,
				  "kms_deletion_window_days",
				  REDIS_CLUSTER_DEFAULT_KMS_DELETION_WINDOW_DAYS));
}

static step_fn *const delete_steps[] = {
	delete_policy, delete_ssm, delete_rg, delete_secret, delete_logs,
	delete_parameter_group, delete_subnet_group, delete_security_group,
	delete_kms,
};

int redis_cluster_delete(struct ctx *c, struct resource_op *op)
{
	struct rc r;
	size_t i;

	if (!value_is_known(op->prior))
		return 0;
	if (rc_init(&r, c, op, op->prior))
		return -1;
	load_private(&r, op->prior_private);
	for (i = 0; i < sizeof(delete_steps) / sizeof(delete_steps[0]); i++)
		if (delete_steps[i](&r)) {
			/* Terraform keeps the prior state: destroy again
			 * continues where this stopped (every step tolerates
			 * what is already gone). */
			op->new_state = op->prior;
			return -1;
		}
	op->new_state = NULL;
	return 0;
}

/* ---- import ---- */

static void adopt_security_group(struct rc *r)
{
	struct path p = ops_path(&r->o, "security_group_id");
	size_t i;

	for (i = 0; i < r->cc.security_group_ids.n; i++) {
		struct ec2_security_group g;

		if (ec2_describe_security_group(r->o.c, r->o.cl, &p,
						r->cc.security_group_ids.v[i],
						&g) == 0 &&
		    svc_tags_has(g.tags.v, g.tags.n, REDIS_CLUSTER_TAG_KEY, r->o.id)) {
			ops_put_str(&r->o, "security_group_id", g.id);
			return;
		}
	}
}

static void adopt_secret(struct rc *r)
{
	struct path p = ops_path(&r->o, "auth_secret_arn");
	struct sm_secret s;

	if (!r->rg.auth_token_enabled)
		return;
	if (sm_describe_secret(r->o.c, r->o.cl, &p, secret_name(r), &s) == 0 &&
	    !s.deleted_date && svc_tags_has(s.tags.v, s.tags.n, REDIS_CLUSTER_TAG_KEY, r->o.id))
		ops_put_str(&r->o, "auth_secret_arn", s.arn);
}

static void adopt_ssm(struct rc *r)
{
	struct path p = ops_path(&r->o, "ssm_parameter_arns");
	const char *arns[2] = { 0 };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct ssm_parameter got;
		struct svc_tags tags = { 0 };
		const char *n = ssm_name(r, ssm_keys[i]);

		if (ssm_get_parameter(r->o.c, r->o.cl, &p, n, false,
				      &got) == 0 &&
		    ssm_list_tags(r->o.c, r->o.cl, &p, n, &tags) == 0 &&
		    svc_tags_has(tags.v, tags.n, REDIS_CLUSTER_TAG_KEY,
				 r->o.id))
			arns[i] = got.arn;
	}
	ops_put(&r->o, "ssm_parameter_arns", map_of(r->o.c->arena, 2, ssm_keys,
						    arns));
}

static void adopt_policy(struct rc *r)
{
	const char *part = r->o.aws->partition ? r->o.aws->partition : "aws";
	struct path p = ops_path(&r->o, "app_policy_arn");
	struct iam_policy pol;
	const char *arn;

	if (!r->o.aws->account_id)
		return;
	arn = arena_sprintf(r->o.c->arena, "arn:%s:iam::%s:policy/secure-redis/%s",
			    part, r->o.aws->account_id, policy_name(r));
	if (iam_get_policy(r->o.c, r->o.cl, &p, arn, &pol) == 0 &&
	    svc_tags_has(pol.tags.v, pol.tags.n, REDIS_CLUSTER_TAG_KEY, r->o.id)) {
		ops_put_str(&r->o, "app_policy_arn", pol.arn);
		ops_put_str(&r->o, "app_policy_json", "{}"); /* read fills it */
	}
}

/* A custom group name this resource gives: the create's, or an update's
 * for one of the families. */
static bool is_own_pg_name(struct rc *r, const char *name)
{
	static const char *const families[] = {
		"redis6.x", "redis7", "valkey7", "valkey8",
	};
	size_t i;

	if (!strcmp(name, pg_name(r)))
		return true;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(name, pg_name_for(r, families[i])))
			return true;
	return false;
}

/* The adopted sub-resources' ids, then a refresh for everything else. */
static void adopt(struct rc *r)
{
	const char *names[N_LOG_TYPES];
	const char *pg;
	size_t i;

	if (r->cc.subnet_group)
		ops_put_str(&r->o, "subnet_group_name", r->cc.subnet_group);
	adopt_security_group(r);
	for (i = 0; i < N_LOG_TYPES; i++)
		names[i] = redis_cluster_log_group_name(r->o.c->arena, r->o.id,
							log_types[i]);
	put_log_groups(r, names);	/* refresh_logs drops missing ones */
	adopt_secret(r);
	adopt_ssm(r);
	adopt_policy(r);
	pg = r->cc.parameter_group;
	if (pg && is_own_pg_name(r, pg)) {
		r->param_group = pg;
		save_private(r);
	}
}

int redis_cluster_import(struct ctx *c, struct resource_op *op)
{
	struct path p = path_attr(c->arena, path_root, "id");
	const char *id = op->import_id;
	struct rc r;
	int rc;

	if (!id || !*id)
		return diag_error(&c->diags, NULL, "Invalid import id",
				  "Import secure_redis_cluster by its "
				  "replication group id.");
	if (rc_init(&r, c, op, ops_empty_state(c->arena,
					       &redis_cluster_resource, id)))
		return -1;
	rc = ec_describe_replication_group(c, r.o.cl, &p, r.o.id, &r.rg);
	if (rc == SVC_NOT_FOUND)
		return diag_error(&c->diags, NULL, "Cannot import "
				  "non-existent remote object", "No "
				  "ElastiCache replication group \"%s\" exists.",
				  r.o.id);
	if (rc < 0)
		return -1;
	r.kms_arn = r.rg.kms_key_id;
	if (describe_first_node(&r) < 0)
		return -1;
	adopt(&r);
	rc = refresh(&r);
	if (rc)
		return rc < 0 ? -1 : diag_error(&c->diags, NULL, "Cannot "
						 "import", "%s is being "
						 "deleted.", r.o.id);
	ops_adopt_tags(&r.o, r.rg.arn);
	/* What destroy will do is not recorded in AWS: the defaults. */
	ops_put_int(&r.o, "kms_deletion_window_days",
		REDIS_CLUSTER_DEFAULT_KMS_DELETION_WINDOW_DAYS);
	ops_put_int(&r.o, "secret_recovery_window_days",
		REDIS_CLUSTER_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS);
	op->new_state = known_only(c->arena, r.o.st);
	return 0;
}

/* ---- update in place ----
 *
 * Converges AWS from the prior state to the plan: a token secret
 * scheduled for deletion restored (or the refusal of one deleted for
 * good), the subnet group's subnets (ElastiCache may refuse a subnet its
 * nodes use, and then nothing else may have changed), tags of every
 * sub-resource, the security group's ingress rules
 * (which also removes rules added outside Terraform), log groups
 * (re-created when deleted, with delivery re-enabled) and their retention,
 * key rotation, the parameter group's values or the group to move to,
 * then the replication group (description, windows, snapshot retention,
 * node type, version, parameter group) and the deletion of the group it
 * left, its shards, replica count and the AUTH token phase, waiting for
 * `available` after each modification.
 * What this version cannot change yet is refused before any call. */

/* Attributes an update step writes to AWS: they enter the state only once
 * their step succeeded.  Every other attribute is either the provider's
 * own bookkeeping (apply_immediately, windows of destroy, timeouts, token
 * settings that start no rotation) or refused when it changes. */
static const char *const update_attrs[] = {
	"description", "node_type", "replicas_per_shard", "snapshot_window",
	"maintenance_window", "snapshot_retention_days", "log_retention_days",
	"allowed_security_group_ids", "allowed_cidr_blocks", "tags",
	"tags_all", "log_group_names", "member_clusters", "primary_endpoint",
	"reader_endpoint", "configuration_endpoint", "auth_token_version",
	"auth_token_rotation_phase", "auth_token_rotated_at", "engine",
	"engine_version", "engine_version_actual", "auth_secret_arn",
	"user_group_id", "app_policy_json", "shards", "parameters",
	"subnet_ids", "kms_key_rotation_enabled", "security_group_id",
	"ssm_parameter_arns", "app_policy_arn",
};

/* What this version cannot change in place, and why it would change. */
static const struct {
	const char *attr, *what;
} update_refused[] = {
	{ "kms_key_arn", "the KMS key" },
	{ "port", "the port" },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool attr_changes(struct rc *r, const char *name)
{
	const struct value *x = ops_get(r->o.op->prior, name);
	const struct value *y = ops_get(r->o.op->planned, name);

	if (!x || !y)
		return x != y;
	if (value_has_unknown(y))
		return true;
	return !value_equal(x, y);
}

/* One error per change this version cannot make; none means go ahead. */
static int refuse_unsupported(struct rc *r)
{
	size_t i, errors = r->o.c->diags.errors;

	for (i = 0; i < N_OF(update_refused); i++) {
		struct path p = ops_path(&r->o, update_refused[i].attr);

		if (!attr_changes(r, update_refused[i].attr))
			continue;
		diag_error(&r->o.c->diags, &p, "Cannot update in place yet",
			   "This version of secure_redis_cluster cannot change "
			   "%s (attribute %s) of an existing cluster in place. "
			   "In place it updates tags, description, windows, "
			   "snapshot and log retention, allowed security groups "
			   "and CIDR blocks, node_type, shards, "
			   "replicas_per_shard, parameters, subnet_ids, "
			   "engine upgrades, the AUTH token and the RBAC user "
			   "group, and re-creates deleted log groups. Nothing "
			   "was changed: revert this change, or replace the "
			   "cluster (terraform apply -replace).", update_refused[i].what,
			   update_refused[i].attr);
	}
	if (value_is_unknown(ops_get(r->o.op->planned, "auth_token_rotation_phase"))) {
		struct path p = ops_path(&r->o, "auth_token_rotation_phase");

		diag_error(&r->o.c->diags, &p, "Token rotation phase unknown",
			   "Whether the previous AUTH token is retired depends "
			   "on values known only after apply "
			   "(auth_token_retire_previous or "
			   "auth_token_grace_period). Nothing was changed: use "
			   "known values for them.");
	}
	return r->o.c->diags.errors > errors ? -1 : 0;
}

/* The planned value of `name` enters the state being built. */
static void take(struct rc *r, const char *name)
{
	const struct value *v = ops_get(r->o.op->planned, name);

	if (v && !value_has_unknown(v))	/* null included */
		ops_put(&r->o, name, v);
}

static bool is_update_attr(const char *name)
{
	size_t i;

	for (i = 0; i < N_OF(update_attrs); i++)
		if (!strcmp(update_attrs[i], name))
			return true;
	return false;
}

/* The prior state with the planned bookkeeping attributes. */
static void take_bookkeeping(struct rc *r)
{
	const struct type *t = r->o.op->planned->type;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!is_update_attr(t->names[i]))
			take(r, t->names[i]);
}

/* Keys of the prior tags_all that the plan no longer has. */
/* "arn:...:replicationgroup:<id>" -> "arn:...:<kind>:<name>". */
static const char *ec_arn_like(struct rc *r, const char *kind,
			       const char *name)
{
	const char *rg = ops_get_str(r->o.st, "arn");
	const char *end = rg ? strstr(rg, ":replicationgroup:") : NULL;

	if (!end)
		return NULL;
	return arena_sprintf(r->o.c->arena, "%.*s:%s:%s", (int)(end - rg), rg,
			     kind, name);
}

/* ---- tags ----
 * Every service tags the same way: put tags_all on (overwriting values),
 * then remove the keys the plan dropped.  Only the calls differ. */

struct tagger {
	int (*tag)(struct ctx *c, struct aws_client *cl, const struct path *p,
		   const char *target, const struct svc_tag *tags, size_t n);
	int (*untag)(struct ctx *c, struct aws_client *cl,
		     const struct path *p, const char *target,
		     struct svc_strs keys);
};

/* EC2 tags lists of resource ids; the security group is one. */
static int ec2_tag_one(struct ctx *c, struct aws_client *cl,
		       const struct path *p, const char *id,
		       const struct svc_tag *tags, size_t n)
{
	struct svc_strs ids = { &id, 1 };

	return ec2_create_tags(c, cl, p, ids, tags, n);
}

static int ec2_untag_one(struct ctx *c, struct aws_client *cl,
			 const struct path *p, const char *id,
			 struct svc_strs keys)
{
	struct svc_strs ids = { &id, 1 };

	return ec2_delete_tags(c, cl, p, ids, keys);
}

static const struct tagger ec_tagger = { ec_add_tags, ec_remove_tags };
static const struct tagger ec2_tagger = { ec2_tag_one, ec2_untag_one };
static const struct tagger kms_tagger = { kms_tag_resource,
					  kms_untag_resource };
static const struct tagger logs_tagger = { logs_tag_resource,
					   logs_untag_resource };
static const struct tagger sm_tagger = { sm_tag_resource, sm_untag_resource };
static const struct tagger ssm_tagger = { ssm_add_tags, ssm_remove_tags };
static const struct tagger iam_tagger = { iam_tag_policy, iam_untag_policy };

/* tags_all onto target (an ARN, id or name), then the keys in del off. */
static int tag_one(struct rc *r, const struct tagger *t, const char *target,
		   struct svc_strs del)
{
	struct path p = ops_path(&r->o, "tags_all");

	if (t->tag(r->o.c, r->o.cl, &p, target, r->o.tags, r->o.n_tags) < 0)
		return -1;
	return del.n && t->untag(r->o.c, r->o.cl, &p, target, del) < 0 ? -1
									: 0;
}

/* tag_one, nothing when the sub-resource does not exist (target NULL). */
static int tag_if(struct rc *r, const struct tagger *t, const char *target,
		  struct svc_strs del)
{
	return target ? tag_one(r, t, target, del) : 0;
}

/* Only a key this resource made (it carries the identity tag). */
static int tag_kms(struct rc *r, struct svc_strs del)
{
	struct path p = ops_path(&r->o, "tags_all");
	struct svc_tags have = { 0 };
	int rc;

	if (!r->kms_arn)
		return 0;
	rc = kms_list_resource_tags(r->o.c, r->o.cl, &p, r->kms_arn, &have);
	if (rc == SVC_NOT_FOUND ||
	    (rc == 0 && !svc_tags_has(have.v, have.n, REDIS_CLUSTER_TAG_KEY,
				      r->o.id)))
		return 0;
	return rc < 0 ? -1 : tag_one(r, &kms_tagger, r->kms_arn, del);
}

static int tag_logs(struct rc *r, struct svc_strs del)
{
	const struct value *m = ops_get(r->o.st, "log_group_names");
	struct path p = ops_path(&r->o, "tags_all");
	size_t i;

	for (i = 0; m && value_is_known(m) && i < m->u.coll.n; i++) {
		struct logs_group g;
		const char *n;
		int rc;

		if (!value_get_string(m->u.coll.items[i], &n))
			continue;
		rc = logs_describe_log_group(r->o.c, r->o.cl, &p, n, &g);
		if (rc == SVC_NOT_FOUND)
			continue;
		if (rc < 0 || tag_one(r, &logs_tagger, g.arn, del))
			return -1;
	}
	return 0;
}

static int tag_ssm(struct rc *r, struct svc_strs del)
{
	const struct value *m = ops_get(r->o.st, "ssm_parameter_arns");
	size_t i;

	for (i = 0; m && value_is_known(m) && i < m->u.coll.n; i++) {
		const char *arn;

		if (!value_get_string(m->u.coll.items[i], &arn))
			continue;
		if (tag_one(r, &ssm_tagger, ssm_name_of_arn(arn), del))
			return -1;
	}
	return 0;
}

/* tags_all onto every sub-resource. */
static int update_tags(struct rc *r)
{
	const struct value *st = r->o.st;
	const char *sng = ops_get_str(st, "subnet_group_name");
	struct svc_strs del;

	if (!attr_changes(r, "tags_all"))
		return 0;
	del = ops_tags_dropped(&r->o,
			       ops_get(r->o.op->prior, "tags_all"));
	if (tag_if(r, &ec_tagger, ops_get_str(st, "arn"), del) ||
	    tag_if(r, &ec2_tagger, ops_get_str(st, "security_group_id"), del) ||
	    (sng && tag_if(r, &ec_tagger,
			   ec_arn_like(r, "subnetgroup", sng), del)) ||
	    (r->param_group &&
	     tag_if(r, &ec_tagger,
		    ec_arn_like(r, "parametergroup", r->param_group), del)) ||
	    tag_kms(r, del) || tag_logs(r, del) ||
	    tag_if(r, &sm_tagger, ops_get_str(st, "auth_secret_arn"), del) ||
	    tag_ssm(r, del) ||
	    tag_if(r, &iam_tagger, ops_get_str(st, "app_policy_arn"), del))
		return -1;
	take(r, "tags");
	take(r, "tags_all");
	return 0;
}

/* The baseline wants rotation on for the key this resource made: the
 * plan asks for it whenever refresh found it off. */
static int update_key_rotation(struct rc *r)
{
	struct path p = ops_path(&r->o, "kms_key_rotation_enabled");
	bool want = false;

	if (!r->kms_arn || !attr_changes(r, "kms_key_rotation_enabled"))
		return 0;
	if (value_get_bool(ops_get(r->o.op->planned,
				   "kms_key_rotation_enabled"),
			   &want) && want) {
		ctx_log(r->o.c, LOG_INFO,
			"secure_redis_cluster %s: re-enabling "
			"rotation of its KMS key", r->o.id);
		if (kms_enable_key_rotation(r->o.c, r->o.cl, &p, r->kms_arn,
					    (struct svc_int){ 0 }) < 0)
			return -1;
	}
	take(r, "kms_key_rotation_enabled");
	return 0;
}

static int str_index(struct svc_strs v, const char *s)
{
	size_t i;

	for (i = 0; s && i < v.n; i++)
		if (!strcmp(v.v[i], s))
			return (int)i;
	return -1;
}

/* Marks one planned source as present; false when the rule is not one of
 * them (another port, protocol or source, or a duplicate). */
static bool rule_wanted(const struct ec2_rule *rule, int port,
			struct svc_strs groups, bool *g_seen,
			struct svc_strs cidrs, bool *c_seen)
{
	const char *cidr = rule->cidr_ipv4 ? rule->cidr_ipv4 : rule->cidr_ipv6;
	int j;

	if (!rule->protocol || (strcmp(rule->protocol, "tcp") &&
				strcmp(rule->protocol, "6")) ||
	    rule->from_port != port || rule->to_port != port)
		return false;
	if (rule->referenced_group_id && !cidr && !rule->prefix_list_id) {
		j = str_index(groups, rule->referenced_group_id);
		if (j < 0 || g_seen[j])
			return false;
		return g_seen[j] = true;
	}
	if (cidr && !rule->referenced_group_id && !rule->prefix_list_id) {
		j = str_index(cidrs, cidr);
		if (j < 0 || c_seen[j])
			return false;
		return c_seen[j] = true;
	}
	return false;
}

/* Ingress becomes exactly the planned sources on the cache port: missing
 * ones are authorized first (clients keep working), then every other
 * ingress rule is revoked, including rules added outside Terraform (such
 * as one admitting 0.0.0.0/0, which read shows as a difference). */
static int update_ingress(struct rc *r)
{
	struct arena *a = r->o.c->arena;
	const char *sg = ops_get_str(r->o.st, "security_group_id");
	struct path p = ops_path(&r->o, "allowed_cidr_blocks");
	struct svc_strs groups = strs_of(a, ops_get(r->o.op->planned,
						"allowed_security_group_ids"));
	struct svc_strs cidrs = strs_of(a, ops_get(r->o.op->planned,
					       "allowed_cidr_blocks"));
	struct svc_strs revoke = { 0 }, g_add = { 0 }, c_add = { 0 };
	int port = ops_get_int(r->o.st, "port", REDIS_CLUSTER_DEFAULT_PORT);
	bool *g_seen = arena_calloc(a, groups.n + 1, sizeof(bool));
	bool *c_seen = arena_calloc(a, cidrs.n + 1, sizeof(bool));
	struct ec2_rule *rules = NULL;
	size_t n = 0, i;

	if (!sg)
		return 0;
	if (ec2_describe_security_group_rules(r->o.c, r->o.cl, &p, sg, &rules,
					      &n))
		return -1;
	revoke.v = arena_calloc(a, n + 1, sizeof(*revoke.v));
	for (i = 0; i < n; i++)
		if (!rules[i].is_egress && rules[i].id &&
		    !rule_wanted(&rules[i], port, groups, g_seen, cidrs, c_seen))
			revoke.v[revoke.n++] = rules[i].id;
	g_add.v = arena_calloc(a, groups.n + 1, sizeof(*g_add.v));
	c_add.v = arena_calloc(a, cidrs.n + 1, sizeof(*c_add.v));
	for (i = 0; i < groups.n; i++)
		if (!g_seen[i])
			g_add.v[g_add.n++] = groups.v[i];
	for (i = 0; i < cidrs.n; i++)
		if (!c_seen[i])
			c_add.v[c_add.n++] = cidrs.v[i];
	if (authorize_sources(r, sg, port, g_add, c_add))
		return -1;
	if (revoke.n) {
		ctx_log(r->o.c, LOG_INFO,
			"secure_redis_cluster %s: revoking %zu "
			"ingress rule(s) of %s not in the configuration", r->o.id,
			revoke.n, sg);
		if (ec2_revoke_rules(r->o.c, r->o.cl, &p, sg, false,
				     revoke) < 0)
			return -1;
	}
	take(r, "allowed_security_group_ids");
	take(r, "allowed_cidr_blocks");
	return 0;
}

/* Log groups the plan names but the prior state lost (deleted, or
 * delivery to them disabled or re-pointed outside Terraform) are created
 * again if missing, encrypted with the key, and delivery to both is
 * requested in the replication group modification.  Retention follows
 * log_retention_days. */
static int update_log_groups(struct rc *r, bool *redeliver)
{
	const struct value *prior = ops_get(r->o.op->prior, "log_group_names");
	const struct value *plan = ops_get(r->o.op->planned, "log_group_names");
	int days = ops_get_int(r->o.op->planned, "log_retention_days",
			   REDIS_CLUSTER_DEFAULT_LOG_RETENTION_DAYS);
	bool retention = attr_changes(r, "log_retention_days");
	struct path p = ops_path(&r->o, "log_group_names");
	size_t i;

	for (i = 0; plan && value_is_known(plan) && i < N_LOG_TYPES; i++) {
		const struct value *v = value_map_get(plan, log_types[i]);
		const struct value *was = prior && value_is_known(prior) ?
			value_map_get(prior, log_types[i]) : NULL;
		const char *n;
		struct logs_group g;
		int rc;

		if (!v || !value_get_string(v, &n))
			continue;
		if (was && value_equal(was, v)) {
			if (retention &&
			    logs_put_retention_policy(r->o.c, r->o.cl, &p, n,
						      days))
				return -1;
			continue;
		}
		*redeliver = true;
		rc = logs_describe_log_group(r->o.c, r->o.cl, &p, n, &g);
		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND) {
			ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: "
				"re-creating log group %s", r->o.id, n);
			if (logs_create_log_group(r->o.c, r->o.cl, &p, n, r->kms_arn,
						  r->o.tags, r->o.n_tags))
				return -1;
		} else if (r->kms_arn && (!g.kms_key_id ||
					  strcmp(g.kms_key_id, r->kms_arn)) &&
			   logs_associate_kms_key(r->o.c, r->o.cl, &p, n,
						  r->kms_arn)) {
			return -1;
		}
		if (logs_put_retention_policy(r->o.c, r->o.cl, &p, n, days))
			return -1;
	}
	take(r, "log_retention_days");
	return 0;
}

static bool want_now(struct rc *r)
{
	bool b = false;

	return value_get_bool(ops_get(r->o.op->planned, "apply_immediately"),
			      &b) &&
	       b;
}

/* ---- parameters ----
 * Same family: the attached custom group's values change in place
 * (ModifyCacheParameterGroup for new and changed values, then
 * ResetCacheParameterGroup for names the plan dropped).  Otherwise the
 * replication group moves to another group in its ModifyReplicationGroup
 * (update_replication_group): a new custom group made here (first
 * parameters, or a family change), or the family's default group (no
 * parameters left).  The group it leaves is retired and deleted once
 * ElastiCache lets go of it (update_params_cleanup; destroy deletes
 * retired groups too). */

/* The family the plan runs: its engine_version, else the version running
 * (engine_version left out of the configuration). */
static const char *want_family(struct rc *r)
{
	const char *f = pg_family(r);
	const char *running = ops_get_str(r->o.op->prior,
					  "engine_version_actual");

	return f ? f : family_for(ops_get_str(r->o.op->planned, "engine"),
				  major_minor(r->o.c->arena, running));
}

static bool params_empty(const struct value *m)
{
	return !m || !value_is_known(m) || !m->u.coll.n;
}

/* After ModifyReplicationGroup accepted pg_target: the group left is
 * retired, the target (a default group is not ours) recorded. */
static void attached(struct rc *r)
{
	bool custom = strncmp(r->pg_target, "default.", 8) != 0;

	retire(r, r->param_group, true);
	retire(r, r->pg_target, false);
	r->param_group = custom ? r->pg_target : NULL;
	save_private(r);
}

/* Values of the attached group, from the prior parameters to the
 * planned ones. */
static int change_values(struct rc *r, const struct path *p)
{
	const struct value *was = ops_get(r->o.op->prior, "parameters");
	const struct value *want = ops_get(r->o.op->planned, "parameters");
	struct ec_parameter *set, *reset;
	size_t n_set = 0, n_reset = 0, i;

	set = wanted_params(r, want, &n_set);
	reset = arena_calloc(r->o.c->arena, (was && value_is_known(was) ?
					   was->u.coll.n : 0) + 1,
			     sizeof(*reset));
	for (i = 0; was && value_is_known(was) && i < was->u.coll.n; i++)
		if (!want || !value_is_known(want) ||
		    !value_map_get(want, was->u.coll.keys[i]))
			reset[n_reset++].name = was->u.coll.keys[i];
	/* cluster-enabled stays as it is (AWS refuses to touch it in use) */
	if (n_set && !strcmp(set[n_set - 1].name, "cluster-enabled"))
		n_set--;
	ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: %zu parameter(s) "
		"set, %zu reset in %s", r->o.id, n_set, n_reset, r->param_group);
	if (pg_gone(r, p, r->param_group, ec_modify_cache_parameter_group(
			    r->o.c, r->o.cl, p, r->param_group, set, n_set)) ||
	    pg_gone(r, p, r->param_group, ec_reset_cache_parameter_group(
			    r->o.c, r->o.cl, p, r->param_group, reset, n_reset)))
		return -1;
	/* Parameters that need no reboot apply at once; the group's
	 * clusters may pass through `modifying`. */
	return wait_available(r);
}

/* Decides r->pg_target and prepares it (before update_replication_group). */
static int update_params(struct rc *r, bool *unused)
{
	const struct value *want = ops_get(r->o.op->planned, "parameters");
	struct path p = ops_path(&r->o, "parameters");
	const char *family = want_family(r), *have = NULL, *name, *was;
	struct ec_parameter_group g;
	int rc;

	(void)unused;
	was = pg_family_of(r->o.op->prior);
	if (!attr_changes(r, "parameters") &&
	    (!r->param_group || (was && family && !strcmp(was, family))))
		return 0;	/* nothing to do: no call */
	if (!family && (r->param_group || !params_empty(want)))
		return diag_error(&r->o.c->diags, &p, "Engine version unknown",
				  "The parameter group family follows the "
				  "engine version, which is not known. Set "
				  "engine_version.");
	if (r->param_group) {
		/* Its family, from AWS: after an apply that stopped midway
		 * the state's version can lag behind the group. */
		rc = ec_describe_cache_parameter_group(r->o.c, r->o.cl, &p,
						       r->param_group, &g);
		if (rc < 0)
			return -1;
		have = rc == SVC_NOT_FOUND ? NULL : g.family;
		if (rc == SVC_NOT_FOUND)
			ctx_log(r->o.c, LOG_WARN, "secure_redis_cluster %s: "
				"parameter group %s is gone", r->o.id,
				r->param_group);
	}
	if (params_empty(want)) {
		if (r->param_group)
			r->pg_target = arena_sprintf(
				r->o.c->arena, "default.%s%s", family,
				ops_get_int(r->o.op->planned, "shards", 1) > 1 ?
				".cluster.on" : "");
		else
			take(r, "parameters");	/* null <-> {} */
		return 0;
	}
	if (have && !strcmp(have, family)) {
		if (attr_changes(r, "parameters") &&
		    change_values(r, &p))
			return -1;
		take(r, "parameters");
		return 0;
	}
	/* A new group: the first parameters (the create's name, unless a
	 * retired group of another family holds it), or a family change. */
	name = pg_name(r);
	if (r->param_group)
		name = pg_name_for(r, family);
	else if (strs_has(r->retired, name) &&
		 (rc = ec_describe_cache_parameter_group(
			 r->o.c, r->o.cl, &p, name, &g)) != SVC_NOT_FOUND) {
		if (rc < 0)
			return -1;
		if (!g.family || strcmp(g.family, family))
			name = pg_name_for(r, family);
	}
	if (r->param_group && !strcmp(name, r->param_group))
		return diag_error(&r->o.c->diags, &p, "Parameter group gone",
				  "The custom parameter group %s was deleted "
				  "outside Terraform. Replace the cluster "
				  "(terraform apply -replace).", name);
	ctx_log(r->o.c, LOG_INFO,
		"secure_redis_cluster %s: new parameter group "
		"%s (%s)", r->o.id, name, family);
	if (make_param_group(r, name, family, false))
		return -1;
	r->pg_target = name;
	return 0;
}

/* Retired groups go once nothing uses them.  One ElastiCache still holds
 * (a change waiting for the maintenance window) stays retired for a later
 * apply or destroy. */
static int update_params_cleanup(struct rc *r, bool *unused)
{
	struct path p = ops_path(&r->o, "parameters");
	struct svc_strs keep = r->retired;
	size_t i, before;

	(void)unused;
	for (i = 0; i < keep.n; i++) {
		before = r->o.c->diags.len;
		if (ec_delete_cache_parameter_group(r->o.c, r->o.cl, &p,
						    keep.v[i]) >= 0) {
			retire(r, keep.v[i], false);
		} else if (diags_drop_error(&r->o.c->diags, before,
					"InvalidCacheParameterGroupState")) {
			ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: "
				"parameter group %s still in use; deleted by "
				"a later apply or destroy", r->o.id, keep.v[i]);
		} else {
			save_private(r);
			return -1;
		}
	}
	save_private(r);
	return 0;
}

/* ---- subnets ----
 * ModifyCacheSubnetGroup with the planned list, before anything else: AWS
 * refuses, changing nothing, to take out a subnet that cache nodes run in,
 * and that refusal must leave the whole cluster unchanged. */
static int update_subnets(struct rc *r, bool *unused)
{
	const char *name = ops_get_str(r->o.st, "subnet_group_name");
	struct svc_strs was, now, gone = { 0 };
	struct path p = ops_path(&r->o, "subnet_ids");
	size_t before, i;
	const char *aws;
	int rc;

	(void)unused;
	if (!attr_changes(r, "subnet_ids"))
		return 0;
	if (!name)
		name = ops_get_str(r->o.op->planned, "subnet_group_name");
	if (check_subnets(r, ops_get(r->o.op->planned, "subnet_ids")))
		return -1;
	was = strs_of(r->o.c->arena, ops_get(r->o.op->prior, "subnet_ids"));
	now = strs_of(r->o.c->arena, ops_get(r->o.op->planned, "subnet_ids"));
	gone.v = arena_calloc(r->o.c->arena, was.n + 1, sizeof(*gone.v));
	for (i = 0; i < was.n; i++)
		if (!strs_has(now, was.v[i]))
			gone.v[gone.n++] = was.v[i];
	before = r->o.c->diags.len;
	rc = ec_modify_cache_subnet_group(r->o.c, r->o.cl, &p, name, NULL, now,
					  NULL);
	if (rc == 0) {
		take(r, "subnet_ids");
		return 0;
	}
	if (rc == SVC_NOT_FOUND)
		return diag_error(&r->o.c->diags, &p, "Subnet group gone",
				  "The cache subnet group %s of %s does not "
				  "exist (deleted outside Terraform?), so its "
				  "subnets cannot change. Nothing was changed: "
				  "replace the cluster (terraform apply "
				  "-replace).", name, r->o.id);
	aws = r->o.c->diags.len == before + 1 ?
		r->o.c->diags.items[before].detail : NULL;
	if (!diags_drop_error(&r->o.c->diags, before, "SubnetInUse"))
		return -1;
	return diag_error(&r->o.c->diags, &p, "Subnet in use by the cluster",
			  "ElastiCache refused to take %s out of subnet group "
			  "%s: nodes of %s run in it (%s). Nothing was "
			  "changed. Keep the subnet in subnet_ids while "
			  "nodes use it; to leave it, first remove the nodes "
			  "placed there (for "
			  "example lower replicas_per_shard in one apply, then "
			  "change subnet_ids in the next), or replace the "
			  "cluster (terraform apply -replace).",
			  gone.n ? join_strs(r->o.c->arena, gone, ", ")
			  : "a subnet",
			  name, r->o.id, aws ? aws : "SubnetInUse");
}

/* One ModifyReplicationGroup with every replication-group setting that
 * changes (and log delivery when a log group was lost), then the wait for
 * `available`.  Node type changes wait for the maintenance window unless
 * apply_immediately; the state records the planned node type either way
 * (as AWS shows it once applied). */
static int update_replication_group(struct rc *r, bool redeliver)
{
	static const char *const attrs[] = {
		"description", "snapshot_window", "maintenance_window",
		"snapshot_retention_days", "node_type", "engine",
		"engine_version",
	};
	const struct value *pl = r->o.op->planned;
	struct ec_log_delivery logs[N_LOG_TYPES];
	struct ec_rg_modify in = { 0 };
	struct path p = ops_path(&r->o, "name");
	bool any = redeliver;
	size_t i;

	in.id = r->o.id;
	for (i = 0; i < N_OF(attrs); i++)
		if (attr_changes(r, attrs[i]) && !any) {
			p = ops_path(&r->o, attrs[i]);
			any = true;
		}
	if (r->pg_target && !any) {
		p = ops_path(&r->o, "parameters");
		any = true;
	}
	if (!any)
		return 0;
	/* The parameter group goes with the version: a family change needs
	 * both in one request. */
	in.parameter_group = r->pg_target;
	if (attr_changes(r, "description"))
		in.description = ops_get_str(pl, "description");
	if (attr_changes(r, "snapshot_window"))
		in.snapshot_window = ops_get_str(pl, "snapshot_window");
	if (attr_changes(r, "maintenance_window"))
		in.maintenance_window = ops_get_str(pl, "maintenance_window");
	if (attr_changes(r, "snapshot_retention_days"))
		in.snapshot_retention_limit = SVC_INT(ops_get_int(
			pl, "snapshot_retention_days",
			REDIS_CLUSTER_DEFAULT_SNAPSHOT_RETENTION_DAYS));
	if (attr_changes(r, "node_type"))
		in.node_type = ops_get_str(pl, "node_type");
	/* Upgrades only (plan replaces for a downgrade); AWS wants the
	 * version whenever the engine changes. */
	if (attr_changes(r, "engine"))
		in.engine = ops_get_str(pl, "engine");
	if (attr_changes(r, "engine") || attr_changes(r, "engine_version"))
		in.engine_version = ops_get_str(pl, "engine_version");
	if (redeliver) {
		memset(logs, 0, sizeof(logs));
		for (i = 0; i < N_LOG_TYPES; i++) {
			logs[i].log_type = log_types[i];
			logs[i].destination_type = "cloudwatch-logs";
			logs[i].log_group = redis_cluster_log_group_name(
				r->o.c->arena, r->o.id, log_types[i]);
			logs[i].log_format = "json";
			logs[i].enabled = SVC_TRUE;
		}
		in.log_delivery = logs;
		in.n_log_delivery = N_LOG_TYPES;
	}
	in.apply_immediately = want_now(r) ? SVC_TRUE : SVC_FALSE;
	/* A modification needs an available group (a previous apply may have
	 * stopped while it was modifying). */
	if (wait_available(r) ||
	    ec_modify_replication_group(r->o.c, r->o.cl, &p, &in, NULL) < 0)
		return -1;
	if (r->pg_target)
		attached(r);
	if (wait_available(r))
		return -1;
	for (i = 0; i < N_OF(attrs); i++)
		take(r, attrs[i]);
	take(r, "log_group_names");
	if (r->pg_target)
		take(r, "parameters");
	return 0;
}

/* Increase/DecreaseReplicaCount (always applied immediately), then the
 * wait; every shard gets the planned count. */
static int update_replicas(struct rc *r)
{
	struct path p = ops_path(&r->o, "replicas_per_shard");
	int64_t was = 0, want = 0;
	int rc;

	if (!attr_changes(r, "replicas_per_shard"))
		return 0;
	if (!value_get_int(ops_get(r->o.op->prior, "replicas_per_shard"),
			   &was) ||
	    !value_get_int(ops_get(r->o.op->planned, "replicas_per_shard"),
			   &want))
		return diag_error(&r->o.c->diags, &p, "Unknown replica count",
				  "replicas_per_shard must be known to change "
				  "it in place.");
	if (wait_available(r))
		return -1;
	if (want > was)
		rc = ec_increase_replica_count(r->o.c, r->o.cl, &p, r->o.id, (int)want,
					       NULL);
	else
		rc = ec_decrease_replica_count(r->o.c, r->o.cl, &p, r->o.id, (int)want,
					       (struct svc_strs){ 0 }, NULL);
	if (rc < 0 || wait_available(r))
		return -1;
	take(r, "replicas_per_shard");
	return 0;
}

/* Online resharding within cluster mode (the plan replaces the cluster
 * when the count crosses 1): more shards are added, fewer remove the last
 * ones (their slots move to the shards that stay). */
static int update_shards(struct rc *r, bool *unused)
{
	struct path p = ops_path(&r->o, "shards");
	struct svc_strs drop = { 0 };
	int64_t was = 0, want = 0;
	size_t i;

	(void)unused;
	if (!attr_changes(r, "shards"))
		return 0;
	if (!value_get_int(ops_get(r->o.op->prior, "shards"), &was) ||
	    !value_get_int(ops_get(r->o.op->planned, "shards"), &want) ||
	    was < 2 || want < 2)
		return diag_error(&r->o.c->diags, &p, "Cannot reshard in place",
				  "Resharding in place needs cluster mode on "
				  "both sides (2 or more shards).");
	if (wait_available(r))
		return -1;
	if (want < was) {
		if (r->rg.n_node_groups < (size_t)was)
			return diag_error(&r->o.c->diags, &p,
					  "Unexpected shard "
					  "count", "%s reports %zu shards, the "
					  "state %lld.", r->o.id,
					  r->rg.n_node_groups, (long long)was);
		drop.v = arena_calloc(r->o.c->arena, r->rg.n_node_groups,
				      sizeof(*drop.v));
		for (i = (size_t)want; i < r->rg.n_node_groups; i++)
			drop.v[drop.n++] = r->rg.node_groups[i].id;
	}
	if (ec_modify_shard_configuration(r->o.c, r->o.cl, &p, r->o.id,
					  (int)want,
					  drop, (struct svc_strs){ 0 }, NULL) < 0 ||
	    wait_available(r))
		return -1;
	take(r, "shards");
	return 0;
}

/* Results as AWS reports them after the steps. */
static int update_results(struct rc *r)
{
	struct path p = ops_path(&r->o, "id");
	size_t i;
	int rc;

	rc = ec_describe_replication_group(r->o.c, r->o.cl, &p, r->o.id,
					   &r->rg);
	if (rc == SVC_NOT_FOUND)
		return diag_error(&r->o.c->diags, &p, "Replication group "
				  "vanished", "%s disappeared during the "
				  "update.", r->o.id);
	if (rc < 0 || (rc = describe_first_node(r)) < 0)
		return -1;
	for (i = 0; i < N_OF(update_attrs); i++)
		take(r, update_attrs[i]);
	put_rg(r, rc == 0);
	/* Pending until the maintenance window without apply_immediately. */
	take(r, "node_type");
	take(r, "engine");
	return 0;
}

/* Sets the AUTH token: ROTATE adds `token` next to the current one, SET
 * makes it the only one; then the wait for `available`. */
static int modify_token(struct rc *r, const char *token, const char *strategy)
{
	struct path p = ops_path(&r->o, "auth_token_version");
	struct ec_rg_modify in = { 0 };

	in.id = r->o.id;
	in.auth_token = token;
	in.auth_token_update_strategy = strategy;
	in.apply_immediately = SVC_TRUE;
	if (wait_available(r) ||
	    ec_modify_replication_group(r->o.c, r->o.cl, &p, &in, NULL) < 0)
		return -1;
	return wait_available(r);
}

/* Phase 1 (`rotated`): a new token joins the current one (ROTATE), and
 * only once ElastiCache accepts both is it published in the secret, so
 * clients reading the secret always get a working token.  Should writing
 * the secret fail, the state keeps the previous phase and the next apply
 * rotates again (ROTATE keeps the token the secret still holds). */
static int rotate_token(struct rc *r, const char *secret)
{
	struct path p = ops_path(&r->o, "auth_token_version");
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (new_token(r, &p))
		return -1;
	ctx_log(r->o.c, LOG_INFO,
		"secure_redis_cluster %s: AUTH token rotation "
		"phase 1 (ROTATE: the previous token keeps working)", r->o.id);
	rc = modify_token(r, r->token, "ROTATE");
	if (!rc && sm_put_secret_value(r->o.c, r->o.cl, &p, secret, r->token,
				       NULL) < 0)
		rc = -1;
	OPENSSL_cleanse(r->token, REDIS_CLUSTER_TOKEN_LEN + 1);
	if (rc)
		return -1;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ops_put_str(&r->o, "auth_token_rotated_at", stamp);
	return 0;
}

/* Phase 2 (`retired`): the token the secret holds becomes the only one
 * (SET). */
static int retire_token(struct rc *r, const char *secret)
{
	struct path p = ops_path(&r->o, "auth_secret_arn");
	const char *token = NULL;
	int rc = sm_get_secret_value(r->o.c, r->o.cl, &p, secret, &token, NULL);

	if (rc == SVC_NOT_FOUND || (rc == 0 && (!token || !*token)))
		return diag_error(&r->o.c->diags, &p, "AUTH token secret "
				  "unreadable", "The secret %s holds no AUTH "
				  "token, so the previous token cannot be "
				  "retired. Nothing was changed.", secret);
	if (rc < 0)
		return -1;
	ctx_log(r->o.c, LOG_INFO,
		"secure_redis_cluster %s: AUTH token rotation "
		"phase 2 (SET: the previous token stops working)", r->o.id);
	return modify_token(r, token, "SET");
}

/* AUTH token -> RBAC: the user group joins and every token goes (DELETE)
 * in one modification, then the secret is deleted like destroy does. */
static int token_to_rbac(struct rc *r, const char *ug)
{
	struct path p = ops_path(&r->o, "user_group_id");
	struct ec_rg_modify in = { 0 };

	in.id = r->o.id;
	in.user_group_ids_to_add.v = &ug;
	in.user_group_ids_to_add.n = 1;
	in.auth_token_update_strategy = "DELETE";
	in.apply_immediately = SVC_TRUE;
	if (wait_available(r) ||
	    ec_modify_replication_group(r->o.c, r->o.cl, &p, &in, NULL) < 0 ||
	    wait_available(r))
		return -1;
	ops_put_str(&r->o, "user_group_id", ug);
	if (delete_secret(r))
		return -1;
	ops_put_null(&r->o, "auth_secret_arn");
	return 0;
}

/* One RBAC user group for another. */
static int swap_user_group(struct rc *r, const char *was, const char *ug)
{
	struct path p = ops_path(&r->o, "user_group_id");
	struct ec_rg_modify in = { 0 };

	in.id = r->o.id;
	in.user_group_ids_to_add.v = &ug;
	in.user_group_ids_to_add.n = 1;
	in.user_group_ids_to_remove.v = &was;
	in.user_group_ids_to_remove.n = 1;
	in.apply_immediately = SVC_TRUE;
	if (wait_available(r) ||
	    ec_modify_replication_group(r->o.c, r->o.cl, &p, &in, NULL) < 0 ||
	    wait_available(r))
		return -1;
	ops_put_str(&r->o, "user_group_id", ug);
	return 0;
}

/* RBAC -> AUTH token: a new token goes into the secret (created, or the
 * one a failed earlier attempt left in state), then the user group leaves
 * and the token arrives in one modification. */
static int rbac_to_token(struct rc *r, const char *was)
{
	struct path p = ops_path(&r->o, "auth_secret_arn");
	struct ec_rg_modify in = { 0 };
	const char *secret = ops_get_str(r->o.st, "auth_secret_arn");
	int rc;

	/* step_token makes a token only then */
	ops_put_null(&r->o, "user_group_id");
	if (secret) {
		rc = new_token(r, &p);
		if (!rc && sm_put_secret_value(r->o.c, r->o.cl, &p, secret,
					       r->token, NULL) < 0)
			rc = -1;
	} else {
		rc = step_token(r);
	}
	ops_put_str(&r->o, "user_group_id", was); /* until the group leaves */
	if (rc || !r->token) {
		if (r->token)
			OPENSSL_cleanse(r->token, REDIS_CLUSTER_TOKEN_LEN + 1);
		return -1;
	}
	in.id = r->o.id;
	in.user_group_ids_to_remove.v = &was;
	in.user_group_ids_to_remove.n = 1;
	in.auth_token = r->token;
	in.auth_token_update_strategy = "ROTATE";
	in.apply_immediately = SVC_TRUE;
	rc = wait_available(r);
	if (!rc)
		rc = ec_modify_replication_group(r->o.c, r->o.cl, &p, &in, NULL) < 0;
	OPENSSL_cleanse(r->token, REDIS_CLUSTER_TOKEN_LEN + 1);
	if (rc || wait_available(r))
		return -1;
	ops_put_null(&r->o, "user_group_id");
	return 0;
}

/* A new default version of the application policy (the plan left
 * app_policy_json unknown: its user group or secret changes).  Older
 * versions go first: IAM keeps at most five. */
static int update_app_policy(struct rc *r)
{
	const char *arn = ops_get_str(r->o.st, "app_policy_arn");
	struct path p = ops_path(&r->o, "app_policy_arn");
	struct iam_policy_version *vs = NULL;
	const char *account, *doc;
	size_t n = 0, i;

	if (!arn || !value_is_unknown(ops_get(r->o.op->planned,
					      "app_policy_json")))
		return 0;
	if (!(account = need_account(r)))
		return -1;
	doc = app_policy(r, account);
	if (same_json(doc, ops_get_str(r->o.st, "app_policy_json")))
		return 0;	/* re-created by update_policy */
	if (iam_list_policy_versions(r->o.c, r->o.cl, &p, arn, &vs, &n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!vs[i].is_default &&
		    iam_delete_policy_version(r->o.c, r->o.cl, &p, arn,
					      vs[i].version_id) < 0)
			return -1;
	if (iam_create_policy_version(r->o.c, r->o.cl, &p, arn, doc, true,
				      NULL))
		return -1;
	ops_put_str(&r->o, "app_policy_json", doc);
	return 0;
}

/* Authentication: RBAC user group attach / detach / swap, then the
 * policy that names it. */
static int update_auth_mode(struct rc *r, bool *unused)
{
	const char *was = ops_get_str(r->o.op->prior, "user_group_id");
	const char *want = ops_get_str(r->o.op->planned, "user_group_id");
	int rc = 0;

	(void)unused;
	if (!attr_changes(r, "user_group_id"))
		return update_app_policy(r);
	if (!was && want)
		rc = token_to_rbac(r, want);
	else if (was && want)
		rc = swap_user_group(r, was, want);
	else if (was)
		rc = rbac_to_token(r, was);
	if (rc)
		return -1;
	take(r, "auth_token_version");
	take(r, "auth_token_rotation_phase");
	take(r, "auth_token_rotated_at");
	return update_app_policy(r);
}

/* The token phase the plan asks for, if it differs from the state's. */
static int update_token(struct rc *r, bool *unused)
{
	const char *was = ops_get_str(r->o.op->prior,
				      "auth_token_rotation_phase");
	const char *want = ops_get_str(r->o.op->planned,
				   "auth_token_rotation_phase");
	const char *secret = ops_get_str(r->o.st, "auth_secret_arn");
	struct path p = ops_path(&r->o, "auth_token_version");
	int rc;

	(void)unused;
	if (!want || (was && !strcmp(was, want)) ||
	    attr_changes(r, "user_group_id"))
		return 0;	/* update_auth_mode's */
	if (!secret)
		return diag_error(&r->o.c->diags, &p, "No AUTH token secret",
				  "The cluster has no token secret in state, "
				  "so its token cannot be rotated.");
	if (!strcmp(want, REDIS_CLUSTER_PHASE_ROTATED))
		rc = rotate_token(r, secret);
	else if (!strcmp(want, REDIS_CLUSTER_PHASE_RETIRED))
		rc = retire_token(r, secret);
	else
		return 0;	/* "created": only with user_group_id (refused) */
	if (rc)
		return -1;
	take(r, "auth_token_version");
	take(r, "auth_token_rotation_phase");
	take(r, "auth_token_rotated_at");
	return 0;
}

/* The plan re-creates a token secret that read found deleted.  One
 * scheduled for deletion (a DeleteSecret with a recovery window) still
 * holds the token: it is restored.  One deleted for good took the token
 * with it: a new token goes into a new secret, then becomes the only
 * token the cluster accepts (SET; whoever deleted the secret may hold the
 * old one).  Should SET fail, the state still has no secret, and the next
 * apply finds the new secret and SETs the token it holds. */
static int update_secret(struct rc *r, bool *unused)
{
	struct path p = ops_path(&r->o, "auth_secret_arn");
	const char *name = secret_name(r), *token = NULL, *arn;
	struct sm_secret s;
	int rc;

	(void)unused;
	if (ops_get_str(r->o.op->prior, "auth_secret_arn") ||
	    !value_is_unknown(ops_get(r->o.op->planned, "auth_secret_arn")) ||
	    attr_changes(r, "user_group_id"))
		return 0;	/* leaving RBAC: update_auth_mode makes one */
	rc = sm_describe_secret(r->o.c, r->o.cl, &p, name, &s);
	if (rc < 0)
		return -1;
	if (rc == 0 && !svc_tags_has(s.tags.v, s.tags.n, REDIS_CLUSTER_TAG_KEY,
				     r->o.id))
		return diag_error(&r->o.c->diags, &p, "Secret name in use",
				  "The AUTH token secret of %s was deleted, "
				  "and a secret named %s that does not belong "
				  "to it exists now. Nothing was changed: "
				  "delete or rename that secret.", r->o.id,
				  name);
	if (rc == 0 && s.deleted_date) {
		ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: restoring "
			"its AUTH token secret", r->o.id);
		if (sm_restore_secret(r->o.c, r->o.cl, &p, name) < 0 ||
		    (r->kms_arn && sm_update_secret(r->o.c, r->o.cl, &p, name,
						    NULL, r->kms_arn) < 0))
			return -1;
		ops_put_str(&r->o, "auth_secret_arn", s.arn);
		return 0;
	}
	if (rc == SVC_NOT_FOUND) {
		ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: its AUTH "
			"token secret was deleted for good; a new token "
			"replaces the lost one", r->o.id);
		if (new_token(r, &p) || create_secret(r, &p, &arn))
			return -1;
		token = r->token;
	} else {
		arn = s.arn;
		rc = sm_get_secret_value(r->o.c, r->o.cl, &p, name, &token,
					 NULL);
		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND || !token || !*token)
			return diag_error(&r->o.c->diags, &p,
					  "AUTH token secret "
					  "unreadable", "The secret %s holds no "
					  "AUTH token. Nothing was changed: "
					  "delete it for good (without a "
					  "recovery window) and apply again.",
					  name);
	}
	rc = modify_token(r, token, "SET");
	if (r->token)
		OPENSSL_cleanse(r->token, REDIS_CLUSTER_TOKEN_LEN + 1);
	if (rc)
		return -1;
	ops_put_str(&r->o, "auth_secret_arn", arn);
	return 0;
}

/* The cluster's own security group, deleted outside Terraform (AWS
 * refuses while it is in use, so it was detached first), comes back with
 * the planned sources; and the replication group moves onto it alone,
 * also when refresh found it detached or sharing the cluster with another
 * group (a failed earlier attempt included). */
static int update_security_group(struct rc *r, bool *unused)
{
	struct path p = ops_path(&r->o, "security_group_id");
	struct ec_rg_modify in = { 0 };
	const char *sg = ops_get_str(r->o.op->prior, "security_group_id");

	(void)unused;
	if (!value_is_unknown(ops_get(r->o.op->planned, "security_group_id")))
		return 0;
	if (!sg) {
		ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: "
			"re-creating its security group", r->o.id);
		take(r, "allowed_security_group_ids");
		take(r, "allowed_cidr_blocks");
		if (step_subnets(r) || step_security_group(r))
			return -1;
		sg = ops_get_str(r->o.st, "security_group_id");
	}
	ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: back on its "
		"security group %s alone", r->o.id, sg);
	in.id = r->o.id;
	in.security_group_ids = (struct svc_strs){ .v = &sg, .n = 1 };
	in.apply_immediately = SVC_TRUE;
	if (wait_available(r) ||
	    ec_modify_replication_group(r->o.c, r->o.cl, &p, &in, NULL) < 0 ||
	    wait_available(r))
		return -1;
	ops_put_str(&r->o, "security_group_id", sg);
	r->sg_drifted = false;
	save_private(r);
	return 0;
}

/* SSM parameters deleted, or changed (value, type, key) outside
 * Terraform, are written again: overwritten when they exist. */
static int update_ssm(struct rc *r, bool *unused)
{
	const struct value *have = ops_get(r->o.st, "ssm_parameter_arns");
	const char *arns[2] = { 0 }, *vals[2];
	struct path p = ops_path(&r->o, "ssm_parameter_arns");
	size_t i;

	(void)unused;
	if (!value_is_unknown(ops_get(r->o.op->planned, "ssm_parameter_arns")))
		return 0;
	if (value_get_string(value_map_get(have, ssm_keys[0]), &arns[0]) &&
	    value_get_string(value_map_get(have, ssm_keys[1]), &arns[1]))
		return 0;	/* made again by this apply's other steps */
	if (wait_available(r))
		return -1;
	vals[0] = main_endpoint(r);
	vals[1] = arena_sprintf(r->o.c->arena, "%d", rg_port(r));
	for (i = 0; i < 2; i++) {
		const struct value *v = have && value_is_known(have) ?
			value_map_get(have, ssm_keys[i]) : NULL;
		struct ssm_parameter got;
		struct ssm_put in = { 0 };
		int rc;

		if (v && value_get_string(v, &arns[i]))
			continue;
		in.name = ssm_name(r, ssm_keys[i]);
		rc = ssm_get_parameter(r->o.c, r->o.cl, &p, in.name, false,
				       &got);
		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND)
			rc = put_ssm(r, ssm_keys[i], vals[i], &arns[i]);
		else {
			ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: "
				"restoring SSM parameter %s", r->o.id, in.name);
			in.value = vals[i];
			in.type = "SecureString";
			in.key_id = r->kms_arn;
			in.overwrite = true;
			rc = ssm_put_parameter(r->o.c, r->o.cl, &p, &in, NULL);
			arns[i] = got.arn;
		}
		if (rc)
			return -1;
		ops_put(&r->o, "ssm_parameter_arns",
		    map_of(r->o.c->arena, 2, ssm_keys, arns));
	}
	return 0;
}

/* The application policy deleted outside Terraform is created again
 * (update_app_policy then rewrites it only if the auth mode changes). */
static int update_policy(struct rc *r, bool *unused)
{
	(void)unused;
	if (ops_get_str(r->o.st, "app_policy_arn") ||
	    !value_is_unknown(ops_get(r->o.op->planned, "app_policy_arn")))
		return 0;
	ctx_log(r->o.c, LOG_INFO, "secure_redis_cluster %s: re-creating its "
		"application policy", r->o.id);
	return step_policy(r);
}

static int update_tags_step(struct rc *r, bool *unused)
{
	(void)unused;
	return update_tags(r);
}

static int update_rotation_step(struct rc *r, bool *unused)
{
	(void)unused;
	return update_key_rotation(r);
}

static int update_ingress_step(struct rc *r, bool *unused)
{
	(void)unused;
	return update_ingress(r);
}

static int update_rg_step(struct rc *r, bool *redeliver)
{
	return update_replication_group(r, *redeliver);
}

static int update_replicas_step(struct rc *r, bool *unused)
{
	(void)unused;
	return update_replicas(r);
}

typedef int update_step_fn(struct rc *r, bool *redeliver);

/* The subnets first (ElastiCache may refuse to drop one that nodes use:
 * nothing has changed yet), then the other sub-resources (nothing there
 * needs the group to be available), then the replication group's own
 * modifications one at a time, and what follows from them (the SSM
 * parameters with the endpoint, the policy naming the user group). */
static update_step_fn *const update_steps[] = {
	update_subnets, update_secret, update_security_group, update_tags_step,
	update_rotation_step, update_ingress_step, update_log_groups,
	update_params, update_rg_step, update_params_cleanup, update_shards,
	update_replicas_step, update_ssm, update_policy, update_auth_mode,
	update_token,
};

int redis_cluster_update(struct ctx *c, struct resource_op *op)
{
	bool redeliver = false;
	struct rc r;
	size_t i;
	int rc = 0;

	if (rc_init(&r, c, op, op->planned))
		return -1;
	r.o.st = known_only(c->arena, op->prior);
	r.kms_arn = ops_get_str(op->prior, "kms_key_arn");
	load_private(&r, op->prior_private);
	if (r.param_group || r.retired.n)
		save_private(&r);
	if (refuse_unsupported(&r)) {
		op->new_state = op->prior;
		return -1;
	}
	take_bookkeeping(&r);
	for (i = 0; i < N_OF(update_steps) && !rc; i++) {
		if (ctx_cancelled(c)) {
			rc = cancelled(&r, "updating the cluster");
			break;
		}
		rc = update_steps[i](&r, &redeliver);
	}
	if (!rc)
		rc = update_results(&r);
	op->new_state = known_only(c->arena, r.o.st);
	ctx_log(c, rc ? LOG_WARN : LOG_INFO, "secure_redis_cluster %s: update "
		"%s", r.o.id, rc ? "failed; the state records the steps that "
		"succeeded" : "done");
	return rc ? -1 : 0;
}
