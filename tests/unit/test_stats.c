/* Unit tests: the counters in the store — totals survive a reopen, warnings
 * and errors counted from the log (429s and dropped replies by event), the
 * last ones kept and capped, nothing saved lost when the store refuses a
 * flush, the STATUS= line kept for `cancelbot status`. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "log.h"
#include "stats.h"
#include "store.h"
#include "helpers_store.h"


static void answered(struct stats *s, const char *topic, const char *carrier)
{
	struct update u = {.kind = UPDATE_MESSAGE};
	struct reply r = {0};
	snprintf(r.topic, sizeof r.topic, "%s", topic);
	snprintf(r.carrier, sizeof r.carrier, "%s", carrier);
	struct dialog_out out = {.v = &r, .n = 1};
	stats_handled(s, &u, &out);
}

/* A store in a new temporary dir (the caller's template) and s counting. */
static void open_counted(char *dir, struct stats *s)
{
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	sbuf_free(&err);
	stats_open(s);
}

Test(stats, totals_survive_a_reopen)
{
	char dir[] = "/tmp/cancelbot-stats-XXXXXX";
	struct sbuf err = {0};
	struct stats s = {0};
	open_counted(dir, &s);
	answered(&s, "cancel", "att");
	answered(&s, "cancel", "");
	log_warn("rate_limited", KV("chat", 1), KV("retry_after", 3));
	log_error("reply_dropped", KV("update", 5));
	/* a flood's own drops are no failure: counted apart, not as dropped replies */
	log_warn("reply_dropped", KV("reason", "intake_full"), KV("chat", 7));
	log_warn("reply_dropped", KV("reason", "intake_full"), KV("chat", 8));
	log_info("handled", KV("update", 5));	/* not a warning: not counted */
	cr_assert_eq(stats_flush(&s, "Answering as @x"), 0);
	answered(&s, "port_out", "att");
	stats_close(&s);
	cr_assert_eq(stats_flush(&s, "Stopped"), 0);
	store_close();

	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	struct stats t = {0};
	stats_open(&t);
	cr_expect_eq(t.v[STAT_UPDATES], 3);
	cr_expect_eq(t.v[STAT_ANSWERED], 3);
	cr_expect_eq(t.v[STAT_WARNINGS], 3);
	cr_expect_eq(t.v[STAT_ERRORS], 1);
	cr_expect_eq(t.v[STAT_RATE_LIMITED], 1);
	cr_expect_eq(t.v[STAT_DROPPED], 1);
	cr_expect_eq(t.v[STAT_DROPPED_SHARE], 2);
	struct sbuf rep = {0};
	stats_report(&t, &rep);
	cr_expect(strstr(sbuf_str(&rep), "per intent: cancel 2 port_out 1"), "%s", sbuf_str(&rep));
	cr_expect(strstr(sbuf_str(&rep), "per carrier: att 2 (none) 1"), "%s", sbuf_str(&rep));
	cr_expect(strstr(sbuf_str(&rep), "429s: 1, dropped replies: 1, dropped for a chat over its "
			 "share of the intake: 2\n"), "%s", sbuf_str(&rep));
	expect_query("SELECT status FROM runtime", "Stopped");
	expect_query("SELECT group_concat(event || ' ' || fields, '; ') FROM log_events",
		     "rate_limited chat=1 retry_after=3; reply_dropped update=5; reply_dropped "
		     "reason=intake_full chat=7; reply_dropped reason=intake_full chat=8");
	stats_close(&t);
	store_close();
	sbuf_free(&rep);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(stats, a_refused_flush_keeps_the_counts_for_the_next)
{
	char dir[] = "/tmp/cancelbot-stats-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0};
	struct stats s = {0};
	answered(&s, "cancel", "att");
	cr_expect_eq(stats_flush(&s, ""), -1, "no store open");
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	cr_assert_eq(stats_flush(&s, ""), 0);
	expect_query("SELECT n FROM counters WHERE name = 'updates'", "1");
	expect_query("SELECT n FROM counters WHERE name = 'intent' AND key = 'cancel'", "1");
	cr_assert_eq(stats_flush(&s, ""), 0);	/* nothing new: nothing added twice */
	expect_query("SELECT n FROM counters WHERE name = 'updates'", "1");
	store_close();
	sbuf_free(&err);
	rm_rf(dir);
}

Test(stats, the_last_events_are_capped)
{
	char dir[] = "/tmp/cancelbot-stats-XXXXXX";
	struct sbuf err = {0};
	struct stats s = {0};
	open_counted(dir, &s);
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < STATS_EVENTS + 3; i++)	/* 3 beyond what is held */
			log_warn("send_failed", KV("round", round), KV("i", i));
		cr_assert_eq(stats_flush(&s, ""), 0);
	}
	stats_close(&s);
	char *want = xasprintf("%d", STATS_EVENTS_KEPT);
	expect_query("SELECT count(*) FROM log_events", want);
	expect_query("SELECT fields FROM log_events ORDER BY id DESC LIMIT 1", "round=9 i=15");
	cr_expect_eq(s.v[STAT_WARNINGS], 10 * (STATS_EVENTS + 3), "all counted, if not all kept");
	free(want);
	store_close();
	sbuf_free(&err);
	rm_rf(dir);
}

/* Idle, the status line alone is saved once a minute, not every 5 s (each
 * save is a commit); a changed count is saved at the 5 s pace again. */
Test(stats, idle_ticks_save_the_status_once_a_minute)
{
	char dir[] = "/tmp/cancelbot-stats-XXXXXX";
	struct sbuf err = {0};
	struct stats s = {0};
	open_counted(dir, &s);
	s.last_flush = 1000;
	stats_tick(&s, 1000 + STATS_FLUSH_EVERY + 1, "idle 1");
	expect_query("SELECT count(*) FROM runtime", "0");
	stats_tick(&s, 1000 + STATS_IDLE_FLUSH_EVERY + 1, "idle 2");
	expect_query("SELECT status FROM runtime", "idle 2");
	answered(&s, "cancel", "att");
	stats_tick(&s, 1000 + STATS_IDLE_FLUSH_EVERY + STATS_FLUSH_EVERY + 2, "busy");
	expect_query("SELECT status FROM runtime", "busy");
	expect_query("SELECT n FROM counters WHERE name = 'updates'", "1");
	store_close();
	sbuf_free(&err);
	rm_rf(dir);
}
