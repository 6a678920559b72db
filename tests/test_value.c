/*
 * test_value.c - the cty value model: numbers, equality, sets, maps,
 * conformance, GoString.
 */
#include "tests/check.h"

#include "core/arena.h"
#include "schema/value.h"

#include <math.h>
#include <string.h>

static struct number num(struct arena *a, const char *text)
{
	struct number n;

	memset(&n, 0, sizeof(n));
	if (number_parse(a, text, strlen(text), &n) != 0)
		n.kind = (enum number_kind)99;
	return n;
}

static void test_number_parse_forms(void)
{
	struct arena *a = arena_new();
	struct number n;

	n = num(a, "42");
	CHECK(n.kind == NUMBER_INT && n.i == 42);
	n = num(a, "-0");
	CHECK(n.kind == NUMBER_INT && n.i == 0);
	n = num(a, "1.000e3");
	CHECK(n.kind == NUMBER_INT && n.i == 1000);
	n = num(a, "9223372036854775807");
	CHECK(n.kind == NUMBER_INT && n.i == INT64_MAX);
	n = num(a, "-9223372036854775808");
	CHECK(n.kind == NUMBER_INT && n.i == INT64_MIN);
	n = num(a, "9223372036854775808");	/* 2^63: a double holds it */
	CHECK(n.kind == NUMBER_FLOAT && n.f == 9223372036854775808.0);
	n = num(a, "9223372036854775809");
	CHECK(n.kind == NUMBER_BIG);
	CHECK_STR(n.text, "9223372036854775809");
	n = num(a, "0.5");
	CHECK(n.kind == NUMBER_FLOAT && n.f == 0.5);
	n = num(a, "+0.10");
	CHECK(n.kind == NUMBER_BIG);
	CHECK_STR(n.text, "0.1");
	n = num(a, "-1.5e-5");
	CHECK(n.kind == NUMBER_BIG);
	CHECK_STR(n.text, "-0.000015");
	n = num(a, "0.000030517578125");	/* 2^-15 */
	CHECK(n.kind == NUMBER_FLOAT);
	CHECK(num(a, "").kind == (enum number_kind)99);
	CHECK(num(a, "1e").kind == (enum number_kind)99);
	CHECK(num(a, ".").kind == (enum number_kind)99);
	CHECK(num(a, "1x").kind == (enum number_kind)99);
	CHECK(num(a, "0x10").kind == (enum number_kind)99);
	CHECK(num(a, "NaN").kind == (enum number_kind)99);
	CHECK(num(a, "1e99999").kind == (enum number_kind)99);
	CHECK(num(a, " 1").kind == (enum number_kind)99);
	n = num(a, ".5");
	CHECK(n.kind == NUMBER_FLOAT && n.f == 0.5);
	CHECK_STR(number_text(a, &(struct number){ .kind = NUMBER_FLOAT,
						   .f = 0.1 }),
		  "0.1000000000000000055511151231257827021181583404541015625");
	CHECK(number_text(a, &(struct number){ .kind = NUMBER_FLOAT,
					       .f = INFINITY }) == NULL);
	arena_free(a);
}

static void test_number_cmp_exact(void)
{
	struct arena *a = arena_new();
	struct number i1 = { .kind = NUMBER_INT, .i = 1 };
	struct number f1 = { .kind = NUMBER_FLOAT, .f = 1.0 };
	struct number tenth = num(a, "0.1");
	struct number ftenth = { .kind = NUMBER_FLOAT, .f = 0.1 };
	struct number big = num(a, "9223372036854775809");
	struct number imax = { .kind = NUMBER_INT, .i = INT64_MAX };
	struct number f263 = { .kind = NUMBER_FLOAT, .f = 9223372036854775808.0 };
	struct number inf = { .kind = NUMBER_FLOAT, .f = INFINITY };
	struct number ninf = { .kind = NUMBER_FLOAT, .f = -INFINITY };
	struct number nbig = num(a, "-1e40");

	CHECK_INT(number_cmp(&i1, &f1), 0);
	CHECK_INT(number_cmp(&tenth, &ftenth), -1);	/* 0.1 < double(0.1) */
	CHECK_INT(number_cmp(&ftenth, &tenth), 1);
	CHECK_INT(number_cmp(&imax, &f263), -1);
	CHECK_INT(number_cmp(&f263, &big), -1);
	CHECK_INT(number_cmp(&big, &imax), 1);
	CHECK_INT(number_cmp(&big, &inf), -1);
	CHECK_INT(number_cmp(&ninf, &nbig), -1);
	CHECK_INT(number_cmp(&nbig, &i1), -1);
	CHECK_INT(number_cmp(&tenth, &tenth), 0);
	/* value_number canonicalises an integral float to an int */
	CHECK(value_number(a, f1)->u.num.kind == NUMBER_INT);
	CHECK(value_equal(value_number(a, f1), value_int(a, 1)));
	arena_free(a);
}

static void test_sets_canonical_and_deduped(void)
{
	struct arena *a = arena_new();
	const struct value *s, *s2;
	const struct value *items[6];

	items[0] = value_string(a, "b");
	items[1] = value_unknown(a, &type_string);
	items[2] = value_string(a, "a");
	items[3] = value_string(a, "b");
	items[4] = value_unknown(a, &type_string);
	items[5] = value_null(a, &type_string);
	s = value_set(a, &type_string, 6, items);
	CHECK_STR(value_gostring(a, s),
		  "cty.SetVal([]cty.Value{cty.StringVal(\"a\"), "
		  "cty.StringVal(\"b\"), cty.UnknownVal(cty.String), "
		  "cty.UnknownVal(cty.String), cty.NullVal(cty.String)})");
	/* order of construction does not matter */
	items[0] = value_null(a, &type_string);
	items[5] = value_string(a, "b");
	s2 = value_set(a, &type_string, 6, items);
	CHECK(value_equal(s, s2));
	/* numbers: numeric order, 1 and 1.0 are one element */
	{
		struct number f1 = { .kind = NUMBER_FLOAT, .f = 1.0 };
		struct number h = { .kind = NUMBER_FLOAT, .f = 0.5 };
		const struct value *n[4] = { value_int(a, 10),
					     value_number(a, f1),
					     value_number(a, h),
					     value_int(a, 1) };

		CHECK_STR(value_gostring(a, value_set(a, &type_number, 4, n)),
			  "cty.SetVal([]cty.Value{cty.NumberFloatVal(0.5), "
			  "cty.NumberIntVal(1), cty.NumberIntVal(10)})");
	}
	/* equal sets whose elements tie in the order (equal set-hash bytes:
	 * numbers differing after 10 digits) compare equal in any order */
	{
		const struct type *ot = type_object(
			a, 1, (const char *[]){ "n" },
			(const struct type *[]){ &type_number }, NULL);
		const struct value *p = value_object(a, ot,
			(const struct value *const[]){ value_number(a,
				num(a, "1.00000000001")) });
		const struct value *q = value_object(a, ot,
			(const struct value *const[]){ value_number(a,
				num(a, "1.00000000002")) });
		const struct value *s1 = value_set(a, ot, 2,
			(const struct value *const[]){ p, q });
		const struct value *s3 = value_set(a, ot, 2,
			(const struct value *const[]){ q, p });

		CHECK_INT(s1->u.coll.n, 2);
		CHECK(s1->u.coll.items[0] == p && s3->u.coll.items[0] == q);
		CHECK(value_equal(s1, s3));
		CHECK(!value_equal(s1, value_set(a, ot, 2,
			(const struct value *const[]){ p, p })));
	}
	/* objects with equal content dedupe */
	{
		const struct type *ot = type_object(
			a, 1, (const char *[]){ "k" },
			(const struct type *[]){ &type_string }, NULL);
		const struct value *o[3];

		o[0] = value_object(a, ot, (const struct value *const[]){
					    value_string(a, "y") });
		o[1] = value_object(a, ot, (const struct value *const[]){
					    value_string(a, "x") });
		o[2] = value_object(a, ot, (const struct value *const[]){
					    value_string(a, "y") });
		s = value_set(a, ot, 3, o);
		CHECK_INT(s->u.coll.n, 2);
		CHECK(value_conforms(s, type_set(a, ot)));
	}
	arena_free(a);
}

static void test_maps_objects_types(void)
{
	struct arena *a = arena_new();
	const struct value *m, *o, *o2;
	const struct type *ot;
	const char *s;

	m = value_map(a, &type_number, 3, (const char *[]){ "z", "a", "m" },
		      (const struct value *const[]){ value_int(a, 1),
						     value_int(a, 2),
						     value_int(a, 3) });
	CHECK_STR(m->u.coll.keys[0], "a");
	CHECK_STR(m->u.coll.keys[2], "z");
	CHECK(value_map_get(m, "m") != NULL);
	CHECK(value_map_get(m, "q") == NULL);
	CHECK(value_map(a, &type_number, 2, (const char *[]){ "a", "a" },
			(const struct value *const[]){ value_int(a, 1),
						       value_int(a, 2) }) ==
	      NULL);
	CHECK(type_object(a, 2, (const char *[]){ "x", "x" },
			  (const struct type *[]){ &type_string,
						   &type_string }, NULL) ==
	      NULL);
	ot = type_object(a, 2, (const char *[]){ "b", "a" },
			 (const struct type *[]){ &type_string, &type_number },
			 (const bool[]){ true, false });
	CHECK_STR(ot->names[0], "a");
	CHECK(ot->types[0] == &type_number);
	CHECK(ot->optional && !ot->optional[0] && ot->optional[1]);
	CHECK_INT(type_attr_index(ot, "b"), 1);
	CHECK_INT(type_attr_index(ot, "c"), -1);
	CHECK_STR(type_gostring(a, ot),
		  "cty.ObjectWithOptionalAttrs(map[string]cty.Type{"
		  "\"a\":cty.Number, \"b\":cty.String}, []string{\"b\"})");
	CHECK_STR(type_friendly_name(a, type_list(a, type_map(a, &type_bool))),
		  "list of map of bool");
	o = value_object(a, ot, (const struct value *const[]){
				 value_int(a, 1), value_string(a, "x") });
	o2 = value_with_attr(a, o, "b", value_string(a, "y"));
	CHECK(value_get_string(value_attr(o, "b"), &s) && !strcmp(s, "x"));
	CHECK(value_get_string(value_attr(o2, "b"), &s) && !strcmp(s, "y"));
	CHECK(!value_equal(o, o2));
	CHECK(value_with_attr(a, o, "zz", value_int(a, 1)) == NULL);
	CHECK(value_attr(value_null(a, ot), "a") == NULL);
	arena_free(a);
}

static void test_equal_and_conforms(void)
{
	struct arena *a = arena_new();
	const struct type *ls = type_list(a, &type_string);
	const struct value *l1, *l2, *bad;

	l1 = value_list(a, &type_string, 2,
			(const struct value *const[]){ value_string(a, "a"),
						       value_null(a, &type_string) });
	l2 = value_list(a, &type_string, 2,
			(const struct value *const[]){ value_string(a, "a"),
						       value_null(a, &type_string) });
	CHECK(value_equal(l1, l2));
	CHECK(!value_equal(value_null(a, &type_string),
			   value_null(a, &type_number)));
	CHECK(value_equal(value_unknown(a, ls), value_unknown(a, ls)));
	CHECK(!value_equal(value_unknown(a, ls), value_null(a, ls)));
	CHECK(!value_equal(value_string(a, "a"), value_stringn(a, "a\0b", 3)));
	CHECK(value_conforms(l1, ls));
	CHECK(value_conforms(l1, type_list(a, &type_dynamic)));
	CHECK(value_conforms(l1, &type_dynamic));
	CHECK(!value_conforms(l1, type_set(a, &type_string)));
	CHECK(!value_conforms(value_int(a, 1), &type_string));
	CHECK(value_conforms(value_null(a, &type_string), &type_string));
	CHECK(!value_conforms(value_null(a, &type_string), &type_number));
	CHECK(value_conforms(value_null(a, &type_dynamic), ls));
	CHECK(value_conforms(value_unknown(a, &type_dynamic), &type_bool));
	/* a list claiming string elements but holding a number */
	bad = value_list(a, &type_string, 1,
			 (const struct value *const[]){ value_int(a, 1) });
	CHECK(!value_conforms(bad, ls));
	CHECK(value_has_unknown(value_list(
		a, &type_string, 1,
		(const struct value *const[]){ value_unknown(a, &type_string) })));
	CHECK(!value_has_unknown(l1));
	arena_free(a);
}

static void test_gostring(void)
{
	struct arena *a = arena_new();
	struct refinements r;
	struct number f = { .kind = NUMBER_FLOAT, .f = 1.5 };
	struct number big = { .kind = NUMBER_FLOAT, .f = 1e30 };

	CHECK_STR(value_gostring(a, value_string(a, "a\"b\n\x01\xc3\xa9")),
		  "cty.StringVal(\"a\\\"b\\n\\x01\xc3\xa9\")");
	CHECK_STR(value_gostring(a, value_null(a, &type_string)),
		  "cty.NullVal(cty.String)");
	CHECK_STR(value_gostring(a, value_unknown(a, &type_number)),
		  "cty.UnknownVal(cty.Number)");
	CHECK_STR(value_gostring(a, value_unknown(a, &type_dynamic)),
		  "cty.DynamicVal");
	CHECK_STR(value_gostring(a, value_bool(a, true)), "cty.True");
	CHECK_STR(value_gostring(a, value_int(a, -7)), "cty.NumberIntVal(-7)");
	CHECK_STR(value_gostring(a, value_number(a, f)),
		  "cty.NumberFloatVal(1.5)");
	CHECK_STR(value_gostring(a, value_number(a, big)),
		  "cty.NumberIntVal(1e+30)");
	CHECK_STR(value_gostring(a, value_number(a, num(a, "0.1"))),
		  "cty.MustParseNumberVal(\"0.1\")");
	CHECK_STR(value_gostring(a, value_list(a, &type_string, 0, NULL)),
		  "cty.ListValEmpty(cty.String)");
	CHECK_STR(value_gostring(a, value_map(a, &type_bool, 1,
					      (const char *[]){ "k" },
					      (const struct value *const[]){
						      value_bool(a, false) })),
		  "cty.MapVal(map[string]cty.Value{\"k\":cty.False})");
	CHECK_STR(value_gostring(a, value_object(
					    a, type_object(a, 0, NULL, NULL, NULL),
					    NULL)),
		  "cty.EmptyObjectVal");
	memset(&r, 0, sizeof(r));
	r.not_null = true;
	CHECK_STR(value_gostring(a, value_unknown_refined(a, &type_string, &r)),
		  "cty.UnknownVal(cty.String).RefineNotNull()");
	r.string_prefix = "ab";
	CHECK_STR(value_gostring(a, value_unknown_refined(a, &type_string, &r)),
		  "cty.UnknownVal(cty.String).Refine().NotNull()"
		  ".StringPrefixFull(\"ab\").NewValue()");
	arena_free(a);
}

int main(void)
{
	RUN(test_number_parse_forms);
	RUN(test_number_cmp_exact);
	RUN(test_sets_canonical_and_deduped);
	RUN(test_maps_objects_types);
	RUN(test_equal_and_conforms);
	RUN(test_gostring);
	return check_summary();
}
