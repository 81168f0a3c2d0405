/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log for kselftests: a mark, what was logged after it, and the
 * splats among it, by the gate's own definition of a splat
 * (splat_patterns.h, generated from the gate's table).
 */
#ifndef WPSUITE_KLOG_H
#define WPSUITE_KLOG_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "kmod.h"
#include "splat_patterns.h"

#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_SIZE_BUFFER	10

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* The whole kernel log, malloc'ed and NUL-terminated; NULL on failure. */
static inline char *klog_read(void)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf;
	int n;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc(size + 1);
	if (!buf)
		return NULL;
	n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Put a unique line in the kernel log and return it (static buffer), so
 * klog_count_since() can count what the kernel said after it.
 */
static inline const char *klog_mark(const char *test)
{
	static char mark[128];
	static int seq;

	snprintf(mark, sizeof(mark), "wpsuite: %s mark %d-%d", test, getpid(), ++seq);
	kmsg_write(mark);
	return mark;
}

/*
 * Call @fn on each line logged after the line containing @mark, until it
 * returns false; the number of lines it accepted, -1 without the mark.
 */
static inline int klog_each_since(const char *mark, bool (*fn)(const char *line, const void *arg),
				  const void *arg)
{
	char *log = klog_read(), *p, *line;
	int count = 0;

	if (!log)
		return -1;
	p = strstr(log, mark);
	if (!p) {
		free(log);
		return -1;
	}
	p = strchr(p, '\n');
	while (p && *p) {
		line = p + 1;
		p = strchr(line, '\n');
		if (p)
			*p = '\0';
		if (fn(line, arg))
			count++;
		if (p)
			*p = '\n';
	}
	free(log);
	return count;
}

static inline bool klog_line_has(const char *line, const void *needle)
{
	return strstr(line, needle);
}

/* Lines containing @needle after the line containing @mark; -1: no mark. */
static inline int klog_count_since(const char *mark, const char *needle)
{
	return klog_each_since(mark, klog_line_has, needle);
}

/*
 * The text of a syslog record: after "<level>" and the bracketed
 * timestamp (and caller id, with CONFIG_PRINTK_CALLER).
 */
static inline const char *klog_text(const char *line)
{
	if (*line == '<' && strchr(line, '>'))
		line = strchr(line, '>') + 1;
	while (*line == '[' && strchr(line, ']')) {
		line = strchr(line, ']') + 1;
		if (*line == ' ')
			line++;
	}
	return line;
}

/*
 * The gate's match (kernel_log.cc match_pattern()): the text starts with
 * the pattern's first piece, and each later '*'-separated piece follows.
 */
static inline bool klog_match(const char *text, const char *pattern)
{
	const char *star = strchr(pattern, '*');
	size_t n = star ? (size_t)(star - pattern) : strlen(pattern);

	if (strncmp(text, pattern, n))
		return false;
	text += n;
	while (star) {
		char piece[128];
		const char *found;

		pattern = star + 1;
		star = strchr(pattern, '*');
		n = star ? (size_t)(star - pattern) : strlen(pattern);
		if (!n)
			continue;
		if (n >= sizeof(piece))
			return false;
		memcpy(piece, pattern, n);
		piece[n] = '\0';
		found = strstr(text, piece);
		if (!found)
			return false;
		text = found + n;
	}
	return true;
}

/* A line whose record starts with a report header of the gate's table. */
static inline bool klog_line_is_splat(const char *line, const void *unused)
{
	const char *text = klog_text(line);

	(void)unused;
	/* A test's own output ('#': KTAP, diagnostics) never starts one. */
	if (*text == ' ' || *text == '\t' || *text == '#' || !*text)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(splat_patterns); i++)
		if (klog_match(text, splat_patterns[i]))
			return true;
	return false;
}

/* Report headers the gate would fail the run for, logged after @mark. */
static inline int klog_splats_since(const char *mark)
{
	return klog_each_since(mark, klog_line_is_splat, NULL);
}

#endif /* WPSUITE_KLOG_H */
