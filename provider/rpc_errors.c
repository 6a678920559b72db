/*
 * rpc_errors.c - the answer to a request that does not decode as protobuf.
 *
 * Every tfplugin6 response carries its problems in a `diagnostics` field
 * (StopProvider in its `Error` string); the transport calls rpc_bad_request
 * so a malformed request gets a readable error diagnostic in the method's
 * own response rather than a bare gRPC status.
 */
#include "provider/dynval.h"
#include "provider/rpc.h"

#include <string.h>

int rpc_bad_request(struct ctx *c, const struct rpc_method *m,
		    ProtobufCMessage *resp)
{
	const ProtobufCFieldDescriptor *f;
	const char *detail = "The request message could not be decoded as "
		"protobuf: it is truncated, corrupted, or from an "
		"incompatible protocol version. The provider keeps serving.";

	f = protobuf_c_message_descriptor_get_field_by_name(m->resp, "diagnostics");
	if (f && f->label == PROTOBUF_C_LABEL_REPEATED &&
	    f->type == PROTOBUF_C_TYPE_MESSAGE) {
		size_t *n = (size_t *)((char *)resp + f->quantifier_offset);
		Tfplugin6__Diagnostic ***items =
			(Tfplugin6__Diagnostic ***)((char *)resp + f->offset);

		diag_error(&c->diags, NULL, "Malformed request",
			   "%s: %s", m->name, detail);
		rpc_diags_to_proto(c, n, items);
		return 0;
	}
	/* StopProvider.Response spells it "Error". */
	f = protobuf_c_message_descriptor_get_field_by_name(m->resp, "Error");
	if (f && f->type == PROTOBUF_C_TYPE_STRING &&
	    f->label != PROTOBUF_C_LABEL_REPEATED) {
		*(char **)((char *)resp + f->offset) =
			arena_sprintf(c->arena, "malformed %s request: %s",
				      m->name, detail);
		return 0;
	}
	return -1;
}
