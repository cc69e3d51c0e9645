/* metrics — see metrics.h. */
#define _POSIX_C_SOURCE 200809L
#include "metrics.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* HELP text of each plain counter, by stat_id; the metric is
 * cancelbot_<stat name>_total. */
static const char *const help[STAT_N] = {
	[STAT_UPDATES] = "Updates handled.",
	[STAT_MESSAGES] = "Messages among the updates.",
	[STAT_CALLBACKS] = "Button presses among the updates.",
	[STAT_ANSWERED] = "Updates answered with an intent's answer.",
	[STAT_UNMATCHED] = "Questions addressed to the bot that matched nothing.",
	[STAT_SENT] = "Messages sent (or edited) on Telegram.",
	[STAT_WARNINGS] = "Log records at level warn.",
	[STAT_ERRORS] = "Log records at level error.",
	[STAT_RATE_LIMITED] = "429 answers from Telegram (sends and getUpdates).",
	[STAT_DROPPED] = "Replies given up on (refused for good, too old, or the chat's own queue full).",
	[STAT_DROPPED_SHARE] = "Oldest questions of a flooding chat dropped: it held more than its share of the intake.",
	[STAT_RELOADS] = "Knowledge-base reloads tried.",
	[STAT_INLINE] = "Inline queries among the updates.",
};

/* A label value: backslash, double quote and line feed escaped. */
static void add_label(struct sbuf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sbuf_addc(out, '\\');
		if (*v == '\n')
			sbuf_adds(out, "\\n");
		else
			sbuf_addc(out, *v);
	}
}

static void keyed(struct sbuf *out, const char *name, const char *label, const char *what,
		  const struct stats_count *v)
{
	sbuf_addf(out, "# HELP cancelbot_%s_total %s\n# TYPE cancelbot_%s_total counter\n", name,
		  what, name);
	for (size_t i = 0; i < STATS_KEYS && v[i].key[0]; i++) {
		sbuf_addf(out, "cancelbot_%s_total{%s=\"", name, label);
		add_label(out, v[i].key);
		sbuf_addf(out, "\"} %lu\n", v[i].n);
	}
}

void metrics_format(const struct stats *s, struct sbuf *out)
{
	for (int i = 0; i < STAT_N; i++)
		sbuf_addf(out, "# HELP cancelbot_%s_total %s (all time)\n"
			  "# TYPE cancelbot_%s_total counter\ncancelbot_%s_total %lu\n",
			  stat_names[i], help[i], stat_names[i], stat_names[i], s->v[i]);
	keyed(out, "answers_by_intent", "intent", "Answers by intent (all time).", s->intents);
	keyed(out, "answers_by_carrier", "carrier", "Answers by carrier (all time).", s->carriers);
	sbuf_addf(out, "# HELP cancelbot_start_time_seconds When the bot started (Unix time).\n"
		  "# TYPE cancelbot_start_time_seconds gauge\ncancelbot_start_time_seconds %lld\n",
		  (long long)s->started);
	/* a stale file (the bot died) shows as an old timestamp: alert on it */
	sbuf_addf(out, "# HELP cancelbot_metrics_written_seconds When this file was written (Unix"
		  " time).\n# TYPE cancelbot_metrics_written_seconds gauge\n"
		  "cancelbot_metrics_written_seconds %lld\n", (long long)time(NULL));
}

static int failing;	/* the last write failed: say so once until one works */

int metrics_write(const char *path, const struct stats *s)
{
	struct sbuf text = {0};
	metrics_format(s, &text);
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* 0644 whatever the umask (the unit's is 0077): the collector reads it */
	int ok = fd >= 0 && fchmod(fd, 0644) == 0;
	for (size_t done = 0; ok && done < text.len;) {
		ssize_t n = write(fd, text.p + done, text.len - done);
		ok = n > 0;
		done += ok ? (size_t)n : 0;
	}
	if (fd >= 0)
		ok &= close(fd) == 0;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		if (!failing)
			log_warn("metrics_write_failed", KV("path", path), KV("msg", strerror(errno)));
		unlink(tmp);
	} else if (failing) {
		log_info("metrics_written", KV("path", path), KV("msg", "writing again"));
	}
	failing = !ok;
	free(tmp);
	sbuf_free(&text);
	return ok ? 0 : -1;
}

void metrics_tick(const char *path, const struct stats *s, double now, double *last)
{
	if (!path || !*path || (*last > 0 && now - *last < METRICS_EVERY))
		return;
	*last = now;
	metrics_write(path, s);
}
