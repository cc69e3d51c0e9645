/* Unit tests: kb_facts — dates of review and of sources, the footer's note
 * on old sources, --max-age on both, {carrier_unknown}, and the carriers ×
 * topics coverage table. */
#include <criterion/criterion.h>

#include "helpers_kb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kb.h"
#include "facts.h"
#include "load.h"
#include "normalize.h"
#include "render.h"

SHIPPED_KB_SUITE(kb_facts);

Test(kb_facts, dates_are_whole_years_months_or_days)
{
	cr_expect_eq(kb_date_days("1970-01-01", 0), 0);
	cr_expect_eq(kb_date_days("1970-01", 1), 30);
	cr_expect_eq(kb_date_days("1970", 1), 364);
	cr_expect_eq(kb_date_days("2024-02", 1) - kb_date_days("2024-02", 0), 28, "leap February");
	cr_expect_eq(kb_date_days("2019-12-10", 0), kb_date_days("2019-12-10", 1));
	const char *bad[] = {"", "2026-1", "2026-13", "2026-11-5", "2026-02-30", "26-11", "2026-11x",
			     "2026/11", "tomorrow", NULL};
	for (size_t i = 0; bad[i]; i++)
		cr_expect_eq(kb_date_days(bad[i], 0), -1, "'%s' is not a date", bad[i]);
	cr_expect_eq(kb_date_days(NULL, 0), -1);
}

Test(kb_facts, a_source_over_three_years_older_than_the_review_is_old)
{
	cr_expect_eq(kb_source_old_year(kb_facts(kb, "att")), 2019, "AT&T prepaid terms, 2019");
	cr_expect_eq(kb_source_old_year(kb_facts(kb, "tmobile")), 0, "T-Mobile's oldest is 2024");
	cr_expect_eq(kb_source_old_year(kb_facts(kb, "cricket")), 0, "no dated source");
	cr_expect_eq(kb_source_old_year(kb_facts(kb, "general")), 0);
}

static char *render_topic(const char *topic, const char *carrier, const char *lang)
{
	const struct answer *a = kb_answer(kb, topic, carrier, NULL, lang);
	cr_assert_not_null(a, "%s/%s", topic, lang);
	struct sbuf err = {0};
	char *html = render_answer(kb, a, carrier, 1, &err);
	cr_assert_not_null(html, "%s", sbuf_str(&err));
	sbuf_free(&err);
	return html;
}

/* The footer used to say "Facts checked 2026-11" under facts from a 2019
 * page, as if the page were new. */
Test(kb_facts, the_footer_says_when_facts_rest_on_an_old_source)
{
	char *att = render_topic("fees", "att", "en"), *att_zh = render_topic("fees", "att", "zh");
	char *tmo = render_topic("fees", "tmobile", "en"), *none = render_topic("fees", NULL, "en");
	char *want = xasprintf("Facts checked %s, some resting on a 2019 source.",
			       facts_get(kb_facts(kb, "att"), "reviewed", NULL));
	char *want_tmo = xasprintf("Facts checked %s. Policies",
				   facts_get(kb_facts(kb, "tmobile"), "reviewed", NULL));
	cr_expect(strstr(att, want), "%s", att);
	cr_expect(strstr(att_zh, "（部分依据 2019 年的资料）"), "%s", att_zh);
	cr_expect(strstr(tmo, want_tmo), "%s", tmo);
	free(want);
	free(want_tmo);
	cr_expect_null(strstr(none, "source"), "%s", none);
	free(att);
	free(att_zh);
	free(tmo);
	free(none);
}

/* A copy of the shipped knowledge base with one replacement made in
 * responses/carriers.ini (old must occur). */
static char *copy_with(const char *old, const char *new)
{
	char *dir = kb_copy();
	char *path = xasprintf("%s/responses/carriers.ini", dir);
	size_t n = 0;
	char *text = read_file(path, &n);
	cr_assert_not_null(text);
	char *at = strstr(text, old);
	cr_assert_not_null(at, "%s", old);
	char *edited = xasprintf("%.*s%s%s", (int)(at - text), text, new, at + strlen(old));
	write_text(path, edited);
	free(edited);
	free(text);
	free(path);
	return dir;
}

static struct kb *load_copy(const char *dir, int max_age, struct sbuf *err, struct sbuf *warn)
{
	struct kb_load_opts opts = {.max_age_days = max_age, .max_source_age_days = max_age};
	return kb_load_copy(dir, &opts, err, warn);
}

Test(kb_facts, check_rejects_a_source_date_that_is_no_date_or_after_the_review)
{
	static const char *const cases[][2] = {
		{"source_date = 2024\n", "source_date = 2024-13\n"},
		{"source_date = 2024\n", "source_date = 2027-01\n"},
		{"source_date = 2024\n", "source_date = soon\n"},
	};
	static const char *const want[] = {"is not YYYY, YYYY-MM or YYYY-MM-DD",
					   "source_date 2027-01 is after reviewed 2026-11",
					   "[tmobile] source_date 'soon'"};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *dir = copy_with(cases[i][0], cases[i][1]);
		struct sbuf err = {0}, warn = {0};
		struct kb *k = load_copy(dir, 0, &err, &warn);
		cr_expect_null(k);
		cr_expect(strstr(sbuf_str(&err), want[i]), "want \"%s\" in:\n%s", want[i],
			  sbuf_str(&err));
		kb_free(k);
		sbuf_free(&err);
		sbuf_free(&warn);
		rm_rf(dir);
		free(dir);
	}
}

/* Limits are counted back from today, so the test does not age. */
static int days_back_to(const char *date)
{
	return (int)(time(NULL) / 86400 - kb_date_days(date, 0));
}

Test(kb_facts, max_age_warns_on_old_reviews_and_on_old_sources)
{
	char *d2 = copy_with("source_date = 2024\nreviewed = 2026-11\n",
			     "source_date = 2024\nreviewed = 2025-01\n");
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_copy(d2, days_back_to("2020-06"), &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	const char *w = sbuf_str(&warn);
	cr_expect(strstr(w, "[att] facts rest on a source from 2019-12-10"), "%s", w);
	cr_expect(strstr(w, "[verizon] facts rest on a source from 2014"), "%s", w);
	cr_expect_null(strstr(w, "[tmobile] facts rest"), "2024 is newer: %s", w);
	cr_expect_null(strstr(w, "reviewed"), "no review is older than 2020-06: %s", w);
	kb_free(k);
	sbuf_free(&warn);
	k = load_copy(d2, days_back_to("2025-06"), &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&warn), "[tmobile] facts were reviewed"), "%s", sbuf_str(&warn));
	cr_expect_null(strstr(sbuf_str(&warn), "[att] facts were reviewed"), "%s", sbuf_str(&warn));
	kb_free(k);
	sbuf_free(&warn);
	k = load_copy(d2, 0, &err, &warn);
	cr_expect_eq(warn.len, 0, "0 turns both off: %s", sbuf_str(&warn));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	rm_rf(d2);
	free(d2);
}

/* "Tell me your carrier" under a named carrier's answer was the symptom:
 * {carrier_unknown} keeps that line only when no carrier is known. */
Test(kb_facts, tell_me_your_carrier_only_when_none_is_known)
{
	const char *topics[] = {"fees", "online", "suspend", "abroad", NULL};
	for (size_t i = 0; topics[i]; i++) {
		char *none = render_topic(topics[i], NULL, "en");
		char *boost = render_topic(topics[i], "boost", "en");
		char *boost_zh = render_topic(topics[i], "boost", "zh");
		cr_expect(strstr(none, "Tell me your carrier"), "%s: %s", topics[i], none);
		cr_expect_null(strstr(boost, "Tell me your carrier"), "%s: %s", topics[i], boost);
		cr_expect_null(strstr(boost_zh, "告诉我你的运营商"), "%s: %s", topics[i], boost_zh);
		cr_expect(strstr(boost, "Boost Mobile"), "%s names the carrier: %s", topics[i], boost);
		cr_expect_null(strstr(boost, "\n\n\n"), "%s: one blank line before the footer: %s",
			       topics[i], boost);
		free(none);
		free(boost);
		free(boost_zh);
	}
}

Test(kb_facts, every_carrier_and_topic_is_sourced_or_says_what_to_ask)
{
	size_t missing = 99;
	char *table = kb_coverage_table(kb, &missing);
	cr_expect_eq(missing, 0, "%s", table);
	cr_expect(strstr(table, "| att | ✓ |"), "%s", table);
	free(table);
	cr_expect_eq(kb_coverage(kb, "cancel", "lyca"), COVER_SOURCED, "its own section");
	cr_expect_eq(kb_coverage(kb, "fees", "lyca"), COVER_SOURCED, "[default] with {?fees}");
	cr_expect_eq(kb_coverage(kb, "final_bill", "lyca"), COVER_ASK, "Ask {name}: …");
	cr_expect_eq(kb_coverage(kb, "no_such_topic", "lyca"), COVER_NONE);
}
