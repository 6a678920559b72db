/*
 * rpc_schema.c - GetMetadata, GetProviderSchema, GetResourceIdentitySchemas
 * (tfplugin6.proto, protocol 6.10).
 *
 * Server capabilities: plan_destroy (PlanResourceChange is called for
 * destroy plans too), get_provider_schema_optional (Terraform may skip
 * GetProviderSchema and use cached schemas after GetMetadata), and
 * move_resource_state.  The provider has no data sources, functions,
 * ephemeral, list or action types, state stores or resource identities
 * yet: those maps are sent empty.
 */
#include <string.h>

#include "provider/config.h"
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "provider/schema_proto.h"
#include "resources/resource.h"

static Tfplugin6__ServerCapabilities *capabilities(struct arena *a)
{
	Tfplugin6__ServerCapabilities *sc;

	sc = RPC_NEW(a, tfplugin6__server_capabilities,
		     Tfplugin6__ServerCapabilities);
	sc->plan_destroy = 1;
	sc->get_provider_schema_optional = 1;
	sc->move_resource_state = 1;
	sc->generate_resource_config = 0;
	return sc;
}

static size_t resource_count(void)
{
	size_t n = 0;

	while (resources_all[n])
		n++;
	return n;
}

RPC_UNARY(rpc_get_metadata)
{
	Tfplugin6__GetMetadata__Response *resp =
		(Tfplugin6__GetMetadata__Response *)resp_msg;
	size_t i, n = resource_count();

	(void)ps;
	(void)req_msg;
	resp->server_capabilities = capabilities(c->arena);
	resp->resources = arena_calloc(c->arena, n + 1,
				       sizeof(*resp->resources));
	for (i = 0; i < n; i++) {
		Tfplugin6__GetMetadata__ResourceMetadata *m;

		m = RPC_NEW(c->arena,
			    tfplugin6__get_metadata__resource_metadata,
			    Tfplugin6__GetMetadata__ResourceMetadata);
		m->type_name = (char *)resources_all[i]->type_name;
		resp->resources[i] = m;
	}
	resp->n_resources = n;
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_get_provider_schema)
{
	Tfplugin6__GetProviderSchema__Response *resp =
		(Tfplugin6__GetProviderSchema__Response *)resp_msg;
	size_t i, n = resource_count();

	(void)ps;
	(void)req_msg;
	resp->provider = schema_proto(c->arena, &provider_config_schema);
	resp->server_capabilities = capabilities(c->arena);
	resp->resource_schemas = arena_calloc(c->arena, n + 1,
					      sizeof(*resp->resource_schemas));
	for (i = 0; i < n; i++) {
		Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e;

		e = RPC_NEW(c->arena,
		    tfplugin6__get_provider_schema__response__resource_schemas_entry,
		    Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry);
		e->key = (char *)resources_all[i]->type_name;
		e->value = schema_proto(c->arena, resources_all[i]->schema);
		resp->resource_schemas[i] = e;
	}
	resp->n_resource_schemas = n;
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_get_resource_identity_schemas)
{
	Tfplugin6__GetResourceIdentitySchemas__Response *resp =
		(Tfplugin6__GetResourceIdentitySchemas__Response *)resp_msg;

	(void)ps;
	(void)req_msg;
	/* No resource type has an identity: an empty map, no error. */
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}
