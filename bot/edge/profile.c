/* profile — see profile.h. */
#define _POSIX_C_SOURCE 200809L
#include "profile.h"
#include "html.h"
#include "lang.h"
#include "log.h"
#include "script.h"
#include "slash.h"

#include <stdlib.h>
#include <string.h>

/* The menus (setMyCommands scopes). A group's admins see their scope
 * instead of the group one, so it repeats the group commands. */
enum {
	IN_PRIVATE = 1,		/* all_private_chats (and the default scope) */
	IN_GROUPS = 2,		/* all_group_chats */
	IN_GROUP_ADMINS = 4,	/* all_chat_administrators */
	IN_BOT_ADMINS = 8,	/* chat: each [bot] admins user's private chat */
};

static const struct menu {
	const char *scope;	/* BotCommandScope type; "chat": one per bot admin */
	int bit;
} menus[] = {
	{"default", IN_PRIVATE},
	{"all_private_chats", IN_PRIVATE},
	{"all_group_chats", IN_GROUPS},
	{"all_chat_administrators", IN_GROUP_ADMINS},
	{"chat", IN_BOT_ADMINS},
};

/* Commands whose menus are not the default for them (slash.c's table
 * says who may use a command; this says where it is offered). */
static const struct placed {
	const char *name;
	int menus;
} placed[] = {
	{"settings", IN_GROUP_ADMINS},	/* a group's own admins, in the group */
};

static int menus_of(const struct slash_command *c)
{
	for (size_t i = 0; i < ARRAY_LEN(placed); i++)
		if (!strcmp(placed[i].name, c->name))
			return placed[i].menus;
	return c->admin_only ? IN_BOT_ADMINS
			     : IN_PRIVATE | IN_GROUPS | IN_GROUP_ADMINS | IN_BOT_ADMINS;
}

/* The params naming a scope and language: {"scope":{...},"language_code"}. */
static cJSON *scope_params(const char *type, int64_t chat, const char *code)
{
	cJSON *p = cJSON_CreateObject();
	cJSON *s = cJSON_AddObjectToObject(p, "scope");
	cJSON_AddStringToObject(s, "type", type);
	if (chat)
		tg_add_i64(s, "chat_id", chat);
	if (code)
		cJSON_AddStringToObject(p, "language_code", code);
	return p;
}

/* One menu: read what Telegram has, set it when it differs. 1 when set. */
static int sync_menu(struct tg_client *tg, const struct menu *m, int64_t chat,
		     const struct lang *l)
{
	cJSON *want = cJSON_CreateArray();
	for (const struct slash_command *c = slash_commands; c->name; c++) {
		if (!(menus_of(c) & m->bit))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "command", c->name);
		cJSON_AddStringToObject(o, "description", slash_desc(c, l));
		cJSON_AddItemToArray(want, o);
	}
	cJSON *p = scope_params(m->scope, chat, l->command_code);
	struct tg_result r;
	int same = tg_call(tg, "getMyCommands", p, 30, &r) == TG_OK &&
		   cJSON_Compare(r.result, want, 1);
	tg_result_free(&r);
	int set = 0;
	if (!same) {
		cJSON_AddItemToObject(p, "commands", want);
		want = NULL;
		if (tg_call(tg, "setMyCommands", p, 30, &r) == TG_OK) {
			set = 1;
			log_info("commands_set", KV("scope", m->scope),
				 KV("lang", l->command_code ? l->command_code : "-"));
		} else {
			log_warn("set_commands_failed", KV("scope", m->scope), KV("desc", r.description));
		}
		tg_result_free(&r);
	}
	cJSON_Delete(want);
	cJSON_Delete(p);
	return set;
}

/* Telegram's lengths are in UTF-16 units. */
static size_t units(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xC0) != 0x80 ? (*p >= 0xF0 ? 2 : 1) : 0;
	return n;
}

/* The text of topic in l's answers, as plain text. Telegram has one "zh"
 * for both scripts, so Chinese is written twice, Simplified then
 * Traditional (the zh-Hant row's conversion), when both fit in limit;
 * Simplified alone otherwise. NULL when the topic is missing. */
static char *profile_text(const struct kb *kb, const char *topic, const struct lang *l,
			  size_t limit)
{
	const struct answer *a = kb_answer(kb, topic, NULL, NULL, l->code);
	if (!a)
		return NULL;
	char *plain = html_to_plain(a->text);
	char *t = str_trim(plain);
	memmove(plain, t, strlen(t) + 1);
	for (size_t i = 0; l->han && i < nlangs; i++) {
		if (!langs[i].traditional || strcmp(langs[i].answers, l->answers) || !langs[i].choosable)
			continue;
		struct dialog_out conv = {.callback_text = xstrdup(plain), .lang = langs[i].code};
		dialog_convert_script(&conv);
		if (strcmp(conv.callback_text, plain)) {
			char *both = xasprintf("%s\n\n%s", plain, conv.callback_text);
			if (units(both) <= limit) {
				free(plain);
				plain = both;
			} else {
				free(both);
			}
		}
		dialog_out_free(&conv);
		break;
	}
	return plain;
}

static const struct text_kind {
	const char *topic, *get, *set, *field;
	size_t limit;
} texts[] = {
	{"bot_description", "getMyDescription", "setMyDescription", "description", 512},
	{"bot_short_description", "getMyShortDescription", "setMyShortDescription",
	 "short_description", 120},
};

static int sync_text(struct tg_client *tg, const struct kb *kb, const struct text_kind *k,
		     const struct lang *l)
{
	char *want = profile_text(kb, k->topic, l, k->limit);
	if (!want)
		return 0;
	cJSON *p = cJSON_CreateObject();
	if (l->command_code)
		cJSON_AddStringToObject(p, "language_code", l->command_code);
	struct tg_result r;
	const cJSON *have = NULL;
	if (tg_call(tg, k->get, p, 30, &r) == TG_OK)
		have = cJSON_GetObjectItemCaseSensitive(r.result, k->field);
	int same = cJSON_IsString(have) && !strcmp(have->valuestring, want);
	tg_result_free(&r);
	int set = 0;
	if (!same) {
		cJSON_AddStringToObject(p, k->field, want);
		if (tg_call(tg, k->set, p, 30, &r) == TG_OK) {
			set = 1;
			log_info("profile_set", KV("what", k->field),
				 KV("lang", l->command_code ? l->command_code : "-"));
		} else {
			log_warn("profile_set_failed", KV("what", k->field), KV("desc", r.description));
		}
		tg_result_free(&r);
	}
	cJSON_Delete(p);
	free(want);
	return set;
}

int profile_sync(struct tg_client *tg, const struct config *cfg, const struct kb *kb)
{
	int set = 0;
	/* the first row is the default (no language_code); a row with a
	 * command_code its own (Telegram takes two-letter codes only) */
	for (size_t i = 0; i < nlangs; i++) {
		const struct lang *l = &langs[i];
		if (i > 0 && !l->command_code)
			continue;
		for (size_t m = 0; m < ARRAY_LEN(menus); m++) {
			if (menus[m].bit != IN_BOT_ADMINS) {
				set += sync_menu(tg, &menus[m], 0, l);
				continue;
			}
			for (size_t a = 0; a < cfg->n_admins; a++)
				set += sync_menu(tg, &menus[m], cfg->admins[a], l);
		}
		for (size_t k = 0; k < ARRAY_LEN(texts); k++)
			set += sync_text(tg, kb, &texts[k], l);
	}
	return set;
}
