/* group — see group.h. */
#define _POSIX_C_SOURCE 200809L
#include "group.h"
#include "answer.h"
#include "html.h"
#include "keyboard.h"
#include "lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The settings as data: each row is one choice of one setting, its button
 * label (a [general] key in responses/carriers.ini) and its callback data
 * "g:KEY:VALUE". Languages come from lang.h's choosable rows. */
static const struct mode_row {
	const char *value, *label;
	enum group_mode mode;
} modes[] = {
	{"mention", "button_mode_mention", GROUP_MENTION},
	{"auto", "button_mode_auto", GROUP_AUTO},
	{"quiet", "button_mode_quiet", GROUP_QUIET},
};

static const struct where_row {
	const char *value, *label;
	enum group_where where;
} wheres[] = {
	{"group", "button_where_group", WHERE_GROUP},
	{"private", "button_where_private", WHERE_PRIVATE},
};

enum group_mode group_mode_of(const struct dialog_env *env)
{
	if (env->group && env->group->mode >= 0)
		return (enum group_mode)env->group->mode;
	return env->cfg ? env->cfg->group_mode : GROUP_MENTION;
}

/* In the chat, able to read or write (Telegram's ChatMember statuses). */
static int present(const char *status)
{
	static const char *const in[] = {"creator", "administrator", "member", "restricted"};
	for (size_t i = 0; i < ARRAY_LEN(in); i++)
		if (!strcmp(status, in[i]))
			return 1;
	return 0;
}

void group_member(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	if (!update_is_group(u))
		return;	/* a channel or a private chat (blocked / unblocked): nothing to say */
	if (!present(u->member_new)) {
		out->group_gone = 1;
		return;
	}
	if (present(u->member_old))
		return;	/* promoted or restricted: already introduced */
	const char *lang = dialog_lang(env, u, NULL);
	struct reply *r = dialog_say_with(env, u, out, "group_intro", NULL, NULL, lang, "bot",
					  env->bot_username);
	/* auto mode answers questions nobody addressed to the bot, which
	 * privacy mode hides from it; an admin bot sees everything */
	if (r && group_mode_of(env) == GROUP_AUTO && !env->can_read_all &&
	    strcmp(u->member_new, "administrator"))
		dialog_append(env, r, "group_privacy", NULL, lang);
	if (r)
		r->reply_to = 0;	/* nothing to quote */
}

void group_settings_command(const struct dialog_env *env, const struct update *u,
			    struct dialog_out *out)
{
	if (update_is_group(u)) {
		out->action = ACTION_GROUP_SETTINGS;
		return;
	}
	dialog_say_with(env, u, out, "group_settings_private", NULL, NULL, dialog_lang(env, u, NULL),
			"bot", env->bot_username);
}

/* A choice's button: its label, marked when it is the one in force. */
static void choice(const struct dialog_env *env, struct reply *r, const char *label,
		   const char *lang, int current, const char *key, const char *value)
{
	char text[KB_LABEL_MAX + 1], data[KB_CALLBACK_MAX + 1];
	snprintf(text, sizeof text, "%s%s", current ? "✅ " : "", label);
	snprintf(data, sizeof data, "g:%s:%s", key, value);
	(void)env;
	(void)lang;
	buttons_add(r, text, data);
}

void group_settings_menu(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const struct group_prefs *p, int64_t edit_id)
{
	const char *lang = dialog_lang(env, u, NULL);
	struct dialog_env here = *env;
	here.group = p;
	enum group_mode mode = group_mode_of(&here);
	const char *mode_label = "", *where_label = "";
	for (size_t i = 0; i < ARRAY_LEN(modes); i++)
		if (modes[i].mode == mode)
			mode_label = buttons_label(env, modes[i].label, lang);
	for (size_t i = 0; i < ARRAY_LEN(wheres); i++)
		if ((int)wheres[i].where == p->where)
			where_label = buttons_label(env, wheres[i].label, lang);
	const struct lang *l = lang_find(p->lang);
	const char *lang_label = l ? l->name : buttons_label(env, "button_lang_auto", lang);
	size_t first = out->n;
	const char *vars[] = {"mode", mode_label, "language", lang_label, "where", where_label, NULL};
	struct reply *r = dialog_say_vars(env, u, out, "group_settings", NULL, NULL, lang, vars);
	if (!r)
		return;
	for (size_t i = first; i < out->n; i++)
		out->v[i].edit_id = edit_id;
	for (size_t i = 0; i < ARRAY_LEN(modes); i++)
		choice(env, r, buttons_label(env, modes[i].label, lang), lang, modes[i].mode == mode,
		       "mode", modes[i].value);
	choice(env, r, buttons_label(env, "button_lang_auto", lang), lang, !l, "lang", "auto");
	for (size_t i = 0; i < nlangs; i++)
		if (langs[i].choosable)
			choice(env, r, langs[i].name, lang, l == &langs[i], "lang", langs[i].code);
	for (size_t i = 0; i < ARRAY_LEN(wheres); i++)
		choice(env, r, buttons_label(env, wheres[i].label, lang), lang,
		       (int)wheres[i].where == p->where, "where", wheres[i].value);
}

void group_settings_refused(const struct dialog_env *env, const struct update *u,
			    struct dialog_out *out)
{
	const char *lang = dialog_lang(env, u, NULL);
	if (u->kind == UPDATE_CALLBACK) {
		const struct answer *a = kb_answer(env->kb, "group_settings_admins", NULL, NULL, lang);
		free(out->callback_text);
		out->callback_text = a ? html_to_plain(a->text) : NULL;
		out->answer_callback = 1;
		return;
	}
	dialog_say(env, u, out, "group_settings_admins", NULL, NULL, lang);
}

int group_settings_apply(struct group_prefs *p, const char *data)
{
	char key[16], value[32];
	if (sscanf(data, "g:%15[a-z]:%31[A-Za-z-]", key, value) != 2)
		return -1;
	if (!strcmp(key, "mode")) {
		for (size_t i = 0; i < ARRAY_LEN(modes); i++)
			if (!strcmp(value, modes[i].value)) {
				int changed = p->mode != (int)modes[i].mode;
				p->mode = (int)modes[i].mode;
				return changed;
			}
	} else if (!strcmp(key, "lang")) {
		const struct lang *l = lang_find(value);
		if (!strcmp(value, "auto") || (l && l->choosable)) {
			const char *code = l ? l->code : "";
			int changed = strcmp(p->lang, code) != 0;
			snprintf(p->lang, sizeof p->lang, "%s", code);
			return changed;
		}
	} else if (!strcmp(key, "where")) {
		for (size_t i = 0; i < ARRAY_LEN(wheres); i++)
			if (!strcmp(value, wheres[i].value)) {
				int changed = p->where != (int)wheres[i].where;
				p->where = (int)wheres[i].where;
				return changed;
			}
	}
	return -1;
}

int group_settings_press(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, char **a, size_t n, const char *lang)
{
	(void)env;
	(void)lang;
	if (n != 2 || !update_is_group(u))
		return 0;
	snprintf(out->action_data, sizeof out->action_data, "g:%s:%s", a[0], a[1]);
	struct group_prefs probe = GROUP_PREFS_DEFAULT;
	if (group_settings_apply(&probe, out->action_data) < 0)
		return 0;	/* not a setting: stale */
	out->action = ACTION_GROUP_SETTING;
	return 1;
}

void group_route(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	if (!env->group || env->group->where != WHERE_PRIVATE || !update_is_group(u) ||
	    u->kind != UPDATE_MESSAGE || !out->n || u->from_id <= 0 || u->anonymous_admin ||
	    u->sender_chat_id || (u->text && u->text[0] == '/'))
		return;
	/* the pointer, in the group's language and script like the answer */
	struct dialog_out note = {0};
	const char *lang = out->lang ? out->lang : dialog_lang(env, u, NULL);
	dialog_say(env, u, &note, "answered_private", NULL, NULL, lang);
	note.lang = lang;
	dialog_convert_script(&note);
	for (size_t i = 0; i < out->n; i++) {
		struct reply *r = &out->v[i];
		r->group_chat_id = r->chat_id;
		r->group_reply_to = r->reply_to;
		r->group_thread_id = r->thread_id;
		r->chat_id = u->from_id;	/* a user's private chat has the user's id */
		r->reply_to = 0;
		r->thread_id = 0;
		r->is_group = 0;
		r->dedup_key[0] = '\0';	/* nothing in the group to point back to */
		if (i == 0 && note.n)
			snprintf(r->group_note, sizeof r->group_note, "%s", note.v[0].text);
	}
	dialog_out_free(&note);
}
