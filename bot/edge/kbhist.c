/* kbhist — see kbhist.h. The table (store.c's migration step "kb_history"):
 * one row per applied change, the file's whole text before and after, so
 * any version can be shown as a diff and undone without the ones before
 * it. Texts are a few KB: thousands of edits are a few MB. */
#define _POSIX_C_SOURCE 200809L
#include "kbhist.h"
#include "answer.h"
#include "bot.h"
#include "kbapply.h"
#include "log.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIFF_CONTEXT 2
#define DIFF_MAX_LINES 120	/* a diff longer than this is cut (the file shows the rest) */

static sqlite3_stmt *st_add, *st_list, *st_get;

long kbhist_add(int64_t who, const char *what, const char *rel, const char *old,
		const char *new_text, struct sbuf *err)
{
	sqlite3_stmt *st = store_stmt(&st_add, "INSERT INTO kb_history (at, who, what, file, old, new) "
				      "VALUES (?, ?, ?, ?, ?, ?)");
	if (!st) {
		sbuf_adds(err, "(the history store is not open: this change is not recorded)\n");
		return 0;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 2, who);
	sqlite3_bind_text(st, 3, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rel, -1, SQLITE_STATIC);
	if (old)
		sqlite3_bind_text(st, 5, old, -1, SQLITE_STATIC);
	if (new_text)
		sqlite3_bind_text(st, 6, new_text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		const char *msg = sqlite3_errmsg(store_db());
		sbuf_addf(err, "(history: %s: this change is not recorded)\n", msg);
		log_error("kb_history_failed", KV("msg", msg), KV("file", rel));
		return 0;
	}
	return (long)sqlite3_last_insert_rowid(store_db());
}

struct lines {
	const char **p;
	size_t *len, n;
};

static void split_lines(const char *text, struct lines *l)
{
	memset(l, 0, sizeof *l);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		l->p = xrealloc(l->p, (l->n + 1) * sizeof *l->p);
		l->len = xrealloc(l->len, (l->n + 1) * sizeof *l->len);
		l->p[l->n] = p;
		l->len[l->n++] = n;
		p = nl ? nl + 1 : p + n;
	}
}

static int same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* The changed middle of two texts, as unified-diff-like lines: what an
 * edit of one section looks like; plus and minus: the lines added and
 * removed. */
static void diff(const char *old, const char *new_text, struct sbuf *out, size_t *plus,
		 size_t *minus)
{
	struct lines a, b;
	split_lines(old, &a);
	split_lines(new_text, &b);
	size_t pre = 0, suf = 0;
	while (pre < a.n && pre < b.n && same(&a, pre, &b, pre))
		pre++;
	while (suf < a.n - pre && suf < b.n - pre && same(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
		suf++;
	*minus = a.n - pre - suf;
	*plus = b.n - pre - suf;
	if (out && (*minus || *plus)) {
		size_t from = pre > DIFF_CONTEXT ? pre - DIFF_CONTEXT : 0, shown = 0;
		sbuf_addf(out, "@@ line %zu @@\n", pre + 1);
		for (size_t i = from; i < pre; i++)
			sbuf_addf(out, "  %.*s\n", (int)a.len[i], a.p[i]);
		for (size_t i = pre; i < a.n - suf && shown++ < DIFF_MAX_LINES; i++)
			sbuf_addf(out, "- %.*s\n", (int)a.len[i], a.p[i]);
		for (size_t i = pre; i < b.n - suf && shown++ < DIFF_MAX_LINES; i++)
			sbuf_addf(out, "+ %.*s\n", (int)b.len[i], b.p[i]);
		if (shown > DIFF_MAX_LINES)
			sbuf_adds(out, "  (longer: cut here)\n");
		for (size_t i = a.n - suf; i < a.n && i < a.n - suf + DIFF_CONTEXT; i++)
			sbuf_addf(out, "  %.*s\n", (int)a.len[i], a.p[i]);
	}
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
}

static void when(sqlite3_int64 t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, cap, "%Y-%m-%d %H:%M UTC", &tm);
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The text before a version: the admin's file then, or (none) the shipped
 * file as it is now. The caller frees it. */
static char *before(const struct config *cfg, const char *rel, const char *old)
{
	if (old)
		return xstrdup(old);
	char *path = kbapply_shipped_path(cfg, rel);
	char *text = read_file(path, NULL);
	free(path);
	return text ? text : xstrdup("");
}

int kbhist_list(const struct config *cfg, int limit, struct sbuf *out)
{
	sqlite3_stmt *st = store_stmt(&st_list, "SELECT version, at, who, what, file, old, new "
				      "FROM kb_history ORDER BY version DESC LIMIT ?");
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char t[40];
		size_t plus, minus;
		when(sqlite3_column_int64(st, 1), t, sizeof t);
		char *old = before(cfg, col(st, 4), col(st, 5));
		const char *new_text = col(st, 6);
		char *shipped = new_text ? NULL : before(cfg, col(st, 4), NULL);
		diff(old, new_text ? new_text : shipped, NULL, &plus, &minus);
		sbuf_addf(out, "v%lld  %s  by %lld  %s\n     %s%s  +%zu -%zu\n",
			  (long long)sqlite3_column_int64(st, 0), t, (long long)sqlite3_column_int64(st, 2),
			  col(st, 3), col(st, 4), new_text ? "" : " (admin file removed)", plus, minus);
		free(shipped);
		free(old);
		n++;
	}
	sqlite3_reset(st);
	if (!n)
		sbuf_adds(out, "No edits applied yet.\n");
	return n;
}

int kbhist_show(const struct config *cfg, long version, struct sbuf *out)
{
	sqlite3_stmt *st = store_stmt(&st_get, "SELECT version, at, who, what, file, old, new "
				      "FROM kb_history WHERE version = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, version);
	int found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		char t[40];
		size_t plus, minus;
		when(sqlite3_column_int64(st, 1), t, sizeof t);
		const char *rel = col(st, 4);
		char *old = before(cfg, rel, col(st, 5));
		char *new_text = col(st, 6) ? xstrdup(col(st, 6)) : before(cfg, rel, NULL);
		sbuf_addf(out, "v%ld  %s  by %lld  %s\n--- %s%s\n+++ %s%s\n", version, t,
			  (long long)sqlite3_column_int64(st, 2), col(st, 3), rel,
			  col(st, 5) ? "" : " (shipped, as it is now)", rel,
			  col(st, 6) ? "" : " (admin file removed: shipped)");
		diff(old, new_text, out, &plus, &minus);
		if (!plus && !minus)
			sbuf_adds(out, "(no change)\n");
		free(old);
		free(new_text);
	} else {
		sbuf_addf(out, "No version %ld.\n", version);
	}
	sqlite3_reset(st);
	return found ? 0 : -1;
}

/* /rollback N: rel as it was before version N, as a new version. */
static void rollback(struct bot *b, long version, const struct update *u, struct sbuf *rep)
{
	sqlite3_stmt *st = store_stmt(&st_get, "SELECT version, at, who, what, file, old, new "
				      "FROM kb_history WHERE version = ?");
	if (!st) {
		sbuf_adds(rep, "The history store is not open.\n");
		return;
	}
	sqlite3_bind_int64(st, 1, version);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		sbuf_addf(rep, "No version %ld (/history lists them).\n", version);
		return;
	}
	char *rel = xstrdup(col(st, 4));
	char *old = col(st, 5) ? xstrdup(col(st, 5)) : NULL;
	sqlite3_reset(st);
	const char *admin = config_admin_kb_dir(&b->cfg);
	char *path = admin ? xasprintf("%s/%s", admin, rel) : NULL;
	char *now = path ? read_file(path, NULL) : NULL;
	if (admin && (now == old || (now && old && !strcmp(now, old)))) {
		sbuf_addf(rep, "%s is already as it was before version %ld: nothing to do.\n", rel, version);
	} else {
		char *what = xasprintf("/rollback %ld", version);
		struct kbchange c = {.content = old, .base_hash = 0};
		snprintf(c.rel, sizeof c.rel, "%s", rel);
		kbapply_apply(b, u->from_id, "/rollback", what, &c, 1, rep);
		free(what);
	}
	free(now);
	free(path);
	free(old);
	free(rel);
}

void kbhist_command(struct bot *b, const char *name, const struct update *u,
		    struct dialog_out *out, char **argv, int argc)
{
	struct sbuf rep = {0};
	char *end = NULL;
	long v = argc == 1 ? strtol(argv[0], &end, 10) : 0;
	int numbered = argc == 1 && end && !*end && v > 0;
	if (!strcmp(name, "rollback") && !numbered)
		sbuf_adds(&rep, "usage: /rollback N (a version of /history)\n");
	else if (!strcmp(name, "rollback"))
		rollback(b, v, u, &rep);
	else if (argc && !numbered)
		sbuf_adds(&rep, "usage: /history [N]\n");
	else if ((numbered ? kbhist_show(&b->cfg, v, &rep) : kbhist_list(&b->cfg, 10, &rep)) < 0 &&
		 !rep.len)
		sbuf_adds(&rep, "The history store is not open.\n");
	dialog_report(u, out, sbuf_str(&rep));
	sbuf_free(&rep);
}
