/* pace — what Telegram's per-chat limits need remembered of a chat: its
 * recent send times (one message a second to a chat, 20 a minute to a
 * group), a 429 pause, and its waiting replies (an outbox queue, opaque
 * here); kept in a table by chat id, open addressing at most half full, so
 * that finding a chat costs one or two probes however many chats were
 * answered lately. A record lives while it holds a send back or has
 * replies waiting; the table drops the others when it grows.
 *
 * The outbox (outbox.c) owns one table; pace_table_free frees the records,
 * never the queues they point to. */
#ifndef CANCELBOT_PACE_H
#define CANCELBOT_PACE_H

#include <stddef.h>
#include <stdint.h>

#define PACE_GROUP_MAX 20	/* messages to one group a minute */

struct chat_q;

/* A chat's recent sends and its queue. */
struct chat_pace {
	int64_t chat;
	int used;
	size_t sends;			/* how many of recent[] are filled */
	double last, paused_until;
	double recent[PACE_GROUP_MAX];	/* send times, a ring: groups' 20 a minute */
	size_t head;
	struct chat_q *q;		/* its waiting replies, or NULL */
};

struct pace_table {
	struct chat_pace *v;		/* cap slots, used or not */
	size_t cap, n;
};

/* The record of chat, or NULL; with create, one is made if there is none
 * (which may move every record: pointers from before are stale). */
struct chat_pace *pace_find(struct pace_table *t, int64_t chat, int create, double now);
/* The earliest a message to p's chat may go, not before t: its 429 pause
 * and, with pacing, the gap after its last send and a group's 20 a minute. */
double pace_allowed_at(const struct chat_pace *p, int is_group, int pacing, double t);
/* A message to p's chat went at now. */
void pace_sent(struct chat_pace *p, double now);
void pace_table_free(struct pace_table *t);

#endif
