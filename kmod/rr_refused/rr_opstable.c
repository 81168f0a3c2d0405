// SPDX-License-Identifier: GPL-2.0
/*
 * An ops table in data that points at a movable function: the loader must
 * refuse the module, since the kernel would call through the table into a
 * copy that has been retired.
 */
#include <linux/module.h>

#include <asm/rerandom.h>

struct rr_ops {
	int (*op)(int a);
};

static noinline int rr_opstable_double(int a)
{
	return 2 * a;
}

static const struct rr_ops rr_opstable_ops = { .op = rr_opstable_double };
static const struct rr_ops *rr_opstable_cur = &rr_opstable_ops;

SPECIAL_FUNCTION(int, rr_opstable_call, int a)
{
	/* Through the table, not a direct call the compiler could make. */
	return READ_ONCE(rr_opstable_cur)->op(a);
}

static int __init rr_opstable_init(void)
{
	return rr_opstable_call(21) == 42 ? 0 : -EINVAL;
}
module_init(rr_opstable_init);

static void __exit rr_opstable_exit(void)
{
}
module_exit(rr_opstable_exit);

MODULE_DESCRIPTION("wpsuite: an ops table pointing into movable code (refused)");
MODULE_LICENSE("GPL");
