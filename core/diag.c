/*
 * diag.c - diagnostics list and attribute paths (see diag.h).
 */
#include "diag.h"

#include "arena.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const struct path path_root = { 0, NULL };

static struct path path_push(struct arena *a, struct path p,
			     struct path_step step)
{
	struct path_step *steps = arena_calloc(a, p.len + 1, sizeof(*steps));
	struct path out;

	if (p.len)
		memcpy(steps, p.steps, p.len * sizeof(*steps));
	steps[p.len] = step;
	out.len = p.len + 1;
	out.steps = steps;
	return out;
}

struct path path_attr(struct arena *a, struct path p, const char *name)
{
	struct path_step s = { PATH_ATTR, arena_strdup(a, name), 0 };

	return path_push(a, p, s);
}

struct path path_key(struct arena *a, struct path p, const char *key)
{
	struct path_step s = { PATH_KEY_STRING, arena_strdup(a, key), 0 };

	return path_push(a, p, s);
}

struct path path_index(struct arena *a, struct path p, int64_t index)
{
	struct path_step s = { PATH_KEY_INT, NULL, index };

	return path_push(a, p, s);
}

char *path_string(struct arena *a, struct path p)
{
	char *out = arena_strdup(a, "");
	size_t i;

	for (i = 0; i < p.len; i++) {
		const struct path_step *s = &p.steps[i];

		switch (s->kind) {
		case PATH_ATTR:
			out = arena_sprintf(a, "%s%s%s", out, i ? "." : "",
					    s->name);
			break;
		case PATH_KEY_STRING:
			out = arena_sprintf(a, "%s[\"%s\"]", out, s->name);
			break;
		case PATH_KEY_INT:
			out = arena_sprintf(a, "%s[%" PRId64 "]", out,
					    s->index);
			break;
		}
	}
	return out;
}

bool path_equal(struct path x, struct path y)
{
	size_t i;

	if (x.len != y.len)
		return false;
	for (i = 0; i < x.len; i++) {
		const struct path_step *a = &x.steps[i], *b = &y.steps[i];

		if (a->kind != b->kind)
			return false;
		if (a->kind == PATH_KEY_INT ? a->index != b->index
					    : strcmp(a->name, b->name) != 0)
			return false;
	}
	return true;
}

void diags_init(struct diags *d, struct arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
}

static void diags_push(struct diags *d, const struct diag *dg)
{
	if (d->len == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4;
		struct diag *items = arena_calloc(d->arena, cap, sizeof(*items));

		if (d->len)
			memcpy(items, d->items, d->len * sizeof(*items));
		d->items = items;
		d->cap = cap;
	}
	d->items[d->len++] = *dg;
	if (dg->severity == DIAG_ERROR)
		d->errors++;
}

int diag_add(struct diags *d, enum diag_severity sev, const struct path *p,
	     const char *summary, const char *detail_fmt, ...)
{
	struct diag dg;
	va_list ap;

	memset(&dg, 0, sizeof(dg));
	dg.severity = sev;
	dg.summary = arena_strdup(d->arena, summary);
	if (detail_fmt) {
		va_start(ap, detail_fmt);
		dg.detail = arena_vsprintf(d->arena, detail_fmt, ap);
		va_end(ap);
	} else {
		dg.detail = "";
	}
	if (p) {
		dg.has_path = true;
		dg.path = *p;
	}
	diags_push(d, &dg);
	return sev == DIAG_ERROR ? -1 : 0;
}

void diags_append(struct diags *dst, const struct diags *src)
{
	size_t i;

	for (i = 0; i < src->len; i++)
		diags_push(dst, &src->items[i]);
}

bool diags_drop_error(struct diags *d, size_t before, const char *prefix)
{
	const struct diag *x;

	if (d->len != before + 1)
		return false;
	x = &d->items[before];
	if (x->severity != DIAG_ERROR || !x->detail ||
	    strncmp(x->detail, prefix, strlen(prefix)) != 0)
		return false;
	d->len--;
	d->errors--;
	return true;
}
