/* log — see log.h. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"
#include "util.h"

#include <stdarg.h>
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

/* Turns "a=1 b=\"x y\"" into JSON members. Values stay strings: a log
 * reader should not have to guess types. */
static void fields_to_json(struct sbuf *out, const char *f)
{
	while (*f) {
		while (*f == ' ')
			f++;
		const char *eq = strchr(f, '=');
		if (!eq)
			break;
		sbuf_adds(out, ",\"");
		sbuf_add(out, f, (size_t)(eq - f));
		sbuf_adds(out, "\":\"");
		const char *v = eq + 1;
		int quoted = *v == '"';
		if (quoted)
			v++;
		for (; *v && (quoted ? *v != '"' : *v != ' '); v++) {
			if (quoted && *v == '\\' && v[1])
				v++;
			if (*v == '"' || *v == '\\')
				sbuf_addc(out, '\\');
			if ((unsigned char)*v < 0x20)
				sbuf_addf(out, "\\u%04x", (unsigned char)*v);
			else
				sbuf_addc(out, *v);
		}
		if (quoted && *v == '"')
			v++;
		sbuf_addc(out, '"');
		f = v;
	}
}

void log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	if (level < min_level)
		return;
	struct sbuf fields = {0}, line = {0};
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(&fields, fmt, ap);
	va_end(ap);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (json_mode) {
		sbuf_addf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"%s\"", when,
			  level_names[level], event);
		fields_to_json(&line, sbuf_str(&fields));
		sbuf_adds(&line, "}\n");
	} else {
		sbuf_addf(&line, "%s level=%s event=%s%s%s\n", when, level_names[level], event,
			  fields.len ? " " : "", sbuf_str(&fields));
	}
	scrub_buf(&line);
	fputs(sbuf_str(&line), stderr);
	fflush(stderr);
	sbuf_free(&fields);
	sbuf_free(&line);
}
