/* Shared by the unit tests of the store's tables (store, stats): one value
 * of a query on the open store, and an expectation on it. */
#ifndef CANCELBOT_TEST_HELPERS_STORE_H
#define CANCELBOT_TEST_HELPERS_STORE_H

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store.h"
#include "util.h"

/* One text or integer value of a query on the open store (caller frees). */
static inline char *query1(const char *sql)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	char *v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static inline void expect_query(const char *sql, const char *want)
{
	char *got = query1(sql);
	cr_expect_str_eq(got, want, "%s", sql);
	free(got);
}

#endif
