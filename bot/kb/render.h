/* render — turns an answer template and a carrier's facts into Telegram
 * HTML: {placeholders} filled (facts are escaped as plain text), optional
 * {?placeholder} lines left out, the footer added. Telegram's HTML itself
 * (escaping, validating, measuring, splitting) is lib/html.
 *
 * The returned string belongs to the caller (free()). */
#ifndef CANCELBOT_RENDER_H
#define CANCELBOT_RENDER_H

#include <stddef.h>

#include "kb.h"

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

#endif
