/* context — see context.h. Memories live in an open-addressing hash table
 * (linear probing, twice as many slots as the capacity) keyed by chat and
 * user: a lookup touches a few slots, not all ten thousand. An expired
 * memory stays in its slot as a tombstone until a put reuses it; only when
 * the capacity is reached does a put scan for the memory closest to expiry.
 * The language and de-duplication tables are small and scanned. */
#include "context.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct lang_pref {
	int64_t user;
	char lang[4];
	unsigned long stamp;	/* for evicting the least recently set */
};

struct answered {
	int64_t chat, message_id;
	double at;
	char key[64];
};

#define LANG_CAP 4096
#define ANSWERED_CAP 512

struct context {
	struct memory *mem;	/* slots; expires == 0 and chat == 0 and user == 0: never used */
	size_t cap, slots, live;
	double ttl;
	struct lang_pref langs[LANG_CAP];
	unsigned long lang_stamp;
	size_t nlangs;		/* choices set; 0 skips the scan on every message */
	struct answered answered[ANSWERED_CAP];
	size_t answered_next;
};

struct context *context_new(size_t capacity, double ttl)
{
	struct context *c = xcalloc(1, sizeof *c);
	c->cap = capacity ? capacity : 1;
	c->slots = 16;
	while (c->slots < 2 * c->cap)
		c->slots *= 2;
	c->mem = xcalloc(c->slots, sizeof *c->mem);
	c->ttl = ttl;
	return c;
}

void context_free(struct context *c)
{
	if (!c)
		return;
	free(c->mem);
	free(c);
}

static size_t slot_of(const struct context *c, int64_t chat, int64_t user)
{
	uint64_t h = (uint64_t)chat * 0x9E3779B97F4A7C15ULL ^ (uint64_t)user * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 29;
	return (size_t)(h & (c->slots - 1));
}

static int never_used(const struct memory *m)
{
	return !m->expires && !m->chat && !m->user && !m->pending;
}

/* The slot holding chat+user (live or expired), or NULL. */
static struct memory *find(struct context *c, int64_t chat, int64_t user)
{
	for (size_t i = slot_of(c, chat, user), n = 0; n < c->slots; i = (i + 1) & (c->slots - 1), n++) {
		struct memory *m = &c->mem[i];
		if (never_used(m))
			return NULL;
		if (m->expires && m->chat == chat && m->user == user)
			return m;
	}
	return NULL;
}

const struct memory *context_get(struct context *c, int64_t chat, int64_t user, double now)
{
	struct memory *m = find(c, chat, user);
	return m && m->expires > now ? m : NULL;
}

/* Makes room when the capacity is reached: the memory closest to expiry
 * (or any expired one) is dropped. */
static void evict_one(struct context *c, double now)
{
	struct memory *victim = NULL;
	for (size_t i = 0; i < c->slots; i++) {
		struct memory *m = &c->mem[i];
		if (m->expires <= 0)
			continue;	/* free or a tombstone */
		if (m->expires <= now) {
			victim = m;
			break;
		}
		if (!victim || m->expires < victim->expires)
			victim = m;
	}
	if (victim) {
		victim->expires = -1;	/* a tombstone: probing goes on past it */
		c->live--;
	}
}

struct memory *context_put(struct context *c, int64_t chat, int64_t user, double now)
{
	struct memory *m = find(c, chat, user);
	if (m && m->expires > now) {
		m->expires = now + c->ttl;
		return m;
	}
	if (m) {		/* its own expired memory: start afresh in place */
		memset(m, 0, sizeof *m);
	} else {
		if (c->live >= c->cap)
			evict_one(c, now);
		/* the first reusable slot on the probe path: tombstone, expired or free */
		for (size_t i = slot_of(c, chat, user), n = 0; n < c->slots;
		     i = (i + 1) & (c->slots - 1), n++) {
			struct memory *s = &c->mem[i];
			if (never_used(s) || s->expires <= now) {
				if (s->expires > 0 && s->expires <= now)
					c->live--;	/* an expired memory, replaced */
				m = s;
				break;
			}
		}
		memset(m, 0, sizeof *m);
		c->live++;
	}
	m->chat = chat;
	m->user = user;
	m->expires = now + c->ttl;
	return m;
}

void context_forget(struct context *c, int64_t chat, int64_t user)
{
	struct memory *m = find(c, chat, user);
	if (m && m->expires > 0) {
		memset(m, 0, sizeof *m);
		m->expires = -1;	/* tombstone */
		c->live--;
	}
}

void context_migrate(struct context *c, int64_t from, int64_t to)
{
	/* rare: re-insert every memory of the old chat under the new id */
	for (size_t i = 0; i < c->slots; i++) {
		struct memory *m = &c->mem[i];
		if (m->expires > 0 && m->chat == from) {
			struct memory copy = *m;
			memset(m, 0, sizeof *m);
			m->expires = -1;
			c->live--;
			struct memory *n = context_put(c, to, copy.user, copy.expires - c->ttl);
			*n = copy;
			n->chat = to;
		}
	}
	for (size_t i = 0; i < ANSWERED_CAP; i++)
		if (c->answered[i].chat == from)
			c->answered[i].chat = to;
}

size_t context_size(struct context *c, double now)
{
	size_t n = 0;
	for (size_t i = 0; i < c->slots; i++)
		n += c->mem[i].expires > now;
	return n;
}

void context_set_lang(struct context *c, int64_t user, const char *lang)
{
	struct lang_pref *slot = NULL, *empty = NULL, *oldest = &c->langs[0];
	for (size_t i = 0; i < LANG_CAP && !slot; i++) {
		struct lang_pref *p = &c->langs[i];
		if (p->stamp && p->user == user)
			slot = p;
		else if (!p->stamp && !empty)
			empty = p;
		else if (p->stamp && p->stamp < oldest->stamp)
			oldest = p;
	}
	slot = slot ? slot : empty ? empty : oldest;
	if (!lang) {
		if (slot->stamp && slot->user == user)
			c->nlangs--;
		memset(slot, 0, sizeof *slot);
		return;
	}
	if (!slot->stamp)
		c->nlangs++;
	slot->user = user;
	snprintf(slot->lang, sizeof slot->lang, "%s", lang);
	slot->stamp = ++c->lang_stamp;
}

const char *context_lang(struct context *c, int64_t user)
{
	for (size_t i = 0; c->nlangs && i < LANG_CAP; i++)
		if (c->langs[i].stamp && c->langs[i].user == user)
			return c->langs[i].lang;
	return NULL;
}

int64_t context_recent_answer(struct context *c, int64_t chat, const char *key, double now,
			      double window)
{
	for (size_t i = 0; i < ANSWERED_CAP; i++) {
		const struct answered *a = &c->answered[i];
		if (a->message_id && a->chat == chat && now - a->at < window && !strcmp(a->key, key))
			return a->message_id;
	}
	return 0;
}

void context_note_answer(struct context *c, int64_t chat, const char *key, int64_t message_id,
			 double now)
{
	struct answered *a = &c->answered[c->answered_next];
	c->answered_next = (c->answered_next + 1) % ANSWERED_CAP;
	a->chat = chat;
	a->message_id = message_id;
	a->at = now;
	snprintf(a->key, sizeof a->key, "%s", key);
}
