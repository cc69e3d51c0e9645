/* stats — see stats.h. */
#define _POSIX_C_SOURCE 200809L
#include "stats.h"
#include "log.h"
#include "store.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *const stat_names[STAT_N] = {
	[STAT_UPDATES] = "updates", [STAT_MESSAGES] = "messages",
	[STAT_CALLBACKS] = "button_presses", [STAT_ANSWERED] = "answered",
	[STAT_UNMATCHED] = "unmatched", [STAT_SENT] = "sent",
	[STAT_WARNINGS] = "warnings", [STAT_ERRORS] = "errors",
	[STAT_RATE_LIMITED] = "rate_limited", [STAT_DROPPED] = "dropped_replies",
	[STAT_RELOADS] = "reloads", [STAT_INLINE] = "inline_queries",
	[STAT_DROPPED_SHARE] = "dropped_over_share",
};

/* Log events that are counters of their own: Telegram's 429s (on a send
 * and on getUpdates), replies given up on (refused for good, too old, a
 * chat's own queue full) and, apart, the oldest questions of a flooding chat
 * dropped for holding more than its share of the intake: a flood, not a
 * failure. The first row whose event (and field, when given) matches counts.
 * The senders and the outbox log these names; keep them in step. */
static const struct {
	const char *event, *field;
	enum stat_id id;
} event_counters[] = {
	{"rate_limited", NULL, STAT_RATE_LIMITED}, {"flood_wait", NULL, STAT_RATE_LIMITED},
	{"send_dropped", NULL, STAT_DROPPED},
	{"reply_dropped", "reason=intake_full", STAT_DROPPED_SHARE},
	{"reply_dropped", NULL, STAT_DROPPED},
};

/* Is field ("key=value") one of the fields ("key=value key=value ...")? */
static int has_field(const char *fields, const char *field)
{
	size_t n = strlen(field);
	for (const char *p = strstr(fields, field); p; p = strstr(p + 1, field))
		if ((p == fields || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The keyed counters' names in the store. */
#define INTENT "intent"
#define CARRIER "carrier"

static sqlite3_stmt *load_st, *add_st, *event_st, *trim_st, *runtime_st;

static struct stats_count *find(struct stats_count *v, const char *key)
{
	for (size_t i = 0; i < STATS_KEYS && key[0]; i++) {
		if (!v[i].key[0])
			snprintf(v[i].key, sizeof v[i].key, "%s", key);
		if (!strcmp(v[i].key, key))
			return &v[i];
	}
	return NULL;	/* more than STATS_KEYS: not counted */
}

static void bump(struct stats_count *v, const char *key)
{
	struct stats_count *c = find(v, key);
	if (c) {
		c->n++;
		c->unsaved++;
	}
}

void stats_count(struct stats *s, enum stat_id id)
{
	s->v[id]++;
	s->unsaved[id]++;
}

static void observe(void *ctx, enum log_level level, const char *event, const char *fields)
{
	struct stats *s = ctx;
	stats_count(s, level >= LOG_ERROR ? STAT_ERRORS : STAT_WARNINGS);
	for (size_t i = 0; i < sizeof event_counters / sizeof event_counters[0]; i++)
		if (!strcmp(event, event_counters[i].event) &&
		    (!event_counters[i].field || has_field(fields, event_counters[i].field))) {
			stats_count(s, event_counters[i].id);
			break;
		}
	if (s->nevents == STATS_EVENTS) {
		s->events_lost++;
		return;
	}
	struct stats_event *e = &s->events[s->nevents++];
	e->when = time(NULL);
	e->level = level;
	snprintf(e->event, sizeof e->event, "%s", event);
	snprintf(e->fields, sizeof e->fields, "%s", fields);
}

void stats_open(struct stats *s)
{
	sqlite3_stmt *st = store_stmt(&load_st, "SELECT name, key, n FROM counters ORDER BY n DESC, key");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		unsigned long n = (unsigned long)sqlite3_column_int64(st, 2);
		struct stats_count *c = NULL;
		if (!strcmp(name, INTENT) || !strcmp(name, CARRIER))
			c = find(!strcmp(name, INTENT) ? s->intents : s->carriers, key);
		if (c)
			c->n = n;
		for (int i = 0; i < STAT_N; i++)
			if (!strcmp(name, stat_names[i]))
				s->v[i] = n;
	}
	if (st)
		sqlite3_reset(st);
	log_set_observer(observe, s);
}

void stats_close(struct stats *s)
{
	(void)s;
	log_set_observer(NULL, NULL);
}

void stats_handled(struct stats *s, const struct update *u, const struct dialog_out *out)
{
	stats_count(s, STAT_UPDATES);
	if (u->kind == UPDATE_MESSAGE)
		stats_count(s, STAT_MESSAGES);
	if (u->kind == UPDATE_CALLBACK)
		stats_count(s, STAT_CALLBACKS);
	if (u->kind == UPDATE_INLINE)
		stats_count(s, STAT_INLINE);
	if (out->unmatched)
		stats_count(s, STAT_UNMATCHED);
	if (out->n && out->v[0].topic[0]) {
		stats_count(s, STAT_ANSWERED);
		bump(s->intents, out->v[0].topic);
		bump(s->carriers, out->v[0].carrier[0] ? out->v[0].carrier : "(none)");
	}
}

void stats_sent(struct stats *s, const struct reply *r)
{
	(void)r;
	stats_count(s, STAT_SENT);
}

static int add(const char *name, const char *key, unsigned long n)
{
	sqlite3_stmt *st = store_stmt(&add_st, "INSERT INTO counters VALUES (?1, ?2, ?3)"
				      " ON CONFLICT (name, key) DO UPDATE SET n = n + excluded.n");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int add_keyed(const char *name, const struct stats_count *v)
{
	for (size_t i = 0; i < STATS_KEYS && v[i].key[0]; i++)
		if (v[i].unsaved && add(name, v[i].key, v[i].unsaved) < 0)
			return -1;
	return 0;
}

static int save_event(const struct stats_event *e)
{
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	sqlite3_stmt *st = store_stmt(&event_st, "INSERT INTO log_events (time, level, event,"
				      " fields) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', ?1,"
				      " 'unixepoch'), ?2, ?3, ?4)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)e->when);
	sqlite3_bind_text(st, 2, levels[e->level & 3], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->fields, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (st)
		sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int save_runtime(const struct stats *s, const char *status)
{
	sqlite3_stmt *st = store_stmt(&runtime_st, "INSERT OR REPLACE INTO runtime VALUES"
				      " (1, ?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?3)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)getpid());
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->started);
	sqlite3_bind_text(st, 3, status ? status : "", -1, SQLITE_STATIC);
	return step_done(st);
}

int stats_flush(struct stats *s, const char *status)
{
	int ok = store_begin() == 0;
	for (int i = 0; ok && i < STAT_N; i++)
		ok = !s->unsaved[i] || add(stat_names[i], "", s->unsaved[i]) == 0;
	ok = ok && add_keyed(INTENT, s->intents) == 0 && add_keyed(CARRIER, s->carriers) == 0;
	for (size_t i = 0; ok && i < s->nevents; i++)
		ok = save_event(&s->events[i]) == 0;
	if (ok && s->nevents) {
		sqlite3_stmt *st = store_stmt(&trim_st, "DELETE FROM log_events WHERE id <="
					      " (SELECT max(id) FROM log_events) - ?1");
		if (st)
			sqlite3_bind_int(st, 1, STATS_EVENTS_KEPT);
		ok = step_done(st) == 0;
	}
	ok = ok && save_runtime(s, status) == 0 && store_commit() == 0;
	if (!ok) {
		store_rollback();	/* the observer is quiet inside: no recursion */
		log_warn("stats_save_failed",
			 KV("error", store_db() ? sqlite3_errmsg(store_db()) : "store not open"));
		return -1;
	}
	memset(s->unsaved, 0, sizeof s->unsaved);
	for (size_t i = 0; i < STATS_KEYS; i++)
		s->intents[i].unsaved = s->carriers[i].unsaved = 0;
	s->nevents = 0;
	return 0;
}

static int unsaved(const struct stats *s)
{
	for (int i = 0; i < STAT_N; i++)
		if (s->unsaved[i])
			return 1;
	for (size_t i = 0; i < STATS_KEYS; i++)
		if (s->intents[i].unsaved || s->carriers[i].unsaved)
			return 1;
	return s->nevents > 0;
}

void stats_tick(struct stats *s, double now, const char *status)
{
	/* idle, only the status line (its "last update N s ago") would change:
	 * a commit (an fdatasync) every 5 s for that kept an idle bot's disk
	 * and CPU busy, so then only every STATS_IDLE_FLUSH_EVERY */
	double every = unsaved(s) ? STATS_FLUSH_EVERY : STATS_IDLE_FLUSH_EVERY;
	if (now - s->last_flush < every)
		return;
	s->last_flush = now;
	stats_flush(s, status);
}

static void list(struct sbuf *b, const char *title, const struct stats_count *v)
{
	sbuf_addf(b, "%s:", title);
	int any = 0;
	for (size_t i = 0; i < STATS_KEYS && v[i].key[0]; i++, any = 1)
		sbuf_addf(b, " %s %lu", v[i].key, v[i].n);
	sbuf_adds(b, any ? "\n" : " -\n");
}

void stats_report(const struct stats *s, struct sbuf *b)
{
	const unsigned long *v = s->v;
	long up = (long)(time(NULL) - s->started);
	sbuf_addf(b, "uptime: %ldd %02ldh %02ldm (counts: all time, kept in the database)\n",
		  up / 86400, up % 86400 / 3600, up % 3600 / 60);
	sbuf_addf(b, "updates: %lu (messages %lu, button presses %lu, inline queries %lu)\n",
		  v[STAT_UPDATES], v[STAT_MESSAGES], v[STAT_CALLBACKS], v[STAT_INLINE]);
	sbuf_addf(b, "answered: %lu, unmatched: %lu, messages sent: %lu\n", v[STAT_ANSWERED],
		  v[STAT_UNMATCHED], v[STAT_SENT]);
	sbuf_addf(b, "warnings: %lu, errors: %lu, 429s: %lu, dropped replies: %lu, dropped for a "
		  "chat over its share of the intake: %lu\n", v[STAT_WARNINGS], v[STAT_ERRORS],
		  v[STAT_RATE_LIMITED], v[STAT_DROPPED], v[STAT_DROPPED_SHARE]);
	list(b, "per intent", s->intents);
	list(b, "per carrier", s->carriers);
	if (s->last_reload) {
		char when[32];
		struct tm tm;
		gmtime_r(&s->last_reload, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
		sbuf_addf(b, "last reload: %s, %s\n", when, s->last_reload_result);
	} else {
		sbuf_adds(b, "last reload: none since start\n");
	}
}

/* Runs sql on the store, calling row(out, st) for each row; -1 when it
 * can't be read (an older database, a damaged one). Not cached: status
 * runs once. */
static int each_row(const char *sql, int arg, void (*row)(struct sbuf *, sqlite3_stmt *),
		    struct sbuf *out)
{
	sqlite3_stmt *st;
	if (!store_db() || sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(st, 1, arg);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row(out, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

static void counter_row(struct sbuf *out, sqlite3_stmt *st)
{
	char label[CTX_ID + 32];
	snprintf(label, sizeof label, "%s%s%s", col(st, 0), *col(st, 1) ? " " : "", col(st, 1));
	sbuf_addf(out, "  %-40s %12lld\n", label, (long long)sqlite3_column_int64(st, 2));
}

static void event_row(struct sbuf *out, sqlite3_stmt *st)
{
	sbuf_addf(out, "  %s %-5s %s %s\n", col(st, 0), col(st, 1), col(st, 2), col(st, 3));
}

static int alive;
static void runtime_row(struct sbuf *out, sqlite3_stmt *st)
{
	pid_t pid = (pid_t)sqlite3_column_int64(st, 0);
	time_t started = (time_t)sqlite3_column_int64(st, 1);
	const char *status = col(st, 3);
	/* EPERM: alive, another user's (the service's dynamic user) */
	alive = strcmp(status, "Stopped") && pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
	char when[32];
	struct tm tm;
	gmtime_r(&started, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sbuf_addf(out, "bot: %s, pid %lld, started %s, last saved %s\nstatus: %s\n",
		  alive ? "running" : "not running", (long long)pid, when, col(st, 2),
		  *status ? status : "-");
}

int stats_status(struct sbuf *out, int nevents)
{
	alive = 0;
	size_t before = out->len;
	if (each_row("SELECT pid, started, flushed, status FROM runtime", 0, runtime_row, out) < 0)
		return -1;
	if (out->len == before)
		sbuf_adds(out, "bot: has not run with this database yet\n");
	sbuf_adds(out, "counters (all time):\n");
	/* the plain counters in stat_names' order, then the keyed ones */
	const char *sql = "SELECT name, key, n FROM counters ORDER BY key != '', name, n DESC, key";
	if (each_row(sql, 0, counter_row, out) < 0)
		return -1;
	sbuf_addf(out, "last warnings and errors (newest last, at most %d):\n", nevents);
	if (each_row("SELECT time, level, event, fields FROM (SELECT * FROM log_events"
		     " ORDER BY id DESC LIMIT ?1) ORDER BY id", nevents, event_row, out) < 0)
		return -1;
	return alive;
}
