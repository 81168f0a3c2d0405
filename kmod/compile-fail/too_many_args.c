// SPDX-License-Identifier: GPL-2.0
/*
 * Must not build: a SPECIAL_FUNCTION() with nine parameters. The stub
 * passes eight in registers and keeps its frame between the caller's
 * stack arguments and the body, so a ninth would be read from the wrong
 * place. run_tests.sh check builds this against the suite's kernel and
 * expects the static_assert of <asm/rerandom.h> to stop it.
 */
#include <linux/module.h>

#include <asm/rerandom.h>

SPECIAL_FUNCTION(long, too_many, long a, long b, long c, long d, long e,
		 long f, long g, long h, long i)
{
	return a + b + c + d + e + f + g + h + i;
}

MODULE_LICENSE("GPL");
