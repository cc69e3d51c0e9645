/* dialog — the conversation: decides what the bot says to one update, from
 * (update, knowledge base, conversation memory, settings). It never touches
 * the network: the run loop sends what it returns, the terminal chat prints
 * it. The only state it changes is the conversation memory it is handed.
 *
 * struct dialog_out owns its replies (texts, buttons); dialog_out_free()
 * releases them.
 *
 * Files: dialog.c reads a message in its conversation and picks the reply;
 * dialog_reply.c writes the replies that are not a topic's own answer
 * (acknowledgements, brands without facts, cues' texts); answer.c answers a
 * topic; buttons.c the presses; slash.c the commands. */
#ifndef CANCELBOT_DIALOG_H
#define CANCELBOT_DIALOG_H

#include <stdint.h>

#include "config.h"
#include "context.h"
#include "kb.h"
#include "lang.h"
#include "reply.h"
#include "update.h"

#define DEDUP_WINDOW 60.0	/* seconds: a repeated group question points back */

/* What an admin command asks of the running bot (it owns what it needs). */
enum admin_action { ACTION_NONE, ACTION_RELOAD, ACTION_STATS, ACTION_UNMATCHED,
		    /* a group admin's: checked with getChatMember by the edge */
		    ACTION_GROUP_SETTINGS, ACTION_GROUP_SETTING,
		    ACTION_KBADMIN	/* /kb /show /edit /teach /history /rollback: edge/kbedit.h */ };

struct group_prefs;	/* group.h */

struct dialog_out {
	struct reply *v;
	size_t n;
	int answer_callback;	/* call answerCallbackQuery for the update */
	char *callback_text;	/* its short notice, or NULL */
	int unmatched;		/* addressed to the bot but nothing matched */
	char *unmatched_text;	/* that message as written (bot mention blanked), for the log */
	const char *lang;	/* the language the bot used (a lang.h code, static) */
	int lang_chosen;	/* /lang changed a user's choice: the edge saves it */
	enum admin_action action;
	int action_arg;		/* /unmatched N */
	int refused_admin;	/* a non-admin tried an admin command */
	char action_data[65];	/* ACTION_GROUP_SETTING: the button's data */
	int group_gone;		/* the bot left or was removed: forget the group */
	int named_topic;	/* a rule of an intent matched the message itself:
				 * the follow-up model keeps to its topic (reread.c) */
	char *norm;		/* the message's normalised text, kept from its
				 * classification so reread.c does not normalise it again */
};

struct dialog_env {
	const struct kb *kb;
	const struct config *cfg;
	struct context *ctx;		/* conversation memory; may be NULL */
	const char *bot_username;	/* without '@' */
	int64_t bot_id;
	double now;			/* seconds, for memory expiry */
	int local_admin;		/* `cancelbot chat`: the terminal's user is the admin */
	const struct group_prefs *group;	/* the chat's settings, or NULL: defaults */
	int can_read_all;		/* getMe: privacy mode is off */
};

void dialog_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out);
void dialog_out_free(struct dialog_out *out);

#endif
