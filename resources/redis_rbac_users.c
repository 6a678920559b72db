/*
 * redis_rbac_users.c - `secure_redis_rbac_users` (issue 5), part 1:
 * schema, validation and planning (redis_rbac_users.h).
 *
 * One resource stands for an ElastiCache user group, its users, one
 * Secrets Manager secret per password user and (optionally) a KMS key for
 * them.  Users are a map keyed by user name: the name is the user's
 * identity, so adding or removing one user never shifts the others (a
 * list of blocks would re-key every later element).
 *
 * Safe defaults are not arguments: roles generate their access strings
 * (redis_acl.h), a custom string is parsed and refused when it carries a
 * password, nopass, reset or resetpass, and the group's `default` user is
 * always the locked one.
 *
 * Not here yet: create/read/update/delete/import (they need the AWS
 * clients of aws/); the descriptor leaves them NULL and the registry does
 * not list the resource.  No AWS call happens in validate or plan.
 */
#include "resources/redis_rbac_users.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/timeouts.h"
#include "resources/aws_validate.h"
#include "resources/plan_common.h"
#include "resources/redis_acl.h"
#include "resources/redis_cluster.h"
#include "resources/redis_rbac_users_ops.h"

static const struct type map_of_string = TYPE_MAP_OF(&type_string);
static const struct type set_of_string = TYPE_SET_OF(&type_string);

#define OPT (ATTR_OPTIONAL)
#define OPT_COMP (ATTR_OPTIONAL | ATTR_COMPUTED)
#define COMP (ATTR_COMPUTED)

#define MAX_PATTERNS 64		/* keys or channels per user */

/* ---- schema ---- */

static const struct schema_attr user_attrs[] = {
	{ .name = "role", .type = &type_string, .flags = ATTR_REQUIRED,
	  .description = "`admin` (every command on the keys and channels "
	  "given, default all), `readonly` (read commands only: `-@all "
	  "+@read +@connection -@dangerous`), `service` (read and write: "
	  "`-@all +@read +@write +@connection +@transaction -@dangerous "
	  "-flushall -flushdb -keys`) or `custom` (your `access_string`). "
	  "See `effective_access_string` for the exact string." },
	{ .name = "access_string", .type = &type_string, .flags = OPT,
	  .description = "Redis ACL rules for `role = \"custom\"` only, such "
	  "as `on ~orders:* -@all +get +set`. Refused when it embeds a "
	  "password (`>` `<` `#` `!`), uses `nopass`, `reset` or `resetpass`, "
	  "names a command ElastiCache does not offer (`config`, `debug`, "
	  "`shutdown`, ...), or is not valid ACL syntax (unknown category, "
	  "malformed rule). Granting dangerous commands (`+@all`, "
	  "`+@dangerous`, `+@admin`, `flushall`, `keys`, ...) gives a "
	  "warning." },
	{ .name = "keys", .type = &set_of_string, .flags = OPT,
	  .description = "Key patterns (`orders:*`) for the preset roles; "
	  "unset means all keys (`~*`). Not for `custom` (write `~pattern` "
	  "rules in the access string)." },
	{ .name = "channels", .type = &set_of_string, .flags = OPT,
	  .description = "Pub/Sub channel patterns for the preset roles. "
	  "Unset: all channels for `admin`, none for `readonly` and "
	  "`service`. Given to `readonly`, it also allows SUBSCRIBE and "
	  "PSUBSCRIBE; given to `service`, the `@pubsub` commands." },
	{ .name = "authentication", .type = &type_string, .flags = OPT_COMP,
	  .description = "`password` (the default: the provider generates a "
	  "32-character password and keeps it in Secrets Manager) or `iam` "
	  "(IAM authentication: needs Redis OSS 7.0 or later, or Valkey; the "
	  "user id is then the user name, and `iam_policy_json` grants "
	  "`elasticache:Connect`). Switching replaces the user, because the "
	  "two kinds of user have different ids." },
	{ .name = "password_version", .type = &type_number, .flags = OPT,
	  .description = "Password rotation trigger for `password` users "
	  "(unset means 1; it can only increase). Raising it adds a new "
	  "password next to the current one (ElastiCache keeps two per user) "
	  "and publishes it in the secret; the old one keeps working until "
	  "an apply with `retire_previous_passwords = true` removes it, so "
	  "clients can switch without downtime." },
	{ .name = "effective_access_string", .type = &type_string,
	  .flags = COMP,
	  .description = "The access string sent to ElastiCache: the role "
	  "preset for the keys and channels given, or the custom string with "
	  "white space collapsed." },
	{ .name = "user_id", .type = &type_string, .flags = COMP,
	  .description = "ElastiCache user id (lowercase, unique in the "
	  "group): `<group>-<user>`, shortened with a hash suffix beyond 40 "
	  "characters; for `iam` users the user name itself." },
	{ .name = "arn", .type = &type_string, .flags = COMP,
	  .description = "ARN of the ElastiCache user." },
	{ .name = "secret_arn", .type = &type_string, .flags = COMP,
	  .description = "ARN of the Secrets Manager secret holding the "
	  "user's password (`password` users; null for `iam`). The password "
	  "itself is never in state, plan or logs." },
	{ .name = "iam_policy_json", .type = &type_string, .flags = COMP,
	  .description = "IAM policy document allowing `elasticache:Connect` "
	  "as this user on the groups in `cluster_arns` (`iam` users; null "
	  "for `password`). Attach it to the application's role." },
	{ .name = "password_rotation_phase", .type = &type_string,
	  .flags = COMP,
	  .description = "What the last apply did to the user's passwords, "
	  "or the next one will do when the plan changes it: `created` (one "
	  "password), `rotated` (old and new both work), `retired` (only the "
	  "new one). Null for `iam` users and after import." },
};

static const struct schema_object users_object = {
	.nesting = NEST_MAP,
	.n_attrs = sizeof(user_attrs) / sizeof(user_attrs[0]),
	.attrs = user_attrs,
};

static const struct schema_attr rbac_attrs[] = {
	{ .name = "name", .type = &type_string,
	  .flags = ATTR_REQUIRED | ATTR_FORCE_NEW,
	  .description = "The user group id: 1 to 40 lowercase letters, "
	  "digits and hyphens, starting with a letter, without a trailing "
	  "hyphen or two hyphens in a row. ElastiCache stores ids in lower "
	  "case, so upper case is refused rather than silently changed. "
	  "Changing it replaces the group and its users." },
	{ .name = "id", .type = &type_string, .flags = COMP,
	  .description = "The user group id (equal to `name`); also the "
	  "import id." },
	{ .name = "engine", .type = &type_string, .flags = OPT_COMP,
	  .description = "`redis` (Redis OSS, the default) or `valkey`: the "
	  "engine of the group and its users. A Valkey cluster accepts both "
	  "kinds of group; a Redis OSS cluster only `redis` ones." },
	{ .name = "engine_version", .type = &type_string, .flags = OPT,
	  .description = "Engine version of the clusters this group is "
	  "attached to (`major.minor`, at least Redis OSS 6.2 or Valkey 7.2), "
	  "for checks only: `iam` users need Redis OSS 7.0 or later, and "
	  "Redis 7 ACL syntax (`%R~`, selectors) needs 7.0. Required when a "
	  "`redis` group has `iam` users." },
	{ .name = "users", .nested = &users_object, .flags = ATTR_REQUIRED,
	  .description = "The users, keyed by user name (1 to 40 lowercase "
	  "letters, digits and hyphens, starting with a letter; `default` is "
	  "reserved for the locked default user the provider adds). At most "
	  "99, as ElastiCache allows 100 users per group." },
	{ .name = "kms_key_arn", .type = &type_string, .flags = OPT_COMP,
	  .description = "ARN of a customer-managed KMS key for the password "
	  "secrets. Unset: the provider creates one (rotation on) when the "
	  "group has `password` users. Changing it re-encrypts the secrets "
	  "in place." },
	{ .name = "cluster_arns", .type = &set_of_string, .flags = OPT,
	  .description = "ARNs of the replication groups (`arn:aws:"
	  "elasticache:<region>:<account>:replicationgroup:<id>`) the "
	  "`iam_policy_json` documents allow connecting to." },
	{ .name = "retire_previous_passwords", .type = &type_bool,
	  .flags = OPT,
	  .description = "When `true`, the next apply removes the previous "
	  "password of every user in the `rotated` phase. Set it once every "
	  "client reads the new passwords." },
	{ .name = "secret_recovery_window_days", .type = &type_number,
	  .flags = OPT_COMP,
	  .description = "Days (7 to 30) Secrets Manager keeps a removed "
	  "user's secret recoverable; defaults to 7. `0` deletes at once." },
	{ .name = "tags", .type = &map_of_string, .flags = OPT,
	  .description = "Tags for the group, its users, secrets and key, "
	  "merged with the provider's `default_tags`. The key "
	  "`secure:redis-rbac-users` is reserved." },
	{ .name = "tags_all", .type = &map_of_string, .flags = COMP,
	  .description = "All tags applied: `default_tags`, `tags` and "
	  "`secure:redis-rbac-users` = the group id." },
	{ .name = "user_group_id", .type = &type_string, .flags = COMP,
	  .description = "The user group id, for "
	  "`secure_redis_cluster.user_group_id`." },
	{ .name = "default_user_id", .type = &type_string, .flags = COMP,
	  .description = "Id of the group's locked `default` user (access "
	  "string `off -@all`): `<group>-default`." },
	{ .name = "arn", .type = &type_string, .flags = COMP,
	  .description = "ARN of the user group." },
};

static const struct schema_nested_block rbac_blocks[] = {
	TIMEOUTS_NESTED_BLOCK,
};

static const struct schema_block rbac_block = {
	.n_attrs = sizeof(rbac_attrs) / sizeof(rbac_attrs[0]),
	.attrs = rbac_attrs,
	.n_blocks = 1,
	.blocks = rbac_blocks,
	.description = "An ElastiCache RBAC user group with its users, least "
	"privilege by default: role presets generate the access strings, "
	"passwords are generated and kept in Secrets Manager (never in "
	"state), and the group's `default` user is locked (`off -@all`). "
	"Attach it with `secure_redis_cluster.user_group_id`.",
};

static const struct schema rbac_schema = { .version = 0,
					   .block = &rbac_block };

/* ---- names ---- */

const char *redis_rbac_user_id(struct arena *a, const char *group,
			       const char *user)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char *full = arena_strlower(a, arena_sprintf(a, "%s-%s", group, user));
	char *seed = arena_sprintf(a, "%s/%s", group, user);
	size_t n = 31;

	if (strlen(full) <= REDIS_RBAC_ID_MAX)
		return full;
	if (EVP_Digest(seed, strlen(seed), md, &md_len, EVP_sha256(), NULL)
	    != 1 || md_len < 4)
		abort();	/* SHA-256 in the default provider cannot fail */
	while (n > 1 && full[n - 1] == '-')
		n--;
	full[n] = '\0';
	return arena_sprintf(a, "%s-%02x%02x%02x%02x", full, md[0], md[1],
			     md[2], md[3]);
}

const char *redis_rbac_iam_policy(struct arena *a, const char *user_arn,
				  const char *const *cluster_arns, size_t n)
{
	json_t *doc, *res;
	const char *out = NULL;
	char *text;
	size_t i;

	res = json_array();
	for (i = 0; res && i < n; i++)
		json_array_append_new(res, json_string(cluster_arns[i]));
	if (res)
		json_array_append_new(res, json_string(user_arn));
	doc = json_pack("{s:s, s:[{s:s, s:s, s:o}]}", "Version", "2012-10-17",
			"Statement", "Effect", "Allow", "Action",
			"elasticache:Connect", "Resource", res);
	if (!doc)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text) {
		out = arena_strdup(a, text);
		free(text);
	}
	return out;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

const char *redis_rbac_check_cluster_arn(const char *s)
{
	const char *f[7];
	size_t len[7], i = 0;
	const char *p = s, *q;

	for (i = 0; i < 6; i++) {
		q = strchr(p, ':');
		if (!q)
			return "must look like arn:aws:elasticache:<region>:"
			       "<account>:replicationgroup:<id>";
		f[i] = p;
		len[i] = (size_t)(q - p);
		p = q + 1;
	}
	f[6] = p;
	len[6] = strlen(p);
	if (len[0] != 3 || memcmp(f[0], "arn", 3) != 0 || len[1] == 0 ||
	    len[2] != 11 || memcmp(f[2], "elasticache", 11) != 0 ||
	    len[3] == 0)
		return "must look like arn:aws:elasticache:<region>:"
		       "<account>:replicationgroup:<id>";
	if (len[4] != 12 || !all_digits(f[4], 12))
		return "must have a 12-digit account id";
	if (len[5] != 16 || memcmp(f[5], "replicationgroup", 16) != 0)
		return "must name a replication group (:replicationgroup:<id>)";
	if (aws_check_elasticache_id(f[6], 40) || aws_has_upper(f[6]))
		return "must end with a valid, lowercase replication group id";
	return NULL;
}

/* ---- validation ---- */

struct check {
	struct ctx *c;
	const struct value *cfg;
	const char *engine;	/* "redis"/"valkey"; NULL unknown or bad */
	int major, minor;	/* engine_version; -1 when not known */
};

static struct path top(const struct check *k, const char *name)
{
	return path_attr(k->c->arena, path_root, name);
}

/* users["key"] or users["key"].attr */
static struct path user_path(const struct check *k, const char *key,
			     const char *attr)
{
	struct arena *a = k->c->arena;
	struct path p = path_key(a, path_attr(a, path_root, "users"), key);

	return attr ? path_attr(a, p, attr) : p;
}

static void report(const struct check *k, enum diag_severity sev,
		   struct path p, const char *summary, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(const struct check *k, enum diag_severity sev,
		   struct path p, const char *summary, const char *fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	detail = arena_vsprintf(k->c->arena, fmt, ap);
	va_end(ap);
	diag_add(&k->c->diags, sev, &p, summary, "%s", detail);
}

/* A string value: 1 known (*out set), 0 null or absent, -1 unknown.  An
 * embedded NUL is reported at p and treated as absent. */
static int str_at(const struct check *k, const struct value *v,
		  struct path p, const char **out)
{
	if (!v || value_is_null(v))
		return 0;
	if (!value_is_known(v) || !value_get_string(v, out))
		return -1;
	if (strlen(*out) != v->u.str.len) {
		report(k, DIAG_ERROR, p, "Invalid value", "The value must not "
		       "contain a NUL character.");
		return 0;
	}
	return 1;
}

static int top_str(const struct check *k, const char *name, const char **out)
{
	return str_at(k, value_attr(k->cfg, name), top(k, name), out);
}

/* The id syntax ElastiCache applies to group and user ids, lowercase. */
static void check_id(const struct check *k, struct path p, const char *s,
		     const char *what)
{
	const char *why = aws_check_elasticache_id(s, REDIS_RBAC_ID_MAX);

	if (why)
		report(k, DIAG_ERROR, p, arena_sprintf(k->c->arena,
		       "Invalid %s", what), "The %s \"%s\" %s. It must be 1 to "
		       "40 letters, digits and hyphens, start with a letter, "
		       "and neither end with a hyphen nor contain two in a "
		       "row.", what, s, why);
	else if (aws_has_upper(s))
		report(k, DIAG_ERROR, p, arena_sprintf(k->c->arena,
		       "The %s must be lowercase", what), "ElastiCache stores "
		       "ids in lower case, so \"%s\" would come back as \"%s\" "
		       "and every plan would show a change. Write \"%s\".", s,
		       arena_strlower(k->c->arena, s), arena_strlower(k->c->arena, s));
}

static void check_engine(struct check *k)
{
	const char *s;
	int rc = top_str(k, "engine", &s);

	k->engine = NULL;
	if (rc == 0)
		k->engine = REDIS_RBAC_DEFAULT_ENGINE;
	else if (rc == 1 && (strcmp(s, "redis") == 0 ||
			     strcmp(s, "valkey") == 0))
		k->engine = s;
	else if (rc == 1)
		report(k, DIAG_ERROR, top(k, "engine"), "Unsupported engine",
		       "engine must be \"redis\" (Redis OSS) or \"valkey\", got "
		       "\"%s\".", s);
}

static void check_engine_version(struct check *k)
{
	const char *s;

	k->major = k->minor = -1;
	if (top_str(k, "engine_version", &s) != 1)
		return;
	if (redis_cluster_parse_version(s, &k->major, &k->minor) < 0) {
		report(k, DIAG_ERROR, top(k, "engine_version"),
		       "Invalid engine version", "engine_version must be "
		       "major.minor such as \"7.1\" (or \"6.x\"), got \"%s\".",
		       s);
		k->major = -1;
		return;
	}
	if (k->engine && strcmp(k->engine, "valkey") == 0 &&
	    (k->major < 7 || (k->major == 7 && k->minor < 2)))
		report(k, DIAG_ERROR, top(k, "engine_version"),
		       "Engine version too old", "Valkey starts at 7.2; got "
		       "\"%s\".", s);
	else if (k->major < 6 || (k->major == 6 && k->minor < 2))
		report(k, DIAG_ERROR, top(k, "engine_version"),
		       "Engine version too old", "RBAC users with channel "
		       "rules need Redis OSS 6.2 or later (and "
		       "secure_redis_cluster requires 6.2); got \"%s\".", s);
}

/* Redis major version for ACL syntax checks: 0 = unknown, 7 for Valkey. */
static int acl_major(const struct check *k)
{
	if (k->engine && strcmp(k->engine, "valkey") == 0)
		return 7;
	return k->major > 0 ? k->major : 0;
}

static void check_patterns(const struct check *k, const char *key,
			   const char *attr, const struct value *v)
{
	struct path p = user_path(k, key, attr);
	size_t i;

	if (!v || !value_is_known(v))
		return;
	if (v->u.coll.n > MAX_PATTERNS)
		report(k, DIAG_ERROR, p, "Too many patterns", "At most %d %s "
		       "patterns per user; got %zu. Use wider patterns or a "
		       "custom access string.", MAX_PATTERNS, attr,
		       v->u.coll.n);
	for (i = 0; i < v->u.coll.n; i++) {
		const char *s, *why;

		if (str_at(k, v->u.coll.items[i], p, &s) != 1)
			continue;
		why = redis_acl_check_pattern(s);
		if (why)
			report(k, DIAG_ERROR, p, "Invalid pattern", "The %s "
			       "pattern \"%s\" %s.", attr, s, why);
	}
}

static void check_access_string(const struct check *k, const char *key,
				const char *s)
{
	struct path p = user_path(k, key, "access_string");
	struct redis_acl_problems pr;
	struct redis_acl acl;
	const char *why;
	size_t i;

	if (redis_acl_parse(k->c->arena, s, &acl, &why) < 0) {
		report(k, DIAG_ERROR, p, "Invalid access string", "The access "
		       "string of user \"%s\" is not valid Redis ACL: %s.",
		       key, why);
		return;
	}
	redis_acl_check(k->c->arena, &acl, false, acl_major(k), &pr);
	for (i = 0; i < pr.n_errors; i++)
		report(k, DIAG_ERROR, p, "Access string refused", "User \"%s\": "
		       "%s", key, pr.errors[i]);
	for (i = 0; i < pr.n_warnings; i++)
		report(k, DIAG_WARNING, p, "Broad access string", "User \"%s\": "
		       "%s", key, pr.warnings[i]);
}

static bool is_set(const struct value *v)
{
	return v && !value_is_null(v);
}

static void check_role(const struct check *k, const char *key,
		       const struct value *u)
{
	const char *role, *s;
	int rc = str_at(k, value_attr(u, "role"), user_path(k, key, "role"),
			&role);
	const struct value *as = value_attr(u, "access_string");

	if (rc != 1)
		return;
	if (strcmp(role, "custom") == 0) {
		if (!is_set(as))
			report(k, DIAG_ERROR, user_path(k, key, "access_string"),
			       "Missing access string", "User \"%s\" has role "
			       "\"custom\", which needs an access_string.",
			       key);
		if (is_set(value_attr(u, "keys")) ||
		    is_set(value_attr(u, "channels")))
			report(k, DIAG_ERROR, user_path(k, key,
			       is_set(value_attr(u, "keys")) ? "keys" :
			       "channels"), "Patterns with a custom role",
			       "keys and channels shape the preset roles; for "
			       "role \"custom\" write ~pattern and &pattern "
			       "rules in access_string.");
		if (str_at(k, as, user_path(k, key, "access_string"), &s) == 1)
			check_access_string(k, key, s);
		return;
	}
	if (strcmp(role, "admin") != 0 && strcmp(role, "readonly") != 0 &&
	    strcmp(role, "service") != 0) {
		report(k, DIAG_ERROR, user_path(k, key, "role"), "Unknown role",
		       "role must be \"admin\", \"readonly\", \"service\" or "
		       "\"custom\", got \"%s\".", role);
		return;
	}
	if (is_set(as))
		report(k, DIAG_ERROR, user_path(k, key, "access_string"),
		       "Access string with a preset role", "User \"%s\" has role "
		       "\"%s\", which generates its access string; set role = "
		       "\"custom\" to write your own.", key, role);
}

/* Returns the authentication ("password"/"iam", NULL unknown or bad). */
static const char *check_auth(const struct check *k, const char *key,
			      const struct value *u)
{
	const char *auth;
	int64_t n;
	const struct value *pv = value_attr(u, "password_version");
	int rc = str_at(k, value_attr(u, "authentication"),
			user_path(k, key, "authentication"), &auth);

	if (pv && value_is_known(pv) && (!value_get_int(pv, &n) || n < 1))
		report(k, DIAG_ERROR, user_path(k, key, "password_version"),
		       "Invalid password version", "password_version must be "
		       "a whole number of at least 1.");
	if (rc == 0)
		return REDIS_RBAC_DEFAULT_AUTHENTICATION;
	if (rc < 0)
		return NULL;
	if (strcmp(auth, "password") == 0)
		return auth;
	if (strcmp(auth, "iam") != 0) {
		report(k, DIAG_ERROR, user_path(k, key, "authentication"),
		       "Unknown authentication", "authentication must be "
		       "\"password\" or \"iam\", got \"%s\". Users without a "
		       "password are not offered.", auth);
		return NULL;
	}
	if (is_set(pv))
		report(k, DIAG_ERROR, user_path(k, key, "password_version"),
		       "Password version for an IAM user", "User \"%s\" "
		       "authenticates with IAM and has no password to rotate.",
		       key);
	if (k->engine && strcmp(k->engine, "redis") == 0) {
		if (value_is_unknown(value_attr(k->cfg, "engine_version")))
			return auth;
		if (k->major < 0)
			report(k, DIAG_ERROR, user_path(k, key,
			       "authentication"), "Engine version needed",
			       "IAM authentication needs Redis OSS 7.0 or "
			       "later: set engine_version to the version of "
			       "the clusters this group is attached to.");
		else if (k->major < 7)
			report(k, DIAG_ERROR, user_path(k, key,
			       "authentication"), "IAM needs Redis OSS 7.0",
			       "IAM authentication needs Redis OSS 7.0 or "
			       "later (or Valkey); engine_version is %d.%d.",
			       k->major, k->minor);
	}
	return auth;
}

/* Ids must be unique in the group: a derived id can meet an IAM user's
 * name ("app" + "reader" and an IAM user "app-reader"). */
static void check_unique_ids(const struct check *k, const char *group,
			     const char *const *keys, const char *const *auths,
			     size_t n)
{
	struct arena *a = k->c->arena;
	const char **ids = arena_calloc(a, n + 1, sizeof(*ids));
	size_t i, j;

	ids[n] = redis_rbac_user_id(a, group, "default");
	for (i = 0; i < n; i++)
		ids[i] = !auths[i] ? NULL : strcmp(auths[i], "iam") == 0 ?
			keys[i] : redis_rbac_user_id(a, group, keys[i]);
	for (i = 0; i < n; i++)
		for (j = i + 1; ids[i] && j <= n; j++)
			if (ids[j] && strcmp(ids[i], ids[j]) == 0)
				report(k, DIAG_ERROR, user_path(k, keys[i],
				       NULL), "User ids collide", "Users \"%s\" "
				       "and \"%s\" would both get the user id "
				       "\"%s\". Rename one of them.", keys[i],
				       j == n ? "default" : keys[j], ids[i]);
}

static void check_users(struct check *k)
{
	const struct value *users = value_attr(k->cfg, "users");
	const char **auths, *group = NULL;
	size_t i, n;
	bool ids_known = true;

	if (!users || !value_is_known(users))
		return;
	n = users->u.coll.n;
	if (n > REDIS_RBAC_MAX_USERS)
		report(k, DIAG_ERROR, top(k, "users"), "Too many users",
		       "ElastiCache allows 100 users per user group, one of "
		       "which is the provider's default user: at most %d here, "
		       "got %zu.", REDIS_RBAC_MAX_USERS, n);
	auths = arena_calloc(k->c->arena, n + 1, sizeof(*auths));
	for (i = 0; i < n; i++) {
		const char *key = users->u.coll.keys[i];
		const struct value *u = users->u.coll.items[i];

		if (strcasecmp(key, "default") == 0) {
			report(k, DIAG_ERROR, user_path(k, key, NULL),
			       "Reserved user name", "The user name \"default\" "
			       "is reserved: the provider adds the group's "
			       "default user itself, locked (off -@all).");
			ids_known = false;
			continue;
		}
		if (aws_check_elasticache_id(key, REDIS_RBAC_ID_MAX) ||
		    aws_has_upper(key))
			ids_known = false;
		check_id(k, user_path(k, key, NULL), key, "user name");
		if (!value_is_known(u))
			continue;
		check_role(k, key, u);
		check_patterns(k, key, "keys", value_attr(u, "keys"));
		check_patterns(k, key, "channels", value_attr(u, "channels"));
		auths[i] = check_auth(k, key, u);
	}
	if (top_str(k, "name", &group) == 1 && ids_known &&
	    !aws_check_elasticache_id(group, REDIS_RBAC_ID_MAX))
		check_unique_ids(k, arena_strlower(k->c->arena, group),
				 users->u.coll.keys, auths, n);
}

static void check_kms(const struct check *k)
{
	const char *s, *why;

	if (top_str(k, "kms_key_arn", &s) == 1 &&
	    (why = aws_check_kms_key_arn(s)) != NULL)
		report(k, DIAG_ERROR, top(k, "kms_key_arn"), "Invalid KMS key "
		       "ARN", "kms_key_arn \"%s\" %s.", s, why);
}

static void check_cluster_arns(const struct check *k)
{
	const struct value *v = value_attr(k->cfg, "cluster_arns");
	size_t i;

	if (!v || !value_is_known(v))
		return;
	for (i = 0; i < v->u.coll.n; i++) {
		const char *s, *why;

		if (str_at(k, v->u.coll.items[i], top(k, "cluster_arns"),
			   &s) == 1 &&
		    (why = redis_rbac_check_cluster_arn(s)) != NULL)
			report(k, DIAG_ERROR, top(k, "cluster_arns"),
			       "Invalid cluster ARN", "\"%s\" %s.", s, why);
	}
}

static void check_recovery(const struct check *k)
{
	const struct value *v = value_attr(k->cfg, "secret_recovery_window_days");
	int64_t n;

	if (!v || !value_is_known(v))
		return;
	if (!value_get_int(v, &n) || (n != 0 && (n < 7 || n > 30)))
		report(k, DIAG_ERROR, top(k, "secret_recovery_window_days"),
		       "Value out of range", "secret_recovery_window_days must "
		       "be 0 (delete at once) or from 7 to 30, as Secrets "
		       "Manager allows.");
}

static void check_tags(const struct check *k)
{
	const struct value *v = value_attr(k->cfg, "tags");
	size_t i;

	if (!v || !value_is_known(v))
		return;
	if (v->u.coll.n + 1 > AWS_TAGS_MAX)
		report(k, DIAG_ERROR, top(k, "tags"), "Too many tags", "AWS "
		       "allows %d tags per resource, one of which is %s.",
		       AWS_TAGS_MAX, REDIS_RBAC_TAG_KEY);
	for (i = 0; i < v->u.coll.n; i++) {
		const char *key = v->u.coll.keys[i], *val, *why;
		struct path p = path_key(k->c->arena, top(k, "tags"), key);

		if (strcmp(key, REDIS_RBAC_TAG_KEY) == 0) {
			report(k, DIAG_ERROR, p, "Reserved tag", "The tag %s is "
			       "set by the provider (the user group id).",
			       REDIS_RBAC_TAG_KEY);
			continue;
		}
		if ((why = aws_check_tag_key(key)) != NULL)
			report(k, DIAG_ERROR, p, "Invalid tag key", "Tag key "
			       "\"%s\" %s.", key, why);
		if (str_at(k, v->u.coll.items[i], p, &val) == 1 &&
		    (why = aws_check_tag_value(val)) != NULL)
			report(k, DIAG_ERROR, p, "Invalid tag value", "The value "
			       "of tag \"%s\" %s.", key, why);
	}
}

static int rbac_validate(struct ctx *c, struct resource_op *op)
{
	struct check k = { .c = c, .cfg = op->config };
	size_t before = c->diags.errors;
	const char *name;

	if (!value_is_known(op->config))
		return 0;
	if (top_str(&k, "name", &name) == 1)
		check_id(&k, top(&k, "name"), name, "user group id");
	check_engine(&k);
	check_engine_version(&k);
	check_users(&k);
	check_kms(&k);
	check_cluster_arns(&k);
	check_recovery(&k);
	check_tags(&k);
	return c->diags.errors > before ? -1 : 0;
}

/* ---- plan ---- */

struct planner {
	struct ctx *c;
	struct resource_op *op;
	const struct value *p;		/* the planned object being built */
	const char *group;		/* lowercase group id; NULL unknown */
};

static const struct value *planned(const struct planner *pl,
				   const char *name)
{
	return value_attr(pl->p, name);
}

static void set(struct planner *pl, const char *name, const struct value *v)
{
	pl->p = value_with_attr(pl->c->arena, pl->p, name, v);
}

static bool config_null(const struct value *cfg, const char *name)
{
	const struct value *v = cfg ? value_attr(cfg, name) : NULL;

	return !v || value_is_null(v);
}

static bool str_is(const struct value *v, const char *s)
{
	const char *got;

	return v && value_get_string(v, &got) && strcmp(got, s) == 0;
}

static const struct value *unknown_like(struct arena *a,
					const struct value *v)
{
	return value_unknown(a, v->type);
}

static const struct value *null_like(struct arena *a, const struct value *v)
{
	return value_null(a, v->type);
}

static void plan_defaults(struct planner *pl)
{
	struct arena *a = pl->c->arena;
	const struct value *cfg = pl->op->config;

	/* As the plugin framework's defaults: an argument left out means the
	 * default, also when the prior state has another value (removing
	 * engine = "valkey" from the configuration goes back to redis). */
	if (config_null(cfg, "engine"))
		set(pl, "engine", value_string(a, REDIS_RBAC_DEFAULT_ENGINE));
	if (config_null(cfg, "secret_recovery_window_days"))
		set(pl, "secret_recovery_window_days", value_int(a,
		    REDIS_RBAC_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS));
}

static void plan_identity(struct planner *pl)
{
	struct arena *a = pl->c->arena;
	const char *name;

	pl->group = NULL;
	if (!value_get_string(planned(pl, "name"), &name)) {
		set(pl, "id", unknown_like(a, planned(pl, "id")));
		set(pl, "user_group_id", unknown_like(a,
		    planned(pl, "user_group_id")));
		set(pl, "default_user_id", unknown_like(a,
		    planned(pl, "default_user_id")));
		return;
	}
	pl->group = arena_strlower(a, name);
	set(pl, "id", value_string(a, pl->group));
	set(pl, "user_group_id", value_string(a, pl->group));
	set(pl, "default_user_id", value_string(a,
	    redis_rbac_user_id(a, pl->group, "default")));
}

/* The strings of a known set, in its canonical order; NULL if unknown
 * anywhere.  *n = 0 for null. */
static const char *const *set_strings(struct arena *a, const struct value *v,
				      size_t *n, bool *known)
{
	const char **out;
	size_t i;

	*n = 0;
	*known = true;
	if (!v || value_is_null(v))
		return NULL;
	if (!value_is_known(v) || value_has_unknown(v)) {
		*known = false;
		return NULL;
	}
	out = arena_calloc(a, v->u.coll.n + 1, sizeof(*out));
	for (i = 0; i < v->u.coll.n; i++)
		value_get_string(v->u.coll.items[i], &out[i]);
	*n = v->u.coll.n;
	return out;
}

/* The user's access string, NULL while something it depends on is
 * unknown (or invalid: validation reported it). */
static const char *access_string_of(struct arena *a, const struct value *u)
{
	const struct value *role = value_attr(u, "role");
	const char *const *keys, *const *chans, *s;
	size_t nk, nc;
	bool kk, ck;

	if (str_is(role, "custom"))
		return value_get_string(value_attr(u, "access_string"), &s) ?
			redis_acl_normalize(a, s) : NULL;
	keys = set_strings(a, value_attr(u, "keys"), &nk, &kk);
	chans = set_strings(a, value_attr(u, "channels"), &nc, &ck);
	if (!kk || !ck)
		return NULL;
	if (str_is(role, "admin"))
		return redis_acl_preset(a, REDIS_ACL_ROLE_ADMIN, keys, nk,
					chans, nc);
	if (str_is(role, "readonly"))
		return redis_acl_preset(a, REDIS_ACL_ROLE_READONLY, keys, nk,
					chans, nc);
	if (str_is(role, "service"))
		return redis_acl_preset(a, REDIS_ACL_ROLE_SERVICE, keys, nk,
					chans, nc);
	return NULL;
}

static int64_t version_of(const struct value *u)
{
	int64_t n = 1;

	if (u)
		value_get_int(value_attr(u, "password_version"), &n);
	return n;
}

static struct path user_attr_path(struct arena *a, const char *key,
				   const char *attr)
{
	return path_attr(a, path_key(a, path_attr(a, path_root, "users"), key),
			 attr);
}

/* password_rotation_phase of a password user that already exists (pu).
 * ElastiCache keeps two passwords per user: a rotation adds one, so a
 * user still in the rotated phase must retire the oldest first (with
 * retire_previous_passwords, possibly in the same apply). */
static int plan_phase(struct planner *pl, const char *key,
		      const struct value *u, const struct value *pu,
		      const struct value **phase)
{
	struct arena *a = pl->c->arena;
	const struct value *pv = value_attr(u, "password_version");
	const struct value *prior_phase = value_attr(pu,
		"password_rotation_phase");
	int64_t from = version_of(pu), to = version_of(u);
	bool retire = false, imported;
	struct path p = user_attr_path(a, key, "password_version");

	if (!prior_phase)
		prior_phase = value_null(a, &type_string);
	if (pv && value_is_unknown(pv)) {
		*phase = value_unknown(a, &type_string);
		return 0;
	}
	if (to < from)
		return diag_error(&pl->c->diags, &p, "Password version "
				  "lowered", "password_version of user \"%s\" "
				  "went from %lld to %lld; it can only "
				  "increase (raise it to rotate).", key,
				  (long long)from, (long long)to);
	/* After import the phase and version are unknown to the provider:
	 * adopt the configured version without rotating. */
	imported = value_is_null(prior_phase) &&
		value_is_null(value_attr(pu, "password_version"));
	value_get_bool(planned(pl, "retire_previous_passwords"), &retire);
	if (imported)
		*phase = prior_phase;
	else if (to > from && !retire &&
		 str_is(prior_phase, REDIS_RBAC_PHASE_ROTATED))
		return diag_error(&pl->c->diags, &p, "Rotation in progress",
				  "User \"%s\" still has two passwords from "
				  "the last rotation, and ElastiCache keeps at "
				  "most two. Set retire_previous_passwords = "
				  "true (once clients use the current password) "
				  "to retire the oldest as this one is added.",
				  key);
	else if (to > from)
		*phase = value_string(a, REDIS_RBAC_PHASE_ROTATED);
	else if (retire && str_is(prior_phase, REDIS_RBAC_PHASE_ROTATED))
		*phase = value_string(a, REDIS_RBAC_PHASE_RETIRED);
	else
		*phase = prior_phase;
	return 0;
}

static const struct value *iam_policy(struct planner *pl,
				      const struct value *arn)
{
	struct arena *a = pl->c->arena;
	const struct value *ca = planned(pl, "cluster_arns");
	const char *const *arns, *user_arn, *doc;
	size_t n;
	bool known;

	arns = set_strings(a, ca, &n, &known);
	if (!known || !value_get_string(arn, &user_arn))
		return value_unknown(a, &type_string);
	doc = redis_rbac_iam_policy(a, user_arn, arns, n);
	return doc ? value_string(a, doc) : value_unknown(a, &type_string);
}

static const struct value *uset(struct arena *a, const struct value *u,
				const char *name, const struct value *v)
{
	return value_with_attr(a, u, name, v);
}

/* authentication (default), effective_access_string and user_id of user
 * u (key).  Sets *auth and *id (NULL while unknown). */
static const struct value *plan_user_identity(struct planner *pl,
					      const char *key,
					      const struct value *u,
					      const char **auth,
					      const char **id)
{
	struct arena *a = pl->c->arena;
	const struct value *cv;
	const char *acc;

	cv = value_attr(value_map_get(value_attr(pl->op->config, "users"),
				      key), "authentication");
	if (!cv || value_is_null(cv))	/* the default, as plan_defaults */
		u = uset(a, u, "authentication", value_string(a,
			 REDIS_RBAC_DEFAULT_AUTHENTICATION));
	*auth = NULL;
	value_get_string(value_attr(u, "authentication"), auth);
	acc = access_string_of(a, u);
	u = uset(a, u, "effective_access_string", acc ? value_string(a, acc) :
		 value_unknown(a, &type_string));
	*id = NULL;
	if (*auth && pl->group)
		*id = strcmp(*auth, "iam") == 0 ? key :
			redis_rbac_user_id(a, pl->group, key);
	return uset(a, u, "user_id", *id ? value_string(a, *id) :
		    value_unknown(a, &type_string));
}

/* One user element *up (key) of the planned map; pu its prior or NULL.
 * A user whose id changes is a new ElastiCache user: its results are
 * planned anew. */
static int plan_user(struct planner *pl, const char *key,
		     const struct value **up, const struct value *pu)
{
	struct arena *a = pl->c->arena;
	const struct value *u = *up, *phase = NULL;
	const struct value *str_unknown = value_unknown(a, &type_string);
	const struct value *str_null = value_null(a, &type_string);
	const char *auth, *id, *prior_id = NULL;
	bool replaced;

	if (!value_is_known(u))
		return 0;
	u = plan_user_identity(pl, key, u, &auth, &id);
	if (pu && !value_is_known(pu))
		pu = NULL;
	if (pu)
		value_get_string(value_attr(pu, "user_id"), &prior_id);
	replaced = !pu || !id || !prior_id || strcmp(id, prior_id) != 0;
	if (replaced)
		u = uset(a, u, "arn", str_unknown);
	if (!auth) {
		u = uset(a, u, "secret_arn", str_unknown);
		u = uset(a, u, "iam_policy_json", str_unknown);
		u = uset(a, u, "password_rotation_phase", str_unknown);
	} else if (strcmp(auth, "iam") == 0) {
		u = uset(a, u, "secret_arn", str_null);
		u = uset(a, u, "password_rotation_phase", str_null);
		u = uset(a, u, "iam_policy_json",
			 iam_policy(pl, value_attr(u, "arn")));
	} else {
		u = uset(a, u, "iam_policy_json", str_null);
		if (replaced || !value_is_known(value_attr(pu, "secret_arn")))
			u = uset(a, u, "secret_arn", str_unknown);
		if (replaced)
			phase = value_string(a, REDIS_RBAC_PHASE_CREATED);
		else if (plan_phase(pl, key, u, pu, &phase) < 0)
			return -1;
		u = uset(a, u, "password_rotation_phase", phase);
	}
	*up = u;
	return 0;
}

static int plan_users(struct planner *pl)
{
	struct arena *a = pl->c->arena;
	const struct value *users = planned(pl, "users");
	const struct value *prior_users = NULL, **items;
	size_t i, n;
	int rc = 0;

	if (!value_is_known(users))
		return 0;
	if (value_is_known(pl->op->prior))
		prior_users = value_attr(pl->op->prior, "users");
	n = users->u.coll.n;
	items = arena_calloc(a, n + 1, sizeof(*items));
	for (i = 0; i < n; i++) {
		const char *key = users->u.coll.keys[i];

		items[i] = users->u.coll.items[i];
		if (plan_user(pl, key, &items[i], prior_users &&
			      value_is_known(prior_users) ?
			      value_map_get(prior_users, key) : NULL) < 0)
			rc = -1;
	}
	set(pl, "users", value_map(a, users->type->elem, n, users->u.coll.keys,
				   items));
	return rc;
}

/* A key is only needed for password users; one the provider created
 * stays until destroy. */
static void plan_kms(struct planner *pl)
{
	struct arena *a = pl->c->arena;
	const struct value *users = planned(pl, "users");
	const struct value *k = planned(pl, "kms_key_arn");
	bool need = !value_is_known(users);
	size_t i;

	if (!config_null(pl->op->config, "kms_key_arn") || value_is_known(k))
		return;
	for (i = 0; !need && i < users->u.coll.n; i++) {
		const struct value *au = value_attr(users->u.coll.items[i],
						    "authentication");

		need = !au || !str_is(au, "iam");
	}
	set(pl, "kms_key_arn", need ? unknown_like(a, k) : null_like(a, k));
}

/* tags_all = provider default_tags, overridden by tags, plus the identity
 * tag. */
static int plan_tags(struct planner *pl)
{
	const struct value *tags = planned(pl, "tags"), *all;
	struct arena *a = pl->c->arena;

	if (value_is_unknown(tags) || !pl->group) {
		set(pl, "tags_all", unknown_like(a, planned(pl, "tags_all")));
		return 0;
	}
	all = plan_common_tags_all(pl->c, tags, REDIS_RBAC_TAG_KEY,
				   value_string(a, pl->group));
	if (!all)
		return -1;
	set(pl, "tags_all", all);
	return 0;
}

static int rbac_plan(struct ctx *c, struct resource_op *op)
{
	struct planner pl = { .c = c, .op = op, .p = op->planned };
	int rc = 0;

	if (!op->planned || !value_is_known(op->planned))
		return 0;	/* destroy */
	plan_defaults(&pl);
	plan_identity(&pl);
	if (plan_users(&pl) < 0)
		rc = -1;
	plan_kms(&pl);
	if (plan_tags(&pl) < 0)
		rc = -1;
	op->planned = pl.p;
	return rc;
}

const struct resource redis_rbac_users_resource = {
	.type_name = "secure_redis_rbac_users",
	.schema = &rbac_schema,
	.validate = rbac_validate,
	.plan = rbac_plan,
	/* redis_rbac_users_ops.c */
	.create = redis_rbac_users_create,
	.update = redis_rbac_users_update,
	.read = redis_rbac_users_read,
	.delete = redis_rbac_users_delete,
	.import = redis_rbac_users_import,
	.timeout_create_ms = 30 * 60 * 1000,
	.timeout_update_ms = 30 * 60 * 1000,
	.timeout_delete_ms = 30 * 60 * 1000,
	.timeout_read_ms = 5 * 60 * 1000,
};
