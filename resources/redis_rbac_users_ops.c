/*
 * redis_rbac_users_ops.c - `secure_redis_rbac_users` part 2: create, read,
 * delete and import against AWS (redis_rbac_users_ops.h, issue 5).
 *
 * Create runs ordered steps (key, per user a secret then the user, the
 * locked default user, wait for the users, the group, wait for it); each
 * records what it made in the state being built and in the private state
 * before the next runs, so a failure returns exactly what exists.  Delete
 * works from the private state (every id made), so it also cleans up
 * after a partial create.  Read refreshes the group and each user and
 * shows out-of-band changes as differences.  Import adopts tagged users
 * and secrets.
 *
 * Update adds and removes users (ModifyUserGroup), rotates passwords,
 * and restores access
 * strings, membership and the locked default user (ModifyUser).  A
 * secret name still taken by a tagged secret of this group (destroyed
 * within its recovery window, or its user deleted out of band) is reused.
 *
 * Password rotation keeps the current password next to the new one
 * (ElastiCache's two-password window) before the secret changes.
 *
 * A new kms_key_arn re-encrypts the secrets (a key made by the resource
 * is then scheduled for deletion); changed tags are applied everywhere.
 */
#include "resources/redis_rbac_users_ops.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/elasticache.h"
#include "aws/kms.h"
#include "aws/secretsmanager.h"
#include "aws/session.h"
#include "resources/ops_common.h"
#include "resources/redis_acl.h"
#include "resources/redis_cluster_ops.h"
#include "resources/redis_rbac_users.h"

#define TYPE_NAME "secure_redis_rbac_users"

/* One operation's working set. */
struct ru {
	struct ops o;			/* o.id: the user group id */
	const char *engine;
	const char *kms_arn;
	/* users of st: parallel arrays, `present` = kept in the map */
	size_t n;
	const char **keys;
	const struct value **items;
	bool *present;
	/* private state: what exists */
	struct svc_strs made_users, made_secrets;
	size_t cap_users, cap_secrets;
};

/* ---- small helpers ---- */

static struct path user_path(struct ru *r, const char *key)
{
	struct arena *a = r->o.c->arena;

	return path_key(a, path_attr(a, path_root, "users"), key);
}

static void user_put_str(struct ru *r, size_t i, const char *name,
			 const char *s)
{
	struct arena *a = r->o.c->arena;

	r->items[i] = value_with_attr(a, r->items[i], name,
				      s ? value_string(a, s)
					: value_null(a, &type_string));
}

static void strs_push(struct arena *a, struct svc_strs *s, size_t *cap,
		      const char *v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], v))
			return;
	if (s->n == *cap) {
		const char **nv;

		*cap = *cap ? *cap * 2 : 8;
		nv = arena_calloc(a, *cap, sizeof(*nv));
		if (s->n)
			memcpy(nv, s->v, s->n * sizeof(*nv));
		s->v = nv;
	}
	s->v[s->n++] = arena_strdup(a, v);
}

/* The users map of st from the parallel arrays. */
static void put_users(struct ru *r)
{
	struct arena *a = r->o.c->arena;
	const struct value *old = value_attr(r->o.st, "users");
	const struct value **items = arena_calloc(a, r->n + 1, sizeof(*items));
	const char **keys = arena_calloc(a, r->n + 1, sizeof(*keys));
	size_t i, m = 0;

	for (i = 0; i < r->n; i++) {
		if (!r->present[i])
			continue;
		keys[m] = r->keys[i];
		items[m++] = r->items[i];
	}
	ops_put(&r->o, "users", value_map(a, old->type->elem, m, keys, items));
}

/* Copy of obj where every unknown attribute (also inside nested objects)
 * is null: partial and final states must be wholly known. */
static const struct value *known_only(struct arena *a, const struct value *v)
{
	const struct value **items;
	size_t i;

	if (value_is_unknown(v))
		return value_null(a, v->type);
	if (value_is_null(v) || !value_has_unknown(v))
		return v;
	items = arena_calloc(a, v->u.coll.n + 1, sizeof(*items));
	for (i = 0; i < v->u.coll.n; i++)
		items[i] = known_only(a, v->u.coll.items[i]);
	switch (v->type->kind) {
	case TYPE_OBJECT:
		return value_object(a, v->type, items);
	case TYPE_MAP:
		return value_map(a, v->type->elem, v->u.coll.n, v->u.coll.keys,
				 items);
	case TYPE_SET:
		return value_set(a, v->type->elem, v->u.coll.n, items);
	case TYPE_LIST:
		return value_list(a, v->type->elem, v->u.coll.n, items);
	default:
		return v;
	}
}

/* The users of st into the parallel arrays (all present). */
static void load_users(struct ru *r)
{
	const struct value *m = value_attr(r->o.st, "users");
	struct arena *a = r->o.c->arena;
	size_t i;

	r->n = m && value_is_known(m) ? m->u.coll.n : 0;
	r->keys = arena_calloc(a, r->n + 1, sizeof(*r->keys));
	r->items = arena_calloc(a, r->n + 1, sizeof(*r->items));
	r->present = arena_calloc(a, r->n + 1, sizeof(*r->present));
	for (i = 0; i < r->n; i++) {
		r->keys[i] = m->u.coll.keys[i];
		r->items[i] = m->u.coll.items[i];
		r->present[i] = true;
	}
}

static int ru_init(struct ru *r, struct ctx *c, struct resource_op *op,
		   const struct value *st)
{
	memset(r, 0, sizeof(*r));
	if (ops_init(&r->o, c, op, st, TYPE_NAME, "Missing user group id",
		     REDIS_RBAC_TAG_KEY) < 0)
		return -1;
	r->engine = ops_get_str(st, "engine");
	if (!r->engine)
		r->engine = REDIS_RBAC_DEFAULT_ENGINE;
	load_users(r);
	return 0;
}

static int stopped(struct ru *r, const char *what)
{
	bool stop = r->o.c->stop && atomic_load(r->o.c->stop);

	return diag_error(&r->o.c->diags, NULL, stop ? "Operation cancelled"
			  : "Operation timed out", "%s %s. What exists so far "
			  "is recorded in the state; destroy removes it.",
			  stop ? "Terraform asked the provider to stop while"
			  : "The timeouts block's deadline passed while", what);
}

/* ---- names ---- */

static const char *alias_name(struct ru *r)
{
	return arena_sprintf(r->o.c->arena, "alias/secure-redis-rbac/%s",
			     r->o.id);
}

static const char *secret_name(struct ru *r, const char *user)
{
	return arena_sprintf(r->o.c->arena, "secure-redis-rbac/%s/%s", r->o.id,
			     user);
}

/* ---- private state ---- */

static json_t *strs_json(struct svc_strs s)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < s.n; i++)
		json_array_append_new(arr, json_string(s.v[i]));
	return arr;
}

static void save_private(struct ru *r)
{
	json_t *o = json_pack("{s:o, s:o}", "users", strs_json(r->made_users),
			      "secrets", strs_json(r->made_secrets));
	const char *s = ops_dumps(r->o.c->arena, o);

	r->o.op->new_private.ptr = s;
	r->o.op->new_private.len = strlen(s);
}

/* Loads the private state; false when there is none (then the caller
 * falls back on the ids the state records). */
static bool load_private(struct ru *r, struct bytes b)
{
	json_t *o, *v;
	size_t i;
	bool ok;

	if (!b.ptr || !b.len)
		return false;
	o = json_loadb(b.ptr, b.len, 0, NULL);
	ok = json_is_object(o) && json_is_array(json_object_get(o, "users"));
	json_array_foreach(json_object_get(o, "users"), i, v)
		if (json_is_string(v))
			strs_push(r->o.c->arena, &r->made_users, &r->cap_users,
				  json_string_value(v));
	json_array_foreach(json_object_get(o, "secrets"), i, v)
		if (json_is_string(v))
			strs_push(r->o.c->arena, &r->made_secrets,
				  &r->cap_secrets, json_string_value(v));
	json_decref(o);
	return ok;
}

/* What an imported or old state st records: users with an ARN, the
 * default user, secrets. */
static void ids_from_state(struct ru *r, const struct value *st)
{
	const struct value *m = value_attr(st, "users");
	const char *d = ops_get_str(st, "default_user_id"), *s;
	size_t i;

	for (i = 0; m && value_is_known(m) && i < m->u.coll.n; i++) {
		const struct value *u = m->u.coll.items[i];

		if (ops_get_str(u, "arn") && (s = ops_get_str(u, "user_id")))
			strs_push(r->o.c->arena, &r->made_users, &r->cap_users, s);
		if ((s = ops_get_str(u, "secret_arn")))
			strs_push(r->o.c->arena, &r->made_secrets,
				  &r->cap_secrets, s);
	}
	if (d)
		strs_push(r->o.c->arena, &r->made_users, &r->cap_users, d);
}

/* ---- create ---- */

static const char *key_policy(struct ru *r)
{
	const char *part = r->o.aws->partition ? r->o.aws->partition : "aws";
	json_t *doc = json_pack(
		"{s:s, s:[{s:s, s:s, s:{s:s}, s:s, s:s}]}",
		"Version", "2012-10-17", "Statement",
		"Sid", "AccountAdministers", "Effect", "Allow",
		"Principal", "AWS", arena_sprintf(r->o.c->arena,
			"arn:%s:iam::%s:root", part, r->o.aws->account_id),
		"Action", "kms:*", "Resource", "*");

	return ops_dumps(r->o.c->arena, doc);
}

static bool any_password_user(struct ru *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const char *auth = ops_get_str(r->items[i], "authentication");

		if (!auth || strcmp(auth, "iam"))
			return true;
	}
	return false;
}

/* The user's own key must exist and be enabled; else one is made. */
static int step_kms(struct ru *r)
{
	const char *given = ops_get_str(r->o.op->planned, "kms_key_arn");
	struct path p = ops_path(&r->o, "kms_key_arn");
	struct kms_key k;
	int rc;

	if (given) {
		rc = kms_describe_key(r->o.c, r->o.cl, &p, given, &k);
		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND || !k.enabled)
			return diag_error(&r->o.c->diags, &p, "KMS key not usable",
					  "The key %s %s.", given,
					  rc == SVC_NOT_FOUND ? "does not exist"
					  : "is not enabled");
		r->kms_arn = given;
		ops_put_str(&r->o, "kms_key_arn", given);
		return 0;
	}
	if (!any_password_user(r))
		return 0;
	if (!r->o.aws->account_id)
		return diag_error(&r->o.c->diags, &p, "AWS account id unknown",
				  TYPE_NAME " writes the account root into the "
				  "KMS key policy, which needs the account id "
				  "from STS GetCallerIdentity. Remove "
				  "skip_credentials_validation or set "
				  "kms_key_arn.");
	if (ops_kms_make_key(&r->o, &p, arena_sprintf(r->o.c->arena,
			     TYPE_NAME " %s: user password secrets", r->o.id),
			     key_policy(r), &r->kms_arn))
		return -1;
	return kms_create_alias(r->o.c, r->o.cl, &p, alias_name(r),
				r->kms_arn) ? -1 : 0;
}

struct password {
	char text[REDIS_RBAC_PASSWORD_LEN + 1];
	char current[129];		/* rotation: the secret's password */
	/* {"username":"<=40>","password":"<32>"} */
	char json[REDIS_RBAC_PASSWORD_LEN + 128];
};

static void wipe_password(void *data)
{
	OPENSSL_cleanse(data, sizeof(struct password));
}

/* A fresh password in arena memory that is wiped when the arena goes (and
 * by the caller as soon as it was sent).  NULL (with a diagnostic) when
 * the CSPRNG fails. */
static struct password *new_password(struct ru *r, const struct path *p)
{
	struct password *pw = arena_alloc(r->o.c->arena, sizeof(*pw));

	memset(pw, 0, sizeof(*pw));
	arena_add_cleanup(r->o.c->arena, wipe_password, pw);
	/* The AUTH token alphabet (letters, digits, !&#$^<>-) is a subset of
	 * what user passwords allow, and needs no JSON escaping. */
	if (redis_cluster_gen_token(pw->text, REDIS_RBAC_PASSWORD_LEN) < 0) {
		diag_error(&r->o.c->diags, p, "No randomness", "OpenSSL's "
			   "RAND_bytes failed: no password can be generated.");
		return NULL;
	}
	return pw;
}

/* The secret's JSON.  Written with snprintf rather than jansson so that
 * the password is never copied into memory that is freed without being
 * wiped; both strings need no escaping (a user name is letters, digits and
 * hyphens, the password alphabet has no quote or backslash). */
static int password_json(struct password *pw, const char *user)
{
	size_t i;
	int n;

	for (i = 0; user[i]; i++)
		if (user[i] == '"' || user[i] == '\\' ||
		    (unsigned char)user[i] < 0x20)
			return -1;
	n = snprintf(pw->json, sizeof(pw->json),
		     "{\"username\":\"%s\",\"password\":\"%s\"}", user,
		     pw->text);
	return n > 0 && (size_t)n < sizeof(pw->json) ? 0 : -1;
}

/* The secret's name is taken: by the secret of a user of this group that
 * was destroyed within the recovery window, or that was deleted out of
 * band while its secret lived on.  A secret carrying the group's tag is
 * restored if need be and given the new password and key; anything else
 * is an error.  Returns its ARN, or NULL with a diagnostic. */
static const char *reuse_secret(struct ru *r, size_t i, struct password *pw)
{
	struct path p = user_path(r, r->keys[i]);
	const char *name = secret_name(r, r->keys[i]);
	struct sm_secret s;
	int rc = sm_describe_secret(r->o.c, r->o.cl, &p, name, &s);

	if (rc < 0)
		return NULL;
	if (rc == SVC_NOT_FOUND || !s.arn ||
	    !svc_tags_has(s.tags.v, s.tags.n, REDIS_RBAC_TAG_KEY, r->o.id)) {
		diag_error(&r->o.c->diags, &p, "Secret name in use",
			   "A Secrets "
			   "Manager secret named %s already exists and does not "
			   "belong to user group %s. Delete it or rename the "
			   "user.", name, r->o.id);
		return NULL;
	}
	if (s.deleted_date && sm_restore_secret(r->o.c, r->o.cl, &p, name) < 0)
		return NULL;
	strs_push(r->o.c->arena, &r->made_secrets, &r->cap_secrets, s.arn);
	if ((r->kms_arn && sm_update_secret(r->o.c, r->o.cl, &p, name, NULL,
					    r->kms_arn) < 0) ||
	    sm_put_secret_value(r->o.c, r->o.cl, &p, name, pw->json,
				NULL) < 0 ||
	    sm_tag_resource(r->o.c, r->o.cl, &p, name, r->o.tags,
			    r->o.n_tags) < 0)
		return NULL;
	return s.arn;
}

static int create_secret(struct ru *r, size_t i, struct password *pw)
{
	struct path p = user_path(r, r->keys[i]);
	const char *arn = NULL;
	size_t before;

	if (password_json(pw, r->keys[i]) < 0)
		return diag_error(&r->o.c->diags, &p, "Invalid user name",
				  "The user name cannot be written into the "
				  "secret.");
	before = r->o.c->diags.len;
	if (sm_create_secret(r->o.c, r->o.cl, &p, secret_name(r, r->keys[i]),
			     arena_sprintf(r->o.c->arena, "Password of "
					   "ElastiCache user %s (user group "
					   "%s)", r->keys[i], r->o.id),
			     r->kms_arn, pw->json, r->o.tags, r->o.n_tags, &arn,
			     NULL) != 0) {
		/* AWS says InvalidRequestException for a name scheduled for
		 * deletion, ResourceExistsException for a live secret. */
		if (!diags_drop_error(&r->o.c->diags, before,
				      "ResourceExistsException") &&
		    !diags_drop_error(&r->o.c->diags, before,
				      "InvalidRequestException"))
			return -1;
		if (!(arn = reuse_secret(r, i, pw)))
			return -1;
	}
	if (!arn)
		return diag_error(&r->o.c->diags, &p, "Secret without ARN",
				  "Secrets Manager CreateSecret returned no "
				  "ARN for %s.", secret_name(r, r->keys[i]));
	strs_push(r->o.c->arena, &r->made_secrets, &r->cap_secrets, arn);
	user_put_str(r, i, "secret_arn", arn);
	r->present[i] = true;
	return 0;
}

static const char *iam_policy(struct ru *r, const char *user_arn)
{
	const struct value *ca = value_attr(r->o.st, "cluster_arns");
	const char **arns = NULL;
	size_t i, n = 0;

	if (ca && value_is_known(ca) && ca->u.coll.n) {
		arns = arena_calloc(r->o.c->arena, ca->u.coll.n, sizeof(*arns));
		for (i = 0; i < ca->u.coll.n; i++)
			if (value_get_string(ca->u.coll.items[i], &arns[n]))
				n++;
	}
	return redis_rbac_iam_policy(r->o.c->arena, user_arn, arns, n);
}

/* One user: a password user's secret first (a password nobody can read
 * must never be set), then the user. */
static int create_user(struct ru *r, size_t i)
{
	const struct value *u = r->items[i];
	const char *auth = ops_get_str(u, "authentication");
	bool iam = auth && !strcmp(auth, "iam");
	struct path p = user_path(r, r->keys[i]);
	struct ec_user_input in = { 0 };
	struct password *pw = NULL;
	struct ec_user out;
	int rc;

	in.id = ops_get_str(u, "user_id");
	in.user_name = r->keys[i];
	in.engine = r->engine;
	in.access_string = ops_get_str(u, "effective_access_string");
	in.tags = r->o.tags;
	in.n_tags = r->o.n_tags;
	if (!in.id || !in.access_string)
		return diag_error(&r->o.c->diags, &p, "Incomplete plan", "The "
				  "planned user id or access string of \"%s\" "
				  "is unknown.", r->keys[i]);
	if (iam) {
		in.auth_type = "iam";
	} else {
		if (!(pw = new_password(r, &p)) || create_secret(r, i, pw))
			return -1;
		in.passwords.v = (const char **)arena_calloc(r->o.c->arena, 1,
							    sizeof(char *));
		in.passwords.v[0] = pw->text;
		in.passwords.n = 1;
	}
	rc = ec_create_user(r->o.c, r->o.cl, &p, &in, &out);
	if (pw)		/* ElastiCache and the secret have it now */
		wipe_password(pw);
	if (rc != 0)
		return -1;
	strs_push(r->o.c->arena, &r->made_users, &r->cap_users, in.id);
	r->present[i] = true;
	user_put_str(r, i, "arn", out.arn);
	if (iam && out.arn)
		user_put_str(r, i, "iam_policy_json", iam_policy(r, out.arn));
	return 0;
}

static int step_users(struct ru *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n && !rc; i++) {
		if (ctx_cancelled(r->o.c)) {
			rc = stopped(r, "creating the users");
			break;
		}
		rc = create_user(r, i);
		put_users(r);
		save_private(r);
	}
	return rc;
}

/* The group's `default` user: every command denied, `off`, with a
 * throwaway password that is sent once and kept nowhere. */
static int step_default_user(struct ru *r)
{
	const char *id = redis_rbac_user_id(r->o.c->arena, r->o.id, "default");
	struct path p = ops_path(&r->o, "default_user_id");
	struct ec_user_input in = { 0 };
	struct password *pw = new_password(r, &p);
	int rc;

	if (!pw)
		return -1;
	in.id = id;
	in.user_name = "default";
	in.engine = r->engine;
	in.access_string = REDIS_ACL_DEFAULT_USER;
	in.passwords.v = (const char **)arena_calloc(r->o.c->arena, 1,
						    sizeof(char *));
	in.passwords.v[0] = pw->text;
	in.passwords.n = 1;
	in.tags = r->o.tags;
	in.n_tags = r->o.n_tags;
	rc = ec_create_user(r->o.c, r->o.cl, &p, &in, NULL);
	wipe_password(pw);
	if (rc != 0)
		return -1;
	strs_push(r->o.c->arena, &r->made_users, &r->cap_users, id);
	save_private(r);
	ops_put_str(&r->o, "default_user_id", id);
	return 0;
}

/* Polls every user made until `active`. */
static int step_wait_users(struct ru *r)
{
	struct path p = ops_path(&r->o, "users");
	int64_t delay = 200;
	size_t i = 0;

	while (i < r->made_users.n) {
		struct ec_user u;
		int rc = ec_describe_user(r->o.c, r->o.cl, &p,
					  r->made_users.v[i],
					  &u);

		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND)
			return diag_error(&r->o.c->diags, &p, "User vanished",
					  "ElastiCache user %s disappeared "
					  "while being created.",
					  r->made_users.v[i]);
		if (u.status && !strcmp(u.status, "active")) {
			i++;
			continue;
		}
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return stopped(r, "waiting for the users to become "
				       "active");
		delay = ops_backoff_ms(delay, 10000);
	}
	return 0;
}

static int step_group(struct ru *r)
{
	struct path p = ops_path(&r->o, "name");
	struct ec_user_group g;

	if (ec_create_user_group(r->o.c, r->o.cl, &p, r->o.id, r->engine,
				 r->made_users, r->o.tags, r->o.n_tags, &g) != 0)
		return -1;
	ops_put_str(&r->o, "arn", g.arn);
	ops_put_str(&r->o, "user_group_id", r->o.id);
	return 0;
}

static int step_wait_group(struct ru *r)
{
	struct path p = ops_path(&r->o, "name");
	int64_t delay = 300;

	for (;;) {
		struct ec_user_group g;
		int rc;

		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return stopped(r, "waiting for the user group to "
				       "become active");
		rc = ec_describe_user_group(r->o.c, r->o.cl, &p, r->o.id, &g);
		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND)
			return diag_error(&r->o.c->diags, &p, "User group "
					  "vanished", "%s disappeared while "
					  "being created.", r->o.id);
		if (g.status && !strcmp(g.status, "active"))
			return 0;
		delay = ops_backoff_ms(delay, 10000);
	}
}

typedef int step_fn(struct ru *r);

static step_fn *const create_steps[] = {
	step_kms, step_users, step_default_user, step_wait_users, step_group,
	step_wait_group,
};

int redis_rbac_users_create(struct ctx *c, struct resource_op *op)
{
	const size_t n_steps = sizeof(create_steps) / sizeof(create_steps[0]);
	struct ru r;
	size_t i;
	int rc = 0;

	if (ru_init(&r, c, op, op->planned))
		return -1;
	/* Start from the plan; results become known as steps succeed. */
	ops_put_str(&r.o, "id", r.o.id);
	ops_put_str(&r.o, "kms_key_arn", NULL);
	ops_put_str(&r.o, "arn", NULL);
	ops_put_str(&r.o, "user_group_id", NULL);
	ops_put_str(&r.o, "default_user_id", NULL);
	for (i = 0; i < r.n; i++) {
		user_put_str(&r, i, "arn", NULL);
		user_put_str(&r, i, "secret_arn", NULL);
		user_put_str(&r, i, "iam_policy_json", NULL);
		r.present[i] = false;	/* until its secret or user exists */
	}
	save_private(&r);
	for (i = 0; i < n_steps; i++) {
		if (ctx_cancelled(c)) {
			rc = stopped(&r, "creating the user group");
			break;
		}
		if ((rc = create_steps[i](&r)) != 0)
			break;
	}
	put_users(&r);
	op->new_state = known_only(c->arena, r.o.st);
	save_private(&r);
	ctx_log(c, rc ? LOG_WARN : LOG_INFO, TYPE_NAME " %s: create %s after "
		"step %zu of %zu", r.o.id, rc ? "failed" : "done", i, n_steps);
	return rc ? -1 : 0;
}

/* ---- read ---- */

static bool member(struct svc_strs ids, const char *id)
{
	size_t i;

	for (i = 0; i < ids.n; i++)
		if (!strcasecmp(ids.v[i], id))
			return true;
	return false;
}

/* One user of the state against AWS (1 call). */
static int refresh_user(struct ru *r, size_t i, struct svc_strs members)
{
	const char *id = ops_get_str(r->items[i], "user_id");
	const char *have = ops_get_str(r->items[i], "effective_access_string");
	struct path p = user_path(r, r->keys[i]);
	struct ec_user u;
	int rc;

	if (!id)
		return 0;
	rc = ec_describe_user(r->o.c, r->o.cl, &p, id, &u);
	if (rc < 0)
		return -1;
	if (rc == SVC_NOT_FOUND ||
	    (u.status && !strcmp(u.status, "deleting"))) {
		r->present[i] = false;		/* the plan adds it again */
		return 0;
	}
	if (u.arn)
		user_put_str(r, i, "arn", u.arn);
	if (!member(members, id))
		user_put_str(r, i, "effective_access_string", NULL);
	else if (u.access_string && (!have || strcmp(have, u.access_string)))
		user_put_str(r, i, "effective_access_string", u.access_string);
	if (u.auth_type)
		user_put_str(r, i, "authentication",
			     !strcmp(u.auth_type, "iam") ? "iam" :
			     !strcmp(u.auth_type, "password") ? "password" :
			     u.auth_type);
	return 0;
}

/* The locked default user (1 call): anything but present, in the group,
 * `off -@all` and password-only clears default_user_id (the plan then
 * shows it) with a warning. */
static int refresh_default_user(struct ru *r, struct svc_strs members)
{
	const char *id = ops_get_str(r->o.st, "default_user_id");
	struct path p = ops_path(&r->o, "default_user_id");
	const char *why = NULL;
	struct ec_user u;
	int rc;

	if (!id)
		return 0;
	rc = ec_describe_user(r->o.c, r->o.cl, &p, id, &u);
	if (rc < 0)
		return -1;
	if (rc == SVC_NOT_FOUND)
		why = "no longer exists";
	else if (!member(members, id))
		why = "is no longer in the group";
	else if (!u.user_name || strcmp(u.user_name, "default"))
		why = "is not named default";
	else if (!u.access_string ||
		 strcmp(u.access_string, REDIS_ACL_DEFAULT_USER))
		why = arena_sprintf(r->o.c->arena,
				    "has the access string \"%s\" "
				    "instead of \"%s\"", u.access_string ?
				    u.access_string : "",
				    REDIS_ACL_DEFAULT_USER);
	else if (u.auth_type && strcmp(u.auth_type, "password"))
		why = arena_sprintf(r->o.c->arena, "has authentication %s",
				    u.auth_type);
	if (!why)
		return 0;
	ops_put_str(&r->o, "default_user_id", NULL);
	diag_warn(&r->o.c->diags, &p, "Default user changed outside Terraform",
		  "The locked default user %s of user group %s %s. Until it "
		  "is restored, clients may connect without a user name.",
		  id, r->o.id, why);
	return 0;
}

/* Fills r->o.st from AWS.  1: the user group is gone. */
static int refresh(struct ru *r)
{
	struct path p = ops_path(&r->o, "id");
	struct ec_user_group g;
	size_t i;
	int rc;

	rc = ec_describe_user_group(r->o.c, r->o.cl, &p, r->o.id, &g);
	if (rc)
		return rc == SVC_NOT_FOUND ? 1 : -1;
	if (g.status && !strcmp(g.status, "deleting"))
		return 1;
	ops_put_str(&r->o, "id", r->o.id);
	ops_put_str(&r->o, "user_group_id", r->o.id);
	ops_put_str(&r->o, "arn", g.arn);
	if (g.engine)
		ops_put_str(&r->o, "engine", g.engine);
	for (i = 0; i < r->n; i++)
		if (refresh_user(r, i, g.user_ids))
			return -1;
	put_users(r);
	return refresh_default_user(r, g.user_ids);
}

int redis_rbac_users_read(struct ctx *c, struct resource_op *op)
{
	struct ru r;
	int rc;

	if (!value_is_known(op->prior)) {
		op->new_state = NULL;
		return 0;
	}
	if (ru_init(&r, c, op, op->prior))
		return -1;
	if (!ops_get_str(op->prior, "arn")) {
		/* Partial state of a failed create: the group was never made.
		 * Keep it, so that destroy removes what was recorded. */
		op->new_state = op->prior;
		return 0;
	}
	rc = refresh(&r);
	if (rc < 0)
		return -1;
	op->new_state = rc == 1 ? NULL : known_only(c->arena, r.o.st);
	return 0;
}

/* ---- delete ---- */

static int delete_group(struct ru *r)
{
	struct path p = ops_path(&r->o, "id");
	const char *dflt;
	struct ec_user_group g;
	int64_t delay = 500;
	int rc;

	rc = ec_describe_user_group(r->o.c, r->o.cl, &p, r->o.id, &g);
	if (rc == SVC_NOT_FOUND)
		return 0;
	if (rc < 0)
		return -1;
	dflt = ops_get_str(r->o.st, "default_user_id");
	if (!ops_get_str(r->o.st, "arn") &&
	    (!dflt || !member(g.user_ids, dflt))) {
		/* Not ours: create failed before its group (the id was taken
		 * or the call failed); never delete someone else's group. */
		return 0;
	}
	if (g.replication_groups.n) {
		const char *list = g.replication_groups.v[0];
		size_t i;

		for (i = 1; i < g.replication_groups.n; i++)
			list = arena_sprintf(r->o.c->arena, "%s, %s", list,
					     g.replication_groups.v[i]);
		return diag_error(&r->o.c->diags, &p,
				  "User group still attached",
				  "User group %s is attached to replication "
				  "group %s. Detach it first (remove "
				  "user_group_id from the secure_redis_cluster, "
				  "or destroy the cluster), then destroy the "
				  "users.", r->o.id, list);
	}
	for (;;) {	/* a group `creating` or `modifying` cannot go yet */
		size_t before = r->o.c->diags.len;

		if (ec_delete_user_group(r->o.c, r->o.cl, &p, r->o.id) >= 0)
			break;
		if (!diags_drop_error(&r->o.c->diags, before,
				      "InvalidUserGroupState"))
			return -1;
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return stopped(r, "waiting to delete the user group");
		delay = ops_backoff_ms(delay, 10000);
	}
	for (delay = 300;;) {
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return stopped(r, "waiting for the user group to be "
				       "deleted");
		rc = ec_describe_user_group(r->o.c, r->o.cl, &p, r->o.id, &g);
		if (rc == SVC_NOT_FOUND)
			return 0;
		if (rc < 0)
			return -1;
		delay = ops_backoff_ms(delay, 10000);
	}
}

/* Deletes the users `ids` and waits until they are gone. */
static int delete_user_list(struct ru *r, struct svc_strs ids)
{
	struct path p = ops_path(&r->o, "users");
	size_t i;

	for (i = 0; i < ids.n; i++) {
		int64_t delay = 500;

		for (;;) {	/* a user `modifying` cannot go yet */
			size_t before = r->o.c->diags.len;

			if (ec_delete_user(r->o.c, r->o.cl, &p, ids.v[i]) >= 0)
				break;
			if (!diags_drop_error(&r->o.c->diags, before,
					      "InvalidUserState"))
				return -1;
			if (ctx_sleep_ms(r->o.c, delay) < 0)
				return stopped(r, "waiting to delete the users");
			delay = ops_backoff_ms(delay, 10000);
		}
	}
	for (i = 0; i < ids.n;) {	/* until gone */
		struct ec_user u;
		int rc = ec_describe_user(r->o.c, r->o.cl, &p, ids.v[i], &u);

		if (rc < 0)
			return -1;
		if (rc == SVC_NOT_FOUND) {
			i++;
			continue;
		}
		if (ctx_sleep_ms(r->o.c, 300) < 0)
			return stopped(r, "waiting for the users to be deleted");
	}
	return 0;
}

static int delete_users(struct ru *r)
{
	return delete_user_list(r, r->made_users);
}

/* Deletes the secrets `arns` with the recovery window of the state. */
static int delete_secret_list(struct ru *r, struct svc_strs arns)
{
	struct path p = ops_path(&r->o, "secret_recovery_window_days");
	int64_t days = REDIS_RBAC_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS;
	size_t i;

	value_get_int(value_attr(r->o.st, "secret_recovery_window_days"),
		      &days);
	for (i = 0; i < arns.n; i++) {
		int rc = days == 0 ?
			sm_delete_secret(r->o.c, r->o.cl, &p, arns.v[i],
					 (struct svc_int){ 0 }, SVC_TRUE, NULL) :
			sm_delete_secret(r->o.c, r->o.cl, &p, arns.v[i],
					 SVC_INT((int)days), SVC_UNSET, NULL);

		if (rc < 0)
			return -1;
	}
	return 0;
}

static int delete_secrets(struct ru *r)
{
	return delete_secret_list(r, r->made_secrets);
}

/* Only a key this resource made (tagged with the group id) is deleted; a
 * key the user brought is left alone. */
static int delete_kms_arn(struct ru *r, const char *arn)
{
	return ops_kms_delete_own(&r->o, arn, alias_name(r),
				  REDIS_RBAC_KMS_DELETION_WINDOW_DAYS);
}

static int delete_kms(struct ru *r)
{
	return delete_kms_arn(r, ops_get_str(r->o.st, "kms_key_arn"));
}

static step_fn *const delete_steps[] = {
	delete_group, delete_users, delete_secrets, delete_kms,
};

int redis_rbac_users_delete(struct ctx *c, struct resource_op *op)
{
	struct ru r;
	size_t i;

	if (!value_is_known(op->prior))
		return 0;
	if (ru_init(&r, c, op, op->prior))
		return -1;
	if (!load_private(&r, op->prior_private))
		ids_from_state(&r, op->prior);
	for (i = 0; i < sizeof(delete_steps) / sizeof(delete_steps[0]); i++)
		if (delete_steps[i](&r)) {
			/* Terraform keeps the prior state: destroying again
			 * continues (every step tolerates what is gone). */
			op->new_state = op->prior;
			return -1;
		}
	op->new_state = NULL;
	return 0;
}

/* ---- update ---- */

static void strs_remove(struct svc_strs *s, const char *v)
{
	size_t i, j = 0;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v))
			s->v[j++] = s->v[i];
	s->n = j;
}

/* Adds and removes members, retrying while the group is busy
 * (`modifying` after a user change), then waits for it. */
static int modify_group(struct ru *r, struct svc_strs add,
			struct svc_strs remove)
{
	struct path p = ops_path(&r->o, "users");
	int64_t delay = 300;

	if (!add.n && !remove.n)
		return 0;
	for (;;) {
		size_t before = r->o.c->diags.len;
		int rc = ec_modify_user_group(r->o.c, r->o.cl, &p, r->o.id, add,
					      remove, NULL);

		if (rc == SVC_NOT_FOUND)
			return diag_error(&r->o.c->diags, &p, "User group "
					  "vanished", "%s disappeared during "
					  "the update.", r->o.id);
		if (rc == 0)
			break;
		if (!diags_drop_error(&r->o.c->diags, before,
				      "InvalidUserGroupState"))
			return -1;
		if (ctx_sleep_ms(r->o.c, delay) < 0)
			return stopped(r, "waiting to modify the user group");
		delay = ops_backoff_ms(delay, 10000);
	}
	return step_wait_group(r);
}

/* What one update does; the lists are arena arrays. */
struct plan_diff {
	struct svc_strs add, remove, drop_users, drop_secrets;
	size_t cap_add, cap_remove, cap_drop_users, cap_drop_secrets;
	struct svc_strs members;	/* the group's users before */
};

/* A new kms_key_arn: the secrets are re-encrypted with it, and a key
 * this resource made before is scheduled for deletion. */
static int rekey(struct ru *r, const char *old_arn)
{
	struct path p = ops_path(&r->o, "kms_key_arn");
	size_t i;

	if (step_kms(r))
		return -1;
	for (i = 0; i < r->made_secrets.n; i++)
		if (sm_update_secret(r->o.c, r->o.cl, &p, r->made_secrets.v[i], NULL,
				     r->kms_arn) < 0)
			return -1;
	return old_arn ? delete_kms_arn(r, old_arn) : 0;
}

static void push_arn(struct ru *r, struct svc_strs *s, size_t *cap,
		     const char *arn)
{
	if (arn)
		strs_push(r->o.c->arena, s, cap, arn);
}

/* ARNs of the group and every user made (the default user's is looked
 * up). */
static int tagged_arns(struct ru *r, const struct value *prior,
		       struct svc_strs *out)
{
	const char *d = ops_get_str(r->o.st, "default_user_id");
	struct path p = ops_path(&r->o, "tags");
	size_t i, cap = 0;
	struct ec_user u;

	push_arn(r, out, &cap, ops_get_str(prior, "arn"));
	for (i = 0; i < r->n; i++)
		if (r->present[i])
			push_arn(r, out, &cap, ops_get_str(r->items[i], "arn"));
	if (d) {
		int rc = ec_describe_user(r->o.c, r->o.cl, &p, d, &u);

		if (rc < 0)
			return -1;
		if (rc == 0)
			push_arn(r, out, &cap, u.arn);
	}
	return 0;
}

/* tags_all changed: keys that went are removed, then the new set is put
 * on the group, the users, the secrets and a key this resource made. */
static int retag(struct ru *r, const struct value *prior)
{
	const struct value *pt = value_attr(prior, "tags_all");
	const char *key = ops_get_str(r->o.st, "kms_key_arn");
	struct svc_strs gone = { 0 }, arns = { 0 };
	struct path p = ops_path(&r->o, "tags");
	struct svc_tags kt = { 0 };
	size_t i;
	int rc = 0;

	if (!pt || !value_is_known(pt) ||
	    value_equal(pt, value_attr(r->o.st, "tags_all")))
		return 0;
	gone = ops_tags_dropped(&r->o, pt);
	if (tagged_arns(r, prior, &arns))
		return -1;
	for (i = 0; i < arns.n && !rc; i++)
		rc = (gone.n && ec_remove_tags(r->o.c, r->o.cl, &p, arns.v[i],
					       gone) < 0) ||
		     ec_add_tags(r->o.c, r->o.cl, &p, arns.v[i], r->o.tags,
				 r->o.n_tags) < 0;
	for (i = 0; i < r->made_secrets.n && !rc; i++) {
		const char *sid = r->made_secrets.v[i];

		rc = (gone.n && sm_untag_resource(r->o.c, r->o.cl, &p, sid,
						  gone) < 0) ||
		     sm_tag_resource(r->o.c, r->o.cl, &p, sid, r->o.tags,
				     r->o.n_tags) < 0;
	}
	if (rc || !key || kms_list_resource_tags(r->o.c, r->o.cl, &p, key,
						 &kt) ||
	    !svc_tags_has(kt.v, kt.n, REDIS_RBAC_TAG_KEY, r->o.id))
		return rc || diags_has_errors(&r->o.c->diags) ? -1 : 0;
	if ((gone.n && kms_untag_resource(r->o.c, r->o.cl, &p, key,
					  gone) < 0) ||
	    kms_tag_resource(r->o.c, r->o.cl, &p, key, r->o.tags,
			     r->o.n_tags) < 0)
		return -1;
	return 0;
}

/* Users of the prior state that go: removed from the configuration, or
 * replaced by a user of another id (authentication switched). */
static void find_removed(struct ru *r, const struct value *prior,
			 struct plan_diff *d)
{
	const struct value *pu = value_attr(prior, "users");
	struct arena *a = r->o.c->arena;
	size_t i;

	for (i = 0; pu && value_is_known(pu) && i < pu->u.coll.n; i++) {
		const struct value *now = value_map_get(value_attr(
			r->o.op->planned, "users"), pu->u.coll.keys[i]);
		const char *pid = ops_get_str(pu->u.coll.items[i], "user_id");
		const char *sid = ops_get_str(pu->u.coll.items[i],
					      "secret_arn");
		const char *nid = ops_get_str(now, "user_id");

		if (now && pid && nid && !strcmp(pid, nid))
			continue;
		if (pid && member(d->members, pid))
			strs_push(a, &d->remove, &d->cap_remove, pid);
		if (pid)
			strs_push(a, &d->drop_users, &d->cap_drop_users, pid);
		if (sid && (!now || !ops_get_str(now, "secret_arn") ||
			    strcmp(ops_get_str(now, "secret_arn"), sid)))
			strs_push(a, &d->drop_secrets, &d->cap_drop_secrets,
				  sid);
	}
}

/* Sets user i's access string when AWS has another one, and queues it
 * for the group if it is not a member. */
static int restore_user(struct ru *r, size_t i, struct plan_diff *d)
{
	const char *id = ops_get_str(r->items[i], "user_id");
	const char *want = ops_get_str(r->items[i], "effective_access_string");
	struct path p = user_path(r, r->keys[i]);
	struct ec_user_input in = { 0 };
	struct ec_user u;
	int rc;

	rc = ec_describe_user(r->o.c, r->o.cl, &p, id, &u);
	if (rc < 0)
		return -1;
	if (rc == SVC_NOT_FOUND)
		return diag_error(&r->o.c->diags, &p, "User vanished",
				  "User %s "
				  "was deleted outside Terraform; refresh, "
				  "then apply to create it again.", id);
	if (want && (!u.access_string || strcmp(u.access_string, want))) {
		in.id = id;
		in.access_string = want;
		if (ec_modify_user(r->o.c, r->o.cl, &p, &in, NULL) != 0)
			return -1;
	}
	if (!member(d->members, id))
		strs_push(r->o.c->arena, &d->add, &d->cap_add, id);
	return 0;
}

/* The default user after drift: recreated if gone, locked again if
 * changed, put back in the group if removed. */
static int restore_default_user(struct ru *r, struct plan_diff *d)
{
	const char *id = redis_rbac_user_id(r->o.c->arena, r->o.id, "default");
	struct path p = ops_path(&r->o, "default_user_id");
	struct ec_user_input in = { 0 };
	struct password *pw;
	struct ec_user u;
	int rc = ec_describe_user(r->o.c, r->o.cl, &p, id, &u);

	if (rc < 0)
		return -1;
	if (rc == SVC_NOT_FOUND) {
		if (step_default_user(r))
			return -1;
	} else {
		if (!(pw = new_password(r, &p)))
			return -1;
		in.id = id;
		in.access_string = REDIS_ACL_DEFAULT_USER;
		in.passwords.v = (const char **)arena_calloc(r->o.c->arena, 1,
							    sizeof(char *));
		in.passwords.v[0] = pw->text;
		in.passwords.n = 1;
		rc = ec_modify_user(r->o.c, r->o.cl, &p, &in, NULL);
		wipe_password(pw);
		if (rc != 0)
			return -1;
		ops_put_str(&r->o, "default_user_id", id);
	}
	if (!member(d->members, id))
		strs_push(r->o.c->arena, &d->add, &d->cap_add, id);
	return 0;
}

/* The password of user i's secret (AWSCURRENT, JSON) into out; the
 * copies jansson makes are wiped before they are freed. */
static int current_password(struct ru *r, size_t i, char *out, size_t cap)
{
	const char *arn = ops_get_str(r->items[i], "secret_arn");
	struct path p = user_path(r, r->keys[i]);
	const char *text = NULL;
	json_t *o, *v;
	size_t before = r->o.c->diags.len;
	int rc = -1;

	if (!arn || sm_get_secret_value(r->o.c, r->o.cl, &p, arn, &text,
					NULL) != 0 || !text) {
		if (r->o.c->diags.len == before)
			diag_error(&r->o.c->diags, &p, "Secret not found",
				   "The secret of user \"%s\" is gone, so its "
				   "current password cannot be kept during the "
				   "rotation.", r->keys[i]);
		return -1;
	}
	o = json_loads(text, 0, NULL);
	v = json_object_get(o, "password");
	if (json_is_string(v) && json_string_length(v) < cap &&
	    json_string_length(v) >= 16) {
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
		rc = 0;
	}
	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v),
				json_string_length(v));
	json_decref(o);
	if (rc)
		diag_error(&r->o.c->diags, &p, "Secret unreadable",
			   "The secret "
			   "of user \"%s\" does not hold a JSON object with a "
			   "password of 16 to 128 characters.", r->keys[i]);
	return rc;
}

/* Password rotation of user i to `phase`: `rotated` keeps the current
 * password and adds a new one (both work), then publishes the new one in
 * the secret (the old one stays readable as AWSPREVIOUS); `retired`
 * leaves only the current one. */
static int rotate_user(struct ru *r, size_t i, const char *phase)
{
	struct path p = user_path(r, r->keys[i]);
	struct ec_user_input in = { 0 };
	bool add = !strcmp(phase, REDIS_RBAC_PHASE_ROTATED);
	struct password *pw = new_password(r, &p);
	int rc;

	if (!pw || current_password(r, i, pw->current, sizeof(pw->current)))
		return -1;
	in.id = ops_get_str(r->items[i], "user_id");
	in.passwords.v = (const char **)arena_calloc(r->o.c->arena, 2,
						    sizeof(char *));
	in.passwords.v[0] = pw->current;
	in.passwords.v[1] = pw->text;
	in.passwords.n = add ? 2 : 1;
	rc = ec_modify_user(r->o.c, r->o.cl, &p, &in, NULL);
	if (rc == 0 && add) {
		if (password_json(pw, r->keys[i]) < 0)
			rc = diag_error(&r->o.c->diags, &p, "Invalid user name",
					"The user name cannot be written into "
					"the secret.");
		else if (sm_put_secret_value(r->o.c, r->o.cl, &p, ops_get_str(
			 r->items[i], "secret_arn"), pw->json, NULL) != 0)
			rc = -1;
	}
	wipe_password(pw);
	return rc ? -1 : 0;
}

/* Users added or changed, and the default user. */
static int apply_users(struct ru *r, const struct value *prior,
		       struct plan_diff *d)
{
	const struct value *pu = value_attr(prior, "users");
	size_t i;

	if (!ops_get_str(prior, "default_user_id") &&
	    restore_default_user(r, d))
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct value *p = value_map_get(pu, r->keys[i]);
		const char *pid = ops_get_str(p, "user_id");
		const char *nid = ops_get_str(r->items[i], "user_id");
		const char *pa = ops_get_str(p, "effective_access_string");
		const char *na = ops_get_str(r->items[i],
					 "effective_access_string");
		const char *pp, *np;

		if (ctx_cancelled(r->o.c))
			return stopped(r, "updating the users");
		if (!p || !pid || !nid || strcmp(pid, nid)) {
			if (create_user(r, i))
				return -1;
			if (ops_get_str(r->items[i], "user_id"))
				strs_push(r->o.c->arena, &d->add, &d->cap_add,
					  ops_get_str(r->items[i], "user_id"));
			continue;
		}
		if ((!pa || !na || strcmp(pa, na)) && restore_user(r, i, d))
			return -1;
		pp = ops_get_str(p, "password_rotation_phase");
		np = ops_get_str(r->items[i], "password_rotation_phase");
		if (np && (!pp || strcmp(pp, np)) && rotate_user(r, i, np))
			return -1;
	}
	return 0;
}

/* Removal, then additions and changes: the group keeps its default user
 * throughout (it is never removed). */
static int update_steps(struct ru *r, const struct value *prior,
			struct plan_diff *d)
{
	const char *pk, *nk;
	size_t i;

	if (modify_group(r, (struct svc_strs){ 0 }, d->remove) ||
	    delete_user_list(r, d->drop_users))
		return -1;
	for (i = 0; i < d->drop_users.n; i++)
		strs_remove(&r->made_users, d->drop_users.v[i]);
	save_private(r);
	if (delete_secret_list(r, d->drop_secrets))
		return -1;
	for (i = 0; i < d->drop_secrets.n; i++)
		strs_remove(&r->made_secrets, d->drop_secrets.v[i]);
	save_private(r);
	pk = ops_get_str(prior, "kms_key_arn");
	nk = ops_get_str(r->o.op->planned, "kms_key_arn");
	if (pk && nk && strcmp(pk, nk) && rekey(r, pk))
		return -1;
	if (!pk && any_password_user(r) && step_kms(r))
		return -1;
	if (apply_users(r, prior, d))
		return -1;
	save_private(r);
	if (step_wait_users(r) ||
	    modify_group(r, d->add, (struct svc_strs){ 0 }))
		return -1;
	return retag(r, prior);
}

int redis_rbac_users_update(struct ctx *c, struct resource_op *op)
{
	struct plan_diff d;
	struct ec_user_group g;
	struct path p = path_attr(c->arena, path_root, "id");
	struct ru r;
	size_t i;
	int rc;

	memset(&d, 0, sizeof(d));
	if (ru_init(&r, c, op, op->planned))
		return -1;
	if (!load_private(&r, op->prior_private))
		ids_from_state(&r, op->prior);
	r.kms_arn = ops_get_str(op->prior, "kms_key_arn");
	rc = ec_describe_user_group(c, r.o.cl, &p, r.o.id, &g);
	if (rc == SVC_NOT_FOUND)
		return diag_error(&c->diags, &p, "User group gone", "User group "
				  "%s no longer exists; refresh to plan its "
				  "creation.", r.o.id);
	if (rc < 0)
		return -1;
	d.members = g.user_ids;
	find_removed(&r, op->prior, &d);
	ops_put_str(&r.o, "default_user_id", ops_get_str(op->prior,
							 "default_user_id"));
	/* Existing users keep what the plan carried over from the prior
	 * state; new ones get their results from create_user. */
	for (i = 0; i < r.n; i++) {
		const char *pid = ops_get_str(value_map_get(value_attr(op->prior,
			"users"), r.keys[i]), "user_id");
		const char *nid = ops_get_str(r.items[i], "user_id");

		if (!pid || !nid || strcmp(pid, nid)) {
			user_put_str(&r, i, "arn", NULL);
			user_put_str(&r, i, "secret_arn", NULL);
			user_put_str(&r, i, "iam_policy_json", NULL);
			r.present[i] = false;	/* until create_user */
		}
	}
	if (r.kms_arn)
		ops_put_str(&r.o, "kms_key_arn", r.kms_arn);
	rc = update_steps(&r, op->prior, &d);
	put_users(&r);
	save_private(&r);
	if (rc) {
		/* Terraform keeps what is returned: the prior state would
		 * forget users made here, so return the planned state with
		 * only what exists (destroy also works from the private
		 * state). */
		op->new_state = known_only(c->arena, r.o.st);
		return -1;
	}
	if (!ops_get_str(r.o.st, "default_user_id"))
		ops_put_str(&r.o, "default_user_id", redis_rbac_user_id(
			c->arena, r.o.id, "default"));
	op->new_state = known_only(c->arena, r.o.st);
	return 0;
}

/* ---- import ---- */

/* The role whose preset (all keys, default channels) is exactly s, else
 * "custom". */
static const char *role_of(struct arena *a, const char *s)
{
	static const struct {
		enum redis_acl_role role;
		const char *name;
	} presets[] = {
		{ REDIS_ACL_ROLE_ADMIN, "admin" },
		{ REDIS_ACL_ROLE_READONLY, "readonly" },
		{ REDIS_ACL_ROLE_SERVICE, "service" },
	};
	size_t i;

	for (i = 0; s && i < sizeof(presets) / sizeof(presets[0]); i++) {
		const char *p = redis_acl_preset(a, presets[i].role, NULL, 0,
						 NULL, 0);

		if (p && !strcmp(p, s))
			return presets[i].name;
	}
	return "custom";
}

/* A null object of the users map's element type with the identity of an
 * adopted user. */
static const struct value *adopted_user(struct ru *r, const struct ec_user *u,
					const char *secret_arn)
{
	struct arena *a = r->o.c->arena;
	const struct type *t = value_attr(r->o.st, "users")->type->elem;
	const struct value **items = arena_calloc(a, t->n + 1, sizeof(*items));
	const struct value *v;
	const char *role = role_of(a, u->access_string);
	bool iam = u->auth_type && !strcmp(u->auth_type, "iam");
	size_t i;

	for (i = 0; i < t->n; i++)
		items[i] = value_null(a, t->types[i]);
	v = value_object(a, t, items);
#define SET(name, s) v = value_with_attr(a, v, name, (s) ? \
		value_string(a, s) : value_null(a, &type_string))
	SET("role", role);
	SET("access_string", !strcmp(role, "custom") && u->access_string ?
	    redis_acl_normalize(a, u->access_string) : NULL);
	SET("authentication", iam ? "iam" : "password");
	SET("effective_access_string", u->access_string);
	SET("user_id", u->id);
	SET("arn", u->arn);
	SET("secret_arn", iam ? NULL : secret_arn);
	SET("iam_policy_json", NULL);
#undef SET
	return v;
}

/* A user of the group: the default user is recognised by its name, the
 * others are adopted when they carry the group's tag, with their secret
 * when it exists, carries the tag and is not scheduled for deletion. */
static int adopt_user(struct ru *r, const char *id, const char ***keys,
		      const struct value ***items, size_t *n)
{
	struct path p = ops_path(&r->o, "users");
	struct svc_tags tags = { 0 };
	const char *secret_arn = NULL;
	struct ec_user u;
	struct sm_secret s;
	int rc = ec_describe_user(r->o.c, r->o.cl, &p, id, &u);

	if (rc == SVC_NOT_FOUND)
		return 0;
	if (rc < 0)
		return -1;
	if (u.user_name && !strcmp(u.user_name, "default")) {
		ops_put_str(&r->o, "default_user_id", u.id);
		strs_push(r->o.c->arena, &r->made_users, &r->cap_users, u.id);
		return 0;
	}
	if (!u.arn || !u.user_name ||
	    ec_list_tags(r->o.c, r->o.cl, &p, u.arn, &tags) != 0 ||
	    !svc_tags_has(tags.v, tags.n, REDIS_RBAC_TAG_KEY, r->o.id))
		return 0;
	if (!u.auth_type || strcmp(u.auth_type, "iam")) {
		rc = sm_describe_secret(r->o.c, r->o.cl, &p,
					secret_name(r, u.user_name), &s);
		if (rc < 0)
			return -1;
		if (rc == 0 && !s.deleted_date &&
		    svc_tags_has(s.tags.v, s.tags.n, REDIS_RBAC_TAG_KEY, r->o.id)) {
			secret_arn = s.arn;
			strs_push(r->o.c->arena, &r->made_secrets,
				  &r->cap_secrets, s.arn);
			if (!r->kms_arn && s.kms_key_id)
				r->kms_arn = s.kms_key_id;
		}
	}
	strs_push(r->o.c->arena, &r->made_users, &r->cap_users, u.id);
	(*keys)[*n] = u.user_name;
	(*items)[(*n)++] = adopted_user(r, &u, secret_arn);
	return 0;
}

int redis_rbac_users_import(struct ctx *c, struct resource_op *op)
{
	struct path p = path_attr(c->arena, path_root, "id");
	const struct value *users;
	const struct value **items;
	const char **keys;
	struct ec_user_group g;
	struct ru r;
	size_t i, n = 0;
	int rc;

	if (!op->import_id || !*op->import_id)
		return diag_error(&c->diags, NULL, "Invalid import id", "Import "
				  TYPE_NAME " by its user group id.");
	if (ru_init(&r, c, op, ops_empty_state(c->arena,
					       &redis_rbac_users_resource,
					       op->import_id)))
		return -1;
	rc = ec_describe_user_group(c, r.o.cl, &p, r.o.id, &g);
	if (rc == SVC_NOT_FOUND)
		return diag_error(&c->diags, NULL, "Cannot import non-existent "
				  "remote object", "No ElastiCache user group "
				  "\"%s\" exists.", r.o.id);
	if (rc < 0)
		return -1;
	ops_put_str(&r.o, "id", r.o.id);
	ops_put_str(&r.o, "name", r.o.id);
	ops_put_str(&r.o, "arn", g.arn);
	ops_put_str(&r.o, "user_group_id", r.o.id);
	ops_put_str(&r.o, "engine", g.engine);
	keys = arena_calloc(c->arena, g.user_ids.n + 1, sizeof(*keys));
	items = arena_calloc(c->arena, g.user_ids.n + 1, sizeof(*items));
	for (i = 0; i < g.user_ids.n; i++)
		if (adopt_user(&r, g.user_ids.v[i], &keys, &items, &n))
			return -1;
	users = value_attr(r.o.st, "users");
	ops_put(&r.o, "users", value_map(c->arena, users->type->elem, n, keys,
				   items));
	ops_put_str(&r.o, "kms_key_arn", r.kms_arn);
	ops_put(&r.o, "secret_recovery_window_days", value_int(c->arena,
	    REDIS_RBAC_DEFAULT_SECRET_RECOVERY_WINDOW_DAYS));
	ops_adopt_tags(&r.o, g.arn);
	save_private(&r);
	/* iam_policy_json needs cluster_arns, which only the configuration
	 * knows: the next plan computes it. */
	op->new_state = known_only(c->arena, r.o.st);
	return 0;
}
