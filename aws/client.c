/*
 * client.c - AWS calls: serialise, sign, send, retry, parse (see client.h).
 *
 * Protocols: query (STS, IAM, ElastiCache) and EC2 send form-encoded bodies
 * and answer in XML; JSON 1.1 (KMS, Secrets Manager, Logs, SSM) sends
 * X-Amz-Target and answers in JSON with "__type" errors.  Retries follow
 * retry.h.  Does not do: paginated iteration (callers loop on Marker /
 * NextToken), streaming bodies, S3.
 */
#include "client.h"

#include "aws/cabundle.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "core/arena.h"
#include "core/log.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef PROVIDER_VERSION
#define PROVIDER_VERSION "dev"
#endif

#define CLIENT_SKEW_THRESHOLD_S 240

struct resolved_endpoint {
	char *url;		/* as resolved */
	char *host;		/* Host header: host[:port] */
	char *signing_region;
	char *source;
};

struct aws_client {
	char *region;
	struct resolved_endpoint ep[AWS_SERVICE_COUNT];
	int max_attempts;
	struct http_transport *http;
	struct aws_credentials_provider *creds;
	long connect_timeout_ms, timeout_ms;
	size_t max_response_bytes;
	int64_t (*wall_clock_s)(void);
	double (*random01)(void);
	void (*sleep_ms)(const struct ctx *c, int64_t ms);
	atomic_llong skew_s;	/* server time minus local time, learned */
};

static int64_t default_wall_clock(void)
{
	return (int64_t)time(NULL);
}

static double default_random01(void)
{
	uint32_t r;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0.5;
	return (double)r / 4294967296.0;
}

static void default_sleep(const struct ctx *c, int64_t ms)
{
	(void)ctx_sleep_ms(c, ms);
}

static const char *env_getenv(const char *name)
{
	return getenv(name);
}

/* Splits the endpoint URL into the Host header value with libcurl's URL
 * parser. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		if (port) {
			size_t n = strlen(host) + strlen(port) + 2;

			out = xmalloc(n);
			snprintf(out, n, "%s:%s", host, port);
		} else {
			out = xstrdup(host);
		}
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* The libcurl transport with the trust store of the environment
 * (cabundle.h).  -1 with *err naming the variable when one is unusable. */
static int new_curl_transport(struct arena *a, aws_getenv_fn *ge,
			      struct http_transport **out, const char **err)
{
	struct cabundle ca;

	if (cabundle_choose(a, ge, NULL, &ca, err) != 0)
		return -1;
	if (ca.source == CABUNDLE_LIBCURL_DEFAULT)
		log_write(LOG_WARN, NULL, 0, "no CA certificates found "
			  "(AWS_CA_BUNDLE, SSL_CERT_FILE and SSL_CERT_DIR are "
			  "unset, and no system bundle exists, such as %s); "
			  "using libcurl's built-in default, which a static "
			  "build does not have: set AWS_CA_BUNDLE",
			  CABUNDLE_SYSTEM_FILES[0]);
	else
		log_write(LOG_DEBUG, NULL, 0, "CA certificates: %s",
			  cabundle_describe(a, &ca));
	*out = http_curl_new("terraform-provider-secure/" PROVIDER_VERSION, &ca);
	return 0;
}

struct aws_client *aws_client_new(struct arena *a,
				  const struct aws_client_options *opts,
				  const char **err)
{
	aws_getenv_fn *ge = opts->getenv_fn ? opts->getenv_fn : env_getenv;
	struct aws_client *cl;
	const char *attempts;
	int i;

	*err = NULL;
	if (!opts->region || !*opts->region) {
		*err = "no AWS region: set `region` in the provider block, AWS_REGION, AWS_DEFAULT_REGION, or `region` in the profile";
		return NULL;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->region = xstrdup(opts->region);
	for (i = 0; i < AWS_SERVICE_COUNT; i++) {
		struct aws_endpoint ep;
		const char *e;

		if (aws_endpoint_resolve(a, (enum aws_service)i, opts->region,
					 opts->endpoints[i], ge, &ep, &e) != 0) {
			*err = e;
			aws_client_free(cl);
			return NULL;
		}
		cl->ep[i].url = xstrdup(ep.url);
		cl->ep[i].signing_region = xstrdup(ep.signing_region);
		cl->ep[i].source = xstrdup(ep.source);
		cl->ep[i].host = url_host(ep.url);
		if (!cl->ep[i].host) {
			*err = arena_sprintf(a, "cannot parse the %s endpoint URL",
					     aws_service_info((enum aws_service)i)->name);
			aws_client_free(cl);
			return NULL;
		}
	}
	cl->max_attempts = opts->max_attempts;
	attempts = ge("AWS_MAX_ATTEMPTS");
	if (cl->max_attempts <= 0 && attempts && *attempts) {
		char *end;
		long n = strtol(attempts, &end, 10);

		if (*end || n < 1 || n > 100) {
			*err = "AWS_MAX_ATTEMPTS must be a whole number from 1 to 100";
			aws_client_free(cl);
			return NULL;
		}
		cl->max_attempts = (int)n;
	}
	if (cl->max_attempts <= 0)
		cl->max_attempts = RETRY_DEFAULT_ATTEMPTS;
	cl->http = opts->http;
	if (!cl->http && new_curl_transport(a, ge, &cl->http, err) != 0) {
		aws_client_free(cl);
		return NULL;
	}
	if (!cl->http) {
		*err = "cannot initialise libcurl";
		aws_client_free(cl);
		return NULL;
	}
	cl->creds = opts->creds;
	cl->connect_timeout_ms = opts->connect_timeout_ms;
	cl->timeout_ms = opts->timeout_ms;
	cl->max_response_bytes = opts->max_response_bytes;
	cl->wall_clock_s = opts->wall_clock_s ? opts->wall_clock_s : default_wall_clock;
	cl->random01 = opts->random01 ? opts->random01 : default_random01;
	cl->sleep_ms = opts->sleep_ms ? opts->sleep_ms : default_sleep;
	return cl;
}

void aws_client_free(struct aws_client *cl)
{
	int i;

	if (!cl)
		return;
	for (i = 0; i < AWS_SERVICE_COUNT; i++) {
		free(cl->ep[i].url);
		free(cl->ep[i].host);
		free(cl->ep[i].signing_region);
		free(cl->ep[i].source);
	}
	http_transport_free(cl->http);
	aws_credentials_provider_free(cl->creds);
	free(cl->region);
	free(cl);
}

const char *aws_client_region(const struct aws_client *cl)
{
	return cl->region;
}

struct http_transport *aws_client_http(struct aws_client *cl)
{
	return cl->http;
}

void aws_params_init(struct aws_params *p, struct arena *a)
{
	memset(p, 0, sizeof(*p));
	p->arena = a;
}

void aws_params_add(struct aws_params *p, const char *key, const char *value)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct http_header *ni = arena_calloc(p->arena, cap, sizeof(*ni));

		if (p->n)
			memcpy(ni, p->items, p->n * sizeof(*ni));
		p->items = ni;
		p->cap = cap;
	}
	p->items[p->n].name = arena_strdup(p->arena, key);
	p->items[p->n].value = arena_strdup(p->arena, value);
	p->n++;
}

void aws_params_addf(struct aws_params *p, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = arena_vsprintf(p->arena, fmt, ap);
	va_end(ap);
	aws_params_add(p, key, v);
}

void aws_params_add_list(struct aws_params *p, const char *prefix,
			 const char *const *values, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		aws_params_add(p, arena_sprintf(p->arena, "%s.%zu", prefix, i + 1),
			       values[i]);
}

/* RFC 3986 percent-encoding by libcurl (unreserved characters kept), which
 * is what AWS's form decoding and the signer expect. */
static char *form_escape(struct arena *a, const char *s)
{
	char *e = curl_easy_escape(NULL, s, (int)strlen(s));
	char *out;

	if (!e)
		return arena_strdup(a, "");
	out = arena_strdup(a, e);
	curl_free(e);
	return out;
}

static char *form_body(struct arena *a, const struct aws_call *call,
		       const struct aws_service_info *si, size_t *len)
{
	size_t i, total = 0, n;
	char **parts;
	char *body, *w;

	n = (call->params ? call->params->n : 0) + 2;
	parts = arena_calloc(a, n, sizeof(*parts));
	parts[0] = arena_sprintf(a, "Action=%s", form_escape(a, call->operation));
	parts[1] = arena_sprintf(a, "Version=%s", si->api_version);
	for (i = 2; i < n; i++) {
		const struct http_header *kv = &call->params->items[i - 2];

		parts[i] = arena_sprintf(a, "%s=%s", form_escape(a, kv->name),
					 form_escape(a, kv->value));
	}
	for (i = 0; i < n; i++)
		total += strlen(parts[i]) + 1;
	body = w = arena_alloc(a, total + 1);
	for (i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);

		if (i)
			*w++ = '&';
		memcpy(w, parts[i], l);
		w += l;
	}
	*w = '\0';
	*len = (size_t)(w - body);
	return body;
}

/* A name that is secret in this service beyond log_is_secret_name():
 * SSM's parameter Value (SecureString values travel in it). */
static bool service_secret(enum aws_service svc, const char *name)
{
	return svc == AWS_SSM && strcmp(name, "Value") == 0;
}

/* Every secret in a JSON request or response is replaced before logging. */
static void json_redact(enum aws_service svc, json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if ((log_is_secret_name(key) || service_secret(svc, key)) &&
			    !json_is_null(v))
				json_object_set_new(j, key, json_string("[REDACTED]"));
			else
				json_redact(svc, v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			json_redact(svc, v);
	}
}

/* A form parameter is secret when any dotted segment of its name is:
 * "AuthToken", "Passwords.member.1", "AuthenticationMode.Passwords.member.1". */
static bool param_is_secret(enum aws_service svc, const char *name)
{
	char seg[128];
	const char *p = name;

	while (*p) {
		size_t n = strcspn(p, ".");

		if (n < sizeof(seg)) {
			memcpy(seg, p, n);
			seg[n] = '\0';
			if (log_is_secret_name(seg) || service_secret(svc, seg))
				return true;
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return false;
}

static void log_json(const struct ctx *c, enum aws_service svc,
		     const char *what, json_t *j)
{
	json_t *copy;
	char *s;

	if (!log_enabled(LOG_TRACE))
		return;
	copy = json_deep_copy(j);
	json_redact(svc, copy);
	s = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ctx_log(c, LOG_TRACE, "%s: %s", what, s ? s : "(unprintable)");
	free(s);
	json_decref(copy);
}

static void log_params(const struct ctx *c, const struct aws_call *call)
{
	size_t i;

	if (!log_enabled(LOG_TRACE) || !call->params)
		return;
	for (i = 0; i < call->params->n; i++) {
		const struct http_header *kv = &call->params->items[i];
		bool secret = param_is_secret(call->service, kv->name);

		ctx_log(c, LOG_TRACE, "%s %s param %s=%s",
			aws_service_info(call->service)->display,
			call->operation, kv->name,
			secret ? "[REDACTED]" : kv->value);
	}
}

static void json_release(void *j)
{
	json_decref(j);
}

static const char *strip_error_type(struct arena *a, const char *t)
{
	const char *hash = strrchr(t, '#');
	const char *colon;

	if (hash)
		t = hash + 1;
	colon = strchr(t, ':');
	return colon ? arena_strndup(a, t, (size_t)(colon - t))
		     : arena_strdup(a, t);
}

/* Parses an error body of any protocol; leaves code NULL when the body is
 * not an AWS error document. */
static void parse_error(struct ctx *c, enum aws_protocol proto,
			const struct http_response *r, struct aws_error *e)
{
	struct arena *a = c->arena;
	const char *perr;

	e->kind = AWS_ERR_SERVICE;
	e->http_status = (int)r->status;
	e->request_id = http_response_header(r, "x-amzn-requestid");
	if (!e->request_id)
		e->request_id = http_response_header(r, "x-amz-request-id");
	if (proto == AWS_PROTO_JSON) {
		json_error_t je;
		json_t *j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je)
					: NULL;
		const char *type = http_response_header(r, "x-amzn-errortype");

		if (j) {
			const char *t = json_string_value(json_object_get(j, "__type"));
			const char *m = json_string_value(json_object_get(j, "message"));

			if (!m)
				m = json_string_value(json_object_get(j, "Message"));
			if (t)
				type = arena_strdup(a, t);
			if (m)
				e->message = arena_strdup(a, m);
			json_decref(j);
		}
		if (type)
			e->code = strip_error_type(a, type);
	} else {
		struct xml_node *root = r->body_len
			? xml_parse(a, r->body, r->body_len, &perr) : NULL;
		struct xml_node *err = NULL;

		if (root && strcmp(root->name, "ErrorResponse") == 0) {
			err = xml_child(root, "Error");
			if (!e->request_id)
				e->request_id = xml_text(root, "RequestId");
		} else if (root && strcmp(root->name, "Response") == 0) {
			err = xml_find(root, "Errors/Error");
			if (!e->request_id)
				e->request_id = xml_text(root, "RequestID");
		}
		if (err) {
			e->code = xml_text(err, "Code");
			e->message = xml_text(err, "Message");
		}
	}
	if (!e->code) {
		e->code = arena_sprintf(a, "HTTP%ld", r->status);
		if (!e->message)
			e->message = arena_sprintf(a, "the endpoint answered HTTP %ld without an AWS error document",
						   r->status);
	}
	if (!e->message)
		e->message = "";
}

static int parse_success(struct ctx *c, struct aws_call *call,
			 enum aws_protocol proto, const struct http_response *r)
{
	struct arena *a = c->arena;
	const char *perr = NULL;

	call->request_id = http_response_header(r, "x-amzn-requestid");
	if (proto == AWS_PROTO_JSON) {
		json_error_t je;
		json_t *j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je)
					: json_object();

		if (!j || !json_is_object(j)) {
			json_decref(j);
			call->err.kind = AWS_ERR_RESPONSE;
			call->err.message = arena_sprintf(a,
				"the response is not a JSON object%s%s",
				j ? "" : ": ", j ? "" : je.text);
			return -1;
		}
		arena_add_cleanup(a, json_release, j);
		call->response = j;
		log_json(c, call->service, "AWS response", j);
		return 0;
	}
	{
		struct xml_node *root = xml_parse(a, r->body, r->body_len, &perr);
		char *want;

		if (!root) {
			call->err.kind = AWS_ERR_RESPONSE;
			call->err.message = arena_sprintf(a, "the response is not valid XML: %s", perr);
			return -1;
		}
		want = arena_sprintf(a, "%sResponse", call->operation);
		if (strcmp(root->name, want) != 0) {
			call->err.kind = AWS_ERR_RESPONSE;
			call->err.message = arena_sprintf(a, "expected a <%s> document, got <%s>",
							  want, root->name);
			return -1;
		}
		if (proto == AWS_PROTO_EC2) {
			call->result = root;
			if (!call->request_id)
				call->request_id = xml_text(root, "requestId");
		} else {
			struct xml_node *res = xml_child(root, arena_sprintf(a, "%sResult", call->operation));

			call->result = res ? res : root;
			if (!call->request_id)
				call->request_id = xml_text(root, "ResponseMetadata/RequestId");
		}
		ctx_log(c, LOG_TRACE, "AWS response: %zu bytes of XML", r->body_len);
	}
	return 0;
}

static int learn_skew(struct aws_client *cl, const struct http_response *r,
		      int64_t local_s)
{
	const char *date = http_response_header(r, "date");
	time_t server;
	int64_t skew;

	if (!date)
		return 0;
	server = curl_getdate(date, NULL);
	if (server < 0)
		return 0;
	skew = (int64_t)server - local_s;
	if (skew > -CLIENT_SKEW_THRESHOLD_S && skew < CLIENT_SKEW_THRESHOLD_S)
		return 0;
	atomic_store(&cl->skew_s, skew);
	return 1;
}

static int one_attempt(struct ctx *c, struct aws_client *cl,
		       struct aws_call *call, const struct aws_credentials *cr,
		       struct http_response *resp, int64_t *local_s)
{
	const struct aws_service_info *si = aws_service_info(call->service);
	const struct resolved_endpoint *ep = &cl->ep[call->service];
	struct arena *a = c->arena;
	struct sigv4_header hdrs[4], *signed_add = NULL;
	struct http_header all[12];
	struct sigv4_request sreq;
	struct sigv4_params sp;
	struct http_request req;
	const char *serr = NULL;
	size_t n = 0, n_add = 0, i, body_len = 0;
	char *body;
	int64_t remaining;

	if (si->protocol == AWS_PROTO_JSON) {
		char *s = call->json ? json_dumps(call->json, JSON_COMPACT) : NULL;

		body = arena_strdup(a, s ? s : "{}");
		free(s);
		body_len = strlen(body);
		hdrs[n++] = (struct sigv4_header){ "Content-Type", "application/x-amz-json-1.1" };
		hdrs[n++] = (struct sigv4_header){ "X-Amz-Target",
			arena_sprintf(a, "%s.%s", si->target_prefix, call->operation) };
	} else {
		body = form_body(a, call, si, &body_len);
		hdrs[n++] = (struct sigv4_header){ "Content-Type",
			"application/x-www-form-urlencoded; charset=utf-8" };
	}
	hdrs[n++] = (struct sigv4_header){ "Host", ep->host };

	memset(&sreq, 0, sizeof(sreq));
	sreq.method = "POST";
	sreq.path = "/";
	{
		/* An endpoint URL may carry a base path. */
		const char *p = strstr(ep->url, "://");
		const char *slash = p ? strchr(p + 3, '/') : NULL;

		if (slash)
			sreq.path = arena_sprintf(a, "%s/", slash);
	}
	sreq.headers = hdrs;
	sreq.n_headers = n;
	sreq.body = body;
	sreq.body_len = body_len;

	*local_s = cl->wall_clock_s();
	if (!call->unsigned_request) {
		struct sigv4_credentials sc = { cr->access_key_id,
						cr->secret_access_key,
						cr->session_token };

		memset(&sp, 0, sizeof(sp));
		sp.region = ep->signing_region;
		sp.service = si->signing_name;
		sp.now = (time_t)(*local_s + atomic_load(&cl->skew_s));
		sp.normalize_path = true;
		if (sigv4_sign_headers(a, &sreq, &sp, &sc, &signed_add, &n_add,
				       &serr) != 0) {
			call->err.kind = AWS_ERR_CREDENTIALS;
			call->err.message = arena_sprintf(a, "cannot sign the request: %s", serr);
			return -1;
		}
	}
	/* libcurl writes Host itself from the URL; send the rest. */
	n = 0;
	for (i = 0; i < sreq.n_headers; i++)
		if (strcmp(hdrs[i].name, "Host") != 0)
			all[n++] = (struct http_header){ hdrs[i].name, hdrs[i].value };
	for (i = 0; i < n_add; i++)
		all[n++] = (struct http_header){ signed_add[i].name, signed_add[i].value };

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = arena_sprintf(a, "%s/", ep->url);
	req.headers = all;
	req.n_headers = n;
	req.body = body;
	req.body_len = body_len;
	req.connect_timeout_ms = cl->connect_timeout_ms;
	req.timeout_ms = cl->timeout_ms;
	req.max_response_bytes = cl->max_response_bytes;
	if (c->deadline_ms) {
		remaining = c->deadline_ms - ctx_now_ms();
		if (remaining < 1)
			remaining = 1;
		if (!req.timeout_ms || remaining < req.timeout_ms)
			req.timeout_ms = (long)remaining;
	}
	return http_send(cl->http, a, &req, resp, c->stop);
}

int aws_parse_response(struct ctx *c, struct aws_call *call,
		       const struct http_response *r)
{
	enum aws_protocol proto = aws_service_info(call->service)->protocol;

	if (r->status >= 200 && r->status < 300) {
		if (parse_success(c, call, proto, r) == 0)
			return 0;
		call->err.http_status = (int)r->status;
		return -1;
	}
	parse_error(c, proto, r, &call->err);
	return -1;
}

int aws_call(struct ctx *c, struct aws_client *cl, struct aws_call *call)
{
	const struct aws_service_info *si = aws_service_info(call->service);
	struct aws_credentials creds;
	const struct aws_credentials *cr = call->creds;
	int attempt;

	memset(&call->err, 0, sizeof(call->err));
	call->result = NULL;
	call->response = NULL;
	if (!cr && !call->unsigned_request) {
		if (!cl->creds) {
			call->err.kind = AWS_ERR_CREDENTIALS;
			call->err.message = "no credentials provider configured";
			return -1;
		}
		if (aws_credentials_get(cl->creds, c, cl, &creds) != 0) {
			call->err.kind = AWS_ERR_CREDENTIALS;
			call->err.message = "no valid credentials (see the other diagnostic)";
			return -1;
		}
		cr = &creds;
	}
	log_params(c, call);
	if (call->json)
		log_json(c, call->service, "AWS request", call->json);
	for (attempt = 1;; attempt++) {
		struct http_response resp;
		enum retry_kind kind;
		int64_t local_s = 0, t0 = ctx_now_ms();
		int rc;

		if (ctx_cancelled(c)) {
			call->err.kind = AWS_ERR_CANCELLED;
			call->err.message = "cancelled (the provider was asked to stop, or the timeout passed)";
			call->err.attempts = attempt - 1;
			return -1;
		}
		memset(&call->err, 0, sizeof(call->err));
		rc = one_attempt(c, cl, call, cr, &resp, &local_s);
		if (rc != 0 && call->err.kind != AWS_ERR_NONE)
			return -1;	/* signing failed: not retryable */
		if (rc != 0) {
			call->err.kind = resp.error == HTTP_ERR_CANCELLED
				? AWS_ERR_CANCELLED : AWS_ERR_TRANSPORT;
			call->err.message = resp.error_message;
			kind = retry_classify(0, NULL, resp.error == HTTP_ERR_CONNECT,
					      resp.error == HTTP_ERR_SEND ||
					      resp.error == HTTP_ERR_TIMEOUT);
			if (resp.error == HTTP_ERR_CANCELLED ||
			    resp.error == HTTP_ERR_TOO_LARGE ||
			    resp.error == HTTP_ERR_OTHER)
				kind = RETRY_NO;
		} else if (aws_parse_response(c, call, &resp) == 0) {
			ctx_log(c, LOG_DEBUG, "%s %s: HTTP %ld in %lld ms (attempt %d)",
				si->display, call->operation, resp.status,
				(long long)(ctx_now_ms() - t0), attempt);
			return 0;
		} else if (call->err.kind != AWS_ERR_SERVICE) {
			call->err.attempts = attempt;	/* unreadable success */
			return -1;
		} else {
			kind = retry_classify((int)resp.status, call->err.code,
					      false, false);
			if (kind == RETRY_CLOCK_SKEW && !learn_skew(cl, &resp, local_s))
				kind = RETRY_NO;
		}
		call->err.attempts = attempt;
		ctx_log(c, LOG_DEBUG, "%s %s: attempt %d failed: %s %s",
			si->display, call->operation, attempt,
			call->err.code ? call->err.code : "transport error",
			call->err.message ? call->err.message : "");
		if (!retry_should(kind, call->idempotent, attempt, cl->max_attempts))
			return -1;
		if (kind != RETRY_CLOCK_SKEW)
			cl->sleep_ms(c, retry_backoff_ms(attempt, cl->random01()));
	}
}

int aws_error_diag(struct ctx *c, const struct path *p,
		   const struct aws_call *call)
{
	const struct aws_service_info *si = aws_service_info(call->service);
	const struct aws_error *e = &call->err;
	const char *summary = arena_sprintf(c->arena, "%s %s failed",
					    si->display, call->operation);

	switch (e->kind) {
	case AWS_ERR_SERVICE:
		return diag_error(&c->diags, p, summary, "%s: %s (request id %s)",
				  e->code, e->message,
				  e->request_id ? e->request_id : "unknown");
	case AWS_ERR_TRANSPORT:
		return diag_error(&c->diags, p, summary,
				  "could not reach %s after %d attempt%s: %s",
				  si->display, e->attempts, e->attempts == 1 ? "" : "s",
				  e->message ? e->message : "transport error");
	case AWS_ERR_CANCELLED:
		return diag_error(&c->diags, p, summary, "%s", e->message);
	default:
		return diag_error(&c->diags, p, summary, "%s",
				  e->message ? e->message : "unknown error");
	}
}

bool aws_error_is(const struct aws_call *call, const char *code)
{
	return call->err.kind == AWS_ERR_SERVICE && call->err.code &&
	       strcmp(call->err.code, code) == 0;
}
