/* Shared by the unit tests: removing a temporary directory they made. */
#ifndef CANCELBOT_TEST_HELPERS_H
#define CANCELBOT_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "util.h"

static inline void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
	free(cmd);
}

#endif
