/* convcache — converted replies remembered: (OpenCC config, text) -> the
 * converted text. A Traditional reply is one of a few hundred rendered
 * answers, and OpenCC's conversion of one costs about a millisecond (its
 * phrase tries, measured with callgrind: ~4 M instructions for a typical
 * answer, more than everything else the bot does for the update). So each
 * distinct text is converted once; later ones are a hash lookup and a copy.
 *
 * Bounded: past CONVCACHE_BYTES of texts or CONVCACHE_SLOTS entries the
 * whole table is dropped and refills (a knowledge base of a few hundred
 * answers never gets there; a flood of distinct texts cannot grow it).
 * Thread-safe (a mutex): rules compile on several threads. Returned
 * strings are the caller's to free. */
#ifndef CANCELBOT_CONVCACHE_H
#define CANCELBOT_CONVCACHE_H

#define CONVCACHE_SLOTS 4096		/* a power of two */
#define CONVCACHE_BYTES (2L << 20)

/* A malloc'ed copy of text's conversion with config, or NULL when it was
 * not converted yet (or was dropped since). */
char *convcache_get(const char *config, const char *text);
/* Remembers text's conversion with config (copies both). */
void convcache_put(const char *config, const char *text, const char *converted);
/* Forgets everything (normalize_done, tests). */
void convcache_clear(void);
/* Entries and bytes held (tests, the bench). */
unsigned long convcache_count(unsigned long *bytes);

#endif
