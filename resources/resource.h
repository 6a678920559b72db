/*
 * resource.h - what a managed resource type exports: one descriptor with its
 * schema and operations.  The provider layer (provider/) does the protocol
 * work: decoding, generic planning, Terraform's rules, encoding.  Resources
 * never see protobuf-c types.
 *
 * Every operation gets the per-RPC context (arena, diagnostics, logger,
 * configured provider, stop flag, deadline) and returns 0 or -1.  On -1 at
 * least one error diagnostic was added to ctx->diags.
 *
 * Values passed in are never NULL: a missing object is a null value of the
 * schema's implied type.  Values returned are arena memory.
 *
 * Operations must be safe to run concurrently for different resources (no
 * mutable statics).
 */
#ifndef RESOURCES_RESOURCE_H
#define RESOURCES_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "schema/schema.h"
#include "schema/value.h"

struct aws_session;

/* What ConfigureProvider gives resource operations (ctx->env). */
struct resource_env {
	/* Configured with unknown values: nothing below is meaningful. */
	bool deferred;
	const struct aws_session *aws;	/* aws/session.h; NULL if deferred */
	struct {
		size_t n;
		const char *const *keys;	/* sorted */
		const char *const *values;
	} default_tags;
};

struct bytes {
	const void *ptr;
	size_t len;
};

/* Input and output of one resource operation.  Fields not used by an
 * operation are NULL / empty. */
struct resource_op {
	const struct value *prior;	/* prior state (null when creating) */
	const struct value *config;	/* configuration */
	const struct value *proposed;	/* Terraform's proposed new state */
	const struct value *planned;	/* plan: in/out; apply: in */
	struct bytes prior_private;
	struct bytes planned_private;

	/* outputs */
	const struct value *new_state;	/* read/apply/import result; NULL
					 * from read means "gone" */
	struct bytes new_private;
	const struct path *requires_replace;	/* plan: added paths */
	size_t n_requires_replace;
	const char *import_id;		/* import: the user's id */
};

struct resource {
	const char *type_name;		/* "secure_redis_cluster" */
	const struct schema *schema;

	/* Optional: extra validation beyond the schema (which provider/ has
	 * already checked).  op->config may hold unknown values. */
	int (*validate)(struct ctx *c, struct resource_op *op);

	/* Optional: adjusts op->planned after the generic planner ran (config
	 * copied, computed attributes unknown unless prior knows them,
	 * requires_replace from ATTR_FORCE_NEW).  Must not call AWS. */
	int (*plan)(struct ctx *c, struct resource_op *op);

	/* Apply: set op->new_state.  On failure set op->new_state to what
	 * exists so far (partial state) and return -1. */
	int (*create)(struct ctx *c, struct resource_op *op);
	int (*update)(struct ctx *c, struct resource_op *op);
	int (*delete)(struct ctx *c, struct resource_op *op);

	/* Refresh: from op->prior set op->new_state (NULL = gone). */
	int (*read)(struct ctx *c, struct resource_op *op);

	/* Import: from op->import_id set op->new_state (a value that read()
	 * will complete). */
	int (*import)(struct ctx *c, struct resource_op *op);

	/* Optional: upgrades raw JSON state written under schema version
	 * `from` to the current schema.  NULL means: decode the JSON with the
	 * current schema, dropping attributes it no longer has. */
	int (*upgrade)(struct ctx *c, int64_t from, const char *json,
		       size_t len, const struct value **out);

	/* Optional: default timeouts (ms) for the `timeouts` block. */
	int64_t timeout_create_ms, timeout_update_ms, timeout_delete_ms,
		timeout_read_ms;
};

/* The registry: every resource type the provider serves, NULL-terminated.
 * Test builds (PROVIDER_TEST_FIXTURES) add fixture resources. */
extern const struct resource *const resources_all[];

const struct resource *resource_find(const char *type_name);

#endif
