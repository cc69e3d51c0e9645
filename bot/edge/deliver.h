/* deliver — sends what the outbox releases, in the background (telegram.c's
 * multi interface), so the long poll goes on while replies wait and one
 * hanging send holds up no other chat.
 *
 * Normally one send is in flight: each send is marked done in the store
 * before the next starts, so a crash repeats at most one reply. Another
 * send starts beside it only when every send in flight has been running
 * for DELIVER_SLOW seconds (a stalled connection), up to DELIVER_FLIGHTS.
 * The owner (the run loop) collects finished requests with tg_next_done
 * and hands those that are sends (deliver_owns) to deliver_done. */
#ifndef CANCELBOT_DELIVER_H
#define CANCELBOT_DELIVER_H

#include "outbox.h"
#include "sender.h"
#include "telegram.h"

#define DELIVER_FLIGHTS 8
#define DELIVER_SLOW 0.5

/* Called once a reply has been delivered (before the outbox frees it). */
typedef void (*deliver_sent_fn)(void *user, const struct outbox_item *it,
				const struct send_result *res, double now);

/* Called when Telegram refused a reply for good (403, 400): 1 when the
 * owner found it another way (outbox_move) and it stays queued. */
typedef int (*deliver_refused_fn)(void *user, struct outbox_item *it, double now);

struct deliver;

struct deliver *deliver_new(struct tg_client *tg, struct outbox *ob, long send_timeout,
			    deliver_sent_fn sent, deliver_refused_fn refused, void *user);
void deliver_free(struct deliver *d);
/* Starts every send that may start now; returns the seconds until the
 * next one might (-1: nothing waits). */
double deliver_start(struct deliver *d, double now);
/* Is this finished request's user pointer one of ours? */
int deliver_owns(const struct deliver *d, const void *user);
/* A finished send: judged, resent when the sender says so, else its
 * result goes to the outbox. */
void deliver_done(struct deliver *d, void *user, const struct tg_result *res, double now);
size_t deliver_in_flight(const struct deliver *d);
/* Aborts every send in flight; their replies stay queued. */
void deliver_abort(struct deliver *d, double now);

#endif
