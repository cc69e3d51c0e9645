/* preconv — the Traditional forms of the replies, converted ahead of time
 * in a short-lived child process, so that the bot never maps OpenCC's reply
 * dictionaries (s2twp, s2hk: ~10 MB of its peak RSS).
 *
 * The child (fork) renders every answer of the knowledge base for every
 * carrier, takes every fact value (button labels, names) too, converts the
 * pieces of each (convcache.h) with each Traditional variant's OpenCC
 * config, checks that the pieces' conversions put together give exactly
 * OpenCC's conversion of the whole text, and writes them back through a
 * pipe; the parent adds them to the pieces' table. A reply whose pieces are
 * all known is converted from the table; any other falls back to opening
 * OpenCC in the bot (script_convert_fallbacks() counts those). When the
 * child fails (OpenCC missing, a check that does not hold) nothing is
 * added and every reply takes the fallback: correct, only heavier.
 *
 * Nothing returned needs freeing. */
#ifndef CANCELBOT_PRECONV_H
#define CANCELBOT_PRECONV_H

#include "kb.h"

/* Converts kb's reply pieces in a child; 0 when the table now holds them,
 * -1 (logged) when it does not, or at once when CANCELBOT_NO_PRECONV=1
 * (valgrind). Blocks until the child exits (about a second); safe on a
 * reload thread. */
int preconv_kb(const struct kb *kb);

#endif
