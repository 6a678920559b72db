/*
 * golden_cases.h - the values of tests/data/gen_golden.py's CASES, built
 * with the C constructors.  Shared by test_codec_msgpack.c and
 * test_codec_json.c; each case name maps to one golden file per codec.
 */
#ifndef TESTS_GOLDEN_CASES_H
#define TESTS_GOLDEN_CASES_H

#include "core/arena.h"
#include "schema/value.h"

#include <stdlib.h>
#include <string.h>

struct golden {
	const char *name;
	const struct type *type;
	const struct value *value;
	bool has_unknown;
};

static const struct value *g_num(struct arena *a, const char *text)
{
	struct number n;

	if (number_parse(a, text, strlen(text), &n) != 0)
		abort();
	return value_number(a, n);
}

static const struct value *g_float(struct arena *a, double f)
{
	struct number n = { .kind = NUMBER_FLOAT, .f = f };

	return value_number(a, n);
}

#define G_ITEMS(...) ((const struct value *const[]){ __VA_ARGS__ })
#define G_NITEMS(...) (sizeof(G_ITEMS(__VA_ARGS__)) / sizeof(void *))
#define G_LIST(a, e, ...) value_list(a, e, G_NITEMS(__VA_ARGS__), G_ITEMS(__VA_ARGS__))
#define G_SET(a, e, ...) value_set(a, e, G_NITEMS(__VA_ARGS__), G_ITEMS(__VA_ARGS__))

static const struct type *g_obj_type(struct arena *a, size_t n,
				     const char *const *names,
				     const struct type *const *types)
{
	return type_object(a, n, names, types, NULL);
}

/* Fills out[] (capacity cap) and returns the number of cases. */
static size_t golden_cases(struct arena *a, struct golden *out, size_t cap)
{
	const struct type *S = &type_string, *N = &type_number, *B = &type_bool;
	const struct type *D = &type_dynamic;
	const struct type *ls = type_list(a, S), *ms = type_map(a, S);
	const struct type *inner_t, *obj, *kv_t, *dyn_obj_t, *tup_t, *odyn_t;
	const struct value *v;
	struct refinements r;
	size_t n = 0;
	char *long_s;

#define ADD(nm, ty, val, unk)                                                \
	do {                                                                 \
		if (n < cap) {                                               \
			out[n].name = (nm);                                  \
			out[n].type = (ty);                                  \
			out[n].value = (val);                                \
			out[n].has_unknown = (unk);                          \
		}                                                            \
		n++;                                                         \
	} while (0)

	inner_t = g_obj_type(a, 2, (const char *[]){ "id", "n" },
			     (const struct type *[]){ S, N });
	obj = g_obj_type(a, 6,
			 (const char *[]){ "name", "port", "tags", "zones",
					   "enabled", "inner" },
			 (const struct type *[]){ S, N, ms, ls, B, inner_t });

	ADD("bool_true", B, value_bool(a, true), false);
	ADD("bool_false", B, value_bool(a, false), false);
	ADD("num_0", N, value_int(a, 0), false);
	ADD("num_1", N, value_int(a, 1), false);
	ADD("num_neg1", N, value_int(a, -1), false);
	ADD("num_127", N, value_int(a, 127), false);
	ADD("num_128", N, value_int(a, 128), false);
	ADD("num_255", N, value_int(a, 255), false);
	ADD("num_256", N, value_int(a, 256), false);
	ADD("num_65535", N, value_int(a, 65535), false);
	ADD("num_65536", N, value_int(a, 65536), false);
	ADD("num_4294967296", N, value_int(a, 4294967296LL), false);
	ADD("num_neg32", N, value_int(a, -32), false);
	ADD("num_neg33", N, value_int(a, -33), false);
	ADD("num_neg128", N, value_int(a, -128), false);
	ADD("num_neg129", N, value_int(a, -129), false);
	ADD("num_neg40000", N, value_int(a, -40000), false);
	ADD("num_int64_max", N, value_int(a, INT64_MAX), false);
	ADD("num_int64_min", N, value_int(a, INT64_MIN), false);
	ADD("num_2p64", N, g_float(a, 18446744073709551616.0), false);
	ADD("num_big_int", N, g_num(a, "123456789012345678901234567890"), false);
	ADD("num_half", N, g_float(a, 0.5), false);
	ADD("num_neg_frac", N, g_float(a, -2.75), false);
	ADD("num_tenth", N, g_num(a, "0.1"), false);
	ADD("num_pi_long", N,
	    g_num(a, "3.14159265358979323846264338327950288419716939937510"),
	    false);
	ADD("num_tiny", N, g_num(a, "1e-30"), false);
	ADD("str_empty", S, value_string(a, ""), false);
	ADD("str_ascii", S, value_string(a, "hello world"), false);
	ADD("str_unicode", S,
	    value_string(a, "h\xc3\xa9llo \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac "
			    "\xf0\x9f\x8e\x89"), false);
	ADD("str_html", S, value_string(a, "a<b>&c \"q\" \\ \n\t"), false);
	long_s = arena_alloc(a, 70001);
	memset(long_s, 'x', 31);
	ADD("str_31", S, value_stringn(a, long_s, 31), false);
	memset(long_s, 'y', 32);
	ADD("str_32", S, value_stringn(a, long_s, 32), false);
	memset(long_s, 'z', 300);
	ADD("str_300", S, value_stringn(a, long_s, 300), false);
	memset(long_s, 'w', 70000);
	ADD("str_70000", S, value_stringn(a, long_s, 70000), false);
	ADD("null_string", S, value_null(a, S), false);
	ADD("null_object", obj, value_null(a, obj), false);
	ADD("unknown_string", S, value_unknown(a, S), true);
	ADD("unknown_list", ls, value_unknown(a, ls), true);
	memset(&r, 0, sizeof(r));
	r.not_null = true;
	ADD("unknown_notnull", S, value_unknown_refined(a, S, &r), true);
	r.string_prefix = "arn:aws:";
	ADD("unknown_prefix", S, value_unknown_refined(a, S, &r), true);
	memset(&r, 0, sizeof(r));
	r.not_null = true;
	r.has_lower = r.lower_inclusive = true;
	r.lower.kind = NUMBER_INT;
	r.has_upper = true;
	r.upper.kind = NUMBER_FLOAT;
	r.upper.f = 65535.5;
	ADD("unknown_num_range", N, value_unknown_refined(a, N, &r), true);
	memset(&r, 0, sizeof(r));
	r.not_null = true;
	r.has_len_lower = r.has_len_upper = true;
	r.len_lower = 1;
	r.len_upper = 3;
	ADD("unknown_list_len", ls, value_unknown_refined(a, ls, &r), true);
	ADD("list_empty", ls, value_list(a, S, 0, NULL), false);
	ADD("list_strings", ls,
	    G_LIST(a, S, value_string(a, "b"), value_string(a, "a"),
		   value_string(a, "c")), false);
	ADD("list_null_unknown", ls,
	    G_LIST(a, S, value_string(a, "x"), value_null(a, S),
		   value_unknown(a, S)), true);
	{
		const struct type *ln = type_list(a, N);

		ADD("list_of_lists", type_list(a, ln),
		    G_LIST(a, ln, G_LIST(a, N, value_int(a, 1), value_int(a, 2)),
			   value_list(a, N, 0, NULL),
			   G_LIST(a, N, value_int(a, 3))), false);
	}
	ADD("set_strings", type_set(a, S),
	    G_SET(a, S, value_string(a, "c"), value_string(a, "a"),
		  value_string(a, "b"), value_string(a, "a")), false);
	ADD("set_numbers", type_set(a, N),
	    G_SET(a, N, value_int(a, 1000000), g_float(a, 0.5), value_int(a, 1),
		  g_num(a, "0.1"), value_int(a, -5), g_num(a, "1.0")), false);
	ADD("set_bools", type_set(a, B),
	    G_SET(a, B, value_bool(a, true), value_bool(a, false)), false);
	ADD("set_with_unknown", type_set(a, S),
	    G_SET(a, S, value_unknown(a, S), value_string(a, "a")), true);
	ADD("set_empty", type_set(a, N), value_set(a, N, 0, NULL), false);
	ADD("map_empty", ms, value_map(a, S, 0, NULL, NULL), false);
	ADD("map_strings", ms,
	    value_map(a, S, 3, (const char *[]){ "\xc3\xa9", "b", "a" },
		      G_ITEMS(value_string(a, "3"), value_string(a, "2"),
			      value_string(a, "1"))), false);
	ADD("map_null_value", type_map(a, N),
	    value_map(a, N, 2, (const char *[]){ "y", "x" },
		      G_ITEMS(value_int(a, 3), value_null(a, N))), false);
	tup_t = type_tuple(a, 3, (const struct type *[]){ S, N, B });
	ADD("tuple_mixed", tup_t,
	    value_tuple(a, tup_t, 3,
			G_ITEMS(value_string(a, "s"), value_int(a, 7),
				value_bool(a, true))), false);
	ADD("tuple_empty", type_tuple(a, 0, NULL),
	    value_tuple(a, type_tuple(a, 0, NULL), 0, NULL), false);
	/* object attrs in sorted order: enabled inner name port tags zones */
	v = value_object(a, obj, G_ITEMS(
		value_bool(a, true),
		value_object(a, inner_t, G_ITEMS(value_string(a, "i-1"),
						 g_num(a, "2.5"))),
		value_string(a, "cache"), value_int(a, 6379),
		value_map(a, S, 2, (const char *[]){ "team", "env" },
			  G_ITEMS(value_string(a, "db"),
				  value_string(a, "prod"))),
		G_LIST(a, S, value_string(a, "eu-west-1a"),
		       value_string(a, "eu-west-1b"))));
	ADD("object_full", obj, v, false);
	v = value_object(a, obj, G_ITEMS(value_null(a, B),
					 value_null(a, inner_t),
					 value_null(a, S), value_null(a, N),
					 value_null(a, ms), value_null(a, ls)));
	ADD("object_nulls", obj, v, false);
	v = value_object(a, obj, G_ITEMS(
		value_unknown(a, B),
		value_object(a, inner_t, G_ITEMS(value_unknown(a, S),
						 value_null(a, N))),
		value_unknown(a, S), value_int(a, 1), value_unknown(a, ms),
		G_LIST(a, S, value_string(a, "a"), value_unknown(a, S))));
	ADD("object_unknowns", obj, v, true);
	{
		const struct type *eo = type_object(a, 0, NULL, NULL, NULL);

		ADD("object_empty", eo, value_object(a, eo, NULL), false);
	}
	kv_t = g_obj_type(a, 2, (const char *[]){ "k", "v" },
			  (const struct type *[]){ S, N });
	ADD("list_of_objects", type_list(a, kv_t),
	    G_LIST(a, kv_t,
		   value_object(a, kv_t, G_ITEMS(value_string(a, "a"),
						 value_int(a, 1))),
		   value_object(a, kv_t, G_ITEMS(value_string(a, "b"),
						 value_null(a, N)))), false);
	ADD("dyn_string", D, value_string(a, "hi"), false);
	ADD("dyn_number", D, value_int(a, 42), false);
	dyn_obj_t = g_obj_type(a, 2, (const char *[]){ "a", "b" },
			       (const struct type *[]){ S, type_list(a, N) });
	ADD("dyn_object", D,
	    value_object(a, dyn_obj_t,
			 G_ITEMS(value_string(a, "x"),
				 G_LIST(a, N, value_int(a, 1),
					value_int(a, 2)))), false);
	ADD("dyn_null", D, value_null(a, D), false);
	ADD("dyn_unknown", D, value_unknown(a, D), true);
	ADD("dyn_typed_null", D, value_null(a, S), false);
	{
		const struct type *tt = type_tuple(a, 2,
						   (const struct type *[]){ S, B });

		ADD("dyn_tuple", D,
		    value_tuple(a, tt, 2, G_ITEMS(value_string(a, "a"),
						  value_bool(a, false))), false);
	}
	odyn_t = g_obj_type(a, 2, (const char *[]){ "id", "extra" },
			    (const struct type *[]){ S, D });
	/* sorted: extra, id */
	ADD("object_dyn_attr", odyn_t,
	    value_object(a, odyn_t,
			 G_ITEMS(value_map(a, N, 1, (const char *[]){ "a" },
					   G_ITEMS(value_int(a, 1))),
				 value_string(a, "x"))), false);
	ADD("map_unknown_value", type_map(a, B),
	    value_map(a, B, 2, (const char *[]){ "k", "j" },
		      G_ITEMS(value_unknown(a, B), value_bool(a, true))), true);
	{
		const struct type *tt = type_tuple(
			a, 3, (const struct type *[]){ S, N, ls });

		ADD("tuple_null_unknown", tt,
		    value_tuple(a, tt, 3, G_ITEMS(value_null(a, S),
						  value_unknown(a, N),
						  value_null(a, ls))), true);
	}
	ADD("set_of_objects", type_set(a, kv_t),
	    G_SET(a, kv_t,
		  value_object(a, kv_t, G_ITEMS(value_string(a, "b"),
						value_int(a, 3))),
		  value_object(a, kv_t, G_ITEMS(value_string(a, "a"),
						value_int(a, 2))),
		  value_object(a, kv_t, G_ITEMS(value_string(a, "b"),
						value_int(a, 1))),
		  value_object(a, kv_t, G_ITEMS(value_string(a, "a"),
						value_int(a, 2)))), false);
	{
		const struct type *ns = g_obj_type(
			a, 2, (const char *[]){ "n", "s" },
			(const struct type *[]){ N, S });
		const struct type *sl = type_list(a, S);

#define NS(nv, sv) value_object(a, ns, G_ITEMS((nv), (sv)))
		ADD("set_hash_order", type_set(a, ns),
		    G_SET(a, ns, NS(value_int(a, 9), value_string(a, "x")),
			  NS(value_int(a, 10), value_string(a, "x")),
			  NS(g_num(a, "0.1"), value_string(a, "a")),
			  NS(value_int(a, 12345678901LL), value_string(a, "b")),
			  NS(value_null(a, N), value_string(a, "q\"\n")),
			  NS(value_int(a, 1), value_unknown(a, S))), true);
#undef NS
		ADD("set_lists", type_set(a, sl),
		    G_SET(a, sl, G_LIST(a, S, value_string(a, "b")),
			  G_LIST(a, S, value_string(a, "a"),
				 value_string(a, "b")),
			  value_list(a, S, 0, NULL),
			  G_LIST(a, S, value_string(a, "a"))), false);
		ADD("set_mixed_states", type_set(a, S),
		    G_SET(a, S, value_null(a, S), value_unknown(a, S),
			  value_string(a, "z"), value_string(a, "a")), true);
	}
	ADD("dyn_unknown_typed", D, value_unknown(a, S), true);
	ADD("dyn_list_unknown_elem", D,
	    G_LIST(a, N, value_int(a, 1), value_unknown(a, N)), true);
	ADD("list_dynamic", type_list(a, D),
	    G_LIST(a, D, value_string(a, "a"), value_string(a, "b")), false);
#undef ADD
	return n;
}

/* Reads a whole file into arena memory; NULL if missing. */
static char *golden_read(struct arena *a, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = arena_alloc(a, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
