/* telegram — the Bot API over one reused libcurl handle (keep-alive).
 *
 * A call POSTs JSON to {api_url}/bot{token}/{method} and returns the decoded
 * answer or a typed error: a transport failure (no HTTP answer, bad body) or
 * an API error with Telegram's error_code, description and retry_after. The
 * token is only ever in the URL; curl's error text is scrubbed before it is
 * stored. struct tg_result owns its cJSON tree; tg_result_free() frees it.
 *
 * Calls run in one of two ways: tg_call blocks (startup, getMe, callback
 * answers); tg_start runs a request in the background, on curl's multi
 * interface, so the long poll and several sends progress together and one
 * hanging send holds up nobody else. The run loop drives background
 * requests with tg_run and collects them with tg_next_done. */
#ifndef CANCELBOT_TELEGRAM_H
#define CANCELBOT_TELEGRAM_H

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdint.h>

enum tg_status { TG_OK = 0, TG_API_ERROR = -1, TG_TRANSPORT_ERROR = -2 };

struct tg_result {
	enum tg_status status;
	long http_code;
	int error_code;			/* Telegram's, on TG_API_ERROR */
	char description[512];
	int retry_after;		/* seconds, from parameters, or 0 */
	int64_t migrate_to_chat_id;
	cJSON *json;			/* the whole answer, owned */
	char *raw;			/* the body as received, owned (NULL on transport errors) */
	size_t raw_len;
	const cJSON *result;		/* json's "result", on TG_OK */
};

struct tg_client;

/* ca_file may be NULL (system CAs). stop: when it becomes nonzero, a call in
 * progress (a long poll) is aborted so shutdown is prompt. */
struct tg_client *tg_open(const char *api_url, const char *token, const char *ca_file,
			  volatile sig_atomic_t *stop);
void tg_close(struct tg_client *c);
/* params may be NULL; timeout_s bounds the whole request. */
enum tg_status tg_call(struct tg_client *c, const char *method, const cJSON *params,
		       long timeout_s, struct tg_result *out);
/* The same with the request body as JSON text (NULL: "{}"). */
enum tg_status tg_call_body(struct tg_client *c, const char *method, const char *body,
			    long timeout_s, struct tg_result *out);
void tg_result_free(struct tg_result *r);

struct tg_req;
/* Starts method in the background; takes over body (malloc'ed JSON text).
 * lite: an answer beginning {"ok":true is not parsed (result is NULL; see
 * tg_result_message_id). user comes back with the answer. */
struct tg_req *tg_start(struct tg_client *c, const char *method, char *body, long timeout_s,
			int lite, void *user);
/* Moves background transfers on, waiting up to wait_ms for one of them
 * to make progress or a tg_watch_fd descriptor to become readable. */
void tg_run(struct tg_client *c, int wait_ms);
/* fd (the wake pipe, inotify) also ends tg_run's wait when readable; the
 * caller reads it. At most TG_EXTRA_FDS; -1 is ignored. */
#define TG_EXTRA_FDS 4
void tg_watch_fd(struct tg_client *c, int fd);
/* One finished background request: 1 with its answer in out (free with
 * tg_result_free) and its user pointer, 0 when none has finished. */
int tg_next_done(struct tg_client *c, void **user, struct tg_result *out);
/* Aborts a background request; its user pointer is not returned. */
void tg_cancel(struct tg_client *c, struct tg_req *r);
/* The message_id of a sendMessage/editMessageText answer, lite or not; 0
 * when there is none. */
int64_t tg_result_message_id(const struct tg_result *r);
/* Adds an int64 as exact JSON integer text (cJSON's numbers are doubles,
 * which round above 2^53). */
void tg_add_i64(cJSON *obj, const char *key, int64_t v);

#endif
