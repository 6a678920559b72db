/*
 * test_redis_cluster.c - secure_redis_cluster part 1: the schema, validate()
 * (every refused configuration, with its attribute path), plan (defaults,
 * lowercase ids, tags_all, requires_replace, token rotation phases), and
 * the shared AWS syntax checks of resources/aws_validate.c.
 *
 * Plans run the same pipeline as PlanResourceChange (provider/
 * rpc_resource.c): Terraform's proposed state, the generic planner, the
 * resource's hook, requires_replace, then Terraform's validity checks.
 */
#include "tests/check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "resources/aws_validate.h"
#include "resources/redis_cluster.h"
#include "schema/codec.h"
#include "schema/plan.h"
#include "schema/schema.h"
#include "schema/value.h"

static struct arena *A;
static const struct type *T;
static const struct schema_block *B;
static const struct type map_str = TYPE_MAP_OF(&type_string);
static const struct type set_str = TYPE_SET_OF(&type_string);

/* ---- value builders ---- */

static const struct value *S(const char *s)
{
	return value_string(A, s);
}

static const struct value *N(int64_t n)
{
	return value_int(A, n);
}

static const struct value *U(const char *name)
{
	return value_unknown(A, T->types[type_attr_index(T, name)]);
}

static const struct value *NUL(const char *name)
{
	return value_null(A, T->types[type_attr_index(T, name)]);
}

/* A set of strings from a NULL-terminated list. */
static const struct value *SET(const char *first, ...)
{
	const struct value *items[64];
	const char *s;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (s = first; s && n < 64; s = va_arg(ap, const char *))
		items[n++] = S(s);
	va_end(ap);
	return value_set(A, &type_string, n, items);
}

/* A map of strings from NULL-terminated key, value pairs. */
static const struct value *MAP(const char *first, ...)
{
	const struct value *items[64];
	const char *keys[64], *k;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (k = first; k && n < 64; k = va_arg(ap, const char *)) {
		keys[n] = k;
		items[n++] = S(va_arg(ap, const char *));
	}
	va_end(ap);
	return value_map(A, &type_string, n, keys, items);
}

static const struct value *with(const struct value *o, const char *name,
				const struct value *v)
{
	return value_with_attr(A, o, name, v);
}

/* The smallest valid configuration. */
static const struct value *base(void)
{
	const struct value **items = arena_calloc(A, T->n, sizeof(*items));
	const struct value *o;
	size_t i;

	for (i = 0; i < T->n; i++)
		items[i] = value_null(A, T->types[i]);
	o = value_object(A, T, items);
	o = with(o, "name", S("orders-cache"));
	o = with(o, "node_type", S("cache.r7g.large"));
	o = with(o, "subnet_ids", SET("subnet-0123456789abcdef0",
				      "subnet-0123456789abcdef1", NULL));
	o = with(o, "allowed_security_group_ids",
		 SET("sg-0123456789abcdef0", NULL));
	return o;
}

/* ---- validate ---- */

struct vresult {
	size_t errors, warnings;
	char paths[16][64];	/* error paths */
	size_t n_paths;
	char detail[1024];	/* first error's detail */
};

static struct vresult validate(const struct value *cfg)
{
	struct resource_op op = { .config = cfg };
	struct vresult r = { 0 };
	struct ctx c;
	size_t i;

	ctx_init(&c, "ValidateResourceConfig", NULL);
	redis_cluster_resource.validate(&c, &op);
	for (i = 0; i < c.diags.len; i++) {
		const struct diag *d = &c.diags.items[i];

		if (d->severity == DIAG_WARNING) {
			r.warnings++;
			continue;
		}
		if (r.errors == 0)
			snprintf(r.detail, sizeof(r.detail), "%s: %s",
				 d->summary, d->detail);
		r.errors++;
		if (r.n_paths < 16)
			snprintf(r.paths[r.n_paths++], 64, "%s",
				 d->has_path ? path_string(c.arena, d->path) :
				 "(no path)");
	}
	ctx_release(&c);
	return r;
}

/* One error exactly, on path; returns whether it held (prints if not). */
static bool refused_at(const struct value *cfg, const char *path,
		       const char *why)
{
	struct vresult r = validate(cfg);

	if (r.errors == 1 && strcmp(r.paths[0], path) == 0)
		return true;
	fprintf(stderr, "  %s: want 1 error at %s, got %zu (first at %s: "
		"%s)\n", why, path, r.errors, r.n_paths ? r.paths[0] : "-",
		r.detail);
	return false;
}

static bool accepted(const struct value *cfg, const char *why)
{
	struct vresult r = validate(cfg);

	if (r.errors == 0)
		return true;
	fprintf(stderr, "  %s: unexpected error at %s: %s\n", why, r.paths[0],
		r.detail);
	return false;
}

static void test_schema_well_formed(void)
{
	static const char *const required_names[] = {
		"name", "description", "engine", "engine_version", "node_type",
		"shards", "replicas_per_shard", "port", "subnet_ids",
		"allowed_security_group_ids", "allowed_cidr_blocks",
		"kms_key_arn", "user_group_id", "parameters",
		"maintenance_window", "snapshot_window",
		"snapshot_retention_days", "log_retention_days",
		"apply_immediately", "tags", "tags_all",
		"kms_deletion_window_days", "secret_recovery_window_days",
		"auth_token_version", "auth_token_rotation_phase", "arn",
		"primary_endpoint", "reader_endpoint",
		"configuration_endpoint", "security_group_id",
		"subnet_group_name", "auth_secret_arn", "log_group_names",
		"ssm_parameter_arns", "app_policy_arn", "app_policy_json",
		"engine_version_actual", "member_clusters", "id",
	};
	static const char *const force_new[] = { "name", "port",
						 "kms_key_arn" };
	size_t i, j;

	CHECK_STR(redis_cluster_resource.type_name, "secure_redis_cluster");
	CHECK(B->description && strlen(B->description) > 20);
	CHECK(T != NULL);
	for (i = 0; i < B->n_attrs; i++) {
		const struct schema_attr *at = &B->attrs[i];
		unsigned f = at->flags;

		CHECK(at->description && strlen(at->description) >= 10);
		CHECK(at->type != NULL && at->nested == NULL);
		/* required xor optional, or computed only */
		CHECK(!!(f & ATTR_REQUIRED) + !!(f & ATTR_OPTIONAL) +
		      ((f & (ATTR_REQUIRED | ATTR_OPTIONAL)) ? 0 :
		       !!(f & ATTR_COMPUTED)) == 1);
		CHECK(!((f & ATTR_REQUIRED) && (f & ATTR_COMPUTED)));
		/* force-new makes no sense on a result */
		CHECK(!(f & ATTR_FORCE_NEW) ||
		      (f & (ATTR_REQUIRED | ATTR_OPTIONAL)));
		for (j = 0; at->name[j]; j++)
			CHECK((at->name[j] >= 'a' && at->name[j] <= 'z') ||
			      at->name[j] == '_');
		for (j = 0; j < i; j++)
			CHECK(strcmp(B->attrs[j].name, at->name) != 0);
	}
	for (i = 0; i < sizeof(required_names) / sizeof(required_names[0]);
	     i++) {
		const struct schema_attr *at = schema_find_attr(B,
							required_names[i]);
		if (!at)
			fprintf(stderr, "  missing attribute %s\n",
				required_names[i]);
		CHECK(at != NULL);
	}
	for (i = 0; i < 3; i++)
		CHECK(schema_find_attr(B, force_new[i])->flags &
		      ATTR_FORCE_NEW);
	CHECK(schema_find_attr(B, "name")->flags & ATTR_REQUIRED);
	CHECK(schema_find_attr(B, "id")->flags == ATTR_COMPUTED);
	CHECK(schema_find_attr(B, "port")->flags & ATTR_COMPUTED);
	CHECK(type_equal(schema_find_attr(B, "subnet_ids")->type, &set_str));
	CHECK(type_equal(schema_find_attr(B, "tags")->type, &map_str));
	CHECK(schema_find_block(B, "timeouts") != NULL);
	CHECK_INT(redis_cluster_resource.timeout_create_ms, 60 * 60 * 1000);
	CHECK_INT(redis_cluster_resource.timeout_update_ms, 60 * 60 * 1000);
	CHECK_INT(redis_cluster_resource.timeout_delete_ms, 40 * 60 * 1000);
	/* not usable before its lifecycle exists */
	CHECK(resource_find("secure_redis_cluster") == NULL ||
	      redis_cluster_resource.create != NULL);
	/* base() conforms to the implied type */
	CHECK(value_conforms(base(), T));
}

static void test_valid_configs(void)
{
	const struct value *full = base();
	struct vresult r;

	r = validate(base());
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.warnings, 0);

	full = with(full, "description", S("orders"));
	full = with(full, "engine", S("valkey"));
	full = with(full, "engine_version", S("8.0"));
	full = with(full, "node_type", S("cache.m7g.12xlarge"));
	full = with(full, "shards", N(3));
	full = with(full, "replicas_per_shard", N(2));
	full = with(full, "port", N(6380));
	full = with(full, "subnet_ids", SET("subnet-01234567",
					    "subnet-89abcdef",
					    "subnet-0123456789abcdef2", NULL));
	full = with(full, "allowed_cidr_blocks",
		    SET("10.0.0.0/16", "172.16.0.0/12", "192.168.10.0/24",
			"100.64.0.0/10", "fd00:1234::/32", "10.1.2.3/32",
			NULL));
	full = with(full, "kms_key_arn", S("arn:aws:kms:eu-west-1:"
		"111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
	full = with(full, "parameters", MAP("maxmemory-policy", "allkeys-lru",
					    "notify-keyspace-events", "",
					    NULL));
	full = with(full, "maintenance_window", S("sun:23:00-mon:01:30"));
	full = with(full, "snapshot_window", S("03:00-04:00"));
	full = with(full, "snapshot_retention_days", N(35));
	full = with(full, "log_retention_days", N(731));
	full = with(full, "apply_immediately", value_bool(A, true));
	full = with(full, "secret_recovery_window_days", N(0));
	full = with(full, "auth_token_version", N(3));
	full = with(full, "auth_token_retire_previous", value_bool(A, false));
	full = with(full, "auth_token_grace_period", S("24h"));
	full = with(full, "tags", MAP("team", "payments", "cost-center",
				      "42 / eu@x", NULL));
	r = validate(full);
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.warnings, 0);
	if (r.errors)
		fprintf(stderr, "  %s: %s\n", r.paths[0], r.detail);

	CHECK(accepted(with(base(), "engine_version", S("6.x")), "6.x"));
	CHECK(accepted(with(base(), "engine_version", S("6.2")), "6.2"));
	CHECK(accepted(with(with(base(), "engine", S("valkey")),
			    "engine_version", S("7.2")), "valkey 7.2"));
	CHECK(accepted(with(base(), "user_group_id", S("app-users")),
		       "RBAC"));
	CHECK(accepted(with(base(), "kms_key_arn", S("arn:aws-us-gov:kms:"
		"us-gov-west-1:111122223333:key/"
		"mrk-1234abcd12ab34cd56ef1234567890ab")), "multi-Region key"));
	CHECK(accepted(with(base(), "node_type", S("cache.t4g.micro")),
		       "t4g"));
	CHECK(accepted(with(base(), "port", N(1024)), "port 1024"));
	CHECK(accepted(with(base(), "secret_recovery_window_days", N(7)),
		       "recovery 7"));
	CHECK(accepted(with(base(), "name", S("a")), "one letter"));
	CHECK(accepted(with(base(), "name",
			    S("a234567890123456789012345678901234567890")),
		       "40 characters"));
	/* 35 shards x 6 nodes = 210 nodes, within 500 */
	CHECK(accepted(with(with(base(), "shards", N(35)),
			    "replicas_per_shard", N(5)), "210 nodes"));
}

struct bad {
	const char *attr;
	const struct value *(*make)(void);
};

static void test_invalid_configs(void)
{
	struct {
		const char *attr, *path, *why;
		const struct value *v;
	} cases[] = {
		{ "name", "name", "empty name", S("") },
		{ "name", "name", "starts with digit", S("1cache") },
		{ "name", "name", "41 characters",
		  S("a2345678901234567890123456789012345678901") },
		{ "name", "name", "trailing hyphen", S("cache-") },
		{ "name", "name", "double hyphen", S("my--cache") },
		{ "name", "name", "underscore", S("my_cache") },
		{ "name", "name", "upper case", S("Orders-Cache") },
		{ "description", "description", "empty description", S("") },
		{ "engine", "engine", "memcached", S("memcached") },
		{ "engine", "engine", "Redis capitalised", S("Redis") },
		{ "engine_version", "engine_version", "redis 6.0 (no engine "
		  "log)", S("6.0") },
		{ "engine_version", "engine_version", "redis 5.0", S("5.0") },
		{ "engine_version", "engine_version", "patch level",
		  S("7.0.7") },
		{ "engine_version", "engine_version", "garbage", S("latest") },
		{ "engine_version", "engine_version", "7.x", S("7.x") },
		{ "engine_version", "engine_version", "leading zero",
		  S("07.1") },
		{ "node_type", "node_type", "old family t1",
		  S("cache.t1.micro") },
		{ "node_type", "node_type", "old family m1",
		  S("cache.m1.small") },
		{ "node_type", "node_type", "old family m2",
		  S("cache.m2.xlarge") },
		{ "node_type", "node_type", "old family c1",
		  S("cache.c1.xlarge") },
		{ "node_type", "node_type", "no cache. prefix",
		  S("r7g.large") },
		{ "node_type", "node_type", "bad size",
		  S("cache.r7g.huge") },
		{ "node_type", "node_type", "1xlarge", S("cache.r7g.1xlarge") },
		{ "node_type", "node_type", "upper case",
		  S("cache.R7G.large") },
		{ "shards", "shards", "0 shards", N(0) },
		{ "shards", "shards", "501 shards", N(501) },
		{ "replicas_per_shard", "replicas_per_shard", "0 replicas",
		  N(0) },
		{ "replicas_per_shard", "replicas_per_shard", "6 replicas",
		  N(6) },
		{ "port", "port", "port 80", N(80) },
		{ "port", "port", "port 70000", N(70000) },
		{ "port", "port", "fractional port",
		  value_number(A, (struct number){ .kind = NUMBER_FLOAT,
						   .f = 6379.5 }) },
		{ "subnet_ids", "subnet_ids", "one subnet",
		  SET("subnet-0123456789abcdef0", NULL) },
		{ "subnet_ids", "subnet_ids", "bad subnet id",
		  SET("subnet-0123456789abcdef0", "subnet-XYZ", NULL) },
		{ "allowed_security_group_ids", "allowed_security_group_ids",
		  "group name", SET("default", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks", "0.0.0.0/0",
		  SET("0.0.0.0/0", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks", "::/0",
		  SET("::/0", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks", "public v4",
		  SET("8.8.8.0/24", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks",
		  "too wide: 10/7 contains public", SET("10.0.0.0/7", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks",
		  "172.32/16 outside 172.16/12", SET("172.32.0.0/16", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks", "public v6",
		  SET("2001:db8::/32", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks",
		  "host bits set", SET("10.0.0.1/16", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks", "no prefix",
		  SET("10.0.0.0", NULL) },
		{ "allowed_cidr_blocks", "allowed_cidr_blocks",
		  "prefix > 32", SET("10.0.0.0/33", NULL) },
		{ "kms_key_arn", "kms_key_arn", "alias ARN",
		  S("arn:aws:kms:eu-west-1:111122223333:alias/my-key") },
		{ "kms_key_arn", "kms_key_arn", "bare key id",
		  S("1234abcd-12ab-34cd-56ef-1234567890ab") },
		{ "kms_key_arn", "kms_key_arn", "short account",
		  S("arn:aws:kms:eu-west-1:1111:key/"
		    "1234abcd-12ab-34cd-56ef-1234567890ab") },
		{ "kms_key_arn", "kms_key_arn", "not kms",
		  S("arn:aws:s3:eu-west-1:111122223333:key/"
		    "1234abcd-12ab-34cd-56ef-1234567890ab") },
		{ "user_group_id", "user_group_id", "bad id", S("-users") },
		{ "user_group_id", "user_group_id", "upper case", S("Users") },
		{ "parameters", "parameters[\"cluster-enabled\"]",
		  "cluster-enabled", MAP("cluster-enabled", "yes", NULL) },
		{ "parameters", "parameters[\"Max Memory\"]", "bad name",
		  MAP("Max Memory", "1", NULL) },
		{ "maintenance_window", "maintenance_window", "format",
		  S("sunday:05:00-sunday:06:00") },
		{ "maintenance_window", "maintenance_window", "30 minutes",
		  S("sun:05:00-sun:05:30") },
		{ "maintenance_window", "maintenance_window", "25 hours",
		  S("sun:05:00-mon:06:00") },
		{ "maintenance_window", "maintenance_window", "hour 24",
		  S("sun:24:00-mon:01:00") },
		{ "snapshot_window", "snapshot_window", "59 minutes",
		  S("05:00-05:59") },
		{ "snapshot_window", "snapshot_window", "format",
		  S("5:00-6:00") },
		{ "snapshot_retention_days", "snapshot_retention_days",
		  "0 disables backups", N(0) },
		{ "snapshot_retention_days", "snapshot_retention_days",
		  "36 days", N(36) },
		{ "log_retention_days", "log_retention_days", "2 days", N(2) },
		{ "log_retention_days", "log_retention_days", "0 days", N(0) },
		{ "kms_deletion_window_days", "kms_deletion_window_days",
		  "6 days", N(6) },
		{ "kms_deletion_window_days", "kms_deletion_window_days",
		  "31 days", N(31) },
		{ "secret_recovery_window_days", "secret_recovery_window_days",
		  "3 days", N(3) },
		{ "secret_recovery_window_days", "secret_recovery_window_days",
		  "31 days", N(31) },
		{ "tags", "tags[\"aws:owner\"]", "aws: prefix",
		  MAP("aws:owner", "me", NULL) },
		{ "tags", "tags[\"AWS:owner\"]", "AWS: prefix",
		  MAP("AWS:owner", "me", NULL) },
		{ "tags", "tags[\"secure:redis-cluster\"]", "reserved key",
		  MAP("secure:redis-cluster", "x", NULL) },
		{ "tags", "tags[\"a\"]", "bad character in value",
		  MAP("a", "x#y", NULL) },
		{ "tags", "tags[\"\"]", "empty key", MAP("", "x", NULL) },
		{ "auth_token_version", "auth_token_version", "version 0",
		  N(0) },
		{ "auth_token_grace_period", "auth_token_grace_period",
		  "not a duration", S("one day") },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = refused_at(with(base(), cases[i].attr, cases[i].v),
				     cases[i].path, cases[i].why);
		CHECK(ok);
	}
}

static void test_cross_field_rules(void)
{
	const struct value *c;
	const char *keys[60];
	const struct value *vals[60];
	char buf[60][8];
	struct vresult r;
	size_t i;

	/* valkey below 7.2 */
	c = with(with(base(), "engine", S("valkey")), "engine_version",
		 S("7.1"));
	CHECK(refused_at(c, "engine_version", "valkey 7.1"));
	/* 100 shards x 6 nodes = 600 > 500 */
	c = with(with(base(), "shards", N(100)), "replicas_per_shard", N(5));
	CHECK(refused_at(c, "shards", "600 nodes"));
	/* overlapping windows: daily 05:30 meets sun:05:00-sun:06:00 */
	c = with(with(base(), "maintenance_window", S("sun:05:00-sun:06:00")),
		 "snapshot_window", S("05:30-06:30"));
	CHECK(refused_at(c, "snapshot_window", "overlap"));
	/* overlap across midnight and the week boundary */
	c = with(with(base(), "maintenance_window", S("sat:23:30-sun:00:30")),
		 "snapshot_window", S("23:00-00:00"));
	CHECK(refused_at(c, "snapshot_window", "overlap around the week"));
	c = with(with(base(), "maintenance_window", S("sun:05:00-sun:06:00")),
		 "snapshot_window", S("06:00-07:00"));
	CHECK(accepted(c, "adjacent windows"));
	/* token settings with a user group */
	c = with(with(base(), "user_group_id", S("app-users")),
		 "auth_token_version", N(2));
	CHECK(refused_at(c, "user_group_id", "token + RBAC"));
	/* 50 tags: one too many, the provider adds one */
	for (i = 0; i < 50; i++) {
		snprintf(buf[i], sizeof(buf[i]), "k%02zu", i);
		keys[i] = buf[i];
		vals[i] = S("v");
	}
	c = with(base(), "tags", value_map(A, &type_string, 50, keys, vals));
	CHECK(refused_at(c, "tags", "50 tags"));
	c = with(base(), "tags", value_map(A, &type_string, 49, keys, vals));
	CHECK(accepted(c, "49 tags"));
	/* warnings, not errors */
	r = validate(with(with(base(), "kms_key_arn", S("arn:aws:kms:"
		"eu-west-1:111122223333:key/"
		"1234abcd-12ab-34cd-56ef-1234567890ab")),
		"kms_deletion_window_days", N(10)));
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.warnings, 1);
	r = validate(with(base(), "allowed_security_group_ids",
			  NUL("allowed_security_group_ids")));
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.warnings, 1);	/* nobody can connect */
	r = validate(with(base(), "node_type", S("cache.r9x.large")));
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.warnings, 1);	/* unknown family */
}

static void test_collects_every_error(void)
{
	const struct value *c = base();
	struct vresult r;

	c = with(c, "name", S("Bad_Name"));
	c = with(c, "replicas_per_shard", N(0));
	c = with(c, "allowed_cidr_blocks", SET("0.0.0.0/0", "::/0", NULL));
	c = with(c, "snapshot_retention_days", N(0));
	c = with(c, "log_retention_days", N(2));
	c = with(c, "subnet_ids", SET("subnet-0123456789abcdef0", NULL));
	r = validate(c);
	CHECK_INT(r.errors, 7);	/* two CIDRs */
	CHECK_STR(r.paths[0], "name");
}

static void test_unknown_values_skipped(void)
{
	const struct value *c = base();
	size_t i;

	/* every argument unknown at once, and each one alone */
	for (i = 0; i < B->n_attrs; i++) {
		const struct schema_attr *at = &B->attrs[i];

		if (!(at->flags & (ATTR_REQUIRED | ATTR_OPTIONAL)))
			continue;
		CHECK(accepted(with(base(), at->name, U(at->name)),
			       at->name));
		c = with(c, at->name, U(at->name));
	}
	CHECK(accepted(c, "all unknown"));
	/* unknown elements inside known collections */
	CHECK(accepted(with(base(), "allowed_cidr_blocks",
			    value_set(A, &type_string, 1,
				      (const struct value *[]){
					      value_unknown(A, &type_string) })),
		       "unknown CIDR"));
	CHECK(accepted(with(base(), "subnet_ids",
			    value_set(A, &type_string, 2,
				      (const struct value *[]){
					      S("subnet-01234567"),
					      value_unknown(A, &type_string) })),
		       "unknown subnet"));
	/* the whole configuration unknown */
	CHECK(accepted(value_unknown(A, T), "unknown object"));
	/* engine unknown: the version format is still checked */
	CHECK(refused_at(with(with(base(), "engine", U("engine")),
			      "engine_version", S("7")), "engine_version",
			 "format with unknown engine"));
}

/* Odd strings in every string argument: errors or acceptance, never a
 * crash (run under ASan/valgrind by make asan / VALGRIND=). */
static void test_odd_strings(void)
{
	char big[5000];
	const struct value *odd[6];
	size_t i, j;

	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	odd[0] = S("");
	odd[1] = S(big);
	odd[2] = value_stringn(A, "ab\0cd", 5);
	odd[3] = S("\xc3\xa9\xe2\x82\xac/:-");
	odd[4] = S("10.0.0.0/8/8");
	odd[5] = S("sun:05:00-sun:06:00-");
	for (i = 0; i < B->n_attrs; i++) {
		const struct schema_attr *at = &B->attrs[i];

		if (!(at->flags & (ATTR_REQUIRED | ATTR_OPTIONAL)))
			continue;
		for (j = 0; j < 6; j++) {
			const struct value *v = odd[j];

			if (type_equal(at->type, &set_str))
				v = value_set(A, &type_string, 1, &odd[j]);
			else if (type_equal(at->type, &map_str))
				v = value_map(A, &type_string, 1,
					      (const char *[]){ "k" }, &odd[j]);
			else if (!type_equal(at->type, &type_string))
				continue;
			validate(with(base(), at->name, v));
		}
	}
	/* embedded NUL is an error, not a truncated value */
	CHECK(refused_at(with(base(), "name", odd[2]), "name", "NUL"));
	CHECK(refused_at(with(base(), "allowed_cidr_blocks",
			      value_set(A, &type_string, 1, &odd[4])),
			 "allowed_cidr_blocks", "two slashes"));
}

/* ---- plan ---- */

struct presult {
	int rc;
	const struct value *planned;
	char replace[8][64];
	size_t n_replace;
	size_t errors;
	char detail[512];
};

/* Terraform's proposed new state: config, with prior values for
 * computed attributes the config leaves null. */
static const struct value *proposed(const struct value *prior,
				    const struct value *cfg)
{
	const struct value *p = cfg;
	size_t i;

	for (i = 0; i < B->n_attrs; i++) {
		const struct schema_attr *at = &B->attrs[i];

		if ((at->flags & ATTR_COMPUTED) &&
		    value_is_null(value_attr(cfg, at->name)))
			p = with(p, at->name, value_is_null(prior) ?
				 NUL(at->name) : value_attr(prior, at->name));
	}
	return p;
}

/* The prior private state plan_full passes (refresh's findings). */
static const char *prior_private;

static struct presult plan_full(const struct value *prior,
				const struct value *cfg, int64_t now,
				const struct resource_env *pc)
{
	struct presult r = { 0 };
	struct resource_op op = { 0 };
	struct plan_result pr = { 0 };
	struct ctx c;
	size_t i;

	/* planned values must outlive the call: use the test's arena */
	ctx_init(&c, "PlanResourceChange", NULL);
	arena_free(c.arena);
	c.arena = A;
	c.req_id = "test";
	diags_init(&c.diags, A);
	c.env = pc;
	op.prior = prior;
	op.config = cfg;
	op.proposed = proposed(prior, cfg);
	if (prior_private)
		op.prior_private = (struct bytes){ prior_private,
						   strlen(prior_private) };
	r.rc = plan_resource(A, B, prior, op.proposed, cfg, &pr, &c.diags);
	if (r.rc == 0) {
		op.planned = pr.planned;
		r.rc = redis_cluster_plan_at(&c, &op, now);
	}
	if (r.rc == 0) {
		pr.planned = op.planned;
		pr.n_requires_replace = 0;
		plan_requires_replace(A, B, prior, pr.planned, &pr);
		for (i = 0; i < pr.n_requires_replace && r.n_replace < 8; i++)
			snprintf(r.replace[r.n_replace++], 64, "%s",
				 path_string(A, pr.requires_replace[i]));
		for (i = 0; i < op.n_requires_replace && r.n_replace < 8; i++)
			snprintf(r.replace[r.n_replace++], 64, "%s",
				 path_string(A, op.requires_replace[i]));
		r.rc = plan_check_planned(A, B, prior, cfg, op.planned,
					  &c.diags);
		r.planned = op.planned;
	}
	r.errors = c.diags.errors;
	for (i = 0; i < c.diags.len; i++)
		if (c.diags.items[i].severity == DIAG_ERROR) {
			snprintf(r.detail, sizeof(r.detail), "%s: %s",
				 c.diags.items[i].summary,
				 c.diags.items[i].detail);
			break;
		}
	return r;
}

static struct presult plan(const struct value *prior,
			   const struct value *cfg)
{
	return plan_full(prior, cfg, 1800000000, NULL);
}

static const char *pstr(const struct presult *r, const char *name)
{
	const char *s = NULL;

	if (r->planned)
		value_get_string(value_attr(r->planned, name), &s);
	return s;
}

static bool punknown(const struct presult *r, const char *name)
{
	return r->planned && value_is_unknown(value_attr(r->planned, name));
}

static bool pnull(const struct presult *r, const char *name)
{
	return r->planned && value_is_null(value_attr(r->planned, name));
}

static int64_t pint(const struct presult *r, const char *name)
{
	int64_t n = -1;

	if (r->planned)
		value_get_int(value_attr(r->planned, name), &n);
	return n;
}

/* What an apply would store: the plan with unknowns filled in. */
static const struct value *applied(const struct value *planned)
{
	const struct value *s = planned;
	size_t i;

	for (i = 0; i < B->n_attrs; i++) {
		const struct schema_attr *at = &B->attrs[i];
		const struct value *v = value_attr(s, at->name);

		if (!value_is_unknown(v))
			continue;
		if (type_equal(at->type, &type_string))
			v = S(strcmp(at->name, "auth_token_rotated_at") == 0 ?
			      "2027-01-15T08:00:00Z" :
			      arena_sprintf(A, "value-of-%s", at->name));
		else if (type_equal(at->type, &map_str))
			v = MAP("endpoint", "arn:x", "port", "arn:y", NULL);
		else if (type_equal(at->type, &set_str))
			v = SET("orders-cache-001", "orders-cache-002", NULL);
		else if (type_equal(at->type, &type_number))
			v = N(1);
		else
			v = value_bool(A, false);
		s = with(s, at->name, v);
	}
	return s;
}

static void test_plan_create(void)
{
	struct resource_env pc = { 0 };
	const char *dkeys[] = { "env", "team" }, *dvals[] = { "prod", "ops" };
	const struct value *null_prior = value_null(A, T);
	struct presult r;
	const struct value *tags_all;

	pc.default_tags.n = 2;
	pc.default_tags.keys = dkeys;
	pc.default_tags.values = dvals;
	r = plan_full(null_prior, with(base(), "tags", MAP("team", "payments",
							   NULL)),
		      1800000000, &pc);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.n_replace, 0);
	CHECK_STR(pstr(&r, "id"), "orders-cache");
	CHECK_STR(pstr(&r, "subnet_group_name"), "orders-cache-subnets");
	CHECK_STR(pstr(&r, "engine"), "redis");
	CHECK_STR(pstr(&r, "description"), "Managed by Terraform");
	CHECK_INT(pint(&r, "port"), 6379);
	CHECK_INT(pint(&r, "shards"), 1);
	CHECK_INT(pint(&r, "replicas_per_shard"), 1);
	CHECK_INT(pint(&r, "snapshot_retention_days"), 7);
	CHECK_INT(pint(&r, "log_retention_days"), 365);
	CHECK_INT(pint(&r, "kms_deletion_window_days"), 30);
	CHECK_INT(pint(&r, "secret_recovery_window_days"), 7);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "created");
	CHECK(pnull(&r, "auth_token_rotated_at"));
	CHECK(punknown(&r, "arn"));
	CHECK(punknown(&r, "engine_version"));
	CHECK(punknown(&r, "kms_key_arn"));
	CHECK(punknown(&r, "maintenance_window"));
	CHECK(punknown(&r, "auth_secret_arn"));
	CHECK(punknown(&r, "primary_endpoint"));
	CHECK(pnull(&r, "apply_immediately"));
	if (!r.planned)
		return;
	CHECK_STR(value_gostring(A, value_attr(r.planned, "log_group_names")),
		  "cty.MapVal(map[string]cty.Value{\"engine-log\":cty."
		  "StringVal(\"/aws/elasticache/orders-cache/engine-log\"), "
		  "\"slow-log\":cty.StringVal(\"/aws/elasticache/orders-cache/"
		  "slow-log\")})");
	tags_all = value_attr(r.planned, "tags_all");
	CHECK_INT(tags_all->u.coll.n, 3);
	CHECK(value_equal(value_map_get(tags_all, "team"), S("payments")));
	CHECK(value_equal(value_map_get(tags_all, "env"), S("prod")));
	CHECK(value_equal(value_map_get(tags_all, "secure:redis-cluster"),
			  S("orders-cache")));

	/* unknown name: derived names unknown, tags_all keeps the key */
	r = plan(null_prior, with(base(), "name", U("name")));
	CHECK_INT(r.rc, 0);
	CHECK(punknown(&r, "id"));
	CHECK(punknown(&r, "subnet_group_name"));
	CHECK(punknown(&r, "log_group_names"));
	if (r.planned)
		CHECK(value_is_unknown(value_map_get(value_attr(
			r.planned, "tags_all"), "secure:redis-cluster")));

	/* config values from references stay unknown, never defaulted */
	r = plan(null_prior, with(base(), "port", U("port")));
	CHECK_INT(r.rc, 0);
	CHECK(punknown(&r, "port"));

	/* RBAC: no token, no secret */
	r = plan(null_prior, with(base(), "user_group_id", S("app-users")));
	CHECK_INT(r.rc, 0);
	CHECK(pnull(&r, "auth_token_rotation_phase"));
	CHECK(pnull(&r, "auth_secret_arn"));
}

static void test_plan_tag_limit(void)
{
	struct resource_env pc = { 0 };
	const char *keys[49], *vals[49];
	const struct value *items[49];
	char buf[49][8];
	struct presult r;
	size_t i;

	for (i = 0; i < 49; i++) {
		snprintf(buf[i], sizeof(buf[i]), "k%02zu", i);
		keys[i] = buf[i];
		vals[i] = "v";
		items[i] = S("v");
	}
	pc.default_tags.n = 1;
	pc.default_tags.keys = (const char *[]){ "extra" };
	pc.default_tags.values = (const char *[]){ "x" };
	r = plan_full(value_null(A, T), with(base(), "tags", value_map(
		A, &type_string, 49, keys, items)), 0, &pc);
	CHECK(r.rc < 0);
	CHECK_INT(r.errors, 1);
	/* the same key in default_tags and tags counts once */
	pc.default_tags.keys = (const char *[]){ "k00" };
	r = plan_full(value_null(A, T), with(base(), "tags", value_map(
		A, &type_string, 49, keys, items)), 0, &pc);
	CHECK_INT(r.rc, 0);
	(void)vals;
}

/* A stored state for config: plan a create, fill in what apply learns. */
static const struct value *state_for(const struct value *cfg)
{
	struct presult r = plan(value_null(A, T), cfg);
	const struct value *st;

	CHECK_INT(r.rc, 0);
	if (!r.planned)
		return value_null(A, T);
	st = applied(r.planned);
	CHECK(value_conforms(st, T));	/* the plan has the schema's type */
	return st;
}

/* What refresh found weakened or deleted comes back in the plan: defaults
 * left out of the configuration, rotation of the resource's own key, and
 * the security group, SSM parameters and policy as unknown results. */
static void test_plan_repairs_drift(void)
{
	const struct value *cfg = with(base(), "engine_version", S("7.1"));
	const struct value *st = state_for(cfg), *drifted;
	struct presult r;
	bool b = false;

	drifted = with(with(with(st, "log_retention_days", N(1)),
			    "snapshot_retention_days", N(1)),
		       "kms_key_rotation_enabled", value_bool(A, false));
	r = plan(drifted, cfg);
	CHECK_INT(r.rc, 0);
	CHECK_INT(pint(&r, "log_retention_days"),
		  REDIS_CLUSTER_DEFAULT_LOG_RETENTION_DAYS);
	CHECK_INT(pint(&r, "snapshot_retention_days"),
		  REDIS_CLUSTER_DEFAULT_SNAPSHOT_RETENTION_DAYS);
	CHECK(r.planned && value_get_bool(value_attr(r.planned,
				"kms_key_rotation_enabled"), &b) && b);
	/* a value the configuration sets is not overridden by the default */
	r = plan(drifted, with(cfg, "log_retention_days", N(30)));
	CHECK_INT(pint(&r, "log_retention_days"), 30);

	r = plan(with(st, "ssm_parameter_arns", MAP("endpoint", "arn:x",
						    NULL)), cfg);
	CHECK(punknown(&r, "ssm_parameter_arns"));
	CHECK(!punknown(&r, "security_group_id"));
	r = plan(with(st, "security_group_id", value_null(A, &type_string)),
		 cfg);
	CHECK(punknown(&r, "security_group_id"));
	CHECK(!punknown(&r, "ssm_parameter_arns"));
	r = plan(with(st, "app_policy_arn", value_null(A, &type_string)), cfg);
	CHECK(punknown(&r, "app_policy_arn"));
	CHECK(punknown(&r, "app_policy_json"));
	r = plan(with(st, "app_policy_json", value_null(A, &type_string)), cfg);
	CHECK(punknown(&r, "app_policy_json"));
	CHECK_INT(r.n_replace, 0);
	/* refresh found the cluster off its own security group */
	prior_private = "{\"" REDIS_CLUSTER_PRIVATE_SG_DRIFTED "\":true}";
	r = plan(st, cfg);
	CHECK(punknown(&r, "security_group_id"));
	prior_private = "{\"" REDIS_CLUSTER_PRIVATE_SG_DRIFTED "\":false}";
	r = plan(st, cfg);
	CHECK(!punknown(&r, "security_group_id"));
	prior_private = "not json";
	r = plan(st, cfg);
	CHECK_INT(r.rc, 0);
	CHECK(!punknown(&r, "security_group_id"));
	prior_private = NULL;

	/* a key the user brings: its rotation setting is reported, not
	 * planned */
	cfg = with(cfg, "kms_key_arn", S("arn:aws:kms:eu-west-1:111122223333:"
					 "key/1234abcd-12ab-34cd-56ef-"
					 "1234567890ab"));
	st = with(state_for(cfg), "kms_key_rotation_enabled",
		  value_bool(A, false));
	r = plan(st, cfg);
	CHECK(r.planned && value_get_bool(value_attr(r.planned,
				"kms_key_rotation_enabled"), &b) && !b);
}

static void test_plan_no_change(void)
{
	const struct value *cfg = with(base(), "engine_version", S("7.1"));
	const struct value *st = state_for(cfg);
	struct presult r = plan(st, cfg);

	CHECK_INT(r.rc, 0);
	CHECK_INT(r.n_replace, 0);
	CHECK(r.planned && value_equal(r.planned, st));
	if (r.planned && !value_equal(r.planned, st))
		fprintf(stderr, "  planned %s\n  prior   %s\n",
			value_gostring(A, r.planned), value_gostring(A, st));

	/* in-place changes keep results, mark what changes unknown */
	r = plan(st, with(cfg, "node_type", S("cache.r7g.xlarge")));
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.n_replace, 0);
	CHECK(!punknown(&r, "arn"));
	CHECK(!punknown(&r, "member_clusters"));
	r = plan(st, with(cfg, "replicas_per_shard", N(2)));
	CHECK_INT(r.n_replace, 0);
	CHECK(punknown(&r, "member_clusters"));
	r = plan(st, with(cfg, "engine_version", S("7.2")));
	CHECK_INT(r.n_replace, 0);
	CHECK(punknown(&r, "engine_version_actual"));
	r = plan(st, with(cfg, "engine", S("valkey")));
	CHECK_INT(r.n_replace, 0);		/* redis -> valkey: upgrade */
	r = plan(st, with(cfg, "allowed_security_group_ids",
			  SET("sg-0123456789abcdef0", "sg-01234567", NULL)));
	CHECK_INT(r.n_replace, 0);
	/* switching to RBAC: the secret goes, the policy changes */
	r = plan(st, with(cfg, "user_group_id", S("app-users")));
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.n_replace, 0);
	CHECK(pnull(&r, "auth_secret_arn"));
	CHECK(punknown(&r, "app_policy_json"));
}

static bool replaces(const struct presult *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->n_replace; i++)
		if (strcmp(r->replace[i], path) == 0)
			return true;
	return false;
}

static void test_plan_requires_replace(void)
{
	const struct value *cfg = with(base(), "engine_version", S("7.1"));
	const struct value *st = state_for(cfg);
	const struct value *vk;
	struct presult r;

	r = plan(st, with(cfg, "name", S("other-cache")));
	CHECK(replaces(&r, "name"));
	CHECK_STR(pstr(&r, "id"), "other-cache");
	r = plan(st, with(cfg, "port", N(6380)));
	CHECK(replaces(&r, "port"));
	r = plan(st, with(cfg, "kms_key_arn", S("arn:aws:kms:eu-west-1:"
		"111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")));
	CHECK(replaces(&r, "kms_key_arn"));
	r = plan(st, with(cfg, "engine_version", S("7.0")));
	CHECK(replaces(&r, "engine_version"));
	CHECK_INT(r.n_replace, 1);
	r = plan(st, with(cfg, "engine_version", S("6.x")));
	CHECK(replaces(&r, "engine_version"));
	r = plan(st, with(cfg, "shards", N(3)));
	CHECK(replaces(&r, "shards"));

	/* 3 -> 5 shards: online resharding, in place */
	st = state_for(with(cfg, "shards", N(3)));
	r = plan(st, with(cfg, "shards", N(5)));
	CHECK_INT(r.n_replace, 0);
	r = plan(st, with(cfg, "shards", N(1)));
	CHECK(replaces(&r, "shards"));

	/* valkey -> redis is a downgrade */
	vk = with(with(base(), "engine", S("valkey")), "engine_version",
		  S("8.0"));
	st = state_for(vk);
	r = plan(st, with(vk, "engine", S("redis")));
	CHECK(replaces(&r, "engine"));
	r = plan(st, with(vk, "engine_version", S("8.1")));
	CHECK_INT(r.n_replace, 0);
	/* 6.x and 6.2 are the same version */
	st = state_for(with(base(), "engine_version", S("6.2")));
	r = plan(st, with(base(), "engine_version", S("6.x")));
	CHECK_INT(r.n_replace, 0);
}

static void test_plan_token_rotation(void)
{
	const struct value *cfg = base(), *st, *c2;
	struct presult r;
	int64_t rotated_at = 1799400000;	/* 2027-01-08T09:20:00Z */

	/* version 1 (unset) -> 2: phase 1, rotate */
	st = state_for(cfg);
	c2 = with(cfg, "auth_token_version", N(2));
	r = plan(st, c2);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.n_replace, 0);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "rotated");
	CHECK(punknown(&r, "auth_token_rotated_at"));
	CHECK(!punknown(&r, "auth_secret_arn"));

	/* after phase 1: nothing more until the user says so */
	st = with(applied(r.planned), "auth_token_rotated_at",
		  S("2027-01-08T09:20:00Z"));
	r = plan(st, c2);
	CHECK_INT(r.rc, 0);
	CHECK(r.planned && value_equal(r.planned, st));

	/* phase 2 on request */
	r = plan(st, with(c2, "auth_token_retire_previous",
			  value_bool(A, true)));
	CHECK_INT(r.rc, 0);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "retired");
	CHECK_STR(pstr(&r, "auth_token_rotated_at"), "2027-01-08T09:20:00Z");
	r = plan(st, with(c2, "auth_token_retire_previous",
			  U("auth_token_retire_previous")));
	CHECK(punknown(&r, "auth_token_rotation_phase"));

	/* phase 2 after the grace period, not before */
	c2 = with(c2, "auth_token_grace_period", S("24h"));
	r = plan_full(st, c2, rotated_at + 86399, NULL);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "rotated");
	r = plan_full(st, c2, rotated_at + 86400, NULL);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "retired");

	/* a second rotation before retiring is refused */
	r = plan(st, with(c2, "auth_token_version", N(3)));
	CHECK(r.rc < 0);
	CHECK(strstr(r.detail, "rotation is still in progress") != NULL);

	/* after retiring, rotate again; never back */
	st = with(st, "auth_token_rotation_phase", S("retired"));
	r = plan(st, with(c2, "auth_token_version", N(3)));
	CHECK_INT(r.rc, 0);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "rotated");
	r = plan(st, with(c2, "auth_token_version", N(1)));
	CHECK(r.rc < 0);
	CHECK(strstr(r.detail, "cannot decrease") != NULL);
	r = plan(st, with(c2, "auth_token_version", U("auth_token_version")));
	CHECK_INT(r.rc, 0);
	CHECK(punknown(&r, "auth_token_rotation_phase"));

	/* imported state (no version, no phase): adopt, do not rotate */
	st = with(with(state_for(cfg), "auth_token_rotation_phase",
		       NUL("auth_token_rotation_phase")),
		  "auth_token_version", NUL("auth_token_version"));
	r = plan(st, with(cfg, "auth_token_version", N(5)));
	CHECK_INT(r.rc, 0);
	CHECK(pnull(&r, "auth_token_rotation_phase"));
	CHECK(!punknown(&r, "auth_token_rotated_at"));
	/* but a created cluster with an unset version does rotate */
	r = plan(state_for(cfg), with(cfg, "auth_token_version", N(2)));
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "rotated");

	/* RBAC -> token: a first token */
	st = state_for(with(cfg, "user_group_id", S("app-users")));
	r = plan(st, cfg);
	CHECK_INT(r.rc, 0);
	CHECK_STR(pstr(&r, "auth_token_rotation_phase"), "created");
	CHECK(punknown(&r, "auth_secret_arn"));
}

/* A plan (with unknowns) crosses the wire as msgpack and a state is stored
 * as JSON: both must round-trip with the schema's type. */
static void test_wire_round_trip(void)
{
	struct presult r = plan(value_null(A, T), with(base(), "tags",
						       MAP("a", "b", NULL)));
	const struct value *back = NULL, *st;
	struct diags d;
	void *buf = NULL;
	char *json = NULL;
	size_t len = 0;

	diags_init(&d, A);
	CHECK_INT(r.rc, 0);
	if (!r.planned)
		return;
	CHECK_INT(codec_msgpack_encode(A, T, r.planned, &buf, &len, &d), 0);
	CHECK_INT(codec_msgpack_decode(A, T, buf, len, &back, &d), 0);
	CHECK(back && value_equal(back, r.planned));
	st = applied(r.planned);
	CHECK_INT(codec_json_encode(A, T, st, &json, &len, &d), 0);
	CHECK_INT(codec_json_decode(A, T, json, len, &back, &d), 0);
	CHECK(back && value_equal(back, st));
	CHECK_INT(d.errors, 0);
}

/* ---- aws_validate ---- */

static void test_aws_validate(void)
{
	int s, l, s2, l2;

	CHECK(aws_check_cidr("10.0.0.0/8") == NULL);
	CHECK(aws_check_cidr("0.0.0.0/0") == NULL);
	CHECK(aws_check_cidr("10.0.0.0/08") != NULL);
	CHECK(aws_check_cidr("10.0.0/8") != NULL);
	CHECK(aws_check_cidr("010.0.0.0/8") != NULL);
	CHECK(aws_check_cidr("fd00::/8") == NULL);
	CHECK(aws_check_cidr("fd00::1/8") != NULL);
	CHECK(aws_check_cidr("fd00::/129") != NULL);
	CHECK(aws_check_cidr("/8") != NULL);
	CHECK(aws_check_cidr("10.0.0.0/") != NULL);
	CHECK(aws_cidr_is_private("10.0.0.0/8"));
	CHECK(aws_cidr_is_private("10.255.255.255/32"));
	CHECK(!aws_cidr_is_private("11.0.0.0/8"));
	CHECK(aws_cidr_is_private("172.31.0.0/16"));
	CHECK(!aws_cidr_is_private("172.0.0.0/8"));
	CHECK(aws_cidr_is_private("100.127.0.0/16"));
	CHECK(!aws_cidr_is_private("100.128.0.0/16"));
	CHECK(aws_cidr_is_private("192.168.0.0/16"));
	CHECK(!aws_cidr_is_private("192.168.0.0/15"));
	CHECK(aws_cidr_is_private("fc00::/7"));
	CHECK(aws_cidr_is_private("fdff:ffff::/32"));
	CHECK(!aws_cidr_is_private("fe80::/10"));
	CHECK(!aws_cidr_is_private("::ffff:10.0.0.0/104"));
	CHECK(!aws_cidr_is_private("::/0"));

	CHECK(aws_parse_maintenance_window("sat:23:00-sun:01:00", &s, &l) ==
	      NULL);
	CHECK_INT(s, 6 * 1440 + 23 * 60);
	CHECK_INT(l, 120);
	CHECK(aws_parse_maintenance_window("sun:05:00-sun:06:00", &s, &l) ==
	      NULL);
	CHECK(aws_parse_maintenance_window("Sun:05:00-sun:06:00", &s, &l));
	CHECK(aws_parse_maintenance_window("sun:05:00-sun:05:00", &s, &l));
	CHECK(aws_parse_maintenance_window("sun:05:60-sun:07:00", &s, &l));
	CHECK(aws_parse_snapshot_window("23:30-00:30", &s2, &l2) == NULL);
	CHECK_INT(l2, 60);
	CHECK(!aws_windows_overlap(s, 60, s2, l2));
	CHECK(aws_windows_overlap(6 * 1440 + 23 * 60 + 45, 60, s2, l2));

	CHECK(aws_check_elasticache_id("a-b-c", 40) == NULL);
	CHECK(aws_check_elasticache_id("a-b-", 40) != NULL);
	CHECK(aws_check_subnet_id("subnet-0123456789abcdef0") == NULL);
	CHECK(aws_check_subnet_id("subnet-0123456789ABCDEF0") != NULL);
	CHECK(aws_check_subnet_id("subnet-012345678") != NULL);
	CHECK(aws_check_security_group_id("sg-01234567") == NULL);
	CHECK(aws_check_kms_key_arn("arn:aws-cn:kms:cn-north-1:"
		"111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab") ==
	      NULL);
	CHECK(aws_check_kms_key_arn("arn:aws:kms:eu-west-1:111122223333:"
		"key/1234abcd-12ab-34cd-56ef-1234567890ab0") != NULL);
	CHECK(aws_check_tag_key("Name") == NULL);
	CHECK(aws_check_tag_key("équipe") == NULL);
	CHECK(aws_check_tag_key("a\tb") != NULL);
	CHECK(aws_check_tag_value("") == NULL);
	CHECK(aws_log_retention_valid(3653));
	CHECK(!aws_log_retention_valid(4000));

	{
		char key[130];

		memset(key, 'k', 129);
		key[129] = '\0';
		CHECK(aws_check_tag_key(key) != NULL);
		key[128] = '\0';
		CHECK(aws_check_tag_key(key) == NULL);
	}
}

int main(void)
{
	A = arena_new();
	B = redis_cluster_resource.schema->block;
	T = schema_block_type(A, B);

	RUN(test_schema_well_formed);
	RUN(test_valid_configs);
	RUN(test_invalid_configs);
	RUN(test_cross_field_rules);
	RUN(test_collects_every_error);
	RUN(test_unknown_values_skipped);
	RUN(test_odd_strings);
	RUN(test_plan_create);
	RUN(test_plan_tag_limit);
	RUN(test_plan_no_change);
	RUN(test_plan_repairs_drift);
	RUN(test_plan_requires_replace);
	RUN(test_plan_token_rotation);
	RUN(test_wire_round_trip);
	RUN(test_aws_validate);
	arena_free(A);
	return check_summary();
}
