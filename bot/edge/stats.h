/* stats — counters for /stats: messages seen and answered, answers per
 * intent and per carrier, unmatched questions, reloads. Plain counters in a
 * struct the run loop owns; nothing here allocates. */
#ifndef CANCELBOT_STATS_H
#define CANCELBOT_STATS_H

#include <stddef.h>
#include <time.h>

#include "dialog.h"
#include "update.h"

#define STATS_KEYS 64

struct stats_count {
	char key[CTX_ID];
	unsigned long n;
};

struct stats {
	time_t started;
	unsigned long updates, messages, answered, unmatched, sent, callbacks;
	struct stats_count intents[STATS_KEYS], carriers[STATS_KEYS];
	time_t last_reload;
	char last_reload_result[160];
};

void stats_handled(struct stats *s, const struct update *u, const struct dialog_out *out);
void stats_sent(struct stats *s, const struct reply *r);
/* Appends a readable summary (HTML-safe) to b. */
void stats_report(const struct stats *s, struct sbuf *b);

#endif
