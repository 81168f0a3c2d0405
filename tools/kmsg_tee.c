// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg_tee: copy lines from stdin into the kernel log, one record per line,
 * as soon as they arrive.
 *
 * The guest's /init pipes the kselftest runner through this, so test output
 * and kernel messages form one stream, ordered and timestamped by printk,
 * and a splat lands between the lines of the test that caused it. A shell
 * "while read" loop does the same but lags the runner by a fraction of a
 * second under emulation, enough to blame the wrong test.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* printk truncates longer records; split instead of losing the tail. */
#define RECORD_MAX 900

int main(void)
{
	char buf[RECORD_MAX + 3];
	char *line = buf + 1;
	int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (kmsg < 0) {
		perror("kmsg_tee: /dev/kmsg");
		return 1;
	}
	buf[0] = ' ';
	while (fgets(line, RECORD_MAX + 1, stdin)) {
		size_t len = strlen(line);
		/* A record must not start with "<N>": that would set its level. */
		char *start = line[0] == '<' ? buf : line;

		if (len && line[len - 1] != '\n')
			line[len++] = '\n';
		if (start == buf)
			len++;
		if (write(kmsg, start, len) < 0)
			perror("kmsg_tee: write");
	}
	return 0;
}
