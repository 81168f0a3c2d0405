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
 *
 * The first result checks that writer=seed loads and shows its debugfs
 * files: if it does not, the results that need it are skipped with its
 * reason. The reload also needs the seed to have unloaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../result.h"
#include "wp_common.h"

#define SPLAT_ID	"seed-writer"
#define SPLAT		"scheduling while atomic"
#define SEED_STORES	3

static const char * const names[] = {
	"writer=seed loads and does its stores",
	"while loaded the seed's leaked events fill the slots",
	"writer=seed unloads",
	"unload freed every leaked event",
	"writer=seed logs a scheduling while atomic splat",
};

int main(void)
{
	struct wp_writer_stats s = { 0 };
	struct wp_probe leaked = { -1, -1, 0 }, after = { -1, -1, 0 };
	int ret, unload, reload, waited = -1, probed = -1, files = 0, splats, headers, expect;
	struct prereq loaded = { "" }, unloaded = { "" }, debugfs = { "" };
	long long events = -1;
	const char *mark;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(WP_MOD) || !kmod_available(TR_MOD))
		ksft_exit_skip("%s/{%s,%s}.ko not installed\n", kmod_dir(), WP_MOD, TR_MOD);
	alarm(300);
	ksft_set_plan(ARRAY_SIZE(names));

	wp_unload_all();
	ret = tr_ensure_loaded();
	if (ret)
		ksft_exit_fail_msg("cannot load %s: %s\n", TR_MOD, errname(ret));

	mark = klog_mark("seed_control_test");
	kmsg_write("wpsuite: expect-splat begin " SPLAT_ID " " SPLAT);
	ret = kmod_load(WP_MOD, "writer=seed");
	if (!ret) {
		waited = wp_wait_writer(&s, 60000);
		/* writer_stats unreadable: is the whole directory missing? */
		if (waited && access(WP_DIR, F_OK))
			files = -errno;
		events = wp_info("events_armed");
		probed = wp_probe_slots(&leaked);
	}
	unload = kmod_unload(WP_MOD);
	kmsg_write("wpsuite: expect-splat end " SPLAT_ID);

	if (ret) {
		prereq_fail(&loaded, WP_MOD " writer=seed refused at load: %s", errname(ret));
		ksft_print_msg("%s: %s\n", names[0], loaded.why);
	} else if (files) {
		prereq_fail(&debugfs, WP_MOD ".ko loaded, but " WP_DIR ": %s", errname(files));
		ksft_print_msg("%s: %s\n", names[0], debugfs.why);
	} else {
		ksft_print_msg("%s: %lu/%d stores%s, error %d\n", names[0], s.writes,
			       SEED_STORES, waited ? " (not done within 60 s)" : "", s.error);
	}
	ksft_test_result(!ret && !waited && s.writes == SEED_STORES && !s.error,
			 "%s\n", names[0]);
	/*
	 * Each store drops one event on one CPU and registers a new set on
	 * all: one set plus 3 leaked ones fill every slot of the other CPUs.
	 */
	expect = leaked.wrps > SEED_STORES + 1 ? leaked.wrps - SEED_STORES - 1 : 0;
	if (!prereq_skip(&loaded, names[1]) && !prereq_skip(&debugfs, names[1])) {
		if (events < 0)
			ksft_print_msg("%s: events_armed unreadable\n", names[1]);
		else
			ksft_print_msg("%s: %lld events armed\n", names[1], events);
		if (probed)
			ksft_print_msg("%s: probe_slots unreadable\n", names[1]);
		else
			ksft_print_msg("%s: %d slots free (expected %d), one more: %s\n",
				       names[1], leaked.extra, expect, errname(leaked.stop));
		ksft_test_result(!ret && leaked.extra == expect && leaked.stop == -ENOSPC,
				 "%s\n", names[1]);
	}

	if (!prereq_skip(&loaded, names[2])) {
		if (kmod_is_loaded(WP_MOD))
			prereq_fail(&unloaded, WP_MOD " writer=seed stays loaded: delete_module %s",
				    errname(unload));
		ksft_print_msg("%s: delete_module %s\n", names[2], errname(unload));
		ksft_test_result(!unload && !kmod_is_loaded(WP_MOD), "%s\n", names[2]);
	}

	if (!prereq_skip(&loaded, names[3]) && !prereq_skip(&unloaded, names[3]) &&
	    !prereq_skip(&debugfs, names[3])) {
		reload = kmod_load(WP_MOD, "");
		if (!reload && wp_probe_slots(&after))
			reload = -EIO;
		kmod_unload(WP_MOD);
		if (reload)
			ksft_print_msg("%s: reload: %s\n", names[3], errname(reload));
		else
			ksft_print_msg("%s: %d of %d slots free again\n", names[3], after.extra,
				       after.wrps - 1);
		ksft_test_result(!reload && after.extra == after.wrps - 1, "%s\n", names[3]);
	}

	if (!prereq_skip(&loaded, names[4])) {
		/*
		 * Also the positive control of klog_splats_since(), which
		 * watchpoint_test uses to say a run had none: it must see
		 * this report too.
		 */
		splats = klog_count_since(mark, "BUG: " SPLAT);
		headers = klog_splats_since(mark);
		if (splats < 0 || headers < 0)
			ksft_print_msg("%s: kernel log unreadable\n", names[4]);
		else
			ksft_print_msg("%s: %d 'BUG: %s' line(s), %d splat header(s)\n",
				       names[4], splats, SPLAT, headers);
		ksft_test_result(splats >= 1 && headers >= splats, "%s\n", names[4]);
	}

	wp_unload_all();
	ksft_finished();
}
