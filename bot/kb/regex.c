/* regex — turns the pattern sources of a rule into compiled PCRE2 code:
 * {name} macros expanded, {b} made a one-sided word edge, each rule's
 * patterns joined into alternations (one per run of equal conditions, and
 * a second variant without zh patterns), compiled (JIT code comes later,
 * jit.c). See kb.h for what
 * the compiled code belongs to (the rule; kb_free frees it). */
#include "loader.h"
#include "needle_pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_START "(?<![a-z0-9])"	/* what {b} before a word becomes */

#define MAX_EXPANSION_DEPTH 6

/* {b} is the edge of an ASCII word. After a word (the source just before it
 * ends an atom) only the character after matters; before a word only the one
 * before. One cheap assertion instead of both keeps PCRE2's start-of-match
 * optimisation working, which makes classification several times faster. */
static int ends_atom(const char *src, const char *at)
{
	if (at == src)
		return 0;
	unsigned char c = (unsigned char)at[-1];
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(")?*+", c))
		return 1;
	if (c != '}')
		return 0;
	const char *open = at - 1;	/* a {macro} ends an atom, a {2,5} quantifier does not */
	while (open > src && *open != '{')
		open--;
	return open[1] < '0' || open[1] > '9';
}

/* Plain words among the alternatives (most Chinese ones: 注销|销号|销户),
 * to be grouped by their first character. */
struct literals {
	char **v;
	size_t n;
};

/* A union's alternatives, sorted as they are added (see union_add). */
struct sorted_union {
	struct sbuf word_start;	/* those that began with {b}, without it */
	struct sbuf anywhere;	/* the others, as written */
	struct literals words;	/* plain words */
};

static void union_add(struct sorted_union *u, const char *re);
static void union_emit(struct sorted_union *u, struct sbuf *out);

/* Appends src to out with each {name} replaced by (?:definition). */
static int expand(const struct kb *kb, const char *src, struct sbuf *out, int depth,
		  const struct pattern *at, struct sbuf *err);

/* Expands src and adds its alternatives to u. */
static int add_expanded(const struct kb *kb, struct sorted_union *u, const char *src, int depth,
			const struct pattern *at, struct sbuf *err)
{
	struct sbuf one = {0};
	int rc = expand(kb, src, &one, depth, at, err);
	union_add(u, sbuf_str(&one));
	sbuf_free(&one);
	return rc;
}

/* (?:every positive pattern of the rules of kind), for {carrier} and {plan}.
 * {plan} leaves out a plan's patterns under a `when`: those are cues the context
 * implies (a family plan at AT&T, an ETF), not a plan's name to ask about.
 * {carrier} leaves out the misspellings of `typo` lines: a frame around a
 * carrier ("switch to {carrier}") reads the names as written, and every
 * carrier's slips together would make it too large to compile. */
static int expand_rule_union(const struct kb *kb, enum rule_kind kind, struct sbuf *out,
			     int depth, const struct pattern *at, struct sbuf *err)
{
	struct sorted_union u = {0};
	int rc = 0;
	for (size_t i = 0; i < kb->nrules; i++)
		for (size_t j = 0; kb->rules[i].kind == kind && j < kb->rules[i].npats; j++)
			if (!kb->rules[i].pats[j].negative && !kb->rules[i].pats[j].typo &&
			    !(kind == RULE_PLAN && kb->rules[i].pats[j].cond >= 0))
				rc |= add_expanded(kb, &u, kb->rules[i].pats[j].src, depth + 1, at, err);
	sbuf_adds(out, "(?:");
	union_emit(&u, out);
	sbuf_addc(out, ')');
	return rc;
}

static int expand(const struct kb *kb, const char *src, struct sbuf *out, int depth,
		  const struct pattern *at, struct sbuf *err)
{
	if (depth > MAX_EXPANSION_DEPTH) {
		sbuf_addf(err, "%s:%d: {macros} nested too deep (a define that uses itself?)\n",
			  at->file, at->line);
		return -1;
	}
	int rc = 0;
	for (const char *p = src; *p;) {
		size_t n = 0;
		if (*p == '\\' && p[1]) {
			sbuf_add(out, p, 2);
			p += 2;
			continue;
		}
		if (*p == '{')
			while ((p[1 + n] >= 'a' && p[1 + n] <= 'z') || p[1 + n] == '_')
				n++;
		if (n == 0 || p[1 + n] != '}') {
			sbuf_addc(out, *p++);
			continue;
		}
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
		p += n + 2;
		if (strcmp(name, "b") == 0) {
			sbuf_adds(out, ends_atom(src, p - n - 2) ? "(?![a-z0-9])" : WORD_START);
			continue;
		}
		if (strcmp(name, "carrier") == 0 || strcmp(name, "plan") == 0) {
			enum rule_kind k = name[0] == 'c' ? RULE_CARRIER : RULE_PLAN;
			rc |= expand_rule_union(kb, k, out, depth, at, err);
			continue;
		}
		const struct rule *d = kb_rule(kb, RULE_DEFINE, name);
		if (!d) {
			sbuf_addf(err, "%s:%d: unknown {%s} (no [define %s])\n", at->file, at->line,
				  name, name);
			rc = -1;
			continue;
		}
		/* sorted like a rule's union, so that every pattern that uses
		 * the define gets the shared edge check */
		struct sorted_union u = {0};
		for (size_t j = 0; j < d->npats; j++)
			rc |= add_expanded(kb, &u, d->pats[j].src, depth + 1, at, err);
		sbuf_adds(out, "(?:");
		union_emit(&u, out);
		sbuf_addc(out, ')');
	}
	return rc;
}

static pcre2_code *compile_code(const char *re, const struct pattern *at, struct sbuf *err)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
				      PCRE2_UTF | PCRE2_UCP,
				      &code, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		sbuf_addf(err, "%s:%d: regex does not compile: %s (at offset %zu of the expanded "
			  "pattern)\n", at->file, at->line, (char *)msg, (size_t)off);
	}
	return c;
}

/* An alternation for classify: interpreted until it has run often enough
 * to be worth its JIT code, which the JIT thread then makes (jit.c). */
static struct regex *compile(const char *re, const struct pattern *at, struct sbuf *err)
{
	pcre2_code *c = compile_code(re, at, err);
	if (!c)
		return NULL;
	struct regex *r = xcalloc(1, sizeof *r);
	r->code = c;
	atomic_init(&r->runs, 0);
	atomic_init(&r->refs, 1);
	atomic_init(&r->jit, NULL);
	/* CANCELBOT_NO_JIT=1 is for valgrind, which cannot follow JIT code and
	 * reports false errors in it: the interpreter only. (Read every time:
	 * rules compile on several threads, see intents.c.) */
	const char *no_jit = getenv("CANCELBOT_NO_JIT");
	atomic_init(&r->state, no_jit && *no_jit == '1' ? REGEX_NO_JIT : REGEX_INTERPRETED);
	return r;
}

/* compile(), or the running kb's alternation of the same source (reuse);
 * with need, its needles too (prefilter.h), read from the source once and
 * kept with the code for the next reload. */
static struct regex *compile_or_reuse(const struct kb *kb, const char *re, const struct pattern *at,
				      struct needles *need, struct sbuf *err)
{
	size_t len = strlen(re);
	uint64_t key[2];
	kb_source_key(re, len, key);
	struct regex *r = kb_regex_reuse(kb->reuse_from, key, len, need != NULL);
	if (r) {
		if (need)
			needles_unpack(r->need, need);
		return r;
	}
	if (!(r = compile(re, at, err)))
		return NULL;
	memcpy(r->key, key, sizeof r->key);
	r->keylen = len;
	if (need) {
		needles_from_regex(re, need);
		r->need = needles_pack(need);
	}
	return r;
}

void kb_regex_free(struct regex *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;	/* another knowledge base still holds it */
	pcre2_code_free(r->code);
	pcre2_code_free(atomic_load(&r->jit));
	free(r->need);
	free(r);
}

/* One pattern on its own: only `explain` runs these, so no JIT code (it
 * would double the bot's private memory for nothing). */
static pcre2_code *compile_alone(const char *re, const struct pattern *at, struct sbuf *err)
{
	return compile_code(re, at, err);
}

/* Where the top-level alternative of re that starts at p ends. */
static const char *branch_end(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {	/* a class: no alternatives in there */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;	/* first in a class, ']' is literal */
			while (*p && *p != ']')
				p += *p == '\\' && p[1] ? 2 : 1;
			if (!*p)
				break;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if (*p == '|' && depth == 0) {
			break;
		}
	}
	return p;
}

static int is_literal(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("\\^$.|?*+()[]{}", p[i]) || p[i] == '\0')
			return 0;
	return n > 0;
}

static size_t first_char_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	size_t len = strlen(s);
	return n < len ? n : len;
}

/* X(?:rest|rest)|Y(?:rest): at a Chinese character PCRE2 then compares one
 * character per group, not one per word. Words keep their order within a
 * group, and words of two groups cannot both match at one position, so
 * every match is the one the plain list would give. */
static void emit_literals(struct literals *l, struct sbuf *out)
{
	char *done = xcalloc(l->n ? l->n : 1, 1);
	for (size_t i = 0; i < l->n; i++) {
		if (done[i])
			continue;
		size_t fl = first_char_len(l->v[i]);
		if (out->len)
			sbuf_addc(out, '|');
		sbuf_add(out, l->v[i], fl);
		sbuf_adds(out, "(?:");
		for (size_t j = i, k = 0; j < l->n; j++) {
			if (done[j] || strlen(l->v[j]) < fl || memcmp(l->v[j], l->v[i], fl) != 0)
				continue;
			if (k++)
				sbuf_addc(out, '|');
			sbuf_adds(out, l->v[j] + fl);
			done[j] = 1;
		}
		sbuf_addc(out, ')');
	}
	free(done);
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Sorts the top-level alternatives of an expanded pattern: those that start
 * at the edge of a word (most do, with {b}) lose that check, to share one
 * in front of them all; the others stay as they are. PCRE2 tries every
 * alternative at each position a match could start, so the shared check
 * turns most of them away at once, in the middle of a word. The same
 * strings match. Plain words go to the words list (see emit_literals). */
static void union_add(struct sorted_union *u, const char *re)
{
	size_t ws = strlen(WORD_START);
	for (const char *p = re;;) {
		const char *end = branch_end(p);
		if (is_literal(p, (size_t)(end - p))) {
			struct literals *w = &u->words;
			w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
			w->v[w->n++] = xstrndup(p, (size_t)(end - p));
			if (!*end)
				break;
			p = end + 1;
			continue;
		}
		int edge = strncmp(p, WORD_START, ws) == 0 && (size_t)(end - p) > ws;
		struct sbuf *to = edge ? &u->word_start : &u->anywhere;
		if (to->len)
			sbuf_addc(to, '|');
		sbuf_adds(to, "(?:");
		sbuf_add(to, edge ? p + ws : p, (size_t)(end - p) - (edge ? ws : 0));
		sbuf_addc(to, ')');
		if (!*end)
			break;
		p = end + 1;
	}
}

/* Appends u's alternatives as one alternation, the shared edge check
 * first, and empties u. */
static void union_emit(struct sorted_union *u, struct sbuf *out)
{
	struct sbuf alt = {0};
	if (u->word_start.len) {	/* one check of the edge, then the branches */
		sbuf_adds(&alt, WORD_START "(?:");
		sbuf_add(&alt, u->word_start.p, u->word_start.len);
		sbuf_addc(&alt, ')');
	}
	if (u->anywhere.len) {
		if (alt.len)
			sbuf_addc(&alt, '|');
		sbuf_add(&alt, u->anywhere.p, u->anywhere.len);
	}
	emit_literals(&u->words, &alt);
	sbuf_add(out, alt.p ? alt.p : "", alt.len);
	sbuf_free(&alt);
	sbuf_free(&u->word_start);
	sbuf_free(&u->anywhere);
}

/* The alternation of a rule's patterns from..to-1 that are negative (or
 * not), have condition cond (-2: any condition) and, with no_zh, are not zh
 * patterns; NULL when there is none. Only when it does not compile is each
 * pattern compiled alone, so the error names the line at fault (compiling
 * every pattern alone up front cost a seventh of each reload). */
static struct regex *compile_union(struct kb *kb, struct rule *r, size_t from, size_t to,
				 int negative, int cond, int no_zh, struct needles *need,
				 struct sbuf *err)
{
	struct sbuf all = {0};
	struct sorted_union u = {0};
	const struct pattern *first = NULL;
	int bad = 0;
	for (size_t j = from; j < to; j++) {
		const struct pattern *p = &r->pats[j];
		if (p->negative != negative || (cond != -2 && p->cond != cond) ||
		    (no_zh && strcmp(p->lang, "zh") == 0))
			continue;
		first = first ? first : p;
		if (add_expanded(kb, &u, p->src, 0, p, err) != 0)
			bad = 1;
	}
	union_emit(&u, &all);
	struct sbuf union_err = {0};
	struct regex *c = first && !bad ? compile_or_reuse(kb, sbuf_str(&all), first, need,
							  &union_err) : NULL;
	if (first && !bad && !c) {
		size_t before = err->len;
		for (size_t j = from; j < to; j++) {
			const struct pattern *p = &r->pats[j];
			if (p->negative == negative && (cond == -2 || p->cond == cond))
				pcre2_code_free(kb_compile_pattern(kb, p, err));
		}
		if (err->len == before)	/* each compiles alone: say so of the whole */
			sbuf_adds(err, sbuf_str(&union_err));
	}
	sbuf_free(&union_err);
	sbuf_free(&all);
	return c;
}

const pcre2_code *kb_pattern_code(const struct kb *kb, const struct pattern *p)
{
	if (!p->alone) {
		struct sbuf ignored = {0};	/* it compiled as part of its rule */
		/* a cache: the kb is otherwise read-only once loaded */
		((struct pattern *)p)->alone = kb_compile_pattern(kb, p, &ignored);
		sbuf_free(&ignored);
	}
	return p->alone;
}

pcre2_code *kb_compile_pattern(const struct kb *kb, const struct pattern *p, struct sbuf *err)
{
	struct sbuf one = {0};
	pcre2_code *c = NULL;
	if (expand(kb, p->src, &one, 0, p, err) == 0)
		c = compile_alone(sbuf_str(&one), p, err);
	sbuf_free(&one);
	return c;
}

/* Both variants of an alternation of positive patterns (see struct alt). */
static struct alt compile_alt(struct kb *kb, struct rule *r, size_t from, size_t to, int cond,
			      struct sbuf *err)
{
	int zh = 0, other = 0;
	for (size_t j = from; j < to; j++) {
		const struct pattern *p = &r->pats[j];
		if (p->negative || (cond != -2 && p->cond != cond))
			continue;
		if (strcmp(p->lang, "zh") == 0)
			zh = 1;
		else
			other = 1;
	}
	size_t before = err->len;
	struct alt a = {.only_zh = zh && !other};
	/* the needles of every pattern serve the variant without zh ones too */
	a.re = compile_union(kb, r, from, to, 0, cond, 0, &a.need, err);
	if (zh && other && err->len == before)	/* a broken pattern is reported once */
		a.no_zh = compile_union(kb, r, from, to, 0, cond, 1, NULL, err);
	return a;
}

/* Positive patterns become one group per run of equal conditions. */
static void compile_groups(struct kb *kb, struct rule *r, struct sbuf *err)
{
	size_t j = 0;
	while (j < r->npats) {
		if (r->pats[j].negative) {
			j++;
			continue;
		}
		int cond = r->pats[j].cond;
		size_t end = j;
		while (end < r->npats && (r->pats[end].negative || r->pats[end].cond == cond))
			end++;
		struct alt a = compile_alt(kb, r, j, end, cond, err);
		if (a.re) {
			r->groups = xrealloc(r->groups, (r->ngroups + 1) * sizeof *r->groups);
			r->groups[r->ngroups++] = (struct pattern_group){.cond = cond, .alt = a};
		}
		j = end;
	}
}

void kb_compile_rule(struct kb *kb, struct rule *r, struct sbuf *err)
{
	if (r->kind == RULE_DEFINE)
		r->any = compile_alt(kb, r, 0, r->npats, -2, err);
	else
		compile_groups(kb, r, err);
	r->none = compile_union(kb, r, 0, r->npats, 1, -2, 0, &r->none_need, err);
}

struct regex *kb_compile_expanded(const struct kb *kb, const char *src, const struct pattern *at,
				  struct needles *need, struct sbuf *err)
{
	struct sbuf re = {0};
	struct regex *c = NULL;
	if (expand(kb, src, &re, 0, at, err) == 0)
		c = compile_or_reuse(kb, sbuf_str(&re), at, need, err);
	sbuf_free(&re);
	return c;
}
