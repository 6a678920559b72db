/*
 * log.h - hclog-compatible JSON logging on stderr, as Terraform expects.
 *
 * One JSON object per line: "@level" (trace|debug|info|warn|error),
 * "@message", "@module" ("provider"), "@timestamp" (RFC 3339, exactly six
 * fractional digits, then "Z"), plus string fields such as tf_rpc,
 * tf_req_id, tf_resource_type.  stdout is never touched.
 *
 * The level is read once by log_init() from TF_LOG_PROVIDER_SECURE, else
 * TF_LOG_PROVIDER, else TF_LOG (trace, debug, info, warn, error, off; "json"
 * and unknown words mean trace, as Terraform does); unset means off and
 * nothing is formatted.  After log_init() the level is immutable, so every
 * function here is thread-safe (each line goes out in one write(2)).
 *
 * Secrets: callers never pass secrets.  log_redact() is the single place that
 * decides which header/field names are secret (Authorization,
 * X-Amz-Security-Token, AuthToken, Passwords.*, SecretString, ...).
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_OFF = 0,
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE,
};

struct log_field {
	const char *key;
	const char *value;
};

/* Reads the environment once; later calls do nothing. */
void log_init(void);

/* Test hook: sets the level and the output fd (default 2). Not thread-safe;
 * call before any logging thread starts. */
void log_configure(enum log_level level, int fd);

bool log_enabled(enum log_level level);

/* Writes one line with the given extra fields (may be NULL/0). */
void log_write(enum log_level level, const struct log_field *fields,
	       size_t n_fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_vwrite(enum log_level level, const struct log_field *fields,
		size_t n_fields, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* True when a header, parameter or field with this name carries a secret and
 * its value must be logged as "[REDACTED]".  Case-insensitive. */
bool log_is_secret_name(const char *name);

#endif
