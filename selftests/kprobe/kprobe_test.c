// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe_example.ko: a kprobe on kernel_clone() counts forks; a symbol that
 * does not exist and one on the kprobe blacklist are refused with
 * register_kprobe()'s errno, and nothing stays loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../kmod.h"

#define MOD		"kprobe_example"
#define HITS		"/sys/kernel/debug/" MOD "/hits"
#define SYMBOL		"/sys/kernel/debug/" MOD "/symbol"
#define BLACKLIST	"/sys/kernel/debug/kprobes/blacklist"
#define FORKS		10

/* NOKPROBE_SYMBOL(do_debug_exception) in arch/arm64/mm/fault.c */
#define BLACKLISTED	"do_debug_exception"

static void test_load(void)
{
	char sym[64] = "";
	int ret = kmod_load(MOD, "");

	if (!ret)
		read_text(SYMBOL, sym, sizeof(sym));
	ksft_test_result(!ret && !strcmp(sym, "kernel_clone\n"),
			 "kprobe on kernel_clone planted (%s)\n", errname(ret));
}

static void test_counts_forks(void)
{
	long long before = read_ll(HITS), after;
	int i, forked = 0;

	for (i = 0; i < FORKS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			forked++;
	}
	after = read_ll(HITS);
	ksft_test_result(forked == FORKS && before >= 0 && after - before >= FORKS,
			 "%d forks: kernel_clone hits went %lld -> %lld (+%lld)\n",
			 forked, before, after, after - before);
}

static void test_unload(void)
{
	int ret = kmod_unload(MOD);

	ksft_test_result(!ret && !kmod_is_loaded(MOD) && access(HITS, F_OK),
			 "unload removes the probe and its debugfs files (%s)\n",
			 errname(ret));
}

static void test_refused(const char *symbol, int expect, const char *why)
{
	char params[128];
	int ret;

	snprintf(params, sizeof(params), "symbol=%s", symbol);
	ret = kmod_load(MOD, params);
	ksft_test_result(ret == expect && !kmod_is_loaded(MOD),
			 "%s symbol %s: %s (expected %s), not loaded\n",
			 why, symbol, errname(ret), errname(expect));
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
	test_refused("no_such_symbol_xyz", -ENOENT, "unknown");

	blacklisted = blacklisted_symbol();
	if (blacklisted)
		test_refused(blacklisted, -EINVAL, "blacklisted");
	else
		ksft_test_result_skip("no readable %s\n", BLACKLIST);

	ksft_finished();
}
