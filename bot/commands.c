/* commands — see commands.h. */
#include "commands.h"

#include <string.h>

static void cmd_start(const struct dialog_env *env, const struct update *u, const char *args,
		      struct dialog_out *out)
{
	const char *lang = dialog_lang(env, u, NULL);
	char carrier[32];
	snprintf(carrier, sizeof carrier, "%s", args);
	for (char *p = carrier; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	/* deep link: t.me/bot?start=verizon opens that carrier's card */
	if (*carrier && kb_rule(env->kb, RULE_CARRIER, carrier)) {
		struct reply *r = dialog_say(env, u, out, "carrier_overview", carrier, NULL, lang);
		if (r)
			buttons_topics(env, r, carrier, lang);
		return;
	}
	struct reply *r = dialog_say(env, u, out, "start", NULL, NULL, lang);
	if (r) {
		buttons_carriers(env, r, "main_carriers", NULL, NULL, lang);
		buttons_add(r, strcmp(lang, "zh") ? "Other…" : "其他…", "more");
	}
}

static void cmd_help(const struct dialog_env *env, const struct update *u, const char *args,
		     struct dialog_out *out)
{
	(void)args;
	dialog_say(env, u, out, "help", NULL, NULL, dialog_lang(env, u, NULL));
}

static void cmd_carriers(const struct dialog_env *env, const struct update *u, const char *args,
			 struct dialog_out *out)
{
	(void)args;
	const char *lang = dialog_lang(env, u, NULL);
	struct reply *r = dialog_say(env, u, out, "carriers", NULL, NULL, lang);
	if (r)
		buttons_carriers(env, r, "all_carriers", NULL, NULL, lang);
}

/* /lang en | zh | auto, or buttons to choose. */
static void cmd_lang(const struct dialog_env *env, const struct update *u, const char *args,
		     struct dialog_out *out)
{
	if (!strcmp(args, "en") || !strcmp(args, "zh") || !strcmp(args, "auto")) {
		int automatic = !strcmp(args, "auto");
		if (env->ctx)
			context_set_lang(env->ctx, u->from_id, automatic ? NULL : args);
		dialog_say(env, u, out, "lang_set", NULL, NULL,
			   automatic ? dialog_lang(env, u, NULL) : args);
		return;
	}
	struct reply *r = dialog_say(env, u, out, "lang_prompt", NULL, NULL, dialog_lang(env, u, NULL));
	if (r) {
		buttons_add(r, "English", "l:en");
		buttons_add(r, "中文", "l:zh");
		buttons_add(r, "Auto / 自动", "l:auto");
	}
}

const struct command commands[] = {
	{"start", 0, cmd_start, "Start: what I can answer", "开始：我能回答什么"},
	{"help", 0, cmd_help, "How to ask me", "怎么问我"},
	{"carriers", 0, cmd_carriers, "Carriers I know", "我了解的运营商"},
	{"lang", 0, cmd_lang, "Answer in English or Chinese", "选择回答语言（中文/英文）"},
	{NULL, 0, NULL, NULL, NULL},
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
