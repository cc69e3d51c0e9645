/* classify — see classify.h. */
#include "classify.h"
#include "log.h"
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

struct hit {
	const struct rule *rule;
	size_t start, end;
	int destination;	/* carriers: named as where the user is going */
};

/* 1 on a match (span in *s,*e), 0 on none; a limit or error counts as none
 * and is logged, because a pattern that backtracks on hostile input must not
 * hold up the bot. */
static int run(const struct kb *kb, const pcre2_code *re, const char *text, size_t len,
	       pcre2_match_data *md, size_t *s, size_t *e, int *limit_hit)
{
	if (!re)
		return 0;
	int rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, md, kb->mctx);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		*s = ov[0];
		*e = ov[1];
		return 1;
	}
	if (rc != PCRE2_ERROR_NOMATCH) {
		*limit_hit = 1;
		log_warn("regex_limit", "code=%d len=%zu", rc, len);
	}
	return 0;
}

static int rule_matches(const struct kb *kb, const struct rule *r, const char *t, size_t len,
			pcre2_match_data *md, struct hit *h, int *limit_hit)
{
	size_t s, e, ns, ne;
	if (!run(kb, r->any, t, len, md, &s, &e, limit_hit))
		return 0;
	if (run(kb, r->none, t, len, md, &ns, &ne, limit_hit))
		return 0;
	h->rule = r;
	h->start = s;
	h->end = e;
	return 1;
}

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

/* Does a beat b as the carrier? one the user is leaving beats one they are
 * moving to ([define carrier_destination]); then the first named, then the
 * longer name. */
static int mention_beats(const struct hit *a, const struct hit *b)
{
	if (a->destination != b->destination)
		return b->destination;
	if (a->start != b->start)
		return a->start < b->start;
	if (a->end != b->end)
		return a->end > b->end;
	return a->rule->order < b->rule->order;
}

void classify(const struct kb *kb, const char *text, size_t len, struct classification *out)
{
	memset(out, 0, sizeof *out);
	out->norm = normalize(text, len);
	const char *t = out->norm;
	size_t tl = strlen(t);
	out->lang = text_has_han(t) ? "zh" : "en";
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	struct hit best[RULE_KIND_COUNT] = {{0}};
	int plans = 0;
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		struct hit h;
		if (r->kind == RULE_DEFINE || !rule_matches(kb, r, t, tl, md, &h, &out->limit_hit))
			continue;
		struct hit *b = &best[r->kind];
		h.destination = r->kind == RULE_CARRIER && kb->carrier_destination &&
				run(kb, kb->carrier_destination, t, h.start, md, &(size_t){0},
				    &(size_t){0}, &out->limit_hit);
		if (r->kind == RULE_PLAN)
			plans++;
		if (!b->rule || (r->kind == RULE_INTENT ? intent_beats(&h, b) : mention_beats(&h, b)))
			*b = h;
	}
	pcre2_match_data_free(md);
	out->carrier = best[RULE_CARRIER].rule;
	out->plan = plans == 1 ? best[RULE_PLAN].rule : NULL;
	out->intent = best[RULE_INTENT].rule;
	if (out->intent && best[RULE_VETO].rule && !out->carrier) {
		out->veto = best[RULE_VETO].rule;
		out->intent = NULL;
	}
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
							 "define"};

void classify_explain(const struct kb *kb, const char *text, struct sbuf *out)
{
	struct classification c;
	classify(kb, text, strlen(text), &c);
	const char *t = c.norm;
	size_t tl = strlen(t);
	sbuf_addf(out, "normalised: %s\nlanguage:   %s\n\nmatches:\n", t, c.lang);
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	int any = 0, limit = 0;
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		if (r->kind == RULE_DEFINE)
			continue;
		for (size_t j = 0; j < r->npats; j++) {
			const struct pattern *p = &r->pats[j];
			size_t s, e;
			if (!run(kb, p->re, t, tl, md, &s, &e, &limit))
				continue;
			any = 1;
			sbuf_addf(out, "  %s:%d  %-7s %-16s %s[%zu,%zu) \"%.*s\"  (priority %d)\n",
				  p->file, p->line, kind_label[r->kind], r->id,
				  p->negative ? "NOT " : "", s, e, (int)(e - s), t + s, r->priority);
		}
	}
	pcre2_match_data_free(md);
	if (!any)
		sbuf_adds(out, "  (none)\n");
	sbuf_addf(out, "\nintent:  %s\ncarrier: %s\nplan:    %s\n",
		  c.intent ? c.intent->id : "none", c.carrier ? c.carrier->id : "-",
		  c.plan ? c.plan->id : "-");
	if (c.veto)
		sbuf_addf(out, "why:     vetoed by [veto %s] (%s:%d) and no carrier named\n",
			  c.veto->id, c.veto->file, c.veto->line);
	else if (c.intent)
		sbuf_addf(out, "why:     highest priority (%d), then longest match, then file "
			  "order (%s:%d) among matching intents\n", c.intent->priority,
			  c.intent->file, c.intent->line);
	classification_free(&c);
}
