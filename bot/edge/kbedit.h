/* kbedit — bot admins change the knowledge base from a private chat:
 * /kb and /show TOPIC [CARRIER] [LANG] read it; /edit TOPIC CARRIER LANG
 * takes the next message as a section's new text, /teach makes a question
 * of the unmatched inbox a phrase of an intent; both show a preview (the
 * rendered answer or what would now match, and what the check and the
 * accuracy gate say) under [Apply] [Cancel]. Apply writes the file into
 * admin_kb_dir atomically and reloads; a change the check or the gate
 * refuses is never written (and one the reload still refuses is undone).
 *
 * An edit in progress is a session per admin (the private chat's state,
 * kept here, not in the dialog): it expires after [bot] edit_ttl seconds,
 * /cancel ends it, and its buttons carry a random nonce so a forged or
 * stale press is just a stale button. struct kbedit owns its sessions. */
#ifndef CANCELBOT_KBEDIT_H
#define CANCELBOT_KBEDIT_H

#include "dialog.h"

struct bot;
struct kbedit;

struct kbedit *kbedit_new(void);
void kbedit_free(struct kbedit *e);

/* Before the dialog: the next message of an admin whose edit waits for its
 * text, /cancel during an edit, or a press of an edit's buttons. 1 when u
 * was handled here (out filled in; the dialog must not see it). */
int kbedit_intercept(struct bot *b, const struct update *u, struct dialog_out *out);
/* ACTION_KBADMIN: /kb, /show, /edit, /teach (and /history, /rollback:
 * kbhist.h) from an admin in a private chat (the dialog checked that). */
void kbedit_command(struct bot *b, const struct update *u, struct dialog_out *out);

/* The path of a knowledge-base file relative to its layer
 * ("responses/en/cancel.txt"), from where it was read; NULL when it is none
 * of the configured directories. The caller frees it. */
char *kbedit_rel(const struct config *cfg, const char *path);

#endif
