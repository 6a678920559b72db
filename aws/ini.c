/*
 * ini.c - AWS shared config/credentials parser (see ini.h).
 */
#include "ini.h"

#include "core/arena.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define INI_MAX_BYTES (1024 * 1024)

static const char *trim(struct arena *a, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

static void add_problem(struct arena *a, struct ini_file *f, int line,
			const char *what)
{
	f->problems = f->problems
		? arena_sprintf(a, "%s; line %d: %s", f->problems, line, what)
		: arena_sprintf(a, "line %d: %s", line, what);
}

static void add_entry(struct arena *a, struct ini_file *f, size_t *cap,
		      const char *section, const char *key, const char *value,
		      int line)
{
	if (f->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct ini_entry *ne = arena_calloc(a, nc, sizeof(*ne));

		if (f->n)
			memcpy(ne, f->entries, f->n * sizeof(*ne));
		f->entries = ne;
		*cap = nc;
	}
	f->entries[f->n++] = (struct ini_entry){ section, key, value, line };
}

void ini_parse(struct arena *a, const char *path, const char *text,
	       size_t len, struct ini_file *out)
{
	const char *p = text, *end = text + len;
	const char *section = NULL, *parent_key = NULL;
	size_t cap = 0;
	int line = 0;

	memset(out, 0, sizeof(*out));
	out->path = arena_strdup(a, path);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *s = p, *eq;
		int indented;

		line++;
		p = nl ? nl + 1 : end;
		indented = s < le && (*s == ' ' || *s == '\t');
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		if (s == le || *s == '#' || *s == ';' || *s == '\r')
			continue;
		if (*s == '[') {
			const char *close = memchr(s, ']', (size_t)(le - s));

			if (!close) {
				add_problem(a, out, line, "section header without ']'");
				section = NULL;
				continue;
			}
			section = trim(a, s + 1, (size_t)(close - s - 1));
			parent_key = NULL;
			continue;
		}
		eq = memchr(s, '=', (size_t)(le - s));
		if (!eq) {
			add_problem(a, out, line, "expected key = value");
			continue;
		}
		if (!section) {
			add_problem(a, out, line, "setting outside any section");
			continue;
		}
		{
			const char *key = trim(a, s, (size_t)(eq - s));
			const char *value = trim(a, eq + 1, (size_t)(le - eq - 1));

			if (!*key) {
				add_problem(a, out, line, "empty key");
				continue;
			}
			if (indented && parent_key) {
				key = arena_sprintf(a, "%s.%s", parent_key, key);
			} else {
				parent_key = *value ? NULL : key;
			}
			add_entry(a, out, &cap, section, key, value, line);
		}
	}
}

int ini_load(struct arena *a, const char *path, struct ini_file *out,
	     const char **err)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	*err = NULL;
	memset(out, 0, sizeof(*out));
	if (!fp) {
		if (errno == ENOENT)
			return 1;
		*err = arena_sprintf(a, "cannot read %s: %s", path,
				     strerror(errno));
		return -1;
	}
	buf = arena_alloc(a, INI_MAX_BYTES + 1);
	n = fread(buf, 1, INI_MAX_BYTES + 1, fp);
	if (ferror(fp) || n > INI_MAX_BYTES) {
		*err = arena_sprintf(a, ferror(fp) ? "cannot read %s"
						   : "%s is larger than 1 MiB",
				     path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	ini_parse(a, path, buf, n, out);
	return 0;
}

const char *ini_get(const struct ini_file *f, const char *section,
		    const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->entries[i].section, section) == 0 &&
		    strcmp(f->entries[i].key, key) == 0)
			v = f->entries[i].value;
	return v;
}

int ini_has_section(const struct ini_file *f, const char *section)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->entries[i].section, section) == 0)
			return 1;
	return 0;
}
