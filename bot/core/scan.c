/* scan — see scan.h. */
#include "scan.h"
#include "log.h"
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

/* 1 on a match (span in *s,*e), 0 on none; a limit or error counts as none
 * and is logged, because a pattern that backtracks on hostile input must not
 * hold up the bot. */
static int result(int rc, size_t len, pcre2_match_data *md, size_t *s, size_t *e, int *limit_hit)
{
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		*s = ov[0];
		*e = ov[1];
		return 1;
	}
	if (rc != PCRE2_ERROR_NOMATCH) {
		*limit_hit = 1;
		log_warn("regex_limit", KV("code", rc), KV("len", len));
	}
	return 0;
}

int scan_run(struct scan *sc, const struct regex *re, size_t len, size_t *s, size_t *e)
{
	return result(kb_regex_match(sc->kb, re, sc->t, len, sc->md), len, sc->md, s, e,
		      sc->limit_hit);
}

/* scan_run from byte from of the text. */
static int scan_run_at(struct scan *sc, const struct regex *re, size_t from, size_t *s, size_t *e)
{
	return result(kb_regex_match_at(sc->kb, re, sc->t, sc->len, from, sc->md), sc->len,
		      sc->md, s, e, sc->limit_hit);
}

int scan_run_alone(struct scan *sc, const pcre2_code *re, size_t *s, size_t *e)
{
	return re && result(pcre2_match(re, (PCRE2_SPTR)sc->t, sc->len, 0, PCRE2_NO_UTF_CHECK,
					sc->md, sc->kb->mctx), sc->len, sc->md, s, e, sc->limit_hit);
}

/* The variant of an alternation for this text (see struct alt in kb.h). */
static const struct regex *alt_for(const struct scan *sc, const struct alt *a)
{
	const struct regex *re = sc->han ? a->re : a->only_zh ? NULL : a->no_zh ? a->no_zh : a->re;
	if (re && !needles_may_occur(&a->need, sc->may))
		return NULL;	/* none of its literals is in the text: it cannot match */
	return re;
}

void scan_begin(struct scan *sc, struct scan_mem *m, const struct kb *kb, const char *t,
		int *limit_hit, int known)
{
	kb_classify_begin(kb);	/* before any pattern is read: see jit.c */
	size_t len = strlen(t);
	signed char *memo = m->memo_small;
	if (kb->nrules > sizeof m->memo_small)
		memo = xcalloc(kb->nrules, 1);
	else
		memset(memo, 0, sizeof m->memo_small);
	/* the needle sets with a needle in t: on the stack when the kb's
	 * index fits */
	size_t words = needle_scan_words(&kb->needles);
	m->may = words <= SCAN_MAY_WORDS ? m->may_small : xmalloc(words * sizeof *m->may);
	memset(m->may, 0, words * sizeof *m->may);
	needle_scan(&kb->needles, t, len, m->may, &m->hits);
	*sc = (struct scan){.kb = kb, .t = t, .len = len, .md = pcre2_match_data_create(4, NULL),
			    .memo = memo, .limit_hit = limit_hit, .han = text_has_han(t),
			    .may = &m->hits, .known = known};
}

void scan_end(struct scan *sc, struct scan_mem *m)
{
	pcre2_match_data_free(sc->md);
	if (m->may != m->may_small)
		free(m->may);
	if (sc->memo != m->memo_small)
		free(sc->memo);
	kb_classify_end(sc->kb);
}

static int atom_holds(struct scan *sc, int atom)
{
	if (atom == COND_CARRIER)
		return sc->carrier || sc->known;
	if (atom == COND_PLAN)
		return sc->plan;
	if (!sc->memo[atom]) {
		size_t s, e;
		const struct regex *re = alt_for(sc, &sc->kb->rules[atom].any);
		sc->memo[atom] = scan_run(sc, re, sc->len, &s, &e) ? 1 : -1;
	}
	return sc->memo[atom] > 0;
}

int scan_cond_holds(struct scan *sc, const struct rule *r, int cond)
{
	if (cond < 0)
		return 1;
	const struct cond *c = &r->conds[cond];
	for (size_t i = 0; i < c->n; i++) {
		int any = 0;
		for (size_t j = 0; j < c->clauses[i].n && !any; j++)
			any = atom_holds(sc, c->clauses[i].atoms[j]);
		if (!any)
			return 0;
	}
	return 1;
}

int scan_rule(struct scan *sc, const struct rule *r, struct hit *h)
{
	int found = 0;
	for (size_t g = 0; g < r->ngroups; g++) {
		size_t s, e;
		/* the group's needles first: when none is in the text, its
		 * condition (often a big word list) need not be matched at all */
		const struct regex *re = alt_for(sc, &r->groups[g].alt);
		if (!re || !scan_cond_holds(sc, r, r->groups[g].cond) ||
		    !scan_run(sc, re, sc->len, &s, &e))
			continue;
		/* the longest match; but a carrier named alone and in a phrase
		 * that ends with its name ("cricket" and "switch to cricket")
		 * is mentioned where its name starts, so the words before it
		 * still say whether it is where the number goes or the one
		 * left ([define carrier_destination]: "thinking of cancelling
		 * Cricket" is no move to Cricket) */
		int name_alone = r->kind == RULE_CARRIER && found && e == h->end && s > h->start;
		if (!found || name_alone ||
		    (e - s > h->end - h->start && !(r->kind == RULE_CARRIER && e == h->end))) {
			h->start = s;
			h->end = e;
		}
		found = 1;
	}
	size_t ns, ne;
	if (!found)
		return 0;
	/* the `not` patterns: skipped, like a group, when none of their
	 * literals is in the text (a carrier's {home_only} scans the whole
	 * message from its start) */
	if (needles_may_occur(&r->none_need, sc->may) && scan_run(sc, r->none, sc->len, &ns, &ne))
		return 0;
	h->rule = r;
	h->destination = h->origin = 0;
	return 1;
}

int scan_rule_next(struct scan *sc, const struct rule *r, size_t from, size_t *s, size_t *e)
{
	int found = 0;
	for (size_t g = 0; g < r->ngroups; g++) {
		size_t gs, ge;
		const struct regex *re = alt_for(sc, &r->groups[g].alt);
		if (!re || !scan_cond_holds(sc, r, r->groups[g].cond) ||
		    !scan_run_at(sc, re, from, &gs, &ge))
			continue;
		if (!found || gs < *s || (gs == *s && ge > *e)) {
			*s = gs;
			*e = ge;
		}
		found = 1;
	}
	return found;
}
