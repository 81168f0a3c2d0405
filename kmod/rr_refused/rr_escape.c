// SPDX-License-Identifier: GPL-2.0
/*
 * Moved code that hands the kernel the address of a movable function (a
 * timer callback): the pointer would outlive the copy it points into, so
 * the loader must refuse the module.
 */
#include <linux/module.h>
#include <linux/timer.h>

#include <asm/rerandom.h>

static struct timer_list rr_escape_timer;

static noinline void rr_escape_fire(struct timer_list *t)
{
	pr_info("rr_escape: fired\n");
}

SPECIAL_FUNCTION(void, rr_escape_arm, unsigned long delay)
{
	timer_setup(&rr_escape_timer, rr_escape_fire, 0);
	mod_timer(&rr_escape_timer, jiffies + delay);
}

static int __init rr_escape_init(void)
{
	rr_escape_arm(HZ);
	return 0;
}
module_init(rr_escape_init);

static void __exit rr_escape_exit(void)
{
	del_timer_sync(&rr_escape_timer);
}
module_exit(rr_escape_exit);

MODULE_DESCRIPTION("wpsuite: an address of movable code taken in moved code (refused)");
MODULE_LICENSE("GPL");
