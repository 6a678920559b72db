/*
 * sts.c - STS GetCallerIdentity, with diagnostics that name the cause.
 */
#include "sts.h"

#include "aws/client.h"
#include "core/ctx.h"

#include <string.h>

static const char *explain(const struct aws_call *call)
{
	if (aws_error_is(call, "InvalidClientTokenId"))
		return "The access key ID is not valid (InvalidClientTokenId): check the key, or whether it was deleted or belongs to another partition.";
	if (aws_error_is(call, "SignatureDoesNotMatch"))
		return "The secret access key does not match the access key ID (SignatureDoesNotMatch), or the system clock is far off.";
	if (aws_error_is(call, "ExpiredToken") || aws_error_is(call, "ExpiredTokenException"))
		return "The session token has expired (ExpiredToken): refresh the credentials (for example re-run the OIDC step or `aws sso login`).";
	if (aws_error_is(call, "AccessDenied"))
		return "The credentials were refused (AccessDenied).";
	return NULL;
}

int sts_get_caller_identity(struct ctx *c, struct aws_client *cl,
			    struct sts_identity *out)
{
	struct aws_call call;
	const char *why;

	memset(&call, 0, sizeof(call));
	memset(out, 0, sizeof(*out));
	call.service = AWS_STS;
	call.operation = "GetCallerIdentity";
	call.idempotent = true;
	if (aws_call(c, cl, &call) != 0) {
		if (call.err.kind == AWS_ERR_CREDENTIALS && diags_has_errors(&c->diags))
			return -1;	/* the chain already said why */
		why = explain(&call);
		if (why)
			return diag_error(&c->diags, NULL, "Invalid AWS credentials",
					  "%s\n\nSTS GetCallerIdentity: %s: %s (request id %s)",
					  why, call.err.code, call.err.message,
					  call.err.request_id ? call.err.request_id : "unknown");
		return aws_error_diag(c, NULL, &call);
	}
	out->account = xml_text(call.result, "Account");
	out->arn = xml_text(call.result, "Arn");
	out->user_id = xml_text(call.result, "UserId");
	if (!out->account || !out->arn)
		return diag_error(&c->diags, NULL, "STS GetCallerIdentity failed",
				  "the response has no Account or Arn");
	return 0;
}
