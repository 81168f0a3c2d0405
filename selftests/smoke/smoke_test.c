// SPDX-License-Identifier: GPL-2.0
/*
 * The pipeline's own proof: a module from kmod/ loads with a parameter,
 * shows its effect in debugfs, refuses a bad parameter cleanly, and unloads.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../kmod.h"

#define MOD	"wpsuite_hello"
#define VALUE	"/sys/kernel/debug/" MOD "/value"

static void test_load_shows_value(void)
{
	int ret = kmod_load(MOD, "value=42");

	ksft_test_result(ret == 0 && read_ll(VALUE) == 42,
			 "load with value=42 publishes 42 (ret %d)\n", ret);
}

static void test_unload_removes_it(void)
{
	int ret = kmod_unload(MOD);

	ksft_test_result(ret == 0 && !kmod_is_loaded(MOD) && access(VALUE, F_OK),
			 "unload removes the module and its debugfs file (ret %d)\n", ret);
}

static void test_bad_param_refused(void)
{
	int ret = kmod_load(MOD, "value=-1");

	ksft_test_result(ret == -EINVAL && !kmod_is_loaded(MOD),
			 "value=-1 is refused with EINVAL and nothing stays loaded (%s)\n",
			 strerror(-ret));
}

static void test_malformed_param_refused(void)
{
	int ret = kmod_load(MOD, "value=abc");

	ksft_test_result(ret == -EINVAL && !kmod_is_loaded(MOD),
			 "a malformed value is refused with EINVAL (%s)\n", strerror(-ret));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(MOD))
		ksft_exit_skip("%s/%s.ko not installed\n", kmod_dir(), MOD);
	ksft_set_plan(4);

	test_load_shows_value();
	test_unload_removes_it();
	test_bad_param_refused();
	test_malformed_param_refused();

	ksft_finished();
}
