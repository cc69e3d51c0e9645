/* commands — the bot's slash commands as one const table: name, who may use
 * it, handler, and the descriptions registered with setMyCommands. */
#ifndef CANCELBOT_COMMANDS_H
#define CANCELBOT_COMMANDS_H

#include "dialog.h"

struct command {
	const char *name;
	int admin_only;
	void (*handler)(const struct dialog_env *env, const struct update *u, const char *args,
			struct dialog_out *out);
	const char *desc_en, *desc_zh;	/* by answer language: command_desc() */
};

extern const struct command commands[];
const struct command *command_find(const char *name);
/* The description for setMyCommands in a language of lang.h. */
const char *command_desc(const struct command *c, const struct lang *l);

#endif
