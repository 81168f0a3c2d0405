// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest module the pipeline loads: it publishes its "value"
 * parameter in debugfs so a kselftest can see that it ran, and can WARN or
 * leak on purpose so the gate's negative controls have a real splat and a
 * real kmemleak report to catch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static int value;
module_param(value, int, 0444);
MODULE_PARM_DESC(value, "number published in debugfs (0..1000000)");

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN_ON(1) at load (negative control for the gate)");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "kmalloc() 32 x 64 bytes at load and lose the pointers (negative control for kmemleak)");

/*
 * More than one object: kmemleak misses an object while a stale copy of its
 * pointer sits in memory it scans (a stack slot, a saved register). Control
 * runs with one object sometimes reported nothing; with 8, 2 to 8 of them;
 * with 32, 30 each time. The control needs one report.
 */
#define WPSUITE_LEAKS	32

static struct dentry *dir;
static u32 published;

static int __init wpsuite_hello_init(void)
{
	if (value < 0 || value > 1000000) {
		pr_err("value=%d out of range 0..1000000\n", value);
		return -EINVAL;
	}
	WARN_ON(warn);
	if (leak) {
		int i;

		for (i = 0; i < WPSUITE_LEAKS; i++) {
			void *p = kmalloc(64, GFP_KERNEL);

			if (p)
				memset(p, 0x5a, 64);
		}
		pr_info("leaked %d x 64 bytes on purpose\n", WPSUITE_LEAKS);
	}

	published = value;
	dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_u32("value", 0444, dir, &published);
	pr_info("loaded, value=%u\n", published);
	return 0;
}

static void __exit wpsuite_hello_exit(void)
{
	debugfs_remove(dir);
	pr_info("unloaded\n");
}

module_init(wpsuite_hello_init);
module_exit(wpsuite_hello_exit);
MODULE_DESCRIPTION("wpsuite pipeline smoke-test module");
MODULE_LICENSE("GPL");
