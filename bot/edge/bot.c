/* bot — startup, connection and teardown of the running bot; see bot.h. */
#define _POSIX_C_SOURCE 200809L
#include "bot.h"
#include "wake.h"
#include "answer.h"
#include "slash.h"
#include "script.h"
#include "kbedit.h"
#include "langs.h"
#include "heap.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "profile.h"
#include "reload.h"
#include "sender.h"
#include "preconv.h"
#include "store.h"
#include "unmatched.h"
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Replies waiting in all: past this, no new updates are fetched until sends
 * make room, unless one chat holds more than its share (then its oldest
 * reply gives way: outbox.h). Each queued reply holds ~4 KB (struct reply:
 * 24 button slots, the group note) plus its text, so 2000 of them were
 * ~11 MB of a backlog's peak RSS; 500 are 17 s of sending at Telegram's
 * 30/s. */
#define INTAKE_MAX 500

static int dir_is(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int bot_open(struct bot *b, volatile sig_atomic_t *stop)
{
	struct sbuf err = {0};
	b->stats.started = time(NULL);
	struct sbuf warn = {0};
	b->kb = reload_load(&b->cfg, &err, &warn);
	sbuf_free(&warn);
	if (!b->kb) {
		fprintf(stderr, "cancelbot: the knowledge base has errors:\n%s", sbuf_str(&err));
		sbuf_free(&err);
		return -1;
	}
	/* the replies' Traditional pieces, converted by a helper process that
	 * shares nothing with this one (see preconv.h) */
	preconv_kb(b->kb, stop);
	if (*stop)
		return -1;
	if (state_open(&b->st, b->cfg.state_dir, &err) < 0) {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
		sbuf_free(&err);
		return -1;
	}
	/* after the lock: only the instance that holds it migrates the db */
	if (store_open(b->cfg.state_dir, &err) < 0) {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
		sbuf_free(&err);
		return -1;
	}
	b->tg = tg_open(b->cfg.api_url, b->cfg.token, b->cfg.ca_file, stop);
	b->ctx = context_new(CONTEXT_CAPACITY, b->cfg.context_ttl);
	langs_load(b->cfg.state_dir, b->ctx);	/* /lang survives a restart */
	unmatched_import(b->cfg.state_dir);
	stats_open(&b->stats);	/* totals so far; counts warnings from now on */
	b->groups = groups_open();
	b->watch_fd = -1;
	if (b->cfg.auto_reload) {
		/* and the admin directory's: made now when missing (the admin's
		 * /edit writes there anyway), so hand edits in intents/ or
		 * responses/ made there later reload the bot too */
		const char *admin = config_admin_kb_dir(&b->cfg);
		struct watch_dir dirs[3] = {{b->cfg.intents_dir, 1}, {b->cfg.responses_dir, 1}};
		int n = 2;
		if (admin && (dir_is(admin) || mkdir_p(admin) == 0))
			dirs[n++] = (struct watch_dir){admin, 2};
		b->watch_fd = watch_open(dirs, n);
	}

	struct outbox_limits lim = {.pacing = b->cfg.rate_limits,
				    .chat_max = (size_t)b->cfg.chat_queue_max,
				    .total_max = INTAKE_MAX,
				    .max_age = b->cfg.reply_max_age};
	b->ob = outbox_new(&lim);
	int64_t offset;
	double wall;
	b->journal = journal_open(b->cfg.state_dir, b->ob, &offset, &wall, &err);
	if (!b->journal) {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
		sbuf_free(&err);
		return -1;
	}
	struct outbox_store store = journal_store(b->journal);
	outbox_set_store(b->ob, &store);
	outbox_hold_above(b->ob, journal_last_seq(b->journal));	/* what it read back may go */
	if (offset >= 0) {	/* the journal is newer than state.slots, which only an
				 * older version wrote */
		b->st.offset = offset;
		b->st.last_activity = wall;
	}
	if (outbox_len(b->ob))
		log_info("outbox_restored", KV("replies", outbox_len(b->ob)),
			 KV("chats", outbox_chats(b->ob)), KV("offset", b->st.offset));
	b->kbedit = kbedit_new();
	if (!b->cfg.rate_limits)
		log_warn("rate_limits_off",
			 KV("msg", "sending without pacing: only for benchmarks against a fake server"));
	heap_release("start");
	return b->tg ? 0 : -1;
}

/* A SIGHUP while the start waits for Telegram is not lost: its flag stays
 * set and the run loop reloads once it runs. Said in the log when it comes,
 * so that `systemctl reload` during a long wait is seen to have been taken. */
static void note_hup_during_start(struct bot *b)
{
	static int noted;
	if (b->hup && *b->hup && !noted) {
		noted = 1;
		log_info("reload_deferred", KV("trigger", "SIGHUP"),
			 KV("msg", "still waiting for Telegram at start: the reload runs once it answers"));
	}
}

/* A call the start waits for (getMe; deleteWebhook with drop_webhook), tried
 * until Telegram answers it: each try bounded by send_timeout (not 30 s of
 * silence), the pause between tries backing off (or Telegram's retry_after,
 * capped), both cut short by SIGTERM (tg_open's stop flag). While it waits
 * the log (event, with the attempt and the next try) and STATUS= say why, so
 * `systemctl status` shows a start waiting for Telegram, not a hung one.
 * Returns the last try's status, its answer in r (the caller frees it).
 * Final, returned at once: 401 and 404 (the token), and with any_4xx_final
 * every 4xx but 429. */
static enum tg_status startup_call(struct bot *b, const char *method, const char *event,
				   int any_4xx_final, struct tg_result *r,
				   volatile sig_atomic_t *stop)
{
	double step = BACKOFF_MIN;
	for (int attempt = 1;; attempt++) {
		enum tg_status st = tg_call(b->tg, method, NULL, b->cfg.send_timeout, r);
		int code = st == TG_API_ERROR ? r->error_code : 0;
		if (st == TG_OK || *stop || code == 401 || code == 404 ||
		    (any_4xx_final && code >= 400 && code < 500 && code != 429))
			return st;
		double wait = backoff_next(&step);
		if (r->retry_after > 0)
			wait = r->retry_after < BACKOFF_MAX ? r->retry_after : BACKOFF_MAX;
		log_warn(event, KV("desc", r->description), KV("attempt", attempt), KV("retry_in", wait),
			 KV("msg", "Telegram did not answer at start; trying again"));
		char status[256];
		snprintf(status, sizeof status, "Starting: waiting for Telegram (%s: %.120s); try %d in %.0f s",
			 method, r->description, attempt + 1, wait);
		notify_status(status);
		tg_result_free(r);
		note_hup_during_start(b);
		for (double left = wait; left > 0 && !*stop; left -= 0.1) {
			sleep_interruptible(left < 0.1 ? left : 0.1, stop);
			note_hup_during_start(b);
		}
		if (*stop) {
			memset(r, 0, sizeof *r);
			return TG_TRANSPORT_ERROR;
		}
	}
}

/* getMe: 0 ok, 1 token rejected (fatal), -1 stopped. */
static int get_me(struct bot *b, volatile sig_atomic_t *stop)
{
	struct tg_result r;
	enum tg_status st = startup_call(b, "getMe", "getme_failed", 0, &r, stop);
	if (st == TG_API_ERROR && (r.error_code == 401 || r.error_code == 404)) {
		log_error("token_rejected", KV("code", r.error_code),
			  KV("msg", "Telegram rejected the token; check [telegram] token or "
			     "CANCELBOT_TOKEN"));
		tg_result_free(&r);
		return 1;
	}
	if (st != TG_OK || !cJSON_IsObject(r.result)) {	/* stopped (or no "result") */
		tg_result_free(&r);
		return *stop ? -1 : 1;
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(r.result, "username");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(r.result, "id");
	const cJSON *all = cJSON_GetObjectItemCaseSensitive(r.result, "can_read_all_group_messages");
	free(b->username);
	b->username = xstrdup(cJSON_IsString(u) ? u->valuestring : "");
	b->can_read_all = cJSON_IsTrue(all);
	b->inline_mode = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.result,
								       "supports_inline_queries"));
	b->bot_id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
	char *at = xasprintf("@%s", b->username);
	log_info("connected", KV("bot", at), KV("id", b->bot_id));
	free(at);
	if (b->cfg.group_mode == GROUP_AUTO && !cJSON_IsTrue(all))
		log_warn("privacy_mode", KV("msg", "group_mode=auto, but privacy mode is on: Telegram "
			 "shows this bot only commands, mentions and replies in groups. Turn it off "
			 "with @BotFather /setprivacy -> Disable (then re-add the bot to each group), "
			 "or make the bot a group admin."));
	if (!b->inline_mode)
		log_info("inline_mode_off", KV("msg", "@BotFather /setinline turns on inline mode: "
			 "\"@bot cancel verizon\" in any chat offers the answers"));
	tg_result_free(&r);
	return 0;
}

int bot_connect(struct bot *b, volatile sig_atomic_t *stop)
{
	int rc = get_me(b, stop);
	if (rc > 0)
		return 1;
	if (*stop)
		return 0;
	if (b->cfg.drop_webhook) {
		struct tg_result r;
		enum tg_status st = startup_call(b, "deleteWebhook", "webhook_delete_failed", 1, &r,
						 stop);
		if (st == TG_OK)
			log_info("webhook_deleted", KV("msg", "drop_webhook = true"));
		else if (!*stop)	/* getUpdates will say 409 while a webhook is set */
			log_error("webhook_delete_failed", KV("desc", r.description),
				  KV("msg", "Telegram refused deleteWebhook; not retried"));
		tg_result_free(&r);
		if (*stop)
			return 0;
	}
	/* menus and descriptions, when changed: in the background, driven by
	 * the run loop, so a hanging server holds up no answer */
	b->profile = profile_start(b->tg, &b->cfg, b->kb);
	return 0;
}

static void reload_start(struct bot *b, const char *trigger);
static void reload_finish(struct bot *b);

#define DEBOUNCE 0.3	/* an editor's save is a burst of events: reload once */
#define HUP_COALESCE 0.2	/* so is `kill -HUP` in a loop */

void bot_maintenance(struct bot *b)
{
	struct sbuf report = {0};
	wake_drain();	/* before the flags: a signal after this wakes the next wait */
	if (state_expire_offset(&b->st, (double)time(NULL)))
		log_warn("offset_reset", KV("msg", "no update for a week: Telegram now numbers updates "
			 "at random, so the saved offset is dropped"));
	if (b->reload_job && reload_job_done(b->reload_job))
		reload_finish(b);
	if (b->hup && *b->hup && !b->reload_job) {
		*b->hup = 0;
		if (!b->hup_due)
			b->hup_due = now_seconds() + HUP_COALESCE;
	}
	if (b->hup_due && now_seconds() >= b->hup_due) {
		b->hup_due = 0;
		bot_reload_config(b);
		reload_start(b, "SIGHUP");
	}
	if (watch_drain(b->watch_fd))
		b->reload_due = now_seconds() + DEBOUNCE;
	if (b->reload_due && now_seconds() >= b->reload_due && !b->reload_job) {
		b->reload_due = 0;
		reload_start(b, "file change");
	}
	sbuf_free(&report);
	stats_tick(&b->stats, now_seconds(), notify_last_status());
	metrics_tick(b->cfg.metrics_file, &b->stats, now_seconds(), &b->metrics_last);
}

int bot_reload_config(struct bot *b)
{
	if (!b->config_path)
		return -1;
	struct config fresh;
	struct sbuf err = {0}, applied = {0}, restart = {0};
	config_defaults(&fresh);
	int rc = config_load(&fresh, b->config_path, &err);
	if (rc == 0)
		rc = config_finish(&fresh, 0, &err);
	if (rc < 0) {
		log_error("config_reload_refused", KV("file", b->config_path), KV("problems", sbuf_str(&err)),
			  KV("msg", "the running config stays"));
	} else {
		config_apply_live(&b->cfg, &fresh, &applied, &restart);
		enum log_level lv = LOG_INFO;
		log_parse_level(b->cfg.log_level, &lv);
		log_set_level(lv);
		log_info("config_reloaded", KV("file", b->config_path),
			 KV("applied", applied.len ? sbuf_str(&applied) : "-"),
			 KV("need_restart", restart.len ? sbuf_str(&restart) : "-"));
		if (restart.len)
			log_warn("config_needs_restart", KV("keys", sbuf_str(&restart)),
				 KV("msg", "changed, but only a restart applies them"));
	}
	config_free(&fresh);
	sbuf_free(&err);
	sbuf_free(&applied);
	sbuf_free(&restart);
	return rc;
}

/* What follows any reload: systemd, the counters, /stats's last reload. */
static int reloaded(struct bot *b, const char *trigger, int rc, double ms, const struct sbuf *report)
{
	notify_reloaded(report->p ? report->p : "");
	stats_count(&b->stats, STAT_RELOADS);
	b->stats.last_reload = time(NULL);
	snprintf(b->stats.last_reload_result, sizeof b->stats.last_reload_result, "%s (%s, %.1f ms)",
		 rc == 0 ? "ok" : "refused", trigger, ms);
	return rc;
}

/* Completes the reload loading on its thread: the swap, between updates. */
static void reload_finish(struct bot *b)
{
	struct sbuf report = {0};
	double ms = 0;
	char trigger[32];
	snprintf(trigger, sizeof trigger, "%s", b->reload_trigger);
	int rc = reload_job_finish(b->reload_job, &b->kb, &report, &ms);
	b->reload_job = NULL;
	reloaded(b, trigger, rc, ms, &report);
	sbuf_free(&report);
}

/* SIGHUP and file changes: the new knowledge base loads on a thread while
 * the loop answers with the running one (a load takes 100s of ms); in
 * place when no thread can be made. */
static void reload_start(struct bot *b, const char *trigger)
{
	notify_reloading();
	snprintf(b->reload_trigger, sizeof b->reload_trigger, "%s", trigger);
	b->reload_job = reload_job_start(&b->cfg, b->kb, trigger);
	if (!b->reload_job) {
		struct sbuf report = {0};
		double ms = 0;
		int rc = reload_kb(&b->cfg, &b->kb, trigger, &report, &ms);
		reloaded(b, trigger, rc, ms, &report);
		sbuf_free(&report);
	}
}

int bot_reload(struct bot *b, const char *trigger, struct sbuf *report)
{
	if (b->reload_job)	/* it reads the running kb, which this may replace */
		reload_finish(b);
	double ms = 0;
	notify_reloading();
	int rc = reload_kb(&b->cfg, &b->kb, trigger, report, &ms);
	return reloaded(b, trigger, rc, ms, report);
}

void bot_env(struct bot *b, const struct update *u, struct dialog_env *env)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	*env = (struct dialog_env){.kb = b->kb, .cfg = &b->cfg, .ctx = b->ctx,
				   .bot_username = b->username, .bot_id = b->bot_id,
				   .now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9,
				   .group = u && update_is_group(u) ? groups_get(b->groups, u->chat_id) : NULL,
				   .can_read_all = b->can_read_all};
}

/* Carries out what an admin command asked for, as a reply to it. */
int bot_admin_action(struct bot *b, const struct update *u, struct dialog_out *out)
{
	struct sbuf report = {0};
	int waits = 0;
	switch (out->action) {
	case ACTION_RELOAD:
		bot_reload(b, "/reload", &report);
		break;
	case ACTION_STATS:
		stats_report(&b->stats, &report);
		sbuf_addf(&report, "conversations remembered: %zu, replies queued: %zu\n",
			  context_size(b->ctx, (double)time(NULL)), outbox_len(b->ob));
		const struct outbox_counts *oc = outbox_counts(b->ob);
		sbuf_addf(&report, "replies dropped since start: %lu (chat queue full), %lu (chat "
			  "over its share of the intake), %lu (too old), %lu (refused); send "
			  "retries: %lu; 429s: %lu\n", oc->dropped_full, oc->dropped_share,
			  oc->dropped_stale, oc->dropped_refused, oc->retries, oc->limited);
		break;
	case ACTION_UNMATCHED:
		unmatched_report(out->action_arg, &report);
		break;
	case ACTION_GROUP_SETTINGS:
	case ACTION_GROUP_SETTING:
		waits = bot_group_settings(b, u, out);
		break;
	case ACTION_KBADMIN:
		kbedit_command(b, u, out);
		break;
	case ACTION_NONE:
		break;
	}
	if (report.len)
		dialog_report(u, out, sbuf_str(&report));
	sbuf_free(&report);
	return waits;
}

void bot_note_unmatched(struct bot *b, const struct update *u, const struct dialog_out *out)
{
	if (!out->unmatched || !out->unmatched_text)
		return;
	char *text = str_trim(out->unmatched_text);
	unmatched_append(u->chat_type, out->lang ? out->lang : langs[0].code, text, u->from_id,
			 b->cfg.log_user_ids);	/* logs its own failure */
}

void bot_close(struct bot *b)
{
	if (b->reload_job)
		reload_finish(b);	/* waits for the thread; frees what it loaded */
	watch_close(b->watch_fd);
	profile_free(b->profile);
	bot_admin_waits_free(b);
	tg_close(b->tg);
	outbox_free(b->ob);
	journal_close(b->journal);
	kbedit_free(b->kbedit);
	context_free(b->ctx);
	groups_close(b->groups);
	if (store_db())
		stats_flush(&b->stats, "Stopped");
	if (b->cfg.metrics_file && *b->cfg.metrics_file && b->metrics_last > 0)
		metrics_write(b->cfg.metrics_file, &b->stats);	/* the final counts */
	stats_close(&b->stats);
	store_close();
	state_close(&b->st);
	kb_free(b->kb);
	free(b->username);
	config_free(&b->cfg);
	memset(b, 0, sizeof *b);
}
