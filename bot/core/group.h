/* group — the bot's life in a group, decided without the network: the
 * intro when it is added (and how to fix privacy mode when auto mode cannot
 * see the messages), forgetting the group when it is removed, the
 * per-group settings its own Telegram admins change with /settings@bot
 * (mode, language, answers in the group or to the asker in private), and
 * sending a group's answers to the asker in private with a short pointer.
 *
 * Whether the one pressing is a group admin is the edge's to find out
 * (getChatMember): the dialog only asks for it (out->action). Nothing here
 * allocates beyond the replies appended to a dialog_out. */
#ifndef CANCELBOT_GROUP_H
#define CANCELBOT_GROUP_H

#include "dialog.h"

/* The answers of a group go where: the group, or the asker in private. */
enum group_where { WHERE_GROUP, WHERE_PRIVATE };

/* One group's settings, as its admins left them. */
struct group_prefs {
	int mode;		/* enum group_mode, or -1: the config's group_mode */
	char lang[16];		/* a lang.h code, or "": each asker's own */
	int where;		/* enum group_where */
};

#define GROUP_PREFS_DEFAULT {.mode = -1, .lang = "", .where = WHERE_GROUP}

/* The mode in force in u's chat (the group's, else the config's). */
enum group_mode group_mode_of(const struct dialog_env *env);

/* my_chat_member: the intro when the bot joined a group (with the privacy
 * fix in auto mode when it cannot read the messages), out->group_gone when
 * it left or was removed. */
void group_member(const struct dialog_env *env, const struct update *u, struct dialog_out *out);

/* /settings: in a group, asks the edge to check the sender is an admin
 * (out->action = ACTION_GROUP_SETTINGS); in private, how to use it. */
void group_settings_command(const struct dialog_env *env, const struct update *u,
			    struct dialog_out *out);
/* The settings message for prefs with its keyboard, as a new message or,
 * edit_id set, in place of the old one. */
void group_settings_menu(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const struct group_prefs *prefs, int64_t edit_id);
/* "Only this group's admins..." as a reply (command) or a notice (press). */
void group_settings_refused(const struct dialog_env *env, const struct update *u,
			    struct dialog_out *out);
/* A settings button ("g:mode:auto", "g:lang:zh-Hant", "g:where:private")
 * applied to prefs: 1 changed, 0 already so, -1 not a setting. */
int group_settings_apply(struct group_prefs *prefs, const char *data);
/* The button press handler (buttons.c's table): asks the edge for the
 * admin check (out->action = ACTION_GROUP_SETTING, the data in
 * out->action_data). 0 when the press is not for a group. */
int group_settings_press(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, char **args, size_t nargs, const char *lang);

/* Where-to-private: the replies of out (an answer to u in a group whose
 * answers go to the asker) retargeted to the asker's private chat, each
 * falling back to the group, the first carrying the group's pointer. Not
 * for anonymous admins or channels, who have no private chat. */
void group_route(const struct dialog_env *env, const struct update *u, struct dialog_out *out);

#endif
