// SPDX-License-Identifier: GPL-2.0
/*
 * wp_user: an in-kernel handler on a user-space watchpoint. The task that
 * writes an address to debugfs wp_user/watch gets a per-task 8-byte write
 * watchpoint there (register_user_hw_breakpoint()) whose handler only
 * counts; "off" (or unload) removes it. A kernel that does not step over
 * such a hit returns to the store forever: past WPU_MAX_HITS the handler
 * skips the instruction itself, so such a kernel fails the test instead of
 * hanging it.
 *
 * debugfs wp_user/ (root only):
 *   watch   write a user address (aligned to 8) to arm, "off" to disarm
 *   hits    "hits: N" and "armed: 0|1" ("key: value" lines)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/hw_breakpoint.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/insn.h>

#define WPU_MAX_HITS	1000

static DEFINE_MUTEX(wpu_lock);	/* wpu_bp */
static struct perf_event *wpu_bp;
static atomic_t wpu_hits;
static struct dentry *wpu_dir;

static void wpu_handler(struct perf_event *bp, struct perf_sample_data *data,
			struct pt_regs *regs)
{
	if (atomic_inc_return(&wpu_hits) > WPU_MAX_HITS)
		instruction_pointer_set(regs, instruction_pointer(regs) +
					AARCH64_INSN_SIZE);
}

static void wpu_disarm_locked(void)
{
	if (wpu_bp) {
		unregister_hw_breakpoint(wpu_bp);
		wpu_bp = NULL;
	}
}

static ssize_t wpu_watch_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct perf_event_attr attr;
	struct perf_event *bp;
	char buf[32];
	u64 addr;
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);

	mutex_lock(&wpu_lock);
	wpu_disarm_locked();
	if (!strcmp(buf, "off")) {
		mutex_unlock(&wpu_lock);
		return len;
	}
	ret = kstrtou64(buf, 0, &addr);
	if (!ret && (!addr || !IS_ALIGNED(addr, 8) || addr >= TASK_SIZE))
		ret = -EINVAL;
	if (ret) {
		mutex_unlock(&wpu_lock);
		pr_err("watch: \"%s\" is not an aligned user address\n", buf);
		return ret;
	}

	hw_breakpoint_init(&attr);
	attr.bp_addr = addr;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	atomic_set(&wpu_hits, 0);
	bp = register_user_hw_breakpoint(&attr, wpu_handler, NULL, current);
	if (IS_ERR(bp)) {
		mutex_unlock(&wpu_lock);
		pr_err("watch %#llx: %pe\n", addr, bp);
		return PTR_ERR(bp);
	}
	wpu_bp = bp;
	mutex_unlock(&wpu_lock);
	return len;
}

static const struct file_operations wpu_watch_fops = {
	.owner = THIS_MODULE,
	.write = wpu_watch_write,
	.llseek = noop_llseek,
};

static int wpu_hits_show(struct seq_file *m, void *v)
{
	mutex_lock(&wpu_lock);
	seq_printf(m, "hits: %d\n", atomic_read(&wpu_hits));
	seq_printf(m, "armed: %d\n", !!wpu_bp);
	mutex_unlock(&wpu_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wpu_hits);

static int __init wpu_init(void)
{
	wpu_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("watch", 0200, wpu_dir, NULL, &wpu_watch_fops);
	debugfs_create_file("hits", 0400, wpu_dir, NULL, &wpu_hits_fops);
	return 0;
}

static void __exit wpu_exit(void)
{
	debugfs_remove_recursive(wpu_dir);
	mutex_lock(&wpu_lock);
	wpu_disarm_locked();
	mutex_unlock(&wpu_lock);
}

module_init(wpu_init);
module_exit(wpu_exit);
MODULE_DESCRIPTION("an in-kernel handler on a user-space watchpoint");
MODULE_LICENSE("GPL");
