/* form — the AND/OR trees of the literals a match needs (needle_parse.h,
 * struct form), and their flattening into the prefix-order array a struct
 * needles keeps (prefilter.h). Built by the reader (prefilter.c). */
#include "needle_parse.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void form_free(struct form *f)
{
	if (!f || --f->refs > 0)
		return;
	for (size_t i = 0; i < f->n; i++)
		form_free(f->kid[i]);
	free(f->kid);
	free(f->s);
	free(f);
}

struct form *form_leaf(const char *s, size_t len)
{
	struct form *f = xcalloc(1, sizeof *f);
	len = len > MAX_NEEDLE_LEN ? MAX_NEEDLE_LEN : len;
	*f = (struct form){.kind = FORM_LEAF, .refs = 1, .s = xstrndup(s, len), .len = len,
			   .size = 1};
	return f;
}

/* Adds kid to the AND or OR node *to (made on first use); a NULL kid of an
 * AND is "nothing needed" and dropped, and so is one that would make the
 * tree too big (an AND needs its other kids still). An OR that grows too
 * big becomes NULL (anything may match) in read_alternation. */
void form_add(struct form **to, int kind, struct form *kid)
{
	if (!kid)
		return;
	if (kind == FORM_AND && *to && (*to)->size + kid->size > MAX_FORM) {
		form_free(kid);
		return;
	}
	if (!*to) {
		*to = xcalloc(1, sizeof **to);
		(*to)->kind = kind;
		(*to)->refs = 1;
		(*to)->size = 1;
	}
	struct form *f = *to;
	f->kid = xrealloc(f->kid, (f->n + 1) * sizeof *f->kid);
	f->kid[f->n++] = kid;
	f->size += kid->size;
}

/* An AND or OR of one is its kid. */
struct form *form_done(struct form *f)
{
	if (f && f->n == 1) {
		struct form *k = f->kid[0];
		f->n = 0;
		form_free(f);
		return k;
	}
	if (f && f->size > MAX_FORM) {
		form_free(f);
		return NULL;
	}
	return f;
}

struct form *form_copy(struct form *f)
{
	if (f)
		f->refs++;
	return f;
}

/* An OR of literals says no more than the need set. */
static int has_and(const struct form *f)
{
	if (f->kind == FORM_AND)
		return 1;
	for (size_t i = 0; i < f->n; i++)
		if (has_and(f->kid[i]))
			return 1;
	return 0;
}

static int all_leaves(const struct form *f);

static size_t cost(struct form *f)
{
	if (!f->cost)	/* all_leaves is a walk: once a node, not once a comparison */
		f->cost = f->kind == FORM_LEAF || (f->kind == FORM_OR && all_leaves(f)) ? 1 : f->size;
	return f->cost;
}

static int by_cost(const void *a, const void *b)
{
	size_t x = cost(*(struct form **)a), y = cost(*(struct form **)b);
	return x < y ? -1 : x > y;
}

static int all_leaves(const struct form *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->kid[i]->kind != FORM_LEAF)
			return 0;
	return 1;
}

/* The tree in prefix order (prefilter.h, struct needles). An OR of leaves
 * only is FORM_ANY, a word saved for its set id: the index gives it a set
 * bit of its own, so a list of 300 words is one test, not 300. An AND or
 * OR has a word saved too, for its memo slot (prescan.c): the same subtree
 * in many sets ({plan} in every pattern that names a plan) is evaluated
 * once a message. */
static void flatten(struct form *f, struct needles *out)
{
	size_t at = out->nform++;	/* room: made by needles_from_regex */
	if (f->kind == FORM_LEAF) {
		out->leaf[out->nleaf] = (struct needle){xstrndup(f->s, f->len), f->len};
		out->form[at] = (uint32_t)out->nleaf++ << 2 | FORM_LEAF;
		return;
	}
	int any = f->kind == FORM_OR && all_leaves(f);
	out->form[out->nform++] = 0;	/* the set id or memo slot, given by the index */
	/* the cheapest kids first: one test each (a leaf, an OR of leaves)
	 * before a tree, so that a failing AND or a holding OR stops early */
	if (!f->sorted)	/* glibc's qsort is a stable merge sort: a second sort changed nothing */
		qsort(f->kid, f->n, sizeof *f->kid, by_cost);
	f->sorted = 1;
	for (size_t i = 0; i < f->n; i++)
		flatten(f->kid[i], out);
	out->form[at] = (uint32_t)out->nform << 2 | (uint32_t)(any ? FORM_ANY : f->kind);
}

void form_flatten(struct form *f, struct needles *out)
{
	if (!f || !has_and(f))
		return;
	/* at most two words a node (one for a leaf): sized once, not grown a
	 * node at a time */
	out->form = xcalloc(2 * f->size + 1, sizeof *out->form);
	out->leaf = xcalloc(f->size + 1, sizeof *out->leaf);
	flatten(f, out);
	out->form = xrealloc(out->form, (out->nform + 1) * sizeof *out->form);
}
