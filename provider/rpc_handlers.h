/*
 * rpc_handlers.h - every tfplugin6.Provider handler, one prototype each.
 *
 * Internal to provider/: methods.c puts these in the rpc_methods table, the
 * unit tests call them directly.  Each follows rpc_unary_fn or
 * rpc_stream_fn (rpc.h): the request and response live in ctx->arena and
 * are owned by the caller; a handler reports user-facing problems as
 * diagnostics in the response and returns 0 (nonzero = provider bug).
 *
 * Thread-safety: handlers run concurrently; they read ps->config (acquire)
 * and never write shared state except ConfigureProvider (publishes config)
 * and StopProvider (sets stop).
 */
#ifndef PROVIDER_RPC_HANDLERS_H
#define PROVIDER_RPC_HANDLERS_H

#include "provider/rpc.h"

#define RPC_UNARY(fn)                                                        \
	int fn(struct provider_state *ps, struct ctx *c,                     \
	       const ProtobufCMessage *req_msg, ProtobufCMessage *resp_msg)
#define RPC_STREAM(fn)                                                       \
	int fn(struct provider_state *ps, struct ctx *c,                     \
	       const ProtobufCMessage *req_msg, struct rpc_stream *s)

/* rpc_schema.c */
RPC_UNARY(rpc_get_metadata);
RPC_UNARY(rpc_get_provider_schema);
RPC_UNARY(rpc_get_resource_identity_schemas);

/* rpc_validate.c */
RPC_UNARY(rpc_validate_provider_config);
RPC_UNARY(rpc_validate_resource_config);
RPC_UNARY(rpc_validate_data_resource_config);
RPC_UNARY(rpc_validate_ephemeral_resource_config);
RPC_UNARY(rpc_validate_list_resource_config);
RPC_UNARY(rpc_validate_action_config);

/* rpc_configure.c */
RPC_UNARY(rpc_configure_provider);
RPC_UNARY(rpc_stop_provider);

/* rpc_resource.c */
RPC_UNARY(rpc_upgrade_resource_state);
RPC_UNARY(rpc_read_resource);
RPC_UNARY(rpc_plan_resource_change);
RPC_UNARY(rpc_apply_resource_change);
RPC_UNARY(rpc_import_resource_state);
RPC_UNARY(rpc_move_resource_state);
RPC_UNARY(rpc_generate_resource_config);

/* rpc_data.c */
RPC_UNARY(rpc_read_data_source);

/* rpc_ephemeral.c */
RPC_UNARY(rpc_open_ephemeral_resource);
RPC_UNARY(rpc_renew_ephemeral_resource);
RPC_UNARY(rpc_close_ephemeral_resource);

/* rpc_functions.c */
RPC_UNARY(rpc_get_functions);
RPC_UNARY(rpc_call_function);

/* rpc_misc.c: identity, list, actions, state stores */
RPC_UNARY(rpc_upgrade_resource_identity);
RPC_STREAM(rpc_list_resource);
RPC_UNARY(rpc_plan_action);
RPC_STREAM(rpc_invoke_action);
RPC_UNARY(rpc_validate_state_store_config);
RPC_UNARY(rpc_configure_state_store);
RPC_STREAM(rpc_read_state_bytes);
RPC_UNARY(rpc_write_state_bytes);
RPC_UNARY(rpc_lock_state);
RPC_UNARY(rpc_unlock_state);
RPC_UNARY(rpc_get_states);
RPC_UNARY(rpc_delete_state);

/* rpc_resource.c: the resource type named type_name, or NULL with an
 * "Unknown resource type" error diagnostic.  Also sets c->resource_type
 * for logging. */
struct resource;
const struct resource *rpc_resource_lookup(struct ctx *c,
					   const char *type_name);

#endif
