// SPDX-License-Identifier: GPL-2.0
/*
 * wprogue: writes where it must not, into the trampoline slots of a
 * re-randomized module (test_driver by default), in each of the ways a
 * guard must catch. Test-only.
 *
 * debugfs wprogue/:
 *   write   - "str", "stp", "memset", "atomic", "ipi" (a store on another
 *             CPU, in IRQ context) or "irq" (a store from a hard-IRQ timer
 *             on this CPU): one rogue write into the slot of bench_entry;
 *   restore - "1": put back what the last write replaced, the way the mover
 *             writes (debug exceptions masked), so a guard does not see it;
 *   table   - "key: value" lines (selftests/debugfs.h): slots, bench
 *             (the index of bench_entry's slot), sum (a checksum), then
 *             slotN: what slot N holds, and its symbol;
 *   occupy  - "N": hold N watchpoints of our own (on every CPU), to leave
 *             no slot free; "0" releases them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rerandom.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "wpsuite_kmod.h"

static char *target = "test_driver";
module_param(target, charp, 0444);
MODULE_PARM_DESC(target, "Module whose slots to write (default test_driver)");

#define WPR_OCCUPY_MAX	16

static DEFINE_MUTEX(wpr_lock);
static struct module *wpr_mod;
static u64 *wpr_slots;
static unsigned long wpr_nslots;
static u64 wpr_saved[2];
static size_t wpr_memset_len = sizeof(u64);
static u64 *wpr_saved_at;
static u64 wpr_dummy[WPR_OCCUPY_MAX];
static struct perf_event * __percpu *wpr_occupied[WPR_OCCUPY_MAX];
static unsigned int wpr_noccupied;
static struct dentry *wpr_dir;

/* What a hijacked bench_entry(x) would run: the rogue's own code. */
static noinline long wpr_hijack(long x)
{
	return x + 100;
}

/* The slot that points at bench_entry's body. */
static long wpr_bench_index(void)
{
	return wpsuite_slot_of(wpr_slots, wpr_nslots, "bench_entry_real");
}

/* The rogue stores themselves: one instruction each where it matters. */
static noinline void wpr_str(u64 *p, u64 v)
{
	asm volatile("str %1, [%0]" : : "r" (p), "r" (v) : "memory");
}

static noinline void wpr_stp(u64 *p, u64 a, u64 b)
{
	asm volatile("stp %1, %2, [%0]" : : "r" (p), "r" (a), "r" (b)
		     : "memory");
}

static noinline void wpr_atomic(u64 *p, u64 v)
{
	xchg(p, v);
}

struct wpr_remote {
	u64 *p;
	u64 v;
	struct hrtimer timer;
	struct completion done;
};

static void wpr_ipi(void *arg)
{
	struct wpr_remote *r = arg;

	wpr_str(r->p, r->v);
}

static enum hrtimer_restart wpr_timer(struct hrtimer *t)
{
	struct wpr_remote *r = container_of(t, struct wpr_remote, timer);

	wpr_str(r->p, r->v);
	complete(&r->done);
	return HRTIMER_NORESTART;
}

static int wpr_write(const char *mode)
{
	long i = wpr_bench_index();
	u64 v = (u64)wpr_hijack;
	struct wpr_remote r;
	unsigned int cpu;
	u64 *p;

	if (i < 0)
		return i;
	if (wpr_nslots < 2)
		return -ENOSPC;
	p = &wpr_slots[i];
	/* Remember the aligned pair around it, for "stp" and "restore". */
	wpr_saved_at = &wpr_slots[i & ~1L];
	wpr_saved[0] = READ_ONCE(wpr_saved_at[0]);
	wpr_saved[1] = READ_ONCE(wpr_saved_at[1]);

	if (!strcmp(mode, "str")) {
		wpr_str(p, v);
	} else if (!strcmp(mode, "stp")) {
		/* Both halves in the table; the other one keeps its value. */
		if (p == wpr_saved_at)
			wpr_stp(p, v, wpr_saved[1]);
		else
			wpr_stp(wpr_saved_at, wpr_saved[0], v);
	} else if (!strcmp(mode, "memset")) {
		/* Not a constant size: the compiler calls memset(). */
		memset(p, 0xa5, READ_ONCE(wpr_memset_len));
	} else if (!strcmp(mode, "atomic")) {
		wpr_atomic(p, v);
	} else if (!strcmp(mode, "ipi")) {
		cpu = cpumask_any_but(cpu_online_mask, get_cpu());
		put_cpu();
		if (cpu >= nr_cpu_ids)
			return -ENODEV;
		r.p = p;
		r.v = v;
		return smp_call_function_single(cpu, wpr_ipi, &r, 1);
	} else if (!strcmp(mode, "irq")) {
		r.p = p;
		r.v = v;
		init_completion(&r.done);
		hrtimer_init_on_stack(&r.timer, CLOCK_MONOTONIC,
				      HRTIMER_MODE_REL_HARD);
		r.timer.function = wpr_timer;
		hrtimer_start(&r.timer, ns_to_ktime(10000), HRTIMER_MODE_REL_HARD);
		wait_for_completion(&r.done);
		hrtimer_cancel(&r.timer);
		destroy_hrtimer_on_stack(&r.timer);
	} else {
		wpr_saved_at = NULL;
		return -EINVAL;
	}
	return 0;
}

static ssize_t wpr_write_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char mode[16];
	int ret;

	if (!len || len >= sizeof(mode))
		return -EINVAL;
	if (copy_from_user(mode, ubuf, len))
		return -EFAULT;
	mode[len] = '\0';
	strim(mode);
	mutex_lock(&wpr_lock);
	ret = wpr_write(mode);
	mutex_unlock(&wpr_lock);
	return ret ? ret : len;
}

static const struct file_operations wpr_write_fops = {
	.owner = THIS_MODULE,
	.write = wpr_write_write,
	.llseek = noop_llseek,
};

static int wpr_restore_set(void *data, u64 val)
{
	int ret = 0;

	if (val != 1)
		return -EINVAL;
	mutex_lock(&wpr_lock);
	if (wpr_saved_at) {
		wpsuite_store_nodebug(&wpr_saved_at[0], wpr_saved[0]);
		wpsuite_store_nodebug(&wpr_saved_at[1], wpr_saved[1]);
		wpr_saved_at = NULL;
	} else {
		ret = -ENODATA;
	}
	mutex_unlock(&wpr_lock);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(wpr_restore_fops, NULL, wpr_restore_set, "%llu\n");

static int wpr_table_show(struct seq_file *m, void *v)
{
	u64 sum = 0;
	unsigned long i;

	for (i = 0; i < wpr_nslots; i++)
		sum = sum * 1000003 + READ_ONCE(wpr_slots[i]);
	seq_printf(m, "slots: %lu\nbench: %ld\nsum: %#llx\n", wpr_nslots,
		   wpr_bench_index(), sum);
	for (i = 0; i < wpr_nslots; i++)
		seq_printf(m, "slot%lu: %#llx %ps\n", i, READ_ONCE(wpr_slots[i]),
			   (void *)READ_ONCE(wpr_slots[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wpr_table);

static void wpr_occupy_handler(struct perf_event *bp,
			       struct perf_sample_data *data,
			       struct pt_regs *regs)
{
}

static void wpr_release(void)
{
	while (wpr_noccupied)
		unregister_wide_hw_breakpoint(wpr_occupied[--wpr_noccupied]);
}

static int wpr_occupy_set(void *data, u64 val)
{
	struct perf_event_attr attr;
	struct perf_event * __percpu *bp;
	int ret = 0;

	if (val > WPR_OCCUPY_MAX)
		return -ERANGE;
	mutex_lock(&wpr_lock);
	wpr_release();
	while (wpr_noccupied < val) {
		hw_breakpoint_init(&attr);
		attr.bp_addr = (unsigned long)&wpr_dummy[wpr_noccupied];
		attr.bp_len = HW_BREAKPOINT_LEN_8;
		attr.bp_type = HW_BREAKPOINT_W;
		bp = register_wide_hw_breakpoint(&attr, wpr_occupy_handler, NULL);
		if (IS_ERR((void __force *)bp)) {
			ret = PTR_ERR((void __force *)bp);
			wpr_release();
			break;
		}
		wpr_occupied[wpr_noccupied++] = bp;
	}
	mutex_unlock(&wpr_lock);
	return ret;
}

static int wpr_occupy_get(void *data, u64 *val)
{
	*val = wpr_noccupied;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wpr_occupy_fops, wpr_occupy_get, wpr_occupy_set,
			 "%llu\n");

static int __init wpr_init(void)
{
	unsigned long start, size;

	wpr_mod = rerandom_module_slots(target, &start, &size);
	if (IS_ERR(wpr_mod)) {
		pr_err("target=%s: %pe\n", target, wpr_mod);
		return PTR_ERR(wpr_mod);
	}
	wpr_slots = (u64 *)start;
	wpr_nslots = size / sizeof(u64);
	wpr_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("write", 0200, wpr_dir, NULL, &wpr_write_fops);
	debugfs_create_file_unsafe("restore", 0200, wpr_dir, NULL,
				   &wpr_restore_fops);
	debugfs_create_file("table", 0444, wpr_dir, NULL, &wpr_table_fops);
	debugfs_create_file_unsafe("occupy", 0600, wpr_dir, NULL,
				   &wpr_occupy_fops);
	return 0;
}

static void __exit wpr_exit(void)
{
	debugfs_remove_recursive(wpr_dir);
	mutex_lock(&wpr_lock);
	wpr_release();
	mutex_unlock(&wpr_lock);
	module_put(wpr_mod);
}

module_init(wpr_init);
module_exit(wpr_exit);
MODULE_DESCRIPTION("Test-only: rogue writes into a re-randomized module's trampoline slots");
MODULE_LICENSE("GPL");
