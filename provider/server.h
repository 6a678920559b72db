/*
 * server.h - the plugin's gRPC server (gRPC C core): listener, TLS, the
 * completion-queue threads and the worker pool that runs RPC handlers.
 *
 * Services: every method of rpc_methods (rpc.h) on worker threads;
 * grpc.health.v1.Health (Check, Watch) and plugin.GRPCController/Shutdown
 * answered inline; every other method (plugin.GRPCStdio, plugin.GRPCBroker,
 * unknown) gets UNIMPLEMENTED.
 *
 * Lifecycle: server_start() from the main thread, then wait for
 * server_stop_fd() to become readable (a Shutdown RPC) or a signal, then
 * server_stop() once.  server_start/server_stop are not thread-safe; the
 * server runs its own threads in between.  grpc_init/grpc_shutdown are
 * called here: nothing else in the process uses gRPC.
 */
#ifndef PROVIDER_SERVER_H
#define PROVIDER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "provider/rpc.h"

#define SERVER_MAX_MESSAGE_BYTES (256 * 1024 * 1024)
#define SERVER_DEFAULT_WORKERS 16
#define SERVER_DEFAULT_QUEUE 1024

struct server_options {
	struct provider_state *ps;	/* borrowed; outlives the server */
	bool tcp;			/* 127.0.0.1 in [min_port, max_port] */
	int min_port, max_port;
	const char *socket_path;	/* unix socket path (when !tcp) */
	const char *client_roots_pem;	/* pinned client cert; NULL = plaintext */
	const char *cert_pem;		/* server identity (with client_roots) */
	const char *grpc_key;		/* its private key as gRPC takes it (tls.h) */
	int workers;			/* 0 = SERVER_DEFAULT_WORKERS */
	size_t queue_max;		/* 0 = SERVER_DEFAULT_QUEUE */
};

struct server;

/* Initialises gRPC, binds, starts serving.  Returns NULL with a message in
 * err on failure (nothing left running, socket removed).  All option
 * strings are copied or consumed before return. */
struct server *server_start(const struct server_options *o, char *err,
			    size_t errlen);

/* "unix" or "tcp", and the address as go-plugin prints it (socket path,
 * or 127.0.0.1:port).  Borrowed; valid until server_stop. */
const char *server_network(const struct server *s);
const char *server_address(const struct server *s);

/* A file descriptor that becomes readable once a GRPCController.Shutdown
 * RPC has been answered.  Owned by the server. */
int server_stop_fd(const struct server *s);

/* Graceful stop: no new calls, in-flight calls may finish for grace_ms,
 * then the rest are cancelled and every connection is closed (idle
 * clients do not hold the stop up).  Frees everything, removes the unix
 * socket and shuts gRPC down; takes at most grace_ms + 600 ms.  Returns 0,
 * or -1 when a handler is still running after that (the server is then
 * abandoned, the socket still removed, and the caller should _exit()). */
int server_stop(struct server *s, int grace_ms);

#endif
