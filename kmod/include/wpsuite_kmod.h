/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by this project's test modules: their Kbuild files add
 * -I$(src)/../include. Header-only: each module is built on its own.
 */
#ifndef WPSUITE_KMOD_HELPERS_H
#define WPSUITE_KMOD_HELPERS_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kallsyms.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/types.h>

#include <asm/ptrace.h>
#include <asm/sysreg.h>

/*
 * A store with debug exceptions masked (PSTATE.D) on this CPU, for this
 * store only: the way the mover writes trampoline slots (rr_write_slot() in
 * arch/arm64/kernel/module-rerandom-move.c), so a watchpoint over the location
 * does not fire. It stays armed on every other CPU and nothing is
 * re-registered; IRQs stay enabled, and an IRQ taken inside the window runs
 * with D clear, so its own stores are still watched. Two MSRs, no sleeping.
 */
static __always_inline void wpsuite_store_nodebug(u64 *p, u64 v)
{
	unsigned long daif = read_sysreg(daif);

	asm volatile("msr daifset, #8" ::: "memory");
	WRITE_ONCE(*p, v);
	if (!(daif & PSR_D_BIT))
		asm volatile("msr daifclr, #8" ::: "memory");
}

/*
 * A module that moves its own text (test_driver) must keep a function whose
 * address its fixed text takes out of the moving text: the loader refuses
 * fixed-to-moving references. It includes <asm/rerandom.h> first.
 */
#ifdef __rerandom_fixed
#define WPSUITE_FIXED	__rerandom_fixed
#else
#define WPSUITE_FIXED
#endif

/* For sort(): ascending u64. */
static inline WPSUITE_FIXED int wpsuite_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Benchmarks: sort @n batch times (ns for @batch operations each) and print
 * the lines "<name>_ps: M", "<name>_p10: A" and "<name>_p90: B" in
 * picoseconds per operation: the median and the 10th and 90th percentiles.
 * Returns the median.
 * Always inline, for the same reason as wpsuite_slot_of().
 */
static __always_inline u64 wpsuite_bench_print(struct seq_file *m,
					       const char *name, u64 *ns,
					       int n, int batch)
{
	static const int pct[] = { 50, 10, 90 };
	u64 ps[ARRAY_SIZE(pct)];
	int i;

	sort(ns, n, sizeof(u64), wpsuite_cmp_u64, NULL);
	for (i = 0; i < ARRAY_SIZE(pct); i++)
		ps[i] = div_u64(ns[(n - 1) * pct[i] / 100] * 1000, batch);
	seq_printf(m, "%s_ps: %llu\n%s_p10: %llu\n%s_p90: %llu\n",
		   name, ps[0], name, ps[1], name, ps[2]);
	return ps[0];
}

/*
 * The index of the trampoline slot (rerandom_module_slots()) that holds the
 * address of @name, a moving body such as "check_entry_real"; -ENOENT if
 * none does. kallsyms follows moves, so the slot is found by what it holds.
 * Always inline: a test_driver caller in fixed text must not call into
 * movable text (the loader refuses such a reference).
 */
static __always_inline long wpsuite_slot_of(const u64 *slots,
					    unsigned long nslots,
					    const char *name)
{
	char sym[KSYM_SYMBOL_LEN];
	size_t n = strlen(name);
	unsigned long i;

	for (i = 0; i < nslots; i++) {
		unsigned long v = READ_ONCE(slots[i]);

		if (!v)
			continue;
		sprint_symbol_no_offset(sym, v);
		/* "name [module]" */
		if (!strncmp(sym, name, n) && (sym[n] == ' ' || !sym[n]))
			return i;
	}
	return -ENOENT;
}

#endif /* WPSUITE_KMOD_HELPERS_H */
