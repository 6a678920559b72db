/*
 * retry.c - standard retry mode decisions (see retry.h).
 *
 * Error code lists follow the AWS SDKs' standard retry strategy
 * (botocore's _retry.json "standard" section and the SDK reference guide).
 */
#include "retry.h"

#include <stddef.h>
#include <string.h>

static bool in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return true;
	return false;
}

bool retry_is_throttle_code(const char *code)
{
	static const char *const throttles[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException",
	};

	return code && in_list(code, throttles,
			       sizeof(throttles) / sizeof(throttles[0]));
}

static bool is_transient_code(const char *code)
{
	static const char *const transient[] = {
		"RequestTimeout", "RequestTimeoutException",
		"InternalError", "InternalFailure", "ServiceUnavailable",
	};

	return code && in_list(code, transient,
			       sizeof(transient) / sizeof(transient[0]));
}

static bool is_skew_code(const char *code)
{
	static const char *const skew[] = {
		"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
		"InvalidSignatureException", "SignatureDoesNotMatch",
		"AuthFailure",
	};

	return code && in_list(code, skew, sizeof(skew) / sizeof(skew[0]));
}

enum retry_kind retry_classify(int status, const char *code,
			       bool connect_failed, bool transport_error)
{
	if (connect_failed)
		return RETRY_CONNECT;
	if (transport_error)
		return RETRY_TRANSIENT;
	if (status >= 200 && status < 300)
		return RETRY_NO;
	if (retry_is_throttle_code(code))
		return RETRY_THROTTLE;
	if (is_transient_code(code))
		return RETRY_TRANSIENT;
	if (status == 500 || status == 502 || status == 503 || status == 504)
		return RETRY_TRANSIENT;
	/* A skew error is only retried when the caller finds the clocks
	 * actually differ; it decides that from the Date header. */
	if (is_skew_code(code))
		return RETRY_CLOCK_SKEW;
	return RETRY_NO;
}

bool retry_should(enum retry_kind kind, bool idempotent, int attempt,
		  int max_attempts)
{
	if (kind == RETRY_NO || attempt >= max_attempts)
		return false;
	if (!idempotent && kind == RETRY_TRANSIENT)
		return false;
	return true;
}

int64_t retry_backoff_ms(int attempt, double rnd01)
{
	int64_t cap = 1000;
	int i;

	for (i = 1; i < attempt && cap < RETRY_MAX_BACKOFF_MS; i++)
		cap *= 2;
	if (cap > RETRY_MAX_BACKOFF_MS)
		cap = RETRY_MAX_BACKOFF_MS;
	if (rnd01 < 0)
		rnd01 = 0;
	if (rnd01 >= 1)
		rnd01 = 0.999999;
	return (int64_t)(rnd01 * (double)cap);
}
