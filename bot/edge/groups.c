/* groups — see groups.h. */
#define _POSIX_C_SOURCE 200809L
#include "groups.h"
#include "lang.h"
#include "log.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMIN_CACHE 256	/* recent (chat, user) checks; the oldest is reused */

struct group_row {
	int64_t chat;
	struct group_prefs p;
};

struct admin_check {
	int64_t chat, user;
	double at;	/* 0: slot unused */
	int admin;
};

struct groups {
	struct group_row *v;	/* a bot is in few groups: a plain array */
	size_t n, cap;
	struct admin_check cache[ADMIN_CACHE];
	size_t next;
};

static struct group_row *row_of(struct groups *g, int64_t chat)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].chat == chat)
			return &g->v[i];
	return NULL;
}

static struct group_row *add_row(struct groups *g, int64_t chat)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->v = xrealloc(g->v, g->cap * sizeof *g->v);
	}
	struct group_row *r = &g->v[g->n++];
	struct group_prefs def = GROUP_PREFS_DEFAULT;
	r->chat = chat;
	r->p = def;
	return r;
}

/* A saved row into memory. Anything out of range is ignored (the group
 * keeps the defaults), so an edited database can't put a bad value in
 * force. */
static void load_row(struct groups *g, int64_t chat, int mode, const char *code, int where)
{
	if (chat >= 0 || mode < -1 || mode > GROUP_QUIET || where < WHERE_GROUP ||
	    where > WHERE_PRIVATE || !code)
		return;
	const struct lang *l = lang_find(code);
	if (*code && !(l && l->choosable))
		return;
	struct group_row *r = row_of(g, chat);
	if (!r)
		r = add_row(g, chat);
	r->p.mode = mode;
	r->p.where = where;
	snprintf(r->p.lang, sizeof r->p.lang, "%s", l ? l->code : "");
}

static sqlite3_stmt *all_st, *put_st, *del_st, *move_st;

struct groups *groups_open(void)
{
	struct groups *g = xcalloc(1, sizeof *g);
	sqlite3_stmt *st = store_stmt(&all_st, "SELECT chat, mode, lang, answers_to FROM group_settings");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		load_row(g, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
			 (const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3));
	if (st)
		sqlite3_reset(st);
	return g;
}

void groups_close(struct groups *g)
{
	if (!g)
		return;
	free(g->v);
	free(g);
}

/* Runs a prepared write; 0 or -1 (logged: the setting holds in memory
 * until a restart). */
static int write_done(sqlite3_stmt *st, const char *what)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (st)
		sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	log_warn("groups_save_failed", KV("what", what),
		 KV("msg", "the group settings hold until a restart"));
	return -1;
}

const struct group_prefs *groups_get(struct groups *g, int64_t chat)
{
	struct group_row *r = g ? row_of(g, chat) : NULL;
	return r ? &r->p : NULL;
}

int groups_set(struct groups *g, int64_t chat, const struct group_prefs *p)
{
	struct group_row *r = row_of(g, chat);
	if (!r)
		r = add_row(g, chat);
	r->p = *p;
	sqlite3_stmt *st = store_stmt(&put_st, "INSERT OR REPLACE INTO group_settings VALUES (?1, ?2, ?3, ?4)");
	if (st) {
		sqlite3_bind_int64(st, 1, chat);
		sqlite3_bind_int(st, 2, p->mode);
		sqlite3_bind_text(st, 3, p->lang, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, p->where);
	}
	return write_done(st, "set");
}

static void forget_admins(struct groups *g, int64_t chat)
{
	for (size_t i = 0; i < ADMIN_CACHE; i++)
		if (g->cache[i].chat == chat)
			memset(&g->cache[i], 0, sizeof g->cache[i]);
}

void groups_drop(struct groups *g, int64_t chat)
{
	forget_admins(g, chat);
	struct group_row *r = row_of(g, chat);
	if (!r)
		return;
	*r = g->v[--g->n];
	sqlite3_stmt *st = store_stmt(&del_st, "DELETE FROM group_settings WHERE chat = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, chat);
	write_done(st, "drop");
}

void groups_migrate(struct groups *g, int64_t from, int64_t to)
{
	forget_admins(g, from);
	struct group_row *r = row_of(g, from);
	if (!r || row_of(g, to))
		return;
	r->chat = to;
	sqlite3_stmt *st = store_stmt(&move_st, "UPDATE group_settings SET chat = ?2 WHERE chat = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
	}
	write_done(st, "migrate");
}

size_t groups_count(const struct groups *g)
{
	return g ? g->n : 0;
}

int groups_admin_known(const struct groups *g, int64_t chat, int64_t user, double now)
{
	for (size_t i = 0; i < ADMIN_CACHE; i++) {
		const struct admin_check *c = &g->cache[i];
		if (c->at > 0 && c->chat == chat && c->user == user && now - c->at < GROUPS_ADMIN_TTL)
			return c->admin;
	}
	return -1;
}

struct tg_req *groups_admin_ask(struct tg_client *tg, int64_t chat, int64_t user, void *tag)
{
	cJSON *p = cJSON_CreateObject();
	tg_add_i64(p, "chat_id", chat);
	tg_add_i64(p, "user_id", user);
	char *body = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return tg_start(tg, "getChatMember", body, GROUPS_ADMIN_TIMEOUT, 0, tag);
}

int groups_admin_answer(struct groups *g, int64_t chat, int64_t user, const struct tg_result *r,
			double now)
{
	const cJSON *status = r->status == TG_OK ? cJSON_GetObjectItemCaseSensitive(r->result, "status")
						 : NULL;
	if (!cJSON_IsString(status)) {
		log_warn("admin_check_failed", KV("chat", chat), KV("user", user),
			 KV("desc", r->status == TG_OK ? "no status" : r->description));
		return 0;
	}
	int admin = !strcmp(status->valuestring, "creator") ||
		    !strcmp(status->valuestring, "administrator");
	struct admin_check *c = &g->cache[g->next];
	g->next = (g->next + 1) % ADMIN_CACHE;
	*c = (struct admin_check){.chat = chat, .user = user, .at = now, .admin = admin};
	return admin;
}
