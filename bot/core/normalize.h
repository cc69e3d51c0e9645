/* normalize — turns what a user typed into the one form patterns are written
 * against: valid UTF-8 (bad bytes become U+FFFD), NFKC with case folding
 * (full-width ASCII becomes ASCII), Traditional Chinese converted to
 * Simplified as OpenCC's t2s does (by a table generated from it, t2smap.h,
 * and by OpenCC itself for the few texts the table cannot convert), runs of
 * white space folded to one space.
 *
 * The OpenCC converter is opened when the first Traditional text needs it
 * (which text does comes from generated bitmaps, hanmap.h) and shared; it
 * is read-only after that. normalize() returns a string the caller frees. */
#ifndef CANCELBOT_NORMALIZE_H
#define CANCELBOT_NORMALIZE_H

#include <stddef.h>

/* Returns 0; nothing is loaded until needed (when OpenCC's t2s data cannot
 * be loaded then, Traditional text is matched unconverted and a warning is
 * logged once). Kept so callers mark where normalisation starts. */
int normalize_init(void);
void normalize_done(void);

/* Never returns NULL. Input longer than max_bytes is cut at a character
 * boundary first so one huge message cannot cost much. */
char *normalize(const char *text, size_t len);

/* Replaces invalid UTF-8 sequences with U+FFFD and drops NUL bytes; caller
 * frees. */
char *utf8_sanitize(const char *text, size_t len);

/* 1 when text has a character only Traditional Chinese uses (OpenCC's t2s
 * would change it). */
int text_is_traditional(const char *utf8);

/* 1 when text has a character only Simplified Chinese uses (OpenCC's s2t
 * would change it). */
int text_is_simplified(const char *utf8);

/* text converted with an OpenCC config ("s2twp.json"): from the pieces
 * converted ahead of time (convcache.h) when all are known, else by OpenCC,
 * opened on first use and kept until normalize_done (a "fallback"); NULL
 * when it cannot be loaded. Caller frees. */
char *script_convert(const char *config, const char *text);
/* The same by OpenCC itself, no table (preconv's child, tests). */
char *script_convert_opencc(const char *config, const char *text);
/* Conversions that needed OpenCC in this process, and reply converters it
 * holds open (the bench, tests: both should stay 0 in the bot). */
unsigned long script_convert_fallbacks(void);
int script_converters_open(void);

/* OpenCC's t2s of utf8 by the generated table (t2smap.h), without OpenCC;
 * NULL when only OpenCC can say (the text holds a phrase t2s converts
 * otherwise than character by character, or a character the table does
 * not map to one below U+10000). normalize() uses it first. */
char *t2s_by_table(const char *utf8);

/* 1 when text has at least one Han character. */
int text_has_han(const char *utf8);

#define NORMALIZE_MAX_BYTES 16384

#endif
