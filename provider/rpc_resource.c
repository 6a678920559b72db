/*
 * rpc_resource.c - the managed resource lifecycle: UpgradeResourceState,
 * ReadResource, PlanResourceChange, ApplyResourceChange,
 * ImportResourceState, MoveResourceState, GenerateResourceConfig.
 *
 * The protocol work lives here, the resource only does its own job
 * (resources/resource.h): decode every DynamicValue with the resource
 * schema's implied type, run the generic planner (schema/plan.c), call the
 * resource's hook, then enforce Terraform's rules on what comes back
 * (write-only attributes null, no unknowns after apply, plan and apply
 * consistency, values conforming to the schema) so that a resource bug is
 * an error diagnostic, never a crash or a Terraform-side panic.
 *
 * Not done here: resource identity (no resource has one), legacy flatmap
 * state (answered with an error), moving state between resource types.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider/config.h"
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "schema/timeouts.h"
#include "resources/resource.h"
#include "schema/codec.h"
#include "schema/plan.h"

const struct resource *rpc_resource_lookup(struct ctx *c, const char *type_name)
{
	const struct resource *r = resource_find(type_name ? type_name : "");

	if (!r) {
		diag_error(&c->diags, NULL, "Unknown resource type",
			   "The provider \"secure\" has no resource type "
			   "\"%s\".", type_name ? type_name : "");
		return NULL;
	}
	c->resource_type = r->type_name;
	return r;
}

static bool config_deferred(const struct ctx *c)
{
	return c->env && c->env->deferred;
}

static Tfplugin6__Deferred *deferred_provider(struct ctx *c)
{
	Tfplugin6__Deferred *d = RPC_NEW(c->arena, tfplugin6__deferred,
					 Tfplugin6__Deferred);

	d->reason = TFPLUGIN6__DEFERRED__REASON__PROVIDER_CONFIG_UNKNOWN;
	return d;
}

static void set_deadline(struct ctx *c, int64_t ms)
{
	int64_t at;

	if (ms <= 0)
		return;
	at = ctx_now_ms() + ms;
	if (!c->deadline_ms || at < c->deadline_ms)
		c->deadline_ms = at;
}

static ProtobufCBinaryData bytes_out(struct bytes b, ProtobufCBinaryData dflt)
{
	ProtobufCBinaryData out = dflt;

	if (b.ptr) {
		out.data = (uint8_t *)b.ptr;
		out.len = b.len;
	}
	return out;
}

static struct bytes bytes_in(ProtobufCBinaryData b)
{
	struct bytes out = { b.data, b.len };

	return out;
}

/* Replaces unknown values by nulls (partial state after a failed apply
 * must be storable). */
static const struct value *unknowns_to_null(struct arena *a,
					    const struct value *v)
{
	const struct value **items;
	size_t i;

	if (value_is_unknown(v))
		return value_null(a, v->type);
	if (!value_is_known(v) || !value_has_unknown(v))
		return v;
	items = arena_calloc(a, v->u.coll.n + 1, sizeof(*items));
	for (i = 0; i < v->u.coll.n; i++)
		items[i] = unknowns_to_null(a, v->u.coll.items[i]);
	switch (v->type->kind) {
	case TYPE_OBJECT:
		return value_object(a, v->type, items);
	case TYPE_TUPLE:
		return value_tuple(a, v->type, v->u.coll.n, items);
	case TYPE_LIST:
		return value_list(a, v->type->elem, v->u.coll.n, items);
	case TYPE_SET:
		return value_set(a, v->type->elem, v->u.coll.n, items);
	case TYPE_MAP:
		return value_map(a, v->type->elem, v->u.coll.n, v->u.coll.keys,
				 items);
	default:
		return v;
	}
}

/* What a resource returns as state: an object of the schema type (checked
 * by the encoder), write-only attributes null, wholly known. */
static Tfplugin6__DynamicValue *encode_state(struct ctx *c,
					     const struct resource *r,
					     const struct type *t,
					     const struct value *v,
					     const char *what)
{
	struct path p;

	if (!v)
		v = value_null(c->arena, t);
	if (!value_is_null(v) && value_is_known(v) &&
	    v->type->kind == TYPE_OBJECT)
		v = schema_null_write_only(c->arena, r->schema->block, v);
	if (dynval_find_unknown(c->arena, v, &p)) {
		diag_error(&c->diags, &p, "Provider produced an invalid value",
			   "The %s holds an unknown value at \"%s\"; state "
			   "must be wholly known. This is a bug in the "
			   "provider.", what, path_string(c->arena, p));
		v = unknowns_to_null(c->arena, v);
	}
	return dynval_encode(c, t, v, what);
}

/* ---- UpgradeResourceState ---- */

static int upgrade_decode(struct ctx *c, const struct type *t,
			  const char *json, size_t len,
			  const struct value **out)
{
	struct diags d;
	size_t i;

	/* Attributes the schema no longer has are dropped; numbers stay
	 * exact (the codec reads their text, not doubles). */
	diags_init(&d, c->arena);
	if (codec_json_decode_lenient(c->arena, t, json, len, out, &d) == 0)
		return 0;
	for (i = 0; i < d.len; i++)
		diag_add(&c->diags, d.items[i].severity,
			 d.items[i].has_path ? &d.items[i].path : NULL,
			 "Invalid raw state",
			 "The stored state cannot be read with the current schema: %s: %s",
			 d.items[i].summary, d.items[i].detail);
	return -1;
}

RPC_UNARY(rpc_upgrade_resource_state)
{
	const Tfplugin6__UpgradeResourceState__Request *req =
		(const Tfplugin6__UpgradeResourceState__Request *)req_msg;
	Tfplugin6__UpgradeResourceState__Response *resp =
		(Tfplugin6__UpgradeResourceState__Response *)resp_msg;
	const struct resource *r = rpc_resource_lookup(c, req->type_name);
	const struct value *v = NULL;
	const struct type *t;
	const char *json;
	size_t len;

	(void)ps;
	if (!r)
		goto out;
	t = schema_block_type(c->arena, r->schema->block);
	if (!req->raw_state || (req->raw_state->json.len == 0 &&
				req->raw_state->n_flatmap == 0)) {
		diag_error(&c->diags, NULL, "Invalid raw state",
			   "UpgradeResourceState received no state");
		goto out;
	}
	if (req->raw_state->json.len == 0) {
		diag_error(&c->diags, NULL, "Unsupported legacy state",
			   "The state of this %s is in the legacy flatmap "
			   "format (Terraform 0.11 and earlier), which this "
			   "provider cannot read. Remove it from the state and "
			   "import the resource again.", r->type_name);
		goto out;
	}
	if (req->version > r->schema->version || req->version < 0) {
		diag_error(&c->diags, NULL, "Unsupported state version",
			   "The state of this %s was written with schema "
			   "version %lld, but this provider supports version "
			   "%lld and earlier. Use a newer provider release.",
			   r->type_name, (long long)req->version,
			   (long long)r->schema->version);
		goto out;
	}
	json = (const char *)req->raw_state->json.data;
	len = req->raw_state->json.len;
	if (req->version < r->schema->version && r->upgrade) {
		if (r->upgrade(c, req->version, json, len, &v) < 0 || !v) {
			if (!diags_has_errors(&c->diags))
				diag_error(&c->diags, NULL, "State upgrade "
					   "failed", "the resource's upgrade "
					   "returned no state");
			goto out;
		}
	} else if (upgrade_decode(c, t, json, len, &v) < 0) {
		goto out;
	}
	resp->upgraded_state = encode_state(c, r, t, v, "upgraded state");
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

/* ---- ReadResource ---- */

RPC_UNARY(rpc_read_resource)
{
	const Tfplugin6__ReadResource__Request *req =
		(const Tfplugin6__ReadResource__Request *)req_msg;
	Tfplugin6__ReadResource__Response *resp =
		(Tfplugin6__ReadResource__Response *)resp_msg;
	const struct resource *r = rpc_resource_lookup(c, req->type_name);
	struct resource_op op = { 0 };
	const struct value *state;
	const struct type *t;

	(void)ps;
	resp->private_ = req->private_;
	if (!r)
		goto out;
	t = schema_block_type(c->arena, r->schema->block);
	if (dynval_decode(c, req->current_state, t, "current state",
			  &state) < 0)
		goto out;
	if (config_deferred(c) || value_is_null(state)) {
		if (config_deferred(c))
			resp->deferred = deferred_provider(c);
		resp->new_state = dynval_encode(c, t, state, "state");
		goto out;
	}
	op.prior = state;
	op.prior_private = bytes_in(req->private_);
	set_deadline(c, timeouts_get(state, TIMEOUTS_READ, r->timeout_read_ms));
	if (!r->read || r->read(c, &op) < 0) {
		/* Terraform keeps the prior state when read fails; a
		 * resource without read keeps it too. */
		resp->new_state = dynval_encode(c, t, state, "state");
		goto out;
	}
	if (!op.new_state)
		ctx_log(c, LOG_INFO, "resource no longer exists: removing it "
			"from the state");
	resp->new_state = encode_state(c, r, t, op.new_state, "new state");
	resp->private_ = bytes_out(op.new_private, req->private_);
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

/* ---- PlanResourceChange ---- */

static Tfplugin6__AttributePath **replace_to_proto(struct ctx *c,
						   const struct plan_result *pr,
						   size_t *n)
{
	Tfplugin6__AttributePath **out;
	size_t i;

	out = arena_calloc(c->arena, pr->n_requires_replace + 1, sizeof(*out));
	for (i = 0; i < pr->n_requires_replace; i++)
		out[i] = dynval_path_to_proto(c->arena,
					      pr->requires_replace[i]);
	*n = pr->n_requires_replace;
	return out;
}

static void add_hook_replace(struct ctx *c, struct plan_result *pr,
			     const struct resource_op *op)
{
	struct path *all;
	size_t i, n = pr->n_requires_replace + op->n_requires_replace;

	if (!op->n_requires_replace)
		return;
	all = arena_calloc(c->arena, n, sizeof(*all));
	for (i = 0; i < pr->n_requires_replace; i++)
		all[i] = pr->requires_replace[i];
	for (i = 0; i < op->n_requires_replace; i++) {
		size_t j;
		bool dup = false;

		for (j = 0; j < pr->n_requires_replace; j++)
			if (path_equal(all[j], op->requires_replace[i]))
				dup = true;
		if (!dup)
			all[pr->n_requires_replace++] = op->requires_replace[i];
	}
	pr->requires_replace = all;
}

/* Runs the generic planner, the resource's hook and the validity checks.
 * Returns the planned value or NULL (diagnostics added). */
static const struct value *plan_run(struct ctx *c, const struct resource *r,
				    struct resource_op *op,
				    struct plan_result *pr)
{
	const struct schema_block *b = r->schema->block;

	if (plan_resource(c->arena, b, op->prior, op->proposed, op->config,
			  pr, &c->diags) < 0)
		return NULL;
	if (value_is_null(pr->planned) || config_deferred(c) || !r->plan)
		return pr->planned;
	op->planned = pr->planned;
	if (r->plan(c, op) < 0)
		return NULL;
	if (!op->planned || value_is_null(op->planned)) {
		diag_error(&c->diags, NULL, "Provider produced invalid plan",
			   "The %s plan hook returned no planned state. This "
			   "is a bug in the provider.", r->type_name);
		return NULL;
	}
	pr->planned = schema_null_write_only(c->arena, b, op->planned);
	pr->n_requires_replace = 0;
	pr->requires_replace = NULL;
	plan_requires_replace(c->arena, b, op->prior, pr->planned, pr);
	add_hook_replace(c, pr, op);
	return pr->planned;
}

RPC_UNARY(rpc_plan_resource_change)
{
	const Tfplugin6__PlanResourceChange__Request *req =
		(const Tfplugin6__PlanResourceChange__Request *)req_msg;
	Tfplugin6__PlanResourceChange__Response *resp =
		(Tfplugin6__PlanResourceChange__Response *)resp_msg;
	const struct resource *r = rpc_resource_lookup(c, req->type_name);
	struct resource_op op = { 0 };
	struct plan_result pr = { 0 };
	const struct value *planned;
	const struct type *t;

	(void)ps;
	if (!r)
		goto out;
	t = schema_block_type(c->arena, r->schema->block);
	if (dynval_decode(c, req->prior_state, t, "prior state",
			  &op.prior) < 0 ||
	    dynval_decode(c, req->proposed_new_state, t, "proposed new state",
			  &op.proposed) < 0 ||
	    dynval_decode(c, req->config, t, "configuration", &op.config) < 0)
		goto out;
	op.prior_private = bytes_in(req->prior_private);
	planned = plan_run(c, r, &op, &pr);
	if (!planned)
		goto out;
	if (plan_check_planned(c->arena, r->schema->block, op.prior,
			       op.config, planned, &c->diags) < 0)
		goto out;
	resp->planned_state = dynval_encode(c, t, planned, "planned state");
	if (!resp->planned_state)
		goto out;
	resp->requires_replace = replace_to_proto(c, &pr,
						  &resp->n_requires_replace);
	/* An in-place update the resource cannot perform yet: say so now,
	 * not only when the apply fails. */
	if (!r->update && !value_is_null(op.prior) && !value_is_null(planned) &&
	    !pr.n_requires_replace && !value_equal(op.prior, planned))
		diag_warn(&c->diags, NULL, "Update in place not supported yet",
			  "This version of the provider cannot update %s in "
			  "place; applying this plan will fail for it without "
			  "changing anything. Replace it (terraform apply "
			  "-replace=...) or revert the change.", r->type_name);
	resp->planned_private = bytes_out(op.new_private, req->prior_private);
	if (config_deferred(c))
		resp->deferred = deferred_provider(c);
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

/* ---- ApplyResourceChange ---- */

enum apply_kind { APPLY_CREATE, APPLY_UPDATE, APPLY_DELETE };

/* A resource may lack an operation (update in place not written yet): the
 * apply fails with an explanation and the prior state stays as it was. */
static int apply_missing(struct ctx *c, const struct resource *r,
			 const char *what)
{
	return diag_error(&c->diags, NULL, "Operation not supported",
			  "%s cannot be %s by this version of the provider. "
			  "Nothing was changed. To apply this change, replace the "
			  "resource (terraform apply -replace=...), or revert the "
			  "change in the configuration.",
			  r->type_name, what);
}

static int apply_run(struct ctx *c, const struct resource *r,
		     struct resource_op *op, enum apply_kind kind)
{
	if ((kind == APPLY_DELETE && !r->delete) ||
	    (kind == APPLY_CREATE && !r->create) ||
	    (kind == APPLY_UPDATE && !r->update))
		return apply_missing(c, r, kind == APPLY_DELETE ? "deleted"
				     : kind == APPLY_CREATE ? "created"
				     : "updated in place");
	switch (kind) {
	case APPLY_DELETE:
		set_deadline(c, timeouts_get(op->prior, TIMEOUTS_DELETE,
					     r->timeout_delete_ms));
		return r->delete(c, op);
	case APPLY_CREATE:
		set_deadline(c, timeouts_get(op->planned, TIMEOUTS_CREATE,
					     r->timeout_create_ms));
		return r->create(c, op);
	case APPLY_UPDATE:
		set_deadline(c, timeouts_get(op->planned, TIMEOUTS_UPDATE,
					     r->timeout_update_ms));
		return r->update(c, op);
	}
	return -1;
}

/* The state to send after apply: on success the resource's new state
 * (null after delete); on failure the partial state it reported, else
 * what existed before. */
static const struct value *apply_result(struct ctx *c,
					const struct resource *r,
					const struct resource_op *op,
					enum apply_kind kind, int rc)
{
	if (rc < 0) {
		if (!diags_has_errors(&c->diags))
			diag_error(&c->diags, NULL, "Apply failed",
				   "%s failed without saying why.",
				   r->type_name);
		return op->new_state ? op->new_state : op->prior;
	}
	if (kind == APPLY_DELETE)
		return value_null(c->arena, op->prior->type);
	if (!op->new_state || value_is_null(op->new_state)) {
		diag_error(&c->diags, NULL, "Provider produced inconsistent "
			   "result after apply", "%s returned no state after "
			   "%s. This is a bug in the provider.", r->type_name,
			   kind == APPLY_CREATE ? "create" : "update");
		return op->prior;
	}
	/* unknowns are reported (with their path) by encode_state */
	if (!value_has_unknown(op->new_state))
		plan_check_applied(c->arena, r->schema->block, op->planned,
				   op->new_state, &c->diags);
	return op->new_state;
}

RPC_UNARY(rpc_apply_resource_change)
{
	const Tfplugin6__ApplyResourceChange__Request *req =
		(const Tfplugin6__ApplyResourceChange__Request *)req_msg;
	Tfplugin6__ApplyResourceChange__Response *resp =
		(Tfplugin6__ApplyResourceChange__Response *)resp_msg;
	const struct resource *r = rpc_resource_lookup(c, req->type_name);
	struct resource_op op = { 0 };
	const struct type *t;
	enum apply_kind kind;
	int rc;

	(void)ps;
	resp->private_ = req->planned_private;
	if (!r)
		goto out;
	t = schema_block_type(c->arena, r->schema->block);
	if (dynval_decode(c, req->prior_state, t, "prior state",
			  &op.prior) < 0 ||
	    dynval_decode(c, req->planned_state, t, "planned state",
			  &op.planned) < 0 ||
	    dynval_decode(c, req->config, t, "configuration", &op.config) < 0)
		goto out;
	if (config_deferred(c)) {
		diag_error(&c->diags, NULL, "Provider configuration unknown",
			   "The provider configuration depends on values not "
			   "yet known, so %s cannot be applied.", r->type_name);
		goto out;
	}
	if (value_is_null(op.planned) && value_is_null(op.prior)) {
		resp->new_state = dynval_encode(c, t, op.planned, "new state");
		goto out;
	}
	kind = value_is_null(op.planned) ? APPLY_DELETE :
		value_is_null(op.prior) ? APPLY_CREATE : APPLY_UPDATE;
	op.planned_private = bytes_in(req->planned_private);
	op.prior_private = op.planned_private;
	rc = apply_run(c, r, &op, kind);
	resp->new_state = encode_state(c, r, t,
				       apply_result(c, r, &op, kind, rc),
				       "new state");
	resp->private_ = bytes_out(op.new_private, req->planned_private);
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

/* ---- ImportResourceState ---- */

RPC_UNARY(rpc_import_resource_state)
{
	const Tfplugin6__ImportResourceState__Request *req =
		(const Tfplugin6__ImportResourceState__Request *)req_msg;
	Tfplugin6__ImportResourceState__Response *resp =
		(Tfplugin6__ImportResourceState__Response *)resp_msg;
	const struct resource *r = rpc_resource_lookup(c, req->type_name);
	Tfplugin6__ImportResourceState__ImportedResource *ir;
	struct resource_op op = { 0 };
	const struct type *t;

	(void)ps;
	if (!r)
		goto out;
	t = schema_block_type(c->arena, r->schema->block);
	ir = RPC_NEW(c->arena, tfplugin6__import_resource_state__imported_resource,
		     Tfplugin6__ImportResourceState__ImportedResource);
	ir->type_name = (char *)r->type_name;
	if (config_deferred(c)) {
		ir->state = dynval_encode(c, t, value_unknown(c->arena, t),
					  "imported state");
		resp->deferred = deferred_provider(c);
	} else {
		if (!r->import) {
			diag_error(&c->diags, NULL, "Import not supported",
				   "%s cannot be imported.", r->type_name);
			goto out;
		}
		if (!req->id || !*req->id) {
			diag_error(&c->diags, NULL, "Invalid import id",
				   "The import id of %s must not be empty.",
				   r->type_name);
			goto out;
		}
		op.import_id = req->id;
		set_deadline(c, r->timeout_read_ms);
		if (r->import(c, &op) < 0)
			goto out;
		if (!op.new_state || value_is_null(op.new_state)) {
			diag_error(&c->diags, NULL, "Cannot import "
				   "non-existent remote object", "No %s with "
				   "id \"%s\" exists.", r->type_name, req->id);
			goto out;
		}
		ir->state = encode_state(c, r, t, op.new_state,
					 "imported state");
		if (!ir->state)
			goto out;
		ir->private_ = bytes_out(op.new_private, ir->private_);
	}
	resp->imported_resources = arena_calloc(c->arena, 1,
						sizeof(*resp->imported_resources));
	resp->imported_resources[0] = ir;
	resp->n_imported_resources = 1;
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

/* ---- MoveResourceState, GenerateResourceConfig ---- */

RPC_UNARY(rpc_move_resource_state)
{
	const Tfplugin6__MoveResourceState__Request *req =
		(const Tfplugin6__MoveResourceState__Request *)req_msg;
	Tfplugin6__MoveResourceState__Response *resp =
		(Tfplugin6__MoveResourceState__Response *)resp_msg;

	(void)ps;
	if (rpc_resource_lookup(c, req->target_type_name))
		diag_error(&c->diags, NULL, "Unsupported resource move",
			   "%s cannot be created by moving a \"%s\" resource "
			   "of provider \"%s\": no resource of this provider "
			   "accepts moved state. Import the object instead.",
			   req->target_type_name,
			   req->source_type_name ? req->source_type_name : "",
			   req->source_provider_address ?
			   req->source_provider_address : "");
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_generate_resource_config)
{
	const Tfplugin6__GenerateResourceConfig__Request *req =
		(const Tfplugin6__GenerateResourceConfig__Request *)req_msg;
	Tfplugin6__GenerateResourceConfig__Response *resp =
		(Tfplugin6__GenerateResourceConfig__Response *)resp_msg;

	(void)ps;
	if (rpc_resource_lookup(c, req->type_name))
		diag_error(&c->diags, NULL, "Not supported by this provider",
			   "The provider \"secure\" does not generate "
			   "configuration (server capability "
			   "generate_resource_config is off); Terraform "
			   "generates it from the schema.");
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}
