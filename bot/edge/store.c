/* store — see store.h.
 *
 * One connection per process, held in this file: every module of the bot
 * runs on the poll loop's thread, and SQLite's default (serialized) mode
 * would make a stray second thread safe anyway. */
#define _POSIX_C_SOURCE 200809L
#include "store.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "cnbt": PRAGMA application_id, so another program's SQLite file put
 * there by mistake is refused rather than migrated. */
#define STORE_APP_ID 0x636e6274
#define BUSY_TIMEOUT_MS 5000

/* The migrations, in order; each step's SQL runs in one transaction with
 * PRAGMA user_version = version. Append only: a shipped step never
 * changes (databases out there already ran it). The comment on each names
 * the module that owns its tables. */
static const struct migration {
	int version;
	const char *sql;
} migrations[] = {
	/* store: the file's own facts (when it was created) */
	{1, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	    "INSERT INTO meta VALUES ('created', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"},
	/* langs: each user's /lang choice */
	{2, "CREATE TABLE langs (user INTEGER PRIMARY KEY, lang TEXT NOT NULL);"},
	/* unmatched: the questions not answered (user_id only with log_user_ids) */
	{3, "CREATE TABLE unmatched (id INTEGER PRIMARY KEY, time TEXT NOT NULL,"
	    " chat_type TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,"
	    " norm TEXT NOT NULL, user_id INTEGER);"
	    "CREATE INDEX unmatched_norm ON unmatched (norm);"},
	/* stats: counters (key '' for the plain ones), the last warnings and
	 * errors, and the running bot's pid, start and STATUS= line (one row) */
	{4, "CREATE TABLE counters (name TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,"
	    " PRIMARY KEY (name, key)) WITHOUT ROWID;"
	    "CREATE TABLE log_events (id INTEGER PRIMARY KEY, time TEXT NOT NULL,"
	    " level TEXT NOT NULL, event TEXT NOT NULL, fields TEXT NOT NULL);"
	    "CREATE TABLE runtime (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL,"
	    " started INTEGER NOT NULL, flushed TEXT NOT NULL, status TEXT NOT NULL);"},
	/* kbhist: every change admins applied from Telegram, the file's whole
	 * text before and after (NULL: no admin file) */
	{5, "CREATE TABLE kb_history (version INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " at INTEGER NOT NULL, who INTEGER NOT NULL, what TEXT NOT NULL, file TEXT NOT NULL,"
	    " old TEXT, new TEXT);"},
	/* groups: each group's /settings@bot (mode -1: the config's group_mode;
	 * lang '': each asker's; answers_to 0 the group, 1 the asker in private) */
	{6, "CREATE TABLE group_settings (chat INTEGER PRIMARY KEY, mode INTEGER NOT NULL,"
	    " lang TEXT NOT NULL, answers_to INTEGER NOT NULL);"},
};
#define NMIGRATIONS (sizeof migrations / sizeof migrations[0])

static sqlite3 *db;
static sqlite3_stmt ***slots;	/* every store_stmt slot, finalized on close */
static size_t nslots, slots_cap;

int store_schema_version(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

sqlite3 *store_db(void)
{
	return db;
}

/* "PATH: what sqlite said (what the system said)" into err. */
static void fail(struct sbuf *err, const char *path, sqlite3 *d, const char *what)
{
	int sys = d ? sqlite3_system_errno(d) : 0;
	sbuf_addf(err, "%s: %s", path, what ? what : d ? sqlite3_errmsg(d) : "out of memory");
	if (sys && sys != ENOENT)	/* ENOENT: sqlite probing a -journal, not the cause */
		sbuf_addf(err, " (%s)", strerror(sys));
	if (d) {
		int code = sqlite3_errcode(d) & 0xff;
		if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
			sbuf_adds(err, ": move it away and restore a backup (cancelbot backup)");
		else if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN)
			sbuf_adds(err, ": the bot's user must be able to write the file and its directory");
		else if (code == SQLITE_FULL)
			sbuf_adds(err, ": free some disk space");
	}
	sbuf_addc(err, '\n');
}

/* One integer from a PRAGMA; -1 when it fails (sqlite3_errmsg says why). */
static long long pragma_int(sqlite3 *d, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_prepare_v2(d, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* PRAGMA quick_check's verdict: NULL when "ok", else its first line
 * (caller frees). Cheap on a bot's database (a few MB at most) and turns
 * a damaged file into a refusal at startup instead of errors mid-run. */
static char *quick_check(sqlite3 *d)
{
	sqlite3_stmt *st;
	char *bad = NULL;
	if (sqlite3_prepare_v2(d, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK)
		return xstrdup(sqlite3_errmsg(d));
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (!v || strcmp(v, "ok"))
			bad = xasprintf("damaged: %s", v ? v : "?");
	} else {
		bad = xstrdup(sqlite3_errmsg(d));
	}
	sqlite3_finalize(st);
	return bad;
}

static int migrate(sqlite3 *d, const char *path, int from, struct sbuf *err)
{
	for (size_t i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= from)
			continue;
		char *sql = xasprintf("BEGIN IMMEDIATE;%s;PRAGMA user_version=%d;"
				      "PRAGMA application_id=%d;COMMIT;",
				      m->sql, m->version, STORE_APP_ID);
		char *msg = NULL;
		int rc = sqlite3_exec(d, sql, NULL, NULL, &msg);
		free(sql);
		if (rc != SQLITE_OK) {
			char *what = xasprintf("migration %d failed: %s", m->version,
					       msg ? msg : sqlite3_errmsg(d));
			fail(err, path, d, what);
			free(what);
			sqlite3_free(msg);
			sqlite3_exec(d, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("store_migrated", KV("path", path), KV("version", m->version));
	}
	return 0;
}

/* Checks the header facts every opener needs: a cancelbot file (or a new
 * one) of a version this binary may write. */
static int check_identity(sqlite3 *d, const char *path, int writing, long long *version,
			  struct sbuf *err)
{
	long long app = pragma_int(d, "PRAGMA application_id");
	*version = pragma_int(d, "PRAGMA user_version");
	if (app < 0 || *version < 0) {
		fail(err, path, d, NULL);
		return -1;
	}
	if (app != 0 && app != STORE_APP_ID) {
		fail(err, path, NULL, "not a cancelbot database (another program's SQLite file)");
		return -1;
	}
	if (writing && *version > store_schema_version()) {
		char *what = xasprintf("schema version %lld is newer than this cancelbot knows (%d):"
				       " run the newer cancelbot, or restore a backup made for this one",
				       *version, store_schema_version());
		fail(err, path, NULL, what);
		free(what);
		return -1;
	}
	return 0;
}

static int open_path(const char *path, int flags, struct sbuf *err)
{
	sqlite3 *d = NULL;
	int rc = sqlite3_open_v2(path, &d, flags, NULL);
	if (rc != SQLITE_OK) {
		fail(err, path, d, NULL);
		sqlite3_close(d);
		return -1;
	}
	sqlite3_extended_result_codes(d, 1);
	sqlite3_busy_timeout(d, BUSY_TIMEOUT_MS);
	int writing = !(flags & SQLITE_OPEN_READONLY);
	long long version;
	char *bad = NULL;
	if (writing && sqlite3_db_readonly(d, "main") == 1) {
		/* sqlite falls back to read-only when it can't open for writing */
		fail(err, path, NULL, "cannot write (read-only file or file system)");
		goto fail;
	}
	if (check_identity(d, path, writing, &version, err) < 0)
		goto fail;
	if ((bad = quick_check(d))) {
		fail(err, path, d, bad);
		goto fail;
	}
	if (writing) {
		/* WAL must be set outside a transaction; it persists in the file */
		sqlite3_stmt *st;
		const char *mode = NULL;
		if (sqlite3_prepare_v2(d, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			mode = (const char *)sqlite3_column_text(st, 0);
		int wal = mode && !strcmp(mode, "wal");
		sqlite3_finalize(st);
		if (!wal) {
			fail(err, path, d, NULL);
			goto fail;
		}
		if (sqlite3_exec(d, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK ||
		    migrate(d, path, (int)version, err) < 0)
			goto fail;
	}
	store_close();
	db = d;
	return 0;
fail:
	free(bad);
	sqlite3_close(d);
	return -1;
}

int store_open(const char *dir, struct sbuf *err)
{
	if (mkdir_p(dir) < 0) {
		sbuf_addf(err, "%s: cannot create: %s\n", dir, strerror(errno));
		return -1;
	}
	char *path = xasprintf("%s/" STORE_FILE, dir);
	/* made here first so that it (and the -wal and -shm, which sqlite
	 * gives the database's mode) is 0600 whatever the umask */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc = -1;
	if (fd < 0)
		sbuf_addf(err, "%s: cannot open: %s\n", path, strerror(errno));
	else {
		close(fd);
		rc = open_path(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, err);
	}
	free(path);
	return rc;
}

int store_open_readonly(const char *path, struct sbuf *err)
{
	if (access(path, F_OK) < 0) {
		sbuf_addf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	return open_path(path, SQLITE_OPEN_READONLY, err);
}

void store_close(void)
{
	for (size_t i = 0; i < nslots; i++) {
		sqlite3_finalize(*slots[i]);
		*slots[i] = NULL;
	}
	free(slots);
	slots = NULL;
	nslots = slots_cap = 0;
	if (db && sqlite3_close(db) != SQLITE_OK)
		log_warn("store_close_failed", KV("error", sqlite3_errmsg(db)));
	db = NULL;
}

sqlite3_stmt *store_stmt(sqlite3_stmt **slot, const char *sql)
{
	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return *slot;
	}
	if (!db)
		return NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		log_error("store_prepare_failed", KV("error", sqlite3_errmsg(db)), KV("sql", sql));
		*slot = NULL;
		return NULL;
	}
	if (nslots == slots_cap) {
		slots_cap = slots_cap ? 2 * slots_cap : 16;
		slots = xrealloc(slots, slots_cap * sizeof *slots);
	}
	slots[nslots++] = slot;
	return *slot;
}

int store_exec(const char *sql, struct sbuf *err)
{
	char *msg = NULL;
	if (!db) {
		if (err)
			sbuf_adds(err, "the store is not open\n");
		return -1;
	}
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (err)
		sbuf_addf(err, "%s\n", msg ? msg : sqlite3_errmsg(db));
	else
		log_warn("store_exec_failed", KV("error", msg ? msg : sqlite3_errmsg(db)));
	sqlite3_free(msg);
	return -1;
}

int store_begin(void)
{
	return store_exec("BEGIN IMMEDIATE", NULL);
}

int store_commit(void)
{
	if (store_exec("COMMIT", NULL) == 0)
		return 0;
	store_rollback();
	return -1;
}

void store_rollback(void)
{
	if (db && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Pages per backup step: small enough that the bot's next write waits
 * only briefly for the read lock to go (BUSY_TIMEOUT_MS covers it). */
#define BACKUP_PAGES 64

static int backup_into(sqlite3 *to, const char *tmp, struct sbuf *err)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", db, "main");
	if (!b) {
		fail(err, tmp, to, NULL);
		return -1;
	}
	int rc;
	while ((rc = sqlite3_backup_step(b, BACKUP_PAGES)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(5);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		fail(err, tmp, to, sqlite3_errstr(rc));
		return -1;
	}
	char *bad = quick_check(to);
	if (bad || sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		fail(err, tmp, to, bad);
		free(bad);
		return -1;
	}
	return 0;
}

int store_backup(const char *dest, struct sbuf *err)
{
	if (!db) {
		sbuf_adds(err, "the store is not open\n");
		return -1;
	}
	char *tmp = xasprintf("%s.tmp", dest);
	unlink(tmp);	/* a leftover of an interrupted backup */
	int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc = -1;
	if (fd < 0) {
		sbuf_addf(err, "%s: cannot create: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	close(fd);
	fd = -1;
	sqlite3 *to = NULL;
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail(err, tmp, to, NULL);
	else if (backup_into(to, tmp, err) == 0)
		rc = 0;
	if (sqlite3_close(to) != SQLITE_OK && rc == 0) {
		fail(err, tmp, to, NULL);
		rc = -1;
	}
	/* on disk before it takes the name: a crash leaves the old backup */
	if (rc == 0 && ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0 ||
			rename(tmp, dest) < 0)) {
		sbuf_addf(err, "%s: %s\n", dest, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
