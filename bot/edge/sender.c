/* sender — see sender.h. */
#define _POSIX_C_SOURCE 200809L
#include "sender.h"
#include "log.h"
#include "html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CALLBACK_TIMEOUT 10
#define MAX_ATTEMPTS 4	/* HTML, to a migrated chat, as plain text, as a new message */

void sleep_interruptible(double seconds, volatile sig_atomic_t *stop)
{
	while (seconds > 0 && !(stop && *stop)) {
		double step = seconds < 0.1 ? seconds : 0.1;
		struct timespec ts = {0, (long)(step * 1e9)};
		nanosleep(&ts, NULL);
		seconds -= step;
	}
}

void send_job_init(struct send_job *j, const struct reply *r)
{
	memset(j, 0, sizeof *j);
	j->r = r;
	j->chat = r->chat_id;
	j->edit_id = r->edit_id;
	j->out.status = SEND_FAILED;
}

const char *send_method(const struct send_job *j)
{
	return j->edit_id ? "editMessageText" : "sendMessage";
}

/* Written directly: a cJSON tree built and printed for every reply cost
 * more than the rest of the bot's own work on it. */
char *send_body(const struct send_job *j)
{
	const struct reply *r = j->r;
	struct sbuf b = {0};
	/* numbers without printf: sbuf_addf was a fifth of the body's cost */
	sbuf_adds(&b, "{\"chat_id\":");
	sbuf_add_i64(&b, j->chat);
	if (j->edit_id) {
		sbuf_adds(&b, ",\"message_id\":");
		sbuf_add_i64(&b, j->edit_id);
	}
	sbuf_adds(&b, ",\"text\":");
	if (j->plain) {
		char *t = html_to_plain(r->text);
		sbuf_add_json_str(&b, t);
		free(t);
	} else {
		sbuf_add_json_str(&b, r->text);
		sbuf_adds(&b, ",\"parse_mode\":\"HTML\"");
	}
	sbuf_adds(&b, ",\"link_preview_options\":{\"is_disabled\":true}");
	if (r->thread_id && !j->edit_id) {
		sbuf_adds(&b, ",\"message_thread_id\":");
		sbuf_add_i64(&b, r->thread_id);
	}
	if (r->reply_to && !j->edit_id) {
		sbuf_adds(&b, ",\"reply_parameters\":{\"message_id\":");
		sbuf_add_i64(&b, r->reply_to);
		sbuf_adds(&b, ",\"allow_sending_without_reply\":true}");
	}
	/* an edit always sends its keyboard: an empty one clears the old buttons */
	if (r->nbuttons || j->edit_id) {
		sbuf_adds(&b, ",\"reply_markup\":{\"inline_keyboard\":[");
		for (size_t i = 0; i < r->nbuttons; i++) {
			sbuf_adds(&b, i % 2 == 0 ? (i ? "],[" : "[") : ",");
			sbuf_adds(&b, "{\"text\":");
			sbuf_add_json_str(&b, r->buttons[i].text);
			sbuf_adds(&b, ",\"callback_data\":");
			sbuf_add_json_str(&b, r->buttons[i].data);
			sbuf_addc(&b, '}');
		}
		sbuf_adds(&b, r->nbuttons ? "]]}" : "]}");
	}
	sbuf_addc(&b, '}');
	return sbuf_take(&b);
}

int send_judge(struct send_job *j, enum tg_status st, const struct tg_result *res)
{
	const struct reply *r = j->r;
	j->attempt++;
	if (st == TG_OK) {
		j->out.status = SEND_OK;
		j->out.message_id = tg_result_message_id(res);
		return 0;
	}
	int code = st == TG_API_ERROR ? res->error_code : 0;
	int again = 0;
	if (code == 400 && j->edit_id && strstr(res->description, "message is not modified")) {
		j->out.status = SEND_OK;	/* it already says this */
		j->out.message_id = j->edit_id;
		return 0;
	}
	if (code == 400 && j->edit_id && !strstr(res->description, "can't parse entities")) {
		/* too old to edit, deleted, not ours: say it anew */
		log_info("edit_failed", KV("chat", j->chat), KV("desc", res->description),
			 KV("msg", "sent as a new message"));
		j->edit_id = 0;
		again = 1;
	} else if (code == 429) {
		j->out.status = SEND_RATE_LIMITED;
		j->out.retry_after = res->retry_after > 0 ? res->retry_after : 1;
	} else if (code == 400 && res->migrate_to_chat_id && !j->out.migrated_to) {
		log_info("chat_migrated", KV("from", j->chat), KV("to", res->migrate_to_chat_id));
		j->chat = j->out.migrated_to = res->migrate_to_chat_id;
		again = 1;
	} else if (code == 400 && !j->plain && strstr(res->description, "can't parse entities")) {
		log_error("html_rejected", KV("source", r->source[0] ? r->source : "?"),
			  KV("desc", res->description), KV("msg", "resending as plain text"));
		j->plain = again = 1;
	} else if (code == 403 || code == 400 || code == 404) {
		log_warn("send_dropped", KV("chat", j->chat), KV("code", code), KV("desc", res->description));
		j->out.status = SEND_DROPPED;
	} else {
		log_warn("send_failed", KV("chat", j->chat), KV("code", code), KV("desc", res->description));
		j->out.status = SEND_FAILED;
	}
	return again && j->attempt < MAX_ATTEMPTS;
}

struct send_result send_reply(struct tg_client *tg, const struct reply *r, long timeout_s)
{
	struct send_job j;
	send_job_init(&j, r);
	int again;
	do {
		char *body = send_body(&j);
		struct tg_result res;
		enum tg_status st = tg_call_body(tg, send_method(&j), body, timeout_s, &res);
		free(body);
		again = send_judge(&j, st, &res);
		tg_result_free(&res);
	} while (again);
	return j.out;
}

void answer_callback(struct tg_client *tg, const char *callback_id, const char *text, void *user)
{
	struct sbuf b = {0};
	sbuf_adds(&b, "{\"callback_query_id\":");
	sbuf_add_json_str(&b, callback_id);
	if (text) {
		sbuf_adds(&b, ",\"text\":");
		sbuf_add_json_str(&b, text);
	}
	sbuf_addc(&b, '}');
	tg_start(tg, "answerCallbackQuery", sbuf_take(&b), CALLBACK_TIMEOUT, 1, user);
}

int callback_answered(const struct tg_result *res)
{
	if (res->status == TG_OK)
		return 0;
	log_warn("callback_answer_failed", KV("desc", res->description));
	return -1;
}
