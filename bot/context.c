/* context — see context.h. Small open tables searched linearly: with the
 * capacities used (thousands) a scan costs a few microseconds, far below a
 * network round trip, and needs no rehashing or tombstones. */
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
	struct memory *mem;
	size_t cap;
	double ttl;
	struct lang_pref langs[LANG_CAP];
	unsigned long lang_stamp;
	struct answered answered[ANSWERED_CAP];
	size_t answered_next;
};

struct context *context_new(size_t capacity, double ttl)
{
	struct context *c = xcalloc(1, sizeof *c);
	c->cap = capacity ? capacity : 1;
	c->mem = xcalloc(c->cap, sizeof *c->mem);
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

static struct memory *find(struct context *c, int64_t chat, int64_t user)
{
	for (size_t i = 0; i < c->cap; i++)
		if (c->mem[i].expires && c->mem[i].chat == chat && c->mem[i].user == user)
			return &c->mem[i];
	return NULL;
}

const struct memory *context_get(struct context *c, int64_t chat, int64_t user, double now)
{
	struct memory *m = find(c, chat, user);
	if (m && m->expires <= now) {
		memset(m, 0, sizeof *m);
		return NULL;
	}
	return m;
}

struct memory *context_put(struct context *c, int64_t chat, int64_t user, double now)
{
	struct memory *m = find(c, chat, user), *oldest = NULL;
	for (size_t i = 0; !m && i < c->cap; i++) {
		struct memory *s = &c->mem[i];
		if (!s->expires || s->expires <= now) {
			m = s;
			memset(m, 0, sizeof *m);
		} else if (!oldest || s->expires < oldest->expires) {
			oldest = s;
		}
	}
	if (!m) {	/* full of live memories: the one closest to expiry goes */
		m = oldest;
		memset(m, 0, sizeof *m);
	}
	m->chat = chat;
	m->user = user;
	m->expires = now + c->ttl;
	return m;
}

void context_forget(struct context *c, int64_t chat, int64_t user)
{
	struct memory *m = find(c, chat, user);
	if (m)
		memset(m, 0, sizeof *m);
}

void context_migrate(struct context *c, int64_t from, int64_t to)
{
	for (size_t i = 0; i < c->cap; i++)
		if (c->mem[i].expires && c->mem[i].chat == from)
			c->mem[i].chat = to;
	for (size_t i = 0; i < ANSWERED_CAP; i++)
		if (c->answered[i].chat == from)
			c->answered[i].chat = to;
}

size_t context_size(struct context *c, double now)
{
	size_t n = 0;
	for (size_t i = 0; i < c->cap; i++)
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
		memset(slot, 0, sizeof *slot);
		return;
	}
	slot->user = user;
	snprintf(slot->lang, sizeof slot->lang, "%s", lang);
	slot->stamp = ++c->lang_stamp;
}

const char *context_lang(struct context *c, int64_t user)
{
	for (size_t i = 0; i < LANG_CAP; i++)
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
