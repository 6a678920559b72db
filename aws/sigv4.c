/*
 * sigv4.c - AWS Signature Version 4 signer (AWS4-HMAC-SHA256).
 *
 * Implements the "Create a signed AWS API request" procedure of the AWS
 * documentation (canonical request, string to sign, signing key, signature)
 * for the Authorization header and for presigned query strings, checked
 * against the aws-c-auth SigV4 test suite and botocore.
 *
 * Does not do: SigV4a (ECDSA), S3 chunked/streaming payload signatures, event
 * stream signing, reading credentials or the clock.  No I/O at all.
 *
 * Shape: small canonicalisation steps (path, query, headers, payload), each
 * appending to a bounded string buffer in the caller's arena, joined by
 * sigv4_canonical_request(); the key derivation is the only place that
 * touches the secret and wipes everything it derived.
 */
#include "aws/sigv4.h"

#include "core/arena.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
/* Hard cap on any text the signer builds (canonical request, query):
 * nothing AWS accepts comes close; the cap keeps a hostile input bounded. */
#define SIGV4_MAX_TEXT (1024 * 1024)
#define SIGV4_MAX_SECRET 1024
#define SIGV4_MAX_PAYLOAD_HASH 128

/* ---- bounded string buffer in the arena ---- */

struct sb {
	struct arena *a;
	char *p;
	size_t len, cap;
	bool overflow; /* set once the text would pass SIGV4_MAX_TEXT */
	bool secret;   /* holds the session token: wipe every block */
};

/* A buffer that will hold a secret (the session token) has every block it
 * ever uses registered with arena_add_secret, so the copies abandoned by
 * growth are wiped at arena_free() too. */
static void sb_init_secret(struct sb *b, struct arena *a, size_t hint,
			   bool secret)
{
	b->a = a;
	b->cap = hint < 64 ? 64 : hint;
	b->p = arena_alloc(a, b->cap);
	b->len = 0;
	b->overflow = false;
	b->secret = secret;
	if (secret)
		arena_add_secret(a, b->p, b->cap);
}

static void sb_init(struct sb *b, struct arena *a, size_t hint)
{
	sb_init_secret(b, a, hint, false);
}

static bool sb_reserve(struct sb *b, size_t n)
{
	size_t cap = b->cap;
	char *p;

	if (b->overflow || n > SIGV4_MAX_TEXT - b->len) {
		b->overflow = true;
		return false;
	}
	if (b->len + n < b->cap)
		return true;
	while (cap <= b->len + n)
		cap *= 2;
	/* The old block stays in the arena: growth is geometric, so the
	 * waste is bounded by the final size. */
	p = arena_alloc(b->a, cap);
	if (b->secret)
		arena_add_secret(b->a, p, cap);
	memcpy(p, b->p, b->len);
	b->p = p;
	b->cap = cap;
	return true;
}

static void sb_add(struct sb *b, const void *s, size_t n)
{
	if (!sb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_addc(struct sb *b, char c)
{
	sb_add(b, &c, 1);
}

/* ---- small helpers ---- */

static int fail(const char **err, const char *why)
{
	if (err)
		*err = why;
	return -1;
}

static void wipe(const struct sigv4_params *params, void *p, size_t len)
{
	if (params->wipe)
		params->wipe(p, len);
	else
		OPENSSL_cleanse(p, len);
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* RFC 9110 tchar: the characters of a method or header name. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* Non-empty and every byte in [A-Za-z0-9] or one of extra. */
static bool is_word(const char *s, const char *extra)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || strchr(extra, c)))
			return false;
	}
	return true;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Appends s[0..n) with every byte outside the unreserved set (and '/' when
 * keep_slash) written as %XX, upper-case hex (RFC 3986 section 2.1). */
static void sb_add_encoded(struct sb *b, const void *s, size_t n,
			   bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		if (is_unreserved(p[i]) || (keep_slash && p[i] == '/')) {
			sb_addc(b, (char)p[i]);
		} else {
			char e[3] = {'%', digits[p[i] >> 4], digits[p[i] & 15]};

			sb_add(b, e, 3);
		}
	}
}

/* Decodes %XX escapes of s[0..n) into out (at least n bytes).  '+' stays a
 * literal '+' (RFC 3986; only HTML forms mean space by it).  -1 on a
 * truncated or non-hex escape. */
static int percent_decode(const char *s, size_t n, char *out, size_t *out_len)
{
	size_t o = 0;
	int hi, lo;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (n - i < 3)
			return -1;
		hi = hex_value((unsigned char)s[i + 1]);
		lo = hex_value((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0)
			return -1;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	*out_len = o;
	return 0;
}

int sigv4_amz_date(time_t t, char out[SIGV4_AMZ_DATE_LEN])
{
	struct tm tm;

	/* 1970..9999: %Y then always has four digits. */
	if (t < 0 || !gmtime_r(&t, &tm) || tm.tm_year > 9999 - 1900)
		return -1;
	if (strftime(out, SIGV4_AMZ_DATE_LEN, "%Y%m%dT%H%M%SZ", &tm) !=
	    SIGV4_AMZ_DATE_LEN - 1)
		return -1;
	return 0;
}

int sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX_LEN])
{
	unsigned char md[32];
	unsigned int md_len = 0;

	if (!data && len)
		return -1;
	if (!EVP_Digest(data ? data : "", len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != sizeof(md))
		return -1;
	hex_encode(md, sizeof(md), out);
	return 0;
}

/* ---- parameters ---- */

static int check_scope(const struct sigv4_params *params, char date[SIGV4_AMZ_DATE_LEN],
		       const char **err)
{
	if (!params)
		return fail(err, "missing signing parameters");
	if (!is_word(params->region, "-_."))
		return fail(err, "region is empty or has invalid characters");
	if (!is_word(params->service, "-_."))
		return fail(err, "service is empty or has invalid characters");
	if (sigv4_amz_date(params->now, date) < 0)
		return fail(err, "signing time is out of range");
	return 0;
}

static const char *session_token(const struct sigv4_credentials *creds)
{
	return creds->session_token && *creds->session_token ?
		       creds->session_token : NULL;
}

static int check_credentials(const struct sigv4_credentials *creds,
			     const char **err)
{
	const char *tok;

	if (!creds)
		return fail(err, "missing credentials");
	if (!is_word(creds->access_key_id, "_-"))
		return fail(err, "access key id is empty or has invalid characters");
	if (!creds->secret_access_key || !*creds->secret_access_key ||
	    strlen(creds->secret_access_key) > SIGV4_MAX_SECRET)
		return fail(err, "secret access key is empty or too long");
	tok = session_token(creds);
	for (; tok && *tok; tok++)
		if ((unsigned char)*tok <= ' ' || *tok == 0x7f)
			return fail(err, "session token has invalid characters");
	return 0;
}

/* ---- canonical URI ---- */

/* A path as sent: starts with '/', no control characters, no '?' or '#',
 * every '%' starts a valid escape. */
static int check_path(const char *path, const char **err)
{
	if (path[0] != '/')
		return fail(err, "path does not start with '/'");
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return fail(err, "path has control characters");
		if (c == '?' || c == '#')
			return fail(err, "path has '?' or '#'");
		if (c == '%' && (hex_value((unsigned char)p[1]) < 0 ||
				 hex_value((unsigned char)p[2]) < 0))
			return fail(err, "path has a broken percent-escape");
	}
	return 0;
}

/*
 * RFC 3986 section 5.2.4 remove_dot_segments, plus the collapse of empty
 * segments AWS wants: "/a//b/./c/../d/" -> "/a/b/d/".  The trailing slash is
 * kept when the input has one and something is left.
 */
static char *normalize_path(struct arena *a, const char *path)
{
	size_t n = strlen(path), nseg = 0, cap = 1;
	const char **seg;
	size_t *seg_len;
	struct sb out;

	for (size_t i = 0; i < n; i++)
		cap += path[i] == '/';
	seg = arena_calloc(a, cap, sizeof(*seg));
	seg_len = arena_calloc(a, cap, sizeof(*seg_len));
	for (const char *p = path; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg)
				nseg--;
		} else if (len && !(len == 1 && p[0] == '.')) {
			seg[nseg] = p;
			seg_len[nseg++] = len;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	sb_init(&out, a, n + 2);
	for (size_t i = 0; i < nseg; i++) {
		sb_addc(&out, '/');
		sb_add(&out, seg[i], seg_len[i]);
	}
	if (!nseg || path[n - 1] == '/')
		sb_addc(&out, '/');
	return out.p;
}

/* Single encoding (S3): the path was encoded for the wire already, so it is
 * signed as sent; it must then hold only what a wire path may hold. */
static int check_wire_path(const char *path, const char **err)
{
	for (const char *p = path; *p; p++)
		if (!is_unreserved((unsigned char)*p) &&
		    !strchr("/%!$&'()*+,;=:@", *p))
			return fail(err, "path has characters that must be "
					 "percent-encoded");
	return 0;
}

static int canonical_uri(struct sb *out, struct arena *a, const char *path,
			 const struct sigv4_params *params, const char **err)
{
	if (!path || !*path)
		path = "/";
	if (check_path(path, err) < 0)
		return -1;
	if (params->normalize_path)
		path = normalize_path(a, path);
	if (params->single_encode_path) {
		if (check_wire_path(path, err) < 0)
			return -1;
		sb_adds(out, path);
	} else {
		sb_add_encoded(out, path, strlen(path), true);
	}
	return 0;
}

/* ---- canonical query string ---- */

struct qparam {
	const char *key, *value; /* canonical (encoded) form */
};

struct qlist {
	struct qparam *v;
	size_t n, cap;
};

static void qlist_add(struct arena *a, struct qlist *q, const char *key,
		      const char *value)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct qparam *v = arena_calloc(a, cap, sizeof(*v));

		if (q->n)
			memcpy(v, q->v, q->n * sizeof(*v));
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n].key = key;
	q->v[q->n++].value = value;
}

/* Decodes then re-encodes s[0..n): one canonical spelling whatever escapes
 * the sender chose. */
static const char *canonical_component(struct arena *a, const char *s,
				       size_t n)
{
	char *raw = arena_alloc(a, n + 1);
	size_t raw_len;
	struct sb out;

	if (percent_decode(s, n, raw, &raw_len) < 0)
		return NULL;
	sb_init(&out, a, raw_len + 1);
	sb_add_encoded(&out, raw, raw_len, false);
	return out.overflow ? NULL : out.p;
}

/* The X-Amz-* parameters a presigned request carries; the signer owns them. */
static bool is_auth_param(const char *key)
{
	static const char *const names[] = {
		"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
		"X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token",
		"X-Amz-Signature",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(key, names[i]))
			return true;
	return false;
}

/* Splits the raw query on '&' (empty pieces are dropped), a missing '='
 * meaning an empty value, and canonicalises each key and value. */
static int parse_query(struct arena *a, const char *query, bool presign,
		       struct qlist *q, const char **err)
{
	const char *p = query ? query : "";

	while (*p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		const char *key, *value;

		if (len) {
			key = canonical_component(a, p, klen);
			value = eq ? canonical_component(a, eq + 1, len - klen - 1) :
				     "";
			if (!key || !value)
				return fail(err, "query has a broken percent-escape");
			if (presign && is_auth_param(key))
				return fail(err, "query already has X-Amz-* "
						 "signing parameters");
			qlist_add(a, q, key, value);
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}

static int qparam_cmp(const void *x, const void *y)
{
	const struct qparam *l = x, *r = y;
	int c = strcmp(l->key, r->key);

	return c ? c : strcmp(l->value, r->value);
}

static void emit_query(struct sb *out, struct qlist *q)
{
	if (q->n)
		qsort(q->v, q->n, sizeof(*q->v), qparam_cmp);
	for (size_t i = 0; i < q->n; i++) {
		if (i)
			sb_addc(out, '&');
		sb_adds(out, q->v[i].key);
		sb_addc(out, '=');
		sb_adds(out, q->v[i].value);
	}
}

/* ---- canonical headers ---- */

struct chdr {
	const char *name;  /* lower case */
	const char *value; /* trimmed, whitespace runs collapsed */
	size_t order;      /* position in the request, for a stable sort */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim and collapse whitespace (obs-folds included) to single spaces.
 * NULL if the value has a control character or a line break that is not an
 * obs-fold (a header injection). */
static const char *canonical_value(struct arena *a, const char *v)
{
	size_t n = strlen(v), o = 0;
	char *out = arena_alloc(a, n + 1);
	bool pending_space = false;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r' || c == '\n') {
			size_t j = i;

			while (j < n && (v[j] == '\r' || v[j] == '\n'))
				j++;
			if (j == n || (v[j] != ' ' && v[j] != '\t'))
				return NULL;
		}
		if (is_space((char)c)) {
			pending_space = o > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return NULL;
		if (pending_space)
			out[o++] = ' ';
		pending_space = false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

static char *lower_dup(struct arena *a, const char *s)
{
	char *d = arena_strdup(a, s);

	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* Never signed: changed by proxies and HTTP stacks on the way. */
static bool is_skipped_header(const char *lname)
{
	static const char *const names[] = {
		"user-agent", "x-amzn-trace-id", "expect",
		"transfer-encoding", "connection", "upgrade",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(lname, names[i]))
			return true;
	return false;
}

/* Added by the signer; a request that carries them already is refused. */
static bool is_owned_header(const char *lname)
{
	return !strcmp(lname, "authorization") || !strcmp(lname, "x-amz-date") ||
	       !strcmp(lname, "x-amz-security-token") ||
	       !strcmp(lname, "x-amz-content-sha256");
}

static int chdr_cmp(const void *x, const void *y)
{
	const struct chdr *l = x, *r = y;
	int c = strcmp(l->name, r->name);

	if (c)
		return c;
	return l->order < r->order ? -1 : l->order > r->order;
}

struct hlist {
	struct chdr *v;
	size_t n;
};

static int collect_headers(struct arena *a, const struct sigv4_request *req,
			   size_t extra, struct hlist *h, const char **err)
{
	size_t hosts = 0;

	if (req->n_headers && !req->headers)
		return fail(err, "header count without headers");
	if (req->n_headers > SIGV4_MAX_TEXT / 4)
		return fail(err, "too many headers");
	h->v = arena_calloc(a, req->n_headers + extra, sizeof(*h->v));
	h->n = 0;
	for (size_t i = 0; i < req->n_headers; i++) {
		const struct sigv4_header *in = &req->headers[i];
		const char *lname, *value;

		if (!is_token(in->name))
			return fail(err, arena_sprintf(a, "header #%zu has an "
						       "empty or invalid name", i + 1));
		lname = lower_dup(a, in->name);
		if (is_owned_header(lname))
			return fail(err, arena_sprintf(a, "request already has "
						       "a %s header", lname));
		if (is_skipped_header(lname))
			continue;
		value = in->value ? canonical_value(a, in->value) : NULL;
		if (!value)
			return fail(err, arena_sprintf(a, "header %s has a missing "
						       "or invalid value", lname));
		if (!strcmp(lname, "host")) {
			if (!*value)
				return fail(err, "empty Host header");
			hosts++;
		}
		h->v[h->n].name = lname;
		h->v[h->n].value = value;
		h->v[h->n].order = h->n;
		h->n++;
	}
	if (hosts != 1)
		return fail(err, hosts ? "more than one Host header" :
					 "missing Host header");
	return 0;
}

static void hlist_add(struct hlist *h, const char *lname, const char *value)
{
	h->v[h->n].name = lname;
	h->v[h->n].value = value;
	h->v[h->n].order = h->n;
	h->n++;
}

/* "name:v1,v2\n" per distinct name, and "a;b;c". */
static void emit_headers(struct hlist *h, struct sb *block, struct sb *names)
{
	qsort(h->v, h->n, sizeof(*h->v), chdr_cmp);
	for (size_t i = 0; i < h->n; i++) {
		bool same = i && !strcmp(h->v[i].name, h->v[i - 1].name);

		if (same) {
			sb_addc(block, ',');
		} else {
			if (i) {
				sb_addc(block, '\n');
				sb_addc(names, ';');
			}
			sb_adds(block, h->v[i].name);
			sb_addc(block, ':');
			sb_adds(names, h->v[i].name);
		}
		sb_adds(block, h->v[i].value);
	}
	if (h->n)
		sb_addc(block, '\n');
}

/* ---- canonical request ---- */

static int payload_hash(const struct sigv4_request *req,
			char out[SIGV4_MAX_PAYLOAD_HASH + 1], const char **err)
{
	if (req->payload_hash) {
		size_t n = strlen(req->payload_hash);

		if (!n || n > SIGV4_MAX_PAYLOAD_HASH)
			return fail(err, "payload hash is empty or too long");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)req->payload_hash[i] <= ' ' ||
			    (unsigned char)req->payload_hash[i] >= 0x7f)
				return fail(err, "payload hash has invalid characters");
		memcpy(out, req->payload_hash, n + 1);
		return 0;
	}
	if (!req->body && req->body_len)
		return fail(err, "body length without a body");
	if (sigv4_sha256_hex(req->body, req->body_len, out) < 0)
		return fail(err, "SHA-256 failed");
	return 0;
}

static char *credential_scope(struct arena *a, const struct sigv4_params *params,
			      const char *amz_date)
{
	return arena_sprintf(a, "%.8s/%s/%s/" SIGV4_TERMINATOR, amz_date,
			     params->region, params->service);
}

/* Headers the signer itself signs in headers mode. */
static void add_signer_headers(struct arena *a, struct hlist *h,
			       const struct sigv4_params *params,
			       const struct sigv4_credentials *creds,
			       const char *amz_date, const char *payload)
{
	const char *tok = session_token(creds);

	hlist_add(h, "x-amz-date", arena_strdup(a, amz_date));
	if (tok && !params->omit_session_token)
		hlist_add(h, "x-amz-security-token", tok);
	if (params->sign_body_hash_header)
		hlist_add(h, "x-amz-content-sha256", arena_strdup(a, payload));
}

/* The X-Amz-* parameters of a presigned request, canonical form. */
static void add_auth_params(struct arena *a, struct qlist *q,
			    const struct sigv4_params *params,
			    const struct sigv4_credentials *creds,
			    const char *amz_date, const char *signed_headers)
{
	const char *tok = session_token(creds);
	char *cred = arena_sprintf(a, "%s/%s", creds->access_key_id,
				   credential_scope(a, params, amz_date));
	struct sb v;

	qlist_add(a, q, "X-Amz-Algorithm", SIGV4_ALGORITHM);
	sb_init(&v, a, strlen(cred) * 3 + 1);
	sb_add_encoded(&v, cred, strlen(cred), false);
	qlist_add(a, q, "X-Amz-Credential", v.p);
	qlist_add(a, q, "X-Amz-Date", arena_strdup(a, amz_date));
	qlist_add(a, q, "X-Amz-Expires",
		  arena_sprintf(a, "%lld", (long long)params->expires_s));
	sb_init(&v, a, strlen(signed_headers) * 3 + 1);
	sb_add_encoded(&v, signed_headers, strlen(signed_headers), false);
	qlist_add(a, q, "X-Amz-SignedHeaders", v.p);
	if (tok && !params->omit_session_token) {
		sb_init_secret(&v, a, strlen(tok) * 3 + 1, true);
		sb_add_encoded(&v, tok, strlen(tok), false);
		qlist_add(a, q, "X-Amz-Security-Token", v.p);
	}
}

/* Everything but the headers, query and path, which are checked as they
 * are canonicalised. */
static int check_inputs(const struct sigv4_request *req,
			const struct sigv4_params *params,
			const struct sigv4_credentials *creds, bool presign,
			char amz_date[SIGV4_AMZ_DATE_LEN], const char **err)
{
	if (check_scope(params, amz_date, err) < 0 ||
	    check_credentials(creds, err) < 0)
		return -1;
	if (!is_token(req->method))
		return fail(err, "method is empty or not an HTTP token");
	if (presign &&
	    (params->expires_s < 1 || params->expires_s > SIGV4_MAX_EXPIRES_S))
		return fail(err, "expiry must be between 1 second and 7 days");
	return 0;
}

int sigv4_canonical_request(struct arena *a, const struct sigv4_request *req,
			    const struct sigv4_params *params,
			    const struct sigv4_credentials *creds,
			    enum sigv4_mode mode, char **canonical,
			    char **signed_headers, const char **err)
{
	char amz_date[SIGV4_AMZ_DATE_LEN];
	char payload[SIGV4_MAX_PAYLOAD_HASH + 1];
	bool presign = mode == SIGV4_MODE_QUERY;
	struct qlist q = {0};
	struct hlist h = {0};
	struct sb out, block, names;
	bool has_token;
	int rc;

	if (!a || !req || !canonical)
		return fail(err, "missing argument");
	rc = check_inputs(req, params, creds, presign, amz_date, err);
	if (!rc)
		rc = payload_hash(req, payload, err);
	if (!rc)
		rc = collect_headers(a, req, 3, &h, err);
	if (rc)
		return -1;

	/* Where the token goes, buffers are wiped at arena_free(). */
	has_token = session_token(creds) && !params->omit_session_token;
	if (!presign)
		add_signer_headers(a, &h, params, creds, amz_date, payload);
	sb_init_secret(&block, a, 512, has_token);
	sb_init(&names, a, 128);
	emit_headers(&h, &block, &names);

	rc = parse_query(a, req->query, presign, &q, err);
	if (!rc && presign)
		add_auth_params(a, &q, params, creds, amz_date, names.p);

	sb_init_secret(&out, a, 1024, has_token);
	if (!rc) {
		sb_adds(&out, req->method);
		sb_addc(&out, '\n');
		rc = canonical_uri(&out, a, req->path, params, err);
	}
	if (!rc) {
		sb_addc(&out, '\n');
		emit_query(&out, &q);
		sb_addc(&out, '\n');
		sb_add(&out, block.p, block.len);
		sb_addc(&out, '\n');
		sb_add(&out, names.p, names.len);
		sb_addc(&out, '\n');
		sb_adds(&out, payload);
		if (out.overflow || block.overflow || names.overflow)
			rc = fail(err, "request too large to sign");
	}
	if (rc)
		return -1;
	*canonical = out.p;
	if (signed_headers)
		*signed_headers = names.p;
	return 0;
}

int sigv4_string_to_sign(struct arena *a, const struct sigv4_params *params,
			 const char *canonical_request, char **out,
			 const char **err)
{
	char amz_date[SIGV4_AMZ_DATE_LEN];
	char hash[SIGV4_HEX_LEN];

	if (!a || !canonical_request || !out)
		return fail(err, "missing argument");
	if (check_scope(params, amz_date, err) < 0)
		return -1;
	if (sigv4_sha256_hex(canonical_request, strlen(canonical_request), hash) < 0)
		return fail(err, "SHA-256 failed");
	*out = arena_sprintf(a, SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date,
			     credential_scope(a, params, amz_date), hash);
	return 0;
}

/* ---- signing key and signature ---- */

/* One HMAC-SHA256 with ctx, re-keyed each time (the digest was set when the
 * ctx was made).  The ctx's key copy is wiped by OpenSSL when re-keyed or
 * freed. */
static int hmac_sha256(EVP_MAC_CTX *ctx, const void *key, size_t key_len,
		       const void *msg, size_t msg_len, unsigned char out[32])
{
	size_t out_len = 0;

	if (!EVP_MAC_init(ctx, key, key_len, NULL) ||
	    !EVP_MAC_update(ctx, msg, msg_len) ||
	    !EVP_MAC_final(ctx, out, &out_len, 32) || out_len != 32)
		return -1;
	return 0;
}

static EVP_MAC_CTX *hmac_sha256_new(void)
{
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;

	EVP_MAC_free(mac); /* the ctx holds its own reference */
	if (ctx && !EVP_MAC_CTX_set_params(ctx, p)) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/*
 * kDate = HMAC("AWS4" + secret, yyyymmdd); kRegion = HMAC(kDate, region);
 * kService = HMAC(kRegion, service); kSigning = HMAC(kService,
 * "aws4_request"); signature = hex(HMAC(kSigning, string_to_sign)).
 * k1/k2 alternate through the chain; both and the "AWS4"+secret buffer are
 * wiped whatever happens.
 */
int sigv4_signature(struct arena *a, const struct sigv4_params *params,
		    const struct sigv4_credentials *creds,
		    const char *string_to_sign, char **hex_out, const char **err)
{
	char amz_date[SIGV4_AMZ_DATE_LEN];
	unsigned char k1[32], k2[32], sig[32];
	char hex[SIGV4_HEX_LEN];
	unsigned char *ksecret = NULL;
	size_t ksecret_len = 0;
	EVP_MAC_CTX *hmac = NULL;
	int rc;

	if (!a || !string_to_sign || !hex_out)
		return fail(err, "missing argument");
	rc = check_scope(params, amz_date, err);
	if (!rc)
		rc = check_credentials(creds, err);
	if (rc)
		return -1;

	ksecret_len = 4 + strlen(creds->secret_access_key);
	ksecret = xmalloc(ksecret_len);
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, creds->secret_access_key, ksecret_len - 4);
	hmac = hmac_sha256_new();
	rc = hmac ? 0 : -1;
	if (!rc)
		rc = hmac_sha256(hmac, ksecret, ksecret_len, amz_date, 8, k1);
	if (!rc)
		rc = hmac_sha256(hmac, k1, 32, params->region,
				 strlen(params->region), k2);
	if (!rc)
		rc = hmac_sha256(hmac, k2, 32, params->service,
				 strlen(params->service), k1);
	if (!rc)
		rc = hmac_sha256(hmac, k1, 32, SIGV4_TERMINATOR,
				 strlen(SIGV4_TERMINATOR), k2);
	if (!rc)
		rc = hmac_sha256(hmac, k2, 32, string_to_sign,
				 strlen(string_to_sign), sig);

	wipe(params, ksecret, ksecret_len);
	free(ksecret);
	wipe(params, k1, sizeof(k1));
	wipe(params, k2, sizeof(k2));
	EVP_MAC_CTX_free(hmac);
	if (rc)
		return fail(err, "HMAC-SHA256 failed");
	hex_encode(sig, sizeof(sig), hex);
	*hex_out = arena_strdup(a, hex);
	return 0;
}

/* ---- the two modes ---- */

int sigv4_sign_headers(struct arena *a, const struct sigv4_request *req,
		       const struct sigv4_params *params,
		       const struct sigv4_credentials *creds,
		       struct sigv4_header **add, size_t *n_add,
		       const char **err)
{
	char amz_date[SIGV4_AMZ_DATE_LEN];
	char *canonical = NULL, *names = NULL, *sts = NULL, *sig = NULL;
	struct sigv4_header *out;
	const char *tok;
	size_t n = 0;
	int rc;

	if (!add || !n_add)
		return fail(err, "missing argument");
	rc = sigv4_canonical_request(a, req, params, creds, SIGV4_MODE_HEADERS,
				     &canonical, &names, err);
	if (!rc)
		rc = sigv4_string_to_sign(a, params, canonical, &sts, err);
	if (!rc)
		rc = sigv4_signature(a, params, creds, sts, &sig, err);
	if (rc)
		return -1;

	sigv4_amz_date(params->now, amz_date); /* validated above */
	tok = session_token(creds);
	out = arena_calloc(a, 4, sizeof(*out));
	out[n].name = "X-Amz-Date";
	out[n++].value = arena_strdup(a, amz_date);
	if (tok) {
		out[n].name = "X-Amz-Security-Token";
		out[n++].value = tok;
	}
	if (params->sign_body_hash_header) {
		/* The last line of the canonical request is the payload hash. */
		out[n].name = "X-Amz-Content-SHA256";
		out[n++].value = strrchr(canonical, '\n') + 1;
	}
	out[n].name = "Authorization";
	out[n++].value = arena_sprintf(a, SIGV4_ALGORITHM " Credential=%s/%s, "
				       "SignedHeaders=%s, Signature=%s",
				       creds->access_key_id,
				       credential_scope(a, params, amz_date),
				       names, sig);
	*add = out;
	*n_add = n;
	return 0;
}

int sigv4_presign(struct arena *a, const struct sigv4_request *req,
		  const struct sigv4_params *params,
		  const struct sigv4_credentials *creds, char **query_out,
		  const char **err)
{
	char amz_date[SIGV4_AMZ_DATE_LEN];
	char *canonical = NULL, *names = NULL, *sts = NULL, *sig = NULL;
	struct qlist q = {0};
	const char *tok;
	struct sb out;
	int rc;

	if (!query_out)
		return fail(err, "missing argument");
	rc = sigv4_canonical_request(a, req, params, creds, SIGV4_MODE_QUERY,
				     &canonical, &names, err);
	if (!rc)
		rc = sigv4_string_to_sign(a, params, canonical, &sts, err);
	if (!rc)
		rc = sigv4_signature(a, params, creds, sts, &sig, err);
	if (rc)
		return -1;

	sigv4_amz_date(params->now, amz_date); /* validated above */
	add_auth_params(a, &q, params, creds, amz_date, names);
	tok = session_token(creds);
	if (tok && params->omit_session_token) {
		/* Sent, but not part of what was signed. */
		struct sb v;

		sb_init_secret(&v, a, strlen(tok) * 3 + 1, true);
		sb_add_encoded(&v, tok, strlen(tok), false);
		qlist_add(a, &q, "X-Amz-Security-Token", v.p);
	}
	sb_init_secret(&out, a, 512, tok != NULL);
	if (req->query && *req->query) {
		sb_adds(&out, req->query);
		sb_addc(&out, '&');
	}
	for (size_t i = 0; i < q.n; i++) {
		sb_adds(&out, q.v[i].key);
		sb_addc(&out, '=');
		sb_adds(&out, q.v[i].value);
		sb_addc(&out, '&');
	}
	sb_adds(&out, "X-Amz-Signature=");
	sb_adds(&out, sig);
	if (out.overflow)
		return fail(err, "request too large to sign");
	*query_out = out.p;
	return 0;
}
