/* bot — the running bot's state, shared by the run loop (cmd_run.c) and
 * its startup, reload and admin parts (bot.c): config, knowledge base,
 * saved state, Telegram client, conversation memory, outbox, counters.
 * struct bot owns all of them; bot_close() releases everything. */
#ifndef CANCELBOT_BOT_H
#define CANCELBOT_BOT_H

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "dialog.h"
#include "context.h"
#include "groups.h"
#include "kb.h"
#include "deliver.h"
#include "journal.h"
#include "outbox.h"
#include "reload.h"
#include "state.h"
#include "stats.h"
#include "telegram.h"

#define CONTEXT_CAPACITY 10000

struct bot {
	struct config cfg;
	const char *config_path;	/* re-read on SIGHUP (borrowed: argv) */
	struct kb *kb;
	struct state st;
	struct tg_client *tg;
	struct context *ctx;
	struct outbox *ob;
	struct journal *journal;	/* the outbox and the offset on disk */
	struct deliver *deliver;	/* sends in flight (set up by the run loop) */
	struct kbedit *kbedit;		/* admins' edits in progress (kbedit.h) */
	struct stats stats;
	char *username;
	int64_t bot_id;
	int can_read_all;		/* getMe: privacy mode off */
	int inline_mode;		/* getMe: supports_inline_queries */
	struct groups *groups;		/* per-group settings, admin checks */
	struct profile *profile;	/* menus and descriptions being brought up to date */
	struct admin_wait *admin_waits;	/* /settings waiting for getChatMember (bot_tg.c) */
	double backoff;
	int hard_stop;
	int watch_fd;			/* inotify on intents/ and responses/, or -1 */
	double reload_due;		/* debounced file-change reload, 0: none */
	volatile sig_atomic_t *hup;	/* SIGHUP arrived */
	double hup_due;			/* coalesced SIGHUP reload, 0: none */
	double batch_received;		/* when the last getUpdates answer arrived */
	double last_update;		/* when the last update was handled (now_seconds), 0: none */
	double metrics_last;		/* when metrics_file was last written, 0: never */
	struct reload_job *reload_job;	/* a SIGHUP or file-change reload loading, or NULL */
	char reload_trigger[32];	/* what started it */
	/* the user pointers of acknowledgements sent in the background (a
	 * press's answerCallbackQuery, an inline query's answer): their
	 * answers are only logged when they failed */
	char ack_callback, ack_inline;
};

/* Reloads the knowledge base (reload_kb) and notes it in the counters; 0
 * when it was replaced. The report (plain text) says what happened, with
 * every problem's file:line. */
int bot_reload(struct bot *b, const char *trigger, struct sbuf *report);

/* Loads the knowledge base, takes the state lock, reads the outbox and the
 * offset back (journal), opens the client. Prints what went wrong and
 * returns -1 on failure. */
int bot_open(struct bot *b, volatile sig_atomic_t *stop);
/* getMe (until it works or the token is rejected), webhook removal when
 * configured; starts the profile sync (setMyCommands..., in the background). 0, or 1 when the token was rejected. */
int bot_connect(struct bot *b, volatile sig_atomic_t *stop);
/* SIGHUP's config half: re-reads config_path; keys that can change live
 * (admins, group_mode, metrics_file, log level) take effect, the log names the changed
 * ones that need a restart; a config with errors changes nothing. 0 when
 * it was read. */
int bot_reload_config(struct bot *b);
/* Work between poll rounds: SIGHUP (config, then knowledge base; a burst
 * of SIGHUPs is one reload) and (debounced) file-change reloads. */
void bot_maintenance(struct bot *b);
/* 1 when the update waits for an admin check (bot_group_settings). */
int bot_admin_action(struct bot *b, const struct update *u, struct dialog_out *out);
/* The dialog's view of the bot for update u: knowledge base, memory, the
 * chat's group settings. */
void bot_env(struct bot *b, const struct update *u, struct dialog_env *env);
/* /settings@bot or a settings button (out->action ACTION_GROUP_SETTINGS or
 * _SETTING): for the group's admins the menu (changed and saved), for
 * anyone else a refusal; the replies are appended to out. Returns 1 when
 * whether the asker (or the bot) is an admin is not known yet: then the
 * update waits, a copy of it, for getChatMember answers asked in the
 * background (nothing blocks the loop), and its replies, and a press's
 * acknowledgement (out->answer_callback is cleared), come with the last
 * answer, from bot_admin_checked. */
int bot_group_settings(struct bot *b, const struct update *u, struct dialog_out *out);
struct admin_wait;
/* user: a finished background request. 0 when it was no admin check.
 * Else 1, and *done is the waiting update when this was the last check it
 * waited for (else NULL), its replies in out: the caller queues them
 * (bot_admin_wait_update), acknowledges a press, frees out, and frees the
 * update with bot_admin_wait_free. */
int bot_admin_checked(struct bot *b, void *user, const struct tg_result *r,
		      struct admin_wait **done, struct dialog_out *out);
const struct update *bot_admin_wait_update(const struct admin_wait *w);
void bot_admin_wait_free(struct bot *b, struct admin_wait *w);
/* Stopping: the updates still waiting are dropped (logged). */
void bot_admin_waits_free(struct bot *b);
/* An inline query: answerInlineQuery with inline/core's cards (or, when
 * nothing is understood, a button to ask in private). */
#define INLINE_CACHE 60	/* seconds Telegram may reuse the cards for the same user and query */
void bot_inline(struct bot *b, const struct update *u);
/* After the dialog: a group the bot left is forgotten, a migrated one
 * keeps its settings under the new id. */
void bot_group_events(struct bot *b, const struct update *u, const struct dialog_out *out);
/* Appends an unanswered question to the unmatched log. */
void bot_note_unmatched(struct bot *b, const struct update *u, const struct dialog_out *out);
void bot_close(struct bot *b);

#endif
