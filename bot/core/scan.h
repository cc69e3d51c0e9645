/* scan — matching a knowledge base's rules against one normalised text:
 * the per-message state (which [define]s were tried, which needles the text
 * holds), a rule's conditions, and a rule's longest match. classify.c
 * decides from these hits what a message is (intent, carrier, plan, cues,
 * veto) and explains it; this module owns how a rule is run, never which
 * rule wins.
 *
 * Pure like classify: no I/O but the log line when a regex limit is hit.
 * A struct scan and its struct scan_mem live on the caller's stack between
 * scan_begin() and scan_end(); they point into the kb and the text, which
 * must outlive them. */
#ifndef CANCELBOT_SCAN_H
#define CANCELBOT_SCAN_H

#include "kb.h"

/* A rule that matched, and where. */
struct hit {
	const struct rule *rule;
	size_t start, end;
	int destination;	/* carriers: named as where the user is going */
	int origin;		/* carriers: named as the one being left ("my old AT&T") */
	int negated;		/* carriers: named as not the line ("是T-Mobile不是Metro") */
};

/* What one classification knows so far: the text, and which defines were
 * already tried on it (so each shared concept is matched at most once). */
struct scan {
	const struct kb *kb;
	const char *t;
	size_t len;
	pcre2_match_data *md;
	signed char *memo;	/* per rule: 0 not tried, 1 matches, -1 does not */
	int han;		/* the text has Chinese characters: zh patterns apply */
	const struct needle_hits *may;	/* what the text holds of the needles (prefilter.h) */
	int carrier, plan;	/* a carrier / plan was named */
	int known;		/* the conversation already has a carrier (classify_in) */
	int *limit_hit;
};

/* A scan's per-message buffers, on the caller's stack when the kb's sizes
 * fit (the memo and the needle hits), else on the heap until scan_end. */
enum { SCAN_MAY_WORDS = 1024 };
struct scan_mem {
	signed char memo_small[256];
	uint64_t may_small[SCAN_MAY_WORDS];
	uint64_t *may;
	struct needle_hits hits;
};

/* Sets sc up to match kb's rules on the normalised t (known: as
 * classify_in's carrier_known); *limit_hit is set when a pattern hits a
 * PCRE2 limit. scan_end frees what scan_begin took. */
void scan_begin(struct scan *sc, struct scan_mem *m, const struct kb *kb, const char *t,
		int *limit_hit, int known);
void scan_end(struct scan *sc, struct scan_mem *m);

/* 1 when re (NULL: no match) matches sc's text up to len (its span in
 * *s, *e); a limit or error counts as none, logged and flagged. */
int scan_run(struct scan *sc, const struct regex *re, size_t len, size_t *s, size_t *e);
/* The same for a single pattern of explain's, not JIT-compiled (re may be
 * NULL: no match). */
int scan_run_alone(struct scan *sc, const pcre2_code *re, size_t *s, size_t *e);

/* Does condition cond (an index into r->conds, or -1: always) hold? */
int scan_cond_holds(struct scan *sc, const struct rule *r, int cond);
/* The longest span any group of r matches whose condition holds, unless
 * one of r's `not` patterns matches too: 1 and h filled (destination and
 * origin 0), or 0. */
int scan_rule(struct scan *sc, const struct rule *r, struct hit *h);
/* The first span a group of r (its condition holding) matches at or after
 * byte from, r's `not` patterns not checked (r matched already): 1 and
 * *s, *e, or 0. For a carrier named again further on. */
int scan_rule_next(struct scan *sc, const struct rule *r, size_t from, size_t *s, size_t *e);

#endif
