/* Shared by the unit tests: writing a small file, removing a temporary
 * directory they made, counting the bytes read. */
#ifndef CANCELBOT_TEST_HELPERS_H
#define CANCELBOT_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static inline void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static inline void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
	free(cmd);
}

/* Bytes this process has read so far (read() and friends), from /proc:
 * shows that a huge file was not read whole. */
static inline long long bytes_read(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	long long n = -1;
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "rchar: %lld", &n), 1);
	fclose(f);
	return n;
}

#endif
