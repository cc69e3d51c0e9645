/* needle_memo — the groups the needle reader already read, by their text
 * (needle_parse.h); see needle_memo_begin in prefilter.h. */
#include "needle_parse.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The groups already read, by their text. A [define] is expanded into every
 * pattern that uses it, so the same big word list was read again for each
 * (two fifths of a reload's instructions were this reader). A copy of what
 * it read once is cheaper. One memo per thread (compiling runs on several),
 * from needle_memo_begin() to needle_memo_end(); without one, no memo. */
enum { MEMO_MIN = 96 };	/* shorter groups read faster than they copy */

struct memo_entry {
	char *src;		/* NULL: an empty slot */
	size_t len;
	uint64_t hash;
	struct part part;
};

struct needle_memo {
	struct memo_entry *v;
	size_t n, cap;		/* cap: a power of two, at most half full */
};

static _Thread_local struct needle_memo *memo;

/* Where the group whose text starts at p ends (its ')'), or NULL: the same
 * nesting rules as the reader (a class holds no groups). */
static const char *group_end(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			struct reader cls = {.p = p};
			needle_skip_class(&cls);
			if (cls.unknown)
				return NULL;
			p = cls.p - 1;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth-- == 0) {
			return p;
		}
	}
	return NULL;
}

static uint64_t hash_text(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h;
}

static struct memo_entry *memo_slot(const char *p, size_t len, uint64_t h)
{
	for (size_t i = h & (memo->cap - 1);; i = (i + 1) & (memo->cap - 1)) {
		struct memo_entry *e = &memo->v[i];
		if (!e->src || (e->hash == h && e->len == len && memcmp(e->src, p, len) == 0))
			return e;
	}
}

static void memo_put(const char *p, size_t len, uint64_t h, struct part *part)
{
	if (2 * (memo->n + 1) > memo->cap) {
		struct needle_memo old = *memo;
		memo->cap = old.cap ? 2 * old.cap : 256;
		memo->v = xcalloc(memo->cap, sizeof *memo->v);
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].src)
				*memo_slot(old.v[i].src, old.v[i].len, old.v[i].hash) = old.v[i];
		free(old.v);
	}
	struct memo_entry *e = memo_slot(p, len, h);
	*e = (struct memo_entry){.src = xstrndup(p, len), .len = len, .hash = h};
	part_copy(&e->part, part);
	memo->n++;
}

void needle_memo_begin(void)
{
	if (!memo)
		memo = xcalloc(1, sizeof *memo);
}

void needle_memo_end(void)
{
	if (!memo)
		return;
	for (size_t i = 0; i < memo->cap; i++) {
		free(memo->v[i].src);
		part_free(&memo->v[i].part);
	}
	free(memo->v);
	free(memo);
	memo = NULL;
}

/* read_alternation of a group's text, from the memo when it was read. */
void needle_read_group_text(struct reader *r, struct part *out)
{
	const char *end = memo ? group_end(r->p) : NULL;
	if (!end || (size_t)(end - r->p) < MEMO_MIN) {
		needle_read_alternation(r, out);
		return;
	}
	size_t len = (size_t)(end - r->p);
	uint64_t h = hash_text(r->p, len);
	struct memo_entry *e = memo->cap ? memo_slot(r->p, len, h) : NULL;
	if (e && e->src) {
		part_copy(out, &e->part);
		r->p = end;
		return;
	}
	const char *start = r->p;
	needle_read_alternation(r, out);
	if (!r->unknown && r->p == end)
		memo_put(start, len, h, out);
}
