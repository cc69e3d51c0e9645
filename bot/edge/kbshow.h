/* kbshow — the admins' read-only view of the knowledge base in Telegram
 * (/kb: topics, carriers, plans, the admin directory; /show TOPIC
 * [CARRIER] [LANG]: a section's source text as written in its file), and
 * the small lookups /edit shares with it. Nothing here changes anything.
 * Pointers returned point into the kb or are static. */
#ifndef CANCELBOT_KBSHOW_H
#define CANCELBOT_KBSHOW_H

#include "dialog.h"

struct bot;

/* Splits a command message: returns the command's name (lower case,
 * without '/' and '@bot') and up to max lower-cased words after it in
 * argv; all point into *copy, which the caller frees. NULL when text is
 * not a command. */
const char *kbshow_parse(const char *text, char **copy, char **argv, int max, int *argc);
/* The answer directory ("en", "zh") for a language code, or NULL. */
const char *kbshow_lang(const char *code);
/* An answer of topic in lang (any section): where its file is. */
const struct answer *kbshow_topic_file(const struct kb *kb, const char *topic, const char *lang);
/* 1 when head can be an answer section: default, a carrier, a plan, or
 * carrier.plan. */
int kbshow_head_ok(const struct kb *kb, const char *head);
/* The answer read from section [head] of topic's file in lang, or NULL. */
const struct answer *kbshow_section_answer(const struct kb *kb, const char *topic,
					   const char *head, const char *lang);
/* Copies s into buf (cap bytes), cut at a UTF-8 character boundary. */
void utf8_cut(char *buf, size_t cap, const char *s);
/* /kb and /show. */
void kbshow_command(struct bot *b, const char *name, const struct update *u,
		    struct dialog_out *out, char **argv, int argc);

#endif
