// SPDX-License-Identifier: GPL-2.0
/*
 * trampolines.ko: exports the table watchpoint.ko watches by default.
 *
 * The table is aligned to its own size (a power of two) so that a single
 * masked watchpoint can cover all of it. It holds a recognisable pattern
 * from load time on, so a test can tell an untouched entry from a store.
 *
 * Load it before watchpoint.ko, which looks the table up by name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/build_bug.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "trampolines.h"

u64 trampolines[TRAMPOLINE_LEN] __aligned(TRAMPOLINE_BYTES) = {
	[0 ... TRAMPOLINE_LEN - 1] = TRAMPOLINE_PATTERN,
};
EXPORT_SYMBOL_GPL(trampolines);

u64 trampolines_sweep[TRAMPOLINE_SWEEP_LEN] __aligned(PAGE_SIZE);
EXPORT_SYMBOL_GPL(trampolines_sweep);

static int __init trampolines_init(void)
{
	int i;

	BUILD_BUG_ON(!is_power_of_2(TRAMPOLINE_BYTES));
	BUILD_BUG_ON(sizeof(trampolines) != TRAMPOLINE_BYTES);

	/* The module loader honours section alignment; check, never assume. */
	if (!IS_ALIGNED((unsigned long)trampolines, TRAMPOLINE_BYTES)) {
		pr_err("table is not aligned to its size (%lu bytes)\n",
		       TRAMPOLINE_BYTES);
		return -EINVAL;
	}
	for (i = 0; i < TRAMPOLINE_SWEEP_LEN; i++)
		trampolines_sweep[i] = TRAMPOLINE_PATTERN;
	pr_info("%d entries (%lu bytes), size-aligned; sweep table %lu KiB\n",
		TRAMPOLINE_LEN, TRAMPOLINE_BYTES, TRAMPOLINE_SWEEP_BYTES / SZ_1K);
	return 0;
}

static void __exit trampolines_exit(void)
{
	pr_info("unloaded\n");
}

module_init(trampolines_init);
module_exit(trampolines_exit);
MODULE_DESCRIPTION("Size-aligned u64 table for watchpoint.ko to watch");
MODULE_LICENSE("GPL");
