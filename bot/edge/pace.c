/* pace — see pace.h. */
#include "pace.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define PER_CHAT_GAP 1.05	/* seconds between two messages to one chat (1/s + margin) */
#define GROUP_WINDOW 60.0
#define PACE_MIN_SLOTS 64

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

/* Does this record still hold anything back, or anything at all? */
static int pace_live(const struct chat_pace *p, double now)
{
	return p->q || p->paused_until > now || (p->sends && now - p->last < GROUP_WINDOW + 1);
}

/* Rebuilds the table without the records that no longer matter, doubling
 * it when what is left would still fill it over a quarter. */
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

struct chat_pace *pace_find(struct pace_table *t, int64_t chat, int create, double now)
{
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

double pace_allowed_at(const struct chat_pace *p, int is_group, int pacing, double t)
{
	if (p->paused_until > t)
		t = p->paused_until;
	if (!pacing)
		return t;
	if (p->sends && p->last + PER_CHAT_GAP > t)
		t = p->last + PER_CHAT_GAP;
	double twenty_ago = p->recent[p->head];
	if (is_group && p->sends >= PACE_GROUP_MAX && twenty_ago + GROUP_WINDOW > t)
		t = twenty_ago + GROUP_WINDOW;
	return t;
}

void pace_sent(struct chat_pace *p, double now)
{
	p->last = now;
	p->recent[p->head] = now;
	p->head = (p->head + 1) % PACE_GROUP_MAX;
	p->sends++;
}

void pace_table_free(struct pace_table *t)
{
	free(t->v);
	t->v = NULL;
	t->cap = t->n = 0;
}
