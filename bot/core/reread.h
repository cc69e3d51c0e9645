/* reread — a learned second opinion on a conversation's later turns.
 *
 * The dialog's cues and memory read a follow-up ("by phone?", "和预付的一样吗",
 * "k thx") with rules written from the misses of earlier batches of
 * dialogs; a batch by a new writer still came out 0.71–0.77 of its turns
 * right, and tuning on one half of a batch never moved the other half.
 * The follow-up model (intents/model_followups.tsv, the same averaged
 * perceptron as model.h) learns from every labelled dialog turn what the
 * writers meant, from the message's n-grams and the conversation's state
 * (the topic on, a question pending, a carrier or plan known, the
 * situation). Its classes are relative to the conversation: `same` (go on
 * with the topic), `smalltalk`, `ack`, `none`, or an intent.
 *
 * After the rules have replied, reread_turn asks the model; where it
 * disagrees by the file's `margin` (or by its `rescue` margin, when the
 * rules understood nothing) the rules' reply is replaced by the model's.
 * Only in private chats, and only on a conversation that has begun (a
 * first message is the intent model's, classify.c).
 *
 * Pure core: no network, no files; it owns nothing it returns. */
#ifndef CANCELBOT_REREAD_H
#define CANCELBOT_REREAD_H

#include "context.h"
#include "dialog.h"

/* Has the conversation begun (a carrier, topic, brand, plan or question)? */
int reread_ongoing(const struct memory *m);

/* The features a turn adds to its text's: the state of m, "=T:topic",
 * "=P:pending", "=C:0|1" (a carrier known), "=L:0|1" (a plan known),
 * "=S:situation", then the topic paired with each Latin word and each pair
 * of Chinese characters of norm ("=cancel|wpin": "PIN" after a cancel
 * question is the port, after a port question the same topic). Each
 * starts with '=' and has four code points or more, so it is never a text
 * n-gram. The struct owns its strings (reread_feats_free). */
struct reread_feats {
	const char **v;
	size_t n;
	struct sbuf text;	/* the strings, NUL-separated */
};
void reread_features(const struct memory *m, const char *norm, struct reread_feats *f);
void reread_feats_free(struct reread_feats *f);

/* A dialog label as the model's class for a turn read in m: the topic on
 * is `same`, a greeting small talk; other labels are themselves. */
const char *reread_class(const struct memory *m, const char *label);

/* The plan norm (a normalised message) says by the plan model
 * (intents/model_plans.tsv), where it is sure by the file's margin: a plan
 * id, or NULL. The rules take a plan as said only in the words they know
 * ("it's prepaid", "我是月结的"); people say it by how they pay ("I pay cash
 * at the store every month", "上個禮拜啱啱增咗值", "the bill comes to the
 * house"), and each writer in other words. */
const char *reread_plan(const struct kb *kb, const char *norm);
/* The same for the carrier a message names where the rules found none
 * (intents/model_carriers.tsv): "the pink one by the food court". */
const char *reread_carrier(const struct kb *kb, const char *norm);

/* Replaces out (the rules' reply to text in u's private chat, before: the
 * memory the rules read it in) with the model's where the model overrules
 * them. */
void reread_turn(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		 const struct memory *before, const char *text);

#endif
