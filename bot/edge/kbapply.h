/* kbapply — the one way an admin's change reaches the knowledge base, for
 * /edit, /teach and /rollback alike: the new file is tried first (staged in
 * STATE_DIR/kbstage/USER over the admin directory, loaded and checked, and
 * scored by the reload_eval gate); only if that passes is it written into
 * admin_kb_dir atomically and the bot reloaded; a reload that still refuses
 * (the files changed meanwhile) puts the old file back; an applied change
 * is recorded as a version (kbhist.h). */
#ifndef CANCELBOT_KBAPPLY_H
#define CANCELBOT_KBAPPLY_H

#include <stdint.h>

#include "config.h"
#include "kb.h"

struct bot;

/* Where rel ("intents/x.ini", "responses/en/y.txt") is shipped; the caller
 * frees it. */
char *kbapply_shipped_path(const struct config *cfg, const char *rel);
/* The text of rel ("responses/en/cancel.txt") in use now: the admin
 * directory's, else the shipped one; NULL when neither can be read. The
 * caller frees it. */
char *kbapply_current(const struct bot *b, const char *rel);
/* The knowledge base with content staged as rel (content NULL: without the
 * admin's rel, i.e. the shipped file staged), or NULL with problems;
 * *accepted as reload_candidate. The caller frees the kb. */
struct kb *kbapply_try(struct bot *b, int64_t user, const char *rel, const char *content,
		       struct sbuf *problems, struct sbuf *warn, int *accepted);
/* Tries, writes (content NULL: removes the admin's rel), reloads, records.
 * The version number (> 0), 0 when applied but not recorded, -1 when
 * refused (nothing changed). rep gets what happened, with every reason. */
long kbapply_apply(struct bot *b, int64_t who, const char *trigger, const char *what,
		   const char *rel, const char *content, struct sbuf *rep);

#endif
