/* kbhist — every change admins apply from Telegram is a version: who, when,
 * what, the file and its whole text before and after (the table kb_history
 * in the SQLite store, store.h). /history lists the last ones, /history N
 * shows one as a diff, /rollback N puts the file back as it was before
 * version N (recorded as a new version); `cancelbot history` shows the
 * same from the shell. Reads and writes go through store_db(); nothing
 * here opens the store. */
#ifndef CANCELBOT_KBHIST_H
#define CANCELBOT_KBHIST_H

#include <stdint.h>

#include "config.h"
#include "dialog.h"

struct bot;

/* Records an applied change of rel (old NULL: the admin directory had no
 * such file; new_text NULL: it was removed). The version number, or 0 when
 * it could not be recorded (the reason is appended to err and logged). */
long kbhist_add(int64_t who, const char *what, const char *rel, const char *old,
		const char *new_text, struct sbuf *err);
/* The last limit versions, newest first, one entry each; how many, or -1
 * when the store cannot be read. */
int kbhist_list(const struct config *cfg, int limit, struct sbuf *out);
/* One version with its diff; 0, or -1 when there is no such version (said
 * in out) or the store cannot be read. */
int kbhist_show(const struct config *cfg, long version, struct sbuf *out);
/* /history [N] and /rollback N from an admin. */
void kbhist_command(struct bot *b, const char *name, const struct update *u,
		    struct dialog_out *out, char **argv, int argc);

#endif
