// SPDX-License-Identifier: GPL-2.0
/*
 * Module text re-randomization (CONFIG_ARM64_MODULE_RERANDOMIZE) with
 * test_driver.ko: the trampolines stay, the bodies move, every call returns
 * the expected value, also while kernel threads call and a caller sleeps
 * inside moved code; a second module unloading meanwhile (rr_peer.ko),
 * callbacks the kernel keeps pointers to (rr_async.ko), rmmod during moves,
 * kprobes, bad input.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../debugfs.h"
#include "../kmod.h"
#include "../result.h"
#include "../tier.h"

#define MOD		"test_driver"
#define RR		"/sys/kernel/debug/rerandom"
#define RRMOD		RR "/" MOD
#define TD		"/sys/kernel/debug/" MOD

/*
 * test_driver loaded, with its rerandom/ files: what every test after
 * "load test_driver" works on, but the rr_async and refused-module ones.
 */
static struct prereq td_loaded;

static void sleep_ms(int ms)
{
	usleep(ms * 1000);
}

/*
 * Addresses of test_driver's symbols @names in /proc/kallsyms, 0 for one
 * that is not there: one pass over the file, which is slow to read.
 */
static void ksyms(const char * const *names, unsigned long *addrs, int n)
{
	char line[256], sym[128], mod[64];
	unsigned long addr;
	int i, left = n;
	char type;
	FILE *f = fopen("/proc/kallsyms", "r");

	memset(addrs, 0, n * sizeof(*addrs));
	if (!f)
		return;
	while (left && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[" MOD "]") ||
		    sscanf(line, "%lx %c %127s %63s", &addr, &type, sym, mod) != 4)
			continue;
		for (i = 0; i < n; i++)
			if (!addrs[i] && !strcmp(sym, names[i])) {
				addrs[i] = addr;
				left--;
			}
	}
	fclose(f);
}

static long long field(const char *path, const char *key)
{
	return debugfs_field(path, key);
}

/* result and expected of a debugfs "call" or "mix": 0 or -errno. */
static int read_call(const char *path, long long *result, long long *expected)
{
	char *text = debugfs_read(path);
	int ret;

	if (!text)
		return -errno;
	ret = debugfs_s64(text, "result", result) ?: debugfs_s64(text, "expected", expected);
	free(text);
	return ret;
}

static int td_call(int *result, int *expected)
{
	long long r, e;
	int ret = read_call(TD "/call", &r, &e);

	if (!ret) {
		*result = r;
		*expected = e;
	}
	return ret;
}

static bool call_ok(void)
{
	int r, e;

	return !td_call(&r, &e) && r == e;
}

static int rr_trigger(void)
{
	return write_text(RRMOD "/trigger", "1");
}

static void td_counts(long long *calls, long long *wrong)
{
	char *text = debugfs_read(TD "/counts");

	if (!text || debugfs_s64(text, "calls", calls) || debugfs_s64(text, "wrong", wrong))
		*calls = *wrong = -1;
	free(text);
}

static void test_load(void)
{
	int ret = kmod_load(MOD, "");
	int stats = access(RRMOD "/stats", R_OK) ? -errno : 0;

	if (ret)
		prereq_fail(&td_loaded, "load " MOD ": %s", errname(ret));
	else if (stats)
		prereq_fail(&td_loaded, RRMOD "/stats: %s", errname(stats));
	ksft_print_msg("load " MOD ": %s; " RRMOD "/stats: %s\n", errname(ret),
		       errname(stats));
	ksft_test_result(!ret && !stats, "load " MOD "\n");
}

static void test_moves(int n)
{
	static const char * const names[] = { "check_entry", "check_entry_real" };
	unsigned long a[2], tramp, real, prev;
	int i, bad = 0, same = 0, err = 0;
	char name[64];

	snprintf(name, sizeof(name), "%d moves: trampoline fixed, _real moved each time", n);
	if (prereq_skip(&td_loaded, name))
		return;
	ksyms(names, a, 2);
	tramp = a[0];
	real = a[1];
	prev = real;
	for (i = 0; i < n; i++) {
		err = rr_trigger();
		if (err)
			break;
		ksyms(names, a, 2);
		if (a[0] != tramp)
			bad++;
		if (a[1] == prev)
			same++;
		prev = a[1];
		if (!call_ok())
			bad++;
	}
	ksft_print_msg("check_entry %#lx, check_entry_real %#lx -> %#lx\n",
		       tramp, real, prev);
	ksft_print_msg("%d of %d moves (%s): %d bad (trampoline moved, or result wrong)\n",
		       i, n, errname(err), bad);
	ksft_print_msg("check_entry_real unmoved by %d of them\n", same);
	ksft_test_result(!err && tramp && real && !bad && !same, "%s\n", name);
}

static void test_static_key(void)
{
	static const char name[] = "static key across moves";
	int r1 = 0, e1 = -1, r2 = 0, e2 = -1, err;

	if (prereq_skip(&td_loaded, name))
		return;
	err = write_text(TD "/key", "1");
	if (!err)
		err = rr_trigger();
	if (!err)
		err = td_call(&r1, &e1);
	write_text(TD "/key", "0");
	if (!err)
		err = rr_trigger();
	if (!err)
		err = td_call(&r2, &e2);
	ksft_print_msg("check_entry result/expected: key on %d/%d, key off %d/%d (%s)\n",
		       r1, e1, r2, e2, errname(err));
	ksft_test_result(!err && r1 == e1 && r2 == e2 && e1 == e2 + 1000, "%s\n", name);
}

/*
 * Moves at a 1 ms period (the mover's hrtimer) until @n more moves are done,
 * while @callers kernel threads call check_entry() through its trampoline.
 * The guard is generous: it only bounds a mover that cannot keep up at all.
 * The quick tier runs 2 callers: under TCG each move's TLB broadcasts and
 * I-cache IPI wait for every running vCPU, and 4 busy vCPUs on a 2-core
 * host made the time of this case vary from 4 to 23 s.
 */
static void test_stress(int n, int callers)
{
	static const char name[] = "moves at 1 ms while threads call";
	long long m0, m, f0, o0, calls, wrong, f, o;
	double t0, t = 0;
	char nthreads[16];
	int err;

	if (prereq_skip(&td_loaded, name))
		return;
	m0 = field(RRMOD "/stats", "moves");
	m = m0;
	f0 = field(RRMOD "/stats", "failed");
	o0 = field(RRMOD "/stats", "overruns");
	t0 = now();
	snprintf(nthreads, sizeof(nthreads), "%d", callers);
	err = write_text(TD "/stress", nthreads);

	if (!err)
		err = write_text(RRMOD "/period_ms", "1");
	while (!err && m - m0 < n && (t = now() - t0) < 600) {
		sleep_ms(500);
		m = field(RRMOD "/stats", "moves");
		if (m < 0)
			err = -EIO;
	}
	write_text(RRMOD "/period_ms", "0");
	td_counts(&calls, &wrong);
	write_text(TD "/stress", "0");
	f = field(RRMOD "/stats", "failed") - f0;
	o = field(RRMOD "/stats", "overruns") - o0;
	ksft_print_msg("%lld moves (of %d) in %.1f s at period 1 ms, %d callers\n",
		       m - m0, n, t, callers);
	ksft_print_msg("overruns %lld, failed %lld, move mean %lld us, max %lld us\n",
		       o, f, field(RRMOD "/stats", "mean_us"),
		       field(RRMOD "/stats", "max_us"));
	ksft_print_msg("%lld calls, %lld wrong (%s)\n", calls, wrong, errname(err));
	ksft_test_result(!err && m - m0 >= n && !f && calls > 0 && wrong == 0, "%s\n", name);
}

/* check_entry() calls per second by 4 threads, at a move period. */
static double throughput(int period_ms)
{
	long long c0, c1, w;
	char p[16];
	double t0, t1;

	snprintf(p, sizeof(p), "%d", period_ms);
	write_text(RRMOD "/period_ms", p);
	write_text(TD "/stress", "4");
	sleep_ms(200);
	td_counts(&c0, &w);
	t0 = now();
	sleep_ms(tier_pick(500, 2000));
	td_counts(&c1, &w);
	t1 = now();
	write_text(TD "/stress", "0");
	write_text(RRMOD "/period_ms", "0");
	return w ? -1 : (c1 - c0) / (t1 - t0);
}

static void print_bench(void)
{
	char *text = debugfs_read(TD "/bench");
	long long tramp = -1, direct = -1;

	if (text && (debugfs_s64(text, "trampoline_ps", &tramp) ||
		     debugfs_s64(text, "direct_ps", &direct))) {
		tramp = -1;
		direct = -1;
	}
	free(text);
	ksft_print_msg("call cost: %lld ps through the trampoline, %lld ps direct\n",
		       tramp, direct);
}

static void test_periodic(void)
{
	static const char name[] = "periodic moves, no wrong result";
	static const int periods[] = { 0, 20, 5, 1 };
	long long m0, m1;
	double tp[4];
	int i;
	bool ok = true;

	if (prereq_skip(&td_loaded, name))
		return;
	m0 = field(RRMOD "/stats", "moves");
	for (i = 0; i < 4; i++) {
		tp[i] = throughput(periods[i]);
		ok &= tp[i] > 0;
	}
	m1 = field(RRMOD "/stats", "moves");
	ksft_print_msg("check_entry/s, 4 threads: none %.0f, 20 ms %.0f, 5 ms %.0f, 1 ms %.0f\n",
		       tp[0], tp[1], tp[2], tp[3]);
	ksft_print_msg("%lld moves over the three periods\n", m1 - m0);
	ksft_test_result(ok && m1 > m0, "%s\n", name);
}

static void test_sleeper(void)
{
	static const char name[] = "caller asleep in moved code across 3 moves";
	long long pending = 0, r0, r1, left;
	int i, status = -1, err = 0;
	pid_t pid;

	if (prereq_skip(&td_loaded, name))
		return;
	r0 = field(RRMOD "/stats", "retired");
	pid = fork();
	if (pid == 0)
		_exit(write_text(TD "/sleep", "1000") ? 1 : 0);
	sleep_ms(100);
	for (i = 0; i < 3 && !err; i++)
		err = rr_trigger();
	sleep_ms(100);
	pending = field(RRMOD "/stats", "pending");
	waitpid(pid, &status, 0);
	for (i = 0; i < 50 && field(RRMOD "/stats", "pending"); i++)
		sleep_ms(100);
	r1 = field(RRMOD "/stats", "retired");
	left = field(RRMOD "/stats", "pending");
	ksft_print_msg("3 moves: %s; the sleeper's call: %s\n", errname(err),
		       WIFEXITED(status) && !WEXITSTATUS(status) ? "returned right" : "failed");
	ksft_print_msg("%lld copies pending meanwhile, %lld retired after, %lld pending at last\n",
		       pending, r1 - r0, left);
	ksft_test_result(!err && pending >= 1 && WIFEXITED(status) &&
			 !WEXITSTATUS(status) && r1 - r0 >= 3 && !left, "%s\n", name);
}

/*
 * Each opted-in module counts its callers in a domain of its own: rr_peer,
 * moved, unloads while a caller sleeps in test_driver's moved code with
 * test_driver's old copies pending. With one domain for every module the
 * unload would wait for that sleeper, which sleeps here until it is killed:
 * after 30 s the test fails, kills it and lets the unload finish.
 */
static void test_peer_unload(void)
{
	static const char name[] =
		"rmmod rr_peer while a caller sleeps in test_driver's moved code";
	long long pending = 0, left;
	char sum[16] = "";
	int err, load, i, status = -1, alive = 0, unload = -1;
	pid_t sleeper, rm;

	if (prereq_skip(&td_loaded, name))
		return;
	if (!kmod_available("rr_peer")) {
		result_skip(name, "rr_peer not installed");
		return;
	}
	err = kmod_load("rr_peer", "");
	load = err;
	sleeper = fork();
	if (sleeper == 0)
		_exit(write_text(TD "/sleep", "60000") ? 1 : 0);
	sleep_ms(100);
	for (i = 0; i < 2 && !err; i++)
		err = rr_trigger();
	for (i = 0; i < 3 && !err; i++)
		err = write_text(RR "/rr_peer/trigger", "1");
	if (!err)
		err = read_text("/sys/module/rr_peer/parameters/sum", sum, sizeof(sum));
	pending = field(RRMOD "/stats", "pending");
	rm = fork();
	if (rm == 0)
		_exit(kmod_unload("rr_peer") ? 1 : 0);
	for (i = 0; i < 300 && waitpid(rm, &status, WNOHANG) == 0; i++)
		sleep_ms(100);
	if (i < 300) {
		unload = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		alive = waitpid(sleeper, NULL, WNOHANG) == 0;
	}
	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
	if (i == 300)
		waitpid(rm, &status, 0);
	for (i = 0; i < 50 && field(RRMOD "/stats", "pending"); i++)
		sleep_ms(100);
	left = field(RRMOD "/stats", "pending");
	if (load)
		ksft_print_msg("load rr_peer: %s\n", errname(load));
	ksft_print_msg("rr_peer: sum %s after 3 moves (%s); test_driver: %lld copies pending\n",
		       strtok(sum, "\n") ?: "?", errname(err), pending);
	ksft_print_msg("rmmod rr_peer: %s, sleeper %s meanwhile; rr_peer %s; %lld still pending\n",
		       unload < 0 ? "not done in 30 s" : unload ? "failed" : "done",
		       alive ? "still asleep" : "gone",
		       kmod_is_loaded("rr_peer") ? "loaded" :
		       access(RR "/rr_peer", F_OK) ? "gone" : "unloaded, rerandom/rr_peer left",
		       left);
	ksft_test_result(!err && !strcmp(sum, "42") && pending >= 1 && unload == 0 &&
			 alive && !kmod_is_loaded("rr_peer") && access(RR "/rr_peer", F_OK) &&
			 !left, "%s\n", name);
}

/*
 * rr_async.ko: the kernel calls into moving code asynchronously, the way it
 * calls drivers (a timer, a work item, a kernel thread, file operations,
 * an ops table), through fixed entries, while the module moves @n times
 * at a 1 ms period. Every callback checks its result against fixed code.
 */
#define RA		"/sys/kernel/debug/rr_async"
#define RRA		RR "/rr_async"

static void test_callbacks(int n)
{
	static const char name[] = "callbacks: timer, work, kthread, fops, ops table";
	long long c[5] = { -1, -1, -1, -1, -1 }, m0, m, f = -1, reads = 0, bad = 0;
	static const char * const counts[] = { "timer", "work", "thread", "ops", "wrong" };
	double t0 = now();
	char *text;
	int err, load, unload = -1, i;

	if (!kmod_available("rr_async")) {
		result_skip(name, "rr_async not installed");
		return;
	}
	err = kmod_load("rr_async", "");
	load = err;
	m0 = field(RRA "/stats", "moves");
	m = m0;
	if (!err && m0 < 0)
		err = -EIO;
	if (!err)
		err = write_text(RA "/run", "1");
	if (!err)
		err = write_text(RRA "/period_ms", "1");
	while (!err && m - m0 < n && now() - t0 < 600) {
		long long got, want;

		err = read_call(RA "/mix", &got, &want);
		reads++;
		bad += !err && got != want;
		sleep_ms(20);
		m = field(RRA "/stats", "moves");
	}
	write_text(RRA "/period_ms", "0");
	write_text(RA "/run", "0");
	text = debugfs_read(RA "/stats");
	for (i = 0; text && i < 5; i++)
		if (debugfs_s64(text, counts[i], &c[i]) && !err)
			err = -EPROTO;
	free(text);
	f = field(RRA "/stats", "failed");
	unload = kmod_unload("rr_async");
	if (load) {
		/* Nothing was measured: the reason, not the unset figures. */
		ksft_print_msg("load rr_async: %s\n", errname(load));
		goto out;
	}
	ksft_print_msg("rr_async: %lld moves (of %d) in %.1f s, %lld failed (%s)\n",
		       m - m0, n, now() - t0, f, errname(err));
	ksft_print_msg("timer %lld work %lld thread %lld fops %lld (%lld/%lld bad) wrong %lld\n",
		       c[0], c[1], c[2], c[3], bad, reads, c[4]);
	ksft_print_msg("rmmod rr_async: %s, " RRA " %s\n", errname(unload),
		       access(RRA, F_OK) ? "gone" : "left");
out:
	ksft_test_result(!err && m - m0 >= n && f == 0 && c[0] > 0 && c[1] > 0 &&
			 c[2] > 0 && c[3] >= reads && !bad && c[4] == 0 && !unload &&
			 access(RRA, F_OK), "%s\n", name);
}

static void test_hook(const char *hook, bool expect_mod)
{
	char buf[64] = "", name[64], *text;
	long long last = LLONG_MIN, calls = LLONG_MIN;
	int r, e = 0;

	snprintf(name, sizeof(name), "hook: %s", hook);
	if (prereq_skip(&td_loaded, name))
		return;
	write_text(RR "/hook_period_ms", "5");
	sleep_ms(300);
	text = debugfs_read(RR "/hook");
	if (text && (debugfs_str(text, "name", buf, sizeof(buf)) ||
		     debugfs_s64(text, "last", &last) || debugfs_s64(text, "calls", &calls))) {
		last = LLONG_MIN;
		calls = LLONG_MIN;
	}
	free(text);
	write_text(RR "/hook_period_ms", "0");
	if (expect_mod)
		td_call(&r, &e);
	ksft_print_msg("hook %s %s: called %lld times, last %lld (expected %d)\n",
		       hook, strstr(buf, hook) ? "in rerandom/hook" : "not in rerandom/hook",
		       calls, last, e);
	ksft_test_result(strstr(buf, hook) && calls > 0 && last == e, "%s\n", name);
}

static void test_kprobe(void)
{
	static const char name[] =
		"kprobe refused on moving check_entry_real, allowed on its trampoline";
	int real, tramp;

	if (prereq_skip(&td_loaded, name))
		return;
	real = kmod_load("kprobe_example", "symbol=check_entry_real");
	if (!real)
		kmod_unload("kprobe_example");
	tramp = kmod_load("kprobe_example", "symbol=check_entry");
	if (!tramp) {
		rr_trigger();
		tramp = call_ok() ? 0 : -EIO;
		kmod_unload("kprobe_example");
	}
	ksft_print_msg("kprobe on check_entry_real: %s\n", errname(real));
	ksft_print_msg("kprobe on check_entry, then a move and a call: %s\n", errname(tramp));
	ksft_test_result(real == -EINVAL && !tramp, "%s\n", name);
}

static void test_rmmod_while_moving(void)
{
	static const char name[] = "rmmod during moves: hook back to default, reload moves again";
	int i, ret = -1, busy = 0, reload;
	char buf[64] = "", *text;

	if (prereq_skip(&td_loaded, name))
		return;
	write_text(RRMOD "/period_ms", "1");
	write_text(TD "/stress", "2");
	sleep_ms(200);
	for (i = 0; i < 200; i++) {
		ret = kmod_unload(MOD);
		if (ret != -EWOULDBLOCK && ret != -EAGAIN && ret != -EBUSY)
			break;
		busy++;
		sleep_ms(10);
	}
	write_text(RR "/hook_period_ms", "5");
	sleep_ms(50);
	text = debugfs_read(RR "/hook");
	if (text)
		debugfs_str(text, "name", buf, sizeof(buf));
	free(text);
	write_text(RR "/hook_period_ms", "0");
	reload = kmod_load(MOD, "");
	ksft_print_msg("rmmod " MOD ": %s after %d busy tries; hook %s; reload %s\n",
		       errname(ret), busy,
		       strstr(buf, "default_name") ? "back to default_name" : "not default_name",
		       errname(reload));
	ksft_test_result(!ret && strstr(buf, "default_name") && !reload &&
			 call_ok() && !rr_trigger() && call_ok(), "%s\n", name);
	/* The tests after this one need test_driver back. */
	if (access(RRMOD "/stats", R_OK))
		prereq_fail(&td_loaded, MOD " not back after rmmod during moves: reload %s",
			    errname(reload));
}

static void test_bad_input(void)
{
	static const char name[] = "bad input";
	int range, word, two, none, plain, ok;

	if (prereq_skip(&td_loaded, name))
		return;
	range = write_text(RRMOD "/period_ms", "100000");
	word = write_text(RRMOD "/period_ms", "soon");
	two = write_text(RRMOD "/trigger", "2");
	none = write_text(RR "/trigger", "no_such_module");
	kmod_load("wpsuite_hello", "");
	plain = write_text(RR "/trigger", "wpsuite_hello");
	kmod_unload("wpsuite_hello");
	ok = write_text(RR "/trigger", MOD);
	ksft_print_msg("period 100000 %s, \"soon\" %s, trigger 2 %s, unknown module %s\n",
		       errname(range), errname(word), errname(two), errname(none));
	ksft_print_msg("trigger a module without trampolines %s, " MOD " by name %s\n",
		       errname(plain), errname(ok));
	ksft_test_result(range == -ERANGE && word == -EINVAL && two == -EINVAL &&
			 none == -ENOENT && plain == -EINVAL && !ok, "%s\n", name);
}

/*
 * No page of a copy is writable and executable at any instant: with
 * rerandom/check_wx (DEBUG_WX kernels) the mover walks the page tables
 * after each permission change, after a move and after a retirement.
 */
static void test_wx(void)
{
	static const char name[] = "W^X during 5 moves";
	long long r0;
	int fd, fd2, err = 0, passed, failed, i, n = 5;

	if (prereq_skip(&td_loaded, name))
		return;
	if (access(RR "/check_wx", F_OK)) {
		result_skip(name, "kernel without DEBUG_WX");
		return;
	}
	r0 = field(RRMOD "/stats", "retired");
	/* Two readers of the same records: one count each. */
	fd = kmsg_open_end();
	fd2 = kmsg_open_end();
	err = write_text(RR "/check_wx", "1");
	for (i = 0; i < n && !err; i++)
		err = rr_trigger();
	for (i = 0; i < 100 && field(RRMOD "/stats", "retired") - r0 < n; i++)
		sleep_ms(100);
	write_text(RR "/check_wx", "0");
	passed = kmsg_count(fd, "Checked W+X mappings: passed", "");
	failed = kmsg_count(fd2, "W+X", "FAILED");
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	ksft_print_msg("%d moves, %lld retired, %d page-table walks passed, %d failed (%s)\n",
		       n, field(RRMOD "/stats", "retired") - r0, passed, failed, errname(err));
	ksft_test_result(!err && passed >= 2 * n && !failed, "%s\n", name);
}

/*
 * Opted-in modules the mover cannot keep safe are refused at load: ENOEXEC,
 * one log line that names the module and what it refers to, and nothing
 * left behind (not loaded, no rerandom/ directory).
 */
static const struct {
	const char *mod;
	const char *what;	/* in the log line */
	bool ftrace;		/* refused only on a DYNAMIC_FTRACE kernel */
} refused[] = {
	{ "rr_escape", "takes the address of", false },
	{ "rr_initescape", "takes the address of", false },
	{ "rr_opstable", "in movable text", false },
	{ "rr_ftrace", "ftrace call site", true },
};

static void test_refused(void)
{
	bool ftrace = !access("/sys/kernel/debug/tracing/available_filter_functions", F_OK);
	char dir[128], who[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		bool refuse = !refused[i].ftrace || ftrace;
		char name[64];
		int fd, err, lines;

		snprintf(name, sizeof(name),
			 refuse ? "refused: %s" : "refused: %s (no ftrace: loads)", refused[i].mod);
		if (!kmod_available(refused[i].mod)) {
			result_skip(name, "%s not installed", refused[i].mod);
			continue;
		}
		fd = kmsg_open_end();
		err = kmod_load(refused[i].mod, "");
		snprintf(who, sizeof(who), "%s: ", refused[i].mod);
		lines = kmsg_count(fd, who, refused[i].what);
		if (fd >= 0)
			close(fd);
		snprintf(dir, sizeof(dir), RR "/%s", refused[i].mod);
		ksft_print_msg("%s: load %s, %d log line(s) with \"%s\"\n", refused[i].mod,
			       errname(err), lines, refused[i].what);
		if (!err)
			kmod_unload(refused[i].mod);
		if (refuse) {
			bool loaded = kmod_is_loaded(refused[i].mod);

			ksft_print_msg("%s: %s, %s\n", refused[i].mod,
				       loaded ? "left loaded" : "not loaded",
				       access(dir, F_OK) ? "no rerandom/ directory" :
				       "rerandom/ directory left");
			ksft_test_result(err == -ENOEXEC && lines == 1 &&
					 !kmod_is_loaded(refused[i].mod) && access(dir, F_OK),
					 "%s\n", name);
		} else {
			ksft_test_result(!err && lines == 0, "%s\n", name);
		}
	}
}

static void test_unload(void)
{
	static const char name[] = "unload " MOD;
	int ret;

	if (prereq_skip(&td_loaded, name)) {
		/* Loaded all the same (no files, or from before): not left behind. */
		if (kmod_is_loaded(MOD))
			kmod_unload(MOD);
		return;
	}
	ret = kmod_unload(MOD);
	ksft_print_msg("unload " MOD ": %s; " RRMOD " %s, " TD " %s\n", errname(ret),
		       access(RRMOD, F_OK) ? "gone" : "left", access(TD, F_OK) ? "gone" : "left");
	ksft_test_result(!ret && access(RRMOD, F_OK) && access(TD, F_OK), "%s\n", name);
}

int main(void)
{
	/* RR_MOVES overrides the tier's count. */
	int moves = getenv("RR_MOVES") ? atoi(getenv("RR_MOVES")) : tier_pick(300, 10000);

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	tier_announce();
	if (access(RR, F_OK))
		ksft_exit_skip("no " RR ": kernel without CONFIG_ARM64_MODULE_RERANDOMIZE\n");
	if (!kmod_available(MOD))
		ksft_exit_skip(MOD ".ko not installed\n");
	ksft_set_plan(14 + ARRAY_SIZE(refused));
	test_load();
	test_moves(20);
	test_static_key();
	test_stress(moves, tier_pick(2, 4));
	if (!td_loaded.why[0])
		print_bench();
	test_periodic();
	test_sleeper();
	test_peer_unload();
	test_callbacks(tier_pick(200, 10000));
	test_wx();
	test_hook("rerandom_test", true);
	test_kprobe();
	test_rmmod_while_moving();
	test_bad_input();
	test_refused();
	test_unload();
	ksft_finished();
}
