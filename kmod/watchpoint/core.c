// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint.ko: arm a kernel data watchpoint on an exported symbol on every
 * online CPU and count who touches it.
 *
 *   ksym=NAME        EXPORT_SYMBOL_GPL symbol to watch (default
 *                    "trampolines", from trampolines.ko, which must be
 *                    loaded first; 6.1.y's __symbol_get() refuses non-GPL
 *                    exports)
 *   offset=BYTES     into the symbol (default 0)
 *   len=1|2|4|8      bytes watched (default 8), naturally aligned
 *   mask=3..31       watch the 2^mask bytes at symbol+offset with one
 *                    watchpoint instead (len=8, aligned to 2^mask): a
 *                    bp_len of 2^mask, which needs a kernel that takes
 *                    such lengths (patches/), else -EOPNOTSUPP
 *   type=w|r|rw      accesses reported (default w)
 *   dump_stack=1     the callback also dumps the stack (rate-limited)
 *   writer=off|legit|seed, writer_period_ms=1..10000, writer_count=N
 *                    start the tl_writer kthread (see tl_writer_legit() and
 *                    tl_writer_seed() in writer.c)
 *
 * debugfs watchpoint/ (root only); what is read is "key: value" lines
 * (selftests/debugfs.h), but "writes", a single number:
 *   info          symbol, size, address, offset, length, mask, range (bytes
 *                 watched), type, cpus_online, cpus_armed, events_armed,
 *                 writer
 *   hits          total, then cpuN for each possible CPU
 *   reset         write anything: zero the hit counters
 *   write, read   write "<offset> [count] [width]": a kthread does count
 *                 (default 1, max 1000000) stores/loads of width (1, 2, 4, 8;
 *                 default 8) bytes at symbol+offset; returns when it is done
 *   sweep         write "<hi> <lo> [width]": store to every u64 (or u32)
 *                 from offset hi down to lo; read stores, hits, first, last
 *                 (highest and lowest offsets reported, -1 if none)
 *   bench         read: ps per legit store (PSTATE.D set), per plain store
 *                 and per store under local_daif_save(), interleaved
 *   bench_seed    read: ps per store for the seed's unregister/store/register
 *   bench_hit     read: ps per watchpoint hit (callback + step) vs a plain store
 *   peek          write "<offset>", then read offset, value: the u64 at
 *                 symbol+offset, loaded without being reported
 *   writes        stores done by tl_writer
 *   writer_stats  mode, writes, target, last_index, last_value, error, done
 *   probe_slots   reading registers extra wide watchpoints until the kernel
 *                 refuses, frees them and shows wrps, extra, stop (the errno)
 *
 * A kernel watchpoint with a custom overflow handler has to be stepped over
 * by the kernel after the handler ran (patches/ does that); this module does
 * not try to work around a kernel that does not.
 *
 * The files, with watchpoint.h declaring what crosses them:
 *   core.c     the wide watchpoint sets, their callback and hit counters,
 *              init and exit
 *   params.c   the parameters above: validation, what they resolve to
 *   writer.c   tl_writer: the legit writer and the seed's
 *   access.c   accesses on request (write, read, sweep), orphaned ones;
 *              access.h its stores and loads
 *   bench.c    bench, bench_seed, bench_hit
 *   debugfs.c  the debugfs files: parsing what is written, formatting output
 * and kunit.c, the KUnit suite "watchpoint": a module of its own
 * (watchpoint_kunit.ko), checking in-kernel what needs no userspace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>

#include <asm/hw_breakpoint.h>

#include "watchpoint.h"

static struct perf_event_attr wp_attr;

/*
 * Registered wide watchpoints: [0] is the module's own, the seed writer adds
 * one per store. Every set is unregistered exactly once, at exit.
 */
struct perf_event * __percpu *wp_sets[WP_MAX_SETS];
unsigned int wp_nsets;
DEFINE_MUTEX(wp_sets_lock);		/* wp_sets[], wp_nsets, their events */

static DEFINE_PER_CPU(unsigned long, wp_hits);
/*
 * Hits can come by the thousand: log a few, and do not let __ratelimit()
 * print its "callbacks suppressed" warning on the console; "hits" counts all.
 */
static struct ratelimit_state wp_log_rs =
	RATELIMIT_STATE_INIT_FLAGS(wp_log_rs, 5 * HZ, 10, RATELIMIT_MSG_ON_RELEASE);
static struct ratelimit_state wp_stack_rs =
	RATELIMIT_STATE_INIT_FLAGS(wp_stack_rs, 5 * HZ, 1, RATELIMIT_MSG_ON_RELEASE);

/* ---------------------------------------------------------------------- */
/* The callbacks                                                          */
/* ---------------------------------------------------------------------- */

/*
 * Runs once per access (the kernel steps over the access after it): count
 * it on this CPU and say who did it. Debug exception context: no sleeping.
 */
static void wp_handler(struct perf_event *bp, struct perf_sample_data *data,
		       struct pt_regs *regs)
{
	unsigned long n = this_cpu_inc_return(wp_hits);
	/*
	 * Where the access went, relative to the symbol (for module data
	 * 6.1's %pS prints a meaningless size).
	 */
	long at = counter_arch_bp(bp)->trigger - (unsigned long)wp_sym;

	if (__ratelimit(&wp_log_rs))
		pr_info("hit %lu on cpu%d by %s/%d at %pS: access to %s%+ld (watching %s+%lu, %lu bytes)\n",
			n, smp_processor_id(), current->comm, task_pid_nr(current),
			(void *)instruction_pointer(regs), wp_ksym, at,
			wp_ksym, (unsigned long)(data->addr - (unsigned long)wp_sym),
			wp_range);
	if (wp_dump_stack && __ratelimit(&wp_stack_rs))
		dump_stack_lvl(KERN_INFO);
}

/*
 * The one handler of the watchpoints registered only to be timed or counted
 * (bench_seed's and probe_slots'): custom like wp_handler(), so they are
 * the same kind of event as the module's own, but it never runs, as no
 * reported access touches their words (bench_seed stores to its word only
 * while it is unregistered or with PSTATE.D set; probe_slots' is never
 * stored to).
 */
void wp_nop_handler(struct perf_event *bp, struct perf_sample_data *data,
		    struct pt_regs *regs)
{
}

unsigned long wp_total_hits(void)
{
	unsigned long total = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		total += per_cpu(wp_hits, cpu);
	return total;
}

unsigned long wp_cpu_hits(int cpu)
{
	return per_cpu(wp_hits, cpu);
}

void wp_reset_hits(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(wp_hits, cpu) = 0;
}

/* ---------------------------------------------------------------------- */
/* Breakpoint sets                                                        */
/* ---------------------------------------------------------------------- */

/* Register one more wide set on wp_attr; caller holds wp_sets_lock. */
int wp_add_set_locked(void)
{
	struct perf_event * __percpu *set;

	if (wp_nsets == WP_MAX_SETS)
		return -ENOSPC;
	set = register_wide_hw_breakpoint(&wp_attr, wp_handler, NULL);
	if (IS_ERR((void __force *)set))
		return PTR_ERR((void __force *)set);
	wp_sets[wp_nsets++] = set;
	return 0;
}

/* Unregisters whatever is left of every set: each event exactly once. */
static void wp_free_sets(void)
{
	mutex_lock(&wp_sets_lock);
	while (wp_nsets)
		unregister_wide_hw_breakpoint(wp_sets[--wp_nsets]);
	mutex_unlock(&wp_sets_lock);
}

static bool wp_event_armed(struct perf_event *bp)
{
	return bp && READ_ONCE(bp->state) == PERF_EVENT_STATE_ACTIVE;
}

/* Online CPUs with at least one event armed, and the events armed on them. */
void wp_count_armed(unsigned int *cpus, unsigned int *events)
{
	unsigned int armed = 0, total = 0, i;
	int cpu;

	mutex_lock(&wp_sets_lock);
	for_each_online_cpu(cpu) {
		unsigned int here = 0;

		for (i = 0; i < wp_nsets; i++)
			here += wp_event_armed(per_cpu(*wp_sets[i], cpu));
		armed += !!here;
		total += here;
	}
	mutex_unlock(&wp_sets_lock);
	*cpus = armed;
	*events = total;
}

/* ---------------------------------------------------------------------- */
/* Init / exit                                                            */
/* ---------------------------------------------------------------------- */

static int __init wp_init(void)
{
	int ret;

	ret = wp_parse_params();
	if (ret)
		return ret;

	hw_breakpoint_init(&wp_attr);
	wp_attr.bp_addr = wp_addr;
	/* HW_BREAKPOINT_LEN_n == n; above 8, a masked watchpoint. */
	wp_attr.bp_len = wp_range;
	wp_attr.bp_type = wp_bp_type;

	mutex_lock(&wp_sets_lock);
	ret = wp_add_set_locked();
	mutex_unlock(&wp_sets_lock);
	if (ret) {
		pr_err("registering the watchpoint on %s+%lu failed (%d)\n",
		       wp_ksym, wp_offset, ret);
		goto put_sym;
	}

	wp_create_debugfs();

	ret = wp_start_writer();
	if (ret)
		goto remove_debugfs;

	pr_info("watching %s+%lu, %lu bytes, type %s, on %u CPUs; writer %s\n",
		wp_ksym, wp_offset, wp_range, wp_type, num_online_cpus(),
		wp_writer_names[wp_writer]);
	return 0;

remove_debugfs:
	wp_remove_debugfs();
	wp_free_sets();
	/* A "write" or "read" interrupted meanwhile left its kthread. */
	wp_reap_orphans();
put_sym:
	__symbol_put(wp_ksym);
	return ret;
}

static void __exit wp_exit(void)
{
	wp_remove_debugfs();
	/*
	 * Disarm first: a thread stuck re-taking the same hit (a kernel that
	 * does not step over it) can only finish once nothing is armed.
	 */
	wp_free_sets();
	wp_stop_writer();
	wp_reap_orphans();
	__symbol_put(wp_ksym);
	pr_info("unloaded after %lu hits\n", wp_total_hits());
}

module_init(wp_init);
module_exit(wp_exit);
MODULE_DESCRIPTION("Kernel data watchpoint on an exported symbol, with test hooks");
MODULE_LICENSE("GPL");
