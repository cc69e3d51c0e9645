/* Shared by the unit tests: writing a small file, removing a temporary
 * directory they made, counting the bytes read, reading back what a test
 * printed to its redirected stdout. */
#ifndef CANCELBOT_TEST_HELPERS_H
#define CANCELBOT_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <criterion/redirect.h>
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

/* Everything the test printed to stdout (after cr_redirect_stdout), as a
 * string the caller frees. */
static inline char *redirected_stdout(void)
{
	fflush(stdout);
	FILE *out = cr_get_redirected_stdout();
	struct sbuf b = {0};
	char buf[512];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, out)) > 0)
		sbuf_add(&b, buf, n);
	return sbuf_take(&b);
}

#endif
