/*
 * test_schema.c - implied types, lookups, config validation, write-only
 * nulling.
 */
#include "tests/check.h"

#include "core/arena.h"
#include "core/diag.h"
#include "schema/schema.h"
#include "schema/value.h"

#include <string.h>

static const struct type list_of_string = TYPE_LIST_OF(&type_string);

static const struct schema_attr endpoint_attrs[] = {
	{ .name = "address", .type = &type_string, .flags = ATTR_COMPUTED },
	{ .name = "port", .type = &type_number, .flags = ATTR_OPTIONAL },
};
static const struct schema_object endpoint_obj = {
	.nesting = NEST_LIST, .n_attrs = 2, .attrs = endpoint_attrs,
};

static const struct schema_attr rule_attrs[] = {
	{ .name = "cidr", .type = &type_string, .flags = ATTR_REQUIRED },
	{ .name = "secret", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_WRITE_ONLY },
};
static const struct schema_block rule_block = {
	.n_attrs = 2, .attrs = rule_attrs,
};
static const struct schema_attr log_attrs[] = {
	{ .name = "dest", .type = &type_string, .flags = ATTR_OPTIONAL },
};
static const struct schema_block log_block = {
	.n_attrs = 1, .attrs = log_attrs,
};
static const struct schema_nested_block top_blocks[] = {
	{ .type_name = "rule", .nesting = NEST_LIST, .block = &rule_block,
	  .min_items = 1, .max_items = 2 },
	{ .type_name = "log", .nesting = NEST_SET, .block = &log_block,
	  .max_items = 1, .flags = ATTR_DEPRECATED },
	{ .type_name = "timeouts", .nesting = NEST_SINGLE, .block = &log_block },
};
static const struct schema_attr top_attrs[] = {
	{ .name = "name", .type = &type_string, .flags = ATTR_REQUIRED },
	{ .name = "arn", .type = &type_string, .flags = ATTR_COMPUTED },
	{ .name = "zones", .type = &list_of_string,
	  .flags = ATTR_OPTIONAL | ATTR_COMPUTED },
	{ .name = "old", .type = &type_bool,
	  .flags = ATTR_OPTIONAL | ATTR_DEPRECATED },
	{ .name = "password", .type = &type_string,
	  .flags = ATTR_OPTIONAL | ATTR_SENSITIVE | ATTR_WRITE_ONLY },
	{ .name = "endpoints", .nested = &endpoint_obj,
	  .flags = ATTR_OPTIONAL },
};
static const struct schema_block top = {
	.n_attrs = 6, .attrs = top_attrs, .n_blocks = 3, .blocks = top_blocks,
};

static void test_implied_type(void)
{
	struct arena *a = arena_new();
	const struct type *t = schema_block_type(a, &top);

	CHECK_STR(type_gostring(a, t),
		  "cty.Object(map[string]cty.Type{"
		  "\"arn\":cty.String, "
		  "\"endpoints\":cty.List(cty.Object(map[string]cty.Type{"
		  "\"address\":cty.String, \"port\":cty.Number})), "
		  "\"log\":cty.Set(cty.Object(map[string]cty.Type{"
		  "\"dest\":cty.String})), "
		  "\"name\":cty.String, \"old\":cty.Bool, "
		  "\"password\":cty.String, "
		  "\"rule\":cty.List(cty.Object(map[string]cty.Type{"
		  "\"cidr\":cty.String, \"secret\":cty.String})), "
		  "\"timeouts\":cty.Object(map[string]cty.Type{"
		  "\"dest\":cty.String}), "
		  "\"zones\":cty.List(cty.String)})");
	CHECK(schema_find_attr(&top, "zones") == &top_attrs[2]);
	CHECK(schema_find_attr(&top, "rule") == NULL);
	CHECK(schema_find_block(&top, "rule") == &top_blocks[0]);
	CHECK(schema_find_block(&top, "nope") == NULL);
	arena_free(a);
}

/* A list block whose content is dynamic is itself dynamic. */
static void test_implied_type_dynamic_block(void)
{
	static const struct schema_attr dyn_attrs[] = {
		{ .name = "v", .type = &type_dynamic, .flags = ATTR_OPTIONAL },
	};
	static const struct schema_block dyn_block = {
		.n_attrs = 1, .attrs = dyn_attrs,
	};
	static const struct schema_nested_block blocks[] = {
		{ .type_name = "l", .nesting = NEST_LIST, .block = &dyn_block },
		{ .type_name = "s", .nesting = NEST_SET, .block = &dyn_block },
	};
	static const struct schema_block b = { .n_blocks = 2, .blocks = blocks };
	struct arena *a = arena_new();

	CHECK_STR(type_gostring(a, schema_block_type(a, &b)),
		  "cty.Object(map[string]cty.Type{\"l\":cty.DynamicPseudoType, "
		  "\"s\":cty.Set(cty.Object(map[string]cty.Type{"
		  "\"v\":cty.DynamicPseudoType}))})");
	arena_free(a);
}

/* Builds a config for `top` with the given pieces (NULL = null). */
static const struct value *config(struct arena *a, const struct value *name,
				  const struct value *arn,
				  const struct value *old,
				  const struct value *endpoints,
				  const struct value *rules,
				  const struct value *logs)
{
	const struct type *t = schema_block_type(a, &top);
	const struct value *items[9];
	size_t i;

	for (i = 0; i < t->n; i++)
		items[i] = value_null(a, t->types[i]);
	/* arn endpoints log name old password rule timeouts zones */
	if (arn)
		items[0] = arn;
	if (endpoints)
		items[1] = endpoints;
	if (logs)
		items[2] = logs;
	if (name)
		items[3] = name;
	if (old)
		items[4] = old;
	if (rules)
		items[6] = rules;
	return value_object(a, t, items);
}

static const struct value *rule(struct arena *a, const struct value *cidr)
{
	const struct type *t = schema_block_type(a, &rule_block);
	const struct value *items[2] = { cidr, value_string(a, "s3cr3t") };

	return value_object(a, t, items);
}

static const struct value *rules(struct arena *a, size_t n,
				 const struct value *cidr)
{
	const struct value *items[4];
	size_t i;

	for (i = 0; i < n; i++)
		items[i] = rule(a, cidr);
	return value_list(a, schema_block_type(a, &rule_block), n, items);
}

static void test_validate_ok_and_unknowns(void)
{
	struct arena *a = arena_new();
	struct diags d;
	const struct value *c;

	diags_init(&d, a);
	c = config(a, value_string(a, "x"), NULL, NULL, NULL,
		   rules(a, 1, value_string(a, "10.0.0.0/8")), NULL);
	CHECK_INT(schema_validate_config(a, &top, c, &d), 0);
	CHECK_INT(d.len, 0);
	/* unknown name, unknown rule list: nothing to complain about */
	c = config(a, value_unknown(a, &type_string), NULL, NULL, NULL,
		   value_unknown(a, type_list(a, schema_block_type(a, &rule_block))),
		   NULL);
	CHECK_INT(schema_validate_config(a, &top, c, &d), 0);
	CHECK_INT(d.len, 0);
	/* a wholly unknown config */
	CHECK_INT(schema_validate_config(a, &top,
					 value_unknown(a, schema_block_type(a, &top)),
					 &d), 0);
	CHECK_INT(d.len, 0);
	arena_free(a);
}

static void test_validate_collects_all_errors(void)
{
	struct arena *a = arena_new();
	struct diags d;
	const struct value *c, *ep;
	const struct type *ept = schema_attr_type(a, &top_attrs[5]);
	const struct value *epitems[2];
	size_t i;
	bool seen[6] = { false };

	diags_init(&d, a);
	epitems[0] = value_string(a, "set-by-user");	/* address: computed */
	epitems[1] = value_int(a, 1);
	ep = value_list(a, ept->elem, 1,
			(const struct value *const[]){
				value_object(a, ept->elem, epitems) });
	c = config(a, NULL, value_string(a, "arn:x"), value_bool(a, true), ep,
		   rules(a, 3, value_null(a, &type_string)), NULL);
	CHECK_INT(schema_validate_config(a, &top, c, &d), -1);
	for (i = 0; i < d.len; i++) {
		const char *p = path_string(a, d.items[i].path);

		if (strcmp(p, "name") == 0 &&
		    strcmp(d.items[i].summary, "Missing required argument") == 0)
			seen[0] = true;
		else if (strcmp(p, "arn") == 0 &&
			 d.items[i].severity == DIAG_ERROR)
			seen[1] = true;
		else if (strcmp(p, "old") == 0 &&
			 d.items[i].severity == DIAG_WARNING)
			seen[2] = true;
		else if (strcmp(p, "endpoints[0].address") == 0)
			seen[3] = true;
		else if (strcmp(p, "rule") == 0 &&
			 strstr(d.items[i].detail, "No more than 2"))
			seen[4] = true;
		else if (strncmp(p, "rule[", 5) == 0 &&
			 strstr(p, "].cidr"))
			seen[5] = true;
		else {
			fprintf(stderr, "unexpected diag %s: %s\n", p,
				d.items[i].detail);
			CHECK(0);
		}
	}
	for (i = 0; i < 6; i++)
		CHECK(seen[i]);
	/* name, arn, address, too many rules, 3 x cidr */
	CHECK_INT(d.errors, 7);
	CHECK_INT(d.len, 8);
	arena_free(a);
}

static void test_validate_min_items_and_deprecated_block(void)
{
	struct arena *a = arena_new();
	struct diags d;
	const struct value *c, *logs, *log;
	const struct type *lt = schema_block_type(a, &log_block);

	diags_init(&d, a);
	log = value_object(a, lt, (const struct value *const[]){
				   value_string(a, "s3") });
	logs = value_set(a, lt, 1, &log);
	c = config(a, value_string(a, "x"), NULL, NULL, NULL,
		   rules(a, 0, NULL), logs);
	CHECK_INT(schema_validate_config(a, &top, c, &d), -1);
	CHECK_INT(d.errors, 1);
	CHECK_INT(d.len, 2);
	CHECK_STR(d.items[0].detail, "At least 1 \"rule\" blocks are required.");
	CHECK_STR(path_string(a, d.items[0].path), "rule");
	CHECK(d.items[1].severity == DIAG_WARNING);
	CHECK_STR(path_string(a, d.items[1].path), "log");
	arena_free(a);
}

static void test_null_write_only(void)
{
	struct arena *a = arena_new();
	const struct value *c, *out, *r0;
	const char *s;
	const struct type *t = schema_block_type(a, &top);
	const struct value *items[9];
	size_t i;

	c = config(a, value_string(a, "x"), NULL, NULL, NULL,
		   rules(a, 2, value_string(a, "1.2.3.4/32")), NULL);
	for (i = 0; i < t->n; i++)
		items[i] = c->u.coll.items[i];
	items[5] = value_string(a, "hunter2");	/* password */
	c = value_object(a, t, items);
	out = schema_null_write_only(a, &top, c);
	CHECK(value_is_null(value_attr(out, "password")));
	CHECK(value_get_string(value_attr(out, "name"), &s) &&
	      strcmp(s, "x") == 0);
	r0 = value_attr(out, "rule")->u.coll.items[1];
	CHECK(value_is_null(value_attr(r0, "secret")));
	CHECK(value_get_string(value_attr(r0, "cidr"), &s) &&
	      strcmp(s, "1.2.3.4/32") == 0);
	CHECK(value_conforms(out, t));
	/* the input is untouched */
	CHECK(value_get_string(value_attr(c, "password"), &s));
	/* null and unknown pass through */
	CHECK(schema_null_write_only(a, &top, value_null(a, t))->state ==
	      VALUE_NULL);
	arena_free(a);
}

int main(void)
{
	RUN(test_implied_type);
	RUN(test_implied_type_dynamic_block);
	RUN(test_validate_ok_and_unknowns);
	RUN(test_validate_collects_all_errors);
	RUN(test_validate_min_items_and_deprecated_block);
	RUN(test_null_write_only);
	return check_summary();
}
