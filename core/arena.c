/*
 * arena.c - bump allocator in chained blocks, with LIFO cleanup handlers.
 *
 * Blocks grow geometrically up to 1 MiB; a request larger than a block gets a
 * block of its own.  Not thread-safe by design (one arena per RPC).
 */
#include "arena.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK (1024 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	arena_cleanup_fn *fn;
	void *data;
};

struct arena_secret {
	void *p;
	size_t size;
};

struct arena {
	struct arena_block *blocks;
	struct arena_cleanup *cleanups;
	size_t next_block_size;
	size_t used;
};

static void oom(size_t size)
{
	fprintf(stderr, "fatal error: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q)
		oom(size);
	return q;
}

char *xstrdup(const char *s)
{
	size_t len = strlen(s);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len + 1);
	return p;
}

struct arena *arena_new(void)
{
	struct arena *a = xcalloc(1, sizeof(*a));

	a->next_block_size = ARENA_FIRST_BLOCK;
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	while (a->cleanups) {
		struct arena_cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->data);
	}
	while (a->blocks) {
		struct arena_block *b = a->blocks;

		a->blocks = b->next;
		free(b);
	}
	free(a);
}

static struct arena_block *arena_grow(struct arena *a, size_t need)
{
	size_t size = a->next_block_size;
	struct arena_block *b;

	if (need > SIZE_MAX - sizeof(*b) - ARENA_ALIGN)
		oom(need);
	if (size < need)
		size = need;
	b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->used = 0;
	b->next = a->blocks;
	a->blocks = b;
	if (a->next_block_size < ARENA_MAX_BLOCK)
		a->next_block_size *= 2;
	return b;
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->blocks;
	size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (rounded < size)
		oom(size);
	if (!b || b->size - b->used < rounded)
		b = arena_grow(a, rounded);
	p = b->data + b->used;
	b->used += rounded;
	a->used += rounded;
	memset(p, 0, size);
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	if (!s)
		return NULL;
	p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_strlower(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *p;

	for (p = out; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

void *arena_memdup(struct arena *a, const void *p, size_t len)
{
	return arena_strndup(a, p, len);
}

char *arena_vsprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	if (!fmt)
		return arena_strdup(a, "");
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vsprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_add_cleanup(struct arena *a, arena_cleanup_fn *fn, void *data)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->data = data;
	c->next = a->cleanups;
	a->cleanups = c;
}

static void arena_wipe(void *data)
{
	struct arena_secret *s = data;

	OPENSSL_cleanse(s->p, s->size);
}

void arena_add_secret(struct arena *a, void *p, size_t size)
{
	struct arena_secret *s = arena_alloc(a, sizeof(*s));

	s->p = p;
	s->size = size;
	arena_add_cleanup(a, arena_wipe, s);
}

size_t arena_used(const struct arena *a)
{
	return a->used;
}
