/*
 * tls.c - AutoMTLS: the server's throw-away certificate and the pinned
 * client certificate (go-plugin mtls.go generateCert; server.go reading
 * PLUGIN_CLIENT_CERT).  OpenSSL 3 does all the work.
 *
 * Does not configure gRPC: server.c hands these PEM strings to
 * grpc_ssl_server_credentials_create_with_options.
 */
/* PEM_write_bio_ECPrivateKey: see write_key. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "provider/tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ec.h>
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
 * like PKCS#8.  PEM_write_bio_PrivateKey would build OpenSSL 3.0's encoder
 * context for it (3.6 M instructions, 12 % of a start); the EC_KEY writer
 * is a plain DER encoder.  Deprecated in 3.0, not removed. */
static int write_key(BIO *b, EVP_PKEY *key)
{
	EC_KEY *ec = EVP_PKEY_get1_EC_KEY(key);
	int ok = ec && PEM_write_bio_ECPrivateKey(b, ec, NULL, NULL, 0, NULL,
						  NULL);

	EC_KEY_free(ec);
	return ok ? 0 : -1;
}

static int encode_identity(struct tls_identity *id, X509 *x, EVP_PKEY *key)
{
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	int len, rc = -1;

	if (!cb || !kb || !PEM_write_bio_X509(cb, x) || write_key(kb, key))
		goto out;
	len = i2d_X509(x, &der);
	if (len <= 0)
		goto out;
	id->cert_der = malloc((size_t)len);
	id->cert_pem = bio_to_string(cb);
	id->key_pem = bio_to_string(kb);
	if (!id->cert_der || !id->cert_pem || !id->key_pem)
		goto out;
	memcpy(id->cert_der, der, (size_t)len);
	id->cert_der_len = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(der);
	BIO_free(cb);
	if (kb) {
		char *data;
		long n = BIO_get_mem_data(kb, &data);

		if (n > 0)
			OPENSSL_cleanse(data, (size_t)n);
		BIO_free(kb);
	}
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
	if (id->key_pem)
		OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
	free(id->key_pem);
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
