/*
 * svc.c - shared plumbing of the per-service clients: call wrappers that
 * separate "not found" from failures, optional-parameter helpers, and
 * table-driven parsing of XML (query/EC2) and JSON 1.1 results.
 * It knows no service; the tables live in the service files.
 */
#include "svc.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

/* True if code is one of the '|'-separated codes in list. */
static bool code_in(const char *code, const char *list)
{
	size_t n = strlen(code);

	while (list && *list) {
		const char *bar = strchr(list, '|');
		size_t len = bar ? (size_t)(bar - list) : strlen(list);

		if (len == n && strncmp(list, code, n) == 0)
			return true;
		list = bar ? bar + 1 : NULL;
	}
	return false;
}

static int finish(struct ctx *c, struct aws_call *call, int rc,
		  const char *not_found, const struct path *p)
{
	if (rc == 0)
		return 0;
	if (call->err.kind == AWS_ERR_SERVICE && call->err.code &&
	    code_in(call->err.code, not_found))
		return SVC_NOT_FOUND;
	return svc_error(c, p, call);
}

int svc_error(struct ctx *c, const struct path *p, const struct aws_call *call)
{
	if (call->err.kind == AWS_ERR_CREDENTIALS && diags_has_errors(&c->diags))
		return -1;	/* the credentials chain already said why */
	return aws_error_diag(c, p, call);
}

int svc_query(struct ctx *c, struct aws_client *cl, enum aws_service s,
	      const char *op, bool idempotent, const struct aws_params *params,
	      const char *not_found, const struct path *p,
	      struct xml_node **result)
{
	struct aws_call call;
	int rc;

	memset(&call, 0, sizeof(call));
	call.service = s;
	call.operation = op;
	call.idempotent = idempotent;
	call.params = params;
	rc = finish(c, &call, aws_call(c, cl, &call), not_found, p);
	if (result)
		*result = rc == 0 ? call.result : NULL;
	return rc;
}

int svc_json(struct ctx *c, struct aws_client *cl, enum aws_service s,
	     const char *op, bool idempotent, json_t *req,
	     const char *not_found, const struct path *p, json_t **resp)
{
	struct aws_call call;
	int rc;

	memset(&call, 0, sizeof(call));
	call.service = s;
	call.operation = op;
	call.idempotent = idempotent;
	call.json = req ? req : json_object();
	rc = finish(c, &call, aws_call(c, cl, &call), not_found, p);
	json_decref(call.json);
	if (resp)
		*resp = rc == 0 ? call.response : NULL;
	return rc;
}

int svc_require(struct ctx *c, const struct path *p, enum aws_service s,
		const char *op, const char *param, const char *v)
{
	if (v && *v)
		return 0;
	return diag_error(&c->diags, p,
			  arena_sprintf(c->arena, "%s %s failed", aws_service_info(s)->display, op),
			  "%s is empty: the provider has no name to look up (this is a bug; please report it)",
			  param);
}

void svc_add_str(struct aws_params *p, const char *key, const char *v)
{
	if (v)
		aws_params_add(p, key, v);
}

void svc_add_bool(struct aws_params *p, const char *key, enum svc_bool v)
{
	if (v != SVC_UNSET)
		aws_params_add(p, key, v == SVC_TRUE ? "true" : "false");
}

void svc_add_int(struct aws_params *p, const char *key, struct svc_int v)
{
	if (v.set)
		aws_params_addf(p, key, "%d", v.value);
}

void svc_add_strs(struct aws_params *p, const char *prefix,
		  const char *const *v, size_t n)
{
	size_t i;

	/* A NULL element goes out as "" (AWS then names the bad value)
	 * rather than shifting the numbering. */
	for (i = 0; i < n; i++)
		aws_params_add(p, arena_sprintf(p->arena, "%s.%zu", prefix, i + 1),
			       v[i] ? v[i] : "");
}

void svc_add_tags(struct aws_params *p, const char *prefix,
		  const struct svc_tag *tags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		aws_params_add(p, arena_sprintf(p->arena, "%s.%zu.Key", prefix, i + 1),
			       tags[i].key ? tags[i].key : "");
		aws_params_add(p, arena_sprintf(p->arena, "%s.%zu.Value", prefix, i + 1),
			       tags[i].value ? tags[i].value : "");
	}
}

void svc_json_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

void svc_json_bool(json_t *o, const char *key, enum svc_bool v)
{
	if (v != SVC_UNSET)
		json_object_set_new(o, key, json_boolean(v == SVC_TRUE));
}

void svc_json_int(json_t *o, const char *key, struct svc_int v)
{
	if (v.set)
		json_object_set_new(o, key, json_integer(v.value));
}

json_t *svc_json_tags(const struct svc_tag *tags, size_t n,
		      const char *kname, const char *vname)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", kname, tags[i].key,
						     vname, tags[i].value ? tags[i].value : ""));
	return arr;
}

json_t *svc_json_strs(struct svc_strs s)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < s.n; i++)
		json_array_append_new(arr, json_string(s.v[i]));
	return arr;
}

bool svc_tags_has(const struct svc_tag *tags, size_t n, const char *key,
		  const char *value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tags[i].key && strcmp(tags[i].key, key) == 0 &&
		    tags[i].value && strcmp(tags[i].value, value) == 0)
			return true;
	return false;
}

/* ---- XML ---- */

static const char *xml_text_either(const struct xml_node *n, const char *a,
				   const char *b)
{
	const char *t = xml_text(n, a);

	return t ? t : xml_text(n, b);
}

struct svc_strs svc_xml_strs(struct arena *a, const struct xml_node *list)
{
	struct svc_strs s = { NULL, 0 };
	const struct xml_node *k;
	size_t i = 0;

	for (k = list ? list->first_child : NULL; k; k = k->next)
		s.n++;
	if (!s.n)
		return s;
	s.v = arena_calloc(a, s.n, sizeof(*s.v));
	for (k = list->first_child; k; k = k->next)
		s.v[i++] = k->text;
	return s;
}

static struct svc_tags xml_tags(struct arena *a, const struct xml_node *list)
{
	struct svc_tags t = { NULL, 0 };
	const struct xml_node *k;
	size_t i = 0;

	for (k = list ? list->first_child : NULL; k; k = k->next)
		t.n++;
	if (!t.n)
		return t;
	t.v = arena_calloc(a, t.n, sizeof(*t.v));
	for (k = list->first_child; k; k = k->next, i++) {
		t.v[i].key = xml_text_either(k, "Key", "key");
		t.v[i].value = xml_text_either(k, "Value", "value");
		if (!t.v[i].value)
			t.v[i].value = "";
	}
	return t;
}

void svc_xml_fields(struct arena *a, const struct xml_node *node,
		    const struct svc_field *f, size_t nf, void *out)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		const struct xml_node *n = xml_find(node, f[i].path);
		char *dst = (char *)out + f[i].off;

		if (!n)
			continue;
		switch (f[i].kind) {
		case SVC_STR:
			*(const char **)dst = n->text;
			break;
		case SVC_INT:
			*(int *)dst = atoi(n->text);
			break;
		case SVC_BOOL:
			*(bool *)dst = strcmp(n->text, "true") == 0;
			break;
		case SVC_STRS:
			*(struct svc_strs *)dst = svc_xml_strs(a, n);
			break;
		case SVC_TAGS:
			*(struct svc_tags *)dst = xml_tags(a, n);
			break;
		case SVC_NUM:
			*(double *)dst = strtod(n->text, NULL);
			break;
		}
	}
}

void *svc_xml_list(struct arena *a, const struct xml_node *list,
		   size_t elem_size, const struct svc_field *f, size_t nf,
		   size_t *n)
{
	const struct xml_node *k;
	char *arr;
	size_t i = 0;

	*n = 0;
	for (k = list ? list->first_child : NULL; k; k = k->next)
		(*n)++;
	if (!*n)
		return NULL;
	arr = arena_calloc(a, *n, elem_size);
	for (k = list->first_child; k; k = k->next)
		svc_xml_fields(a, k, f, nf, arr + elem_size * i++);
	return arr;
}

/* ---- JSON ---- */

static json_t *json_at(struct arena *a, json_t *node, const char *path)
{
	const char *slash;

	while (node && (slash = strchr(path, '/'))) {
		node = json_object_get(node, arena_strndup(a, path, (size_t)(slash - path)));
		path = slash + 1;
	}
	return node ? json_object_get(node, path) : NULL;
}

static struct svc_tags json_tags(struct arena *a, json_t *j)
{
	struct svc_tags t = { NULL, 0 };
	const char *key;
	json_t *v;
	size_t i = 0;

	if (json_is_object(j)) {	/* CloudWatch Logs: {"k": "v"} */
		t.n = json_object_size(j);
		t.v = t.n ? arena_calloc(a, t.n, sizeof(*t.v)) : NULL;
		json_object_foreach(j, key, v) {
			t.v[i].key = arena_strdup(a, key);
			t.v[i].value = arena_strdup(a, json_is_string(v) ? json_string_value(v) : "");
			i++;
		}
		return t;
	}
	if (!json_is_array(j) || !json_array_size(j))
		return t;
	t.v = arena_calloc(a, json_array_size(j), sizeof(*t.v));
	json_array_foreach(j, i, v) {
		const char *k = json_string_value(json_object_get(v, "Key"));
		const char *val = json_string_value(json_object_get(v, "Value"));

		if (!k) {
			k = json_string_value(json_object_get(v, "TagKey"));
			val = json_string_value(json_object_get(v, "TagValue"));
		}
		if (!k)
			continue;
		t.v[t.n].key = arena_strdup(a, k);
		t.v[t.n].value = arena_strdup(a, val ? val : "");
		t.n++;
	}
	return t;
}

static struct svc_strs json_strs(struct arena *a, json_t *j)
{
	struct svc_strs s = { NULL, 0 };
	json_t *v;
	size_t i;

	if (!json_is_array(j) || !json_array_size(j))
		return s;
	s.v = arena_calloc(a, json_array_size(j), sizeof(*s.v));
	json_array_foreach(j, i, v)
		if (json_is_string(v))
			s.v[s.n++] = arena_strdup(a, json_string_value(v));
	return s;
}

void svc_json_fields(struct arena *a, json_t *node,
		     const struct svc_field *f, size_t nf, void *out)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		json_t *j = json_at(a, node, f[i].path);
		char *dst = (char *)out + f[i].off;

		if (!j || json_is_null(j))
			continue;
		switch (f[i].kind) {
		case SVC_STR:
			if (json_is_string(j))
				*(const char **)dst = arena_strdup(a, json_string_value(j));
			break;
		case SVC_INT:
			*(int *)dst = (int)json_integer_value(j);
			break;
		case SVC_BOOL:
			*(bool *)dst = json_is_true(j);
			break;
		case SVC_STRS:
			*(struct svc_strs *)dst = json_strs(a, j);
			break;
		case SVC_TAGS:
			*(struct svc_tags *)dst = json_tags(a, j);
			break;
		case SVC_NUM:
			*(double *)dst = json_number_value(j);
			break;
		}
	}
}

void *svc_json_list(struct arena *a, json_t *arr, size_t elem_size,
		    const struct svc_field *f, size_t nf, size_t *n)
{
	char *out;
	json_t *v;
	size_t i;

	*n = json_is_array(arr) ? json_array_size(arr) : 0;
	if (!*n)
		return NULL;
	out = arena_calloc(a, *n, elem_size);
	json_array_foreach(arr, i, v)
		svc_json_fields(a, v, f, nf, out + elem_size * i);
	return out;
}
