/* outbox — replies waiting to be sent, and the whole pacing policy: at most
 * one message a second per chat, 20 a minute per group, 30 a second in all;
 * a 429 pauses the chat for retry_after, and every chat when another chat
 * was limited less than a second before (Telegram's global limit); a failed
 * send is retried with backoff (1, 2, 4 ... 60 s) and given up, loudly,
 * after OUTBOX_MAX_ATTEMPTS. Replies to one chat leave in order. The loop
 * only sends what outbox_ready() gives and reports with outbox_result().
 *
 * Each item remembers the update it answers, so the run loop can tell when
 * an update is fully answered (only then is it confirmed to Telegram).
 * The outbox owns queued replies' texts until they are sent or dropped. */
#ifndef CANCELBOT_OUTBOX_H
#define CANCELBOT_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "reply.h"
#include "sender.h"

#define OUTBOX_MAX_ATTEMPTS 8	/* a reply that failed this often is given up */

struct outbox_item {
	struct reply r;
	int64_t update_id;
	double not_before;	/* retry backoff */
	double received;	/* when its update arrived, for the latency log */
	int attempts;
};

struct outbox;

/* limits 0: no pacing at all, only 429 pauses (benchmarks against a fake
 * server; never against Telegram). */
struct outbox *outbox_new(int limits);
void outbox_free(struct outbox *ob);
/* Takes over r's text (r->text is NULL afterwards). received: when the
 * update arrived (monotonic). */
void outbox_push(struct outbox *ob, int64_t update_id, struct reply *r, double received);
/* The next item allowed to go now, or NULL; *wait is then the seconds until
 * one will be (or -1 when the outbox is empty). */
struct outbox_item *outbox_ready(struct outbox *ob, double now, double *wait);
/* What became of sending it (status and retry_after from the sender), and
 * what follows: 1 when the item has left the outbox (sent, refused, or
 * given up), 0 when it stays queued for later (paused or to be retried). */
int outbox_result(struct outbox *ob, struct outbox_item *it, enum send_status status,
		  int retry_after, double now);
/* The item was sent: count it against the limits and remove it. */
void outbox_sent(struct outbox *ob, struct outbox_item *it, double now);
/* Give up on the item (blocked by the user, refused by Telegram). */
void outbox_drop(struct outbox *ob, struct outbox_item *it);
/* Try the item again later. */
void outbox_retry(struct outbox *ob, struct outbox_item *it, double when);
void outbox_pause_chat(struct outbox *ob, int64_t chat, double now, double until);
void outbox_pause_all(struct outbox *ob, double until);
size_t outbox_len(const struct outbox *ob);
size_t outbox_pending_for(const struct outbox *ob, int64_t update_id);
/* Smallest update id with replies still queued, or INT64_MAX. */
int64_t outbox_floor(const struct outbox *ob);

#endif
