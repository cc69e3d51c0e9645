/* stats — the bot's counters: updates, messages, button presses, answers
 * (per intent and per carrier), unmatched questions, messages sent, log
 * records at warn and error, 429s, dropped replies, reloads; and the last
 * warnings and errors. Counted in memory (struct stats, owned by the run
 * loop; nothing here allocates) and kept in the store (tables counters,
 * log_events, runtime): totals since the database was made, so they
 * survive restarts and `cancelbot status` / the metrics file can read
 * them. Counting costs no disk write: stats_tick() saves what changed in
 * one transaction at most every STATS_FLUSH_EVERY seconds, and
 * stats_flush() at exit, so a kill -9 loses at most those seconds of
 * counts (never an update: state.c and the outbox own that).
 *
 * Warnings and errors are counted from the log (log_set_observer): the
 * events rate_limited and flood_wait are the 429s, send_dropped and
 * reply_dropped (chat queue full, too old) the dropped replies, and
 * reply_dropped reason=intake_full (a flooding chat over its share of the
 * intake) a counter of its own (stats.c's table). */
#ifndef CANCELBOT_STATS_H
#define CANCELBOT_STATS_H

#include <stddef.h>
#include <time.h>

#include "dialog.h"
#include "update.h"

#define STATS_KEYS 64
#define STATS_FLUSH_EVERY 5.0	/* seconds */
#define STATS_IDLE_FLUSH_EVERY 60.0	/* seconds, when no count changed */
#define STATS_EVENTS 16		/* warnings and errors held between flushes */
#define STATS_EVENTS_KEPT 100	/* rows of log_events kept in the store */

enum stat_id {
	STAT_UPDATES, STAT_MESSAGES, STAT_CALLBACKS, STAT_ANSWERED, STAT_UNMATCHED, STAT_SENT,
	STAT_WARNINGS, STAT_ERRORS, STAT_RATE_LIMITED, STAT_DROPPED, STAT_RELOADS, STAT_INLINE,
	STAT_DROPPED_SHARE, STAT_N
};
/* The name of each in the store and the metrics ("updates", ...). */
extern const char *const stat_names[STAT_N];

struct stats_count {
	char key[CTX_ID];
	unsigned long n, unsaved;
};

struct stats_event {
	time_t when;
	int level;		/* enum log_level */
	char event[48];
	char fields[256];
};

struct stats {
	time_t started;
	unsigned long v[STAT_N], unsaved[STAT_N];
	struct stats_count intents[STATS_KEYS], carriers[STATS_KEYS];
	struct stats_event events[STATS_EVENTS];	/* not yet saved */
	size_t nevents;
	unsigned long events_lost;	/* more than STATS_EVENTS between flushes */
	double last_flush;		/* monotonic seconds */
	time_t last_reload;
	char last_reload_result[160];
};

/* Loads the saved totals (the store must be open) and makes s the log's
 * observer. */
void stats_open(struct stats *s);
void stats_handled(struct stats *s, const struct update *u, const struct dialog_out *out);
void stats_sent(struct stats *s, const struct reply *r);
void stats_count(struct stats *s, enum stat_id id);
/* Saves what changed, the held events and the status line (STATUS=) in
 * one transaction. 0, or -1 (logged) when the store refused: the counts
 * stay unsaved for the next try. */
int stats_flush(struct stats *s, const char *status);
/* stats_flush when STATS_FLUSH_EVERY seconds (now: monotonic) have passed
 * and a count changed, or STATS_IDLE_FLUSH_EVERY when none did. */
void stats_tick(struct stats *s, double now, const char *status);
/* Stops observing the log. */
void stats_close(struct stats *s);
/* `cancelbot status`: what the running (or last) bot saved, read from the
 * open store (read-only is enough) into out — its pid, start, last save
 * and STATUS= line, every counter, the last nevents warnings and errors.
 * Returns 1 when that bot is running (its pid is alive and it did not say
 * "Stopped"), 0 when not, -1 when the tables can't be read. */
int stats_status(struct sbuf *out, int nevents);
/* Appends a readable summary (HTML-safe) to b. */
void stats_report(const struct stats *s, struct sbuf *b);

#endif
