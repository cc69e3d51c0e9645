/* render — turns an answer template and carrier facts into Telegram HTML,
 * and the helpers around that: escaping user text, checking that a template
 * uses only the tags Telegram accepts, counting length the way Telegram does
 * (UTF-16 code units) and splitting long texts into sendable pieces.
 *
 * Every function returning char * or char ** hands ownership to the caller
 * (free(), and render_free_parts() for the split array). */
#ifndef CANCELBOT_RENDER_H
#define CANCELBOT_RENDER_H

#include <stddef.h>

#include "kb.h"

#define TG_MAX_TEXT 4096	/* UTF-16 units per message, after entity parsing */

/* Expands {placeholders} from the carrier's facts, then [general]'s; a line
 * holding an optional {?placeholder} without a value is left out. With
 * with_footer the "footer" UI answer (the facts' reviewed month) follows.
 * NULL when a placeholder cannot be resolved; err says which. */
char *render_answer(const struct kb *kb, const struct answer *a, const char *carrier,
		    int with_footer, struct sbuf *err);
/* The same, with vars ("key", "value", ..., NULL) tried before the facts:
 * {user} is the asker's name. Values are escaped like facts. */
char *render_answer_vars(const struct kb *kb, const struct answer *a, const char *carrier,
			 const char *const *vars, int with_footer, struct sbuf *err);

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
char **render_split(const char *html, size_t max, size_t *nparts);
void render_free_parts(char **parts, size_t n);

#endif
