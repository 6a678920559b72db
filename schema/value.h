/*
 * value.h - cty types and values: the provider's model of Terraform data.
 *
 * Mirrors go-cty (zclconf/go-cty): primitive types bool, number, string;
 * collections list, set, map; structural object and tuple; the dynamic
 * pseudo-type.  Every value is known, null, or unknown (possibly refined).
 *
 * Ownership: types and values are immutable and live in an arena (or are
 * static const).  Nothing here frees anything; functions that allocate take
 * the arena explicitly.  All functions are thread-safe on distinct arenas;
 * the static types are shared read-only.
 *
 * Invariants (checked by value_conforms, relied on everywhere):
 *  - v->type is the concrete type of the value; it is &type_dynamic only for
 *    a null or unknown value whose type is not known.
 *  - object attributes follow the type's attribute order (sorted bytewise);
 *  - map elements are sorted bytewise by key, keys unique;
 *  - set elements are unique (value_equal) and kept in a canonical order.
 */
#ifndef SCHEMA_VALUE_H
#define SCHEMA_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum type_kind {
	TYPE_BOOL,
	TYPE_NUMBER,
	TYPE_STRING,
	TYPE_LIST,
	TYPE_SET,
	TYPE_MAP,
	TYPE_OBJECT,
	TYPE_TUPLE,
	TYPE_DYNAMIC,
};

struct type {
	enum type_kind kind;
	const struct type *elem;		/* list, set, map */
	size_t n;				/* object attrs, tuple elems */
	const char *const *names;		/* object: sorted attr names */
	const struct type *const *types;	/* object attrs, tuple elems */
	const bool *optional;			/* object type constraint: which
						 * attrs are optional; NULL = none */
};

extern const struct type type_bool;
extern const struct type type_number;
extern const struct type type_string;
extern const struct type type_dynamic;

/* Static collection types for schema tables:
 *   static const struct type list_of_string = TYPE_LIST_OF(&type_string); */
#define TYPE_LIST_OF(e) { .kind = TYPE_LIST, .elem = (e) }
#define TYPE_SET_OF(e)  { .kind = TYPE_SET, .elem = (e) }
#define TYPE_MAP_OF(e)  { .kind = TYPE_MAP, .elem = (e) }

const struct type *type_list(struct arena *a, const struct type *elem);
const struct type *type_set(struct arena *a, const struct type *elem);
const struct type *type_map(struct arena *a, const struct type *elem);
/* names need not be sorted; they are copied and sorted with their types.
 * Returns NULL if a name repeats. optional may be NULL. */
const struct type *type_object(struct arena *a, size_t n,
			       const char *const *names,
			       const struct type *const *types,
			       const bool *optional);
const struct type *type_tuple(struct arena *a, size_t n,
			      const struct type *const *types);

bool type_equal(const struct type *x, const struct type *y);
/* (added) True if concrete type t satisfies constraint: dynamic anywhere in
 * the constraint accepts any type there; object attribute names must match
 * exactly (optional markers are ignored). */
bool type_conforms(const struct type *t, const struct type *constraint);
/* (added) True if t contains the dynamic pseudo-type anywhere. */
bool type_has_dynamic(const struct type *t);
/* (added) cty GoString of a type: cty.String, cty.List(cty.Number) ... */
char *type_gostring(struct arena *a, const struct type *t);
/* Index of an object attribute, or -1. */
int type_attr_index(const struct type *object, const char *name);
/* "string", "list of number", "object" ... for messages. */
const char *type_friendly_name(struct arena *a, const struct type *t);

enum value_state {
	VALUE_KNOWN,
	VALUE_NULL,
	VALUE_UNKNOWN,
};

/* Numbers keep go-cty's three wire forms exactly: an int64, a float64, or
 * (for values neither can hold exactly) the decimal text. */
enum number_kind {
	NUMBER_INT,
	NUMBER_FLOAT,
	NUMBER_BIG,
};

struct number {
	enum number_kind kind;
	int64_t i;
	double f;
	const char *text;	/* NUMBER_BIG: canonical decimal text */
};

/* Refinements of an unknown value (go-cty refinements); all optional. */
struct refinements {
	bool not_null;
	const char *string_prefix;		/* NULL = none */
	bool has_lower, lower_inclusive;
	struct number lower;
	bool has_upper, upper_inclusive;
	struct number upper;
	bool has_len_lower, has_len_upper;
	int64_t len_lower, len_upper;		/* collection length bounds */
};

struct value {
	const struct type *type;
	enum value_state state;
	const struct refinements *refine;	/* unknown only; may be NULL */
	union {
		bool b;
		struct number num;
		struct {
			const char *ptr;	/* UTF-8, NUL-terminated */
			size_t len;
		} str;
		struct {
			size_t n;
			const struct value *const *items;
			const char *const *keys;	/* map only */
		} coll;		/* list, set, tuple, map, object */
	} u;
};

/* Constructors.  All return arena memory and never fail (OOM aborts). */
const struct value *value_null(struct arena *a, const struct type *t);
const struct value *value_unknown(struct arena *a, const struct type *t);
/* (added) Unknown with refinements (copied; r may be NULL). */
const struct value *value_unknown_refined(struct arena *a,
					  const struct type *t,
					  const struct refinements *r);
const struct value *value_bool(struct arena *a, bool b);
const struct value *value_int(struct arena *a, int64_t i);
const struct value *value_number(struct arena *a, struct number n);
const struct value *value_string(struct arena *a, const char *s);
const struct value *value_stringn(struct arena *a, const char *s, size_t len);
/* items are copied; for sets duplicates are removed and order canonicalised. */
const struct value *value_list(struct arena *a, const struct type *elem,
			       size_t n, const struct value *const *items);
const struct value *value_set(struct arena *a, const struct type *elem,
			      size_t n, const struct value *const *items);
const struct value *value_tuple(struct arena *a, const struct type *t,
				size_t n, const struct value *const *items);
/* keys need not be sorted; returns NULL on a duplicate key. */
const struct value *value_map(struct arena *a, const struct type *elem,
			      size_t n, const char *const *keys,
			      const struct value *const *items);
/* items in t's attribute order. */
const struct value *value_object(struct arena *a, const struct type *t,
				 const struct value *const *items);
/* Copy of object v with attribute name replaced by item. */
const struct value *value_with_attr(struct arena *a, const struct value *v,
				    const char *name,
				    const struct value *item);

static inline bool value_is_null(const struct value *v)
{
	return v->state == VALUE_NULL;
}

static inline bool value_is_unknown(const struct value *v)
{
	return v->state == VALUE_UNKNOWN;
}

static inline bool value_is_known(const struct value *v)
{
	return v->state == VALUE_KNOWN;
}

/* Object attribute by name; NULL if v is not a known object or has no such
 * attribute. */
const struct value *value_attr(const struct value *v, const char *name);
/* Map element by key, NULL if absent. */
const struct value *value_map_get(const struct value *v, const char *key);
/* Convenience readers: return false when v is null/unknown/wrong type. */
bool value_get_string(const struct value *v, const char **out);
bool value_get_int(const struct value *v, int64_t *out);
bool value_get_bool(const struct value *v, bool *out);

/* Deep equality as cty.Value.RawEquals (unknown equals unknown of the same
 * type; refinements ignored). */
bool value_equal(const struct value *x, const struct value *y);
/* True if v or anything inside it is unknown. */
bool value_has_unknown(const struct value *v);
/* True if v (known, wholly) conforms to t; dynamic accepts anything. */
bool value_conforms(const struct value *v, const struct type *t);
/* Numbers: exact comparison across the three forms; -1, 0, 1. */
int number_cmp(const struct number *x, const struct number *y);
/* (added) Parses decimal number text ([+-]d[.d][e[+-]d], exponent at most
 * 4096, at most 4096 digits) into canonical form: NUMBER_INT when integral
 * and within int64, NUMBER_FLOAT when a double holds it exactly, else
 * NUMBER_BIG with the plain decimal text (no exponent, no redundant zeros).
 * Returns 0, or -1 on malformed text (out untouched then). */
int number_parse(struct arena *a, const char *s, size_t len,
		 struct number *out);
/* (added) Exact plain decimal text of n ("12", "-0.5", "1e3" -> "1000");
 * NULL for infinities.  Arena memory. */
char *number_text(struct arena *a, const struct number *n);
/* (added) UTF-8 helpers used by the codecs. utf8_decode returns the length
 * (1-4) of the valid sequence at s and its code point, 0 if invalid. */
bool utf8_valid(const char *s, size_t len);
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Debug rendering like cty's GoString, for diagnostics and tests:
 * cty.StringVal("x"), cty.NullVal(cty.String), cty.UnknownVal(cty.Number). */
char *value_gostring(struct arena *a, const struct value *v);

#endif
