/*
 * ops_common.c - the working set and helpers that the operations of both
 * resources share (ops_common.h).  The resource-specific parts (steps,
 * names, private state, diagnostics that name a resource's own parts)
 * stay in redis_cluster_ops.c and redis_rbac_users_ops.c.
 */
#include "resources/ops_common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/elasticache.h"
#include "aws/kms.h"

/* tags_all as svc_tags (the plan computed it: default_tags, tags and the
 * identity tag), never without the identity tag. */
static void load_tags(struct ops *o)
{
	const struct value *m = ops_get(o->st, "tags_all");
	size_t i, n = m && value_is_known(m) ? m->u.coll.n : 0;
	struct svc_tag *t = arena_calloc(o->c->arena, n + 2, sizeof(*t));

	for (i = 0; i < n; i++) {
		t[o->n_tags].key = m->u.coll.keys[i];
		if (value_get_string(m->u.coll.items[i], &t[o->n_tags].value))
			o->n_tags++;
	}
	if (!svc_tags_has(t, o->n_tags, o->tag_key, o->id)) {
		t[o->n_tags].key = o->tag_key;
		t[o->n_tags++].value = o->id;
	}
	o->tags = t;
}

int ops_init(struct ops *o, struct ctx *c, struct resource_op *op,
	     const struct value *st, const char *type, const char *id_summary,
	     const char *tag_key)
{
	const char *id;
	char *p;

	memset(o, 0, sizeof(*o));
	o->c = c;
	o->op = op;
	o->st = st;
	if (!c->env || !c->env->aws || !c->env->aws->client)
		return diag_error(&c->diags, NULL, "Provider not configured",
				  "%s needs a configured AWS client (provider "
				  "\"secure\" block).", type);
	o->aws = c->env->aws;
	o->cl = o->aws->client;
	id = ops_get_str(st, "id");
	if (!id)
		id = ops_get_str(st, "name");
	if (!id || !*id)
		return diag_error(&c->diags, NULL, id_summary,
				  "The state has neither id nor name.");
	o->tag_key = tag_key;
	o->id = p = arena_strdup(c->arena, id);
	for (; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	load_tags(o);
	return 0;
}

struct path ops_path(const struct ops *o, const char *name)
{
	return path_attr(o->c->arena, path_root, name);
}

const struct value *ops_get(const struct value *obj, const char *name)
{
	return value_attr(obj, name);
}

const char *ops_get_str(const struct value *obj, const char *name)
{
	const char *s;

	return value_get_string(ops_get(obj, name), &s) ? s : NULL;
}

int ops_get_int(const struct value *obj, const char *name, int dflt)
{
	int64_t n;

	return value_get_int(ops_get(obj, name), &n) ? (int)n : dflt;
}

void ops_put(struct ops *o, const char *name, const struct value *v)
{
	o->st = value_with_attr(o->c->arena, o->st, name, v);
}

void ops_put_str(struct ops *o, const char *name, const char *s)
{
	ops_put(o, name, s ? value_string(o->c->arena, s)
			   : value_null(o->c->arena, &type_string));
}

void ops_put_int(struct ops *o, const char *name, int n)
{
	ops_put(o, name, value_int(o->c->arena, n));
}

void ops_put_bool(struct ops *o, const char *name, bool b)
{
	ops_put(o, name, value_bool(o->c->arena, b));
}

void ops_put_null(struct ops *o, const char *name)
{
	const struct value *v = ops_get(o->st, name);

	if (v)
		ops_put(o, name, value_null(o->c->arena, v->type));
}

struct svc_strs ops_tags_dropped(const struct ops *o,
				 const struct value *prior_tags_all)
{
	const struct value *m = prior_tags_all;
	struct svc_strs out = { 0 };
	size_t i, j;

	if (!m || !value_is_known(m) || !m->u.coll.n)
		return out;
	out.v = arena_calloc(o->c->arena, m->u.coll.n, sizeof(*out.v));
	for (i = 0; i < m->u.coll.n; i++) {
		for (j = 0; j < o->n_tags; j++)
			if (!strcmp(o->tags[j].key, m->u.coll.keys[i]))
				break;
		if (j == o->n_tags)
			out.v[out.n++] = m->u.coll.keys[i];
	}
	return out;
}

int ops_kms_make_key(struct ops *o, const struct path *p,
		     const char *description, const char *policy,
		     const char **arn)
{
	struct kms_create_key in = { 0 };
	struct kms_key k;

	in.description = description;
	in.policy = policy;
	in.tags = o->tags;
	in.n_tags = o->n_tags;
	if (kms_create_key(o->c, o->cl, p, &in, &k) != 0)
		return -1;
	*arn = k.arn;
	ops_put_str(o, "kms_key_arn", k.arn);
	return kms_enable_key_rotation(o->c, o->cl, p, k.arn,
				       (struct svc_int){ 0 }) != 0 ? -1 : 0;
}

int ops_kms_delete_own(struct ops *o, const char *arn, const char *alias,
		       int window_days)
{
	struct path p = ops_path(o, "kms_key_arn");
	struct svc_tags tags = { 0 };
	int rc;

	if (!arn)
		return 0;
	rc = kms_list_resource_tags(o->c, o->cl, &p, arn, &tags);
	if (rc == SVC_NOT_FOUND)
		return 0;
	if (rc < 0)
		return -1;
	if (!svc_tags_has(tags.v, tags.n, o->tag_key, o->id))
		return 0;
	if (kms_delete_alias(o->c, o->cl, &p, alias) < 0)
		return -1;
	return kms_schedule_key_deletion(o->c, o->cl, &p, arn,
					 SVC_INT(window_days), NULL) < 0 ? -1
									 : 0;
}

const struct value *ops_empty_state(struct arena *a,
				    const struct resource *res,
				    const char *id)
{
	const struct type *t = schema_block_type(a, res->schema->block);
	const struct value **items = arena_calloc(a, t->n + 1, sizeof(*items));
	const struct value *v;
	size_t i;

	for (i = 0; i < t->n; i++)
		items[i] = value_null(a, t->types[i]);
	v = value_object(a, t, items);
	v = value_with_attr(a, v, "id", value_string(a, id));
	return value_with_attr(a, v, "name", value_string(a, id));
}

void ops_adopt_tags(struct ops *o, const char *arn)
{
	const struct resource_env *pc = o->c->env;
	struct arena *a = o->c->arena;
	struct path p = ops_path(o, "tags");
	struct svc_tags t = { 0 };
	const struct value **all, **mine;
	const char **keys, **mkeys;
	size_t i, j, nm = 0;

	if (!arn || ec_list_tags(o->c, o->cl, &p, arn, &t) != 0)
		return;
	keys = arena_calloc(a, t.n + 1, sizeof(*keys));
	mkeys = arena_calloc(a, t.n + 1, sizeof(*mkeys));
	all = arena_calloc(a, t.n + 1, sizeof(*all));
	mine = arena_calloc(a, t.n + 1, sizeof(*mine));
	for (i = 0; i < t.n; i++) {
		const char *v = t.v[i].value ? t.v[i].value : "";
		bool dflt = !strcmp(t.v[i].key, o->tag_key);

		keys[i] = t.v[i].key;
		all[i] = value_string(a, v);
		for (j = 0; j < pc->default_tags.n; j++)
			if (!strcmp(pc->default_tags.keys[j], keys[i]) &&
			    !strcmp(pc->default_tags.values[j], v))
				dflt = true;
		if (!dflt) {
			mkeys[nm] = keys[i];
			mine[nm++] = all[i];
		}
	}
	ops_put(o, "tags_all", value_map(a, &type_string, t.n, keys, all));
	if (nm)
		ops_put(o, "tags", value_map(a, &type_string, nm, mkeys, mine));
}

int64_t ops_backoff_ms(int64_t delay_ms, int64_t max_ms)
{
	delay_ms = delay_ms * 3 / 2;
	return delay_ms > max_ms ? max_ms : delay_ms;
}

char *ops_dumps(struct arena *a, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT), *out;

	json_decref(doc);
	if (!s)
		abort();	/* jansson only fails without memory */
	out = arena_strdup(a, s);
	free(s);
	return out;
}
