// SPDX-License-Identifier: GPL-2.0
/*
 * The pipeline's own proof: a module from kmod/ loads with a parameter,
 * shows its effect in debugfs, refuses a bad parameter cleanly, and unloads.
 *
 * The first test checks that the module loads, the second that it unloads:
 * the others need both and are skipped with the reason when one fails.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../debugfs.h"
#include "../kmod.h"
#include "../result.h"

#define MOD	"wpsuite_hello"
#define VALUE	"/sys/kernel/debug/" MOD "/value"

/* wpsuite_hello.ko loads, and unloads again (else every later load is EEXIST). */
static struct prereq hello;

static void test_load_shows_value(void)
{
	static const char name[] = "load with value=42 publishes 42";
	int ret = kmod_load(MOD, "value=42");
	long long value = ret ? LLONG_MIN : debugfs_value(VALUE);

	if (ret) {
		prereq_fail(&hello, MOD ".ko refused at load: %s", errname(ret));
		ksft_print_msg("%s: %s\n", name, hello.why);
	} else if (value == LLONG_MIN) {
		ksft_print_msg("%s: " VALUE " unreadable\n", name);
	} else {
		ksft_print_msg("%s: " VALUE " reads %lld\n", name, value);
	}
	ksft_test_result(ret == 0 && value == 42, "%s\n", name);
}

static void test_unload_removes_it(void)
{
	static const char name[] = "unload removes the module and its debugfs file";
	int ret;

	if (prereq_skip(&hello, name))
		return;
	ret = kmod_unload(MOD);
	if (kmod_is_loaded(MOD))
		prereq_fail(&hello, MOD ".ko stays loaded: delete_module %s", errname(ret));
	ksft_print_msg("%s: delete_module %s, " VALUE " %s\n", name, errname(ret),
		       access(VALUE, F_OK) ? "gone" : "still there");
	ksft_test_result(ret == 0 && !kmod_is_loaded(MOD) && access(VALUE, F_OK), "%s\n", name);
}

/* Loading with @params must give EINVAL and leave nothing loaded. */
static void test_refused(const char *name, const char *params)
{
	int ret;

	if (prereq_skip(&hello, name))
		return;
	ret = kmod_load(MOD, params);
	ksft_print_msg("%s: load: %s\n", name, errname(ret));
	ksft_test_result(ret == -EINVAL && !kmod_is_loaded(MOD), "%s\n", name);
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
	test_refused("value=-1 is refused with EINVAL and nothing stays loaded", "value=-1");
	test_refused("a malformed value is refused with EINVAL", "value=abc");

	ksft_finished();
}
