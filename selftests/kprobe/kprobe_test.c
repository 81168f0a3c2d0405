// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe_example.ko: a kprobe on kernel_clone() counts forks; a symbol that
 * does not exist and one on the kprobe blacklist are refused with
 * register_kprobe()'s errno, and nothing stays loaded.
 *
 * The first test checks that the module loads (and shows its debugfs
 * files), the third that it unloads: the others need that and are skipped
 * with the reason when it fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../debugfs.h"
#include "../kmod.h"
#include "../result.h"

#define MOD		"kprobe_example"
#define HITS		"/sys/kernel/debug/" MOD "/hits"
#define SYMBOL		"/sys/kernel/debug/" MOD "/symbol"
#define BLACKLIST	"/sys/kernel/debug/kprobes/blacklist"
#define FORKS		10

/* NOKPROBE_SYMBOL(do_debug_exception) in arch/arm64/mm/fault.c */
#define BLACKLISTED	"do_debug_exception"
#define BLACKLISTED_NAME	"a blacklisted symbol is refused"

/* kprobe_example.ko loads, and unloads again (else every later load is EEXIST). */
static struct prereq probe;

/* Its debugfs files are there once it loaded: the fork count needs them. */
static struct prereq files;

static void test_load(void)
{
	static const char name[] = "kprobe on kernel_clone planted";
	char sym[64] = "";
	int ret = kmod_load(MOD, ""), symret = -1;

	if (!ret)
		symret = read_text(SYMBOL, sym, sizeof(sym));
	if (ret) {
		prereq_fail(&probe, MOD ".ko refused at load: %s", errname(ret));
		ksft_print_msg("%s: %s\n", name, probe.why);
	} else if (symret) {
		prereq_fail(&files, MOD ".ko loaded, but " SYMBOL ": %s", errname(symret));
		ksft_print_msg("%s: %s\n", name, files.why);
	} else {
		ksft_print_msg("%s: " SYMBOL " reads %.*s\n", name, (int)strcspn(sym, "\n"),
			       sym);
	}
	ksft_test_result(!ret && !strcmp(sym, "kernel_clone\n"), "%s\n", name);
}

static void test_counts_forks(void)
{
	long long before, after;
	int i, forked = 0;
	char name[64];

	snprintf(name, sizeof(name), "%d forks counted by the kprobe on kernel_clone", FORKS);
	if (prereq_skip(&probe, name) || prereq_skip(&files, name))
		return;
	before = debugfs_value(HITS);
	for (i = 0; i < FORKS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			forked++;
	}
	after = debugfs_value(HITS);
	if (before == LLONG_MIN || after == LLONG_MIN)
		ksft_print_msg("%s: %d/%d forks, " HITS " unreadable\n", name, forked, FORKS);
	else
		ksft_print_msg("%s: %d/%d forks, kernel_clone hits went %lld -> %lld (+%lld)\n",
			       name, forked, FORKS, before, after, after - before);
	ksft_test_result(forked == FORKS && before >= 0 && after - before >= FORKS,
			 "%s\n", name);
}

static void test_unload(void)
{
	static const char name[] = "unload removes the probe and its debugfs files";
	int ret;

	if (prereq_skip(&probe, name))
		return;
	ret = kmod_unload(MOD);
	if (kmod_is_loaded(MOD))
		prereq_fail(&probe, MOD ".ko stays loaded: delete_module %s", errname(ret));
	ksft_print_msg("%s: delete_module %s, " HITS " %s\n", name, errname(ret),
		       access(HITS, F_OK) ? "gone" : "still there");
	ksft_test_result(!ret && !kmod_is_loaded(MOD) && access(HITS, F_OK), "%s\n", name);
}

/* @name: the test's; @symbol: what is passed, for the message. */
static void test_refused(const char *name, const char *symbol, int expect)
{
	char params[128];
	bool loaded;
	int ret;

	if (prereq_skip(&probe, name))
		return;
	snprintf(params, sizeof(params), "symbol=%s", symbol);
	ret = kmod_load(MOD, params);
	loaded = kmod_is_loaded(MOD);
	ksft_print_msg("%s: symbol %s: %s (expected %s), %s\n", name, symbol, errname(ret),
		       errname(expect), loaded ? "loaded" : "not loaded");
	ksft_test_result(ret == expect && !loaded, "%s\n", name);
	if (!ret)
		kmod_unload(MOD);
}

/* BLACKLISTED if the blacklist lists it, else the first function it lists. */
static const char *blacklisted_symbol(void)
{
	static char name[128];
	char line[256];
	FILE *f = fopen(BLACKLIST, "r");

	name[0] = '\0';
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char sym[128];

		/* "0xSTART-0xEND\tsymbol" */
		if (sscanf(line, "%*s %127s", sym) != 1)
			continue;
		if (!strcmp(sym, BLACKLISTED) || !name[0])
			strcpy(name, sym);
		if (!strcmp(sym, BLACKLISTED))
			break;
	}
	fclose(f);
	return name[0] ? name : NULL;
}

int main(void)
{
	const char *blacklisted;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(MOD))
		ksft_exit_skip("%s/%s.ko not installed\n", kmod_dir(), MOD);
	alarm(100);
	ksft_set_plan(5);

	if (kmod_is_loaded(MOD))
		kmod_unload(MOD);
	test_load();
	test_counts_forks();
	test_unload();
	test_refused("unknown symbol no_such_symbol_xyz is refused", "no_such_symbol_xyz",
		     -ENOENT);

	/* The symbol is read from the blacklist: the name does not carry it. */
	blacklisted = blacklisted_symbol();
	if (blacklisted)
		test_refused(BLACKLISTED_NAME, blacklisted, -EINVAL);
	else if (!prereq_skip(&probe, BLACKLISTED_NAME))
		result_skip(BLACKLISTED_NAME, "no readable %s", BLACKLIST);

	ksft_finished();
}
