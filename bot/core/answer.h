/* answer — the dialog's lower half, shared by the dialog, the slash
 * commands and the button presses: choosing the reply language, rendering a
 * topic's answer into replies, answering a topic (or asking "which
 * carrier?" / "prepaid or postpaid?" first) and remembering it, and admin
 * reports. Replies are appended to a struct dialog_out, which owns them. */
#ifndef CANCELBOT_ANSWER_H
#define CANCELBOT_ANSWER_H

#include "dialog.h"
#include "script.h"

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

/* dialog_say with {user} and one more value of the conversation for the
 * template (key "brand", "earlier"; none when value is NULL or empty). */
struct reply *dialog_say_with(const struct dialog_env *env, const struct update *u,
			      struct dialog_out *out, const char *topic, const char *carrier,
			      const char *plan, const char *lang, const char *key, const char *value);
/* The same with several values: extra is "key", "value", ..., NULL (at
 * most DIALOG_MAX_VARS pairs). */
#define DIALOG_MAX_VARS 6
struct reply *dialog_say_vars(const struct dialog_env *env, const struct update *u,
			      struct dialog_out *out, const char *topic, const char *carrier,
			      const char *plan, const char *lang, const char *const *extra);
/* Adds a UI text as the last paragraph of reply r (when it still fits). */
void dialog_append(const struct dialog_env *env, struct reply *r, const char *topic,
		   const char *carrier, const char *lang);
/* Remembers what was answered (or asked) for the conversation of u. */
void dialog_remember(const struct dialog_env *env, const struct update *u, const char *topic,
		     const char *carrier, const char *plan, enum pending pending, const char *lang);
/* A message that named two lines ("I have both AT&T and Verizon lines, how
 * do I cancel both?") was answered for carrier: under the last reply, the
 * other_line text and a button with the same topic for the first other
 * carrier it named (not one it only moves to). Nothing when it named one. */
struct classification;
void dialog_offer_other_line(const struct dialog_env *env, struct dialog_out *out,
			     const struct classification *c, const char *topic,
			     const char *carrier, const char *lang);
/* 1 when answering topic for carrier/plan would repeat the conversation's
 * last answer word for word (a second press of the same button). */
int dialog_repeats(const struct dialog_env *env, const struct update *u, const char *topic,
		   const char *carrier, const char *plan, const char *lang);
/* A new question in a private chat whose answer would be the last answer
 * word for word ("手机还没还完怎么办" right after the fees answer): the
 * topic's short "TOPIC_again" text instead, when responses/ has one.
 * Returns 1 when it said it. */
int dialog_say_again(const struct dialog_env *env, const struct update *u,
		     struct dialog_out *out, const char *topic, const char *carrier,
		     const char *plan, const char *lang);
/* Says (or, toast: shows as the press's notice) that the answer above
 * already applies to plan, and remembers the plan. */
void dialog_same_answer(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out, const char *plan, const char *lang, int toast);
/* /lang: l, or NULL for automatic (follow the messages again); remembered
 * (out->lang_chosen tells the edge to save it) and confirmed in the
 * language now in force. */
void dialog_set_lang(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		     const struct lang *l);

/* An admin report (plain text): escaped, preformatted, split if long. */
void dialog_report(const struct update *u, struct dialog_out *out, const char *text);

#endif
