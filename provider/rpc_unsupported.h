/*
 * rpc_unsupported.h - the one wording for "this provider has no such
 * thing", shared by the handlers of features the provider lacks (data
 * sources, ephemeral resources, list resources, actions, state stores,
 * identities).  A clear error diagnostic, never gRPC UNIMPLEMENTED.
 */
#ifndef PROVIDER_RPC_UNSUPPORTED_H
#define PROVIDER_RPC_UNSUPPORTED_H

#include "core/ctx.h"

/* Adds: "<Kind> not supported" / "The provider secure has no <kind> named
 * \"<name>\" (it offers none)." and returns -1. */
static inline int rpc_unsupported(struct ctx *c, const char *kind,
				  const char *name)
{
	return diag_error(&c->diags, NULL, "Not supported by this provider",
			  "The provider \"secure\" has no %s named \"%s\": it "
			  "offers no %ss.", kind, name ? name : "", kind);
}

#endif
