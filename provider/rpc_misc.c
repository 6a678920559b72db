/*
 * rpc_misc.c - the Provider methods for features this provider does not
 * offer: resource identity upgrades, list resources, actions and state
 * stores.  GetProviderSchema advertises none of them, so Terraform does
 * not call these for valid configurations; a call gets a clear error
 * diagnostic (on streams: one message carrying it), never UNIMPLEMENTED.
 */
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "provider/rpc_unsupported.h"

#define UNSUPPORTED_UNARY(fn, Req, Resp, field, kind)                        \
	RPC_UNARY(fn)                                                        \
	{                                                                    \
		const Req *req = (const Req *)req_msg;                       \
		Resp *resp = (Resp *)resp_msg;                               \
                                                                             \
		(void)ps;                                                    \
		rpc_unsupported(c, kind, req->field);                        \
		rpc_diags_to_proto(c, &resp->n_diagnostics,                  \
				   &resp->diagnostics);                      \
		return 0;                                                    \
	}

UNSUPPORTED_UNARY(rpc_upgrade_resource_identity,
		  Tfplugin6__UpgradeResourceIdentity__Request,
		  Tfplugin6__UpgradeResourceIdentity__Response, type_name,
		  "resource identity for type")
UNSUPPORTED_UNARY(rpc_plan_action, Tfplugin6__PlanAction__Request,
		  Tfplugin6__PlanAction__Response, action_type, "action")
UNSUPPORTED_UNARY(rpc_validate_state_store_config,
		  Tfplugin6__ValidateStateStore__Request,
		  Tfplugin6__ValidateStateStore__Response, type_name,
		  "state store")
UNSUPPORTED_UNARY(rpc_configure_state_store,
		  Tfplugin6__ConfigureStateStore__Request,
		  Tfplugin6__ConfigureStateStore__Response, type_name,
		  "state store")
UNSUPPORTED_UNARY(rpc_lock_state, Tfplugin6__LockState__Request,
		  Tfplugin6__LockState__Response, type_name, "state store")
UNSUPPORTED_UNARY(rpc_unlock_state, Tfplugin6__UnlockState__Request,
		  Tfplugin6__UnlockState__Response, type_name, "state store")
UNSUPPORTED_UNARY(rpc_get_states, Tfplugin6__GetStates__Request,
		  Tfplugin6__GetStates__Response, type_name, "state store")
UNSUPPORTED_UNARY(rpc_delete_state, Tfplugin6__DeleteState__Request,
		  Tfplugin6__DeleteState__Response, type_name, "state store")

RPC_UNARY(rpc_write_state_bytes)
{
	const Tfplugin6__WriteStateBytes__RequestChunk *req =
		(const Tfplugin6__WriteStateBytes__RequestChunk *)req_msg;
	Tfplugin6__WriteStateBytes__Response *resp =
		(Tfplugin6__WriteStateBytes__Response *)resp_msg;
	const char *name = NULL;

	(void)ps;
	if (req->_meta_case ==
	    TFPLUGIN6__WRITE_STATE_BYTES__REQUEST_CHUNK___META_META &&
	    req->meta)
		name = req->meta->type_name;
	rpc_unsupported(c, "state store", name);
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_STREAM(rpc_list_resource)
{
	const Tfplugin6__ListResource__Request *req =
		(const Tfplugin6__ListResource__Request *)req_msg;
	Tfplugin6__ListResource__Event *ev;

	(void)ps;
	ev = RPC_NEW(c->arena, tfplugin6__list_resource__event,
		     Tfplugin6__ListResource__Event);
	rpc_unsupported(c, "list resource type", req->type_name);
	rpc_diags_to_proto(c, &ev->n_diagnostic, &ev->diagnostic);
	rpc_stream_send(s, &ev->base);	/* client gone: nothing to do */
	return 0;
}

RPC_STREAM(rpc_invoke_action)
{
	const Tfplugin6__InvokeAction__Request *req =
		(const Tfplugin6__InvokeAction__Request *)req_msg;
	Tfplugin6__InvokeAction__Event *ev;
	Tfplugin6__InvokeAction__Event__Completed *done;

	(void)ps;
	ev = RPC_NEW(c->arena, tfplugin6__invoke_action__event,
		     Tfplugin6__InvokeAction__Event);
	done = RPC_NEW(c->arena, tfplugin6__invoke_action__event__completed,
		       Tfplugin6__InvokeAction__Event__Completed);
	rpc_unsupported(c, "action", req->action_type);
	rpc_diags_to_proto(c, &done->n_diagnostics, &done->diagnostics);
	ev->type_case = TFPLUGIN6__INVOKE_ACTION__EVENT__TYPE_COMPLETED;
	ev->completed = done;
	rpc_stream_send(s, &ev->base);
	return 0;
}

RPC_STREAM(rpc_read_state_bytes)
{
	const Tfplugin6__ReadStateBytes__Request *req =
		(const Tfplugin6__ReadStateBytes__Request *)req_msg;
	Tfplugin6__ReadStateBytes__Response *msg;

	(void)ps;
	msg = RPC_NEW(c->arena, tfplugin6__read_state_bytes__response,
		      Tfplugin6__ReadStateBytes__Response);
	rpc_unsupported(c, "state store", req->type_name);
	rpc_diags_to_proto(c, &msg->n_diagnostics, &msg->diagnostics);
	rpc_stream_send(s, &msg->base);
	return 0;
}
