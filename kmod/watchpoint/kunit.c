// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "watchpoint", watchpoint_kunit.ko: what watchpoint.ko's
 * kselftests checked through debugfs and needs no userspace, checked
 * in-kernel on a table of its own, so that watchpoint.ko's hit counts are
 * not disturbed (this module is loaded by selftests/watchpoint/kunit_test).
 *
 *   one_report_per_access     every store (or load, with type rw) inside
 *                             the watched u64 is reported exactly once,
 *                             none outside (access.h's accesses, those of
 *                             debugfs "write" and "read")
 *   legit_store_not_reported  the legit writer's store
 *                             (wpsuite_store_nodebug(), PSTATE.D) is not
 *                             reported and lands; a plain store after it
 *                             still is
 *   seed_store_reported       the seed writer's store: with the event of
 *                             one other CPU unregistered, as the seed does,
 *                             a plain store on this CPU is still reported
 *
 * Needs a kernel that steps over a kernel watchpoint after a custom
 * overflow handler ran (patches/).
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include "access.h"
#include "wpsuite_kmod.h"

#define ACCESSES	100
#define WATCHED		1	/* wp_table[1], offset 8: the kselftests' */

static u64 wp_table[4] __aligned(sizeof(u64) * 4);
static atomic_t wp_kunit_hits;

static void wp_kunit_handler(struct perf_event *bp, struct perf_sample_data *data,
			     struct pt_regs *regs)
{
	atomic_inc(&wp_kunit_hits);
}

/* A wide watchpoint on the watched u64 (8 bytes), reporting @type. */
static struct perf_event * __percpu *watch(struct kunit *test, u32 type)
{
	struct perf_event * __percpu *set;
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wp_table[WATCHED];
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = type;
	set = register_wide_hw_breakpoint(&attr, wp_kunit_handler, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR((void __force *)set),
			       "register_wide_hw_breakpoint: %ld",
			       PTR_ERR((void __force *)set));
	atomic_set(&wp_kunit_hits, 0);
	return set;
}

/* ---- one_report_per_access: a row per kselftest case it replaced ---- */

struct access_case {
	const char *desc;
	u32 type;
	unsigned int off, width;
	bool store;
	int expect;		/* reports per ACCESSES accesses */
};

static const struct access_case access_cases[] = {
	{ "type w, stores to the watched u64", HW_BREAKPOINT_W, 8, 8, true, ACCESSES },
	{ "type w, 4-byte stores inside the watched u64", HW_BREAKPOINT_W, 12, 4, true, ACCESSES },
	{ "type w, stores just after the range", HW_BREAKPOINT_W, 16, 1, true, 0 },
	{ "type w, stores to the byte before the range", HW_BREAKPOINT_W, 7, 1, true, 0 },
	{ "type w, stores to the u64 before the range", HW_BREAKPOINT_W, 0, 8, true, 0 },
	{ "type w, loads of the watched u64", HW_BREAKPOINT_W, 8, 8, false, 0 },
	{ "type rw, loads of the watched u64", HW_BREAKPOINT_RW, 8, 8, false, ACCESSES },
	{ "type rw, stores to the watched u64", HW_BREAKPOINT_RW, 8, 8, true, ACCESSES },
	{ "type rw, loads just after the range", HW_BREAKPOINT_RW, 16, 8, false, 0 },
};

static void access_case_desc(const struct access_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(access, access_cases, access_case_desc);

static void one_report_per_access(struct kunit *test)
{
	const struct access_case *c = test->param_value;
	unsigned long addr = (unsigned long)wp_table + c->off;
	struct perf_event * __percpu *set = watch(test, c->type);
	int i;

	for (i = 0; i < ACCESSES; i++) {
		if (c->store)
			wp_store(addr, c->width, i);
		else
			wp_load(addr, c->width);
	}
	unregister_wide_hw_breakpoint(set);
	KUNIT_EXPECT_EQ(test, atomic_read(&wp_kunit_hits), c->expect);
}

/* ---- the writers' stores ---- */

static void legit_store_not_reported(struct kunit *test)
{
	struct perf_event * __percpu *set = watch(test, HW_BREAKPOINT_W);
	int i;

	for (i = 1; i <= ACCESSES; i++)
		wpsuite_store_nodebug(&wp_table[WATCHED], i);
	KUNIT_EXPECT_EQ(test, atomic_read(&wp_kunit_hits), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(wp_table[WATCHED]), (u64)ACCESSES);

	wp_store((unsigned long)&wp_table[WATCHED], 8, 0);
	unregister_wide_hw_breakpoint(set);
	KUNIT_EXPECT_EQ(test, atomic_read(&wp_kunit_hits), 1);
}

static void seed_store_reported(struct kunit *test)
{
	struct perf_event * __percpu *set;
	struct perf_event *bp;
	int cpu, other;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs");
	set = watch(test, HW_BREAKPOINT_W);
	/* On this CPU throughout; unregistering may sleep. */
	migrate_disable();
	cpu = smp_processor_id();
	other = cpumask_any_but(cpu_online_mask, cpu);
	/* seed: unregister the event of "its" CPU, not the one that stores */
	bp = per_cpu(*set, other);
	per_cpu(*set, other) = NULL;
	unregister_hw_breakpoint(bp);
	WRITE_ONCE(wp_table[WATCHED], 1);	/* seed: a plain store */
	migrate_enable();
	/* Frees the other CPUs' events; the NULLed one is skipped. */
	unregister_wide_hw_breakpoint(set);
	KUNIT_EXPECT_EQ(test, atomic_read(&wp_kunit_hits), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(wp_table[WATCHED]), 1ULL);
}

static struct kunit_case watchpoint_cases[] = {
	KUNIT_CASE_PARAM(one_report_per_access, access_gen_params),
	KUNIT_CASE(legit_store_not_reported),
	KUNIT_CASE(seed_store_reported),
	{}
};

static int watchpoint_test_init(struct kunit *test)
{
	memset(wp_table, 0, sizeof(wp_table));
	return 0;
}

static struct kunit_suite watchpoint_suite = {
	.name = "watchpoint",
	.init = watchpoint_test_init,
	.test_cases = watchpoint_cases,
};

kunit_test_suite(watchpoint_suite);

MODULE_DESCRIPTION("KUnit: watchpoint.ko's in-kernel checks (one report per store, the writers' stores)");
MODULE_LICENSE("GPL");
