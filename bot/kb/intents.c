/* intents — reads the intents/ .ini files into rules and has their
 * patterns compiled (regex.c).
 *
 * Two passes, because a pattern may use a {name} defined in another file:
 * first every file is read into rules holding pattern source, then macros
 * are expanded and everything is compiled, errors carrying file:line. */
#include "loader.h"

#include <ini.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char *const kind_names[RULE_KIND_COUNT] = {"intent", "carrier", "plan", "veto",
							 "define", "cue"};

struct intents_ctx {
	struct kb_ini in;	/* first: kb_read_ini fills it */
	char cur_section[128];
	int cur_header;		/* its header's line */
	struct rule *cur;
	int cur_cond;		/* the section's last `when`, or -1 */
};

static int fail_at(struct intents_ctx *x, int line, const char *fmt, const char *a)
{
	sbuf_addf(x->in.err, "%s:%d: ", x->in.file, line);
	sbuf_addf(x->in.err, fmt, a);
	sbuf_addc(x->in.err, '\n');
	x->in.errors++;
	return 1;
}

static int fail(struct intents_ctx *x, const char *fmt, const char *a)
{
	return fail_at(x, x->in.reader->line, fmt, a);
}

/* The line of the section being started: its header's. */
static int header_line(const struct intents_ctx *x)
{
	const struct line_reader *r = x->in.reader;
	return r->section_line ? r->section_line : r->line;
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
		fail_at(x, header_line(x), "section [%s]: want [KIND id], e.g. [intent cancel]", section);
		return NULL;
	}
	int k = -1;
	for (int i = 0; i < RULE_KIND_COUNT; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			k = i;
	if (k < 0) {
		fail_at(x, header_line(x), "unknown kind '%s' (want intent, carrier, plan, veto, define or cue)", kind);
		return NULL;
	}
	if (!valid_id(id)) {
		fail_at(x, header_line(x), "id '%s' must be lower-case letters, digits and _", id);
		return NULL;
	}
	if (strlen(id) > KB_ID_MAX) {
		/* conversation memory and replies keep ids in fixed buffers: a
		 * longer one would be cut and then match nothing */
		char msg[160];
		snprintf(msg, sizeof msg, "id '%%s' has %zu bytes; at most %d", strlen(id), KB_ID_MAX);
		fail_at(x, header_line(x), msg, id);
		return NULL;
	}
	const struct rule *first = kb_rule(x->in.kb, (enum rule_kind)k, id);
	if (first) {
		char msg[400];
		snprintf(msg, sizeof msg, "[%%s] is defined twice (first at %s:%d)", first->file,
			 first->line);
		fail_at(x, header_line(x), msg, section);
		return NULL;
	}
	struct kb *kb = x->in.kb;
	kb->rules = xrealloc(kb->rules, (kb->nrules + 1) * sizeof *kb->rules);
	struct rule *r = &kb->rules[kb->nrules];
	memset(r, 0, sizeof *r);
	r->kind = (enum rule_kind)k;
	r->id = xstrdup(id);
	r->file = x->in.file;
	r->line = header_line(x);
	r->order = (int)kb->nrules++;
	kb->counts[k]++;
	return r;
}

/* The yes/no keys of a [veto] (docs/admin.md), each an int of struct rule. */
static const struct {
	const char *key;
	size_t off;
} veto_flags[] = {
	{"even_with_carrier", offsetof(struct rule, even_with_carrier)},
	{"silence_model", offsetof(struct rule, silences_model)},
	{"hold_topic", offsetof(struct rule, holds_topic)},
};

/* The keys of a [cue] (checked against the answers in kb_check). 1 when
 * name is one of them. `more`: the rest of a line too long for inih, which
 * the line reader hands on as a continuation of the same key (a long
 * `replaces` list lost its head to its tail before). */
static int cue_key(struct rule *r, const char *name, const char *value, int more)
{
	char **slot = !strcmp(name, "answer") ? &r->answer : !strcmp(name, "also") ? &r->also :
		      !strcmp(name, "replaces") ? &r->replaces : !strcmp(name, "keeps") ? &r->keeps :
		      NULL;
	if (slot) {
		char *v = more && *slot ? xasprintf("%s%s", *slot, value) : xstrdup(value);
		free(*slot);
		*slot = v;
		return 1;
	}
	if (!strcmp(name, "when_asked")) {
		r->asked = !strcmp(value, "carrier") ? 1 : !strcmp(value, "plan") ? 2 : 0;
		return 1;
	}
	if (!strcmp(name, "stands_for")) {
		r->brand = !strcmp(value, "carrier");
		r->plan_stated = !strcmp(value, "plan");
		r->correction = !strcmp(value, "correction");
		r->question = !strcmp(value, "question");
		r->own_line = !strcmp(value, "own_line");
		r->parking = !strcmp(value, "parking");
		r->owner = !strcmp(value, "owner_self") || !strcmp(value, "line_self") ? 1
			   : !strcmp(value, "owner_other") || !strcmp(value, "line_other") ? 2 : 0;
		r->recall = !strncmp(value, "line_", 5) && r->owner;
		return 1;
	}
	return 0;
}

static int on_line(void *user, const char *section, const char *name, const char *value)
{
	struct intents_ctx *x = user;
	/* a new header, also one repeating the header just before it (inih
	 * gives both the same section name: they merged silently) */
	if (strcmp(section, x->cur_section) != 0 || !*section || header_line(x) != x->cur_header) {
		snprintf(x->cur_section, sizeof x->cur_section, "%s", section);
		x->cur_header = header_line(x);
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
		if ((r->kind != RULE_INTENT && r->kind != RULE_CUE) || parse_i64(value, &p) < 0 ||
		    p < 0 || p > 1000)
			return fail(x, "priority '%s': only intents and cues have one, 0 to 1000", value);
		r->priority = (int)p;
		return 1;
	}
	if (strcmp(name, "ask") == 0) {
		if (r->kind != RULE_INTENT || (strcmp(value, "carrier") && strcmp(value, "after")))
			return fail(x, "ask '%s': intents only, 'carrier' or 'after'", value);
		r->asks_carrier = strcmp(value, "after") == 0 ? 2 : 1;
		return 1;
	}
	if (strcmp(name, "implied") == 0) {
		if (r->kind != RULE_PLAN || (strcmp(value, "said") && strcmp(value, "unsaid")))
			return fail(x, "implied '%s': plans only, 'said' or 'unsaid'", value);
		r->implied_said = strcmp(value, "said") == 0;
		return 1;
	}
	for (size_t i = 0; i < sizeof veto_flags / sizeof veto_flags[0]; i++) {
		if (strcmp(name, veto_flags[i].key))
			continue;
		if (r->kind != RULE_VETO || (strcmp(value, "yes") && strcmp(value, "no"))) {
			char key[96];
			snprintf(key, sizeof key, "%s '%s'", name, value);
			return fail(x, "%s: vetoes only, yes or no", key);
		}
		*(int *)((char *)r + veto_flags[i].off) = strcmp(value, "yes") == 0;
		return 1;
	}
	if (strcmp(name, "groups") == 0) {
		if ((r->kind != RULE_INTENT && r->kind != RULE_CUE) ||
		    (strcmp(value, "auto") && strcmp(value, "addressed") && strcmp(value, "private")))
			return fail(x, "groups '%s': intents and cues, auto, addressed or private", value);
		r->addressed_only = strcmp(value, "auto") != 0;
		r->private_only = strcmp(value, "private") == 0;
		return 1;
	}
	if (cue_key(r, name, value, x->in.reader->split))
		return r->kind == RULE_CUE ? 1 : fail(x, "'%s' is a key of cues only", name);
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
	int neg = strcmp(name, "not") == 0, typo = strcmp(name, "typo") == 0;
	if (!neg && !typo && strcmp(name, "en") && strcmp(name, "zh") && strcmp(name, "any"))
		return fail(x, "unknown key '%s' (want en, zh, any, not, typo, when, priority, groups, ask; vetoes: even_with_carrier, silence_model, hold_topic; cues: answer, also, replaces, keeps, when_asked, stands_for)",
			    name);
	if (!*value)
		return fail(x, "empty pattern for '%s'", name);
	/* a carrier's name, made into its misspellings once the line is whole
	 * (expand_typos: a long line comes in pieces) */
	if (typo && r->kind != RULE_CARRIER)
		return fail(x, "typo '%s': carriers only", value);
	r->pats = xrealloc(r->pats, (r->npats + 1) * sizeof *r->pats);
	struct pattern *p = &r->pats[r->npats++];
	memset(p, 0, sizeof *p);
	p->src = xstrdup(value);
	p->file = x->in.file;
	p->line = x->in.reader->line;
	p->negative = neg;
	p->typo = typo;
	p->cond = neg ? -1 : x->cur_cond;
	snprintf(p->lang, sizeof p->lang, "%s", neg || typo ? "any" : name);
	return 1;
}

static int read_file_rules(struct kb *kb, const char *path, struct sbuf *err)
{
	struct intents_ctx x = {.cur_cond = -1};
	return kb_read_ini(kb, path, on_line, &x.in, err);
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

/* Compiling the rules (expansion, PCRE2 and its JIT) is most of a reload.
 * A rule's compilation reads only pattern sources and writes only that
 * rule, so the cores share the work: each thread takes the next rule from a
 * counter. Every rule has its own error buffer, joined in file order, so
 * the messages do not depend on which thread was faster. */
struct compile_job {
	struct kb *kb;
	struct sbuf *errs;	/* one per rule */
	atomic_size_t next;
};

static void compile_one(struct kb *kb, struct rule *r, struct sbuf *err)
{
	for (size_t c = 0; c < r->nconds; c++)
		resolve_cond(kb, &r->conds[c], err);
	kb_compile_rule(kb, r, err);
	if (!r->any.re && !r->ngroups && err->len == 0)
		sbuf_addf(err, "%s:%d: [%s] has no patterns\n", r->file, r->line, r->id);
}

static void *compile_worker(void *arg)
{
	struct compile_job *job = arg;
	size_t i;
	needle_memo_begin();
	while ((i = atomic_fetch_add(&job->next, 1)) < job->kb->nrules)
		compile_one(job->kb, &job->kb->rules[i], &job->errs[i]);
	needle_memo_end();
	return NULL;
}

/* Helpers only from three cores up: on two, a reload's helper takes the
 * core the poll loop answers on (the reload thread already has the other),
 * and measured on the 2-core bench machine one helper bought no load time
 * (reload 1330-1460 ms with, 1070-1460 ms without) while its stack and
 * allocations cost 0.3-0.6 MB of the bot's peak RSS. */
enum { MAX_COMPILE_HELPERS = 3, MIN_CORES_FOR_HELPERS = 3 };

static void compile_rules(struct kb *kb, struct sbuf *err)
{
	struct compile_job job = {.kb = kb, .errs = xcalloc(kb->nrules + 1, sizeof *job.errs)};
	atomic_init(&job.next, 0);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cores >= MIN_CORES_FOR_HELPERS ? (size_t)cores - 1 : 0, started = 0;
	if (want > MAX_COMPILE_HELPERS)
		want = MAX_COMPILE_HELPERS;
	pthread_t helpers[MAX_COMPILE_HELPERS];
	/* helpers block every signal, so SIGTERM or SIGHUP still interrupts the
	 * thread that waits in poll() */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (started < want && kb->nrules > started + 1 &&
	       pthread_create(&helpers[started], NULL, compile_worker, &job) == 0)
		started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	compile_worker(&job);	/* with no helper, this thread does it all */
	for (size_t t = 0; t < started; t++)
		pthread_join(helpers[t], NULL);
	for (size_t i = 0; i < kb->nrules; i++) {
		if (job.errs[i].len)
			sbuf_add(err, job.errs[i].p, job.errs[i].len);
		sbuf_free(&job.errs[i]);
	}
	free(job.errs);
}

/* Every needle set of the rules into one index (prefilter.h). */
static void index_needles(struct kb *kb)
{
	size_t n = 0, cap = 3;	/* and the sides of a mention (carrier_destination, _origin, _negated) */
	for (size_t i = 0; i < kb->nrules; i++)
		cap += kb->rules[i].ngroups + 2;
	struct needles **sets = xcalloc(cap, sizeof *sets);
	for (size_t i = 0; i < kb->nrules; i++) {
		struct rule *r = &kb->rules[i];
		for (size_t g = 0; g < r->ngroups; g++)
			sets[n++] = &r->groups[g].alt.need;
		sets[n++] = &r->any.need;
		sets[n++] = &r->none_need;
	}
	sets[n++] = &kb->destination_need;
	sets[n++] = &kb->origin_need;
	sets[n++] = &kb->negated_need;
	needle_index_build(&kb->needles, sets, n);
	free(sets);
}

/* Each `typo = NAME` pattern's source made into NAME's misspellings (typo.c).
 * 0, or -1 after reporting the names it refused. */
static int expand_typos(struct kb *kb, struct sbuf *err)
{
	int rc = 0;
	for (size_t i = 0; i < kb->nrules; i++)
		for (size_t j = 0; j < kb->rules[i].npats; j++) {
			struct pattern *p = &kb->rules[i].pats[j];
			if (!p->typo)
				continue;
			char *src = kb_typo_pattern(p->src);
			if (!src) {
				sbuf_addf(err, "%s:%d: typo '%s': want [lookbehinds]name[lookaheads], the name in lower-case letters and digits with a word of 5 letters or more\n",
					  p->file, p->line, p->src);
				rc = -1;
				continue;
			}
			free(p->src);
			p->src = src;
		}
	return rc;
}

int kb_load_intents(struct kb *kb, const char *const dirs[KB_LAYERS], struct sbuf *err)
{
	char **paths, **names;
	size_t n;
	if (list_overlay(dirs, KB_LAYERS, ".ini", &paths, &names, &n) < 0) {
		sbuf_addf(err, "%s: cannot read the intents directory\n", dirs[0]);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		rc |= read_file_rules(kb, paths[i], err);
	free_list(paths, n);
	free_list(names, n);
	if (n == 0) {
		sbuf_addf(err, "%s: no .ini files\n", dirs[0]);
		return -1;
	}
	if (rc || expand_typos(kb, err))
		return -1;	/* compiling half-read files would only add noise */
	size_t before = err->len;
	compile_rules(kb, err);
	/* the words just before a carrier name that say which side of a move it
	 * is on; matched against the text before the name, so they end there */
	const struct {
		const char *define, *pattern;
		struct regex **re;
		struct needles *need;
	} sides[] = {
		{"carrier_destination", "(?:{carrier_destination})$", &kb->carrier_destination,
		 &kb->destination_need},
		{"carrier_origin", "(?:{carrier_origin})$", &kb->carrier_origin, &kb->origin_need},
		{"carrier_negated", "(?:{carrier_negated})$", &kb->carrier_negated, &kb->negated_need},
	};
	for (size_t i = 0; i < ARRAY_LEN(sides) && err->len == before; i++) {
		const struct rule *d = kb_rule(kb, RULE_DEFINE, sides[i].define);
		if (d)
			*sides[i].re = kb_compile_expanded(kb, sides[i].pattern, &d->pats[0],
							   sides[i].need, err);
	}
	if (err->len == before) {
		kb_index_regexes(kb);
		index_needles(kb);
	}
	return (rc || err->len != before) ? -1 : 0;
}
