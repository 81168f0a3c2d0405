// SPDX-License-Identifier: GPL-2.0
/*
 * Negative control: watchpoint.ko's writer=seed keeps the original design's
 * writer (get_cpu() never put, msleep() with preemption off, a new wide
 * watchpoint per store). It must produce "BUG: scheduling while atomic"
 * and leak breakpoint slots while loaded, and still load, run and unload
 * cleanly, freeing every leaked event.
 *
 * The splat is declared to the gate: between the begin and end lines below
 * a splat containing "scheduling while atomic" is expected, and the run
 * fails if none appears. This test passes when the module behaved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "wp_common.h"

#define SPLAT_ID	"seed-writer"
#define SPLAT		"scheduling while atomic"
#define SEED_STORES	3

int main(void)
{
	struct wp_writer_stats s = { 0 };
	struct wp_probe leaked = { -1, -1, 0 }, after = { -1, -1, 0 };
	int ret, unload, reload, waited = -1, splats, expect;
	long long events = -1;
	const char *mark;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(WP_MOD) || !kmod_available(TR_MOD))
		ksft_exit_skip("%s/{%s,%s}.ko not installed\n", kmod_dir(), WP_MOD, TR_MOD);
	alarm(300);
	ksft_set_plan(5);

	wp_unload_all();
	ret = tr_ensure_loaded();
	if (ret)
		ksft_exit_fail_msg("cannot load %s: %s\n", TR_MOD, errname(ret));

	mark = klog_mark("seed_control_test");
	kmsg_write("wpsuite: expect-splat begin " SPLAT_ID " " SPLAT);
	ret = kmod_load(WP_MOD, "writer=seed");
	if (!ret) {
		waited = wp_wait_writer(&s, 60000);
		events = wp_info("events_armed");
		wp_probe_slots(&leaked);
	}
	unload = kmod_unload(WP_MOD);
	kmsg_write("wpsuite: expect-splat end " SPLAT_ID);

	ksft_test_result(!ret && !waited && s.writes == SEED_STORES && !s.error,
			 "writer=seed loads and does its %lu/%d stores (load %s, error %d)\n",
			 s.writes, SEED_STORES, errname(ret), s.error);
	/*
	 * Each store drops one event on one CPU and registers a new set on
	 * all: one set plus 3 leaked ones fill every slot of the other CPUs.
	 */
	expect = leaked.wrps > SEED_STORES + 1 ? leaked.wrps - SEED_STORES - 1 : 0;
	ksft_test_result(!ret && leaked.extra == expect && leaked.stop == -ENOSPC,
			 "while loaded the seed's leaked events fill the slots: %lld events armed, %d slots free (expected %d)\n",
			 events, leaked.extra, expect);
	ksft_test_result(!unload && !kmod_is_loaded(WP_MOD),
			 "writer=seed unloads (%s)\n", errname(unload));

	reload = kmod_load(WP_MOD, "");
	if (!reload && wp_probe_slots(&after))
		reload = -EIO;
	kmod_unload(WP_MOD);
	ksft_test_result(!reload && after.extra == after.wrps - 1,
			 "unload freed every leaked event: %d of %d slots free again (%s)\n",
			 after.extra, after.wrps - 1, errname(reload));

	splats = klog_count_since(mark, "BUG: " SPLAT);
	ksft_test_result(splats >= 1,
			 "the expected '%s' splat was logged (%d line(s))\n", SPLAT, splats);

	wp_unload_all();
	ksft_finished();
}
