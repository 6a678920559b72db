/*
 * ctx.h - the per-RPC context every handler and resource operation receives.
 *
 * Owns nothing itself: the arena is created and freed by the RPC dispatcher
 * (provider/), which also fills in the logger fields and the stop flag.
 * What resources see of the configured provider (resources/resource.h:
 * the AWS session, default tags) is immutable after ConfigureProvider and
 * shared read-only between concurrent RPCs.
 */
#ifndef CORE_CTX_H
#define CORE_CTX_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "log.h"

struct resource_env;		/* resources/resource.h; opaque here */

struct ctx {
	struct arena *arena;		/* per-RPC; freed after the response */
	struct diags diags;		/* returned to Terraform */
	const char *rpc;		/* "PlanResourceChange", for tf_rpc */
	const char *req_id;		/* uuid, for tf_req_id */
	const char *resource_type;	/* for tf_resource_type, may be NULL */
	const struct resource_env *env;	/* NULL before configure */
	const atomic_int *stop;		/* nonzero once StopProvider ran */
	int64_t deadline_ms;		/* CLOCK_MONOTONIC ms, 0 = none */
};

/* Initialises c with a fresh arena (freed by ctx_release). */
void ctx_init(struct ctx *c, const char *rpc, const atomic_int *stop);
void ctx_release(struct ctx *c);

/* True once the provider was asked to stop or the deadline passed. */
int ctx_cancelled(const struct ctx *c);

/* Logs with tf_rpc, tf_req_id and tf_resource_type attached. */
void ctx_log(const struct ctx *c, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A random (version 4) UUID string in a's memory, from OpenSSL's CSPRNG. */
const char *ctx_uuid(struct arena *a);

/* Sleeps up to ms in slices of at most 50 ms, so StopProvider and the
 * deadline end a wait at once.  Returns 0 after the full time, -1 as soon
 * as ctx_cancelled(c). */
int ctx_sleep_ms(const struct ctx *c, int64_t ms);

/* Monotonic clock in milliseconds. */
int64_t ctx_now_ms(void);

#endif
