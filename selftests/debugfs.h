/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs files of this project's modules (kmod/) and of the kernel
 * series (rerandom/): one text format, one reader.
 *
 * A file that reports figures holds "key: value" lines, one per line, the
 * way /proc/meminfo and the series' rerandom/<module>/stats do:
 *
 *	moves: 12
 *	base: 0xffff800001234000
 *
 * A key is [a-z0-9_]+; the value is the rest of the line after ": ". A list
 * is one line per item with the item's index in the key ("cpu0: 12",
 * "slot3: 0x... name"). Two kinds of file are not such lines: a file that
 * holds a single value, read back as written (DEFINE_DEBUGFS_ATTRIBUTE(),
 * debugfs_create_u32()), which holds just that value; and a log, one
 * record per line (wpguard/log, kprobes/blacklist).
 *
 * Used by the kselftests and by the benchmarks' guest side
 * (tools/debugfs_get.c). A key that is missing, or a value that is not a
 * number, says so on stderr once, as a KTAP diagnostic.
 */
#ifndef WPSUITE_DEBUGFS_H
#define WPSUITE_DEBUGFS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A whole file, malloc'ed and NUL-terminated; NULL (errno set) on failure. */
static inline char *debugfs_read(const char *path)
{
	size_t size = 4096, len = 0;
	char *buf = malloc(size), *bigger;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0 || !buf)
		goto fail;
	while ((n = read(fd, buf + len, size - len - 1)) > 0) {
		len += n;
		if (len + 1 < size)
			continue;
		bigger = realloc(buf, 2 * size);
		if (!bigger)
			goto fail;
		buf = bigger;
		size *= 2;
	}
	if (n < 0)
		goto fail;
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return NULL;
}

/*
 * The value of @key in @text (what debugfs_read() returned): where it
 * starts, its length in *@len. NULL if no line has that key.
 */
static inline const char *debugfs_find(const char *text, const char *key, size_t *len)
{
	size_t n = strlen(key);
	const char *p, *end;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, n) || p[n] != ':' || p[n + 1] != ' ')
			continue;
		p += n + 2;
		end = strchr(p, '\n');
		*len = end ? (size_t)(end - p) : strlen(p);
		return p;
	}
	return NULL;
}

static inline void debugfs_complain(const char *key, const char *what)
{
	fprintf(stderr, "# debugfs: key \"%s\": %s\n", key, what);
}

/* The value of @key as a string into @buf: 0, or -ENOENT if missing. */
static inline int debugfs_str(const char *text, const char *key, char *buf, size_t size)
{
	size_t len;
	const char *v = debugfs_find(text, key, &len);

	if (!v) {
		debugfs_complain(key, "no such line");
		return -ENOENT;
	}
	snprintf(buf, size, "%.*s", (int)len, v);
	return 0;
}

/*
 * The value of @key as a number (any base strtoull() knows): 0, -ENOENT if
 * the key is missing, -EPROTO if the value is not one number.
 */
static inline int debugfs_number(const char *text, const char *key, int sign,
				 unsigned long long *u, long long *s)
{
	char buf[64], *end;
	int ret = debugfs_str(text, key, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	if (sign)
		*s = strtoll(buf, &end, 0);
	else
		*u = buf[0] == '-' ? 0 : strtoull(buf, &end, 0);
	if (buf[0] && (sign || buf[0] != '-') && !*end && !errno)
		return 0;
	debugfs_complain(key, sign ? "not a signed number" : "not an unsigned number");
	return -EPROTO;
}

static inline int debugfs_u64(const char *text, const char *key, unsigned long long *v)
{
	return debugfs_number(text, key, 0, v, NULL);
}

static inline int debugfs_s64(const char *text, const char *key, long long *v)
{
	return debugfs_number(text, key, 1, NULL, v);
}

/* One key of the file @path: 0 or -errno, the reason on stderr. */
static inline int debugfs_get(const char *path, const char *key, int sign,
			      unsigned long long *u, long long *s)
{
	char *text = debugfs_read(path);
	int ret;

	if (!text) {
		ret = -errno;
		fprintf(stderr, "# debugfs: %s: %s\n", path, strerror(errno));
		return ret;
	}
	ret = debugfs_number(text, key, sign, u, s);
	if (ret)
		fprintf(stderr, "# debugfs: (key \"%s\" of %s)\n", key, path);
	free(text);
	return ret;
}

static inline int debugfs_get_u64(const char *path, const char *key, unsigned long long *v)
{
	return debugfs_get(path, key, 0, v, NULL);
}

static inline int debugfs_get_s64(const char *path, const char *key, long long *v)
{
	return debugfs_get(path, key, 1, NULL, v);
}

/* One key of the file @path as a signed number; LLONG_MIN if unreadable. */
static inline long long debugfs_field(const char *path, const char *key)
{
	long long v;

	return debugfs_get_s64(path, key, &v) ? LLONG_MIN : v;
}

/* A file that holds a single number; LLONG_MIN if unreadable. */
static inline long long debugfs_value(const char *path)
{
	char *text = debugfs_read(path), *end;
	long long v;

	if (!text)
		return LLONG_MIN;
	errno = 0;
	v = strtoll(text, &end, 0);
	if (end == text || (*end && strcmp(end, "\n")) || errno) {
		fprintf(stderr, "# debugfs: %s: not a single number\n", path);
		v = LLONG_MIN;
	}
	free(text);
	return v;
}

#endif /* WPSUITE_DEBUGFS_H */
