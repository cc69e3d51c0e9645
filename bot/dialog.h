/* dialog — the conversation: decides what the bot says to one update, as a
 * pure function of (update, knowledge base, bot identity, settings). It
 * never touches the network; the run loop sends what it returns, and the
 * terminal chat prints it.
 *
 * struct dialog_out owns its replies (texts, buttons); dialog_out_free()
 * releases them. */
#ifndef CANCELBOT_DIALOG_H
#define CANCELBOT_DIALOG_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "kb.h"
#include "update.h"

#define DIALOG_MAX_BUTTONS 24

struct button {
	char text[64];
	char data[65];		/* callback_data: Telegram allows 1-64 bytes */
};

struct reply {
	int64_t chat_id;
	int64_t reply_to;	/* message to quote (groups), or 0 */
	int64_t thread_id;	/* forum topic, or 0 */
	char *text;		/* Telegram HTML, at most TG_MAX_TEXT units */
	struct button buttons[DIALOG_MAX_BUTTONS];
	size_t nbuttons;
	const char *source;	/* answer file that produced it, for logs */
	const char *topic;	/* for stats: the intent answered, or NULL */
	const char *carrier;
};

struct dialog_out {
	struct reply *v;
	size_t n;
	int answer_callback;	/* call answerCallbackQuery for the update */
	char *callback_text;	/* its short notice, or NULL */
	int unmatched;		/* addressed to the bot but nothing matched */
};

struct dialog_env {
	const struct kb *kb;
	const struct config *cfg;
	const char *bot_username;	/* without '@' */
	int64_t bot_id;
	time_t now;
};

void dialog_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out);
void dialog_out_free(struct dialog_out *out);

/* Helpers the command handlers share (commands.c). */
const char *dialog_user_lang(const struct update *u);
void dialog_say(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		const char *topic, const char *carrier, const char *plan, const char *lang);

#endif
