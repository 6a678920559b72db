/*
 * type_json.c - cty type JSON (see codec.h).
 *
 * Implements go-cty's Type.MarshalJSON / UnmarshalJSON (cty/json.go):
 * "bool" | "number" | "string" | "dynamic" | ["list", T] | ["set", T] |
 * ["map", T] | ["tuple", [T...]] | ["object", {name: T}] |
 * ["object", {name: T}, ["optional", ...]].  Output is compact with object
 * attributes sorted, byte-identical to go-cty for ASCII attribute names.
 * Capsule types do not exist here.  JSON itself is jansson's business.
 */
#include "codec.h"

#include "core/arena.h"
#include "core/diag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct type *tj_fail(struct diags *d, const char *msg)
{
	if (d)
		diag_error(d, NULL, "Invalid type", "%s", msg);
	return NULL;
}

static const struct type *tj_parse(struct arena *a, json_t *j, int depth,
				   struct diags *d);

static const struct type *tj_object(struct arena *a, json_t *j, int depth,
				    struct diags *d)
{
	json_t *attrs = json_array_get(j, 1), *opt = json_array_get(j, 2);
	size_t n, i = 0, k;
	const char **names;
	const struct type **types;
	bool *optional;
	const char *key;
	json_t *val;
	const struct type *t;

	if (!json_is_object(attrs) || json_array_size(j) > 3)
		return tj_fail(d, "an object type needs an attribute object");
	n = json_object_size(attrs);
	names = arena_calloc(a, n ? n : 1, sizeof(*names));
	types = arena_calloc(a, n ? n : 1, sizeof(*types));
	optional = arena_calloc(a, n ? n : 1, sizeof(*optional));
	json_object_foreach(attrs, key, val) {
		names[i] = key;
		types[i] = tj_parse(a, val, depth + 1, d);
		if (!types[i])
			return NULL;
		i++;
	}
	if (opt) {
		json_t *o;

		if (!json_is_array(opt))
			return tj_fail(d, "optional attributes must be a list of names");
		json_array_foreach(opt, k, o) {
			const char *on = json_string_value(o);
			size_t m;

			if (!on)
				return tj_fail(d, "optional attribute names must be strings");
			for (m = 0; m < n && strcmp(names[m], on) != 0; m++)
				;
			if (m == n)
				return tj_fail(d, "optional attribute is not an attribute of the object");
			optional[m] = true;
		}
	}
	t = type_object(a, n, names, types, optional);
	if (!t)
		return tj_fail(d, "duplicate attribute name");
	return t;
}

static const struct type *tj_parse(struct arena *a, json_t *j, int depth,
				   struct diags *d)
{
	const char *kind;
	json_t *arg;

	if (depth > CODEC_MAX_DEPTH)
		return tj_fail(d, "type nesting is too deep");
	if (json_is_string(j)) {
		kind = json_string_value(j);
		if (strcmp(kind, "bool") == 0)
			return &type_bool;
		if (strcmp(kind, "number") == 0)
			return &type_number;
		if (strcmp(kind, "string") == 0)
			return &type_string;
		if (strcmp(kind, "dynamic") == 0)
			return &type_dynamic;
		return tj_fail(d, "invalid primitive type name");
	}
	if (!json_is_array(j) || json_array_size(j) < 2 ||
	    !json_is_string(json_array_get(j, 0)))
		return tj_fail(d, "a type must be a string or a [kind, ...] array");
	kind = json_string_value(json_array_get(j, 0));
	arg = json_array_get(j, 1);
	if (strcmp(kind, "object") == 0)
		return tj_object(a, j, depth, d);
	if (json_array_size(j) != 2)
		return tj_fail(d, "too many elements in a type array");
	if (strcmp(kind, "list") == 0 || strcmp(kind, "set") == 0 ||
	    strcmp(kind, "map") == 0) {
		const struct type *e = tj_parse(a, arg, depth + 1, d);

		if (!e)
			return NULL;
		if (kind[0] == 'l')
			return type_list(a, e);
		return kind[0] == 's' ? type_set(a, e) : type_map(a, e);
	}
	if (strcmp(kind, "tuple") == 0) {
		size_t i, n;
		const struct type **ts;
		json_t *e;

		if (!json_is_array(arg))
			return tj_fail(d, "a tuple type needs a list of element types");
		n = json_array_size(arg);
		ts = arena_calloc(a, n ? n : 1, sizeof(*ts));
		json_array_foreach(arg, i, e) {
			ts[i] = tj_parse(a, e, depth + 1, d);
			if (!ts[i])
				return NULL;
		}
		return type_tuple(a, n, ts);
	}
	return tj_fail(d, "invalid complex type kind");
}

const struct type *codec_type_from_json(struct arena *a, const char *buf,
					size_t len, struct diags *d)
{
	json_error_t err;
	json_t *j;
	const struct type *t;

	j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
		       &err);
	if (!j) {
		if (d)
			diag_error(d, NULL, "Invalid type",
				   "type JSON: %s", err.text);
		return NULL;
	}
	t = tj_parse(a, j, 0, d);
	json_decref(j);
	return t;
}

/* New reference to the JSON form of t. */
static json_t *tj_build(const struct type *t)
{
	json_t *arr, *o, *opt;
	size_t i;

	switch (t->kind) {
	case TYPE_BOOL: return json_string("bool");
	case TYPE_NUMBER: return json_string("number");
	case TYPE_STRING: return json_string("string");
	case TYPE_DYNAMIC: return json_string("dynamic");
	case TYPE_LIST:
		return json_pack("[so]", "list", tj_build(t->elem));
	case TYPE_SET:
		return json_pack("[so]", "set", tj_build(t->elem));
	case TYPE_MAP:
		return json_pack("[so]", "map", tj_build(t->elem));
	case TYPE_TUPLE:
		arr = json_array();
		for (i = 0; i < t->n; i++)
			json_array_append_new(arr, tj_build(t->types[i]));
		return json_pack("[so]", "tuple", arr);
	case TYPE_OBJECT:
		o = json_object();
		opt = json_array();
		for (i = 0; i < t->n; i++) {
			json_object_set_new(o, t->names[i],
					    tj_build(t->types[i]));
			if (t->optional && t->optional[i])
				json_array_append_new(opt,
						      json_string(t->names[i]));
		}
		if (json_array_size(opt))
			return json_pack("[soo]", "object", o, opt);
		json_decref(opt);
		return json_pack("[so]", "object", o);
	}
	return json_null();
}

char *codec_type_to_json(struct arena *a, const struct type *t)
{
	json_t *j = tj_build(t);
	char *s, *out;

	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		abort();	/* jansson only fails when out of memory */
	out = arena_strdup(a, s);
	free(s);
	return out;
}
