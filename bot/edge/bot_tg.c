/* bot_tg — the running bot's Telegram-native parts (see bot.h): what
 * follows a group's membership change (forget it, move it), /settings@bot
 * and its buttons checked against the group's admins, and inline queries.
 * The decisions are core/group.c's and core/inline.c's; this file adds
 * what needs the network, the store and the clock. */
#define _POSIX_C_SOURCE 200809L
#include "bot.h"
#include "answer.h"
#include "inline.h"
#include "keyboard.h"
#include "log.h"
#include "script.h"

#include <stdlib.h>
#include <string.h>

void bot_group_events(struct bot *b, const struct update *u, const struct dialog_out *out)
{
	if (u->kind == UPDATE_MEMBER)
		log_info(out->group_gone ? "group_left" : "group_member", KV("chat", u->chat_id),
			 KV("status", u->member_new), KV("by", u->from_id));
	if (out->group_gone) {
		groups_drop(b->groups, u->chat_id);
		context_forget_chat(b->ctx, u->chat_id);
	}
	if (u->migrate_to_chat_id)
		groups_migrate(b->groups, u->chat_id, u->migrate_to_chat_id);
}

void bot_inline(struct bot *b, const struct update *u)
{
	struct dialog_env env;
	bot_env(b, u, &env);
	cJSON *cards = inline_results(&env, u);
	int n = cJSON_GetArraySize(cards);
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "inline_query_id", u->callback_id);
	cJSON_AddItemToObject(p, "results", cards);
	cJSON_AddNumberToObject(p, "cache_time", INLINE_CACHE);
	cJSON_AddTrueToObject(p, "is_personal");	/* per-user language and script */
	if (!n) {	/* nothing understood: the conversation is one tap away */
		cJSON *btn = cJSON_AddObjectToObject(p, "button");
		const char *lang = dialog_lang(&env, u, u->text && *u->text ? u->text : NULL);
		struct dialog_out label = {.callback_text = xstrdup(buttons_label(&env, "button_inline_private", lang)),
					   .lang = lang};
		dialog_convert_script(&label);
		cJSON_AddStringToObject(btn, "text", label.callback_text);
		cJSON_AddStringToObject(btn, "start_parameter", "inline");
		dialog_out_free(&label);
	}
	/* in the background, like sends: a hanging answer holds up no chat */
	tg_start(b->tg, "answerInlineQuery", cJSON_PrintUnformatted(p), 10, 1, &b->ack_inline);
	cJSON_Delete(p);
	log_info("inline", KV("user", u->from_id), KV("cards", n));
}

/* Replies made after the dialog (its script conversion is done): made in
 * a scratch out, converted, then moved to the end of out. */
static void append_converted(struct dialog_out *out, struct dialog_out *extra)
{
	dialog_convert_script(extra);
	if (extra->n) {	/* a refused press has only its notice: nothing to move */
		out->v = xrealloc(out->v, (out->n + extra->n) * sizeof *out->v);
		memcpy(out->v + out->n, extra->v, extra->n * sizeof *extra->v);
		out->n += extra->n;
		extra->n = 0;
	}
	if (extra->callback_text) {
		free(out->callback_text);
		out->callback_text = extra->callback_text;
		extra->callback_text = NULL;
	}
	if (extra->answer_callback)
		out->answer_callback = 1;
	dialog_out_free(extra);
}

/* A /settings@bot (or its button) waiting for getChatMember answers: a
 * copy of the update, and a check in flight per user whose status is not
 * known yet (the asker; the bot itself, for the privacy-mode note). */
struct admin_wait {
	struct admin_wait *next;
	struct update u;
	int action;
	char action_data[sizeof ((struct dialog_out *)0)->action_data];
	struct admin_ask {
		struct admin_wait *w;
		int64_t user;
		struct tg_req *req;	/* NULL: answered */
	} ask[2];
};

#define ADMIN_WAITS_MAX 64	/* a flood of /settings opens no more connections */

/* Starts the checks the settings need that are not known (asker, unless an
 * anonymous admin; the bot, when privacy mode may hide messages); parks
 * the update when any is. 1 when parked. With ADMIN_WAITS_MAX waiting
 * already, nothing is asked: unknown counts as "not an admin" (logged). */
static int wait_for_checks(struct bot *b, const struct update *u, struct dialog_out *out,
			   double now)
{
	int64_t who[2] = {u->anonymous_admin ? 0 : u->from_id, b->can_read_all ? 0 : b->bot_id};
	size_t waiting = 0;
	for (const struct admin_wait *o = b->admin_waits; o; o = o->next)
		waiting++;
	if (waiting >= ADMIN_WAITS_MAX) {
		log_warn("admin_check_busy", KV("chat", u->chat_id), KV("user", u->from_id),
			 KV("waiting", waiting));
		return 0;
	}
	struct admin_wait *w = NULL;
	for (size_t i = 0; i < 2; i++) {
		if (!who[i] || groups_admin_known(b->groups, u->chat_id, who[i], now) >= 0)
			continue;
		if (!w)
			w = xcalloc(1, sizeof *w);
		w->ask[i] = (struct admin_ask){.w = w, .user = who[i]};
		w->ask[i].req = groups_admin_ask(b->tg, u->chat_id, who[i], &w->ask[i]);
	}
	if (!w)
		return 0;
	update_copy(&w->u, u);
	w->action = out->action;
	memcpy(w->action_data, out->action_data, sizeof w->action_data);
	w->next = b->admin_waits;
	b->admin_waits = w;
	out->answer_callback = 0;	/* acknowledged with the answer */
	log_debug("settings_waits", KV("chat", u->chat_id), KV("user", u->from_id));
	return 1;
}

static void settings(struct bot *b, const struct update *u, struct dialog_out *out);

int bot_group_settings(struct bot *b, const struct update *u, struct dialog_out *out)
{
	struct dialog_env env;
	bot_env(b, u, &env);
	if (wait_for_checks(b, u, out, env.now))
		return 1;
	settings(b, u, out);
	return 0;
}

int bot_admin_checked(struct bot *b, void *user, const struct tg_result *r,
		      struct admin_wait **done, struct dialog_out *out)
{
	*done = NULL;
	struct admin_wait **at = &b->admin_waits;
	while (*at && user != &(*at)->ask[0] && user != &(*at)->ask[1])
		at = &(*at)->next;
	if (!*at)
		return 0;
	struct admin_wait *w = *at;
	struct admin_ask *a = user == &w->ask[0] ? &w->ask[0] : &w->ask[1];
	a->req = NULL;
	struct dialog_env env;
	bot_env(b, &w->u, &env);
	groups_admin_answer(b->groups, w->u.chat_id, a->user, r, env.now);
	if (w->ask[0].req || w->ask[1].req)
		return 1;	/* the other check is still out */
	*at = w->next;
	*out = (struct dialog_out){.action = w->action,
				   .answer_callback = w->u.kind == UPDATE_CALLBACK};
	memcpy(out->action_data, w->action_data, sizeof w->action_data);
	settings(b, &w->u, out);	/* a check that failed counts as "not an admin" */
	*done = w;
	return 1;
}

const struct update *bot_admin_wait_update(const struct admin_wait *w)
{
	return &w->u;
}

void bot_admin_wait_free(struct bot *b, struct admin_wait *w)
{
	for (size_t i = 0; i < 2; i++)
		if (w->ask[i].req)
			tg_cancel(b->tg, w->ask[i].req);
	update_free(&w->u);
	free(w);
}

void bot_admin_waits_free(struct bot *b)
{
	while (b->admin_waits) {
		struct admin_wait *w = b->admin_waits;
		b->admin_waits = w->next;
		log_info("settings_unanswered", KV("chat", w->u.chat_id), KV("user", w->u.from_id),
			 KV("msg", "stopped while asking Telegram who is admin"));
		bot_admin_wait_free(b, w);
	}
}

/* The settings once every status needed is known (or could not be had). */
static void settings(struct bot *b, const struct update *u, struct dialog_out *out)
{
	struct dialog_env env;
	bot_env(b, u, &env);
	struct dialog_out extra = {0};
	if (!u->anonymous_admin && groups_admin_known(b->groups, u->chat_id, u->from_id, env.now) != 1) {
		log_info("settings_refused", KV("chat", u->chat_id), KV("user", u->from_id));
		group_settings_refused(&env, u, &extra);
		append_converted(out, &extra);
		return;
	}
	const struct group_prefs *now = groups_get(b->groups, u->chat_id);
	struct group_prefs p = GROUP_PREFS_DEFAULT;
	if (now)
		p = *now;
	int64_t edit = 0;
	if (out->action == ACTION_GROUP_SETTING) {
		edit = u->message_id;
		if (group_settings_apply(&p, out->action_data) <= 0)
			return;	/* already so: the menu stands (an identical edit is refused) */
		groups_set(b->groups, u->chat_id, &p);
		log_info("settings_changed", KV("chat", u->chat_id), KV("user", u->from_id),
			 KV("set", out->action_data));
		bot_env(b, u, &env);	/* the new language speaks at once */
	}
	group_settings_menu(&env, u, &extra, &p, edit);
	/* auto mode where privacy mode hides the messages: say how to fix it
	 * under the menu (an admin bot sees everything; asked once per 5 min) */
	env.group = &p;
	if (extra.n && group_mode_of(&env) == GROUP_AUTO && !b->can_read_all &&
	    groups_admin_known(b->groups, u->chat_id, b->bot_id, env.now) != 1)
		dialog_append(&env, &extra.v[extra.n - 1], "group_privacy", NULL, extra.lang);
	append_converted(out, &extra);
}

