/* prefilter — the needle reader of prefilter.h: a regex source into
 * needle sets and forms (needle_parse.h).
 *
 * The reader understands the part of PCRE2 syntax the knowledge base uses:
 * literals (UTF-8 included), escapes, classes, ".", anchors, groups,
 * lookarounds and quantifiers. Anything else it does not know (\x{..},
 * \p{..}, backreferences, inline options, verbs) makes the whole pattern
 * unusable: a wrong needle would silently lose matches, a missing one only
 * costs a regex run. */
#include "needle_parse.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* A set is bounded, but high: the index's scan (prescan.c) costs a few trie
 * steps per byte of text whatever the number of needles, so a big word list
 * is as cheap to check as a small one, and one left unusable runs on every
 * message. At 96 the lists of other services and countries ran always; at
 * 512 [cue abroad]'s and [cue plan_said]'s (927 and 520 places and plan
 * words) still did: 17 % of a labelled message's regex runs (callgrind,
 * session 9, docs/benchmarks.md). */
enum { MAX_NEEDLES = 4096 };

void needle_set_free(struct needles *s)
{
	for (size_t i = 0; s->v && i < s->n; i++)	/* indexed: only the id is left */
		free(s->v[i].s);
	free(s->v);
	for (size_t i = 0; s->leaf && i < s->nleaf; i++)
		free(s->leaf[i].s);
	free(s->leaf);
	free(s->form);
	*s = (struct needles){0};
}

static void set_add(struct needles *s, const char *p, size_t len)
{
	if (len > MAX_NEEDLE_LEN)
		len = MAX_NEEDLE_LEN;	/* a part of a required literal is required too */
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	struct needle *d = &s->v[s->n++];
	*d = (struct needle){.s = xstrndup(p, len), .len = len};
}

/* Moves b's needles into a (a |-alternation: a match contains one of
 * either); unusable when either is. */
static void set_union(struct needles *a, struct needles *b)
{
	if (!a->usable || !b->usable || a->n + b->n > MAX_NEEDLES) {
		needle_set_free(a);
		needle_set_free(b);
		return;
	}
	a->v = xrealloc(a->v, (a->n + b->n) * sizeof *a->v);
	memcpy(a->v + a->n, b->v, b->n * sizeof *b->v);
	a->n += b->n;
	free(b->v);
	*b = (struct needles){0};
}

/* How rare a needle is in messages, in tenths of a bit: the sum over its
 * bytes of -log2 of their frequency in English text (letters, the space,
 * digits and punctuation), a Chinese character counting as one rare-ish
 * letter. Length alone made "a" as good a needle as "&" in "a ?t ?& ?t",
 * and the regex of a set with "a" in it ran on nearly every message. */
static unsigned rarity(const char *s, size_t len)
{
	/* a..z: -log2(frequency) * 10, from the usual English letter counts */
	static const unsigned char letter[26] = {36, 60, 52, 45, 30, 55, 56, 40, 38, 96, 70,
						 46, 54, 39, 37, 57, 100, 40, 40, 35, 52, 66,
						 54, 96, 56, 104};
	unsigned r = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'a' && c <= 'z')
			r += letter[c - 'a'];
		else if (c == ' ')
			r += 25;
		else if (c >= 0xC0)
			r += 50;	/* the first byte of a UTF-8 character */
		else if (c < 0x80)
			r += 80;	/* digits and punctuation */
	}
	return r;
}

/* The rarest a set can be trusted to be: that of its commonest needle. */
static unsigned set_weakest(const struct needles *s)
{
	unsigned w = (unsigned)-1;
	for (size_t i = 0; i < s->n; i++) {
		unsigned r = rarity(s->v[i].s, s->v[i].len);
		w = r < w ? r : w;
	}
	return w;
}

/* Keeps the better of best and cand (cand is consumed): any one mandatory
 * part of a sequence is enough, so take the most selective. */
static void keep_better(struct needles *best, struct needles *cand)
{
	if (!cand->usable || !cand->n) {
		needle_set_free(cand);
		return;
	}
	/* past some 18 bits ("cancel", " zulu") a needle is selective enough:
	 * then fewer is better */
	unsigned wb = best->usable ? set_weakest(best) : 0, wc = set_weakest(cand);
	wb = wb > 180 ? 180 : wb;
	wc = wc > 180 ? 180 : wc;
	if (!best->usable || wc > wb || (wc == wb && cand->n < best->n)) {
		needle_set_free(best);
		*best = *cand;
	} else {
		needle_set_free(cand);
	}
	*cand = (struct needles){0};
}

void needle_set_copy(struct needles *dst, const struct needles *src)
{
	*dst = (struct needles){.usable = src->usable, .n = src->n};
	if (src->n) {
		dst->v = xcalloc(src->n, sizeof *dst->v);
		for (size_t i = 0; i < src->n; i++)
			dst->v[i] = (struct needle){xstrndup(src->v[i].s, src->v[i].len),
						    src->v[i].len};
	}
}

void part_free(struct part *p)
{
	needle_set_free(&p->need);
	needle_set_free(&p->lead);
	form_free(p->form);
	p->form = NULL;
}

void part_copy(struct part *dst, struct part *src)
{
	needle_set_copy(&dst->need, &src->need);
	needle_set_copy(&dst->lead, &src->lead);
	dst->form = form_copy(src->form);
}

/* The smallest repeat count of the quantifier at r->p, which it skips; 1
 * when there is none. *more: the atom may repeat (so a literal run ends). */
static int quantifier(struct reader *r, int *more)
{
	int min = 1;
	*more = 0;
	if (*r->p == '?' || *r->p == '*') {
		min = 0;
		*more = *r->p == '*';
		r->p++;
	} else if (*r->p == '+') {
		*more = 1;
		r->p++;
	} else if (*r->p == '{' && isdigit((unsigned char)r->p[1])) {
		const char *q = r->p + 1;
		min = 0;
		while (isdigit((unsigned char)*q)) {	/* PCRE2 allows at most 65535 */
			if (min < 100000)
				min = min * 10 + (*q - '0');
			q++;
		}
		if (*q == ',') {
			*more = 1;
			q++;
			while (isdigit((unsigned char)*q))
				q++;
		}
		if (*q != '}') {
			r->unknown = 1;	/* a literal "{": not worth understanding */
			return 0;
		}
		*more |= min > 1;
		r->p = q + 1;
	}
	if (*r->p == '?' || *r->p == '+')
		r->p++;	/* lazy or possessive: the same counts */
	return min;
}

/* Skips a character class starting at '['. */
void needle_skip_class(struct reader *r)
{
	r->p++;
	if (*r->p == '^')
		r->p++;
	if (*r->p == ']')
		r->p++;
	while (*r->p && *r->p != ']') {
		if (*r->p == '[' && r->p[1] == ':') {	/* [:alpha:] */
			const char *end = strstr(r->p, ":]");
			r->p = end ? end + 2 : r->p + strlen(r->p);
			continue;
		}
		r->p += *r->p == '\\' && r->p[1] ? 2 : 1;
	}
	if (*r->p)
		r->p++;
	else
		r->unknown = 1;
}

/* A group, at '('. *min: its quantifier's smallest count (0 for a
 * lookaround, which consumes nothing). *seen: a positive lookaround that
 * must hold, so its literals are in the text though not in the match. */
static void read_group(struct reader *r, struct part *out, int *min, int *zero_width,
		       int *seen)
{
	int more;
	*zero_width = *seen = 0;
	r->p++;
	if (*r->p == '?') {
		if (r->p[1] == ':' || r->p[1] == '>') {
			r->p += 2;
		} else if (r->p[1] == '=' || r->p[1] == '!') {
			*zero_width = 1;
			*seen = r->p[1] == '=';
			r->p += 2;
		} else if (r->p[1] == '<' && (r->p[2] == '=' || r->p[2] == '!')) {
			*zero_width = 1;
			*seen = r->p[2] == '=';
			r->p += 3;
		} else {
			r->unknown = 1;	/* options, named groups, conditionals */
			return;
		}
	} else if (*r->p == '*') {
		r->unknown = 1;
		return;
	}
	needle_read_group_text(r, out);
	if (*r->p != ')') {
		r->unknown = 1;
		return;
	}
	r->p++;
	*min = quantifier(r, &more);
	*seen &= *min > 0;
	if (*zero_width)
		*min = 0;
	if (more)	/* "(?:ab)+": still starts with a lead, but keep it simple */
		needle_set_free(&out->lead);
}

/* One escape, at '\\': 1 with the literal byte in *c; 0 for a class (\w)
 * or an assertion (\b, zero_width set); -1 for what it does not know. */
static int read_escape(struct reader *r, char *c, int *zero_width)
{
	char e = r->p[1];
	*zero_width = 0;
	if (!e)
		return -1;
	r->p += 2;
	if (!isalnum((unsigned char)e)) {
		*c = e;
		return 1;
	}
	if (e == 'p' || e == 'P') {	/* a property, \p{So} or \pL: a class */
		if (*r->p == '{') {
			const char *end = strchr(r->p, '}');
			if (!end)
				return -1;
			r->p = end + 1;
		} else if (*r->p) {
			r->p++;
		}
		return 0;
	}
	*zero_width = strchr("bBAzZGK", e) != NULL;
	return strchr("dDwWsShHvVRNbBAzZGK", e) ? 0 : -1;
}

/* {prefix + each of leads}: a literal run followed by a group that starts
 * with one of leads. */
static void joined(const struct sbuf *prefix, const struct needles *leads, struct needles *out)
{
	*out = (struct needles){.usable = 1};
	for (size_t i = 0; i < leads->n; i++) {
		struct sbuf both = {0};
		sbuf_add(&both, prefix->p, prefix->len);
		sbuf_add(&both, leads->v[i].s, leads->v[i].len);
		set_add(out, both.p, both.len);
		sbuf_free(&both);
	}
}

static void add_run(struct needles *best, const struct sbuf *run)
{
	if (run->len < 1)
		return;
	struct needles cand = {.usable = 1};
	set_add(&cand, run->p, run->len);
	keep_better(best, &cand);
}

/* A sequence up to '|', ')' or the end: the best of its mandatory parts. */
static void read_sequence(struct reader *r, struct part *out)
{
	struct sbuf run = {0};
	struct needles best = {0}, lead = {0};
	struct form *all = NULL;
	int at_start = 1;	/* nothing consumed yet but the literal run */
	while (*r->p && *r->p != '|' && *r->p != ')' && !r->unknown) {
		const char *atom = r->p;
		size_t atom_len = 0;
		char lit;
		int min = 1, more = 0, kind = 1, zero_width = 0, seen = 0;
		struct part group = {0};
		if (*r->p == '(') {
			read_group(r, &group, &min, &zero_width, &seen);
			kind = 2;
		} else if (*r->p == '[') {
			needle_skip_class(r);
			kind = 0;
		} else if (*r->p == '.' || *r->p == '^' || *r->p == '$') {
			zero_width = *r->p != '.';
			r->p++;
			kind = 0;
		} else if (*r->p == '\\') {
			kind = read_escape(r, &lit, &zero_width);
			if (kind < 0)
				r->unknown = 1;
			atom = &lit;
			atom_len = 1;
		} else if (strchr("*+?{", *r->p)) {
			r->unknown = 1;	/* a quantifier with nothing before it */
		} else {
			atom_len = 1;	/* a whole UTF-8 character stays together */
			while ((r->p[atom_len] & 0xC0) == 0x80)
				atom_len++;
			r->p += atom_len;
		}
		if (r->unknown) {
			part_free(&group);
			break;
		}
		if (kind != 2)
			min = quantifier(r, &more);
		if (kind == 1 && min > 0) {
			sbuf_add(&run, atom, atom_len);
			if (!more)
				continue;
		}
		/* the literal run ends here */
		int group_counts = kind == 2 && min > 0;
		if (group_counts && run.len && group.lead.usable) {
			struct needles cand;
			joined(&run, &group.lead, &cand);
			keep_better(&best, &cand);
		}
		if (at_start && run.len) {
			set_add(&lead, run.p, run.len);
			lead.usable = 1;
		} else if (at_start && group_counts && group.lead.usable) {
			lead = group.lead;
			group.lead = (struct needles){0};
		}
		if (run.len || !zero_width)
			at_start = 0;
		add_run(&best, &run);
		if (run.len)
			form_add(&all, FORM_AND, form_leaf(run.p, run.len));
		run.len = 0;
		if (group_counts || seen) {
			keep_better(&best, &group.need);
			form_add(&all, FORM_AND, group.form);
			group.form = NULL;
		}
		part_free(&group);
	}
	if (!r->unknown) {
		if (at_start && run.len) {
			set_add(&lead, run.p, run.len);
			lead.usable = 1;
		}
		add_run(&best, &run);
		if (run.len)
			form_add(&all, FORM_AND, form_leaf(run.p, run.len));
	}
	sbuf_free(&run);
	out->need = best;
	out->lead = lead;
	out->form = form_done(all);
}

/* Alternatives up to ')' or the end: a match contains a needle of one, and
 * starts with a lead of one. */
void needle_read_alternation(struct reader *r, struct part *out)
{
	read_sequence(r, out);
	struct form *any = NULL;
	int open = out->form == NULL;	/* a branch that needs nothing */
	form_add(&any, FORM_OR, out->form);
	out->form = NULL;
	while (*r->p == '|' && !r->unknown) {
		r->p++;
		struct part next = {0};
		read_sequence(r, &next);
		set_union(&out->need, &next.need);
		set_union(&out->lead, &next.lead);
		open |= next.form == NULL || (any && any->size > MAX_FORM);
		if (open) {	/* nothing to say of the whole: stop building */
			form_free(next.form);
			form_free(any);
			any = NULL;
			continue;
		}
		form_add(&any, FORM_OR, next.form);
	}
	if (open) {
		form_free(any);
		any = NULL;
	}
	out->form = form_done(any);
	if (r->unknown)
		part_free(out);
}

void needles_from_regex(const char *re, struct needles *out)
{
	struct reader r = {.p = re};
	struct part all = {0};
	needle_read_alternation(&r, &all);
	if (r.unknown || *r.p)	/* an unmatched ')' */
		part_free(&all);
	needle_set_free(&all.lead);
	*out = all.need;
	if (out->usable)
		form_flatten(all.form, out);
	form_free(all.form);
}

void needles_free(struct needles *n)
{
	needle_set_free(n);
}
