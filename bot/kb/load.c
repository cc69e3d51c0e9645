/* load — builds a knowledge base: files, intents, answers, index, checks,
 * intent order; see load.h. */
#include "load.h"
#include "loader.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Limits that keep a hostile 4096-character message from making a pattern
 * backtrack for long: hitting one counts as no match (classify logs it). */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 5000
#define HEAP_LIMIT_KB 2048

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

void kb_overlay_report(const struct kb *kb, const char *intents_dir, const char *responses_dir,
		       const char *admin_dir, struct sbuf *out)
{
	if (!admin_dir || !*admin_dir)
		return;
	size_t al = strlen(admin_dir);
	for (size_t i = 0; i < kb->nfiles; i++) {
		const char *f = kb->files[i];
		if (strncmp(f, admin_dir, al) != 0 || f[al] != '/')
			continue;
		const char *rel = f + al + 1, *base = NULL, *rest = NULL;
		if (strncmp(rel, "intents/", 8) == 0)
			base = intents_dir, rest = rel + 8;
		else if (strncmp(rel, "responses/", 10) == 0)
			base = responses_dir, rest = rel + 10;
		else
			continue;
		char *shipped = xasprintf("%s/%s", base, rest);
		if (access(shipped, F_OK) == 0)
			sbuf_addf(out, "%s: %s wins over %s\n", rel, f, shipped);
		else
			sbuf_addf(out, "%s: %s (added)\n", rel, f);
		free(shipped);
	}
}

/* Classification tries intents from the highest priority down and stops
 * below the first priority that matched, which gives the same winner as
 * trying them all. */
struct ranked {
	int priority, order;
	size_t rule;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *ra = a, *rb = b;
	if (ra->priority != rb->priority)
		return rb->priority - ra->priority;
	return ra->order - rb->order;
}

static void order_intents(struct kb *kb)
{
	struct ranked *v = xcalloc(kb->nrules + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == RULE_INTENT)
			v[n++] = (struct ranked){kb->rules[i].priority, kb->rules[i].order, i};
	qsort(v, n, sizeof *v, cmp_ranked);
	kb->intent_order = xcalloc(kb->nrules + 1, sizeof *kb->intent_order);
	for (size_t i = 0; i < n; i++)
		kb->intent_order[i] = v[i].rule;
	kb->nintent_order = n;
	free(v);
}

/* The rules for which kinds(kind) is true, in file order. */
static void list_rules(const struct kb *kb, struct rule_list *l, int (*kinds)(enum rule_kind))
{
	l->v = xcalloc(kb->nrules + 1, sizeof *l->v);
	for (size_t i = 0; i < kb->nrules; i++)
		if (kinds(kb->rules[i].kind))
			l->v[l->n++] = i;
}

static int is_mention(enum rule_kind k)
{
	return k == RULE_CARRIER || k == RULE_PLAN;
}

static int is_cue(enum rule_kind k)
{
	return k == RULE_CUE;
}

static int is_veto(enum rule_kind k)
{
	return k == RULE_VETO;
}

/* The model file name of the highest layer that has one (model.h), or NULL. */
static char *model_path(char *const *layers, const char *name)
{
	for (size_t i = KB_LAYERS; i-- > 0;) {
		if (!layers[i])
			continue;
		char *p = xasprintf("%s/%s", layers[i], name);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* Each class of the model stands for the intent of that id that ranks
 * first (its flags: ask, groups); a class that is no intent is an error,
 * except, in the follow-up model, the kinds of reply that are no topic
 * (model_reply_kind). */
static int bind_model(struct kb *kb, struct model *m, struct sbuf *err)
{
	m->rules = xcalloc(m->nclasses, sizeof *m->rules);
	int rc = 0;
	for (size_t c = 0; c < m->nclasses; c++) {
		if ((int)c == m->none || (m == kb->followups && model_reply_kind(m->classes[c])))
			continue;
		for (size_t k = 0; k < kb->nintent_order && !m->rules[c]; k++)
			if (strcmp(kb->rules[kb->intent_order[k]].id, m->classes[c]) == 0)
				m->rules[c] = &kb->rules[kb->intent_order[k]];
		if (!m->rules[c]) {
			sbuf_addf(err, "%s: class %s is neither none nor an intent of the knowledge "
				  "base (retrain: make model)\n", m->file, m->classes[c]);
			rc = -1;
		}
	}
	return rc;
}

/* The plan and carrier models' classes are none and plans (carriers) of
 * the knowledge base. */
static int bind_mentions(struct kb *kb, struct model *m, enum rule_kind kind, struct sbuf *err)
{
	int rc = 0;
	for (size_t c = 0; c < m->nclasses; c++)
		if ((int)c != m->none && !kb_rule(kb, kind, m->classes[c])) {
			sbuf_addf(err, "%s: class %s is neither none nor a %s of the knowledge "
				  "base (retrain: make model)\n", m->file, m->classes[c],
				  kind == RULE_PLAN ? "plan" : "carrier");
			rc = -1;
		}
	return rc;
}

struct kb *kb_load(const char *intents_dir, const char *responses_dir,
		   const struct kb_load_opts *opts, struct sbuf *err, struct sbuf *warn)
{
	struct kb *kb = xcalloc(1, sizeof *kb);
	kb->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(kb->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(kb->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(kb->mctx, HEAP_LIMIT_KB);
	kb->jit = kb_jit_new();
	kb->reuse_from = opts ? opts->reuse : NULL;
	size_t before = err->len;
	kb->responses_dir = xstrdup(responses_dir);
	const char *admin = opts ? opts->admin_dir : NULL, *stage = opts ? opts->stage_dir : NULL;
	char *in[KB_LAYERS] = {xstrdup(intents_dir), admin ? xasprintf("%s/intents", admin) : NULL,
			       stage ? xasprintf("%s/intents", stage) : NULL};
	char *re[KB_LAYERS] = {xstrdup(responses_dir), admin ? xasprintf("%s/responses", admin) : NULL,
			       stage ? xasprintf("%s/responses", stage) : NULL};
	int rc = kb_load_intents(kb, (const char *const *)in, err);
	rc |= kb_load_responses(kb, (const char *const *)re, err);
	/* the models (model.h), each from the highest layer that has its file */
	const struct {
		const char *file;
		struct model **into;
	} models[] = {{MODEL_FILE, &kb->model}, {MODEL_FOLLOWUPS_FILE, &kb->followups},
		      {MODEL_PLANS_FILE, &kb->plans}, {MODEL_CARRIERS_FILE, &kb->carriers}};
	for (size_t i = 0; i < ARRAY_LEN(models) && !(opts && opts->no_model); i++) {
		char *mpath = model_path(in, models[i].file);
		if (mpath && !(*models[i].into = model_load(mpath, err)))
			rc = -1;
		free(mpath);
	}
	for (size_t i = 0; i < KB_LAYERS; i++) {
		free(in[i]);
		free(re[i]);
	}
	kb->reuse_from = NULL;
	if (rc == 0)
		kb_index_answers(kb);
	if (rc == 0)
		rc = kb_check(kb, opts, err, warn);
	if (rc == 0) {
		order_intents(kb);
		list_rules(kb, &kb->mention_rules, is_mention);
		list_rules(kb, &kb->cue_rules, is_cue);
		list_rules(kb, &kb->veto_rules, is_veto);
		if (kb->model)
			rc = bind_model(kb, kb->model, err);
		if (kb->followups)
			rc |= bind_model(kb, kb->followups, err);
		if (kb->plans)
			rc |= bind_mentions(kb, kb->plans, RULE_PLAN, err);
		if (kb->carriers)
			rc |= bind_mentions(kb, kb->carriers, RULE_CARRIER, err);
	}
	if (rc != 0 || err->len != before) {
		kb_free(kb);
		return NULL;
	}
	return kb;
}
