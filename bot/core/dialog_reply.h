/* dialog_reply — the replies of the dialog (dialog.c) that are not a
 * topic's own answer: a carrier, brand or plan said alone, acknowledged
 * with what the bot can tell about it; a topic for a US brand without
 * facts (what to ask it, then the general answer); a cue whose answer is a
 * UI text (small talk, "how long does it take?", "I don't know"). Each
 * appends to out (which owns the replies) and updates the conversation's
 * memory as that reply leaves it. */
#ifndef CANCELBOT_DIALOG_REPLY_H
#define CANCELBOT_DIALOG_REPLY_H

#include "context.h"
#include "dialog.h"
#include "followup.h"
#include "kb.h"

/* A carrier, brand or plan said alone (only_plan: the plan, for the
 * carrier already known): noted, with the main topics as buttons. */
void dialog_acknowledge(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out, const struct ask *a, int only_plan,
			const char *lang);
/* A topic for a US carrier without facts: other_brand first (first: the
 * brand was named now), then the general answer; never "which carrier?". */
void dialog_answer_brand(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const struct ask *a, const char *lang, int first);
/* cue's UI text for what is known (named: the carrier the message named, or
 * NULL); the pending question it answers, and the task it goes on with. */
void dialog_answer_cue(const struct dialog_env *env, const struct update *u,
		       struct dialog_out *out, const struct rule *cue, const struct ask *a,
		       const struct memory *m, const char *named, const char *lang);
/* Does keeps (a cue's comma list) name a before b? Both kept: the one named
 * first is what the cue means (dialog.c and the cue replies above). */
int dialog_keeps_before(const char *keeps, const char *a, const char *b);

#endif
