/* cmd_run — `cancelbot run`: the long-polling loop. It fetches updates,
 * skips what was already handled, hands each to the dialog, queues the
 * replies in the outbox and commits the batch to the journal (accept, then
 * deliver: the update is confirmed once its replies are durably queued),
 * while deliver.c sends them within Telegram's limits in the background.
 * Faults back off without sleeping; SIGTERM/SIGINT end it within
 * SHUTDOWN_FLUSH seconds (what is due is sent, the rest stays queued). */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "bot.h"
#include "run.h"
#include "log.h"
#include "normalize.h"
#include "notify.h"
#include "profile.h"
#include "sender.h"
#include "wake.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_FLUSH 3.0	/* seconds to keep sending after SIGTERM (exit within 5) */

static volatile sig_atomic_t stop_flag, hup_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
	wake_post();	/* ends the loop's wait now (wake.h) */
}

static void on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
	wake_post();
}

#define POLL_DELAY_MAX 300.0	/* the longest a getUpdates 429 or backoff holds the poll */
/* The longest the loop waits with nothing due: signals, the reload thread
 * and inotify end a wait at once (wake.h), so this only paces the periodic
 * chores (stats saved every STATS_FLUSH_EVERY, metrics every minute). It was
 * 200 ms while it also bounded how late a signal was seen: five wake-ups a
 * second, 0.1-0.2 % of a core idle in a long poll on this VM. */
#define TICK_MS 5000

static char poll_tag;		/* the user pointer of the getUpdates request */
static struct tg_req *poll_req;	/* the long poll in flight, or NULL */
static double poll_not_before;	/* backoff / 429: no poll before this (monotonic) */

/* Holds the next poll back (backoff_next); never a tight loop and never a
 * sleep: replies keep going out and signals are seen meanwhile. Reset
 * after the next success. */
static void back_off(struct bot *b, const char *why)
{
	double wait = backoff_next(&b->backoff);
	log_warn("backoff", KV("seconds", wait), KV("reason", why));
	poll_not_before = now_seconds() + wait;
}

/* This update is handled (its replies queued): the offset passes it. The
 * journal's next commit makes that durable, and only then is it confirmed
 * to Telegram (by the next getUpdates). */
static void accept_update(struct bot *b, int64_t update_id)
{
	b->st.last_activity = (double)time(NULL);
	if (update_id >= b->st.offset)	/* INT64_MAX has no successor: it stays */
		b->st.offset = update_id < INT64_MAX ? update_id + 1 : INT64_MAX;
}

void run_commit(struct bot *b)
{
	if (journal_commit(b->journal, b->ob, b->st.offset, (double)time(NULL)) < 0)
		log_error("state_save_failed", KV("dir", b->st.dir), KV("msg", strerror(errno)));
	/* the replies recorded so far may go (also when the save failed: the
	 * offset moves on in memory, so they exist nowhere else) */
	outbox_hold_above(b->ob, journal_last_seq(b->journal));
}


static int collect(struct bot *b);

#define PUMP_EVERY 0.004	/* seconds of batch handling between two turns of the sends */
static double last_pump;

/* While a batch of up to 100 updates is handled (tens of ms), replies
 * already committed keep going out: finished sends are collected and the
 * next started every PUMP_EVERY, so the gap between two replies is not the
 * whole batch. The batch's own replies wait for its commit (held in the
 * outbox), so a crash still repeats at most one reply. */
static void pump(struct bot *b)
{
	double now = now_seconds();
	if (now - last_pump < PUMP_EVERY || !b->deliver)
		return;
	last_pump = now;
	tg_run(b->tg, 0);
	collect(b);	/* sends and acknowledgements: the poll is not in flight */
	deliver_start(b->deliver, now_seconds());
	tg_run(b->tg, 0);
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
				answer_callback(b->tg, cb, NULL, &b->ack_callback);
			accept_update(b, id);
		} else if (!has_id) {
			log_warn("update_unusable", KV("bytes", len), KV("msg", "no update_id; skipped"));
		}
		update_free(&u);
		return;
	}
	/* already accepted: answered or queued */
	if (state_seen(&b->st, u.update_id)) {
		log_debug("duplicate", KV("update", u.update_id));
	} else {
		if (u.kind == UPDATE_SKIP)
			log_info("skipped", KV("update", u.update_id), KV("reason", u.skip_reason));
		else
			run_handle(b, &u);
		b->last_update = now_seconds();
		accept_update(b, u.update_id);
	}
	update_free(&u);
	pump(b);
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

static void start_poll(struct bot *b)
{
	cJSON *p = poll_params(b, b->cfg.poll_timeout);
	/* the request may take the poll timeout plus a margin, no longer: a
	 * half-open connection cannot hang the loop */
	poll_req = tg_start(b->tg, "getUpdates", cJSON_PrintUnformatted(p),
			    b->cfg.poll_timeout + b->cfg.request_margin, 0, &poll_tag);
	cJSON_Delete(p);
}

/* A getUpdates answer: its updates handled and their replies queued, then
 * one durable commit for the batch. Returns 1 when the token was rejected
 * (fatal). */
static int on_poll(struct bot *b, struct tg_result *r)
{
	enum tg_status st = r->status;
	poll_req = NULL;
	b->batch_received = now_seconds();
	int64_t before = b->st.offset;
	/* Telegram answered: the loop is alive (a hung poll sends no ping, and
	 * the watchdog restarts the service) */
	if (st == TG_OK || st == TG_API_ERROR)
		notify_progress(b->batch_received, run_status, b);
	if (st == TG_OK && cJSON_IsArray(r->result)) {
		b->backoff = BACKOFF_MIN;
		updates_each(r->result, r->raw, r->raw_len, handle_element, b);
	} else if (st == TG_TRANSPORT_ERROR && r->raw && strstr(r->raw, "\"ok\":true") &&
		   updates_scan(r->raw, r->raw_len, handle_element, b) > 0) {
		/* some element is not JSON: the others were handled one by one */
		log_warn("updates_salvaged", KV("bytes", r->raw_len));
		back_off(b, "getUpdates body was not valid JSON");
	} else if (st == TG_API_ERROR && r->error_code == 401) {
		log_error("token_rejected", KV("msg", "Telegram rejected the token"));
		return 1;
	} else if (st == TG_API_ERROR && r->error_code == 409) {
		log_error("conflict", KV("desc", r->description),
			  KV("msg", "409 Conflict. Another instance is polling with this token, or a "
			     "webhook is set (drop_webhook = true deletes it)"));
		back_off(b, "409 conflict");
	} else if (st == TG_API_ERROR && r->error_code == 429) {
		log_warn("flood_wait", KV("seconds", r->retry_after));
		poll_not_before = now_seconds() + fmin(r->retry_after > 0 ? r->retry_after : 1,
						       POLL_DELAY_MAX);
	} else {
		back_off(b, st == TG_OK ? "getUpdates result is not an array" : r->description);
	}
	if (b->st.offset != before) {
		/* the first reply may leave while the batch is being saved: a
		 * crash before the save ends re-fetches the batch, and repeats at
		 * most that one reply, as a crash during any send may (one send
		 * starts when none is in flight; see deliver.h) */
		uint64_t held = outbox_hold_above(b->ob, UINT64_MAX);
		/* the previous reply's answer often arrives with this batch and
		 * waits behind it in curl's queue: collected first, its send no
		 * longer counts as in flight, so the first reply goes now and not
		 * after the commit's fdatasync (6 % of single questions waited
		 * 2-3 ms for it: the p99 of the added latency) */
		tg_run(b->tg, 0);
		collect(b);
		deliver_start(b->deliver, now_seconds());
		outbox_hold_above(b->ob, held);
		tg_run(b->tg, 0);
		run_commit(b);	/* the batch's replies and offset: one durable write */
	}
	return 0;
}

static void confirm_offset(struct bot *b)
{
	cJSON *p = poll_params(b, 0);
	cJSON_ReplaceItemInObject(p, "limit", cJSON_CreateNumber(1));
	struct tg_result r;
	stop_flag = 0;	/* let this last short call through */
	if (tg_call(b->tg, "getUpdates", p, 1, &r) == TG_OK)
		log_info("offset_confirmed", KV("offset", b->st.offset));
	stop_flag = 1;
	tg_result_free(&r);
	cJSON_Delete(p);
}

/* Finished background requests: the poll's answer, or a send's. */
/* A getChatMember answer for a /settings that waited for it: when it was
 * the last, the update is finished now, like a batch's. 1 when user was
 * an admin check. */
static int admin_checked(struct bot *b, void *user, const struct tg_result *r)
{
	struct dialog_out out;
	struct admin_wait *w;
	if (!bot_admin_checked(b, user, r, &w, &out))
		return 0;
	if (w) {
		run_finish(b, bot_admin_wait_update(w), &out);
		dialog_out_free(&out);
		bot_admin_wait_free(b, w);
		run_commit(b);
	}
	return 1;
}

static int collect(struct bot *b)
{
	void *user;
	struct tg_result r;
	int fatal = 0;
	while (tg_next_done(b->tg, &user, &r)) {
		double now = now_seconds();
		if (user == &poll_tag)
			fatal |= on_poll(b, &r);	/* after SIGTERM it handles nothing */
		else if (user == &b->ack_callback)
			callback_answered(&r);
		else if (admin_checked(b, user, &r))
			;
		else if (profile_owns(b->profile, user))
			profile_done(b->profile, &r);
		else if (deliver_owns(b->deliver, user))
			deliver_done(b->deliver, user, &r, now);
		tg_result_free(&r);
	}
	return fatal;
}

/* SIGTERM: sends already due get SHUTDOWN_FLUSH seconds; what is left stays
 * in the journal for the next start. */
static void shutdown_flush(struct bot *b)
{
	if (poll_req) {
		tg_cancel(b->tg, poll_req);
		poll_req = NULL;
	}
	double deadline = now_seconds() + SHUTDOWN_FLUSH;
	while (now_seconds() < deadline) {
		double wait = deliver_start(b->deliver, now_seconds());
		if (!deliver_in_flight(b->deliver) && (wait < 0 || wait > deadline - now_seconds()))
			break;
		tg_run(b->tg, 50);
		collect(b);
	}
	deliver_abort(b->deliver, now_seconds());
	run_commit(b);	/* stale drops' D lines, if any */
	if (outbox_len(b->ob))
		log_warn("unsent_at_exit", KV("replies", outbox_len(b->ob)),
			 KV("msg", "kept in the journal; sent after the restart"));
}

/* How long the loop may wait in tg_run: until the next send may start, a
 * held-back poll may go, or a reload is due; never more than a tick (the
 * periodic chores). Signals need no tick: they write to the wake pipe. */
static int wait_ms(struct bot *b, double send_wait)
{
	double now = now_seconds(), w = TICK_MS / 1000.0;
	if (send_wait >= 0 && send_wait < w)
		w = send_wait;
	if (!poll_req && poll_not_before > now && poll_not_before - now < w)
		w = poll_not_before - now;
	if (b->reload_due && b->reload_due - now < w)
		w = b->reload_due - now;
	if (b->hup_due && b->hup_due - now < w)
		w = b->hup_due - now;
	return w > 0 ? (int)(w * 1000) + 1 : 0;
}

static int run_loop(struct bot *b)
{
	char status[160];
	snprintf(status, sizeof status, "Answering as @%s (poll timeout %d s)",
		 b->username ? b->username : "?", b->cfg.poll_timeout);
	notify_ready(status);
	b->deliver = deliver_new(b->tg, b->ob, b->cfg.send_timeout, run_on_sent, run_retarget, b);
	int rc = 0;
	while (!stop_flag && !rc) {
		bot_maintenance(b);
		/* accept, then deliver: the poll goes on while replies wait,
		 * unless so many wait, each chat within its share, that
		 * taking more only fills memory (INTAKE_MAX, bot.c) */
		if (!poll_req && now_seconds() >= poll_not_before && outbox_accepts(b->ob))
			start_poll(b);
		double send_wait = deliver_start(b->deliver, now_seconds());
		tg_run(b->tg, wait_ms(b, send_wait));
		rc = collect(b);
	}
	notify_stopping();
	shutdown_flush(b);
	if (!rc)
		confirm_offset(b);
	deliver_free(b->deliver);
	b->deliver = NULL;
	/* opencc_fallbacks: replies converted by OpenCC in the bot, not from
	 * the pieces converted ahead of time (preconv.h); the bench reads it */
	log_info("stopped", KV("offset", b->st.offset),
		 KV("opencc_fallbacks", script_convert_fallbacks()));
	return rc;
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
	if (wake_open() < 0)
		log_warn("wake_pipe_failed", KV("error", strerror(errno)),
			 KV("msg", "signals are then seen at the next tick"));
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
	/* One malloc arena for all threads: the load's compile helper and the
	 * reload thread each had one of their own, 3.2 MB resident for good
	 * after a load (smaps); the loop allocates alone, so nothing waits. */
	mallopt(M_ARENA_MAX, 1);
	notify_init();
	int rc = 1;
	if (bot_open(&b, &stop_flag) == 0) {
		tg_watch_fd(b.tg, wake_fd());
		tg_watch_fd(b.tg, b.watch_fd);	/* a file change ends the wait too */
		rc = bot_connect(&b, &stop_flag);
		if (rc == 0 && !stop_flag)
			rc = run_loop(&b);
	} else if (stop_flag) {
		rc = 0;	/* asked to stop while starting */
	}
	bot_close(&b);
	wake_close();
	normalize_done();
	log_set_secret(NULL);
	return rc;
}
