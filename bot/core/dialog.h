/* dialog — the conversation: decides what the bot says to one update, from
 * (update, knowledge base, conversation memory, settings). It never touches
 * the network: the run loop sends what it returns, the terminal chat prints
 * it. The only state it changes is the conversation memory it is handed.
 *
 * struct dialog_out owns its replies (texts, buttons); dialog_out_free()
 * releases them. */
#ifndef CANCELBOT_DIALOG_H
#define CANCELBOT_DIALOG_H

#include <stdint.h>

#include "config.h"
#include "context.h"
#include "kb.h"
#include "lang.h"
#include "update.h"

#define DIALOG_MAX_BUTTONS 24
#define DEDUP_WINDOW 60.0	/* seconds: a repeated group question points back */

struct button {
	char text[64];
	char data[65];		/* callback_data: Telegram allows 1-64 bytes */
};

struct reply {
	int64_t chat_id;
	int64_t reply_to;	/* message to quote (groups), or 0 */
	int64_t thread_id;	/* forum topic, or 0 */
	int64_t edit_id;	/* replace this message in place (editMessageText), or 0 */
	char *text;		/* Telegram HTML, at most TG_MAX_TEXT units */
	struct button buttons[DIALOG_MAX_BUTTONS];
	size_t nbuttons;
	const char *source;	/* answer file that produced it, for logs */
	char topic[CTX_ID];	/* for stats: the intent answered, or "" */
	char carrier[CTX_ID];
	char dedup_key[64];	/* groups: note the sent message under this key */
};

/* What an admin command asks of the running bot (it owns what it needs). */
enum admin_action { ACTION_NONE, ACTION_RELOAD, ACTION_STATS, ACTION_UNMATCHED };

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
};

struct dialog_env {
	const struct kb *kb;
	const struct config *cfg;
	struct context *ctx;		/* conversation memory; may be NULL */
	const char *bot_username;	/* without '@' */
	int64_t bot_id;
	double now;			/* seconds, for memory expiry */
	int local_admin;		/* `cancelbot chat`: the terminal's user is the admin */
};

void dialog_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out);
void dialog_out_free(struct dialog_out *out);

/* Shared by commands.c and buttons.c. The reply language (a lang.h code):
 * /lang's choice, else the script of text (the message; NULL for commands
 * and buttons), else the conversation's, else the user's Telegram language. */
const char *dialog_lang(const struct dialog_env *env, const struct update *u, const char *text);
struct reply *dialog_say(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const char *topic, const char *carrier,
			 const char *plan, const char *lang);
/* Answers topic for carrier/plan, asking "which carrier?" or "prepaid or
 * postpaid?" first when the answer depends on it, and remembers it all. */
void dialog_answer(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		   const char *topic, const char *carrier, const char *plan, const char *lang);

/* Converts every reply of out (texts, buttons, the toast) into the script
 * of out->lang, when that variant has one of its own (script.c). */
void dialog_convert_script(struct dialog_out *out);
/* /lang: l, or NULL for automatic (follow the messages again); remembered
 * (out->lang_chosen tells the edge to save it) and confirmed in the
 * language now in force. */
void dialog_set_lang(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		     const struct lang *l);

/* 1 when answering topic for carrier/plan would repeat the conversation's
 * last answer word for word (a second press of the same button). */
int dialog_repeats(const struct dialog_env *env, const struct update *u, const char *topic,
		   const char *carrier, const char *plan, const char *lang);
/* Says (or, toast: shows as the press's notice) that the answer above
 * already applies to plan, and remembers the plan. */
void dialog_same_answer(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out, const char *plan, const char *lang, int toast);

/* An admin report (plain text): escaped, preformatted, split if long. */
void dialog_report(const struct update *u, struct dialog_out *out, const char *text);

/* Keyboards (buttons.c). */
void buttons_carriers(const struct dialog_env *env, struct reply *r, const char *list_key,
		      const char *topic, const char *plan, const char *lang);
void buttons_topics(const struct dialog_env *env, struct reply *r, const char *carrier,
		    const char *lang);
void buttons_plans(const struct dialog_env *env, struct reply *r, const char *topic,
		   const char *carrier, const char *lang);
/* A button label from [general] (key.LANG), e.g. "button_other"; the key
 * itself when missing. */
const char *buttons_label(const struct dialog_env *env, const char *key, const char *lang);
void buttons_add(struct reply *r, const char *text, const char *data);
void buttons_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out);

#endif
