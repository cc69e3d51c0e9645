/* langs — see langs.h. */
#define _POSIX_C_SOURCE 200809L
#include "langs.h"
#include "lang.h"
#include "log.h"
#include "store.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3_stmt *put_st, *del_st, *all_st;

static int put(int64_t user, const char *code)
{
	sqlite3_stmt *st = code ? store_stmt(&put_st, "INSERT OR REPLACE INTO langs VALUES (?1, ?2)")
				: store_stmt(&del_st, "DELETE FROM langs WHERE user = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	if (code)
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* STATE_DIR/langs of earlier versions, into the table in one transaction;
 * renamed once it is in, so it is read only once. */
static void import_file(const char *state_dir)
{
	char *path = xasprintf("%s/langs", state_dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		free(path);
		return;
	}
	char line[128];
	size_t n = 0;
	int ok = store_begin() == 0;
	while (ok && fgets(line, sizeof line, f)) {
		int64_t user;
		char code[32];
		if (sscanf(line, "%" SCNd64 " %31s", &user, code) == 2 && lang_find(code)) {
			ok = put(user, lang_find(code)->code) == 0;
			n++;
		}
	}
	fclose(f);
	char *done = xasprintf("%s.imported", path);
	if (ok && store_commit() == 0 && rename(path, done) == 0)
		log_info("langs_imported", KV("from", path), KV("choices", n));
	else {
		store_rollback();
		log_warn("langs_import_failed", KV("from", path));
	}
	free(done);
	free(path);
}

size_t langs_load(const char *state_dir, struct context *ctx)
{
	import_file(state_dir);
	sqlite3_stmt *st = store_stmt(&all_st, "SELECT user, lang FROM langs");
	size_t n = 0;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 1);
		const struct lang *l = code ? lang_find(code) : NULL;
		if (l) {
			context_set_lang(ctx, sqlite3_column_int64(st, 0), l->code);
			n++;
		}
	}
	if (st)
		sqlite3_reset(st);
	return n;
}

int langs_save(struct context *ctx, int64_t user)
{
	if (put(user, context_lang(ctx, user)) == 0)
		return 0;
	log_warn("langs_save_failed", KV("user", (long long)user),
		 KV("error", store_db() ? sqlite3_errmsg(store_db()) : "store not open"));
	return -1;
}
