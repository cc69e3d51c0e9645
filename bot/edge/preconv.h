/* preconv — the Traditional forms of the replies, converted ahead of time
 * in a short-lived helper process, so that the bot never maps OpenCC's
 * reply dictionaries (s2twp, s2hk: ~10 MB of its peak RSS).
 *
 * The bot renders every answer of the knowledge base for every carrier and
 * takes every fact value (button labels, names), and sends the helper each
 * text that brings a piece (convcache.h) not converted yet. The helper is
 * the bot's own binary (/proc/self/exe) run by posix_spawn as the hidden
 * subcommand `preconv-helper`: nothing of the bot's heap or locks is
 * inherited (a fork() while the loop or the JIT thread held an allocator
 * lock hung the child under ASan). On its stdin, records
 * `config NUL text NUL`; for each text it converts the pieces new to it
 * with the variant's OpenCC config, checks that the pieces' conversions put
 * together give exactly OpenCC's conversion of the whole text, and writes
 * `config NUL piece NUL conversion NUL` on its stdout. The bot adds them to
 * the pieces' table when the helper exits 0 and every record is whole and
 * of a piece it asked for. A reply whose pieces are all known is converted
 * from the table; any other falls back to opening OpenCC in the bot
 * (script_convert_fallbacks() counts those). When the helper fails (cannot
 * start, OpenCC missing, a check that does not hold, killed, hung past the
 * deadline, garbage) nothing is added and every reply takes the fallback:
 * correct, only heavier.
 *
 * Environment (tests): CANCELBOT_NO_PRECONV=1 no helper at all;
 * CANCELBOT_PRECONV_HELPER=PROGRAM run in place of /proc/self/exe;
 * CANCELBOT_PRECONV_TIMEOUT=SECONDS the deadline (default 120).
 *
 * Nothing returned needs freeing. */
#ifndef CANCELBOT_PRECONV_H
#define CANCELBOT_PRECONV_H

#include "kb.h"

#include <signal.h>

/* Converts kb's reply pieces in the helper; 0 when the table now holds
 * them, -1 (logged) when it does not, or at once when CANCELBOT_NO_PRECONV=1
 * (valgrind). Blocks until the helper exits (about a second); safe on a
 * reload thread, which passes stop NULL. With stop (the start), a SIGTERM
 * kills the helper and returns -1 at once. */
int preconv_kb(const struct kb *kb, volatile sig_atomic_t *stop);
/* Helpers started so far (tests): a knowledge base whose pieces are all
 * known already starts none. */
unsigned long preconv_children(void);
/* The helper's work (`cancelbot preconv-helper`): records read from in
 * until EOF, records written to out; returns its exit status. */
int preconv_helper(int in, int out);

#endif
