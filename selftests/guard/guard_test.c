// SPDX-License-Identifier: GPL-2.0
/*
 * The trampoline guard (wpguard.ko): one address-masked watchpoint over
 * test_driver's trampoline slots. The mover's own writes pass unreported;
 * every other write (wprogue.ko: str, stp, memset, atomic, from another CPU
 * in an IPI, from a hard-IRQ timer) is reported exactly once, lands when
 * the guard only reports, is skipped with enforce=1, and lands unseen
 * without the guard. Bad input gets a clean errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../debugfs.h"
#include "../kmod.h"
#include "../result.h"
#include "../tier.h"

#define TD		"test_driver"
#define GUARD		"wpguard"
#define ROGUE		"wprogue"
#define RR		"/sys/kernel/debug/rerandom/" TD
#define TDD		"/sys/kernel/debug/" TD
#define GD		"/sys/kernel/debug/" GUARD
#define RD		"/sys/kernel/debug/" ROGUE
#define ENFORCE		"/sys/module/" GUARD "/parameters/enforce"

static const char * const modes[] = { "str", "stp", "memset", "atomic", "ipi", "irq" };
#define NMODES	ARRAY_SIZE(modes)

/* test_driver, the guard over it and wprogue loaded, the guard's files there */
static struct prereq loaded;

static long long field(const char *path, const char *key)
{
	return debugfs_field(path, key);
}

/* Addresses and checksums: all 64 bits. */
static unsigned long long ufield(const char *path, const char *key)
{
	unsigned long long v;

	return debugfs_get_u64(path, key, &v) ? 0 : v;
}

static long long guard_reports(void)
{
	return debugfs_value(GD "/reports");
}

static unsigned long long table_sum(void)
{
	return ufield(RD "/table", "sum");
}

/* The last line of the guard's log. */
static void last_report(char *line, size_t size)
{
	char buf[8192], *nl, *last;

	line[0] = '\0';
	if (read_text(GD "/log", buf, sizeof(buf)))
		return;
	nl = strrchr(buf, '\n');
	if (nl && nl == buf + strlen(buf) - 1)
		*nl = '\0';
	last = strrchr(buf, '\n');
	snprintf(line, size, "%s", last ? last + 1 : buf);
}

static bool check_entry_ok(void)
{
	char *text = debugfs_read(TDD "/call");
	long long r, e;
	bool ok = text && !debugfs_s64(text, "result", &r) &&
		  !debugfs_s64(text, "expected", &e) && r == e;

	free(text);
	return ok;
}

static int rogue(const char *mode)
{
	return write_text(RD "/write", mode);
}

static int rogue_restore(void)
{
	return write_text(RD "/restore", "1");
}

static void test_load(void)
{
	int t = kmod_load(TD, ""), g = t ? t : kmod_load(GUARD, "guard=" TD);
	int r = g ? g : kmod_load(ROGUE, "");
	long long size = field(GD "/info", "size");
	unsigned long long start = ufield(GD "/info", "start");

	if (t)
		prereq_fail(&loaded, "load " TD ": %s", errname(t));
	else if (g)
		prereq_fail(&loaded, "load " GUARD " guard=" TD ": %s", errname(g));
	else if (r)
		prereq_fail(&loaded, "load " ROGUE ": %s", errname(r));
	else if (size == LLONG_MIN)
		prereq_fail(&loaded, "no size in " GD "/info");
	if (loaded.why[0])
		ksft_print_msg("%s\n", loaded.why);
	else
		ksft_print_msg("slot table %#llx + %lld bytes, mask %lld, %lld/%lld CPUs armed\n",
			       start, size, field(GD "/info", "mask"),
			       field(GD "/info", "armed_cpus"),
			       field(GD "/info", "online_cpus"));
	ksft_test_result(!r && size > 0 && !(size & (size - 1)) &&
			 !(start & (size - 1)) &&
			 field(GD "/info", "armed_cpus") == field(GD "/info", "online_cpus"),
			 "load " TD ", " GUARD " guard=" TD ", " ROGUE "\n");
}

/* The mover writes the slots on every move: none of it may be reported. */
static void test_moves(int n)
{
	static const char name[] = "moves under the guard";
	long long m0, m, r0, calls = 0, wrong = -1;
	double t0, t = 0;
	char *text;
	int err;

	if (prereq_skip(&loaded, name))
		return;
	m0 = field(RR "/stats", "moves");
	m = m0;
	r0 = guard_reports();
	t0 = now();
	err = write_text(TDD "/stress", "1");
	if (!err)
		err = write_text(RR "/period_ms", "1");
	while (!err && m - m0 < n && (t = now() - t0) < 600) {
		usleep(500 * 1000);
		m = field(RR "/stats", "moves");
	}
	write_text(RR "/period_ms", "0");
	text = debugfs_read(TDD "/counts");
	if (text && (debugfs_s64(text, "calls", &calls) || debugfs_s64(text, "wrong", &wrong))) {
		calls = -1;
		wrong = -1;
	}
	free(text);
	write_text(TDD "/stress", "0");
	ksft_print_msg("%lld moves (of %d) in %.1f s at 1 ms with the guard armed, %lld calls\n",
		       m - m0, n, t, calls);
	ksft_print_msg("%lld reports, %lld wrong check_entry (%s)\n",
		       guard_reports() - r0, wrong, errname(err));
	ksft_test_result(!err && m - m0 >= n && guard_reports() == r0 && calls > 0 &&
			 wrong == 0, "%s\n", name);
}

static void test_bench(void)
{
	static const char name[] = "bench: guarded slot write vs plain store";
	long long plain = -1, guarded = -1;
	char *text;

	if (prereq_skip(&loaded, name))
		return;
	/* One run of the bench: both figures come from the same read. */
	text = debugfs_read(GD "/bench");
	if (text && (debugfs_s64(text, "plain_ps", &plain) ||
		     debugfs_s64(text, "guarded_ps", &guarded))) {
		plain = -1;
		guarded = -1;
	}
	ksft_print_msg("mover's guarded slot write %lld ps, plain store %lld ps: %.1fx\n",
		       guarded, plain, plain > 0 ? (double)guarded / plain : 0);
	if (!text)
		ksft_print_msg(GD "/bench: %s\n", strerror(errno));
	free(text);
	ksft_test_result(plain > 0 && guarded > 0, "%s\n", name);
}

/*
 * One rogue write per mode. enforce: the store must be skipped; else it
 * must land. Each is reported exactly once, with the writer and the slot.
 */
static void test_writes(bool enf)
{
	unsigned long long sum0 = table_sum(), sum;
	long long bench = field(RD "/table", "bench");
	char line[256], want[32], name[64];
	unsigned int i;

	write_text(ENFORCE, enf ? "1" : "0");
	for (i = 0; i < NMODES; i++) {
		long long r0, r1;
		int err;
		bool ok;

		snprintf(name, sizeof(name), "%s write (%s)", modes[i],
			 enf ? "enforce" : "report");
		if (prereq_skip(&loaded, name))
			continue;
		r0 = guard_reports();
		err = rogue(modes[i]);
		usleep(20 * 1000);
		r1 = guard_reports();
		sum = table_sum();
		last_report(line, sizeof(line));
		/* A pair store hits at its first half, which may be the other slot. */
		snprintf(want, sizeof(want), "slot %lld ",
			 strcmp(modes[i], "stp") ? bench : bench & ~1LL);
		ok = !err && r1 - r0 == 1 && strstr(line, want) &&
		     strstr(line, enf ? "skipped" : "landed") &&
		     (enf ? sum == sum0 : sum != sum0) && check_entry_ok();
		if (!enf && rogue_restore())
			ok = false;
		ok &= table_sum() == sum0 && guard_reports() == r1;
		ksft_print_msg("%s: %s, %lld report(s), table %s, last report: %s\n", name,
			       errname(err), r1 - r0, sum == sum0 ? "intact" : "changed", line);
		ksft_test_result(ok, "%s\n", name);
	}
}

/* Without the guard every rogue write lands, and nothing reports it. */
static void test_control(void)
{
	static const char name[] = "control, no guard";
	unsigned long long sum0;
	unsigned int i, landed = 0;
	int unl;

	if (prereq_skip(&loaded, name))
		return;
	sum0 = table_sum();
	unl = kmod_is_loaded(GUARD) ? kmod_unload(GUARD) : 0;
	for (i = 0; i < NMODES && !unl; i++) {
		if (!rogue(modes[i]) && table_sum() != sum0)
			landed++;
		rogue_restore();
	}
	ksft_print_msg("unload " GUARD ": %s; %u of %zu rogue writes landed\n", errname(unl),
		       landed, NMODES);
	ksft_test_result(!unl && landed == NMODES && table_sum() == sum0, "%s\n", name);
}

/*
 * A CPU that comes online later is armed too: cpu1 goes offline and back
 * (once in the quick tier, 50 times under stress), then 8 stores from an
 * IPI on another CPU must each be reported.
 */
static void test_hotplug(void)
{
	static const char name[] = "CPU hotplug";
	const char *cpu1 = "/sys/devices/system/cpu/cpu1/online";
	long long armed_off = -1, armed_on = -1, r0;
	int cycles = tier_pick(1, 50), off = 0, on = 0, done, i, bad = 0;

	if (prereq_skip(&loaded, name))
		return;
	if (access(cpu1, W_OK)) {
		result_skip(name, "no %s", cpu1);
		return;
	}
	for (done = 0; done < cycles && !off && !on; done++) {
		off = write_text(cpu1, "0");
		armed_off = field(GD "/info", "armed_cpus");
		on = write_text(cpu1, "1");
		armed_on = field(GD "/info", "armed_cpus");
		if (armed_off != armed_on - 1 ||
		    armed_on != field(GD "/info", "online_cpus"))
			bad++;
	}
	r0 = guard_reports();
	/* "ipi" stores on some other CPU, cpu1 among them. */
	for (i = 0; i < 8; i++)
		rogue("ipi");
	ksft_print_msg("%d of %d offline/online cycles (offline %s, online %s), %d miscounted\n",
		       done, cycles, errname(off), errname(on), bad);
	ksft_print_msg("last: %lld armed offline, %lld online; 8 IPI writes, %lld reports\n",
		       armed_off, armed_on, guard_reports() - r0);
	ksft_test_result(!off && !on && !bad && guard_reports() - r0 == 8, "%s\n", name);
}

static void test_bad_input(void)
{
	static const char name[] = "bad input";
	int busy, none, unknown, missing, twice, nospace;

	if (prereq_skip(&loaded, name))
		return;
	busy = kmod_unload(TD);
	twice = kmod_load(GUARD, "guard=" TD);
	kmod_unload(GUARD);
	none = kmod_load(GUARD, "guard=trampolines");
	unknown = kmod_load(GUARD, "guard=no_such_module_xyz");
	missing = kmod_load(GUARD, "");
	write_text(RD "/occupy", "4");
	nospace = kmod_load(GUARD, "guard=" TD);
	write_text(RD "/occupy", "0");
	if (!nospace)
		kmod_unload(GUARD);
	ksft_print_msg("rmmod guarded " TD " %s, second guard %s, no trampolines %s\n",
		       errname(busy), errname(twice), errname(none));
	ksft_print_msg("unknown module %s, no guard= %s, no free watchpoint %s; " GUARD " %s\n",
		       errname(unknown), errname(missing), errname(nospace),
		       kmod_is_loaded(GUARD) ? "left loaded" : "not loaded");
	ksft_test_result((busy == -EWOULDBLOCK || busy == -EAGAIN) &&
			 twice == -EEXIST && none == -EINVAL &&
			 unknown == -ENOENT && missing == -EINVAL &&
			 nospace == -ENOSPC && !kmod_is_loaded(GUARD), "%s\n", name);
}

int main(void)
{
	/* GUARD_MOVES overrides the tier's count. */
	int moves = getenv("GUARD_MOVES") ? atoi(getenv("GUARD_MOVES")) : tier_pick(300, 10000);
	int tr, ro, td;
	bool had_ro, had_td, had_tr;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	tier_announce();
	if (access("/sys/kernel/debug/rerandom", F_OK))
		ksft_exit_skip("kernel without CONFIG_ARM64_MODULE_RERANDOMIZE\n");
	if (!kmod_available(GUARD) || !kmod_available(ROGUE) ||
	    !kmod_available(TD) || !kmod_available("trampolines"))
		ksft_exit_skip("modules not installed\n");
	ksft_set_plan(4 + 2 * NMODES + 3);
	tr = kmod_load("trampolines", "");
	if (tr)
		ksft_print_msg("load trampolines: %s\n", errname(tr));
	test_load();
	test_moves(moves);
	test_bench();
	test_writes(false);
	test_writes(true);
	test_hotplug();
	/* wprogue holds test_driver; the guard's own bad input needs it. */
	if (!loaded.why[0])
		kmod_load(GUARD, "guard=" TD);
	test_bad_input();
	test_control();
	if (loaded.why[0] && kmod_is_loaded(GUARD))
		kmod_unload(GUARD);	/* not unloaded by the control: skipped */
	had_ro = kmod_is_loaded(ROGUE);
	had_td = kmod_is_loaded(TD);
	had_tr = kmod_is_loaded("trampolines");
	ro = kmod_unload(ROGUE);
	td = kmod_unload(TD);
	tr = kmod_unload("trampolines");
	ksft_print_msg("unload " ROGUE ": %s, " TD ": %s, trampolines: %s\n",
		       errname(ro), errname(td), errname(tr));
	if (!loaded.why[0])
		ksft_test_result(!ro && !td && !tr, "unload " ROGUE ", " TD ", trampolines\n");
	else	/* what did load must unload all the same */
		ksft_test_result((!had_ro || !ro) && (!had_td || !td) && (!had_tr || !tr) &&
				 !kmod_is_loaded(ROGUE) && !kmod_is_loaded(TD),
				 "unload " ROGUE ", " TD ", trampolines\n");
	ksft_finished();
}
