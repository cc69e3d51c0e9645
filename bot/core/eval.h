/* eval — accuracy of a knowledge base on a labelled file in the format of
 * shared/eval/dev.tsv (text, acceptable intents, acceptable carriers or -,
 * plan or -). Used by `cancelbot eval` and by reload gating. Several files
 * are pooled with eval_add (the total counts every line once).
 *
 * struct eval_result owns its report text and its miss lists
 * (eval_result_free). */
#ifndef CANCELBOT_EVAL_H
#define CANCELBOT_EVAL_H

#include "kb.h"

/* Why a line is a miss, checked in this order: a line labelled none that
 * got an intent; a wrong intent (none included); a right intent with a
 * wrong carrier; right intent and carrier with a wrong plan. */
enum eval_cause { EVAL_FALSE, EVAL_INTENT, EVAL_CARRIER, EVAL_PLAN, EVAL_CAUSES, EVAL_OK = -1 };

struct eval_result {
	size_t pos, neg;
	size_t ok_i, ok_c, ok_p, n_p, ft;	/* the counts behind the figures */
	double intent_acc, carrier_acc, plan_acc, false_trigger;
	struct sbuf report;	/* per-intent P/R/F1 and the confusions */
	struct sbuf misses[EVAL_CAUSES];	/* one line per miss, by cause */
};

/* -1 with a message in err when the file cannot be read or is malformed. */
int eval_file(const struct kb *kb, const char *path, struct eval_result *out, struct sbuf *err);

/* The cause of a miss from the labels (want_*; want_c and want_p "-" when
 * unscored) and what the classifier said (got_c, got_p NULL when none);
 * EVAL_OK when the line is right. Pure. */
enum eval_cause eval_cause_of(const char *want_i, const char *want_c, const char *want_p,
			      const char *got_i, const char *got_c, const char *got_p);

/* Adds part's counts and miss lines to total and recomputes total's
 * figures; total starts zeroed. */
void eval_add(struct eval_result *total, const struct eval_result *part);

/* The misses of r grouped by cause, each group under a heading with its
 * count; nothing when there are none. */
void eval_format_misses(const struct eval_result *r, struct sbuf *out);

/* num/den to three decimals, cut toward the side that fails a bar: down
 * for an accuracy (up = 0), up for a false-trigger rate (up = 1), so that a
 * figure below a bar of 1.000 never prints as 1.000 (1999/2000 is 0.999);
 * none (0 or 1) when den is 0. */
void eval_format_ratio(struct sbuf *out, size_t num, size_t den, size_t none, int up);

/* "intent_acc=… carrier_acc=… plan_acc=… false_trigger=… (n=P+N)", the
 * figures as eval_format_ratio prints them. */
void eval_format_summary(const struct eval_result *r, struct sbuf *out);

void eval_result_free(struct eval_result *r);

#endif
