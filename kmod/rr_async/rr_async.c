// SPDX-License-Identifier: GPL-2.0
/*
 * rr_async.ko: an opted-in module the kernel calls back asynchronously, the
 * way drivers are called: a timer, a work item, a kernel thread, file
 * operations, and an ops table of the module's own. Each pointer the kernel
 * or the data keeps is a fixed entry, which the loader checks: a
 * SPECIAL_FUNCTION trampoline (the entry stays, the body moves, the caller
 * is counted in the module's domain while inside) or, for the thread
 * function, __rerandom_fixed code that calls through trampolines. The
 * thread function never returns: as a moved body it would hold its reader
 * count for good, and no old copy would ever be retired.
 *
 * Every callback computes rra_mix() in moved code (a call to another moved
 * function, to the core kernel, and global data) and compares it with the
 * same value computed in fixed code.
 *
 * debugfs rr_async/: run (write 1: arm the timer, start the thread; 0: stop
 * both and wait for the work; read: 0/1), stats (read: timer, work,
 * thread, ops, wrong), mix (read: result, a value computed through the file
 * operations' trampoline, and expected). What is read is "key: value"
 * lines (selftests/debugfs.h), but run's single number.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/math.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <asm/rerandom.h>

enum { RRA_TIMER, RRA_WORK, RRA_THREAD, RRA_OPS, RRA_WRONG, RRA_NR };

static atomic64_t rra_count[RRA_NR];
static unsigned long rra_salt = 0x5eed;
static bool rra_running;
static struct timer_list rra_timer;
static struct work_struct rra_work;
static struct task_struct *rra_thread;
static DEFINE_MUTEX(rra_lock);
static struct dentry *rra_dir;

/* The reference value, the plain C way, in fixed code. */
static __rerandom_fixed long rra_expect(long a, long b)
{
	return (long)int_sqrt(a * a + 1) * 3 + (b ^ 0x5eed);
}

/* Moved code: a moved helper, a core-kernel call and global data. */
static noinline long rra_scale(long a)
{
	return (long)int_sqrt(a * a + 1) * 3;
}

SPECIAL_FUNCTION(long, rra_mix, long a, long b)
{
	return rra_scale(a) + (b ^ READ_ONCE(rra_salt));
}

/* The module's own ops table: data that points at a trampoline. */
struct rra_ops {
	long (*mix)(long a, long b);
};

static const struct rra_ops rra_ops = {
	.mix = rra_mix,
};

/*
 * Fixed: the thread function calls it too, and fixed code calls into moving
 * code only through a trampoline.
 */
static __rerandom_fixed void rra_check(int who, long a, long b, long got)
{
	atomic64_inc(&rra_count[who]);
	if (got != rra_expect(a, b))
		atomic64_inc(&rra_count[RRA_WRONG]);
}

SPECIAL_FUNCTION(void, rra_timer_fn, struct timer_list *t)
{
	long n = atomic64_read(&rra_count[RRA_TIMER]);

	rra_check(RRA_TIMER, n, 1, rra_mix(n, 1));
	schedule_work(&rra_work);
	if (READ_ONCE(rra_running))
		mod_timer(t, jiffies + 1);
}

SPECIAL_FUNCTION(void, rra_work_fn, struct work_struct *w)
{
	long n = atomic64_read(&rra_count[RRA_WORK]);

	rra_check(RRA_WORK, n, 2, rra_mix(n, 2));
}

static __rerandom_fixed int rra_thread_fn(void *data)
{
	const struct rra_ops *ops = data;
	long n = 0;

	while (!kthread_should_stop()) {
		rra_check(RRA_THREAD, n, 3, ops->mix(n, 3));
		n++;
		usleep_range(200, 400);
	}
	return 0;
}

SPECIAL_FUNCTION(ssize_t, rra_mix_read, struct file *file, char __user *ubuf,
		 size_t len, loff_t *ppos)
{
	long n = atomic64_read(&rra_count[RRA_OPS]);
	long got = rra_ops.mix(n, 4);
	char buf[64];
	int size;

	rra_check(RRA_OPS, n, 4, got);
	size = scnprintf(buf, sizeof(buf), "result: %ld\nexpected: %ld\n", got,
			 rra_expect(n, 4));
	return simple_read_from_buffer(ubuf, len, ppos, buf, size);
}

static const struct file_operations rra_mix_fops = {
	.owner	= THIS_MODULE,
	.read	= rra_mix_read,
	.llseek	= default_llseek,
};

static __rerandom_fixed void rra_stop(void)
{
	WRITE_ONCE(rra_running, false);
	del_timer_sync(&rra_timer);
	cancel_work_sync(&rra_work);
	if (rra_thread)
		kthread_stop(rra_thread);
	rra_thread = NULL;
}

static __rerandom_fixed int rra_start(void)
{
	struct task_struct *t;

	t = kthread_run(rra_thread_fn, (void *)&rra_ops, "rr_async");
	if (IS_ERR(t))
		return PTR_ERR(t);
	rra_thread = t;
	WRITE_ONCE(rra_running, true);
	mod_timer(&rra_timer, jiffies + 1);
	return 0;
}

static __rerandom_fixed int rra_run_get(void *data, u64 *val)
{
	*val = READ_ONCE(rra_running);
	return 0;
}

static __rerandom_fixed int rra_run_set(void *data, u64 val)
{
	int ret = 0;

	if (val > 1)
		return -EINVAL;
	mutex_lock(&rra_lock);
	if (val && !rra_running)
		ret = rra_start();
	else if (!val && rra_running)
		rra_stop();
	mutex_unlock(&rra_lock);
	return ret;
}

static __rerandom_fixed int rra_run_open(struct inode *inode, struct file *file)
{
	return simple_attr_open(inode, file, rra_run_get, rra_run_set, "%llu\n");
}

static const struct file_operations rra_run_fops = {
	.owner	 = THIS_MODULE,
	.open	 = rra_run_open,
	.release = simple_attr_release,
	.read	 = simple_attr_read,
	.write	 = simple_attr_write,
	.llseek	 = no_llseek,
};

static __rerandom_fixed int rra_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "timer: %lld\nwork: %lld\nthread: %lld\nops: %lld\nwrong: %lld\n",
		   (long long)atomic64_read(&rra_count[RRA_TIMER]),
		   (long long)atomic64_read(&rra_count[RRA_WORK]),
		   (long long)atomic64_read(&rra_count[RRA_THREAD]),
		   (long long)atomic64_read(&rra_count[RRA_OPS]),
		   (long long)atomic64_read(&rra_count[RRA_WRONG]));
	return 0;
}

static __rerandom_fixed int rra_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, rra_stats_show, NULL);
}

static const struct file_operations rra_stats_fops = {
	.owner	 = THIS_MODULE,
	.open	 = rra_stats_open,
	.read	 = seq_read,
	.llseek	 = seq_lseek,
	.release = single_release,
};

static int __init rra_init(void)
{
	timer_setup(&rra_timer, rra_timer_fn, 0);
	INIT_WORK(&rra_work, rra_work_fn);
	rra_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("run", 0600, rra_dir, NULL, &rra_run_fops);
	debugfs_create_file("stats", 0400, rra_dir, NULL, &rra_stats_fops);
	debugfs_create_file("mix", 0400, rra_dir, NULL, &rra_mix_fops);
	return 0;
}
module_init(rra_init);

static void __exit rra_exit(void)
{
	debugfs_remove_recursive(rra_dir);
	mutex_lock(&rra_lock);
	if (rra_running)
		rra_stop();
	mutex_unlock(&rra_lock);
}
module_exit(rra_exit);

MODULE_DESCRIPTION("wpsuite: a timer, a work item, a thread and ops tables in moved code");
MODULE_LICENSE("GPL");
