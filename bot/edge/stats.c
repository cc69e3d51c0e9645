/* stats — see stats.h. */
#include "stats.h"

#include <stdio.h>
#include <string.h>

static void bump(struct stats_count *v, const char *key)
{
	for (size_t i = 0; i < STATS_KEYS && key[0]; i++) {
		if (!v[i].key[0])
			snprintf(v[i].key, sizeof v[i].key, "%s", key);
		if (!strcmp(v[i].key, key)) {
			v[i].n++;
			return;
		}
	}
}

void stats_handled(struct stats *s, const struct update *u, const struct dialog_out *out)
{
	s->updates++;
	s->messages += u->kind == UPDATE_MESSAGE;
	s->callbacks += u->kind == UPDATE_CALLBACK;
	s->unmatched += out->unmatched != 0;
	if (out->n && out->v[0].topic[0]) {
		s->answered++;
		bump(s->intents, out->v[0].topic);
		bump(s->carriers, out->v[0].carrier[0] ? out->v[0].carrier : "(none)");
	}
}

void stats_sent(struct stats *s, const struct reply *r)
{
	(void)r;
	s->sent++;
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
	long up = (long)(time(NULL) - s->started);
	sbuf_addf(b, "uptime: %ldd %02ldh %02ldm\n", up / 86400, up % 86400 / 3600, up % 3600 / 60);
	sbuf_addf(b, "updates: %lu (messages %lu, button presses %lu)\n", s->updates, s->messages,
		  s->callbacks);
	sbuf_addf(b, "answered: %lu, unmatched: %lu, messages sent: %lu\n", s->answered,
		  s->unmatched, s->sent);
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
