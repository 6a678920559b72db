/*
 * emulator.h - starts the local AWS emulator (acceptance/emulator, Python)
 * for C integration tests, and talks to its control endpoint.
 *
 * emulator_start() returns 0 and fills e->endpoint, or -1 with a reason in
 * e->why (tests then SKIP, e.g. when botocore is not installed).  Honours
 * EMULATOR_ENDPOINT to use an emulator that is already running.
 */
#ifndef TESTS_EMULATOR_H
#define TESTS_EMULATOR_H

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define EMULATOR_ACCESS_KEY "AKIDEMULATOR00000000"
#define EMULATOR_SECRET_KEY "emulator-secret-key"

struct emulator {
	pid_t pid;
	char endpoint[256];
	char why[256];
};

/* Starts argv (a loopback test server) and waits for its first stdout line
 * "<prefix>=<url>".  Returns 0 with e->endpoint set, or -1 with e->why. */
static inline int test_server_start(struct emulator *e, char *const argv[],
				    const char *prefix)
{
	size_t plen = strlen(prefix);
	char line[512];
	int fds[2];
	FILE *fp;

	if (access(argv[0], X_OK) != 0) {
		snprintf(e->why, sizeof(e->why), "no %s", argv[0]);
		return -1;
	}
	if (pipe(fds) != 0)
		return -1;
	e->pid = fork();
	if (e->pid == 0) {
		/* The server dies with the test, even when the test crashes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	if (!fp || !fgets(line, sizeof(line), fp) ||
	    strncmp(line, prefix, plen) != 0 || line[plen] != '=') {
		snprintf(e->why, sizeof(e->why), "%.80s %.80s did not start (is python3-botocore installed?)",
			 argv[0], argv[1] ? argv[1] : "");
		if (fp)
			fclose(fp);
		if (e->pid > 0) {
			kill(e->pid, SIGTERM);
			waitpid(e->pid, NULL, 0);
		}
		e->pid = 0;
		return -1;
	}
	fclose(fp);
	line[strcspn(line, "\r\n")] = '\0';
	snprintf(e->endpoint, sizeof(e->endpoint), "%.200s", line + plen + 1);
	return 0;
}

static inline int emulator_start(struct emulator *e)
{
	const char *py = getenv("PYTHON");
	const char *existing = getenv("EMULATOR_ENDPOINT");
	char *argv[] = { NULL, (char *)"-m", (char *)"acceptance.emulator",
			 (char *)"--port", (char *)"0", (char *)"--create-delay",
			 (char *)"0.2", (char *)"--modify-delay", (char *)"0.2",
			 (char *)"--delete-delay", (char *)"0.2", NULL };

	memset(e, 0, sizeof(*e));
	if (existing && *existing) {
		snprintf(e->endpoint, sizeof(e->endpoint), "%.200s", existing);
		return 0;
	}
	argv[0] = (char *)(py ? py : "/usr/bin/python3");
	if (access("acceptance/emulator/__main__.py", R_OK) != 0) {
		snprintf(e->why, sizeof(e->why), "not run from the repository root");
		return -1;
	}
	return test_server_start(e, argv, "EMULATOR_ENDPOINT");
}

static inline void emulator_stop(struct emulator *e)
{
	if (e->pid > 0) {
		kill(e->pid, SIGTERM);
		waitpid(e->pid, NULL, 0);
		e->pid = 0;
	}
}

static size_t emulator_sink(char *p, size_t s, size_t n, void *d)
{
	size_t len = s * n, have = strlen((char *)d);

	if (have + len < 65535) {
		memcpy((char *)d + have, p, len);
		((char *)d)[have + len] = '\0';
	}
	return len;
}

/* POSTs (or DELETEs when body is NULL) to /_emulator/<what>; the reply
 * goes into out (64 KiB).  Returns the HTTP status or -1. */
static inline long emulator_control(const struct emulator *e, const char *method,
				    const char *what, const char *body, char *out)
{
	char url[512];
	long status = -1;
	CURL *h = curl_easy_init();
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");

	out[0] = '\0';
	snprintf(url, sizeof(url), "%s/_emulator/%s", e->endpoint, what);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, emulator_sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	return status;
}

#endif
