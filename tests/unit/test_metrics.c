/* Unit tests: the Prometheus text file — every counter with HELP and TYPE,
 * label values escaped, written whole under its name (the .tmp renamed,
 * none left), readable by another user (0644); a path that can't be
 * written fails without harm and is logged once, not every minute. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "metrics.h"

static void fill(struct stats *s)
{
	memset(s, 0, sizeof *s);
	s->started = 1700000000;
	s->v[STAT_UPDATES] = 12;
	s->v[STAT_RATE_LIMITED] = 3;
	snprintf(s->intents[0].key, sizeof s->intents[0].key, "cancel");
	s->intents[0].n = 7;
	snprintf(s->carriers[0].key, sizeof s->carriers[0].key, "a\"b\\c\nd");
	s->carriers[0].n = 2;
}

Test(metrics, the_text_format)
{
	struct stats s;
	fill(&s);
	struct sbuf out = {0};
	metrics_format(&s, &out);
	const char *t = sbuf_str(&out);
	cr_expect(strstr(t, "# HELP cancelbot_updates_total Updates handled. (all time)\n"
			 "# TYPE cancelbot_updates_total counter\ncancelbot_updates_total 12\n"), "%s", t);
	cr_expect(strstr(t, "\ncancelbot_rate_limited_total 3\n"), "%s", t);
	cr_expect(strstr(t, "\ncancelbot_dropped_replies_total 0\n"), "%s", t);
	cr_expect(strstr(t, "# HELP cancelbot_dropped_over_share_total Oldest questions of a "
			 "flooding chat dropped"), "%s", t);
	cr_expect_not(strstr(t, "(null)"), "a counter without its HELP text: %s", t);
	cr_expect(strstr(t, "\ncancelbot_answers_by_intent_total{intent=\"cancel\"} 7\n"), "%s", t);
	cr_expect(strstr(t, "{carrier=\"a\\\"b\\\\c\\nd\"} 2\n"), "escaped: %s", t);
	cr_expect(strstr(t, "\ncancelbot_start_time_seconds 1700000000\n"), "%s", t);
	/* every sample line is NAME[{...}] NUMBER: nothing a parser trips on */
	size_t lines = 0;
	for (const char *l = t; *l; l = strchr(l, '\n') + 1, lines++)
		if (*l != '#')
			cr_expect(strncmp(l, "cancelbot_", 10) == 0, "%.60s", l);
	cr_expect_gt(lines, 3 * STAT_N);
	sbuf_free(&out);
}

Test(metrics, written_atomically_and_failing_quietly)
{
	char dir[] = "/tmp/cancelbot-metrics-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct stats s;
	fill(&s);
	char *path = xasprintf("%s/cancelbot.prom", dir), *tmp = xasprintf("%s.tmp", path);
	mode_t was = umask(077);
	cr_assert_eq(metrics_write(path, &s), 0);
	umask(was);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0644, "readable by the collector despite the unit's"
		     " umask 0077: %o", st.st_mode & 0777);
	cr_expect_eq(access(tmp, F_OK), -1, "no .tmp left");
	char *text = read_file(path, NULL);
	cr_expect(strstr(text, "cancelbot_updates_total 12\n"));
	free(text);
	double last = 0;
	s.v[STAT_UPDATES] = 13;
	metrics_tick(path, &s, 1000, &last);
	cr_expect_eq(last, 1000);
	s.v[STAT_UPDATES] = 14;
	metrics_tick(path, &s, 1030, &last);	/* within the minute: not written */
	text = read_file(path, NULL);
	cr_expect(strstr(text, "cancelbot_updates_total 13\n"), "%s", text);
	free(text);
	metrics_tick(NULL, &s, 5000, &last);	/* no file configured: nothing */
	char *bad = xasprintf("%s/missing/cancelbot.prom", dir);
	cr_expect_eq(metrics_write(bad, &s), -1);
	cr_expect_eq(metrics_write(bad, &s), -1);
	free(bad);
	free(tmp);
	free(path);
	rm_rf(dir);
}
