/* log — see log.h. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"
#include "util.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static int json_mode;
static char *secret;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level) { min_level = level; }
void log_set_json(int on) { json_mode = on; }

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

/* A field's value as text (numbers included: JSON keeps them strings). */
static void add_value(struct sbuf *b, const struct log_field *f)
{
	switch (f->type) {
	case LOG_STR: sbuf_adds(b, f->v.s ? f->v.s : ""); break;
	case LOG_INT: sbuf_addf(b, "%lld", f->v.i); break;
	case LOG_UINT: sbuf_addf(b, "%llu", f->v.u); break;
	case LOG_REAL: sbuf_addf(b, "%.1f", f->v.d); break;
	}
}

/* key=value, the value in "..." with \" \\ \n \r \t \u00XX escapes when it
 * is empty or holds a blank, '"', '=', '\\' or a control character. */
static void add_text_field(struct sbuf *line, const char *key, const char *v)
{
	int quote = !*v;
	for (const char *p = v; *p && !quote; p++)
		quote = (unsigned char)*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f;
	sbuf_addf(line, " %s=", key);
	if (!quote) {
		sbuf_adds(line, v);
		return;
	}
	sbuf_addc(line, '"');
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			sbuf_addc(line, '\\'), sbuf_addc(line, (char)c);
		else if (c == '\n')
			sbuf_adds(line, "\\n");
		else if (c == '\r')
			sbuf_adds(line, "\\r");
		else if (c == '\t')
			sbuf_adds(line, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sbuf_addf(line, "\\u%04x", c);
		else
			sbuf_addc(line, (char)c);
	}
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
		struct sbuf v = {0};
		add_value(&v, &f[i]);
		cJSON_AddStringToObject(o, f[i].key, sbuf_str(&v));
		sbuf_free(&v);
	}
	char *s = cJSON_PrintUnformatted(o);
	if (s)	/* NULL only when out of memory, like cJSON's other failures */
		sbuf_adds(line, s);
	cJSON_free(s);
	cJSON_Delete(o);
}

void log_record(enum log_level level, const char *event, const struct log_field *f, size_t n)
{
	if (level < min_level)
		return;
	struct sbuf line = {0};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (json_mode) {
		format_json(&line, when, level_names[level], event, f, n);
	} else {
		sbuf_addf(&line, "%s level=%s event=%s", when, level_names[level], event);
		for (size_t i = 0; i < n; i++) {
			struct sbuf v = {0};
			add_value(&v, &f[i]);
			add_text_field(&line, f[i].key, sbuf_str(&v));
			sbuf_free(&v);
		}
	}
	sbuf_addc(&line, '\n');
	scrub_buf(&line);
	fputs(sbuf_str(&line), stderr);
	fflush(stderr);
	sbuf_free(&line);
}
