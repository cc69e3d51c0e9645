/* Shared by the unit tests: writing a small file, removing a temporary
 * directory they made. */
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

#endif
