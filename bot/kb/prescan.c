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

/* The state after byte c from state s (s > 0), or 0. */
static uint32_t step(const struct needle_index *ix, uint32_t s, unsigned char c)
{
	uint32_t key = (s << 8 | c) + 1;
	for (size_t i = slot_of(ix, key);; i = (i + 1) & (ix->cap - 1)) {
		if (ix->keys[i] == key)
			return ix->next[i];
		if (!ix->keys[i])
			return 0;
	}
}

static uint32_t add_step(struct needle_index *ix, uint32_t s, unsigned char c)
{
	if (s == 0) {
		if (!ix->root[c])
			ix->root[c] = (uint32_t)ix->nstates++;
		return ix->root[c];
	}
	uint32_t key = (s << 8 | c) + 1;
	size_t i = slot_of(ix, key);
	for (; ix->keys[i]; i = (i + 1) & (ix->cap - 1))
		if (ix->keys[i] == key)
			return ix->next[i];
	ix->keys[i] = key;
	ix->next[i] = (uint32_t)ix->nstates++;
	return ix->next[i];
}

/* The table was sized for every needle byte; the trie shares prefixes, so
 * its transitions (one per state) fit in a quarter or less: rehashed into
 * the smallest table at most half full, which the scan keeps in cache. */
static void compact(struct needle_index *ix)
{
	struct needle_index big = *ix;
	for (ix->cap = 64; ix->cap < 2 * ix->nstates; ix->cap *= 2)
		;
	ix->keys = xcalloc(ix->cap, sizeof *ix->keys);
	ix->next = xcalloc(ix->cap, sizeof *ix->next);
	for (size_t i = 0; i < big.cap; i++) {
		if (!big.keys[i])
			continue;
		size_t j = slot_of(ix, big.keys[i]);
		while (ix->keys[j])
			j = (j + 1) & (ix->cap - 1);
		ix->keys[j] = big.keys[i];
		ix->next[j] = big.next[i];
	}
	free(big.keys);
	free(big.next);
}

struct end {
	uint32_t state, set;
};

static int by_state(const void *a, const void *b)
{
	const struct end *x = a, *y = b;
	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	return x->set < y->set ? -1 : x->set > y->set;
}

void needle_index_build(struct needle_index *ix, struct needles *const *sets, size_t n)
{
	*ix = (struct needle_index){.nstates = 1};	/* state 0: none */
	size_t bytes = 0, nends = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; sets[i]->usable && j < sets[i]->n; j++)
			bytes += sets[i]->v[j].len;
	/* at most one transition per byte; a table at most half full */
	for (ix->cap = 64; ix->cap < 2 * bytes; ix->cap *= 2)
		;
	ix->keys = xcalloc(ix->cap, sizeof *ix->keys);
	ix->next = xcalloc(ix->cap, sizeof *ix->next);
	struct end *ends = xcalloc(bytes + 1, sizeof *ends);
	for (size_t i = 0; i < n; i++) {
		struct needles *set = sets[i];
		if (!set->usable)
			continue;
		set->id = (uint32_t)ix->nsets++;
		for (size_t j = 0; j < set->n; j++) {
			uint32_t s = 0;
			for (size_t k = 0; k < set->v[j].len; k++)
				s = add_step(ix, s, (unsigned char)set->v[j].s[k]);
			ends[nends++] = (struct end){s, set->id};
			free(set->v[j].s);
		}
		free(set->v);
		set->v = NULL;
	}
	compact(ix);
	qsort(ends, nends, sizeof *ends, by_state);
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
		ix->out[nout++] = ends[i].set;
	}
	ix->out_from[ix->nterms] = (uint32_t)nout;
	free(ends);
}

void needle_index_free(struct needle_index *ix)
{
	free(ix->keys);
	free(ix->next);
	free(ix->term);
	free(ix->out_from);
	free(ix->out);
	*ix = (struct needle_index){0};
}

size_t needle_scan_words(const struct needle_index *ix)
{
	return (ix->nsets + 63) / 64 + (ix->nterms + 63) / 64 + 1;
}

void needle_scan(const struct needle_index *ix, const char *t, size_t len, uint64_t *may)
{
	uint64_t *seen = may + (ix->nsets + 63) / 64;	/* needle ends already counted */
	const unsigned char *u = (const unsigned char *)t;
	for (size_t i = 0; i < len; i++) {
		uint32_t s = ix->root[u[i]];
		for (size_t j = i + 1; s; j++) {
			uint32_t k = ix->term[s] - 1;	/* (uint32_t)-1: no needle ends here */
			if (ix->term[s] && !(seen[k >> 6] >> (k & 63) & 1)) {
				seen[k >> 6] |= (uint64_t)1 << (k & 63);
				for (uint32_t o = ix->out_from[k]; o < ix->out_from[k + 1]; o++)
					may[ix->out[o] >> 6] |= (uint64_t)1 << (ix->out[o] & 63);
			}
			if (j >= len)
				break;
			s = step(ix, s, u[j]);
		}
	}
}
