/* dialogs — see dialogs.h. */
#define _POSIX_C_SOURCE 200809L
#include "dialogs.h"
#include "followup.h"
#include "lang.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NCOLS 5

/* Labels that are no intent of the knowledge base. */
static const char *const kinds[] = {"smalltalk", "ack", "none"};

/* What a UI text is as a label; NULL: the topic the conversation is on
 * ("which carrier?" asks for it, "how long" and "the answer above" go on
 * with it). */
static const struct {
	const char *said, *label;
} ui_labels[] = {
	{"small_talk", "smalltalk"},   {"small_talk_ok", "smalltalk"}, {"start", "greeting"},
	{"plan_noted", "ack"},	       {"carrier_overview", "ack"},    {"other_brand", "ack"},
	{"own_line", "ack"},
	{"fallback", "none"},	       {"mention_howto", "none"},
	{"human_agent", "contact"},	/* how to reach a person: the contact topic */
};

/* A reply kind that a label of another name also accepts: a greeting is
 * small talk to the people who write the labels. */
static const struct {
	const char *got, *also;
} same_kind[] = {{"greeting", "smalltalk"}};

/* Replies about no carrier or plan. */
static const char unscoped[] = "smalltalk, greeting, none";

static void add_turn(struct dialogs_conv *c, char **col, int line)
{
	c->turns = xrealloc(c->turns, (c->n + 1) * sizeof *c->turns);
	struct dialogs_turn *t = &c->turns[c->n++];
	t->text = xstrdup(col[0]);
	t->intents = xstrdup(col[1]);
	t->carriers = xstrdup(col[2]);
	t->plan = xstrdup(col[3]);
	t->script = xstrdup(col[4]);
	t->line = line;
}

/* Unknown ids in a turn's labels: warned about, so a typo in a file shows
 * up rather than silently failing its turns. */
static void check_labels(const struct kb *kb, char **col, const char *name, int line,
			 struct sbuf *warn)
{
	static const enum rule_kind kind[] = {RULE_INTENT, RULE_CARRIER, RULE_PLAN};
	static const char *const what[] = {"intent", "carrier", "plan"};
	for (int k = 0; k < 3; k++)
		for (const char *p = col[1 + k]; *p;) {
			p += strspn(p, ", ");
			size_t n = strcspn(p, ", ");
			char id[CTX_ID];
			snprintf(id, sizeof id, "%.*s", (int)n, p);
			int ok = !n || kb_rule(kb, kind[k], id) || (k && !strcmp(id, "-"));
			for (size_t i = 0; k == 0 && i < ARRAY_LEN(kinds); i++)
				ok |= !strcmp(id, kinds[i]);
			if (!ok)
				sbuf_addf(warn, "%s:%d: unknown %s '%s'\n", name, line, what[k], id);
			p += n;
		}
	if (!lang_find(col[4]))
		sbuf_addf(warn, "%s:%d: unknown script '%s'\n", name, line, col[4]);
}

int dialogs_parse(const struct kb *kb, const char *text, const char *name,
		  struct dialogs_set *out, struct sbuf *err, struct sbuf *warn)
{
	memset(out, 0, sizeof *out);
	char *data = xstrdup(text), *save = NULL;
	int line = 0, rc = 0;
	/* strtok_r would skip blank lines and lose the line numbers */
	for (char *p = data; p && !rc; p = save) {
		save = strchr(p, '\n');
		if (save)
			*save++ = '\0';
		line++;
		p[strcspn(p, "\r")] = '\0';
		char *s = str_trim(p);
		if (str_has_prefix(s, "##")) {
			out->convs = xrealloc(out->convs, (out->n + 1) * sizeof *out->convs);
			struct dialogs_conv *c = &out->convs[out->n++];
			memset(c, 0, sizeof *c);
			c->title = xstrdup(str_trim(s + 2));
			c->line = line;
			continue;
		}
		if (!*s || *s == '#')
			continue;
		char *col[NCOLS];
		int nc = 0;
		for (char *q = s; q && nc < NCOLS + 1; nc++) {
			if (nc < NCOLS)
				col[nc] = q;
			q = strchr(q, '\t');
			if (q)
				*q++ = '\0';
		}
		if (nc != NCOLS) {
			sbuf_addf(err, "%s:%d: want %d tab-separated columns, got %d\n", name, line,
				  NCOLS, nc);
			rc = -1;
		} else if (!out->n) {
			sbuf_addf(err, "%s:%d: a turn before the first '## ID' line\n", name, line);
			rc = -1;
		} else {
			for (int i = 0; i < NCOLS; i++)
				col[i] = str_trim(col[i]);
			check_labels(kb, col, name, line, warn);
			add_turn(&out->convs[out->n - 1], col, line);
		}
	}
	free(data);
	if (rc)
		dialogs_set_free(out);
	return rc;
}

void dialogs_set_free(struct dialogs_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; j < s->convs[i].n; j++) {
			struct dialogs_turn *t = &s->convs[i].turns[j];
			free(t->text);
			free(t->intents);
			free(t->carriers);
			free(t->plan);
			free(t->script);
		}
		free(s->convs[i].turns);
		free(s->convs[i].title);
	}
	free(s->convs);
	memset(s, 0, sizeof *s);
}

static void set(char *dst, size_t cap, const char *v)
{
	snprintf(dst, cap, "%s", v && *v ? v : "-");
}

void dialogs_observe(const struct kb *kb, const struct dialog_out *out, const struct memory *m,
		     struct dialogs_got *got)
{
	memset(got, 0, sizeof *got);
	const struct reply *answer = NULL;	/* the last intent answered */
	for (size_t i = 0; i < out->n; i++)
		if (kb_rule(kb, RULE_INTENT, out->v[i].said))
			answer = &out->v[i];
	set(got->script, sizeof got->script, out->lang ? out->lang : m ? m->lang : NULL);
	if (answer) {
		set(got->said, sizeof got->said, answer->said);
		set(got->intent, sizeof got->intent, answer->said);
		set(got->carrier, sizeof got->carrier, answer->carrier);
		set(got->plan, sizeof got->plan, answer->plan);
		return;
	}
	set(got->said, sizeof got->said, out->n ? out->v[0].said : "silence");
	const char *label = out->n ? NULL : "none";
	for (size_t i = 0; !label && i < ARRAY_LEN(ui_labels); i++)
		if (!strcmp(ui_labels[i].said, got->said))
			label = ui_labels[i].label;
	if (!label && m)
		label = m->pending ? m->pending_topic : m->topic;
	set(got->intent, sizeof got->intent, label && *label ? label : "none");
	set(got->carrier, sizeof got->carrier, m ? m->carrier : NULL);
	set(got->plan, sizeof got->plan, m ? m->plan : NULL);
}

/* The same written script: Traditional is Traditional whether Taiwan or
 * Hong Kong wording (the labels say zh-Hant for both). */
static int same_script(const char *want, const char *got)
{
	const struct lang *w = lang_find(want), *g = lang_find(got);
	if (!w || !g)
		return !strcasecmp(want, got);
	return w->han == g->han && w->traditional == g->traditional;
}

unsigned dialogs_check(const struct dialogs_turn *want, const struct dialogs_got *got)
{
	unsigned wrong = 0;
	int intent_ok = list_has(want->intents, got->intent);
	for (size_t i = 0; i < ARRAY_LEN(same_kind) && !intent_ok; i++)
		intent_ok = !strcmp(got->intent, same_kind[i].got) && list_has(want->intents,
									      same_kind[i].also);
	if (!intent_ok)
		wrong |= DIALOGS_INTENT;
	/* a reply about nothing (small talk, "I can't help with that") is right
	 * with the conversation's carrier and plan or with none */
	int about_nothing = list_has(unscoped, got->intent);
	if (!list_has(want->carriers, got->carrier) &&
	    !(about_nothing && list_has(want->carriers, "-")))
		wrong |= DIALOGS_CARRIER;
	if (!list_has(want->plan, got->plan) && !(about_nothing && list_has(want->plan, "-")))
		wrong |= DIALOGS_PLAN;
	if (!same_script(want->script, got->script))
		wrong |= DIALOGS_SCRIPT;
	return wrong;
}

static void describe(struct sbuf *b, const struct dialogs_got *g)
{
	sbuf_addf(b, "%s | %s | %s | %s  (%s)", g->intent, g->carrier, g->plan, g->script, g->said);
}

/* One wrong turn with the conversation up to it. */
static void note_miss(struct sbuf *b, const char *name, const struct dialogs_conv *c, size_t k,
		      const struct dialogs_got *seen, unsigned wrong)
{
	static const char *const what[] = {"intent", "carrier", "plan", "script"};
	const struct dialogs_turn *t = &c->turns[k];
	sbuf_addf(b, "%s:%d  ## %s  (turn %zu)\n", name, t->line, c->title, k + 1);
	for (size_t i = 0; i < k; i++) {
		sbuf_addf(b, "   %zu> %s\n        ", i + 1, c->turns[i].text);
		describe(b, &seen[i]);
		sbuf_adds(b, "\n");
	}
	sbuf_addf(b, "   %zu> %s\n        want: %s | %s | %s | %s\n        got:  ", k + 1, t->text,
		  t->intents, t->carriers, t->plan, t->script);
	describe(b, &seen[k]);
	sbuf_adds(b, "  wrong:");
	for (int i = 0; i < 4; i++)
		if (wrong & (1u << i))
			sbuf_addf(b, " %s", what[i]);
	sbuf_adds(b, "\n\n");
}

/* The first id of a label list ("-" for none), into buf. */
static const char *first_of(const char *list, char *buf, size_t cap)
{
	size_t n = strcspn(list + strspn(list, ", "), ", ");
	snprintf(buf, cap, "%.*s", (int)n, list + strspn(list, ", "));
	return buf;
}

/* The first intent of the knowledge base a label lists, or NULL (small
 * talk, ack, none: a turn about nothing). */
static const struct rule *first_intent(const struct kb *kb, const char *list)
{
	for (const char *p = list; *p;) {
		p += strspn(p, ", ");
		size_t n = strcspn(p, ", ");
		char id[CTX_ID];
		snprintf(id, sizeof id, "%.*s", (int)n, p);
		const struct rule *r = n ? kb_rule(kb, RULE_INTENT, id) : NULL;
		if (r)
			return r;
		p += n;
	}
	return NULL;
}

/* Teacher forcing: after a wrong turn the memory is put where the turn's
 * labels say the conversation is, so the next turn is scored on its own
 * and not on the cascade. Each field the bot got consistent with the labels
 * is kept (a label lists alternatives); the others take the label's first:
 * the topic the first intent listed (a turn labelled small talk, ack or
 * none leaves the topic, situation and pending question where they were
 * before it), the carrier and plan ("-": none), the script; the pending
 * question is what answering that topic would leave (dialog_answer). */
static void force(const struct kb *kb, struct memory *m, const struct memory *before,
		  const struct dialogs_turn *t)
{
	char id[CTX_ID];
	int changed = 0;
	const struct rule *intent = first_intent(kb, t->intents);
	if (!intent) {
		if (strcmp(m->topic, before->topic)) {
			memcpy(m->topic, before->topic, sizeof m->topic);
			memcpy(m->situation, before->situation, sizeof m->situation);
			m->pending = before->pending;
			memcpy(m->pending_topic, before->pending_topic, sizeof m->pending_topic);
		}
	} else if (!list_has(t->intents, m->topic)) {
		snprintf(m->topic, sizeof m->topic, "%s", intent->addressed_only ? "" : intent->id);
		if (m->topic[0] && kb_topic_asks_carrier(kb, m->topic) == 2)
			memcpy(m->situation, m->topic, sizeof m->topic);
		changed = 1;
	}
	if (!list_has(t->carriers, m->carrier[0] ? m->carrier : "-")) {
		first_of(t->carriers, id, sizeof id);
		snprintf(m->carrier, sizeof m->carrier, "%s", strcmp(id, "-") ? id : "");
		if (m->carrier[0])
			m->brand[0] = '\0';
		changed = 1;
	}
	if (!list_has(t->plan, m->plan[0] ? m->plan : "-")) {
		first_of(t->plan, id, sizeof id);
		snprintf(m->plan, sizeof m->plan, "%s", strcmp(id, "-") ? id : "");
		changed = 1;
	}
	if (changed && intent && m->topic[0]) {
		int asks = m->carrier[0] ? 0 : kb_topic_asks_carrier(kb, m->topic);
		m->pending = asks ? PENDING_CARRIER
			: m->carrier[0] && !m->plan[0] &&
			  kb_topic_depends_on_plan(kb, m->topic, m->carrier) ? PENDING_PLAN
			: PENDING_NONE;
		snprintf(m->pending_topic, sizeof m->pending_topic, "%s",
			 m->pending ? m->topic : "");
	}
	if (m->carrier[0] && m->plan[0])
		context_note_plan(m, m->carrier, m->plan);
	const struct lang *l = lang_find(t->script);
	if (l && !same_script(t->script, m->lang[0] ? m->lang : "-"))
		snprintf(m->lang, sizeof m->lang, "%s", l->code);
}

static void play(const struct kb *kb, const struct config *cfg, const struct dialogs_set *s,
		 const char *name, int misses, int teacher, struct dialogs_result *r,
		 dialogs_turn_fn fn, void *arg)
{
	for (size_t ci = 0; ci < s->n; ci++) {
		const struct dialogs_conv *c = &s->convs[ci];
		if (!c->n)
			continue;
		/* each conversation is a private chat of its own, from a clean slate */
		struct context *ctx = context_new(4, cfg->context_ttl);
		struct dialogs_got *seen = xcalloc(c->n, sizeof *seen);
		int64_t who = (int64_t)ci + 1000;
		int all = 1;
		for (size_t k = 0; k < c->n; k++) {
			struct dialog_env env = {.kb = kb, .cfg = cfg, .ctx = ctx,
						 .bot_username = "cancelbot", .bot_id = 1,
						 .now = 1e9 + 20.0 * (double)k};
			struct update u = {.update_id = (int64_t)k + 1, .kind = UPDATE_MESSAGE,
					   .chat_id = who, .message_id = (int64_t)k + 1,
					   .from_id = who, .text = c->turns[k].text};
			strcpy(u.chat_type, "private");
			struct memory before = {0};
			const struct memory *m0 = context_get(ctx, who, who, env.now);
			if (m0)
				before = *m0;
			struct dialog_out out;
			if (fn)
				fn(arg, c, k, m0 ? &before : NULL);
			dialog_handle(&env, &u, &out);
			dialogs_observe(kb, &out, context_get(ctx, who, who, env.now), &seen[k]);
			dialog_out_free(&out);
			unsigned wrong = dialogs_check(&c->turns[k], &seen[k]);
			r->turns++;
			r->turns_ok += !wrong;
			for (int i = 0; i < 4; i++)
				r->wrong[i] += (wrong >> i) & 1;
			if (wrong && misses)
				note_miss(&r->misses, name, c, k, seen, wrong);
			if (wrong && teacher)
				force(kb, context_put(ctx, who, who, env.now), &before, &c->turns[k]);
			all &= !wrong;
		}
		r->convs++;
		r->convs_ok += all;
		free(seen);
		context_free(ctx);
	}
}

void dialogs_play(const struct kb *kb, const struct config *cfg, const struct dialogs_set *s,
		  const char *name, int misses, struct dialogs_result *r)
{
	play(kb, cfg, s, name, misses, 0, r, NULL, NULL);
}

void dialogs_play_forced(const struct kb *kb, const struct config *cfg,
			 const struct dialogs_set *s, const char *name, int misses,
			 struct dialogs_result *r)
{
	play(kb, cfg, s, name, misses, 1, r, NULL, NULL);
}

void dialogs_walk(const struct kb *kb, const struct config *cfg, const struct dialogs_set *s,
		  dialogs_turn_fn fn, void *arg)
{
	struct dialogs_result r = {0};
	play(kb, cfg, s, "", 0, 1, &r, fn, arg);
	dialogs_result_free(&r);
}

void dialogs_result_free(struct dialogs_result *r)
{
	sbuf_free(&r->misses);
	memset(r, 0, sizeof *r);
}
