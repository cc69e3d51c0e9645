/* prefilter — a cheap "could this regex match at all?" before PCRE2 runs.
 *
 * needles_from_regex() reads a pattern's source and finds literal strings
 * ("needles") such that every match of the pattern contains at least one of
 * them, or says it cannot tell (then the pattern always runs).
 *
 * Every set of a knowledge base goes into one needle index (a trie of all
 * their needles, prescan.c), built once per load. For each message one
 * needle_scan() walks the trie from every byte of the text and marks each
 * set one of whose needles occurs; needles_may_occur() is then one bit. It
 * is false only when no needle of the set is in the text, so the pattern
 * cannot match and classify skips it. The cost of a message no longer grows
 * with the number of patterns, only with the needles it contains.
 *
 * Files: the reader of regex sources (prefilter.c), the AND/OR forms it
 * builds (form.c), its memo of big groups (needle_memo.c), what they share
 * (needle_parse.h), the index and the scan (prescan.c), a set packed for a
 * reload (needle_pack.c, needle_pack.h).
 *
 * Memory: a struct needles owns its strings (needles_free) until it is
 * indexed, which frees them (only its id is used after that). The index
 * owns its tables (needle_index_free). The scan's bits are the caller's. */
#ifndef CANCELBOT_PREFILTER_H
#define CANCELBOT_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

enum { MAX_NEEDLE_LEN = 12 };

struct needle {
	char *s;
	size_t len;
};

struct needles {
	struct needle *v;	/* NULL once indexed */
	size_t n;
	uint32_t id;		/* its bit in a scan (needle_index_build) */
	int usable;		/* 0: unknown, the pattern must always run */
	/* Finer, for a set whose bit is set: every literal a match needs, as
	 * AND / OR of them, in prefix order. Each entry is a leaf, leaf << 2
	 * (its index in leaf[], and once indexed the needle end that stands for
	 * it), or an AND (1) / OR (2) node, end << 2 | kind, its kids following
	 * up to form[end]; the word after an AND or OR holds its memo slot + 1
	 * once indexed (0: none), and an OR of leaves only (3) has its own set
	 * id there, before the kids. NULL: the set's bit is all there is. */
	uint32_t *form;
	size_t nform;
	struct needle *leaf;	/* NULL once indexed */
	size_t nleaf;
};

/* Fills out from the regex source re (PCRE2 syntax, as regex.c builds
 * it); out->usable says whether it found a complete set. */
void needles_from_regex(const char *re, struct needles *out);
void needles_free(struct needles *n);
/* A set packed into one block and back, for a reload: needle_pack.h. */
/* Between these two calls, needles_from_regex on this thread reads each big
 * group's text once and copies what it found for the next pattern that
 * holds the same text (a [define] used by many rules). The memo is the
 * thread's, freed by needle_memo_end. */
void needle_memo_begin(void);
void needle_memo_end(void);

struct needle_index {
	uint32_t root[256];	/* the state after one byte; 0: no needle starts with it */
	uint64_t pair[1024];	/* the two-byte starts of needles, a bit each: most walks
				 * end there without touching the larger tables */
	uint32_t root_term[256];	/* term[] of each root[] state, for the scan */
	/* transitions: key (state << 8 | byte) + 1 (0: empty slot), the state
	 * it leads to, and that state's term[] beside it (one cache miss a step) */
	struct needle_step {
		uint32_t key, next, term;
	} *steps;
	size_t cap;		/* a power of two */
	uint32_t *term;		/* per state: 1 + its index among the states that end
				 * needles, 0 when none ends there */
	uint32_t *out_from;	/* per needle end: its sets, out[out_from[k]..out_from[k+1]) */
	uint32_t *out;
	size_t nstates, nterms, nsets;
	size_t nslots;		/* memo slots: subtrees of forms found in more than one
				 * place, each evaluated at most once a message */
};

/* Gives every usable set of sets[0..n) its id and indexes its needles,
 * freeing their strings. */
void needle_index_build(struct needle_index *ix, struct needles *const *sets, size_t n);
void needle_index_free(struct needle_index *ix);

/* How many uint64_t words a scan needs (the sets' bits, the needle ends'
 * bits, the memo). */
size_t needle_scan_words(const struct needle_index *ix);

/* What a scan found: the sets with a needle in the text, and the needle
 * ends (every literal of the index) that occur; and the forms' memo for
 * the message (per slot: 0 not evaluated yet, 1 false, 2 true), which
 * needles_form_holds fills in. */
struct needle_hits {
	const uint64_t *sets, *ends;
	uint8_t *memo;
};

/* Sets in may (needle_scan_words() words, zero before the call) the bit of
 * every set with a needle in t, and of every literal of the index in t;
 * *hits says where each is. */
void needle_scan(const struct needle_index *ix, const char *t, size_t len, uint64_t *may,
		 struct needle_hits *hits);

int needles_form_holds(const struct needles *n, const struct needle_hits *h);

/* 0 only when the text cannot hold what a match of n's pattern needs;
 * always 1 for an unusable set. */
static inline int needles_may_occur(const struct needles *n, const struct needle_hits *h)
{
	return !n->usable || ((h->sets[n->id >> 6] >> (n->id & 63) & 1) &&
			      (!n->form || needles_form_holds(n, h)));
}

#endif
