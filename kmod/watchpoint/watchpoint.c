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
 *                    watchpoint instead (len=8, aligned to 2^mask); needs
 *                    a kernel with HAVE_HW_BREAKPOINT_MASK, else -EOPNOTSUPP
 *   type=w|r|rw      accesses reported (default w)
 *   dump_stack=1     the callback also dumps the stack (rate-limited)
 *   writer=off|legit|seed, writer_period_ms=1..10000, writer_count=N
 *                    start the tl_writer kthread (see tl_writer_legit() and
 *                    tl_writer_seed() below)
 *
 * debugfs watchpoint/ (root only):
 *   info          symbol, size, address, offset, length, mask, range (bytes
 *                 watched), type, CPUs and events armed, writer
 *   hits          total hits, then "cpuN: count" lines
 *   reset         write anything: zero the hit counters
 *   write, read   write "<offset> [count] [width]": a kthread does count
 *                 (default 1, max 1000000) stores/loads of width (1, 2, 4, 8;
 *                 default 8) bytes at symbol+offset; returns when it is done
 *   sweep         write "<hi> <lo> [width]": store to every u64 (or u32)
 *                 from offset hi down to lo; read "stores N hits H first F last L"
 *                 (highest and lowest offsets reported, -1 if none)
 *   bench         read: ps per legit store (PSTATE.D set), per plain store
 *                 and per store under local_daif_save(), interleaved
 *   bench_seed    read: ps per store for the seed's unregister/store/register
 *   bench_hit     read: ps per watchpoint hit (callback + step) vs a plain store
 *   peek          write "<offset>", then read "offset O value 0xV": the u64
 *                 at symbol+offset, loaded without being reported
 *   writes        stores done by tl_writer
 *   writer_stats  "mode M writes N target T last_index I last_value 0xV
 *                 error E done D"
 *   probe_slots   reading registers extra wide watchpoints until the kernel
 *                 refuses, frees them and shows "wrps W extra N stop ERR"
 *
 * A kernel watchpoint with a custom overflow handler has to be stepped over
 * by the kernel after the handler ran (patches/ does that); this module does
 * not try to work around a kernel that does not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hw_breakpoint.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/daifflags.h>
#include <asm/hw_breakpoint.h>

#include "trampolines.h"
#include "wpsuite_kmod.h"

/* ---------------------------------------------------------------------- */
/* Parameters                                                             */
/* ---------------------------------------------------------------------- */

static char ksym_name[KSYM_NAME_LEN] = TRAMPOLINE_SYMBOL;
module_param_string(ksym, ksym_name, KSYM_NAME_LEN, 0444);
MODULE_PARM_DESC(ksym, "exported symbol to watch (default " TRAMPOLINE_SYMBOL ")");

static ulong offset;
module_param(offset, ulong, 0444);
MODULE_PARM_DESC(offset, "bytes into the symbol (default 0)");

static uint len = 8;
module_param(len, uint, 0444);
MODULE_PARM_DESC(len, "bytes watched: 1, 2, 4 or 8, naturally aligned (default 8)");

static uint mask;
module_param(mask, uint, 0444);
MODULE_PARM_DESC(mask, "watch 2^mask bytes with one masked watchpoint, 3..31 (default 0: off)");

static char *type = "w";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type, "accesses reported: w, r or rw (default w)");

static bool wp_dump_stack;
module_param_named(dump_stack, wp_dump_stack, bool, 0644);
MODULE_PARM_DESC(dump_stack, "dump the stack on a hit (rate-limited)");

static char *writer = "off";
module_param(writer, charp, 0444);
MODULE_PARM_DESC(writer, "tl_writer kthread: off, legit or seed (negative control)");

static uint writer_period_ms = 10;
module_param(writer_period_ms, uint, 0444);
MODULE_PARM_DESC(writer_period_ms, "tl_writer period, 1..10000 ms (default 10)");

static uint writer_count;
module_param(writer_count, uint, 0444);
MODULE_PARM_DESC(writer_count,
		 "tl_writer stores, 0 = until unload (default; seed: 3, max 16)");

/* ---------------------------------------------------------------------- */
/* State                                                                  */
/* ---------------------------------------------------------------------- */

enum wp_writer_mode { WRITER_OFF, WRITER_LEGIT, WRITER_SEED };
static const char * const wp_writer_names[] = { "off", "legit", "seed" };

static const struct {
	const char *name;
	u32 bp_type;
} wp_types[] = {
	{ "w", HW_BREAKPOINT_W },
	{ "r", HW_BREAKPOINT_R },
	{ "rw", HW_BREAKPOINT_RW },
};

#define WP_MAX_ACCESSES		1000000UL
#define WP_SEED_DEFAULT_COUNT	3
#define WP_SEED_MAX_COUNT	16
/* The module's own set, plus one per seed write. */
#define WP_MAX_SETS		(1 + WP_SEED_MAX_COUNT)
#define WP_PROBE_MAX		16
/* DBGWCR.MASK: 1 and 2 are reserved, 0 is no mask. */
#define WP_MASK_MIN		3
#define WP_MASK_MAX		31

/* What the parameters resolved to; fixed after init. */
static void *wp_sym;			/* __symbol_get(ksym_name) */
static unsigned long wp_sym_size;
static unsigned long wp_addr;		/* wp_sym + offset */
static unsigned long wp_range;		/* bytes watched: len or 2^mask */
static u32 wp_bp_type;
static enum wp_writer_mode wp_writer;
static unsigned int wp_writer_target;	/* stores tl_writer makes, 0 = no end */
static bool wp_stores_allowed;		/* only into trampolines.ko's table */

static struct perf_event_attr wp_attr;

/*
 * Registered wide watchpoints: [0] is the module's own, the seed writer adds
 * one per store. Every set is unregistered exactly once, at exit.
 */
static struct perf_event * __percpu *wp_sets[WP_MAX_SETS];
static unsigned int wp_nsets;
static DEFINE_MUTEX(wp_sets_lock);

static DEFINE_PER_CPU(unsigned long, wp_hits);
/*
 * Hits can come by the thousand: log a few, and do not let __ratelimit()
 * print its "callbacks suppressed" warning on the console; "hits" counts all.
 */
static struct ratelimit_state wp_log_rs =
	RATELIMIT_STATE_INIT_FLAGS(wp_log_rs, 5 * HZ, 10, RATELIMIT_MSG_ON_RELEASE);
static struct ratelimit_state wp_stack_rs =
	RATELIMIT_STATE_INIT_FLAGS(wp_stack_rs, 5 * HZ, 1, RATELIMIT_MSG_ON_RELEASE);

static struct task_struct *wp_writer_task;
static struct {
	unsigned long writes;
	unsigned int last_index;
	u64 last_value;
	int error;
	bool done;
} wp_stats;
static DEFINE_SPINLOCK(wp_stats_lock);

static struct dentry *wp_dir;
static unsigned long wp_peek_offset;
static DEFINE_MUTEX(wp_probe_lock);
static u64 wp_probe_target;

/* ---------------------------------------------------------------------- */
/* The callback                                                           */
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
			(void *)instruction_pointer(regs), ksym_name, at,
			ksym_name, (unsigned long)(data->addr - (unsigned long)wp_sym),
			wp_range);
	if (wp_dump_stack && __ratelimit(&wp_stack_rs))
		dump_stack_lvl(KERN_INFO);
}

static unsigned long wp_total_hits(void)
{
	unsigned long total = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		total += per_cpu(wp_hits, cpu);
	return total;
}

/* ---------------------------------------------------------------------- */
/* Parameter validation: the one place                                    */
/* ---------------------------------------------------------------------- */

/*
 * Does sprint_symbol() attribute @addr to the symbol @name, i.e. print
 * "name+off/size [mod]"?
 */
static bool __init wp_addr_in(unsigned long addr, const char *name)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t n = strlen(name);

	sprint_symbol(buf, addr);
	return !strncmp(buf, name, n) && buf[n] == '+';
}

/*
 * The size of the symbol starting at @addr: the distance to the next
 * symbol, found by asking kallsyms which symbol covers addr + d. Not the
 * "/0xSIZE" sprint_symbol() prints: for a module's data symbols 6.1
 * computes that from the end of the module's text, which lies before its
 * data, so it is meaningless. kallsyms keeps no ELF sizes, so this is an
 * upper bound (alignment padding counts); exact for trampolines.
 */
static int __init wp_symbol_size(unsigned long addr, unsigned long *size)
{
	char name[KSYM_SYMBOL_LEN], *plus, *slash;
	unsigned long in = 0, out = 1, mid;

	/* @addr must be where a symbol starts: "name+0x0/..." */
	sprint_symbol(name, addr);
	plus = strchr(name, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if (kstrtoul(plus + 1, 0, &mid) || mid)
		return -ENOENT;
	*plus = '\0';

	/* Double until outside, then bisect: inside at @in, outside at @out. */
	while (wp_addr_in(addr + out, name)) {
		if (out >= SZ_1G)
			return -ERANGE;
		in = out;
		out <<= 1;
	}
	while (out - in > 1) {
		mid = in + (out - in) / 2;
		if (wp_addr_in(addr + mid, name))
			in = mid;
		else
			out = mid;
	}
	*size = out;
	return 0;
}

/*
 * Check every parameter. On success the symbol is held (__symbol_get()) and
 * wp_sym, wp_sym_size, wp_addr, wp_bp_type and the writer settings are set.
 * On failure nothing is held and exactly one message says why.
 */
static int __init wp_parse_params(void)
{
	int i, t, ret;

	t = -1;
	for (i = 0; i < ARRAY_SIZE(wp_types); i++)
		if (!strcmp(type, wp_types[i].name))
			t = i;
	if (t < 0) {
		pr_err("type=%s: must be w, r or rw\n", type);
		return -EINVAL;
	}
	wp_bp_type = wp_types[t].bp_type;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		pr_err("len=%u: must be 1, 2, 4 or 8\n", len);
		return -EINVAL;
	}

	wp_range = len;
	if (mask) {
		if (!IS_ENABLED(CONFIG_HAVE_HW_BREAKPOINT_MASK)) {
			pr_err("mask=%u: this kernel has no address-masked watchpoints\n",
			       mask);
			return -EOPNOTSUPP;
		}
		if (mask < WP_MASK_MIN || mask > WP_MASK_MAX) {
			pr_err("mask=%u: must be %d..%d (0: no mask)\n", mask,
			       WP_MASK_MIN, WP_MASK_MAX);
			return -EINVAL;
		}
		/* The architecture wants every BAS byte selected with MASK. */
		if (len != 8) {
			pr_err("mask=%u len=%u: a masked watchpoint needs len=8\n",
			       mask, len);
			return -EINVAL;
		}
		wp_range = 1UL << mask;
	}

	ret = match_string(wp_writer_names, ARRAY_SIZE(wp_writer_names), writer);
	if (ret < 0) {
		pr_err("writer=%s: must be off, legit or seed\n", writer);
		return -EINVAL;
	}
	wp_writer = ret;

	if (writer_period_ms < 1 || writer_period_ms > 10000) {
		pr_err("writer_period_ms=%u: must be 1..10000\n", writer_period_ms);
		return -EINVAL;
	}
	wp_writer_target = writer_count;
	if (wp_writer == WRITER_SEED) {
		if (!wp_writer_target)
			wp_writer_target = WP_SEED_DEFAULT_COUNT;
		if (wp_writer_target > WP_SEED_MAX_COUNT) {
			pr_err("writer_count=%u: writer=seed does at most %d\n",
			       writer_count, WP_SEED_MAX_COUNT);
			return -EINVAL;
		}
	}

	/* Stores (tl_writer, debugfs "write") only go into our own tables. */
	wp_stores_allowed = !strcmp(ksym_name, TRAMPOLINE_SYMBOL) ||
			    !strcmp(ksym_name, TRAMPOLINE_SWEEP_SYMBOL);
	if (wp_writer != WRITER_OFF && !wp_stores_allowed) {
		pr_err("writer=%s: only writes into %s, not ksym=%s\n",
		       writer, TRAMPOLINE_SYMBOL, ksym_name);
		return -EINVAL;
	}

	wp_sym = __symbol_get(ksym_name);
	if (!wp_sym) {
		pr_err("ksym=%s: no such GPL-only exported symbol (load the module exporting it first)\n",
		       ksym_name);
		return -ENXIO;
	}

	/*
	 * kallsyms only bounds a module's data symbols by the next symbol it
	 * finds, so our own tables use the sizes trampolines.ko declares.
	 */
	if (!strcmp(ksym_name, TRAMPOLINE_SYMBOL)) {
		wp_sym_size = TRAMPOLINE_BYTES;
		ret = 0;
	} else if (!strcmp(ksym_name, TRAMPOLINE_SWEEP_SYMBOL)) {
		wp_sym_size = TRAMPOLINE_SWEEP_BYTES;
		ret = 0;
	} else {
		ret = wp_symbol_size((unsigned long)wp_sym, &wp_sym_size);
	}
	if (ret) {
		pr_err("ksym=%s: cannot tell its size from kallsyms (%d)\n",
		       ksym_name, ret);
		ret = -EINVAL;
		goto put;
	}
	ret = -EINVAL;
	if (offset >= wp_sym_size || wp_range > wp_sym_size - offset) {
		pr_err("offset=%lu, %lu bytes watched: outside %s (%lu bytes)\n",
		       offset, wp_range, ksym_name, wp_sym_size);
		goto put;
	}
	wp_addr = (unsigned long)wp_sym + offset;
	/*
	 * A watchpoint is a doubleword address plus a byte-address-select
	 * mask; a naturally aligned 1, 2, 4 or 8 byte range never crosses a
	 * doubleword, so register_wide_hw_breakpoint() will take it. A
	 * masked one must start on a multiple of its size.
	 */
	if (!IS_ALIGNED(wp_addr, wp_range)) {
		pr_err("offset=%lu: %s+%lu is not %lu-byte aligned\n",
		       offset, ksym_name, offset, wp_range);
		goto put;
	}
	return 0;

put:
	__symbol_put(ksym_name);
	wp_sym = NULL;
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Breakpoint sets                                                        */
/* ---------------------------------------------------------------------- */

#ifdef CONFIG_HAVE_HW_BREAKPOINT_MASK
static void wp_attr_set_mask(struct perf_event_attr *attr, unsigned int m)
{
	attr->bp_mask = m;
}
#else
static void wp_attr_set_mask(struct perf_event_attr *attr, unsigned int m)
{
}
#endif

/* Register one more wide set on wp_attr; caller holds wp_sets_lock. */
static int wp_add_set_locked(void)
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

/* ---------------------------------------------------------------------- */
/* tl_writer                                                              */
/* ---------------------------------------------------------------------- */

static void wp_record_write(unsigned int index, u64 value)
{
	spin_lock(&wp_stats_lock);
	wp_stats.writes++;
	wp_stats.last_index = index;
	wp_stats.last_value = value;
	spin_unlock(&wp_stats_lock);
}

static void wp_writer_finished(int error)
{
	spin_lock(&wp_stats_lock);
	wp_stats.error = error;
	wp_stats.done = true;
	spin_unlock(&wp_stats_lock);
}

/* After the last store: sleep until kthread_stop() so unload is clean. */
static void wp_idle_until_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
}

/*
 * Even stores go to the watched doubleword, so a test sees that tl_writer's
 * own stores are not reported; odd ones to a pseudo-random entry.
 */
static unsigned int wp_writer_index(unsigned long n)
{
	if (n & 1)
		return get_random_u32_below(TRAMPOLINE_LEN);
	return (wp_addr - (unsigned long)wp_sym) / sizeof(u64);
}

/*
 * The legitimate writer: rewrites entries of the watched table every
 * writer_period_ms while the watchpoint stays armed everywhere.
 */
/*
 * A store by the table's legitimate writer, which must not be reported:
 * wpsuite_store_nodebug() (kmod/include/wpsuite_kmod.h).
 *
 * PSTATE.D masks debug exceptions taken from the current exception level:
 * with D set, a store at EL1 matching an armed EL1 watchpoint is not
 * reported, and since a watchpoint exception is synchronous nothing is left
 * pending either (measured: no hit after D is cleared). Only D is set:
 *  - it acts on this CPU's current context only: no IPI, no debug register
 *    or perf event is touched, so there is nothing to re-arm and every
 *    other CPU stays armed; a store by anyone else at the same moment is
 *    still caught;
 *  - IRQs stay enabled. An IRQ taken inside the window runs with D clear
 *    (el1_interrupt() unmasks it), so a store from interrupt context is
 *    still reported; D is part of the PSTATE saved on exception entry, so
 *    it comes back with this task when the IRQ returns, even if the task
 *    was preempted and migrated meanwhile;
 *  - it costs two MSRs, where local_daif_save() would also mask IRQs and,
 *    with lockdep, run the hardirq tracing hooks ("bench" measures both).
 * Nothing here sleeps.
 */
static int tl_writer_legit(void *unused)
{
	u64 *table = wp_sym;
	unsigned long n = 0;

	while (!kthread_should_stop()) {
		unsigned int i = wp_writer_index(n);
		u64 v = TRAMPOLINE_WRITER_TAG | ++n;

		wpsuite_store_nodebug(&table[i], v);

		wp_record_write(i, v);
		if (wp_writer_target && n >= wp_writer_target)
			break;
		/* Preemptible, IRQs on: kthread_stop() wakes us early. */
		schedule_timeout_interruptible(msecs_to_jiffies(writer_period_ms));
	}
	wp_writer_finished(0);
	wp_idle_until_stop();
	return 0;
}

/*
 * The original design's writer, kept as a NEGATIVE CONTROL: it must print
 * "BUG: scheduling while atomic" once and leak breakpoint slots, but must
 * not crash the guest or leave anything behind at unload. Every line marked
 * "seed:" is the original's mistake, kept on purpose.
 */
static int tl_writer_seed(void *unused)
{
	u64 *table = wp_sym;
	unsigned long n = 0;
	int cpu, err = 0;

	/*
	 * seed: get_cpu() disables preemption and is never put. It was meant
	 * to pin "this CPU" for the unregister below, but nothing can stay
	 * pinned across a sleep.
	 */
	cpu = get_cpu();

	while (!kthread_should_stop() && n < wp_writer_target) {
		struct perf_event * __percpu *cur;
		struct perf_event *bp;
		unsigned int i;
		u64 v;

		/*
		 * seed: sleeps with preemption disabled, hence "BUG:
		 * scheduling while atomic" (the kthread is not an interrupt
		 * handler: preempt_count is what the scheduler checks). The
		 * scheduler then resets preempt_count, so from here on the
		 * thread is preemptible and may run on any CPU, not @cpu.
		 */
		msleep(writer_period_ms);

		mutex_lock(&wp_sets_lock);
		if (!wp_nsets) {
			/* Exit disarmed everything and is about to stop us. */
			mutex_unlock(&wp_sets_lock);
			break;
		}
		/*
		 * seed: disables the watchpoint of @cpu only, which need not
		 * be the CPU we run on any more; the store below can then
		 * fire here while @cpu's slot sits unused. The other CPUs'
		 * events of this set stay registered. The slot is NULLed so
		 * exit frees it once.
		 */
		cur = wp_sets[wp_nsets - 1];
		bp = per_cpu(*cur, cpu);
		per_cpu(*cur, cpu) = NULL;
		unregister_hw_breakpoint(bp);

		i = wp_writer_index(n);
		v = TRAMPOLINE_WRITER_TAG | ++n;
		/* seed: a plain store; the original printed the pointer. */
		table[i] = v;
		wp_record_write(i, v);

		/*
		 * seed: registers a whole new wide set per store, on every
		 * CPU, although one event was removed: each store leaks a
		 * slot on every other CPU, and with 4 watchpoint registers
		 * the 4th store's registration fails with -ENOSPC. The
		 * original did not check IS_ERR() (next iteration: Oops) and
		 * overwrote its only pointer, so exit freed the last set
		 * only. Here the error stops the loop and every set is kept
		 * in wp_sets[] for exit.
		 */
		err = wp_add_set_locked();
		mutex_unlock(&wp_sets_lock);
		if (err) {
			pr_err("seed writer: re-registering the watchpoint failed (%d) after %lu stores\n",
			       err, n);
			break;
		}
	}
	wp_writer_finished(err);
	wp_idle_until_stop();
	return 0;
}

static int wp_start_writer(void)
{
	struct task_struct *t;

	if (wp_writer == WRITER_OFF)
		return 0;
	t = kthread_run(wp_writer == WRITER_LEGIT ? tl_writer_legit : tl_writer_seed,
			NULL, "tl_writer");
	if (IS_ERR(t)) {
		pr_err("cannot start tl_writer (%ld)\n", PTR_ERR(t));
		return PTR_ERR(t);
	}
	wp_writer_task = t;
	return 0;
}

static void wp_stop_writer(void)
{
	if (wp_writer_task)
		kthread_stop(wp_writer_task);
	wp_writer_task = NULL;
}

/* ---------------------------------------------------------------------- */
/* Accesses on request (debugfs write/read)                               */
/* ---------------------------------------------------------------------- */

struct wp_access {
	struct list_head node;		/* on wp_orphans once abandoned */
	struct task_struct *task;
	unsigned long addr;
	unsigned long count;
	unsigned int width;
	bool store;
	bool sweep;			/* count u64 stores downwards from addr */
	struct completion done;
};

/* Result of the last sweep (debugfs "sweep"); offsets into the symbol. */
static struct {
	unsigned long stores, hits;
	long first, last;		/* highest and lowest reported, or -1 */
} wp_sweep_result = { .first = -1, .last = -1 };

/* Accesses whose writer was interrupted; exit stops and frees them. */
static LIST_HEAD(wp_orphans);
static DEFINE_MUTEX(wp_orphans_lock);

static void wp_store(unsigned long addr, unsigned int width, u64 v)
{
	switch (width) {
	case 1:
		WRITE_ONCE(*(u8 *)addr, (u8)v);
		break;
	case 2:
		WRITE_ONCE(*(u16 *)addr, (u16)v);
		break;
	case 4:
		WRITE_ONCE(*(u32 *)addr, (u32)v);
		break;
	default:
		WRITE_ONCE(*(u64 *)addr, v);
		break;
	}
}

/* READ_ONCE(): volatile, so no load is optimised away. */
static u64 wp_load(unsigned long addr, unsigned int width)
{
	switch (width) {
	case 1:
		return READ_ONCE(*(u8 *)addr);
	case 2:
		return READ_ONCE(*(u16 *)addr);
	case 4:
		return READ_ONCE(*(u32 *)addr);
	default:
		return READ_ONCE(*(u64 *)addr);
	}
}

/*
 * One store per entry (u64, or u32 slots), from the highest address down, the way the
 * original experiment walked its table from the end: each store's report,
 * if any, is counted by the handler before the store returns, so comparing
 * the hit count around it tells whether that entry is watched.
 */
static void wp_sweep(struct wp_access *a)
{
	unsigned long i, before, off;

	wp_sweep_result.stores = 0;
	wp_sweep_result.hits = 0;
	wp_sweep_result.first = -1;
	wp_sweep_result.last = -1;
	for (i = 0; i < a->count && !kthread_should_stop(); i++) {
		off = a->addr - (unsigned long)wp_sym - i * a->width;
		before = wp_total_hits();
		wp_store((unsigned long)wp_sym + off, a->width,
			 TRAMPOLINE_WRITER_TAG | i);
		wp_sweep_result.stores++;
		if (wp_total_hits() == before)
			continue;
		wp_sweep_result.hits++;
		if (wp_sweep_result.first < 0)
			wp_sweep_result.first = off;
		wp_sweep_result.last = off;
	}
}

static int wp_access_fn(void *data)
{
	struct wp_access *a = data;
	unsigned long i;

	if (a->sweep) {
		wp_sweep(a);
		complete(&a->done);
		return 0;
	}
	for (i = 0; i < a->count && !kthread_should_stop(); i++) {
		if (a->store)
			wp_store(a->addr, a->width, i);
		else
			wp_load(a->addr, a->width);
		if (i % 1024 == 1023)
			cond_resched();
	}
	complete(&a->done);
	return 0;
}

/*
 * Do the accesses in a kthread and wait for it to finish. A signal (the
 * test's timeout: on a kernel that does not step over the hit, the first
 * access re-fires forever) abandons the wait with -EINTR; the kthread is
 * then left to exit, which disarms the watchpoint first so that it can
 * finish. Frees @a.
 */
static int wp_run_access(struct wp_access *a)
{
	struct task_struct *t;

	init_completion(&a->done);
	t = kthread_create(wp_access_fn, a, "wp_%s", a->store ? "store" : "load");
	if (IS_ERR(t)) {
		kfree(a);
		return PTR_ERR(t);
	}
	/* Our reference keeps @t valid for kthread_stop() after it returned. */
	get_task_struct(t);
	a->task = t;
	wake_up_process(t);

	if (wait_for_completion_interruptible(&a->done)) {
		mutex_lock(&wp_orphans_lock);
		list_add(&a->node, &wp_orphans);
		mutex_unlock(&wp_orphans_lock);
		return -EINTR;
	}
	/* Only once it ran: stopping it before it started would skip it. */
	kthread_stop(t);
	put_task_struct(t);
	kfree(a);
	return 0;
}

static void wp_reap_orphans(void)
{
	struct wp_access *a, *tmp;

	mutex_lock(&wp_orphans_lock);
	list_for_each_entry_safe(a, tmp, &wp_orphans, node) {
		kthread_stop(a->task);
		put_task_struct(a->task);
		list_del(&a->node);
		kfree(a);
	}
	mutex_unlock(&wp_orphans_lock);
}

/* Up to @max unsigned numbers (any base) from a user buffer. */
static int wp_parse_numbers(const char __user *ubuf, size_t count,
			    unsigned long *v, int max)
{
	char buf[64], *s = buf, *tok;
	int n = 0;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	while ((tok = strsep(&s, " \t\n"))) {
		if (!*tok)
			continue;
		if (n == max || kstrtoul(tok, 0, &v[n]))
			return -EINVAL;
		n++;
	}
	return n ? n : -EINVAL;
}

/* Is [offset, offset + width) inside the symbol and naturally aligned? */
static bool wp_range_ok(unsigned long off, unsigned long width)
{
	return (width == 1 || width == 2 || width == 4 || width == 8) &&
	       off < wp_sym_size && width <= wp_sym_size - off &&
	       IS_ALIGNED((unsigned long)wp_sym + off, width);
}

static ssize_t wp_access_write(const char __user *ubuf, size_t count, bool store)
{
	unsigned long v[3] = { 0, 1, 8 };
	struct wp_access *a;
	int n, ret;

	n = wp_parse_numbers(ubuf, count, v, ARRAY_SIZE(v));
	if (n < 0)
		return n;
	if (!v[1] || v[1] > WP_MAX_ACCESSES || !wp_range_ok(v[0], v[2]))
		return -EINVAL;
	if (store && !wp_stores_allowed)
		return -EPERM;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->addr = (unsigned long)wp_sym + v[0];
	a->count = v[1];
	a->width = v[2];
	a->store = store;
	ret = wp_run_access(a);
	return ret ? ret : count;
}

static ssize_t wp_write_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	return wp_access_write(ubuf, count, true);
}

static ssize_t wp_read_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	return wp_access_write(ubuf, count, false);
}

/*
 * "sweep": write "<hi> <lo> [width]" (aligned offsets, hi >= lo, width 8
 * or 4) to store to every entry from offset hi down to lo; read
 * "stores N hits H first F last
 * L", F and L being the highest and lowest offsets whose store was
 * reported (-1 if none).
 */
static ssize_t wp_sweep_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	unsigned long v[3] = { 0, 0, sizeof(u64) };
	struct wp_access *a;
	int n, ret;

	n = wp_parse_numbers(ubuf, count, v, ARRAY_SIZE(v));
	if (n < 0)
		return n;
	if (n < 2 || v[0] < v[1] || (v[2] != 4 && v[2] != 8) ||
	    !wp_range_ok(v[0], v[2]) || !wp_range_ok(v[1], v[2]) ||
	    (v[0] - v[1]) % v[2])
		return -EINVAL;
	if (!wp_stores_allowed)
		return -EPERM;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->addr = (unsigned long)wp_sym + v[0];
	a->count = (v[0] - v[1]) / v[2] + 1;
	a->width = v[2];
	a->store = true;
	a->sweep = true;
	ret = wp_run_access(a);
	return ret ? ret : count;
}

static int wp_sweep_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "stores %lu hits %lu first %ld last %ld\n",
		   wp_sweep_result.stores, wp_sweep_result.hits,
		   wp_sweep_result.first, wp_sweep_result.last);
	return 0;
}

static int wp_sweep_open(struct inode *inode, struct file *file)
{
	return single_open(file, wp_sweep_show, NULL);
}

static const struct file_operations wp_sweep_fops = {
	.owner = THIS_MODULE,
	.open = wp_sweep_open,
	.read = seq_read,
	.write = wp_sweep_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * "bench": the cost of a legit store (wpsuite_store_nodebug() to the watched word)
 * next to a plain store (to an unwatched word) and to a store under
 * local_daif_save() (everything masked), measured interleaved:
 * WP_BENCH_ROUNDS rounds of WP_BENCH_BATCH stores each, median and the
 * 10th/90th percentiles per store, and the hits counted meanwhile (must be
 * 0: legit stores are not reported). Under QEMU's emulation absolute times
 * mean little; the ratio is the figure.
 */
#define WP_BENCH_ROUNDS	101
#define WP_BENCH_BATCH	1000

static u64 wp_bench_scratch;

static int wp_bench_show(struct seq_file *m, void *unused)
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
	seq_putc(m, '\n');
	seq_printf(m, "ratio_x100 %llu daif_save_ratio_x100 %llu\n",
		   lm * 100 / pm, dm * 100 / pm);
	seq_printf(m, "rounds %d batch %d hits %lu\n", WP_BENCH_ROUNDS,
		   WP_BENCH_BATCH, hits);
	kfree(plain);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_bench);

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

static void wp_seed_handler(struct perf_event *bp,
			    struct perf_sample_data *data, struct pt_regs *regs)
{
}

static int wp_bench_seed_show(struct seq_file *m, void *unused)
{
	u64 seed[WP_SEED_ROUNDS], legit[WP_SEED_ROUNDS], t0, t1, t2;
	struct perf_event * __percpu *bp;
	struct perf_event_attr attr;
	int r, i, err = 0;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wp_seed_scratch;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	bp = register_wide_hw_breakpoint(&attr, wp_seed_handler, NULL);
	if (IS_ERR((void __force *)bp))
		return PTR_ERR((void __force *)bp);
	for (r = 0; r < WP_SEED_ROUNDS && !err; r++) {
		t0 = ktime_get_ns();
		for (i = 0; i < WP_SEED_BATCH; i++) {
			unregister_wide_hw_breakpoint(bp);
			WRITE_ONCE(wp_seed_scratch, i);
			bp = register_wide_hw_breakpoint(&attr, wp_seed_handler,
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
	seq_printf(m, "rounds %d batch %d\n", WP_SEED_ROUNDS, WP_SEED_BATCH);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_bench_seed);

/*
 * "bench_hit": one watchpoint hit (exception, callback, step over the
 * store) against a plain store, interleaved, medians of WP_HIT_ROUNDS
 * rounds of WP_HIT_BATCH stores. The hits are counted like any other.
 */
#define WP_HIT_ROUNDS	11
#define WP_HIT_BATCH	200

static int wp_bench_hit_show(struct seq_file *m, void *unused)
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
	seq_printf(m, "hits %lu rounds %d batch %d\n",
		   wp_total_hits() - hits, WP_HIT_ROUNDS, WP_HIT_BATCH);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_bench_hit);

static const struct file_operations wp_write_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = wp_write_write,
	.llseek = noop_llseek,
};

static const struct file_operations wp_read_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = wp_read_write,
	.llseek = noop_llseek,
};

/* ---------------------------------------------------------------------- */
/* Other debugfs files                                                    */
/* ---------------------------------------------------------------------- */

static int wp_info_show(struct seq_file *m, void *unused)
{
	unsigned int armed = 0, events = 0, i;
	int cpu;

	mutex_lock(&wp_sets_lock);
	for_each_online_cpu(cpu) {
		unsigned int here = 0;

		for (i = 0; i < wp_nsets; i++)
			here += wp_event_armed(per_cpu(*wp_sets[i], cpu));
		armed += !!here;
		events += here;
	}
	mutex_unlock(&wp_sets_lock);

	seq_printf(m, "symbol %s\n", ksym_name);
	seq_printf(m, "size %lu\n", wp_sym_size);
	seq_printf(m, "address 0x%lx\n", wp_addr);
	seq_printf(m, "offset %lu\n", offset);
	seq_printf(m, "length %u\n", len);
	seq_printf(m, "mask %u\n", mask);
	seq_printf(m, "range %lu\n", wp_range);
	seq_printf(m, "type %s\n", type);
	seq_printf(m, "cpus_online %u\n", num_online_cpus());
	seq_printf(m, "cpus_armed %u\n", armed);
	seq_printf(m, "events_armed %u\n", events);
	seq_printf(m, "writer %s\n", wp_writer_names[wp_writer]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_info);

static int wp_hits_show(struct seq_file *m, void *unused)
{
	int cpu;

	seq_printf(m, "%lu\n", wp_total_hits());
	for_each_possible_cpu(cpu)
		seq_printf(m, "cpu%d: %lu\n", cpu, per_cpu(wp_hits, cpu));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_hits);

static ssize_t wp_reset_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(wp_hits, cpu) = 0;
	return count;
}

static const struct file_operations wp_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = wp_reset_write,
	.llseek = noop_llseek,
};

static ssize_t wp_peek_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned long off;
	int n;

	n = wp_parse_numbers(ubuf, count, &off, 1);
	if (n < 0)
		return n;
	if (!wp_range_ok(off, sizeof(u64)))
		return -EINVAL;
	WRITE_ONCE(wp_peek_offset, off);
	return count;
}

static ssize_t wp_peek_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	unsigned long off = READ_ONCE(wp_peek_offset), flags;
	char buf[64];
	int n;
	u64 v;

	if (!wp_range_ok(off, sizeof(u64)))
		return -EINVAL;
	/* Not a reported load even with type=r/rw: see tl_writer_legit(). */
	flags = local_daif_save();
	v = READ_ONCE(*(u64 *)((unsigned long)wp_sym + off));
	local_daif_restore(flags);

	n = scnprintf(buf, sizeof(buf), "offset %lu value 0x%016llx\n", off, v);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations wp_peek_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = wp_peek_read,
	.write = wp_peek_write,
	.llseek = default_llseek,
};

static int wp_writes_get(void *data, u64 *val)
{
	spin_lock(&wp_stats_lock);
	*val = wp_stats.writes;
	spin_unlock(&wp_stats_lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wp_writes_fops, wp_writes_get, NULL, "%llu\n");

static int wp_writer_stats_show(struct seq_file *m, void *unused)
{
	unsigned long writes;
	unsigned int last_index;
	u64 last_value;
	int error;
	bool done;

	spin_lock(&wp_stats_lock);
	writes = wp_stats.writes;
	last_index = wp_stats.last_index;
	last_value = wp_stats.last_value;
	error = wp_stats.error;
	done = wp_stats.done;
	spin_unlock(&wp_stats_lock);

	seq_printf(m, "mode %s writes %lu target %u last_index %u last_value 0x%016llx error %d done %d\n",
		   wp_writer_names[wp_writer], writes, wp_writer_target,
		   last_index, last_value, error, done);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_writer_stats);

static void wp_probe_handler(struct perf_event *bp,
			     struct perf_sample_data *data, struct pt_regs *regs)
{
}

/*
 * How many more wide watchpoints the kernel accepts right now: a leaked
 * slot on any CPU shows up as one fewer. All are freed before returning.
 */
static int wp_probe_slots_show(struct seq_file *m, void *unused)
{
	struct perf_event * __percpu *sets[WP_PROBE_MAX];
	struct perf_event_attr attr;
	int n = 0, err = 0, i;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wp_probe_target;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;

	mutex_lock(&wp_probe_lock);
	while (n < WP_PROBE_MAX) {
		sets[n] = register_wide_hw_breakpoint(&attr, wp_probe_handler, NULL);
		if (IS_ERR((void __force *)sets[n])) {
			err = PTR_ERR((void __force *)sets[n]);
			break;
		}
		n++;
	}
	for (i = 0; i < n; i++)
		unregister_wide_hw_breakpoint(sets[i]);
	mutex_unlock(&wp_probe_lock);

	seq_printf(m, "wrps %d extra %d stop %d\n", get_num_wrps(), n, err);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_probe_slots);

static void wp_create_debugfs(void)
{
	wp_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("info", 0400, wp_dir, NULL, &wp_info_fops);
	debugfs_create_file("hits", 0400, wp_dir, NULL, &wp_hits_fops);
	debugfs_create_file("reset", 0200, wp_dir, NULL, &wp_reset_fops);
	debugfs_create_file("write", 0200, wp_dir, NULL, &wp_write_fops);
	debugfs_create_file("read", 0200, wp_dir, NULL, &wp_read_fops);
	debugfs_create_file("sweep", 0600, wp_dir, NULL, &wp_sweep_fops);
	debugfs_create_file("bench", 0400, wp_dir, NULL, &wp_bench_fops);
	debugfs_create_file("bench_seed", 0400, wp_dir, NULL,
			    &wp_bench_seed_fops);
	debugfs_create_file("bench_hit", 0400, wp_dir, NULL,
			    &wp_bench_hit_fops);
	debugfs_create_file("peek", 0600, wp_dir, NULL, &wp_peek_fops);
	debugfs_create_file_unsafe("writes", 0400, wp_dir, NULL, &wp_writes_fops);
	debugfs_create_file("writer_stats", 0400, wp_dir, NULL,
			    &wp_writer_stats_fops);
	debugfs_create_file("probe_slots", 0400, wp_dir, NULL,
			    &wp_probe_slots_fops);
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
	wp_attr.bp_len = len;	/* HW_BREAKPOINT_LEN_n == n */
	wp_attr.bp_type = wp_bp_type;
	wp_attr_set_mask(&wp_attr, mask);

	mutex_lock(&wp_sets_lock);
	ret = wp_add_set_locked();
	mutex_unlock(&wp_sets_lock);
	if (ret) {
		pr_err("registering the watchpoint on %s+%lu failed (%d)\n",
		       ksym_name, offset, ret);
		goto put_sym;
	}

	wp_create_debugfs();

	ret = wp_start_writer();
	if (ret)
		goto remove_debugfs;

	pr_info("watching %s+%lu, %lu bytes, type %s, on %u CPUs; writer %s\n",
		ksym_name, offset, wp_range, type, num_online_cpus(),
		wp_writer_names[wp_writer]);
	return 0;

remove_debugfs:
	debugfs_remove_recursive(wp_dir);
	wp_free_sets();
put_sym:
	__symbol_put(ksym_name);
	return ret;
}

static void __exit wp_exit(void)
{
	debugfs_remove_recursive(wp_dir);
	/*
	 * Disarm first: a thread stuck re-taking the same hit (a kernel that
	 * does not step over it) can only finish once nothing is armed.
	 */
	wp_free_sets();
	wp_stop_writer();
	wp_reap_orphans();
	__symbol_put(ksym_name);
	pr_info("unloaded after %lu hits\n", wp_total_hits());
}

module_init(wp_init);
module_exit(wp_exit);
MODULE_DESCRIPTION("Kernel data watchpoint on an exported symbol, with test hooks");
MODULE_LICENSE("GPL");
