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

/* /settings@bot and its buttons: for the group's own admins (an anonymous
 * admin writes as the group), checked with getChatMember. */
void bot_group_settings(struct bot *b, const struct update *u, struct dialog_out *out)
{
	struct dialog_env env;
	bot_env(b, u, &env);
	struct dialog_out extra = {0};
	if (!u->anonymous_admin &&
	    !groups_is_admin(b->groups, b->tg, u->chat_id, u->from_id, env.now)) {
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
	    !groups_is_admin(b->groups, b->tg, u->chat_id, b->bot_id, env.now))
		dialog_append(&env, &extra.v[extra.n - 1], "group_privacy", NULL, extra.lang);
	append_converted(out, &extra);
}

