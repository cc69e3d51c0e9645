/* html — Telegram's HTML, knowing nothing of answers or carriers: escaping
 * user text, checking that a text uses only the tags Telegram accepts,
 * counting length the way Telegram does (UTF-16 code units), turning HTML
 * into plain text, and splitting long texts into sendable pieces.
 *
 * Every function returning char * or char ** hands ownership to the caller
 * (free(), and html_free_parts() for the split array). */
#ifndef CANCELBOT_HTML_H
#define CANCELBOT_HTML_H

#include <stddef.h>

#include "util.h"

#define TG_MAX_TEXT 4096	/* UTF-16 units per message, after entity parsing */

char *html_escape(const char *s);
/* 0 when s uses only Telegram's HTML subset, properly nested, with & and <
 * escaped; otherwise -1 and a reason in err. */
int html_validate(const char *s, struct sbuf *err);
/* Visible length in UTF-16 units: tags dropped, entities count as one. */
size_t html_text_units(const char *s);
size_t utf16_units(const char *s, size_t len);
/* Tags removed, entities decoded: for terminals and the plain-text resend. */
char *html_to_plain(const char *s);

/* Splits at paragraph, then line, then character boundaries so that each
 * part has at most max visible UTF-16 units; never inside a tag, an entity
 * or a UTF-8 sequence, and tags open at a cut are closed and reopened. */
char **html_split(const char *html, size_t max, size_t *nparts);
void html_free_parts(char **parts, size_t n);

#endif
