/* run — what cmd_run.c (the loop, the poll, the commits) and run_reply.c
 * (an update's replies, a sent reply's effects) share. All work on the
 * running bot, struct bot (bot.h), which owns everything they touch. */
#ifndef CANCELBOT_RUN_H
#define CANCELBOT_RUN_H

#include "bot.h"

/* Wall-clock seconds (the journal's times). */
double wall_now(void);
/* STATUS= for systemctl status: what an operator checks first. */
void run_status(void *ctx, char *buf, size_t cap);
/* The outbox and the offset to the journal: one durable write. */
void run_commit(struct bot *b);
/* One update: to the dialog (or an admin's edit in progress), its replies
 * queued; an admin command that waits for Telegram is finished later by
 * run_finish. */
void run_handle(struct bot *b, const struct update *u);
/* What every handled update ends with: its replies queued, a press
 * acknowledged, the counters and the log line. */
void run_finish(struct bot *b, const struct update *u, struct dialog_out *out);
/* deliver.c's callbacks (user is the bot): a reply went out; a group's
 * answer meant for the asker in private goes back to the group (1). */
void run_on_sent(void *user, const struct outbox_item *it, const struct send_result *res,
		 double now);
int run_retarget(void *user, struct outbox_item *it, double now);

#endif
