// SPDX-License-Identifier: GPL-2.0
/*
 * Init code that hands the kernel the address of a movable function (a
 * timer callback): init runs before the first move, but the pointer
 * outlives it and would point into a copy that is retired at the first
 * move, so the loader must refuse the module.
 */
#include <linux/module.h>
#include <linux/timer.h>

#include <asm/rerandom.h>

static struct timer_list rr_initescape_timer;

static noinline void rr_initescape_fire(struct timer_list *t)
{
	pr_info("rr_initescape: fired\n");
}

/* An opted-in module: it has a trampoline. */
SPECIAL_FUNCTION(int, rr_initescape_delay, int s)
{
	return s * HZ;
}

static int __init rr_initescape_init(void)
{
	timer_setup(&rr_initescape_timer, rr_initescape_fire, 0);
	mod_timer(&rr_initescape_timer, jiffies + rr_initescape_delay(1));
	return 0;
}
module_init(rr_initescape_init);

static void __exit rr_initescape_exit(void)
{
	del_timer_sync(&rr_initescape_timer);
}
module_exit(rr_initescape_exit);

MODULE_DESCRIPTION("wpsuite: an address of movable code taken in init code (refused)");
MODULE_LICENSE("GPL");
