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

/* After "[" and its padding at @p, or NULL if @p is not a '['. */
static inline const char *klog_open(const char *p)
{
	if (*p != '[')
		return NULL;
	for (p++; *p == ' '; p++)
		;
	return p;
}

/* Past a run of digits at @p and then @close; NULL if there is no digit. */
static inline const char *klog_digits(const char *p, char close)
{
	const char *d = p;

	while (*p >= '0' && *p <= '9')
		p++;
	return p != d && *p == close ? p + 1 : NULL;
}

/* "[ 12.345678]" at @p: the end of it, or NULL (the gate's match_timestamp()). */
static inline const char *klog_timestamp_end(const char *p)
{
	p = klog_open(p);
	p = p ? klog_digits(p, '.') : NULL;
	return p ? klog_digits(p, ']') : NULL;
}

/* A caller field "[    T1]" / "[  C12]" at @p (the gate's match_caller()). */
static inline const char *klog_caller_end(const char *p)
{
	p = klog_open(p);
	if (!p || (*p != 'T' && *p != 'C'))
		return NULL;
	return klog_digits(p + 1, ']');
}

/*
 * The text of a syslog record (klogctl() output): after "<level>", the
 * timestamp and/or the caller id (CONFIG_PRINTK_CALLER) and one space,
 * the way the gate splits a console line (ktap_parser.cc match_prefix()).
 */
static inline const char *klog_text(const char *line)
{
	const char *end, *caller;

	if (*line == '<' && strchr(line, '>'))
		line = strchr(line, '>') + 1;
	end = klog_timestamp_end(line);
	caller = klog_caller_end(end ? end : line);
	if (caller)
		end = caller;
	if (!end)
		return line;
	return *end == ' ' ? end + 1 : end;
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
		pattern = star + 1;
		star = strchr(pattern, '*');
		n = star ? (size_t)(star - pattern) : strlen(pattern);
		if (!n)
			continue;
		while (*text && strncmp(text, pattern, n))
			text++;
		if (!*text)
			return false;
		text += n;
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

/*
 * Report headers of the gate's table logged after @mark. Unlike the gate,
 * this does not know expect-splat windows: a splat a test provokes on
 * purpose counts too (seed_control_test relies on that).
 */
static inline int klog_splats_since(const char *mark)
{
	return klog_each_since(mark, klog_line_is_splat, NULL);
}

#endif /* WPSUITE_KLOG_H */
