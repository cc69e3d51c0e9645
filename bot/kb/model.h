/* model — a learned second opinion on a message's intent, beside the rules.
 *
 * Seven sessions of rules written from the misses of one batch of questions
 * left the next batch, by a new writer, where it was (0.82–0.87 intent);
 * an averaged perceptron trained on every labelled file here, fourteen
 * batches by different writers, recognises the next writer's questions
 * better than the rules do, and the two together better than either
 * (docs/model.md has the figures). So the rules decide first and the model
 * is consulted after them (classify.c says when it wins).
 *
 * Features: the normalised text's character 1-, 2- and 3-grams (with ^ and
 * $ at its ends, whitespace runs as one space), its Latin words and pairs of
 * consecutive Latin words, each counted once. The model file
 * (intents/model.tsv) is written by `cancelbot train` (model_train.c) from
 * the labelled files and never by hand: one line per feature with its
 * non-zero weights.
 *
 * Loaded, a model keeps no feature strings: a feature is found by its
 * 64-bit hash (ftable.h), and a message's features are hashed as they are
 * read, never written out (two features of the file with the same hash are
 * refused at load, so a hash names one). Per weight a float and a byte of
 * class.
 *
 * A struct model is immutable once loaded and owned by its kb (kb_free). */
#ifndef CANCELBOT_MODEL_H
#define CANCELBOT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "ftable.h"
#include "util.h"

struct rule;

#define MODEL_FILE "model.tsv"
#define MODEL_FOLLOWUPS_FILE "model_followups.tsv"	/* reread.h */
#define MODEL_PLANS_FILE "model_plans.tsv"	/* the plan a message says (reread.h) */
#define MODEL_CARRIERS_FILE "model_carriers.tsv"	/* the carrier a message names (reread.h) */
#define MODEL_MAX_CLASSES 64

struct model {
	char **classes;		/* class names: "none" or an intent id */
	size_t nclasses;
	float min_margin;	/* the `margin` line: a class ahead by less has no say */
	float rescue_margin;	/* the `rescue` line: where the rules understood nothing,
				 * the margin that is enough (a follow-up model, reread.h;
				 * 0: the `margin` line's), or for the intent model the
				 * margin by which its general class answers (classify.c;
				 * 0: never) */
	float veto_margin;	/* the `veto` line: none ahead by this much silences the
				 * rules' topic; 0: the model's none never does */
	int none, general;	/* indexes of "none" and of the general class
				 * (the `general` line: "cancel"), or -1 */
	const struct rule **rules;	/* per class: the intent it stands for, NULL for none
					 * (set by kb_model_bind) */
	struct ftable table;	/* a feature's hash (ftable.h) -> its number */
	uint32_t *w_start;	/* per feature + 1: its weights are [w_start[f], w_start[f + 1]) */
	float *w_val;		/* per weight: its value */
	uint8_t *w_cls;		/* per weight: its class */
	size_t nfeat, nweights;
	char *file;		/* the path it was read from */
};

/* Calls fn once for every feature of norm (a normalised text), in order of
 * appearance, duplicates included. The bytes passed are valid only during
 * the call. */
typedef void (*model_feature_fn)(const char *f, size_t n, void *arg);
void model_features(const char *norm, model_feature_fn fn, void *arg);

/* Is name one of the follow-up model's classes that are no intent: the
 * topic the conversation is on ("same"), small talk, a carrier or plan
 * noted ("ack")? (reread.h) */
int model_reply_kind(const char *name);

/* Reads a model file. NULL and "path:line: why" lines in err on error. */
struct model *model_load(const char *path, struct sbuf *err);
void model_free(struct model *m);

/* Calls fn with the hash (ftable_hash) of every feature model_features
 * gives, duplicates included, in another order; no allocation. */
typedef void (*model_hash_fn)(uint64_t h, void *arg);
void model_feature_hashes(const char *norm, model_hash_fn fn, void *arg);

/* The feature's index, or -1 when the model has no weights for it. */
long model_find(const struct model *m, const char *f, size_t n);

/* Scores every class for norm into scores[nclasses]. The best class, or -1
 * when no feature of the text is known or two classes tie at the top;
 * *margin: how far the best is ahead of the second. */
int model_predict(const struct model *m, const char *norm, float *scores, float *margin);
/* The same, with whole features of the caller's beside the text's (a
 * conversation's state, "=T:cancel": reread.h); each counts once. */
int model_predict_with(const struct model *m, const char *norm, const char *const *extra,
		       size_t nextra, float *scores, float *margin);

#endif
