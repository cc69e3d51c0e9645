/* ftable — see ftable.h. */
#include "ftable.h"

#include <stdlib.h>

static void place(struct ftable *t, uint64_t h, uint32_t id)
{
	size_t i = ftable_first(t, h);
	while (t->slot[i].hash)
		i = ftable_next(t, i);
	t->slot[i] = (struct ftable_slot){h, id};
}

void ftable_put(struct ftable *t, uint64_t h, uint32_t id)
{
	if (2 * (t->n + 1) > t->cap) {
		struct ftable old = *t;
		t->cap = old.cap ? 2 * old.cap : 1024;
		t->slot = xcalloc(t->cap, sizeof *t->slot);
		for (size_t i = 0; i < old.cap; i++)
			if (old.slot[i].hash)
				place(t, old.slot[i].hash, old.slot[i].id);
		free(old.slot);
	}
	place(t, h, id);
	t->n++;
}

void ftable_free(struct ftable *t)
{
	free(t->slot);
	*t = (struct ftable){0};
}
