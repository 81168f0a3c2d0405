// SPDX-License-Identifier: GPL-2.0
/*
 * rr_peer.ko: the smallest opted-in module. rr_peer_add() is a
 * SPECIAL_FUNCTION: a fixed trampoline in front of a body that moves.
 * Reading the parameter "sum" calls it through the trampoline, so a test
 * can see that calls still return the right value after moves.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include <asm/rerandom.h>

SPECIAL_FUNCTION(int, rr_peer_add, int a, int b)
{
	return a + b;
}

/* The kernel keeps a pointer to it in rr_peer_sum_ops: it must not move. */
static __rerandom_fixed int rr_peer_sum_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", rr_peer_add(40, 2));
}

static const struct kernel_param_ops rr_peer_sum_ops = {
	.get = rr_peer_sum_get,
};
module_param_cb(sum, &rr_peer_sum_ops, NULL, 0444);
MODULE_PARM_DESC(sum, "40 + 2, computed through the trampoline of rr_peer_add()");

static int __init rr_peer_init(void)
{
	return rr_peer_add(40, 2) == 42 ? 0 : -EIO;
}
module_init(rr_peer_init);

static void __exit rr_peer_exit(void)
{
}
module_exit(rr_peer_exit);

MODULE_DESCRIPTION("wpsuite: a second module whose text is re-randomized");
MODULE_LICENSE("GPL");
