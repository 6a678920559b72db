/*
 * test_core.c - arena, diagnostics and attribute paths.
 */
#include "tests/check.h"

#include "core/arena.h"
#include "core/ctx.h"
#include "core/diag.h"

#include <string.h>

static int cleanup_order[4];
static int cleanup_n;

static void note_cleanup(void *data)
{
	cleanup_order[cleanup_n++] = *(int *)data;
}

static void test_arena_alloc_and_cleanup(void)
{
	struct arena *a = arena_new();
	static int one = 1, two = 2;
	char *big, *s;
	size_t i;

	cleanup_n = 0;
	s = arena_sprintf(a, "%s-%d", "node", 7);
	CHECK_STR(s, "node-7");
	CHECK_STR(arena_strndup(a, "abcdef", 3), "abc");
	CHECK(arena_strdup(a, NULL) == NULL);
	big = arena_alloc(a, 3 * 1024 * 1024);
	for (i = 0; i < 3 * 1024 * 1024; i++)
		CHECK(big[i] == 0);
	for (i = 0; i < 10000; i++)
		CHECK(((uintptr_t)arena_alloc(a, i % 37) & 15) == 0);
	arena_add_cleanup(a, note_cleanup, &one);
	arena_add_cleanup(a, note_cleanup, &two);
	arena_free(a);
	CHECK_INT(cleanup_n, 2);
	CHECK_INT(cleanup_order[0], 2);
	CHECK_INT(cleanup_order[1], 1);
	arena_free(NULL);
}

static void test_paths(void)
{
	struct arena *a = arena_new();
	struct path p = path_attr(a, path_root, "user");
	struct path q = path_index(a, p, 2);
	struct path r = path_attr(a, path_key(a, q, "k\"x"), "name");

	CHECK_STR(path_string(a, path_root), "");
	CHECK_STR(path_string(a, p), "user");
	CHECK_STR(path_string(a, r), "user[2][\"k\"x\"].name");
	CHECK(path_equal(q, path_index(a, path_attr(a, path_root, "user"), 2)));
	CHECK(!path_equal(q, p));
	CHECK(!path_equal(q, path_index(a, p, 3)));
	/* extending q must not change r's prefix */
	(void)path_attr(a, q, "other");
	CHECK_STR(path_string(a, r), "user[2][\"k\"x\"].name");
	arena_free(a);
}

static void test_diags(void)
{
	struct arena *a = arena_new();
	struct diags d;
	struct path p = path_attr(a, path_root, "port");

	diags_init(&d, a);
	CHECK(!diags_has_errors(&d));
	CHECK_INT(diag_warn(&d, NULL, "Deprecated", "use %s", "x"), 0);
	CHECK(!diags_has_errors(&d));
	CHECK_INT(diag_error(&d, &p, "Invalid port", "%d is out of range",
			     70000), -1);
	CHECK(diags_has_errors(&d));
	CHECK_INT(d.len, 2);
	CHECK_STR(d.items[0].detail, "use x");
	CHECK(!d.items[0].has_path);
	CHECK_STR(d.items[1].detail, "70000 is out of range");
	CHECK(d.items[1].has_path);
	CHECK_STR(path_string(a, d.items[1].path), "port");

	/* an expected AWS error is taken back; anything else stays */
	CHECK(!diags_drop_error(&d, 1, "SubnetInUse"));	/* "70000 ..." */
	diag_error(&d, NULL, "ElastiCache failed", "SubnetInUse: in use");
	CHECK(!diags_drop_error(&d, 1, "SubnetInUse"));	/* two since 1 */
	CHECK(diags_drop_error(&d, 2, "SubnetInUse"));
	CHECK_INT(d.len, 2);
	CHECK_INT(d.errors, 1);
	diag_warn(&d, NULL, "Note", "SubnetInUse");	/* not an error */
	CHECK(!diags_drop_error(&d, 2, "SubnetInUse"));
	arena_free(a);
}

static void test_ctx_cancel(void)
{
	atomic_int stop = 0;
	struct ctx c;

	ctx_init(&c, "ReadResource", &stop);
	CHECK(strlen(c.req_id) == 36);
	CHECK(!ctx_cancelled(&c));
	atomic_store(&stop, 1);
	CHECK(ctx_cancelled(&c));
	atomic_store(&stop, 0);
	c.deadline_ms = ctx_now_ms() - 1;
	CHECK(ctx_cancelled(&c));
	ctx_release(&c);
}

int main(void)
{
	RUN(test_arena_alloc_and_cleanup);
	RUN(test_paths);
	RUN(test_diags);
	RUN(test_ctx_cancel);
	return check_summary();
}
