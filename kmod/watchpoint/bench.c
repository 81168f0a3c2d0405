// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint.ko's benchmarks, the debugfs files bench, bench_seed and
 * bench_hit: what a store costs when it must not be reported (the legit
 * writer's way, against the alternatives) and what a reported one costs.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <asm/daifflags.h>

#include "trampolines.h"
#include "watchpoint.h"
#include "wpsuite_kmod.h"

/*
 * "bench": the cost of a legit store (wpsuite_store_nodebug() to the
 * watched word) next to a plain store (to an unwatched word) and to a store
 * under local_daif_save() (everything masked), measured interleaved:
 * WP_BENCH_ROUNDS rounds of WP_BENCH_BATCH stores each, median and the
 * 10th/90th percentiles per store, and the hits counted meanwhile (must be
 * 0: legit stores are not reported). Under QEMU's emulation absolute times
 * mean little; the ratio is the figure.
 */
#define WP_BENCH_ROUNDS	101
#define WP_BENCH_BATCH	1000

/* The unwatched word of "bench" and "bench_hit". */
static u64 wp_bench_scratch;

int wp_bench_show(struct seq_file *m, void *unused)
{
	u64 *watched = (u64 *)ALIGN_DOWN(wp_addr, sizeof(u64));
	unsigned long hits = wp_total_hits(), flags;
	u64 *plain, *legit, *daif, t0, t1, t2, t3, pm, lm, dm;
	int r, i;

	if (!wp_stores_allowed)
		return -EPERM;
	plain = kmalloc_array(3 * WP_BENCH_ROUNDS, sizeof(u64), GFP_KERNEL);
	if (!plain)
		return -ENOMEM;
	legit = plain + WP_BENCH_ROUNDS;
	daif = legit + WP_BENCH_ROUNDS;

	for (r = 0; r < WP_BENCH_ROUNDS; r++) {
		t0 = ktime_get_ns();
		for (i = 0; i < WP_BENCH_BATCH; i++)
			WRITE_ONCE(wp_bench_scratch, i);
		t1 = ktime_get_ns();
		for (i = 0; i < WP_BENCH_BATCH; i++)
			wpsuite_store_nodebug(watched, TRAMPOLINE_WRITER_TAG | i);
		t2 = ktime_get_ns();
		/* The alternative: mask everything, as local_daif_save() does. */
		for (i = 0; i < WP_BENCH_BATCH; i++) {
			flags = local_daif_save();
			WRITE_ONCE(*watched, TRAMPOLINE_WRITER_TAG | i);
			local_daif_restore(flags);
		}
		t3 = ktime_get_ns();
		plain[r] = t1 - t0;
		legit[r] = t2 - t1;
		daif[r] = t3 - t2;
		cond_resched();
	}
	hits = wp_total_hits() - hits;
	pm = max_t(u64, wpsuite_bench_print(m, "plain", plain, WP_BENCH_ROUNDS,
					    WP_BENCH_BATCH), 1);
	lm = wpsuite_bench_print(m, "legit", legit, WP_BENCH_ROUNDS,
				 WP_BENCH_BATCH);
	dm = wpsuite_bench_print(m, "daif_save", daif, WP_BENCH_ROUNDS,
				 WP_BENCH_BATCH);
	seq_printf(m, "ratio_x100: %llu\n", lm * 100 / pm);
	seq_printf(m, "daif_save_ratio_x100: %llu\n", dm * 100 / pm);
	seq_printf(m, "rounds: %d\nbatch: %d\nhits: %lu\n", WP_BENCH_ROUNDS,
		   WP_BENCH_BATCH, hits);
	kfree(plain);
	return 0;
}

/*
 * "bench_seed": what the seed's writer paid for each store: unregister the
 * wide watchpoint, store, register it again (IPIs to every CPU and perf
 * event setup each time), against the legit store, interleaved, medians of
 * WP_SEED_ROUNDS rounds of WP_SEED_BATCH. Uses a watchpoint of its own on
 * a scratch word, so the module's watchpoint stays armed throughout.
 */
#define WP_SEED_ROUNDS	11
#define WP_SEED_BATCH	20

static u64 wp_seed_scratch;

int wp_bench_seed_show(struct seq_file *m, void *unused)
{
	u64 seed[WP_SEED_ROUNDS], legit[WP_SEED_ROUNDS], t0, t1, t2;
	struct perf_event * __percpu *bp;
	struct perf_event_attr attr;
	int r, i, err = 0;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wp_seed_scratch;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	bp = register_wide_hw_breakpoint(&attr, wp_nop_handler, NULL);
	if (IS_ERR((void __force *)bp))
		return PTR_ERR((void __force *)bp);
	for (r = 0; r < WP_SEED_ROUNDS && !err; r++) {
		t0 = ktime_get_ns();
		for (i = 0; i < WP_SEED_BATCH; i++) {
			unregister_wide_hw_breakpoint(bp);
			WRITE_ONCE(wp_seed_scratch, i);
			bp = register_wide_hw_breakpoint(&attr, wp_nop_handler,
							 NULL);
			if (IS_ERR((void __force *)bp)) {
				err = PTR_ERR((void __force *)bp);
				break;
			}
		}
		t1 = ktime_get_ns();
		for (i = 0; i < WP_SEED_BATCH; i++)
			wpsuite_store_nodebug(&wp_seed_scratch, i);
		t2 = ktime_get_ns();
		seed[r] = t1 - t0;
		legit[r] = t2 - t1;
		cond_resched();
	}
	if (!err)
		unregister_wide_hw_breakpoint(bp);
	else
		return err;
	wpsuite_bench_print(m, "seed", seed, WP_SEED_ROUNDS, WP_SEED_BATCH);
	wpsuite_bench_print(m, "legit", legit, WP_SEED_ROUNDS, WP_SEED_BATCH);
	seq_printf(m, "rounds: %d\nbatch: %d\n", WP_SEED_ROUNDS, WP_SEED_BATCH);
	return 0;
}

/*
 * "bench_hit": one watchpoint hit (exception, callback, step over the
 * store) against a plain store, interleaved, medians of WP_HIT_ROUNDS
 * rounds of WP_HIT_BATCH stores. The hits are counted like any other.
 */
#define WP_HIT_ROUNDS	11
#define WP_HIT_BATCH	200

int wp_bench_hit_show(struct seq_file *m, void *unused)
{
	u64 *watched = (u64 *)ALIGN_DOWN(wp_addr, sizeof(u64));
	u64 hit[WP_HIT_ROUNDS], plain[WP_HIT_ROUNDS], t0, t1, t2;
	unsigned long hits = wp_total_hits();
	int r, i;

	if (!wp_stores_allowed || !(wp_bp_type & HW_BREAKPOINT_W))
		return -EPERM;
	for (r = 0; r < WP_HIT_ROUNDS; r++) {
		t0 = ktime_get_ns();
		for (i = 0; i < WP_HIT_BATCH; i++)
			WRITE_ONCE(*watched, TRAMPOLINE_WRITER_TAG | i);
		t1 = ktime_get_ns();
		for (i = 0; i < WP_HIT_BATCH; i++)
			WRITE_ONCE(wp_bench_scratch, i);
		t2 = ktime_get_ns();
		hit[r] = t1 - t0;
		plain[r] = t2 - t1;
		cond_resched();
	}
	wpsuite_bench_print(m, "hit", hit, WP_HIT_ROUNDS, WP_HIT_BATCH);
	wpsuite_bench_print(m, "plain", plain, WP_HIT_ROUNDS, WP_HIT_BATCH);
	seq_printf(m, "hits: %lu\nrounds: %d\nbatch: %d\n",
		   wp_total_hits() - hits, WP_HIT_ROUNDS, WP_HIT_BATCH);
	return 0;
}
