/* cmd_run — `cancelbot run`: the long-polling loop. It fetches updates,
 * skips what was already handled, hands each to the dialog, queues the
 * replies in the outbox, sends them within Telegram's limits, and confirms
 * an update only once its replies are out. Faults back off; SIGTERM/SIGINT
 * end it cleanly (flush the outbox for a few seconds, confirm the offset). */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "bot.h"
#include "kbedit.h"
#include "langs.h"
#include "log.h"
#include "normalize.h"
#include "notify.h"
#include "sender.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_FLUSH 5.0	/* seconds to keep sending after SIGTERM */

static volatile sig_atomic_t stop_flag, hup_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* STATUS= for systemctl status: what an operator checks first. */
static void run_status(void *ctx, char *buf, size_t cap)
{
	struct bot *b = ctx;
	char age[48] = "no update yet";
	if (b->last_update > 0)
		snprintf(age, sizeof age, "last update %.0f s ago", now_seconds() - b->last_update);
	snprintf(buf, cap, "Answering as @%s; %zu replies queued; %s; kb: %zu intents, %zu answers; "
		 "last reload: %s", b->username ? b->username : "?", outbox_len(b->ob), age,
		 b->kb ? b->kb->counts[RULE_INTENT] : 0, b->kb ? b->kb->nanswers : 0,
		 b->stats.last_reload ? b->stats.last_reload_result : "none");
}

/* Waits before the next try (backoff_next); never a tight loop. Reset
 * after the next success. */
static void back_off(struct bot *b, const char *why)
{
	double wait = backoff_next(&b->backoff);
	log_warn("backoff", KV("seconds", wait), KV("reason", why));
	sleep_interruptible(wait, &stop_flag);
}

static void mark_done(struct bot *b, int64_t update_id)
{
	if (state_mark(&b->st, update_id, outbox_floor(b->ob)) < 0)
		log_error("state_save_failed", KV("dir", b->st.dir), KV("msg", strerror(errno)));
}

/* A group's answer sent to the asker in private goes back to the group. */
static void retarget_to_group(struct reply *r)
{
	r->chat_id = r->group_chat_id;
	r->reply_to = r->group_reply_to;
	r->thread_id = r->group_thread_id;
	r->is_group = 1;
	r->group_chat_id = 0;
	r->group_note[0] = '\0';
}

/* The private answer is out: the short pointer in the group. */
static void push_group_note(struct bot *b, const struct outbox_item *it)
{
	struct reply note = {.chat_id = it->r.group_chat_id, .reply_to = it->r.group_reply_to,
			     .thread_id = it->r.group_thread_id, .is_group = 1,
			     .text = xstrdup(it->r.group_note)};
	outbox_push(b->ob, it->update_id, &note, it->received);
}

/* Sends every reply the limits allow now. */
static void deliver(struct bot *b)
{
	double wait;
	struct outbox_item *it;
	while (!b->hard_stop && (it = outbox_ready(b->ob, now_seconds(), &wait)) != NULL) {
		double start = now_seconds();
		/* the time the bot itself added: update in, reply about to go out */
		log_debug("sending", KV("update", it->update_id),
			  KV("added_latency_us", (start - it->received) * 1e6));
		struct send_result res = send_reply(b->tg, &it->r);
		double now = now_seconds();
		if (res.status == SEND_DROPPED && it->r.group_chat_id) {
			/* the asker never started the bot (403): answer in the group */
			log_info("private_answer_fell_back", KV("user", it->r.chat_id),
				 KV("chat", it->r.group_chat_id));
			retarget_to_group(&it->r);
			outbox_retry(b->ob, it, now);
			continue;
		}
		if (res.status == SEND_OK && it->r.group_note[0])
			push_group_note(b, it);
		int64_t uid = it->update_id;
		if (res.migrated_to && b->ctx)
			context_migrate(b->ctx, it->r.chat_id, res.migrated_to);
		if (res.status == SEND_OK) {
			if (it->r.dedup_key[0] && b->ctx)
				context_note_answer(b->ctx, res.migrated_to ? res.migrated_to : it->r.chat_id,
						    it->r.dedup_key, res.message_id, wall_now());
			stats_sent(&b->stats, &it->r);
			notify_progress(now, run_status, b);
		}
		/* the outbox decides what follows: gone, paused or retried later */
		if (!outbox_result(b->ob, it, res.status, res.retry_after, now))
			continue;
		if (outbox_pending_for(b->ob, uid) == 0)
			mark_done(b, uid);
	}
}

static void handle(struct bot *b, const struct update *u)
{
	if (u->kind == UPDATE_INLINE) {	/* answered at once, nothing to queue */
		bot_inline(b, u);
		return;
	}
	struct dialog_env env;
	bot_env(b, u, &env);
	struct dialog_out out;
	if (u->migrate_to_chat_id)
		log_info("chat_migrated", KV("from", u->chat_id), KV("to", u->migrate_to_chat_id));
	/* an admin's edit in progress takes its text and its buttons first */
	if (!kbedit_intercept(b, u, &out))
		dialog_handle(&env, u, &out);
	bot_group_events(b, u, &out);
	if (out.refused_admin)
		log_warn("admin_refused", KV("user", u->from_id), KV("chat_type", u->chat_type),
			 KV("msg", "not in [bot] admins"));
	if (out.action)
		bot_admin_action(b, u, &out);
	if (out.lang_chosen)
		langs_save(b->ctx, u->from_id);
	bot_note_unmatched(b, u, &out);
	if (out.answer_callback)
		answer_callback(b->tg, u->callback_id, out.callback_text);
	for (size_t i = 0; i < out.n; i++)
		outbox_push(b->ob, u->update_id, &out.v[i], b->batch_received);
	stats_handled(&b->stats, u, &out);
	/* what was answered, so the journal can be asked (CANCELBOT_INTENT=cancel) */
	const char *intent = "-", *carrier = "-";
	for (size_t i = 0; i < out.n && intent[0] == '-'; i++)
		if (out.v[i].topic[0]) {
			intent = out.v[i].topic;
			carrier = out.v[i].carrier[0] ? out.v[i].carrier : "-";
		}
	log_info("handled", KV("update", u->update_id), KV("chat", u->chat_id),
		 KV("chat_type", u->chat_type[0] ? u->chat_type : "-"), KV("replies", out.n),
		 KV("intent", intent), KV("carrier", carrier), KV("unmatched", out.unmatched));
	dialog_out_free(&out);
}

/* One element of getUpdates' result, as text with its exact update_id. */
static void handle_element(void *user, const cJSON *json, const char *text, size_t len,
			   int64_t id, int has_id)
{
	struct bot *b = user;
	if (stop_flag)
		return;	/* finish the update in hand, leave the rest unconfirmed */
	struct update u;
	int rc = -1;
	if (json && has_id) {
		update_parse_known(json, id, &u);	/* exact even beyond 2^53 */
		rc = 0;
	} else if (json) {
		rc = update_parse(json, &u);
	}
	if (rc < 0) {
		if (!json)
			memset(&u, 0, sizeof u);
		if (has_id && !state_seen(&b->st, id)) {
			log_warn("update_unusable", KV("update", id), KV("bytes", len),
				 KV("msg", json ? "no usable update_id; skipped" : "not valid JSON; skipped"));
			char cb[128];	/* a button press: stop its spinner all the same */
			if (!json && update_salvage_callback_id(text, len, cb, sizeof cb))
				answer_callback(b->tg, cb, NULL);
			mark_done(b, id);
		} else if (!has_id) {
			log_warn("update_unusable", KV("bytes", len), KV("msg", "no update_id; skipped"));
		}
		update_free(&u);
		return;
	}
	/* already answered, or answered and still being sent */
	if (state_seen(&b->st, u.update_id) || outbox_pending_for(b->ob, u.update_id)) {
		log_debug("duplicate", KV("update", u.update_id));
	} else {
		if (u.kind == UPDATE_SKIP)
			log_info("skipped", KV("update", u.update_id), KV("reason", u.skip_reason));
		else
			handle(b, &u);
		b->last_update = now_seconds();
		if (outbox_pending_for(b->ob, u.update_id) == 0)
			mark_done(b, u.update_id);
	}
	update_free(&u);
}

static cJSON *poll_params(struct bot *b, int timeout)
{
	cJSON *p = cJSON_CreateObject();
	tg_add_i64(p, "offset", b->st.offset);
	cJSON_AddNumberToObject(p, "timeout", timeout);
	cJSON_AddNumberToObject(p, "limit", 100);
	cJSON *au = cJSON_AddArrayToObject(p, "allowed_updates");
	cJSON_AddItemToArray(au, cJSON_CreateString("message"));
	cJSON_AddItemToArray(au, cJSON_CreateString("callback_query"));
	cJSON_AddItemToArray(au, cJSON_CreateString("edited_message"));
	cJSON_AddItemToArray(au, cJSON_CreateString("my_chat_member"));	/* added, removed */
	cJSON_AddItemToArray(au, cJSON_CreateString("inline_query"));
	return p;
}

/* One getUpdates round. Returns 1 when the token was rejected (fatal). */
static int poll_once(struct bot *b, int timeout)
{
	cJSON *p = poll_params(b, timeout);
	struct tg_result r;
	/* the request may take the poll timeout plus a margin, no longer: a
	 * half-open connection cannot hang the loop */
	enum tg_status st = tg_call(b->tg, "getUpdates", p, timeout + b->cfg.request_margin, &r);
	cJSON_Delete(p);
	if ((stop_flag || bot_wants_wakeup(b)) && st != TG_OK) {
		tg_result_free(&r);	/* cut short on purpose: no backoff */
		return 0;
	}
	b->batch_received = now_seconds();
	/* Telegram answered: the loop is alive (a hung poll sends no ping, and
	 * the watchdog restarts the service) */
	if (st == TG_OK || st == TG_API_ERROR)
		notify_progress(b->batch_received, run_status, b);
	if (st == TG_OK && cJSON_IsArray(r.result)) {
		b->backoff = BACKOFF_MIN;
		updates_each(r.result, r.raw, r.raw_len, handle_element, b);
	} else if (st == TG_TRANSPORT_ERROR && r.raw && strstr(r.raw, "\"ok\":true") &&
		   updates_scan(r.raw, r.raw_len, handle_element, b) > 0) {
		/* some element is not JSON: the others were handled one by one */
		log_warn("updates_salvaged", KV("bytes", r.raw_len));
		back_off(b, "getUpdates body was not valid JSON");
	} else if (st == TG_API_ERROR && r.error_code == 401) {
		log_error("token_rejected", KV("msg", "Telegram rejected the token"));
		tg_result_free(&r);
		return 1;
	} else if (st == TG_API_ERROR && r.error_code == 409) {
		log_error("conflict", KV("desc", r.description),
			  KV("msg", "409 Conflict. Another instance is polling with this token, or a "
			     "webhook is set (drop_webhook = true deletes it)"));
		back_off(b, "409 conflict");
	} else if (st == TG_API_ERROR && r.error_code == 429) {
		log_warn("flood_wait", KV("seconds", r.retry_after));
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
	cJSON_ReplaceItemInObject(p, "limit", cJSON_CreateNumber(1));
	struct tg_result r;
	stop_flag = 0;	/* let this last short call through */
	if (tg_call(b->tg, "getUpdates", p, 5, &r) == TG_OK)
		log_info("offset_confirmed", KV("offset", b->st.offset));
	stop_flag = 1;
	tg_result_free(&r);
	cJSON_Delete(p);
}

static void shutdown_flush(struct bot *b)
{
	double deadline = now_seconds() + SHUTDOWN_FLUSH, wait;
	stop_flag = 0;	/* sends must not be aborted by the stop flag */
	while (outbox_len(b->ob) && now_seconds() < deadline) {
		deliver(b);
		if (!outbox_ready(b->ob, now_seconds(), &wait) && wait > 0)
			sleep_interruptible(fmin(wait, deadline - now_seconds()), NULL);
	}
	if (outbox_len(b->ob))
		log_warn("unsent_at_exit", KV("replies", outbox_len(b->ob)),
			 KV("msg", "their updates stay unconfirmed and are answered after the restart"));
	stop_flag = 1;
}

static int run_loop(struct bot *b)
{
	/* from now on a reload request cuts a long poll short (not before:
	 * connecting must not be interrupted; the request waits for the loop) */
	tg_set_interrupt(b->tg, bot_wants_wakeup, b);
	char status[160];
	snprintf(status, sizeof status, "Answering as @%s (poll timeout %d s)",
		 b->username ? b->username : "?", b->cfg.poll_timeout);
	notify_ready(status);
	while (!stop_flag) {
		bot_maintenance(b);
		deliver(b);
		double wait = -1;
		if (outbox_len(b->ob))
			outbox_ready(b->ob, now_seconds(), &wait);
		if (b->reload_due && (wait < 0 || b->reload_due - now_seconds() < wait))
			wait = fmax(0, b->reload_due - now_seconds());
		if (wait >= 0 && wait < 1.0) {	/* a reply is due soon: no poll round */
			sleep_interruptible(wait, &stop_flag);
			continue;
		}
		int timeout = wait < 0 ? b->cfg.poll_timeout : (int)fmin(wait, b->cfg.poll_timeout);
		if (poll_once(b, timeout))
			return 1;
	}
	notify_stopping();
	shutdown_flush(b);
	confirm_offset(b);
	log_info("stopped", KV("offset", b->st.offset));
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *path = "config.ini";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			path = argv[++i];
		} else {
			fprintf(stderr, "usage: cancelbot run [-c FILE]\n");
			return 2;
		}
	}
	/* first: a stop request during startup must still end cleanly */
	struct sigaction sa = {.sa_handler = on_stop};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct sigaction hup = {.sa_handler = on_hup};
	sigaction(SIGHUP, &hup, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct bot b;
	memset(&b, 0, sizeof b);
	b.backoff = BACKOFF_MIN;
	b.hup = &hup_flag;
	b.config_path = path;
	b.watch_fd = -1;
	if (app_config(&b.cfg, path, 1, 1) < 0) {
		config_free(&b.cfg);
		return 1;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	notify_init();
	int rc = 1;
	if (bot_open(&b, &stop_flag) == 0) {
		rc = bot_connect(&b, &stop_flag);
		if (rc == 0 && !stop_flag)
			rc = run_loop(&b);
	} else if (stop_flag) {
		rc = 0;	/* asked to stop while starting */
	}
	bot_close(&b);
	normalize_done();
	log_set_secret(NULL);
	return rc;
}
