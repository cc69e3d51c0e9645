/* run_reply — what `cancelbot run` does around one update's replies: the
 * update handed to the dialog and its replies queued in the outbox with
 * the log line and the counters (run_handle, run_finish), and what a reply
 * that went out, or fell back from private to its group, changes
 * (run_on_sent, run_retarget: deliver.c's callbacks). The loop itself,
 * the poll and the commits are cmd_run.c's. Nothing here keeps memory. */
#define _POSIX_C_SOURCE 200809L
#include "run.h"
#include "kbedit.h"
#include "langs.h"
#include "log.h"
#include "notify.h"
#include "sender.h"

#include <string.h>
#include <time.h>

double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* STATUS= for systemctl status: what an operator checks first. */
void run_status(void *ctx, char *buf, size_t cap)
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

/* A group's answer sent to the asker in private goes back to the group
 * (the asker never started the bot: 403). Moves it to the group's queue. */
int run_retarget(void *user, struct outbox_item *it, double now)
{
	struct bot *b = user;
	struct reply *r = &it->r;
	if (!r->group_chat_id)
		return 0;
	log_info("private_answer_fell_back", KV("user", r->chat_id), KV("chat", r->group_chat_id));
	outbox_move(b->ob, it, r->group_chat_id, now);
	r->reply_to = r->group_reply_to;
	r->thread_id = r->group_thread_id;
	r->is_group = 1;
	r->group_chat_id = 0;
	r->group_note[0] = '\0';
	return 1;
}

/* The private answer is out: the short pointer in the group, queued and
 * committed like a batch's replies. */
static void push_group_note(struct bot *b, const struct outbox_item *it)
{
	struct reply note = {.chat_id = it->r.group_chat_id, .reply_to = it->r.group_reply_to,
			     .thread_id = it->r.group_thread_id, .is_group = 1,
			     .text = xstrdup(it->r.group_note)};
	outbox_push(b->ob, it->update_id, &note, it->received, wall_now());
	run_commit(b);
}

/* A reply went out: what conversation memory and the counters note. */
void run_on_sent(void *user, const struct outbox_item *it, const struct send_result *res,
		    double now)
{
	struct bot *b = user;
	if (res->migrated_to && b->ctx)
		context_migrate(b->ctx, it->r.chat_id, res->migrated_to);
	if (it->r.dedup_key[0] && b->ctx)
		context_note_answer(b->ctx, res->migrated_to ? res->migrated_to : it->r.chat_id,
				    it->r.dedup_key, res->message_id, wall_now());
	if (it->r.group_note[0])
		push_group_note(b, it);
	stats_sent(&b->stats, &it->r);
	notify_progress(now, run_status, b);
}

void run_handle(struct bot *b, const struct update *u)
{
	if (u->kind == UPDATE_INLINE) {	/* answered at once, nothing to queue */
		bot_inline(b, u);
		struct dialog_out nothing = {0};	/* counted, like every update */
		stats_handled(&b->stats, u, &nothing);
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
	/* the reason as it is: an admin's command in a group is refused for the
	 * group (admin commands answer in private only), not for the user; the
	 * old "not in [bot] admins" sent operators checking a correct list */
	if (out.refused_admin)
		log_warn("admin_refused", KV("user", u->from_id), KV("chat_type", u->chat_type),
			 KV("msg", config_is_admin(&b->cfg, u->from_id) ?
			    "admin commands are answered only in a private chat with the bot" :
			    "not in [bot] admins"));
	if (out.action && bot_admin_action(b, u, &out))
		log_info("handled", KV("update", u->update_id), KV("chat", u->chat_id),
			 KV("waits", "admin_check"));	/* finished by admin_checked */
	else
		run_finish(b, u, &out);
	dialog_out_free(&out);
}

/* What every handled update ends with: its replies queued, a press
 * acknowledged, the counters and the log line. */
void run_finish(struct bot *b, const struct update *u, struct dialog_out *out)
{
	if (out->lang_chosen)
		langs_save(b->ctx, u->from_id);
	bot_note_unmatched(b, u, out);
	if (out->answer_callback)
		answer_callback(b->tg, u->callback_id, out->callback_text, &b->ack_callback);
	for (size_t i = 0; i < out->n; i++)
		outbox_push(b->ob, u->update_id, &out->v[i], b->batch_received, wall_now());
	stats_handled(&b->stats, u, out);
	/* what was answered, so the journal can be asked (CANCELBOT_INTENT=cancel) */
	const char *intent = "-", *carrier = "-";
	for (size_t i = 0; i < out->n && intent[0] == '-'; i++)
		if (out->v[i].topic[0]) {
			intent = out->v[i].topic;
			carrier = out->v[i].carrier[0] ? out->v[i].carrier : "-";
		}
	log_info("handled", KV("update", u->update_id), KV("chat", u->chat_id),
		 KV("chat_type", u->chat_type[0] ? u->chat_type : "-"), KV("replies", out->n),
		 KV("intent", intent), KV("carrier", carrier), KV("unmatched", out->unmatched));
}
