/*
 * bench_aws.c - `make bench`: AWS call throughput against the local emulator
 * with and without connection reuse, and memory per request (arena bytes).
 * Prints figures; asserts nothing (timing belongs here, not in tests).
 */
#include "tests/emulator.h"

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/arena.h"
#include "core/ctx.h"

#include <stdio.h>
#include <string.h>

static struct emulator emu;

static struct aws_client *client(struct arena *a)
{
	struct aws_credentials_options co;
	struct aws_client_options o;
	const char *err;
	int i;

	memset(&co, 0, sizeof(co));
	co.access_key = EMULATOR_ACCESS_KEY;
	co.secret_key = EMULATOR_SECRET_KEY;
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	for (i = 0; i < AWS_SERVICE_COUNT; i++)
		o.endpoints[i] = emu.endpoint;
	o.creds = aws_credentials_chain_new(&co);
	return aws_client_new(a, &o, &err);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300, i, fails = 0;
	struct arena *a = arena_new();
	struct aws_client *cl;
	struct sts_identity id;
	int64_t t0, t1;
	size_t bytes = 0;

	if (emulator_start(&emu) != 0) {
		printf("aws: skipped: %s\n", emu.why);
		return 0;
	}
	cl = client(a);
	t0 = ctx_now_ms();
	for (i = 0; i < n; i++) {
		struct ctx c;

		ctx_init(&c, "bench", NULL);
		fails += sts_get_caller_identity(&c, cl, &id) != 0;
		bytes += arena_used(c.arena);
		ctx_release(&c);
	}
	t1 = ctx_now_ms();
	printf("aws: %.0f requests/s to the emulator with connection reuse (%d calls, %ld connection%s, %d failed)\n",
	       n * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1), n,
	       aws_client_http(cl)->connections(aws_client_http(cl)),
	       aws_client_http(cl)->connections(aws_client_http(cl)) == 1 ? "" : "s", fails);
	printf("aws: %.1f KiB of per-request memory (arena) per GetCallerIdentity\n",
	       (double)bytes / n / 1024.0);
	aws_client_free(cl);
	fails = 0;
	t0 = ctx_now_ms();
	for (i = 0; i < n / 3; i++) {
		struct ctx c;
		struct aws_client *fresh = client(a);

		ctx_init(&c, "bench", NULL);
		fails += sts_get_caller_identity(&c, fresh, &id) != 0;
		ctx_release(&c);
		aws_client_free(fresh);
	}
	t1 = ctx_now_ms();
	printf("aws: %.0f requests/s to the emulator without connection reuse (%d calls, %d failed)\n",
	       (n / 3) * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1), n / 3, fails);
	emulator_stop(&emu);
	arena_free(a);
	return 0;
}
