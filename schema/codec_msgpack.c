/*
 * codec_msgpack.c - go-cty's msgpack encoding of values (see codec.h).
 *
 * Implements zclconf/go-cty cty/msgpack (marshal.go, unmarshal.go,
 * unknown.go, dynamic.go) on top of msgpack-c: msgpack_unpack_next builds
 * an object tree in a zone, which is walked against the expected type;
 * the encoder drives a msgpack_packer into a msgpack_sbuffer.
 *
 * Before msgpack-c sees the input, scan_value() walks the byte structure
 * once to enforce our limits: no trailing bytes, nesting at most
 * MSGPACK_DEPTH, and no array/map header that claims more elements than
 * bytes remain (msgpack-c allocates a claimed array up front).
 *
 * Not done: refinement prefixes are not truncated to go-cty's 256 bytes on
 * encode (we only echo what Terraform sent).
 */
#include "codec.h"

#include "core/arena.h"
#include "core/diag.h"

#include <inttypes.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>

/* msgpack-c's C unpacker keeps a fixed parse stack of
 * MSGPACK_EMBED_STACK_SIZE (32, compiled into the library, not in its
 * public headers) open containers; deeper input fails inside it. */
#define MSGPACK_DEPTH 32
/* Refinement payloads above this are refused, as go-cty does. */
#define REFINE_MAX 1024
#define EXT_UNKNOWN_REFINED 12

/* ---- structural pre-scan ---- */

static uint64_t be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Sizes of the object starting with byte c: the fixed header bytes after
 * c, and how many bytes of it give a length (w).  -1 for 0xc1. */
static int scan_format(unsigned char c, size_t *fixed, size_t *w)
{
	*fixed = 0;
	*w = 0;
	if (c <= 0xbf || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
		return 0;	/* fix formats: see scan_value */
	switch (c) {
	case 0xc4: case 0xd9: case 0xc7: *w = 1; break;	/* bin8 str8 ext8 */
	case 0xc5: case 0xda: case 0xc8: *w = 2; break;
	case 0xc6: case 0xdb: case 0xc9: *w = 4; break;
	case 0xcc: case 0xd0: *fixed = 1; break;
	case 0xcd: case 0xd1: *fixed = 2; break;
	case 0xca: case 0xce: case 0xd2: *fixed = 4; break;
	case 0xcb: case 0xcf: case 0xd3: *fixed = 8; break;
	case 0xd4: *fixed = 2; break;		/* fixext: type + data */
	case 0xd5: *fixed = 3; break;
	case 0xd6: *fixed = 5; break;
	case 0xd7: *fixed = 9; break;
	case 0xd8: *fixed = 17; break;
	case 0xdc: case 0xde: *w = 2; break;	/* array16 map16 */
	case 0xdd: case 0xdf: *w = 4; break;
	default: return -1;			/* 0xc1 */
	}
	return 0;
}

static bool is_container(unsigned char c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0xdc && c <= 0xdf);
}

/* Skips one msgpack object at *off.  Returns 0, or -1 when truncated,
 * malformed, too deep, or claiming more elements than bytes remain. */
static int scan_value(const unsigned char *p, size_t len, size_t *off,
		      int depth)
{
	size_t o = *off, fixed, w;
	uint64_t body = 0, items = 0, n, i;
	unsigned char c;

	if (o >= len || scan_format(p[o], &fixed, &w) < 0)
		return -1;
	c = p[o++];
	if (c >= 0x80 && c <= 0x8f)
		items = 2u * (c & 0x0f);
	else if (c >= 0x90 && c <= 0x9f)
		items = c & 0x0f;
	else if (c >= 0xa0 && c <= 0xbf)
		body = c & 0x1f;
	if (w) {
		if (len - o < w)
			return -1;
		n = be(p + o, w);
		o += w;
		if (c >= 0xdc)
			items = c >= 0xde ? 2 * n : n;
		else
			body = (c >= 0xc7 && c <= 0xc9) ? n + 1 : n; /* ext type */
	}
	body += fixed;
	if (len - o < body)
		return -1;
	o += (size_t)body;
	if (is_container(c)) {
		if (depth >= MSGPACK_DEPTH || items > len - o)
			return -1;
		for (i = 0; i < items; i++)
			if (scan_value(p, len, &o, depth + 1) < 0)
				return -1;
	}
	*off = o;
	return 0;
}

/* ---- decoding ---- */

/* msgpack-c gives empty strings a NULL pointer. */
static char *mp_strndup(struct arena *a, const char *s, size_t len)
{
	return len ? arena_strndup(a, s, len) : arena_strdup(a, "");
}

static bool has_nul(const char *s, size_t len)
{
	return len && memchr(s, 0, len) != NULL;
}

struct mp_step {
	enum path_step_kind kind;
	const char *name;
	size_t name_len;
	int64_t index;
};

struct mp_dec {
	struct arena *a;
	struct diags *d;
	size_t depth;
	struct mp_step steps[CODEC_MAX_DEPTH + 2];
};

static struct path mp_path(struct mp_dec *m)
{
	struct path p = path_root;
	size_t i;

	for (i = 0; i < m->depth; i++) {
		const struct mp_step *s = &m->steps[i];
		char *name;

		switch (s->kind) {
		case PATH_ATTR:
		case PATH_KEY_STRING:
			name = mp_strndup(m->a, s->name, s->name_len);
			p = s->kind == PATH_ATTR ? path_attr(m->a, p, name)
						 : path_key(m->a, p, name);
			break;
		case PATH_KEY_INT:
			p = path_index(m->a, p, s->index);
			break;
		}
	}
	return p;
}

static const struct value *mp_err(struct mp_dec *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const struct value *mp_err(struct mp_dec *m, const char *fmt, ...)
{
	struct path p;
	char *msg, *where;
	va_list ap;

	if (!m->d)
		return NULL;
	va_start(ap, fmt);
	msg = arena_vsprintf(m->a, fmt, ap);
	va_end(ap);
	p = mp_path(m);
	where = path_string(m->a, p);
	if (*where)
		diag_error(m->d, &p, "Invalid msgpack value", "%s: %s", where,
			   msg);
	else
		diag_error(m->d, &p, "Invalid msgpack value", "%s", msg);
	return NULL;
}

static bool mp_push(struct mp_dec *m, enum path_step_kind k,
		    const char *name, size_t len, int64_t index)
{
	struct mp_step *s;

	if (m->depth >= CODEC_MAX_DEPTH) {
		mp_err(m, "nesting is deeper than %d levels", CODEC_MAX_DEPTH);
		return false;
	}
	s = &m->steps[m->depth++];
	s->kind = k;
	s->name = name;
	s->name_len = len;
	s->index = index;
	return true;
}

static void mp_pop(struct mp_dec *m)
{
	m->depth--;
}

static const struct value *mp_decode(struct mp_dec *m, const msgpack_object *o,
				     const struct type *t);

static bool mp_is_text(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_STR || o->type == MSGPACK_OBJECT_BIN;
}

static bool mp_number(struct mp_dec *m, const msgpack_object *o,
		      struct number *out)
{
	char buf[32];

	memset(out, 0, sizeof(*out));
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		if (o->via.u64 <= INT64_MAX) {
			out->kind = NUMBER_INT;
			out->i = (int64_t)o->via.u64;
			return true;
		}
		snprintf(buf, sizeof(buf), "%" PRIu64, o->via.u64);
		return number_parse(m->a, buf, strlen(buf), out) == 0;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		out->kind = NUMBER_INT;
		out->i = o->via.i64;
		return true;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (isnan(o->via.f64))
			return false;
		out->kind = NUMBER_FLOAT;
		out->f = o->via.f64;
		*out = value_number(m->a, *out)->u.num;
		return true;
	case MSGPACK_OBJECT_STR:
	case MSGPACK_OBJECT_BIN:
		return number_parse(m->a, o->via.str.ptr, o->via.str.size,
				    out) == 0;
	default:
		return false;
	}
}

static bool is_collection(const struct type *t)
{
	return t->kind == TYPE_LIST || t->kind == TYPE_SET ||
	       t->kind == TYPE_MAP;
}

static int mp_fail(struct mp_dec *m, const char *msg)
{
	mp_err(m, "%s", msg);
	return -1;
}

/* One entry of the refinement map (go-cty unknown.go): 0 when applied or
 * ignored (unknown keys are, for future refinements), 1 when it says the
 * value is null, -1 with a diagnostic when malformed or not applicable to
 * type t. */
static int refine_entry(struct mp_dec *m, int64_t key, const msgpack_object *o,
			const struct type *t, struct refinements *r)
{
	const msgpack_object *e;
	struct number n;

	switch (key) {
	case 1:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return mp_fail(m, "null refinement is not boolean");
		if (o->via.boolean)
			return 1;
		r->not_null = true;
		return 0;
	case 2:
		if (t->kind != TYPE_STRING || !mp_is_text(o) ||
		    !utf8_valid(o->via.str.ptr, o->via.str.size) ||
		    has_nul(o->via.str.ptr, o->via.str.size))
			return mp_fail(m, "invalid string prefix refinement");
		r->string_prefix = mp_strndup(m->a, o->via.str.ptr,
					      o->via.str.size);
		return 0;
	case 3:
	case 4:
		if (t->kind != TYPE_NUMBER || o->type != MSGPACK_OBJECT_ARRAY ||
		    o->via.array.size != 2)
			return mp_fail(m, "numeric bound refinement must be [number, bool]");
		e = o->via.array.ptr;
		if (!mp_number(m, &e[0], &n) ||
		    e[1].type != MSGPACK_OBJECT_BOOLEAN)
			return mp_fail(m, "numeric bound refinement must be [number, bool]");
		if (key == 3) {
			r->has_lower = true;
			r->lower = n;
			r->lower_inclusive = e[1].via.boolean;
		} else {
			r->has_upper = true;
			r->upper = n;
			r->upper_inclusive = e[1].via.boolean;
		}
		return 0;
	case 5:
	case 6:
		if (!is_collection(t) ||
		    o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    o->via.u64 > INT64_MAX)
			return mp_fail(m, "length bound refinement must be a non-negative integer for a collection");
		if (key == 5) {
			r->has_len_lower = true;
			r->len_lower = (int64_t)o->via.u64;
		} else {
			r->has_len_upper = true;
			r->len_upper = (int64_t)o->via.u64;
		}
		return 0;
	default:
		return 0;
	}
}

/* The refinement map inside extension 12 (go-cty unknown.go). */
static const struct value *mp_refined(struct mp_dec *m, const char *body,
				      size_t len, const struct type *t)
{
	struct refinements r;
	msgpack_unpacked up;
	const struct value *res = NULL;
	size_t off = 0, scan = 0;
	uint32_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (len > REFINE_MAX)
		return mp_err(m, "oversize unknown value refinement");
	if (scan_value((const unsigned char *)body, len, &scan, 0) < 0)
		return mp_err(m, "malformed unknown value refinement");
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, body, len, &off) < 0 ||
	    up.data.type != MSGPACK_OBJECT_MAP) {
		mp_err(m, "unknown value refinement is not a map");
		goto out;
	}
	if (t->kind == TYPE_DYNAMIC) {	/* go-cty ignores these */
		res = value_unknown(m->a, t);
		goto out;
	}
	for (i = 0; i < up.data.via.map.size && rc == 0; i++) {
		const msgpack_object_kv *kv = &up.data.via.map.ptr[i];

		if (kv->key.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			rc = refine_entry(m, kv->key.via.u64 > 100 ? -1
					  : (int64_t)kv->key.via.u64,
					  &kv->val, t, &r);
		else if (kv->key.type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
			rc = mp_fail(m, "unknown value refinement has a non-integer key");
	}
	if (rc == 0)
		res = value_unknown_refined(m->a, t, &r);
	else if (rc == 1)
		res = value_null(m->a, t);
out:
	msgpack_unpacked_destroy(&up);
	return res;
}

static const struct value *mp_unknown(struct mp_dec *m, const msgpack_object *o,
				      const struct type *t)
{
	if (o->via.ext.size <= 1)
		return value_unknown(m->a, t);
	if (o->via.ext.type != EXT_UNKNOWN_REFINED)
		return mp_err(m, "unsupported extension type 0x%02x with length %u",
			      (unsigned)(uint8_t)o->via.ext.type,
			      (unsigned)o->via.ext.size);
	return mp_refined(m, o->via.ext.ptr, o->via.ext.size, t);
}

static const struct value *mp_dynamic(struct mp_dec *m, const msgpack_object *o)
{
	const msgpack_object *e;
	const struct type *t;
	struct diags tmp;

	if (o->type == MSGPACK_OBJECT_NIL)
		return value_null(m->a, &type_dynamic);
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 2)
		return mp_err(m, "dynamic value array must have exactly two elements");
	e = o->via.array.ptr;
	if (!mp_is_text(&e[0]))
		return mp_err(m, "dynamic value type must be JSON bytes");
	diags_init(&tmp, m->a);
	t = codec_type_from_json(m->a, e[0].via.bin.ptr, e[0].via.bin.size,
				 &tmp);
	if (!t)
		return mp_err(m, "invalid dynamic value type: %s",
			      tmp.len ? tmp.items[0].detail : "malformed");
	return mp_decode(m, &e[1], t);
}

/* cty collections are homogeneous: with a dynamic element type, every
 * element must have the same concrete type. */
static bool same_elem_types(size_t n, const struct value *const *items)
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

static const struct value *mp_array(struct mp_dec *m, const msgpack_object *o,
				    const struct type *t)
{
	const struct value **items;
	uint32_t i, n = o->via.array.size;

	if (o->type != MSGPACK_OBJECT_ARRAY)
		return mp_err(m, "a %s is required",
			      t->kind == TYPE_LIST ? "list" :
			      t->kind == TYPE_SET ? "set" : "tuple");
	if (t->kind == TYPE_TUPLE && n != t->n)
		return mp_err(m, "a tuple of length %zu is required", t->n);
	items = arena_calloc(m->a, n ? n : 1, sizeof(*items));
	for (i = 0; i < n; i++) {
		const struct type *et = t->kind == TYPE_TUPLE ? t->types[i]
							      : t->elem;

		if (!mp_push(m, PATH_KEY_INT, NULL, 0, i))
			return NULL;
		items[i] = mp_decode(m, &o->via.array.ptr[i], et);
		mp_pop(m);
		if (!items[i])
			return NULL;
	}
	if (t->kind == TYPE_TUPLE)
		return value_tuple(m->a, t, n, items);
	if (t->elem->kind == TYPE_DYNAMIC && !same_elem_types(n, items))
		return mp_err(m, "all elements of a %s must have the same type",
			      t->kind == TYPE_LIST ? "list" : "set");
	if (t->kind == TYPE_LIST)
		return value_list(m->a, t->elem, n, items);
	return value_set(m->a, t->elem, n, items);
}

/* Checks a map key or attribute name: string, valid UTF-8, no NUL. */
static bool mp_key(struct mp_dec *m, const msgpack_object *k)
{
	if (k->type != MSGPACK_OBJECT_STR) {
		mp_err(m, "all keys must be strings");
		return false;
	}
	if (!utf8_valid(k->via.str.ptr, k->via.str.size) ||
	    has_nul(k->via.str.ptr, k->via.str.size)) {
		mp_err(m, "keys must be valid UTF-8 without NUL characters");
		return false;
	}
	return true;
}

static const struct value *mp_map(struct mp_dec *m, const msgpack_object *o,
				  const struct type *t)
{
	const struct value **items, *v;
	const char **keys;
	uint32_t i, n = o->via.map.size;

	if (o->type != MSGPACK_OBJECT_MAP)
		return mp_err(m, "a map is required");
	items = arena_calloc(m->a, n ? n : 1, sizeof(*items));
	keys = arena_calloc(m->a, n ? n : 1, sizeof(*keys));
	for (i = 0; i < n; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];

		if (!mp_key(m, &kv->key))
			return NULL;
		keys[i] = mp_strndup(m->a, kv->key.via.str.ptr,
					kv->key.via.str.size);
		if (!mp_push(m, PATH_KEY_STRING, kv->key.via.str.ptr,
			     kv->key.via.str.size, 0))
			return NULL;
		items[i] = mp_decode(m, &kv->val, t->elem);
		mp_pop(m);
		if (!items[i])
			return NULL;
	}
	if (t->elem->kind == TYPE_DYNAMIC && !same_elem_types(n, items))
		return mp_err(m, "all elements of a map must have the same type");
	v = value_map(m->a, t->elem, n, keys, items);
	if (!v)
		return mp_err(m, "duplicate map key");
	return v;
}

static const struct value *mp_object(struct mp_dec *m, const msgpack_object *o,
				     const struct type *t)
{
	const struct value **items;
	uint32_t i, n = o->via.map.size;
	size_t j;

	if (o->type != MSGPACK_OBJECT_MAP)
		return mp_err(m, "an object is required");
	items = arena_calloc(m->a, t->n ? t->n : 1, sizeof(*items));
	for (i = 0; i < n; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		char *name;
		int idx;
		bool ok;

		if (!mp_key(m, &kv->key))
			return NULL;
		name = mp_strndup(m->a, kv->key.via.str.ptr,
				     kv->key.via.str.size);
		idx = type_attr_index(t, name);
		if (!mp_push(m, PATH_ATTR, name, kv->key.via.str.size, 0))
			return NULL;
		if (idx < 0) {
			mp_err(m, "unsupported attribute \"%s\"", name);
			mp_pop(m);
			return NULL;
		}
		if (items[idx]) {
			mp_err(m, "duplicate attribute \"%s\"", name);
			mp_pop(m);
			return NULL;
		}
		items[idx] = mp_decode(m, &kv->val, t->types[idx]);
		ok = items[idx] != NULL;
		mp_pop(m);
		if (!ok)
			return NULL;
	}
	for (j = 0; j < t->n; j++) {
		if (items[j])
			continue;
		if (!mp_push(m, PATH_ATTR, t->names[j], strlen(t->names[j]), 0))
			return NULL;
		mp_err(m, "attribute \"%s\" is required", t->names[j]);
		mp_pop(m);
		return NULL;
	}
	return value_object(m->a, t, items);
}

static const struct value *mp_decode(struct mp_dec *m, const msgpack_object *o,
				     const struct type *t)
{
	struct number n;

	if (o->type == MSGPACK_OBJECT_EXT)
		return mp_unknown(m, o, t);
	if (t->kind == TYPE_DYNAMIC)
		return mp_dynamic(m, o);
	if (o->type == MSGPACK_OBJECT_NIL)
		return value_null(m->a, t);
	switch (t->kind) {
	case TYPE_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return mp_err(m, "a bool is required");
		return value_bool(m->a, o->via.boolean);
	case TYPE_NUMBER:
		if (!mp_number(m, o, &n))
			return mp_err(m, "a number is required");
		return value_number(m->a, n);
	case TYPE_STRING:
		if (!mp_is_text(o))
			return mp_err(m, "a string is required");
		if (!utf8_valid(o->via.str.ptr, o->via.str.size))
			return mp_err(m, "string is not valid UTF-8");
		return value_stringn(m->a, o->via.str.ptr, o->via.str.size);
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_TUPLE:
		return mp_array(m, o, t);
	case TYPE_MAP:
		return mp_map(m, o, t);
	case TYPE_OBJECT:
		return mp_object(m, o, t);
	case TYPE_DYNAMIC:
		break;
	}
	return mp_err(m, "unsupported type");
}

int codec_msgpack_decode(struct arena *a, const struct type *t,
			 const void *buf, size_t len,
			 const struct value **out, struct diags *d)
{
	struct mp_dec m = { .a = a, .d = d };
	msgpack_unpacked up;
	msgpack_unpack_return ret;
	size_t off = 0;
	const struct value *v = NULL;

	*out = NULL;
	if (len == 0 || !buf) {
		mp_err(&m, "empty input");
		return -1;
	}
	if (len > CODEC_MAX_INPUT) {
		mp_err(&m, "input is larger than %u bytes", CODEC_MAX_INPUT);
		return -1;
	}
	if (scan_value(buf, len, &off, 0) < 0) {
		mp_err(&m, "malformed, truncated or too deeply nested msgpack (at most %d levels)",
		       MSGPACK_DEPTH);
		return -1;
	}
	if (off != len) {
		mp_err(&m, "%zu trailing bytes after the value", len - off);
		return -1;
	}
	msgpack_unpacked_init(&up);
	off = 0;
	ret = msgpack_unpack_next(&up, buf, len, &off);
	if (ret != MSGPACK_UNPACK_SUCCESS || off != len)
		mp_err(&m, "malformed msgpack");
	else
		v = mp_decode(&m, &up.data, t);
	msgpack_unpacked_destroy(&up);
	if (!v)
		return -1;
	*out = v;
	return 0;
}

/* ---- encoding ---- */

struct mp_enc {
	struct arena *a;
	struct diags *d;
	msgpack_packer pk;
	int err;
};

static void pack_str(msgpack_packer *pk, const char *s, size_t len)
{
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}

static void pack_number(msgpack_packer *pk, const struct number *n)
{
	switch (n->kind) {
	case NUMBER_INT:
		msgpack_pack_int64(pk, n->i);
		break;
	case NUMBER_FLOAT:
		msgpack_pack_double(pk, n->f);
		break;
	case NUMBER_BIG:
		pack_str(pk, n->text, strlen(n->text));
		break;
	}
}

static void pack_bound(msgpack_packer *pk, const struct number *n, bool inc)
{
	msgpack_pack_array(pk, 2);
	pack_number(pk, n);
	if (inc)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

/* go-cty caps an encoded string prefix at 255 bytes and then keeps only a
 * "safe" prefix (ctystrings.SafeKnownPrefix).  Approximation here: cut at
 * a UTF-8 boundary and drop the last code point when it is not ASCII
 * (it could combine with what follows). */
static size_t safe_prefix_len(const char *s)
{
	size_t len = strlen(s);

	if (len <= 256)
		return len;
	len = 255;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	if (len > 0 && ((unsigned char)s[len - 1] & 0x80)) {
		len--;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return len;
}

/* go-cty marshalUnknownValue: extension 0 with one zero byte, or
 * extension 12 holding the refinement map when there is one. */
static void pack_unknown(struct mp_enc *e, const struct value *v)
{
	const struct refinements *r = v->refine;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const struct type *t = v->type;
	size_t n = 0, plen;
	bool prefix, lo, hi, llo, lhi;

	if (!r || t->kind == TYPE_DYNAMIC) {
		msgpack_pack_ext(&e->pk, 1, 0);
		msgpack_pack_ext_body(&e->pk, "", 1);
		return;
	}
	prefix = t->kind == TYPE_STRING && r->string_prefix &&
		 *r->string_prefix;
	plen = prefix ? safe_prefix_len(r->string_prefix) : 0;
	prefix = plen > 0;
	/* infinite bounds are no bounds (go-cty omits them) */
	lo = t->kind == TYPE_NUMBER && r->has_lower &&
	     !(r->lower.kind == NUMBER_FLOAT && isinf(r->lower.f));
	hi = t->kind == TYPE_NUMBER && r->has_upper &&
	     !(r->upper.kind == NUMBER_FLOAT && isinf(r->upper.f));
	llo = is_collection(t) && r->has_len_lower && r->len_lower != 0;
	lhi = is_collection(t) && r->has_len_upper;
	n = r->not_null + prefix + lo + hi + llo + lhi;
	if (n == 0) {
		msgpack_pack_ext(&e->pk, 1, 0);
		msgpack_pack_ext_body(&e->pk, "", 1);
		return;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	if (r->not_null) {
		msgpack_pack_int64(&pk, 1);
		msgpack_pack_false(&pk);
	}
	if (prefix) {
		msgpack_pack_int64(&pk, 2);
		pack_str(&pk, r->string_prefix, plen);
	}
	if (lo) {
		msgpack_pack_int64(&pk, 3);
		pack_bound(&pk, &r->lower, r->lower_inclusive);
	}
	if (hi) {
		msgpack_pack_int64(&pk, 4);
		pack_bound(&pk, &r->upper, r->upper_inclusive);
	}
	if (llo) {
		msgpack_pack_int64(&pk, 5);
		msgpack_pack_int64(&pk, r->len_lower);
	}
	if (lhi) {
		msgpack_pack_int64(&pk, 6);
		msgpack_pack_int64(&pk, r->len_upper);
	}
	msgpack_pack_ext(&e->pk, sb.size, EXT_UNKNOWN_REFINED);
	msgpack_pack_ext_body(&e->pk, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void mp_encode(struct mp_enc *e, const struct value *v,
		      const struct type *t);

static void pack_dynamic(struct mp_enc *e, const struct value *v)
{
	char *tj = codec_type_to_json(e->a, v->type);

	msgpack_pack_array(&e->pk, 2);
	msgpack_pack_bin(&e->pk, strlen(tj));
	msgpack_pack_bin_body(&e->pk, tj, strlen(tj));
	mp_encode(e, v, v->type);
}

static void mp_encode(struct mp_enc *e, const struct value *v,
		      const struct type *t)
{
	size_t i;

	if (t->kind == TYPE_DYNAMIC && v->type->kind != TYPE_DYNAMIC) {
		pack_dynamic(e, v);
		return;
	}
	if (v->state == VALUE_UNKNOWN) {
		pack_unknown(e, v);
		return;
	}
	if (v->state == VALUE_NULL) {
		msgpack_pack_nil(&e->pk);
		return;
	}
	switch (t->kind) {
	case TYPE_BOOL:
		if (v->u.b)
			msgpack_pack_true(&e->pk);
		else
			msgpack_pack_false(&e->pk);
		return;
	case TYPE_NUMBER:
		pack_number(&e->pk, &v->u.num);
		return;
	case TYPE_STRING:
		pack_str(&e->pk, v->u.str.ptr, v->u.str.len);
		return;
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_TUPLE:
		msgpack_pack_array(&e->pk, v->u.coll.n);
		for (i = 0; i < v->u.coll.n; i++)
			mp_encode(e, v->u.coll.items[i],
				  t->kind == TYPE_TUPLE ? t->types[i] : t->elem);
		return;
	case TYPE_MAP:
	case TYPE_OBJECT:
		msgpack_pack_map(&e->pk, v->u.coll.n);
		for (i = 0; i < v->u.coll.n; i++) {
			const char *k = t->kind == TYPE_MAP ? v->u.coll.keys[i]
							    : t->names[i];

			pack_str(&e->pk, k, strlen(k));
			mp_encode(e, v->u.coll.items[i],
				  t->kind == TYPE_MAP ? t->elem : t->types[i]);
		}
		return;
	case TYPE_DYNAMIC:
		/* a known value always has a concrete type (handled above) */
		e->err = -1;
		return;
	}
}

int codec_msgpack_encode(struct arena *a, const struct type *t,
			 const struct value *v, void **buf, size_t *len,
			 struct diags *d)
{
	struct mp_enc e = { .a = a, .d = d };
	msgpack_sbuffer sb;

	*buf = NULL;
	*len = 0;
	if (!value_conforms(v, t)) {
		if (d)
			diag_error(d, NULL, "Cannot encode value",
				   "the value does not conform to %s",
				   type_friendly_name(a, t));
		return -1;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&e.pk, &sb, msgpack_sbuffer_write);
	mp_encode(&e, v, t);
	if (e.err == 0) {
		*buf = arena_memdup(a, sb.data ? sb.data : "", sb.size);
		*len = sb.size;
	} else if (d) {
		diag_error(d, NULL, "Cannot encode value",
			   "the value has no concrete type");
	}
	msgpack_sbuffer_destroy(&sb);
	return e.err;
}
