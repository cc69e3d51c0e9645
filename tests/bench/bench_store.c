/* bench_store — what durability costs per update, for the choice in
 * docs/design-notes.md: the outbox journal (journal.c: one fdatasync per
 * batch of 100, one per send) against SQLite in WAL mode doing the same
 * work (a transaction per batch, a DELETE per send) with synchronous=FULL
 * and =NORMAL, and against the two-slot state file of before (state.c:
 * one fdatasync per update). CPU (user+sys of this process) and wall time
 * per update; a figure, never a test.
 *
 * usage: bench_store [UPDATES]   (in BENCH_TMP or /tmp) */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "journal.h"
#include "log.h"
#include "state.h"

#define BATCH 100

static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char text[1500];	/* about one answer */

static void row(const char *what, int n, double c0, double w0)
{
	printf("| durability per update: %s | %.0f us CPU, %.0f us wall | |\n", what,
	       (cpu() - c0) / n * 1e6, (wall() - w0) / n * 1e6);
}

static void bench_journal(const char *dir, int n)
{
	struct outbox_limits lim = {0};
	struct outbox *ob = outbox_new(&lim);
	struct sbuf err = {0};
	int64_t off;
	double w;
	struct journal *j = journal_open(dir, ob, &off, &w, &err);
	if (!j) {
		fprintf(stderr, "bench_store: %s", sbuf_str(&err));
		exit(1);
	}
	struct outbox_store st = journal_store(j);
	outbox_set_store(ob, &st);
	double c0 = cpu(), w0 = wall(), wait;
	for (int i = 0; i < n; i += BATCH) {
		for (int k = 0; k < BATCH; k++) {
			struct reply r = {.chat_id = 1000 + i + k, .text = strdup(text)};
			outbox_push(ob, i + k, &r, 0, 0);
		}
		journal_commit(j, ob, i + BATCH, 0);
		struct outbox_item *it;
		while ((it = outbox_ready(ob, 0, &wait)) != NULL)
			outbox_result(ob, it, SEND_OK, 0, 0);
	}
	row("outbox journal (fdatasync per batch and per send) — chosen", n, c0, w0);
	journal_close(j);
	outbox_free(ob);
	sbuf_free(&err);
}

static void bench_sqlite(const char *dir, int n, const char *sync)
{
	char *path = xasprintf("%s/bench-%s.db", dir, sync);
	sqlite3 *db;
	sqlite3_open(path, &db);
	char *pragma = xasprintf("PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;"
				 "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, update_id INTEGER, body TEXT);"
				 "CREATE TABLE meta(k TEXT PRIMARY KEY, v INTEGER);"
				 "INSERT INTO meta VALUES('offset', 0);", sync);
	sqlite3_exec(db, pragma, NULL, NULL, NULL);
	sqlite3_stmt *ins, *del, *upd;
	sqlite3_prepare_v2(db, "INSERT INTO outbox(seq, update_id, body) VALUES(?, ?, ?)", -1, &ins, NULL);
	sqlite3_prepare_v2(db, "DELETE FROM outbox WHERE seq = ?", -1, &del, NULL);
	sqlite3_prepare_v2(db, "UPDATE meta SET v = ? WHERE k = 'offset'", -1, &upd, NULL);
	double c0 = cpu(), w0 = wall();
	for (int i = 0; i < n; i += BATCH) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		for (int k = 0; k < BATCH; k++) {
			sqlite3_bind_int(ins, 1, i + k + 1);
			sqlite3_bind_int(ins, 2, i + k);
			sqlite3_bind_text(ins, 3, text, -1, SQLITE_STATIC);
			sqlite3_step(ins);
			sqlite3_reset(ins);
		}
		sqlite3_bind_int(upd, 1, i + BATCH);
		sqlite3_step(upd);
		sqlite3_reset(upd);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		for (int k = 0; k < BATCH; k++) {	/* each send: its own transaction */
			sqlite3_bind_int(del, 1, i + k + 1);
			sqlite3_step(del);
			sqlite3_reset(del);
		}
	}
	char *what = xasprintf("SQLite WAL, synchronous=%s (a transaction per batch, a DELETE per send)",
			       sync);
	row(what, n, c0, w0);
	free(what);
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	sqlite3_finalize(upd);
	sqlite3_close(db);
	free(pragma);
	free(path);
}

static void bench_slots(const char *dir, int n)
{
	struct state s;
	struct sbuf err = {0};
	char *sub = xasprintf("%s/slots", dir);
	if (state_open(&s, sub, &err) < 0) {
		fprintf(stderr, "bench_store: %s", sbuf_str(&err));
		exit(1);
	}
	double c0 = cpu(), w0 = wall();
	for (int i = 0; i < n; i++)
		state_mark(&s, i, INT64_MAX);
	row("two-slot state file of before (fdatasync per update)", n, c0, w0);
	state_close(&s);
	free(sub);
	sbuf_free(&err);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3000;
	n = (n + BATCH - 1) / BATCH * BATCH;
	memset(text, 'x', sizeof text - 1);
	log_set_level(LOG_ERROR);
	const char *base = getenv("BENCH_TMP") ? getenv("BENCH_TMP") : "/tmp";
	char *dir = xasprintf("%s/cancelbot-bench-store-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	bench_slots(dir, n);
	bench_journal(dir, n);
	bench_sqlite(dir, n, "FULL");
	bench_sqlite(dir, n, "NORMAL");
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_store: could not remove %s\n", dir);
	free(cmd);
	free(dir);
	return 0;
}
