/*
 * check.h - the unit tests' tiny harness.
 *
 * Each test binary defines static test functions, runs them with RUN(), and
 * ends with check_summary(), which prints the closing line
 * "N passed, N failed" (N skipped may follow) and returns the exit status.
 * A failed CHECK prints file:line and the expression and marks the current
 * test failed, then continues (so one run shows every failure).
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_skipped, check_cur_failed;
static const char *check_cur_name;

#define CHECK(expr)                                                          \
	do {                                                                 \
		if (!(expr)) {                                               \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",     \
				__FILE__, __LINE__, check_cur_name, #expr);  \
			check_cur_failed = 1;                                \
		}                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (!g_ || !w_ || strcmp(g_, w_) != 0) {                     \
			fprintf(stderr,                                      \
				"%s:%d: %s: %s\n  got:  %s\n  want: %s\n",   \
				__FILE__, __LINE__, check_cur_name, #got,    \
				g_ ? g_ : "(null)", w_ ? w_ : "(null)");     \
			check_cur_failed = 1;                                \
		}                                                            \
	} while (0)

#define CHECK_INT(got, want)                                                 \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (g_ != w_) {                                              \
			fprintf(stderr, "%s:%d: %s: %s = %lld, want %lld\n", \
				__FILE__, __LINE__, check_cur_name, #got,    \
				g_, w_);                                     \
			check_cur_failed = 1;                                \
		}                                                            \
	} while (0)

/* Marks the running test skipped (with a reason) and returns from it. */
#define SKIP(reason)                                                         \
	do {                                                                 \
		printf("skip %s: %s\n", check_cur_name, (reason));           \
		check_cur_failed = -1;                                       \
		return;                                                      \
	} while (0)

#define RUN(fn)                                                              \
	do {                                                                 \
		check_cur_name = #fn;                                        \
		check_cur_failed = 0;                                        \
		fn();                                                        \
		if (check_cur_failed > 0) {                                  \
			check_failed++;                                      \
			printf("FAIL %s\n", #fn);                            \
		} else if (check_cur_failed < 0) {                           \
			check_skipped++;                                     \
		} else {                                                     \
			check_passed++;                                      \
		}                                                            \
	} while (0)

static inline int check_summary(void)
{
	if (check_skipped)
		printf("%d passed, %d failed, %d skipped\n", check_passed,
		       check_failed, check_skipped);
	else
		printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
