/*
 * value.c - cty types and values (see value.h).
 *
 * Implements go-cty's value model: constructors, RawEquals-style equality,
 * conformance, set canonicalisation and the GoString debug rendering.
 * Numbers keep go-cty's three wire forms (int64, exact float64, decimal
 * text); comparisons between them are exact, done on normalised decimal
 * digit strings (a double's exact decimal expansion comes from glibc's
 * printf, which is exact).
 *
 * Deviations from go-cty, on purpose:
 *  - strings are not NFC-normalised (no Unicode tables here);
 *  - set order follows cty's setRules.Less (known, then unknown, then null;
 *    primitives by value, other types by their set-hash bytes), but Go's
 *    %q printability of non-ASCII runes is approximated in those bytes.
 *    Terraform gives set order no meaning anyway.
 *  - numbers beyond about 150 significant digits keep every digit; go-cty
 *    rounds them to 512 bits.
 */
#include "value.h"

#include "core/arena.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct type type_bool = { .kind = TYPE_BOOL };
const struct type type_number = { .kind = TYPE_NUMBER };
const struct type type_string = { .kind = TYPE_STRING };
const struct type type_dynamic = { .kind = TYPE_DYNAMIC };

/* ---- types ---- */

static const struct type *type_coll(struct arena *a, enum type_kind k,
				    const struct type *elem)
{
	struct type *t = arena_alloc(a, sizeof(*t));

	t->kind = k;
	t->elem = elem;
	return t;
}

const struct type *type_list(struct arena *a, const struct type *elem)
{
	return type_coll(a, TYPE_LIST, elem);
}

const struct type *type_set(struct arena *a, const struct type *elem)
{
	return type_coll(a, TYPE_SET, elem);
}

const struct type *type_map(struct arena *a, const struct type *elem)
{
	return type_coll(a, TYPE_MAP, elem);
}

struct attr_sort {
	const char *name;
	const struct type *type;
	bool optional;
};

static int attr_sort_cmp(const void *x, const void *y)
{
	const struct attr_sort *p = x, *q = y;

	return strcmp(p->name, q->name);
}

const struct type *type_object(struct arena *a, size_t n,
			       const char *const *names,
			       const struct type *const *types,
			       const bool *optional)
{
	struct attr_sort *tmp = arena_calloc(a, n ? n : 1, sizeof(*tmp));
	const char **nm = arena_calloc(a, n ? n : 1, sizeof(*nm));
	const struct type **ty = arena_calloc(a, n ? n : 1, sizeof(*ty));
	bool *opt = NULL;
	struct type *t;
	size_t i;

	for (i = 0; i < n; i++) {
		tmp[i].name = names[i];
		tmp[i].type = types[i];
		tmp[i].optional = optional ? optional[i] : false;
		if (tmp[i].optional && !opt)
			opt = arena_calloc(a, n, sizeof(*opt));
	}
	if (n > 1)
		qsort(tmp, n, sizeof(*tmp), attr_sort_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(tmp[i - 1].name, tmp[i].name) == 0)
			return NULL;
		nm[i] = arena_strdup(a, tmp[i].name);
		ty[i] = tmp[i].type;
		if (opt)
			opt[i] = tmp[i].optional;
	}
	t = arena_alloc(a, sizeof(*t));
	t->kind = TYPE_OBJECT;
	t->n = n;
	t->names = nm;
	t->types = ty;
	t->optional = opt;
	return t;
}

const struct type *type_tuple(struct arena *a, size_t n,
			      const struct type *const *types)
{
	const struct type **ty = arena_calloc(a, n ? n : 1, sizeof(*ty));
	struct type *t;

	if (n)
		memcpy(ty, types, n * sizeof(*ty));
	t = arena_alloc(a, sizeof(*t));
	t->kind = TYPE_TUPLE;
	t->n = n;
	t->types = ty;
	return t;
}

static bool type_attr_optional(const struct type *t, size_t i)
{
	return t->optional && t->optional[i];
}

bool type_equal(const struct type *x, const struct type *y)
{
	size_t i;

	if (x == y)
		return true;
	if (!x || !y || x->kind != y->kind)
		return false;
	switch (x->kind) {
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_MAP:
		return type_equal(x->elem, y->elem);
	case TYPE_OBJECT:
		if (x->n != y->n)
			return false;
		for (i = 0; i < x->n; i++) {
			if (strcmp(x->names[i], y->names[i]) != 0 ||
			    type_attr_optional(x, i) != type_attr_optional(y, i) ||
			    !type_equal(x->types[i], y->types[i]))
				return false;
		}
		return true;
	case TYPE_TUPLE:
		if (x->n != y->n)
			return false;
		for (i = 0; i < x->n; i++)
			if (!type_equal(x->types[i], y->types[i]))
				return false;
		return true;
	default:
		return true;
	}
}

bool type_conforms(const struct type *t, const struct type *constraint)
{
	size_t i;

	if (constraint->kind == TYPE_DYNAMIC)
		return true;
	if (t->kind != constraint->kind)
		return false;
	switch (t->kind) {
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_MAP:
		return type_conforms(t->elem, constraint->elem);
	case TYPE_OBJECT:
		if (t->n != constraint->n)
			return false;
		for (i = 0; i < t->n; i++)
			if (strcmp(t->names[i], constraint->names[i]) != 0 ||
			    !type_conforms(t->types[i], constraint->types[i]))
				return false;
		return true;
	case TYPE_TUPLE:
		if (t->n != constraint->n)
			return false;
		for (i = 0; i < t->n; i++)
			if (!type_conforms(t->types[i], constraint->types[i]))
				return false;
		return true;
	default:
		return true;
	}
}

bool type_has_dynamic(const struct type *t)
{
	size_t i;

	switch (t->kind) {
	case TYPE_DYNAMIC:
		return true;
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_MAP:
		return type_has_dynamic(t->elem);
	case TYPE_OBJECT:
	case TYPE_TUPLE:
		for (i = 0; i < t->n; i++)
			if (type_has_dynamic(t->types[i]))
				return true;
		return false;
	default:
		return false;
	}
}

int type_attr_index(const struct type *object, const char *name)
{
	size_t lo = 0, hi;

	if (!object || object->kind != TYPE_OBJECT)
		return -1;
	hi = object->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(object->names[mid], name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const char *type_friendly_name(struct arena *a, const struct type *t)
{
	switch (t->kind) {
	case TYPE_BOOL:
		return "bool";
	case TYPE_NUMBER:
		return "number";
	case TYPE_STRING:
		return "string";
	case TYPE_LIST:
		return arena_sprintf(a, "list of %s",
				     type_friendly_name(a, t->elem));
	case TYPE_SET:
		return arena_sprintf(a, "set of %s",
				     type_friendly_name(a, t->elem));
	case TYPE_MAP:
		return arena_sprintf(a, "map of %s",
				     type_friendly_name(a, t->elem));
	case TYPE_OBJECT:
		return "object";
	case TYPE_TUPLE:
		return "tuple";
	case TYPE_DYNAMIC:
		return "dynamic";
	}
	return "invalid";
}

/* ---- numbers ---- */

/* A decimal in normal form: value = (neg ? -1 : 1) * 0.D * 10^point, where
 * D has no leading or trailing zeros; zero has nd == 0. */
struct dec {
	bool neg;
	char *d;	/* heap, not NUL-terminated */
	size_t nd;
	int64_t point;
};

/* Largest decimal exponent accepted in number text; keeps the canonical
 * text (which has no exponent) bounded. */
#define NUMBER_MAX_EXP 4096
#define NUMBER_MAX_DIGITS 4096

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses [+-]digits[.digits][(e|E)[+-]digits] (at least one mantissa digit)
 * into *out; the digits buffer is heap memory the caller frees. */
static int dec_parse(const char *s, size_t len, struct dec *out)
{
	size_t i = 0, start, nint = 0, nfrac = 0, j, k;
	const char *ip, *fp = NULL;
	int64_t exp = 0;
	bool eneg = false;
	char *d;

	memset(out, 0, sizeof(*out));
	if (!s || len == 0)
		return -1;
	if (s[i] == '-' || s[i] == '+')
		out->neg = s[i++] == '-';
	ip = s + i;
	start = i;
	while (i < len && is_digit(s[i]))
		i++;
	nint = i - start;
	if (i < len && s[i] == '.') {
		i++;
		fp = s + i;
		start = i;
		while (i < len && is_digit(s[i]))
			i++;
		nfrac = i - start;
	}
	if (nint + nfrac == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		if (i >= len || !is_digit(s[i]))
			return -1;
		while (i < len && is_digit(s[i])) {
			if (exp > NUMBER_MAX_EXP)
				return -1;
			exp = exp * 10 + (s[i++] - '0');
		}
		if (exp > NUMBER_MAX_EXP)
			return -1;
		if (eneg)
			exp = -exp;
	}
	if (i != len)
		return -1;
	if (nint + nfrac > NUMBER_MAX_DIGITS)
		return -1;
	d = xmalloc(nint + nfrac + 1);
	memcpy(d, ip, nint);
	if (nfrac)
		memcpy(d + nint, fp, nfrac);
	/* strip leading zeros */
	for (j = 0; j < nint + nfrac && d[j] == '0'; j++)
		;
	out->point = (int64_t)nint - (int64_t)j + exp;
	for (k = nint + nfrac; k > j && d[k - 1] == '0'; k--)
		;
	memmove(d, d + j, k - j);
	out->nd = k - j;
	out->d = d;
	if (out->nd == 0) {
		out->neg = false;
		out->point = 0;
	}
	return 0;
}

/* Plain positional text ('f' format, no exponent) of a normal decimal. */
static char *dec_text(struct arena *a, const struct dec *x)
{
	size_t cap, n = 0;
	int64_t i;
	char *s;

	if (x->nd == 0)
		return arena_strdup(a, "0");
	cap = x->nd + 4 + (size_t)llabs(x->point);
	s = arena_alloc(a, cap);
	if (x->neg)
		s[n++] = '-';
	if (x->point <= 0) {
		s[n++] = '0';
		s[n++] = '.';
		for (i = 0; i < -x->point; i++)
			s[n++] = '0';
		memcpy(s + n, x->d, x->nd);
		n += x->nd;
	} else if ((size_t)x->point >= x->nd) {
		memcpy(s + n, x->d, x->nd);
		n += x->nd;
		for (i = (int64_t)x->nd; i < x->point; i++)
			s[n++] = '0';
	} else {
		memcpy(s + n, x->d, (size_t)x->point);
		n += (size_t)x->point;
		s[n++] = '.';
		memcpy(s + n, x->d + x->point, x->nd - (size_t)x->point);
		n += x->nd - (size_t)x->point;
	}
	s[n] = '\0';
	return s;
}

/* Exact decimal of a finite number in any form, as a normal decimal. */
static void number_dec(const struct number *n, struct dec *out)
{
	char buf[1600];
	int r;

	switch (n->kind) {
	case NUMBER_INT:
		r = snprintf(buf, sizeof(buf), "%" PRId64, n->i);
		break;
	case NUMBER_FLOAT:
		r = snprintf(buf, sizeof(buf), "%.1100f", n->f);
		break;
	default:
		r = dec_parse(n->text, strlen(n->text), out);
		assert(r == 0);
		return;
	}
	assert(r > 0 && (size_t)r < sizeof(buf));
	r = dec_parse(buf, (size_t)r, out);
	assert(r == 0);
}

static bool dec_equal(const struct dec *x, const struct dec *y)
{
	return x->neg == y->neg && x->nd == y->nd && x->point == y->point &&
	       memcmp(x->d, y->d, x->nd) == 0;
}

/* Classifies an exact decimal into go-cty's wire forms. */
static void number_from_dec(struct arena *a, const struct dec *x,
			    struct number *out)
{
	char *text = dec_text(a, x);
	struct dec back;
	long long ll;
	double f;

	memset(out, 0, sizeof(*out));
	if (x->nd == 0) {
		out->kind = NUMBER_INT;
		return;
	}
	if (x->point >= (int64_t)x->nd && x->point <= 19) {
		errno = 0;
		ll = strtoll(text, NULL, 10);
		if (errno == 0) {
			out->kind = NUMBER_INT;
			out->i = ll;
			return;
		}
	}
	f = strtod(text, NULL);
	if (isfinite(f) && f != 0) {
		struct number fn = { .kind = NUMBER_FLOAT, .f = f };
		bool same;

		number_dec(&fn, &back);
		same = dec_equal(&back, x);
		free(back.d);
		if (same) {
			out->kind = NUMBER_FLOAT;
			out->f = f;
			return;
		}
	}
	out->kind = NUMBER_BIG;
	out->text = text;
}

int number_parse(struct arena *a, const char *s, size_t len,
		 struct number *out)
{
	struct dec x;

	if (dec_parse(s, len, &x) < 0)
		return -1;
	number_from_dec(a, &x, out);
	free(x.d);
	return 0;
}

/* Brings any number into canonical form: integral floats within int64
 * become ints, big texts are re-classified.  NaN is the caller's bug. */
static struct number number_canon(struct arena *a, struct number n)
{
	struct dec x;

	if (n.kind == NUMBER_INT)
		return n;
	if (n.kind == NUMBER_FLOAT) {
		if (!isfinite(n.f))
			return n;
		if (n.f == 0)
			return (struct number){ .kind = NUMBER_INT };
		if (n.f >= -9223372036854775808.0 &&
		    n.f < 9223372036854775808.0 && n.f == floor(n.f)) {
			struct number r = { .kind = NUMBER_INT };

			r.i = (int64_t)n.f;
			return r;
		}
		return n;
	}
	if (!n.text || dec_parse(n.text, strlen(n.text), &x) < 0)
		return (struct number){ .kind = NUMBER_INT };
	number_from_dec(a, &x, &n);
	free(x.d);
	return n;
}

char *number_text(struct arena *a, const struct number *n)
{
	struct dec x;
	char *s;

	if (n->kind == NUMBER_FLOAT && !isfinite(n->f))
		return NULL;
	if (n->kind == NUMBER_INT)
		return arena_sprintf(a, "%" PRId64, n->i);
	number_dec(n, &x);
	s = dec_text(a, &x);
	free(x.d);
	return s;
}

static int dec_cmp(const struct dec *x, const struct dec *y)
{
	int sx = x->nd == 0 ? 0 : x->neg ? -1 : 1;
	int sy = y->nd == 0 ? 0 : y->neg ? -1 : 1;
	size_t m;
	int c;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (sx == 0)
		return 0;
	if (x->point != y->point)
		c = x->point < y->point ? -1 : 1;
	else {
		m = x->nd < y->nd ? x->nd : y->nd;
		c = memcmp(x->d, y->d, m);
		if (c == 0 && x->nd != y->nd)
			c = x->nd < y->nd ? -1 : 1;
		c = c < 0 ? -1 : c > 0 ? 1 : 0;
	}
	return sx < 0 ? -c : c;
}

int number_cmp(const struct number *x, const struct number *y)
{
	struct dec dx, dy;
	int c;

	if (x->kind == NUMBER_INT && y->kind == NUMBER_INT)
		return x->i < y->i ? -1 : x->i > y->i ? 1 : 0;
	if (x->kind == NUMBER_FLOAT && y->kind == NUMBER_FLOAT)
		return x->f < y->f ? -1 : x->f > y->f ? 1 : 0;
	if (x->kind == NUMBER_FLOAT && isinf(x->f))
		return x->f < 0 ? -1 : 1;
	if (y->kind == NUMBER_FLOAT && isinf(y->f))
		return y->f < 0 ? 1 : -1;
	number_dec(x, &dx);
	number_dec(y, &dy);
	c = dec_cmp(&dx, &dy);
	free(dx.d);
	free(dy.d);
	return c;
}

/* ---- constructors ---- */

static struct value *value_new(struct arena *a, const struct type *t,
			       enum value_state st)
{
	struct value *v = arena_alloc(a, sizeof(*v));

	v->type = t;
	v->state = st;
	return v;
}

const struct value *value_null(struct arena *a, const struct type *t)
{
	return value_new(a, t, VALUE_NULL);
}

const struct value *value_unknown(struct arena *a, const struct type *t)
{
	return value_new(a, t, VALUE_UNKNOWN);
}

const struct value *value_unknown_refined(struct arena *a,
					  const struct type *t,
					  const struct refinements *r)
{
	struct value *v = value_new(a, t, VALUE_UNKNOWN);

	if (r) {
		struct refinements *c = arena_alloc(a, sizeof(*c));

		*c = *r;
		c->string_prefix = arena_strdup(a, r->string_prefix);
		if (c->has_lower)
			c->lower = number_canon(a, c->lower);
		if (c->has_upper)
			c->upper = number_canon(a, c->upper);
		v->refine = c;
	}
	return v;
}

const struct value *value_bool(struct arena *a, bool b)
{
	struct value *v = value_new(a, &type_bool, VALUE_KNOWN);

	v->u.b = b;
	return v;
}

const struct value *value_int(struct arena *a, int64_t i)
{
	struct value *v = value_new(a, &type_number, VALUE_KNOWN);

	v->u.num.kind = NUMBER_INT;
	v->u.num.i = i;
	return v;
}

const struct value *value_number(struct arena *a, struct number n)
{
	struct value *v = value_new(a, &type_number, VALUE_KNOWN);

	v->u.num = number_canon(a, n);
	return v;
}

const struct value *value_stringn(struct arena *a, const char *s, size_t len)
{
	struct value *v = value_new(a, &type_string, VALUE_KNOWN);

	/* msgpack-c hands out NULL for empty strings */
	v->u.str.ptr = len ? arena_strndup(a, s, len) : arena_strdup(a, "");
	v->u.str.len = len;
	return v;
}

const struct value *value_string(struct arena *a, const char *s)
{
	return value_stringn(a, s, strlen(s));
}

static const struct value **copy_items(struct arena *a, size_t n,
				       const struct value *const *items)
{
	const struct value **out = arena_calloc(a, n ? n : 1, sizeof(*out));

	if (n)
		memcpy(out, items, n * sizeof(*out));
	return out;
}

/* A collection of dynamic element type takes its real element type from
 * its elements (cty collections are homogeneous). */
static const struct type *coll_elem(const struct type *elem, size_t n,
				    const struct value *const *items)
{
	size_t i;

	if (elem->kind != TYPE_DYNAMIC)
		return elem;
	for (i = 0; i < n; i++)
		if (items[i]->type->kind != TYPE_DYNAMIC)
			return items[i]->type;
	return elem;
}

const struct value *value_list(struct arena *a, const struct type *elem,
			       size_t n, const struct value *const *items)
{
	struct value *v;

	elem = coll_elem(elem, n, items);
	v = value_new(a, type_list(a, elem), VALUE_KNOWN);
	v->u.coll.n = n;
	v->u.coll.items = copy_items(a, n, items);
	return v;
}

static char *set_hash(struct arena *a, const struct value *v, size_t *len);

/* go-cty's set order (setRules.Less): known values first, then unknowns,
 * then nulls; strings bytewise, numbers numerically, false before true;
 * values of other types by their set-hash bytes (makeSetHashBytes).  Ties
 * keep insertion order (the sort is made stable by index). */
struct set_sort {
	const struct value *v;
	size_t idx;
	const char *h;		/* set-hash bytes, complex types only */
	size_t hlen;
};

static int set_rank(const struct value *v)
{
	return v->state == VALUE_KNOWN ? 0 : v->state == VALUE_UNKNOWN ? 1 : 2;
}

static int set_order(const struct set_sort *x, const struct set_sort *y)
{
	const struct value *p = x->v, *q = y->v;
	size_t m;
	int c;

	if (set_rank(p) != set_rank(q))
		return set_rank(p) < set_rank(q) ? -1 : 1;
	if (p->state != VALUE_KNOWN || p->type->kind != q->type->kind)
		return 0;
	switch (p->type->kind) {
	case TYPE_BOOL:
		return (int)p->u.b - (int)q->u.b;
	case TYPE_NUMBER:
		return number_cmp(&p->u.num, &q->u.num);
	case TYPE_STRING:
		m = p->u.str.len < q->u.str.len ? p->u.str.len : q->u.str.len;
		c = m ? memcmp(p->u.str.ptr, q->u.str.ptr, m) : 0;
		if (c == 0 && p->u.str.len != q->u.str.len)
			c = p->u.str.len < q->u.str.len ? -1 : 1;
		return c < 0 ? -1 : c > 0;
	default:
		m = x->hlen < y->hlen ? x->hlen : y->hlen;
		c = memcmp(x->h, y->h, m);
		if (c == 0 && x->hlen != y->hlen)
			c = x->hlen < y->hlen ? -1 : 1;
		return c < 0 ? -1 : c > 0;
	}
}

static int set_sort_cmp(const void *p, const void *q)
{
	const struct set_sort *x = p, *y = q;
	int c = set_order(x, y);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx ? 1 : 0;
}

const struct value *value_set(struct arena *a, const struct type *elem,
			      size_t n, const struct value *const *items)
{
	struct set_sort *tmp = arena_calloc(a, n ? n : 1, sizeof(*tmp));
	struct set_sort *kept = arena_calloc(a, n ? n : 1, sizeof(*kept));
	const struct value **out = arena_calloc(a, n ? n : 1, sizeof(*out));
	struct value *v;
	size_t i, k, m = 0;

	elem = coll_elem(elem, n, items);
	for (i = 0; i < n; i++) {
		tmp[i].v = items[i];
		tmp[i].idx = i;
		tmp[i].h = set_hash(a, items[i], &tmp[i].hlen);
	}
	if (n > 1)
		qsort(tmp, n, sizeof(*tmp), set_sort_cmp);
	for (i = 0; i < n; i++) {
		bool dup = false;

		/* cty: values containing unknowns are never equivalent. */
		if (!value_has_unknown(tmp[i].v)) {
			for (k = m; k > 0; k--) {
				if (set_order(&kept[k - 1], &tmp[i]) != 0)
					break;
				if (value_equal(kept[k - 1].v, tmp[i].v)) {
					dup = true;
					break;
				}
			}
		}
		if (!dup) {
			kept[m] = tmp[i];
			out[m++] = tmp[i].v;
		}
	}
	v = value_new(a, type_set(a, elem), VALUE_KNOWN);
	v->u.coll.n = m;
	v->u.coll.items = out;
	return v;
}

const struct value *value_tuple(struct arena *a, const struct type *t,
				size_t n, const struct value *const *items)
{
	struct value *v;
	size_t i;

	if (!t) {
		const struct type **ty = arena_calloc(a, n ? n : 1,
						      sizeof(*ty));

		for (i = 0; i < n; i++)
			ty[i] = items[i]->type;
		t = type_tuple(a, n, ty);
	}
	assert(t->kind == TYPE_TUPLE && t->n == n);
	v = value_new(a, t, VALUE_KNOWN);
	v->u.coll.n = n;
	v->u.coll.items = copy_items(a, n, items);
	return v;
}

struct map_sort {
	const char *key;
	const struct value *v;
};

static int map_sort_cmp(const void *p, const void *q)
{
	const struct map_sort *x = p, *y = q;

	return strcmp(x->key, y->key);
}

const struct value *value_map(struct arena *a, const struct type *elem,
			      size_t n, const char *const *keys,
			      const struct value *const *items)
{
	struct map_sort *tmp = arena_calloc(a, n ? n : 1, sizeof(*tmp));
	const struct value **vals = arena_calloc(a, n ? n : 1, sizeof(*vals));
	const char **ks = arena_calloc(a, n ? n : 1, sizeof(*ks));
	struct value *v;
	size_t i;

	elem = coll_elem(elem, n, items);
	for (i = 0; i < n; i++) {
		tmp[i].key = keys[i];
		tmp[i].v = items[i];
	}
	if (n > 1)
		qsort(tmp, n, sizeof(*tmp), map_sort_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(tmp[i - 1].key, tmp[i].key) == 0)
			return NULL;
		ks[i] = arena_strdup(a, tmp[i].key);
		vals[i] = tmp[i].v;
	}
	v = value_new(a, type_map(a, elem), VALUE_KNOWN);
	v->u.coll.n = n;
	v->u.coll.items = vals;
	v->u.coll.keys = ks;
	return v;
}

const struct value *value_object(struct arena *a, const struct type *t,
				 const struct value *const *items)
{
	struct value *v;

	assert(t->kind == TYPE_OBJECT);
	v = value_new(a, t, VALUE_KNOWN);
	v->u.coll.n = t->n;
	v->u.coll.items = copy_items(a, t->n, items);
	return v;
}

const struct value *value_with_attr(struct arena *a, const struct value *v,
				    const char *name,
				    const struct value *item)
{
	int i = type_attr_index(v->type, name);
	const struct value **items;
	struct value *out;

	if (i < 0 || v->state != VALUE_KNOWN)
		return NULL;
	items = copy_items(a, v->u.coll.n, v->u.coll.items);
	items[i] = item;
	out = value_new(a, v->type, VALUE_KNOWN);
	out->u.coll.n = v->u.coll.n;
	out->u.coll.items = items;
	return out;
}

/* ---- readers ---- */

const struct value *value_attr(const struct value *v, const char *name)
{
	int i;

	if (!v || v->state != VALUE_KNOWN || v->type->kind != TYPE_OBJECT)
		return NULL;
	i = type_attr_index(v->type, name);
	return i < 0 ? NULL : v->u.coll.items[i];
}

const struct value *value_map_get(const struct value *v, const char *key)
{
	size_t lo = 0, hi;

	if (!v || v->state != VALUE_KNOWN || v->type->kind != TYPE_MAP)
		return NULL;
	hi = v->u.coll.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->u.coll.keys[mid], key);

		if (c == 0)
			return v->u.coll.items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool value_get_string(const struct value *v, const char **out)
{
	if (!v || v->state != VALUE_KNOWN || v->type->kind != TYPE_STRING)
		return false;
	*out = v->u.str.ptr;
	return true;
}

bool value_get_int(const struct value *v, int64_t *out)
{
	if (!v || v->state != VALUE_KNOWN || v->type->kind != TYPE_NUMBER ||
	    v->u.num.kind != NUMBER_INT)
		return false;
	*out = v->u.num.i;
	return true;
}

bool value_get_bool(const struct value *v, bool *out)
{
	if (!v || v->state != VALUE_KNOWN || v->type->kind != TYPE_BOOL)
		return false;
	*out = v->u.b;
	return true;
}

/* ---- predicates ---- */

/* Sets whose canonical orders differ only among tied elements (unknowns,
 * or values with equal set-hash bytes) are still equal: match every
 * element of x with a distinct equal element of y. */
static bool set_equal_unordered(const struct value *x, const struct value *y)
{
	size_t n = x->u.coll.n, i, k;
	bool *used, ok = true;

	used = xcalloc(n ? n : 1, sizeof(*used));
	for (i = 0; i < n && ok; i++) {
		for (k = 0; k < n; k++) {
			if (!used[k] && value_equal(x->u.coll.items[i],
						    y->u.coll.items[k])) {
				used[k] = true;
				break;
			}
		}
		ok = k < n;
	}
	free(used);
	return ok;
}

bool value_equal(const struct value *x, const struct value *y)
{
	size_t i;

	if (x == y)
		return true;
	if (!type_equal(x->type, y->type) || x->state != y->state)
		return false;
	if (x->state != VALUE_KNOWN)
		return true;
	switch (x->type->kind) {
	case TYPE_BOOL:
		return x->u.b == y->u.b;
	case TYPE_NUMBER:
		return number_cmp(&x->u.num, &y->u.num) == 0;
	case TYPE_STRING:
		return x->u.str.len == y->u.str.len &&
		       memcmp(x->u.str.ptr, y->u.str.ptr, x->u.str.len) == 0;
	case TYPE_DYNAMIC:
		return true;
	default:
		break;
	}
	if (x->u.coll.n != y->u.coll.n)
		return false;
	for (i = 0; i < x->u.coll.n; i++) {
		if (x->type->kind == TYPE_MAP &&
		    strcmp(x->u.coll.keys[i], y->u.coll.keys[i]) != 0)
			return false;
		if (!value_equal(x->u.coll.items[i], y->u.coll.items[i]))
			return x->type->kind == TYPE_SET && set_equal_unordered(x, y);
	}
	return true;
}

static bool value_is_coll(const struct value *v)
{
	switch (v->type->kind) {
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_MAP:
	case TYPE_OBJECT:
	case TYPE_TUPLE:
		return true;
	default:
		return false;
	}
}

bool value_has_unknown(const struct value *v)
{
	size_t i;

	if (v->state == VALUE_UNKNOWN)
		return true;
	if (v->state == VALUE_NULL || !value_is_coll(v))
		return false;
	for (i = 0; i < v->u.coll.n; i++)
		if (value_has_unknown(v->u.coll.items[i]))
			return true;
	return false;
}

static bool conforms_items(const struct value *v, const struct type *t)
{
	size_t i;

	for (i = 0; i < v->u.coll.n; i++) {
		const struct value *it = v->u.coll.items[i];
		const struct type *et;

		if (!it)
			return false;
		/* go-cty lets a null or unknown of dynamic type stand in a
		 * collection of any element type */
		if (it->type->kind == TYPE_DYNAMIC && it->state != VALUE_KNOWN &&
		    (t->kind == TYPE_LIST || t->kind == TYPE_SET ||
		     t->kind == TYPE_MAP))
			continue;
		if (t->kind == TYPE_OBJECT || t->kind == TYPE_TUPLE)
			et = t->types[i];
		else
			et = t->elem;
		if (!value_conforms(it, et))
			return false;
		/* collections are homogeneous: every element has the
		 * collection value's own element type, except that (as in
		 * go-cty) a null or unknown of dynamic type may sit anywhere */
		if ((t->kind == TYPE_LIST || t->kind == TYPE_SET ||
		     t->kind == TYPE_MAP) &&
		    v->type->elem->kind != TYPE_DYNAMIC &&
		    it->type->kind != TYPE_DYNAMIC &&
		    !type_equal(it->type, v->type->elem))
			return false;
		if (t->kind == TYPE_MAP && i > 0 &&
		    strcmp(v->u.coll.keys[i - 1], v->u.coll.keys[i]) >= 0)
			return false;
	}
	return true;
}

bool value_conforms(const struct value *v, const struct type *t)
{
	if (!v || !v->type)
		return false;
	/* a null or unknown of dynamic type converts to any type (go-cty's
	 * Marshal converts such values rather than failing) */
	if (v->type->kind == TYPE_DYNAMIC && v->state != VALUE_KNOWN)
		return true;
	if (t->kind == TYPE_DYNAMIC) {
		if (v->type->kind == TYPE_DYNAMIC)
			return v->state != VALUE_KNOWN;
		return value_conforms(v, v->type);
	}
	if (!type_conforms(v->type, t))
		return false;
	if (v->state != VALUE_KNOWN)
		return true;
	switch (t->kind) {
	case TYPE_BOOL:
	case TYPE_STRING:
		return true;
	case TYPE_NUMBER:
		return v->u.num.kind != NUMBER_FLOAT || !isnan(v->u.num.f);
	case TYPE_OBJECT:
	case TYPE_TUPLE:
		if (v->u.coll.n != t->n)
			return false;
		return conforms_items(v, v->type);
	default:
		return conforms_items(v, v->type);
	}
}

/* ---- GoString ---- */

struct sbuf {
	struct arena *a;
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = arena_alloc(b->a, cap);
		if (b->len)
			memcpy(p, b->p, b->len);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
						       : sizeof(tmp) - 1);
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid; *cp gets
 * the code point. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Go's strconv.Quote, with Unicode printability approximated: every
 * non-ASCII code point is printable except C1 controls, NBSP, soft hyphen,
 * the line/paragraph separators and the BOM. */
static void sb_quote(struct sbuf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	sb_puts(b, "\"");
	while (i < len) {
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			sb_printf(b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		switch (cp) {
		case '"': sb_puts(b, "\\\""); break;
		case '\\': sb_puts(b, "\\\\"); break;
		case '\a': sb_puts(b, "\\a"); break;
		case '\b': sb_puts(b, "\\b"); break;
		case '\f': sb_puts(b, "\\f"); break;
		case '\n': sb_puts(b, "\\n"); break;
		case '\r': sb_puts(b, "\\r"); break;
		case '\t': sb_puts(b, "\\t"); break;
		case '\v': sb_puts(b, "\\v"); break;
		default:
			if (cp < 0x20 || cp == 0x7f)
				sb_printf(b, "\\x%02x", (unsigned)cp);
			else if ((cp >= 0x80 && cp <= 0xa0) || cp == 0xad ||
				 cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
				sb_printf(b, "\\u%04x", (unsigned)cp);
			else
				sb_put(b, s + i, n);
		}
		i += n;
	}
	sb_puts(b, "\"");
}

static void sb_type(struct sbuf *b, const struct type *t)
{
	size_t i;
	bool any_opt = false;

	switch (t->kind) {
	case TYPE_BOOL: sb_puts(b, "cty.Bool"); return;
	case TYPE_NUMBER: sb_puts(b, "cty.Number"); return;
	case TYPE_STRING: sb_puts(b, "cty.String"); return;
	case TYPE_DYNAMIC: sb_puts(b, "cty.DynamicPseudoType"); return;
	case TYPE_LIST: sb_puts(b, "cty.List("); break;
	case TYPE_SET: sb_puts(b, "cty.Set("); break;
	case TYPE_MAP: sb_puts(b, "cty.Map("); break;
	case TYPE_TUPLE:
		if (t->n == 0) {
			sb_puts(b, "cty.EmptyTuple");
			return;
		}
		sb_puts(b, "cty.Tuple([]cty.Type{");
		for (i = 0; i < t->n; i++) {
			if (i)
				sb_puts(b, ", ");
			sb_type(b, t->types[i]);
		}
		sb_puts(b, "})");
		return;
	case TYPE_OBJECT:
		for (i = 0; i < t->n; i++)
			any_opt |= type_attr_optional(t, i);
		if (t->n == 0) {
			sb_puts(b, "cty.EmptyObject");
			return;
		}
		sb_puts(b, any_opt ? "cty.ObjectWithOptionalAttrs("
				   : "cty.Object(");
		sb_puts(b, "map[string]cty.Type{");
		for (i = 0; i < t->n; i++) {
			if (i)
				sb_puts(b, ", ");
			sb_quote(b, t->names[i], strlen(t->names[i]));
			sb_puts(b, ":");
			sb_type(b, t->types[i]);
		}
		sb_puts(b, "}");
		if (any_opt) {
			bool first = true;

			sb_puts(b, ", []string{");
			for (i = 0; i < t->n; i++) {
				if (!type_attr_optional(t, i))
					continue;
				if (!first)
					sb_puts(b, ", ");
				first = false;
				sb_quote(b, t->names[i], strlen(t->names[i]));
			}
			sb_puts(b, "}");
		}
		sb_puts(b, ")");
		return;
	}
	sb_type(b, t->elem);
	sb_puts(b, ")");
}

/* Go's %v of a float64 or *big.Float: shortest digits in 'g' form, which
 * switches to %e when the exponent is < -4 or >= 6 (Go's eprec for the
 * shortest precision), e.g. 1e+06. */
static void sb_go_float(struct sbuf *b, const char *digits, size_t nd,
			int64_t point, bool neg)
{
	int64_t exp = point - 1, i;

	if (neg)
		sb_puts(b, "-");
	if (nd == 0) {
		sb_puts(b, "0");
		return;
	}
	if (exp < -4 || exp >= 6) {
		sb_put(b, digits, 1);
		if (nd > 1) {
			sb_puts(b, ".");
			sb_put(b, digits + 1, nd - 1);
		}
		sb_printf(b, "e%c%02" PRId64, exp < 0 ? '-' : '+',
			  exp < 0 ? -exp : exp);
		return;
	}
	if (point <= 0) {
		sb_puts(b, "0.");
		for (i = 0; i < -point; i++)
			sb_puts(b, "0");
		sb_put(b, digits, nd);
	} else if ((size_t)point >= nd) {
		sb_put(b, digits, nd);
		for (i = (int64_t)nd; i < point; i++)
			sb_puts(b, "0");
	} else {
		sb_put(b, digits, (size_t)point);
		sb_puts(b, ".");
		sb_put(b, digits + point, nd - (size_t)point);
	}
}

static void sb_number(struct sbuf *b, const struct number *n)
{
	char buf[64];
	struct dec x;
	int prec;

	if (n->kind == NUMBER_INT) {
		sb_printf(b, "cty.NumberIntVal(%" PRId64 ")", n->i);
		return;
	}
	if (n->kind == NUMBER_FLOAT && isinf(n->f)) {
		sb_puts(b, n->f > 0 ? "cty.PositiveInfinity"
				    : "cty.NegativeInfinity");
		return;
	}
	if (n->kind == NUMBER_BIG) {
		number_dec(n, &x);
		if (x.point >= (int64_t)x.nd) {
			sb_puts(b, "cty.NumberIntVal(");
			sb_go_float(b, x.d, x.nd, x.point, x.neg);
			sb_puts(b, ")");
			free(x.d);
			return;
		}
		free(x.d);
		sb_puts(b, "cty.MustParseNumberVal(");
		sb_quote(b, n->text, strlen(n->text));
		sb_puts(b, ")");
		return;
	}
	/* shortest representation that round-trips */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, n->f);
		if (strtod(buf, NULL) == n->f)
			break;
	}
	/* buf is d.ddde[+-]xx: turn it into a normal decimal */
	{
		char m[32];
		size_t k = 0, j;
		long e;
		char *ep = strchr(buf, 'e');

		for (j = (buf[0] == '-'); buf + j < ep; j++)
			if (is_digit(buf[j]))
				m[k++] = buf[j];
		e = strtol(ep + 1, NULL, 10);
		while (k > 1 && m[k - 1] == '0')
			k--;
		x.d = m;
		x.nd = k;
		x.point = e + 1;
		x.neg = buf[0] == '-';
		sb_puts(b, floor(n->f) == n->f ? "cty.NumberIntVal("
					       : "cty.NumberFloatVal(");
		sb_go_float(b, x.d, x.nd, x.point, x.neg);
		sb_puts(b, ")");
	}
}

static void sb_value(struct sbuf *b, const struct value *v);

static void sb_items(struct sbuf *b, const struct value *v)
{
	size_t i;

	for (i = 0; i < v->u.coll.n; i++) {
		if (i)
			sb_puts(b, ", ");
		if (v->type->kind == TYPE_MAP || v->type->kind == TYPE_OBJECT) {
			const char *k = v->type->kind == TYPE_MAP
						? v->u.coll.keys[i]
						: v->type->names[i];

			sb_quote(b, k, strlen(k));
			sb_puts(b, ":");
		}
		sb_value(b, v->u.coll.items[i]);
	}
}

static void sb_refine(struct sbuf *b, const struct value *v)
{
	const struct refinements *r = v->refine;
	struct sbuf tmp = { .a = b->a };

	if (!r)
		return;
	if (r->not_null)
		sb_puts(&tmp, ".NotNull()");
	if (r->string_prefix && *r->string_prefix) {
		sb_puts(&tmp, ".StringPrefixFull(");
		sb_quote(&tmp, r->string_prefix, strlen(r->string_prefix));
		sb_puts(&tmp, ")");
	}
	if (r->has_lower) {
		sb_puts(&tmp, ".NumberRangeLowerBound(");
		sb_number(&tmp, &r->lower);
		sb_puts(&tmp, r->lower_inclusive ? ", true)" : ", false)");
	}
	if (r->has_upper) {
		sb_puts(&tmp, ".NumberRangeUpperBound(");
		sb_number(&tmp, &r->upper);
		sb_puts(&tmp, r->upper_inclusive ? ", true)" : ", false)");
	}
	if (r->has_len_lower)
		sb_printf(&tmp, ".CollectionLengthLowerBound(%" PRId64 ")",
			  r->len_lower);
	if (r->has_len_upper)
		sb_printf(&tmp, ".CollectionLengthUpperBound(%" PRId64 ")",
			  r->len_upper);
	if (!tmp.len)
		return;
	if (strcmp(tmp.p, ".NotNull()") == 0) {
		sb_puts(b, ".RefineNotNull()");
		return;
	}
	sb_puts(b, ".Refine()");
	sb_puts(b, tmp.p);
	sb_puts(b, ".NewValue()");
}

static void sb_value(struct sbuf *b, const struct value *v)
{
	const char *ctor = NULL, *empty = NULL;

	if (v->state == VALUE_NULL) {
		sb_puts(b, "cty.NullVal(");
		sb_type(b, v->type);
		sb_puts(b, ")");
		return;
	}
	if (v->state == VALUE_UNKNOWN) {
		if (v->type->kind == TYPE_DYNAMIC) {
			sb_puts(b, "cty.DynamicVal");
			return;
		}
		sb_puts(b, "cty.UnknownVal(");
		sb_type(b, v->type);
		sb_puts(b, ")");
		sb_refine(b, v);
		return;
	}
	switch (v->type->kind) {
	case TYPE_BOOL:
		sb_puts(b, v->u.b ? "cty.True" : "cty.False");
		return;
	case TYPE_NUMBER:
		sb_number(b, &v->u.num);
		return;
	case TYPE_STRING:
		sb_puts(b, "cty.StringVal(");
		sb_quote(b, v->u.str.ptr, v->u.str.len);
		sb_puts(b, ")");
		return;
	case TYPE_LIST:
		ctor = "cty.ListVal([]cty.Value{";
		empty = "cty.ListValEmpty(";
		break;
	case TYPE_SET:
		ctor = "cty.SetVal([]cty.Value{";
		empty = "cty.SetValEmpty(";
		break;
	case TYPE_MAP:
		ctor = "cty.MapVal(map[string]cty.Value{";
		empty = "cty.MapValEmpty(";
		break;
	case TYPE_TUPLE:
		if (v->u.coll.n == 0) {
			sb_puts(b, "cty.EmptyTupleVal");
			return;
		}
		ctor = "cty.TupleVal([]cty.Value{";
		break;
	case TYPE_OBJECT:
		if (v->u.coll.n == 0) {
			sb_puts(b, "cty.EmptyObjectVal");
			return;
		}
		ctor = "cty.ObjectVal(map[string]cty.Value{";
		break;
	case TYPE_DYNAMIC:
		sb_puts(b, "cty.DynamicVal");
		return;
	}
	if (v->u.coll.n == 0 && empty) {
		sb_puts(b, empty);
		sb_type(b, v->type->elem);
		sb_puts(b, ")");
		return;
	}
	sb_puts(b, ctor);
	sb_items(b, v);
	sb_puts(b, "})");
}

char *value_gostring(struct arena *a, const struct value *v)
{
	struct sbuf b = { .a = a };

	sb_puts(&b, "");
	sb_value(&b, v);
	return b.p;
}

char *type_gostring(struct arena *a, const struct type *t)
{
	struct sbuf b = { .a = a };

	sb_puts(&b, "");
	sb_type(&b, t);
	return b.p;
}

/* ---- set hash bytes (go-cty appendSetHashBytes) ---- */

/* big.Float.String(): Text('g', 10) of the exact value. */
static void sb_number_g10(struct sbuf *b, const struct number *n)
{
	struct dec x;
	size_t L, k;
	int64_t e, i, frac;

	if (n->kind == NUMBER_FLOAT && isinf(n->f)) {
		sb_puts(b, n->f > 0 ? "+Inf" : "-Inf");
		return;
	}
	number_dec(n, &x);
	if (x.nd == 0) {
		free(x.d);
		sb_puts(b, "0");
		return;
	}
	if (x.nd > 10) {	/* round half to even on the exact digits */
		bool up = x.d[10] > '5' || (x.d[10] == '5' &&
			  (x.nd > 11 || ((x.d[9] - '0') & 1)));

		x.nd = 10;
		for (k = 10; up && k > 0; k--) {
			if (x.d[k - 1] == '9') {
				x.d[k - 1] = '0';
			} else {
				x.d[k - 1]++;
				up = false;
			}
		}
		if (up) {	/* 9999999999 -> 1000000000 */
			x.d[0] = '1';
			x.point++;
		}
		while (x.nd > 1 && x.d[x.nd - 1] == '0')
			x.nd--;
	}
	L = x.nd;
	e = x.point - 1;
	if (x.neg)
		sb_puts(b, "-");
	if (e < -4 || e >= 10) {
		sb_put(b, x.d, 1);
		if (L > 1) {
			sb_puts(b, ".");
			sb_put(b, x.d + 1, L - 1);
		}
		sb_printf(b, "e%c%02" PRId64, e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else {
		frac = (int64_t)L - x.point;
		if (x.point <= 0)
			sb_puts(b, "0");
		for (i = 0; i < x.point; i++)
			sb_put(b, i < (int64_t)L ? x.d + i : "0", 1);
		if (frac > 0)
			sb_puts(b, ".");
		for (i = 0; i < frac; i++) {
			int64_t pos = x.point + i;

			sb_put(b, pos >= 0 && pos < (int64_t)L ? x.d + pos : "0",
			       1);
		}
	}
	free(x.d);
}

static void sb_set_hash(struct sbuf *b, const struct value *v)
{
	size_t i;

	if (v->state == VALUE_UNKNOWN) {
		sb_puts(b, "?");
		return;
	}
	if (v->state == VALUE_NULL) {
		sb_puts(b, "~");
		return;
	}
	switch (v->type->kind) {
	case TYPE_NUMBER:
		sb_number_g10(b, &v->u.num);
		return;
	case TYPE_BOOL:
		sb_puts(b, v->u.b ? "T" : "F");
		return;
	case TYPE_STRING:
		sb_quote(b, v->u.str.ptr, v->u.str.len);
		return;
	case TYPE_DYNAMIC:
		return;
	case TYPE_MAP:
		sb_puts(b, "{");
		break;
	case TYPE_LIST:
	case TYPE_SET:
		sb_puts(b, "[");
		break;
	default:
		sb_puts(b, "<");
		break;
	}
	for (i = 0; i < v->u.coll.n; i++) {
		if (v->type->kind == TYPE_MAP) {
			sb_quote(b, v->u.coll.keys[i], strlen(v->u.coll.keys[i]));
			sb_puts(b, ":");
		}
		sb_set_hash(b, v->u.coll.items[i]);
		sb_puts(b, ";");
	}
	sb_puts(b, v->type->kind == TYPE_MAP ? "}"
		   : v->type->kind == TYPE_LIST || v->type->kind == TYPE_SET
		   ? "]" : ">");
}

/* Hash bytes of a known value of a collection or structural type (the
 * only ones ordered by them); NULL otherwise. */
static char *set_hash(struct arena *a, const struct value *v, size_t *len)
{
	struct sbuf b = { .a = a };

	*len = 0;
	if (v->state != VALUE_KNOWN)
		return NULL;
	switch (v->type->kind) {
	case TYPE_LIST:
	case TYPE_SET:
	case TYPE_MAP:
	case TYPE_OBJECT:
	case TYPE_TUPLE:
		break;
	default:
		return NULL;
	}
	sb_puts(&b, "");
	sb_set_hash(&b, v);
	*len = b.len;
	return b.p;
}
