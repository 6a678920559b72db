/*
 * test_cabundle.c - the choice of CA certificates (aws/cabundle.h): the
 * order AWS_CA_BUNDLE, SSL_CERT_FILE/SSL_CERT_DIR, Go's Linux list, libcurl's
 * default, over an injected environment and filesystem; the error texts of
 * unusable settings; and the real probe on files made here.
 */
#include "tests/check.h"

#include "aws/cabundle.h"
#include "core/arena.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a fake environment and filesystem ---- */

static const char *env_kv[4][2];
static struct {
	const char *path;
	enum cabundle_probe what;
} fs[8];

static const char *fake_getenv(const char *k)
{
	size_t i;

	for (i = 0; i < 4 && env_kv[i][0]; i++)
		if (strcmp(env_kv[i][0], k) == 0)
			return env_kv[i][1];
	return NULL;
}

static enum cabundle_probe fake_probe(const char *path)
{
	size_t i;

	for (i = 0; i < 8 && fs[i].path; i++)
		if (strcmp(fs[i].path, path) == 0)
			return fs[i].what;
	return CABUNDLE_MISSING;
}

static void reset(void)
{
	memset(env_kv, 0, sizeof(env_kv));
	memset(fs, 0, sizeof(fs));
}

static void setenv_fake(const char *k, const char *v)
{
	size_t i;

	for (i = 0; env_kv[i][0]; i++)
		;
	env_kv[i][0] = k;
	env_kv[i][1] = v;
}

static void add_fs(const char *path, enum cabundle_probe what)
{
	size_t i;

	for (i = 0; fs[i].path; i++)
		;
	fs[i].path = path;
	fs[i].what = what;
}

/* Runs the choice; returns the error text, or NULL on success. */
static const char *choose(struct arena *a, struct cabundle *ca)
{
	const char *err = "unset";
	int rc = cabundle_choose(a, fake_getenv, fake_probe, ca, &err);

	if (rc == 0) {
		CHECK(err == NULL);
		return NULL;
	}
	CHECK_INT(rc, -1);
	CHECK(err != NULL);
	return err ? err : "";
}

/* ---- the system lists ---- */

static void test_distributions(void)
{
	struct arena *a = arena_new();
	struct cabundle ca;

	/* Debian / Ubuntu */
	reset();
	add_fs("/etc/ssl/certs/ca-certificates.crt", CABUNDLE_FILE);
	add_fs("/etc/ssl/certs", CABUNDLE_DIR);
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SYSTEM);
	CHECK_STR(ca.file, "/etc/ssl/certs/ca-certificates.crt");
	CHECK_STR(ca.dir, "/etc/ssl/certs");
	CHECK_STR(cabundle_describe(a, &ca), "system (file /etc/ssl/certs/ca-certificates.crt, "
		  "directory /etc/ssl/certs)");

	/* Fedora / RHEL */
	reset();
	add_fs("/etc/pki/tls/certs/ca-bundle.crt", CABUNDLE_FILE);
	add_fs("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", CABUNDLE_FILE);
	add_fs("/etc/pki/tls/certs", CABUNDLE_DIR);
	CHECK(choose(a, &ca) == NULL);
	CHECK_STR(ca.file, "/etc/pki/tls/certs/ca-bundle.crt");
	CHECK_STR(ca.dir, "/etc/pki/tls/certs");

	/* RHEL 7 without the compatibility link; both directories exist. */
	reset();
	add_fs("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", CABUNDLE_FILE);
	add_fs("/etc/ssl/certs", CABUNDLE_DIR);
	add_fs("/etc/pki/tls/certs", CABUNDLE_DIR);
	CHECK(choose(a, &ca) == NULL);
	CHECK_STR(ca.file, "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem");
	CHECK_STR(ca.dir, "/etc/ssl/certs:/etc/pki/tls/certs");

	/* Alpine; an empty Debian bundle (ca-certificates not yet run) is
	 * passed over, as is a bundle that cannot be read. */
	reset();
	add_fs("/etc/ssl/certs/ca-certificates.crt", CABUNDLE_NO_CERT);
	add_fs("/etc/pki/tls/certs/ca-bundle.crt", CABUNDLE_UNREADABLE);
	add_fs("/etc/ssl/cert.pem", CABUNDLE_FILE);
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SYSTEM);
	CHECK_STR(ca.file, "/etc/ssl/cert.pem");
	CHECK(ca.dir == NULL);
	CHECK_STR(cabundle_describe(a, &ca), "system (file /etc/ssl/cert.pem)");

	/* Only a hashed directory. */
	reset();
	add_fs("/etc/ssl/certs", CABUNDLE_DIR);
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SYSTEM);
	CHECK(ca.file == NULL);
	CHECK_STR(ca.dir, "/etc/ssl/certs");

	/* Nothing at all (a scratch container): libcurl's default. */
	reset();
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_LIBCURL_DEFAULT);
	CHECK(ca.file == NULL && ca.dir == NULL);
	CHECK_STR(cabundle_describe(a, &ca), "libcurl default");
	arena_free(a);
}

/* ---- the variables ---- */

static void test_aws_ca_bundle_first_and_alone(void)
{
	struct arena *a = arena_new();
	struct cabundle ca;

	reset();
	add_fs("/etc/ssl/certs/ca-certificates.crt", CABUNDLE_FILE);
	add_fs("/etc/ssl/certs", CABUNDLE_DIR);
	add_fs("/corp/ca.pem", CABUNDLE_FILE);
	setenv_fake("AWS_CA_BUNDLE", "/corp/ca.pem");
	/* Not even looked at once AWS_CA_BUNDLE is set. */
	setenv_fake("SSL_CERT_FILE", "/missing.pem");
	setenv_fake("SSL_CERT_DIR", "/missing");
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_AWS_CA_BUNDLE);
	CHECK_STR(ca.file, "/corp/ca.pem");
	CHECK(ca.dir == NULL);		/* no system directory adds trust */
	CHECK_STR(cabundle_describe(a, &ca), "AWS_CA_BUNDLE (file /corp/ca.pem)");

	/* Set but empty counts as unset. */
	reset();
	add_fs("/etc/ssl/cert.pem", CABUNDLE_FILE);
	setenv_fake("AWS_CA_BUNDLE", "");
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SYSTEM);
	CHECK_STR(ca.file, "/etc/ssl/cert.pem");
	arena_free(a);
}

static void test_unusable_aws_ca_bundle(void)
{
	static const struct {
		enum cabundle_probe what;
		const char *why;
	} cases[] = {
		{ CABUNDLE_MISSING, "which does not exist." },
		{ CABUNDLE_UNREADABLE, "which cannot be read by the provider" },
		{ CABUNDLE_DIR, "which is a directory, not a PEM file." },
		{ CABUNDLE_NO_CERT, "which holds no PEM certificate" },
		{ CABUNDLE_OTHER, "which is neither a regular file nor a directory." },
	};
	struct arena *a = arena_new();
	struct cabundle ca;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err;

		reset();
		add_fs("/etc/ssl/certs/ca-certificates.crt", CABUNDLE_FILE);
		add_fs("/corp/ca.pem", cases[i].what);
		setenv_fake("AWS_CA_BUNDLE", "/corp/ca.pem");
		err = choose(a, &ca);
		CHECK(err && strncmp(err, "AWS_CA_BUNDLE is set to \"/corp/ca.pem\", ", 40) == 0);
		CHECK(err && strstr(err, cases[i].why));
		CHECK(err && strstr(err, "or unset it."));
	}
	arena_free(a);
}

static void test_ssl_cert_variables(void)
{
	struct arena *a = arena_new();
	struct cabundle ca;
	const char *err;

	/* SSL_CERT_FILE replaces the file list; directories stay (Go). */
	reset();
	add_fs("/etc/ssl/certs/ca-certificates.crt", CABUNDLE_FILE);
	add_fs("/etc/ssl/certs", CABUNDLE_DIR);
	add_fs("/opt/ca.pem", CABUNDLE_FILE);
	setenv_fake("SSL_CERT_FILE", "/opt/ca.pem");
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SSL_CERT_ENV);
	CHECK_STR(ca.file, "/opt/ca.pem");
	CHECK_STR(ca.dir, "/etc/ssl/certs");
	CHECK_STR(cabundle_describe(a, &ca), "SSL_CERT_FILE/SSL_CERT_DIR (file /opt/ca.pem, "
		  "directory /etc/ssl/certs)");

	/* SSL_CERT_DIR replaces the directories (a list, empty parts
	 * dropped); the file stays. */
	reset();
	add_fs("/etc/ssl/certs/ca-certificates.crt", CABUNDLE_FILE);
	add_fs("/etc/ssl/certs", CABUNDLE_DIR);
	add_fs("/a", CABUNDLE_DIR);
	add_fs("/b", CABUNDLE_DIR);
	setenv_fake("SSL_CERT_DIR", "/a::/b:");
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SSL_CERT_ENV);
	CHECK_STR(ca.file, "/etc/ssl/certs/ca-certificates.crt");
	CHECK_STR(ca.dir, "/a:/b");

	/* Both. */
	reset();
	add_fs("/opt/ca.pem", CABUNDLE_FILE);
	add_fs("/a", CABUNDLE_DIR);
	setenv_fake("SSL_CERT_FILE", "/opt/ca.pem");
	setenv_fake("SSL_CERT_DIR", "/a");
	CHECK(choose(a, &ca) == NULL);
	CHECK_STR(ca.file, "/opt/ca.pem");
	CHECK_STR(ca.dir, "/a");

	/* Only separators: as if unset. */
	reset();
	add_fs("/etc/ssl/cert.pem", CABUNDLE_FILE);
	setenv_fake("SSL_CERT_DIR", ":");
	CHECK(choose(a, &ca) == NULL);
	CHECK_INT(ca.source, CABUNDLE_SYSTEM);

	/* Unusable: the variable and the element are named. */
	reset();
	setenv_fake("SSL_CERT_FILE", "/nope.pem");
	err = choose(a, &ca);
	CHECK_STR(err, "SSL_CERT_FILE is set to \"/nope.pem\", which does not exist. "
		  "Point it at a PEM file of CA certificates, or unset it.");

	reset();
	add_fs("/a", CABUNDLE_DIR);
	add_fs("/f.pem", CABUNDLE_FILE);
	setenv_fake("SSL_CERT_DIR", "/a:/f.pem");
	err = choose(a, &ca);
	CHECK_STR(err, "SSL_CERT_DIR names \"/f.pem\", which is a file, not a directory. "
		  "List directories of CA certificates separated by ':', or unset it.");

	reset();
	add_fs("/a", CABUNDLE_DIR);
	setenv_fake("SSL_CERT_DIR", "/a:/gone");
	err = choose(a, &ca);
	CHECK(err && strstr(err, "\"/gone\", which does not exist."));
	arena_free(a);
}

/* ---- the real probe ---- */

/* A self-signed certificate, PEM, preceded by a comment like Debian's
 * bundle has. */
static int write_cert(const char *path)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	FILE *f = NULL;
	int ok = 0;

	if (!key || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"test CA", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, key);
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;
	f = fopen(path, "w");
	if (!f)
		goto out;
	fputs("# test CA\n", f);
	ok = PEM_write_X509(f, x) == 1;
out:
	if (f)
		fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

static void test_real_probe(void)
{
	char dir[] = "/tmp/test_cabundle.XXXXXX";
	struct arena *a;
	char *cert, *empty, *key_only, *missing;
	FILE *f;

	if (!mkdtemp(dir))
		SKIP("cannot make a temporary directory");
	a = arena_new();
	cert = arena_sprintf(a, "%s/ca.pem", dir);
	empty = arena_sprintf(a, "%s/empty.pem", dir);
	key_only = arena_sprintf(a, "%s/key.pem", dir);
	missing = arena_sprintf(a, "%s/missing.pem", dir);
	CHECK_INT(write_cert(cert), 0);
	f = fopen(empty, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	f = fopen(key_only, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", f);
		fclose(f);
	}

	CHECK_INT(cabundle_probe_path(cert), CABUNDLE_FILE);
	CHECK_INT(cabundle_probe_path(dir), CABUNDLE_DIR);
	CHECK_INT(cabundle_probe_path(missing), CABUNDLE_MISSING);
	CHECK_INT(cabundle_probe_path(arena_sprintf(a, "%s/x", cert)), CABUNDLE_MISSING);
	CHECK_INT(cabundle_probe_path(empty), CABUNDLE_NO_CERT);
	CHECK_INT(cabundle_probe_path(key_only), CABUNDLE_NO_CERT);
	CHECK_INT(cabundle_probe_path("/dev/null"), CABUNDLE_OTHER);
	if (geteuid() != 0) {	/* root reads anything */
		chmod(cert, 0);
		CHECK_INT(cabundle_probe_path(cert), CABUNDLE_UNREADABLE);
	}

	/* Through the chooser with the real environment hook replaced. */
	{
		struct cabundle ca;
		const char *err;

		reset();
		setenv_fake("AWS_CA_BUNDLE", empty);
		CHECK_INT(cabundle_choose(a, fake_getenv, NULL, &ca, &err), -1);
		CHECK(err && strstr(err, "holds no PEM certificate"));
		reset();
		setenv_fake("SSL_CERT_DIR", dir);
		CHECK_INT(cabundle_choose(a, fake_getenv, NULL, &ca, &err), 0);
		CHECK_STR(ca.dir, dir);
	}

	unlink(cert);
	unlink(empty);
	unlink(key_only);
	rmdir(dir);
	arena_free(a);
}

int main(void)
{
	RUN(test_distributions);
	RUN(test_aws_ca_bundle_first_and_alone);
	RUN(test_unusable_aws_ca_bundle);
	RUN(test_ssl_cert_variables);
	RUN(test_real_probe);
	return check_summary();
}
