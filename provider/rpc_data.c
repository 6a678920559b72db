/*
 * rpc_data.c - ReadDataSource.  The provider has no data sources yet
 * (GetProviderSchema lists none), so Terraform never calls this for a valid
 * configuration; a call answers with an error diagnostic.
 */
#include "provider/dynval.h"
#include "provider/rpc_handlers.h"
#include "provider/rpc_unsupported.h"

RPC_UNARY(rpc_read_data_source)
{
	const Tfplugin6__ReadDataSource__Request *req =
		(const Tfplugin6__ReadDataSource__Request *)req_msg;
	Tfplugin6__ReadDataSource__Response *resp =
		(Tfplugin6__ReadDataSource__Response *)resp_msg;

	(void)ps;
	rpc_unsupported(c, "data source", req->type_name);
	rpc_diags_to_proto(c, &resp->n_diagnostics, &resp->diagnostics);
	return 0;
}
