/* context — see context.h. Memories live in one array, handed out in order
 * (a freed one is reused first), and an open-addressing index (linear
 * probing, at least three times as many slots as the capacity) maps chat
 * and user to them: a lookup touches a few slots, and only the memories in use take
 * resident pages (the array is allocated zeroed, so the kernel maps its
 * pages on first touch; spreading 300-byte memories over a hash table would
 * touch all of it). A removed memory leaves a tombstone in the index; when
 * tombstones and memories fill half of it, it is rebuilt, so probes stay
 * short however long the bot runs. The memories in use are
 * also on a list ordered by last use (a put moves one to the tail): at
 * capacity the head is dropped, in O(1) — it is the least recently used,
 * and with one ttl for all the closest to expiry (or expired); a scan for
 * it cost every new chat O(capacity) once the bot knew 10 000 chats. The
 * language and de-duplication tables are small and scanned. */
#include "context.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lang_pref {
	int64_t user;
	char lang[16];
	unsigned long stamp;	/* for evicting the least recently set */
};

struct answered {
	int64_t chat, message_id;
	double at;
	char key[CTX_KEY];
};

#define LANG_CAP 4096
#define ANSWERED_CAP 512
#define TOMBSTONE UINT32_MAX

struct context {
	struct memory *mem;	/* cap entries; expires == 0: free */
	size_t cap, handed;	/* entries ever handed out (the touched prefix) */
	uint32_t *freed;	/* entries given back, reused before new ones */
	size_t nfreed;
	uint32_t *index;	/* slots: 0 empty, TOMBSTONE, else entry + 1 */
	uint32_t *prev, *next;	/* the last-use list, by entry: entry + 1, 0 none */
	uint32_t head, tail;	/* least and most recently used: entry + 1, 0 none */
	size_t slots, live, occupied;	/* occupied: live + tombstones */
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
	while (c->slots < 3 * c->cap)	/* rebuilt at half full: room for cap / 2 tombstones */
		c->slots *= 2;
	c->mem = xcalloc(c->cap, sizeof *c->mem);
	c->freed = xcalloc(c->cap, sizeof *c->freed);
	c->index = xcalloc(c->slots, sizeof *c->index);
	c->prev = xcalloc(c->cap, sizeof *c->prev);
	c->next = xcalloc(c->cap, sizeof *c->next);
	c->ttl = ttl;
	return c;
}

void context_free(struct context *c)
{
	if (!c)
		return;
	free(c->mem);
	free(c->freed);
	free(c->index);
	free(c->prev);
	free(c->next);
	free(c);
}

static size_t slot_of(const struct context *c, int64_t chat, int64_t user)
{
	uint64_t h = (uint64_t)chat * 0x9E3779B97F4A7C15ULL ^ (uint64_t)user * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 29;
	return (size_t)(h & (c->slots - 1));
}

/* The index slot of chat+user's memory (live or expired), or SIZE_MAX. */
static size_t find_slot(const struct context *c, int64_t chat, int64_t user)
{
	for (size_t i = slot_of(c, chat, user), n = 0; n < c->slots; i = (i + 1) & (c->slots - 1), n++) {
		uint32_t e = c->index[i];
		if (e == 0)
			return SIZE_MAX;
		if (e != TOMBSTONE && c->mem[e - 1].chat == chat && c->mem[e - 1].user == user)
			return i;
	}
	return SIZE_MAX;
}

static struct memory *find(struct context *c, int64_t chat, int64_t user)
{
	size_t i = find_slot(c, chat, user);
	return i == SIZE_MAX ? NULL : &c->mem[c->index[i] - 1];
}

const struct memory *context_get(struct context *c, int64_t chat, int64_t user, double now)
{
	struct memory *m = find(c, chat, user);
	return m && m->expires > now ? m : NULL;
}

static void unlink_entry(struct context *c, uint32_t e)
{
	uint32_t p = c->prev[e], n = c->next[e];
	if (p)
		c->next[p - 1] = n;
	else if (c->head == e + 1)
		c->head = n;
	else
		return;	/* not on the list */
	if (n)
		c->prev[n - 1] = p;
	else
		c->tail = p;
	c->prev[e] = c->next[e] = 0;
}

/* e becomes the most recently used. */
static void touch(struct context *c, uint32_t e)
{
	if (c->tail == e + 1)
		return;
	unlink_entry(c, e);
	c->prev[e] = c->tail;
	if (c->tail)
		c->next[c->tail - 1] = e + 1;
	else
		c->head = e + 1;
	c->tail = e + 1;
}

static void remove_slot(struct context *c, size_t slot)
{
	uint32_t e = c->index[slot];
	unlink_entry(c, e - 1);
	memset(&c->mem[e - 1], 0, sizeof c->mem[e - 1]);
	c->freed[c->nfreed++] = e - 1;
	c->index[slot] = TOMBSTONE;
	c->live--;
}

static void insert(struct context *c, uint32_t entry)
{
	const struct memory *m = &c->mem[entry];
	size_t i = slot_of(c, m->chat, m->user);
	while (c->index[i] != 0 && c->index[i] != TOMBSTONE)
		i = (i + 1) & (c->slots - 1);
	c->occupied += c->index[i] == 0;
	c->index[i] = entry + 1;
	c->live++;
}

/* Drops the tombstones (and memories that expired) from the index. */
static void rebuild(struct context *c, double now)
{
	memset(c->index, 0, c->slots * sizeof *c->index);
	c->live = c->occupied = 0;
	c->nfreed = 0;
	for (size_t e = 0; e < c->handed; e++) {
		if (c->mem[e].expires > now)
			insert(c, (uint32_t)e);
		else {
			unlink_entry(c, (uint32_t)e);
			memset(&c->mem[e], 0, sizeof c->mem[e]);
			c->freed[c->nfreed++] = (uint32_t)e;
		}
	}
}

/* Makes room when the capacity is reached: the least recently used
 * memory goes (the list's head; expired, or the closest to expiry). */
static void evict_one(struct context *c)
{
	if (c->head)
		remove_slot(c, find_slot(c, c->mem[c->head - 1].chat, c->mem[c->head - 1].user));
}

struct memory *context_put(struct context *c, int64_t chat, int64_t user, double now)
{
	struct memory *m = find(c, chat, user);
	if (m && m->expires > now) {
		m->expires = now + c->ttl;
		touch(c, (uint32_t)(m - c->mem));
		return m;
	}
	if (m) {		/* its own expired memory: start afresh in place */
		memset(m, 0, sizeof *m);
	} else {
		if (c->live >= c->cap)
			evict_one(c);
		if ((c->occupied + 1) * 2 > c->slots)
			rebuild(c, now);
		uint32_t e = c->nfreed ? c->freed[--c->nfreed] : (uint32_t)c->handed++;
		m = &c->mem[e];
		memset(m, 0, sizeof *m);
		m->chat = chat;
		m->user = user;
		insert(c, e);
	}
	touch(c, (uint32_t)(m - c->mem));
	m->chat = chat;
	m->user = user;
	m->expires = now + c->ttl;
	return m;
}

void context_forget(struct context *c, int64_t chat, int64_t user)
{
	size_t i = find_slot(c, chat, user);
	if (i != SIZE_MAX)
		remove_slot(c, i);
}

void context_forget_chat(struct context *c, int64_t chat)
{
	/* rare (the bot left a group): every memory of the chat goes */
	for (size_t e = 0; e < c->handed; e++)
		if (c->mem[e].expires > 0 && c->mem[e].chat == chat)
			context_forget(c, chat, c->mem[e].user);
	for (size_t i = 0; i < ANSWERED_CAP; i++)
		if (c->answered[i].chat == chat)
			memset(&c->answered[i], 0, sizeof c->answered[i]);
}

void context_migrate(struct context *c, int64_t from, int64_t to)
{
	/* rare: re-insert every memory of the old chat under the new id */
	for (size_t e = 0; e < c->handed; e++) {
		struct memory *m = &c->mem[e];
		if (m->expires > 0 && m->chat == from) {
			struct memory copy = *m;
			remove_slot(c, find_slot(c, from, copy.user));
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
	for (size_t e = 0; e < c->handed; e++)
		n += c->mem[e].expires > now;
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

void context_each_lang(struct context *c, void (*fn)(void *arg, int64_t user, const char *lang),
		       void *arg)
{
	for (size_t i = 0; c->nlangs && i < LANG_CAP; i++)
		if (c->langs[i].stamp)
			fn(arg, c->langs[i].user, c->langs[i].lang);
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

/* The ids lines name, each kept once for the life of the process (a
 * knowledge base's carriers and plans: a reload may add some, never many),
 * so that a line is two bytes and a reload cannot leave it dangling. Index
 * 0 is "no id"; when the table is full a new id is not noted. */
#define LINE_IDS 255
static char line_ids[LINE_IDS + 1][CTX_ID];
static size_t nline_ids;
static pthread_mutex_t line_ids_lock = PTHREAD_MUTEX_INITIALIZER;

static uint8_t line_id(const char *id)
{
	char cut[CTX_ID];
	snprintf(cut, sizeof cut, "%s", id);	/* as long as a CTX_ID field holds */
	uint8_t found = 0;
	pthread_mutex_lock(&line_ids_lock);
	for (size_t i = 1; i <= nline_ids && !found; i++)
		if (!strcmp(line_ids[i], cut))
			found = (uint8_t)i;
	if (!found && nline_ids < LINE_IDS) {
		memcpy(line_ids[++nline_ids], cut, sizeof cut);
		found = (uint8_t)nline_ids;
	}
	pthread_mutex_unlock(&line_ids_lock);
	return found;
}

/* carrier's slot in m->lines, made (with nothing said of it) when new; the
 * oldest goes when full. NULL for no carrier. */
static struct line_note *line_slot(struct memory *m, const char *carrier)
{
	uint8_t c = carrier[0] ? line_id(carrier) : 0;
	if (!c)
		return NULL;	/* as an empty id always was: no line */
	size_t i = 0;
	while (i < CTX_LINES && m->lines[i].carrier && m->lines[i].carrier != c)
		i++;
	if (i == CTX_LINES) {	/* full: the oldest goes */
		memmove(&m->lines[0], &m->lines[1], sizeof m->lines - sizeof m->lines[0]);
		i = CTX_LINES - 1;
		memset(&m->lines[i], 0, sizeof m->lines[i]);
	}
	if (m->lines[i].carrier != c)
		memset(&m->lines[i], 0, sizeof m->lines[i]);
	m->lines[i].carrier = c;
	return &m->lines[i];
}

void context_note_plan(struct memory *m, const char *carrier, const char *plan)
{
	uint8_t p = line_id(plan);
	struct line_note *l = p ? line_slot(m, carrier) : NULL;
	if (l)
		l->plan = p;
}

void context_note_owner(struct memory *m, const char *carrier, int owner)
{
	struct line_note *l = owner > 0 && owner < 3 ? line_slot(m, carrier) : NULL;
	if (l)
		l->owner = (uint8_t)owner;
}

const char *context_plan_of(const struct memory *m, const char *carrier)
{
	for (size_t i = 0; m && carrier && i < CTX_LINES && m->lines[i].carrier; i++)
		if (!strcmp(line_ids[m->lines[i].carrier], carrier))
			return m->lines[i].plan ? line_ids[m->lines[i].plan] : NULL;
	return NULL;
}

const char *context_line_of(const struct memory *m, int owner)
{
	const char *found = NULL, *anyone = NULL;	/* the last of each */
	for (size_t i = 0; m && i < CTX_LINES && m->lines[i].carrier; i++)
		if (m->lines[i].owner == owner)
			found = line_ids[m->lines[i].carrier];
		else if (!m->lines[i].owner)
			anyone = line_ids[m->lines[i].carrier];
	return found ? found : anyone;
}

void context_note_line(struct memory *m, const char *carrier)
{
	line_slot(m, carrier);
}
