// SPDX-License-Identifier: GPL-2.0
/*
 * An opted-in module built with ftrace's call sites: on a DYNAMIC_FTRACE
 * kernel the loader must refuse it (ftrace keeps the address of each call
 * site, and they would not follow the moves); elsewhere it has none and
 * loads.
 */
#include <linux/module.h>

#include <asm/rerandom.h>

static noinline int rr_ftrace_triple(int a)
{
	return 3 * a;
}

SPECIAL_FUNCTION(int, rr_ftrace_call, int a)
{
	return rr_ftrace_triple(a);
}

static int __init rr_ftrace_init(void)
{
	return rr_ftrace_call(14) == 42 ? 0 : -EINVAL;
}
module_init(rr_ftrace_init);

static void __exit rr_ftrace_exit(void)
{
}
module_exit(rr_ftrace_exit);

MODULE_DESCRIPTION("wpsuite: an opted-in module with ftrace call sites");
MODULE_LICENSE("GPL");
