/*
 * rpc.h - the contract between the gRPC transport (server.c) and the RPC
 * handlers (one file per RPC group).
 *
 * The transport owns threads, TLS, the completion queue, (un)packing and the
 * per-RPC context.  For every call it:
 *   1. unpacks the request with an allocator backed by ctx->arena (so the
 *      request dies with the arena; handlers never free it);
 *   2. allocates the response in the arena and initialises it with
 *      protobuf_c_message_init(method->resp, resp);
 *   3. runs the handler on a worker thread (never on a completion-queue
 *      thread), with ctx->config and ctx->stop filled from the state;
 *   4. packs and sends the response (status OK), then frees the arena.
 * Handlers put user-facing problems into the response's diagnostics
 * (rpc_diags_to_proto), never into the gRPC status.  A handler returns 0;
 * nonzero means a bug, answered with gRPC INTERNAL.
 *
 * Methods with `stream` set are server-streaming: the handler sends zero or
 * more messages with rpc_stream_send() and returns; the transport then
 * closes the stream with status OK.
 */
#ifndef PROVIDER_RPC_H
#define PROVIDER_RPC_H

#include <protobuf-c/protobuf-c.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "core/ctx.h"

struct provider_config;

/* Process-wide provider state, owned by main() and passed to handlers.
 * config is published once by ConfigureProvider (release store) and is
 * immutable afterwards; readers load it (acquire). */
struct provider_state {
	atomic_int stop;		/* set by StopProvider; never cleared */
	_Atomic(const struct provider_config *) config;
	atomic_int shutdown;		/* set by GRPCController.Shutdown */
};

struct rpc_stream;

/* Sends one message on a server stream.  Blocks until the message is
 * handed to gRPC.  Returns 0, or -1 when the client has gone away. */
int rpc_stream_send(struct rpc_stream *s, const ProtobufCMessage *msg);

typedef int rpc_unary_fn(struct provider_state *ps, struct ctx *c,
			 const ProtobufCMessage *req, ProtobufCMessage *resp);
typedef int rpc_stream_fn(struct provider_state *ps, struct ctx *c,
			  const ProtobufCMessage *req, struct rpc_stream *s);

struct rpc_method {
	const char *path;	/* "/tfplugin6.Provider/GetProviderSchema" */
	const char *name;	/* "GetProviderSchema" (tf_rpc) */
	const ProtobufCMessageDescriptor *req;
	const ProtobufCMessageDescriptor *resp;
	rpc_unary_fn *unary;
	rpc_stream_fn *stream;
};

/* Every tfplugin6.Provider method, terminated by an entry with path NULL.
 * Defined in methods.c. */
extern const struct rpc_method rpc_methods[];

const struct rpc_method *rpc_method_find(const char *path);

/* Fills resp (initialised, in c->arena) with an error diagnostic for a
 * request that did not decode.  Returns 0, or -1 when the response type has
 * no place for one (the transport then answers INVALID_ARGUMENT). */
int rpc_bad_request(struct ctx *c, const struct rpc_method *m,
		    ProtobufCMessage *resp);

#endif
