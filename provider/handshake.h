/*
 * handshake.h - the go-plugin server handshake (hashicorp/go-plugin
 * server.go), as Terraform's plugin client expects it.
 *
 * Pure functions: the environment is read through a getter passed by the
 * caller (tests inject their own), nothing here writes to stdout or exits.
 * Errors are returned as -1 with a one-line, user-readable message in the
 * caller's buffer.  Every function is thread-safe (no shared state).
 *
 * Environment (go-plugin names unless said otherwise):
 *   TF_PLUGIN_MAGIC_COOKIE   must equal Terraform's cookie
 *   PLUGIN_PROTOCOL_VERSIONS comma list offered by the client; we speak 6
 *   PLUGIN_CLIENT_CERT       PEM of the client cert: AutoMTLS on when set
 *   PLUGIN_UNIX_SOCKET_DIR   directory for the socket (else $TMPDIR, /tmp)
 *   PLUGIN_MIN_PORT/MAX_PORT TCP port range (defaults 10000..25000)
 *   TF_PLUGIN_TCP=1          OUR OWN switch (not go-plugin): listen on
 *                            127.0.0.1 instead of a unix socket
 */
#ifndef PROVIDER_HANDSHAKE_H
#define PROVIDER_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

#define HANDSHAKE_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define HANDSHAKE_COOKIE_VALUE \
	"d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
#define HANDSHAKE_CORE_PROTOCOL 1
#define HANDSHAKE_APP_PROTOCOL 6

/* go-plugin's message when the cookie is missing (printed on stderr). */
#define HANDSHAKE_NOT_A_PROGRAM \
	"This binary is a plugin. These are not meant to be executed " \
	"directly.\nPlease execute the program that consumes these " \
	"plugins, which will\nload any plugins automatically\n"

/* Returns the value of an environment variable or NULL (like getenv). */
typedef const char *handshake_getenv_fn(const char *name);

struct handshake_config {
	int app_protocol;		/* negotiated, always 6 */
	bool tcp;			/* TF_PLUGIN_TCP=1 */
	int min_port, max_port;		/* only meaningful when tcp */
	const char *socket_dir;		/* borrowed from the environment */
	const char *client_cert_pem;	/* borrowed; NULL = TLS off */
};

/* True when the magic cookie is present and right. */
bool handshake_cookie_ok(handshake_getenv_fn *get);

/* Picks the protocol from the client's comma list.  NULL or "" means the
 * client offered nothing, and go-plugin then uses the server's default (6).
 * Items that are not integers are skipped, as go-plugin does.  Fails when
 * 6 is not among the offered versions. */
int handshake_negotiate(const char *offered, int *version, char *err,
			size_t errlen);

/* Reads everything above except the cookie into cfg.  Fails on an
 * unsupported protocol list or bad port settings (only checked with TCP). */
int handshake_parse_env(handshake_getenv_fn *get,
			struct handshake_config *cfg, char *err,
			size_t errlen);

/* Chooses a fresh unix socket path "<dir>/plugin<random>" the way go-plugin
 * does (create a temp file, then remove it so the socket can take its
 * name).  dir NULL or "" means $TMPDIR, else /tmp.  Fails if the directory
 * is unusable or the path would not fit in sockaddr_un. */
int handshake_socket_path(const char *dir, handshake_getenv_fn *get,
			  char *out, size_t outlen, char *err, size_t errlen);

/* Formats "1|6|<network>|<address>|grpc|<cert>\n" into buf, where cert is
 * the unpadded standard base64 of der (empty when der is NULL).  Returns
 * the length written, or -1 if buf is too small or encoding fails. */
int handshake_format_line(char *buf, size_t buflen, int app_protocol,
			  const char *network, const char *address,
			  const unsigned char *der, size_t der_len);

#endif
