/* outbox — see outbox.h. */
#include "outbox.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PER_CHAT_GAP 1.05	/* seconds between two messages to one chat (1/s + margin) */
#define GROUP_WINDOW 60.0
#define GROUP_MAX 20
#define GLOBAL_WINDOW 1.0
#define GLOBAL_MAX 30
#define PACE_MIN_SLOTS 64
#define RETRY_MAX 60.0		/* seconds: the longest wait before a retry */
#define GLOBAL_429_WINDOW 1.0	/* 429s for two chats this close: a global limit */

/* A chat's recent sends; kept while they still limit it, then pruned. */
struct chat_pace {
	int64_t chat;
	int used;
	size_t sends;			/* how many of recent[] are filled */
	double last, paused_until;
	double recent[GROUP_MAX];	/* send times, a ring: groups' 20 a minute */
	size_t head;
};

/* Open addressing by chat id, at most half full, so that finding a chat
 * costs one or two probes however many chats were answered lately. */
struct pace_table {
	struct chat_pace *v;
	size_t cap, n;
};

struct outbox {
	struct outbox_item **items;	/* in arrival order; each owned here */
	size_t n, cap;
	struct pace_table chats;
	double global[GLOBAL_MAX];	/* ring of the last sends */
	size_t ghead, gsends;
	double paused_until;
	double last_429;		/* when a chat was last rate limited */
	int64_t last_429_chat;
	int limits;
};

struct outbox *outbox_new(int limits)
{
	struct outbox *ob = xcalloc(1, sizeof(struct outbox));
	ob->limits = limits;
	ob->last_429 = -1e9;	/* no 429 yet */
	return ob;
}

void outbox_free(struct outbox *ob)
{
	if (!ob)
		return;
	for (size_t i = 0; i < ob->n; i++) {
		free(ob->items[i]->r.text);
		free(ob->items[i]);
	}
	free(ob->items);
	free(ob->chats.v);
	free(ob);
}

void outbox_push(struct outbox *ob, int64_t update_id, struct reply *r, double received)
{
	if (ob->n == ob->cap) {
		ob->cap = ob->cap ? ob->cap * 2 : 16;
		ob->items = xrealloc(ob->items, ob->cap * sizeof *ob->items);
	}
	struct outbox_item *it = xcalloc(1, sizeof *it);
	it->r = *r;
	r->text = NULL;	/* the outbox owns it now */
	it->update_id = update_id;
	it->received = received;
	ob->items[ob->n++] = it;
}

static size_t chat_hash(int64_t chat, size_t cap)
{
	uint64_t h = (uint64_t)chat * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 32) & (cap - 1);
}

static struct chat_pace *slot_for(struct pace_table *t, int64_t chat)
{
	size_t i = chat_hash(chat, t->cap);
	while (t->v[i].used && t->v[i].chat != chat)
		i = (i + 1) & (t->cap - 1);
	return &t->v[i];
}

/* Does this record still hold anything back? */
static int pace_live(const struct chat_pace *p, double now)
{
	return p->paused_until > now || now - p->last < GROUP_WINDOW + 1;
}

/* Rebuilds the table without the records that no longer limit anything,
 * doubling it when what is left would still fill it over a quarter. */
static void pace_rebuild(struct pace_table *t, double now)
{
	size_t live = 0;
	for (size_t i = 0; i < t->cap; i++)
		live += t->v[i].used && pace_live(&t->v[i], now);
	struct pace_table nt = {.cap = t->cap ? t->cap : PACE_MIN_SLOTS};
	while ((live + 1) * 4 > nt.cap)
		nt.cap *= 2;
	nt.v = xcalloc(nt.cap, sizeof *nt.v);
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].used && pace_live(&t->v[i], now)) {
			*slot_for(&nt, t->v[i].chat) = t->v[i];
			nt.n++;
		}
	free(t->v);
	*t = nt;
}

/* The pacing record of chat; with create, one is made if there is none. */
static struct chat_pace *pace(struct outbox *ob, int64_t chat, int create, double now)
{
	struct pace_table *t = &ob->chats;
	if (t->cap) {
		struct chat_pace *p = slot_for(t, chat);
		if (p->used || !create)
			return p->used ? p : NULL;
	} else if (!create) {
		return NULL;
	}
	if ((t->n + 1) * 2 > t->cap)
		pace_rebuild(t, now);
	struct chat_pace *p = slot_for(t, chat);
	memset(p, 0, sizeof *p);
	p->chat = chat;
	p->used = 1;
	t->n++;
	return p;
}

/* When may a message to chat go, at the earliest? */
static double allowed_at(struct outbox *ob, int64_t chat, int is_group, double now)
{
	double t = ob->paused_until > now ? ob->paused_until : now;
	if (!ob->limits) {
		struct chat_pace *p = pace(ob, chat, 0, now);
		return p && p->paused_until > t ? p->paused_until : t;
	}
	double oldest_global = ob->global[ob->ghead];	/* 30 sends ago */
	if (ob->gsends >= GLOBAL_MAX && oldest_global + GLOBAL_WINDOW > t)
		t = oldest_global + GLOBAL_WINDOW;
	struct chat_pace *p = pace(ob, chat, 0, now);
	if (!p)
		return t;
	if (p->paused_until > t)
		t = p->paused_until;
	if (p->sends && p->last + PER_CHAT_GAP > t)
		t = p->last + PER_CHAT_GAP;
	double twenty_ago = p->recent[p->head];
	if (is_group && p->sends >= GROUP_MAX && twenty_ago + GROUP_WINDOW > t)
		t = twenty_ago + GROUP_WINDOW;
	return t;
}

struct outbox_item *outbox_ready(struct outbox *ob, double now, double *wait)
{
	double soonest = -1;
	for (size_t i = 0; i < ob->n; i++) {
		struct outbox_item *it = ob->items[i];
		int earlier_same_chat = 0;	/* one chat's replies leave in order */
		for (size_t j = 0; j < i && !earlier_same_chat; j++)
			earlier_same_chat = ob->items[j]->r.chat_id == it->r.chat_id;
		if (earlier_same_chat)
			continue;
		double t = allowed_at(ob, it->r.chat_id, it->r.is_group, now);
		if (it->not_before > t)
			t = it->not_before;
		if (t <= now) {
			*wait = 0;
			return it;
		}
		if (soonest < 0 || t - now < soonest)
			soonest = t - now;
	}
	*wait = soonest;
	return NULL;
}

static void remove_item(struct outbox *ob, struct outbox_item *it)
{
	size_t i = 0;
	while (i < ob->n && ob->items[i] != it)
		i++;
	if (i == ob->n)
		return;
	free(it->r.text);
	free(it);
	memmove(&ob->items[i], &ob->items[i + 1], (ob->n - i - 1) * sizeof *ob->items);
	ob->n--;
}

void outbox_sent(struct outbox *ob, struct outbox_item *it, double now)
{
	/* without limits only a 429 pause needs a record: none is made here,
	 * so a benchmark's 10 000 chats do not fill memory */
	struct chat_pace *p = pace(ob, it->r.chat_id, ob->limits, now);
	if (p) {
		p->last = now;
		p->recent[p->head] = now;
		p->head = (p->head + 1) % GROUP_MAX;
		p->sends++;
	}
	ob->global[ob->ghead] = now;
	ob->ghead = (ob->ghead + 1) % GLOBAL_MAX;
	ob->gsends++;
	remove_item(ob, it);
}

void outbox_drop(struct outbox *ob, struct outbox_item *it)
{
	remove_item(ob, it);
}

void outbox_retry(struct outbox *ob, struct outbox_item *it, double when)
{
	(void)ob;
	it->attempts++;
	it->not_before = when;
}

void outbox_pause_chat(struct outbox *ob, int64_t chat, double now, double until)
{
	struct chat_pace *p = pace(ob, chat, 1, now);
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
	switch (status) {
	case SEND_OK:
		outbox_sent(ob, it, now);
		return 1;
	case SEND_RATE_LIMITED:
		log_warn("rate_limited", KV("chat", it->r.chat_id), KV("retry_after", retry_after));
		outbox_pause_chat(ob, it->r.chat_id, now, now + retry_after);
		if (now - ob->last_429 < GLOBAL_429_WINDOW && ob->last_429_chat != it->r.chat_id)
			outbox_pause_all(ob, now + retry_after);
		ob->last_429 = now;
		ob->last_429_chat = it->r.chat_id;
		return 0;
	case SEND_DROPPED:
		outbox_drop(ob, it);
		return 1;
	case SEND_FAILED:
		if (it->attempts + 1 >= OUTBOX_MAX_ATTEMPTS) {
			log_error("reply_lost", KV("update", it->update_id), KV("chat", it->r.chat_id),
				  KV("attempts", it->attempts + 1));
			outbox_drop(ob, it);
			return 1;
		}
		outbox_retry(ob, it, now + fmin(RETRY_MAX, pow(2, it->attempts)));
		return 0;
	}
	return 0;
}

size_t outbox_len(const struct outbox *ob)
{
	return ob->n;
}

size_t outbox_pending_for(const struct outbox *ob, int64_t update_id)
{
	size_t k = 0;
	for (size_t i = 0; i < ob->n; i++)
		k += ob->items[i]->update_id == update_id;
	return k;
}

int64_t outbox_floor(const struct outbox *ob)
{
	int64_t f = INT64_MAX;
	for (size_t i = 0; i < ob->n; i++)
		if (ob->items[i]->update_id < f)
			f = ob->items[i]->update_id;
	return f;
}
