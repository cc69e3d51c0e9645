/* outbox — see outbox.h. */
#include "outbox.h"
#include "log.h"
#include "pace.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define GLOBAL_WINDOW 1.0
#define GLOBAL_MAX 30
#define RETRY_MAX 60.0		/* seconds: the longest wait before a retry */
#define GLOBAL_429_WINDOW 1.0	/* 429s for two chats this close: a global limit */

/* A chat's waiting replies, in order; on the round-robin ring while it has any. */
struct chat_q {
	struct outbox_item *head, *tail;
	size_t n;
	struct chat_q *prev, *next;
};

struct outbox {
	struct outbox_limits lim;
	struct outbox_store store;	/* .add NULL: no store */
	struct pace_table chats;
	struct chat_q *ring;		/* the next chat to serve; NULL: none waits */
	size_t n, nchats;
	/* how many chats hold k replies (sizes[k], k >= 1) and the largest k
	 * held: whether a chat is over its share is then known without a scan
	 * of the ring, which a full intake asked at every update (a backlog of
	 * thousands of chats) */
	size_t *sizes, nsizes, top;
	double global[GLOBAL_MAX];	/* ring of the last sends */
	size_t ghead, gsends;
	double paused_until;
	uint64_t hold_above;		/* outbox_hold_above */
	double last_429;		/* when a chat was last rate limited */
	int64_t last_429_chat;
	struct outbox_counts counts;
};

struct outbox *outbox_new(const struct outbox_limits *lim)
{
	struct outbox *ob = xcalloc(1, sizeof(struct outbox));
	ob->lim = *lim;
	ob->last_429 = -1e9;	/* no 429 yet */
	ob->hold_above = UINT64_MAX;
	return ob;
}

void outbox_set_store(struct outbox *ob, const struct outbox_store *store)
{
	ob->store = *store;
}

static void free_item(struct outbox_item *it)
{
	free(it->r.text);
	free(it);
}

void outbox_free(struct outbox *ob)
{
	if (!ob)
		return;
	for (size_t i = 0; i < ob->chats.cap; i++) {
		struct chat_q *q = ob->chats.v[i].used ? ob->chats.v[i].q : NULL;
		if (!q)
			continue;
		for (struct outbox_item *it = q->head, *nx; it; it = nx) {
			nx = it->next;
			free_item(it);
		}
		free(q);
	}
	pace_table_free(&ob->chats);
	free(ob->sizes);
	free(ob);
}

/* A chat went from holding `from` replies to `to` (0: none). */
static void resize(struct outbox *ob, size_t from, size_t to)
{
	if (from)
		ob->sizes[from]--;
	if (to) {
		if (to >= ob->nsizes) {
			size_t n = ob->nsizes ? ob->nsizes * 2 : 16;
			while (n <= to)
				n *= 2;
			ob->sizes = xrealloc(ob->sizes, n * sizeof *ob->sizes);
			memset(ob->sizes + ob->nsizes, 0, (n - ob->nsizes) * sizeof *ob->sizes);
			ob->nsizes = n;
		}
		ob->sizes[to]++;
		if (to > ob->top)
			ob->top = to;
	}
	while (ob->top && !ob->sizes[ob->top])
		ob->top--;
}

/* q holds one more reply, or one less: its count, the outbox's, the sizes. */
static void count_in(struct outbox *ob, struct chat_q *q)
{
	q->n++;
	ob->n++;
	resize(ob, q->n - 1, q->n);
}

static void count_out(struct outbox *ob, struct chat_q *q)
{
	q->n--;
	ob->n--;
	resize(ob, q->n + 1, q->n);
}

static void ring_insert(struct outbox *ob, struct chat_q *q)
{
	if (!ob->ring) {
		q->prev = q->next = q;
		ob->ring = q;
		return;
	}
	/* just behind the cursor: a newcomer is served after everyone
	 * already waiting had a turn */
	q->next = ob->ring;
	q->prev = ob->ring->prev;
	q->prev->next = q;
	ob->ring->prev = q;
}

static void unlink_head(struct outbox *ob, struct outbox_item *it, double now);

/* Unlinks the item at the head of its chat's queue and frees it. */
static void remove_head(struct outbox *ob, struct outbox_item *it, double now)
{
	unlink_head(ob, it, now);
	free_item(it);
}

/* Unlinks the item at the head of its chat's queue (it must be there); the
 * chat leaves the ring when nothing is left. */
static void unlink_head(struct outbox *ob, struct outbox_item *it, double now)
{
	struct chat_pace *p = pace_find(&ob->chats, it->r.chat_id, 0, now);
	struct chat_q *q = p ? p->q : NULL;
	if (!q || q->head != it)
		abort();	/* a bug: only a chat's first reply is ever sent */
	q->head = it->next;
	if (!q->head)
		q->tail = NULL;
	count_out(ob, q);
	it->next = NULL;
	if (q->n)
		return;
	if (q->next == q) {
		ob->ring = NULL;
	} else {
		q->prev->next = q->next;
		q->next->prev = q->prev;
		if (ob->ring == q)
			ob->ring = q->next;
	}
	free(q);
	p->q = NULL;
	ob->nchats--;
}

static void store_done(struct outbox *ob, const struct outbox_item *it, int sync)
{
	if (ob->store.done && it->seq && ob->store.done(ob->store.self, it->seq, sync) < 0)
		log_error("outbox_save_failed", KV("update", it->update_id),
			  KV("msg", "the reply may be sent again after a restart"));
}

/* Drops q's oldest reply that is not on its way (the head may be in
 * flight: then the one after it). q holds at least two replies. */
static void drop_oldest(struct outbox *ob, struct chat_q *q, const char *reason,
			unsigned long *count)
{
	struct outbox_item **at = q->head->in_flight ? &q->head->next : &q->head;
	struct outbox_item *old = *at;
	*at = old->next;
	if (q->tail == old)
		q->tail = at == &q->head ? NULL : q->head;
	count_out(ob, q);
	(*count)++;
	log_warn("reply_dropped", KV("reason", reason), KV("chat", old->r.chat_id),
		 KV("update", old->update_id), KV("queued", q->n));
	store_done(ob, old, 0);
	free_item(old);
}

/* The chat holding the most waiting replies (the first in the ring of
 * those holding as many), when it holds more than its share of the intake
 * (total_max split evenly among the waiting chats and one more, so that a
 * chat not yet waiting always has room; at least one reply each); else
 * NULL. The largest size is kept (resize), so the ring is scanned only
 * when some chat is over its share and a reply of it is about to go. */
static struct chat_q *over_share(const struct outbox *ob)
{
	size_t share = ob->lim.total_max / (ob->nchats + 1);
	if (!ob->ring || ob->top <= (share > 1 ? share : 1))
		return NULL;
	struct chat_q *q = ob->ring;
	while (q->n != ob->top)
		q = q->next;
	return q;
}

/* Appends it to its chat's queue. Past chat_max, the chat's oldest reply
 * that is not on its way is dropped (which may be it, when chat_max is 1);
 * past total_max, the oldest of the chat holding the most, when that is
 * more than its share: one flooding chat (chat_max 0 or large) cannot fill
 * the intake and hold the poll back for every other chat. */
static void enqueue(struct outbox *ob, struct outbox_item *it, double now)
{
	struct chat_pace *p = pace_find(&ob->chats, it->r.chat_id, 1, now);
	if (!p->q) {
		p->q = xcalloc(1, sizeof *p->q);
		ring_insert(ob, p->q);
		ob->nchats++;
	}
	struct chat_q *q = p->q;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	count_in(ob, q);
	if (ob->lim.chat_max && q->n > ob->lim.chat_max) {
		drop_oldest(ob, q, "chat_queue_full", &ob->counts.dropped_full);
	} else if (ob->lim.total_max && ob->n > ob->lim.total_max) {
		struct chat_q *big = over_share(ob);
		if (big)
			drop_oldest(ob, big, "intake_full", &ob->counts.dropped_share);
	}
}

int outbox_accepts(const struct outbox *ob)
{
	return !ob->lim.total_max || ob->n < ob->lim.total_max || over_share(ob);
}

static struct outbox_item *new_item(int64_t update_id, struct reply *r, double received,
				    double wall)
{
	_Static_assert(offsetof(struct outbox_item, r) == 0 &&
		       offsetof(struct outbox_item, seq) >= sizeof(struct reply),
		       "the reply comes first, the fields zeroed after it");
	/* the reply is copied whole and the rest zeroed: calloc zeroed the
	 * 4 KB reply too, only to have it overwritten (~4 400 instructions of
	 * calloc per queued reply, callgrind) */
	struct outbox_item *it = xmalloc(sizeof *it);
	memcpy(&it->r, r, sizeof *r);
	memset((char *)it + offsetof(struct outbox_item, seq), 0,
	       sizeof *it - offsetof(struct outbox_item, seq));
	r->text = NULL;	/* the outbox owns it now */
	it->update_id = update_id;
	it->received = it->queued = received;
	it->queued_wall = wall;
	return it;
}

void outbox_push(struct outbox *ob, int64_t update_id, struct reply *r, double received,
		 double wall)
{
	struct outbox_item *it = new_item(update_id, r, received, wall);
	if (ob->store.add)
		ob->store.add(ob->store.self, it);	/* sets it->seq */
	enqueue(ob, it, received);	/* may drop it at once (chat_max 1) */
}

void outbox_restore(struct outbox *ob, uint64_t seq, int64_t update_id, struct reply *r,
		    double queued, double wall)
{
	struct outbox_item *it = new_item(update_id, r, queued, wall);
	it->seq = seq;
	enqueue(ob, it, queued);
}

/* The earliest any message may go, whatever the chat. */
static double global_at(const struct outbox *ob, double now)
{
	double t = ob->paused_until > now ? ob->paused_until : now;
	double oldest = ob->global[ob->ghead];	/* 30 sends ago */
	if (ob->lim.pacing && ob->gsends >= GLOBAL_MAX && oldest + GLOBAL_WINDOW > t)
		t = oldest + GLOBAL_WINDOW;
	return t;
}

/* Drops the chat's replies that are too old to be worth sending. */
static void drop_stale(struct outbox *ob, struct chat_pace *p, double now)
{
	struct outbox_item *it;
	while (p->q && (it = p->q->head) && !it->in_flight && ob->lim.max_age > 0 &&
	       now - it->queued > ob->lim.max_age) {
		ob->counts.dropped_stale++;
		log_error("reply_dropped", KV("reason", "too_old"), KV("chat", it->r.chat_id),
			  KV("update", it->update_id), KV("age_s", now - it->queued),
			  KV("attempts", it->attempts));
		store_done(ob, it, 0);
		remove_head(ob, it, now);	/* may free p->q */
	}
}

struct outbox_item *outbox_ready(struct outbox *ob, double now, double *wait)
{
	double soonest = -1;
	size_t n = ob->nchats;
	double g = global_at(ob, now);
	if (n && g > now) {	/* nothing may go before then, whichever chat */
		*wait = g - now;
		return NULL;
	}
	for (size_t k = 0; k < n && ob->ring; k++) {
		struct chat_q *q = ob->ring;
		ob->ring = q->next;	/* round-robin: the next call starts after it */
		struct outbox_item *it = q->head;
		if (it->in_flight || it->seq > ob->hold_above)
			continue;	/* later ones in its queue are newer still */
		struct chat_pace *p = pace_find(&ob->chats, it->r.chat_id, 0, now);
		drop_stale(ob, p, now);
		if (!p->q)
			continue;	/* everything it had was too old */
		it = p->q->head;
		double t = pace_allowed_at(p, it->r.is_group, ob->lim.pacing,
					   ob->paused_until > now ? ob->paused_until : now);
		if (it->not_before > t)
			t = it->not_before;
		if (t <= now) {
			it->in_flight = 1;
			*wait = 0;
			return it;
		}
		if (soonest < 0 || t - now < soonest)
			soonest = t - now;
	}
	*wait = soonest;
	return NULL;
}

void outbox_sent(struct outbox *ob, struct outbox_item *it, double now)
{
	struct chat_pace *p = pace_find(&ob->chats, it->r.chat_id, 0, now);
	if (ob->lim.pacing)
		pace_sent(p, now);
	ob->global[ob->ghead] = now;
	ob->ghead = (ob->ghead + 1) % GLOBAL_MAX;
	ob->gsends++;
	it->in_flight = 0;
	remove_head(ob, it, now);
}

void outbox_move(struct outbox *ob, struct outbox_item *it, int64_t chat, double now)
{
	unlink_head(ob, it, now);
	it->r.chat_id = chat;
	it->in_flight = 0;
	it->not_before = 0;
	enqueue(ob, it, now);
}

void outbox_retry(struct outbox *ob, struct outbox_item *it, double when)
{
	(void)ob;
	it->in_flight = 0;
	it->not_before = when;
}

void outbox_pause_chat(struct outbox *ob, int64_t chat, double now, double until)
{
	if (until > now + OUTBOX_DELAY_MAX)
		until = now + OUTBOX_DELAY_MAX;
	struct chat_pace *p = pace_find(&ob->chats, chat, 1, now);
	if (until > p->paused_until)
		p->paused_until = until;
}

void outbox_pause_all(struct outbox *ob, double until)
{
	if (until > ob->paused_until)
		ob->paused_until = until;
}

int outbox_result(struct outbox *ob, struct outbox_item *it, enum send_status status,
		  int retry_after, double now)
{
	it->in_flight = 0;
	switch (status) {
	case SEND_OK:
		store_done(ob, it, 1);	/* durable before the next send goes out */
		outbox_sent(ob, it, now);
		return 1;
	case SEND_RATE_LIMITED: {
		double pause = fmin(retry_after, OUTBOX_DELAY_MAX);
		ob->counts.limited++;
		log_warn("rate_limited", KV("chat", it->r.chat_id), KV("retry_after", retry_after));
		outbox_pause_chat(ob, it->r.chat_id, now, now + pause);
		if (now - ob->last_429 < GLOBAL_429_WINDOW && ob->last_429_chat != it->r.chat_id)
			outbox_pause_all(ob, now + fmin(pause, RETRY_MAX));
		ob->last_429 = now;
		ob->last_429_chat = it->r.chat_id;
		return 0;
	}
	case SEND_DROPPED:
		ob->counts.dropped_refused++;
		store_done(ob, it, 1);
		remove_head(ob, it, now);
		return 1;
	case SEND_FAILED:
		/* kept while still useful (outbox_ready drops it when too old),
		 * so an outage of any length short of max_age loses nothing */
		ob->counts.retries++;
		outbox_retry(ob, it, now + fmin(RETRY_MAX, pow(2, it->attempts)));
		it->attempts++;
		return 0;
	}
	return 0;
}

uint64_t outbox_hold_above(struct outbox *ob, uint64_t seq)
{
	uint64_t was = ob->hold_above;
	ob->hold_above = seq;
	return was;
}

size_t outbox_len(const struct outbox *ob)
{
	return ob->n;
}

size_t outbox_chats(const struct outbox *ob)
{
	return ob->nchats;
}

const struct outbox_counts *outbox_counts(const struct outbox *ob)
{
	return &ob->counts;
}

void outbox_each(const struct outbox *ob, void (*fn)(void *user, const struct outbox_item *it),
		 void *user)
{
	struct chat_q *q = ob->ring;
	for (size_t k = 0; k < ob->nchats; k++, q = q->next)
		for (const struct outbox_item *it = q->head; it; it = it->next)
			fn(user, it);
}
