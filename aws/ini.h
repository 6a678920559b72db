/*
 * ini.h - the AWS shared config and credentials file format.
 *
 * Sections: `[default]`, `[profile name]` (config file) or `[name]`
 * (credentials file); `key = value` lines; `#` and `;` start comments;
 * indented lines after `key =` are sub-properties (kept as "key.sub").
 * Keys are case-sensitive as the SDKs treat them.  No library parses this
 * format, hence this small one.
 *
 * Parsing never fails on content: malformed lines are reported in *problems
 * (line numbers, never values, since the file holds secrets) and skipped.
 * All memory is arena memory.
 */
#ifndef AWS_INI_H
#define AWS_INI_H

#include <stddef.h>

struct arena;

struct ini_entry {
	const char *section;	/* "default", "profile dev", "dev" as written */
	const char *key;
	const char *value;
	int line;
};

struct ini_file {
	const char *path;
	struct ini_entry *entries;
	size_t n;
	const char *problems;	/* NULL, or "line 3: ...; line 9: ..." */
};

/* Parses text (len bytes). */
void ini_parse(struct arena *a, const char *path, const char *text,
	       size_t len, struct ini_file *out);

/* Reads and parses a file (at most 1 MiB).  Returns 0, 1 if the file does
 * not exist, -1 if it cannot be read (*err set). */
int ini_load(struct arena *a, const char *path, struct ini_file *out,
	     const char **err);

/* Value of key in section, or NULL.  The last occurrence wins. */
const char *ini_get(const struct ini_file *f, const char *section,
		    const char *key);

/* 1 if the section exists. */
int ini_has_section(const struct ini_file *f, const char *section);

#endif
