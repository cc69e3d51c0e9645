/* script — the language and script of the conversation (bot/core/script.c):
 * which written variant a reply is in, and the conversion of finished
 * replies into that variant's script. The variants are the table in
 * bot/lib/lang.c. */
#ifndef CANCELBOT_SCRIPT_H
#define CANCELBOT_SCRIPT_H

#include "dialog.h"

/* The reply language (a lang.h code, static): /lang's choice, else the
 * script of text (the message; NULL for commands and buttons) when it has
 * Chinese characters, else the conversation's, else English for an English
 * sentence, else the user's Telegram language. */
const char *dialog_lang(const struct dialog_env *env, const struct update *u, const char *text);
/* Converts every reply of out (texts, buttons, the toast) into the script
 * of out->lang, when that variant has one of its own. */
void dialog_convert_script(struct dialog_out *out);

#endif
