// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space store that hits a watchpoint whose handler is in the kernel
 * (wp_user.ko), not ptrace's: the kernel steps over it, so one store gives
 * one callback and the store lands. A kernel that leaves such hits to a
 * tracer returns to the store forever; wp_user gives up after 1000 hits by
 * skipping the store, so that fails here (hits 1001, value not stored)
 * instead of hanging.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../debugfs.h"
#include "../kmod.h"
#include "../result.h"

#define MOD	"wp_user"
#define D	"/sys/kernel/debug/" MOD

static uint64_t watched __attribute__((aligned(8)));

static int write_watch(const char *what)
{
	FILE *f = fopen(D "/watch", "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(what, f) < 0)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static void store(uint64_t v)
{
	/* A real store the compiler keeps: what the watchpoint sees. */
	__atomic_store_n(&watched, v, __ATOMIC_RELAXED);
}

int main(void)
{
	static const char * const names[] = {
		"one store, one callback",
		"a second store, a second callback",
	};
	struct prereq armed = { "" };
	long long hits = -1;
	char addr[32];
	int ret, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(MOD))
		ksft_exit_skip("%s/%s.ko not installed\n", kmod_dir(), MOD);
	ksft_set_plan(1 + 2);

	if (kmod_is_loaded(MOD))
		kmod_unload(MOD);
	ret = kmod_load(MOD, "");
	if (!ret) {
		snprintf(addr, sizeof(addr), "%p", (void *)&watched);
		ret = write_watch(addr);
	}
	ksft_print_msg("arm %s on %p: %s\n", MOD, (void *)&watched, errname(ret));
	ksft_test_result(!ret, "arm %s\n", MOD);
	if (ret)
		prereq_fail(&armed, "arm %s: %s", MOD, errname(ret));

	for (i = 0; i < 2; i++) {
		if (prereq_skip(&armed, names[i]))
			continue;
		store(i + 1);
		ret = debugfs_get_s64(D "/hits", "hits", &hits);
		ksft_print_msg("%s: %lld callback(s), value %llu\n", names[i],
			       ret ? -1LL : hits, (unsigned long long)watched);
		ksft_test_result(!ret && hits == i + 1 && watched == (uint64_t)i + 1,
				 "%s\n", names[i]);
	}

	if (!armed.why[0]) {
		write_watch("off");
		kmod_unload(MOD);
	}
	ksft_finished();
}
