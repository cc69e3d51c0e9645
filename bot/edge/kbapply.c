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

struct kb *kbapply_try(struct bot *b, int64_t user, const char *rel, const char *content,
		       struct sbuf *problems, struct sbuf *warn, int *accepted)
{
	char *shipped = NULL;
	if (!content) {
		/* removing the admin's file brings the shipped one back: stage that */
		char *p = kbapply_shipped_path(&b->cfg, rel);
		shipped = read_file(p, NULL);
		free(p);
		if (!shipped) {
			sbuf_addf(problems, "%s is not shipped: removing it cannot be tried first\n", rel);
			*accepted = 0;
			return NULL;
		}
		content = shipped;
	}
	char *stage = xasprintf("%s/kbstage/%lld", b->cfg.state_dir, (long long)user);
	char *path = xasprintf("%s/%s", stage, rel);
	struct kb *cand = NULL;
	*accepted = 0;
	if (kbfile_write(path, content, problems) == 0)
		cand = reload_candidate(&b->cfg, b->kb, stage, problems, warn, accepted);
	struct sbuf ignore = {0};
	kbfile_remove(path, &ignore);	/* the stage holds a change only while it is tried */
	sbuf_free(&ignore);
	free(path);
	free(stage);
	free(shipped);
	return cand;
}

/* Makes the admin's rel hold text (NULL: no admin file). */
static int put(const char *path, const char *text, struct sbuf *rep)
{
	return text ? kbfile_write(path, text, rep) : kbfile_remove(path, rep);
}

long kbapply_apply(struct bot *b, int64_t who, const char *trigger, const char *what,
		   const char *rel, const char *content, struct sbuf *rep)
{
	const char *admin = config_admin_kb_dir(&b->cfg);
	if (!admin) {
		sbuf_adds(rep, "Not applied: no admin_kb_dir is configured.\n");
		return -1;
	}
	struct sbuf problems = {0}, warn = {0};
	int accepted;
	kb_free(kbapply_try(b, who, rel, content, &problems, &warn, &accepted));
	if (!accepted) {
		sbuf_addf(rep, "Not applied: the old text stays. Why:\n%s", sbuf_str(&problems));
		log_warn("kb_edit_refused", KV("user", who), KV("what", what));
		sbuf_free(&problems);
		sbuf_free(&warn);
		return -1;
	}
	sbuf_free(&problems);
	sbuf_free(&warn);
	char *path = xasprintf("%s/%s", admin, rel);
	char *old = read_file(path, NULL);	/* NULL: the shipped file was in use */
	long v = -1;
	if (put(path, content, rep) < 0) {
		sbuf_adds(rep, "Not applied: the old text stays.\n");
	} else if (bot_reload(b, trigger, rep) < 0) {
		/* the running one stays; the files must not disagree with it */
		put(path, old, rep);
		sbuf_adds(rep, "Not applied: the old text is back.\n");
	} else {
		v = kbhist_add(who, what, rel, old, content, rep);
		sbuf_addf(rep, "Applied %s", what);
		if (v > 0)
			sbuf_addf(rep, " as version %ld (/history %ld shows it, /rollback %ld undoes it)",
				  v, v, v);
		sbuf_adds(rep, ".\n");
		log_info("kb_edit_applied", KV("user", who), KV("what", what), KV("file", rel),
			 KV("version", v));
		if (v < 0)
			v = 0;
	}
	free(old);
	free(path);
	return v;
}
