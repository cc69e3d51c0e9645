/* commands — see commands.h. */
#include "commands.h"

#include <string.h>

static void cmd_start(const struct dialog_env *env, const struct update *u, const char *args,
		      struct dialog_out *out)
{
	const char *lang = dialog_user_lang(u);
	/* deep link: t.me/bot?start=verizon opens that carrier's overview */
	if (args && *args && kb_rule(env->kb, RULE_CARRIER, args)) {
		dialog_say(env, u, out, "carrier_overview", args, NULL, lang);
		return;
	}
	dialog_say(env, u, out, "start", NULL, NULL, lang);
}

static void cmd_help(const struct dialog_env *env, const struct update *u, const char *args,
		     struct dialog_out *out)
{
	(void)args;
	dialog_say(env, u, out, "help", NULL, NULL, dialog_user_lang(u));
}

static void cmd_carriers(const struct dialog_env *env, const struct update *u, const char *args,
			 struct dialog_out *out)
{
	(void)args;
	dialog_say(env, u, out, "carriers", NULL, NULL, dialog_user_lang(u));
}

const struct command commands[] = {
	{"start", 0, cmd_start, "Start: what I can answer", "开始：我能回答什么"},
	{"help", 0, cmd_help, "How to ask me", "怎么问我"},
	{"carriers", 0, cmd_carriers, "Carriers I know", "我了解的运营商"},
	{NULL, 0, NULL, NULL, NULL},
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
