/* Unit tests: log — records are key/value fields serialised once, as
 * key=value text or as JSON made by cJSON; no value can break its line. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "util.h"

static const char hostile[] = "Unsupported start tag \"foo\" a=b c\\d\nnext\tline\x01";

/* What the log wrote to stderr, for the test to free. */
static char *written(void)
{
	fflush(stderr);
	FILE *f = cr_get_redirected_stderr();
	struct sbuf b = {0};
	char buf[512];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&b, buf, n);
	return sbuf_take(&b);
}

Test(log, text_quotes_and_escapes_what_needs_it, .init = cr_redirect_stderr)
{
	log_set_json(0);
	log_warn("send_failed", KV("chat", (int64_t)-100123), KV("code", 400), KV("desc", hostile),
		 KV("empty", ""), KV("none", (const char *)NULL), KV("seconds", 2.25),
		 KV("plain", "a/b.txt:3"));
	char *out = written();
	cr_expect(strstr(out, " level=warn event=send_failed chat=-100123 code=400 "
			 "desc=\"Unsupported start tag \\\"foo\\\" a=b c\\\\d\\nnext\\tline\\u0001\" "
			 "empty=\"\" none=\"\" seconds=2.2 plain=a/b.txt:3\n"), "%s", out);
	cr_expect_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
	free(out);
}

/* Numbers are written without printf: the ends of their ranges, and the
 * line's time (made once a second) is the clock's. */
Test(log, numbers_at_their_limits_and_the_time, .init = cr_redirect_stderr)
{
	log_set_json(0);
	time_t before = time(NULL);
	log_info("limits", KV("min", (long long)LLONG_MIN), KV("max", (long long)LLONG_MAX),
		 KV("zero", 0), KV("umax", (unsigned long long)ULLONG_MAX), KV("neg", -7),
		 KV("half", -0.25));
	log_info("again", KV("n", 1));
	time_t after = time(NULL);
	char *out = written();
	cr_expect(strstr(out, " level=info event=limits min=-9223372036854775808 "
			 "max=9223372036854775807 zero=0 umax=18446744073709551615 neg=-7 "
			 "half=-0.2\n"), "%s", out);
	struct tm tm;
	int ok = 0;
	for (time_t t = before; t <= after; t++) {
		char when[64];	/* the time and the rest of the line: 47 bytes */
		gmtime_r(&t, &tm);
		cr_assert(strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ level=info event=again n=1\n",
				   &tm));
		ok |= strstr(out, when) != NULL;
	}
	cr_expect(ok, "%s", out);
	free(out);
}

Test(log, json_is_one_object_with_string_values, .init = cr_redirect_stderr)
{
	log_set_json(1);
	log_error("html_rejected", KV("desc", hostile), KV("update", (int64_t)9007199254740993),
		  KV("replies", (size_t)2));
	log_set_json(0);
	char *out = written();
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
	cJSON *o = cJSON_Parse(out);
	cr_assert_not_null(o, "not JSON: %s", out);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "level")), "error");
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "event")), "html_rejected");
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "desc")), hostile);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "update")), "9007199254740993");
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "replies")), "2");
	cJSON_Delete(o);
	free(out);
}

Test(log, the_token_never_leaves, .init = cr_redirect_stderr)
{
	log_set_secret("123:SECRET");
	log_warn("getme_failed", KV("desc", "bad url https://x/bot123:SECRET/getMe"));
	log_set_secret(NULL);
	char *out = written();
	cr_expect_null(strstr(out, "SECRET"), "%s", out);
	cr_expect(strstr(out, "desc=\"bad url https://x/bot<token>/getMe\""), "%s", out);
	free(out);
}

/* Under journald a record is one journal entry: its priority, the event and
 * one field per key (CHAT_ID, UPDATE_ID, CANCELBOT_<KEY>), values whole
 * (line breaks included) and without the token. */
Test(log, journal_fields_carry_priority_event_and_each_key)
{
	struct sbuf f[16];
	log_set_secret("123:SECRET");
	size_t k = log_journal_fields(LOG_WARN, "handled",
				      (const struct log_field[]){KV("update", (int64_t)9007199254740993),
								 KV("chat", (int64_t)-100123),
								 KV("intent", "cancel"),
								 KV("desc", hostile),
								 KV("added_latency_us", 12.5),
								 KV("url", "https://x/bot123:SECRET/getMe")},
				      6, f, 16);
	log_set_secret(NULL);
	cr_assert_eq(k, 10);
	const char *want[] = {NULL, "PRIORITY=4", "SYSLOG_IDENTIFIER=cancelbot", "CANCELBOT_EVENT=handled",
			      "UPDATE_ID=9007199254740993", "CHAT_ID=-100123", "CANCELBOT_INTENT=cancel",
			      NULL, "CANCELBOT_ADDED_LATENCY_US=12.5", "CANCELBOT_URL=https://x/bot<token>/getMe"};
	for (size_t i = 0; i < k; i++)
		if (want[i])
			cr_expect_str_eq(sbuf_str(&f[i]), want[i]);
	cr_expect(!strncmp(sbuf_str(&f[0]), "MESSAGE=event=handled update=9007199254740993 chat=-100123 ", 59),
		  "%s", sbuf_str(&f[0]));
	cr_expect_null(strstr(sbuf_str(&f[0]), "SECRET"), "%s", sbuf_str(&f[0]));
	cr_expect_eq(strncmp(sbuf_str(&f[7]), "CANCELBOT_DESC=", 15), 0);
	cr_expect_str_eq(sbuf_str(&f[7]) + 15, hostile);	/* the native protocol keeps line breaks */
	for (size_t i = 0; i < k; i++)
		sbuf_free(&f[i]);
}

Test(log, journal_mode_only_when_stderr_is_the_journal_stream)
{
	struct stat st;
	cr_assert_eq(fstat(2, &st), 0);
	char js[64];
	snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	unsetenv("JOURNAL_STREAM");
	cr_expect_eq(log_stderr_is_journal(), 0);
	setenv("JOURNAL_STREAM", js, 1);
	cr_expect_eq(log_stderr_is_journal(), 1);
	setenv("JOURNAL_STREAM", "1:2", 1);	/* a child's stderr went elsewhere */
	cr_expect_eq(log_stderr_is_journal(), 0);
	setenv("JOURNAL_STREAM", "garbage", 1);
	cr_expect_eq(log_stderr_is_journal(), 0);
	unsetenv("JOURNAL_STREAM");
}

Test(log, a_copy_is_scrubbed_whole_then_cut_at_a_character)
{
	/* a description cut before scrubbing kept part of the token */
	char dst[24];
	log_set_secret("123:SECRET");
	log_scrub_copy(dst, sizeof dst, "Not found: /bot123:SECRET/getMe");
	cr_expect_str_eq(dst, "Not found: /bot<token>/");
	log_scrub_copy(dst, 13, "xxxxxxxxxx/bot123:SECRET");
	cr_expect_str_eq(dst, "xxxxxxxxxx/b", "a token across the cut leaves nothing of itself");
	log_set_secret(NULL);
	log_scrub_copy(dst, 3, "aÜb");
	cr_expect_str_eq(dst, "a", "2 bytes fit, but not half of the Ü");
	log_scrub_copy(dst, 3, "日本");
	cr_expect_str_eq(dst, "", "not even one 3-byte character fits in 2");
}
