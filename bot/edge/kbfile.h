/* kbfile — the text operations behind the admins' edits from Telegram
 * (kbedit.c): a [section] of an answer file read and replaced, a literal
 * phrase made into a pattern line of an intent, and files written the way
 * a crash cannot half-do (temp file, fsync, rename, fsync of the
 * directory), with their directories made as needed.
 *
 * Every char * returned belongs to the caller (free()). */
#ifndef CANCELBOT_KBFILE_H
#define CANCELBOT_KBFILE_H

#include <stddef.h>

#include "util.h"

/* The body of [head] in an answer file's text as written (comments and
 * blank lines inside it kept), or NULL when the file has no such section. */
char *kbfile_section(const char *text, const char *head);
/* text with [head]'s body replaced by body, or the section appended when
 * the file has none. The comment and blank lines just above the next
 * section stay with it. */
char *kbfile_replace_section(const char *text, const char *head, const char *body);
/* NULL when body can stand as a section's text; else why not (static): a
 * line that would start a [section] or be read as a comment. */
const char *kbfile_body_problem(const char *body);

/* A pattern matching phrase literally: every PCRE2 metacharacter and the
 * knowledge base's '{' escaped with a backslash (\Q..\E would not stop
 * {macro} expansion). */
char *kbfile_literal(const char *phrase);
/* text with "KEY = PATTERN" (key zh when phrase has Chinese characters,
 * else en) and a comment line inserted right under "[HEAD]" ("intent
 * cancel", "carrier verizon"), before any `when =` can apply to it; NULL
 * when the file has no such section. */
char *kbfile_add_phrase(const char *text, const char *head, const char *phrase,
			const char *comment);

/* Writes data to path atomically (path.tmp, fsync, rename, fsync of the
 * directory), making the directories above it. 0, or -1 with the reason in
 * err. */
int kbfile_write(const char *path, const char *data, struct sbuf *err);
/* Removes path (and nothing else); a missing file is not an error. */
int kbfile_remove(const char *path, struct sbuf *err);
/* mkdir -p. */
int kbfile_mkdirs(const char *dir);

#endif
