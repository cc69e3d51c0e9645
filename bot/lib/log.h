/* log — one record per event on stderr, made of key/value fields that are
 * serialised once: "TIME level=L event=E key=value ..." (a value is quoted
 * and escaped when it needs to be), or with log_format=json one JSON object
 * per line built with cJSON (values are strings: a reader should not have
 * to guess types). Either way a value holding quotes, '=', spaces or line
 * breaks (a server's error description, a reload problem) stays one value.
 *
 *     log_warn("send_failed", KV("chat", chat), KV("desc", res.description));
 *
 * KV takes a string (NULL is logged as ""), an integer or a double (shown
 * with one decimal). The log knows the bot token and removes it from every
 * line it writes, so no caller (curl error buffers, URLs, descriptions from
 * the server) can leak it by accident. Nothing here allocates memory the
 * caller must free.
 *
 * Under journald (a systemd service whose stderr is the journal stream:
 * $JOURNAL_STREAM names it) a record goes instead through sd_journal_sendv
 * with its priority and one journal field per key/value (a third
 * serialiser): `journalctl -p warning`, `journalctl CANCELBOT_EVENT=handled`
 * and `journalctl CANCELBOT_INTENT=cancel` work. */
#ifndef CANCELBOT_LOG_H
#define CANCELBOT_LOG_H

#include <stddef.h>

struct sbuf;

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_set_json(int on);
/* 1 when stderr is journald's stream: $JOURNAL_STREAM is "DEV:INODE" of fd 2. */
int log_stderr_is_journal(void);
/* Send records to the journal (sd_journal_sendv) instead of stderr; when
 * journald refuses one (libsystemd drops it silently when there is no
 * journald at all) it goes to stderr as text after a "<N>" priority. */
void log_set_journal(int on);
int log_parse_level(const char *s, enum log_level *out);
/* Remember a secret to scrub; NULL or "" forgets it. Copies the string. */
void log_set_secret(const char *secret);
/* Replaces every occurrence of the secret in s (in place) with "<token>"
 * when it fits; returns s. Use on any text that leaves the process. */
char *log_scrub(char *s, unsigned long cap);
/* Copies src into dst (cap > 0 bytes with the NUL) with the secret removed
 * first, then cut at a character boundary: text longer than dst (a server's
 * description) must be scrubbed whole, or a secret straddling the cut
 * survives in part. */
void log_scrub_copy(char *dst, unsigned long cap, const char *src);

/* One field of a record; the value is borrowed for the call. */
struct log_field {
	const char *key;
	enum { LOG_STR, LOG_INT, LOG_UINT, LOG_REAL } type;
	union {
		const char *s;
		long long i;
		unsigned long long u;
		double d;
	} v;
};

static inline struct log_field log_kv_s(const char *k, const char *v)
{
	return (struct log_field){.key = k, .type = LOG_STR, .v.s = v};
}
static inline struct log_field log_kv_i(const char *k, long long v)
{
	return (struct log_field){.key = k, .type = LOG_INT, .v.i = v};
}
static inline struct log_field log_kv_u(const char *k, unsigned long long v)
{
	return (struct log_field){.key = k, .type = LOG_UINT, .v.u = v};
}
static inline struct log_field log_kv_d(const char *k, double v)
{
	return (struct log_field){.key = k, .type = LOG_REAL, .v.d = v};
}

#define KV(k, x) _Generic((x), \
	char *: log_kv_s, const char *: log_kv_s, \
	int: log_kv_i, long: log_kv_i, long long: log_kv_i, \
	unsigned: log_kv_u, unsigned long: log_kv_u, unsigned long long: log_kv_u, \
	float: log_kv_d, double: log_kv_d)((k), (x))

void log_record(enum log_level level, const char *event, const struct log_field *f, size_t n);

/* Called with every warn and error record, whatever the level filter and
 * wherever records go: its fields as one "key=value ..." text line,
 * scrubbed of the secret (borrowed for the call). The counters and the
 * last errors `cancelbot status` shows (stats) come from here. NULL: none.
 * Only records of the thread that set it are observed (a reload loading on
 * its own thread is not counted). The observer must not log. */
typedef void log_observer_fn(void *ctx, enum log_level level, const char *event,
			     const char *fields);
void log_set_observer(log_observer_fn *fn, void *ctx);

/* The journal entry of one record, as "NAME=value" strings added to out[]
 * (at most max; returns how many): MESSAGE= (the text line without the
 * time), PRIORITY= (debug 7, info 6, warn 4, error 3), SYSLOG_IDENTIFIER=,
 * CANCELBOT_EVENT=, then one per field: chat -> CHAT_ID, update ->
 * UPDATE_ID, any other key -> CANCELBOT_ + the key in capitals. The secret
 * is scrubbed from every one. The caller frees each sbuf. */
size_t log_journal_fields(enum log_level level, const char *event, const struct log_field *f,
			  size_t n, struct sbuf *out, size_t max);

/* log_info("event", KV(...), ...): at least one field. */
#define LOG_FIELDS_(...) (const struct log_field[]){__VA_ARGS__}, \
	sizeof((const struct log_field[]){__VA_ARGS__}) / sizeof(struct log_field)
#define log_debug(ev, ...) log_record(LOG_DEBUG, ev, LOG_FIELDS_(__VA_ARGS__))
#define log_info(ev, ...) log_record(LOG_INFO, ev, LOG_FIELDS_(__VA_ARGS__))
#define log_warn(ev, ...) log_record(LOG_WARN, ev, LOG_FIELDS_(__VA_ARGS__))
#define log_error(ev, ...) log_record(LOG_ERROR, ev, LOG_FIELDS_(__VA_ARGS__))

#endif
