/* kb — lookups in a loaded knowledge base, and its teardown; see kb.h. */
#include "kb.h"
#include "model.h"
#include "lang.h"
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kb_ui_topics[] = {"start", "fallback", "footer", "ask_carrier", "ask_plan",
				    "carriers", "carrier_overview", "stale_button", "lang_prompt",
				    "lang_set", "answered_above", "admin_only",
				    /* the dialog's own; cues' texts are named in intents/ */
				    "other_brand", "plan_noted", "lang_auto", "same_answer", "other_line",
				    "mention_howto", "fees_again", "own_line",
				    /* groups (core/group.c) */
				    "group_intro", "group_privacy", "group_settings",
				    "group_settings_admins", "group_settings_private",
				    "answered_private",
				    /* the bot's profile (edge/profile.c), plain text */
				    "bot_description", "bot_short_description", NULL};

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
void kb_index_answers(struct kb *kb)
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

static void alt_free(struct alt *a)
{
	kb_regex_free(a->re);
	kb_regex_free(a->no_zh);
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
	kb_regex_free(r->none);
	needles_free(&r->none_need);
	free(r->answer);
	free(r->also);
	free(r->replaces);
	free(r->keeps);
	free(r->id);
}

void kb_free(struct kb *kb)
{
	if (!kb)
		return;
	kb_jit_free(kb->jit);	/* first: its thread may be compiling one of the rules' */
	model_free(kb->model);
	model_free(kb->followups);
	model_free(kb->plans);
	model_free(kb->carriers);
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
	kb_regex_free(kb->carrier_destination);
	needles_free(&kb->destination_need);
	kb_regex_free(kb->carrier_origin);
	needles_free(&kb->origin_need);
	kb_regex_free(kb->carrier_negated);
	needles_free(&kb->negated_need);
	needle_index_free(&kb->needles);
	free(kb->by_key);
	free(kb->intent_order);
	free(kb->mention_rules.v);
	free(kb->cue_rules.v);
	free(kb->veto_rules.v);
	pcre2_match_context_free(kb->mctx);
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
