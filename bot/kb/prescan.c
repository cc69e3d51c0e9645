/* prescan — the needle index of prefilter.h: one trie of every needle of a
 * knowledge base, and the per-message scan that says which sets have a
 * needle in the text.
 *
 * Before it, each set was tested on its own against the text's byte pairs:
 * some 160 tests a message, a sixth of classification, and a needle whose
 * pairs all occur apart ("fo", "or", "r " in "four rooms") let its regex run
 * for nothing. The scan is exact and costs a few trie steps per byte. */
#include "prefilter.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct needle_index *ix, uint32_t key)
{
	return (size_t)((key * 0x9E3779B1u) >> 7) & (ix->cap - 1);
}

/* The transition on byte c from state s (s > 0), or NULL. */
static const struct needle_step *step(const struct needle_index *ix, uint32_t s, unsigned char c)
{
	uint32_t key = (s << 8 | c) + 1;
	for (size_t i = slot_of(ix, key);; i = (i + 1) & (ix->cap - 1)) {
		if (ix->steps[i].key == key)
			return &ix->steps[i];
		if (!ix->steps[i].key)
			return NULL;
	}
}

/* Doubles the transition table: kept at most half full as the trie grows
 * (sizing it for every needle byte up front took 8 MB for 24 000 states). */
static void grow(struct needle_index *ix)
{
	struct needle_index old = *ix;
	ix->cap = old.cap ? old.cap * 2 : 4096;
	ix->steps = xcalloc(ix->cap, sizeof *ix->steps);
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.steps[i].key)
			continue;
		size_t j = slot_of(ix, old.steps[i].key);
		while (ix->steps[j].key)
			j = (j + 1) & (ix->cap - 1);
		ix->steps[j] = old.steps[i];
	}
	free(old.steps);
}

static uint32_t add_step(struct needle_index *ix, uint32_t s, unsigned char c)
{
	if (s == 0) {
		if (!ix->root[c])
			ix->root[c] = (uint32_t)ix->nstates++;
		return ix->root[c];
	}
	if (2 * ix->nstates >= ix->cap)	/* one transition per state */
		grow(ix);
	uint32_t key = (s << 8 | c) + 1;
	size_t i = slot_of(ix, key);
	for (; ix->steps[i].key; i = (i + 1) & (ix->cap - 1))
		if (ix->steps[i].key == key)
			return ix->steps[i].next;
	ix->steps[i] = (struct needle_step){key, (uint32_t)ix->nstates++, 0};
	return ix->steps[i].next;
}

static uint32_t add_needle(struct needle_index *ix, const char *s, size_t len)
{
	uint32_t st = 0;
	if (len >= 2) {
		unsigned p = (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
		ix->pair[p >> 6] |= (uint64_t)1 << (p & 63);
	}
	for (size_t k = 0; k < len; k++)
		st = add_step(ix, st, (unsigned char)s[k]);
	return st;
}

struct end {
	uint32_t state, set;	/* set NO_SET: a leaf of a form only */
};

#define NO_SET UINT32_MAX

static int by_state(const void *a, const void *b)
{
	const struct end *x = a, *y = b;
	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	return x->set < y->set ? -1 : x->set > y->set;
}

/* ends in by_state order: counted into one bucket per state (states are
 * numbered densely), then each bucket, a handful of sets, sorted in place.
 * qsort of the 100 000-odd ends was a tenth of a load. */
static void sort_ends(struct end *ends, size_t n, size_t nstates)
{
	size_t *at = xcalloc(nstates + 1, sizeof *at);
	for (size_t i = 0; i < n; i++)
		at[ends[i].state + 1]++;
	for (size_t s = 0; s < nstates; s++)
		at[s + 1] += at[s];
	struct end *sorted = xcalloc(n + 1, sizeof *sorted);
	for (size_t i = 0; i < n; i++)
		sorted[at[ends[i].state]++] = ends[i];	/* keeps the order within a state */
	free(at);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && sorted[j].state == sorted[i].state)
			j++;
		if (j - i > 16) {
			qsort(sorted + i, j - i, sizeof *sorted, by_state);
		} else {
			for (size_t k = i + 1; k < j; k++)	/* insertion: few sets a state */
				for (size_t m = k; m > i && by_state(&sorted[m - 1], &sorted[m]) > 0; m--) {
					struct end t = sorted[m];
					sorted[m] = sorted[m - 1];
					sorted[m - 1] = t;
				}
		}
		i = j;
	}
	memcpy(ends, sorted, n * sizeof *ends);
	free(sorted);
}

void needle_index_build(struct needle_index *ix, struct needles *const *sets, size_t n)
{
	*ix = (struct needle_index){.nstates = 1};	/* state 0: none */
	size_t count = 0, nends = 0;
	for (size_t i = 0; i < n; i++)
		count += sets[i]->usable ? sets[i]->n + 2 * sets[i]->nleaf : 0;
	grow(ix);
	struct end *ends = xcalloc(count + 1, sizeof *ends);
	for (size_t i = 0; i < n; i++) {
		struct needles *set = sets[i];
		if (!set->usable)
			continue;
		set->id = (uint32_t)ix->nsets++;
		for (size_t j = 0; j < set->n; j++) {
			uint32_t s = add_needle(ix, set->v[j].s, set->v[j].len);
			ends[nends++] = (struct end){s, set->id};
			free(set->v[j].s);
		}
		free(set->v);
		set->v = NULL;
		for (size_t j = 0; j < set->nform; j++) {	/* each OR of leaves: a set */
			if ((set->form[j] & 3) != 3)
				continue;
			set->form[++j] = (uint32_t)ix->nsets++;	/* its id, then its leaves */
			for (size_t k = j + 1; k < set->form[j - 1] >> 2; k++) {
				const struct needle *l = &set->leaf[set->form[k] >> 2];
				ends[nends++] = (struct end){add_needle(ix, l->s, l->len), set->form[j]};
			}
		}
		for (size_t j = 0; j < set->nleaf; j++) {
			uint32_t s = add_needle(ix, set->leaf[j].s, set->leaf[j].len);
			ends[nends++] = (struct end){s, NO_SET};
			set->leaf[j].len = s;	/* the state, until it has a needle end */
		}
	}
	sort_ends(ends, nends, ix->nstates);
	ix->term = xcalloc(ix->nstates, sizeof *ix->term);
	ix->out_from = xcalloc(nends + 1, sizeof *ix->out_from);
	ix->out = xcalloc(nends + 1, sizeof *ix->out);
	size_t nout = 0;
	for (size_t i = 0; i < nends; i++) {
		if (i > 0 && ends[i].state == ends[i - 1].state && ends[i].set == ends[i - 1].set)
			continue;	/* the same needle twice in a set */
		if (!ix->term[ends[i].state]) {
			ix->out_from[ix->nterms] = (uint32_t)nout;
			ix->term[ends[i].state] = (uint32_t)++ix->nterms;
		}
		if (ends[i].set != NO_SET)
			ix->out[nout++] = ends[i].set;
	}
	ix->out_from[ix->nterms] = (uint32_t)nout;
	free(ends);
	for (size_t i = 0; i < ix->cap; i++)
		ix->steps[i].term = ix->steps[i].key ? ix->term[ix->steps[i].next] : 0;
	for (size_t c = 0; c < 256; c++)
		ix->root_term[c] = ix->term[ix->root[c]];
	for (size_t i = 0; i < n; i++) {	/* forms: leaves become needle ends */
		struct needles *set = sets[i];
		for (size_t j = 0; set->usable && j < set->nform; j++) {
			if ((set->form[j] & 3) == 3)
				j++;	/* its set id */
			else if ((set->form[j] & 3) == 0)
				set->form[j] = (ix->term[set->leaf[set->form[j] >> 2].len] - 1) << 2;
		}
		for (size_t j = 0; j < set->nleaf; j++)
			free(set->leaf[j].s);
		free(set->leaf);
		set->leaf = NULL;
	}
}

void needle_index_free(struct needle_index *ix)
{
	free(ix->steps);
	free(ix->term);
	free(ix->out_from);
	free(ix->out);
	*ix = (struct needle_index){0};
}

size_t needle_scan_words(const struct needle_index *ix)
{
	return (ix->nsets + 63) / 64 + (ix->nterms + 63) / 64 + 1;
}

/* Counts needle end k (term - 1) once: its bit, and its sets' bits. */
static void found(const struct needle_index *ix, uint32_t term, uint64_t *may, uint64_t *seen)
{
	uint32_t k = term - 1;
	if (seen[k >> 6] >> (k & 63) & 1)
		return;
	seen[k >> 6] |= (uint64_t)1 << (k & 63);
	for (uint32_t o = ix->out_from[k]; o < ix->out_from[k + 1]; o++)
		may[ix->out[o] >> 6] |= (uint64_t)1 << (ix->out[o] & 63);
}

void needle_scan(const struct needle_index *ix, const char *t, size_t len, uint64_t *may,
		 struct needle_hits *hits)
{
	uint64_t *seen = may + (ix->nsets + 63) / 64;	/* the needle ends in t */
	*hits = (struct needle_hits){may, seen};
	const unsigned char *u = (const unsigned char *)t;
	for (size_t i = 0; i < len; i++) {
		uint32_t s = ix->root[u[i]];
		if (!s)
			continue;
		if (ix->root_term[u[i]])
			found(ix, ix->root_term[u[i]], may, seen);
		if (i + 1 >= len)
			break;
		unsigned p = (unsigned)u[i] << 8 | u[i + 1];
		if (!(ix->pair[p >> 6] >> (p & 63) & 1))
			continue;	/* no needle goes on with this pair */
		for (size_t j = i + 1; j < len; j++) {
			const struct needle_step *st = step(ix, s, u[j]);
			if (!st)
				break;
			if (st->term)
				found(ix, st->term, may, seen);
			s = st->next;
		}
	}
}

/* The node of form at *i, which it moves past. */
static int holds(const uint32_t *form, size_t *i, const uint64_t *sets, const uint64_t *ends)
{
	uint32_t c = form[(*i)++];
	if ((c & 3) == 0)
		return ends[c >> 8] >> (c >> 2 & 63) & 1;
	if ((c & 3) == 3) {	/* an OR of leaves: its set's bit */
		uint32_t id = form[*i];
		*i = c >> 2;
		return sets[id >> 6] >> (id & 63) & 1;
	}
	int and = (c & 3) == 1;
	size_t end = c >> 2;
	while (*i < end)
		if (holds(form, i, sets, ends) != and) {
			*i = end;
			return !and;
		}
	return and;
}

int needles_form_holds(const struct needles *n, const struct needle_hits *h)
{
	size_t i = 0;
	return holds(n->form, &i, h->sets, h->ends);
}
