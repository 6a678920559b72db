/*
 * tls.h - AutoMTLS certificates (hashicorp/go-plugin mtls.go, generateCert,
 * and server.go's use of PLUGIN_CLIENT_CERT).
 *
 * Every start makes a fresh ECDSA P-256 key (signature ECDSA-SHA256, what
 * Go picks for P-256; go-plugin itself uses P-521, see tls.c for why not
 * here) and a self-signed certificate shaped like
 * go-plugin's: O=HashiCorp, CN=localhost, DNS SAN localhost,
 * KeyUsage digitalSignature|keyEncipherment|keyAgreement|keyCertSign,
 * EKU clientAuth+serverAuth, CA:TRUE, valid from now-30s for 262980 hours,
 * a random 128-bit serial below 2^128.  Generation takes about a
 * millisecond, so it stays before the handshake line.
 *
 * Thread-safe (OpenSSL 3); no shared state.
 */
#ifndef PROVIDER_TLS_H
#define PROVIDER_TLS_H

#include <stddef.h>
#include <time.h>

/* A generated identity.  All buffers are heap memory owned by the struct.
 * grpc_key is the private key as gRPC's pem_key_cert_pair takes it: where
 * OpenSSL has ENGINE support (Debian's does), "engine:<id>:server", naming
 * an in-process engine that hands gRPC the key itself, so the key is never
 * encoded (tls.c explains); otherwise an EC PRIVATE KEY PEM block, wiped
 * on release.  After release the engine answers with no key. */
struct tls_identity {
	char *cert_pem;			/* NUL-terminated */
	char *grpc_key;			/* NUL-terminated */
	unsigned char *cert_der;
	size_t cert_der_len;
	void *engine;			/* OpenSSL ENGINE, or NULL */
};

/* Generates a key and a certificate valid from now-30s.  On failure returns
 * -1 with a message in err and leaves id empty (safe to release). */
int tls_identity_generate(struct tls_identity *id, time_t now, char *err,
			  size_t errlen);

/* Wipes the key and frees everything; id may be zeroed or NULL. */
void tls_identity_release(struct tls_identity *id);

/* Checks the PLUGIN_CLIENT_CERT value: one or more PEM CERTIFICATE blocks
 * that all parse as X.509 (other PEM blocks are skipped, as Go's
 * AppendCertsFromPEM does).  Returns a new, normalised PEM string of those
 * certificates (caller frees), or NULL with a message in err. */
char *tls_client_roots(const char *pem, char *err, size_t errlen);

#endif
