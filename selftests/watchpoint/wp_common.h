/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the watchpoint kselftests: watchpoint.ko's debugfs files.
 */
#ifndef WPSUITE_WP_COMMON_H
#define WPSUITE_WP_COMMON_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../debugfs.h"
#include "../klog.h"
#include "../kmod.h"
#include "trampolines.h"	/* kmod/trampolines/, grafted into ../include */

#define WP_MOD		"watchpoint"
#define TR_MOD		"trampolines"
#define WP_DIR		"/sys/kernel/debug/watchpoint/"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Unload both modules, watcher first; a leftover from a crashed run. */
static inline void wp_unload_all(void)
{
	if (kmod_is_loaded(WP_MOD))
		kmod_unload(WP_MOD);
	if (kmod_is_loaded(TR_MOD))
		kmod_unload(TR_MOD);
}

/* Make sure trampolines.ko is loaded: 0 or -errno. */
static inline int tr_ensure_loaded(void)
{
	int ret = kmod_load(TR_MOD, "");

	return ret == -EEXIST ? 0 : ret;
}

/* Total hits, of every CPU; -1 if unreadable. */
static inline long long wp_hits(void)
{
	long long v = debugfs_field(WP_DIR "hits", "total");

	return v == LLONG_MIN ? -1 : v;
}

static inline int wp_reset(void)
{
	return write_text(WP_DIR "reset", "1");
}

static void wp_on_alarm(int sig)
{
	(void)sig;
}

/*
 * The hang guard: SIGALRM interrupts a debugfs access that does not come
 * back (a kernel that does not step over a hit re-fires on the first access
 * forever); the write then fails with EINTR and the test goes on.
 */
static inline void wp_guard_install(void)
{
	struct sigaction sa = { .sa_handler = wp_on_alarm };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
}

#define WP_ACCESS_TIMEOUT	20	/* seconds; 100 accesses take < 1 s */

/* "<offset> <count> <width>" to the "write" or "read" file: 0 or -errno. */
static inline int wp_access(const char *file, long off, long count, int width)
{
	char path[128], cmd[64];
	int ret;

	snprintf(path, sizeof(path), WP_DIR "%s", file);
	snprintf(cmd, sizeof(cmd), "%ld %ld %d", off, count, width);
	alarm(WP_ACCESS_TIMEOUT);
	ret = write_text(path, cmd);
	alarm(0);
	return ret;
}

/* A number of "info"; -1 if absent. */
static inline long long wp_info(const char *key)
{
	long long v = debugfs_field(WP_DIR "info", key);

	return v == LLONG_MIN ? -1 : v;
}

struct wp_probe {
	int wrps, extra, stop;
};

/* Read "probe_slots": how many more wide watchpoints fit. 0 or -1. */
static inline int wp_probe_slots(struct wp_probe *p)
{
	char *text = debugfs_read(WP_DIR "probe_slots");
	long long wrps, extra, stop;
	int ret = -1;

	if (text && !debugfs_s64(text, "wrps", &wrps) &&
	    !debugfs_s64(text, "extra", &extra) && !debugfs_s64(text, "stop", &stop)) {
		p->wrps = wrps;
		p->extra = extra;
		p->stop = stop;
		ret = 0;
	}
	free(text);
	return ret;
}

struct wp_writer_stats {
	char mode[16];
	unsigned long writes;
	unsigned int target, last_index;
	unsigned long long last_value;
	int error, done;
};

static inline int wp_writer_stats(struct wp_writer_stats *s)
{
	char *text = debugfs_read(WP_DIR "writer_stats");
	unsigned long long writes, target, index, value;
	long long error, done;
	int ret = -1;

	if (text && !debugfs_str(text, "mode", s->mode, sizeof(s->mode)) &&
	    !debugfs_u64(text, "writes", &writes) && !debugfs_u64(text, "target", &target) &&
	    !debugfs_u64(text, "last_index", &index) &&
	    !debugfs_u64(text, "last_value", &value) &&
	    !debugfs_s64(text, "error", &error) && !debugfs_s64(text, "done", &done)) {
		s->writes = writes;
		s->target = target;
		s->last_index = index;
		s->last_value = value;
		s->error = error;
		s->done = done;
		ret = 0;
	}
	free(text);
	return ret;
}

/* Poll writer_stats until "done: 1" or @timeout_ms passed. */
static inline int wp_wait_writer(struct wp_writer_stats *s, long timeout_ms)
{
	for (long t = 0; ; t += 50) {
		if (wp_writer_stats(s))
			return -1;
		if (s->done)
			return 0;
		if (t >= timeout_ms)
			return -1;
		sleep_ms(50);
	}
}

/* The u64 at symbol+offset, read through "peek" (never reported). */
static inline int wp_peek(long off, unsigned long long *v)
{
	char buf[32], *text;
	unsigned long long got, value;
	int ret = -1;

	snprintf(buf, sizeof(buf), "%ld", off);
	if (write_text(WP_DIR "peek", buf))
		return -1;
	text = debugfs_read(WP_DIR "peek");
	if (text && !debugfs_u64(text, "offset", &got) && got == (unsigned long long)off &&
	    !debugfs_u64(text, "value", &value)) {
		*v = value;
		ret = 0;
	}
	free(text);
	return ret;
}

#endif /* WPSUITE_WP_COMMON_H */
