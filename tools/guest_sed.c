// SPDX-License-Identifier: GPL-2.0
/*
 * /bin/sed of the test guest.
 *
 * Without perl, kselftest's runner prefixes every line a test prints with
 * "sed -e 's/^/# /'" (runner.sh, tap_prefix). busybox sed writes through
 * stdio, so into a pipe a test's whole output arrives only when the test
 * ends: a test that stalls shows nothing, and the kernel messages it
 * causes land in the log before its own lines. This program does that one
 * substitution a line at a time, writing each line as soon as it is read;
 * any other invocation is busybox sed's. busybox sh runs its own applet
 * for a bare "sed" before it looks in PATH, so run_tests.sh makes the
 * installed runner.sh call this one as /bin/sed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int prefix_lines(void)
{
	char buf[4096];
	int at_start = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(buf, sizeof(buf), stdin)) {
		if (at_start)
			fputs("# ", stdout);
		fputs(buf, stdout);
		at_start = buf[strlen(buf) - 1] == '\n';
	}
	if (!at_start)
		putchar('\n');
	return ferror(stdin) || fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-e") && !strcmp(argv[2], "s/^/# /"))
		return prefix_lines();
	argv[0] = "sed";
	execv("/bin/busybox", argv);
	perror("sed: /bin/busybox");
	return 127;
}
