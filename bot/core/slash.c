/* slash — see slash.h. */
#include "slash.h"
#include "answer.h"
#include "classify.h"
#include "group.h"
#include "keyboard.h"
#include "lang.h"

#include <stdio.h>
#include <strings.h>

#include <stdlib.h>
#include <string.h>

static void slash_start(const struct dialog_env *env, const struct update *u, const char *args,
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
		buttons_add(r, buttons_label(env, "button_other", lang), "more");
	}
}

static void slash_help(const struct dialog_env *env, const struct update *u, const char *args,
		       struct dialog_out *out)
{
	(void)args;
	dialog_say(env, u, out, "help", NULL, NULL, dialog_lang(env, u, NULL));
}

static void slash_carriers(const struct dialog_env *env, const struct update *u, const char *args,
			   struct dialog_out *out)
{
	(void)args;
	const char *lang = dialog_lang(env, u, NULL);
	struct reply *r = dialog_say(env, u, out, "carriers", NULL, NULL, lang);
	if (r)
		buttons_carriers(env, r, "all_carriers", NULL, NULL, lang);
}

/* /lang CODE | auto (CODE: a language of lang.h, or a Telegram code such as
 * zh-tw), or buttons to choose one. */
static void slash_lang(const struct dialog_env *env, const struct update *u, const char *args,
		       struct dialog_out *out)
{
	const struct lang *l = lang_find(args);
	if (!l && *args && strcasecmp(args, "auto")) {
		l = lang_from_telegram(args);	/* the first row is also its fallback */
		if (l == &langs[0] && strncasecmp(args, langs[0].code, strlen(langs[0].code)))
			l = NULL;	/* "/lang fr": not one of ours, offer the choice */
	}
	if (l || !strcasecmp(args, "auto")) {
		dialog_set_lang(env, u, out, l);
		return;
	}
	struct reply *r = dialog_say(env, u, out, "lang_prompt", NULL, NULL, dialog_lang(env, u, NULL));
	for (size_t i = 0; r && i < nlangs; i++)
		if (langs[i].choosable) {
			char data[40];
			snprintf(data, sizeof data, "l:%s", langs[i].code);
			buttons_add(r, langs[i].name, data);
		}
	if (r)
		buttons_add(r, "Auto / 自动", "l:auto");
}

static void slash_admin(const struct dialog_env *env, const struct update *u, const char *args,
			struct dialog_out *out, enum admin_action action)
{
	(void)env;
	(void)u;
	out->action = action;
	out->action_arg = atoi(args);
}

static void slash_reload(const struct dialog_env *env, const struct update *u, const char *args,
			 struct dialog_out *out)
{
	slash_admin(env, u, args, out, ACTION_RELOAD);
}

static void slash_stats(const struct dialog_env *env, const struct update *u, const char *args,
			struct dialog_out *out)
{
	slash_admin(env, u, args, out, ACTION_STATS);
}

static void slash_unmatched(const struct dialog_env *env, const struct update *u, const char *args,
			    struct dialog_out *out)
{
	slash_admin(env, u, args, out, ACTION_UNMATCHED);
}

static void slash_settings(const struct dialog_env *env, const struct update *u, const char *args,
			   struct dialog_out *out)
{
	(void)args;
	group_settings_command(env, u, out);
}

/* The knowledge-base commands read and write files and the store: the
 * edge does them (kbedit.h) with the message's own text. */
static void slash_kbadmin(const struct dialog_env *env, const struct update *u, const char *args,
			  struct dialog_out *out)
{
	slash_admin(env, u, args, out, ACTION_KBADMIN);
}

/* /explain TEXT: what `cancelbot explain` prints, as preformatted text. */
static void slash_explain(const struct dialog_env *env, const struct update *u, const char *args,
			  struct dialog_out *out)
{
	struct sbuf report = {0};
	if (*args)
		classify_explain(env->kb, args, &report);
	else
		sbuf_adds(&report, "usage: /explain TEXT");
	dialog_report(u, out, sbuf_str(&report));
	sbuf_free(&report);
}

const struct slash_command slash_commands[] = {
	{"start", 0, slash_start, "Start: what I can answer", "开始：我能回答什么"},
	{"help", 0, slash_help, "How to ask me", "怎么问我"},
	{"carriers", 0, slash_carriers, "Carriers I know", "我了解的运营商"},
	{"lang", 0, slash_lang, "Answer in English, 简体中文 or 繁體中文", "选择回答语言（English/简体/繁體）"},
	{"settings", 0, slash_settings, "Group settings (group admins)", "群组设置（群管理员）"},
	{"reload", 1, slash_reload, "Reload intents/ and responses/", "重新加载知识库"},
	{"stats", 1, slash_stats, "Counters since start", "运行统计"},
	{"explain", 1, slash_explain, "How a message is classified", "解释一条消息的分类"},
	{"unmatched", 1, slash_unmatched, "Most frequent unanswered questions", "最常见的未识别问题"},
	{"kb", 1, slash_kbadmin, "Topics and carriers of the knowledge base", "知识库的主题和运营商"},
	{"show", 1, slash_kbadmin, "Show an answer's source text", "查看回答的原文"},
	{"edit", 1, slash_kbadmin, "Edit an answer", "编辑回答"},
	{"teach", 1, slash_kbadmin, "Teach an unanswered question", "教会一个未识别的问题"},
	{"history", 1, slash_kbadmin, "Applied edits", "已应用的修改"},
	{"rollback", 1, slash_kbadmin, "Undo an edit", "撤销修改"},
	{NULL, 0, NULL, NULL, NULL},
};

const char *slash_desc(const struct slash_command *c, const struct lang *l)
{
	/* the table holds one description per answer language, in lang.h's order */
	return l && l->answers && strcmp(l->answers, langs[0].answers) ? c->desc_zh : c->desc_en;
}

const struct slash_command *slash_find(const char *name)
{
	for (const struct slash_command *c = slash_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
