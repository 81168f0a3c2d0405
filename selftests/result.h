/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Result lines with stable names.
 *
 * A test's name is what the gate, configs/known-failures, the peers
 * comparison, KCIDB and LAVA key on, so it carries the test's parameters
 * only: what was measured goes into ksft_print_msg() lines just before
 * the result, and a failing test keeps its name.
 *
 * 6.1's ksft_test_result_skip() prints "ok N # SKIP reason", with no
 * name; mainline's ksft_test_result_code() (6.9) keeps it. This is that
 * line for 6.1: "ok N name # SKIP reason".
 *
 * A test whose prerequisite failed (a module refused at load, say) is
 * skipped with the prerequisite's reason, once per dependent test, so
 * one cause gives one failure and N skips that name it, not N failures
 * printing figures that were never measured.
 */
#ifndef WPSUITE_RESULT_H
#define WPSUITE_RESULT_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "../kselftest.h"

/* "ok N @name # SKIP <reason>": @name without a trailing newline. */
static inline __attribute__((format(printf, 2, 3)))
void result_skip(const char *name, const char *reason, ...)
{
	int saved_errno = errno;
	va_list args;

	ksft_inc_xskip_cnt();
	printf("ok %u %s # SKIP ", ksft_test_num(), name);
	va_start(args, reason);
	errno = saved_errno;
	vprintf(reason, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
}

/*
 * A prerequisite: set once with the reason it failed; dependents call
 * prereq_skip() first and return if it reported them.
 */
struct prereq {
	char why[160];		/* empty while the prerequisite holds */
};

static inline __attribute__((format(printf, 2, 3)))
void prereq_fail(struct prereq *p, const char *fmt, ...)
{
	va_list args;

	if (p->why[0])
		return;
	va_start(args, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, args);
	va_end(args);
}

/* true (and @name reported as skipped) when @p failed */
static inline bool prereq_skip(const struct prereq *p, const char *name)
{
	if (!p->why[0])
		return false;
	result_skip(name, "%s", p->why);
	return true;
}

#endif /* WPSUITE_RESULT_H */
