/* Unit tests: the SQLite store — a fresh database (WAL, 0600, migrated to
 * the last step), a reopen that keeps rows and runs no step twice, a
 * database newer than the binary refused, a corrupt or foreign file and a
 * read-only directory refused with a message naming the file, a full disk
 * failing a write without harm, statements prepared once and finalized on
 * close. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "store.h"
#include "helpers_store.h"

static char *db_path(const char *dir)
{
	return xasprintf("%s/" STORE_FILE, dir);
}


/* Runs SQL on the file directly, bypassing the store (a second program). */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *d;
	cr_assert_eq(sqlite3_open(path, &d), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(d));
	sqlite3_close(d);
}

Test(store, fresh_database_is_wal_private_and_migrated)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *sub = xasprintf("%s/a/b", dir);	/* a missing state_dir is made */
	struct sbuf err = {0};
	cr_assert_eq(store_open(sub, &err), 0, "%s", sbuf_str(&err));
	cr_assert_not_null(store_db());
	char *v = xasprintf("%d", store_schema_version());
	expect_query("PRAGMA user_version", v);
	expect_query("PRAGMA journal_mode", "wal");
	expect_query("PRAGMA synchronous", "2");	/* FULL */
	expect_query("SELECT count(*) FROM meta WHERE key = 'created'", "1");
	char *path = db_path(sub);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_expect_eq(sb.st_mode & 0777, 0600, "mode %o", sb.st_mode & 0777);
	store_close();
	cr_expect_null(store_db());
	store_close();	/* twice is harmless */
	free(path);
	free(v);
	free(sub);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(store, reopen_keeps_rows_and_runs_no_step_twice)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	cr_assert_eq(store_exec("CREATE TABLE t (x); INSERT INTO t VALUES (42);", &err), 0,
		     "%s", sbuf_str(&err));
	cr_assert_eq(store_exec("UPDATE meta SET value = 'then' WHERE key = 'created'", &err), 0);
	store_close();
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	expect_query("SELECT x FROM t", "42");
	/* step 1 would have failed (meta exists) or reset 'created' had it run again */
	expect_query("SELECT value FROM meta WHERE key = 'created'", "then");
	store_close();
	sbuf_free(&err);
	rm_rf(dir);
}

Test(store, statements_are_prepared_once_and_finalized_on_close)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	static sqlite3_stmt *get;
	cr_expect_null(store_stmt(&get, "SELECT 1"), "nothing open: no statement");
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	sqlite3_stmt *first = store_stmt(&get, "SELECT ?1 + 1");
	cr_assert_not_null(first);
	sqlite3_bind_int(first, 1, 41);
	cr_assert_eq(sqlite3_step(first), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int(first, 0), 42);
	/* the same statement again, reset and unbound (NULL + 1 is NULL) */
	cr_expect_eq(store_stmt(&get, "SELECT ?1 + 1"), first);
	cr_assert_eq(sqlite3_step(first), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_type(first, 0), SQLITE_NULL);
	static sqlite3_stmt *bad;
	cr_expect_null(store_stmt(&bad, "SELECT FROM nowhere"));
	store_close();	/* would fail (busy) if a statement were left */
	cr_expect_null(get, "close finalizes and forgets the module's statement");
	sbuf_free(&err);
	rm_rf(dir);
}

Test(store, a_database_newer_than_the_binary_is_refused)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	store_close();
	char *path = db_path(dir);
	char *sql = xasprintf("PRAGMA user_version = %d", store_schema_version() + 1);
	raw_exec(path, sql);
	cr_expect_eq(store_open(dir, &err), -1);
	cr_expect_null(store_db());
	cr_expect(strstr(sbuf_str(&err), path), "%s", sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&err), "newer than this cancelbot knows"), "%s", sbuf_str(&err));
	/* `cancelbot status` of an older binary may still read it */
	sbuf_free(&err);
	cr_expect_eq(store_open_readonly(path, &err), 0, "%s", sbuf_str(&err));
	store_close();
	free(sql);
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(store, a_corrupt_or_foreign_file_is_refused)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = db_path(dir);
	struct sbuf err = {0};
	/* not a database at all */
	write_text(path, "this was never an SQLite file, but it is long enough to have a header\n");
	cr_expect_eq(store_open(dir, &err), -1);
	cr_expect(strstr(sbuf_str(&err), path), "%s", sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&err), "not a database"), "%s", sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&err), "restore a backup"), "%s", sbuf_str(&err));
	cr_expect_null(store_db());
	unlink(path);

	/* a valid header over damaged pages */
	sbuf_free(&err);
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	cr_assert_eq(store_exec("CREATE TABLE t (x TEXT);"
				"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				" WHERE i < 2000) INSERT INTO t SELECT printf('%0200d', i) FROM n;"
				"PRAGMA wal_checkpoint(TRUNCATE);", &err), 0, "%s", sbuf_str(&err));
	store_close();
	FILE *f = fopen(path, "r+");
	cr_assert_not_null(f);
	fseek(f, 4096 * 3, SEEK_SET);
	for (int i = 0; i < 4096 * 4; i++)
		fputc(0xa5, f);
	fclose(f);
	cr_expect_eq(store_open(dir, &err), -1);
	cr_expect(strstr(sbuf_str(&err), path), "%s", sbuf_str(&err));
	cr_expect_null(store_db());
	unlink(path);

	/* another program's SQLite file */
	sbuf_free(&err);
	raw_exec(path, "PRAGMA application_id = 1234; CREATE TABLE theirs (y);");
	cr_expect_eq(store_open(dir, &err), -1);
	cr_expect(strstr(sbuf_str(&err), "not a cancelbot database"), "%s", sbuf_str(&err));
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}

/* Runs store_open(dir) in a child that can't write dir: as root (who
 * writes anywhere) the child becomes nobody first. Returns the child's
 * verdict: 0 when it failed cleanly with a message naming want. */
static int open_unwritable(const char *dir, const char *want)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		struct sbuf err = {0};
		int rc = store_open(dir, &err);
		int ok = rc == -1 && !store_db() && strstr(sbuf_str(&err), want);
		if (!ok)
			fprintf(stderr, "store_open: %d: %s", rc, sbuf_str(&err));
		_exit(ok ? 0 : 1);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the child crashed");
	return WEXITSTATUS(status);
}

Test(store, a_read_only_directory_is_a_clear_error)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0555), 0);
	char *path = db_path(dir);
	cr_expect_eq(open_unwritable(dir, path), 0, "no database yet: it can't be made");
	/* a database made earlier, whose directory is now read-only: sqlite
	 * would open it read-only behind our back, or fail making its -shm */
	cr_assert_eq(chmod(dir, 0700), 0);
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	store_close();
	cr_assert_eq(chown(dir, 65534, 65534) | chown(path, 65534, 65534), 0);
	cr_assert_eq(chmod(dir, 0555), 0);
	cr_expect_eq(open_unwritable(dir, path), 0, "an existing database in it");
	cr_assert_eq(chmod(dir, 0700), 0);
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(store, a_full_disk_fails_the_write_not_the_bot)
{
	/* RLIMIT_FSIZE stands in for a full disk (a write past it fails) */
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	cr_assert_eq(store_exec("CREATE TABLE t (x BLOB)", &err), 0, "%s", sbuf_str(&err));
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit lim = {256 * 1024, 256 * 1024};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	cr_expect_eq(store_exec("INSERT INTO t VALUES (zeroblob(1000000))", &err), -1);
	cr_expect_neq(sbuf_str(&err)[0], '\0');
	/* the connection still works, and what fit is still there */
	cr_expect_eq(store_exec("INSERT INTO t VALUES (x'00')", NULL), 0);
	expect_query("SELECT count(*) FROM t", "1");
	store_close();
	sbuf_free(&err);
	rm_rf(dir);
}

Test(store, a_backup_is_one_checked_file_taken_while_writing)
{
	char dir[] = "/tmp/cancelbot-store-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	cr_assert_eq(store_exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);", &err), 0);
	char *path = db_path(dir);
	/* a second connection (the running bot) in the middle of a write */
	sqlite3 *bot;
	cr_assert_eq(sqlite3_open(path, &bot), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(bot, "BEGIN IMMEDIATE; INSERT INTO t VALUES (2);", NULL, NULL,
				  NULL), SQLITE_OK);
	char *dest = xasprintf("%s/backup.db", dir);
	cr_assert_eq(store_backup(dest, &err), 0, "%s", sbuf_str(&err));
	cr_assert_eq(sqlite3_exec(bot, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(bot);
	store_close();
	char *tmp = xasprintf("%s.tmp", dest);
	cr_expect_eq(access(tmp, F_OK), -1, "renamed into place");
	struct stat sb;
	cr_assert_eq(stat(dest, &sb), 0);
	cr_expect_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(store_open_readonly(dest, &err), 0, "%s", sbuf_str(&err));
	expect_query("PRAGMA journal_mode", "delete");	/* one file, no -wal to carry */
	expect_query("SELECT group_concat(x) FROM t", "1");	/* the committed state only */
	store_close();
	/* a destination that can't be written: a message, nothing left behind */
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	char *bad = xasprintf("%s/no/such/dir/b.db", dir);
	cr_expect_eq(store_backup(bad, &err), -1);
	cr_expect(strstr(sbuf_str(&err), "cannot create"), "%s", sbuf_str(&err));
	store_close();
	free(bad);
	free(tmp);
	free(dest);
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}
