/* kbhist — every change admins apply from Telegram is a version: who, when,
 * what, the file and its text before and after (a table in the SQLite
 * store). /history lists them (and /history N shows one's diff), /rollback N
 * puts back the file as it was before version N (itself a new version);
 * `cancelbot history` shows the same from the shell. */
#ifndef CANCELBOT_KBHIST_H
#define CANCELBOT_KBHIST_H

#include <stdint.h>

#include "dialog.h"

struct bot;

/* Records an applied change of rel (old NULL: the admin directory had no
 * such file; new NULL: it was removed). The version number, or 0 when it
 * could not be recorded (the reason is appended to err and logged). */
long kbhist_add(struct bot *b, int64_t who, const char *what, const char *rel, const char *old,
		const char *new_text, struct sbuf *err);
/* /history [N] and /rollback N. */
void kbhist_command(struct bot *b, const char *name, const struct update *u,
		    struct dialog_out *out, char **argv, int argc);

#endif
