/*
 * cabundle.c - choosing the CA certificates HTTPS to AWS is verified with
 * (see cabundle.h).
 *
 * The order follows the AWS SDKs (AWS_CA_BUNDLE), then OpenSSL's and Go's
 * variables and Go's crypto/x509 search list for Linux (root_linux.go).
 * Does not do: the shared config's `ca_bundle` key, Windows or macOS stores,
 * loading certificates itself (libcurl and OpenSSL do that per connection).
 */
#include "aws/cabundle.h"

#include "core/arena.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const CABUNDLE_SYSTEM_FILES[] = {
	"/etc/ssl/certs/ca-certificates.crt",			/* Debian, Ubuntu, Gentoo, Arch */
	"/etc/pki/tls/certs/ca-bundle.crt",			/* Fedora, RHEL 6 */
	"/etc/ssl/ca-bundle.pem",				/* openSUSE */
	"/etc/pki/tls/cacert.pem",				/* OpenELEC */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",	/* CentOS, RHEL 7 */
	"/etc/ssl/cert.pem",					/* Alpine */
	NULL,
};

const char *const CABUNDLE_SYSTEM_DIRS[] = {
	"/etc/ssl/certs",		/* SLES, Debian (hashed links) */
	"/etc/pki/tls/certs",		/* Fedora, RHEL */
	NULL,
};

static const char *nonempty(aws_getenv_fn *ge, const char *name)
{
	const char *v = ge(name);

	return v && *v ? v : NULL;
}

enum cabundle_probe cabundle_probe_path(const char *path)
{
	struct stat st;
	X509 *cert;
	FILE *f;

	if (stat(path, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? CABUNDLE_MISSING
							   : CABUNDLE_UNREADABLE;
	if (S_ISDIR(st.st_mode))
		return access(path, R_OK | X_OK) == 0 ? CABUNDLE_DIR
						      : CABUNDLE_UNREADABLE;
	if (!S_ISREG(st.st_mode))
		return CABUNDLE_OTHER;
	f = fopen(path, "r");
	if (!f)
		return CABUNDLE_UNREADABLE;
	/* Skips text and other PEM blocks up to the first certificate. */
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (!cert)
		return CABUNDLE_NO_CERT;
	X509_free(cert);
	return CABUNDLE_FILE;
}

/* Why a path a variable names cannot serve, or NULL if it can. */
static const char *unusable(enum cabundle_probe got, enum cabundle_probe want)
{
	if (got == want)
		return NULL;
	switch (got) {
	case CABUNDLE_MISSING:
		return "does not exist";
	case CABUNDLE_UNREADABLE:
		return "cannot be read by the provider (permission denied or I/O error)";
	case CABUNDLE_NO_CERT:
		return want == CABUNDLE_DIR ? "is a file, not a directory"
			: "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
	case CABUNDLE_FILE:
		return "is a file, not a directory";
	case CABUNDLE_DIR:
		return "is a directory, not a PEM file";
	default:
		return "is neither a regular file nor a directory";
	}
}

/* The variable name's file, or -1 with *err. */
static int env_file(struct arena *a, cabundle_probe_fn *probe, const char *name,
		    const char *path, const char **err)
{
	const char *why = unusable(probe(path), CABUNDLE_FILE);

	if (!why)
		return 0;
	*err = arena_sprintf(a, "%s is set to \"%s\", which %s. Point it at a "
			     "PEM file of CA certificates, or unset it.",
			     name, path, why);
	return -1;
}

/* Every non-empty element of SSL_CERT_DIR must be a directory.  *out is the
 * list without empty elements, or NULL when it has none. */
static int env_dirs(struct arena *a, cabundle_probe_fn *probe, const char *list,
		    const char **out, const char **err)
{
	char *copy = arena_strdup(a, list), *save = NULL, *d;
	const char *joined = NULL, *why;

	for (d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		why = unusable(probe(d), CABUNDLE_DIR);
		if (why) {
			*err = arena_sprintf(a, "SSL_CERT_DIR names \"%s\", which "
					     "%s. List directories of CA "
					     "certificates separated by ':', or "
					     "unset it.", d, why);
			return -1;
		}
		joined = joined ? arena_sprintf(a, "%s:%s", joined, d) : d;
	}
	*out = joined;
	return 0;
}

static const char *system_file(cabundle_probe_fn *probe)
{
	size_t i;

	for (i = 0; CABUNDLE_SYSTEM_FILES[i]; i++)
		if (probe(CABUNDLE_SYSTEM_FILES[i]) == CABUNDLE_FILE)
			return CABUNDLE_SYSTEM_FILES[i];
	return NULL;
}

static const char *system_dirs(struct arena *a, cabundle_probe_fn *probe)
{
	const char *joined = NULL;
	size_t i;

	for (i = 0; CABUNDLE_SYSTEM_DIRS[i]; i++) {
		const char *d = CABUNDLE_SYSTEM_DIRS[i];

		if (probe(d) != CABUNDLE_DIR)
			continue;
		joined = joined ? arena_sprintf(a, "%s:%s", joined, d) : d;
	}
	return joined;
}

int cabundle_choose(struct arena *a, aws_getenv_fn *ge,
		    cabundle_probe_fn *probe, struct cabundle *out,
		    const char **err)
{
	const char *aws, *file, *dirs, *dir_list = NULL;

	if (!probe)
		probe = cabundle_probe_path;
	memset(out, 0, sizeof(*out));
	*err = NULL;
	aws = nonempty(ge, "AWS_CA_BUNDLE");
	if (aws) {
		if (env_file(a, probe, "AWS_CA_BUNDLE", aws, err))
			return -1;
		out->source = CABUNDLE_AWS_CA_BUNDLE;
		out->file = aws;
		return 0;
	}
	file = nonempty(ge, "SSL_CERT_FILE");
	dirs = nonempty(ge, "SSL_CERT_DIR");
	if (file && env_file(a, probe, "SSL_CERT_FILE", file, err))
		return -1;
	if (dirs && env_dirs(a, probe, dirs, &dir_list, err))
		return -1;
	if (file || dir_list) {
		out->source = CABUNDLE_SSL_CERT_ENV;
		out->file = file ? file : system_file(probe);
		out->dir = dir_list ? dir_list : system_dirs(a, probe);
		return 0;
	}
	out->file = system_file(probe);
	out->dir = system_dirs(a, probe);
	if (out->file || out->dir)
		out->source = CABUNDLE_SYSTEM;
	return 0;
}

const char *cabundle_source_name(enum cabundle_source s)
{
	switch (s) {
	case CABUNDLE_AWS_CA_BUNDLE:
		return "AWS_CA_BUNDLE";
	case CABUNDLE_SSL_CERT_ENV:
		return "SSL_CERT_FILE/SSL_CERT_DIR";
	case CABUNDLE_SYSTEM:
		return "system";
	default:
		return "libcurl default";
	}
}

const char *cabundle_describe(struct arena *a, const struct cabundle *ca)
{
	const char *name = cabundle_source_name(ca->source);

	if (ca->source == CABUNDLE_LIBCURL_DEFAULT)
		return name;
	if (ca->file && ca->dir)
		return arena_sprintf(a, "%s (file %s, directory %s)", name,
				     ca->file, ca->dir);
	if (ca->file)
		return arena_sprintf(a, "%s (file %s)", name, ca->file);
	return arena_sprintf(a, "%s (directory %s)", name, ca->dir);
}
