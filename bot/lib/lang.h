/* lang — the languages the bot speaks, as one table: a row per written
 * variant (code, the answer files it reads, its name, the OpenCC config
 * that turns the rendered answer into its script, the Telegram
 * language_code prefixes that select it, its list separator, the words that
 * mark it in a message, the words of its romanisation). Adding a language is a row here plus answer files.
 * All strings are static; nothing here allocates. */
#ifndef CANCELBOT_LANG_H
#define CANCELBOT_LANG_H

#include <stddef.h>

struct lang {
	const char *code;	/* "en", "zh-Hans", "zh-Hant", "zh-HK" */
	const char *answers;	/* the answer directory it reads: responses/ANSWERS/ */
	const char *name;	/* in itself, for /lang's buttons */
	const char *opencc;	/* OpenCC config applied to its replies, or NULL */
	const char *telegram;	/* language_code prefixes, comma-separated */
	const char *separator;	/* between list items */
	const char *markers;	/* comma-separated words that mark a message as this
				 * variant (Cantonese), or NULL */
	int han;		/* written in Chinese characters */
	int traditional;	/* Traditional characters */
	int choosable;		/* offered by /lang */
	const char *command_code;	/* setMyCommands language_code, or NULL: default */
	const char *fixes;	/* "from=to;..." after OpenCC, where its phrases miss
				 * the sense (s2twp makes 注销 "log out", 登出) */
	const char *romanised;	/* comma-separated words of its romanisation that no
				 * English sentence uses (pinyin: zhuxiao, zenme):
				 * two of them make a message in Latin letters this
				 * language ("meiguo shoujika zenme zhuxiao"), or NULL */
};

/* The answer directories the rows read, once each, in the table's order
 * (the knowledge base loads responses/DIR/ for each). */
#define LANG_ANSWER_DIRS "en", "zh"
#define LANG_NANSWER_DIRS 2

extern const struct lang langs[];
extern const size_t nlangs;

/* The row with this code (case-insensitive), or a Telegram-style code's
 * ("zh-tw", "zh"), or NULL. */
const struct lang *lang_find(const char *code);
/* The row for a Telegram language_code; the first row (English) when none. */
const struct lang *lang_from_telegram(const char *code);
/* The answer directory for a code ("zh-Hant" -> "zh"); code itself when it is
 * one already or unknown. */
const char *lang_answers(const char *code);
/* The first row that reads these answers and has no conversion ("zh" ->
 * zh-Hans). */
const struct lang *lang_default_for(const char *answers);

#endif
