/*
 * retry.h - the AWS SDKs' "standard" retry mode, as pure decisions.
 *
 * What is retryable: throttling error codes, transient codes, HTTP 500, 502,
 * 503, 504, and connection failures.  An operation that is not idempotent is
 * retried only when AWS cannot have acted on it: a throttling error, or a
 * connection that was never made.  Backoff: full jitter,
 * random(0, 1) * min(20 s, 2^attempt s).  Clock-skew errors are retried once
 * the caller has corrected its clock offset.
 */
#ifndef AWS_RETRY_H
#define AWS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#define RETRY_MAX_BACKOFF_MS 20000
#define RETRY_DEFAULT_ATTEMPTS 3

enum retry_kind {
	RETRY_NO,		/* final */
	RETRY_THROTTLE,		/* throttled: safe for every operation */
	RETRY_TRANSIENT,	/* 5xx, timeouts: may have acted */
	RETRY_CONNECT,		/* never connected: safe for every operation */
	RETRY_CLOCK_SKEW,	/* correct the clock offset, then retry */
};

/* Classifies an outcome.  code may be NULL (no AWS error body); status 0
 * means no HTTP response; connect_failed/sent_maybe describe transport
 * errors. */
enum retry_kind retry_classify(int status, const char *code,
			       bool connect_failed, bool transport_error);

/* Whether to try again after `attempt` attempts (1-based) out of
 * max_attempts. */
bool retry_should(enum retry_kind kind, bool idempotent, int attempt,
		  int max_attempts);

/* Backoff before attempt+1, in ms; rnd01 is a uniform random in [0, 1). */
int64_t retry_backoff_ms(int attempt, double rnd01);

bool retry_is_throttle_code(const char *code);

#endif
