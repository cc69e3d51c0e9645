/* hanmap — which Chinese characters belong to one script only, as two
 * bitmaps over U+3400..U+FFFF (one bit per code point): han_traditional
 * (OpenCC's t2s changes the character on its own) and han_simplified (s2t
 * does, and so does every Traditional row's config of bot/lib/lang.c: 台
 * becomes 臺 under s2t but Hong Kong writes 台, and Taiwan writes it in 台北
 * too, so it says nothing about the script). Generated into hanmap.c by tools/gen_hanmap.c, so that telling a
 * script needs no OpenCC at all and its dictionaries are opened only when
 * a text is converted. hanmap_build() is the one definition of a map, used
 * by the generator and by the test that compares the committed file with
 * the installed OpenCC. */
#ifndef CANCELBOT_HANMAP_H
#define CANCELBOT_HANMAP_H

#include "util.h"

#include <opencc.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#define HAN_FIRST 0x3400
#define HAN_LAST 0xFFFF
#define HANMAP_BYTES ((HAN_LAST - HAN_FIRST + 1) / 8 + 1)

extern const unsigned char han_traditional[HANMAP_BYTES];
extern const unsigned char han_simplified[HANMAP_BYTES];

static inline int hanmap_has(const unsigned char *map, int32_t cp)
{
	return cp >= HAN_FIRST && cp <= HAN_LAST && (map[(cp - HAN_FIRST) / 8] >> ((cp - HAN_FIRST) % 8) & 1);
}

/* Sets in map (HANMAP_BYTES, zeroed) the CJK characters cc changes. */
static inline void hanmap_build(opencc_t cc, unsigned char *map)
{
	for (int32_t cp = HAN_FIRST; cp <= HAN_LAST; cp++) {
		if (!cp_is_han(cp))
			continue;
		utf8proc_uint8_t in[8];
		utf8proc_ssize_t n = utf8proc_encode_char(cp, in);
		char *out = opencc_convert_utf8(cc, (const char *)in, (size_t)n);
		if (out && (strlen(out) != (size_t)n || memcmp(out, in, (size_t)n) != 0))
			map[(cp - HAN_FIRST) / 8] |= (unsigned char)(1u << ((cp - HAN_FIRST) % 8));
		if (out)
			opencc_convert_utf8_free(out);
	}
}

/* Clears in map the characters cc leaves as they are (a Traditional
 * variant that writes them the same: s2hk keeps 台, s2twp keeps 床). */
static inline void hanmap_keep_changed(opencc_t cc, unsigned char *map)
{
	unsigned char changed[HANMAP_BYTES] = {0};
	hanmap_build(cc, changed);
	for (int i = 0; i < HANMAP_BYTES; i++)
		map[i] &= changed[i];
}

#endif
