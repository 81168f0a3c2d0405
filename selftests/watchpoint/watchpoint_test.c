// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint.ko and trampolines.ko: load order and refcounting, no leaked
 * breakpoint slots, exactly one callback per access, tl_writer's stores
 * landing unreported, and bad parameters refused cleanly.
 *
 * Needs a kernel that steps over a kernel watchpoint hit after a custom
 * overflow handler ran (patches/); without it the callback re-fires
 * forever on the first access: the access cases then fail after their
 * WP_ACCESS_TIMEOUT and unloading the module ends the storm.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../tier.h"
#include "wp_common.h"

#define ACCESSES	100
#define WRITER_COUNT	200

static long online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* ---- 1. load order, refcount, no leaked slots ---- */

static void test_watcher_before_table(void)
{
	const char *mark = klog_mark("watchpoint_test");
	int ret = kmod_load(WP_MOD, "");
	int msgs = klog_count_since(mark, "ksym=trampolines: no such GPL-only exported symbol");

	ksft_test_result(ret == -ENXIO && !kmod_is_loaded(WP_MOD) && msgs == 1,
			 "watchpoint before trampolines: %s, not loaded, init ran %d time(s)\n",
			 errname(ret), msgs);
}

static void test_load_in_order(void)
{
	int tr = kmod_load(TR_MOD, "");
	int wp = kmod_load(WP_MOD, "");
	long long armed = wp_info("cpus_armed");

	ksft_test_result(!tr && !wp && armed == online_cpus(),
			 "trampolines then watchpoint: %s, %s, armed on %lld/%ld CPUs\n",
			 errname(tr), errname(wp), armed, online_cpus());
}

static void test_table_pinned(void)
{
	int ret = kmod_unload(TR_MOD);

	/* delete_module(O_NONBLOCK) of a module with references: EWOULDBLOCK */
	ksft_test_result(ret == -EWOULDBLOCK && kmod_is_loaded(TR_MOD) &&
			 kmod_is_loaded(WP_MOD),
			 "unloading trampolines while watchpoint holds it is refused: %s\n",
			 errname(ret));
}

static void test_unload_in_order(void)
{
	int wp = kmod_unload(WP_MOD);
	int tr = kmod_unload(TR_MOD);

	ksft_test_result(!wp && !tr && !kmod_is_loaded(WP_MOD) && !kmod_is_loaded(TR_MOD),
			 "unload watchpoint then trampolines: %s, %s\n",
			 errname(wp), errname(tr));
}

/* Load and unload @cycles times: nothing leaks, every CPU armed after. */
static void test_cycles_leak_nothing(int cycles)
{
	struct wp_probe p = { -1, -1, 0 };
	int i, ret = tr_ensure_loaded();
	long long armed = -1;

	for (i = 0; !ret && i < cycles; i++) {
		ret = kmod_load(WP_MOD, "");
		if (!ret)
			ret = kmod_unload(WP_MOD);
	}
	if (!ret) {
		ret = kmod_load(WP_MOD, "");
		armed = wp_info("cpus_armed");
		if (!ret && wp_probe_slots(&p))
			ret = -EIO;
		kmod_unload(WP_MOD);
	}
	ksft_test_result(!ret && armed == online_cpus() && p.extra == p.wrps - 1 &&
			 p.stop == -ENOSPC,
			 "%d load/unload cycles (%d done, %s): armed on %lld CPUs, %d of %d watchpoint slots still free\n",
			 cycles, i, errname(ret), armed, p.extra, p.wrps - 1);
}

/* ---- 2. exactly one callback per access ---- */

struct access_case {
	const char *name;
	const char *file;	/* "write" (stores) or "read" (loads) */
	long off;
	int width;
	long expect;		/* hits per ACCESSES accesses */
};

struct access_group {
	const char *params;
	const struct access_case *cases;
	int n;
};

/* Watching offset 8, 8 bytes: the second entry of the table. */
static const struct access_case w_cases[] = {
	{ "stores to the watched u64", "write", 8, 8, ACCESSES },
	{ "4-byte stores inside the watched u64", "write", 12, 4, ACCESSES },
	{ "stores just after the range (offset+len)", "write", 16, 1, 0 },
	{ "stores to the byte before the range", "write", 7, 1, 0 },
	{ "stores to the u64 before the range", "write", 0, 8, 0 },
	{ "loads of the watched u64 with type=w", "read", 8, 8, 0 },
};

static const struct access_case rw_cases[] = {
	{ "loads of the watched u64 with type=rw", "read", 8, 8, ACCESSES },
	{ "stores to the watched u64 with type=rw", "write", 8, 8, ACCESSES },
	{ "loads just after the range with type=rw", "read", 16, 8, 0 },
};

static const struct access_group groups[] = {
	{ "offset=8 len=8 type=w", w_cases, ARRAY_SIZE(w_cases) },
	{ "offset=8 len=8 type=rw", rw_cases, ARRAY_SIZE(rw_cases) },
};

/*
 * One masked watchpoint over 2^mask bytes (patches/ 0006-0007). The
 * original notes claimed mask 9/10/11 fired from entry 127/255/511; the
 * architecture says the last doubleword inside is at 2^mask - 8 bytes.
 */
static const struct access_case mask12_cases[] = {
	{ "mask=12: stores to the first u64 of the table", "write", 0, 8, ACCESSES },
	{ "mask=12: stores to the last u64 of the table", "write", 4088, 8, ACCESSES },
	{ "mask=12: byte stores in the middle", "write", 2048, 1, ACCESSES },
	{ "mask=12: loads with type=w", "read", 1024, 8, 0 },
};

static const struct access_case mask9_cases[] = {
	{ "mask=9 offset=512: stores to the byte before", "write", 511, 1, 0 },
	{ "mask=9 offset=512: stores to the first u64", "write", 512, 8, ACCESSES },
	{ "mask=9 offset=512: stores to the last u64 (2^9 - 8 in)", "write", 1016, 8, ACCESSES },
	{ "mask=9 offset=512: stores to the u64 after", "write", 1024, 8, 0 },
};

static const struct access_group mask_groups[] = {
	{ "mask=12", mask12_cases, ARRAY_SIZE(mask12_cases) },
	{ "mask=9 offset=512", mask9_cases, ARRAY_SIZE(mask9_cases) },
};

static void run_access_case(const struct access_case *c, int loaded)
{
	long long hits = -1;
	int ret = loaded;

	if (!ret)
		ret = wp_reset();
	if (!ret)
		ret = wp_access(c->file, c->off, ACCESSES, c->width);
	if (!ret)
		hits = wp_hits();
	ksft_test_result(!ret && hits == c->expect,
			 "%d %s: %lld hits, expected %ld (%s)\n",
			 ACCESSES, c->name, hits, c->expect, errname(ret));
}

/* Load with the group's parameters, run its cases, unload. */
static void run_group(const struct access_group *g)
{
	int loaded, i;

	tr_ensure_loaded();
	loaded = kmod_load(WP_MOD, g->params);
	for (i = 0; i < g->n; i++) {
		if (loaded == -EOPNOTSUPP)
			ksft_test_result_skip("%s: no address-masked watchpoints in this kernel\n",
					      g->cases[i].name);
		else
			run_access_case(&g->cases[i], loaded);
	}
	if (!loaded)
		kmod_unload(WP_MOD);
}

static int group_cases(const struct access_group *g, int n)
{
	int i, total = 0;

	for (i = 0; i < n; i++)
		total += g[i].n;
	return total;
}

static void test_exactly_once(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(groups); i++)
		run_group(&groups[i]);
}

static void test_masked(void)
{
	struct wp_probe p = { -1, -1, 0 };
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(mask_groups); i++)
		run_group(&mask_groups[i]);

	ret = kmod_load(WP_MOD, "mask=12");
	if (ret == -EOPNOTSUPP) {
		ksft_test_result_skip("mask=12: no address-masked watchpoints in this kernel\n");
		return;
	}
	if (!ret && wp_probe_slots(&p))
		ret = -EIO;
	kmod_unload(WP_MOD);
	ksft_test_result(!ret && p.extra == p.wrps - 1,
			 "mask=12 watches 4 KiB with one slot: %d of %d others free (%s)\n",
			 p.extra, p.wrps - 1, errname(ret));
}

/* ---- 3. tl_writer ---- */

#define WRITER_RESULTS	5

/* tl_writer with @extra parameters; 5 results. */
static void test_legit_writer(const char *extra)
{
	struct wp_writer_stats s = { 0 };
	unsigned long long table = 0;
	long long hits = -1, after = -1;
	const char *mark;
	int ret, waited = -1, splats, i;
	char params[128];

	tr_ensure_loaded();
	mark = klog_mark("watchpoint_test");
	snprintf(params, sizeof(params),
		 "writer=legit writer_count=%d writer_period_ms=1 %s", WRITER_COUNT, extra);
	ret = kmod_load(WP_MOD, params);
	if (ret == -EOPNOTSUPP) {
		for (i = 0; i < WRITER_RESULTS; i++)
			ksft_test_result_skip("tl_writer with %s: not supported by this kernel\n",
					      extra);
		return;
	}
	if (!ret) {
		waited = wp_wait_writer(&s, 60000);
		hits = wp_hits();
		wp_peek(s.last_index * 8L, &table);
	}
	ksft_test_result(!ret && !waited && s.writes == WRITER_COUNT && !s.error,
			 "tl_writer%s%s finished %lu/%d stores (load %s, error %d)\n",
			 *extra ? " with " : "", extra, s.writes, WRITER_COUNT,
			 errname(ret), s.error);
	ksft_test_result(!ret && hits == 0,
			 "tl_writer's own stores are not reported: %lld hits\n", hits);
	ksft_test_result(!ret && s.last_value == (TRAMPOLINE_WRITER_TAG | WRITER_COUNT) &&
			 table == s.last_value,
			 "tl_writer's last store landed: entry %u holds 0x%llx, wrote 0x%llx\n",
			 s.last_index, table, s.last_value);

	/* Still armed everywhere: other stores are caught as before. */
	if (!ret && !wp_reset() && !wp_access("write", 0, ACCESSES, 8))
		after = wp_hits();
	ksft_test_result(after == ACCESSES && wp_info("cpus_armed") == online_cpus(),
			 "after tl_writer the watchpoint still catches stores: %lld/%d hits\n",
			 after, ACCESSES);

	ret = kmod_unload(WP_MOD);
	splats = klog_splats_since(mark);
	ksft_test_result(!ret && splats == 0,
			 "tl_writer run unloads cleanly (%s), %d splat line(s) in the log\n",
			 errname(ret), splats);
}

/*
 * watchpoint.ko's "bench": 101 rounds of 1000 legit stores (PSTATE.D) and
 * 1000 stores under local_daif_save() to the watched word, interleaved with
 * plain stores. None may be reported; the cost per store is printed (an
 * emulator figure under QEMU), not asserted.
 */
static void test_legit_store_cost(void)
{
	long long plain = -1, legit = -1, ratio = -1, hits = -1, dratio = -1;
	char buf[512], *p;
	int ret;

	tr_ensure_loaded();
	ret = kmod_load(WP_MOD, "");
	if (!ret)
		ret = read_text(WP_DIR "bench", buf, sizeof(buf));
	kmod_unload(WP_MOD);
	if (!ret) {
		p = strstr(buf, "plain_ps ");
		plain = p ? strtoll(p + 9, NULL, 10) : -1;
		p = strstr(buf, "legit_ps ");
		legit = p ? strtoll(p + 9, NULL, 10) : -1;
		p = strstr(buf, "ratio_x100 ");
		ratio = p ? strtoll(p + 11, NULL, 10) : -1;
		p = strstr(buf, "daif_save_ratio_x100 ");
		dratio = p ? strtoll(p + 21, NULL, 10) : -1;
		p = strstr(buf, " hits ");
		hits = p ? strtoll(p + 6, NULL, 10) : -1;
	}
	ksft_test_result(!ret && hits == 0 && plain > 0 && legit > 0,
			 "202000 legit stores to the watched word: %lld reported; %lld.%03lld ns each vs %lld.%03lld ns plain (%lld.%02lldx; local_daif_save %lld.%02lldx; emulated)\n",
			 hits, legit / 1000, legit % 1000, plain / 1000, plain % 1000,
			 ratio / 100, ratio % 100, dratio / 100, dratio % 100);
}

/* ---- 6. bad parameters ---- */

struct bad_case {
	const char *params;
	int err;
};

static const struct bad_case bad_cases[] = {
	{ "ksym=no_such_symbol_xyz", -ENXIO },
	{ "len=0", -EINVAL },
	{ "len=3", -EINVAL },
	{ "len=9", -EINVAL },
	{ "type=x", -EINVAL },
	{ "offset=4096", -EINVAL },
	{ "offset=4092 len=8", -EINVAL },
	{ "offset=4 len=8", -EINVAL },
	{ "offset=1 len=2", -EINVAL },
	{ "writer=bogus", -EINVAL },
	{ "writer=legit writer_period_ms=0", -EINVAL },
	{ "writer=seed writer_count=17", -EINVAL },
};

/* Refused with EINVAL where masks exist, EOPNOTSUPP elsewhere. */
static const struct bad_case bad_mask_cases[] = {
	{ "mask=2", -EINVAL },
	{ "mask=32", -EINVAL },
	{ "mask=12 offset=8", -EINVAL },
	{ "mask=13", -EINVAL },
	{ "mask=9 offset=256", -EINVAL },
	{ "mask=9 len=4", -EINVAL },
};

static void run_bad_case(const struct bad_case *c, bool masks)
{
	int err = masks ? c->err : -EOPNOTSUPP;
	int ret = kmod_load(WP_MOD, c->params);

	ksft_test_result(ret == err && !kmod_is_loaded(WP_MOD),
			 "watchpoint %s: %s (expected %s), not loaded\n",
			 c->params, errname(ret), errname(err));
	if (!ret)
		kmod_unload(WP_MOD);
}

static void test_bad_params(void)
{
	struct wp_probe p = { -1, -1, 0 };
	bool masks;
	int i, ret;

	tr_ensure_loaded();
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
		run_bad_case(&bad_cases[i], true);

	ret = kmod_load(WP_MOD, "mask=12");
	masks = ret != -EOPNOTSUPP;
	if (!ret)
		kmod_unload(WP_MOD);
	for (i = 0; i < ARRAY_SIZE(bad_mask_cases); i++)
		run_bad_case(&bad_mask_cases[i], masks);

	ret = kmod_load(WP_MOD, "");
	if (!ret && wp_probe_slots(&p))
		ret = -EIO;
	kmod_unload(WP_MOD);
	ksft_test_result(!ret && p.extra == p.wrps - 1,
			 "after the refused loads %d of %d watchpoint slots are free (%s)\n",
			 p.extra, p.wrps - 1, errname(ret));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	tier_announce();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(WP_MOD) || !kmod_available(TR_MOD))
		ksft_exit_skip("%s/{%s,%s}.ko not installed\n", kmod_dir(), WP_MOD, TR_MOD);
	if (access("/sys/kernel/debug/", R_OK))
		ksft_exit_skip("debugfs is not mounted\n");
	wp_guard_install();
	ksft_set_plan(5 + group_cases(groups, ARRAY_SIZE(groups)) +
		      group_cases(mask_groups, ARRAY_SIZE(mask_groups)) + 1 +
		      2 * WRITER_RESULTS + 1 +
		      ARRAY_SIZE(bad_cases) + ARRAY_SIZE(bad_mask_cases) + 1);

	wp_unload_all();
	test_watcher_before_table();
	test_load_in_order();
	test_table_pinned();
	test_unload_in_order();
	test_cycles_leak_nothing(tier_pick(5, 50));

	test_exactly_once();
	test_masked();
	test_legit_writer("");
	/* The whole table watched: every tl_writer store is inside. */
	test_legit_writer("mask=12");
	test_legit_store_cost();
	test_bad_params();
	wp_unload_all();

	ksft_finished();
}
