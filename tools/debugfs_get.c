// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs-get: the benchmarks' guest side (tools/guest-bench) reads the
 * modules' debugfs files with the kselftests' reader, selftests/debugfs.h.
 *
 *   debugfs-get FILE KEY        the value of KEY
 *   debugfs-get -p PREFIX FILE  every "key: value" line as "PREFIX.key value"
 *
 * Exits 1, saying why, when the file cannot be read or KEY is missing.
 */
#include <stdio.h>
#include <string.h>

#include "../selftests/debugfs.h"

static int print_fields(const char *prefix, const char *path)
{
	char *text = debugfs_read(path), *line, *colon;
	int n = 0;

	if (!text) {
		fprintf(stderr, "debugfs-get: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		colon = strstr(line, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		printf("%s.%s %s\n", prefix, line, colon + 2);
		n++;
	}
	free(text);
	if (!n)
		fprintf(stderr, "debugfs-get: %s: no \"key: value\" line\n", path);
	return !n;
}

static int print_value(const char *path, const char *key)
{
	char *text = debugfs_read(path), value[256];
	int ret;

	if (!text) {
		fprintf(stderr, "debugfs-get: %s: %s\n", path, strerror(errno));
		return 1;
	}
	ret = debugfs_str(text, key, value, sizeof(value));
	free(text);
	if (ret) {
		fprintf(stderr, "debugfs-get: %s: no key \"%s\"\n", path, key);
		return 1;
	}
	puts(value);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "-p"))
		return print_fields(argv[2], argv[3]);
	if (argc == 3)
		return print_value(argv[1], argv[2]);
	fprintf(stderr, "usage: debugfs-get FILE KEY | debugfs-get -p PREFIX FILE\n");
	return 2;
}
