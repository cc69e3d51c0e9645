/* telegram — the Bot API over one reused libcurl handle (keep-alive).
 *
 * A call POSTs JSON to {api_url}/bot{token}/{method} and returns the decoded
 * answer or a typed error: a transport failure (no HTTP answer, bad body) or
 * an API error with Telegram's error_code, description and retry_after. The
 * token is only ever in the URL; curl's error text is scrubbed before it is
 * stored. struct tg_result owns its cJSON tree; tg_result_free() frees it. */
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
/* Also abort a long poll (getUpdates) in progress when interrupt(user)
 * returns nonzero (checked about once a second): a reload should not wait
 * for a 50 s long poll. Other calls are short and run to their end. */
void tg_set_interrupt(struct tg_client *c, int (*interrupt)(void *), void *user);
void tg_close(struct tg_client *c);
/* params may be NULL; timeout_s bounds the whole request. */
enum tg_status tg_call(struct tg_client *c, const char *method, const cJSON *params,
		       long timeout_s, struct tg_result *out);
void tg_result_free(struct tg_result *r);
/* Adds an int64 as exact JSON integer text (cJSON's numbers are doubles,
 * which round above 2^53). */
void tg_add_i64(cJSON *obj, const char *key, int64_t v);

#endif
