/* unmatched — see unmatched.h. */
#define _POSIX_C_SOURCE 200809L
#include "unmatched.h"
#include "log.h"
#include "normalize.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3_stmt *add_st, *trim_st, *top_st, *distinct_st;

/* One row; the caller holds the transaction. */
static int insert(const char *when, const char *chat_type, const char *lang, const char *text,
		  int64_t user_id, int with_user)
{
	sqlite3_stmt *st = store_stmt(&add_st, "INSERT INTO unmatched (time, chat_type, lang, text,"
				      " norm, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!st)
		return -1;
	char *clean = utf8_sanitize(text, strnlen(text, 1000));
	char *norm = normalize(clean, strlen(clean));
	sqlite3_bind_text(st, 1, when, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, clean, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, norm, -1, SQLITE_STATIC);
	if (with_user)
		sqlite3_bind_int64(st, 6, user_id);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(norm);
	free(clean);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Keeps the newest UNMATCHED_MAX_ROWS (ids only grow). */
static int trim(void)
{
	sqlite3_stmt *st = store_stmt(&trim_st, "DELETE FROM unmatched WHERE id <= "
				      "(SELECT max(id) FROM unmatched) - ?1");
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, UNMATCHED_MAX_ROWS);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int unmatched_append(const char *chat_type, const char *lang, const char *text,
		     int64_t user_id, int with_user)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* one transaction: one fsync for the row and the trim */
	if (store_begin() == 0 && insert(when, chat_type, lang, text, user_id, with_user) == 0 &&
	    trim() == 0 && store_commit() == 0)
		return 0;
	log_warn("unmatched_log_failed",
		 KV("error", store_db() ? sqlite3_errmsg(store_db()) : "store not open"));
	store_rollback();
	return -1;
}

static const char *str_of(const cJSON *j, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* One old JSON-lines file into the table; 1 when it was read whole. */
static int import_file(const char *path, size_t *n)
{
	char *data = read_file_max(path, UNMATCHED_IMPORT_MAX, NULL);
	if (!data) {	/* left where it is, and said at each start */
		if (errno != ENOENT)
			log_warn("unmatched_import_skipped", KV("path", path),
				 KV("msg", errno == EFBIG ? "larger than the bot ever wrote: not read"
				    : strerror(errno)));
		return 0;
	}
	char *save = NULL;
	int ok = 1;
	for (char *l = strtok_r(data, "\n", &save); l && ok; l = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(l);
		const cJSON *uid = cJSON_GetObjectItemCaseSensitive(j, "user_id");
		const char *text = str_of(j, "text", NULL);
		if (text) {
			ok = insert(str_of(j, "time", ""), str_of(j, "chat_type", ""),
				    str_of(j, "lang", ""), text,
				    cJSON_IsNumber(uid) ? (int64_t)uid->valuedouble : 0,
				    cJSON_IsNumber(uid)) == 0;
			*n += ok;
		}
		cJSON_Delete(j);
	}
	free(data);
	return ok ? 1 : -1;
}

size_t unmatched_import(const char *state_dir)
{
	char *cur = xasprintf("%s/unmatched.jsonl", state_dir);
	char *old = xasprintf("%s.1", cur);
	const char *files[] = {old, cur};	/* oldest first: ids follow time */
	size_t n = 0;
	int got[2] = {0, 0};
	if (store_begin() == 0) {
		for (int i = 0; i < 2; i++)
			got[i] = import_file(files[i], &n);
		if (got[0] >= 0 && got[1] >= 0 && trim() == 0 && store_commit() == 0) {
			for (int i = 0; i < 2; i++) {
				char *done = xasprintf("%s.imported", files[i]);
				if (got[i] > 0)
					rename(files[i], done);
				free(done);
			}
			if (got[0] > 0 || got[1] > 0)
				log_info("unmatched_imported", KV("from", cur), KV("entries", n));
		} else {
			store_rollback();
			log_warn("unmatched_import_failed", KV("from", cur));
			n = 0;
		}
	}
	free(cur);
	free(old);
	return n;
}

int unmatched_top(size_t top, struct sbuf *out)
{
	sqlite3_stmt *st = store_stmt(&top_st, "SELECT norm, count(*) AS n FROM unmatched"
				      " GROUP BY norm ORDER BY n DESC, norm LIMIT ?1");
	sqlite3_stmt *d = store_stmt(&distinct_st, "SELECT count(DISTINCT norm) FROM unmatched");
	if (!st || !d || sqlite3_step(d) != SQLITE_ROW)
		return -1;
	int distinct = sqlite3_column_int(d, 0);
	sqlite3_reset(d);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)top);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sbuf_addf(out, "%4d× %s\n", sqlite3_column_int(st, 1),
			  (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? distinct : -1;
}

void unmatched_report(int n, struct sbuf *out)
{
	if (unmatched_top(n > 0 ? (size_t)n : 10, out) <= 0)
		sbuf_adds(out, "No unmatched questions logged yet.\n");
}
