/* slash — the bot's Telegram slash commands (/start, /help, /lang, /reload,
 * ...) as one const table: name, who may use it, handler, and the
 * descriptions registered with setMyCommands. Not to be confused with the
 * CLI's subcommands (cli/cmd_*.c). */
#ifndef CANCELBOT_SLASH_H
#define CANCELBOT_SLASH_H

#include "dialog.h"

struct slash_command {
	const char *name;
	int admin_only;
	void (*handler)(const struct dialog_env *env, const struct update *u, const char *args,
			struct dialog_out *out);
	const char *desc_en, *desc_zh;	/* by answer language: slash_desc() */
};

extern const struct slash_command slash_commands[];
const struct slash_command *slash_find(const char *name);
/* The description for setMyCommands in a language of lang.h. */
const char *slash_desc(const struct slash_command *c, const struct lang *l);

#endif
