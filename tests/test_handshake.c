/*
 * test_handshake.c - the pure parts of the go-plugin transport: cookie and
 * environment parsing, protocol negotiation, socket paths, the handshake
 * line, AutoMTLS certificates, PLUGIN_CLIENT_CERT checking and the debug
 * mode's reattach line.  The running server is tested end to end by
 * acceptance/driver/tests/test_handshake.py.
 */
#include "tests/check.h"

/* The ENGINE API (deprecated in OpenSSL 3.0): provider/tls.c hands gRPC
 * its key through an engine. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "provider/debug.h"
#include "provider/handshake.h"
#include "provider/tls.h"

/* ---- injected environment ---- */

static const char *fake_env[16][2];

static void env_set(const char *k, const char *v)
{
	for (int i = 0; i < 16; i++)
		if (!fake_env[i][0] || strcmp(fake_env[i][0], k) == 0) {
			fake_env[i][0] = k;
			fake_env[i][1] = v;
			return;
		}
}

static void env_clear(void)
{
	memset(fake_env, 0, sizeof(fake_env));
}

static const char *env_get(const char *k)
{
	for (int i = 0; i < 16 && fake_env[i][0]; i++)
		if (strcmp(fake_env[i][0], k) == 0)
			return fake_env[i][1];
	return NULL;
}

/* ---- cookie, negotiation, environment ---- */

static void test_cookie(void)
{
	env_clear();
	CHECK(!handshake_cookie_ok(env_get));
	env_set("TF_PLUGIN_MAGIC_COOKIE", "wrong");
	CHECK(!handshake_cookie_ok(env_get));
	env_set("TF_PLUGIN_MAGIC_COOKIE", HANDSHAKE_COOKIE_VALUE "x");
	CHECK(!handshake_cookie_ok(env_get));
	env_set("TF_PLUGIN_MAGIC_COOKIE",
		"d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");
	CHECK(handshake_cookie_ok(env_get));
	CHECK(strncmp(HANDSHAKE_NOT_A_PROGRAM, "This binary is a plugin. ",
		      25) == 0);
}

static void test_negotiate(void)
{
	char err[256];
	int v;

	v = 0;
	CHECK_INT(handshake_negotiate("5,6", &v, err, sizeof(err)), 0);
	CHECK_INT(v, 6);
	v = 0;
	CHECK_INT(handshake_negotiate("6,5", &v, err, sizeof(err)), 0);
	CHECK_INT(v, 6);
	v = 0;
	CHECK_INT(handshake_negotiate("6", &v, err, sizeof(err)), 0);
	CHECK_INT(v, 6);
	/* go-plugin skips items that are not integers */
	v = 0;
	CHECK_INT(handshake_negotiate("x,,6", &v, err, sizeof(err)), 0);
	CHECK_INT(v, 6);
	/* nothing offered: the server's default */
	v = 0;
	CHECK_INT(handshake_negotiate(NULL, &v, err, sizeof(err)), 0);
	CHECK_INT(v, 6);
	CHECK_INT(handshake_negotiate("", &v, err, sizeof(err)), 0);

	err[0] = '\0';
	CHECK_INT(handshake_negotiate("4,5", &v, err, sizeof(err)), -1);
	CHECK(strstr(err, "\"4,5\"") != NULL);
	CHECK(strstr(err, "version 6") != NULL);
	CHECK_INT(handshake_negotiate("66", &v, err, sizeof(err)), -1);
	CHECK_INT(handshake_negotiate("6x", &v, err, sizeof(err)), -1);
	CHECK_INT(handshake_negotiate(" 6", &v, err, sizeof(err)), -1);
}

static void test_parse_env(void)
{
	struct handshake_config cfg;
	char err[256];

	env_clear();
	env_set("PLUGIN_PROTOCOL_VERSIONS", "5,6");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), 0);
	CHECK(!cfg.tcp);
	CHECK(cfg.client_cert_pem == NULL);
	CHECK(cfg.socket_dir == NULL);
	CHECK_INT(cfg.app_protocol, 6);

	env_set("PLUGIN_CLIENT_CERT", "");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), 0);
	CHECK(cfg.client_cert_pem == NULL);
	env_set("PLUGIN_CLIENT_CERT", "PEM");
	env_set("PLUGIN_UNIX_SOCKET_DIR", "/run/x");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), 0);
	CHECK_STR(cfg.client_cert_pem, "PEM");
	CHECK_STR(cfg.socket_dir, "/run/x");

	/* TCP: our own switch, default range, bad ranges */
	env_set("TF_PLUGIN_TCP", "1");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), 0);
	CHECK(cfg.tcp);
	CHECK_INT(cfg.min_port, 10000);
	CHECK_INT(cfg.max_port, 25000);
	env_set("PLUGIN_MIN_PORT", "12000");
	env_set("PLUGIN_MAX_PORT", "12005");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), 0);
	CHECK_INT(cfg.min_port, 12000);
	CHECK_INT(cfg.max_port, 12005);
	env_set("PLUGIN_MAX_PORT", "11000");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), -1);
	CHECK(strstr(err, "greater than PLUGIN_MAX_PORT") != NULL);
	env_set("PLUGIN_MAX_PORT", "70000");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), -1);
	CHECK(strstr(err, "PLUGIN_MAX_PORT") != NULL);
	env_set("PLUGIN_MAX_PORT", "abc");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), -1);
	/* ports are not looked at without TCP */
	env_set("TF_PLUGIN_TCP", "0");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), 0);
	CHECK(!cfg.tcp);

	env_set("PLUGIN_PROTOCOL_VERSIONS", "5");
	CHECK_INT(handshake_parse_env(env_get, &cfg, err, sizeof(err)), -1);
	CHECK(strstr(err, "supports only protocol version 6") != NULL);
}

static void test_socket_path(void)
{
	char dir[] = "/tmp/test_handshake_XXXXXX", path[128], path2[128];
	char err[256], longdir[200];
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	env_clear();
	CHECK_INT(handshake_socket_path(dir, env_get, path, sizeof(path), err,
					sizeof(err)), 0);
	CHECK(strncmp(path, dir, strlen(dir)) == 0);
	CHECK(strncmp(path + strlen(dir), "/plugin", 7) == 0);
	CHECK(strlen(path) > strlen(dir) + 7);
	CHECK(stat(path, &st) != 0);	/* removed, free for the socket */
	CHECK_INT(handshake_socket_path(dir, env_get, path2, sizeof(path2),
					err, sizeof(err)), 0);
	CHECK(strcmp(path, path2) != 0);

	/* $TMPDIR when no directory is given; trailing slashes tolerated */
	env_set("TMPDIR", dir);
	CHECK_INT(handshake_socket_path(NULL, env_get, path, sizeof(path), err,
					sizeof(err)), 0);
	CHECK(strncmp(path, dir, strlen(dir)) == 0 && path[strlen(dir)] == '/');
	CHECK(strncmp(path + strlen(dir), "/plugin", 7) == 0);
	env_clear();
	CHECK_INT(handshake_socket_path("", env_get, path, sizeof(path), err,
					sizeof(err)), 0);
	CHECK(strncmp(path, "/tmp/plugin", 11) == 0);

	CHECK_INT(handshake_socket_path("/nonexistent/dir", env_get, path,
					sizeof(path), err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/dir") != NULL);
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	CHECK_INT(handshake_socket_path(longdir, env_get, path, sizeof(path),
					err, sizeof(err)), -1);
	CHECK(strstr(err, "too long") != NULL);
	rmdir(dir);
}

/* ---- handshake line ---- */

static void test_format_line(void)
{
	const unsigned char der[] = { 0x30, 0x82, 0x01, 0xff, 0xfe };
	unsigned char back[16];
	char line[256], small[10];
	const char *b64;
	int n;

	n = handshake_format_line(line, sizeof(line), 6, "unix",
				  "/tmp/plugin123", NULL, 0);
	CHECK_STR(line, "1|6|unix|/tmp/plugin123|grpc|\n");
	CHECK_INT(n, (int)strlen(line));

	n = handshake_format_line(line, sizeof(line), 6, "tcp",
				  "127.0.0.1:10000", der, sizeof(der));
	/* 5 bytes -> "MIIB//4=" padded; Go's RawStdEncoding drops the '=' */
	CHECK_STR(line, "1|6|tcp|127.0.0.1:10000|grpc|MIIB//4\n");
	CHECK_INT(n, (int)strlen(line));
	b64 = strrchr(line, '|') + 1;
	CHECK_INT(EVP_DecodeBlock(back, (const unsigned char *)"MIIB//4=", 8),
		  6);
	CHECK(memcmp(back, der, sizeof(der)) == 0);
	CHECK(strchr(b64, '=') == NULL);

	CHECK_INT(handshake_format_line(small, sizeof(small), 6, "unix",
					"/tmp/plugin123", NULL, 0), -1);
}

/* ---- certificates ---- */

static bool has_eku(X509 *x, int nid)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
						   NULL);
	bool found = false;

	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == nid)
			found = true;
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static void check_name(X509_NAME *n)
{
	char buf[64];

	CHECK_INT(X509_NAME_entry_count(n), 2);
	CHECK(X509_NAME_get_text_by_NID(n, NID_organizationName, buf,
					sizeof(buf)) > 0);
	CHECK_STR(buf, "HashiCorp");
	CHECK(X509_NAME_get_text_by_NID(n, NID_commonName, buf,
					sizeof(buf)) > 0);
	CHECK_STR(buf, "localhost");
	/* O comes first, as Go writes it */
	CHECK_INT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
			  X509_NAME_get_entry(n, 0))), NID_organizationName);
}

static void check_san(X509 *x)
{
	GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					      NULL);
	GENERAL_NAME *g;

	CHECK(san && sk_GENERAL_NAME_num(san) == 1);
	if (!san)
		return;
	g = sk_GENERAL_NAME_value(san, 0);
	CHECK(g->type == GEN_DNS);
	CHECK_STR((const char *)ASN1_STRING_get0_data(g->d.dNSName),
		  "localhost");
	GENERAL_NAMES_free(san);
}

static void check_times(X509 *x, time_t now)
{
	int days, secs;

	/* not before = now - 30 s */
	CHECK(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), now - 30) == 0);
	/* lifetime 262980 h + 30 s */
	CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
			     X509_get0_notAfter(x)));
	CHECK_INT((long long)days * 86400 + secs, 262980LL * 3600 + 30);
}

/* The private key gRPC gets for id: through the engine grpc_key names
 * ("engine:<id>:<key id>"), or from the PEM block.  The engine gets an
 * init/finish pair, as a well-behaved caller would. */
static EVP_PKEY *identity_key(const struct tls_identity *id)
{
	char eid[128], *colon;
	EVP_PKEY *key = NULL;
	ENGINE *e;
	BIO *b;

	if (strncmp(id->grpc_key, "engine:", 7)) {
		b = BIO_new_mem_buf(id->grpc_key, -1);
		key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
		return key;
	}
	snprintf(eid, sizeof(eid), "%s", id->grpc_key + 7);
	colon = strchr(eid, ':');
	if (!colon)
		return NULL;
	*colon = '\0';
	e = ENGINE_by_id(eid);
	if (!e)
		return NULL;
	if (ENGINE_init(e)) {
		key = ENGINE_load_private_key(e, colon + 1, NULL, NULL);
		ENGINE_finish(e);
	}
	ENGINE_free(e);
	return key;
}

static void test_identity_key_engine(void)
{
	struct tls_identity id;
	char err[256], eid[128], *colon;
	EVP_PKEY *key;
	ENGINE *e;

	CHECK_INT(tls_identity_generate(&id, time(NULL), err, sizeof(err)), 0);
	CHECK(strncmp(id.grpc_key, "engine:terraform-provider-secure-", 33) == 0);
	snprintf(eid, sizeof(eid), "%s", id.grpc_key + 7);
	colon = strchr(eid, ':');
	CHECK(colon && strcmp(colon + 1, "server") == 0);
	if (!colon)
		goto out;
	*colon = '\0';
	/* another key id: nothing */
	e = ENGINE_by_id(eid);
	CHECK(e != NULL);
	if (e && ENGINE_init(e)) {
		CHECK(ENGINE_load_private_key(e, "client", NULL, NULL) == NULL);
		key = ENGINE_load_private_key(e, "server", NULL, NULL);
		CHECK(key != NULL);
		EVP_PKEY_free(key);
		ENGINE_finish(e);
	}
	ENGINE_free(e);
	/* gRPC's way: an ENGINE_init per listener it tries, never finished;
	 * release gives them back (else the engine is lost at exit, which
	 * LeakSanitizer in make asan and valgrind report) */
	e = ENGINE_by_id(eid);
	CHECK(e && ENGINE_init(e) && ENGINE_init(e));
	ENGINE_free(e);
	tls_identity_release(&id);
	/* after release the engine is still found (so gRPC never goes looking
	 * for a shared object of that name) and has no key any more */
	e = ENGINE_by_id(eid);
	CHECK(e != NULL);
	if (e && ENGINE_init(e)) {
		CHECK(ENGINE_load_private_key(e, "server", NULL, NULL) == NULL);
		ENGINE_finish(e);
	}
	ENGINE_free(e);
	ERR_clear_error();
	return;
out:
	tls_identity_release(&id);
}

static void test_identity(void)
{
	struct tls_identity id;
	char err[256], name[32];
	time_t now = 1700000000;
	const unsigned char *p;
	EVP_PKEY *pub, *key;
	X509 *x;
	const ASN1_INTEGER *serial;
	const ASN1_OCTET_STRING *ski;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	CHECK_INT(tls_identity_generate(&id, now, err, sizeof(err)), 0);
	CHECK(id.cert_pem && strstr(id.cert_pem, "BEGIN CERTIFICATE"));
	CHECK(id.grpc_key != NULL);
	p = id.cert_der;
	x = d2i_X509(NULL, &p, (long)id.cert_der_len);
	CHECK(x != NULL);
	if (!x)
		goto out;
	check_name(X509_get_subject_name(x));
	CHECK(X509_NAME_cmp(X509_get_subject_name(x),
			    X509_get_issuer_name(x)) == 0);
	pub = X509_get0_pubkey(x);
	CHECK(EVP_PKEY_get_utf8_string_param(pub, "group", name, sizeof(name),
					     NULL));
	CHECK_STR(name, "prime256v1");
	CHECK_INT(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	CHECK_INT(X509_verify(x, pub), 1);
	CHECK(X509_check_ca(x) >= 1);
	CHECK((X509_get_extension_flags(x) & EXFLAG_CA) != 0);
	CHECK_INT(X509_get_key_usage(x),
		  KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT |
			  KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN);
	CHECK(has_eku(x, NID_server_auth) && has_eku(x, NID_client_auth));
	check_san(x);
	check_times(x, now);
	/* subjectKeyIdentifier: SHA-1 of the public key bits */
	ski = X509_get0_subject_key_id(x);
	CHECK(ski && X509_pubkey_digest(x, EVP_sha1(), md, &mdlen) &&
	      (unsigned int)ski->length == mdlen &&
	      memcmp(ski->data, md, mdlen) == 0);
	serial = X509_get0_serialNumber(x);
	CHECK(serial->type == V_ASN1_INTEGER && serial->length <= 17);

	/* the key gRPC gets matches the certificate */
	key = identity_key(&id);
	CHECK(key && X509_check_private_key(x, key) == 1);
	EVP_PKEY_free(key);
	X509_free(x);
out:
	tls_identity_release(&id);
	CHECK(id.grpc_key == NULL && id.cert_der == NULL && id.engine == NULL);
	tls_identity_release(NULL);
}

static void test_identities_differ(void)
{
	struct tls_identity a, b;
	EVP_PKEY *ka, *kb;
	char err[256];

	CHECK_INT(tls_identity_generate(&a, time(NULL), err, sizeof(err)), 0);
	CHECK_INT(tls_identity_generate(&b, time(NULL), err, sizeof(err)), 0);
	CHECK(a.cert_der_len != b.cert_der_len ||
	      memcmp(a.cert_der, b.cert_der, a.cert_der_len) != 0);
	ka = identity_key(&a);
	kb = identity_key(&b);
	CHECK(ka && kb && EVP_PKEY_eq(ka, kb) != 1);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	tls_identity_release(&a);
	tls_identity_release(&b);
}

static void test_client_roots(void)
{
	struct tls_identity id;
	char err[256], *roots, *mixed, *pem;
	EVP_PKEY *key;
	size_t n;
	BIO *b;

	CHECK_INT(tls_identity_generate(&id, time(NULL), err, sizeof(err)), 0);

	roots = tls_client_roots(id.cert_pem, err, sizeof(err));
	CHECK(roots != NULL);
	CHECK_STR(roots, id.cert_pem);
	free(roots);

	/* other PEM blocks are skipped, like Go's AppendCertsFromPEM */
	key = identity_key(&id);
	b = BIO_new(BIO_s_mem());
	CHECK(key && b && PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL));
	n = (size_t)BIO_get_mem_data(b, &pem);
	mixed = malloc(n + strlen(id.cert_pem) + 1);
	memcpy(mixed, pem, n);
	strcpy(mixed + n, id.cert_pem);
	BIO_free(b);
	EVP_PKEY_free(key);
	roots = tls_client_roots(mixed, err, sizeof(err));
	CHECK(roots != NULL);
	CHECK_STR(roots, id.cert_pem);
	free(roots);
	free(mixed);

	err[0] = '\0';
	CHECK(tls_client_roots("not a certificate", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "PLUGIN_CLIENT_CERT") != NULL);
	CHECK(tls_client_roots("", err, sizeof(err)) == NULL);
	err[0] = '\0';
	CHECK(tls_client_roots("-----BEGIN CERTIFICATE-----\nAAAA\n"
			       "-----END CERTIFICATE-----\n",
			       err, sizeof(err)) == NULL);
	CHECK(strstr(err, "PLUGIN_CLIENT_CERT") != NULL);
	/* a truncated certificate */
	mixed = strdup(id.cert_pem);
	strcpy(strstr(mixed, "\n") + 20, "\n-----END CERTIFICATE-----\n");
	CHECK(tls_client_roots(mixed, err, sizeof(err)) == NULL);
	free(mixed);
	tls_identity_release(&id);
}

/* ---- debug mode ---- */

static void test_reattach(void)
{
	const char *intro = "Provider started. To attach Terraform CLI, set "
			    "the TF_REATTACH_PROVIDERS environment variable "
			    "with the following:\n\n\tTF_REATTACH_PROVIDERS='{";
	char *json = debug_reattach_json(DEBUG_PROVIDER_ADDRESS, 6, 4242,
					 "unix", "/tmp/plugin1");
	char buf[1024];
	FILE *f;
	size_t n;

	CHECK_STR(json,
		  "{\"registry.terraform.io/secure-iac/secure\":{\"Protocol\":"
		  "\"grpc\",\"ProtocolVersion\":6,\"Pid\":4242,\"Test\":true,"
		  "\"Addr\":{\"Network\":\"unix\",\"String\":\"/tmp/plugin1\"}}}");
	f = tmpfile();
	CHECK(f && debug_print_instructions(f, json) == 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	CHECK(strncmp(buf, intro, strlen(intro)) == 0);
	CHECK(strstr(buf, "}}}'\n\n") != NULL);
	free(json);

	/* a quote in the path is escaped for the shell */
	json = debug_reattach_json("a", 6, 1, "unix", "/tmp/it's");
	f = tmpfile();
	CHECK(f && debug_print_instructions(f, json) == 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	CHECK(strstr(buf, "/tmp/it'\"'\"'s") != NULL);
	free(json);
}

int main(void)
{
	RUN(test_cookie);
	RUN(test_negotiate);
	RUN(test_parse_env);
	RUN(test_socket_path);
	RUN(test_format_line);
	RUN(test_identity);
	RUN(test_identity_key_engine);
	RUN(test_identities_differ);
	RUN(test_client_roots);
	RUN(test_reattach);
	return check_summary();
}
