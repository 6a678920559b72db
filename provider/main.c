/*
 * main.c - terraform-provider-secure: a Terraform provider (plugin protocol
 * 6) served the way hashicorp/go-plugin serves one.
 *
 *   terraform-provider-secure            started by Terraform (magic cookie)
 *   terraform-provider-secure -debug     standalone, prints TF_REATTACH_PROVIDERS
 *   terraform-provider-secure -version   prints the version
 *
 * Process rules (go-plugin server.go): SIGINT is ignored (Terraform sends
 * Ctrl-C to the whole process group; StopProvider handles cancellation),
 * SIGTERM stops gracefully, the provider exits when its parent dies, stdout
 * carries the handshake line and nothing else.  A fatal signal prints
 * "fatal error: <signal>" so Terraform reports a crash.
 *
 * TF_PLUGIN_TCP=1 (this project's switch, not go-plugin's) listens on
 * 127.0.0.1 within PLUGIN_MIN_PORT..PLUGIN_MAX_PORT instead of a unix socket.
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "provider/config.h"
#include "provider/debug.h"
#include "provider/handshake.h"
#include "provider/rpc.h"
#include "provider/server.h"
#include "provider/tls.h"

/* go-plugin kills the plugin 2 s after Shutdown: finish (and remove the
 * socket) before that. */
#define STOP_GRACE_MS 1500
#define PARENT_POLL_MS 500

struct fatal_signal {
	int sig;
	const char *line;
};

/* Read by the fatal signal handler only: constant data. */
static const struct fatal_signal fatal_signals[] = {
	{ SIGSEGV, "fatal error: SIGSEGV\n" },
	{ SIGABRT, "fatal error: SIGABRT\n" },
	{ SIGBUS, "fatal error: SIGBUS\n" },
	{ SIGFPE, "fatal error: SIGFPE\n" },
	{ SIGILL, "fatal error: SIGILL\n" },
};
#define N_FATAL (sizeof(fatal_signals) / sizeof(*fatal_signals))

/* The actions that were installed before ours (the default, or a
 * sanitizer's), restored before the signal is delivered again.  Written
 * once at start, before any other thread exists. */
static struct sigaction fatal_previous[N_FATAL];

static void on_fatal_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	for (size_t i = 0; i < N_FATAL; i++) {
		const char *l = fatal_signals[i].line;
		ssize_t r;

		if (fatal_signals[i].sig != sig)
			continue;
		r = write(2, l, strlen(l));
		(void)r;
		sigaction(sig, &fatal_previous[i], NULL);
	}
	/* A fault raised by the CPU recurs when the handler returns, now
	 * under the previous action with its real context; a signal sent by
	 * someone (kill, abort) must be raised again. */
	if (si->si_code <= 0)
		raise(sig);
}

static void install_fatal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_FATAL; i++)
		sigaction(fatal_signals[i].sig, &sa, &fatal_previous[i]);
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

struct options {
	bool debug;
	bool version;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-debug") || !strcmp(argv[i], "--debug")) {
			o->debug = true;
		} else if (!strcmp(argv[i], "-version") ||
			   !strcmp(argv[i], "--version")) {
			o->version = true;
		} else {
			fprintf(stderr,
				"terraform-provider-secure: unknown argument "
				"\"%s\"\nusage: terraform-provider-secure "
				"[-debug | -version]\n",
				argv[i]);
			return -1;
		}
	}
	return 0;
}

/* Blocks the stop signals in every thread (gRPC's included: they inherit
 * the mask) and returns a signalfd that reports them, or -1. */
static int stop_signal_fd(bool debug)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (debug)
		sigaddset(&set, SIGINT);	/* Ctrl-C ends a debug session */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int print_handshake(const struct handshake_config *cfg,
			   const struct server *srv,
			   const struct tls_identity *id)
{
	char line[4096];
	int n = handshake_format_line(line, sizeof(line), cfg->app_protocol,
				      server_network(srv), server_address(srv),
				      id->cert_der, id->cert_der_len);

	if (n < 0)
		return -1;
	if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

static int print_debug(const struct server *srv)
{
	char *json = debug_reattach_json(DEBUG_PROVIDER_ADDRESS,
					 HANDSHAKE_APP_PROTOCOL, getpid(),
					 server_network(srv),
					 server_address(srv));
	int rc;

	if (!json)
		return -1;
	rc = debug_print_instructions(stdout, json);
	free(json);
	return rc;
}

/* Waits for SIGTERM (SIGINT in debug mode), a Shutdown RPC or the death
 * of the parent. */
static void wait_for_stop(int sig_fd, const struct server *srv,
			  pid_t parent)
{
	struct pollfd p[2] = {
		{ .fd = sig_fd, .events = POLLIN },
		{ .fd = server_stop_fd(srv), .events = POLLIN },
	};

	for (;;) {
		int n = poll(p, 2, parent ? PARENT_POLL_MS : -1);

		if (n < 0 && errno != EINTR) {
			log_write(LOG_ERROR, NULL, 0, "poll: %s",
				  strerror(errno));
			return;
		}
		if (n > 0 && (p[0].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
				log_write(LOG_DEBUG, NULL, 0,
					  "received signal %u; stopping",
					  si.ssi_signo);
			return;
		}
		if (n > 0 && (p[1].revents & POLLIN)) {
			log_write(LOG_DEBUG, NULL, 0,
				  "GRPCController.Shutdown; stopping");
			return;
		}
		if (parent && getppid() != parent) {
			log_write(LOG_DEBUG, NULL, 0,
				  "parent process exited; stopping");
			return;
		}
	}
}

/* The environment and the server certificate; fails with a message in
 * err.  PLUGIN_CLIENT_CERT goes to gRPC as it is: gRPC parses it into its
 * trust store anyway, and every X.509 parse costs ~0.4 ms in OpenSSL 3.0
 * (a decoder context built from scratch), so it is checked here only when
 * the listener cannot be set up (see explain_listen_failure). */
static int prepare(bool debug, struct handshake_config *cfg,
		   struct tls_identity *id, char *sock, size_t socklen,
		   char *err, size_t errlen)
{
	if (handshake_parse_env(env_get, cfg, err, errlen))
		return -1;
	if (debug) {
		/* terraform-plugin-go debug serving: unix socket, no TLS. */
		cfg->tcp = false;
		cfg->client_cert_pem = NULL;
		cfg->app_protocol = HANDSHAKE_APP_PROTOCOL;
	}
	if (cfg->client_cert_pem &&
	    tls_identity_generate(id, time(NULL), err, errlen))
		return -1;
	if (!cfg->tcp &&
	    handshake_socket_path(cfg->socket_dir, env_get, sock, socklen,
				  err, errlen))
		return -1;
	return 0;
}

/* gRPC refuses a listener whose TLS trust store has no certificate: if
 * PLUGIN_CLIENT_CERT is why, say so instead of the listener error. */
static void explain_listen_failure(const struct handshake_config *cfg,
				   char *err, size_t errlen)
{
	char why[512];
	char *roots;

	if (!cfg->client_cert_pem)
		return;
	roots = tls_client_roots(cfg->client_cert_pem, why, sizeof(why));
	if (!roots)
		snprintf(err, errlen, "%s", why);
	free(roots);
}

static int serve(const struct options *opt, struct provider_state *ps)
{
	struct handshake_config cfg;
	struct tls_identity id = { 0 };
	struct server_options so;
	struct server *srv = NULL;
	char sock[128] = "", err[512];
	pid_t parent = 0;
	int sig_fd = -1, rc = 1;

	if (!opt->debug) {
		parent = getppid();
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)	/* died before prctl */
			return 1;
	}
	if (prepare(opt->debug, &cfg, &id, sock, sizeof(sock), err,
		    sizeof(err)))
		goto fail;
	sig_fd = stop_signal_fd(opt->debug);
	if (sig_fd < 0) {
		snprintf(err, sizeof(err), "signalfd: %s", strerror(errno));
		goto fail;
	}
	memset(&so, 0, sizeof(so));
	so.ps = ps;
	so.tcp = cfg.tcp;
	so.min_port = cfg.min_port;
	so.max_port = cfg.max_port;
	so.socket_path = sock;
	so.client_roots_pem = cfg.client_cert_pem;
	so.cert_pem = id.cert_pem;
	so.grpc_key = id.grpc_key;
	srv = server_start(&so, err, sizeof(err));
	if (!srv) {
		explain_listen_failure(&cfg, err, sizeof(err));
		goto fail;
	}
	if ((opt->debug ? print_debug(srv) : print_handshake(&cfg, srv, &id)))
		log_write(LOG_ERROR, NULL, 0,
			  "cannot write the handshake to stdout");
	else {
		struct log_field f[] = { { "network", server_network(srv) },
					 { "address", server_address(srv) } };

		log_write(LOG_DEBUG, f, 2, "plugin address");
		tls_identity_release(&id);	/* gRPC holds its own copy */
		wait_for_stop(sig_fd, srv, parent);
		rc = 0;
	}
	if (server_stop(srv, STOP_GRACE_MS)) {
		fflush(stderr);
		_exit(rc);
	}
	goto out;
fail:
	fprintf(stderr, "terraform-provider-secure: %s\n", err);
	log_write(LOG_ERROR, NULL, 0, "%s", err);
out:
	if (sig_fd >= 0)
		close(sig_fd);
	tls_identity_release(&id);
	return rc;
}

int main(int argc, char **argv)
{
	struct provider_state ps;
	struct options opt;
	int rc;

	/* Two malloc arenas, not glibc's 8 per core: the workers are idle most
	 * of the time, and each extra arena keeps what its thread freed.
	 * Peak RSS -0.5 MB in make bench, Plan CPU per call unchanged
	 * (docs/performance.md). */
	mallopt(M_ARENA_MAX, 2);
	install_fatal_handlers();
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &opt))
		return 2;
	if (opt.version) {
		printf("terraform-provider-secure %s\n", PROVIDER_VERSION);
		return 0;
	}
	if (!opt.debug && !handshake_cookie_ok(env_get)) {
		fputs(HANDSHAKE_NOT_A_PROGRAM, stderr);
		return 1;
	}
	if (!opt.debug)
		signal(SIGINT, SIG_IGN);
	log_init();
	memset(&ps, 0, sizeof(ps));
	atomic_init(&ps.stop, 0);
	atomic_init(&ps.config, NULL);
	atomic_init(&ps.shutdown, 0);
	rc = serve(&opt, &ps);
	/* Every worker has stopped: nobody reads the configuration any more. */
	provider_config_free((struct provider_config *)atomic_exchange(&ps.config, NULL));
	return rc;
}
