/*
 * methods.c - the table of every tfplugin6.Provider method (proto/
 * tfplugin6.proto, service Provider, protocol 6.10) and its handler.
 *
 * Every method the proto declares is here, so the transport never answers
 * UNIMPLEMENTED for a Provider method: features this provider lacks answer
 * with an error diagnostic instead.
 *
 * WriteStateBytes is client-streaming in the proto; rpc.h has no
 * client-stream interface, so it is listed as unary on one RequestChunk (the
 * provider has no state stores and answers every call with a diagnostic).
 */
#include "provider/rpc.h"

#include <string.h>

#include "provider/rpc_handlers.h"
#include "tfplugin6.pb-c.h"

#define P "/tfplugin6.Provider/"

#define UNARY(name, msg, fn)                                                 \
	{ P name, name, &tfplugin6__##msg##__request__descriptor,            \
	  &tfplugin6__##msg##__response__descriptor, fn, NULL }

const struct rpc_method rpc_methods[] = {
	UNARY("GetMetadata", get_metadata, rpc_get_metadata),
	UNARY("GetProviderSchema", get_provider_schema,
	      rpc_get_provider_schema),
	UNARY("ValidateProviderConfig", validate_provider_config,
	      rpc_validate_provider_config),
	UNARY("ValidateResourceConfig", validate_resource_config,
	      rpc_validate_resource_config),
	UNARY("ValidateDataResourceConfig", validate_data_resource_config,
	      rpc_validate_data_resource_config),
	UNARY("UpgradeResourceState", upgrade_resource_state,
	      rpc_upgrade_resource_state),
	UNARY("GetResourceIdentitySchemas", get_resource_identity_schemas,
	      rpc_get_resource_identity_schemas),
	UNARY("UpgradeResourceIdentity", upgrade_resource_identity,
	      rpc_upgrade_resource_identity),
	UNARY("ConfigureProvider", configure_provider,
	      rpc_configure_provider),
	UNARY("ReadResource", read_resource, rpc_read_resource),
	UNARY("PlanResourceChange", plan_resource_change,
	      rpc_plan_resource_change),
	UNARY("ApplyResourceChange", apply_resource_change,
	      rpc_apply_resource_change),
	UNARY("ImportResourceState", import_resource_state,
	      rpc_import_resource_state),
	UNARY("MoveResourceState", move_resource_state,
	      rpc_move_resource_state),
	UNARY("ReadDataSource", read_data_source, rpc_read_data_source),
	UNARY("GenerateResourceConfig", generate_resource_config,
	      rpc_generate_resource_config),
	UNARY("ValidateEphemeralResourceConfig",
	      validate_ephemeral_resource_config,
	      rpc_validate_ephemeral_resource_config),
	UNARY("OpenEphemeralResource", open_ephemeral_resource,
	      rpc_open_ephemeral_resource),
	UNARY("RenewEphemeralResource", renew_ephemeral_resource,
	      rpc_renew_ephemeral_resource),
	UNARY("CloseEphemeralResource", close_ephemeral_resource,
	      rpc_close_ephemeral_resource),
	{ P "ListResource", "ListResource",
	  &tfplugin6__list_resource__request__descriptor,
	  &tfplugin6__list_resource__event__descriptor, NULL,
	  rpc_list_resource },
	UNARY("ValidateListResourceConfig", validate_list_resource_config,
	      rpc_validate_list_resource_config),
	UNARY("GetFunctions", get_functions, rpc_get_functions),
	UNARY("CallFunction", call_function, rpc_call_function),
	UNARY("ValidateStateStoreConfig", validate_state_store,
	      rpc_validate_state_store_config),
	UNARY("ConfigureStateStore", configure_state_store,
	      rpc_configure_state_store),
	{ P "ReadStateBytes", "ReadStateBytes",
	  &tfplugin6__read_state_bytes__request__descriptor,
	  &tfplugin6__read_state_bytes__response__descriptor, NULL,
	  rpc_read_state_bytes },
	{ P "WriteStateBytes", "WriteStateBytes",
	  &tfplugin6__write_state_bytes__request_chunk__descriptor,
	  &tfplugin6__write_state_bytes__response__descriptor,
	  rpc_write_state_bytes, NULL },
	UNARY("LockState", lock_state, rpc_lock_state),
	UNARY("UnlockState", unlock_state, rpc_unlock_state),
	UNARY("GetStates", get_states, rpc_get_states),
	UNARY("DeleteState", delete_state, rpc_delete_state),
	UNARY("PlanAction", plan_action, rpc_plan_action),
	{ P "InvokeAction", "InvokeAction",
	  &tfplugin6__invoke_action__request__descriptor,
	  &tfplugin6__invoke_action__event__descriptor, NULL,
	  rpc_invoke_action },
	UNARY("ValidateActionConfig", validate_action_config,
	      rpc_validate_action_config),
	UNARY("StopProvider", stop_provider, rpc_stop_provider),
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct rpc_method *rpc_method_find(const char *path)
{
	const struct rpc_method *m;

	if (!path)
		return NULL;
	for (m = rpc_methods; m->path; m++)
		if (strcmp(m->path, path) == 0)
			return m;
	return NULL;
}
