/* followup — see followup.h. */
#include "followup.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* 1 when id is in the comma/blank separated list. */
int list_has(const char *list, const char *id)
{
	return list_pos(list, id) != 0;
}

/* id's place in the list, from 1; 0 when it is not there. */
size_t list_pos(const char *list, const char *id)
{
	size_t n = strlen(id), pos = 0;
	for (const char *p = list ? list : ""; *p;) {
		p += strspn(p, ", ");
		size_t k = strcspn(p, ", ");
		if (!k)
			break;
		pos++;
		if (k == n && !strncmp(p, id, n))
			return pos;
		p += k;
	}
	return 0;
}

/* A brand as the user wrote it, for {brand}: short words and words with a
 * digit in capitals (H2O, NET10, US), others capitalised (Red Pocket). */
void brand_name(const char *norm, size_t s, size_t e, char *out, size_t cap)
{
	size_t n = e - s < cap - 1 ? e - s : cap - 1;
	memcpy(out, norm + s, n);
	out[n] = '\0';
	for (char *w = out; *w;) {
		size_t k = strcspn(w, " -");
		int digit = 0;
		for (size_t i = 0; i < k; i++)
			digit |= isdigit((unsigned char)w[i]);
		for (size_t i = 0; i < k; i++)
			if (isalpha((unsigned char)w[i]) && (i == 0 || digit || k <= 2))
				w[i] = (char)toupper((unsigned char)w[i]);
		w += k;
		w += strspn(w, " -");
	}
}

/* Fills in what the message left out from the conversation so far: the
 * answer to a pending question, the carrier (or brand) and plan already
 * known, the topic of the last answer when only a carrier or plan is new. */
void follow_up(const struct memory *m, int addressed, struct ask *a)
{
	if (!m)
		return;
	int named_carrier = a->carrier || a->brand[0];
	if (!a->topic && m->pending == PENDING_CARRIER && named_carrier)
		a->topic = m->pending_topic;
	if (!a->topic && m->pending == PENDING_PLAN && a->plan)
		a->topic = m->pending_topic;
	/* "what about AT&T?" after an answer: the same topic, new carrier */
	if (!a->topic && addressed && (named_carrier || a->plan) && m->topic[0])
		a->topic = m->topic;
	if (!named_carrier && m->carrier[0])
		a->carrier = m->carrier;
	else if (!named_carrier && m->brand[0])
		snprintf(a->brand, sizeof a->brand, "%s", m->brand);
	/* a plan is a line's: it holds for the same carrier, or for the first
	 * one named after it ("it's prepaid" ... "Verizon"); another carrier
	 * ("my wife's Xfinity is monthly" ... "back to Fi") has its own (the
	 * blind dialogs' writers read it so) */
	if (!a->plan && m->plan[0] &&
	    (!m->carrier[0] || (a->carrier && !strcmp(a->carrier, m->carrier))))
		a->plan = m->plan;
	/* back to a line whose plan was said earlier in the conversation */
	if (!a->plan && a->carrier)
		a->plan = context_plan_of(m, a->carrier);
}
