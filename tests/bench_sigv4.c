/*
 * bench_sigv4.c - micro-benchmark for aws/sigv4: signs a typical ElastiCache
 * query-protocol request (form body, session token) BENCH_N times, each in
 * a fresh arena as an RPC would, and prints "sigv4: <N> us per signature".
 * Built like a unit test but not run by `make unit` (not named test_*).
 * Optional argument: the iteration count (default 100000).
 */
#include "aws/sigv4.h"
#include "core/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_N 100000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	static const char body[] =
		"Action=DescribeReplicationGroups&Version=2015-02-02"
		"&ReplicationGroupId=secure-redis-prod&MaxRecords=100";
	static const struct sigv4_header headers[] = {
		{"Host", "elasticache.eu-west-1.amazonaws.com"},
		{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
	};
	/* Random test strings, not real credentials. */
	static const struct sigv4_credentials creds = {
		.access_key_id = "ASIAZ7EXAMPLE0BENCH1",
		.secret_access_key = "bench/K7MDENG+bPxRfiCYEXAMPLEKEYbench000",
		.session_token = "IQoJb3JpZ2luX2VjEXAMPLEbenchTOKENaGV1LXdlc3QtMSJHMEUC"
				 "IQDbenchEXAMPLE/token+value==",
	};
	struct sigv4_request req = {
		.method = "POST",
		.path = "/",
		.headers = headers,
		.n_headers = sizeof(headers) / sizeof(headers[0]),
		.body = body,
		.body_len = sizeof(body) - 1,
	};
	struct sigv4_params params = {
		.region = "eu-west-1",
		.service = "elasticache",
		.now = 1795000000,
		.normalize_path = true,
	};
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : BENCH_N;
	size_t sink = 0;
	double t0, t1;

	if (n < 1)
		n = BENCH_N;
	t0 = now_us();
	for (long i = 0; i < n; i++) {
		struct arena *a = arena_new();
		struct sigv4_header *add = NULL;
		size_t n_add = 0;
		const char *err = NULL;

		if (sigv4_sign_headers(a, &req, &params, &creds, &add, &n_add,
				       &err) != 0) {
			fprintf(stderr, "bench_sigv4: signing failed: %s\n", err);
			arena_free(a);
			return 1;
		}
		sink += strlen(add[n_add - 1].value);
		arena_free(a);
	}
	t1 = now_us();
	if (!sink) /* keeps the work observable */
		return 1;
	printf("sigv4: %.2f us per signature\n", (t1 - t0) / (double)n);
	return 0;
}
