/* langs — the /lang choices kept across restarts: STATE_DIR/langs, one
 * "USER CODE" line per user, written whole (temporary file, then rename)
 * with mode 0600 whenever a choice changes. A missing or damaged file is
 * an empty one: nobody has chosen. */
#ifndef CANCELBOT_LANGS_H
#define CANCELBOT_LANGS_H

#include "context.h"

/* Loads the choices into ctx. Returns how many were read. */
size_t langs_load(const char *state_dir, struct context *ctx);
/* Saves every choice in ctx. 0, or -1 (logged) when the file can't be written. */
int langs_save(const char *state_dir, struct context *ctx);

#endif
