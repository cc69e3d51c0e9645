/* kb — loading orchestration, lookups and teardown; see kb.h. */
#include "kb.h"
#include "lang.h"

#include <dirent.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits that keep a hostile 4096-character message from making a pattern
 * backtrack for long: hitting one counts as no match (classify logs it). */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 5000
#define HEAP_LIMIT_KB 2048

const char *const kb_ui_topics[] = {"start", "fallback", "footer", "ask_carrier", "ask_plan",
				    "carriers", "carrier_overview", "stale_button", "lang_prompt",
				    "lang_set", "answered_above", "admin_only",
				    /* the dialog's own; cues' texts are named in intents/ */
				    "other_brand", "plan_noted", "lang_auto", "same_answer",
				    "mention_howto", NULL};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int list_files(const char *dir, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **v = NULL;
	size_t cnt = 0, sl = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= sl || strcmp(e->d_name + len - sl, suffix) != 0)
			continue;
		v = xrealloc(v, (cnt + 1) * sizeof *v);
		v[cnt++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof *v, cmp_str);	/* file order must not depend on readdir */
	*out = v;
	*n = cnt;
	return 0;
}

const char *kb_add_file(struct kb *kb, const char *path)
{
	size_t len = 0;
	char *data = read_file(path, &len);
	kb->files = xrealloc(kb->files, (kb->nfiles + 1) * sizeof *kb->files);
	kb->file_hashes = xrealloc(kb->file_hashes, (kb->nfiles + 1) * sizeof *kb->file_hashes);
	kb->file_hashes[kb->nfiles] = data ? fnv1a(data, len, FNV1A_INIT) : 0;
	free(data);
	kb->files[kb->nfiles] = xstrdup(path);
	return kb->files[kb->nfiles++];
}

int kb_read_ini(struct kb *kb, const char *path, int (*handler)(void *, const char *,
		const char *, const char *), struct kb_ini *x, struct sbuf *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		sbuf_addf(err, "%s: cannot open\n", path);
		return -1;
	}
	struct line_reader rd = {.fp = fp, .split_long = 1};
	x->kb = kb;
	x->file = kb_add_file(kb, path);
	x->reader = &rd;
	x->err = err;
	x->errors = 0;
	int rc = ini_parse_stream(line_reader_next, &rd, handler, x);
	line_reader_free(&rd);
	fclose(fp);
	if (rd.long_line) {
		sbuf_addf(err, "%s:%d: line too long to split safely: continue it on an "
			  "indented line\n", path, rd.long_line);
		x->errors++;
	}
	if (rc > 0 && !x->errors) {
		sbuf_addf(err, "%s:%d: not a [section] or key = value line\n", path, rc);
		x->errors++;
	}
	x->reader = NULL;
	return x->errors ? -1 : 0;
}

static int find_file(const struct kb *kb, const char *path)
{
	for (size_t i = 0; i < kb->nfiles; i++)
		if (strcmp(kb->files[i], path) == 0)
			return (int)i;
	return -1;
}

static void list_part(struct sbuf *out, const char *what, struct sbuf *names)
{
	if (names->len)
		sbuf_addf(out, "%s%s: %s", out->len ? "; " : "", what, sbuf_str(names));
	sbuf_free(names);
}

void kb_diff_files(const struct kb *old, const struct kb *new, struct sbuf *out)
{
	struct sbuf changed = {0}, added = {0}, removed = {0}, all = {0};
	for (size_t i = 0; i < new->nfiles; i++) {
		int j = old ? find_file(old, new->files[i]) : -1;
		struct sbuf *b = j < 0 ? &added : old->file_hashes[j] != new->file_hashes[i] ? &changed : NULL;
		if (b)
			sbuf_addf(b, "%s%s", b->len ? ", " : "", new->files[i]);
	}
	for (size_t i = 0; old && i < old->nfiles; i++)
		if (find_file(new, old->files[i]) < 0)
			sbuf_addf(&removed, "%s%s", removed.len ? ", " : "", old->files[i]);
	list_part(&all, "changed", &changed);
	list_part(&all, "added", &added);
	list_part(&all, "removed", &removed);
	sbuf_adds(out, all.len ? sbuf_str(&all) : "no file changed");
	sbuf_free(&all);
}

/* Classification tries intents from the highest priority down and stops
 * below the first priority that matched, which gives the same winner as
 * trying them all. */
static const struct kb *sort_kb;

static int cmp_priority(const void *a, const void *b)
{
	const struct rule *ra = &sort_kb->rules[*(const size_t *)a];
	const struct rule *rb = &sort_kb->rules[*(const size_t *)b];
	if (ra->priority != rb->priority)
		return rb->priority - ra->priority;
	return ra->order - rb->order;
}

static void order_intents(struct kb *kb)
{
	kb->intent_order = xcalloc(kb->nrules, sizeof *kb->intent_order);
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == RULE_INTENT)
			kb->intent_order[kb->nintent_order++] = i;
	sort_kb = kb;
	qsort(kb->intent_order, kb->nintent_order, sizeof *kb->intent_order, cmp_priority);
	sort_kb = NULL;
}

static uint64_t answer_hash(const char *topic, const char *carrier, const char *plan,
			    const char *lang)
{
	const char *parts[] = {topic, carrier ? carrier : "", plan ? plan : "", lang};
	uint64_t h = FNV1A_INIT;
	for (size_t i = 0; i < 4; i++)	/* with the NUL: "ab","c" != "a","bc" */
		h = fnv1a(parts[i], strlen(parts[i]) + 1, h);
	return h;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int answer_is(const struct answer *a, const char *topic, const char *carrier,
		     const char *plan, const char *lang)
{
	return strcmp(a->topic, topic) == 0 && strcmp(a->lang, lang) == 0 &&
	       same(a->carrier, carrier) && same(a->plan, plan);
}

/* Answering looks up to four keys per reply: a table instead of a scan of
 * every answer file section. The first section with a key wins, as in the
 * scan (kb_check reports duplicates). */
static void index_answers(struct kb *kb)
{
	size_t cap = 16;
	while (cap < kb->nanswers * 2)
		cap *= 2;
	kb->answer_index = xcalloc(cap, sizeof *kb->answer_index);
	kb->answer_index_cap = cap;
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		size_t k = (size_t)answer_hash(a->topic, a->carrier, a->plan, a->lang) & (cap - 1);
		int dup = 0;
		for (; kb->answer_index[k]; k = (k + 1) & (cap - 1))
			if (answer_is(&kb->answers[kb->answer_index[k] - 1], a->topic, a->carrier,
				      a->plan, a->lang))
				dup = 1;
		if (!dup)
			kb->answer_index[k] = (uint32_t)(i + 1);
	}
}

struct kb *kb_load(const char *intents_dir, const char *responses_dir,
		   const struct kb_load_opts *opts, struct sbuf *err, struct sbuf *warn)
{
	struct kb *kb = xcalloc(1, sizeof *kb);
	kb->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(kb->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(kb->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(kb->mctx, HEAP_LIMIT_KB);
	kb->jit_stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
	pcre2_jit_stack_assign(kb->mctx, NULL, kb->jit_stack);
	size_t before = err->len;
	kb->responses_dir = xstrdup(responses_dir);
	int rc = kb_load_intents(kb, intents_dir, err);
	rc |= kb_load_responses(kb, responses_dir, err);
	if (rc == 0)
		index_answers(kb);
	if (rc == 0)
		rc = kb_check(kb, opts, err, warn);
	if (rc == 0)
		order_intents(kb);
	if (rc != 0 || err->len != before) {
		kb_free(kb);
		return NULL;
	}
	return kb;
}

static void alt_free(struct alt *a)
{
	pcre2_code_free(a->re);
	pcre2_code_free(a->no_zh);
	needles_free(&a->need);
}

static void free_rule(struct rule *r)
{
	for (size_t j = 0; j < r->npats; j++) {
		free(r->pats[j].src);
		pcre2_code_free(r->pats[j].alone);
	}
	free(r->pats);
	for (size_t j = 0; j < r->nconds; j++) {
		for (size_t k = 0; k < r->conds[j].n; k++)
			free(r->conds[j].clauses[k].atoms);
		free(r->conds[j].clauses);
		free(r->conds[j].src);
	}
	free(r->conds);
	for (size_t j = 0; j < r->ngroups; j++)
		alt_free(&r->groups[j].alt);
	free(r->groups);
	alt_free(&r->any);
	pcre2_code_free(r->none);
	free(r->answer);
	free(r->also);
	free(r->replaces);
	free(r->id);
}

void kb_free(struct kb *kb)
{
	if (!kb)
		return;
	for (size_t i = 0; i < kb->nrules; i++)
		free_rule(&kb->rules[i]);
	free(kb->rules);
	for (size_t i = 0; i < kb->nfacts; i++) {
		for (size_t j = 0; j < kb->facts[i].n; j++) {
			free(kb->facts[i].v[j].key);
			free(kb->facts[i].v[j].value);
		}
		free(kb->facts[i].v);
		free(kb->facts[i].id);
	}
	free(kb->facts);
	for (size_t i = 0; i < kb->nanswers; i++) {
		struct answer *a = &kb->answers[i];
		free(a->topic);
		free(a->carrier);
		free(a->plan);
		free(a->text);
	}
	free(kb->answers);
	free(kb->answer_index);
	for (size_t i = 0; i < kb->nfiles; i++)
		free(kb->files[i]);
	free(kb->files);
	free(kb->file_hashes);
	free(kb->responses_dir);
	pcre2_code_free(kb->carrier_destination);
	free(kb->intent_order);
	pcre2_match_context_free(kb->mctx);
	pcre2_jit_stack_free(kb->jit_stack);
	free(kb);
}

const struct rule *kb_rule(const struct kb *kb, enum rule_kind kind, const char *id)
{
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == kind && strcmp(kb->rules[i].id, id) == 0)
			return &kb->rules[i];
	return NULL;
}

const struct facts *kb_facts(const struct kb *kb, const char *id)
{
	for (size_t i = 0; id && i < kb->nfacts; i++)
		if (strcmp(kb->facts[i].id, id) == 0)
			return &kb->facts[i];
	return NULL;
}

const char *facts_get(const struct facts *f, const char *key, const char *lang)
{
	if (!f)
		return NULL;
	lang = lang ? lang_answers(lang) : NULL;	/* "zh-Hant" reads the zh facts */
	size_t kl = strlen(key);
	const char *plain = NULL;
	for (size_t i = 0; i < f->n; i++) {
		const char *k = f->v[i].key;
		if (strncmp(k, key, kl) != 0)
			continue;
		if (k[kl] == '\0')
			plain = f->v[i].value;
		else if (lang && k[kl] == '.' && strcmp(k + kl + 1, lang) == 0)
			return f->v[i].value;
	}
	return plain;
}

static const struct answer *find_exact(const struct kb *kb, const char *topic,
				       const char *carrier, const char *plan, const char *lang)
{
	size_t cap = kb->answer_index_cap;
	if (!cap)
		return NULL;
	size_t k = (size_t)answer_hash(topic, carrier, plan, lang) & (cap - 1);
	for (; kb->answer_index[k]; k = (k + 1) & (cap - 1)) {
		const struct answer *a = &kb->answers[kb->answer_index[k] - 1];
		if (answer_is(a, topic, carrier, plan, lang))
			return a;
	}
	return NULL;
}

const struct answer *kb_answer(const struct kb *kb, const char *topic, const char *carrier,
			       const char *plan, const char *lang)
{
	const struct answer *a = NULL;
	lang = lang_answers(lang);	/* a written variant reads its language's answers */
	if (carrier && plan)
		a = find_exact(kb, topic, carrier, plan, lang);
	if (!a && carrier)
		a = find_exact(kb, topic, carrier, NULL, lang);
	if (!a && plan)
		a = find_exact(kb, topic, NULL, plan, lang);
	if (!a)
		a = find_exact(kb, topic, NULL, NULL, lang);
	return a;
}

int kb_topic_asks_carrier(const struct kb *kb, const char *topic)
{
	const struct rule *r = kb_rule(kb, RULE_INTENT, topic);
	return r ? r->asks_carrier : 0;
}

int kb_topic_depends_on_plan(const struct kb *kb, const char *topic, const char *carrier)
{
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		if (a->plan && a->carrier && strcmp(a->topic, topic) == 0 && same(a->carrier, carrier))
			return 1;
	}
	return 0;
}
