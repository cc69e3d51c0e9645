/* log — one line per event on stderr: "level=info event=NAME key=value ...",
 * or a JSON object per line when log_format=json (journald and jq both read
 * these without extra parsing).
 *
 * The log knows the bot token and removes it from every line it writes, so
 * no caller (curl error buffers, URLs, descriptions from the server) can leak
 * it by accident. Nothing here allocates memory the caller must free. */
#ifndef CANCELBOT_LOG_H
#define CANCELBOT_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_set_json(int on);
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

/* fields: "key=value key2=value2"; values with spaces are quoted by the
 * caller with %s inside "..." or via log_q(). */
void log_event(enum log_level level, const char *event, const char *fields_fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(ev, ...) log_event(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...) log_event(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_event(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_event(LOG_ERROR, ev, __VA_ARGS__)

#endif
