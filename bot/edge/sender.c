/* sender — see sender.h. */
#define _POSIX_C_SOURCE 200809L
#include "sender.h"
#include "log.h"
#include "html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEND_TIMEOUT 30

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
	tg_add_i64(p, "chat_id", chat_id);
	if (r->edit_id)
		tg_add_i64(p, "message_id", r->edit_id);
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
	if (r->thread_id && !r->edit_id)
		tg_add_i64(p, "message_thread_id", r->thread_id);
	if (r->reply_to && !r->edit_id) {
		cJSON *rp = cJSON_AddObjectToObject(p, "reply_parameters");
		tg_add_i64(rp, "message_id", r->reply_to);
		cJSON_AddTrueToObject(rp, "allow_sending_without_reply");
	}
	/* an edit always sends its keyboard: an empty one clears the old buttons */
	if (r->nbuttons || r->edit_id) {
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

struct send_result send_reply(struct tg_client *tg, const struct reply *r)
{
	struct send_result out = {.status = SEND_FAILED};
	int64_t chat = r->chat_id;
	int plain = 0;
	struct reply copy = *r;	/* an edit that can't be made is sent as a new message */
	r = &copy;
	/* at most: once as HTML, once to a migrated chat, once as plain text,
	 * once as a new message instead of an edit */
	for (int attempt = 0; attempt < 4; attempt++) {
		cJSON *p = build_message(r, chat, plain);
		struct tg_result res;
		enum tg_status st = tg_call(tg, r->edit_id ? "editMessageText" : "sendMessage", p,
					    SEND_TIMEOUT, &res);
		cJSON_Delete(p);
		if (st == TG_OK) {
			const cJSON *mid = cJSON_GetObjectItemCaseSensitive(res.result, "message_id");
			out.status = SEND_OK;
			out.message_id = cJSON_IsNumber(mid) ? (int64_t)mid->valuedouble : 0;
			tg_result_free(&res);
			return out;
		}
		int code = st == TG_API_ERROR ? res.error_code : 0;
		int again = 0;
		if (code == 400 && r->edit_id && strstr(res.description, "message is not modified")) {
			out.status = SEND_OK;	/* it already says this */
			out.message_id = r->edit_id;
			tg_result_free(&res);
			return out;
		}
		if (code == 400 && r->edit_id && !strstr(res.description, "can't parse entities")) {
			/* too old to edit, deleted, not ours: say it anew */
			log_info("edit_failed", KV("chat", chat), KV("desc", res.description),
				 KV("msg", "sent as a new message"));
			copy.edit_id = 0;
			again = 1;
		} else if (code == 429) {
			out.status = SEND_RATE_LIMITED;
			out.retry_after = res.retry_after > 0 ? res.retry_after : 1;
		} else if (code == 400 && res.migrate_to_chat_id && !out.migrated_to) {
			log_info("chat_migrated", KV("from", chat), KV("to", res.migrate_to_chat_id));
			chat = out.migrated_to = res.migrate_to_chat_id;
			again = 1;
		} else if (code == 400 && !plain && strstr(res.description, "can't parse entities")) {
			log_error("html_rejected", KV("source", r->source[0] ? r->source : "?"),
				  KV("desc", res.description), KV("msg", "resending as plain text"));
			plain = again = 1;
		} else if (code == 403 || code == 400 || code == 404) {
			log_warn("send_dropped", KV("chat", chat), KV("code", code), KV("desc", res.description));
			out.status = SEND_DROPPED;
		} else {
			log_warn("send_failed", KV("chat", chat), KV("code", code), KV("desc", res.description));
			out.status = SEND_FAILED;
		}
		tg_result_free(&res);
		if (!again)
			break;
	}
	return out;
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
		log_warn("callback_answer_failed", KV("desc", res.description));
	tg_result_free(&res);
	return st == TG_OK ? 0 : -1;
}
