// SPDX-License-Identifier: GPL-2.0
/*
 * tl_writer, the kthread that writer=legit|seed starts: the table's
 * legitimate writer, or the original design's writer kept as a negative
 * control. Its statistics are debugfs "writes" and "writer_stats".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hw_breakpoint.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#include "trampolines.h"
#include "watchpoint.h"
#include "wpsuite_kmod.h"

static struct task_struct *wp_writer_task;
static struct wp_writer_stats wp_stats;
static DEFINE_SPINLOCK(wp_stats_lock);

static void wp_record_write(unsigned int index, u64 value)
{
	spin_lock(&wp_stats_lock);
	wp_stats.writes++;
	wp_stats.last_index = index;
	wp_stats.last_value = value;
	spin_unlock(&wp_stats_lock);
}

static void wp_writer_finished(int error)
{
	spin_lock(&wp_stats_lock);
	wp_stats.error = error;
	wp_stats.done = true;
	spin_unlock(&wp_stats_lock);
}

/* A consistent copy of the statistics. */
void wp_get_writer_stats(struct wp_writer_stats *s)
{
	spin_lock(&wp_stats_lock);
	*s = wp_stats;
	spin_unlock(&wp_stats_lock);
}

/* After the last store: sleep until kthread_stop() so unload is clean. */
static void wp_idle_until_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
}

/*
 * Even stores go to the watched doubleword, so a test sees that tl_writer's
 * own stores are not reported; odd ones to a pseudo-random entry.
 */
static unsigned int wp_writer_index(unsigned long n)
{
	if (n & 1)
		return get_random_u32_below(TRAMPOLINE_LEN);
	return (wp_addr - (unsigned long)wp_sym) / sizeof(u64);
}

/*
 * writer=legit, the table's legitimate writer: every writer_period_ms it
 * stores TRAMPOLINE_WRITER_TAG | n to an entry (wp_writer_index()), while
 * the watchpoint stays armed on every CPU; after writer_count stores (0:
 * until unload) it idles until kthread_stop().
 *
 * Its stores must not be reported: each is wpsuite_store_nodebug()
 * (kmod/include/wpsuite_kmod.h), which sets PSTATE.D for the store only.
 * PSTATE.D masks debug exceptions taken from the current exception level:
 * with D set, a store at EL1 matching an armed EL1 watchpoint is not
 * reported, and since a watchpoint exception is synchronous nothing is left
 * pending either (measured: no hit after D is cleared). Only D is set:
 *  - it acts on this CPU's current context only: no IPI, no debug register
 *    or perf event is touched, so there is nothing to re-arm and every
 *    other CPU stays armed; a store by anyone else at the same moment is
 *    still caught;
 *  - IRQs stay enabled. An IRQ taken inside the window runs with D clear
 *    (el1_interrupt() unmasks it), so a store from interrupt context is
 *    still reported; D is part of the PSTATE saved on exception entry, so
 *    it comes back with this task when the IRQ returns, even if the task
 *    was preempted and migrated meanwhile;
 *  - it costs two MSRs, where local_daif_save() would also mask IRQs and,
 *    with lockdep, run the hardirq tracing hooks ("bench" measures both).
 * Nothing sleeps with D set: the thread sleeps between stores, with D clear.
 */
static int tl_writer_legit(void *unused)
{
	u64 *table = wp_sym;
	unsigned long n = 0;

	while (!kthread_should_stop()) {
		unsigned int i = wp_writer_index(n);
		u64 v = TRAMPOLINE_WRITER_TAG | ++n;

		wpsuite_store_nodebug(&table[i], v);

		wp_record_write(i, v);
		if (wp_writer_target && n >= wp_writer_target)
			break;
		/* Preemptible, IRQs on: kthread_stop() wakes us early. */
		schedule_timeout_interruptible(msecs_to_jiffies(wp_writer_period_ms));
	}
	wp_writer_finished(0);
	wp_idle_until_stop();
	return 0;
}

/*
 * The original design's writer, kept as a NEGATIVE CONTROL: it must print
 * "BUG: scheduling while atomic" once and leak breakpoint slots, but must
 * not crash the guest or leave anything behind at unload. Every line marked
 * "seed:" is the original's mistake, kept on purpose.
 */
static int tl_writer_seed(void *unused)
{
	u64 *table = wp_sym;
	unsigned long n = 0;
	int cpu, err = 0;

	/*
	 * seed: get_cpu() disables preemption and is never put. It was meant
	 * to pin "this CPU" for the unregister below, but nothing can stay
	 * pinned across a sleep.
	 */
	cpu = get_cpu();

	while (!kthread_should_stop() && n < wp_writer_target) {
		struct perf_event * __percpu *cur;
		struct perf_event *bp;
		unsigned int i;
		u64 v;

		/*
		 * seed: sleeps with preemption disabled, hence "BUG:
		 * scheduling while atomic" (the kthread is not an interrupt
		 * handler: preempt_count is what the scheduler checks). The
		 * scheduler then resets preempt_count, so from here on the
		 * thread is preemptible and may run on any CPU, not @cpu.
		 */
		msleep(wp_writer_period_ms);

		mutex_lock(&wp_sets_lock);
		if (!wp_nsets) {
			/* Exit disarmed everything and is about to stop us. */
			mutex_unlock(&wp_sets_lock);
			break;
		}
		/*
		 * seed: disables the watchpoint of @cpu only, which need not
		 * be the CPU we run on any more; the store below can then
		 * fire here while @cpu's slot sits unused. The other CPUs'
		 * events of this set stay registered. The slot is NULLed so
		 * exit frees it once.
		 */
		cur = wp_sets[wp_nsets - 1];
		bp = per_cpu(*cur, cpu);
		per_cpu(*cur, cpu) = NULL;
		unregister_hw_breakpoint(bp);

		i = wp_writer_index(n);
		v = TRAMPOLINE_WRITER_TAG | ++n;
		/* seed: a plain store; the original printed the pointer. */
		table[i] = v;
		wp_record_write(i, v);

		/*
		 * seed: registers a whole new wide set per store, on every
		 * CPU, although one event was removed: each store leaks a
		 * slot on every other CPU, and with 4 watchpoint registers
		 * the 4th store's registration fails with -ENOSPC. The
		 * original did not check IS_ERR() (next iteration: Oops) and
		 * overwrote its only pointer, so exit freed the last set
		 * only. Here the error stops the loop and every set is kept
		 * in wp_sets[] for exit.
		 */
		err = wp_add_set_locked();
		mutex_unlock(&wp_sets_lock);
		if (err) {
			pr_err("seed writer: re-registering the watchpoint failed (%d) after %lu stores\n",
			       err, n);
			break;
		}
	}
	wp_writer_finished(err);
	wp_idle_until_stop();
	return 0;
}

int wp_start_writer(void)
{
	struct task_struct *t;

	if (wp_writer == WP_WRITER_OFF)
		return 0;
	t = kthread_run(wp_writer == WP_WRITER_LEGIT ? tl_writer_legit : tl_writer_seed,
			NULL, "tl_writer");
	if (IS_ERR(t)) {
		pr_err("cannot start tl_writer (%ld)\n", PTR_ERR(t));
		return PTR_ERR(t);
	}
	wp_writer_task = t;
	return 0;
}

void wp_stop_writer(void)
{
	if (wp_writer_task)
		kthread_stop(wp_writer_task);
	wp_writer_task = NULL;
}
