/*
 * server.c - the gRPC server of the plugin, on the gRPC C core API.
 *
 * Mirrors what go-plugin (grpc_server.go, grpc_controller.go) and
 * terraform-plugin-go (tf6server) register: tfplugin6.Provider,
 * grpc.health.v1.Health with service "plugin" SERVING, and
 * plugin.GRPCController/Shutdown.  plugin.GRPCStdio and plugin.GRPCBroker
 * are not offered (UNIMPLEMENTED): Terraform copes, as it does with
 * providers built on older go-plugin releases.
 *
 * Threads: CQ_THREADS threads drain one completion queue and never block;
 * every tfplugin6 handler runs on a pool of workers fed by a bounded FIFO.
 * The pool starts with one worker and grows (up to its limit, never
 * shrinking) whenever a call is queued while no worker is idle.  Health and Shutdown are answered on the completion-queue threads.
 *
 * A call (struct srv_call) is reference counted: one reference for the
 * request/response pipeline, one for the RECV_CLOSE_ON_SERVER op.  The
 * grpc_call is released when both are gone.
 */
#include "provider/server.h"

#include <errno.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/log.h"
#include "provider/config.h"
#include "grpc_controller.pb-c.h"
#include "grpc_health_v1.pb-c.h"

#define CQ_THREADS 2
#define PENDING_REQUESTS 16
#define MAX_REFUSED_PORTS 3
#define PATH_HEALTH_CHECK "/grpc.health.v1.Health/Check"
#define PATH_HEALTH_WATCH "/grpc.health.v1.Health/Watch"
#define PATH_SHUTDOWN "/plugin.GRPCController/Shutdown"

enum call_kind {
	CALL_RPC,
	CALL_HEALTH_CHECK,
	CALL_HEALTH_WATCH,
	CALL_SHUTDOWN,
	CALL_UNIMPLEMENTED,
};

struct srv_call;

/* A completion-queue tag: what to run when the op completes. */
struct srv_op {
	void (*done)(void *arg, bool ok);
	void *arg;			/* a struct srv_call, or the server */
};

struct rpc_stream {
	struct srv_call *call;
};

struct srv_call {
	struct server *srv;
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array md;
	enum call_kind kind;
	const struct rpc_method *method;
	grpc_byte_buffer *req;		/* RECV_MESSAGE result */
	grpc_byte_buffer *resp;		/* being sent */
	grpc_slice status_details;
	int cancelled;			/* RECV_CLOSE_ON_SERVER result */
	bool md_sent;			/* initial metadata went out */
	bool accepted;			/* counted in server.active */
	atomic_int refs;
	struct srv_op op_new, op_recv, op_send, op_close, op_stream;
	struct rpc_stream stream;
	/* rpc_stream_send waits here for op_stream. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stream_done, stream_ok;
	struct srv_call *next;		/* worker queue / watch list */
};

struct server {
	struct provider_state *ps;
	grpc_server *server;
	grpc_completion_queue *cq;
	char network[8];
	char address[128];
	bool unix_socket;
	int stop_fd;
	atomic_int stopping;
	pthread_t cq_threads[CQ_THREADS];
	int n_cq_threads;

	pthread_t *workers;		/* started lazily: see enqueue */
	int n_workers;			/* the pool's limit */
	int n_started;			/* workers[0..n_started) run */
	int waiting;			/* workers blocked on cv_work */
	pthread_mutex_t mu;		/* queue, watches, busy, active,
					 * shutdown_done, n_started, waiting */
	pthread_cond_t cv_work;		/* queue not empty or quit */
	pthread_cond_t cv_idle;		/* busy/active dropped, shutdown_done */
	struct srv_call *head, *tail;
	size_t queued, queue_max;
	int busy;			/* workers inside a handler */
	int active;			/* accepted calls not yet freed */
	bool quit;
	struct srv_call *watches;
	bool shutdown_done;
	struct srv_op op_shutdown;
};

/* ------------------------------------------------------------------ */
/* gRPC's own log lines go through our JSON logger (or nowhere). */

static void server_grpc_log(gpr_log_func_args *a)
{
	struct log_field f[] = { { "source", "grpc" } };
	enum log_level lvl = LOG_TRACE;

	if (a->severity == GPR_LOG_SEVERITY_ERROR)
		lvl = LOG_WARN;
	else if (a->severity == GPR_LOG_SEVERITY_INFO)
		lvl = LOG_DEBUG;
	if (log_enabled(lvl))
		log_write(lvl, f, 1, "grpc: %s", a->message);
}

/* ------------------------------------------------------------------ */
/* Calls */

static void call_free(struct srv_call *c)
{
	if (c->call)
		grpc_call_unref(c->call);
	grpc_call_details_destroy(&c->details);
	grpc_metadata_array_destroy(&c->md);
	if (c->req)
		grpc_byte_buffer_destroy(c->req);
	if (c->resp)
		grpc_byte_buffer_destroy(c->resp);
	grpc_slice_unref(c->status_details);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

static void call_unref(struct srv_call *c)
{
	struct server *s = c->srv;
	bool accepted = c->accepted;

	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	call_free(c);
	if (accepted) {
		pthread_mutex_lock(&s->mu);
		if (--s->active == 0)
			pthread_cond_broadcast(&s->cv_idle);
		pthread_mutex_unlock(&s->mu);
	}
}

static void on_new(void *arg, bool ok);
static void on_recv(void *arg, bool ok);
static void on_send(void *arg, bool ok);
static void on_close(void *arg, bool ok);
static void on_stream(void *arg, bool ok);

static struct srv_call *call_new(struct server *s)
{
	struct srv_call *c = xcalloc(1, sizeof(*c));

	c->srv = s;
	grpc_call_details_init(&c->details);
	grpc_metadata_array_init(&c->md);
	c->status_details = grpc_empty_slice();
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->op_new = (struct srv_op){ on_new, c };
	c->op_recv = (struct srv_op){ on_recv, c };
	c->op_send = (struct srv_op){ on_send, c };
	c->op_close = (struct srv_op){ on_close, c };
	c->op_stream = (struct srv_op){ on_stream, c };
	c->stream.call = c;
	return c;
}

/* Asks gRPC for the next incoming call. */
static void request_call(struct server *s)
{
	struct srv_call *c;

	if (atomic_load(&s->stopping))
		return;
	c = call_new(s);
	if (grpc_server_request_call(s->server, &c->call, &c->details, &c->md,
				     s->cq, s->cq, &c->op_new) != GRPC_CALL_OK) {
		log_write(LOG_ERROR, NULL, 0, "grpc_server_request_call failed");
		call_free(c);
	}
}

/* Starts a batch; on failure runs the op's completion as failed. */
static void start_batch(struct srv_call *c, const grpc_op *ops, size_t n,
			struct srv_op *op)
{
	grpc_call_error e = grpc_call_start_batch(c->call, ops, n, op, NULL);

	if (e != GRPC_CALL_OK) {
		log_write(LOG_ERROR, NULL, 0,
			  "grpc_call_start_batch failed (%d)", (int)e);
		op->done(op->arg, false);
	}
}

/* Sends [initial metadata], [message], status: the end of the pipeline.
 * Takes ownership of resp (may be NULL).  Thread-safe. */
static void call_finish(struct srv_call *c, grpc_status_code code,
			const char *details, grpc_byte_buffer *resp)
{
	grpc_op ops[3];
	size_t n = 0;

	memset(ops, 0, sizeof(ops));
	if (!c->md_sent) {
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
		c->md_sent = true;
	}
	if (resp) {
		c->resp = resp;
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = resp;
	}
	if (details && *details)
		c->status_details = grpc_slice_from_copied_string(details);
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = code;
	ops[n++].data.send_status_from_server.status_details =
		&c->status_details;
	start_batch(c, ops, n, &c->op_send);
}

/* Packs msg into a new byte buffer (caller owns). */
static grpc_byte_buffer *pack_message(const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	grpc_slice slice = grpc_slice_malloc(len);
	grpc_byte_buffer *bb;

	protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
	bb = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);
	return bb;
}

/* Takes the received request as one slice (caller unrefs) and frees the
 * byte buffer, so a large request is not held twice during the handler. */
static grpc_slice take_request(struct srv_call *c)
{
	grpc_byte_buffer_reader r;
	grpc_slice s = grpc_empty_slice();

	if (grpc_byte_buffer_reader_init(&r, c->req)) {
		s = grpc_byte_buffer_reader_readall(&r);
		grpc_byte_buffer_reader_destroy(&r);
	}
	grpc_byte_buffer_destroy(c->req);
	c->req = NULL;
	return s;
}

static void *pb_arena_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void pb_arena_free(void *data, void *p)
{
	(void)data;
	(void)p;	/* the arena frees everything at once */
}

/* ------------------------------------------------------------------ */
/* Built-in services, answered on the completion-queue thread. */

static void health_check(struct srv_call *c, bool watch)
{
	Grpc__Health__V1__HealthCheckRequest *req;
	Grpc__Health__V1__HealthCheckResponse resp =
		GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
	grpc_slice in = take_request(c);
	bool known;

	req = grpc__health__v1__health_check_request__unpack(
		NULL, GRPC_SLICE_LENGTH(in), GRPC_SLICE_START_PTR(in));
	grpc_slice_unref(in);
	if (!req) {
		call_finish(c, GRPC_STATUS_INVALID_ARGUMENT,
			    "malformed grpc.health.v1.HealthCheckRequest", NULL);
		return;
	}
	/* go-plugin registers "plugin"; grpc-go's health server adds "". */
	known = !req->service[0] || strcmp(req->service, "plugin") == 0;
	grpc__health__v1__health_check_request__free_unpacked(req, NULL);
	resp.status = known ?
		GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING :
		GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
	if (!watch) {
		if (known)
			call_finish(c, GRPC_STATUS_OK, NULL,
				    pack_message(&resp.base));
		else
			call_finish(c, GRPC_STATUS_NOT_FOUND,
				    "unknown service", NULL);
		return;
	}
	/* Watch: send the current status and keep the stream open until the
	 * client leaves or the server stops (it never changes). */
	{
		struct server *s = c->srv;
		grpc_op ops[2];

		memset(ops, 0, sizeof(ops));
		ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
		ops[1].op = GRPC_OP_SEND_MESSAGE;
		c->resp = pack_message(&resp.base);
		ops[1].data.send_message.send_message = c->resp;
		c->md_sent = true;
		pthread_mutex_lock(&s->mu);
		c->next = s->watches;
		s->watches = c;
		pthread_mutex_unlock(&s->mu);
		start_batch(c, ops, 2, &c->op_send);
	}
}

static void controller_shutdown(struct srv_call *c)
{
	Plugin__Empty empty = PLUGIN__EMPTY__INIT;

	/* The stop is triggered in on_send, once the reply is out. */
	call_finish(c, GRPC_STATUS_OK, NULL, pack_message(&empty.base));
}

/* ------------------------------------------------------------------ */
/* Worker pool */

/* The call's deadline on ctx's clock (CLOCK_MONOTONIC ms), 0 = none. */
static int64_t deadline_ms(const grpc_call_details *d)
{
	gpr_timespec now, left;
	int32_t ms;

	if (gpr_time_cmp(d->deadline, gpr_inf_future(d->deadline.clock_type))
	    == 0)
		return 0;
	now = gpr_now(d->deadline.clock_type);
	left = gpr_time_sub(d->deadline, now);
	ms = gpr_time_to_millis(left);
	return ctx_now_ms() + (ms > 0 ? ms : 0);
}

static void run_rpc(struct server *s, struct srv_call *c)
{
	const struct rpc_method *m = c->method;
	ProtobufCAllocator al = { pb_arena_alloc, pb_arena_free, NULL };
	ProtobufCMessage *req, *resp;
	const struct provider_config *pc;
	struct ctx ctx;
	grpc_slice in;
	int rc;

	ctx_init(&ctx, m->name, &s->ps->stop);
	pc = atomic_load_explicit(&s->ps->config, memory_order_acquire);
	ctx.env = pc ? &pc->env : NULL;
	ctx.deadline_ms = deadline_ms(&c->details);
	al.allocator_data = ctx.arena;
	ctx_log(&ctx, LOG_TRACE, "Received request");
	in = take_request(c);
	req = protobuf_c_message_unpack(m->req, &al, GRPC_SLICE_LENGTH(in),
					GRPC_SLICE_START_PTR(in));
	grpc_slice_unref(in);
	resp = arena_alloc(ctx.arena, m->resp->sizeof_message);
	protobuf_c_message_init(m->resp, resp);
	if (!req) {
		ctx_log(&ctx, LOG_ERROR, "malformed %s request", m->name);
		if (rpc_bad_request(&ctx, m, resp) == 0)
			call_finish(c, GRPC_STATUS_OK, NULL, pack_message(resp));
		else
			call_finish(c, GRPC_STATUS_INVALID_ARGUMENT,
				    "malformed request message: protobuf "
				    "decoding failed", NULL);
		goto out;
	}
	if (m->stream) {
		rc = m->stream(s->ps, &ctx, req, &c->stream);
		if (rc)
			call_finish(c, GRPC_STATUS_INTERNAL,
				    "provider error: the handler failed", NULL);
		else
			call_finish(c, GRPC_STATUS_OK, NULL, NULL);
	} else {
		rc = m->unary(s->ps, &ctx, req, resp);
		if (rc)
			call_finish(c, GRPC_STATUS_INTERNAL,
				    "provider error: the handler failed", NULL);
		else
			call_finish(c, GRPC_STATUS_OK, NULL, pack_message(resp));
	}
	if (rc)
		ctx_log(&ctx, LOG_ERROR, "handler returned %d", rc);
out:
	ctx_log(&ctx, LOG_TRACE, "Served request");
	ctx_release(&ctx);
}

static void *worker_main(void *arg)
{
	struct server *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct srv_call *c;

		while (!s->head && !s->quit) {
			s->waiting++;
			pthread_cond_wait(&s->cv_work, &s->mu);
			s->waiting--;
		}
		if (!s->head)
			break;
		c = s->head;
		s->head = c->next;
		if (!s->head)
			s->tail = NULL;
		s->queued--;
		s->busy++;
		pthread_mutex_unlock(&s->mu);
		c->next = NULL;
		run_rpc(s, c);
		pthread_mutex_lock(&s->mu);
		s->busy--;
		pthread_cond_broadcast(&s->cv_idle);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Starts one more worker when the queued calls outnumber the idle ones
 * (mu held; creating under the lock keeps server_stop's join simple).
 * Failing is harmless while another worker runs: the call waits its
 * turn. */
static void maybe_grow(struct server *s)
{
	if ((size_t)s->waiting >= s->queued || s->n_started >= s->n_workers)
		return;
	if (pthread_create(&s->workers[s->n_started], NULL, worker_main, s))
		log_write(LOG_WARN, NULL, 0,
			  "cannot start worker thread %d; %d running",
			  s->n_started + 1, s->n_started);
	else
		s->n_started++;
}

/* Queues a call for the workers; -1 when the queue is full. */
static int enqueue(struct server *s, struct srv_call *c)
{
	int rc = -1;

	pthread_mutex_lock(&s->mu);
	if (s->queued < s->queue_max && !s->quit) {
		c->next = NULL;
		if (s->tail)
			s->tail->next = c;
		else
			s->head = c;
		s->tail = c;
		s->queued++;
		maybe_grow(s);
		pthread_cond_signal(&s->cv_work);
		rc = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Completion handlers (completion-queue threads; must not block) */

static void classify(struct srv_call *c)
{
	char *path = grpc_slice_to_c_string(c->details.method);

	c->kind = CALL_UNIMPLEMENTED;
	if (strcmp(path, PATH_HEALTH_CHECK) == 0)
		c->kind = CALL_HEALTH_CHECK;
	else if (strcmp(path, PATH_HEALTH_WATCH) == 0)
		c->kind = CALL_HEALTH_WATCH;
	else if (strcmp(path, PATH_SHUTDOWN) == 0)
		c->kind = CALL_SHUTDOWN;
	else if ((c->method = rpc_method_find(path)))
		c->kind = CALL_RPC;
	gpr_free(path);
}

static void on_new(void *arg, bool ok)
{
	struct srv_call *c = arg;
	struct server *s = c->srv;
	grpc_op op;

	if (!ok) {		/* the server is shutting down */
		call_free(c);
		return;
	}
	request_call(s);
	classify(c);
	atomic_store(&c->refs, 2);
	c->accepted = true;
	pthread_mutex_lock(&s->mu);
	s->active++;
	pthread_mutex_unlock(&s->mu);
	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	op.data.recv_close_on_server.cancelled = &c->cancelled;
	start_batch(c, &op, 1, &c->op_close);
	if (c->kind == CALL_UNIMPLEMENTED) {
		char *path = grpc_slice_to_c_string(c->details.method);
		char msg[256];

		snprintf(msg, sizeof(msg), "unknown method %s", path);
		gpr_free(path);
		call_finish(c, GRPC_STATUS_UNIMPLEMENTED, msg, NULL);
		return;
	}
	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &c->req;
	start_batch(c, &op, 1, &c->op_recv);
}

static void on_recv(void *arg, bool ok)
{
	struct srv_call *c = arg;
	if (!ok) {		/* cancelled before the request arrived */
		call_unref(c);
		return;
	}
	if (!c->req) {
		call_finish(c, GRPC_STATUS_INVALID_ARGUMENT,
			    "the client sent no request message", NULL);
		return;
	}
	switch (c->kind) {
	case CALL_HEALTH_CHECK:
		health_check(c, false);
		break;
	case CALL_HEALTH_WATCH:
		health_check(c, true);
		break;
	case CALL_SHUTDOWN:
		controller_shutdown(c);
		break;
	case CALL_RPC:
		if (enqueue(c->srv, c))
			call_finish(c, GRPC_STATUS_RESOURCE_EXHAUSTED,
				    "too many requests queued", NULL);
		break;
	case CALL_UNIMPLEMENTED:
		break;	/* answered in on_new */
	}
}

static void signal_stop(struct server *s)
{
	uint64_t one = 1;

	atomic_store(&s->ps->shutdown, 1);
	if (write(s->stop_fd, &one, sizeof(one)) < 0)
		log_write(LOG_ERROR, NULL, 0, "cannot signal the stop: %s",
			  strerror(errno));
}

static void on_send(void *arg, bool ok)
{
	struct srv_call *c = arg;
	(void)ok;
	if (c->kind == CALL_SHUTDOWN)
		signal_stop(c->srv);
	call_unref(c);
}

static void on_close(void *arg, bool ok)
{
	struct srv_call *c = arg;
	struct server *s = c->srv;

	(void)ok;
	if (c->kind == CALL_HEALTH_WATCH) {
		struct srv_call **pp;

		pthread_mutex_lock(&s->mu);
		for (pp = &s->watches; *pp; pp = &(*pp)->next)
			if (*pp == c) {
				*pp = c->next;
				break;
			}
		pthread_mutex_unlock(&s->mu);
	}
	call_unref(c);
}

static void on_stream(void *arg, bool ok)
{
	struct srv_call *c = arg;
	pthread_mutex_lock(&c->mu);
	c->stream_done = true;
	c->stream_ok = ok;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void on_shutdown(void *arg, bool ok)
{
	struct server *s = arg;

	(void)ok;
	pthread_mutex_lock(&s->mu);
	s->shutdown_done = true;
	pthread_cond_broadcast(&s->cv_idle);
	pthread_mutex_unlock(&s->mu);
}

static void *cq_main(void *arg)
{
	struct server *s = arg;

	for (;;) {
		grpc_event ev = grpc_completion_queue_next(
			s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		struct srv_op *op;

		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		op = ev.tag;
		op->done(op->arg, ev.success != 0);
	}
	return NULL;
}

int rpc_stream_send(struct rpc_stream *st, const ProtobufCMessage *msg)
{
	struct srv_call *c = st->call;
	grpc_byte_buffer *bb = pack_message(msg);
	grpc_op ops[2];
	size_t n = 0;
	bool ok;

	memset(ops, 0, sizeof(ops));
	if (!c->md_sent) {
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
		c->md_sent = true;
	}
	ops[n].op = GRPC_OP_SEND_MESSAGE;
	ops[n++].data.send_message.send_message = bb;
	pthread_mutex_lock(&c->mu);
	c->stream_done = false;
	pthread_mutex_unlock(&c->mu);
	if (grpc_call_start_batch(c->call, ops, n, &c->op_stream, NULL) !=
	    GRPC_CALL_OK) {
		grpc_byte_buffer_destroy(bb);
		return -1;
	}
	pthread_mutex_lock(&c->mu);
	while (!c->stream_done)
		pthread_cond_wait(&c->cv, &c->mu);
	ok = c->stream_ok;
	pthread_mutex_unlock(&c->mu);
	grpc_byte_buffer_destroy(bb);
	return ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Listening */

static grpc_server_credentials *make_creds(const struct server_options *o)
{
	grpc_ssl_pem_key_cert_pair pair;
	grpc_ssl_server_certificate_config *cfg;
	grpc_ssl_server_credentials_options *opts;

	if (!o->client_roots_pem)
		return grpc_insecure_server_credentials_create();
	pair.private_key = o->grpc_key;
	pair.cert_chain = o->cert_pem;
	/* The client's certificate is the only root: it is pinned.  gRPC's
	 * SSL server credentials allow TLS 1.2 and 1.3 (1.3 preferred). */
	cfg = grpc_ssl_server_certificate_config_create(o->client_roots_pem,
							&pair, 1);
	if (!cfg)
		return NULL;
	opts = grpc_ssl_server_credentials_create_options_using_config(
		GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, cfg);
	if (!opts) {
		grpc_ssl_server_certificate_config_destroy(cfg);
		return NULL;
	}
	return grpc_ssl_server_credentials_create_with_options(opts);
}

/* True if nobody listens on 127.0.0.1:port (probed without SO_REUSEADDR,
 * so gRPC is not asked for ports that would only log errors). */
static bool port_free(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return true;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static int add_listener(struct server *s, const struct server_options *o,
			grpc_server_credentials *creds, char *err,
			size_t errlen)
{
	char addr[sizeof(s->address) + 8];

	if (!o->tcp) {
		mode_t old;
		int port;

		if (strlen(o->socket_path) >= sizeof(s->address)) {
			snprintf(err, errlen, "unix socket path too long");
			return -1;
		}
		snprintf(s->network, sizeof(s->network), "unix");
		snprintf(s->address, sizeof(s->address), "%s", o->socket_path);
		snprintf(addr, sizeof(addr), "unix:%s", o->socket_path);
		old = umask(077);	/* the socket is born 0600 */
		port = grpc_server_add_http2_port(s->server, addr, creds);
		umask(old);
		if (!port) {
			snprintf(err, errlen, "cannot listen on unix socket %s",
				 o->socket_path);
			return -1;
		}
		s->unix_socket = true;
		chmod(o->socket_path, 0600);
		return 0;
	}
	snprintf(s->network, sizeof(s->network), "tcp");
	/* A free port that gRPC still refuses means a lost race or, far more
	 * likely, credentials it cannot use (PLUGIN_CLIENT_CERT is checked
	 * only then, by main.c): a few tries, not the whole range. */
	for (int p = o->min_port, refused = 0;
	     p <= o->max_port && refused < MAX_REFUSED_PORTS; p++) {
		if (!port_free(p))
			continue;
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", p);
		if (grpc_server_add_http2_port(s->server, addr, creds) == p) {
			snprintf(s->address, sizeof(s->address),
				 "127.0.0.1:%d", p);
			return 0;
		}
		refused++;
	}
	snprintf(err, errlen,
		 "couldn't bind plugin TCP listener on 127.0.0.1 ports %d-%d",
		 o->min_port, o->max_port);
	return -1;
}

static grpc_server *make_grpc_server(void)
{
	grpc_arg a[3];
	grpc_channel_args args = { 3, a };

	a[0].type = GRPC_ARG_INTEGER;
	a[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	a[0].value.integer = SERVER_MAX_MESSAGE_BYTES;
	a[1].type = GRPC_ARG_INTEGER;
	a[1].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
	a[1].value.integer = SERVER_MAX_MESSAGE_BYTES;
	a[2].type = GRPC_ARG_INTEGER;
	a[2].key = GRPC_ARG_ALLOW_REUSEPORT;
	a[2].value.integer = 0;
	return grpc_server_create(&args, NULL);
}

static void server_free(struct server *s)
{
	if (s->server)
		grpc_server_destroy(s->server);
	if (s->cq) {
		grpc_completion_queue_shutdown(s->cq);
		for (int i = 0; i < s->n_cq_threads; i++)
			pthread_join(s->cq_threads[i], NULL);
		/* Without threads, drain here. */
		if (!s->n_cq_threads)
			cq_main(s);
		grpc_completion_queue_destroy(s->cq);
	}
	if (s->unix_socket)
		unlink(s->address);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_idle);
	free(s->workers);
	free(s);
	grpc_shutdown();
}

/* One worker now (so queued calls always progress), the rest on demand:
 * each thread costs start-up time before the handshake and memory for
 * its stack and malloc arena, and most runs never use 16 at once. */
static int start_threads(struct server *s, const struct server_options *o)
{
	s->n_workers = o->workers > 0 ? o->workers : SERVER_DEFAULT_WORKERS;
	s->workers = xcalloc((size_t)s->n_workers, sizeof(*s->workers));
	if (pthread_create(&s->workers[0], NULL, worker_main, s))
		return -1;
	s->n_started = 1;
	for (int i = 0; i < CQ_THREADS; i++) {
		if (pthread_create(&s->cq_threads[i], NULL, cq_main, s))
			return -1;
		s->n_cq_threads++;
	}
	return 0;
}

struct server *server_start(const struct server_options *o, char *err,
			    size_t errlen)
{
	struct server *s = xcalloc(1, sizeof(*s));
	grpc_server_credentials *creds;
	int rc;

	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->ps = o->ps;
	s->queue_max = o->queue_max ? o->queue_max : SERVER_DEFAULT_QUEUE;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_work, NULL);
	pthread_cond_init(&s->cv_idle, NULL);
	s->op_shutdown = (struct srv_op){ on_shutdown, s };
	gpr_set_log_function(server_grpc_log);
	grpc_init();
	s->server = make_grpc_server();
	s->cq = grpc_completion_queue_create_for_next(NULL);
	grpc_server_register_completion_queue(s->server, s->cq, NULL);
	creds = make_creds(o);
	if (!creds) {
		snprintf(err, errlen, "cannot create the TLS server credentials");
		goto fail;
	}
	rc = add_listener(s, o, creds, err, errlen);
	grpc_server_credentials_release(creds);
	if (rc)
		goto fail;
	/* gRPC insists that a server with a listener is shut down before it
	 * is destroyed: from here on, failures go through server_stop. */
	grpc_server_start(s->server);
	if (start_threads(s, o)) {
		snprintf(err, errlen, "cannot start server threads");
		server_stop(s, 0);
		return NULL;
	}
	for (int i = 0; i < PENDING_REQUESTS; i++)
		request_call(s);
	return s;
fail:
	/* No listener yet: destroying needs no shutdown. */
	server_free(s);
	return NULL;
}

const char *server_network(const struct server *s)
{
	return s->network;
}

const char *server_address(const struct server *s)
{
	return s->address;
}

int server_stop_fd(const struct server *s)
{
	return s->stop_fd;
}

/* Waits on cv_idle until pred holds or timeout_ms passes (mu held). */
static bool wait_until(struct server *s, bool (*pred)(struct server *),
		       int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!pred(s))
		if (pthread_cond_timedwait(&s->cv_idle, &s->mu, &ts) ==
		    ETIMEDOUT)
			return pred(s);
	return true;
}

static bool is_shut_down(struct server *s)
{
	return s->shutdown_done;
}

static bool no_active_calls(struct server *s)
{
	return s->active == 0;
}

static bool is_idle(struct server *s)
{
	return s->busy == 0 && s->head == NULL;
}

int server_stop(struct server *s, int grace_ms)
{
	bool done;

	atomic_store(&s->stopping, 1);
	/* Handlers that poll ctx_cancelled() wind down, as on StopProvider. */
	atomic_store(&s->ps->stop, 1);
	grpc_server_shutdown_and_notify(s->server, s->cq, &s->op_shutdown);
	pthread_mutex_lock(&s->mu);
	/* Health watches never end by themselves. */
	for (struct srv_call *w = s->watches; w; w = w->next)
		grpc_call_cancel_with_status(w->call, GRPC_STATUS_UNAVAILABLE,
					     "the plugin is shutting down",
					     NULL);
	done = wait_until(s, no_active_calls, grace_ms);
	pthread_mutex_unlock(&s->mu);
	if (!done)
		log_write(LOG_WARN, NULL, 0,
			  "calls still running after %d ms; cancelling them",
			  grace_ms);
	/* In-flight calls are done (or given up on).  Like grpc-go's
	 * Server.Stop, which go-plugin uses, drop every connection now:
	 * shutdown_and_notify alone waits for idle clients to hang up. */
	grpc_server_cancel_all_calls(s->server);
	pthread_mutex_lock(&s->mu);
	done = wait_until(s, is_shut_down, 300) &&
	       wait_until(s, is_idle, 300);
	s->quit = true;
	pthread_cond_broadcast(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	if (!done) {
		log_write(LOG_ERROR, NULL, 0,
			  "a handler did not finish; exiting without cleanup");
		if (s->unix_socket)
			unlink(s->address);
		return -1;
	}
	/* quit is set: enqueue starts no more workers. */
	for (int i = 0; i < s->n_started; i++)
		pthread_join(s->workers[i], NULL);
	server_free(s);
	return 0;
}
