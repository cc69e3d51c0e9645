/* profile — see profile.h. */
#define _POSIX_C_SOURCE 200809L
#include "profile.h"
#include "html.h"
#include "lang.h"
#include "log.h"
#include "script.h"
#include "slash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_TIMEOUT 10	/* seconds one call may take (they run beside the loop) */

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

/* One thing to bring up to date: read it (get), and when it differs from
 * want, write it (set). field: the answer's member compared with want (a
 * description), or NULL: the whole result (a command list). */
struct profile_step {
	const char *get, *set, *field;
	char *get_body, *set_body;
	cJSON *want;
	char what[40], lang[8];		/* for the log */
};

struct profile {
	struct tg_client *tg;
	struct profile_step *v;
	size_t n, next;		/* steps; the one whose request is in flight is next - 1 */
	int setting;		/* the request in flight is the step's set */
	struct tg_req *req;	/* in flight, or NULL: done */
	int nset;
};

static struct profile_step *add_step(struct profile *pr, const char *get, const char *set,
				     const char *field, cJSON *params, const struct lang *l)
{
	pr->v = xrealloc(pr->v, (pr->n + 1) * sizeof *pr->v);
	struct profile_step *s = &pr->v[pr->n++];
	*s = (struct profile_step){.get = get, .set = set, .field = field,
				   .get_body = cJSON_PrintUnformatted(params)};
	snprintf(s->lang, sizeof s->lang, "%s", l->command_code ? l->command_code : "-");
	return s;
}

/* One menu: its commands in the scope and language. */
static void plan_menu(struct profile *pr, const struct menu *m, int64_t chat, const struct lang *l)
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
	struct profile_step *s = add_step(pr, "getMyCommands", "setMyCommands", NULL, p, l);
	cJSON_AddItemReferenceToObject(p, "commands", want);
	s->set_body = cJSON_PrintUnformatted(p);
	s->want = want;
	snprintf(s->what, sizeof s->what, "commands:%s", m->scope);
	cJSON_Delete(p);
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

/* One description in a language, when the answers have it. */
static void plan_text(struct profile *pr, const struct kb *kb, const struct text_kind *k,
		      const struct lang *l)
{
	char *want = profile_text(kb, k->topic, l, k->limit);
	if (!want)
		return;
	cJSON *p = cJSON_CreateObject();
	if (l->command_code)
		cJSON_AddStringToObject(p, "language_code", l->command_code);
	struct profile_step *s = add_step(pr, k->get, k->set, k->field, p, l);
	cJSON_AddStringToObject(p, k->field, want);
	s->set_body = cJSON_PrintUnformatted(p);
	s->want = cJSON_CreateString(want);
	snprintf(s->what, sizeof s->what, "%s", k->field);
	cJSON_Delete(p);
	free(want);
}

/* Starts the next request: the set of the step just read when Telegram's
 * differs (same 0), else the next step's get. */
static void advance(struct profile *pr, int same)
{
	pr->req = NULL;
	if (pr->next && !pr->setting && !same) {
		struct profile_step *s = &pr->v[pr->next - 1];
		pr->setting = 1;
		pr->req = tg_start(pr->tg, s->set, xstrdup(s->set_body), PROFILE_TIMEOUT, 0, pr);
		return;
	}
	pr->setting = 0;
	if (pr->next < pr->n) {
		struct profile_step *s = &pr->v[pr->next++];
		pr->req = tg_start(pr->tg, s->get, xstrdup(s->get_body), PROFILE_TIMEOUT, 0, pr);
	} else if (pr->n) {
		log_info("profile_synced", KV("checked", pr->n), KV("set", pr->nset));
	}
}

struct profile *profile_start(struct tg_client *tg, const struct config *cfg,
			      const struct kb *kb)
{
	struct profile *pr = xcalloc(1, sizeof *pr);
	pr->tg = tg;
	/* the first row is the default (no language_code); a row with a
	 * command_code its own (Telegram takes two-letter codes only) */
	for (size_t i = 0; i < nlangs; i++) {
		const struct lang *l = &langs[i];
		if (i > 0 && !l->command_code)
			continue;
		for (size_t m = 0; m < ARRAY_LEN(menus); m++) {
			if (menus[m].bit != IN_BOT_ADMINS) {
				plan_menu(pr, &menus[m], 0, l);
				continue;
			}
			for (size_t a = 0; a < cfg->n_admins; a++)
				plan_menu(pr, &menus[m], cfg->admins[a], l);
		}
		for (size_t k = 0; k < ARRAY_LEN(texts); k++)
			plan_text(pr, kb, &texts[k], l);
	}
	advance(pr, 1);
	return pr;
}

int profile_owns(const struct profile *pr, const void *user)
{
	return pr && user == pr;
}

void profile_done(struct profile *pr, const struct tg_result *r)
{
	struct profile_step *s = &pr->v[pr->next - 1];
	int same = 1;
	if (pr->setting && r->status == TG_OK) {
		pr->nset++;
		log_info(s->field ? "profile_set" : "commands_set", KV("what", s->what),
			 KV("lang", s->lang));
	} else if (pr->setting) {
		log_warn("profile_set_failed", KV("what", s->what), KV("lang", s->lang),
			 KV("desc", r->description));
	} else {
		const cJSON *have = r->status != TG_OK ? NULL
				    : s->field ? cJSON_GetObjectItemCaseSensitive(r->result, s->field)
					       : r->result;
		same = have && cJSON_Compare(have, s->want, 1);
	}
	advance(pr, same);
}

int profile_busy(const struct profile *pr)
{
	return pr && pr->req;
}

void profile_free(struct profile *pr)
{
	if (!pr)
		return;
	if (pr->req)
		tg_cancel(pr->tg, pr->req);
	for (size_t i = 0; i < pr->n; i++) {
		free(pr->v[i].get_body);
		free(pr->v[i].set_body);
		cJSON_Delete(pr->v[i].want);
	}
	free(pr->v);
	free(pr);
}
