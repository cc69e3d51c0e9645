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

#include <stddef.h>

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

/* Pieces: what OpenCC makes of the pieces of the replies, converted ahead
 * of time in a short-lived process (bot/edge/preconv.c) so that the bot
 * itself never maps OpenCC's dictionaries (~10 MB of its peak RSS).
 *
 * A piece is a maximal run of characters with no cut between them. Cuts
 * are around every separator (an ASCII byte other than a letter), between
 * a non-ASCII character and a Latin letter after it, and between a Latin
 * letter and a non-ASCII character other than a Han one after it
 * ("Alice，你好" is "Alice" and "，你好"). No key of the reply dictionaries
 * (s2twp, s2hk) spans a cut: none holds a separator, and the four that
 * hold Latin letters (TWPhrases: "U盤", "PN結", "SQL注入", "SQL注入攻擊") are
 * letters then Han characters. OpenCC matches keys only, so no conversion
 * reaches across a cut: a text's conversion is its separators and its
 * pieces' conversions, in order. preconv checks exactly that on every text
 * it converts before the table is used. A piece of ASCII
 * letters alone is its own conversion. */

/* Calls fn for each piece of text that needs the table (one with a
 * non-ASCII byte). */
void convcache_pieces_each(const char *text, void (*fn)(const char *piece, size_t len, void *arg),
			   void *arg);
/* Remembers piece's conversion with config (copies all three). */
void convcache_piece_put(const char *config, const char *piece, size_t len,
			 const char *converted);
/* 1 when piece's conversion with config is known. */
int convcache_piece_known(const char *config, const char *piece, size_t len);
/* text converted with config from the pieces' conversions (malloc'ed), or
 * NULL when one of its pieces is not known. */
char *convcache_from_pieces(const char *config, const char *text);
/* Pieces held and their bytes (tests, the log). */
unsigned long convcache_pieces_count(unsigned long *bytes);

#endif
