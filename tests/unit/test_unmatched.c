/* Unit tests: the unmatched questions in the store — grouped by
 * normalised text, capped at the newest UNMATCHED_MAX_ROWS, private (0600)
 * whatever the umask; the JSON-lines files of earlier versions imported
 * once (a file far beyond its cap not read whole). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "normalize.h"
#include "store.h"
#include "unmatched.h"

static void open_store(char *dir)
{
	struct sbuf err = {0};
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	sbuf_free(&err);
}

Test(unmatched, grouped_by_normalised_text_most_frequent_first)
{
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	open_store(dir);
	struct sbuf out = {0};
	unmatched_report(5, &out);
	cr_expect(strstr(sbuf_str(&out), "No unmatched questions"), "%s", sbuf_str(&out));
	sbuf_free(&out);
	cr_assert_eq(unmatched_append("private", "en", "can you fix my printer", 47, 0), 0);
	cr_assert_eq(unmatched_append("private", "en", "Can you FIX my printer", 48, 1), 0);
	cr_assert_eq(unmatched_append("group", "en", "tell me a joke", 47, 0), 0);
	cr_expect_eq(unmatched_top(10, &out), 2);
	cr_expect(strstr(sbuf_str(&out), "   2× can you fix my printer\n   1× tell me a joke\n"), "%s",
		  sbuf_str(&out));
	sbuf_free(&out);
	cr_expect_eq(unmatched_top(1, &out), 2, "the count is of all, the lines of the top");
	cr_expect_not(strstr(sbuf_str(&out), "joke"), "%s", sbuf_str(&out));
	/* the user id only when asked for (log_user_ids) */
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(store_db(), "SELECT count(user_id), max(user_id) FROM unmatched",
					-1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int(st, 0), 1);
	cr_expect_eq(sqlite3_column_int(st, 1), 48);
	sqlite3_finalize(st);
	sbuf_free(&out);
	store_close();
	normalize_done();
	rm_rf(dir);
}

Test(unmatched, capped_at_the_newest_rows)
{
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	open_store(dir);
	cr_assert_eq(store_exec("PRAGMA synchronous=OFF", NULL), 0);	/* speed only */
	for (int i = 0; i < UNMATCHED_MAX_ROWS + 5; i++)
		cr_assert_eq(unmatched_append("private", "en", i < 5 ? "oldest" : "newer", 1, 0), 0);
	struct sbuf out = {0};
	cr_expect_eq(unmatched_top(10, &out), 1, "the five oldest went: %s", sbuf_str(&out));
	cr_expect(strstr(sbuf_str(&out), "10000× newer"), "%s", sbuf_str(&out));
	sbuf_free(&out);
	store_close();
	normalize_done();
	rm_rf(dir);
}

Test(unmatched, users_questions_are_private_whatever_the_umask)
{
	/* outside systemd (no UMask=0077) the old log was created 0644 */
	mode_t was = umask(022);
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	open_store(dir);
	cr_assert_eq(unmatched_append("private", "en", "my question", 0, 0), 0);
	const char *files[] = {STORE_FILE, STORE_FILE "-wal", STORE_FILE "-shm"};
	for (int i = 0; i < 3; i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);
		struct stat st;
		cr_assert_eq(stat(path, &st), 0, "%s", path);
		cr_expect_eq(st.st_mode & 0777, 0600, "%s: mode %o", path, st.st_mode & 0777);
		free(path);
	}
	umask(was);
	store_close();
	normalize_done();
	rm_rf(dir);
}

Test(unmatched, the_old_log_is_imported_once)
{
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	open_store(dir);
	char *cur = xasprintf("%s/unmatched.jsonl", dir);
	char *old = xasprintf("%s/unmatched.jsonl.1", dir);
	write_text(old, "{\"time\":\"2026-01-01T00:00:00Z\",\"chat_type\":\"private\",\"lang\":\"en\","
			"\"text\":\"How do I quit my gym\",\"user_id\":7}\n");
	write_text(cur, "{\"time\":\"2026-02-01T00:00:00Z\",\"chat_type\":\"group\",\"lang\":\"en\","
			"\"text\":\"how do i quit my gym\"}\nnot json\n{\"no\":\"text\"}\n");
	cr_expect_eq(unmatched_import(dir), 2);
	cr_expect_eq(access(cur, F_OK), -1, "renamed once imported");
	char *done = xasprintf("%s.imported", cur);
	cr_expect_eq(access(done, F_OK), 0);
	cr_expect_eq(unmatched_import(dir), 0, "and not read again");
	struct sbuf out = {0};
	cr_expect_eq(unmatched_top(10, &out), 1);
	cr_expect(strstr(sbuf_str(&out), "2× how do i quit my gym"), "%s", sbuf_str(&out));
	sbuf_free(&out);
	free(done);
	free(cur);
	free(old);
	store_close();
	normalize_done();
	rm_rf(dir);
}

Test(unmatched, a_huge_old_log_is_not_read_whole)
{
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	open_store(dir);
	char *cur = xasprintf("%s/unmatched.jsonl", dir);
	char *old = xasprintf("%s.1", cur);
	write_text(cur, "{\"text\":\"how do I quit my gym\"}\n");
	write_text(old, "");
	cr_assert_eq(truncate(old, 256LL << 20), 0);	/* sparse: costs no disk */
	long long before = bytes_read();
	cr_expect_eq(unmatched_import(dir), 1, "the current file still counts");
	long long got = bytes_read() - before;
	cr_expect_lt(got, 4 << 20, "read %lld bytes", got);
	cr_expect_eq(access(old, F_OK), 0, "left where it was");
	free(old);
	free(cur);
	store_close();
	normalize_done();
	rm_rf(dir);
}
