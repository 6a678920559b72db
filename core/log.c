/*
 * log.c - hclog JSON lines on stderr (see log.h).
 *
 * Format follows hashicorp/go-hclog's JSON output, which Terraform parses
 * when it runs a plugin: "@level", "@message", "@module", "@timestamp"
 * ("2006-01-02T15:04:05.000000Z07:00" with six fractional digits, "Z" for
 * UTC), then the extra fields.  Does not do: colour, plain-text format.
 */
#include "log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

static enum log_level log_current = LOG_OFF;
static int log_fd = 2;
static int log_initialised;
static pthread_mutex_t log_write_lock = PTHREAD_MUTEX_INITIALIZER;

static enum log_level log_parse_level(const char *s)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "trace", LOG_TRACE }, { "debug", LOG_DEBUG },
		{ "info", LOG_INFO },   { "warn", LOG_WARN },
		{ "error", LOG_ERROR }, { "off", LOG_OFF },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	/* Terraform treats TF_LOG=json and unknown words as trace. */
	return LOG_TRACE;
}

void log_init(void)
{
	static const char *const vars[] = { "TF_LOG_PROVIDER_SECURE",
					    "TF_LOG_PROVIDER", "TF_LOG" };
	size_t i;

	if (log_initialised)
		return;
	log_initialised = 1;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			log_current = log_parse_level(v);
			return;
		}
	}
	log_current = LOG_OFF;
}

void log_configure(enum log_level level, int fd)
{
	log_initialised = 1;
	log_current = level;
	log_fd = fd;
}

bool log_enabled(enum log_level level)
{
	return level != LOG_OFF && level <= log_current;
}

static const char *log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_ERROR: return "error";
	case LOG_WARN: return "warn";
	case LOG_INFO: return "info";
	case LOG_DEBUG: return "debug";
	default: return "trace";
	}
}

static void log_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

void log_vwrite(enum log_level level, const struct log_field *fields,
		size_t n_fields, const char *fmt, va_list ap)
{
	char ts[96], msg[4096];
	struct iovec iov[2];
	json_t *obj, *m;
	char *line;
	size_t i;

	if (!log_enabled(level))
		return;
	log_timestamp(ts, sizeof(ts));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	obj = json_object();
	json_object_set_new(obj, "@level", json_string(log_level_name(level)));
	/* jansson refuses invalid UTF-8: say so rather than drop the line. */
	m = json_string(msg);
	json_object_set_new(obj, "@message",
			    m ? m : json_string("(message is not UTF-8)"));
	json_object_set_new(obj, "@module", json_string("provider"));
	json_object_set_new(obj, "@timestamp", json_string(ts));
	for (i = 0; i < n_fields; i++) {
		json_t *v = fields[i].value ? json_string(fields[i].value)
					    : json_null();

		json_object_set_new(obj, fields[i].key,
				    v ? v : json_string("(not UTF-8)"));
	}
	line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!line)
		return;
	iov[0].iov_base = line;
	iov[0].iov_len = strlen(line);
	iov[1].iov_base = "\n";
	iov[1].iov_len = 1;
	/* One writev per line, under a lock, so lines from concurrent RPCs
	 * never interleave even when longer than PIPE_BUF. */
	pthread_mutex_lock(&log_write_lock);
	if (writev(log_fd, iov, 2) < 0) {
		/* nowhere left to report a logging failure */
	}
	pthread_mutex_unlock(&log_write_lock);
	free(line);
}

void log_write(enum log_level level, const struct log_field *fields,
	       size_t n_fields, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vwrite(level, fields, n_fields, fmt, ap);
	va_end(ap);
}

bool log_is_secret_name(const char *name)
{
	static const char *const secret[] = {
		"authorization", "x-amz-security-token", "authtoken",
		"secretstring", "secretbinary", "secret_key", "secretaccesskey",
		"sessiontoken", "token", "password", "newpassword", "plaintext",
		"passwords", "webidentitytoken", "samlassertion",
	};
	size_t i;

	if (strncasecmp(name, "Passwords", 9) == 0)
		return true;
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (strcasecmp(name, secret[i]) == 0)
			return true;
	return false;
}
