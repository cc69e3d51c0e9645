/* t2smap — OpenCC's t2s, character by character, as a table: for each
 * code point below U+10000 that t2s changes on its own, what it becomes
 * (t2s_pairs, sorted by from; to = 0: ask OpenCC, as the character does not
 * become one character below U+10000; to = from: unchanged, listed because
 * a phrase starts with it), and the phrases whose conversion is not that of
 * their characters one by one (t2s_phrases, in UTF-8 order: those starting
 * with one character are together). Generated into t2smap.c by
 * tools/gen_t2smap.c from the installed OpenCC and its phrase dictionary;
 * normalize() converts a Traditional text by it and opens OpenCC only for
 * a text holding such a phrase, a character marked 0 or one above U+FFFF.
 * t2s_char_of() is the one definition of a character's conversion, used by
 * the generator and by the test that compares the committed file with the
 * installed OpenCC. */
#ifndef CANCELBOT_T2SMAP_H
#define CANCELBOT_T2SMAP_H

#include <opencc.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

struct t2s_pair {
	uint16_t from, to;
	uint16_t phrase;	/* 1 + the index of the first phrase starting with from; 0 none */
};

extern const struct t2s_pair t2s_pairs[];
extern const size_t t2s_npairs;
extern const char *const t2s_phrases[];
extern const size_t t2s_nphrases;

#define T2S_ASK 0xFFFFFFFFu

/* What cc makes of code point c alone: 0 when it stays, the code point it
 * becomes, or T2S_ASK when it becomes something else than one code point
 * below U+10000. */
static inline uint32_t t2s_char_of(opencc_t cc, int32_t c)
{
	utf8proc_uint8_t in[8];
	utf8proc_ssize_t n = utf8proc_encode_char(c, in);
	char *out = opencc_convert_utf8(cc, (const char *)in, (size_t)n);
	uint32_t r = T2S_ASK;
	if (out && strlen(out) == (size_t)n && memcmp(out, in, (size_t)n) == 0) {
		r = 0;
	} else if (out) {
		int32_t d;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)out, -1, &d);
		if (k > 0 && out[k] == '\0' && d >= 0x80 && d <= 0xFFFF)
			r = (uint32_t)d;
	}
	if (out)
		opencc_convert_utf8_free(out);
	return r;
}

/* The entry of c in t2s_pairs, or NULL when t2s leaves it alone. */
static inline const struct t2s_pair *t2s_find(int32_t c)
{
	size_t lo = 0, hi = t2s_npairs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t2s_pairs[mid].from < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t2s_npairs && t2s_pairs[lo].from == c ? &t2s_pairs[lo] : NULL;
}

#endif
