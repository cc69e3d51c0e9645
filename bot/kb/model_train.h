/* model_train — learning a model file (model.h) from labelled examples,
 * for `cancelbot train`. The trainer owns copies of everything added;
 * model_trainer_free releases them. */
#ifndef CANCELBOT_MODEL_TRAIN_H
#define CANCELBOT_MODEL_TRAIN_H

#include <stdint.h>
#include <stdio.h>

struct model_trainer;

struct model_train_opts {
	int epochs;		/* passes over the examples */
	uint64_t seed;		/* of the shuffle; 0 means 1 */
	const char *general;	/* the class written as `general`, or NULL */
	double margin;		/* written as `margin` when > 0 */
	double veto;		/* written as `veto` when > 0 */
	const char *comment;	/* "# …\n" lines written first, or NULL */
	double rescue;		/* written as `rescue` when > 0 */
	int runs;		/* runs averaged, each its own shuffle (seed, seed+1…);
				 * 0 means 1 */
};

struct model_trainer *model_trainer_new(void);
void model_trainer_free(struct model_trainer *t);
/* An example: a normalised text and its labels (any of them is right).
 * -1 when it would make more than MODEL_MAX_CLASSES classes. */
int model_trainer_add(struct model_trainer *t, const char *norm, const char *const *labels,
		      size_t nlabels);
/* The same, with whole features of the caller's beside the text's
 * (model_predict_with). */
int model_trainer_add_with(struct model_trainer *t, const char *norm, const char *const *extra,
			   size_t nextra, const char *const *labels, size_t nlabels);
size_t model_trainer_examples(const struct model_trainer *t);
/* Trains and writes the model file to out. 0, or -1 (fewer than two
 * classes, or a write error). */
int model_trainer_write(struct model_trainer *t, const struct model_train_opts *o, FILE *out);

#endif
