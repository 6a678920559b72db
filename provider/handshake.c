/*
 * handshake.c - go-plugin's server side handshake: magic cookie, protocol
 * negotiation, listener settings and the stdout line (hashicorp/go-plugin
 * server.go: Serve, protocolVersion, serverListener_unix/_tcp).
 *
 * Does not listen, generate certificates or print: server.c, tls.c and
 * main.c do.  Base64 comes from OpenSSL.
 */
#include "provider/handshake.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_MIN_PORT 10000
#define DEFAULT_MAX_PORT 25000

bool handshake_cookie_ok(handshake_getenv_fn *get)
{
	const char *v = get(HANDSHAKE_COOKIE_KEY);

	return v && strcmp(v, HANDSHAKE_COOKIE_VALUE) == 0;
}

/* Parses a decimal int in [lo, hi]; the whole string must be the number. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	/* Like Go's strconv.Atoi: no blanks, optional sign, digits. */
	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '-' ||
			   *s == '+'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int handshake_negotiate(const char *offered, int *version, char *err,
			size_t errlen)
{
	const char *p = offered;

	if (!offered || !*offered) {
		*version = HANDSHAKE_APP_PROTOCOL;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		char item[32];
		int v;

		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			if (parse_int(item, INT_MIN, INT_MAX, &v) == 0 &&
			    v == HANDSHAKE_APP_PROTOCOL) {
				*version = v;
				return 0;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	snprintf(err, errlen,
		 "incompatible plugin protocol: the client offered versions "
		 "\"%s\" (PLUGIN_PROTOCOL_VERSIONS), this provider supports "
		 "only protocol version %d",
		 offered, HANDSHAKE_APP_PROTOCOL);
	return -1;
}

static int parse_port(handshake_getenv_fn *get, const char *name, int def,
		      int *out, char *err, size_t errlen)
{
	const char *v = get(name);

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	if (parse_int(v, 1, 65535, out) == 0)
		return 0;
	snprintf(err, errlen, "%s=\"%s\" is not a port number (1-65535)",
		 name, v);
	return -1;
}

int handshake_parse_env(handshake_getenv_fn *get,
			struct handshake_config *cfg, char *err, size_t errlen)
{
	const char *tcp = get("TF_PLUGIN_TCP");
	const char *cert = get("PLUGIN_CLIENT_CERT");

	memset(cfg, 0, sizeof(*cfg));
	if (handshake_negotiate(get("PLUGIN_PROTOCOL_VERSIONS"),
				&cfg->app_protocol, err, errlen))
		return -1;
	cfg->tcp = tcp && strcmp(tcp, "1") == 0;
	cfg->socket_dir = get("PLUGIN_UNIX_SOCKET_DIR");
	cfg->client_cert_pem = cert && *cert ? cert : NULL;
	if (!cfg->tcp)
		return 0;
	if (parse_port(get, "PLUGIN_MIN_PORT", DEFAULT_MIN_PORT,
		       &cfg->min_port, err, errlen) ||
	    parse_port(get, "PLUGIN_MAX_PORT", DEFAULT_MAX_PORT,
		       &cfg->max_port, err, errlen))
		return -1;
	if (cfg->min_port > cfg->max_port) {
		snprintf(err, errlen,
			 "PLUGIN_MIN_PORT value of %d is greater than "
			 "PLUGIN_MAX_PORT value of %d",
			 cfg->min_port, cfg->max_port);
		return -1;
	}
	return 0;
}

int handshake_socket_path(const char *dir, handshake_getenv_fn *get,
			  char *out, size_t outlen, char *err, size_t errlen)
{
	char tmpl[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t dlen;
	int fd, n;

	if (!dir || !*dir)
		dir = get("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	n = snprintf(tmpl, sizeof(tmpl), "%.*s/pluginXXXXXX", (int)dlen, dir);
	if (n < 0 || (size_t)n >= sizeof(tmpl) || (size_t)n >= outlen) {
		snprintf(err, errlen,
			 "unix socket directory \"%s\" is too long for a "
			 "socket path (at most %zu bytes)",
			 dir, sizeof(tmpl) - 1);
		return -1;
	}
	fd = mkstemp(tmpl);
	if (fd < 0) {
		snprintf(err, errlen,
			 "cannot create the plugin socket in \"%.*s\": %s",
			 (int)dlen, dir, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmpl);
	memcpy(out, tmpl, (size_t)n + 1);
	return 0;
}

int handshake_format_line(char *buf, size_t buflen, int app_protocol,
			  const char *network, const char *address,
			  const unsigned char *der, size_t der_len)
{
	unsigned char *b64 = NULL;
	int n, blen = 0;

	if (der) {
		if (der_len > INT_MAX / 2)
			return -1;
		b64 = malloc(4 * ((der_len + 2) / 3) + 1);
		if (!b64)
			return -1;
		blen = EVP_EncodeBlock(b64, der, (int)der_len);
		while (blen > 0 && b64[blen - 1] == '=')
			blen--;	/* Go's base64.RawStdEncoding: no padding */
	}
	n = snprintf(buf, buflen, "%d|%d|%s|%s|grpc|%.*s\n",
		     HANDSHAKE_CORE_PROTOCOL, app_protocol, network, address,
		     blen, b64 ? (const char *)b64 : "");
	free(b64);
	if (n < 0 || (size_t)n >= buflen)
		return -1;
	return n;
}
