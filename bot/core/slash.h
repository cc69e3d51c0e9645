/* commands — the bot's slash commands as one const table: name, who may use
 * it, handler, and the descriptions registered with setMyCommands. */
#ifndef CANCELBOT_SLASH_H
#define CANCELBOT_SLASH_H

#include "dialog.h"

struct command {
	const char *name;
	int admin_only;
	void (*handler)(const struct dialog_env *env, const struct update *u, const char *args,
			struct dialog_out *out);
	const char *desc_en, *desc_zh;
};

extern const struct command commands[];
const struct command *command_find(const char *name);

#endif
