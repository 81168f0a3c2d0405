// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint.ko's module parameters (described in core.c), what they
 * resolve to, and their validation: the one place a parameter is checked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/perf_event.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "trampolines.h"
#include "watchpoint.h"

/* ---------------------------------------------------------------------- */
/* Parameters                                                             */
/* ---------------------------------------------------------------------- */

char wp_ksym[KSYM_NAME_LEN] = TRAMPOLINE_SYMBOL;
module_param_string(ksym, wp_ksym, KSYM_NAME_LEN, 0444);
MODULE_PARM_DESC(ksym, "exported symbol to watch (default " TRAMPOLINE_SYMBOL ")");

ulong wp_offset;
module_param_named(offset, wp_offset, ulong, 0444);
MODULE_PARM_DESC(offset, "bytes into the symbol (default 0)");

uint wp_len = 8;
module_param_named(len, wp_len, uint, 0444);
MODULE_PARM_DESC(len, "bytes watched: 1, 2, 4 or 8, naturally aligned (default 8)");

uint wp_mask;
module_param_named(mask, wp_mask, uint, 0444);
MODULE_PARM_DESC(mask, "watch 2^mask bytes with one masked watchpoint, 3..31 (default 0: off)");

char *wp_type = "w";
module_param_named(type, wp_type, charp, 0444);
MODULE_PARM_DESC(type, "accesses reported: w, r or rw (default w)");

bool wp_dump_stack;
module_param_named(dump_stack, wp_dump_stack, bool, 0644);
MODULE_PARM_DESC(dump_stack, "dump the stack on a hit (rate-limited)");

static char *writer = "off";
module_param(writer, charp, 0444);
MODULE_PARM_DESC(writer, "tl_writer kthread: off, legit or seed (negative control)");

uint wp_writer_period_ms = 10;
module_param_named(writer_period_ms, wp_writer_period_ms, uint, 0444);
MODULE_PARM_DESC(writer_period_ms, "tl_writer period, 1..10000 ms (default 10)");

static uint writer_count;
module_param(writer_count, uint, 0444);
MODULE_PARM_DESC(writer_count,
		 "tl_writer stores, 0 = until unload (default; seed: 3, max 16)");

/* ---------------------------------------------------------------------- */
/* What they resolve to                                                   */
/* ---------------------------------------------------------------------- */

const char * const wp_writer_names[] = { "off", "legit", "seed" };

static const struct {
	const char *name;
	u32 bp_type;
} wp_types[] = {
	{ "w", HW_BREAKPOINT_W },
	{ "r", HW_BREAKPOINT_R },
	{ "rw", HW_BREAKPOINT_RW },
};

#define WP_SEED_DEFAULT_COUNT	3
/* 2^3 = 8 bytes is an ordinary watchpoint; DBGWCR.MASK goes up to 31. */
#define WP_MASK_MIN		3
#define WP_MASK_MAX		31

/* Set by wp_parse_params(), fixed after init: see watchpoint.h. */
void *wp_sym;
unsigned long wp_sym_size;
unsigned long wp_addr;
unsigned long wp_range;
u32 wp_bp_type;
enum wp_writer_mode wp_writer;
unsigned int wp_writer_target;
bool wp_stores_allowed;

/* ---------------------------------------------------------------------- */
/* Parameter validation: the one place                                    */
/* ---------------------------------------------------------------------- */

/*
 * Does this kernel take a bp_len above 8, a naturally aligned power of two
 * that one address-masked watchpoint covers? A kernel without the series
 * refuses the length with -EINVAL, as it refuses a misaligned address: ask
 * with a disabled watchpoint on an aligned address of our own. If the
 * answer is something else (no free slot), let the real registration say.
 */
static bool __init wp_kernel_takes_ranges(void)
{
	static u64 probe[2] __aligned(16);
	struct perf_event_attr attr;
	struct perf_event *bp;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)probe;
	attr.bp_len = sizeof(probe);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.disabled = 1;
	bp = perf_event_create_kernel_counter(&attr, cpumask_first(cpu_online_mask),
					      NULL, NULL, NULL);
	if (IS_ERR(bp))
		return PTR_ERR(bp) != -EINVAL;
	perf_event_release_kernel(bp);
	return true;
}

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
int __init wp_parse_params(void)
{
	int i, t, ret;

	t = -1;
	for (i = 0; i < ARRAY_SIZE(wp_types); i++)
		if (!strcmp(wp_type, wp_types[i].name))
			t = i;
	if (t < 0) {
		pr_err("type=%s: must be w, r or rw\n", wp_type);
		return -EINVAL;
	}
	wp_bp_type = wp_types[t].bp_type;

	if (wp_len != 1 && wp_len != 2 && wp_len != 4 && wp_len != 8) {
		pr_err("len=%u: must be 1, 2, 4 or 8\n", wp_len);
		return -EINVAL;
	}

	wp_range = wp_len;
	if (wp_mask) {
		if (!wp_kernel_takes_ranges()) {
			pr_err("mask=%u: this kernel has no address-masked watchpoints (no bp_len above 8)\n",
			       wp_mask);
			return -EOPNOTSUPP;
		}
		if (wp_mask < WP_MASK_MIN || wp_mask > WP_MASK_MAX) {
			pr_err("mask=%u: must be %d..%d (0: no mask)\n", wp_mask,
			       WP_MASK_MIN, WP_MASK_MAX);
			return -EINVAL;
		}
		/* The architecture wants every BAS byte selected with MASK. */
		if (wp_len != 8) {
			pr_err("mask=%u len=%u: a masked watchpoint needs len=8\n",
			       wp_mask, wp_len);
			return -EINVAL;
		}
		wp_range = 1UL << wp_mask;
	}

	ret = match_string(wp_writer_names, ARRAY_SIZE(wp_writer_names), writer);
	if (ret < 0) {
		pr_err("writer=%s: must be off, legit or seed\n", writer);
		return -EINVAL;
	}
	wp_writer = ret;

	if (wp_writer_period_ms < 1 || wp_writer_period_ms > 10000) {
		pr_err("writer_period_ms=%u: must be 1..10000\n", wp_writer_period_ms);
		return -EINVAL;
	}
	wp_writer_target = writer_count;
	if (wp_writer == WP_WRITER_SEED) {
		if (!wp_writer_target)
			wp_writer_target = WP_SEED_DEFAULT_COUNT;
		if (wp_writer_target > WP_SEED_MAX_COUNT) {
			pr_err("writer_count=%u: writer=seed does at most %d\n",
			       writer_count, WP_SEED_MAX_COUNT);
			return -EINVAL;
		}
	}

	/* Stores (tl_writer, debugfs "write") only go into our own tables. */
	wp_stores_allowed = !strcmp(wp_ksym, TRAMPOLINE_SYMBOL) ||
			    !strcmp(wp_ksym, TRAMPOLINE_SWEEP_SYMBOL);
	if (wp_writer != WP_WRITER_OFF && !wp_stores_allowed) {
		pr_err("writer=%s: only writes into %s, not ksym=%s\n",
		       writer, TRAMPOLINE_SYMBOL, wp_ksym);
		return -EINVAL;
	}

	wp_sym = __symbol_get(wp_ksym);
	if (!wp_sym) {
		pr_err("ksym=%s: no such GPL-only exported symbol (load the module exporting it first)\n",
		       wp_ksym);
		return -ENXIO;
	}

	/*
	 * kallsyms only bounds a module's data symbols by the next symbol it
	 * finds, so our own tables use the sizes trampolines.ko declares.
	 */
	if (!strcmp(wp_ksym, TRAMPOLINE_SYMBOL)) {
		wp_sym_size = TRAMPOLINE_BYTES;
		ret = 0;
	} else if (!strcmp(wp_ksym, TRAMPOLINE_SWEEP_SYMBOL)) {
		wp_sym_size = TRAMPOLINE_SWEEP_BYTES;
		ret = 0;
	} else {
		ret = wp_symbol_size((unsigned long)wp_sym, &wp_sym_size);
	}
	if (ret) {
		pr_err("ksym=%s: cannot tell its size from kallsyms (%d)\n",
		       wp_ksym, ret);
		ret = -EINVAL;
		goto put;
	}
	ret = -EINVAL;
	if (wp_offset >= wp_sym_size || wp_range > wp_sym_size - wp_offset) {
		pr_err("offset=%lu, %lu bytes watched: outside %s (%lu bytes)\n",
		       wp_offset, wp_range, wp_ksym, wp_sym_size);
		goto put;
	}
	wp_addr = (unsigned long)wp_sym + wp_offset;
	/*
	 * A watchpoint is a doubleword address plus a byte-address-select
	 * mask; a naturally aligned 1, 2, 4 or 8 byte range never crosses a
	 * doubleword, so register_wide_hw_breakpoint() will take it. A
	 * masked one must start on a multiple of its size.
	 */
	if (!IS_ALIGNED(wp_addr, wp_range)) {
		pr_err("offset=%lu: %s+%lu is not %lu-byte aligned\n",
		       wp_offset, wp_ksym, wp_offset, wp_range);
		goto put;
	}
	return 0;

put:
	__symbol_put(wp_ksym);
	wp_sym = NULL;
	return ret;
}
