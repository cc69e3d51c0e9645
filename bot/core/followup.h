/* followup — how a message is read in the conversation so far: what it
 * asks once the memory fills in what it left out (the answer to a pending
 * question, the carrier or brand and plan already known, the topic of the
 * last answer), and the small helpers the dialog needs for cues. Pure. */
#ifndef CANCELBOT_FOLLOWUP_H
#define CANCELBOT_FOLLOWUP_H

#include <stddef.h>

#include "context.h"

/* What one message asks, once the conversation so far fills in what it left
 * out. Pointers are into the kb or the memory; brand is a copy. */
struct ask {
	const char *topic, *carrier, *plan;
	char brand[CTX_ID];	/* a US carrier without facts, named now or before */
	int named;		/* the message itself named a carrier, brand or plan */
};

/* 1 when id is in the comma/blank separated list (NULL: empty). */
int list_has(const char *list, const char *id);
/* id's place in the list, from 1 (the order a cue's keeps prefers); 0: absent. */
size_t list_pos(const char *list, const char *id);
/* norm[s,e) as a brand name for {brand}, into out (cap bytes). */
void brand_name(const char *norm, size_t s, size_t e, char *out, size_t cap);
/* Fills in a from m (may be NULL); addressed: spoken to the bot. */
void follow_up(const struct memory *m, int addressed, struct ask *a);

#endif
