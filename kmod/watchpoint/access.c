// SPDX-License-Identifier: GPL-2.0
/*
 * Accesses on request (debugfs "write", "read" and "sweep", which parse and
 * check the request): a kthread does them while the writer waits. A wait
 * that is interrupted leaves the kthread on wp_orphans for exit to reap.
 */
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "access.h"
#include "trampolines.h"
#include "watchpoint.h"

struct wp_access {
	struct list_head node;		/* on wp_orphans once abandoned */
	struct task_struct *task;
	unsigned long addr;
	unsigned long count;
	unsigned int width;
	bool store;
	bool sweep;			/* count stores downwards from addr */
	struct completion done;
};

/* Accesses whose writer was interrupted; exit stops and frees them. */
static LIST_HEAD(wp_orphans);
static DEFINE_MUTEX(wp_orphans_lock);

/*
 * Result of the last sweep (debugfs "sweep"); offsets into the symbol. The
 * sweep's kthread resets it, then updates it after every store; another
 * task reads it, at any time: after the sweep, while it runs, or after the
 * wait for it was interrupted and its kthread went on as an orphan. So the
 * ordering cannot come from the completion or kthread_stop(), which such a
 * reader did not wait for: wp_last_sweep_lock provides it, on both sides,
 * and also gives a reader four fields from the same moment.
 */
static struct wp_sweep_result wp_last_sweep = { .first = -1, .last = -1 };
static DEFINE_SPINLOCK(wp_last_sweep_lock);

static void wp_set_last_sweep(const struct wp_sweep_result *r)
{
	spin_lock(&wp_last_sweep_lock);
	wp_last_sweep = *r;
	spin_unlock(&wp_last_sweep_lock);
}

void wp_get_last_sweep(struct wp_sweep_result *r)
{
	spin_lock(&wp_last_sweep_lock);
	*r = wp_last_sweep;
	spin_unlock(&wp_last_sweep_lock);
}

/*
 * One store per entry (u64, or u32 slots), from the highest address down,
 * the way the original experiment walked its table from the end: each
 * store's report, if any, is counted by the handler before the store
 * returns, so comparing the hit count around it tells whether that entry is
 * watched.
 */
static void wp_sweep(struct wp_access *a)
{
	struct wp_sweep_result r = { .first = -1, .last = -1 };
	unsigned long i, before, off;

	wp_set_last_sweep(&r);
	for (i = 0; i < a->count && !kthread_should_stop(); i++) {
		off = a->addr - (unsigned long)wp_sym - i * a->width;
		before = wp_total_hits();
		wp_store((unsigned long)wp_sym + off, a->width,
			 TRAMPOLINE_WRITER_TAG | i);
		r.stores++;
		if (wp_total_hits() != before) {
			r.hits++;
			if (r.first < 0)
				r.first = off;
			r.last = off;
		}
		wp_set_last_sweep(&r);
	}
}

static int wp_access_fn(void *data)
{
	struct wp_access *a = data;
	unsigned long i;

	if (a->sweep) {
		wp_sweep(a);
		complete(&a->done);
		return 0;
	}
	for (i = 0; i < a->count && !kthread_should_stop(); i++) {
		if (a->store)
			wp_store(a->addr, a->width, i);
		else
			wp_load(a->addr, a->width);
		if (i % 1024 == 1023)
			cond_resched();
	}
	complete(&a->done);
	return 0;
}

/*
 * Do the accesses in a kthread and wait for it to finish. A signal (the
 * test's timeout: on a kernel that does not step over the hit, the first
 * access re-fires forever) abandons the wait with -EINTR; the kthread is
 * then left to exit, which disarms the watchpoint first so that it can
 * finish. Frees @a.
 */
static int wp_run_access(struct wp_access *a)
{
	struct task_struct *t;

	init_completion(&a->done);
	t = kthread_create(wp_access_fn, a, "wp_%s", a->store ? "store" : "load");
	if (IS_ERR(t)) {
		kfree(a);
		return PTR_ERR(t);
	}
	/* Our reference keeps @t valid for kthread_stop() after it returned. */
	get_task_struct(t);
	a->task = t;
	wake_up_process(t);

	if (wait_for_completion_interruptible(&a->done)) {
		mutex_lock(&wp_orphans_lock);
		list_add(&a->node, &wp_orphans);
		mutex_unlock(&wp_orphans_lock);
		return -EINTR;
	}
	/* Only once it ran: stopping it before it started would skip it. */
	kthread_stop(t);
	put_task_struct(t);
	kfree(a);
	return 0;
}

/* Called by exit once nothing is armed, so that every orphan can finish. */
void wp_reap_orphans(void)
{
	struct wp_access *a, *tmp;

	mutex_lock(&wp_orphans_lock);
	list_for_each_entry_safe(a, tmp, &wp_orphans, node) {
		kthread_stop(a->task);
		put_task_struct(a->task);
		list_del(&a->node);
		kfree(a);
	}
	mutex_unlock(&wp_orphans_lock);
}

/*
 * @count stores (@store) or loads of @width bytes at symbol+@off, a checked
 * range. Stores only go into trampolines.ko's tables.
 */
int wp_access_request(unsigned long off, unsigned long count,
		      unsigned int width, bool store)
{
	struct wp_access *a;

	if (store && !wp_stores_allowed)
		return -EPERM;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->addr = (unsigned long)wp_sym + off;
	a->count = count;
	a->width = width;
	a->store = store;
	return wp_run_access(a);
}

/* A sweep of @width-byte stores from offset @hi down to @lo (checked). */
int wp_sweep_request(unsigned long hi, unsigned long lo, unsigned int width)
{
	struct wp_access *a;

	if (!wp_stores_allowed)
		return -EPERM;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->addr = (unsigned long)wp_sym + hi;
	a->count = (hi - lo) / width + 1;
	a->width = width;
	a->store = true;
	a->sweep = true;
	return wp_run_access(a);
}
