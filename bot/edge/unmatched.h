/* unmatched — the questions the bot could not answer, for admins to turn
 * into patterns: STATE_DIR/unmatched.jsonl (created 0600), one JSON object per line
 * (time, chat type, language, text; the user id only with log_user_ids).
 * The file is capped: past UNMATCHED_MAX_BYTES it is rotated to .1.
 * unmatched_top() groups them by normalised text, most frequent first. */
#ifndef CANCELBOT_UNMATCHED_H
#define CANCELBOT_UNMATCHED_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define UNMATCHED_MAX_BYTES (1024 * 1024)

/* Appends one entry; -1 (errno) when it cannot be written. The text is
 * stored as written (cut to 1000 bytes); never part of a file name. */
int unmatched_append(const char *state_dir, const char *chat_type, const char *lang,
		     const char *text, int64_t user_id, int with_user, size_t max_bytes);
/* "N× text" lines for the top entries of the current and rotated file.
 * Returns how many distinct questions there were, or -1 when none could be
 * read. */
int unmatched_top(const char *state_dir, size_t top, struct sbuf *out);
/* /unmatched N's report (the top 10 when n <= 0), or a line saying there is
 * nothing yet: the same for the bot and the terminal chat. */
void unmatched_report(const char *state_dir, int n, struct sbuf *out);

#endif
