/* needle_parse — what the parts of the needle reader share, and nobody
 * else: prefilter.c reads a regex source into parts (needles, leads and the
 * AND/OR form of every literal a match needs), form.c builds and flattens
 * the form trees, needle_memo.c remembers big groups already read. Readers
 * of the prefilter include prefilter.h alone.
 *
 * Memory: a part owns its needle sets and one reference to its form
 * (part_free); a form is reference-counted (form_copy / form_free). */
#ifndef CANCELBOT_NEEDLE_PARSE_H
#define CANCELBOT_NEEDLE_PARSE_H

#include "prefilter.h"

/* A position in the regex source being read. */
struct reader {
	const char *p;
	int unknown;		/* met syntax it does not understand */
};

/* What a part of a regex tells: need, literals one of which every match
 * contains; lead, literals one of which every match starts with (so that
 * "u(?:k|ae)" can need "uk" or "uae", though "u", "k" are one byte each). */
struct part {
	struct needles need, lead;
	struct form *form;	/* every literal it needs, with AND and OR (NULL: none) */
};

/* The whole of what a match needs, where need keeps only the best part of
 * each sequence: "{b}(?:pay|hire) (?:a )?(?:guy|agent)" needs (pay or
 * hire) and (guy or agent), not only one of them. A leaf is a literal. */
enum { FORM_LEAF, FORM_AND, FORM_OR, FORM_ANY };
enum { MAX_FORM = 4096 };	/* nodes; past it, only the need set is used */

struct form {
	int kind;
	int refs;		/* a group's form is shared by the patterns that hold
				 * its text (the memo below); never changed once made,
				 * but for the order of its kids (flatten) */
	char *s;		/* a leaf's literal */
	size_t len, n, size;	/* size: nodes in the tree */
	size_t cost;		/* flatten's sort key, 0 until computed */
	int sorted;		/* kids in flatten's order already: a shared form
				 * ({plan} in many patterns) is sorted once, not per set */
	struct form **kid;
};

/* prefilter.c */
void needle_set_free(struct needles *s);
void needle_set_copy(struct needles *dst, const struct needles *src);
void part_free(struct part *p);
void part_copy(struct part *dst, struct part *src);
/* Alternatives up to ')' or the end, into out. */
void needle_read_alternation(struct reader *r, struct part *out);
/* Skips a character class starting at '['. */
void needle_skip_class(struct reader *r);

/* form.c */
void form_free(struct form *f);
struct form *form_copy(struct form *f);
struct form *form_leaf(const char *s, size_t len);
void form_add(struct form **to, int kind, struct form *kid);
struct form *form_done(struct form *f);
/* Sets out->form and out->leaf from f when it says more than the need set
 * (it has an AND somewhere); nothing otherwise. */
void form_flatten(struct form *f, struct needles *out);

/* needle_memo.c: needle_read_alternation of a group's text at r->p, from
 * the thread's memo when the same text was read before. */
void needle_read_group_text(struct reader *r, struct part *out);

#endif
