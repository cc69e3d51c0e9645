/* classify — see classify.h: which rule wins (the orderings of intents,
 * carriers and cues, vetoes, the carrier read as about a line) and the
 * account `explain` gives of it. How one rule is matched against the text
 * is scan.c's. */
#include "classify.h"
#include "model.h"
#include "normalize.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

/* Does a beat b as the intent? priority, then specificity, then file order. */
static int intent_beats(const struct hit *a, const struct hit *b)
{
	if (a->rule->priority != b->rule->priority)
		return a->rule->priority > b->rule->priority;
	size_t la = a->end - a->start, lb = b->end - b->start;
	if (la != lb)
		return la > lb;
	return a->rule->order < b->rule->order;
}

/* Does a beat b as the carrier? one named as the one being left ([define
 * carrier_origin]: "原来的 AT&T") beats any other; one the user is leaving
 * beats one they are moving to ([define carrier_destination]); one said not
 * to be the line ([define carrier_negated]) loses; then the first named, then
 * the longer name. */
static int mention_beats(const struct hit *a, const struct hit *b)
{
	if (a->origin != b->origin)
		return a->origin;
	if (a->destination != b->destination)
		return b->destination;
	if (a->negated != b->negated)
		return b->negated;
	if (a->start != b->start)
		return a->start < b->start;
	if (a->end != b->end)
		return a->end > b->end;
	return a->rule->order < b->rule->order;
}

/* Offers hit h of rule kind k to best[], by that kind's ordering. */
static void consider(struct hit *best, const struct hit *h)
{
	struct hit *b = &best[h->rule->kind];
	if (!b->rule || (h->rule->kind == RULE_INTENT ? intent_beats(h, b) : mention_beats(h, b)))
		*b = *h;
}

/* A carrier named again further on as the line being left ("one on Metro and
 * one on Boost. Want to drop the Boost one", "one AT&T postpaid and one
 * Lyca prepaid. How to cancel the Lyca one first"): that mention is h's. */
static void origin_further_on(struct scan *sc, const struct rule *r, struct hit *h)
{
	const struct kb *kb = sc->kb;
	size_t from = h->end, s, e;
	while (from < sc->len && scan_rule_next(sc, r, from, &s, &e)) {
		if (scan_run(sc, kb->carrier_origin, s, &(size_t){0}, &(size_t){0})) {
			h->start = s;
			h->end = e;
			h->origin = 1;
			h->destination = kb->carrier_destination &&
					 scan_run(sc, kb->carrier_destination, s, &(size_t){0},
						  &(size_t){0});
			return;
		}
		from = e > from ? e : from + 1;
		while (from < sc->len && ((unsigned char)sc->t[from] & 0xC0) == 0x80)
			from++;	/* a character's start */
	}
}

/* The carriers and plans named in sc's text, in rule order (intents'
 * conditions may ask whether a carrier was named, so these come first):
 * the best of each kind into best, the plans counted in *plans, every
 * mention into out when out is not NULL. */
static void scan_mentions(struct scan *sc, struct hit *best, int *plans,
			  struct classification *out)
{
	const struct kb *kb = sc->kb;
	for (size_t i = 0; i < kb->mention_rules.n; i++) {
		const struct rule *r = &kb->rules[kb->mention_rules.v[i]];
		struct hit h;
		if (!scan_rule(sc, r, &h))
			continue;
		if (r->kind == RULE_PLAN)
			(*plans)++;
		else if (kb->carrier_destination &&
			 /* needles before the mention are needles of the text */
			 needles_may_occur(&kb->destination_need, sc->may))
			h.destination = scan_run(sc, kb->carrier_destination, h.start,
						 &(size_t){0}, &(size_t){0});
		if (r->kind == RULE_CARRIER && kb->carrier_negated &&
		    needles_may_occur(&kb->negated_need, sc->may))
			h.negated = scan_run(sc, kb->carrier_negated, h.start, &(size_t){0},
					     &(size_t){0});
		if (r->kind == RULE_CARRIER && kb->carrier_origin &&
		    needles_may_occur(&kb->origin_need, sc->may)) {
			h.origin = scan_run(sc, kb->carrier_origin, h.start, &(size_t){0},
					    &(size_t){0});
			if (!h.origin)
				origin_further_on(sc, r, &h);
		}
		consider(best, &h);
		if (out && out->nmentions < CLASSIFY_MAX_MENTIONS) {
			out->mentions[out->nmentions] = r;
			out->mention_start[out->nmentions] = h.start;
			out->mention_end[out->nmentions] = h.end;
			out->mention_destination[out->nmentions++] = h.destination;
		}
		/* a plan cue under `when = carrier` sees the carriers named so far
		 * (intents/carriers.ini is read before plans.ini), as explain does */
		sc->carrier = best[RULE_CARRIER].rule != NULL;
	}
}

/* " line" after a message, in the form normalize() gives text + " line"
 * (caller frees): the normalised text, a space unless it is empty, "line".
 * normalize() maps a text character by character but for white space
 * (folded, trailing dropped) and OpenCC's phrases (none spans a space), so
 * normalising again is not needed, except near NORMALIZE_MAX_BYTES where
 * the cut would fall inside " line". */
static char *with_line(const char *text, size_t len, const char *norm, size_t norm_len)
{
	static const char line[] = " line";
	if (len + sizeof line - 1 > NORMALIZE_MAX_BYTES) {
		char *t = xmalloc(len + sizeof line);
		memcpy(t, text, len);
		memcpy(t + len, line, sizeof line);
		char *n = normalize(t, len + sizeof line - 1);
		free(t);
		return n;
	}
	size_t skip = norm_len == 0;	/* no leading blank */
	char *t = xmalloc(norm_len + sizeof line);
	memcpy(t, norm, norm_len);
	memcpy(t + norm_len, line + skip, sizeof line - skip);
	return t;
}

/* The carrier text names, read as if a phone word followed it: the carrier
 * rules alone (nothing else decides out->carrier), on their own scan of the
 * longer text. NULL when none, or only where the number goes. */
static const struct rule *line_carrier(const struct kb *kb, const char *text, size_t len,
				       const struct classification *out, int known)
{
	char *t = with_line(text, len, out->norm, strlen(out->norm));
	int limit = 0, plans = 0;
	struct scan sc;
	struct scan_mem m;
	scan_begin(&sc, &m, kb, t, &limit, known);
	struct hit best[RULE_KIND_COUNT] = {{0}};
	scan_mentions(&sc, best, &plans, NULL);
	scan_end(&sc, &m);
	free(t);
	return best[RULE_CARRIER].destination ? NULL : best[RULE_CARRIER].rule;
}

/* The model's second opinion (model.h). On three batches of questions that
 * no rule had been tuned on (docs/model.md), the rules alone recognised
 * 0.836 of intents, the model's topic wherever it names one 0.897, and
 * 0.909 when a rule's specific topic stands against the model's general
 * one, 0.906 when the general one never overrides; the model alone does
 * worse than either, because it knows nothing of what a message is about
 * (Netflix, a gym) and the rules do. So:
 * - a veto keeps the message none: an admin's rule said so;
 * - the model says none by its `veto` margin or more: none, unless the
 *   rules' match covers four fifths of the message (a phrase an admin
 *   taught with /teach) (the rules answered 3-11 % of unseen writers'
 *   chatter; on four new batches a veto of 20 took that from 0.081 to
 *   0.045 for 0.006 of intent, and on a fifth from 0.034 to 0.009,
 *   docs/model.md);
 * - the model says none by less, or has no opinion: the rules stand;
 * - the model says the general class (cancel): the rules stand, whether
 *   they found a specific topic ("how do I cancel" is in most questions) or
 *   none ("我用的是Lyca Mobile" states a carrier, which a conversation
 *   acknowledges; the model reads it as a cancel question), unless the
 *   rules found none and the model is ahead by its `rescue` margin;
 * - otherwise the model's specific topic wins, over the rules' none too. */
static void second_opinion(const struct kb *kb, struct classification *out, size_t span,
			   int private_chat)
{
	const struct model *m = kb->model;
	if (!m || !out->norm)
		return;
	float scores[MODEL_MAX_CLASSES];
	int c = model_predict(m, out->norm, scores, &out->model_margin);
	out->model_class = c;
	/* a learned veto: none by a wide margin, unless the rule's match is
	 * most of the message — a phrase an admin taught, "cancel verizon" —
	 * and no broad word in a longer text */
	size_t len = strlen(out->norm);
	if (c == m->none && m->veto_margin > 0 && out->model_margin >= m->veto_margin && !out->veto &&
	    !private_chat &&
	    !(out->intent && span * 5 >= len * 4))
		out->intent = NULL;
	if (c < 0 || out->veto || out->model_veto || c == m->none)
		return;
	if (out->model_margin < m->min_margin)
		return;
	/* the general class (cancel) answers a message no rule understood
	 * only when the model is very sure ("what I must do with my T-Mobile
	 * before go back?", ahead by 160): by the model's `rescue` margin
	 * (docs/model.md: 50 gained 8 turns of the held-back dialogs and cost
	 * no false trigger; 35 began to answer chatter) */
	if (c == m->general && (out->intent || m->rescue_margin <= 0 || out->model_margin < m->rescue_margin))
		return;
	out->intent = m->rules[c];
}

void classify(const struct kb *kb, const char *text, size_t len, struct classification *out)
{
	classify_with(kb, text, len, &(struct classify_opts){0}, out);
}

void classify_in(const struct kb *kb, const char *text, size_t len, int carrier_known,
		 struct classification *out)
{
	classify_with(kb, text, len, &(struct classify_opts){.carrier_known = carrier_known,
							     .rules_only = carrier_known}, out);
}

void classify_with(const struct kb *kb, const char *text, size_t len,
		   const struct classify_opts *opts, struct classification *out)
{
	memset(out, 0, sizeof *out);
	out->norm = normalize(text, len);
	struct scan sc;
	struct scan_mem m;
	scan_begin(&sc, &m, kb, out->norm, &out->limit_hit, opts->carrier_known);
	out->lang = sc.han ? "zh" : "en";
	struct hit best[RULE_KIND_COUNT] = {{0}};
	int plans = 0;
	scan_mentions(&sc, best, &plans, out);
	sc.plan = plans > 0;
	for (size_t k = 0; k < kb->nintent_order; k++) {
		const struct rule *r = &kb->rules[kb->intent_order[k]];
		struct hit h;
		if (best[RULE_INTENT].rule && r->priority < best[RULE_INTENT].rule->priority)
			break;	/* nothing further down can win */
		if (scan_rule(&sc, r, &h))
			consider(best, &h);
	}
	/* cues: what the conversation makes of a message (kb.h); the same order
	 * as intents */
	struct hit cues[CLASSIFY_MAX_CUES];
	size_t ncues = 0;
	for (size_t i = 0; i < kb->cue_rules.n && ncues < CLASSIFY_MAX_CUES; i++) {
		const struct rule *r = &kb->rules[kb->cue_rules.v[i]];
		struct hit h;
		if (!scan_rule(&sc, r, &h))
			continue;
		size_t j = ncues++;	/* insertion, best first */
		for (; j > 0 && intent_beats(&h, &cues[j - 1]); j--)
			cues[j] = cues[j - 1];
		cues[j] = h;
	}
	/* a veto only matters when it would silence an intent: the rules', or
	 * the model's where the veto says silence_model ("change the name on
	 * my tmobile account" is no final bill, whatever the model reads in
	 * it); a named carrier keeps the message unless the veto says
	 * even_with_carrier */
	int model_asked = !opts->rules_only && kb->model;
	for (size_t i = 0; i < kb->veto_rules.n && (best[RULE_INTENT].rule || model_asked); i++) {
		const struct rule *r = &kb->rules[kb->veto_rules.v[i]];
		struct hit h;
		if (!best[RULE_VETO].rule && (best[RULE_INTENT].rule || r->silences_model) &&
		    (!sc.carrier || r->even_with_carrier) && scan_rule(&sc, r, &h))
			consider(best, &h);
	}
	scan_end(&sc, &m);
	out->carrier = best[RULE_CARRIER].rule;
	out->carrier_is_destination = out->carrier && best[RULE_CARRIER].destination;
	for (size_t i = 0; i < ncues; i++) {
		out->cues[i] = cues[i].rule;
		out->cue_start[i] = cues[i].start;
		out->cue_end[i] = cues[i].end;
	}
	out->ncues = ncues;
	out->plan = plans == 1 ? best[RULE_PLAN].rule : NULL;
	out->intent = best[RULE_INTENT].rule;
	if (out->intent && best[RULE_VETO].rule) {
		out->veto = best[RULE_VETO].rule;
		out->vetoed = out->intent;
		out->intent = NULL;
	} else if (best[RULE_VETO].rule) {
		out->model_veto = best[RULE_VETO].rule;
	}
	out->rules_intent = out->intent;
	out->model_class = -1;
	if (!opts->rules_only && (!(out->veto || out->model_veto) || opts->explain))	/* a veto stands whatever the model says */
		second_opinion(kb, out, best[RULE_INTENT].end - best[RULE_INTENT].start,
			       opts->private_chat);
	if (opts->line_expected && !out->carrier && !out->veto)
		out->line_carrier = line_carrier(kb, text, len, out, opts->carrier_known);
}

void classification_free(struct classification *c)
{
	free(c->norm);
	c->norm = NULL;
}

static void json_str(struct sbuf *b, const char *s)
{
	if (!s) {
		sbuf_adds(b, "null");
		return;
	}
	sbuf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addc(b, '\\');
		if ((unsigned char)*s < 0x20)
			sbuf_addf(b, "\\u%04x", (unsigned char)*s);
		else
			sbuf_addc(b, *s);
	}
	sbuf_addc(b, '"');
}

char *classification_json(const struct classification *c)
{
	struct sbuf b = {0};
	sbuf_adds(&b, "{\"intent\": ");
	json_str(&b, c->intent ? c->intent->id : "none");
	sbuf_adds(&b, ", \"carrier\": ");
	json_str(&b, c->carrier ? c->carrier->id : NULL);
	sbuf_adds(&b, ", \"plan\": ");
	json_str(&b, c->plan ? c->plan->id : NULL);
	sbuf_adds(&b, ", \"lang\": ");
	json_str(&b, c->lang);
	sbuf_addc(&b, '}');
	return sbuf_take(&b);
}

static const char *const kind_label[RULE_KIND_COUNT] = {"intent", "carrier", "plan", "veto",
							 "define", "cue"};

/* Every intent whose patterns count, best first, and why each lost. */
static void explain_ranking(struct scan *sc, const struct rule *winner, struct sbuf *out)
{
	struct hit hits[64];
	size_t n = 0;
	for (size_t i = 0; i < sc->kb->nrules && n < 64; i++) {
		const struct rule *r = &sc->kb->rules[i];
		if (r->kind == RULE_INTENT && scan_rule(sc, r, &hits[n]))
			n++;
	}
	for (size_t i = 1; i < n; i++)	/* insertion sort by the classifier's own order */
		for (size_t j = i; j > 0 && intent_beats(&hits[j], &hits[j - 1]); j--) {
			struct hit t = hits[j];
			hits[j] = hits[j - 1];
			hits[j - 1] = t;
		}
	if (n == 0)
		return;
	sbuf_adds(out, "\ncandidates (best first):\n");
	for (size_t i = 0; i < n; i++) {
		const struct hit *h = &hits[i], *w = &hits[0];
		sbuf_addf(out, "  %-12s priority %-3d match %zu bytes  %s:%d", h->rule->id,
			  h->rule->priority, h->end - h->start, h->rule->file, h->rule->line);
		if (i == 0)
			sbuf_adds(out, h->rule == winner ? "  <- wins" : "  (vetoed)");
		else if (h->rule->priority != w->rule->priority)
			sbuf_addf(out, "  lower priority than %s", w->rule->id);
		else if (h->end - h->start != w->end - w->start)
			sbuf_addf(out, "  same priority, shorter match than %s", w->rule->id);
		else
			sbuf_addf(out, "  same priority and length, later in the files than %s",
				  w->rule->id);
		sbuf_addc(out, '\n');
	}
}

/* The model's opinion and what came of it (second_opinion's cases). */
static void explain_model(const struct kb *kb, const struct classification *c, struct sbuf *out)
{
	const struct model *m = kb->model;
	if (!m) {
		sbuf_adds(out, "model:   none loaded\n");
		return;
	}
	const char *rules = c->rules_intent ? c->rules_intent->id : "none";
	if (c->model_class < 0) {
		sbuf_addf(out, "model:   no opinion (no feature known, or a tie); the rules' %s stands\n", rules);
		return;
	}
	const char *said = m->classes[c->model_class];
	sbuf_addf(out, "model:   %s, ahead by %.2f (%s); ", said, (double)c->model_margin, m->file);
	if (c->model_class == m->none && !c->intent && c->rules_intent)
		sbuf_addf(out, "none by at least the model's veto %.2f, so the rules' %s is silenced\n",
			  (double)m->veto_margin, rules);
	else if (c->model_margin < m->min_margin)
		sbuf_addf(out, "less than the model's margin %.2f, so the rules' %s stands\n",
			  (double)m->min_margin, rules);
	else if (c->intent != c->rules_intent && c->model_class == m->general)
		sbuf_addf(out, "the general class ahead by at least the model's rescue %.2f where no "
			  "rule matched, so it answers\n", (double)m->rescue_margin);
	else if (c->intent != c->rules_intent)
		sbuf_addf(out, "a specific topic, so it wins over the rules' %s\n", rules);
	else if (c->veto || c->model_veto)
		sbuf_addf(out, "the veto stands\n");
	else if (c->model_class == m->none || c->model_class == m->general)
		sbuf_addf(out, "%s, so the rules' %s stands\n",
			  c->model_class == m->none ? "none" : "the general class", rules);
	else
		sbuf_addf(out, "the rules agree\n");
}

void classify_explain(const struct kb *kb, const char *text, struct sbuf *out)
{
	struct classification c;
	classify_with(kb, text, strlen(text), &(struct classify_opts){.explain = 1}, &c);
	const char *t = c.norm;
	sbuf_addf(out, "normalised: %s\nlanguage:   %s\n\nmatches:\n", t, c.lang);
	int any = 0, limit = 0;
	struct scan sc;
	struct scan_mem m;
	scan_begin(&sc, &m, kb, t, &limit, 0);
	sc.carrier = c.carrier != NULL;
	sc.plan = c.plan != NULL;
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		if (r->kind == RULE_DEFINE)
			continue;
		for (size_t j = 0; j < r->npats; j++) {
			const struct pattern *p = &r->pats[j];
			size_t s, e;
			if (!scan_run_alone(&sc, kb_pattern_code(kb, p), &s, &e))
				continue;
			any = 1;
			sbuf_addf(out, "  %s:%d  %-7s %-16s %s[%zu,%zu) \"%.*s\"", p->file, p->line,
				  kind_label[r->kind], r->id, p->negative ? "NOT " : "", s, e,
				  (int)(e - s), t + s);
			if (r->kind == RULE_INTENT)
				sbuf_addf(out, "  priority %d", r->priority);
			if (!sc.han && strcmp(p->lang, "zh") == 0)
				sbuf_adds(out, "  zh pattern, text without Chinese: does not count");
			else if (p->cond >= 0)
				sbuf_addf(out, "  when %s: %s", r->conds[p->cond].src,
					  scan_cond_holds(&sc, r, p->cond) ? "yes" : "NO, so it does not count");
			sbuf_addc(out, '\n');
		}
	}
	if (!any)
		sbuf_adds(out, "  (none)\n");
	explain_ranking(&sc, c.rules_intent, out);	/* the rules' own ranking: the model line says what it changed */
	scan_end(&sc, &m);
	sbuf_addf(out, "\nintent:  %s\ncarrier: %s%s\nplan:    %s\n",
		  c.intent ? c.intent->id : "none", c.carrier ? c.carrier->id : "-",
		  c.carrier_is_destination ? " (where the number goes)" : "",
		  c.plan ? c.plan->id : "-");
	for (size_t i = 0; i < c.ncues; i++)
		sbuf_addf(out, "cue:     %s (%s:%d)\n", c.cues[i]->id, c.cues[i]->file, c.cues[i]->line);
	explain_model(kb, &c, out);
	if (c.veto)
		sbuf_addf(out, "why:     vetoed by [veto %s] (%s:%d), %s\n", c.veto->id, c.veto->file,
			  c.veto->line, c.carrier ? "which applies even with a carrier named" :
			  "and no carrier named");
	else if (c.model_veto)
		sbuf_addf(out, "why:     no rule of an intent matched, and [veto %s] (%s:%d) keeps the "
			  "model from giving one\n", c.model_veto->id, c.model_veto->file, c.model_veto->line);
	else if (c.intent)
		sbuf_addf(out, "why:     highest priority (%d), then longest match, then file "
			  "order (%s:%d) among matching intents\n", c.intent->priority,
			  c.intent->file, c.intent->line);
	classification_free(&c);
}
