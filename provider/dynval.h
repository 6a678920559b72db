/*
 * dynval.h - glue between tfplugin6 messages and the value model:
 * DynamicValue <-> struct value, diagnostics and attribute paths ->
 * tfplugin6.Diagnostic / AttributePath, and small allocation helpers for
 * response messages.
 *
 * Everything returned lives in the context's arena and dies with the RPC.
 * Failures are reported as error diagnostics on ctx->diags; none of these
 * functions crash on bad input.  Thread-safe (one ctx per thread).
 */
#ifndef PROVIDER_DYNVAL_H
#define PROVIDER_DYNVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "schema/value.h"
#include "tfplugin6.pb-c.h"

/* Allocates a message of type T in the arena and runs its init function:
 *   Tfplugin6__Diagnostic *d = RPC_NEW(c->arena, tfplugin6__diagnostic,
 *                                      Tfplugin6__Diagnostic); */
#define RPC_NEW(arena, prefix, T)                                            \
	__extension__ ({                                                     \
		T *m_ = arena_alloc((arena), sizeof(T));                     \
		prefix##__init(m_);                                          \
		m_;                                                          \
	})

/* Decodes dv (msgpack, else JSON) as type t.  A missing message (dv NULL)
 * is a null value.  On malformed input adds an error diagnostic whose
 * summary names `what` ("prior_state") and whose path names the offending
 * attribute, and returns -1. */
int dynval_decode(struct ctx *c, const Tfplugin6__DynamicValue *dv,
		  const struct type *t, const char *what,
		  const struct value **out);

/* Encodes v (which must conform to t; unknowns allowed) as msgpack.
 * Returns NULL with an error diagnostic ("Provider produced an invalid
 * value") when v does not conform: that is a provider bug, never a crash. */
Tfplugin6__DynamicValue *dynval_encode(struct ctx *c, const struct type *t,
				       const struct value *v,
				       const char *what);

/* A tfplugin6 AttributePath for p (arena). */
Tfplugin6__AttributePath *dynval_path_to_proto(struct arena *a,
					       struct path p);

/* Converts every diagnostic in c->diags to the response array (*n, *out).
 * Call once, at the end of a handler. */
void rpc_diags_to_proto(struct ctx *c, size_t *n,
			Tfplugin6__Diagnostic ***out);

/* The first path (depth-first, attribute order) at which v holds an unknown
 * value; false when v is wholly known. */
bool dynval_find_unknown(struct arena *a, const struct value *v,
			 struct path *out);

#endif
