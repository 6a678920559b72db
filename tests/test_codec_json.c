/*
 * test_codec_json.c - go-cty JSON codec and type JSON: golden files from
 * the independent Python encoder (tests/data/gen_golden.py) in both
 * directions, cty/json leniencies, lenient (upgrade) decoding, malformed
 * input.
 */
#include "tests/check.h"
#include "tests/golden_cases.h"

#include "core/arena.h"
#include "core/diag.h"
#include "schema/codec.h"
#include "schema/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_DIR "tests/data/json/"

static void test_golden_both_directions(void)
{
	struct arena *a = arena_new();
	struct golden cases[128];
	size_t n = golden_cases(a, cases, 128), i, checked = 0, want_n = 0;

	for (i = 0; i < n && i < 128; i++) {
		struct golden *g = &cases[i];
		char path[256], *want, *got;
		size_t len, glen;
		const struct value *back;
		struct diags d;

		if (g->has_unknown)
			continue;
		want_n++;
		diags_init(&d, a);
		snprintf(path, sizeof(path), DATA_DIR "%s.json", g->name);
		want = golden_read(a, path, &len);
		if (!want) {
			fprintf(stderr, "missing %s\n", path);
			CHECK(0);
			continue;
		}
		if (codec_json_encode(a, g->type, g->value, &got, &glen, &d)) {
			fprintf(stderr, "%s: encode failed\n", g->name);
			CHECK(0);
			continue;
		}
		if (glen != len || memcmp(got, want, len) != 0) {
			fprintf(stderr, "%s: got  %s\n  want %.*s\n", g->name,
				got, (int)len, want);
			CHECK(0);
		}
		if (codec_json_decode(a, g->type, want, len, &back, &d) != 0) {
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
		checked++;
	}
	CHECK_INT(checked, want_n);
	CHECK(want_n > 50);
	arena_free(a);
}

static const struct value *dec(struct arena *a, const struct type *t,
			       const char *json, struct diags *d)
{
	const struct value *v = NULL;

	if (codec_json_decode(a, t, json, strlen(json), &v, d) != 0)
		return NULL;
	return v;
}

static void expect_fail(struct arena *a, const struct type *t,
			const char *json, size_t len, const char *want,
			const char *want_path)
{
	struct diags d;
	const struct value *v = (const struct value *)1;

	diags_init(&d, a);
	CHECK_INT(codec_json_decode(a, t, json, len, &v, &d), -1);
	CHECK(v == NULL);
	CHECK_INT(d.len, 1);
	if (d.len != 1)
		return;
	if (want && !strstr(d.items[0].detail, want)) {
		fprintf(stderr, "  detail: %s\n  want: %s\n", d.items[0].detail,
			want);
		CHECK(0);
	}
	if (want_path)
		CHECK_STR(path_string(a, d.items[0].path), want_path);
}

static const struct type *user_type(struct arena *a)
{
	const struct type *u = type_object(
		a, 2, (const char *[]){ "name", "age" },
		(const struct type *[]){ &type_string, &type_number }, NULL);

	return type_object(a, 1, (const char *[]){ "user" },
			   (const struct type *[]){ type_list(a, u) }, NULL);
}

static void test_exact_numbers(void)
{
	struct arena *a = arena_new();
	struct diags d;
	const struct value *v;
	char *out;
	size_t len;
	const struct type *ln = type_list(a, &type_number);
	const char *in = "[123456789012345678901234567890, 0.1, -2.5e-3, 1E2, "
			 "18446744073709551616, -0, 9007199254740993]";

	diags_init(&d, a);
	v = dec(a, ln, in, &d);
	CHECK(v != NULL);
	if (!v)
		goto out;
	CHECK_INT(v->u.coll.n, 7);
	CHECK(v->u.coll.items[0]->u.num.kind == NUMBER_BIG);
	CHECK_STR(v->u.coll.items[0]->u.num.text,
		  "123456789012345678901234567890");
	CHECK(v->u.coll.items[1]->u.num.kind == NUMBER_BIG);
	CHECK(v->u.coll.items[3]->u.num.kind == NUMBER_INT);
	CHECK(v->u.coll.items[6]->u.num.kind == NUMBER_INT);
	CHECK_INT(v->u.coll.items[6]->u.num.i, 9007199254740993LL);
	CHECK_INT(codec_json_encode(a, ln, v, &out, &len, &d), 0);
	CHECK_STR(out, "[123456789012345678901234567890,0.1,-0.0025,100,"
		       "18446744073709551616,0,9007199254740993]");
out:
	arena_free(a);
}

static void test_cty_json_leniencies(void)
{
	struct arena *a = arena_new();
	struct diags d;
	const struct value *v;
	const char *s;
	int64_t i;
	bool b;
	const struct type *obj = type_object(
		a, 3, (const char *[]){ "s", "n", "b" },
		(const struct type *[]){ &type_string, &type_number,
					 &type_bool }, NULL);

	diags_init(&d, a);
	v = dec(a, obj, "{\"s\": 12.50, \"n\": \"42\", \"b\": \"true\"}", &d);
	CHECK(v != NULL);
	CHECK(value_get_string(value_attr(v, "s"), &s) && !strcmp(s, "12.50"));
	CHECK(value_get_int(value_attr(v, "n"), &i) && i == 42);
	CHECK(value_get_bool(value_attr(v, "b"), &b) && b);
	/* NUL inside a string value survives both directions */
	{
		const struct type *ms = type_map(a, &type_string);
		const char *in = "{\"k\":\"a\\u0000b\"}";
		char *out;
		size_t len;

		v = dec(a, ms, in, &d);
		CHECK(v && value_map_get(v, "k") &&
		      value_map_get(v, "k")->u.str.len == 3);
		CHECK(v && codec_json_encode(a, ms, v, &out, &len, &d) == 0 &&
		      strcmp(out, in) == 0);
	}
	/* missing attributes become null */
	v = dec(a, obj, "{\"s\": \"x\"}", &d);
	CHECK(v && value_is_null(value_attr(v, "n")) &&
	      value_is_null(value_attr(v, "b")));
	CHECK_INT(d.len, 0);
	arena_free(a);
}

static void test_lenient_drops_removed_attributes(void)
{
	struct arena *a = arena_new();
	const struct type *t = user_type(a);
	const char *in = "{\"user\":[{\"name\":\"a\",\"age\":1,\"gone\":[1,2]}],"
			 "\"old_top\":{\"x\":1}}";
	const struct value *v;
	struct diags d;

	diags_init(&d, a);
	CHECK_INT(codec_json_decode_lenient(a, t, in, strlen(in), &v, &d), 0);
	CHECK(v && value_conforms(v, t));
	CHECK_INT(d.len, 0);
	expect_fail(a, t, in, strlen(in), "unsupported attribute \"gone\"",
		    "user[0].gone");
	arena_free(a);
}

static void test_malformed(void)
{
	struct arena *a = arena_new();
	const struct type *t = user_type(a);
	const struct type *ms = type_map(a, &type_string);
	char deep[300];
	size_t i;
	static const char *trunc = "{\"user\":[{\"name\":\"a\",\"age\":1}]}";

#define EF(ty, lit, want, path) expect_fail(a, ty, lit, strlen(lit), want, path)
	EF(t, "{\"user\":[{\"name\":\"a\"},{\"name\":7.5e400}]}", NULL, NULL);
	EF(t, "{\"user\":[{},{},{\"name\":[]}]}",
	   "user[2].name: a string is required", "user[2].name");
	EF(t, "{\"user\":{}}", "user: a list is required", "user");
	EF(ms, "{\"a\":\"x\",\"a\":\"y\"}", "duplicate", NULL);
	EF(ms, "{\"a\":\"\xc3\x28\"}", NULL, NULL);
	EF(ms, "{\"a\":\"x\"} x", NULL, NULL);
	EF(ms, "{\"a\\u0000b\":\"x\"}", "NUL", NULL);
	EF(&type_number, "\"12x\"", "a number is required", NULL);
	EF(&type_bool, "\"yes\"", "a bool is required", NULL);
	EF(&type_dynamic, "{\"value\":1}", "missing type", NULL);
	EF(&type_dynamic, "{\"value\":1,\"type\":\"blob\"}", "invalid type",
	   NULL);
	EF(&type_dynamic, "{\"value\":1,\"type\":\"number\",\"x\":1}",
	   "invalid key", NULL);
#undef EF
	expect_fail(a, &type_string, "", 0, NULL, NULL);
	for (i = 0; i < strlen(trunc); i++) {
		char *copy = malloc(i ? i : 1);

		memcpy(copy, trunc, i);
		expect_fail(a, t, copy, i, NULL, NULL);
		free(copy);
	}
	for (i = 0; i < 150; i++) {
		deep[i] = '[';
		deep[150 + i] = ']';
	}
	expect_fail(a, &type_dynamic, deep, sizeof(deep), NULL, NULL);
	arena_free(a);
}

static void test_encode_unknown_fails_with_path(void)
{
	struct arena *a = arena_new();
	const struct type *t = user_type(a);
	const struct type *u = t->types[0]->elem;
	const struct value *users[1], *v;
	struct diags d;
	char *out;
	size_t len;

	users[0] = value_object(a, u, (const struct value *const[]){
					value_int(a, 3),
					value_unknown(a, &type_string) });
	v = value_object(a, t, (const struct value *const[]){
				 value_list(a, u, 1, users) });
	diags_init(&d, a);
	CHECK_INT(codec_json_encode(a, t, v, &out, &len, &d), -1);
	CHECK_INT(d.len, 1);
	diags_init(&d, a);
	CHECK_INT(codec_json_encode(a, &type_string, value_stringn(a, "\xff", 1),
				    &out, &len, &d), -1);
	CHECK_INT(d.errors, 1);
	diags_init(&d, a);
	CHECK_INT(codec_json_encode(a, t, v, &out, &len, &d), -1);
	if (d.len == 1) {
		CHECK_STR(d.items[0].detail, "user[0].name: value is not known");
		CHECK_STR(path_string(a, d.items[0].path), "user[0].name");
	}
	arena_free(a);
}

static void test_type_json_round_trip(void)
{
	struct arena *a = arena_new();
	static const char *types[] = {
		"\"string\"",
		"\"dynamic\"",
		"[\"list\",\"number\"]",
		"[\"set\",[\"map\",\"bool\"]]",
		"[\"tuple\",[\"string\",[\"list\",\"dynamic\"]]]",
		"[\"tuple\",[]]",
		"[\"object\",{}]",
		"[\"object\",{\"a\":\"string\",\"b\":[\"object\",{\"c\":\"number\"}]}]",
		"[\"object\",{\"a\":\"string\",\"b\":\"number\",\"c\":\"bool\"},[\"a\",\"c\"]]",
	};
	static const char *bad[] = {
		"", "\"str\"", "[\"list\"]", "[\"list\",\"string\",1]",
		"[\"object\",{\"a\":\"string\"},[\"b\"]]", "[\"tuple\",\"string\"]",
		"{}", "[\"object\",{\"a\":\"string\",\"a\":\"number\"}]", "42",
	};
	struct diags d;
	size_t i;

	diags_init(&d, a);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct type *t = codec_type_from_json(a, types[i],
							    strlen(types[i]),
							    &d);

		CHECK(t != NULL);
		if (t)
			CHECK_STR(codec_type_to_json(a, t), types[i]);
	}
	{
		const struct type *t = codec_type_from_json(a, types[8],
							    strlen(types[8]),
							    &d);

		CHECK(t && t->optional && t->optional[0] && !t->optional[1] &&
		      t->optional[2]);
		CHECK(t && !type_equal(t, codec_type_from_json(
					      a, types[7], strlen(types[7]), &d)));
	}
	CHECK_INT(d.len, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		diags_init(&d, a);
		CHECK(codec_type_from_json(a, bad[i], strlen(bad[i]), &d) ==
		      NULL);
		CHECK_INT(d.errors, 1);
	}
	arena_free(a);
}

int main(void)
{
	RUN(test_golden_both_directions);
	RUN(test_exact_numbers);
	RUN(test_cty_json_leniencies);
	RUN(test_lenient_drops_removed_attributes);
	RUN(test_malformed);
	RUN(test_encode_unknown_fails_with_path);
	RUN(test_type_json_round_trip);
	return check_summary();
}
