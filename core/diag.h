/*
 * diag.h - diagnostics and attribute paths, carried by value to Terraform.
 *
 * A diagnostic is what a user sees: severity, summary, detail, and the path of
 * the attribute it is about (tfplugin6.Diagnostic / AttributePath).  They are
 * collected on the per-RPC context; validation collects every error,
 * operations stop at the first.
 *
 * All memory comes from the arena given to diags_init(); nothing is freed
 * separately.  Strings are copied.  Not thread-safe: one list per RPC.
 *
 * Never put a secret into a summary or detail.
 */
#ifndef CORE_DIAG_H
#define CORE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum diag_severity {
	DIAG_ERROR = 1,		/* tfplugin6.Diagnostic.ERROR */
	DIAG_WARNING = 2,	/* tfplugin6.Diagnostic.WARNING */
};

enum path_step_kind {
	PATH_ATTR,		/* .name */
	PATH_KEY_STRING,	/* ["key"] (map element, or set element by key) */
	PATH_KEY_INT,		/* [3] (list or tuple element) */
};

struct path_step {
	enum path_step_kind kind;
	const char *name;	/* PATH_ATTR and PATH_KEY_STRING */
	int64_t index;		/* PATH_KEY_INT */
};

/* An attribute path.  Immutable once built: path_* functions return new
 * paths sharing nothing mutable, so a path may be stored in a diagnostic and
 * extended afterwards without harm. */
struct path {
	size_t len;
	const struct path_step *steps;
};

/* The empty path (the whole object). */
extern const struct path path_root;

/* New path = p + one step.  Strings are copied into the arena. */
struct path path_attr(struct arena *a, struct path p, const char *name);
struct path path_key(struct arena *a, struct path p, const char *key);
struct path path_index(struct arena *a, struct path p, int64_t index);

/* Renders a path like Terraform does: name.nested[0]["key"].  Root is "". */
char *path_string(struct arena *a, struct path p);

bool path_equal(struct path x, struct path y);

struct diag {
	enum diag_severity severity;
	const char *summary;
	const char *detail;		/* may be "" */
	bool has_path;
	struct path path;
};

struct diags {
	struct arena *arena;
	struct diag *items;
	size_t len, cap;
	size_t errors;
};

void diags_init(struct diags *d, struct arena *a);

/* Appends a diagnostic; detail is a printf format (may be NULL).
 * Returns -1 for DIAG_ERROR and 0 for warnings, so callers can write
 * `return diag_error(...)`. */
int diag_add(struct diags *d, enum diag_severity sev, const struct path *p,
	     const char *summary, const char *detail_fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define diag_error(d, p, summary, ...) \
	diag_add((d), DIAG_ERROR, (p), (summary), __VA_ARGS__)
#define diag_warn(d, p, summary, ...) \
	diag_add((d), DIAG_WARNING, (p), (summary), __VA_ARGS__)

static inline bool diags_has_errors(const struct diags *d)
{
	return d->errors > 0;
}

/* If the only diagnostic added since `before` (d->len then) is an error
 * whose detail starts with `prefix` (the AWS layer puts the AWS error code
 * first), removes it and returns true: the caller retries, or treats that
 * error as an expected answer. */
bool diags_drop_error(struct diags *d, size_t before, const char *prefix);

/* Appends every diagnostic of src to dst.  The copy is shallow: strings and
 * paths stay in src's arena, which must live as long as dst is used. */
void diags_append(struct diags *dst, const struct diags *src);

#endif
