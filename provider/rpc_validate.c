/*
 * rpc_validate.c - ValidateProviderConfig, ValidateResourceConfig and the
 * Validate* methods of object kinds the provider does not have.
 *
 * Configuration may hold unknown values at validation time (values from
 * other resources); schema_validate_config and the resource validators
 * accept them.  Every problem is collected, with its attribute path.
 */
#include "provider/config.h"
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "provider/rpc_unsupported.h"
#include "schema/timeouts.h"
#include "resources/resource.h"

RPC_UNARY(rpc_validate_provider_config)
{
	const Tfplugin6__ValidateProviderConfig__Request *req =
		(const Tfplugin6__ValidateProviderConfig__Request *)req_msg;
	Tfplugin6__ValidateProviderConfig__Response *resp =
		(Tfplugin6__ValidateProviderConfig__Response *)resp_msg;
	const struct schema_block *b = provider_config_schema.block;
	const struct value *cfg;

	(void)ps;
	if (dynval_decode(c, req->config, schema_block_type(c->arena, b),
			  "provider configuration", &cfg) == 0) {
		schema_validate_config(c->arena, b, cfg, &c->diags);
		provider_config_validate(c, cfg);
	}
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

/* Reports every write-only attribute set in v (Terraform older than 1.11
 * cannot handle them: the client says so in its capabilities). */
static void reject_write_only(struct ctx *c, const struct schema_block *b,
			      const struct value *v, struct path p)
{
	size_t i, j;

	if (!value_is_known(v))
		return;
	for (i = 0; i < b->n_attrs; i++) {
		const struct value *av = value_attr(v, b->attrs[i].name);
		struct path ap;

		if (!(b->attrs[i].flags & ATTR_WRITE_ONLY) || !av ||
		    value_is_null(av))
			continue;
		ap = path_attr(c->arena, p, b->attrs[i].name);
		diag_error(&c->diags, &ap, "Write-only attribute not allowed",
			   "\"%s\" is write-only, which needs Terraform 1.11 "
			   "or later.", b->attrs[i].name);
	}
	for (i = 0; i < b->n_blocks; i++) {
		const struct schema_nested_block *nb = &b->blocks[i];
		const struct value *bv = value_attr(v, nb->type_name);
		struct path bp;

		if (!bv || !value_is_known(bv))
			continue;
		bp = path_attr(c->arena, p, nb->type_name);
		if (nb->nesting == NEST_SINGLE || nb->nesting == NEST_GROUP) {
			reject_write_only(c, nb->block, bv, bp);
			continue;
		}
		for (j = 0; j < bv->u.coll.n; j++) {
			struct path ep = nb->nesting == NEST_MAP ?
				path_key(c->arena, bp, bv->u.coll.keys[j]) :
				nb->nesting == NEST_LIST ?
				path_index(c->arena, bp, (int64_t)j) : bp;

			reject_write_only(c, nb->block, bv->u.coll.items[j],
					  ep);
		}
	}
}

static bool has_timeouts_block(const struct schema_block *b)
{
	return schema_find_block(b, "timeouts") != NULL;
}

RPC_UNARY(rpc_validate_resource_config)
{
	const Tfplugin6__ValidateResourceConfig__Request *req =
		(const Tfplugin6__ValidateResourceConfig__Request *)req_msg;
	Tfplugin6__ValidateResourceConfig__Response *resp =
		(Tfplugin6__ValidateResourceConfig__Response *)resp_msg;
	const struct resource *r = rpc_resource_lookup(c, req->type_name);
	const struct schema_block *b;
	const struct value *cfg;
	struct resource_op op = { 0 };

	(void)ps;
	if (!r)
		goto out;
	b = r->schema->block;
	if (dynval_decode(c, req->config, schema_block_type(c->arena, b),
			  "configuration", &cfg) < 0)
		goto out;
	schema_validate_config(c->arena, b, cfg, &c->diags);
	if (has_timeouts_block(b))
		timeouts_validate(c, cfg);
	if (!req->client_capabilities ||
	    !req->client_capabilities->write_only_attributes_allowed)
		reject_write_only(c, b, cfg, path_root);
	if (r->validate) {	/* collect every error, not just the first */
		op.config = cfg;
		r->validate(c, &op);
	}
out:
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

#define UNSUPPORTED_VALIDATE(fn, Req, Resp, kind)                            \
	RPC_UNARY(fn)                                                        \
	{                                                                    \
		const Req *req = (const Req *)req_msg;                       \
		Resp *resp = (Resp *)resp_msg;                               \
                                                                             \
		(void)ps;                                                    \
		rpc_unsupported(c, kind, req->type_name);                    \
		rpc_diags_to_proto(c, &resp->n_diagnostics,                  \
				   &resp->diagnostics);                      \
		return 0;                                                    \
	}

UNSUPPORTED_VALIDATE(rpc_validate_data_resource_config,
		     Tfplugin6__ValidateDataResourceConfig__Request,
		     Tfplugin6__ValidateDataResourceConfig__Response,
		     "data source")
UNSUPPORTED_VALIDATE(rpc_validate_ephemeral_resource_config,
		     Tfplugin6__ValidateEphemeralResourceConfig__Request,
		     Tfplugin6__ValidateEphemeralResourceConfig__Response,
		     "ephemeral resource type")
UNSUPPORTED_VALIDATE(rpc_validate_list_resource_config,
		     Tfplugin6__ValidateListResourceConfig__Request,
		     Tfplugin6__ValidateListResourceConfig__Response,
		     "list resource type")
UNSUPPORTED_VALIDATE(rpc_validate_action_config,
		     Tfplugin6__ValidateActionConfig__Request,
		     Tfplugin6__ValidateActionConfig__Response, "action")
