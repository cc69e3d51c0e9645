/* langs — the /lang choices kept across restarts, in the store's table
 * langs (user INTEGER PRIMARY KEY, lang TEXT): one row per user who chose,
 * written when a choice changes, read into the conversation memory at
 * start. The file STATE_DIR/langs of earlier versions ("USER CODE" lines)
 * is imported once, then renamed langs.imported. Only codes of the
 * language table are taken from either, so an edited row or file can't
 * inject one. The store must be open (store_open). */
#ifndef CANCELBOT_LANGS_H
#define CANCELBOT_LANGS_H

#include <stdint.h>

#include "context.h"

/* Imports the old file if there is one, then loads every choice into ctx.
 * Returns how many were loaded. */
size_t langs_load(const char *state_dir, struct context *ctx);
/* Saves user's current choice in ctx (none: the row goes). 0, or -1
 * (logged) when it can't be written. */
int langs_save(struct context *ctx, int64_t user);

#endif
