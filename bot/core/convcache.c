/* convcache — see convcache.h. */
#include "convcache.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	uint64_t hash;		/* 0: the slot is free */
	char *config, *text, *converted;
};

static struct entry *table;	/* CONVCACHE_SLOTS, allocated on first put */
static unsigned long used, bytes;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t key(const char *config, const char *text)
{
	uint64_t h = fnv1a(config, strlen(config) + 1, FNV1A_INIT);
	h = fnv1a(text, strlen(text), h);
	return h ? h : 1;
}

/* The slot holding (config, text), or the free slot where it would go. */
static struct entry *find(uint64_t h, const char *config, const char *text)
{
	size_t i = (size_t)h & (CONVCACHE_SLOTS - 1);
	while (table[i].hash && (table[i].hash != h || strcmp(table[i].config, config) ||
				 strcmp(table[i].text, text)))
		i = (i + 1) & (CONVCACHE_SLOTS - 1);
	return &table[i];
}

static void drop_all(void)
{
	for (size_t i = 0; table && i < CONVCACHE_SLOTS; i++) {
		if (!table[i].hash)
			continue;
		free(table[i].config);
		free(table[i].text);
		free(table[i].converted);
		table[i].hash = 0;
	}
	used = bytes = 0;
}

char *convcache_get(const char *config, const char *text)
{
	char *out = NULL;
	uint64_t h = key(config, text);
	pthread_mutex_lock(&lock);
	if (table) {
		struct entry *e = find(h, config, text);
		if (e->hash)
			out = xstrdup(e->converted);
	}
	pthread_mutex_unlock(&lock);
	return out;
}

void convcache_put(const char *config, const char *text, const char *converted)
{
	uint64_t h = key(config, text);
	size_t size = strlen(config) + strlen(text) + strlen(converted) + 3;
	pthread_mutex_lock(&lock);
	if (!table)
		table = xcalloc(CONVCACHE_SLOTS, sizeof *table);
	/* at most half full, so a probe stays short; over budget: start over */
	if ((used + 1) * 2 > CONVCACHE_SLOTS || bytes + size > (unsigned long)CONVCACHE_BYTES)
		drop_all();
	struct entry *e = find(h, config, text);
	if (!e->hash && size <= (unsigned long)CONVCACHE_BYTES) {
		*e = (struct entry){.hash = h, .config = xstrdup(config), .text = xstrdup(text),
				    .converted = xstrdup(converted)};
		used++;
		bytes += size;
	}
	pthread_mutex_unlock(&lock);
}

/* The pieces' table (see convcache.h): open addressing, grown by
 * doubling, never dropped but by convcache_clear. */
struct piece {
	uint64_t hash;		/* 0: free */
	const char *config;	/* a static string of the language table */
	char *key, *value;	/* key: len bytes and a NUL */
	size_t len;
};

static struct piece *pieces;
static size_t pieces_cap;	/* a power of two, or 0 */
static unsigned long npieces, piece_bytes;

static uint64_t piece_key(const char *config, const char *piece, size_t len)
{
	uint64_t h = fnv1a(config, strlen(config) + 1, FNV1A_INIT);
	h = fnv1a(piece, len, h);
	return h ? h : 1;
}

static struct piece *piece_find(uint64_t h, const char *config, const char *piece, size_t len)
{
	size_t i = (size_t)h & (pieces_cap - 1);
	while (pieces[i].hash && (pieces[i].hash != h || pieces[i].len != len ||
				  strcmp(pieces[i].config, config) ||
				  memcmp(pieces[i].key, piece, len)))
		i = (i + 1) & (pieces_cap - 1);
	return &pieces[i];
}

static void pieces_grow(void)
{
	struct piece *old = pieces;
	size_t old_cap = pieces_cap;
	pieces_cap = old_cap ? old_cap * 2 : 1024;
	pieces = xcalloc(pieces_cap, sizeof *pieces);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].hash)
			*piece_find(old[i].hash, old[i].config, old[i].key, old[i].len) = old[i];
	free(old);
}

void convcache_piece_put(const char *config, const char *piece, size_t len,
			 const char *converted)
{
	uint64_t h = piece_key(config, piece, len);
	pthread_mutex_lock(&lock);
	if ((npieces + 1) * 2 > pieces_cap)
		pieces_grow();
	struct piece *e = piece_find(h, config, piece, len);
	if (!e->hash) {
		char *key = xmalloc(len + 1);
		memcpy(key, piece, len);
		key[len] = '\0';
		*e = (struct piece){.hash = h, .config = config, .key = key,
				    .value = xstrdup(converted), .len = len};
		npieces++;
		piece_bytes += len + strlen(converted) + 2;
	}
	pthread_mutex_unlock(&lock);
}

static const struct piece *piece_get(const char *config, const char *piece, size_t len)
{
	if (!pieces_cap)
		return NULL;
	const struct piece *e = piece_find(piece_key(config, piece, len), config, piece, len);
	return e->hash ? e : NULL;
}

int convcache_piece_known(const char *config, const char *piece, size_t len)
{
	pthread_mutex_lock(&lock);
	int known = piece_get(config, piece, len) != NULL;
	pthread_mutex_unlock(&lock);
	return known;
}

/* What a character is to the cutting rule (see convcache.h). */
enum kind { SEPARATOR, LATIN, HAN, OTHER };

static enum kind kind_at(const char *p, size_t *len)
{
	unsigned char c = (unsigned char)*p;
	*len = 1;
	if (c < 0x80)
		return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? LATIN : SEPARATOR;
	uint32_t cp = 0;
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	cp = n == 4 ? c & 0x07 : n == 3 ? c & 0x0F : n == 2 ? c & 0x1F : c;
	for (size_t i = 1; i < n; i++) {
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			return OTHER;	/* a broken sequence: one byte at a time */
		cp = cp << 6 | ((unsigned char)p[i] & 0x3F);
	}
	*len = n;
	return cp_is_han((int32_t)cp) ? HAN : OTHER;
}

/* The next piece at or after *s: its start, its length in *len, and 1 when
 * it has a non-ASCII byte; NULL at the end. *s moves past it. A piece ends
 * before a separator, before a Latin letter that follows a non-ASCII
 * character, and after a Latin letter followed by a non-ASCII character
 * other than a Han one (no key holds such a pair; "U盤" holds a letter
 * before a Han character, so that pair stays together). */
static const char *next_piece(const char **s, size_t *len, int *wide)
{
	const char *p = *s;
	size_t n;
	while (*p && kind_at(p, &n) == SEPARATOR)
		p++;
	if (!*p)
		return NULL;
	const char *start = p;
	enum kind prev = kind_at(p, &n);
	*wide = prev != LATIN;
	for (p += n; *p; p += n) {
		enum kind k = kind_at(p, &n);
		if (k == SEPARATOR || (k == LATIN && prev != LATIN) || (prev == LATIN && k == OTHER))
			break;
		*wide |= k != LATIN;
		prev = k;
	}
	*len = (size_t)(p - start);
	*s = p;
	return start;
}

void convcache_pieces_each(const char *text, void (*fn)(const char *piece, size_t len, void *arg),
			   void *arg)
{
	const char *s = text, *piece;
	size_t len;
	int wide;
	while ((piece = next_piece(&s, &len, &wide)))
		if (wide)
			fn(piece, len, arg);
}

char *convcache_from_pieces(const char *config, const char *text)
{
	struct sbuf b = {0};
	const char *s = text, *done = text, *piece;
	size_t len;
	int wide;
	pthread_mutex_lock(&lock);
	while ((piece = next_piece(&s, &len, &wide))) {
		if (!wide)
			continue;
		const struct piece *e = piece_get(config, piece, len);
		if (!e) {
			pthread_mutex_unlock(&lock);
			sbuf_free(&b);
			return NULL;
		}
		sbuf_add(&b, done, (size_t)(piece - done));	/* separators, Latin words */
		sbuf_adds(&b, e->value);
		done = s;
	}
	pthread_mutex_unlock(&lock);
	sbuf_adds(&b, done);
	return sbuf_take(&b);
}

unsigned long convcache_pieces_count(unsigned long *bytes_out)
{
	pthread_mutex_lock(&lock);
	unsigned long n = npieces;
	if (bytes_out)
		*bytes_out = piece_bytes;
	pthread_mutex_unlock(&lock);
	return n;
}

void convcache_clear(void)
{
	pthread_mutex_lock(&lock);
	drop_all();
	free(table);
	table = NULL;
	for (size_t i = 0; i < pieces_cap; i++) {
		free(pieces[i].key);
		free(pieces[i].value);
	}
	free(pieces);
	pieces = NULL;
	pieces_cap = 0;
	npieces = piece_bytes = 0;
	pthread_mutex_unlock(&lock);
}

unsigned long convcache_count(unsigned long *bytes_out)
{
	pthread_mutex_lock(&lock);
	unsigned long n = used;
	if (bytes_out)
		*bytes_out = bytes;
	pthread_mutex_unlock(&lock);
	return n;
}
