/* groups — see groups.h. */
#define _POSIX_C_SOURCE 200809L
#include "groups.h"
#include "lang.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	char *dir;
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

/* One saved line: "CHAT MODE LANG WHERE", MODE -1..2, LANG a lang.h code
 * or "-", WHERE 0..1. Anything else is ignored (the group keeps the
 * defaults), so an edited file can't put a bad value in force. */
static void load_line(struct groups *g, const char *line)
{
	int64_t chat;
	int mode, where;
	char code[32];
	if (sscanf(line, "%" SCNd64 " %d %31s %d", &chat, &mode, code, &where) != 4 || chat >= 0 ||
	    mode < -1 || mode > GROUP_QUIET || where < WHERE_GROUP || where > WHERE_PRIVATE)
		return;
	const struct lang *l = lang_find(code);
	if (strcmp(code, "-") && !(l && l->choosable))
		return;
	struct group_row *r = row_of(g, chat);
	if (!r)
		r = add_row(g, chat);
	r->p.mode = mode;
	r->p.where = where;
	snprintf(r->p.lang, sizeof r->p.lang, "%s", l ? l->code : "");
}

struct groups *groups_open(const char *state_dir)
{
	struct groups *g = xcalloc(1, sizeof *g);
	g->dir = xstrdup(state_dir);
	char *path = xasprintf("%s/groups", state_dir);
	FILE *f = fopen(path, "r");
	free(path);
	char line[160];
	while (f && fgets(line, sizeof line, f))
		load_line(g, line);
	if (f)
		fclose(f);
	return g;
}

void groups_close(struct groups *g)
{
	if (!g)
		return;
	free(g->dir);
	free(g->v);
	free(g);
}

static int save(struct groups *g)
{
	char *path = xasprintf("%s/groups", g->dir);
	char *tmp = xasprintf("%s/groups.tmp", g->dir);
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		for (size_t i = 0; i < g->n; i++)
			fprintf(f, "%" PRId64 " %d %s %d\n", g->v[i].chat, g->v[i].p.mode,
				g->v[i].p.lang[0] ? g->v[i].p.lang : "-", g->v[i].p.where);
		int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
		ok &= fclose(f) == 0;
		rc = ok && rename(tmp, path) == 0 ? 0 : -1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc < 0) {
		log_warn("groups_save_failed", KV("path", path),
			 KV("msg", "the group settings hold until a restart"));
		unlink(tmp);
	}
	free(path);
	free(tmp);
	return rc;
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
	return save(g);
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
	save(g);
}

void groups_migrate(struct groups *g, int64_t from, int64_t to)
{
	forget_admins(g, from);
	struct group_row *r = row_of(g, from);
	if (!r || row_of(g, to))
		return;
	r->chat = to;
	save(g);
}

size_t groups_count(const struct groups *g)
{
	return g ? g->n : 0;
}

static int ask_telegram(struct tg_client *tg, int64_t chat, int64_t user, int *admin)
{
	cJSON *p = cJSON_CreateObject();
	tg_add_i64(p, "chat_id", chat);
	tg_add_i64(p, "user_id", user);
	struct tg_result r;
	enum tg_status st = tg_call(tg, "getChatMember", p, 10, &r);
	cJSON_Delete(p);
	const cJSON *status = st == TG_OK ? cJSON_GetObjectItemCaseSensitive(r.result, "status") : NULL;
	int ok = cJSON_IsString(status);
	if (ok)
		*admin = !strcmp(status->valuestring, "creator") ||
			 !strcmp(status->valuestring, "administrator");
	else
		log_warn("admin_check_failed", KV("chat", chat), KV("user", user),
			 KV("desc", st == TG_OK ? "no status" : r.description));
	tg_result_free(&r);
	return ok ? 0 : -1;
}

int groups_is_admin(struct groups *g, struct tg_client *tg, int64_t chat, int64_t user,
		    double now)
{
	for (size_t i = 0; i < ADMIN_CACHE; i++) {
		struct admin_check *c = &g->cache[i];
		if (c->at > 0 && c->chat == chat && c->user == user && now - c->at < GROUPS_ADMIN_TTL)
			return c->admin;
	}
	int admin = 0;
	if (ask_telegram(tg, chat, user, &admin) < 0)
		return 0;
	struct admin_check *c = &g->cache[g->next];
	g->next = (g->next + 1) % ADMIN_CACHE;
	*c = (struct admin_check){.chat = chat, .user = user, .at = now, .admin = admin};
	return admin;
}
