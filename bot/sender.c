/* sender — see sender.h. */
#define _POSIX_C_SOURCE 200809L
#include "sender.h"
#include "log.h"
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEND_TIMEOUT 30
#define SEND_ATTEMPTS 6

void sleep_interruptible(double seconds, volatile sig_atomic_t *stop)
{
	while (seconds > 0 && !(stop && *stop)) {
		double step = seconds < 0.1 ? seconds : 0.1;
		struct timespec ts = {0, (long)(step * 1e9)};
		nanosleep(&ts, NULL);
		seconds -= step;
	}
}

static cJSON *build_message(const struct reply *r, int64_t chat_id, int plain)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "chat_id", (double)chat_id);
	if (plain) {
		char *t = html_to_plain(r->text);
		cJSON_AddStringToObject(p, "text", t);
		free(t);
	} else {
		cJSON_AddStringToObject(p, "text", r->text);
		cJSON_AddStringToObject(p, "parse_mode", "HTML");
	}
	cJSON *lp = cJSON_AddObjectToObject(p, "link_preview_options");
	cJSON_AddTrueToObject(lp, "is_disabled");
	if (r->thread_id)
		cJSON_AddNumberToObject(p, "message_thread_id", (double)r->thread_id);
	if (r->reply_to) {
		cJSON *rp = cJSON_AddObjectToObject(p, "reply_parameters");
		cJSON_AddNumberToObject(rp, "message_id", (double)r->reply_to);
		cJSON_AddTrueToObject(rp, "allow_sending_without_reply");
	}
	if (r->nbuttons) {
		cJSON *kb = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "reply_markup"),
						   "inline_keyboard");
		cJSON *row = NULL;
		for (size_t i = 0; i < r->nbuttons; i++) {
			if (i % 2 == 0) {
				row = cJSON_CreateArray();
				cJSON_AddItemToArray(kb, row);
			}
			cJSON *b = cJSON_CreateObject();
			cJSON_AddStringToObject(b, "text", r->buttons[i].text);
			cJSON_AddStringToObject(b, "callback_data", r->buttons[i].data);
			cJSON_AddItemToArray(row, b);
		}
	}
	return p;
}

int send_reply(struct tg_client *tg, const struct reply *r, volatile sig_atomic_t *stop)
{
	int64_t chat = r->chat_id;
	int plain = 0;
	double backoff = 1;
	for (int attempt = 0; attempt < SEND_ATTEMPTS && !(stop && *stop && attempt > 2); attempt++) {
		cJSON *p = build_message(r, chat, plain);
		struct tg_result res;
		enum tg_status st = tg_call(tg, "sendMessage", p, SEND_TIMEOUT, &res);
		cJSON_Delete(p);
		if (st == TG_OK) {
			tg_result_free(&res);
			return 0;
		}
		int code = res.error_code;
		log_warn("send_failed", "chat=%lld code=%d attempt=%d desc=\"%s\"", (long long)chat,
			 st == TG_API_ERROR ? code : 0, attempt + 1, res.description);
		double wait = 0;
		if (st == TG_API_ERROR && code == 429) {
			wait = res.retry_after > 0 ? res.retry_after : 1;
		} else if (st == TG_API_ERROR && res.migrate_to_chat_id) {
			log_info("chat_migrated", "from=%lld to=%lld", (long long)chat,
				 (long long)res.migrate_to_chat_id);
			chat = res.migrate_to_chat_id;
		} else if (st == TG_API_ERROR && code == 400 && !plain &&
			   strstr(res.description, "can't parse entities")) {
			log_error("html_rejected", "source=%s msg=\"resending as plain text\"",
				  r->source ? r->source : "?");
			plain = 1;
		} else if (st == TG_API_ERROR && (code == 403 || (code >= 400 && code < 500 && code != 409))) {
			log_warn("send_dropped", "chat=%lld code=%d", (long long)chat, code);
			tg_result_free(&res);
			return 0;	/* blocked, kicked or refused: resending cannot help */
		} else {
			wait = backoff;
			backoff = backoff * 2 > 30 ? 30 : backoff * 2;
		}
		tg_result_free(&res);
		sleep_interruptible(wait, NULL);
	}
	return -1;
}

int answer_callback(struct tg_client *tg, const char *callback_id, const char *text)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "callback_query_id", callback_id);
	if (text)
		cJSON_AddStringToObject(p, "text", text);
	struct tg_result res;
	enum tg_status st = tg_call(tg, "answerCallbackQuery", p, SEND_TIMEOUT, &res);
	cJSON_Delete(p);
	if (st != TG_OK)
		log_warn("callback_answer_failed", "desc=\"%s\"", res.description);
	tg_result_free(&res);
	return st == TG_OK ? 0 : -1;
}
