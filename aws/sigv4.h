/*
 * sigv4.h - AWS Signature Version 4 (AWS4-HMAC-SHA256), pure.
 *
 * The signer does no I/O, reads no clock and no environment: the caller hands
 * in the request exactly as it will be sent, the credentials and the time.
 * Two modes:
 *   - headers: sigv4_sign_headers() returns the headers to add
 *     (X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-SHA256, Authorization);
 *   - query (presigned URL): sigv4_presign() returns the query string to send.
 * Each stage (canonical request, string to sign, signature) is exported on
 * its own so tests can check it against the AWS test suite.
 *
 * Memory: every string a function returns is allocated in the arena passed
 * to it and lives until arena_free().  Inputs are borrowed and never kept.
 * Secrets: the derived signing key and every intermediate HMAC key live on the
 * stack or in a private heap buffer and are wiped (OPENSSL_cleanse, or the
 * params->wipe hook) before the function returns, on success and on failure.
 * The secret access key is never copied anywhere else.  Arena buffers the
 * session token is copied into (canonical request, presigned query) are
 * registered with arena_add_secret and wiped at arena_free().  Neither ever
 * appears in an error message.
 *
 * Errors: every fallible function returns 0 on success and -1 on failure.
 * When err is not NULL, *err is set to a short human-readable reason (static
 * or arena-allocated; never contains a secret).  Outputs are untouched on
 * failure.  Input is validated, never trusted: bad input never crashes.
 *
 * Thread-safety: no global state; concurrent calls on different arenas are
 * safe.
 */
#ifndef AWS_SIGV4_H
#define AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct arena;

/* "YYYYMMDDTHHMMSSZ" + NUL */
#define SIGV4_AMZ_DATE_LEN 17
/* 64 hex digits + NUL */
#define SIGV4_HEX_LEN 65
/* Longest X-Amz-Expires AWS accepts (7 days). */
#define SIGV4_MAX_EXPIRES_S 604800
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

struct sigv4_credentials {
	const char *access_key_id;     /* required, [A-Za-z0-9]+ */
	const char *secret_access_key; /* required, non-empty */
	const char *session_token;     /* NULL or "" when there is none */
};

struct sigv4_header {
	const char *name;
	const char *value;
};

/*
 * The request as it goes on the wire.  Headers are signed in full except the
 * hop-by-hop / proxy-rewritten ones (User-Agent, X-Amzn-Trace-Id, Expect,
 * Transfer-Encoding, Connection, Upgrade).  A Host header is required.  The
 * headers the signer owns (Authorization, X-Amz-Date, X-Amz-Security-Token,
 * X-Amz-Content-SHA256) must not be present: the request is rejected.
 * Header values may contain obs-folds ("a\r\n  b"); runs of whitespace are
 * collapsed to one space.  Duplicate names are joined with ',' in order.
 */
struct sigv4_request {
	const char *method;  /* "GET", "POST", ... (an HTTP token) */
	const char *path;    /* raw, as sent, starts with '/'; NULL or "" = "/" */
	/* raw, as sent, without '?'; NULL or "" = none.  Each key and value is
	 * percent-decoded and re-encoded, so any valid spelling signs alike;
	 * '+' is a literal plus: send a space as %20. */
	const char *query;
	const struct sigv4_header *headers;
	size_t n_headers;
	const void *body;    /* may be NULL when body_len is 0 */
	size_t body_len;
	/* Optional precomputed payload hash, e.g. SIGV4_UNSIGNED_PAYLOAD or the
	 * hex SHA-256 of a streamed body.  NULL: hex SHA-256 of body. */
	const char *payload_hash;
};

/* Wipe hook: params->wipe, when set, is called instead of OPENSSL_cleanse for
 * every buffer that held key material.  Lets tests verify the wipe path. */
typedef void sigv4_wipe_fn(void *p, size_t len);

struct sigv4_params {
	const char *region;  /* "us-east-1" */
	const char *service; /* "elasticache", "sts", ... */
	time_t now;          /* signing time, seconds since the epoch (UTC) */
	/* Remove "." / ".." segments and collapse "//" in the path before
	 * signing.  true for every service except S3. */
	bool normalize_path;
	/* S3 only: sign the path as sent instead of URI-encoding it again.
	 * false (the default) gives the "double encoding" all other services
	 * expect. */
	bool single_encode_path;
	/* Headers mode: also add and sign X-Amz-Content-SHA256 (S3, or any
	 * service when the payload hash is precomputed). */
	bool sign_body_hash_header;
	/* Leave the session token out of the signature and add it afterwards
	 * (a few services, e.g. IoT, want this).  false for almost all. */
	bool omit_session_token;
	/* Query mode: X-Amz-Expires, 1..SIGV4_MAX_EXPIRES_S. */
	int64_t expires_s;
	sigv4_wipe_fn *wipe; /* NULL: OPENSSL_cleanse */
};

enum sigv4_mode {
	SIGV4_MODE_HEADERS,
	SIGV4_MODE_QUERY,
};

/* Formats t as "YYYYMMDDTHHMMSSZ" into out.  -1 unless t falls in the years
 * 1970..9999. */
int sigv4_amz_date(time_t t, char out[SIGV4_AMZ_DATE_LEN]);

/* Hex SHA-256 of len bytes at data (data may be NULL when len is 0). */
int sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX_LEN]);

/*
 * Stage 1: the canonical request and the SignedHeaders list.
 * In SIGV4_MODE_HEADERS the signer's own headers (x-amz-date,
 * x-amz-security-token unless omitted, x-amz-content-sha256 when asked) are
 * part of it; in SIGV4_MODE_QUERY the X-Amz-* query parameters are.
 * signed_headers may be NULL when the caller does not need it.
 * Fails on: missing/invalid method, path, header name or value, broken
 * percent-escape, missing or duplicate Host, signer-owned header or query
 * parameter already present, bad region/service/access key/expiry, NULL body
 * with a length.
 */
int sigv4_canonical_request(struct arena *a, const struct sigv4_request *req,
			    const struct sigv4_params *params,
			    const struct sigv4_credentials *creds,
			    enum sigv4_mode mode, char **canonical,
			    char **signed_headers, const char **err);

/* Stage 2: "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256(canonical)>". */
int sigv4_string_to_sign(struct arena *a, const struct sigv4_params *params,
			 const char *canonical_request, char **out,
			 const char **err);

/* Stage 3: the hex signature of string_to_sign.  Derives the signing key from
 * creds->secret_access_key and wipes it (and every intermediate key) before
 * returning. */
int sigv4_signature(struct arena *a, const struct sigv4_params *params,
		    const struct sigv4_credentials *creds,
		    const char *string_to_sign, char **hex_out,
		    const char **err);

/*
 * Headers mode, all stages.  *add receives an arena array of *n_add headers
 * for the caller to send with the request, in this order: X-Amz-Date,
 * X-Amz-Security-Token (when there is a token), X-Amz-Content-SHA256 (when
 * params->sign_body_hash_header), Authorization.
 */
int sigv4_sign_headers(struct arena *a, const struct sigv4_request *req,
		       const struct sigv4_params *params,
		       const struct sigv4_credentials *creds,
		       struct sigv4_header **add, size_t *n_add,
		       const char **err);

/*
 * Query mode (presigned URL), all stages.  *query_out receives the query
 * string to send, without '?': the request's query as given, then
 * X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders, X-Amz-Security-Token (when there is a token),
 * X-Amz-Signature - the order botocore uses.  The payload hash is the hex
 * SHA-256 of the body unless req->payload_hash is set (S3 presigned URLs
 * use SIGV4_UNSIGNED_PAYLOAD).
 */
int sigv4_presign(struct arena *a, const struct sigv4_request *req,
		  const struct sigv4_params *params,
		  const struct sigv4_credentials *creds, char **query_out,
		  const char **err);

#endif
