/* answer — the dialog's lower half, shared by the dialog, the slash
 * commands and the button presses: choosing the reply language, rendering a
 * topic's answer into replies, answering a topic (or asking "which
 * carrier?" / "prepaid or postpaid?" first) and remembering it, and admin
 * reports. Replies are appended to a struct dialog_out, which owns them. */
#ifndef CANCELBOT_ANSWER_H
#define CANCELBOT_ANSWER_H

#include "dialog.h"

/* The reply language: /lang's choice, else the message's (msg_lang), else
 * for a button the conversation's, else the user's Telegram language. */
const char *dialog_lang(const struct dialog_env *env, const struct update *u, const char *msg_lang);
/* Renders topic's answer (for carrier and plan) and appends it as one or
 * more replies (long answers are split); returns the last part, where
 * buttons go, or NULL when there is no answer. */
struct reply *dialog_say(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const char *topic, const char *carrier,
			 const char *plan, const char *lang);
/* Answers topic for carrier/plan, asking "which carrier?" or "prepaid or
 * postpaid?" first when the answer depends on it, and remembers it all. */
void dialog_answer(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		   const char *topic, const char *carrier, const char *plan, const char *lang);

/* An admin report (plain text): escaped, preformatted, split if long. */
void dialog_report(const struct update *u, struct dialog_out *out, const char *text);

#endif
