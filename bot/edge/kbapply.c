/* kbapply — see kbapply.h. */
#define _POSIX_C_SOURCE 200809L
#include "kbapply.h"
#include "bot.h"
#include "kbfile.h"
#include "kbhist.h"
#include "log.h"
#include "reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kbchange_clear(struct kbchange *c)
{
	free(c->content);
	memset(c, 0, sizeof *c);
}

char *kbapply_shipped_path(const struct config *cfg, const char *rel)
{
	int intents = strncmp(rel, "intents/", 8) == 0;
	return xasprintf("%s/%s", intents ? cfg->intents_dir : cfg->responses_dir,
			 rel + (intents ? 8 : 10));
}

char *kbapply_current(const struct bot *b, const char *rel)
{
	const char *admin = config_admin_kb_dir(&b->cfg);
	char *path = admin ? xasprintf("%s/%s", admin, rel) : NULL;
	char *text = path ? read_file(path, NULL) : NULL;
	free(path);
	if (text)
		return text;
	path = kbapply_shipped_path(&b->cfg, rel);
	text = read_file(path, NULL);
	free(path);
	return text;
}

uint64_t kbapply_hash_now(const struct bot *b, const char *rel)
{
	char *text = kbapply_current(b, rel);
	uint64_t h = text ? fnv1a(text, strlen(text), FNV1A_INIT) : 1;
	free(text);
	return h;
}

char *kbapply_stage_dir(const struct bot *b, int64_t user)
{
	return xasprintf("%s/kbstage/%lld", b->cfg.state_dir, (long long)user);
}

struct kb *kbapply_try(struct bot *b, int64_t user, const struct kbchange *c, size_t n,
		       struct sbuf *problems, struct sbuf *warn, int *accepted)
{
	char *stage = kbapply_stage_dir(b, user);
	char *paths[KB_CHANGES_MAX] = {0};
	int ok = n <= KB_CHANGES_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		const char *content = c[i].content;
		char *shipped = NULL;
		if (!content) {
			/* removing the admin's copy brings the shipped file back: stage that */
			char *p = kbapply_shipped_path(&b->cfg, c[i].rel);
			content = shipped = read_file(p, NULL);
			free(p);
		}
		if (!content) {
			sbuf_addf(problems, "%s is not shipped: removing it cannot be tried first\n",
				  c[i].rel);
			ok = 0;
		} else {
			paths[i] = xasprintf("%s/%s", stage, c[i].rel);
			ok = kbfile_write(paths[i], content, problems) == 0;
		}
		free(shipped);
	}
	struct kb *cand = NULL;
	*accepted = 0;
	if (ok)
		cand = reload_candidate(&b->cfg, b->kb, stage, problems, warn, accepted);
	struct sbuf ignore = {0};
	for (size_t i = 0; i < KB_CHANGES_MAX; i++) {
		if (paths[i])
			kbfile_remove(paths[i], &ignore);	/* staged only while tried */
		free(paths[i]);
	}
	sbuf_free(&ignore);
	free(stage);
	return cand;
}

/* Makes the admin's file at path hold text (NULL: no admin file). */
static int put(const char *path, const char *text, struct sbuf *rep)
{
	return text ? kbfile_write(path, text, rep) : kbfile_remove(path, rep);
}

static long refuse(int64_t who, const char *what, struct sbuf *rep, const char *why)
{
	sbuf_addf(rep, "Not applied: the old text stays. Why:\n%s", why);
	log_warn("kb_edit_refused", KV("user", who), KV("what", what));
	return -1;
}

long kbapply_apply(struct bot *b, int64_t who, const char *trigger, const char *what,
		   const struct kbchange *c, size_t n, struct sbuf *rep)
{
	const char *admin = config_admin_kb_dir(&b->cfg);
	if (!admin)
		return refuse(who, what, rep, "no admin_kb_dir is configured\n");
	for (size_t i = 0; i < n; i++)
		if (c[i].base_hash && c[i].base_hash != kbapply_hash_now(b, c[i].rel))
			/* written over, the other change would be lost without a trace */
			return refuse(who, what, rep, "the file changed since this preview (another "
				      "edit was applied); start again\n");
	struct sbuf problems = {0}, warn = {0};
	int accepted;
	kb_free(kbapply_try(b, who, c, n, &problems, &warn, &accepted));
	long v = accepted ? 0 : refuse(who, what, rep, sbuf_str(&problems));
	sbuf_free(&problems);
	sbuf_free(&warn);
	if (v < 0)
		return v;
	char *paths[KB_CHANGES_MAX], *old[KB_CHANGES_MAX];
	size_t written = 0;
	for (size_t i = 0; i < n; i++) {
		paths[i] = xasprintf("%s/%s", admin, c[i].rel);
		old[i] = read_file(paths[i], NULL);	/* NULL: the shipped file was in use */
	}
	while (written < n && put(paths[written], c[written].content, rep) == 0)
		written++;
	if (written < n || bot_reload(b, trigger, rep) < 0) {
		/* the running one stays; the files must not disagree with it */
		for (size_t i = 0; i < written; i++)
			put(paths[i], old[i], rep);
		sbuf_adds(rep, "Not applied: the old text is back.\n");
		v = -1;
	} else {
		sbuf_addf(rep, "Applied %s", what);
		for (size_t i = 0; i < n; i++) {
			long vi = kbhist_add(who, what, c[i].rel, old[i], c[i].content, rep);
			if (vi > 0)
				sbuf_addf(rep, "%s %s as version %ld (/history %ld shows it, /rollback %ld "
					  "undoes it)", i ? ";" : ":", c[i].rel, vi, vi, vi);
			if (!v)
				v = vi;
			log_info("kb_edit_applied", KV("user", who), KV("what", what),
				 KV("file", c[i].rel), KV("version", vi));
		}
		sbuf_adds(rep, ".\n");
	}
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		free(old[i]);
	}
	return v;
}
