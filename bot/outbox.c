/* outbox — see outbox.h. */
#include "outbox.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define PER_CHAT_GAP 1.05	/* seconds between two messages to one chat (1/s + margin) */
#define GROUP_WINDOW 60.0
#define GROUP_MAX 20
#define GLOBAL_WINDOW 1.0
#define GLOBAL_MAX 30
#define CHAT_SLOTS 1024

struct chat_pace {
	int64_t chat;
	int used;
	size_t sends;			/* how many of recent[] are filled */
	double last, paused_until;
	double recent[GROUP_MAX];	/* send times, a ring: groups' 20 a minute */
	size_t head;
};

struct outbox {
	struct outbox_item *items;
	size_t n, cap;
	struct chat_pace chats[CHAT_SLOTS];
	double global[GLOBAL_MAX];	/* ring of the last sends */
	size_t ghead, gsends;
	double paused_until;
	int limits;
};

struct outbox *outbox_new(int limits)
{
	struct outbox *ob = xcalloc(1, sizeof(struct outbox));
	ob->limits = limits;
	return ob;
}

void outbox_free(struct outbox *ob)
{
	if (!ob)
		return;
	for (size_t i = 0; i < ob->n; i++)
		free(ob->items[i].r.text);
	free(ob->items);
	free(ob);
}

void outbox_push(struct outbox *ob, int64_t update_id, const struct reply *r, double received)
{
	if (ob->n == ob->cap) {
		ob->cap = ob->cap ? ob->cap * 2 : 16;
		ob->items = xrealloc(ob->items, ob->cap * sizeof *ob->items);
	}
	struct outbox_item *it = &ob->items[ob->n++];
	memset(it, 0, sizeof *it);
	it->r = *r;
	it->update_id = update_id;
	it->received = received;
}

static int slot_used(const struct chat_pace *p)
{
	return p->used;
}

/* The pacing record of chat; with create, a free slot is taken, else the
 * one written to longest ago (after a minute nothing is left to limit). */
static struct chat_pace *pace(struct outbox *ob, int64_t chat, int create, double now)
{
	struct chat_pace *free_slot = NULL, *oldest = NULL;
	(void)now;
	for (size_t i = 0; i < CHAT_SLOTS; i++) {
		struct chat_pace *p = &ob->chats[i];
		if (slot_used(p) && p->chat == chat)
			return p;
		if (!slot_used(p) && !free_slot)
			free_slot = p;
		else if (slot_used(p) && (!oldest || p->last < oldest->last))
			oldest = p;
	}
	if (!create)
		return NULL;
	struct chat_pace *p = free_slot ? free_slot : oldest;
	memset(p, 0, sizeof *p);
	p->chat = chat;
	p->used = 1;
	return p;
}

/* When may a message to chat go, at the earliest? */
static double allowed_at(struct outbox *ob, int64_t chat, double now)
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
	if (chat < 0 && p->sends >= GROUP_MAX && twenty_ago + GROUP_WINDOW > t)
		t = twenty_ago + GROUP_WINDOW;
	return t;
}

struct outbox_item *outbox_ready(struct outbox *ob, double now, double *wait)
{
	double soonest = -1;
	for (size_t i = 0; i < ob->n; i++) {
		struct outbox_item *it = &ob->items[i];
		int earlier_same_chat = 0;	/* one chat's replies leave in order */
		for (size_t j = 0; j < i && !earlier_same_chat; j++)
			earlier_same_chat = ob->items[j].r.chat_id == it->r.chat_id;
		if (earlier_same_chat)
			continue;
		double t = allowed_at(ob, it->r.chat_id, now);
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
	size_t i = (size_t)(it - ob->items);
	memmove(&ob->items[i], &ob->items[i + 1], (ob->n - i - 1) * sizeof *ob->items);
	ob->n--;
}

void outbox_sent(struct outbox *ob, struct outbox_item *it, double now)
{
	struct chat_pace *p = pace(ob, it->r.chat_id, 1, now);
	p->last = now;
	p->recent[p->head] = now;
	p->head = (p->head + 1) % GROUP_MAX;
	p->sends++;
	ob->global[ob->ghead] = now;
	ob->ghead = (ob->ghead + 1) % GLOBAL_MAX;
	ob->gsends++;
	free(it->r.text);
	remove_item(ob, it);
}

void outbox_drop(struct outbox *ob, struct outbox_item *it)
{
	free(it->r.text);
	remove_item(ob, it);
}

void outbox_retry(struct outbox *ob, struct outbox_item *it, double when)
{
	(void)ob;
	it->attempts++;
	it->not_before = when;
}

void outbox_pause_chat(struct outbox *ob, int64_t chat, double until)
{
	struct chat_pace *p = pace(ob, chat, 1, until);
	if (until > p->paused_until)
		p->paused_until = until;
}

void outbox_pause_all(struct outbox *ob, double until)
{
	if (until > ob->paused_until)
		ob->paused_until = until;
}

size_t outbox_len(const struct outbox *ob)
{
	return ob->n;
}

size_t outbox_pending_for(const struct outbox *ob, int64_t update_id)
{
	size_t k = 0;
	for (size_t i = 0; i < ob->n; i++)
		k += ob->items[i].update_id == update_id;
	return k;
}

int64_t outbox_floor(const struct outbox *ob)
{
	int64_t f = INT64_MAX;
	for (size_t i = 0; i < ob->n; i++)
		if (ob->items[i].update_id < f)
			f = ob->items[i].update_id;
	return f;
}
