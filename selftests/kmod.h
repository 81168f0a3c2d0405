/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load and unload this project's modules for kselftests.
 *
 * finit_module()/delete_module() are called directly, not through
 * insmod: busybox insmod retries with init_module() when finit_module()
 * fails, so a module whose init fails would run its init twice and the
 * errno a test sees would be the second one's.
 */
#ifndef WPSUITE_KMOD_H
#define WPSUITE_KMOD_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Where "make M=... modules_install" put them; WPSUITE_KMOD_DIR overrides. */
static inline const char *kmod_dir(void)
{
	static char dir[PATH_MAX];
	struct utsname u;

	if (getenv("WPSUITE_KMOD_DIR"))
		return getenv("WPSUITE_KMOD_DIR");
	if (!dir[0] && uname(&u) == 0)
		snprintf(dir, sizeof(dir), "/lib/modules/%s/extra", u.release);
	return dir;
}

/* 0 on success, -errno on failure. */
static inline int kmod_load(const char *name, const char *params)
{
	char path[PATH_MAX];
	int fd, ret, err;

	if (snprintf(path, sizeof(path), "%s/%s.ko", kmod_dir(), name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params ? params : "", 0);
	err = errno;
	close(fd);
	return ret ? -err : 0;
}

static inline int kmod_unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static inline bool kmod_is_loaded(const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "/sys/module/%s", name) >= (int)sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}

static inline bool kmod_available(const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s.ko", kmod_dir(), name) >= (int)sizeof(path))
		return false;
	return access(path, R_OK) == 0;
}

/*
 * Read a whole small file (sysfs, a log) into buf; -errno on failure. The
 * figures of a debugfs file: debugfs.h.
 */
static inline int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static inline int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	err = errno;
	close(fd);
	return n < 0 ? -err : 0;
}

/* "ok", or what a -errno means: for test result lines. */
static inline const char *errname(int ret)
{
	return ret ? strerror(-ret) : "ok";
}

/* Seconds on CLOCK_MONOTONIC. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A line in the kernel log, in order with kernel messages (the gate reads it). */
static inline void kmsg_write(const char *text)
{
	write_text("/dev/kmsg", text);
}

/*
 * /dev/kmsg opened at its end: kmsg_count() then reads only the records
 * logged after this call. -errno on failure.
 */
static inline int kmsg_open_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * How many of the records logged since kmsg_open_end() (or the last call)
 * contain both @a and @b; -errno if @fd is not open.
 */
static inline int kmsg_count(int fd, const char *a, const char *b)
{
	char rec[2048];
	ssize_t n;
	int found = 0;

	if (fd < 0)
		return fd;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, a) && strstr(rec, b))
			found++;
	}
	return found;
}

#endif /* WPSUITE_KMOD_H */
