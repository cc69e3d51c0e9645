/* needle_pack — a needle set (prefilter.h, struct needles) packed into one
 * block and unpacked again: what a reload keeps of each compiled group so
 * that an unchanged pattern's set need not be read from its source again
 * (kb.h, struct regex; regex.c). The pack owns nothing after it is made;
 * the caller frees the block, and an unpacked set is the caller's
 * (needles_free). */
#ifndef CANCELBOT_NEEDLE_PACK_H
#define CANCELBOT_NEEDLE_PACK_H

#include "prefilter.h"

/* src, which must not be indexed yet (its strings are there), packed into
 * one block (the caller frees it). */
char *needles_pack(const struct needles *src);
/* A block of needles_pack unpacked into a set of dst's own. */
void needles_unpack(const char *packed, struct needles *dst);

#endif
