// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint_kunit.ko: the KUnit suite "watchpoint" (kmod/watchpoint/
 * kunit.c), which runs when the module loads. Its KTAP is read from the
 * kernel log (6.1's debugfs kunit/<suite>/results keeps only the last row
 * of a parameterized case) and each result is reported here once, named
 * "watchpoint.<case>" or, for a parameterized case, "watchpoint.<case>:
 * <parameter>". The suite's own line must be there: a suite that crashed
 * or did not report fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../klog.h"
#include "../kmod.h"
#include "../result.h"

#define MOD		"watchpoint_kunit"
#define SUITE		"watchpoint"
#define MAX_RESULTS	64

struct kunit_result {
	char name[160];
	bool ok, skip;
	char reason[160];
};

/*
 * A KTAP result line at @indent columns: "ok N name # SKIP reason" or "not
 * ok N name". True if @line is one.
 */
static bool ktap_result(const char *line, int indent, struct kunit_result *r)
{
	const char *p = line, *hash;
	int i;

	for (i = 0; i < indent; i++)
		if (*p++ != ' ')
			return false;
	r->ok = !strncmp(p, "ok ", 3);
	if (!r->ok && strncmp(p, "not ok ", 7))
		return false;
	p += r->ok ? 3 : 7;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != ' ')
		return false;
	hash = strstr(p, " # ");
	snprintf(r->name, sizeof(r->name), "%.*s", hash ? (int)(hash - p) : (int)strlen(p), p);
	r->skip = hash && !strncmp(hash + 3, "SKIP", 4);
	snprintf(r->reason, sizeof(r->reason), "%s", r->skip ? hash + 3 + strlen("SKIP") + 1 : "");
	return true;
}

/*
 * The cases of the suite's KTAP @text into @res: a case's own line at 4
 * columns, a parameter's at 8 (before its case's line). Returns how many,
 * and in *@suite_ok whether the suite's line at 0 says ok (-1: no line).
 */
static int parse_results(char *text, struct kunit_result *res, int max, int *suite_ok)
{
	struct kunit_result r;
	int n = 0, params = 0;
	char *line;

	*suite_ok = -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (ktap_result(line, 8, &r)) {
			if (n + params < max)
				res[n + params++] = r;
		} else if (ktap_result(line, 4, &r)) {
			/* A parameterized case: its rows, named after it. */
			for (int i = n; i < n + params; i++) {
				char row[sizeof(res[i].name)];

				snprintf(row, sizeof(row), "%s", res[i].name);
				snprintf(res[i].name, sizeof(res[i].name), SUITE ".%.50s: %.90s",
					 r.name, row);
			}
			if (params) {
				n += params;
				params = 0;
			} else if (n < max) {
				snprintf(res[n].name, sizeof(res[n].name), SUITE ".%.140s", r.name);
				res[n].ok = r.ok;
				res[n].skip = r.skip;
				snprintf(res[n].reason, sizeof(res[n].reason), "%s", r.reason);
				n++;
			}
		} else if (ktap_result(line, 0, &r) && !strcmp(r.name, SUITE)) {
			*suite_ok = r.ok;
		}
	}
	return n;
}

/* The kernel log's text since the mark, one record a line. */
struct log_text {
	char *buf;
	size_t len, size;
};

static bool append_line(const char *line, const void *arg)
{
	struct log_text *t = (struct log_text *)arg;
	const char *text = klog_text(line);
	size_t n = strlen(text);
	char *bigger;

	if (t->len + n + 2 > t->size) {
		bigger = realloc(t->buf, t->size * 2 + n + 2);
		if (!bigger)
			return false;
		t->buf = bigger;
		t->size = t->size * 2 + n + 2;
	}
	memcpy(t->buf + t->len, text, n);
	t->len += n;
	t->buf[t->len++] = '\n';
	t->buf[t->len] = '\0';
	return true;
}

int main(void)
{
	static struct kunit_result res[MAX_RESULTS];
	static const char load[] = "load " MOD;
	static const char suite[] = "suite " SUITE " reported";
	struct log_text log = { NULL, 0, 0 };
	const char *mark;
	int ret, n = 0, suite_ok = -1, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(MOD))
		ksft_exit_skip("%s/%s.ko not installed\n", kmod_dir(), MOD);
	if (kmod_is_loaded(MOD))
		kmod_unload(MOD);

	mark = klog_mark("kunit_test");
	ret = kmod_load(MOD, "");
	if (!ret) {
		/* The suite ran in init: its KTAP is in the log already. */
		if (klog_each_since(mark, append_line, &log) < 0)
			ret = -EIO;
		kmod_unload(MOD);
	}
	if (log.buf)
		n = parse_results(log.buf, res, MAX_RESULTS, &suite_ok);
	free(log.buf);

	ksft_set_plan(2 + n);
	ksft_print_msg("%s: %s\n", load, errname(ret));
	ksft_test_result(!ret, "%s\n", load);
	if (ret) {
		result_skip(suite, "%s: %s", load, errname(ret));
	} else {
		ksft_print_msg("%s: %d case(s), suite line %s\n", suite, n,
			       suite_ok < 0 ? "missing" : suite_ok ? "ok" : "not ok");
		ksft_test_result(suite_ok >= 0 && n > 0, "%s\n", suite);
	}
	for (i = 0; i < n; i++) {
		if (res[i].skip)
			result_skip(res[i].name, "%s", res[i].reason);
		else
			ksft_test_result(res[i].ok, "%s\n", res[i].name);
	}
	ksft_finished();
}
