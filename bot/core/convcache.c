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

void convcache_clear(void)
{
	pthread_mutex_lock(&lock);
	drop_all();
	free(table);
	table = NULL;
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
