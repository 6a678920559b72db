/*
 * rpc_ephemeral.c - OpenEphemeralResource, RenewEphemeralResource,
 * CloseEphemeralResource.  No ephemeral resource types exist (none in
 * GetProviderSchema): each answers with an error diagnostic.
 * ValidateEphemeralResourceConfig lives with the other validators.
 */
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "provider/rpc_unsupported.h"

RPC_UNARY(rpc_open_ephemeral_resource)
{
	const Tfplugin6__OpenEphemeralResource__Request *req =
		(const Tfplugin6__OpenEphemeralResource__Request *)req_msg;
	Tfplugin6__OpenEphemeralResource__Response *resp =
		(Tfplugin6__OpenEphemeralResource__Response *)resp_msg;

	(void)ps;
	rpc_unsupported(c, "ephemeral resource type", req->type_name);
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_renew_ephemeral_resource)
{
	const Tfplugin6__RenewEphemeralResource__Request *req =
		(const Tfplugin6__RenewEphemeralResource__Request *)req_msg;
	Tfplugin6__RenewEphemeralResource__Response *resp =
		(Tfplugin6__RenewEphemeralResource__Response *)resp_msg;

	(void)ps;
	rpc_unsupported(c, "ephemeral resource type", req->type_name);
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_close_ephemeral_resource)
{
	const Tfplugin6__CloseEphemeralResource__Request *req =
		(const Tfplugin6__CloseEphemeralResource__Request *)req_msg;
	Tfplugin6__CloseEphemeralResource__Response *resp =
		(Tfplugin6__CloseEphemeralResource__Response *)resp_msg;

	(void)ps;
	rpc_unsupported(c, "ephemeral resource type", req->type_name);
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}
