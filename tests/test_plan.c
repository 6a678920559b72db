/*
 * test_plan.c - the generic planner and Terraform's plan/apply rules
 * (schema/plan.c).
 */
#include "tests/check.h"

#include <stdarg.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "schema/plan.h"
#include "schema/schema.h"
#include "schema/value.h"

static const struct type map_of_string = TYPE_MAP_OF(&type_string);

static const struct schema_attr rule_attrs[] = {
	{ .name = "port", .type = &type_number,
	  .flags = ATTR_REQUIRED | ATTR_FORCE_NEW },
	{ .name = "proto", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_COMPUTED },
};

static const struct schema_block rule_block = { .n_attrs = 2,
						.attrs = rule_attrs };

static const struct schema_attr attrs[] = {
	{ .name = "id", .type = &type_string, .flags = ATTR_COMPUTED },
	{ .name = "name", .type = &type_string,
	  .flags = ATTR_REQUIRED | ATTR_FORCE_NEW },
	{ .name = "desc", .type = &type_string, .flags = ATTR_OPTIONAL },
	{ .name = "size", .type = &type_number,
	  .flags = ATTR_OPTIONAL | ATTR_COMPUTED },
	{ .name = "secret", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_WRITE_ONLY | ATTR_SENSITIVE },
	{ .name = "tags", .type = &map_of_string, .flags = ATTR_OPTIONAL },
};

static const struct schema_nested_block blocks[] = {
	{ .type_name = "rule", .nesting = NEST_LIST, .block = &rule_block },
};

static const struct schema_block blk = {
	.n_attrs = 6, .attrs = attrs, .n_blocks = 1, .blocks = blocks,
};

static struct arena *A;
static const struct type *T, *RT;

/* An object of type t: named attributes from the NULL-terminated
 * (name, value) list, the rest null (list blocks empty). */
static const struct value *obj(const struct type *t, ...)
{
	const struct value **items = arena_calloc(A, t->n, sizeof(*items));
	const char *name;
	va_list ap;
	size_t i;

	for (i = 0; i < t->n; i++)
		items[i] = t->types[i]->kind == TYPE_LIST ?
			value_list(A, t->types[i]->elem, 0, NULL) :
			value_null(A, t->types[i]);
	va_start(ap, t);
	while ((name = va_arg(ap, const char *))) {
		int k = type_attr_index(t, name);

		items[k] = va_arg(ap, const struct value *);
	}
	va_end(ap);
	return value_object(A, t, items);
}

static const struct value *S(const char *s)
{
	return value_string(A, s);
}

static const struct value *N(int64_t n)
{
	return value_int(A, n);
}

static const struct value *U(const struct type *t)
{
	return value_unknown(A, t);
}

static const struct value *rules(size_t n, ...)
{
	const struct value *items[8];
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		items[i] = va_arg(ap, const struct value *);
	va_end(ap);
	return value_list(A, RT, n, items);
}

static void setup(void)
{
	A = arena_new();
	T = schema_block_type(A, &blk);
	RT = schema_block_type(A, &rule_block);
}

static const char *path0(const struct plan_result *r, size_t i)
{
	return path_string(A, r->requires_replace[i]);
}

static void test_create_marks_computed_unknown(void)
{
	struct diags d;
	struct plan_result r;
	const struct value *cfg, *p;

	setup();
	diags_init(&d, A);
	cfg = obj(T, "name", S("a"), "secret", S("pw"), "rule",
		  rules(1, obj(RT, "port", N(80), NULL)), NULL);
	CHECK_INT(plan_resource(A, &blk, value_null(A, T), cfg, cfg, &r, &d),
		  0);
	p = r.planned;
	CHECK(value_is_unknown(value_attr(p, "id")));
	CHECK(value_is_unknown(value_attr(p, "size")));
	CHECK(value_is_null(value_attr(p, "desc")));	/* not computed */
	CHECK(value_is_null(value_attr(p, "secret")));	/* write-only */
	CHECK(value_is_unknown(value_attr(
		value_attr(p, "rule")->u.coll.items[0], "proto")));
	CHECK_INT(r.n_requires_replace, 0);
	CHECK_INT(plan_check_planned(A, &blk, value_null(A, T), cfg, p, &d),
		  0);
	CHECK_INT(d.len, 0);
	arena_free(A);
}

static void test_create_keeps_config_values(void)
{
	struct diags d;
	struct plan_result r;
	const struct value *cfg;

	setup();
	diags_init(&d, A);
	cfg = obj(T, "name", S("a"), "size", N(3), "desc", U(&type_string),
		  NULL);
	plan_resource(A, &blk, value_null(A, T), cfg, cfg, &r, &d);
	CHECK(value_equal(value_attr(r.planned, "size"), N(3)));
	CHECK(value_is_unknown(value_attr(r.planned, "desc")));
	CHECK_INT(plan_check_planned(A, &blk, value_null(A, T), cfg,
				     r.planned, &d), 0);
	arena_free(A);
}

static void test_update_no_change_keeps_prior(void)
{
	struct diags d;
	struct plan_result r;
	const struct value *prior, *cfg, *proposed;

	setup();
	diags_init(&d, A);
	prior = obj(T, "id", S("x1"), "name", S("a"), "size", N(1), "rule",
		    rules(1, obj(RT, "port", N(80), "proto", S("tcp"), NULL)),
		    NULL);
	cfg = obj(T, "name", S("a"), "rule",
		  rules(1, obj(RT, "port", N(80), NULL)), NULL);
	/* Terraform's ProposedNew: computed values from prior */
	proposed = prior;
	plan_resource(A, &blk, prior, proposed, cfg, &r, &d);
	CHECK(value_equal(r.planned, prior));
	CHECK_INT(r.n_requires_replace, 0);
	CHECK_INT(plan_check_planned(A, &blk, prior, cfg, r.planned, &d), 0);
	arena_free(A);
}

static void test_update_force_new(void)
{
	struct diags d;
	struct plan_result r;
	const struct value *prior, *cfg;

	setup();
	diags_init(&d, A);
	prior = obj(T, "id", S("x1"), "name", S("a"), "size", N(1), NULL);
	cfg = obj(T, "id", S("x1"), "name", S("b"), "size", N(1), NULL);
	plan_resource(A, &blk, prior, cfg, cfg, &r, &d);
	CHECK_INT(r.n_requires_replace, 1);
	if (r.n_requires_replace == 1)
		CHECK_STR(path0(&r, 0), "name");
	/* an in-place change is not a replacement */
	cfg = obj(T, "id", S("x1"), "name", S("a"), "size", N(1), "desc",
		  S("new"), NULL);
	plan_resource(A, &blk, prior, cfg, cfg, &r, &d);
	CHECK_INT(r.n_requires_replace, 0);
	/* unknown counts as a change */
	cfg = obj(T, "id", S("x1"), "name", U(&type_string), "size", N(1),
		  NULL);
	plan_resource(A, &blk, prior, cfg, cfg, &r, &d);
	CHECK_INT(r.n_requires_replace, 1);
	arena_free(A);
}

static void test_nested_force_new_and_new_elements(void)
{
	struct diags d;
	struct plan_result r;
	const struct value *prior, *proposed, *cfg, *rl;

	setup();
	diags_init(&d, A);
	prior = obj(T, "id", S("x1"), "name", S("a"), "rule",
		    rules(1, obj(RT, "port", N(80), "proto", S("tcp"), NULL)),
		    NULL);
	cfg = obj(T, "name", S("a"), "rule",
		  rules(2, obj(RT, "port", N(81), NULL),
			obj(RT, "port", N(90), NULL)), NULL);
	proposed = obj(T, "id", S("x1"), "name", S("a"), "rule",
		       rules(2, obj(RT, "port", N(81), "proto", S("tcp"), NULL),
			     obj(RT, "port", N(90), NULL)), NULL);
	plan_resource(A, &blk, prior, proposed, cfg, &r, &d);
	rl = value_attr(r.planned, "rule");
	CHECK_STR(value_attr(rl->u.coll.items[0], "proto")->u.str.ptr, "tcp");
	CHECK(value_is_unknown(value_attr(rl->u.coll.items[1], "proto")));
	CHECK_INT(r.n_requires_replace, 1);
	if (r.n_requires_replace == 1)
		CHECK_STR(path0(&r, 0), "rule");	/* count changed */
	prior = obj(T, "id", S("x1"), "name", S("a"), "rule",
		    rules(2, obj(RT, "port", N(80), "proto", S("tcp"), NULL),
			  obj(RT, "port", N(90), "proto", S("udp"), NULL)),
		    NULL);
	proposed = obj(T, "id", S("x1"), "name", S("a"), "rule",
		       rules(2, obj(RT, "port", N(80), "proto", S("tcp"), NULL),
			     obj(RT, "port", N(91), "proto", S("udp"), NULL)),
		       NULL);
	plan_resource(A, &blk, prior, proposed, proposed, &r, &d);
	CHECK_INT(r.n_requires_replace, 1);
	if (r.n_requires_replace == 1)
		CHECK_STR(path0(&r, 0), "rule[1].port");
	CHECK_INT(d.len, 0);
	arena_free(A);
}

static void test_destroy(void)
{
	struct diags d;
	struct plan_result r;
	const struct value *prior;

	setup();
	diags_init(&d, A);
	prior = obj(T, "id", S("x1"), "name", S("a"), NULL);
	CHECK_INT(plan_resource(A, &blk, prior, value_null(A, T),
				value_null(A, T), &r, &d), 0);
	CHECK(value_is_null(r.planned));
	CHECK_INT(r.n_requires_replace, 0);
	CHECK_INT(plan_check_planned(A, &blk, prior, value_null(A, T),
				     r.planned, &d), 0);
	/* a non-object proposal is rejected, not crashed on */
	CHECK_INT(plan_resource(A, &blk, prior, S("x"), S("x"), &r, &d), -1);
	CHECK_INT(d.errors, 1);
	arena_free(A);
}

static void test_check_planned_violations(void)
{
	struct diags d;
	const struct value *cfg, *bad;

	setup();
	diags_init(&d, A);
	cfg = obj(T, "name", S("a"), "desc", S("d"), NULL);
	/* non-computed attribute changed by the provider */
	bad = obj(T, "id", U(&type_string), "name", S("a"), "desc", S("x"),
		  "size", U(&type_number), NULL);
	CHECK_INT(plan_check_planned(A, &blk, value_null(A, T), cfg, bad, &d),
		  -1);
	CHECK_INT(d.errors, 1);
	CHECK(d.len == 1 && d.items[0].has_path);
	if (d.len == 1)
		CHECK_STR(path_string(A, d.items[0].path), "desc");
	/* a value for a non-computed attribute absent from config */
	diags_init(&d, A);
	cfg = obj(T, "name", S("a"), NULL);
	bad = obj(T, "id", U(&type_string), "name", S("a"), "desc", S("x"),
		  "size", U(&type_number), NULL);
	CHECK_INT(plan_check_planned(A, &blk, value_null(A, T), cfg, bad, &d),
		  -1);
	/* block count differs from config */
	diags_init(&d, A);
	cfg = obj(T, "name", S("a"), "rule",
		  rules(1, obj(RT, "port", N(1), NULL)), NULL);
	bad = obj(T, "id", U(&type_string), "name", S("a"),
		  "size", U(&type_number), NULL);
	CHECK_INT(plan_check_planned(A, &blk, value_null(A, T), cfg, bad, &d),
		  -1);
	if (d.len)
		CHECK_STR(path_string(A, d.items[0].path), "rule");
	/* the sensitive value never shows in a message */
	diags_init(&d, A);
	cfg = obj(T, "name", S("a"), NULL);
	bad = obj(T, "name", S("a"), "secret", S("hunter2"), NULL);
	plan_check_planned(A, &blk, value_null(A, T), cfg, bad, &d);
	CHECK(d.len == 1 && !strstr(d.items[0].detail, "hunter2"));
	arena_free(A);
}

static void test_check_applied(void)
{
	struct diags d;
	const struct value *planned, *good, *bad;

	setup();
	diags_init(&d, A);
	planned = obj(T, "id", U(&type_string), "name", S("a"),
		      "size", N(2), NULL);
	good = obj(T, "id", S("x9"), "name", S("a"), "size", N(2), NULL);
	CHECK_INT(plan_check_applied(A, &blk, planned, good, &d), 0);
	bad = obj(T, "id", S("x9"), "name", S("a"), "size", N(3), NULL);
	CHECK_INT(plan_check_applied(A, &blk, planned, bad, &d), -1);
	if (d.len)
		CHECK_STR(path_string(A, d.items[0].path), "size");
	diags_init(&d, A);
	CHECK_INT(plan_check_applied(A, &blk, planned, planned, &d), -1);
	CHECK_INT(d.errors, 1);	/* unknown values after apply */
	arena_free(A);
}

/* ---- nested attribute types ---- */

static const struct schema_attr ep_attrs[] = {
	{ .name = "host", .type = &type_string, .flags = ATTR_REQUIRED },
	{ .name = "port", .type = &type_number,
	  .flags = ATTR_OPTIONAL | ATTR_COMPUTED },
};

static const struct schema_object ep_list = {
	.nesting = NEST_LIST, .n_attrs = 2, .attrs = ep_attrs,
};

static const struct schema_attr n_attrs[] = {
	{ .name = "name", .type = &type_string, .flags = ATTR_REQUIRED },
	{ .name = "endpoints", .nested = &ep_list, .flags = ATTR_OPTIONAL },
};

static const struct schema_block nblk = { .n_attrs = 2, .attrs = n_attrs };

static void test_nested_attributes(void)
{
	const struct type *t, *et;
	const struct value *cfg, *bad, *e1, *e2;
	struct plan_result r;
	struct diags d;

	setup();
	diags_init(&d, A);
	t = schema_block_type(A, &nblk);
	et = t->types[type_attr_index(t, "endpoints")]->elem;
	e1 = obj(et, "host", S("a"), NULL);
	cfg = obj(t, "name", S("n"), "endpoints", value_list(A, et, 1, &e1),
		  NULL);
	CHECK_INT(plan_resource(A, &nblk, value_null(A, t), cfg, cfg, &r, &d),
		  0);
	e2 = value_attr(r.planned, "endpoints")->u.coll.items[0];
	CHECK(value_is_unknown(value_attr(e2, "port")));
	CHECK_INT(plan_check_planned(A, &nblk, value_null(A, t), cfg,
				     r.planned, &d), 0);
	/* the provider changed a required nested attribute */
	e2 = obj(et, "host", S("b"), "port", N(1), NULL);
	bad = obj(t, "name", S("n"), "endpoints", value_list(A, et, 1, &e2),
		  NULL);
	CHECK_INT(plan_check_planned(A, &nblk, value_null(A, t), cfg, bad, &d),
		  -1);
	if (d.len == 1)
		CHECK_STR(path_string(A, d.items[0].path), "endpoints[0].host");
	CHECK_INT(d.len, 1);
	arena_free(A);
}

int main(void)
{
	RUN(test_create_marks_computed_unknown);
	RUN(test_create_keeps_config_values);
	RUN(test_update_no_change_keeps_prior);
	RUN(test_update_force_new);
	RUN(test_nested_force_new_and_new_elements);
	RUN(test_destroy);
	RUN(test_check_planned_violations);
	RUN(test_check_applied);
	RUN(test_nested_attributes);
	return check_summary();
}
