/* log — see log.h. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <systemd/sd-journal.h>
/* sd-journal.h brings <syslog.h>, whose LOG_DEBUG and LOG_INFO macros (7, 6)
 * would hide our enum log_level's constants of the same names */
#undef LOG_DEBUG
#undef LOG_INFO

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static int json_mode;
static int journal_mode;
static char *secret;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level) { min_level = level; }
void log_set_json(int on) { json_mode = on; }
void log_set_journal(int on) { journal_mode = on; }

int log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_LEN(level_names); i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_set_secret(const char *s)
{
	free(secret);
	secret = (s && *s) ? xstrdup(s) : NULL;
}

static void scrub_buf(struct sbuf *b)
{
	if (!secret)
		return;
	size_t sl = strlen(secret);
	char *hit;
	while ((hit = strstr(b->p ? b->p : "", secret)) != NULL) {
		size_t off = (size_t)(hit - b->p);
		struct sbuf out = {0};
		sbuf_add(&out, b->p, off);
		sbuf_adds(&out, "<token>");
		sbuf_adds(&out, b->p + off + sl);
		sbuf_free(b);
		*b = out;
	}
}

char *log_scrub(char *s, unsigned long cap)
{
	if (!secret || !s)
		return s;
	struct sbuf b = {0};
	sbuf_adds(&b, s);
	scrub_buf(&b);
	snprintf(s, cap, "%s", sbuf_str(&b));
	sbuf_free(&b);
	return s;
}

void log_scrub_copy(char *dst, unsigned long cap, const char *src)
{
	struct sbuf b = {0};
	sbuf_adds(&b, src);
	scrub_buf(&b);	/* before the cut: a secret cut in half no longer matches */
	size_t n = b.len < cap ? b.len : cap - 1;
	while (n < b.len && n > 0 && ((unsigned char)b.p[n] & 0xc0) == 0x80)
		n--;	/* nor is a character cut in half */
	memcpy(dst, sbuf_str(&b), n);
	dst[n] = '\0';
	sbuf_free(&b);
}

/* Decimal digits of v, right-aligned to end (no NUL); returns the first. */
static char *digits(char *end, unsigned long long v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* A field's value as text (numbers included: JSON keeps them strings):
 * the string itself, or the number written into buf (48 bytes). Numbers
 * are written by hand: vsnprintf ran twice per number (sbuf_addf) and
 * was most of a log line's cost. */
#define VALUE_BUF 48
static const char *value_text(const struct log_field *f, char *buf)
{
	char *end = buf + VALUE_BUF - 1, *p;
	*end = '\0';
	switch (f->type) {
	case LOG_STR:
		return f->v.s ? f->v.s : "";
	case LOG_INT:
		/* the magnitude as unsigned: LLONG_MIN has no positive twin */
		p = digits(end, f->v.i < 0 ? 0ULL - (unsigned long long)f->v.i
					   : (unsigned long long)f->v.i);
		if (f->v.i < 0)
			*--p = '-';
		return p;
	case LOG_UINT:
		return digits(end, f->v.u);
	case LOG_REAL:
		snprintf(buf, VALUE_BUF, "%.1f", f->v.d);
		return buf;
	}
	return "";
}

static void add_value(struct sbuf *b, const struct log_field *f)
{
	char buf[VALUE_BUF];
	sbuf_adds(b, value_text(f, buf));
}

/* Does a text value need quotes: empty, or holding a blank, '"', '=',
 * '\\' or a control character? */
static int needs_quotes(const char *v)
{
	if (!*v)
		return 1;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
			return 1;
	return 0;
}

/* key=value, the value in "..." with \" \\ \n \r \t \u00XX escapes when it
 * is empty or holds a blank, '"', '=', '\\' or a control character. Plain
 * runs are copied whole. */
static void add_text_field(struct sbuf *line, const char *key, const char *v)
{
	sbuf_addc(line, ' ');
	sbuf_adds(line, key);
	sbuf_addc(line, '=');
	if (!needs_quotes(v)) {
		sbuf_adds(line, v);
		return;
	}
	sbuf_addc(line, '"');
	const char *run = v;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
			continue;
		sbuf_add(line, run, (size_t)(p - run));
		run = p + 1;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			sbuf_add(line, e, 2);
		} else if (c == '\n') {
			sbuf_adds(line, "\\n");
		} else if (c == '\r') {
			sbuf_adds(line, "\\r");
		} else if (c == '\t') {
			sbuf_adds(line, "\\t");
		} else {
			sbuf_addf(line, "\\u%04x", c);
		}
	}
	sbuf_adds(line, run);
	sbuf_addc(line, '"');
}

static void format_json(struct sbuf *line, const char *when, const char *level,
			const char *event, const struct log_field *f, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "event", event);
	for (size_t i = 0; i < n; i++) {
		char buf[VALUE_BUF];
		cJSON_AddStringToObject(o, f[i].key, value_text(&f[i], buf));
	}
	char *s = cJSON_PrintUnformatted(o);
	if (s)	/* NULL only when out of memory, like cJSON's other failures */
		sbuf_adds(line, s);
	cJSON_free(s);
	cJSON_Delete(o);
}

/* " key=value ..." of every field, as the text line has them. */
static void add_text_fields(struct sbuf *line, const struct log_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char buf[VALUE_BUF];
		add_text_field(line, f[i].key, value_text(&f[i], buf));
	}
}

/* syslog priorities (sd-daemon.h's SD_DEBUG ... SD_ERR) by level */
static const int priorities[] = {7, 6, 4, 3};

/* Journal field names for the keys the brief's queries use; any other key
 * becomes CANCELBOT_<KEY>. */
static const struct {
	const char *key, *field;
} journal_names[] = {
	{"chat", "CHAT_ID"},
	{"update", "UPDATE_ID"},
};

static void add_journal_name(struct sbuf *b, const char *key)
{
	for (size_t i = 0; i < ARRAY_LEN(journal_names); i++)
		if (strcmp(key, journal_names[i].key) == 0) {
			sbuf_adds(b, journal_names[i].field);
			return;
		}
	sbuf_adds(b, "CANCELBOT_");
	for (const char *p = key; *p; p++) {	/* journald: A-Z, 0-9 and '_' only */
		char c = *p;
		sbuf_addc(b, c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') :
			  (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
	}
}

size_t log_journal_fields(enum log_level level, const char *event, const struct log_field *f,
			  size_t n, struct sbuf *out, size_t max)
{
	size_t k = 0;
	if (max < 4)
		return 0;
	out[k] = (struct sbuf){0};
	sbuf_addf(&out[k], "MESSAGE=event=%s", event);
	add_text_fields(&out[k++], f, n);
	out[k] = (struct sbuf){0};
	sbuf_addf(&out[k++], "PRIORITY=%d", priorities[level]);
	out[k] = (struct sbuf){0};
	sbuf_adds(&out[k++], "SYSLOG_IDENTIFIER=cancelbot");
	out[k] = (struct sbuf){0};
	sbuf_addf(&out[k++], "CANCELBOT_EVENT=%s", event);
	for (size_t i = 0; i < n && k < max; i++) {
		out[k] = (struct sbuf){0};
		add_journal_name(&out[k], f[i].key);
		sbuf_addc(&out[k], '=');
		add_value(&out[k], &f[i]);
		k++;
	}
	for (size_t i = 0; i < k; i++)
		scrub_buf(&out[i]);
	return k;
}

#define JOURNAL_MAX_FIELDS 32

/* 0 when journald took the record. */
static int send_journal(enum log_level level, const char *event, const struct log_field *f,
			size_t n)
{
	struct sbuf fields[JOURNAL_MAX_FIELDS];
	struct iovec iov[JOURNAL_MAX_FIELDS];
	size_t k = log_journal_fields(level, event, f, n, fields, JOURNAL_MAX_FIELDS);
	for (size_t i = 0; i < k; i++)
		iov[i] = (struct iovec){.iov_base = (void *)sbuf_str(&fields[i]), .iov_len = fields[i].len};
	int rc = sd_journal_sendv(iov, (int)k);
	for (size_t i = 0; i < k; i++)
		sbuf_free(&fields[i]);
	return rc;
}

static log_observer_fn *observer;
static void *observer_ctx;
static pthread_t observer_thread;
static int observing;	/* an observer that logs must not recurse */

void log_set_observer(log_observer_fn *fn, void *ctx)
{
	observer = fn;
	observer_ctx = ctx;
	observer_thread = pthread_self();
}

static void observe(enum log_level level, const char *event, const struct log_field *f, size_t n)
{
	struct sbuf line = {0};
	add_text_fields(&line, f, n);
	scrub_buf(&line);
	const char *text = sbuf_str(&line);
	observing = 1;
	observer(observer_ctx, level, event, text[0] == ' ' ? text + 1 : text);
	observing = 0;
	sbuf_free(&line);
}

void log_record(enum log_level level, const char *event, const struct log_field *f, size_t n)
{
	if (observer && level >= LOG_WARN && !observing && pthread_equal(pthread_self(), observer_thread))
		observe(level, event, f, n);
	if (level < min_level || (journal_mode && send_journal(level, event, f, n) == 0))
		return;
	struct sbuf line = {0};
	/* the time's text changes once a second: made then, per thread (a
	 * reload logs from its own) */
	static _Thread_local time_t when_sec = -1;
	static _Thread_local char when[32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != when_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		when_sec = ts.tv_sec;
	}
	if (journal_mode) {
		/* journald's socket is gone: its stream still reads a priority
		 * prefix, and adds the time itself */
		sbuf_addf(&line, "<%d>level=%s event=%s", priorities[level], level_names[level], event);
		add_text_fields(&line, f, n);
	} else if (json_mode) {
		format_json(&line, when, level_names[level], event, f, n);
	} else {
		sbuf_adds(&line, when);
		sbuf_adds(&line, " level=");
		sbuf_adds(&line, level_names[level]);
		sbuf_adds(&line, " event=");
		sbuf_adds(&line, event);
		add_text_fields(&line, f, n);
	}
	sbuf_addc(&line, '\n');
	scrub_buf(&line);
	fputs(sbuf_str(&line), stderr);
	fflush(stderr);
	sbuf_free(&line);
}
