/*
 * test_redis_rbac_users.c - secure_redis_rbac_users part 1: the schema,
 * validate() (every refused configuration with its attribute path, the
 * warnings), user id generation, the IAM policy document, and plan (ids,
 * access strings, results kept from prior state, password rotation
 * phases, the KMS key, tags_all).
 *
 * Plans run the same pipeline as PlanResourceChange (provider/
 * rpc_resource.c): Terraform's proposed state (nested map elements matched
 * by key, as objchange.ProposedNew does), the generic planner, the
 * resource's hook, requires_replace, then Terraform's validity checks.
 */
#include "tests/check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "resources/aws_validate.h"
#include "resources/redis_acl.h"
#include "resources/redis_rbac_users.h"
#include "schema/plan.h"
#include "schema/schema.h"
#include "schema/value.h"

static struct arena *A;
static const struct type *T;	/* the resource object */
static const struct type *UT;	/* one user object */
static const struct schema_block *B;

#define ACCOUNT "111122223333"

/* No error, else print the first (plan and validate results). */
#define CHECK_OK(r)                                                          \
	do {                                                                 \
		if ((r).errors)                                              \
			fprintf(stderr, "  unexpected: %s\n", (r).detail);   \
		CHECK_INT((r).errors, 0);                                    \
	} while (0)
#define REGION "eu-west-1"

/* ---- value builders ---- */

static const struct value *S(const char *s)
{
	return value_string(A, s);
}

static const struct value *N(int64_t n)
{
	return value_int(A, n);
}

static const struct value *with(const struct value *o, const char *name,
				const struct value *v)
{
	return value_with_attr(A, o, name, v);
}

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

static const struct value *all_null(const struct type *t)
{
	const struct value **items = arena_calloc(A, t->n, sizeof(*items));
	size_t i;

	for (i = 0; i < t->n; i++)
		items[i] = value_null(A, t->types[i]);
	return value_object(A, t, items);
}

static const struct value *USER(const char *role)
{
	return with(all_null(UT), "role", S(role));
}

static const struct value *CUSTOM(const char *access)
{
	return with(USER("custom"), "access_string", S(access));
}

/* A users map from NULL-terminated (name, user object) pairs. */
static const struct value *USERS(const char *first, ...)
{
	const struct value *items[128];
	const char *keys[128], *k;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (k = first; k && n < 128; k = va_arg(ap, const char *)) {
		keys[n] = k;
		items[n++] = va_arg(ap, const struct value *);
	}
	va_end(ap);
	return value_map(A, UT, n, keys, items);
}

/* The three roles from the common public examples. */
static const struct value *base(void)
{
	const struct value *o = all_null(T);

	o = with(o, "name", S("orders-users"));
	o = with(o, "users", USERS(
		"ops", USER("admin"),
		"reporting", with(USER("readonly"), "keys",
				  SET("orders:*", NULL)),
		"orders-svc", with(USER("service"), "keys",
				   SET("orders:*", "carts:*", NULL)),
		NULL));
	return o;
}

static const struct value *with_user(const struct value *cfg,
				     const char *name, const struct value *u)
{
	const struct value *users = value_attr(cfg, "users");
	const struct value *items[128];
	const char *keys[128];
	size_t i, n = 0;

	for (i = 0; i < users->u.coll.n; i++)
		if (strcmp(users->u.coll.keys[i], name) != 0) {
			keys[n] = users->u.coll.keys[i];
			items[n++] = users->u.coll.items[i];
		}
	if (u) {
		keys[n] = name;
		items[n++] = u;
	}
	return with(cfg, "users", value_map(A, UT, n, keys, items));
}

static const struct value *user_of(const struct value *obj, const char *name)
{
	return value_map_get(value_attr(obj, "users"), name);
}

/* ---- validate ---- */

struct vresult {
	size_t errors, warnings;
	char paths[16][96];	/* error paths */
	size_t n_paths;
	char wpaths[8][96];	/* warning paths */
	size_t n_wpaths;
	char detail[1024];	/* first error's summary: detail */
	char wdetail[1024];	/* first warning's */
};

static struct vresult validate(const struct value *cfg)
{
	struct resource_op op = { .config = cfg };
	struct vresult r = { 0 };
	struct ctx c;
	size_t i;

	ctx_init(&c, "ValidateResourceConfig", NULL);
	redis_rbac_users_resource.validate(&c, &op);
	for (i = 0; i < c.diags.len; i++) {
		const struct diag *d = &c.diags.items[i];
		const char *p = d->has_path ? path_string(c.arena, d->path) :
			"(no path)";

		if (d->severity == DIAG_WARNING) {
			if (r.warnings == 0)
				snprintf(r.wdetail, sizeof(r.wdetail), "%s: %s",
					 d->summary, d->detail);
			if (r.n_wpaths < 8)
				snprintf(r.wpaths[r.n_wpaths++], 96, "%s", p);
			r.warnings++;
			continue;
		}
		if (r.errors == 0)
			snprintf(r.detail, sizeof(r.detail), "%s: %s",
				 d->summary, d->detail);
		r.errors++;
		if (r.n_paths < 16)
			snprintf(r.paths[r.n_paths++], 96, "%s", p);
	}
	ctx_release(&c);
	return r;
}

/* Exactly one error, at path, whose text contains want (may be NULL). */
static bool refused_at(const struct value *cfg, const char *path,
		       const char *want)
{
	struct vresult r = validate(cfg);

	if (r.errors == 1 && strcmp(r.paths[0], path) == 0 &&
	    (!want || strstr(r.detail, want)))
		return true;
	fprintf(stderr, "  want 1 error at %s (%s), got %zu (first at %s: "
		"%s)\n", path, want ? want : "-", r.errors,
		r.n_paths ? r.paths[0] : "-", r.detail);
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
	static const char *const top_names[] = {
		"name", "id", "engine", "engine_version", "users",
		"kms_key_arn", "cluster_arns", "secret_recovery_window_days",
		"retire_previous_passwords", "tags", "tags_all",
		"user_group_id", "default_user_id", "arn",
	};
	static const char *const user_names[] = {
		"role", "access_string", "keys", "channels", "authentication",
		"password_version", "effective_access_string", "user_id", "arn",
		"secret_arn", "iam_policy_json", "password_rotation_phase",
	};
	const struct schema_attr *users = schema_find_attr(B, "users");
	size_t i, j;

	CHECK_STR(redis_rbac_users_resource.type_name,
		  "secure_redis_rbac_users");
	CHECK(B->description && strlen(B->description) > 20);
	for (i = 0; i < sizeof(top_names) / sizeof(top_names[0]); i++)
		CHECK(schema_find_attr(B, top_names[i]) != NULL);
	CHECK_INT(B->n_attrs, sizeof(top_names) / sizeof(top_names[0]));
	for (i = 0; i < B->n_attrs; i++) {
		const struct schema_attr *at = &B->attrs[i];

		CHECK(at->description && strlen(at->description) >= 20);
		for (j = 0; j < i; j++)
			CHECK(strcmp(B->attrs[j].name, at->name) != 0);
	}
	CHECK(schema_find_attr(B, "name")->flags & ATTR_FORCE_NEW);
	CHECK(schema_find_attr(B, "name")->flags & ATTR_REQUIRED);
	CHECK_INT(schema_find_attr(B, "arn")->flags, ATTR_COMPUTED);
	/* users: a map of nested objects keyed by user name */
	CHECK(users && users->nested && users->nested->nesting == NEST_MAP);
	CHECK(users && (users->flags & ATTR_REQUIRED));
	CHECK_INT(users->nested->n_attrs,
		  sizeof(user_names) / sizeof(user_names[0]));
	for (i = 0; i < users->nested->n_attrs; i++) {
		const struct schema_attr *at = &users->nested->attrs[i];

		CHECK_STR(at->name, user_names[i]);
		CHECK(at->description && strlen(at->description) >= 20);
		CHECK(!(at->flags & ATTR_FORCE_NEW));
	}
	CHECK(users->nested->attrs[0].flags & ATTR_REQUIRED);
	for (i = 6; i < 12; i++)
		CHECK_INT(users->nested->attrs[i].flags, ATTR_COMPUTED);
	CHECK(schema_find_block(B, "timeouts") != NULL);
	/* the lifecycle is hooked up; test builds serve the resource */
	CHECK(redis_rbac_users_resource.create != NULL);
	CHECK(resource_find("secure_redis_rbac_users") == &redis_rbac_users_resource);
	CHECK(value_conforms(base(), T));
}

static void test_valid_configs(void)
{
	const struct value *full = base();
	struct vresult r = validate(base());

	CHECK_OK(r);
	CHECK_INT(r.warnings, 0);
	full = with(full, "engine", S("valkey"));
	full = with(full, "engine_version", S("8.0"));
	full = with(full, "kms_key_arn", S("arn:aws:kms:" REGION ":" ACCOUNT
		":key/1234abcd-12ab-34cd-56ef-1234567890ab"));
	full = with(full, "cluster_arns", SET("arn:aws:elasticache:" REGION
		":" ACCOUNT ":replicationgroup:orders-cache", NULL));
	full = with(full, "secret_recovery_window_days", N(0));
	full = with(full, "retire_previous_passwords", value_bool(A, true));
	full = with_user(full, "reader-iam",
			 with(USER("readonly"), "authentication", S("iam")));
	full = with_user(full, "cart-jobs", CUSTOM(
		"on ~carts:* resetchannels -@all +get +set +expire"));
	full = with_user(full, "events", with(with(with(USER("service"),
		"channels", SET("events.*", NULL)), "password_version", N(3)),
		"authentication", S("password")));
	r = validate(full);
	CHECK_OK(r);
	CHECK_INT(r.warnings, 0);
	if (r.errors)
		fprintf(stderr, "  %s at %s\n", r.detail, r.paths[0]);
	/* IAM with Redis OSS 7.x */
	CHECK(accepted(with(with_user(base(), "app", with(USER("service"),
		"authentication", S("iam"))), "engine_version", S("7.1")),
		"iam on 7.1"));
	/* an empty group (only the default user) */
	CHECK(accepted(with(base(), "users", USERS(NULL, NULL)), "empty"));
	/* unknown values pass */
	CHECK(accepted(with(with_user(base(), "app", with(USER("service"),
		"authentication", S("iam"))), "engine_version",
		value_unknown(A, &type_string)), "unknown version"));
	CHECK(accepted(with(base(), "users", value_unknown(A,
		T->types[type_attr_index(T, "users")])), "unknown users"));
	CHECK(accepted(with_user(base(), "x", with(USER("custom"),
		"access_string", value_unknown(A, &type_string))),
		"unknown access string"));
}

static void test_refused_names(void)
{
	CHECK(refused_at(with(base(), "name", S("Orders-Users")), "name",
			 "Write \"orders-users\""));
	CHECK(refused_at(with(base(), "name", S("1orders")), "name", NULL));
	CHECK(refused_at(with(base(), "name", S("orders--users")), "name",
			 NULL));
	CHECK(refused_at(with(base(), "name", S("orders-")), "name", NULL));
	CHECK(refused_at(with(base(), "name", S("a234567890123456789012345"
		"6789012345678901")), "name", NULL));
	CHECK(refused_at(with_user(base(), "Reader", USER("readonly")),
			 "users[\"Reader\"]", "Write \"reader\""));
	CHECK(refused_at(with_user(base(), "bad--name", USER("readonly")),
			 "users[\"bad--name\"]", NULL));
	CHECK(refused_at(with_user(base(), "svc_1", USER("readonly")),
			 "users[\"svc_1\"]", NULL));
	CHECK(refused_at(with_user(base(), "default", USER("readonly")),
			 "users[\"default\"]", "reserved"));
	CHECK(refused_at(with_user(base(), "DEFAULT", USER("readonly")),
			 "users[\"DEFAULT\"]", "reserved"));
}

static void test_refused_roles(void)
{
	CHECK(refused_at(with_user(base(), "x", USER("superuser")),
			 "users[\"x\"].role", "\"admin\", \"readonly\""));
	CHECK(refused_at(with_user(base(), "x", USER("custom")),
			 "users[\"x\"].access_string", "needs an access_string"));
	CHECK(refused_at(with_user(base(), "x", with(USER("readonly"),
		"access_string", S("on ~* +get"))),
		"users[\"x\"].access_string", "role = \"custom\""));
	CHECK(refused_at(with_user(base(), "x", with(CUSTOM("on ~* +get"),
		"keys", SET("a:*", NULL))), "users[\"x\"].keys", NULL));
	CHECK(refused_at(with_user(base(), "x", with(CUSTOM("on ~* +get"),
		"channels", SET("a", NULL))), "users[\"x\"].channels", NULL));
	CHECK(refused_at(with_user(base(), "x", with(USER("service"),
		"keys", SET("a b", NULL))), "users[\"x\"].keys", "spaces"));
	CHECK(refused_at(with_user(base(), "x", with(USER("service"),
		"channels", SET("", NULL))), "users[\"x\"].channels", "empty"));
}

/* Every access string the specification refuses. */
static void test_refused_access_strings(void)
{
	static const struct {
		const char *s, *want;
	} cases[] = {
		{ "on >s3cret-pass ~* +get", "embeds a password" },
		{ "on <s3cret-pass ~* +get", "password removal" },
		{ "on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef"
		  "721d1542d8 ~* +get", "password hash" },
		{ "on !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef"
		  "721d1542d8 ~* +get", "hash removal" },
		{ "on nopass ~* +get", "nopass" },
		{ "on reset ~* +get", "reset" },
		{ "on resetpass ~* +get", "resetpass" },
		{ "on ~* +@nosuchcategory", "unknown ACL category" },
		{ "on ~* +get|", "not valid Redis ACL" },
		{ "on ~* %X~a +get", "not valid Redis ACL" },
		{ "on ~* frobnicate", "unknown rule" },
		{ "on ~* (+get", "closing )" },
		{ "   ", "empty" },
		{ "on ~* +@all -config", "restricted command" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vresult r = validate(with_user(base(), "x",
						      CUSTOM(cases[i].s)));

		CHECK(refused_at(with_user(base(), "x", CUSTOM(cases[i].s)),
				 "users[\"x\"].access_string", cases[i].want));
		/* no password text in any message */
		CHECK(strstr(r.detail, "s3cret") == NULL);
		CHECK(strstr(r.detail, "5e884898") == NULL);
	}
	/* Redis 7 syntax with a 6.2 engine */
	CHECK(refused_at(with(with_user(base(), "x", CUSTOM("on %R~a:* +get")),
			      "engine_version", S("6.2")),
			 "users[\"x\"].access_string", "7.0"));
	CHECK(accepted(with(with_user(base(), "x", CUSTOM("on %R~a:* +get")),
			    "engine_version", S("7.1")), "%R~ on 7.1"));
}

static void test_dangerous_warnings(void)
{
	struct vresult r;

	r = validate(with_user(base(), "x", CUSTOM("on ~* +@all")));
	CHECK_OK(r);
	CHECK_INT(r.warnings, 1);
	CHECK_STR(r.wpaths[0], "users[\"x\"].access_string");
	CHECK(strstr(r.wdetail, "flushall") != NULL);
	r = validate(with_user(base(), "x", CUSTOM("on ~* -@all +@admin")));
	CHECK_INT(r.warnings, 1);
	CHECK(strstr(r.wdetail, "config") != NULL);
	r = validate(with_user(base(), "x", CUSTOM("on ~* -@all +flushdb")));
	CHECK_INT(r.warnings, 1);
	CHECK(strstr(r.wdetail, "flushdb") != NULL);
	r = validate(with_user(base(), "x", CUSTOM("on ~* +@all -@dangerous")));
	CHECK_INT(r.warnings, 0);
	r = validate(with_user(base(), "x", CUSTOM("~* -@all +get")));
	CHECK_INT(r.warnings, 1);
	CHECK(strstr(r.wdetail, "neither on nor off") != NULL);
	/* the admin preset grants everything, without a warning */
	r = validate(base());
	CHECK_INT(r.warnings, 0);
}

static void test_refused_auth(void)
{
	const struct value *iam = with(USER("readonly"), "authentication",
				       S("iam"));

	CHECK(refused_at(with_user(base(), "x", with(USER("readonly"),
		"authentication", S("none"))), "users[\"x\"].authentication",
		"\"password\" or \"iam\""));
	CHECK(refused_at(with_user(base(), "x", with(USER("readonly"),
		"authentication", S("no-password-required"))),
		"users[\"x\"].authentication", NULL));
	/* IAM on redis: the version must be known and >= 7.0 */
	CHECK(refused_at(with_user(base(), "x", iam),
			 "users[\"x\"].authentication", "set engine_version"));
	CHECK(refused_at(with(with_user(base(), "x", iam), "engine_version",
			      S("6.2")), "users[\"x\"].authentication",
			 "7.0 or later"));
	CHECK(refused_at(with(with_user(base(), "x", iam), "engine_version",
			      S("6.x")), "users[\"x\"].authentication", NULL));
	CHECK(accepted(with(with_user(base(), "x", iam), "engine_version",
			    S("7.0")), "iam 7.0"));
	CHECK(accepted(with(with_user(base(), "x", iam), "engine",
			    S("valkey")), "iam valkey"));
	CHECK(refused_at(with(with(with_user(base(), "x", with(iam,
		"password_version", N(2))), "engine", S("valkey")),
		"engine_version", S("8.0")), "users[\"x\"].password_version",
		"IAM"));
	CHECK(refused_at(with_user(base(), "x", with(USER("readonly"),
		"password_version", N(0))), "users[\"x\"].password_version",
		NULL));
	CHECK(refused_at(with_user(base(), "x", with(USER("readonly"),
		"password_version", value_number(A, (struct number){
		.kind = NUMBER_FLOAT, .f = 1.5 }))),
		"users[\"x\"].password_version", NULL));
	/* ids collide: "orders-users" + "reader" vs IAM user
	 * "orders-users-reader" */
	CHECK(refused_at(with(with_user(with_user(base(), "reader",
		USER("readonly")), "orders-users-reader", iam), "engine",
		S("valkey")), "users[\"orders-users-reader\"]", "collide"));
	/* an IAM user named like the default user's id */
	CHECK(refused_at(with(with_user(base(), "orders-users-default", iam),
			      "engine", S("valkey")),
			 "users[\"orders-users-default\"]", "\"default\""));
}

static void test_refused_other(void)
{
	const struct value *many = base();
	char name[16];
	int i;

	CHECK(refused_at(with(base(), "engine", S("memcached")), "engine",
			 NULL));
	CHECK(refused_at(with(base(), "engine_version", S("6.0")),
			 "engine_version", "6.2"));
	CHECK(refused_at(with(base(), "engine_version", S("latest")),
			 "engine_version", NULL));
	CHECK(refused_at(with(with(base(), "engine", S("valkey")),
			      "engine_version", S("7.0")), "engine_version",
			 "Valkey"));
	for (i = 0; i < 96; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		many = with_user(many, name, USER("readonly"));
	}
	CHECK(accepted(many, "99 users"));	/* 3 + 96 = 99 */
	CHECK(refused_at(with_user(many, "one-more", USER("readonly")),
			 "users", "100 users"));
	CHECK(refused_at(with(base(), "kms_key_arn", S("arn:aws:kms:" REGION
		":" ACCOUNT ":alias/x")), "kms_key_arn", NULL));
	CHECK(refused_at(with(base(), "cluster_arns", SET("arn:aws:"
		"elasticache:" REGION ":" ACCOUNT ":cluster:x", NULL)),
		"cluster_arns", "replication group"));
	CHECK(refused_at(with(base(), "secret_recovery_window_days", N(3)),
			 "secret_recovery_window_days", NULL));
	CHECK(accepted(with(base(), "secret_recovery_window_days", N(30)),
		       "30 days"));
	{
		const char *k[] = { REDIS_RBAC_TAG_KEY };
		const struct value *v[] = { S("x") };

		CHECK(refused_at(with(base(), "tags", value_map(A, &type_string,
			1, k, v)), "tags[\"secure:redis-rbac-users\"]",
			"set by the provider"));
	}
}

/* ---- ids, ARNs, policies ---- */

static void test_user_ids(void)
{
	const char *g = "orders-users", *long_g =
		"a-very-long-user-group-name-for-orders";
	const char *id1, *id2, *id3;

	CHECK_STR(redis_rbac_user_id(A, g, "reporting"),
		  "orders-users-reporting");
	CHECK_STR(redis_rbac_user_id(A, "Orders", "Ops"), "orders-ops");
	CHECK_STR(redis_rbac_user_id(A, g, "default"), "orders-users-default");
	id1 = redis_rbac_user_id(A, long_g, "reporting-service");
	id2 = redis_rbac_user_id(A, long_g, "reporting-service-2");
	id3 = redis_rbac_user_id(A, long_g, "reporting-service");
	CHECK_INT(strlen(id1), 40);
	CHECK_INT(strlen(id2), 40);
	CHECK(strcmp(id1, id2) != 0);
	CHECK_STR(id1, id3);
	CHECK(strncmp(id1, "a-very-long-user-group-name-for", 31) == 0);
	CHECK(id1[31] == '-');
	CHECK(aws_check_elasticache_id(id1, 40) == NULL);
	CHECK(aws_check_elasticache_id(id2, 40) == NULL);
	CHECK(!aws_has_upper(id1));
	/* a cut that ends in a hyphen drops it: no "--" */
	id1 = redis_rbac_user_id(A, "abcdefghij-abcdefghij-abcdefghi-x",
				 "yyyyyyyyyy");
	CHECK(strstr(id1, "--") == NULL);
	CHECK(aws_check_elasticache_id(id1, 40) == NULL);
	CHECK(strlen(id1) <= 40);
	/* exactly 40 fits without a hash */
	CHECK_STR(redis_rbac_user_id(A, "abcdefghijabcdefghij",
				     "abcdefghijabcdefghi"),
		  "abcdefghijabcdefghij-abcdefghijabcdefghi");
}

static void test_cluster_arns_and_policy(void)
{
	static const char *const arns[] = {
		"arn:aws:elasticache:" REGION ":" ACCOUNT
		":replicationgroup:orders-cache",
		"arn:aws:elasticache:" REGION ":" ACCOUNT
		":replicationgroup:orders-cache-2",
	};

	CHECK(redis_rbac_check_cluster_arn(arns[0]) == NULL);
	CHECK(redis_rbac_check_cluster_arn("arn:aws-cn:elasticache:cn-north-1:"
		ACCOUNT ":replicationgroup:c") == NULL);
	CHECK(redis_rbac_check_cluster_arn("orders-cache") != NULL);
	CHECK(redis_rbac_check_cluster_arn("arn:aws:elasticache:" REGION
		":1234:replicationgroup:c") != NULL);
	CHECK(redis_rbac_check_cluster_arn("arn:aws:elasticache:" REGION ":"
		ACCOUNT ":replicationgroup:Orders") != NULL);
	CHECK(redis_rbac_check_cluster_arn("arn:aws:ec2:" REGION ":" ACCOUNT
		":replicationgroup:c") != NULL);
	CHECK(redis_rbac_check_cluster_arn("arn:aws:elasticache:" REGION ":"
		ACCOUNT ":replicationgroup:") != NULL);
	CHECK_STR(redis_rbac_iam_policy(A, "arn:aws:elasticache:" REGION ":"
		ACCOUNT ":user:app", arns, 2),
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
		"\"Allow\",\"Action\":\"elasticache:Connect\",\"Resource\":["
		"\"arn:aws:elasticache:eu-west-1:111122223333:"
		"replicationgroup:orders-cache\",\"arn:aws:elasticache:"
		"eu-west-1:111122223333:replicationgroup:orders-cache-2\","
		"\"arn:aws:elasticache:eu-west-1:111122223333:user:app\"]}]}");
	CHECK_STR(redis_rbac_iam_policy(A, "u", NULL, 0),
		  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
		  "\"Allow\",\"Action\":\"elasticache:Connect\",\"Resource\":["
		  "\"u\"]}]}");
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

/* Terraform's ProposedNew for this schema: config, with prior values for
 * computed attributes the config leaves null, nested map elements
 * matched by key. */
static const struct value *proposed_obj(const struct schema_attr *attrs,
					size_t n, const struct value *prior,
					const struct value *cfg)
{
	const struct value *p = cfg;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct schema_attr *at = &attrs[i];
		const struct value *cv = value_attr(cfg, at->name);
		const struct value *pv = prior && value_is_known(prior) ?
			value_attr(prior, at->name) : NULL;

		if ((at->flags & ATTR_COMPUTED) && value_is_null(cv))
			p = with(p, at->name, pv ? pv : cv);
		else if (at->nested && value_is_known(cv)) {
			const struct value **items = arena_calloc(A,
				cv->u.coll.n + 1, sizeof(*items));
			size_t j;

			for (j = 0; j < cv->u.coll.n; j++)
				items[j] = proposed_obj(at->nested->attrs,
					at->nested->n_attrs,
					value_map_get(pv, cv->u.coll.keys[j]),
					cv->u.coll.items[j]);
			p = with(p, at->name, value_map(A, cv->type->elem,
				cv->u.coll.n, cv->u.coll.keys, items));
		}
	}
	return p;
}

static struct presult plan(const struct value *prior, const struct value *cfg)
{
	struct presult r = { 0 };
	struct resource_op op = { 0 };
	struct plan_result pr = { 0 };
	struct ctx c;
	size_t i;

	ctx_init(&c, "PlanResourceChange", NULL);
	arena_free(c.arena);
	c.arena = A;
	c.req_id = "test";
	diags_init(&c.diags, A);
	op.prior = prior;
	op.config = cfg;
	op.proposed = proposed_obj(B->attrs, B->n_attrs, prior, cfg);
	r.rc = plan_resource(A, B, prior, op.proposed, cfg, &pr, &c.diags);
	if (r.rc == 0) {
		op.planned = pr.planned;
		r.rc = redis_rbac_users_resource.plan(&c, &op);
	}
	if (r.rc == 0) {
		pr.planned = op.planned;
		pr.n_requires_replace = 0;
		plan_requires_replace(A, B, prior, pr.planned, &pr);
		for (i = 0; i < pr.n_requires_replace && r.n_replace < 8; i++)
			snprintf(r.replace[r.n_replace++], 64, "%s",
				 path_string(A, pr.requires_replace[i]));
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

static const char *str(const struct value *v)
{
	const char *s = NULL;

	if (v)
		value_get_string(v, &s);
	return s;
}

static const char *pstr(const struct presult *r, const char *name)
{
	return r->planned ? str(value_attr(r->planned, name)) : NULL;
}

static const char *ustr(const struct presult *r, const char *user,
			const char *name)
{
	return r->planned ? str(value_attr(user_of(r->planned, user), name)) :
		NULL;
}

static bool uis(const struct presult *r, const char *user, const char *name,
		enum value_state st)
{
	const struct value *v = r->planned ?
		value_attr(user_of(r->planned, user), name) : NULL;

	return v && v->state == st;
}

/* What apply would return: unknowns filled the way part 2 must fill
 * them. */
static const struct value *applied(const struct value *planned)
{
	const struct value *s = planned, *users = value_attr(planned, "users");
	const struct value **items = arena_calloc(A, users->u.coll.n + 1,
						  sizeof(*items));
	const char *id = str(value_attr(planned, "id"));
	size_t i;

	if (value_is_unknown(value_attr(s, "arn")))
		s = with(s, "arn", S(arena_sprintf(A, "arn:aws:elasticache:"
			REGION ":" ACCOUNT ":usergroup:%s", id)));
	if (value_is_unknown(value_attr(s, "kms_key_arn")))
		s = with(s, "kms_key_arn", S("arn:aws:kms:" REGION ":" ACCOUNT
			":key/1234abcd-12ab-34cd-56ef-1234567890ab"));
	for (i = 0; i < users->u.coll.n; i++) {
		const struct value *u = users->u.coll.items[i];
		const char *uid = str(value_attr(u, "user_id"));
		const char *arn = arena_sprintf(A, "arn:aws:elasticache:" REGION
						":" ACCOUNT ":user:%s", uid);

		if (value_is_unknown(value_attr(u, "arn")))
			u = with(u, "arn", S(arn));
		if (value_is_unknown(value_attr(u, "secret_arn")))
			u = with(u, "secret_arn", S(arena_sprintf(A,
				"arn:aws:secretsmanager:" REGION ":" ACCOUNT
				":secret:%s-AbCdEf", uid)));
		if (value_is_unknown(value_attr(u, "iam_policy_json")))
			u = with(u, "iam_policy_json", S(
				redis_rbac_iam_policy(A, arn, NULL, 0)));
		items[i] = u;
	}
	return with(s, "users", value_map(A, UT, users->u.coll.n,
					  users->u.coll.keys, items));
}

static void test_plan_create(void)
{
	struct presult r = plan(value_null(A, T), base());
	const struct value *tags_all;

	CHECK_INT(r.rc, 0);
	CHECK_OK(r);
	if (!r.planned)
		return;
	CHECK_STR(pstr(&r, "id"), "orders-users");
	CHECK_STR(pstr(&r, "user_group_id"), "orders-users");
	CHECK_STR(pstr(&r, "default_user_id"), "orders-users-default");
	CHECK_STR(pstr(&r, "engine"), "redis");
	CHECK(value_is_unknown(value_attr(r.planned, "arn")));
	CHECK(value_is_unknown(value_attr(r.planned, "kms_key_arn")));
	CHECK(value_is_null(value_attr(r.planned, "engine_version")));
	{
		int64_t n = 0;

		value_get_int(value_attr(r.planned,
					 "secret_recovery_window_days"), &n);
		CHECK_INT(n, 7);
	}
	tags_all = value_attr(r.planned, "tags_all");
	CHECK_STR(str(value_map_get(tags_all, REDIS_RBAC_TAG_KEY)),
		  "orders-users");
	/* users */
	CHECK_STR(ustr(&r, "ops", "user_id"), "orders-users-ops");
	CHECK_STR(ustr(&r, "reporting", "user_id"), "orders-users-reporting");
	CHECK_STR(ustr(&r, "orders-svc", "user_id"),
		  "orders-users-orders-svc");
	CHECK_STR(ustr(&r, "ops", "effective_access_string"),
		  "on ~* &* +@all");
	CHECK_STR(ustr(&r, "reporting", "effective_access_string"),
		  "on ~orders:* resetchannels -@all +@read +@connection "
		  "-@dangerous");
	/* a set is ordered canonically: carts before orders */
	CHECK_STR(ustr(&r, "orders-svc", "effective_access_string"),
		  "on ~carts:* ~orders:* resetchannels -@all +@read +@write "
		  "+@connection +@transaction -@dangerous -flushall -flushdb "
		  "-keys");
	CHECK_STR(ustr(&r, "ops", "authentication"), "password");
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "created");
	CHECK(uis(&r, "ops", "arn", VALUE_UNKNOWN));
	CHECK(uis(&r, "ops", "secret_arn", VALUE_UNKNOWN));
	CHECK(uis(&r, "ops", "iam_policy_json", VALUE_NULL));
	CHECK(uis(&r, "ops", "password_version", VALUE_NULL));
	CHECK_INT(r.n_replace, 0);
}

static void test_plan_iam_and_custom(void)
{
	const struct value *cfg = with(with(base(), "engine_version",
		S("7.1")), "cluster_arns", SET("arn:aws:elasticache:" REGION
		":" ACCOUNT ":replicationgroup:orders-cache", NULL));
	struct presult r;
	const struct value *state;

	cfg = with_user(cfg, "app-reader", with(USER("readonly"),
		"authentication", S("iam")));
	cfg = with_user(cfg, "jobs", CUSTOM("  on\t~jobs:*  -@all +get\n"));
	r = plan(value_null(A, T), cfg);
	CHECK_OK(r);
	if (!r.planned)
		return;
	CHECK_STR(ustr(&r, "app-reader", "user_id"), "app-reader");
	CHECK(uis(&r, "app-reader", "secret_arn", VALUE_NULL));
	CHECK(uis(&r, "app-reader", "password_rotation_phase", VALUE_NULL));
	CHECK(uis(&r, "app-reader", "iam_policy_json", VALUE_UNKNOWN));
	CHECK_STR(ustr(&r, "jobs", "effective_access_string"),
		  "on ~jobs:* -@all +get");
	/* after apply the policy follows from the user's ARN */
	state = applied(r.planned);
	r = plan(state, cfg);
	CHECK_OK(r);
	CHECK_STR(ustr(&r, "app-reader", "iam_policy_json"),
		  redis_rbac_iam_policy(A, "arn:aws:elasticache:" REGION ":"
		  ACCOUNT ":user:app-reader", (const char *const[]){
		  "arn:aws:elasticache:" REGION ":" ACCOUNT
		  ":replicationgroup:orders-cache" }, 1));
	/* a cluster added: the policy is re-planned at once */
	cfg = with(cfg, "cluster_arns", SET("arn:aws:elasticache:" REGION ":"
		ACCOUNT ":replicationgroup:orders-cache", "arn:aws:elasticache:"
		REGION ":" ACCOUNT ":replicationgroup:audit", NULL));
	r = plan(state, cfg);
	CHECK(ustr(&r, "app-reader", "iam_policy_json") &&
	      strstr(ustr(&r, "app-reader", "iam_policy_json"),
		     "replicationgroup:audit") != NULL);
}

static void test_plan_only_iam_needs_no_key(void)
{
	const struct value *cfg = with(with(base(), "engine", S("valkey")),
		"users", USERS("app", with(USER("service"), "authentication",
		S("iam")), NULL));
	struct presult r = plan(value_null(A, T), cfg);

	CHECK_OK(r);
	CHECK(r.planned && value_is_null(value_attr(r.planned,
						    "kms_key_arn")));
	/* a password user added later: a key is created then */
	r = plan(applied(r.planned), with_user(cfg, "ops", USER("admin")));
	CHECK_OK(r);
	CHECK(r.planned && value_is_unknown(value_attr(r.planned,
						       "kms_key_arn")));
}

static void test_plan_no_change(void)
{
	struct presult r = plan(value_null(A, T), base());
	const struct value *state = applied(r.planned);

	r = plan(state, base());
	CHECK_OK(r);
	CHECK(r.planned && value_equal(r.planned, state));
	CHECK_INT(r.n_replace, 0);
}

static void test_plan_add_remove_users(void)
{
	const struct value *state = applied(plan(value_null(A, T),
						 base()).planned);
	struct presult r;

	/* add: the others keep every result */
	r = plan(state, with_user(base(), "audit", USER("readonly")));
	CHECK_OK(r);
	if (!r.planned)
		return;
	CHECK(value_equal(user_of(r.planned, "ops"), user_of(state, "ops")));
	CHECK(value_equal(user_of(r.planned, "orders-svc"),
			  user_of(state, "orders-svc")));
	CHECK_STR(ustr(&r, "audit", "user_id"), "orders-users-audit");
	CHECK(uis(&r, "audit", "arn", VALUE_UNKNOWN));
	CHECK_STR(ustr(&r, "audit", "password_rotation_phase"), "created");
	CHECK(value_equal(value_attr(r.planned, "arn"),
			  value_attr(state, "arn")));
	CHECK_INT(r.n_replace, 0);
	/* remove */
	r = plan(state, with_user(base(), "ops", NULL));
	CHECK_OK(r);
	CHECK(r.planned && user_of(r.planned, "ops") == NULL);
	CHECK(r.planned && value_equal(user_of(r.planned, "reporting"),
				       user_of(state, "reporting")));
	/* role change: access string re-planned, identity kept */
	r = plan(state, with_user(base(), "ops", USER("readonly")));
	CHECK_OK(r);
	CHECK_STR(ustr(&r, "ops", "effective_access_string"),
		  "on ~* resetchannels -@all +@read +@connection -@dangerous");
	CHECK_STR(ustr(&r, "ops", "arn"), str(value_attr(user_of(state,
		  "ops"), "arn")));
	CHECK_STR(ustr(&r, "ops", "secret_arn"), str(value_attr(user_of(
		  state, "ops"), "secret_arn")));
}

static void test_plan_switch_authentication(void)
{
	const struct value *cfg = with(base(), "engine", S("valkey"));
	const struct value *state = applied(plan(value_null(A, T),
						 cfg).planned);
	struct presult r = plan(state, with_user(cfg, "ops", with(
		USER("admin"), "authentication", S("iam"))));

	CHECK_OK(r);
	CHECK_STR(ustr(&r, "ops", "user_id"), "ops");
	CHECK(uis(&r, "ops", "arn", VALUE_UNKNOWN));
	CHECK(uis(&r, "ops", "secret_arn", VALUE_NULL));
	CHECK(uis(&r, "ops", "password_rotation_phase", VALUE_NULL));
	CHECK(uis(&r, "ops", "iam_policy_json", VALUE_UNKNOWN));
	/* and back */
	state = applied(r.planned);
	r = plan(state, cfg);
	CHECK_OK(r);
	CHECK_STR(ustr(&r, "ops", "user_id"), "orders-users-ops");
	CHECK(uis(&r, "ops", "secret_arn", VALUE_UNKNOWN));
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "created");
	CHECK(uis(&r, "ops", "iam_policy_json", VALUE_NULL));
}

static void test_plan_rotation(void)
{
	const struct value *cfg = base(), *state, *secret;
	struct presult r;

	state = applied(plan(value_null(A, T), cfg).planned);
	secret = value_attr(user_of(state, "ops"), "secret_arn");
	/* bump: rotated, same secret */
	cfg = with_user(cfg, "ops", with(USER("admin"), "password_version",
					 N(2)));
	r = plan(state, cfg);
	CHECK_OK(r);
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "rotated");
	CHECK_STR(ustr(&r, "reporting", "password_rotation_phase"),
		  "created");
	CHECK(r.planned && value_equal(value_attr(user_of(r.planned, "ops"),
					"secret_arn"), secret));
	state = applied(r.planned);
	/* nothing more asked: stays rotated (both passwords work) */
	r = plan(state, cfg);
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "rotated");
	CHECK(r.planned && value_equal(r.planned, state));
	/* rotating again while two passwords exist is refused... */
	r = plan(state, with_user(cfg, "ops", with(USER("admin"),
				  "password_version", N(3))));
	CHECK(r.rc < 0);
	CHECK(strstr(r.detail, "retire_previous_passwords") != NULL);
	/* ...unless the oldest is retired in the same apply */
	r = plan(state, with(with_user(cfg, "ops", with(USER("admin"),
		"password_version", N(3))), "retire_previous_passwords",
		value_bool(A, true)));
	CHECK_OK(r);
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "rotated");
	/* retire */
	cfg = with(cfg, "retire_previous_passwords", value_bool(A, true));
	r = plan(state, cfg);
	CHECK_OK(r);
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "retired");
	/* users that never rotated are not touched */
	CHECK_STR(ustr(&r, "reporting", "password_rotation_phase"),
		  "created");
	state = applied(r.planned);
	r = plan(state, cfg);
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "retired");
	/* lowering is refused, on the attribute */
	r = plan(state, with_user(cfg, "ops", with(USER("admin"),
				  "password_version", N(1))));
	CHECK(r.rc < 0);
	CHECK(strstr(r.detail, "can only increase") != NULL);
	/* unset means 1: going from 2 to unset is lowering too */
	r = plan(state, with_user(cfg, "ops", USER("admin")));
	CHECK(r.rc < 0);
	/* an unknown version: the phase is unknown */
	r = plan(state, with_user(cfg, "ops", with(USER("admin"),
		"password_version", value_unknown(A, &type_number))));
	CHECK_OK(r);
	CHECK(uis(&r, "ops", "password_rotation_phase", VALUE_UNKNOWN));
}

static void test_plan_unknowns(void)
{
	struct presult r;

	r = plan(value_null(A, T), with(base(), "name",
					value_unknown(A, &type_string)));
	CHECK_OK(r);
	CHECK(r.planned && value_is_unknown(value_attr(r.planned, "id")));
	CHECK(uis(&r, "ops", "user_id", VALUE_UNKNOWN));
	CHECK_STR(ustr(&r, "ops", "effective_access_string"),
		  "on ~* &* +@all");
	r = plan(value_null(A, T), with_user(base(), "x", with(
		USER("service"), "keys", value_unknown(A,
		UT->types[type_attr_index(UT, "keys")]))));
	CHECK_OK(r);
	CHECK(uis(&r, "x", "effective_access_string", VALUE_UNKNOWN));
	CHECK_STR(ustr(&r, "x", "user_id"), "orders-users-x");
}

static void test_plan_replace_and_destroy(void)
{
	const struct value *state = applied(plan(value_null(A, T),
						 base()).planned);
	struct presult r = plan(state, with(base(), "name", S("orders-users-2")));

	CHECK_OK(r);
	CHECK_INT(r.n_replace, 1);
	CHECK_STR(r.replace[0], "name");
	CHECK_STR(ustr(&r, "ops", "user_id"), "orders-users-2-ops");
	/* destroy */
	{
		struct resource_op op = { .prior = state,
					  .config = value_null(A, T),
					  .planned = value_null(A, T) };
		struct ctx c;

		ctx_init(&c, "PlanResourceChange", NULL);
		CHECK_INT(redis_rbac_users_resource.plan(&c, &op), 0);
		CHECK(value_is_null(op.planned));
		ctx_release(&c);
	}
}

/* Import leaves the phase and version null: the next plan adopts the
 * configured version instead of rotating. */
static void test_plan_after_import(void)
{
	const struct value *cfg = with_user(base(), "ops", with(USER("admin"),
		"password_version", N(3)));
	const struct value *state = applied(plan(value_null(A, T),
						 base()).planned);
	const struct value *ops = user_of(state, "ops");
	struct presult r;

	ops = with(with(ops, "password_rotation_phase",
			value_null(A, &type_string)), "password_version",
		   value_null(A, &type_number));
	state = with_user(state, "ops", ops);
	r = plan(state, cfg);
	CHECK_OK(r);
	CHECK(uis(&r, "ops", "password_rotation_phase", VALUE_NULL));
	CHECK_STR(ustr(&r, "ops", "secret_arn"), str(value_attr(ops,
		  "secret_arn")));
	/* from then on, raising it rotates */
	state = applied(r.planned);
	r = plan(state, with_user(base(), "ops", with(USER("admin"),
		"password_version", N(4))));
	CHECK_STR(ustr(&r, "ops", "password_rotation_phase"), "rotated");
}

/* The registry example (examples/resources/secure_redis_rbac_users) and
 * the combined example, as values: valid, without warnings. */
static void test_examples_validate(void)
{
	const struct value *cfg = all_null(T);
	const char *k[] = { "service" };
	const struct value *v[] = { S("orders") };
	struct vresult r;

	cfg = with(cfg, "name", S("orders-users"));
	cfg = with(cfg, "engine", S("redis"));
	cfg = with(cfg, "engine_version", S("7.1"));
	cfg = with(cfg, "users", USERS(
		"analytics-iam", with(with(USER("readonly"), "authentication",
			S("iam")), "keys", SET("orders:*", NULL)),
		"cart-expiry", CUSTOM("on ~carts:* resetchannels -@all +scan "
			"+ttl +expire +del"),
		"ops", USER("admin"),
		"orders-svc", with(with(with(USER("service"), "keys",
			SET("orders:*", "carts:*", NULL)), "channels",
			SET("orders.events", NULL)), "password_version", N(1)),
		"reporting", with(USER("readonly"), "keys",
			SET("orders:*", NULL)),
		NULL));
	cfg = with(cfg, "cluster_arns", SET("arn:aws:elasticache:eu-west-1:"
		"111122223333:replicationgroup:orders-cache", NULL));
	cfg = with(cfg, "retire_previous_passwords", value_bool(A, false));
	cfg = with(cfg, "secret_recovery_window_days", N(7));
	cfg = with(cfg, "tags", value_map(A, &type_string, 1, k, v));
	r = validate(cfg);
	CHECK_OK(r);
	CHECK_INT(r.warnings, 0);
	CHECK_INT(plan(value_null(A, T), cfg).errors, 0);
}

/* The provider layer's generic checks accept the configurations above,
 * refuse a computed user attribute set in configuration, and an apply
 * that fills only the unknowns is consistent with the plan. */
static void test_generic_schema_checks(void)
{
	struct diags d;
	struct presult r;

	diags_init(&d, A);
	CHECK_INT(schema_validate_config(A, B, base(), &d), 0);
	CHECK_INT(d.errors, 0);
	diags_init(&d, A);
	schema_validate_config(A, B, with_user(base(), "x", with(
		USER("readonly"), "user_id", S("mine"))), &d);
	CHECK(d.errors >= 1);
	r = plan(value_null(A, T), with(with_user(base(), "x", with(
		USER("readonly"), "authentication", S("iam"))), "engine",
		S("valkey")));
	CHECK_OK(r);
	diags_init(&d, A);
	CHECK_INT(plan_check_applied(A, B, r.planned, applied(r.planned), &d),
		  0);
	CHECK_INT(d.errors, 0);
}

int main(void)
{
	A = arena_new();
	B = redis_rbac_users_resource.schema->block;
	T = schema_block_type(A, B);
	UT = T->types[type_attr_index(T, "users")]->elem;
	RUN(test_schema_well_formed);
	RUN(test_valid_configs);
	RUN(test_refused_names);
	RUN(test_refused_roles);
	RUN(test_refused_access_strings);
	RUN(test_dangerous_warnings);
	RUN(test_refused_auth);
	RUN(test_refused_other);
	RUN(test_user_ids);
	RUN(test_cluster_arns_and_policy);
	RUN(test_plan_create);
	RUN(test_plan_iam_and_custom);
	RUN(test_plan_only_iam_needs_no_key);
	RUN(test_plan_no_change);
	RUN(test_plan_add_remove_users);
	RUN(test_plan_switch_authentication);
	RUN(test_plan_rotation);
	RUN(test_plan_unknowns);
	RUN(test_plan_replace_and_destroy);
	RUN(test_plan_after_import);
	RUN(test_examples_validate);
	RUN(test_generic_schema_checks);
	arena_free(A);
	return check_summary();
}
