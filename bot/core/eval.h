/* eval — accuracy of a knowledge base on a labelled file in the format of
 * shared/eval/dev.tsv (text, acceptable intents, acceptable carriers or -,
 * plan or -). Used by `cancelbot eval` and by reload gating.
 *
 * struct eval_result owns its report text (eval_result_free). */
#ifndef CANCELBOT_EVAL_H
#define CANCELBOT_EVAL_H

#include "kb.h"

struct eval_result {
	size_t pos, neg;
	double intent_acc, carrier_acc, plan_acc, false_trigger;
	struct sbuf report;	/* per-intent P/R/F1 and the confusions */
};

/* -1 with a message in err when the file cannot be read or is malformed. */
int eval_file(const struct kb *kb, const char *path, struct eval_result *out, struct sbuf *err);
void eval_result_free(struct eval_result *r);

#endif
