/*
 * curl_lazy.c - libcurl, loaded on first use (release build only).
 *
 * Debian's libcurl 7.88 brings 27 shared libraries with it (GnuTLS,
 * p11-kit, nettle, Kerberos, LDAP, SASL, ...).  Mapping and relocating
 * them costs about 2.5 ms and 4 MB of resident memory at every start,
 * although the provider needs curl only when it first talks to AWS.  So
 * `make release` links this file instead of -lcurl: every libcurl function
 * the code base calls has a stub here that dlopen()s libcurl.so.4 once
 * (pthread_once) and calls the real function.  The release binary has
 * OpenSSL linked in statically and exports none of its symbols, so libcurl
 * loads and uses its own shared libssl/libcrypto: two OpenSSL copies that
 * never share state (no OpenSSL object crosses between gRPC and libcurl).
 *
 * Contract: every curl_* function called anywhere needs a stub below; a
 * missing one is a link error of the release build, never a runtime
 * surprise.  If libcurl cannot be loaded, one warning is logged and the
 * stubs fail the way libcurl itself reports failure (CURLE_FAILED_INIT,
 * NULL, -1, CURLUE_BAD_HANDLE), so callers report a transport error.
 * Debug, test and sanitizer builds link -lcurl and never compile this.
 * Thread-safe.
 */
#define CURL_DISABLE_TYPECHECK	/* the setopt/getinfo macros */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "core/log.h"

#define CURL_LAZY_SONAME "libcurl.so.4"

#define CURL_LAZY_FUNCS(X) \
	X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) \
	X(curl_easy_reset) X(curl_easy_perform) X(curl_easy_setopt) \
	X(curl_easy_getinfo) X(curl_easy_strerror) X(curl_easy_escape) \
	X(curl_easy_unescape) X(curl_free) X(curl_getdate) \
	X(curl_slist_append) X(curl_slist_free_all) X(curl_url) \
	X(curl_url_cleanup) X(curl_url_get) X(curl_url_set)

/* Written once under pthread_once, read-only afterwards. */
static struct {
#define X(f) __typeof__(f) *f;
	CURL_LAZY_FUNCS(X)
#undef X
} real;
static bool loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

typedef void generic_fn(void);

_Static_assert(sizeof(void *) == sizeof(generic_fn *),
	       "dlsym results must fit a function pointer");

/* Copies dlsym's answer into a function pointer (POSIX guarantees the
 * representation; memcpy keeps ISO C quiet). */
static bool resolve(void *h, const char *name, void *dst)
{
	void *sym = dlsym(h, name);

	if (!sym)
		return false;
	memcpy(dst, &sym, sizeof(sym));
	return true;
}

static void load(void)
{
	void *h = dlopen(CURL_LAZY_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!h) {
		log_write(LOG_WARN, NULL, 0, "cannot load %s: %s",
			  CURL_LAZY_SONAME, dlerror());
		return;
	}
#define X(f) if (!missing && !resolve(h, #f, &real.f)) missing = #f;
	CURL_LAZY_FUNCS(X)
#undef X
	if (missing) {
		log_write(LOG_WARN, NULL, 0, "%s has no %s", CURL_LAZY_SONAME,
			  missing);
		return;		/* h stays open: harmless, and rare */
	}
	loaded = true;
}

/* True once libcurl is usable; loads it on the first call. */
static bool ready(void)
{
	pthread_once(&load_once, load);
	return loaded;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? real.curl_global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return ready() ? real.curl_easy_init() : NULL;
}

/* A handle exists only if libcurl loaded: the cleanups need no check
 * beyond that. */
void curl_easy_cleanup(CURL *h)
{
	if (ready())
		real.curl_easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	if (ready())
		real.curl_easy_reset(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	return ready() ? real.curl_easy_perform(h) : CURLE_FAILED_INIT;
}

/* The option number says the argument's type (curl.h, CURLOPTTYPE_*):
 * forward exactly one argument of that type. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = real.curl_easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = real.curl_easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = real.curl_easy_setopt(h, opt, va_arg(ap, generic_fn *));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = real.curl_easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = real.curl_easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = real.curl_easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode code)
{
	return ready() ? real.curl_easy_strerror(code)
		       : "libcurl could not be loaded";
}

char *curl_easy_escape(CURL *h, const char *s, int len)
{
	return ready() ? real.curl_easy_escape(h, s, len) : NULL;
}

char *curl_easy_unescape(CURL *h, const char *s, int len, int *outlen)
{
	return ready() ? real.curl_easy_unescape(h, s, len, outlen) : NULL;
}

void curl_free(void *p)
{
	if (ready())
		real.curl_free(p);
}

time_t curl_getdate(const char *p, const time_t *unused)
{
	return ready() ? real.curl_getdate(p, unused) : -1;
}

struct curl_slist *curl_slist_append(struct curl_slist *list,
				     const char *data)
{
	return ready() ? real.curl_slist_append(list, data) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (ready())
		real.curl_slist_free_all(list);
}

CURLU *curl_url(void)
{
	return ready() ? real.curl_url() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
	if (ready())
		real.curl_url_cleanup(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part,
		       unsigned int flags)
{
	return ready() ? real.curl_url_get(u, what, part, flags)
		       : CURLUE_BAD_HANDLE;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part,
		       unsigned int flags)
{
	return ready() ? real.curl_url_set(u, what, part, flags)
		       : CURLUE_BAD_HANDLE;
}
