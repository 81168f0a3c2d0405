// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint.ko and trampolines.ko: load order and refcounting, no leaked
 * breakpoint slots, exactly one callback per access of a masked
 * watchpoint, tl_writer's stores landing unreported, and bad parameters
 * refused cleanly. What needs no userspace (one report per access of an
 * unmasked watchpoint, the writers' stores) is the KUnit suite
 * "watchpoint", run by kunit_test.
 *
 * Needs a kernel that steps over a kernel watchpoint hit after a custom
 * overflow handler ran (patches/); without it the callback re-fires
 * forever on the first access: the access cases then fail after their
 * WP_ACCESS_TIMEOUT and unloading the module ends the storm.
 *
 * Test names carry parameters only; what was measured is in the "# "
 * lines before each result. Every test after "trampolines then watchpoint"
 * loads the modules, and most use watchpoint.ko's debugfs files: if the
 * modules cannot be loaded (or watchpoint.ko cannot be unloaded) or the
 * files are missing, the test that found it fails and those that need it
 * are skipped with its reason.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../result.h"
#include "../tier.h"
#include "wp_common.h"

#define ACCESSES	100
#define WRITER_COUNT	200

/*
 * trampolines.ko and watchpoint.ko load, and watchpoint.ko unloads again
 * (else every later load is EEXIST): what the tests after "trampolines
 * then watchpoint" need.
 */
static struct prereq modules;

/* watchpoint.ko's debugfs files are there once it loaded. */
static struct prereq files;

/* true (and @name reported as skipped) when the modules or their files failed */
static bool files_skip(const char *name)
{
	return prereq_skip(&modules, name) || prereq_skip(&files, name);
}

static bool files_failed(void)
{
	return modules.why[0] || files.why[0];
}

static long online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* "armed on N/M CPUs" for a message line, or why N is unknown. */
static const char *armed_text(long long armed)
{
	static char buf[64];

	if (armed < 0)
		return "cpus_armed unreadable in info";
	snprintf(buf, sizeof(buf), "armed on %lld/%ld CPUs", armed, online_cpus());
	return buf;
}

/* ---- 1. load order, refcount, no leaked slots ---- */

static void test_watcher_before_table(void)
{
	static const char name[] = "watchpoint before trampolines is refused";
	const char *mark = klog_mark("watchpoint_test");
	int ret = kmod_load(WP_MOD, "");
	int msgs = klog_count_since(mark, "ksym=trampolines: no such GPL-only exported symbol");
	bool loaded = kmod_is_loaded(WP_MOD);

	if (msgs < 0)
		ksft_print_msg("%s: %s, %s, kernel log unreadable\n", name, errname(ret),
			       loaded ? "loaded" : "not loaded");
	else
		ksft_print_msg("%s: %s, %s, init ran %d time(s)\n", name, errname(ret),
			       loaded ? "loaded" : "not loaded", msgs);
	ksft_test_result(ret == -ENXIO && !loaded && msgs == 1, "%s\n", name);
	if (!ret)
		kmod_unload(WP_MOD);
}

/* Checks the modules prerequisite (both load) and the files one. */
static void test_load_in_order(void)
{
	static const char name[] = "trampolines then watchpoint";
	int tr = kmod_load(TR_MOD, "");
	int wp = kmod_load(WP_MOD, "");
	long long armed = wp_info("cpus_armed");

	if (tr)
		prereq_fail(&modules, TR_MOD ".ko refused at load: %s", errname(tr));
	else if (wp)
		prereq_fail(&modules, WP_MOD ".ko refused at load: %s", errname(wp));
	else if (armed < 0 && access(WP_DIR "info", R_OK))
		prereq_fail(&files, WP_MOD ".ko loaded, but " WP_DIR "info: %s",
			    strerror(errno));
	if (tr || wp)
		ksft_print_msg("%s: load " TR_MOD " %s, " WP_MOD " %s\n", name,
			       errname(tr), errname(wp));
	else if (files.why[0])
		ksft_print_msg("%s: %s\n", name, files.why);
	else
		ksft_print_msg("%s: %s\n", name, armed_text(armed));
	ksft_test_result(!tr && !wp && armed == online_cpus(), "%s\n", name);
}

static void test_table_pinned(void)
{
	static const char name[] = "unloading trampolines while watchpoint holds it is refused";
	int ret;

	if (prereq_skip(&modules, name))
		return;
	ret = kmod_unload(TR_MOD);
	ksft_print_msg("%s: delete_module " TR_MOD ": %s\n", name, errname(ret));
	/* delete_module(O_NONBLOCK) of a module with references: EWOULDBLOCK */
	ksft_test_result(ret == -EWOULDBLOCK && kmod_is_loaded(TR_MOD) &&
			 kmod_is_loaded(WP_MOD), "%s\n", name);
}

/* Also checks the modules prerequisite: watchpoint.ko unloads. */
static void test_unload_in_order(void)
{
	static const char name[] = "unload watchpoint then trampolines";
	int wp, tr;

	if (prereq_skip(&modules, name))
		return;
	wp = kmod_unload(WP_MOD);
	tr = kmod_unload(TR_MOD);
	if (kmod_is_loaded(WP_MOD))
		prereq_fail(&modules, WP_MOD ".ko stays loaded: delete_module %s", errname(wp));
	ksft_print_msg("%s: delete_module " WP_MOD " %s, " TR_MOD " %s\n", name,
		       errname(wp), errname(tr));
	ksft_test_result(!wp && !tr && !kmod_is_loaded(WP_MOD) && !kmod_is_loaded(TR_MOD),
			 "%s\n", name);
}

/* Load and unload @cycles times: nothing leaks, every CPU armed after. */
static void test_cycles_leak_nothing(int cycles)
{
	static const char name[] = "load/unload cycles leak no watchpoint slot";
	struct wp_probe p = { -1, -1, 0 };
	long long armed = -1;
	int i, ret;

	if (files_skip(name))
		return;
	ret = tr_ensure_loaded();
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
	if (ret) {
		ksft_print_msg("%s: %d of %d cycles done: %s\n", name, i, cycles, errname(ret));
	} else {
		ksft_print_msg("%s: after %d cycles %s\n", name, cycles, armed_text(armed));
		ksft_print_msg("%s: %d of %d watchpoint slots still free, one more: %s\n", name,
			       p.extra, p.wrps - 1, errname(p.stop));
	}
	ksft_test_result(!ret && armed == online_cpus() && p.extra == p.wrps - 1 &&
			 p.stop == -ENOSPC, "%s\n", name);
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

/*
 * Watching offset 8, 8 bytes, type w and rw: the KUnit case
 * watchpoint.one_report_per_access (kmod/watchpoint/kunit.c, run by
 * kunit_test) makes the same accesses under the same watchpoint in-kernel.
 *
 * One masked watchpoint over 2^mask bytes (patches/0007). The
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

static void access_name(char *name, size_t size, const struct access_case *c)
{
	snprintf(name, size, "%d %s", ACCESSES, c->name);
}

static void run_access_case(const struct access_group *g, const struct access_case *c,
			    int loaded)
{
	long long hits = -1;
	int ret = loaded;
	char name[128];

	access_name(name, sizeof(name), c);
	if (!ret)
		ret = wp_reset();
	if (!ret)
		ret = wp_access(c->file, c->off, ACCESSES, c->width);
	if (!ret)
		hits = wp_hits();
	if (loaded)
		ksft_print_msg("%s: " WP_MOD " %s refused at load: %s\n", name, g->params,
			       errname(loaded));
	else if (ret == -EINTR)
		ksft_print_msg("%s: %s (no return within %d s)\n", name, errname(ret),
			       WP_ACCESS_TIMEOUT);
	else if (ret)
		ksft_print_msg("%s: %s\n", name, errname(ret));
	else if (hits < 0)
		ksft_print_msg("%s: hits unreadable\n", name);
	else
		ksft_print_msg("%s: %lld hits, expected %ld\n", name, hits, c->expect);
	ksft_test_result(!ret && hits == c->expect, "%s\n", name);
}

/*
 * Load with the group's parameters, run its cases, unload. A refused load
 * fails the first case and skips the others with its reason.
 */
static void run_group(const struct access_group *g)
{
	struct prereq group = { "" };
	char name[128];
	int loaded, i;

	if (files_failed()) {
		for (i = 0; i < g->n; i++) {
			access_name(name, sizeof(name), &g->cases[i]);
			files_skip(name);
		}
		return;
	}
	tr_ensure_loaded();
	loaded = kmod_load(WP_MOD, g->params);
	for (i = 0; i < g->n; i++) {
		access_name(name, sizeof(name), &g->cases[i]);
		if (loaded == -EOPNOTSUPP) {
			result_skip(name, "no address-masked watchpoints in this kernel");
			continue;
		}
		if (prereq_skip(&group, name))
			continue;
		run_access_case(g, &g->cases[i], loaded);
		if (loaded)
			prereq_fail(&group, WP_MOD " %s refused at load: %s", g->params,
				    errname(loaded));
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

static void test_masked(void)
{
	static const char name[] = "mask=12 watches 4 KiB with one slot";
	struct wp_probe p = { -1, -1, 0 };
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mask_groups); i++)
		run_group(&mask_groups[i]);

	if (files_skip(name))
		return;
	ret = kmod_load(WP_MOD, "mask=12");
	if (ret == -EOPNOTSUPP) {
		result_skip(name, "no address-masked watchpoints in this kernel");
		return;
	}
	if (!ret && wp_probe_slots(&p))
		ret = -EIO;
	kmod_unload(WP_MOD);
	if (ret)
		ksft_print_msg("%s: %s\n", name, errname(ret));
	else
		ksft_print_msg("%s: %d of %d others free\n", name, p.extra, p.wrps - 1);
	ksft_test_result(!ret && p.extra == p.wrps - 1, "%s\n", name);
}

/* ---- 3. tl_writer ---- */

#define WRITER_RESULTS	5

static const char * const writer_checks[WRITER_RESULTS] = {
	"finishes its stores",
	"its own stores are not reported",
	"its last store landed",
	"the watchpoint still catches other stores",
	"unloads cleanly with no splat",
};

/*
 * tl_writer with @extra parameters; 5 results. The first checks the load
 * the other four need.
 */
static void test_legit_writer(const char *extra)
{
	struct wp_writer_stats s = { 0 };
	unsigned long long table = 0;
	long long hits = -1, after = -1, armed;
	struct prereq writer = { "" };
	char params[128], name[WRITER_RESULTS][96];
	int ret, waited = -1, peeked = -1, acc, splats, i;
	const char *mark;

	for (i = 0; i < WRITER_RESULTS; i++)
		snprintf(name[i], sizeof(name[i]), "tl_writer%s%s: %s", *extra ? " with " : "",
			 extra, writer_checks[i]);
	if (files_failed()) {
		for (i = 0; i < WRITER_RESULTS; i++)
			files_skip(name[i]);
		return;
	}
	tr_ensure_loaded();
	mark = klog_mark("watchpoint_test");
	snprintf(params, sizeof(params),
		 "writer=legit writer_count=%d writer_period_ms=1 %s", WRITER_COUNT, extra);
	ret = kmod_load(WP_MOD, params);
	if (ret == -EOPNOTSUPP) {
		for (i = 0; i < WRITER_RESULTS; i++)
			result_skip(name[i], "not supported by this kernel");
		return;
	}
	if (!ret) {
		waited = wp_wait_writer(&s, 60000);
		hits = wp_hits();
		peeked = wp_peek(s.last_index * 8L, &table);
	}
	if (ret) {
		prereq_fail(&writer, WP_MOD " writer=legit%s%s refused at load: %s",
			    *extra ? " " : "", extra, errname(ret));
		ksft_print_msg("%s: %s\n", name[0], writer.why);
	} else {
		ksft_print_msg("%s: %lu/%d stores%s, error %d\n", name[0], s.writes,
			       WRITER_COUNT, waited ? " (not done within 60 s)" : "", s.error);
	}
	ksft_test_result(!ret && !waited && s.writes == WRITER_COUNT && !s.error,
			 "%s\n", name[0]);

	if (!prereq_skip(&writer, name[1])) {
		if (hits < 0)
			ksft_print_msg("%s: hits unreadable\n", name[1]);
		else
			ksft_print_msg("%s: %lld hits\n", name[1], hits);
		ksft_test_result(!ret && hits == 0, "%s\n", name[1]);
	}

	if (!prereq_skip(&writer, name[2])) {
		if (peeked)
			ksft_print_msg("%s: entry %u unreadable through peek, wrote 0x%llx\n",
				       name[2], s.last_index, s.last_value);
		else
			ksft_print_msg("%s: entry %u holds 0x%llx, wrote 0x%llx\n", name[2],
				       s.last_index, table, s.last_value);
		ksft_test_result(!ret && s.last_value == (TRAMPOLINE_WRITER_TAG | WRITER_COUNT) &&
				 table == s.last_value, "%s\n", name[2]);
	}

	/* Still armed everywhere: other stores are caught as before. */
	acc = ret ? ret : wp_reset();
	if (!acc)
		acc = wp_access("write", 0, ACCESSES, 8);
	if (!acc)
		after = wp_hits();
	armed = wp_info("cpus_armed");
	if (!prereq_skip(&writer, name[3])) {
		if (acc)
			ksft_print_msg("%s: %d stores: %s\n", name[3], ACCESSES, errname(acc));
		else if (after < 0)
			ksft_print_msg("%s: hits unreadable, %s\n", name[3], armed_text(armed));
		else
			ksft_print_msg("%s: %lld/%d hits, %s\n", name[3], after, ACCESSES,
				       armed_text(armed));
		ksft_test_result(after == ACCESSES && armed == online_cpus(), "%s\n", name[3]);
	}

	ret = kmod_unload(WP_MOD);
	splats = klog_splats_since(mark);
	if (!prereq_skip(&writer, name[4])) {
		if (splats < 0)
			ksft_print_msg("%s: delete_module %s, kernel log unreadable\n", name[4],
				       errname(ret));
		else
			ksft_print_msg("%s: delete_module %s, %d splat line(s) in the log\n",
				       name[4], errname(ret), splats);
		ksft_test_result(!ret && splats == 0, "%s\n", name[4]);
	}
}

/*
 * watchpoint.ko's "bench": 101 rounds of 1000 legit stores (PSTATE.D) and
 * 1000 stores under local_daif_save() to the watched word, interleaved with
 * plain stores. None may be reported; the cost per store is printed (an
 * emulator figure under QEMU), not asserted.
 */
static void test_legit_store_cost(void)
{
	static const char name[] = "202000 legit stores to the watched word are not reported";
	long long plain = -1, legit = -1, ratio = -1, hits = -1, dratio = -1;
	char *text = NULL;
	int ret;

	if (files_skip(name))
		return;
	tr_ensure_loaded();
	ret = kmod_load(WP_MOD, "");
	if (!ret) {
		text = debugfs_read(WP_DIR "bench");
		ret = text ? 0 : -errno;
	}
	kmod_unload(WP_MOD);
	/* One run of the bench: every figure comes from the same read. */
	if (!ret && (debugfs_s64(text, "plain_ps", &plain) ||
		     debugfs_s64(text, "legit_ps", &legit) ||
		     debugfs_s64(text, "ratio_x100", &ratio) ||
		     debugfs_s64(text, "daif_save_ratio_x100", &dratio) ||
		     debugfs_s64(text, "hits", &hits)))
		ret = -EPROTO;
	free(text);
	if (ret) {
		ksft_print_msg("%s: bench: %s\n", name, errname(ret));
	} else {
		ksft_print_msg("%s: %lld reported\n", name, hits);
		ksft_print_msg("%s: %lld.%03lld ns each vs %lld.%03lld ns plain (emulated)\n",
			       name, legit / 1000, legit % 1000, plain / 1000, plain % 1000);
		ksft_print_msg("%s: %lld.%02lldx plain; local_daif_save %lld.%02lldx\n", name,
			       ratio / 100, ratio % 100, dratio / 100, dratio % 100);
	}
	ksft_test_result(!ret && hits == 0 && plain > 0 && legit > 0, "%s\n", name);
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
	bool loaded;
	char name[96];
	int ret;

	snprintf(name, sizeof(name), "watchpoint %s is refused", c->params);
	if (prereq_skip(&modules, name))
		return;
	ret = kmod_load(WP_MOD, c->params);
	loaded = kmod_is_loaded(WP_MOD);
	ksft_print_msg("%s: %s (expected %s), %s\n", name, errname(ret), errname(err),
		       loaded ? "loaded" : "not loaded");
	ksft_test_result(ret == err && !loaded, "%s\n", name);
	if (!ret)
		kmod_unload(WP_MOD);
}

static void test_bad_params(void)
{
	static const char name[] = "after the refused loads no watchpoint slot leaked";
	struct wp_probe p = { -1, -1, 0 };
	bool masks = true;
	size_t i;
	int ret;

	if (!modules.why[0])
		tr_ensure_loaded();
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
		run_bad_case(&bad_cases[i], true);

	if (!modules.why[0]) {
		ret = kmod_load(WP_MOD, "mask=12");
		masks = ret != -EOPNOTSUPP;
		if (!ret)
			kmod_unload(WP_MOD);
	}
	for (i = 0; i < ARRAY_SIZE(bad_mask_cases); i++)
		run_bad_case(&bad_mask_cases[i], masks);

	if (files_skip(name))
		return;
	ret = kmod_load(WP_MOD, "");
	if (!ret && wp_probe_slots(&p))
		ret = -EIO;
	kmod_unload(WP_MOD);
	if (ret)
		ksft_print_msg("%s: %s\n", name, errname(ret));
	else
		ksft_print_msg("%s: %d of %d watchpoint slots are free\n", name, p.extra,
			       p.wrps - 1);
	ksft_test_result(!ret && p.extra == p.wrps - 1, "%s\n", name);
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
	ksft_set_plan(5 + group_cases(mask_groups, ARRAY_SIZE(mask_groups)) + 1 +
		      2 * WRITER_RESULTS + 1 +
		      ARRAY_SIZE(bad_cases) + ARRAY_SIZE(bad_mask_cases) + 1);

	wp_unload_all();
	test_watcher_before_table();
	test_load_in_order();
	test_table_pinned();
	test_unload_in_order();
	test_cycles_leak_nothing(tier_pick(5, 50));

	test_masked();
	test_legit_writer("");
	/* The whole table watched: every tl_writer store is inside. */
	test_legit_writer("mask=12");
	test_legit_store_cost();
	test_bad_params();
	wp_unload_all();

	ksft_finished();
}
