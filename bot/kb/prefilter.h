/* prefilter — a cheap "could this regex match at all?" before PCRE2 runs.
 *
 * needles_from_regex() reads a pattern's source and finds literal strings
 * ("needles") such that every match of the pattern contains at least one of
 * them, or says it cannot tell (then the pattern always runs). For each
 * message, bigrams_set() marks in a 64 Kbit table which pairs of adjacent
 * bytes occur in the text; a needle can only occur when each of its byte
 * pairs does. needles_may_occur() is false only when no needle can occur,
 * and then the pattern cannot match and classify skips it. A false "may"
 * costs only the run that would have happened anyway.
 *
 * Memory: a struct needles owns its strings (needles_free). struct bigrams
 * is the caller's (8 KB), set and cleared once per message. */
#ifndef CANCELBOT_PREFILTER_H
#define CANCELBOT_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

enum { MAX_NEEDLE_LEN = 12 };

struct needle {
	char *s;
	size_t len;		/* 1 byte: one pseudo-pair, the byte and NUL (bigrams_set) */
	uint16_t pairs[MAX_NEEDLE_LEN - 1];	/* its byte pairs, as bigrams index them */
	unsigned npairs;
};

struct needles {
	struct needle *v;
	size_t n;
	/* Most needles fail on their first byte pair, and many share it
	 * ("cancel", "canel"): v is sorted by it, and first[k] is the k-th
	 * distinct first pair, its needles v[from[k]] .. v[from[k + 1] - 1]. */
	uint16_t *first;
	uint32_t *from;
	size_t nfirst;
	/* The first pairs again, by the 64-bit word of struct bigrams that holds
	 * them (same first byte, mostly): word[w] with the bits of its pairs in
	 * mask[w], and first[wfrom[w]] .. first[wfrom[w + 1] - 1] its pairs.
	 * A set of 300 needles has some 30 words: when a message has none of a
	 * word's pairs, one AND skips them all. */
	uint16_t *word;
	uint64_t *mask;
	uint32_t *wfrom;
	size_t nword;
	int usable;		/* 0: unknown, the pattern must always run */
};

/* Fills out from the regex source re (PCRE2 syntax, as regex.c builds
 * it); out->usable says whether it found a complete set. */
void needles_from_regex(const char *re, struct needles *out);
void needles_free(struct needles *n);

struct bigrams {
	uint64_t bits[1024];
};

/* Marks the byte pairs of t; bigrams_clear() unmarks them again, which is
 * cheaper than zeroing the whole table for a short message. */
void bigrams_set(struct bigrams *bg, const char *t, size_t len);
void bigrams_clear(struct bigrams *bg, const char *t, size_t len);

/* 0 only when none of n's needles can occur in the text bg was set from;
 * always 1 for an unusable set. */
int needles_may_occur(const struct needles *n, const struct bigrams *bg);

#endif
