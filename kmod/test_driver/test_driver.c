// SPDX-License-Identifier: GPL-2.0
/*
 * test_driver.ko: a module whose text the kernel re-randomizes
 * (CONFIG_ARM64_MODULE_RERANDOMIZE).
 *
 * init_entry(), check_entry() and sleep_entry() are SPECIAL_FUNCTIONs: fixed
 * trampolines in front of movable bodies. The helpers behind them exercise
 * every kind of reference the mover re-links: calls between moved
 * functions (CALL26), calls into the core kernel, global data read and
 * written and strings (ADRP + ADD/LDST LO12), a switch compiled to a jump
 * table, an exception-table entry (get_kernel_nofault), a static key
 * (__jump_table) and a WARN site (__bug_table). The module's exception
 * table also has an entry in fixed text (td_fixed_fault(), called by the
 * stress threads), so a move that leaves the table out of address order
 * cannot hide a missed fixup.
 *
 * check_entry(a, s, t) returns td_expected(a, s), computed here in fixed
 * code the plain C way, so a test can tell a wrong result.
 *
 * debugfs test_driver/, read as "key: value" lines (selftests/debugfs.h),
 * but key and stress, single numbers:
 *   call         read: result and expected of one check_entry()
 *   key          0/1: the static key check_entry() tests
 *   sleep        write ms, at most 60000: a call that sleeps inside a moved
 *                helper until then or until a signal
 *   stress       write N: N kernel threads call check_entry() in a loop
 *                (0 stops them); read: N
 *   counts       read: threads, calls, wrong, inits
 *   bench        read: trampoline_ps, trampoline_p10, trampoline_p90,
 *                direct_ps, ... per call of a trivial function through
 *                its trampoline and directly, then rounds, batch, sum
 *   bench_check  the same for check_entry() (check_tramp_*) and its body
 *                called through the slot (check_direct_*)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jump_label.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rerandom.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/rerandom.h>

#include "wpsuite_kmod.h"

#define TD_MAX_THREADS	8

static DEFINE_STATIC_KEY_FALSE(td_key);
static const int td_secret = 7;
static const char * const td_words[] = { "alpha", "beta", "gamma", "delta" };
static int td_inits;
static int td_acc;
static atomic64_t td_calls = ATOMIC64_INIT(0);
static atomic64_t td_wrong = ATOMIC64_INIT(0);
static struct task_struct *td_threads[TD_MAX_THREADS];
static int td_nthreads;
static DEFINE_MUTEX(td_lock);
static struct dentry *td_dir;

/*
 * A switch the compiler turns into a jump table (GCC on arm64 wants 16
 * cases at -O2): the cases differ, so it is not a table of values.
 */
static noinline int td_switch(int a)
{
	switch (a & 15) {
	case 0:
		td_acc += a;
		return 13;
	case 1:
		td_acc ^= a;
		return 29;
	case 2:
		td_acc -= a;
		return 31;
	case 3:
		td_acc |= a;
		return 37;
	case 4:
		td_acc &= a;
		return 41;
	case 5:
		td_acc += 2 * a;
		return 43;
	case 6:
		td_acc = a;
		return 47;
	case 7:
		td_acc = -a;
		return 53;
	case 8:
		td_acc += 3;
		return 59;
	case 9:
		td_acc ^= 5;
		return 61;
	case 10:
		td_acc -= 7;
		return 67;
	case 11:
		td_acc |= 9;
		return 71;
	case 12:
		td_acc &= ~a;
		return 73;
	case 13:
		td_acc += a * a;
		return 79;
	case 14:
		td_acc = a + 1;
		return 83;
	default:
		td_acc = a - 1;
		return 89;
	}
}

/* An exception-table entry in moved text: a load that faults. */
static noinline int td_fault(void)
{
	int v;

	__get_kernel_nofault(&v, (const int *)-4096L, int, fault);
	return v;
fault:
	return 100;
}

static noinline int td_nofault(void)
{
	int v;

	if (get_kernel_nofault(v, &td_secret))
		return -1;
	return v;
}

/* Calls between moved functions, into the core kernel, strings. */
static noinline int td_mix(int a, const char *s)
{
	int n = strlen(s) + strlen(td_words[a & 3]);

	return 3 * a + n + td_switch(a);
}

static noinline int td_sleeper(unsigned int ms)
{
	msleep_interruptible(ms);
	WARN_ON_ONCE(ms > 60000);
	return 42;
}

SPECIAL_FUNCTION(void, init_entry, void)
{
	WRITE_ONCE(td_inits, READ_ONCE(td_inits) + 1);
}

SPECIAL_FUNCTION(int, check_entry, int a, const char *s, time64_t t)
{
	int r = td_mix(a, s) + td_nofault();

	if (td_fault() != 100)
		return -1;
	if (static_branch_unlikely(&td_key))
		r += 1000;
	atomic64_inc(&td_calls);
	return r;
}

SPECIAL_FUNCTION(int, sleep_entry, unsigned int ms)
{
	return td_sleeper(ms);
}

/*
 * DEFINE_DEBUGFS_ATTRIBUTE() would put its open function in .text.*, which
 * moves: the kernel keeps a pointer to it, so it must stay.
 */
#define TD_ATTRIBUTE(__fops, __get, __set, __fmt)			\
static __rerandom_fixed int __fops ## _open(struct inode *inode,	\
					    struct file *file)		\
{									\
	return simple_attr_open(inode, file, __get, __set, __fmt);	\
}									\
static const struct file_operations __fops = {				\
	.owner	 = THIS_MODULE,						\
	.open	 = __fops ## _open,					\
	.release = simple_attr_release,					\
	.read	 = debugfs_attr_read,					\
	.write	 = debugfs_attr_write,					\
	.llseek  = no_llseek,						\
}

/* DEFINE_SHOW_ATTRIBUTE(), with the open function kept out of moving text. */
#define TD_SHOW_ATTRIBUTE(__name)					\
static __rerandom_fixed int __name ## _open(struct inode *inode,	\
					    struct file *file)		\
{									\
	return single_open(file, __name ## _show, NULL);		\
}									\
static const struct file_operations __name ## _fops = {			\
	.owner	 = THIS_MODULE,						\
	.open	 = __name ## _open,					\
	.read	 = seq_read,						\
	.llseek	 = seq_lseek,						\
	.release = single_release,					\
}

/* Call cost: the same trivial body behind a trampoline and called directly. */
SPECIAL_FUNCTION(long, bench_entry, long x)
{
	return x + 1;
}

static noinline __rerandom_fixed long td_bench_direct(long x)
{
	return x + 1;
}

/*
 * Interleaved: TD_BENCH_ROUNDS rounds of TD_BENCH_BATCH calls each way,
 * which one goes first alternating, medians and spread per call.
 */
#define TD_BENCH_ROUNDS	51
#define TD_BENCH_BATCH	4000

/*
 * Record in ta[r] and tb[r] the ns of @batch runs of statement @a and of
 * @b, for each round r, the first one alternating. A macro, so that the
 * calls in @a and @b stay direct calls.
 */
#define TD_INTERLEAVE(ta, tb, batch, a, b)				\
do {									\
	u64 *__ta = (ta), *__tb = (tb), __t0;				\
	int __n = (batch), __r, __k, __i;				\
									\
	for (__r = 0; __r < TD_BENCH_ROUNDS; __r++) {			\
		for (__k = 0; __k < 2; __k++) {				\
			bool __do_b = (__r & 1) ^ __k;			\
									\
			__t0 = ktime_get_ns();				\
			for (__i = 0; __i < __n; __i++) {		\
				if (__do_b)				\
					b;				\
				else					\
					a;				\
			}						\
			(__do_b ? __tb : __ta)[__r] = ktime_get_ns() - __t0; \
		}							\
		cond_resched();						\
	}								\
} while (0)

static __rerandom_fixed int td_bench_show(struct seq_file *m, void *v)
{
	u64 tramp[TD_BENCH_ROUNDS], direct[TD_BENCH_ROUNDS];
	long x = 0;

	TD_INTERLEAVE(tramp, direct, TD_BENCH_BATCH,
		      x = bench_entry(x), x = td_bench_direct(x));
	wpsuite_bench_print(m, "trampoline", tramp, TD_BENCH_ROUNDS,
			    TD_BENCH_BATCH);
	wpsuite_bench_print(m, "direct", direct, TD_BENCH_ROUNDS,
			    TD_BENCH_BATCH);
	seq_printf(m, "rounds: %d\nbatch: %d\nsum: %ld\n", TD_BENCH_ROUNDS,
		   TD_BENCH_BATCH, x);
	return 0;
}

TD_SHOW_ATTRIBUTE(td_bench);

/* The same value, the plain way, in code that does not move. */
static __rerandom_fixed int td_expected(int a, const char *s)
{
	static const int sw[16] = { 13, 29, 31, 37, 41, 43, 47, 53,
				    59, 61, 67, 71, 73, 79, 83, 89 };
	static const int len[4] = { 5, 4, 5, 5 };
	int r = 3 * a + strlen(s) + len[a & 3] + sw[a & 15] + 7;

	if (static_key_enabled(&td_key))
		r += 1000;
	return r;
}

static const char td_arg[] = "chifan";

static int td_fixed_fault(void);

static __rerandom_fixed int td_thread(void *data)
{
	long i = (long)data;

	while (!kthread_should_stop()) {
		int a = (int)(i++ & 0xff);

		if (check_entry(a, td_arg, 0) != td_expected(a, td_arg) ||
		    td_fixed_fault() != 100)
			atomic64_inc(&td_wrong);
		init_entry();
		cond_resched();
	}
	return 0;
}

static __rerandom_fixed void td_stop_threads(void)
{
	while (td_nthreads > 0)
		kthread_stop(td_threads[--td_nthreads]);
}

static __rerandom_fixed int td_call_show(struct seq_file *m, void *v)
{
	seq_printf(m, "result: %d\nexpected: %d\n", check_entry(11, td_arg, 0),
		   td_expected(11, td_arg));
	return 0;
}

TD_SHOW_ATTRIBUTE(td_call);

/*
 * "bench_check": check_entry() through its trampoline against a call to
 * the body the slot points at, which skips the trampoline (and its pause
 * count): only meaningful, and only safe, while nothing moves.
 */
#define TD_CHECK_BATCH	500

static __rerandom_fixed int td_bench_check_show(struct seq_file *m, void *v)
{
	u64 tramp[TD_BENCH_ROUNDS], direct[TD_BENCH_ROUNDS];
	int (*body)(int a, const char *s, time64_t t);
	unsigned long start, size;
	struct module *mod;
	long slot;
	int x = 0;

	mod = rerandom_module_slots(THIS_MODULE->name, &start, &size);
	if (IS_ERR(mod))
		return PTR_ERR(mod);
	slot = wpsuite_slot_of((u64 *)start, size / sizeof(u64),
			       "check_entry_real");
	module_put(mod);
	if (slot < 0)
		return slot;
	body = (void *)READ_ONCE(((u64 *)start)[slot]);

	TD_INTERLEAVE(tramp, direct, TD_CHECK_BATCH,
		      x += check_entry(11, td_arg, 0), x += body(11, td_arg, 0));
	wpsuite_bench_print(m, "check_tramp", tramp, TD_BENCH_ROUNDS,
			    TD_CHECK_BATCH);
	wpsuite_bench_print(m, "check_direct", direct, TD_BENCH_ROUNDS,
			    TD_CHECK_BATCH);
	seq_printf(m, "rounds: %d\nbatch: %d\nsum: %d\n", TD_BENCH_ROUNDS,
		   TD_CHECK_BATCH, x);
	return 0;
}

TD_SHOW_ATTRIBUTE(td_bench_check);

static __rerandom_fixed int td_key_get(void *data, u64 *val)
{
	*val = static_key_enabled(&td_key);
	return 0;
}

static __rerandom_fixed int td_key_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	if (val)
		static_branch_enable(&td_key);
	else
		static_branch_disable(&td_key);
	return 0;
}
TD_ATTRIBUTE(td_key_fops, td_key_get, td_key_set, "%llu\n");

static __rerandom_fixed int td_sleep_set(void *data, u64 val)
{
	if (val > 60000)
		return -ERANGE;
	return sleep_entry(val) == 42 ? 0 : -EIO;
}
TD_ATTRIBUTE(td_sleep_fops, NULL, td_sleep_set, "%llu\n");

static __rerandom_fixed int td_stress_get(void *data, u64 *val)
{
	*val = td_nthreads;
	return 0;
}

static __rerandom_fixed int td_stress_set(void *data, u64 val)
{
	struct task_struct *t;
	int err = 0;

	if (val > TD_MAX_THREADS)
		return -ERANGE;
	mutex_lock(&td_lock);
	td_stop_threads();
	if (val) {
		atomic64_set(&td_calls, 0);
		atomic64_set(&td_wrong, 0);
	}
	while (td_nthreads < val) {
		t = kthread_run(td_thread, (void *)(long)(td_nthreads << 8),
				"td_stress/%d", td_nthreads);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			break;
		}
		td_threads[td_nthreads++] = t;
	}
	mutex_unlock(&td_lock);
	return err;
}
TD_ATTRIBUTE(td_stress_fops, td_stress_get, td_stress_set, "%llu\n");

static __rerandom_fixed int td_counts_show(struct seq_file *m, void *v)
{
	seq_printf(m, "threads: %d\ncalls: %lld\nwrong: %lld\ninits: %d\n",
		   td_nthreads, atomic64_read(&td_calls),
		   atomic64_read(&td_wrong), READ_ONCE(td_inits));
	return 0;
}

TD_SHOW_ATTRIBUTE(td_counts);

static const struct rerandom_driver td_hook = {
	.name = "rerandom_test",
	.init_entry = init_entry,
	.check_entry = check_entry,
};

static int __init td_init(void)
{
	int err;

	td_dir = debugfs_create_dir("test_driver", NULL);
	debugfs_create_file("call", 0400, td_dir, NULL, &td_call_fops);
	debugfs_create_file("counts", 0400, td_dir, NULL, &td_counts_fops);
	debugfs_create_file("bench", 0400, td_dir, NULL, &td_bench_fops);
	debugfs_create_file("bench_check", 0400, td_dir, NULL,
			    &td_bench_check_fops);
	debugfs_create_file_unsafe("key", 0600, td_dir, NULL, &td_key_fops);
	debugfs_create_file_unsafe("sleep", 0200, td_dir, NULL, &td_sleep_fops);
	debugfs_create_file_unsafe("stress", 0600, td_dir, NULL,
				   &td_stress_fops);
	err = register_rerandom_driver(&td_hook);
	if (err) {
		debugfs_remove_recursive(td_dir);
		return err;
	}
	pr_info("check_entry(11, \"chifan\") = %d, expected %d\n",
		check_entry(11, td_arg, 0), td_expected(11, td_arg));
	return 0;
}

static void __exit td_exit(void)
{
	unregister_rerandom_driver(&td_hook);
	debugfs_remove_recursive(td_dir);
	mutex_lock(&td_lock);
	td_stop_threads();
	mutex_unlock(&td_lock);
}

module_init(td_init);
module_exit(td_exit);
/*
 * An exception-table entry in text that does not move, in a section of its
 * own that comes after the movable ones in the module's layout: the loader
 * sorts the table by address, and a copy placed above the module leaves
 * the moved entries after this one, out of order, so a lookup that relies
 * on the order misses it (a missed fixup here is an oops).
 */
static noinline __section(".text..td_fixed_tail") int td_fixed_fault(void)
{
	int v;

	__get_kernel_nofault(&v, (const int *)-4096L, int, fault);
	return v;
fault:
	return 100;
}

MODULE_DESCRIPTION("Re-randomization test module: trampolines and movable helpers");
MODULE_LICENSE("GPL");
