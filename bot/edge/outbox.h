/* outbox — replies accepted but not yet delivered, a queue per chat, and
 * the whole pacing policy: at most one message a second per chat, 20 a
 * minute per group, 30 a second in all; chats are served round-robin, so a
 * chat that floods waits behind itself only. A 429 pauses that chat alone
 * for retry_after (every chat only when two chats were limited less than a
 * second apart: Telegram's global limit). A failed send is retried with
 * backoff (1, 2, 4 ... 60 s) for as long as the reply is useful (max_age,
 * default a day), then dropped and counted. A chat holds at most chat_max
 * replies: past that its oldest waiting reply is dropped (the newest
 * questions are the ones worth answering) and counted. All chats together
 * hold about total_max: past it, the chat holding more than its even share
 * loses its oldest reply the same way, so a flood fills no more than its
 * share and new questions of other chats are still taken in. Replies to one
 * chat leave in order, one at a time.
 *
 * The per-chat records the limits need are pace.c's.
 *
 * Persistence is behind struct outbox_store (journal.c, or another): the
 * outbox tells it what was queued and what left, so a restart resumes the
 * queue. The outbox owns queued replies' texts until they leave. */
#ifndef CANCELBOT_OUTBOX_H
#define CANCELBOT_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "reply.h"
#include "sender.h"

struct outbox_item {
	struct reply r;
	uint64_t seq;		/* its record in the store; 0: none */
	int64_t update_id;
	double not_before;	/* retry backoff */
	double received;	/* monotonic: when its update arrived (latency log) */
	double queued;		/* monotonic: when it was accepted (may be before this run) */
	double queued_wall;	/* the same in wall-clock seconds, for the store */
	int attempts;
	int in_flight;		/* handed out by outbox_ready, no result yet */
	struct outbox_item *next;	/* the next reply to the same chat */
};

/* Where queued replies are kept across a restart. add() records a reply
 * (made durable by the caller's next commit); done() records that it left
 * the outbox, durably before returning when sync is set. */
struct outbox_store {
	void *self;
	void (*add)(void *self, const struct outbox_item *it);
	int (*done)(void *self, uint64_t seq, int sync);
};

struct outbox_limits {
	int pacing;		/* 0: only 429 pauses (benchmarks against a fake server) */
	size_t chat_max;	/* replies one chat may have waiting; 0: no cap */
	size_t total_max;	/* replies all chats may have waiting; 0: no cap */
	double max_age;		/* seconds a reply stays worth sending; 0: forever */
};

struct outbox_counts {
	unsigned long dropped_full;	/* past chat_max: the chat's own queue was full */
	unsigned long dropped_share;	/* past total_max: a chat over its share of the intake */
	unsigned long dropped_stale, dropped_refused, retries, limited;
};

struct outbox;

struct outbox *outbox_new(const struct outbox_limits *lim);
void outbox_set_store(struct outbox *ob, const struct outbox_store *store);
void outbox_free(struct outbox *ob);
/* Takes over r's text (r->text is NULL afterwards). received, queued:
 * monotonic; wall: wall-clock time of queued. Records it in the store. */
void outbox_push(struct outbox *ob, int64_t update_id, struct reply *r, double received,
		 double wall);
/* A reply read back from the store: as outbox_push, but with its seq and
 * without recording it again. */
void outbox_restore(struct outbox *ob, uint64_t seq, int64_t update_id, struct reply *r,
		    double queued, double wall);
/* The next reply allowed to go now (marked in flight), or NULL; *wait is
 * then the seconds until one may be (-1: nothing is waiting, or all are in
 * flight). Replies past max_age are dropped here. */
struct outbox_item *outbox_ready(struct outbox *ob, double now, double *wait);
/* What became of sending it (status and retry_after from the sender), and
 * what follows: 1 when the item has left the outbox (sent, refused, or
 * too old: freed), 0 when it stays queued for later (paused or retried). */
int outbox_result(struct outbox *ob, struct outbox_item *it, enum send_status status,
		  int retry_after, double now);
/* The item was sent: count it against the limits and remove it. */
void outbox_sent(struct outbox *ob, struct outbox_item *it, double now);
/* The item (handed out by outbox_ready) goes to another chat instead:
 * to the end of that chat's queue, at once. */
void outbox_move(struct outbox *ob, struct outbox_item *it, int64_t chat, double now);
/* Try the item again later (also: its send was cut short). */
void outbox_retry(struct outbox *ob, struct outbox_item *it, double when);
void outbox_pause_chat(struct outbox *ob, int64_t chat, double now, double until);
void outbox_pause_all(struct outbox *ob, double until);
/* Replies whose store seq is above seq are not handed out (outbox_ready)
 * until a later call lets them: their update is not confirmed yet, and a
 * crash would fetch it and answer it again. UINT64_MAX (the start): all go.
 * Returns the previous value. */
uint64_t outbox_hold_above(struct outbox *ob, uint64_t seq);
size_t outbox_len(const struct outbox *ob);
/* 1 when replies to new updates can be taken: fewer than total_max wait,
 * or a chat holds more than its share (a new reply displaces its oldest);
 * 0 when the intake is full of fair shares (fetch more once some leave). */
int outbox_accepts(const struct outbox *ob);
size_t outbox_chats(const struct outbox *ob);
const struct outbox_counts *outbox_counts(const struct outbox *ob);
/* Calls fn for every queued reply, chat by chat, in order (to rewrite the
 * store). */
void outbox_each(const struct outbox *ob, void (*fn)(void *user, const struct outbox_item *it),
		 void *user);

#define OUTBOX_DELAY_MAX 3600.0	/* the longest any retry_after pauses a chat */

#endif
