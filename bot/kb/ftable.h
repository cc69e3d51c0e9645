/* ftable — the table from a feature's 64-bit hash to its number, shared by
 * the model (model.c: about three lookups a character of every message,
 * most of them of features it does not know) and its trainer
 * (model_train.c: interning every feature of the labelled files).
 *
 * Open addressing with linear probing, at most half full. A slot keeps the
 * whole hash beside the number, so a lookup costs one cache line and no
 * string comparison; the table keeps no strings (the trainer, which must
 * tell two features with the same hash apart, keeps its own). The hash is
 * FNV-1a (util.h), never 0: 0 marks an empty slot. */
#ifndef CANCELBOT_FTABLE_H
#define CANCELBOT_FTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define FNV1A_PRIME 1099511628211ULL

struct ftable {
	struct ftable_slot {
		uint64_t hash;	/* 0: empty */
		uint32_t id;
	} *slot;
	size_t cap, n;	/* cap: a power of two, or 0 before the first put */
};

/* FNV-1a continued by n bytes: a feature's hash can be built piece by
 * piece (model.c hashes n-grams without writing them out). */
static inline uint64_t ftable_fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV1A_PRIME;
	return h;
}

/* The table's hash of a feature whose FNV-1a (from FNV1A_INIT) is h. */
static inline uint64_t ftable_key(uint64_t h)
{
	return h ? h : 1;
}

static inline uint64_t ftable_hash(const char *f, size_t n)
{
	return ftable_key(ftable_fnv(FNV1A_INIT, f, n));
}

/* The slots holding hash h are visited by
 *	for (size_t i = ftable_first(t, h); t->slot[i].hash; i = ftable_next(t, i))
 *		if (t->slot[i].hash == h) …
 * (only when t->cap is not 0). */
static inline size_t ftable_first(const struct ftable *t, uint64_t h)
{
	return h & (t->cap - 1);
}

static inline size_t ftable_next(const struct ftable *t, size_t i)
{
	return (i + 1) & (t->cap - 1);
}

/* The number of the first entry with hash h, or -1. */
static inline long ftable_find(const struct ftable *t, uint64_t h)
{
	if (!t->cap)
		return -1;
	for (size_t i = ftable_first(t, h); t->slot[i].hash; i = ftable_next(t, i))
		if (t->slot[i].hash == h)
			return (long)t->slot[i].id;
	return -1;
}

/* Adds h -> id (after any entry with the same hash); grows the table to
 * stay at most half full. */
void ftable_put(struct ftable *t, uint64_t h, uint32_t id);
void ftable_free(struct ftable *t);

#endif
