/* inline — inline mode: what "@bot cancel verizon" typed in any chat
 * offers. The query is classified like a message; the cards are the
 * rendered answer first, then the nearest others (the same carrier's main
 * topics, or the same topic for the main carriers); an empty query offers
 * the main topics. Each card is an InlineQueryResultArticle whose message
 * is the answer itself (its first part when long), in the asker's language
 * and script (their /lang choice, else the query's script, else Telegram's
 * language_code). Pure: the edge sends what it returns. */
#ifndef CANCELBOT_INLINE_H
#define CANCELBOT_INLINE_H

#include <cjson/cJSON.h>

#include "dialog.h"

#define INLINE_MAX 6	/* cards per query: a phone shows about this many */

/* The results array for answerInlineQuery (caller frees; may be empty:
 * nothing understood). */
cJSON *inline_results(const struct dialog_env *env, const struct update *u);

#endif
