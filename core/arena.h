/*
 * arena.h - per-RPC memory pool with cleanup handlers.
 *
 * Every RPC gets one arena: request decoding, values, strings and diagnostics
 * are allocated from it and die together with arena_free().  Foreign objects
 * (json_t, curl handles, XML parsers) are either freed on the spot or handed
 * to the arena with arena_add_cleanup().
 *
 * Memory is never returned piecemeal.  Out of memory aborts the process in
 * one place (xmalloc in arena.c): a provider that cannot allocate cannot
 * report anything useful either.
 *
 * Thread-safety: an arena belongs to one thread at a time; no locking.
 */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

typedef void arena_cleanup_fn(void *data);

/* Creates an empty arena.  Never returns NULL (aborts on OOM). */
struct arena *arena_new(void);

/* Runs the cleanup handlers in reverse order of registration, then releases
 * every block.  Accepts NULL. */
void arena_free(struct arena *a);

/* Returns size bytes aligned for any type, zero-filled.  size may be 0. */
void *arena_alloc(struct arena *a, size_t size);

/* Like arena_alloc for an array of n elements of size bytes; aborts if the
 * product overflows. */
void *arena_calloc(struct arena *a, size_t n, size_t size);

/* Copies of strings and memory.  arena_strdup(NULL) returns NULL.
 * arena_memdup adds a terminating NUL after len bytes. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t len);
void *arena_memdup(struct arena *a, const void *p, size_t len);

/* Copy of s with ASCII letters in lower case (AWS ids, which ElastiCache
 * stores lowercase).  arena_strlower(a, NULL) returns NULL. */
char *arena_strlower(struct arena *a, const char *s);

/* printf into the arena. */
char *arena_sprintf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vsprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Registers fn(data) to run at arena_free().  Handlers run last-in first-out. */
void arena_add_cleanup(struct arena *a, arena_cleanup_fn *fn, void *data);

/* Marks size bytes at p as secret: they are wiped with OPENSSL_cleanse when
 * the arena is freed.  p must live at least as long as the arena. */
void arena_add_secret(struct arena *a, void *p, size_t size);

/* Bytes handed out so far (for benchmarks and limits). */
size_t arena_used(const struct arena *a);

/* Process-wide allocation helpers that abort on OOM. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
