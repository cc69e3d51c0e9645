/* kbapply — the one way an admin's change reaches the knowledge base, for
 * /edit, /teach and /rollback alike: the new files are tried first (staged
 * in STATE_DIR/kbstage/USER over the admin directory, loaded and checked,
 * and scored by the reload_eval gate); only if that passes are they
 * written into admin_kb_dir atomically and the bot reloaded; a reload that
 * still refuses puts the old files back; each file applied is recorded as
 * a version (kbhist.h). A change made from a file that has changed since
 * (another admin's edit) is refused rather than written over it. */
#ifndef CANCELBOT_KBAPPLY_H
#define CANCELBOT_KBAPPLY_H

#include <stdint.h>

#include "config.h"
#include "kb.h"

struct bot;

#define KB_CHANGES_MAX 2	/* /teach with a carrier: the intent's and the carrier's file */

/* One file's new text. content is owned (kbchange_clear frees it). */
struct kbchange {
	char rel[200];		/* "responses/en/cancel.txt", relative to its layer */
	char *content;		/* the whole new file; NULL: remove the admin's copy */
	uint64_t base_hash;	/* fnv1a of the text it was made from; 0: not checked */
};
void kbchange_clear(struct kbchange *c);

/* Where rel is shipped; the caller frees it. */
char *kbapply_shipped_path(const struct config *cfg, const char *rel);
/* The text of rel in use now: the admin directory's, else the shipped
 * one; NULL when neither can be read. The caller frees it. */
char *kbapply_current(const struct bot *b, const char *rel);
/* fnv1a of kbapply_current(rel), for kbchange.base_hash. */
uint64_t kbapply_hash_now(const struct bot *b, const char *rel);
/* Where kbapply_try stages user's changes (a scratch copy under state_dir,
 * never shown to admins as such). The caller frees it. */
char *kbapply_stage_dir(const struct bot *b, int64_t user);
/* The knowledge base with the n changes staged, or NULL with problems;
 * *accepted as reload_candidate. The caller frees the kb. */
struct kb *kbapply_try(struct bot *b, int64_t user, const struct kbchange *c, size_t n,
		       struct sbuf *problems, struct sbuf *warn, int *accepted);
/* Tries, writes, reloads, records. The first version number (> 0), 0 when
 * applied but not recorded, -1 when refused (nothing changed). rep gets
 * what happened, with every reason. */
long kbapply_apply(struct bot *b, int64_t who, const char *trigger, const char *what,
		   const struct kbchange *c, size_t n, struct sbuf *rep);

#endif
