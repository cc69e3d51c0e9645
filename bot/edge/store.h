/* store — the bot's one SQLite database, STATE_DIR/cancelbot.db, opened
 * once per process (store_open) and shared: each module that keeps state
 * in it (langs, unmatched, stats, and delivery's and tg's tables) owns its
 * tables, their SQL and its prepared statements; the store owns only the
 * connection, the schema version and the migrations.
 *
 * Schema: PRAGMA user_version is the number of the last migration applied.
 * The migrations are a const table of {version, SQL} steps in store.c; a
 * feature adds its tables as a new step at the end (never edits an old
 * one). store_open applies the missing steps, each in one transaction with
 * its version bump, so a crash mid-migration leaves the old version. A
 * database newer than this binary is refused (an older binary must not
 * write tables it does not know).
 *
 * Durability: journal_mode=WAL (readers — `cancelbot status`, `cancelbot
 * backup` — never block the bot and the bot never blocks them) with
 * synchronous=FULL: each commit is fsync()ed before it returns, so a
 * commit survives kill -9 and a power cut alike — the same guarantee as
 * state.c's per-update fdatasync, which delivery's tables rely on. That
 * costs one fsync per transaction: batch writes (counters) rather than
 * commit per increment. busy_timeout lets a reader's brief lock wait
 * instead of failing. The file and its -wal/-shm are mode 0600.
 *
 * Errors (read-only directory, corrupt or foreign file, full disk, a too
 * new schema) come back as one line in err, naming the file; nothing here
 * aborts. */
#ifndef CANCELBOT_STORE_H
#define CANCELBOT_STORE_H

#include <sqlite3.h>

#include "util.h"

#define STORE_FILE "cancelbot.db"

/* Creates dir if needed and opens (creating) dir/cancelbot.db, migrated to
 * store_schema_version(). 0, or -1 with one line in err (nothing open).
 * Opening while open closes the old connection first. */
int store_open(const char *dir, struct sbuf *err);
/* Opens an existing database read-only (`cancelbot status`): no creation,
 * no migration; a database of another schema version still opens (the
 * reader checks what it needs). 0 or -1 with err. */
int store_open_readonly(const char *path, struct sbuf *err);
/* Finalizes every statement made by store_stmt and closes; safe when
 * nothing is open. */
void store_close(void);
/* The open connection, or NULL. Borrowed: never sqlite3_close it. */
sqlite3 *store_db(void);
/* The schema version this binary migrates to (the last step). */
int store_schema_version(void);

/* Copies the open database into dest with SQLite's online backup (pages
 * in small steps, so a running bot is never held up for long): written to
 * dest.tmp (0600), checked (quick_check), made a single file
 * (journal_mode DELETE), fsync()ed and renamed to dest. 0, or -1 with err. */
int store_backup(const char *dest, struct sbuf *err);

/* A module's prepared statement, made once: *slot caches it (a static in
 * the module) and is reset and its bindings cleared on each call, so the
 * caller binds and steps. store_close finalizes it and sets *slot to NULL,
 * so a reopened store prepares it again. NULL (logged) when the SQL fails
 * to prepare or the store is closed. */
sqlite3_stmt *store_stmt(sqlite3_stmt **slot, const char *sql);
/* Runs SQL without results (several statements allowed). 0, or -1 with
 * sqlite's message in err (err may be NULL: then it is logged). */
int store_exec(const char *sql, struct sbuf *err);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK: 0 or -1 (logged). */
int store_begin(void);
int store_commit(void);
void store_rollback(void);

#endif
