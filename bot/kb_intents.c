/* kb_intents — reads the intents/ .ini files into rules and compiles their patterns.
 *
 * Two passes, because a pattern may use a {name} defined in another file:
 * first every file is read into rules holding pattern source, then macros
 * are expanded and everything is compiled, errors carrying file:line. */
#include "kb.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_START "(?<![a-z0-9])"	/* what {b} before a word becomes */

#define MAX_EXPANSION_DEPTH 6

static const char *const kind_names[RULE_KIND_COUNT] = {"intent", "carrier", "plan", "veto",
							 "define"};

struct intents_ctx {
	struct kb_ini in;	/* first: kb_read_ini fills it */
	char cur_section[128];
	struct rule *cur;
	int cur_cond;		/* the section's last `when`, or -1 */
};

static int fail(struct intents_ctx *x, const char *fmt, const char *a)
{
	sbuf_addf(x->in.err, "%s:%d: ", x->in.file, x->in.reader->line);
	sbuf_addf(x->in.err, fmt, a);
	sbuf_addc(x->in.err, '\n');
	x->in.errors++;
	return 1;
}

static int valid_id(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static struct rule *start_rule(struct intents_ctx *x, const char *section)
{
	char kind[32], id[96];
	if (sscanf(section, "%31s %95s", kind, id) != 2) {
		fail(x, "section [%s]: want [KIND id], e.g. [intent cancel]", section);
		return NULL;
	}
	int k = -1;
	for (int i = 0; i < RULE_KIND_COUNT; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			k = i;
	if (k < 0) {
		fail(x, "unknown kind '%s' (want intent, carrier, plan, veto or define)", kind);
		return NULL;
	}
	if (!valid_id(id)) {
		fail(x, "id '%s' must be lower-case letters, digits and _", id);
		return NULL;
	}
	if (kb_rule(x->in.kb, (enum rule_kind)k, id)) {
		fail(x, "[%s] is defined twice", section);
		return NULL;
	}
	struct kb *kb = x->in.kb;
	kb->rules = xrealloc(kb->rules, (kb->nrules + 1) * sizeof *kb->rules);
	struct rule *r = &kb->rules[kb->nrules];
	memset(r, 0, sizeof *r);
	r->kind = (enum rule_kind)k;
	r->id = xstrdup(id);
	r->file = x->in.file;
	r->line = x->in.reader->line;
	r->order = (int)kb->nrules++;
	kb->counts[k]++;
	return r;
}

static int on_line(void *user, const char *section, const char *name, const char *value)
{
	struct intents_ctx *x = user;
	if (strcmp(section, x->cur_section) != 0 || !*section) {
		snprintf(x->cur_section, sizeof x->cur_section, "%s", section);
		x->cur = *section ? start_rule(x, section) : NULL;
		x->cur_cond = -1;
		if (!*section)
			return fail(x, "key '%s' before any [section]", name);
	}
	struct rule *r = x->cur;
	if (!r)
		return 1;	/* the section's own error was reported */
	if (strcmp(name, "priority") == 0) {
		int64_t p;
		if (r->kind != RULE_INTENT || parse_i64(value, &p) < 0 || p < 0 || p > 1000)
			return fail(x, "priority '%s': only intents have one, 0 to 1000", value);
		r->priority = (int)p;
		return 1;
	}
	if (strcmp(name, "ask") == 0) {
		if (r->kind != RULE_INTENT || strcmp(value, "carrier"))
			return fail(x, "ask '%s': intents only, and only 'carrier'", value);
		r->asks_carrier = 1;
		return 1;
	}
	if (strcmp(name, "groups") == 0) {
		if (r->kind != RULE_INTENT || (strcmp(value, "auto") && strcmp(value, "addressed")))
			return fail(x, "groups '%s': intents only, auto or addressed", value);
		r->addressed_only = strcmp(value, "addressed") == 0;
		return 1;
	}
	if ((x->in.reader->split || x->in.reader->indented) && r->npats) {
		/* the rest of a long line, or an indented line: same pattern */
		struct pattern *last = &r->pats[r->npats - 1];
		char *joined = xasprintf("%s%s", last->src, value);
		free(last->src);
		last->src = joined;
		return 1;
	}
	if (strcmp(name, "when") == 0) {
		if (r->kind == RULE_DEFINE)
			return fail(x, "'when' is for intents, carriers, plans and vetoes, not %s", "defines");
		if (strcmp(value, "always") == 0) {
			x->cur_cond = -1;
			return 1;
		}
		r->conds = xrealloc(r->conds, (r->nconds + 1) * sizeof *r->conds);
		r->conds[r->nconds] = (struct cond){.src = xstrdup(value), .file = x->in.file,
						    .line = x->in.reader->line};
		x->cur_cond = (int)r->nconds++;
		return 1;
	}
	int neg = strcmp(name, "not") == 0;
	if (!neg && strcmp(name, "en") && strcmp(name, "zh") && strcmp(name, "any"))
		return fail(x, "unknown key '%s' (want en, zh, any, not, when, priority, groups or ask)",
			    name);
	if (!*value)
		return fail(x, "empty pattern for '%s'", name);
	r->pats = xrealloc(r->pats, (r->npats + 1) * sizeof *r->pats);
	struct pattern *p = &r->pats[r->npats++];
	memset(p, 0, sizeof *p);
	p->src = xstrdup(value);
	p->file = x->in.file;
	p->line = x->in.reader->line;
	p->negative = neg;
	p->cond = neg ? -1 : x->cur_cond;
	snprintf(p->lang, sizeof p->lang, "%s", neg ? "any" : name);
	return 1;
}

static int read_file_rules(struct kb *kb, const char *path, struct sbuf *err)
{
	struct intents_ctx x = {.cur_cond = -1};
	return kb_read_ini(kb, path, on_line, &x.in, err);
}

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

/* Appends src to out with each {name} replaced by (?:definition). */
static int expand(const struct kb *kb, const char *src, struct sbuf *out, int depth,
		  const struct pattern *at, struct sbuf *err);

static int expand_rule_union(const struct kb *kb, enum rule_kind kind, struct sbuf *out,
			     int depth, const struct pattern *at, struct sbuf *err)
{
	int first = 1, rc = 0;
	sbuf_adds(out, "(?:");
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		if (r->kind != kind)
			continue;
		for (size_t j = 0; j < r->npats; j++) {
			if (r->pats[j].negative)
				continue;
			if (!first)
				sbuf_addc(out, '|');
			first = 0;
			rc |= expand(kb, r->pats[j].src, out, depth + 1, at, err);
		}
	}
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
		sbuf_adds(out, "(?:");
		for (size_t j = 0; j < d->npats; j++) {
			if (j)
				sbuf_addc(out, '|');
			rc |= expand(kb, d->pats[j].src, out, depth + 1, at, err);
		}
		sbuf_addc(out, ')');
	}
	return rc;
}

static pcre2_code *compile_jit(const char *re, const struct pattern *at, struct sbuf *err,
			       int jit);

static pcre2_code *compile(const char *re, const struct pattern *at, struct sbuf *err)
{
	return compile_jit(re, at, err, 1);
}

/* One pattern on its own: only `explain` runs these, so no JIT code (it
 * would double the bot's private memory for nothing). */
static pcre2_code *compile_alone(const char *re, const struct pattern *at, struct sbuf *err)
{
	return compile_jit(re, at, err, 0);
}

static pcre2_code *compile_jit(const char *re, const struct pattern *at, struct sbuf *err,
			       int jit)
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
		return NULL;
	}
	/* CANCELBOT_NO_JIT=1 is for valgrind, which cannot follow JIT code and
	 * reports false errors in it; classify falls back to the interpreter */
	static int no_jit = -1;
	if (no_jit < 0)
		no_jit = getenv("CANCELBOT_NO_JIT") && *getenv("CANCELBOT_NO_JIT") == '1';
	if (!no_jit && jit)
		pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	return c;
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

/* Sorts the top-level alternatives of an expanded pattern: those that start
 * at the edge of a word (most do, with {b}) lose that check, to share one
 * in front of them all; the others stay as they are. PCRE2 tries every
 * alternative at each position a match could start, so the shared check
 * turns most of them away at once, in the middle of a word. The same
 * strings match. */
static void sort_branches(const char *re, struct sbuf *word_start, struct sbuf *anywhere)
{
	size_t ws = strlen(WORD_START);
	for (const char *p = re;;) {
		const char *end = branch_end(p);
		int edge = strncmp(p, WORD_START, ws) == 0 && (size_t)(end - p) > ws;
		struct sbuf *to = edge ? word_start : anywhere;
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

/* The alternation of a rule's patterns from..to-1 that are negative (or
 * not), have condition cond (-2: any condition) and, with no_zh, are not zh
 * patterns; NULL when there is none. Only when it does not compile is each
 * pattern compiled alone, so the error names the line at fault (compiling
 * every pattern alone up front cost a seventh of each reload). */
static pcre2_code *compile_union(struct kb *kb, struct rule *r, size_t from, size_t to,
				 int negative, int cond, int no_zh, struct sbuf *err)
{
	struct sbuf all = {0}, word_start = {0}, anywhere = {0};
	const struct pattern *first = NULL;
	int bad = 0;
	for (size_t j = from; j < to; j++) {
		const struct pattern *p = &r->pats[j];
		if (p->negative != negative || (cond != -2 && p->cond != cond) ||
		    (no_zh && strcmp(p->lang, "zh") == 0))
			continue;
		first = first ? first : p;
		struct sbuf one = {0};
		if (expand(kb, p->src, &one, 0, p, err) != 0)
			bad = 1;
		sort_branches(sbuf_str(&one), &word_start, &anywhere);
		sbuf_free(&one);
	}
	if (word_start.len) {	/* one check of the edge, then the branches */
		sbuf_adds(&all, WORD_START "(?:");
		sbuf_add(&all, word_start.p, word_start.len);
		sbuf_addc(&all, ')');
	}
	if (anywhere.len) {
		if (all.len)
			sbuf_addc(&all, '|');
		sbuf_add(&all, anywhere.p, anywhere.len);
	}
	sbuf_free(&word_start);
	sbuf_free(&anywhere);
	struct sbuf union_err = {0};
	pcre2_code *c = first && !bad ? compile(sbuf_str(&all), first, &union_err) : NULL;
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
	struct alt a = {.re = compile_union(kb, r, from, to, 0, cond, 0, err), .only_zh = zh && !other};
	if (zh && other && err->len == before)	/* a broken pattern is reported once */
		a.no_zh = compile_union(kb, r, from, to, 0, cond, 1, err);
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

/* `when = cancel, line|carrier` into clauses of atoms (rule indexes). */
static int resolve_cond(const struct kb *kb, struct cond *c, struct sbuf *err)
{
	char *copy = xstrdup(c->src), *save = NULL;
	int rc = 0;
	for (char *cl = strtok_r(copy, ",", &save); cl; cl = strtok_r(NULL, ",", &save)) {
		struct cond_clause k = {0};
		char *save2 = NULL;
		for (char *a = strtok_r(cl, "| ", &save2); a; a = strtok_r(NULL, "| ", &save2)) {
			int atom;
			const struct rule *d = kb_rule(kb, RULE_DEFINE, a);
			if (strcmp(a, "carrier") == 0)
				atom = COND_CARRIER;
			else if (strcmp(a, "plan") == 0)
				atom = COND_PLAN;
			else if (d)
				atom = (int)(d - kb->rules);
			else {
				sbuf_addf(err, "%s:%d: when: unknown '%s' (a [define], carrier or plan)\n",
					  c->file, c->line, a);
				rc = -1;
				continue;
			}
			k.atoms = xrealloc(k.atoms, (k.n + 1) * sizeof *k.atoms);
			k.atoms[k.n++] = atom;
		}
		c->clauses = xrealloc(c->clauses, (c->n + 1) * sizeof *c->clauses);
		c->clauses[c->n++] = k;
	}
	free(copy);
	return rc;
}

int kb_load_intents(struct kb *kb, const char *dir, struct sbuf *err)
{
	char **names;
	size_t n;
	if (list_files(dir, ".ini", &names, &n) < 0) {
		sbuf_addf(err, "%s: cannot read the intents directory\n", dir);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		rc |= read_file_rules(kb, path, err);
		free(path);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		sbuf_addf(err, "%s: no .ini files\n", dir);
		return -1;
	}
	if (rc)
		return -1;	/* compiling half-read files would only add noise */
	size_t before = err->len;
	for (size_t i = 0; i < kb->nrules; i++) {
		struct rule *r = &kb->rules[i];
		for (size_t c = 0; c < r->nconds; c++)
			resolve_cond(kb, &r->conds[c], err);
		if (r->kind == RULE_DEFINE)
			r->any = compile_alt(kb, r, 0, r->npats, -2, err);
		else
			compile_groups(kb, r, err);
		r->none = compile_union(kb, r, 0, r->npats, 1, -2, 0, err);
		if (!r->any.re && !r->ngroups && err->len == before)
			sbuf_addf(err, "%s:%d: [%s] has no patterns\n", r->file, r->line, r->id);
	}
	const struct rule *dest = kb_rule(kb, RULE_DEFINE, "carrier_destination");
	if (dest && err->len == before) {
		/* matched against the text before a carrier name, so it must end there */
		struct pattern at = dest->pats[0];
		struct sbuf re = {0};
		if (expand(kb, "(?:{carrier_destination})$", &re, 0, &at, err) == 0)
			kb->carrier_destination = compile(sbuf_str(&re), &at, err);
		sbuf_free(&re);
	}
	return (rc || err->len != before) ? -1 : 0;
}
