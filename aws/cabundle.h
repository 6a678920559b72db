/*
 * cabundle.h - which CA certificates the HTTPS transport trusts.
 *
 * A static build's libcurl has no compiled-in CA location, and distributions
 * keep their bundles in different places, so the provider chooses, in this
 * order (the first that is set wins; a variable set to the empty string
 * counts as unset):
 *
 *   1. AWS_CA_BUNDLE (the AWS SDKs' and the hashicorp/aws provider's
 *      variable): that PEM file and nothing else, as the SDKs do.
 *   2. SSL_CERT_FILE / SSL_CERT_DIR (OpenSSL's and Go's variables), with Go's
 *      crypto/x509 meaning: SSL_CERT_FILE replaces the list of system bundle
 *      files, SSL_CERT_DIR (':'-separated) replaces the system directories;
 *      whichever is unset keeps its system default.
 *   3. The system: the first bundle file of Go's Linux list
 *      (CABUNDLE_SYSTEM_FILES) that holds a certificate, plus every existing
 *      directory of CABUNDLE_SYSTEM_DIRS (OpenSSL looks certificates up there
 *      by subject hash, as c_rehash / update-ca-certificates link them).
 *   4. Nothing found: libcurl's built-in default (a distribution's libcurl
 *      has one; a static build has none and HTTPS will then fail).
 *
 * A variable that is set but unusable (missing, unreadable, a directory
 * where a file is wanted, a file without a PEM certificate) is an error that
 * names the variable and the path: it is never silently skipped.
 *
 * cabundle_choose() is a pure function of the environment and a probe, both
 * injectable; cabundle_probe_path() is the real probe (stat, open, and
 * OpenSSL's PEM reader for the first certificate).  Thread-safe.
 */
#ifndef AWS_CABUNDLE_H
#define AWS_CABUNDLE_H

#include "aws/endpoint.h"	/* aws_getenv_fn */

struct arena;

enum cabundle_source {
	CABUNDLE_LIBCURL_DEFAULT = 0,	/* nothing found: leave libcurl alone */
	CABUNDLE_AWS_CA_BUNDLE,
	CABUNDLE_SSL_CERT_ENV,		/* SSL_CERT_FILE and/or SSL_CERT_DIR */
	CABUNDLE_SYSTEM,
};

struct cabundle {
	enum cabundle_source source;
	/* For CURLOPT_CAINFO / CURLOPT_CAPATH; NULL means "none" (not
	 * libcurl's default) unless source is CABUNDLE_LIBCURL_DEFAULT, where
	 * both are NULL and the transport sets neither option.  dir may be a
	 * ':'-separated list, which OpenSSL splits. */
	const char *file;
	const char *dir;
};

/* What a probe found at a path. */
enum cabundle_probe {
	CABUNDLE_FILE = 1,		/* a readable file with a PEM certificate */
	CABUNDLE_DIR = 2,		/* a directory this process may search */
	CABUNDLE_MISSING = -1,		/* nothing there */
	CABUNDLE_UNREADABLE = -2,	/* there, but permission denied / I/O error */
	CABUNDLE_NO_CERT = -3,		/* a readable file without a PEM certificate */
	CABUNDLE_OTHER = -4,		/* a device, socket, FIFO ... */
};

typedef enum cabundle_probe cabundle_probe_fn(const char *path);

/* Go's crypto/x509 lists for Linux (root_linux.go), NULL-terminated. */
extern const char *const CABUNDLE_SYSTEM_FILES[];
extern const char *const CABUNDLE_SYSTEM_DIRS[];

/* Chooses the trust store as described above, reading the environment
 * through ge (aws_client_new's, so tests can fake it); probe may be NULL
 * (cabundle_probe_path).  Returns 0 with *out filled (strings
 * borrowed from the environment or the lists, or in a's memory), or -1 with
 * *err (a's memory) naming the variable and the path, fit for a
 * diagnostic's detail. */
int cabundle_choose(struct arena *a, aws_getenv_fn *ge,
		    cabundle_probe_fn *probe, struct cabundle *out,
		    const char **err);

/* The real probe.  Reads at most up to the first certificate of a file. */
enum cabundle_probe cabundle_probe_path(const char *path);

/* "AWS_CA_BUNDLE", "SSL_CERT_FILE/SSL_CERT_DIR", "system", "libcurl default". */
const char *cabundle_source_name(enum cabundle_source s);

/* One line for logs and error messages: the source and the paths, e.g.
 * "AWS_CA_BUNDLE (file /x/ca.pem)".  In a's memory. */
const char *cabundle_describe(struct arena *a, const struct cabundle *ca);

#endif
