/*
 * test_codec_msgpack.c - go-cty msgpack codec: golden files written by the
 * independent Python encoder (tests/data/gen_golden.py), both directions,
 * and malformed input.
 */
#include "tests/check.h"
#include "tests/golden_cases.h"

#include "core/arena.h"
#include "core/diag.h"
#include "schema/codec.h"
#include "schema/value.h"

#include <dirent.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#define DATA_DIR "tests/data/msgpack/"

static bool refinements_equal(const struct refinements *x,
			      const struct refinements *y)
{
	struct refinements z;

	memset(&z, 0, sizeof(z));
	if (!x)
		x = &z;
	if (!y)
		y = &z;
	if (x->not_null != y->not_null ||
	    (x->string_prefix == NULL) != (y->string_prefix == NULL) ||
	    (x->string_prefix && strcmp(x->string_prefix, y->string_prefix)) ||
	    x->has_lower != y->has_lower || x->has_upper != y->has_upper ||
	    x->has_len_lower != y->has_len_lower ||
	    x->has_len_upper != y->has_len_upper)
		return false;
	if (x->has_lower && (number_cmp(&x->lower, &y->lower) != 0 ||
			     x->lower_inclusive != y->lower_inclusive))
		return false;
	if (x->has_upper && (number_cmp(&x->upper, &y->upper) != 0 ||
			     x->upper_inclusive != y->upper_inclusive))
		return false;
	if (x->has_len_lower && x->len_lower != y->len_lower)
		return false;
	if (x->has_len_upper && x->len_upper != y->len_upper)
		return false;
	return true;
}

static void test_golden_both_directions(void)
{
	struct arena *a = arena_new();
	struct golden cases[128];
	size_t n = golden_cases(a, cases, 128), i, checked = 0;

	CHECK(n <= 128);
	for (i = 0; i < n && i < 128; i++) {
		struct golden *g = &cases[i];
		char path[256];
		size_t len, elen;
		char *want;
		void *got;
		const struct value *back;
		struct diags d;

		diags_init(&d, a);
		snprintf(path, sizeof(path), DATA_DIR "%s.msgpack", g->name);
		want = golden_read(a, path, &len);
		if (!want) {
			fprintf(stderr, "missing %s\n", path);
			CHECK(want != NULL);
			continue;
		}
		CHECK(value_conforms(g->value, g->type));
		if (codec_msgpack_encode(a, g->type, g->value, &got, &elen,
					 &d) != 0) {
			fprintf(stderr, "%s: encode failed\n", g->name);
			CHECK(0);
			continue;
		}
		if (elen != len || memcmp(got, want, len) != 0) {
			fprintf(stderr, "%s: encoding differs from golden\n",
				g->name);
			CHECK(0);
		}
		if (codec_msgpack_decode(a, g->type, want, len, &back, &d) !=
		    0) {
			fprintf(stderr, "%s: decode failed: %s\n", g->name,
				d.len ? d.items[0].detail : "?");
			CHECK(0);
			continue;
		}
		if (!value_equal(back, g->value)) {
			fprintf(stderr, "%s: decoded %s\n  want %s\n", g->name,
				value_gostring(a, back),
				value_gostring(a, g->value));
			CHECK(0);
		}
		CHECK(refinements_equal(back->refine, g->value->refine));
		CHECK_INT(d.len, 0);
		checked++;
	}
	CHECK_INT(checked, n);
	/* every golden file has a C counterpart */
	{
		DIR *dir = opendir(DATA_DIR);
		struct dirent *de;
		size_t files = 0;

		CHECK(dir != NULL);
		while (dir && (de = readdir(dir)) != NULL)
			if (strstr(de->d_name, ".msgpack"))
				files++;
		if (dir)
			closedir(dir);
		CHECK_INT(files, n);
	}
	arena_free(a);
}

/* Decodes and expects failure with exactly one error whose detail
 * contains want (and, when given, whose path renders as want_path). */
static void expect_fail(struct arena *a, const struct type *t, const void *buf,
			size_t len, const char *want, const char *want_path)
{
	struct diags d;
	const struct value *v = (const struct value *)1;
	int rc;

	diags_init(&d, a);
	rc = codec_msgpack_decode(a, t, buf, len, &v, &d);
	CHECK_INT(rc, -1);
	CHECK(v == NULL);
	CHECK_INT(d.len, 1);
	CHECK_INT(d.errors, 1);
	if (d.len != 1)
		return;
	if (want && !strstr(d.items[0].detail, want)) {
		fprintf(stderr, "  detail: %s\n  want substring: %s\n",
			d.items[0].detail, want);
		CHECK(0);
	}
	if (want_path) {
		CHECK(d.items[0].has_path);
		CHECK_STR(path_string(a, d.items[0].path), want_path);
	}
}

static void test_truncated_and_trailing(void)
{
	struct arena *a = arena_new();
	struct golden cases[128];
	size_t n = golden_cases(a, cases, 128), i, k;

	for (i = 0; i < n && i < 128; i++) {
		char path[256], *buf, *copy;
		size_t len;

		snprintf(path, sizeof(path), DATA_DIR "%s.msgpack",
			 cases[i].name);
		buf = golden_read(a, path, &len);
		if (!buf)
			continue;
		/* every proper prefix fails; the copy is exact-size so ASan
		 * catches any read past len */
		for (k = 0; k < len && k < 400; k++) {
			copy = malloc(k ? k : 1);
			memcpy(copy, buf, k);
			expect_fail(a, cases[i].type, copy, k, NULL, NULL);
			free(copy);
		}
		copy = malloc(len + 1);
		memcpy(copy, buf, len);
		copy[len] = (char)0xc0;
		expect_fail(a, cases[i].type, copy, len + 1, "trailing", NULL);
		free(copy);
	}
	arena_free(a);
}

struct packer {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void pk_init(struct packer *p)
{
	msgpack_sbuffer_init(&p->sb);
	msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
}

static void pk_str(struct packer *p, const char *s)
{
	msgpack_pack_str_with_body(&p->pk, s, strlen(s));
}

static const struct type *user_type(struct arena *a)
{
	const struct type *u = type_object(
		a, 2, (const char *[]){ "name", "age" },
		(const struct type *[]){ &type_string, &type_number }, NULL);

	return type_object(a, 1, (const char *[]){ "user" },
			   (const struct type *[]){ type_list(a, u) }, NULL);
}

/* {"user": [ok, ok, {"name": <bad>, "age": 1}]} */
static void pack_users(struct packer *p, int bad)
{
	int i;

	msgpack_pack_map(&p->pk, 1);
	pk_str(p, "user");
	msgpack_pack_array(&p->pk, 3);
	for (i = 0; i < 3; i++) {
		int extra = i == 2 && bad == 2;

		msgpack_pack_map(&p->pk, (size_t)(2 + extra - (i == 2 && bad == 3)));
		/* attribute order on the wire is arbitrary: age first */
		pk_str(p, "age");
		msgpack_pack_int(&p->pk, 30 + i);
		if (!(i == 2 && bad == 3)) {
			pk_str(p, "name");
			if (i == 2 && bad == 1)
				msgpack_pack_int(&p->pk, 5);
			else if (i == 2 && bad == 4)
				msgpack_pack_str_with_body(&p->pk, "b\xff", 2);
			else
				pk_str(p, "bob");
		}
		if (extra) {
			pk_str(p, "email");
			pk_str(p, "x@example.com");
		}
	}
}

static void test_wrong_types_with_paths(void)
{
	struct arena *a = arena_new();
	const struct type *t = user_type(a);
	struct packer p;
	const struct value *v;
	struct diags d;
	int bad;

	pk_init(&p);
	pack_users(&p, 0);
	diags_init(&d, a);
	CHECK_INT(codec_msgpack_decode(a, t, p.sb.data, p.sb.size, &v, &d), 0);
	if (v) {
		const struct value *u = value_attr(v, "user");
		int64_t age;

		CHECK(u && u->u.coll.n == 3);
		CHECK(u && value_get_int(value_attr(u->u.coll.items[2], "age"),
					 &age) && age == 32);
	}
	msgpack_sbuffer_destroy(&p.sb);

	for (bad = 1; bad <= 4; bad++) {
		static const char *want[] = {
			NULL,
			"user[2].name: a string is required",
			"user[2].email: unsupported attribute \"email\"",
			"user[2].name: attribute \"name\" is required",
			"user[2].name: string is not valid UTF-8",
		};
		static const char *want_path[] = {
			NULL, "user[2].name", "user[2].email", "user[2].name",
			"user[2].name",
		};

		pk_init(&p);
		pack_users(&p, bad);
		expect_fail(a, t, p.sb.data, p.sb.size, want[bad],
			    want_path[bad]);
		msgpack_sbuffer_destroy(&p.sb);
	}
	arena_free(a);
}

static void test_accepts_go_cty_variants(void)
{
	struct arena *a = arena_new();
	const struct value *v;
	struct diags d;
	int64_t i;
	const char *s;
	/* 1 as int64, uint64, int8 */
	static const unsigned char i64[] = { 0xd3, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char u64[] = { 0xcf, 0, 0, 0, 0, 0, 0, 0, 7 };
	static const unsigned char f32[] = { 0xca, 0x3f, 0xc0, 0, 0 };	/* 1.5 */
	static const unsigned char f64_int[] = { 0xcb, 0x40, 0x59, 0, 0, 0, 0,
						 0, 0 };	/* 100.0 */
	static const unsigned char numstr[] = { 0xa3, '1', 'e', '3' };
	static const unsigned char binstr[] = { 0xc4, 2, 'h', 'i' };
	/* dynamic with the type JSON as str instead of bin */
	static const unsigned char dynstr[] = { 0x92, 0xa8, '"', 's', 't', 'r',
						'i', 'n', 'g', '"', 0xa1, 'x' };
	/* unknown as ext8 with zero length, and as fixext1 of type 3 */
	static const unsigned char ext0[] = { 0xc7, 0x00, 0x00 };
	static const unsigned char ext3[] = { 0xd4, 0x03, 0x00 };
	/* refined unknown of a dynamic type: refinements ignored */
	static const unsigned char dynref[] = { 0xd6, 0x0c, 0x81, 0x01, 0xc2,
						0xc0 };

	diags_init(&d, a);
	CHECK_INT(codec_msgpack_decode(a, &type_number, i64, sizeof(i64), &v,
				       &d), 0);
	CHECK(v && value_get_int(v, &i) && i == 1);
	CHECK_INT(codec_msgpack_decode(a, &type_number, u64, sizeof(u64), &v,
				       &d), 0);
	CHECK(v && value_get_int(v, &i) && i == 7);
	CHECK_INT(codec_msgpack_decode(a, &type_number, f32, sizeof(f32), &v,
				       &d), 0);
	CHECK(v && v->u.num.kind == NUMBER_FLOAT && v->u.num.f == 1.5);
	CHECK_INT(codec_msgpack_decode(a, &type_number, f64_int,
				       sizeof(f64_int), &v, &d), 0);
	CHECK(v && value_get_int(v, &i) && i == 100);
	CHECK_INT(codec_msgpack_decode(a, &type_number, numstr, sizeof(numstr),
				       &v, &d), 0);
	CHECK(v && value_get_int(v, &i) && i == 1000);
	CHECK_INT(codec_msgpack_decode(a, &type_string, binstr, sizeof(binstr),
				       &v, &d), 0);
	CHECK(v && value_get_string(v, &s) && strcmp(s, "hi") == 0);
	CHECK_INT(codec_msgpack_decode(a, &type_dynamic, dynstr, sizeof(dynstr),
				       &v, &d), 0);
	CHECK(v && value_get_string(v, &s) && strcmp(s, "x") == 0);
	CHECK_INT(codec_msgpack_decode(a, &type_string, ext0, sizeof(ext0), &v,
				       &d), 0);
	CHECK(v && value_is_unknown(v) && v->type == &type_string);
	CHECK_INT(codec_msgpack_decode(a, &type_bool, ext3, sizeof(ext3), &v,
				       &d), 0);
	CHECK(v && value_is_unknown(v));
	CHECK_INT(codec_msgpack_decode(a, &type_dynamic, dynref, sizeof(dynref),
				       &v, &d), 0);
	CHECK(v && value_is_unknown(v) && v->type == &type_dynamic);
	/* {1: true} is a null; {9: "x", 5: 2} ignores the unknown key 9 */
	{
		static const unsigned char isnull[] = { 0xc7, 0x03, 0x0c, 0x81,
							0x01, 0xc3 };
		static const unsigned char future[] = { 0xc7, 0x06, 0x0c, 0x82,
							0x09, 0xa1, 'x', 0x05,
							0x02 };
		const struct type *ls = type_list(a, &type_string);

		CHECK_INT(codec_msgpack_decode(a, &type_string, isnull,
					       sizeof(isnull), &v, &d), 0);
		CHECK(v && value_is_null(v));
		CHECK_INT(codec_msgpack_decode(a, ls, future, sizeof(future),
					       &v, &d), 0);
		CHECK(v && value_is_unknown(v) && v->refine &&
		      v->refine->has_len_lower && v->refine->len_lower == 2);
	}
	CHECK_INT(d.len, 0);
	arena_free(a);
}

static void test_malformed(void)
{
	struct arena *a = arena_new();
	const struct type *ms = type_map(a, &type_string);
	const struct type *ln = type_list(a, &type_number);
	const struct type *tup = type_tuple(
		a, 2, (const struct type *[]){ &type_string, &type_bool });
	static const unsigned char dupkey[] = { 0x82, 0xa1, 'a', 0xa1, 'x',
						0xa1, 'a', 0xa1, 'y' };
	static const unsigned char huge_array[] = { 0xdd, 0x7f, 0xff, 0xff,
						    0xff, 0x01 };
	static const unsigned char huge_map[] = { 0xdf, 0xff, 0xff, 0xff,
						  0xff };
	static const unsigned char nan[] = { 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0,
					     0 };
	static const unsigned char badnum[] = { 0xa3, '1', '2', 'x' };
	static const unsigned char badutf8[] = { 0xa2, 0xc3, 0x28 };
	static const unsigned char surrogate[] = { 0xa3, 0xed, 0xa0, 0x80 };
	static const unsigned char reserved[] = { 0xc1 };
	static const unsigned char boolstr[] = { 0xa4, 't', 'r', 'u', 'e' };
	static const unsigned char extbad[] = { 0xd5, 0x05, 0x01, 0x02 };
	static const unsigned char dyn3[] = { 0x93, 0xa1, 'x', 0xc0, 0xc0 };
	static const unsigned char dynbadtype[] = { 0x92, 0xa6, '"', 'b', 'l',
						    'o', 'b', '"', 0xc0 };
	static const unsigned char tuple1[] = { 0x91, 0xa1, 'x' };
	static const unsigned char nonstrkey[] = { 0x81, 0x01, 0xa1, 'x' };
	static const unsigned char refbadkey[] = { 0xc7, 0x03, 0x0c, 0x81,
						   0x02, 0x05 }; /* prefix 5 */
	static const unsigned char nulkey[] = { 0x81, 0xa3, 'a', 0x00, 'b',
						0xa1, 'x' };
	/* {3: [1, true]} for a string; {5: -1} for a list */
	static const unsigned char refbound[] = { 0xc7, 0x05, 0x0c, 0x81, 0x03,
						  0x92, 0x01, 0xc3 };
	static const unsigned char refneglen[] = { 0xc7, 0x03, 0x0c, 0x81,
						   0x05, 0xff };
	unsigned char deep[80];
	size_t i;

	expect_fail(a, ms, dupkey, sizeof(dupkey), "duplicate map key", NULL);
	expect_fail(a, ln, huge_array, sizeof(huge_array), "malformed", NULL);
	expect_fail(a, ms, huge_map, sizeof(huge_map), "malformed", NULL);
	expect_fail(a, &type_number, nan, sizeof(nan), "a number is required",
		    NULL);
	expect_fail(a, &type_number, badnum, sizeof(badnum),
		    "a number is required", NULL);
	expect_fail(a, &type_string, badutf8, sizeof(badutf8), "UTF-8", NULL);
	expect_fail(a, &type_string, surrogate, sizeof(surrogate), "UTF-8",
		    NULL);
	expect_fail(a, &type_string, reserved, sizeof(reserved), "malformed",
		    NULL);
	expect_fail(a, &type_bool, boolstr, sizeof(boolstr),
		    "a bool is required", NULL);
	expect_fail(a, &type_string, extbad, sizeof(extbad),
		    "unsupported extension type 0x05", NULL);
	expect_fail(a, &type_dynamic, dyn3, sizeof(dyn3), "exactly two", NULL);
	expect_fail(a, &type_dynamic, dynbadtype, sizeof(dynbadtype),
		    "invalid dynamic value type", NULL);
	expect_fail(a, tup, tuple1, sizeof(tuple1),
		    "a tuple of length 2 is required", NULL);
	expect_fail(a, ms, nonstrkey, sizeof(nonstrkey), "keys must be strings",
		    NULL);
	expect_fail(a, &type_number, refbadkey, sizeof(refbadkey),
		    "string prefix", NULL);
	expect_fail(a, ms, nulkey, sizeof(nulkey), "NUL", NULL);
	expect_fail(a, &type_string, refbound, sizeof(refbound),
		    "numeric bound", NULL);
	expect_fail(a, ln, refneglen, sizeof(refneglen), "non-negative", NULL);
	expect_fail(a, &type_string, "", 0, "empty", NULL);
	/* 70 nested arrays: over the depth limit, refused before msgpack-c */
	for (i = 0; i < sizeof(deep); i++)
		deep[i] = 0x91;
	deep[sizeof(deep) - 1] = 0xc0;
	expect_fail(a, &type_dynamic, deep, sizeof(deep), "nested", NULL);
	arena_free(a);
}

/* The deepest nesting the decoder accepts, and one more. */
static void test_depth_limit(void)
{
	struct arena *a = arena_new();
	const struct type *t = &type_string;
	unsigned char buf[64];
	const struct value *v;
	struct diags d;
	size_t depth;

	for (depth = 1; depth <= 40; depth++) {
		size_t i;
		int rc;

		t = &type_string;
		for (i = 0; i < depth; i++)
			t = type_list(a, t);
		for (i = 0; i < depth; i++)
			buf[i] = 0x91;
		buf[depth] = 0xc0;
		diags_init(&d, a);
		rc = codec_msgpack_decode(a, t, buf, depth + 1, &v, &d);
		if (depth <= 32)
			CHECK_INT(rc, 0);
		else
			CHECK_INT(rc, -1);
	}
	arena_free(a);
}

static void test_encode_rejects_nonconforming(void)
{
	struct arena *a = arena_new();
	struct diags d;
	void *buf;
	size_t len;

	diags_init(&d, a);
	CHECK_INT(codec_msgpack_encode(a, &type_string, value_int(a, 1), &buf,
				       &len, &d), -1);
	CHECK_INT(d.errors, 1);
	CHECK_INT(codec_msgpack_encode(a, &type_bool, value_bool(a, true),
				       &buf, &len, &d), 0);
	CHECK_INT(len, 1);
	CHECK(((unsigned char *)buf)[0] == 0xc3);
	arena_free(a);
}

/* go-cty omits infinite number bounds and caps long string prefixes. */
static void test_refinement_encoding_limits(void)
{
	struct arena *a = arena_new();
	struct refinements r;
	struct diags d;
	void *buf;
	size_t len;
	char prefix[400];
	const struct value *back;
	static const unsigned char want_nn[] = { 0xc7, 0x03, 0x0c, 0x81, 0x01,
						 0xc2 };

	diags_init(&d, a);
	memset(&r, 0, sizeof(r));
	r.not_null = true;
	r.has_lower = true;
	r.lower.kind = NUMBER_FLOAT;
	r.lower.f = -INFINITY;
	CHECK_INT(codec_msgpack_encode(a, &type_number,
				       value_unknown_refined(a, &type_number, &r),
				       &buf, &len, &d), 0);
	CHECK_INT(len, sizeof(want_nn));
	CHECK(len == sizeof(want_nn) && memcmp(buf, want_nn, len) == 0);
	memset(&r, 0, sizeof(r));
	memset(prefix, 'p', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	r.string_prefix = prefix;
	CHECK_INT(codec_msgpack_encode(a, &type_string,
				       value_unknown_refined(a, &type_string, &r),
				       &buf, &len, &d), 0);
	CHECK_INT(codec_msgpack_decode(a, &type_string, buf, len, &back, &d), 0);
	CHECK(back && back->refine && back->refine->string_prefix &&
	      strlen(back->refine->string_prefix) == 255);
	arena_free(a);
}

int main(void)
{
	RUN(test_refinement_encoding_limits);
	RUN(test_golden_both_directions);
	RUN(test_truncated_and_trailing);
	RUN(test_wrong_types_with_paths);
	RUN(test_accepts_go_cty_variants);
	RUN(test_malformed);
	RUN(test_depth_limit);
	RUN(test_encode_rejects_nonconforming);
	return check_summary();
}
