/*
 * codec_json.c - go-cty's JSON encoding of values (see codec.h).
 *
 * Implements zclconf/go-cty cty/json (marshal.go, unmarshal.go, value.go):
 * null is null; unknown values cannot be encoded; numbers are exact
 * decimal text; dynamic-typed positions are {"value": v, "type": T};
 * object attributes are written in sorted order, and on decode a missing
 * attribute becomes null while an extra one is an error (or, in lenient
 * mode, dropped).  As cty/json does, strings also accept numbers and bools
 * (their text), numbers accept numeric strings, bools accept "true" and
 * "false".
 *
 * Parsing is jansson's (json_loadb).  jansson keeps numbers only as
 * doubles, so the exact text of every number is recovered from the input:
 * number_tokens() lists the number tokens of the (already validated)
 * document in order, and they are paired with jansson's nodes in document
 * order (object iteration preserves insertion order, duplicates are
 * rejected).  Output is assembled the way cty/json writes it (punctuation
 * by hand); strings are escaped by jansson, then <, >, & and U+2028/9 are
 * escaped as Go's encoding/json does.
 *
 * Limits: numbers beyond the double range (about 1e308) are refused by
 * jansson; \u0000 is allowed in string values but not in keys; inputs
 * above CODEC_MAX_INPUT are refused.
 */
#include "codec.h"

#include <math.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/diag.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- number texts ---- */

struct num_tok {
	const char *p;
	size_t len;
};

struct num_map {
	const json_t *node;
	size_t tok;
};

struct jd {
	struct arena *a;
	struct diags *d;
	bool lenient;
	struct num_tok *toks;
	size_t ntoks;
	struct num_map *map;
	size_t nmap, capmap;
	size_t depth;
	struct path_step steps[CODEC_MAX_DEPTH + 2];
};

/* Number tokens of a syntactically valid JSON text, in order. */
static void number_tokens(struct jd *j, const char *s, size_t len)
{
	size_t i = 0, cap = 0;

	while (i < len) {
		char c = s[i];

		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t st = i;

			while (i < len && strchr("0123456789+-.eE", s[i]) &&
			       s[i] != '\0')
				i++;
			if (j->ntoks == cap) {
				struct num_tok *n;

				cap = cap ? cap * 2 : 16;
				n = arena_calloc(j->a, cap, sizeof(*n));
				if (j->ntoks)
					memcpy(n, j->toks,
					       j->ntoks * sizeof(*n));
				j->toks = n;
			}
			j->toks[j->ntoks].p = s + st;
			j->toks[j->ntoks].len = i - st;
			j->ntoks++;
		} else {
			i++;
		}
	}
}

static void map_push(struct jd *j, const json_t *node)
{
	if (j->nmap == j->capmap) {
		struct num_map *n;

		j->capmap = j->capmap ? j->capmap * 2 : 16;
		n = arena_calloc(j->a, j->capmap, sizeof(*n));
		if (j->nmap)
			memcpy(n, j->map, j->nmap * sizeof(*n));
		j->map = n;
	}
	j->map[j->nmap].node = node;
	j->map[j->nmap].tok = j->nmap;
	j->nmap++;
}

/* Document-order walk collecting the number nodes (iterative depth is
 * bounded by jansson's own parser limit, recursion here by ours). */
static int collect_numbers(struct jd *j, const json_t *v, size_t depth)
{
	const char *key;
	json_t *e;
	size_t i;

	if (depth > CODEC_MAX_DEPTH)
		return -1;
	if (json_is_number(v)) {
		map_push(j, v);
	} else if (json_is_array(v)) {
		json_array_foreach((json_t *)v, i, e)
			if (collect_numbers(j, e, depth + 1) < 0)
				return -1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e)
			if (collect_numbers(j, e, depth + 1) < 0)
				return -1;
	}
	return 0;
}

static int map_cmp(const void *x, const void *y)
{
	const struct num_map *p = x, *q = y;

	return p->node < q->node ? -1 : p->node > q->node ? 1 : 0;
}

static const struct num_tok *number_text_of(struct jd *j, const json_t *v)
{
	struct num_map key = { .node = v }, *m;

	m = bsearch(&key, j->map, j->nmap, sizeof(*m), map_cmp);
	return m ? &j->toks[m->tok] : NULL;
}

/* ---- errors and paths ---- */

static const struct value *jd_err(struct jd *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const struct value *jd_err(struct jd *j, const char *fmt, ...)
{
	struct path p = { j->depth, NULL };
	struct path_step *steps;
	char *msg, *where;
	va_list ap;

	if (!j->d)
		return NULL;
	steps = arena_calloc(j->a, j->depth ? j->depth : 1, sizeof(*steps));
	if (j->depth)
		memcpy(steps, j->steps, j->depth * sizeof(*steps));
	p.steps = steps;
	va_start(ap, fmt);
	msg = arena_vsprintf(j->a, fmt, ap);
	va_end(ap);
	where = path_string(j->a, p);
	if (*where)
		diag_error(j->d, &p, "Invalid JSON value", "%s: %s", where, msg);
	else
		diag_error(j->d, &p, "Invalid JSON value", "%s", msg);
	return NULL;
}

static bool jd_push(struct jd *j, enum path_step_kind k, const char *name,
		    int64_t index)
{
	struct path_step *s;

	if (j->depth >= CODEC_MAX_DEPTH) {
		jd_err(j, "nesting is deeper than %d levels", CODEC_MAX_DEPTH);
		return false;
	}
	s = &j->steps[j->depth++];
	s->kind = k;
	s->name = name ? arena_strdup(j->a, name) : NULL;
	s->index = index;
	return true;
}

/* ---- decoding ---- */

static const struct value *jd_decode(struct jd *j, const json_t *v,
				     const struct type *t);

static const struct value *jd_number(struct jd *j, const json_t *v)
{
	const struct num_tok *tok;
	struct number n;

	if (json_is_string(v)) {
		if (number_parse(j->a, json_string_value(v),
				 json_string_length(v), &n) < 0)
			return jd_err(j, "a number is required");
		/* The same range as a number token: jansson refuses reals
		 * beyond a double, so such a value could not be read back. */
		if (n.kind == NUMBER_BIG && isinf(strtod(json_string_value(v), NULL)))
			return jd_err(j, "the number is out of range");
		return value_number(j->a, n);
	}
	if (!json_is_number(v))
		return jd_err(j, "a number is required");
	tok = number_text_of(j, v);
	if (!tok || number_parse(j->a, tok->p, tok->len, &n) < 0)
		return jd_err(j, "a number is required");
	return value_number(j->a, n);
}

static const struct value *jd_string(struct jd *j, const json_t *v)
{
	const struct num_tok *tok;

	if (json_is_string(v))
		return value_stringn(j->a, json_string_value(v),
				     json_string_length(v));
	if (json_is_boolean(v))
		return value_string(j->a, json_is_true(v) ? "true" : "false");
	if (json_is_number(v)) {	/* go-cty keeps the number's text */
		tok = number_text_of(j, v);
		if (tok)
			return value_stringn(j->a, tok->p, tok->len);
	}
	return jd_err(j, "a string is required");
}

static const struct value *jd_bool(struct jd *j, const json_t *v)
{
	if (json_is_boolean(v))
		return value_bool(j->a, json_is_true(v));
	/* go-cty converts the strings "true"/"1" and "false"/"0" */
	if (json_is_string(v) && (strcmp(json_string_value(v), "true") == 0 ||
				  strcmp(json_string_value(v), "1") == 0))
		return value_bool(j->a, true);
	if (json_is_string(v) && (strcmp(json_string_value(v), "false") == 0 ||
				  strcmp(json_string_value(v), "0") == 0))
		return value_bool(j->a, false);
	return jd_err(j, "a bool is required");
}

static bool same_types(size_t n, const struct value *const *items)
{
	const struct type *t = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (items[i]->type->kind == TYPE_DYNAMIC)
			continue;
		if (t && !type_equal(t, items[i]->type))
			return false;
		t = items[i]->type;
	}
	return true;
}

static const struct value *jd_array(struct jd *j, const json_t *v,
				    const struct type *t)
{
	const struct value **items;
	size_t i, n;

	if (!json_is_array(v))
		return jd_err(j, "a %s is required",
			      t->kind == TYPE_LIST ? "list" :
			      t->kind == TYPE_SET ? "set" : "tuple");
	n = json_array_size(v);
	if (t->kind == TYPE_TUPLE && n != t->n)
		return jd_err(j, "a tuple of length %zu is required", t->n);
	items = arena_calloc(j->a, n ? n : 1, sizeof(*items));
	for (i = 0; i < n; i++) {
		if (!jd_push(j, PATH_KEY_INT, NULL, (int64_t)i))
			return NULL;
		items[i] = jd_decode(j, json_array_get(v, i),
				     t->kind == TYPE_TUPLE ? t->types[i]
							   : t->elem);
		j->depth--;
		if (!items[i])
			return NULL;
	}
	if (t->kind == TYPE_TUPLE)
		return value_tuple(j->a, t, n, items);
	if (t->elem->kind == TYPE_DYNAMIC && !same_types(n, items))
		return jd_err(j, "all elements must have the same type");
	return t->kind == TYPE_LIST ? value_list(j->a, t->elem, n, items)
				    : value_set(j->a, t->elem, n, items);
}

static const struct value *jd_map(struct jd *j, const json_t *v,
				  const struct type *t)
{
	const struct value **items, *m;
	const char **keys, *key;
	size_t n, i = 0, klen;
	json_t *e;

	if (!json_is_object(v))
		return jd_err(j, "a map is required");
	n = json_object_size(v);
	items = arena_calloc(j->a, n ? n : 1, sizeof(*items));
	keys = arena_calloc(j->a, n ? n : 1, sizeof(*keys));
	json_object_keylen_foreach((json_t *)v, key, klen, e) {
		if (klen != strlen(key))
			return jd_err(j, "keys must not contain NUL characters");
		if (!jd_push(j, PATH_KEY_STRING, key, 0))
			return NULL;
		keys[i] = arena_strdup(j->a, key);
		items[i] = jd_decode(j, e, t->elem);
		j->depth--;
		if (!items[i])
			return NULL;
		i++;
	}
	if (t->elem->kind == TYPE_DYNAMIC && !same_types(n, items))
		return jd_err(j, "all elements must have the same type");
	m = value_map(j->a, t->elem, n, keys, items);
	return m ? m : jd_err(j, "duplicate map key");
}

static const struct value *jd_object(struct jd *j, const json_t *v,
				     const struct type *t)
{
	const struct value **items;
	const char *key;
	json_t *e;
	size_t i, klen;

	if (!json_is_object(v))
		return jd_err(j, "an object is required");
	items = arena_calloc(j->a, t->n ? t->n : 1, sizeof(*items));
	json_object_keylen_foreach((json_t *)v, key, klen, e) {
		int idx = type_attr_index(t, key);
		bool ok;

		if (klen != strlen(key))
			return jd_err(j, "attribute names must not contain NUL characters");
		if (idx < 0) {
			if (j->lenient)
				continue;
			if (!jd_push(j, PATH_ATTR, key, 0))
				return NULL;
			jd_err(j, "unsupported attribute \"%s\"", key);
			j->depth--;
			return NULL;
		}
		if (!jd_push(j, PATH_ATTR, key, 0))
			return NULL;
		items[idx] = jd_decode(j, e, t->types[idx]);
		ok = items[idx] != NULL;
		j->depth--;
		if (!ok)
			return NULL;
	}
	for (i = 0; i < t->n; i++)
		if (!items[i])
			items[i] = value_null(j->a, t->types[i]);
	return value_object(j->a, t, items);
}

static const struct value *jd_dynamic(struct jd *j, const json_t *v)
{
	json_t *tv = json_object_get(v, "type"), *vv = json_object_get(v, "value");
	const struct type *t;
	struct diags tmp;
	char *tj;

	if (!json_is_object(v))
		return jd_err(j, "a dynamically-typed value must be an object with \"value\" and \"type\"");
	if (json_object_size(v) != (size_t)(!!tv + !!vv))
		return jd_err(j, "invalid key in dynamically-typed value");
	if (!tv)
		return jd_err(j, "missing type in dynamically-typed value");
	if (!vv)
		return jd_err(j, "missing value in dynamically-typed value");
	tj = json_dumps(tv, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!tj)
		abort();	/* out of memory */
	diags_init(&tmp, j->a);
	t = codec_type_from_json(j->a, tj, strlen(tj), &tmp);
	free(tj);
	if (!t)
		return jd_err(j, "invalid type in dynamically-typed value: %s",
			      tmp.len ? tmp.items[0].detail : "malformed");
	return jd_decode(j, vv, t);
}

static const struct value *jd_decode(struct jd *j, const json_t *v,
				     const struct type *t)
{
	if (json_is_null(v))
		return value_null(j->a, t);
	switch (t->kind) {
	case TYPE_DYNAMIC:
		return jd_dynamic(j, v);
	case TYPE_BOOL:
		return jd_bool(j, v);
	case TYPE_NUMBER:
		return jd_number(j, v);
	case TYPE_STRING:
		return jd_string(j, v);
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_TUPLE:
		return jd_array(j, v, t);
	case TYPE_MAP:
		return jd_map(j, v, t);
	case TYPE_OBJECT:
		return jd_object(j, v, t);
	}
	return jd_err(j, "unsupported type");
}

static int json_decode(struct arena *a, const struct type *t, const char *buf,
		       size_t len, const struct value **out, struct diags *d,
		       bool lenient)
{
	struct jd j = { .a = a, .d = d, .lenient = lenient };
	json_error_t err;
	json_t *root;

	*out = NULL;
	if (len > CODEC_MAX_INPUT) {
		jd_err(&j, "input is larger than %u bytes", CODEC_MAX_INPUT);
		return -1;
	}
	root = json_loadb(buf ? buf : "", buf ? len : 0,
			  JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
				  JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL,
			  &err);
	if (!root) {
		jd_err(&j, "%s (line %d, column %d)", err.text, err.line,
		       err.column);
		return -1;
	}
	number_tokens(&j, buf, len);
	if (collect_numbers(&j, root, 0) < 0 || j.nmap != j.ntoks) {
		json_decref(root);
		jd_err(&j, "nesting is deeper than %d levels", CODEC_MAX_DEPTH);
		return -1;
	}
	if (j.nmap > 1)
		qsort(j.map, j.nmap, sizeof(*j.map), map_cmp);
	*out = jd_decode(&j, root, t);
	json_decref(root);
	return *out ? 0 : -1;
}

int codec_json_decode(struct arena *a, const struct type *t, const char *buf,
		      size_t len, const struct value **out, struct diags *d)
{
	return json_decode(a, t, buf, len, out, d, false);
}

int codec_json_decode_lenient(struct arena *a, const struct type *t,
			      const char *buf, size_t len,
			      const struct value **out, struct diags *d)
{
	return json_decode(a, t, buf, len, out, d, true);
}

/* ---- encoding ---- */

struct je {
	struct arena *a;
	struct diags *d;
	char *p;
	size_t len, cap;
	size_t depth;
	struct path_step steps[CODEC_MAX_DEPTH + 2];
	int err;
};

static void je_put(struct je *e, const char *s, size_t n)
{
	if (e->len + n + 1 > e->cap) {
		size_t cap = e->cap ? e->cap : 256;
		char *p;

		while (cap < e->len + n + 1)
			cap *= 2;
		p = arena_alloc(e->a, cap);
		if (e->len)
			memcpy(p, e->p, e->len);
		e->p = p;
		e->cap = cap;
	}
	memcpy(e->p + e->len, s, n);
	e->len += n;
	e->p[e->len] = '\0';
}

static void je_puts(struct je *e, const char *s)
{
	je_put(e, s, strlen(s));
}

static void je_fail(struct je *e, const char *msg)
{
	struct path p = { e->depth, NULL };
	struct path_step *steps;
	char *where;

	if (e->err)
		return;
	e->err = -1;
	if (!e->d)
		return;
	steps = arena_calloc(e->a, e->depth ? e->depth : 1, sizeof(*steps));
	if (e->depth)
		memcpy(steps, e->steps, e->depth * sizeof(*steps));
	p.steps = steps;
	where = path_string(e->a, p);
	diag_error(e->d, &p, "Cannot encode value as JSON", "%s%s%s", where,
		   *where ? ": " : "", msg);
}

/* A JSON string as Go's encoding/json writes it. */
static void je_string(struct je *e, const char *s, size_t len)
{
	json_t *js;
	char *out, *q;

	if (!utf8_valid(s, len)) {
		je_fail(e, "string is not valid UTF-8");
		return;
	}
	js = json_stringn_nocheck(s, len);

	out = json_dumps(js, JSON_ENCODE_ANY);
	json_decref(js);
	if (!out)
		abort();	/* out of memory */
	for (q = out; *q; q++) {
		switch (*q) {
		case '<': je_puts(e, "\\u003c"); break;
		case '>': je_puts(e, "\\u003e"); break;
		case '&': je_puts(e, "\\u0026"); break;
		default:
			if ((unsigned char)q[0] == 0xe2 &&
			    (unsigned char)q[1] == 0x80 &&
			    ((unsigned char)q[2] == 0xa8 ||
			     (unsigned char)q[2] == 0xa9)) {
				je_puts(e, (unsigned char)q[2] == 0xa8
						   ? "\\u2028" : "\\u2029");
				q += 2;
			} else {
				je_put(e, q, 1);
			}
		}
	}
	free(out);
}

static void je_value(struct je *e, const struct value *v, const struct type *t);

static bool je_push(struct je *e, enum path_step_kind k, const char *name,
		    int64_t index)
{
	if (e->depth >= CODEC_MAX_DEPTH) {
		je_fail(e, "nesting is too deep");
		return false;
	}
	e->steps[e->depth].kind = k;
	e->steps[e->depth].name = name;
	e->steps[e->depth].index = index;
	e->depth++;
	return true;
}

static void je_items(struct je *e, const struct value *v, const struct type *t)
{
	bool obj = t->kind == TYPE_MAP || t->kind == TYPE_OBJECT;
	size_t i;

	je_puts(e, obj ? "{" : "[");
	for (i = 0; i < v->u.coll.n && !e->err; i++) {
		const char *k = t->kind == TYPE_MAP ? v->u.coll.keys[i]
			      : t->kind == TYPE_OBJECT ? t->names[i] : NULL;
		const struct type *et = t->kind == TYPE_OBJECT ||
						t->kind == TYPE_TUPLE
					? t->types[i] : t->elem;

		if (i)
			je_puts(e, ",");
		if (k) {
			je_string(e, k, strlen(k));
			je_puts(e, ":");
		}
		if (!je_push(e, t->kind == TYPE_OBJECT ? PATH_ATTR
				: k ? PATH_KEY_STRING : PATH_KEY_INT,
			     k, (int64_t)i))
			return;
		je_value(e, v->u.coll.items[i], et);
		e->depth--;
	}
	je_puts(e, obj ? "}" : "]");
}

static void je_value(struct je *e, const struct value *v, const struct type *t)
{
	char *s;

	if (t->kind == TYPE_DYNAMIC && v->type->kind != TYPE_DYNAMIC) {
		je_puts(e, "{\"value\":");
		je_value(e, v, v->type);
		je_puts(e, ",\"type\":");
		je_puts(e, codec_type_to_json(e->a, v->type));
		je_puts(e, "}");
		return;
	}
	if (v->state == VALUE_NULL) {
		je_puts(e, "null");
		return;
	}
	if (v->state == VALUE_UNKNOWN) {
		je_fail(e, "value is not known");
		return;
	}
	switch (t->kind) {
	case TYPE_BOOL:
		je_puts(e, v->u.b ? "true" : "false");
		return;
	case TYPE_NUMBER:
		s = number_text(e->a, &v->u.num);
		if (!s)
			je_fail(e, "infinity cannot be represented in JSON");
		else
			je_puts(e, s);
		return;
	case TYPE_STRING:
		je_string(e, v->u.str.ptr, v->u.str.len);
		return;
	case TYPE_DYNAMIC:
		je_fail(e, "value has no concrete type");
		return;
	default:
		je_items(e, v, t);
		return;
	}
}

int codec_json_encode(struct arena *a, const struct type *t,
		      const struct value *v, char **buf, size_t *len,
		      struct diags *d)
{
	struct je *e = arena_alloc(a, sizeof(*e));

	*buf = NULL;
	*len = 0;
	e->a = a;
	e->d = d;
	if (!value_conforms(v, t)) {
		if (d)
			diag_error(d, NULL, "Cannot encode value as JSON",
				   "the value does not conform to %s",
				   type_friendly_name(a, t));
		return -1;
	}
	je_value(e, v, t);
	if (e->err)
		return -1;
	*buf = e->p;
	*len = e->len;
	return 0;
}
