/*
 * tls.c - AutoMTLS: the server's throw-away certificate and the pinned
 * client certificate (go-plugin mtls.go generateCert; server.go reading
 * PLUGIN_CLIENT_CERT).  OpenSSL 3 does all the work.
 *
 * Does not configure gRPC: server.c hands the certificate's PEM and
 * grpc_key to grpc_ssl_server_credentials_create_with_options.
 */
/* The ENGINE API and PEM_write_bio_ECPrivateKey: see key_engine_add and
 * write_key. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "provider/tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#ifndef OPENSSL_NO_ENGINE
#include <openssl/engine.h>
#include <openssl/rand.h>
#endif
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS_HOST "localhost"
#define TLS_ORG "HashiCorp"
#define TLS_SKEW_S 30L
#define TLS_LIFETIME_S (262980L * 3600L)

/* The server key: P-256 with ECDSA-SHA256 (what Go's x509 pairs with a
 * P-256 key).  go-plugin's own generateCert uses P-521, but its client
 * only adds the announced certificate to a pool and lets crypto/tls verify
 * it, which takes any ECDSA curve Go supports.  P-256 keeps 128-bit
 * security (the level of the TLS 1.3 suites negotiated anyway), costs a
 * fraction of P-521 at every start (OpenSSL's P-256 code is constant-time
 * assembly; docs/performance.md has the figures). */
#ifndef TLS_P521
#define TLS_CURVE "P-256"
#define TLS_CURVE_NID NID_X9_62_prime256v1
#define TLS_DIGEST EVP_sha256
#else	/* go-plugin's choice; kept for measurements (docs/performance.md) */
#define TLS_CURVE "P-521"
#define TLS_CURVE_NID NID_secp521r1
#define TLS_DIGEST EVP_sha512
#endif

/* The reason text of OpenSSL's last error, or def. */
static const char *ssl_reason(const char *def)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : def;
}

/* Copies a memory BIO's contents into a new NUL-terminated string. */
static char *bio_to_string(BIO *b)
{
	char *data, *out;
	long n = BIO_get_mem_data(b, &data);

	if (n < 0)
		return NULL;
	out = malloc((size_t)n + 1);
	if (!out)
		return NULL;
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int rc = -1;

	if (!bn)
		return -1;
	do {
		if (!BN_rand(bn, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY))
			goto out;
	} while (BN_is_zero(bn));
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		rc = 0;
out:
	BN_free(bn);
	return rc;
}

static int set_name(X509 *x)
{
	X509_NAME *n = X509_get_subject_name(x);

	/* Go's pkix.Name writes O before CN, one attribute per RDN. */
	if (!X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
					(const unsigned char *)TLS_ORG, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
					(const unsigned char *)TLS_HOST, -1, -1, 0))
		return -1;
	return X509_set_issuer_name(x, n) ? 0 : -1;
}

/* The SubjectPublicKeyInfo straight from the key's encoded point
 * (id-ecPublicKey, namedCurve TLS_CURVE_NID; RFC 5480).  X509_set_pubkey
 * would get the same bytes by running OpenSSL 3.0's encoder and then its
 * decoder, about a third of the whole certificate's cost. */
static int set_pubkey(X509 *x, EVP_PKEY *key)
{
	unsigned char *point = NULL;
	size_t len = EVP_PKEY_get1_encoded_public_key(key, &point);

	if (!len || len > INT_MAX ||
	    !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x),
				    OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
				    V_ASN1_OBJECT,
				    OBJ_nid2obj(TLS_CURVE_NID), point,
				    (int)len)) {
		OPENSSL_free(point);
		return -1;
	}
	return 0;		/* point now belongs to the certificate */
}

static X509 *make_cert(EVP_PKEY *key, time_t now)
{
	X509 *x = X509_new();

	if (!x || !X509_set_version(x, 2) || set_serial(x) || set_name(x) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), now - TLS_SKEW_S) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), now + TLS_LIFETIME_S) ||
	    set_pubkey(x, key) ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature,"
		    "keyEncipherment,keyAgreement,keyCertSign") ||
	    add_ext(x, NID_ext_key_usage, "clientAuth,serverAuth") ||
	    add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, NID_subject_alt_name, "DNS:" TLS_HOST) ||
	    !X509_sign(x, key, TLS_DIGEST())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* The key as an "EC PRIVATE KEY" PEM block (RFC 5915), which gRPC reads
 * like PKCS#8: only where OpenSSL has no ENGINE support (see
 * key_engine_add).  PEM_write_bio_PrivateKey would build OpenSSL 3.0's
 * encoder context for it; the EC_KEY writer is a plain DER encoder.
 * Deprecated in 3.0, not removed. */
static char *key_pem(EVP_PKEY *key)
{
	BIO *b = BIO_new(BIO_s_mem());
	EC_KEY *ec = EVP_PKEY_get1_EC_KEY(key);
	char *out = NULL, *data;
	long n;

	if (b && ec && PEM_write_bio_ECPrivateKey(b, ec, NULL, NULL, 0, NULL,
						  NULL))
		out = bio_to_string(b);
	EC_KEY_free(ec);
	if (b) {
		n = BIO_get_mem_data(b, &data);
		if (n > 0)
			OPENSSL_cleanse(data, (size_t)n);
		BIO_free(b);
	}
	return out;
}

#ifndef OPENSSL_NO_ENGINE
/*
 * The key handed to gRPC without encoding it.  gRPC 1.51's C API takes the
 * server key as a PEM string and parses it back, which costs OpenSSL 3.0 a
 * decoder context built from scratch (4.3 M instructions, a sixth of a
 * start).  A private key written "engine:<engine id>:<key id>" makes gRPC
 * ask that OpenSSL ENGINE for the key instead (its support for keys in
 * hardware): this in-process engine, one per identity, hands over the
 * EVP_PKEY just generated.  The key never exists as PEM or DER.
 *
 * gRPC falls back to loading an engine *from a shared object in the
 * current directory* when ENGINE_by_id cannot find the id, so the engine
 * stays registered for the life of the process: after release it answers
 * every request with no key (fail closed).  gRPC takes a functional
 * reference (ENGINE_init) and never gives it back; release does, when the
 * engine's init/finish hooks say one is still held.
 */
#define TLS_ENGINE_KEY_ID "server"

/* The engine's own data (ex_data index 0, OpenSSL's application-data
 * slot), freed with the engine by its destroy hook: OpenSSL keeps the
 * pointer ENGINE_set_id is given, so the id lives here. */
struct key_engine {
	EVP_PKEY *key;		/* NULL once released */
	int initialised;	/* between the init and finish hooks */
	char id[64];
};

static int key_engine_destroy(ENGINE *e)
{
	struct key_engine *ke = ENGINE_get_ex_data(e, 0);

	if (ke) {
		EVP_PKEY_free(ke->key);
		free(ke);
		ENGINE_set_ex_data(e, 0, NULL);
	}
	return 1;
}

static int key_engine_init(ENGINE *e)
{
	struct key_engine *ke = ENGINE_get_ex_data(e, 0);

	if (ke)
		ke->initialised = 1;
	return 1;
}

static int key_engine_finish(ENGINE *e)
{
	struct key_engine *ke = ENGINE_get_ex_data(e, 0);

	if (ke)
		ke->initialised = 0;
	return 1;
}

static EVP_PKEY *key_engine_load(ENGINE *e, const char *key_id,
				 UI_METHOD *ui, void *cb_data)
{
	struct key_engine *ke = ENGINE_get_ex_data(e, 0);

	(void)ui;
	(void)cb_data;
	if (!ke || !ke->key || !key_id || strcmp(key_id, TLS_ENGINE_KEY_ID))
		return NULL;
	return EVP_PKEY_up_ref(ke->key) ? ke->key : NULL;
}

/* Registers an engine holding key under a fresh random id; returns gRPC's
 * private key string for it, or NULL. */
static char *key_engine_add(struct tls_identity *id, EVP_PKEY *key)
{
	unsigned char rnd[8];
	struct key_engine *ke;
	char *ref = NULL;
	ENGINE *e;
	size_t n;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return NULL;
	ke = calloc(1, sizeof(*ke));
	e = ENGINE_new();
	if (!ke || !e) {
		free(ke);
		ENGINE_free(e);
		return NULL;
	}
	snprintf(ke->id, sizeof(ke->id),
		 "terraform-provider-secure-%02x%02x%02x%02x%02x%02x%02x%02x",
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	/* From here the engine owns ke (destroy hook). */
	if (!ENGINE_set_destroy_function(e, key_engine_destroy) ||
	    !ENGINE_set_ex_data(e, 0, ke)) {
		free(ke);
		ENGINE_free(e);
		return NULL;
	}
	if (!ENGINE_set_id(e, ke->id) ||
	    !ENGINE_set_name(e, "terraform-provider-secure AutoMTLS key") ||
	    !ENGINE_set_init_function(e, key_engine_init) ||
	    !ENGINE_set_finish_function(e, key_engine_finish) ||
	    !ENGINE_set_load_privkey_function(e, key_engine_load) ||
	    !EVP_PKEY_up_ref(key))
		goto fail;
	ke->key = key;
	n = strlen("engine:") + strlen(ke->id) + 1 + strlen(TLS_ENGINE_KEY_ID) + 1;
	ref = malloc(n);
	if (!ref || !ENGINE_add(e))
		goto fail;
	snprintf(ref, n, "engine:%s:%s", ke->id, TLS_ENGINE_KEY_ID);
	id->engine = e;
	return ref;
fail:
	free(ref);
	ENGINE_free(e);		/* not listed: the destroy hook frees ke */
	return NULL;
}

/* Drops the key; the engine stays listed (see above) and OpenSSL frees it,
 * and with it ke, at exit. */
static void key_engine_release(struct tls_identity *id)
{
	ENGINE *e = id->engine;
	struct key_engine *ke = ENGINE_get_ex_data(e, 0);

	/* gRPC's ENGINE_init, one per listener it tried (TCP may try
	 * several ports); the finish hook clears the flag at the last one. */
	while (ke && ke->initialised)
		if (!ENGINE_finish(e))
			break;
	if (ke) {
		EVP_PKEY_free(ke->key);
		ke->key = NULL;
	}
	ENGINE_free(e);		/* ours; OpenSSL's list keeps one */
	id->engine = NULL;
}
#endif

static int encode_identity(struct tls_identity *id, X509 *x, EVP_PKEY *key)
{
	BIO *cb = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	int len, rc = -1;

	if (!cb || !PEM_write_bio_X509(cb, x))
		goto out;
	len = i2d_X509(x, &der);
	if (len <= 0)
		goto out;
	id->cert_der = malloc((size_t)len);
	id->cert_pem = bio_to_string(cb);
#ifndef OPENSSL_NO_ENGINE
	id->grpc_key = key_engine_add(id, key);
#endif
	if (!id->grpc_key)
		id->grpc_key = key_pem(key);
	if (!id->cert_der || !id->cert_pem || !id->grpc_key)
		goto out;
	memcpy(id->cert_der, der, (size_t)len);
	id->cert_der_len = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(der);
	BIO_free(cb);
	return rc;
}

int tls_identity_generate(struct tls_identity *id, time_t now, char *err,
			  size_t errlen)
{
	EVP_PKEY *key;
	X509 *x = NULL;
	int rc = -1;

	memset(id, 0, sizeof(*id));
	key = EVP_EC_gen(TLS_CURVE);
	if (key)
		x = make_cert(key, now);
	if (x && encode_identity(id, x, key) == 0)
		rc = 0;
	if (rc) {
		snprintf(err, errlen,
			 "cannot generate the AutoMTLS server certificate: %s",
			 ssl_reason("OpenSSL error"));
		tls_identity_release(id);
	}
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

void tls_identity_release(struct tls_identity *id)
{
	if (!id)
		return;
#ifndef OPENSSL_NO_ENGINE
	if (id->engine)
		key_engine_release(id);
#endif
	if (id->grpc_key)
		OPENSSL_cleanse(id->grpc_key, strlen(id->grpc_key));
	free(id->grpc_key);
	free(id->cert_pem);
	free(id->cert_der);
	memset(id, 0, sizeof(*id));
}

char *tls_client_roots(const char *pem, char *err, size_t errlen)
{
	BIO *in = BIO_new_mem_buf(pem, -1), *out = BIO_new(BIO_s_mem());
	char *res = NULL;
	int count = 0;
	X509 *x;

	if (!in || !out) {
		snprintf(err, errlen, "out of memory reading PLUGIN_CLIENT_CERT");
		goto out;
	}
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL))) {
		int ok = PEM_write_bio_X509(out, x);

		X509_free(x);
		if (!ok)
			goto fail;
		count++;
	}
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
		goto fail;
	if (count == 0) {
		snprintf(err, errlen,
			 "PLUGIN_CLIENT_CERT holds no PEM CERTIFICATE block");
		goto out;
	}
	res = bio_to_string(out);
	if (!res)
		snprintf(err, errlen, "out of memory reading PLUGIN_CLIENT_CERT");
	goto out;
fail:
	snprintf(err, errlen,
		 "PLUGIN_CLIENT_CERT is not a valid PEM certificate: %s",
		 ssl_reason("parse error"));
out:
	ERR_clear_error();
	BIO_free(in);
	BIO_free(out);
	return res;
}
