/* prescan — the needle index of prefilter.h: one trie of every needle of a
 * knowledge base, and the per-message scan that says which sets have a
 * needle in the text.
 *
 * Before it, each set was tested on its own against the text's byte pairs:
 * some 160 tests a message, a sixth of classification, and a needle whose
 * pairs all occur apart ("fo", "or", "r " in "four rooms") let its regex run
 * for nothing. The scan is exact and costs a few trie steps per byte. */
#include "needle_parse.h"
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

/* The identity of an OR of leaves or of a subtree of a form, across sets:
 * two 64-bit hashes (FNV-1a and a multiply-xorshift) of its content. */
struct key {
	uint64_t a, b;
};

static struct key key_add(struct key k, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		k.a = (k.a ^ p[i]) * 0x100000001b3ULL;
		k.b = (k.b ^ p[i]) * 0xff51afd7ed558ccdULL;
		k.b ^= k.b >> 29;
	}
	return k;
}

static const struct key KEY_INIT = {0xcbf29ce484222325ULL, 0x9E3779B97F4A7C15ULL};

/* Keys to a value and how often each was entered, open addressing; grown
 * at half full (so an entry's index moves: its value is what stays). */
struct key_table {
	struct key *k;
	uint32_t *v, *count;
	size_t cap, n;
};

/* The entry of k, made (value v) when new, its count raised by one. */
static size_t key_entry(struct key_table *t, struct key k, uint32_t v)
{
	if (2 * (t->n + 1) > t->cap) {
		struct key_table old = *t;
		t->cap = old.cap ? 2 * old.cap : 1024;
		t->k = xcalloc(t->cap, sizeof *t->k);
		t->v = xcalloc(t->cap, sizeof *t->v);
		t->count = xcalloc(t->cap, sizeof *t->count);
		for (size_t i = 0; i < old.cap; i++) {
			if (!old.count[i])
				continue;
			size_t j = old.k[i].a & (t->cap - 1);
			while (t->count[j])
				j = (j + 1) & (t->cap - 1);
			t->k[j] = old.k[i];
			t->v[j] = old.v[i];
			t->count[j] = old.count[i];
		}
		free(old.k);
		free(old.v);
		free(old.count);
	}
	size_t i = k.a & (t->cap - 1);
	for (; t->count[i]; i = (i + 1) & (t->cap - 1))
		if (t->k[i].a == k.a && t->k[i].b == k.b) {
			t->count[i]++;
			return i;
		}
	t->k[i] = k;
	t->v[i] = v;
	t->count[i] = 1;
	t->n++;
	return i;
}

static void key_table_free(struct key_table *t)
{
	free(t->k);
	free(t->v);
	free(t->count);
}

/* A subtree of fewer words is evaluated again rather than memoised. */
enum { MEMO_MIN = 6 };

/* The key of the node at set->form[*j], which it moves past. An AND or OR
 * of MEMO_MIN words or more is counted in t (value: the order it was first
 * seen in) and that value + 1 noted in its memo word (made a slot by
 * needle_index_build when counted twice). */
static struct key subtree_key(struct needles *set, size_t *j, struct key_table *t)
{
	uint32_t c = set->form[*j], kind = c & 3;
	struct key k = key_add(KEY_INIT, &kind, sizeof kind);
	if (kind == FORM_LEAF) {
		const struct needle *l = &set->leaf[c >> 2];
		(*j)++;
		return key_add(k, l->s, l->len);
	}
	size_t at = *j, end = c >> 2;
	if (kind == FORM_ANY) {	/* its set id is the same for the same leaves */
		*j = end;
		return key_add(k, &set->form[at + 1], sizeof set->form[at + 1]);
	}
	for (*j = at + 2; *j < end;) {
		struct key kid = subtree_key(set, j, t);
		k = key_add(k, &kid, sizeof kid);
	}
	set->form[at + 1] = 0;
	if (end - at >= MEMO_MIN) {
		size_t e = key_entry(t, k, (uint32_t)t->n);	/* may move t->v */
		set->form[at + 1] = t->v[e] + 1;
	}
	return k;
}

void needle_index_build(struct needle_index *ix, struct needles *const *sets, size_t n)
{
	*ix = (struct needle_index){.nstates = 1};	/* state 0: none */
	size_t count = 0, nends = 0;
	for (size_t i = 0; i < n; i++)
		count += sets[i]->usable ? sets[i]->n + 2 * sets[i]->nleaf : 0;
	grow(ix);
	struct end *ends = xcalloc(count + 1, sizeof *ends);
	struct key_table anys = {0}, trees = {0};
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
			if ((set->form[j] & 3) == FORM_LEAF)
				continue;
			size_t at = j++, end = set->form[at] >> 2;
			if ((set->form[at] & 3) != FORM_ANY)
				continue;	/* an AND or OR: j is at its memo word */
			/* the same leaves in another set's form: the same set
			 * ({plan} and its word lists are in hundreds of forms) */
			struct key k = KEY_INIT;
			for (size_t m = at + 2; m < end; m++) {
				const struct needle *l = &set->leaf[set->form[m] >> 2];
				k = key_add(k, &l->len, sizeof l->len);
				k = key_add(k, l->s, l->len);
			}
			size_t e = key_entry(&anys, k, (uint32_t)ix->nsets);
			set->form[j] = anys.v[e];
			if (anys.count[e] > 1)
				continue;	/* its needle ends are there */
			ix->nsets++;
			for (size_t m = at + 2; m < end; m++) {
				const struct needle *l = &set->leaf[set->form[m] >> 2];
				ends[nends++] = (struct end){add_needle(ix, l->s, l->len), set->form[j]};
			}
		}
		for (size_t j = 0; j < set->nleaf; j++) {
			uint32_t s = add_needle(ix, set->leaf[j].s, set->leaf[j].len);
			ends[nends++] = (struct end){s, NO_SET};
		}
		if (set->nform) {	/* the subtrees, by content */
			size_t j = 0;
			subtree_key(set, &j, &trees);
		}
		for (size_t j = 0; j < set->nleaf; j++)	/* the state, until it has a needle end */
			set->leaf[j].len = ends[nends - set->nleaf + j].state;
	}
	/* a subtree found twice or more gets a memo slot (+ 1; 0: none) */
	uint32_t *slot = xcalloc(trees.n + 1, sizeof *slot);
	for (size_t e = 0; e < trees.cap; e++)
		if (trees.count[e] > 1)
			slot[trees.v[e]] = (uint32_t)++ix->nslots;
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
			uint32_t kind = set->form[j] & 3;
			if (kind == FORM_LEAF) {
				set->form[j] = (ix->term[set->leaf[set->form[j] >> 2].len] - 1) << 2;
			} else {
				j++;	/* the set id, or the memo word: its slot + 1 */
				if (kind != FORM_ANY && set->form[j])
					set->form[j] = slot[set->form[j] - 1];
			}
		}
		for (size_t j = 0; j < set->nleaf; j++)
			free(set->leaf[j].s);
		free(set->leaf);
		set->leaf = NULL;
	}
	free(slot);
	key_table_free(&anys);
	key_table_free(&trees);
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
	return (ix->nsets + 63) / 64 + (ix->nterms + 63) / 64 + (ix->nslots + 7) / 8 + 1;
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
	*hits = (struct needle_hits){may, seen, (uint8_t *)(seen + (ix->nterms + 63) / 64)};
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

static int holds(const uint32_t *form, size_t *i, const struct needle_hits *h);

/* A leaf or an OR of leaves at form[*i] (moving past it), without a call:
 * most kids are one of these, and a call each was a fifth of classifying. */
static inline int kid_holds(const uint32_t *form, size_t *i, const struct needle_hits *h)
{
	uint32_t c = form[*i];
	if ((c & 3) == FORM_LEAF) {
		(*i)++;
		return h->ends[c >> 8] >> (c >> 2 & 63) & 1;
	}
	if ((c & 3) == FORM_ANY) {
		uint32_t id = form[*i + 1];
		*i = c >> 2;
		return h->sets[id >> 6] >> (id & 63) & 1;
	}
	/* an AND whose first kid (the cheapest: form.c sorts them) is a leaf
	 * that is not in the text: most kids of a big OR fail so */
	uint32_t first = form[*i + 2];
	if ((c & 3) == FORM_AND && (first & 3) == FORM_LEAF &&
	    !(h->ends[first >> 8] >> (first >> 2 & 63) & 1)) {
		*i = c >> 2;
		return 0;
	}
	return holds(form, i, h);
}

/* The AND or OR node at form[*i], which it moves past. */
static int holds(const uint32_t *form, size_t *i, const struct needle_hits *h)
{
	uint32_t c = form[*i], word = form[*i + 1];
	size_t end = c >> 2;
	if (word && h->memo[word - 1]) {	/* this subtree was seen in this message */
		*i = end;
		return h->memo[word - 1] - 1;
	}
	*i += 2;
	int and = (c & 3) == FORM_AND, r = and;
	while (*i < end)
		if (kid_holds(form, i, h) != and) {
			r = !and;
			break;
		}
	*i = end;
	if (word)
		h->memo[word - 1] = (uint8_t)(r + 1);
	return r;
}

int needles_form_holds(const struct needles *n, const struct needle_hits *h)
{
	size_t i = 0;
	return kid_holds(n->form, &i, h);
}
