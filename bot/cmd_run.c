/* cmd_run — `cancelbot run`: the long-polling loop. Fetches updates, skips
 * what was already handled, hands each to the dialog, sends the replies,
 * saves the offset; backs off on faults; exits cleanly on SIGTERM/SIGINT
 * after confirming the offset with one last getUpdates. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "commands.h"
#include "dialog.h"
#include "log.h"
#include "normalize.h"
#include "sender.h"
#include "state.h"
#include "telegram.h"
#include "update.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MIN 1.0
#define BACKOFF_MAX 60.0
#define POLL_MARGIN 15	/* seconds on top of the long-poll timeout */

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct bot {
	struct config cfg;
	struct kb *kb;
	struct state st;
	struct tg_client *tg;
	char *username;
	int64_t bot_id;
	double backoff;
};

/* Exponential backoff with jitter, so many restarted bots do not retry in
 * lockstep; never a tight loop. */
static void back_off(struct bot *b, const char *why)
{
	double wait = b->backoff * (0.5 + (double)rand() / RAND_MAX / 2);
	log_warn("backoff", "seconds=%.1f reason=\"%s\"", wait, why);
	sleep_interruptible(wait, &stop_flag);
	b->backoff = b->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : b->backoff * 2;
}

/* getMe: 0 ok, 1 token rejected (fatal), -1 try again. */
static int get_me(struct bot *b)
{
	struct tg_result r;
	enum tg_status st = tg_call(b->tg, "getMe", NULL, 30, &r);
	if (st == TG_API_ERROR && (r.error_code == 401 || r.error_code == 404)) {
		log_error("token_rejected", "msg=\"Telegram rejected the token (HTTP %d); check "
			  "[telegram] token or CANCELBOT_TOKEN\"", r.error_code);
		tg_result_free(&r);
		return 1;
	}
	if (st != TG_OK || !cJSON_IsObject(r.result)) {
		log_warn("getme_failed", "desc=\"%s\"", r.description);
		tg_result_free(&r);
		return -1;
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(r.result, "username");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(r.result, "id");
	const cJSON *all = cJSON_GetObjectItemCaseSensitive(r.result, "can_read_all_group_messages");
	b->username = xstrdup(cJSON_IsString(u) ? u->valuestring : "");
	b->bot_id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
	log_info("connected", "bot=@%s id=%lld", b->username, (long long)b->bot_id);
	if (b->cfg.group_mode == GROUP_AUTO && !cJSON_IsTrue(all))
		log_warn("privacy_mode", "msg=\"group_mode=auto, but privacy mode is on: Telegram "
			 "shows this bot only commands, mentions and replies in groups. Turn it off "
			 "with @BotFather /setprivacy -> Disable (then re-add the bot to each group), "
			 "or make the bot a group admin.\"");
	tg_result_free(&r);
	return 0;
}

static void set_commands(struct bot *b)
{
	static const char *const langs[] = {NULL, "zh"};
	for (size_t l = 0; l < 2; l++) {
		cJSON *p = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(p, "commands");
		for (const struct command *c = commands; c->name; c++) {
			if (c->admin_only)
				continue;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "command", c->name);
			cJSON_AddStringToObject(o, "description", langs[l] ? c->desc_zh : c->desc_en);
			cJSON_AddItemToArray(arr, o);
		}
		if (langs[l])
			cJSON_AddStringToObject(p, "language_code", langs[l]);
		struct tg_result r;
		if (tg_call(b->tg, "setMyCommands", p, 30, &r) != TG_OK)
			log_warn("set_commands_failed", "desc=\"%s\"", r.description);
		tg_result_free(&r);
		cJSON_Delete(p);
	}
}

static void handle(struct bot *b, const struct update *u)
{
	struct dialog_env env = {.kb = b->kb, .cfg = &b->cfg, .bot_username = b->username,
				 .bot_id = b->bot_id, .now = time(NULL)};
	struct dialog_out out;
	if (u->migrate_to_chat_id)
		log_info("chat_migrated", "from=%lld to=%lld", (long long)u->chat_id,
			 (long long)u->migrate_to_chat_id);
	dialog_handle(&env, u, &out);
	if (out.answer_callback)
		answer_callback(b->tg, u->callback_id, out.callback_text);
	for (size_t i = 0; i < out.n; i++)
		if (send_reply(b->tg, &out.v[i], &stop_flag) < 0)
			log_error("reply_lost", "update=%lld chat=%lld", (long long)u->update_id,
				  (long long)out.v[i].chat_id);
	log_info("handled", "update=%lld chat_type=%s replies=%zu unmatched=%d",
		 (long long)u->update_id, u->chat_type[0] ? u->chat_type : "-", out.n, out.unmatched);
	dialog_out_free(&out);
}

static void handle_batch(struct bot *b, const cJSON *result)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, result) {
		struct update u;
		if (update_parse(item, &u) < 0) {
			log_warn("update_unusable", "msg=\"no update_id; skipped\"");
			continue;
		}
		if (state_seen(&b->st, u.update_id)) {
			log_debug("duplicate", "update=%lld", (long long)u.update_id);
		} else {
			if (u.kind == UPDATE_SKIP)
				log_info("skipped", "update=%lld reason=\"%s\"", (long long)u.update_id,
					 u.skip_reason);
			else
				handle(b, &u);
			if (state_mark(&b->st, u.update_id) < 0)
				log_error("state_save_failed", "dir=%s", b->st.dir);
		}
		update_free(&u);
		if (stop_flag)
			break;	/* finish the update in hand, leave the rest unconfirmed */
	}
}

static cJSON *poll_params(struct bot *b, int timeout)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "offset", (double)b->st.offset);
	cJSON_AddNumberToObject(p, "timeout", timeout);
	cJSON_AddNumberToObject(p, "limit", 100);
	cJSON *au = cJSON_AddArrayToObject(p, "allowed_updates");
	cJSON_AddItemToArray(au, cJSON_CreateString("message"));
	cJSON_AddItemToArray(au, cJSON_CreateString("callback_query"));
	return p;
}

/* One getUpdates round. Returns 1 when the token was rejected (fatal). */
static int poll_once(struct bot *b)
{
	cJSON *p = poll_params(b, b->cfg.poll_timeout);
	struct tg_result r;
	enum tg_status st = tg_call(b->tg, "getUpdates", p, b->cfg.poll_timeout + POLL_MARGIN, &r);
	cJSON_Delete(p);
	if (stop_flag && st != TG_OK) {
		tg_result_free(&r);
		return 0;
	}
	if (st == TG_OK && cJSON_IsArray(r.result)) {
		b->backoff = BACKOFF_MIN;
		handle_batch(b, r.result);
	} else if (st == TG_API_ERROR && r.error_code == 401) {
		log_error("token_rejected", "msg=\"Telegram rejected the token\"");
		tg_result_free(&r);
		return 1;
	} else if (st == TG_API_ERROR && r.error_code == 409) {
		log_error("conflict", "msg=\"409 Conflict: %s. Another instance is polling with this "
			  "token, or a webhook is set (drop_webhook = true deletes it)\"",
			  r.description);
		back_off(b, "409 conflict");
	} else if (st == TG_API_ERROR && r.error_code == 429) {
		log_warn("flood_wait", "seconds=%d", r.retry_after);
		sleep_interruptible(r.retry_after > 0 ? r.retry_after : 1, &stop_flag);
	} else {
		back_off(b, st == TG_OK ? "getUpdates result is not an array" : r.description);
	}
	tg_result_free(&r);
	return 0;
}

static void confirm_offset(struct bot *b)
{
	cJSON *p = poll_params(b, 0);
	cJSON_AddNumberToObject(p, "limit", 1);
	struct tg_result r;
	volatile sig_atomic_t saved = stop_flag;
	stop_flag = 0;	/* let this last short call through */
	if (tg_call(b->tg, "getUpdates", p, 5, &r) == TG_OK)
		log_info("offset_confirmed", "offset=%lld", (long long)b->st.offset);
	stop_flag = saved;
	tg_result_free(&r);
	cJSON_Delete(p);
}

static int run_bot(struct bot *b)
{
	int rc;
	while ((rc = get_me(b)) < 0 && !stop_flag)
		back_off(b, "getMe failed");
	if (rc > 0)
		return 1;
	if (stop_flag)
		return 0;
	b->backoff = BACKOFF_MIN;
	if (b->cfg.drop_webhook) {
		struct tg_result r;
		tg_call(b->tg, "deleteWebhook", NULL, 30, &r);
		tg_result_free(&r);
	}
	set_commands(b);
	while (!stop_flag)
		if (poll_once(b))
			return 1;
	confirm_offset(b);
	log_info("stopped", "offset=%lld", (long long)b->st.offset);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *path = "config.ini";
	int opt;
	optind = 1;
	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c') {
			fprintf(stderr, "usage: cancelbot run [-c FILE]\n");
			return 2;
		}
		path = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: cancelbot run [-c FILE]\n");
		return 2;
	}
	struct bot b = {.backoff = BACKOFF_MIN};
	if (app_config(&b.cfg, path, 1, 1) < 0) {
		config_free(&b.cfg);
		return 1;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	struct sigaction sa = {.sa_handler = on_stop};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = 1;
	struct sbuf err = {0};
	b.kb = app_kb(&b.cfg);
	if (b.kb && state_open(&b.st, b.cfg.state_dir, &err) == 0) {
		b.tg = tg_open(b.cfg.api_url, b.cfg.token, b.cfg.ca_file, &stop_flag);
		rc = b.tg ? run_bot(&b) : 1;
		tg_close(b.tg);
	} else if (b.kb) {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
	}
	state_close(&b.st);
	sbuf_free(&err);
	kb_free(b.kb);
	free(b.username);
	config_free(&b.cfg);
	normalize_done();
	log_set_secret(NULL);
	return rc;
}
