// SPDX-License-Identifier: GPL-2.0
/*
 * wpguard: one address-masked hardware watchpoint over the trampoline slots
 * of a re-randomized module (CONFIG_ARM64_MODULE_RERANDOMIZE).
 *
 * The slots hold the addresses the module's trampolines branch to, and only
 * the mover may write them: it does so with debug exceptions masked on its
 * own CPU, so it never reaches the callback. Every other write, from any
 * CPU, in any context, by any kind of store, is reported once, with the
 * writer's PC, CPU, address and value, and counted. With enforce=1 the
 * store is then skipped: arm64 takes a watchpoint exception before the
 * access completes, so moving the PC past the instruction leaves the slots
 * as they were (see docs/guard.md for what cannot be blocked this way).
 *
 *   insmod wpguard.ko guard=test_driver [enforce=1]
 *
 * The watchpoint is armed on every online CPU and on every CPU that comes
 * online later (a CPU hotplug state). The guarded module is held while the
 * guard is loaded.
 *
 * debugfs wpguard/: info and bench ("key: value" lines, selftests/debugfs.h),
 * reports (a single number), log (the last WPG_LOG reports, a log: one
 * line per report).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/hw_breakpoint.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/ratelimit.h>
#include <linux/rerandom.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <asm/hw_breakpoint.h>
#include <asm/insn.h>

#include "wpsuite_kmod.h"

static char *guard;
module_param(guard, charp, 0444);
MODULE_PARM_DESC(guard, "Module whose trampoline slots to guard (required)");

static bool enforce;
module_param(enforce, bool, 0644);
MODULE_PARM_DESC(enforce, "Skip a reported store, so that the slots stay intact (default 0)");

#define WPG_LOG		32

struct wpg_report {
	unsigned long pc;
	unsigned long addr;
	u64 value;
	int cpu;
	bool skipped;
	char comm[TASK_COMM_LEN];
};

static struct module *wpg_mod;
static unsigned long wpg_start, wpg_size;
static unsigned int wpg_mask;
static enum cpuhp_state wpg_hp;
static DEFINE_PER_CPU(struct perf_event *, wpg_event);
static atomic_t wpg_armed = ATOMIC_INIT(0);
static atomic64_t wpg_reports = ATOMIC64_INIT(0);
static DEFINE_RAW_SPINLOCK(wpg_log_lock);
static struct wpg_report wpg_log[WPG_LOG];
static unsigned long wpg_log_next;
static struct dentry *wpg_dir;
static DEFINE_RATELIMIT_STATE(wpg_rs, 5 * HZ, 20);

/* Load/store exclusive, store form: STXR/STLXR/STXP/STLXP (o2 = L = 0). */
static bool wpg_is_store_exclusive(u32 insn)
{
	return (insn & 0x3fc00000) == 0x08000000;
}

/* Load/store pair, general registers, store form: STP/STNP. */
static bool wpg_is_store_pair(u32 insn)
{
	return (insn & 0x3c400000) == 0x28000000;
}

static u64 wpg_reg(struct pt_regs *regs, unsigned int r)
{
	return r == 31 ? 0 : regs->regs[r];
}

/* The base register of a load/store: Rn, where 31 is SP. */
static unsigned long wpg_base(struct pt_regs *regs, u32 insn)
{
	unsigned int rn = (insn >> 5) & 0x1f;

	return rn == 31 ? regs->sp : regs->regs[rn];
}

/*
 * A store-exclusive cannot be stepped: taking the exception clears the
 * exclusive monitor, so the stepped STXR fails, and the LL/SC loop comes
 * back to it for ever. When the write is to land, perform it here (debug
 * exceptions are masked in this handler) and report success; the store
 * is no longer exclusive against another CPU's concurrent write.
 */
static void wpg_emulate_store_exclusive(struct pt_regs *regs, u32 insn)
{
	unsigned int size = insn >> 30;
	void *p = (void *)wpg_base(regs, insn);
	u64 v = wpg_reg(regs, insn & 0x1f);
	u64 v2 = wpg_reg(regs, (insn >> 10) & 0x1f);

	smp_mb();	/* STLXR: release */
	if (insn & BIT(21)) {		/* STXP */
		if (size == 3) {
			WRITE_ONCE(((u64 *)p)[0], v);
			WRITE_ONCE(((u64 *)p)[1], v2);
		} else {
			WRITE_ONCE(((u32 *)p)[0], v);
			WRITE_ONCE(((u32 *)p)[1], v2);
		}
	} else {
		switch (size) {
		case 0:
			WRITE_ONCE(*(u8 *)p, v);
			break;
		case 1:
			WRITE_ONCE(*(u16 *)p, v);
			break;
		case 2:
			WRITE_ONCE(*(u32 *)p, v);
			break;
		default:
			WRITE_ONCE(*(u64 *)p, v);
			break;
		}
	}
}

/*
 * Debug exception context, IRQs masked: no sleeping, no allocation. The
 * kernel steps over the store afterwards unless we moved the PC.
 */
static void wpg_handler(struct perf_event *bp, struct perf_sample_data *data,
			struct pt_regs *regs)
{
	unsigned long pc = instruction_pointer(regs);
	unsigned long addr = counter_arch_bp(bp)->trigger;
	u32 insn = le32_to_cpu(*(__le32 *)pc);
	unsigned int rt = insn & 0x1f;
	struct wpg_report *r;
	bool skip = READ_ONCE(enforce);
	u64 value;

	/* Rt of any store; for a pair, the half at the address that hit. */
	if (wpg_is_store_pair(insn) && addr >= wpg_base(regs, insn) + 8)
		rt = (insn >> 10) & 0x1f;
	value = wpg_reg(regs, rt);

	atomic64_inc(&wpg_reports);
	raw_spin_lock(&wpg_log_lock);
	r = &wpg_log[wpg_log_next++ % WPG_LOG];
	r->pc = pc;
	r->addr = addr;
	r->value = value;
	r->cpu = smp_processor_id();
	r->skipped = skip;
	/* No task_lock() here: the interrupted code may hold it. */
	strscpy(r->comm, current->comm, sizeof(r->comm));
	raw_spin_unlock(&wpg_log_lock);

	if (__ratelimit(&wpg_rs))
		pr_warn("%s: write to slot %lu (+%#lx) by %pS on cpu%d (%s/%d), value %#llx%s\n",
			wpg_mod->name, (addr - wpg_start) / sizeof(u64),
			addr - wpg_start, (void *)pc, smp_processor_id(),
			current->comm, task_pid_nr(current), value,
			skip ? ", skipped" : "");
	if (wpg_is_store_exclusive(insn)) {
		/*
		 * Performed here, or skipped: either way it "succeeded" (status
		 * 0), or the LL/SC loop would retry for ever.
		 */
		if (!skip)
			wpg_emulate_store_exclusive(regs, insn);
		regs->regs[(insn >> 16) & 0x1f] = 0;
		instruction_pointer_set(regs, pc + AARCH64_INSN_SIZE);
		return;
	}
	/* Skip the store, or let the kernel step over it. */
	if (skip)
		instruction_pointer_set(regs, pc + AARCH64_INSN_SIZE);
}

static int wpg_cpu_online(unsigned int cpu)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	hw_breakpoint_init(&attr);
	attr.bp_addr = wpg_start;
	/* Above 8 bytes, one address-masked watchpoint over the table. */
	attr.bp_len = wpg_mask ? BIT_ULL(wpg_mask) : HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	bp = perf_event_create_kernel_counter(&attr, cpu, NULL, wpg_handler,
					      NULL);
	if (IS_ERR(bp)) {
		pr_err("cpu%u: cannot arm the watchpoint: %pe\n", cpu, bp);
		return PTR_ERR(bp);
	}
	per_cpu(wpg_event, cpu) = bp;
	atomic_inc(&wpg_armed);
	return 0;
}

static int wpg_cpu_offline(unsigned int cpu)
{
	struct perf_event *bp = per_cpu(wpg_event, cpu);

	if (bp) {
		per_cpu(wpg_event, cpu) = NULL;
		perf_event_release_kernel(bp);
		atomic_dec(&wpg_armed);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* debugfs                                                                */
/* ---------------------------------------------------------------------- */

static int wpg_info_show(struct seq_file *m, void *v)
{
	seq_printf(m, "module: %s\n", wpg_mod->name);
	seq_printf(m, "start: %#lx\n", wpg_start);
	seq_printf(m, "size: %lu\n", wpg_size);
	seq_printf(m, "mask: %u\n", wpg_mask);
	seq_printf(m, "enforce: %d\n", READ_ONCE(enforce));
	seq_printf(m, "armed_cpus: %d\n", atomic_read(&wpg_armed));
	seq_printf(m, "online_cpus: %u\n", num_online_cpus());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wpg_info);

static int wpg_reports_get(void *data, u64 *val)
{
	*val = atomic64_read(&wpg_reports);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wpg_reports_fops, wpg_reports_get, NULL, "%llu\n");

/* The last reports, oldest first: "pc cpu addr value skipped comm". */
static int wpg_log_show(struct seq_file *m, void *v)
{
	struct wpg_report *copy;
	unsigned long next, i, first;

	copy = kmalloc_array(WPG_LOG, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	raw_spin_lock_irq(&wpg_log_lock);
	memcpy(copy, wpg_log, sizeof(wpg_log));
	next = wpg_log_next;
	raw_spin_unlock_irq(&wpg_log_lock);

	first = next > WPG_LOG ? next - WPG_LOG : 0;
	for (i = first; i < next; i++) {
		struct wpg_report *r = &copy[i % WPG_LOG];

		seq_printf(m, "%ps cpu%d slot %lu addr %#lx value %#llx %s %s\n",
			   (void *)r->pc, r->cpu, (r->addr - wpg_start) / sizeof(u64),
			   r->addr, r->value, r->skipped ? "skipped" : "landed",
			   r->comm);
	}
	kfree(copy);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wpg_log);

/*
 * The cost of the mover's guarded write (PSTATE.D set around the store, as
 * rr_write_slot() does) against a plain store, interleaved in one run:
 * WPG_ROUNDS rounds of WPG_STORES stores each, medians in picoseconds per
 * store. The stores go to a variable nobody watches: what is measured is
 * the two MSRs, not an exception.
 */
#define WPG_ROUNDS	101
#define WPG_STORES	1000

static u64 wpg_scratch;

static noinline void wpg_plain_store(u64 *p, u64 v)
{
	WRITE_ONCE(*p, v);
}

/* Out of line, like the plain store it is compared with. */
static noinline void wpg_guarded_store(u64 *p, u64 v)
{
	wpsuite_store_nodebug(p, v);
}

static int wpg_bench_show(struct seq_file *m, void *v)
{
	u64 *plain, *guarded, t0;
	int i, j;

	plain = kcalloc(2 * WPG_ROUNDS, sizeof(u64), GFP_KERNEL);
	if (!plain)
		return -ENOMEM;
	guarded = plain + WPG_ROUNDS;
	for (i = 0; i < WPG_ROUNDS; i++) {
		t0 = ktime_get_ns();
		for (j = 0; j < WPG_STORES; j++)
			wpg_plain_store(&wpg_scratch, j);
		plain[i] = ktime_get_ns() - t0;
		t0 = ktime_get_ns();
		for (j = 0; j < WPG_STORES; j++)
			wpg_guarded_store(&wpg_scratch, j);
		guarded[i] = ktime_get_ns() - t0;
		cond_resched();
	}
	wpsuite_bench_print(m, "plain", plain, WPG_ROUNDS, WPG_STORES);
	wpsuite_bench_print(m, "guarded", guarded, WPG_ROUNDS, WPG_STORES);
	seq_printf(m, "rounds: %d\nstores: %d\nreports: %lld\n",
		   WPG_ROUNDS, WPG_STORES, atomic64_read(&wpg_reports));
	kfree(plain);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wpg_bench);

/* ---------------------------------------------------------------------- */
/* Load and unload                                                        */
/* ---------------------------------------------------------------------- */

static int __init wpg_init(void)
{
	struct module *mod;
	int ret;

	if (!guard || !*guard) {
		pr_err("guard=<module> is required\n");
		return -EINVAL;
	}
	mod = rerandom_module_slots(guard, &wpg_start, &wpg_size);
	if (IS_ERR(mod)) {
		ret = PTR_ERR(mod);
		if (ret == -ENOENT)
			pr_err("guard=%s: no such module\n", guard);
		else if (ret == -EINVAL)
			pr_err("guard=%s: the module has no trampolines\n", guard);
		else
			pr_err("guard=%s: %pe\n", guard, mod);
		return ret;
	}
	wpg_mod = mod;

	/* One watchpoint: 8 bytes, or 2^mask bytes (mask 3..31). */
	ret = -E2BIG;
	if (!is_power_of_2(wpg_size) || wpg_size > SZ_2G) {
		pr_err("guard=%s: slot table of %lu bytes cannot be watched\n",
		       guard, wpg_size);
		goto err_put;
	}
	ret = -EINVAL;
	if (!IS_ALIGNED(wpg_start, wpg_size)) {
		pr_err("guard=%s: slot table %#lx+%lu is not aligned to its size\n",
		       guard, wpg_start, wpg_size);
		goto err_put;
	}
	wpg_mask = wpg_size > 8 ? ilog2(wpg_size) : 0;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "wpguard:online",
				wpg_cpu_online, wpg_cpu_offline);
	if (ret < 0)
		goto err_put;
	wpg_hp = ret;

	wpg_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("info", 0444, wpg_dir, NULL, &wpg_info_fops);
	debugfs_create_file_unsafe("reports", 0444, wpg_dir, NULL,
				   &wpg_reports_fops);
	debugfs_create_file("log", 0444, wpg_dir, NULL, &wpg_log_fops);
	debugfs_create_file("bench", 0444, wpg_dir, NULL, &wpg_bench_fops);
	pr_info("guarding %s: slots %#lx+%lu (mask %u) on %d CPUs%s\n",
		guard, wpg_start, wpg_size, wpg_mask, atomic_read(&wpg_armed),
		enforce ? ", enforcing" : "");
	return 0;

err_put:
	module_put(mod);
	return ret;
}

static void __exit wpg_exit(void)
{
	debugfs_remove_recursive(wpg_dir);
	cpuhp_remove_state(wpg_hp);
	module_put(wpg_mod);
	pr_info("%s: %lld reports\n", guard, atomic64_read(&wpg_reports));
}

module_init(wpg_init);
module_exit(wpg_exit);
MODULE_DESCRIPTION("Guard a re-randomized module's trampoline slots with one masked watchpoint");
MODULE_LICENSE("GPL");
