/* check — the checks a knowledge base must pass before it is used:
 * the same for `cancelbot check`, startup and reload. Errors fail the load;
 * warnings (stale facts) are only reported. */
#define _POSIX_C_SOURCE 200809L
#include "loader.h"
#include "html.h"
#include "facts.h"
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const required_facts[] = {"name.en", "name.zh", "source", "reviewed", NULL};

static int is_topic(const struct kb *kb, const char *t)
{
	if (kb_rule(kb, RULE_INTENT, t))
		return 1;
	for (size_t i = 0; kb_ui_topics[i]; i++)
		if (strcmp(kb_ui_topics[i], t) == 0)
			return 1;
	for (size_t i = 0; i < kb->nrules; i++) {	/* a cue's own texts */
		const struct rule *r = &kb->rules[i];
		if (r->kind == RULE_CUE && ((r->answer && !strcmp(r->answer, t)) ||
					    (r->also && !strcmp(r->also, t))))
			return 1;
	}
	return 0;
}

static int has_default(const struct kb *kb, const char *topic, const char *lang)
{
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		if (!a->carrier && !a->plan && !strcmp(a->topic, topic) && !strcmp(a->lang, lang))
			return 1;
	}
	return 0;
}

static int check_defaults(const struct kb *kb, const char *topic, struct sbuf *err)
{
	int bad = 0;
	for (size_t l = 0; l < KB_NLANGS; l++)
		if (!has_default(kb, topic, kb_langs[l])) {
			sbuf_addf(err, "%s/%s/%s.txt: topic '%s' has no [default] answer in %s\n",
				  kb->responses_dir, kb_langs[l], topic, topic, kb_langs[l]);
			bad = 1;
		}
	return bad;
}

/* A cue's answer and also name answered topics; replaces names intents. */
static int check_cue(const struct kb *kb, const struct rule *r, struct sbuf *err)
{
	if (r->kind != RULE_CUE)
		return 0;
	int bad = 0;
	const char *topics[] = {r->answer, r->also};
	for (size_t i = 0; i < 2; i++)
		if (topics[i])
			bad |= check_defaults(kb, topics[i], err);
	if (!r->answer && !r->brand) {
		sbuf_addf(err, "%s:%d: [cue %s] needs answer = TOPIC or stands_for = carrier\n",
			  r->file, r->line, r->id);
		bad = 1;
	}
	char *copy = xstrdup(r->replaces ? r->replaces : ""), *save = NULL;
	for (char *id = strtok_r(copy, ", ", &save); id; id = strtok_r(NULL, ", ", &save))
		if (!kb_rule(kb, RULE_INTENT, id)) {
			sbuf_addf(err, "%s:%d: [cue %s] replaces '%s', which is no intent\n", r->file,
				  r->line, r->id, id);
			bad = 1;
		}
	free(copy);
	return bad;
}

static int twin_exists(const struct kb *kb, const struct answer *a)
{
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *b = &kb->answers[i];
		if (b != a && strcmp(a->lang, b->lang) && !strcmp(a->topic, b->topic) &&
		    ((!a->carrier && !b->carrier) || (a->carrier && b->carrier && !strcmp(a->carrier, b->carrier))) &&
		    ((!a->plan && !b->plan) || (a->plan && b->plan && !strcmp(a->plan, b->plan))))
			return 1;
	}
	return 0;
}

/* Answers longer than this are hard to read on a phone: a warning. */
#define PHONE_FRIENDLY_UNITS 1800

static int check_render(const struct kb *kb, const struct answer *a, const char *carrier,
			int with_footer, struct sbuf *err, struct sbuf *warn)
{
	static const char *const sample[] = {"user", "Alex <&>", "brand", "H2O <&>",
					     /* core/group.c's */
					     "bot", "cancel_bot", "mode", "Auto <&>",
					     "language", "English", "where", "Here",
					     /* core/dialog.c's own_line */
					     "other", "Verizon <&>", NULL};
	char *html = render_answer_vars(kb, a, carrier, sample, with_footer, err);
	if (!html)
		return 1;
	struct sbuf why = {0};
	int bad = 0;
	size_t units = html_text_units(html);
	if (html_validate(html, &why) < 0) {
		sbuf_addf(err, "%s:%d: %s\n", a->file, a->line, sbuf_str(&why));
		bad = 1;
	} else if (units > TG_MAX_TEXT && !carrier == !a->carrier) {
		/* the bot splits it on paragraphs; still worth a look */
		size_t parts;
		char **v = html_split(html, TG_MAX_TEXT, &parts);
		html_free_parts(v, parts);
		sbuf_addf(warn, "%s:%d: rendered answer is %zu characters, over Telegram's %d: it "
			  "goes out as %zu messages\n", a->file, a->line, units, TG_MAX_TEXT, parts);
	} else if (units > PHONE_FRIENDLY_UNITS && !carrier == !a->carrier) {
		sbuf_addf(warn, "%s:%d: answer is %zu characters; over %d is long on a phone\n",
			  a->file, a->line, units, PHONE_FRIENDLY_UNITS);
	}
	sbuf_free(&why);
	free(html);
	return bad;
}

/* Texts Telegram stores with a length limit (edge/profile.c sets them as
 * plain text; Chinese gets its Traditional copy too only when both fit). */
static const struct limited {
	const char *topic;
	size_t limit;
} limited[] = {
	{"bot_description", 512},
	{"bot_short_description", 120},
};

static int check_limit(const struct answer *a, struct sbuf *err)
{
	for (size_t i = 0; i < ARRAY_LEN(limited); i++) {
		if (strcmp(a->topic, limited[i].topic))
			continue;
		size_t n = html_text_units(a->text);
		if (n > limited[i].limit) {
			sbuf_addf(err, "%s:%d: %zu characters, over Telegram's %zu for %s\n", a->file,
				  a->line, n, limited[i].limit, a->topic);
			return 1;
		}
	}
	return 0;
}

static int check_answer(const struct kb *kb, const struct answer *a, struct sbuf *err,
			struct sbuf *warn)
{
	int bad = 0;
	if (!is_topic(kb, a->topic)) {
		sbuf_addf(err, "%s:%d: '%s' is neither an intent nor a UI topic\n", a->file, a->line,
			  a->topic);
		return 1;
	}
	if (a->carrier && !kb_rule(kb, RULE_CARRIER, a->carrier)) {
		sbuf_addf(err, "%s:%d: unknown carrier '%s'\n", a->file, a->line, a->carrier);
		bad = 1;
	}
	if (a->plan && !kb_rule(kb, RULE_PLAN, a->plan)) {
		sbuf_addf(err, "%s:%d: unknown plan '%s'\n", a->file, a->line, a->plan);
		bad = 1;
	}
	if (!*a->text) {
		sbuf_addf(err, "%s:%d: empty answer\n", a->file, a->line);
		bad = 1;
	}
	bad |= check_limit(a, err);
	if (!twin_exists(kb, a)) {
		sbuf_addf(err, "%s:%d: [%s%s%s] has no counterpart in the other language\n", a->file,
			  a->line, a->carrier ? a->carrier : a->plan ? a->plan : "default",
			  a->carrier && a->plan ? "." : "", a->carrier && a->plan ? a->plan : "");
		bad = 1;
	}
	if (bad)
		return 1;
	/* A carrier's own section is rendered for that carrier; a [default] for
	 * every carrier that lacks its own, and for none at all unless the topic
	 * always names one. */
	int with_footer = kb_rule(kb, RULE_INTENT, a->topic) != NULL;
	if (a->carrier)
		return check_render(kb, a, a->carrier, with_footer, err, warn);
	if (strcmp(a->topic, "carrier_overview") != 0)
		bad |= check_render(kb, a, NULL, with_footer, err, warn);
	for (size_t i = 0; i < kb->nrules && !bad; i++)
		if (kb->rules[i].kind == RULE_CARRIER)
			bad |= check_render(kb, a, kb->rules[i].id, with_footer, err, warn);
	return bad;
}

/* Days from a date (kb_date_days) to today, or -1 when it is not one. */
static long days_since(const char *date, int latest)
{
	long d = kb_date_days(date, latest);
	return d < 0 ? -1 : (long)(time(NULL) / 86400) - d;
}

static const char *const channel_ids[] = {"phone", "online", "app", "chat", "store", "unknown",
					   NULL};

static int check_channels(const struct facts *f, const char *list, struct sbuf *err)
{
	char *copy = xstrdup(list), *save = NULL;
	int bad = 0;
	for (char *id = strtok_r(copy, ", ", &save); id; id = strtok_r(NULL, ", ", &save)) {
		int known = 0;
		for (size_t i = 0; channel_ids[i]; i++)
			known |= strcmp(id, channel_ids[i]) == 0;
		if (!known) {
			sbuf_addf(err, "%s:%d: [%s] channels: '%s' is not phone, online, app, chat, "
				  "store or unknown\n", f->file, f->line, f->id, id);
			bad = 1;
		}
	}
	free(copy);
	return bad;
}

/* reviewed (YYYY-MM or YYYY-MM-DD) is when the facts were checked;
 * source_date (YYYY, YYYY-MM or YYYY-MM-DD) the date on the oldest dated page
 * they rest on, which cannot be later than the review. Ages beyond the
 * limits in opts are warnings: the facts are not wrong, only due a look. */
static int check_dates(const struct facts *f, const struct kb_load_opts *opts, struct sbuf *err,
		       struct sbuf *warn)
{
	const char *rev = facts_get(f, "reviewed", NULL), *src = facts_get(f, "source_date", NULL);
	int bad = 0;
	long age = rev ? days_since(rev, 0) : 0;
	if (rev && (age < 0 || strlen(rev) < 7)) {
		sbuf_addf(err, "%s:%d: [%s] reviewed '%s' is not YYYY-MM or YYYY-MM-DD\n",
			  f->file, f->line, f->id, rev);
		bad = 1;
	} else if (rev && opts && opts->max_age_days > 0 && age > opts->max_age_days) {
		sbuf_addf(warn, "%s:%d: [%s] facts were reviewed %ld days ago (%s); check "
			  "them again\n", f->file, f->line, f->id, age, rev);
	}
	if (!src)
		return bad;
	long src_age = days_since(src, 1);
	if (kb_date_days(src, 1) < 0) {
		sbuf_addf(err, "%s:%d: [%s] source_date '%s' is not YYYY, YYYY-MM or YYYY-MM-DD\n",
			  f->file, f->line, f->id, src);
		return 1;
	}
	if (rev && !bad && kb_date_days(src, 0) > kb_date_days(rev, 1)) {
		sbuf_addf(err, "%s:%d: [%s] source_date %s is after reviewed %s\n", f->file,
			  f->line, f->id, src, rev);
		return 1;
	}
	if (opts && opts->max_source_age_days > 0 && src_age > opts->max_source_age_days)
		sbuf_addf(warn, "%s:%d: [%s] facts rest on a source from %s, %ld days old; look "
			  "for a newer one\n", f->file, f->line, f->id, src, src_age);
	return bad;
}

static int check_facts(const struct kb *kb, const struct kb_load_opts *opts, struct sbuf *err,
		       struct sbuf *warn)
{
	int bad = 0;
	for (size_t i = 0; i < kb->nfacts; i++) {
		const struct facts *f = &kb->facts[i];
		int general = strcmp(f->id, "general") == 0;
		if (!general && !kb_rule(kb, RULE_CARRIER, f->id)) {
			sbuf_addf(err, "%s:%d: [%s] is not a carrier in intents/\n", f->file, f->line,
				  f->id);
			bad = 1;
		}
		for (size_t k = 0; required_facts[k]; k++)
			if (!facts_get(f, required_facts[k], NULL)) {
				sbuf_addf(err, "%s:%d: [%s] lacks %s\n", f->file, f->line, f->id,
					  required_facts[k]);
				bad = 1;
			}
		const char *ch = facts_get(f, "channels", NULL);
		if (ch && check_channels(f, ch, err))
			bad = 1;
		bad |= check_dates(f, opts, err, warn);
	}
	if (!kb_facts(kb, "general")) {
		sbuf_addf(err, "%s/carriers.ini: no [general] section\n", kb->responses_dir);
		bad = 1;
	}
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == RULE_CARRIER && !kb_facts(kb, kb->rules[i].id)) {
			sbuf_addf(err, "%s:%d: carrier '%s' has no facts in responses/carriers.ini\n",
				  kb->rules[i].file, kb->rules[i].line, kb->rules[i].id);
			bad = 1;
		}
	return bad;
}

/* The longest id of a kind, or NULL when there is none. */
static const struct rule *longest(const struct kb *kb, enum rule_kind kind)
{
	const struct rule *best = NULL;
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == kind && (!best || strlen(kb->rules[i].id) > strlen(best->id)))
			best = &kb->rules[i];
	return best;
}

/* The longest callback_data a keyboard makes is "a:TOPIC:CARRIER:PLAN"
 * (core/keyboard.c); with the longest ids of each it must fit Telegram's 64
 * bytes, or the bot would have to drop the button. */
static int check_callback_data(const struct kb *kb, struct sbuf *err)
{
	const struct rule *t = longest(kb, RULE_INTENT), *c = longest(kb, RULE_CARRIER);
	const struct rule *p = longest(kb, RULE_PLAN);
	if (!t || !c)
		return 0;
	const char *plan = p && strlen(p->id) > strlen("postpaid") ? p->id : "postpaid";
	char *data = xasprintf("a:%s:%s:%s", t->id, c->id, plan);
	int bad = strlen(data) > KB_CALLBACK_MAX;
	if (bad)
		sbuf_addf(err, "%s:%d: [intent %s] with [carrier %s] (%s:%d) makes button data '%s' of "
			  "%zu bytes; Telegram allows %d: shorten an id\n", t->file, t->line, t->id,
			  c->id, c->file, c->line, data, strlen(data), KB_CALLBACK_MAX);
	free(data);
	return bad;
}

static int label_too_long(const struct facts *f, const struct fact *v, struct sbuf *err)
{
	if (strlen(v->value) <= KB_LABEL_MAX)
		return 0;
	sbuf_addf(err, "%s:%d: [%s] %s is a button label of %zu bytes; at most %d\n", f->file,
		  v->line, f->id, v->key, strlen(v->value), KB_LABEL_MAX);
	return 1;
}

/* The fact facts_get(f, key, lang) returns, or NULL. */
static const struct fact *fact_of(const struct facts *f, const char *key, const char *lang)
{
	const char *v = facts_get(f, key, lang);
	for (size_t i = 0; v && i < f->n; i++)
		if (f->v[i].value == v)
			return &f->v[i];
	return NULL;
}

/* Button labels: [general]'s button_* and topic_* keys, and what a carrier's
 * button shows in each language (its short name, else its name). */
static int check_labels(const struct kb *kb, struct sbuf *err)
{
	int bad = 0;
	for (size_t i = 0; i < kb->nfacts; i++) {
		const struct facts *f = &kb->facts[i];
		if (strcmp(f->id, "general") == 0) {
			for (size_t k = 0; k < f->n; k++)
				if (str_has_prefix(f->v[k].key, "button_") ||
				    str_has_prefix(f->v[k].key, "topic_"))
					bad |= label_too_long(f, &f->v[k], err);
			continue;
		}
		const struct fact *said = NULL;	/* a plain key serves every language */
		for (size_t l = 0; l < KB_NLANGS; l++) {
			const struct fact *v = fact_of(f, "short", kb_langs[l]);
			v = v ? v : fact_of(f, "name", kb_langs[l]);
			if (v && v != said && label_too_long(f, v, err))
				bad = 1, said = v;
		}
	}
	return bad;
}

int kb_check(const struct kb *kb, const struct kb_load_opts *opts, struct sbuf *err,
	     struct sbuf *warn)
{
	int bad = kb_lint_patterns(kb, err, warn);
	bad |= check_facts(kb, opts, err, warn);
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == RULE_INTENT)
			bad |= check_defaults(kb, kb->rules[i].id, err);
	for (size_t i = 0; kb_ui_topics[i]; i++)
		bad |= check_defaults(kb, kb_ui_topics[i], err);
	for (size_t i = 0; i < kb->nanswers; i++)
		bad |= check_answer(kb, &kb->answers[i], err, warn);
	bad |= check_callback_data(kb, err);
	bad |= check_labels(kb, err);
	for (size_t i = 0; i < kb->nrules; i++)
		bad |= check_cue(kb, &kb->rules[i], err);
	if (!kb_rule(kb, RULE_INTENT, "none") && kb->counts[RULE_INTENT] == 0) {
		sbuf_adds(err, "intents/: no [intent ...] sections\n");
		bad = 1;
	}
	return bad ? -1 : 0;
}
