/*
 * client.h - one AWS API call: endpoint, serialisation (query, EC2, JSON
 * 1.1), SigV4 signing, the HTTP transport, retries, error parsing.
 *
 * A client is built once at ConfigureProvider and is immutable afterwards
 * except for the learned clock offset (atomic); aws_call is thread-safe.
 * Per-call memory (parameters, parsed XML/JSON, errors) lives in the
 * caller's ctx->arena; parsed JSON (jansson) is released with the arena.
 */
#ifndef AWS_CLIENT_H
#define AWS_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "credentials.h"
#include "endpoint.h"
#include "http.h"
#include "xml.h"

struct aws_client_options {
	const char *region;			/* required */
	const char *endpoints[AWS_SERVICE_COUNT];	/* overrides, may be NULL */
	int max_attempts;			/* 0 = AWS_MAX_ATTEMPTS or 3 */
	aws_getenv_fn *getenv_fn;		/* NULL = getenv */
	struct http_transport *http;		/* owned by the client; NULL = libcurl */
	struct aws_credentials_provider *creds;	/* owned by the client */
	long connect_timeout_ms, timeout_ms;
	size_t max_response_bytes;
	/* Test hooks. */
	int64_t (*wall_clock_s)(void);		/* NULL = time() */
	double (*random01)(void);		/* NULL = OpenSSL RAND */
	void (*sleep_ms)(const struct ctx *c, int64_t ms);	/* NULL = cancellable sleep */
};

struct aws_client;

/* Returns NULL with *err set (arena memory) on invalid options. */
struct aws_client *aws_client_new(struct arena *a,
				  const struct aws_client_options *opts,
				  const char **err);
void aws_client_free(struct aws_client *cl);

const char *aws_client_region(const struct aws_client *cl);
struct http_transport *aws_client_http(struct aws_client *cl);

/* Form parameters for query/EC2 calls, in insertion order. */
struct aws_params {
	struct arena *arena;
	struct http_header *items;
	size_t n, cap;
};

void aws_params_init(struct aws_params *p, struct arena *a);
void aws_params_add(struct aws_params *p, const char *key, const char *value);
void aws_params_addf(struct aws_params *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds list members: prefix.1, prefix.2 ... (prefix includes any
 * ".member" / ".SecurityGroupId" the model's locationName asks for). */
void aws_params_add_list(struct aws_params *p, const char *prefix,
			 const char *const *values, size_t n);

enum aws_error_kind {
	AWS_ERR_NONE,
	AWS_ERR_SERVICE,	/* AWS answered with an error code */
	AWS_ERR_TRANSPORT,	/* no (complete) answer */
	AWS_ERR_CREDENTIALS,	/* no usable credentials */
	AWS_ERR_CANCELLED,	/* StopProvider or the deadline */
	AWS_ERR_RESPONSE,	/* an answer we could not understand */
};

struct aws_error {
	enum aws_error_kind kind;
	int http_status;
	const char *code;		/* "InvalidParameterValue" */
	const char *message;
	const char *request_id;
	int attempts;
};

struct aws_call {
	enum aws_service service;
	const char *operation;		/* "CreateReplicationGroup" */
	bool idempotent;		/* safe to retry after an ambiguous failure */
	const struct aws_params *params;	/* query / EC2 */
	json_t *json;			/* JSON 1.1 request body (borrowed) */
	/* results */
	struct xml_node *result;	/* query: <OpResult>; EC2: <OpResponse> */
	json_t *response;		/* JSON: the body (owned by the arena) */
	const char *request_id;
	struct aws_error err;
	/* Test/credential hooks: explicit credentials, or unsigned. */
	const struct aws_credentials *creds;
	bool unsigned_request;
};

/* Performs the call with retries.  Returns 0, or -1 with call->err set.
 * Adds no diagnostic: callers decide (see aws_error_diag). */
int aws_call(struct ctx *c, struct aws_client *cl, struct aws_call *call);

/* Interprets one HTTP response for call (success document or AWS error of
 * the service's protocol): 0 with call->result / call->response set, or -1
 * with call->err set (kind AWS_ERR_SERVICE for an error answer,
 * AWS_ERR_RESPONSE for an unreadable one).  Exposed for the fuzz targets. */
int aws_parse_response(struct ctx *c, struct aws_call *call,
		       const struct http_response *r);

/* Adds the standard diagnostic for a failed call: summary
 * "<Service> <Operation> failed", detail "<Code>: <message> (request id
 * <id>)".  p may be NULL.  Returns -1. */
int aws_error_diag(struct ctx *c, const struct path *p,
		   const struct aws_call *call);

/* True if the call failed with this AWS error code. */
bool aws_error_is(const struct aws_call *call, const char *code);

#endif
