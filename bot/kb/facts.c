/* facts — see facts.h. */
#define _POSIX_C_SOURCE 200809L
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): no timegm, no time zone. */
static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return n[m - 1] + (m == 2 && leap);
}

long kb_date_days(const char *date, int latest)
{
	int y, m = 0, d = 0, used = 0;
	if (!date)
		return -1;
	int got = sscanf(date, "%4d%n-%2d%n-%2d%n", &y, &used, &m, &used, &d, &used);
	if (got < 1 || date[used] != '\0' || y < 1900 || y > 9999)
		return -1;
	if (got >= 2 && (m < 1 || m > 12))
		return -1;
	if (got == 3 && (d < 1 || d > month_days(y, m)))
		return -1;
	/* "2026-1" or "2026-11-5" are typos, not dates */
	if (used != 4 && used != 7 && used != 10)
		return -1;
	if (got == 1)
		m = latest ? 12 : 1;
	if (got <= 2)
		d = latest ? month_days(y, m) : 1;
	return days_from_civil(y, m, d);
}

int kb_source_old_year(const struct facts *f)
{
	const char *src = facts_get(f, "source_date", NULL);
	long s = kb_date_days(src, 1), r = kb_date_days(facts_get(f, "reviewed", NULL), 0);
	if (s < 0 || r < 0 || r - s <= KB_OLD_SOURCE_DAYS)
		return 0;
	return atoi(src);
}

const char *const kb_coverage_topics[] = {
	"cancel", "contact", "online", "store", "port_out", "fees", "final_bill", "refund",
	"suspend", "abroad", "autopay", "keep_number", "lost_stolen", NULL,
};

/* Facts every carrier has or that say nothing about a topic: using them in
 * a [default] does not make it a sourced answer for that carrier. */
static const char *const not_topic_facts[] = {
	"name", "short", "reviewed", "source", "source_date", "source_note", "carrier_unknown",
	"user", NULL,
};

static int is_topic_fact(const char *key)
{
	for (size_t i = 0; not_topic_facts[i]; i++)
		if (strcmp(key, not_topic_facts[i]) == 0)
			return 0;
	return 1;
}

/* 1 when text has a {key} or {?key} that the carrier's own facts (not
 * [general]'s) give; *names_carrier is set when it has {name}. */
static int uses_carrier_fact(const char *text, const struct facts *cf, int *names_carrier)
{
	int found = 0;
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		const char *k = p + 1 + (p[1] == '?');
		size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyz_0123456789");
		if (n == 0 || n >= 64 || k[n] != '}')
			continue;
		char key[64];
		memcpy(key, k, n);
		key[n] = '\0';
		if (strcmp(key, "name") == 0)
			*names_carrier = 1;
		else if (is_topic_fact(key) && facts_get(cf, key, "en"))
			found = 1;
	}
	return found;
}

enum coverage kb_coverage(const struct kb *kb, const char *topic, const char *carrier)
{
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		if (a->carrier && !strcmp(a->carrier, carrier) && !strcmp(a->topic, topic) &&
		    !strcmp(a->lang, "en"))
			return COVER_SOURCED;
	}
	const struct answer *def = kb_answer(kb, topic, NULL, NULL, "en");
	if (!def)
		return COVER_NONE;
	int names = 0;
	if (uses_carrier_fact(def->text, kb_facts(kb, carrier), &names))
		return COVER_SOURCED;
	return names ? COVER_ASK : COVER_NONE;
}

char *kb_coverage_table(const struct kb *kb, size_t *missing)
{
	static const char *const mark[] = {"✗", "ask", "✓"};
	size_t count[3] = {0};
	struct sbuf b = {0};
	sbuf_adds(&b, "| carrier |");
	for (size_t t = 0; kb_coverage_topics[t]; t++)
		sbuf_addf(&b, " %s |", kb_coverage_topics[t]);
	sbuf_adds(&b, "\n|---|");
	for (size_t t = 0; kb_coverage_topics[t]; t++)
		sbuf_adds(&b, ":-:|");
	sbuf_adds(&b, "\n");
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		if (r->kind != RULE_CARRIER)
			continue;
		sbuf_addf(&b, "| %s |", r->id);
		for (size_t t = 0; kb_coverage_topics[t]; t++) {
			enum coverage c = kb_coverage(kb, kb_coverage_topics[t], r->id);
			count[c]++;
			sbuf_addf(&b, " %s |", mark[c]);
		}
		sbuf_adds(&b, "\n");
	}
	sbuf_addf(&b, "\n%zu sourced (✓), %zu ask the carrier (ask), %zu missing (✗)\n",
		  count[COVER_SOURCED], count[COVER_ASK], count[COVER_NONE]);
	if (missing)
		*missing = count[COVER_NONE];
	return sbuf_take(&b);
}
