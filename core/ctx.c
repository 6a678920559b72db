/*
 * ctx.c - per-RPC context helpers (see ctx.h).
 */
#include "ctx.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t ctx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *ctx_uuid(struct arena *a)
{
	unsigned char b[16];

	/* Ids are also idempotency tokens: never hand out a predictable one. */
	if (RAND_bytes(b, sizeof(b)) != 1) {
		fputs("fatal error: the random number generator failed\n", stderr);
		abort();
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	return arena_sprintf(a,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15]);
}

void ctx_init(struct ctx *c, const char *rpc, const atomic_int *stop)
{
	memset(c, 0, sizeof(*c));
	c->arena = arena_new();
	diags_init(&c->diags, c->arena);
	c->rpc = rpc;
	c->req_id = ctx_uuid(c->arena);
	c->stop = stop;
}

void ctx_release(struct ctx *c)
{
	if (!c)
		return;
	arena_free(c->arena);
	c->arena = NULL;
}

int ctx_cancelled(const struct ctx *c)
{
	if (c->stop && atomic_load(c->stop))
		return 1;
	return c->deadline_ms && ctx_now_ms() >= c->deadline_ms;
}

int ctx_sleep_ms(const struct ctx *c, int64_t ms)
{
	int64_t end = ctx_now_ms() + ms;

	while (!ctx_cancelled(c)) {
		int64_t left = end - ctx_now_ms();
		struct timespec ts = { 0 };

		if (left <= 0)
			return 0;
		ts.tv_nsec = (left > 50 ? 50 : left) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return -1;
}

void ctx_log(const struct ctx *c, enum log_level level, const char *fmt, ...)
{
	struct log_field f[3];
	size_t n = 0;
	va_list ap;

	if (!log_enabled(level))
		return;
	if (c->rpc)
		f[n++] = (struct log_field){ "tf_rpc", c->rpc };
	if (c->req_id)
		f[n++] = (struct log_field){ "tf_req_id", c->req_id };
	if (c->resource_type)
		f[n++] = (struct log_field){ "tf_resource_type",
					     c->resource_type };
	va_start(ap, fmt);
	log_vwrite(level, f, n, fmt, ap);
	va_end(ap);
}
