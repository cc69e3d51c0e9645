/* dialogs — the dialog scorer behind `cancelbot dialogs`: labelled
 * multi-turn conversations (docs/cancelbot.1, DIALOG FILES) are played one by
 * one as private chats through the bot's own dialog (context, cues,
 * follow-ups, script), and every user turn is checked against its labels.
 * Pure: the caller reads the file and prints the result.
 *
 * How the bot's reply maps onto the labels (dialogs_observe):
 *   - a reply rendering an intent's answer: that intent, for the carrier and
 *     plan it was rendered for (an answer that asks "which carrier?" under
 *     its general steps counts as the intent with carrier -);
 *   - "which carrier?" alone: the topic it asks for, carrier -;
 *   - small talk ("thanks", "ok"): smalltalk; the greeting counts as
 *     smalltalk too;
 *   - a carrier, brand or plan noted (with the topics): ack;
 *   - the "I can only help with…" fallback, or silence: none;
 *   - any other UI text (how long it takes, "the answer above applies"):
 *     the topic the conversation is on.
 *   Carrier and plan of a turn that is no answer are what the conversation
 *   knows after it (small talk and none are also right with -); the script is the reply's (Traditional matches
 *   Traditional, Taiwan or Hong Kong wording alike).
 *
 * struct dialogs_set owns its conversations and their strings
 * (dialogs_set_free); struct dialogs_result owns its misses text
 * (dialogs_result_free). */
#ifndef CANCELBOT_DIALOGS_H
#define CANCELBOT_DIALOGS_H

#include "config.h"
#include "context.h"
#include "dialog.h"
#include "kb.h"
#include "util.h"

struct dialogs_turn {
	char *text, *intents, *carriers, *plan, *script;	/* the five columns */
	int line;
};

struct dialogs_conv {
	char *title;		/* "ID short description" */
	int line;
	struct dialogs_turn *turns;
	size_t n;
};

struct dialogs_set {
	struct dialogs_conv *convs;
	size_t n;
};

/* What the bot did on one turn, as labels. */
struct dialogs_got {
	char intent[CTX_ID], carrier[CTX_ID], plan[CTX_ID], script[16];
	char said[CTX_ID];	/* the answer or UI text behind it, for --misses */
};

/* The labels a turn got wrong, as bits. */
enum { DIALOGS_INTENT = 1, DIALOGS_CARRIER = 2, DIALOGS_PLAN = 4, DIALOGS_SCRIPT = 8 };

struct dialogs_result {
	size_t turns, turns_ok, convs, convs_ok;
	size_t wrong[4];	/* turns wrong on intent, carrier, plan, script */
	struct sbuf misses;	/* each wrong turn with the conversation so far */
};

/* Parses a dialog file's text (name: for messages). -1 with "name:line: why"
 * in err when it is malformed; unknown labels are reported in warn. */
int dialogs_parse(const struct kb *kb, const char *text, const char *name,
		  struct dialogs_set *out, struct sbuf *err, struct sbuf *warn);
void dialogs_set_free(struct dialogs_set *s);

/* The labels of what the bot did on one turn: out as dialog_handle returned
 * it, m the conversation memory after it (may be NULL). */
void dialogs_observe(const struct kb *kb, const struct dialog_out *out, const struct memory *m,
		     struct dialogs_got *got);
/* 0 when got matches every label of want, else the DIALOGS_* bits wrong. */
unsigned dialogs_check(const struct dialogs_turn *want, const struct dialogs_got *got);

/* Plays every conversation of s (name: the file, for the misses) and adds
 * its figures to r (zeroed by the caller); the misses are written only
 * when misses is set. */
void dialogs_play(const struct kb *kb, const struct config *cfg, const struct dialogs_set *s,
		  const char *name, int misses, struct dialogs_result *r);
/* The same, teacher-forced: after each wrong turn the conversation memory
 * is set to what that turn's labels imply (topic, carrier, plan, script,
 * the question that would be pending), so every turn is scored in the
 * context its writer meant. Forced minus plain is the share of misses that
 * are cascades of an earlier wrong turn. */
void dialogs_play_forced(const struct kb *kb, const struct config *cfg,
			 const struct dialogs_set *s, const char *name, int misses,
			 struct dialogs_result *r);
void dialogs_result_free(struct dialogs_result *r);

/* Plays every conversation of s teacher-forced, as dialogs_play_forced, and
 * calls fn before each turn (c->turns[k]) with the memory the turn is read
 * in (NULL when nothing is remembered yet): the examples of `train
 * --followups` and `train --plans` (reread.h). */
typedef void (*dialogs_turn_fn)(void *arg, const struct dialogs_conv *c, size_t k,
				const struct memory *before);
void dialogs_walk(const struct kb *kb, const struct config *cfg, const struct dialogs_set *s,
		  dialogs_turn_fn fn, void *arg);

#endif
