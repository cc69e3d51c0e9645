/* unmatched — the questions the bot could not answer, for admins to turn
 * into patterns: the store's table unmatched (time, chat type, language,
 * text as written and normalised; the user id only with log_user_ids),
 * capped at the newest UNMATCHED_MAX_ROWS. unmatched_top() groups them by
 * normalised text, most frequent first. STATE_DIR/unmatched.jsonl (and its
 * rotated .1) of earlier versions is imported once by unmatched_import,
 * then renamed *.imported. Every call needs the store open (store_open, or
 * store_open_readonly for reading). */
#ifndef CANCELBOT_UNMATCHED_H
#define CANCELBOT_UNMATCHED_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define UNMATCHED_MAX_ROWS 10000
/* An old log much beyond its 1 MB cap is not ours to read whole. */
#define UNMATCHED_IMPORT_MAX (2 * 1024 * 1024)

/* Appends one entry (the oldest beyond the cap go); -1 (logged) when it
 * cannot be written. The text is kept as written, cut to 1000 bytes. */
int unmatched_append(const char *chat_type, const char *lang, const char *text,
		     int64_t user_id, int with_user);
/* Imports the old files of state_dir, if any. Returns the entries taken. */
size_t unmatched_import(const char *state_dir);
/* "N× text" lines for the top entries. Returns how many distinct
 * questions there are, or -1 when the store can't be read. */
int unmatched_top(size_t top, struct sbuf *out);
/* /unmatched N's report (the top 10 when n <= 0), or a line saying there is
 * nothing yet: the same for the bot and the terminal chat. */
void unmatched_report(int n, struct sbuf *out);

#endif
