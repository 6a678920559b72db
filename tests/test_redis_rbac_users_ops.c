/*
 * test_redis_rbac_users_ops.c - the parts of
 * resources/redis_rbac_users_ops.c that need no AWS: every operation
 * refuses to run without a configured provider (one clear diagnostic, no
 * crash, no state invented), read of a null prior is "gone", delete of one
 * is done.  The lifecycle against the emulator (create, read and drift,
 * update, delete, import, faults, password leaks) is
 * acceptance/tests/test_redis_rbac_users.py.
 */
#include <string.h>

#include "core/ctx.h"
#include "resources/ops_common.h"
#include "resources/redis_rbac_users.h"
#include "resources/redis_rbac_users_ops.h"
#include "schema/schema.h"
#include "tests/check.h"

/* An object of the resource type with every attribute null but name, id
 * and arn. */
static const struct value *state(struct arena *a)
{
	const struct value *v = ops_empty_state(a, &redis_rbac_users_resource,
						"orders-users");

	return value_with_attr(a, v, "arn", value_string(a, "arn:aws:elasticache:"
			       "us-east-1:123456789012:usergroup:orders-users"));
}

static void expect_unconfigured(struct ctx *c, int rc)
{
	CHECK_INT(rc, -1);
	CHECK_INT(c->diags.errors, 1);
	if (c->diags.len)
		CHECK_STR(c->diags.items[0].summary, "Provider not configured");
	c->diags.len = 0;
	c->diags.errors = 0;
}

static void test_needs_configured_provider(void)
{
	struct resource_op op;
	struct ctx c;

	ctx_init(&c, "ApplyResourceChange", NULL);
	memset(&op, 0, sizeof(op));
	op.planned = state(c.arena);
	op.prior = value_null(c.arena, op.planned->type);
	expect_unconfigured(&c, redis_rbac_users_create(&c, &op));
	CHECK(op.new_state == NULL);
	op.prior = op.planned;
	expect_unconfigured(&c, redis_rbac_users_update(&c, &op));
	expect_unconfigured(&c, redis_rbac_users_read(&c, &op));
	expect_unconfigured(&c, redis_rbac_users_delete(&c, &op));
	op.import_id = "orders-users";
	expect_unconfigured(&c, redis_rbac_users_import(&c, &op));
	op.import_id = "";
	CHECK_INT(redis_rbac_users_import(&c, &op), -1);
	if (c.diags.len)
		CHECK_STR(c.diags.items[0].summary, "Invalid import id");
	ctx_release(&c);
}

static void test_null_prior(void)
{
	struct resource_op op;
	struct ctx c;

	ctx_init(&c, "ReadResource", NULL);
	memset(&op, 0, sizeof(op));
	op.prior = value_null(c.arena, state(c.arena)->type);
	op.new_state = op.prior;
	CHECK_INT(redis_rbac_users_read(&c, &op), 0);
	CHECK(op.new_state == NULL);
	CHECK_INT(redis_rbac_users_delete(&c, &op), 0);
	CHECK_INT(c.diags.len, 0);
	ctx_release(&c);
}

static void test_descriptor_hooked(void)
{
	CHECK(redis_rbac_users_resource.create == redis_rbac_users_create);
	CHECK(redis_rbac_users_resource.read == redis_rbac_users_read);
	CHECK(redis_rbac_users_resource.update == redis_rbac_users_update);
	CHECK(redis_rbac_users_resource.delete == redis_rbac_users_delete);
	CHECK(redis_rbac_users_resource.import == redis_rbac_users_import);
	CHECK(resource_find("secure_redis_rbac_users") ==
	      &redis_rbac_users_resource);
}

int main(void)
{
	RUN(test_needs_configured_provider);
	RUN(test_null_prior);
	RUN(test_descriptor_hooked);
	return check_summary();
}
