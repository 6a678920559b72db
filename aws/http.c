/*
 * http.c - libcurl transport (see http.h).
 *
 * Connection reuse: idle easy handles are kept in a small pool; each keeps
 * its own connection cache, so consecutive calls to the same endpoint reuse
 * the TCP/TLS connection.  curl_easy_reset() between uses clears options but
 * keeps connections, so every option, the CA certificates included, is set
 * again on each use.  TLS: peer and host verification on, TLS 1.2 or later
 * (AWS refuses older), CA certificates as chosen once per transport by
 * cabundle_choose() (a static libcurl has no default of its own).  Proxies
 * come from http_proxy/https_proxy/no_proxy as libcurl reads them.  Does not
 * do: HTTP/2 tuning, request bodies from files.
 */
#include "http.h"

#include "aws/cabundle.h"
#include "core/arena.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_POOL_MAX 32

struct curl_transport {
	struct http_transport base;
	pthread_mutex_t lock;
	CURL *idle[HTTP_POOL_MAX];
	size_t n_idle;
	char *user_agent;
	/* The trust store: set_ca false leaves libcurl's default; otherwise
	 * ca_file / ca_dir (NULL: none) go to CURLOPT_CAINFO / CAPATH. */
	bool set_ca;
	char *ca_file, *ca_dir;
	char *ca_desc;			/* for TLS error messages */
	atomic_long connections;
};

struct transfer {
	struct arena *arena;
	char *buf;
	size_t len, cap, max;
	int too_large;
	struct http_header *headers;
	size_t n_headers, cap_headers;
	const atomic_int *cancel;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t ct_once = PTHREAD_ONCE_INIT;
static CURLcode ct_init_result;

static void ct_init_once(void)
{
	ct_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct transfer *t = data;
	size_t n = size * nmemb;

	if (t->len + n > t->max) {
		t->too_large = 1;
		return 0;	/* aborts the transfer */
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16384;
		char *nb;

		while (cap < t->len + n + 1)
			cap *= 2;
		nb = xrealloc(t->buf, cap);
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, ptr, n);
	t->len += n;
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct transfer *t = data;
	size_t n = size * nmemb, name_len, i;
	const char *colon = memchr(ptr, ':', n);
	const char *v, *end = ptr + n;
	char *name;

	/* A new status line (redirect or 100-continue) starts a new set. */
	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		t->n_headers = 0;
		return n;
	}
	if (!colon)
		return n;
	name_len = (size_t)(colon - ptr);
	name = arena_strndup(t->arena, ptr, name_len);
	for (i = 0; i < name_len; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (t->n_headers == t->cap_headers) {
		size_t cap = t->cap_headers ? t->cap_headers * 2 : 16;
		struct http_header *nh = arena_calloc(t->arena, cap, sizeof(*nh));

		if (t->n_headers)
			memcpy(nh, t->headers, t->n_headers * sizeof(*nh));
		t->headers = nh;
		t->cap_headers = cap;
	}
	t->headers[t->n_headers].name = name;
	t->headers[t->n_headers].value = arena_strndup(t->arena, v,
						       (size_t)(end - v));
	t->n_headers++;
	return n;
}

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = data;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return t->cancel && atomic_load(t->cancel) ? 1 : 0;
}

static CURL *pool_get(struct curl_transport *ct)
{
	CURL *h = NULL;

	pthread_mutex_lock(&ct->lock);
	if (ct->n_idle)
		h = ct->idle[--ct->n_idle];
	pthread_mutex_unlock(&ct->lock);
	return h ? h : curl_easy_init();
}

static void pool_put(struct curl_transport *ct, CURL *h)
{
	curl_easy_reset(h);
	pthread_mutex_lock(&ct->lock);
	if (ct->n_idle < HTTP_POOL_MAX) {
		ct->idle[ct->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&ct->lock);
	if (h)
		curl_easy_cleanup(h);
}

static enum http_error classify(CURLcode rc, const struct transfer *t)
{
	if (t->too_large)
		return HTTP_ERR_TOO_LARGE;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return HTTP_ERR_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_ERR_TIMEOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		return HTTP_ERR_CANCELLED;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return HTTP_ERR_SEND;
	default:
		return HTTP_ERR_OTHER;
	}
}

/* Certificate and handshake failures: the message says which CA
 * certificates were trusted, the first thing to check. */
static bool is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return true;
	default:
		return false;
	}
}

static const char *error_message(struct arena *a, const struct curl_transport *ct,
				 CURLcode rc, const struct transfer *t,
				 enum http_error e)
{
	if (e == HTTP_ERR_TOO_LARGE)
		return arena_sprintf(a, "response larger than %zu bytes", t->max);
	if (is_tls_error(rc))
		return arena_sprintf(a, "%s (trusted CA certificates: %s)",
				     t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc),
				     ct->ca_desc);
	return arena_strdup(a, curl_easy_strerror(rc));
}

/* TLS settings; curl_easy_reset() cleared them. */
static void set_tls(const struct curl_transport *ct, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (!ct->set_ca)
		return;
	/* NULL clears libcurl's built-in location too, so AWS_CA_BUNDLE is
	 * the only trust, as in the AWS SDKs.  An https:// proxy is verified
	 * with the same certificates. */
	curl_easy_setopt(h, CURLOPT_CAINFO, ct->ca_file);
	curl_easy_setopt(h, CURLOPT_CAPATH, ct->ca_dir);
	curl_easy_setopt(h, CURLOPT_PROXY_CAINFO, ct->ca_file);
	curl_easy_setopt(h, CURLOPT_PROXY_CAPATH, ct->ca_dir);
}

static int ct_send(struct http_transport *base, struct arena *a,
		     const struct http_request *req, struct http_response *resp,
		     const atomic_int *cancel)
{
	struct curl_transport *ct = (struct curl_transport *)base;
	struct curl_slist *hdrs = NULL;
	struct transfer t;
	CURL *h;
	CURLcode rc;
	long conns = 0;
	size_t i;

	memset(resp, 0, sizeof(*resp));
	memset(&t, 0, sizeof(t));
	t.arena = a;
	t.max = req->max_response_bytes ? req->max_response_bytes
					: 64u * 1024 * 1024;
	t.cancel = cancel;
	h = pool_get(ct);
	if (!h) {
		resp->error = HTTP_ERR_OTHER;
		resp->error_message = "cannot create a libcurl handle";
		return -1;
	}
	for (i = 0; i < req->n_headers; i++)
		hdrs = curl_slist_append(hdrs, arena_sprintf(a, "%s: %s",
					req->headers[i].name,
					req->headers[i].value));
	/* libcurl would add "Expect: 100-continue" for large bodies. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (req->body_len || strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	}
	curl_easy_setopt(h, CURLOPT_USERAGENT, ct->user_agent);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms ? req->connect_timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms ? req->timeout_ms : 60000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.errbuf);
	set_tls(ct, h);
	rc = curl_easy_perform(h);
	if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK)
		atomic_fetch_add(&ct->connections, conns);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		resp->body = arena_strndup(a, t.buf ? t.buf : "", t.len);
		resp->body_len = t.len;
		resp->headers = t.headers;
		resp->n_headers = t.n_headers;
	} else {
		resp->error = classify(rc, &t);
		resp->error_message = error_message(a, ct, rc, &t, resp->error);
	}
	free(t.buf);
	curl_slist_free_all(hdrs);
	pool_put(ct, h);
	return rc == CURLE_OK ? 0 : -1;
}

static long ct_connections(struct http_transport *base)
{
	return atomic_load(&((struct curl_transport *)base)->connections);
}

static void ct_free(struct http_transport *base)
{
	struct curl_transport *ct = (struct curl_transport *)base;
	size_t i;

	for (i = 0; i < ct->n_idle; i++)
		curl_easy_cleanup(ct->idle[i]);
	pthread_mutex_destroy(&ct->lock);
	free(ct->user_agent);
	free(ct->ca_file);
	free(ct->ca_dir);
	free(ct->ca_desc);
	free(ct);
}

struct http_transport *http_curl_new(const char *user_agent,
				     const struct cabundle *ca)
{
	struct curl_transport *ct;
	struct arena *a;

	pthread_once(&ct_once, ct_init_once);
	if (ct_init_result != CURLE_OK)
		return NULL;
	ct = xcalloc(1, sizeof(*ct));
	pthread_mutex_init(&ct->lock, NULL);
	ct->user_agent = xstrdup(user_agent);
	ct->set_ca = ca && ca->source != CABUNDLE_LIBCURL_DEFAULT;
	if (ct->set_ca) {
		ct->ca_file = ca->file ? xstrdup(ca->file) : NULL;
		ct->ca_dir = ca->dir ? xstrdup(ca->dir) : NULL;
	}
	a = arena_new();
	ct->ca_desc = xstrdup(ca ? cabundle_describe(a, ca) : "libcurl default");
	arena_free(a);
	ct->base.send = ct_send;
	ct->base.free = ct_free;
	ct->base.connections = ct_connections;
	return &ct->base;
}

void http_transport_free(struct http_transport *t)
{
	if (t)
		t->free(t);
}

const char *http_response_header(const struct http_response *r,
				 const char *name)
{
	size_t i;

	for (i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}
