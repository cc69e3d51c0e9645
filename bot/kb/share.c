/* share — what a reload reuses of the running knowledge base: the key of
 * a compiled alternation (its expanded source, hashed), the running kb's
 * index of its alternations by key, and the lookup (see load.h, reuse;
 * regex.c compiles what is not found). A shared struct regex is
 * reference-counted (kb_regex_free). */
#include "loader.h"

#include <stdlib.h>
#include <string.h>

/* Two hashes of an expanded source, a reused alternation's key: FNV-1a
 * and a multiply-xorshift, independent enough that both colliding with
 * the same length is out of reach (the source itself is not kept: it is
 * a megabyte a load). */
void kb_source_key(const char *re, size_t len, uint64_t key[2])
{
	key[0] = fnv1a(re, len, FNV1A_INIT);
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
	for (size_t i = 0; i < len; i++) {
		h = (h ^ (unsigned char)re[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	key[1] = h;
}

/* The running kb's alternation of the same source (with its needles when
 * they are wanted), now also this kb's; NULL when there is none. */
struct regex *kb_regex_reuse(const struct kb *old, const uint64_t key[2], size_t len, int with_need)
{
	if (!old || !old->by_key_cap)
		return NULL;
	size_t mask = old->by_key_cap - 1;
	for (size_t i = key[0] & mask; old->by_key[i]; i = (i + 1) & mask) {
		struct regex *r = old->by_key[i];
		if (r->key[0] == key[0] && r->key[1] == key[1] && r->keylen == len &&
		    (r->need || !with_need)) {
			atomic_fetch_add(&r->refs, 1);
			return r;
		}
	}
	return NULL;
}

static void index_one(struct kb *kb, struct regex *r)
{
	if (!r)
		return;
	size_t mask = kb->by_key_cap - 1, i = r->key[0] & mask;
	for (; kb->by_key[i]; i = (i + 1) & mask)
		if (kb->by_key[i] == r)
			return;	/* the same alternation twice (identical sources) */
	kb->by_key[i] = r;
}

void kb_index_regexes(struct kb *kb)
{
	size_t n = 2;
	for (size_t i = 0; i < kb->nrules; i++)
		n += 2 * kb->rules[i].ngroups + 3;
	kb->by_key_cap = 16;
	while (kb->by_key_cap < 2 * n)
		kb->by_key_cap *= 2;
	kb->by_key = xcalloc(kb->by_key_cap, sizeof *kb->by_key);
	for (size_t i = 0; i < kb->nrules; i++) {
		struct rule *r = &kb->rules[i];
		for (size_t g = 0; g < r->ngroups; g++) {
			index_one(kb, r->groups[g].alt.re);
			index_one(kb, r->groups[g].alt.no_zh);
		}
		index_one(kb, r->any.re);
		index_one(kb, r->any.no_zh);
		index_one(kb, r->none);
	}
	index_one(kb, kb->carrier_destination);
	index_one(kb, kb->carrier_origin);
	index_one(kb, kb->carrier_negated);
}
