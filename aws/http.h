/*
 * http.h - the HTTP transport under every AWS call: libcurl with connection
 * reuse, TLS verification, proxies from the environment, timeouts, a cap on
 * the response size, and prompt cancellation.
 *
 * The transport is an interface so tests can inject a fake one.  The curl
 * implementation keeps a pool of easy handles (each keeps its connection
 * cache), guarded by a mutex: http_send may be called from many threads.
 *
 * Memory: request fields are borrowed; everything in the response is
 * allocated from the arena passed to http_send.
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

struct arena;
struct cabundle;

struct http_header {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method;		/* "POST" */
	const char *url;		/* absolute */
	const struct http_header *headers;
	size_t n_headers;
	const void *body;
	size_t body_len;
	long connect_timeout_ms;	/* 0 = 10 s */
	long timeout_ms;		/* whole transfer; 0 = 60 s */
	size_t max_response_bytes;	/* 0 = 64 MiB */
};

enum http_error {
	HTTP_OK = 0,		/* a response arrived (any status) */
	HTTP_ERR_CONNECT,	/* could not connect: nothing was sent */
	HTTP_ERR_SEND,		/* connection broke; the server may have acted */
	HTTP_ERR_TIMEOUT,	/* timed out; the server may have acted */
	HTTP_ERR_TOO_LARGE,	/* response over max_response_bytes */
	HTTP_ERR_CANCELLED,	/* the cancel flag was raised */
	HTTP_ERR_OTHER,
};

struct http_response {
	enum http_error error;
	const char *error_message;	/* for HTTP_ERR_*; safe to show */
	long status;
	char *body;			/* NUL-terminated */
	size_t body_len;
	struct http_header *headers;	/* names lowercased */
	size_t n_headers;
};

struct http_transport {
	/* Performs one request.  Returns 0 when a response arrived, -1 with
	 * resp->error set otherwise.  cancel may be NULL; when it becomes
	 * nonzero the transfer is aborted within ~100 ms. */
	int (*send)(struct http_transport *t, struct arena *a,
		    const struct http_request *req, struct http_response *resp,
		    const atomic_int *cancel);
	void (*free)(struct http_transport *t);
	/* Counters for benchmarks: connections opened so far. */
	long (*connections)(struct http_transport *t);
};

/* The libcurl transport.  user_agent and ca's paths are copied.  ca is the
 * trust store from cabundle_choose() (aws/cabundle.h), set on every easy
 * handle; NULL or CABUNDLE_LIBCURL_DEFAULT keeps libcurl's built-in one.
 * TLS errors (certificate, handshake) name the trust store in
 * error_message.  Returns NULL if libcurl cannot be initialised. */
struct http_transport *http_curl_new(const char *user_agent,
				     const struct cabundle *ca);

static inline int http_send(struct http_transport *t, struct arena *a,
			    const struct http_request *req,
			    struct http_response *resp, const atomic_int *cancel)
{
	return t->send(t, a, req, resp, cancel);
}

void http_transport_free(struct http_transport *t);

/* Response header by name (case-insensitive), or NULL. */
const char *http_response_header(const struct http_response *r,
				 const char *name);

#endif
