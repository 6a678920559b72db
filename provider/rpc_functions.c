/*
 * rpc_functions.c - GetFunctions and CallFunction.  The provider defines no
 * functions: GetFunctions returns an empty map, CallFunction a
 * FunctionError naming the unknown function (CallFunction reports errors
 * only through FunctionError; it has no diagnostics field).
 */
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"

RPC_UNARY(rpc_get_functions)
{
	Tfplugin6__GetFunctions__Response *resp =
		(Tfplugin6__GetFunctions__Response *)resp_msg;

	(void)ps;
	(void)req_msg;
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}

RPC_UNARY(rpc_call_function)
{
	const Tfplugin6__CallFunction__Request *req =
		(const Tfplugin6__CallFunction__Request *)req_msg;
	Tfplugin6__CallFunction__Response *resp =
		(Tfplugin6__CallFunction__Response *)resp_msg;
	Tfplugin6__FunctionError *fe;

	(void)ps;
	fe = RPC_NEW(c->arena, tfplugin6__function_error,
		     Tfplugin6__FunctionError);
	fe->text = arena_sprintf(c->arena,
				 "unknown function \"%s\": the provider "
				 "\"secure\" defines no functions",
				 req->name ? req->name : "");
	resp->error = fe;
	return 0;
}
