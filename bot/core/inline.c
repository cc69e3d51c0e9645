/* inline — see inline.h. */
#define _POSIX_C_SOURCE 200809L
#include "inline.h"
#include "answer.h"
#include "classify.h"
#include "html.h"
#include "keyboard.h"
#include "lang.h"
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One card to offer: a topic for a carrier (NULL: in general) and plan. */
struct card {
	const char *topic, *carrier, *plan;
};

struct cards {
	struct card v[INLINE_MAX];
	size_t n;
};

static void add(struct cards *c, const char *topic, const char *carrier, const char *plan)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].topic, topic) && !c->v[i].carrier == !carrier &&
		    (!carrier || !strcmp(c->v[i].carrier, carrier)))
			return;	/* already offered */
	if (c->n < INLINE_MAX)
		c->v[c->n++] = (struct card){topic, carrier, plan};
}

/* Each id of a [general] list ("overview_topics", "main_carriers"). */
static size_t list_items(const struct kb *kb, const char *key, char items[][CTX_ID], size_t cap)
{
	const char *list = facts_get(kb_facts(kb, "general"), key, NULL);
	size_t n = 0;
	for (const char *p = list; p && *p && n < cap;) {
		size_t len = strcspn(p, ", ");
		if (len && len < CTX_ID)
			snprintf(items[n++], CTX_ID, "%.*s", (int)len, p);
		p += len;
		p += strspn(p, ", ");
	}
	return n;
}

/* What the query asks, best first, then its neighbours. */
static void choose(const struct dialog_env *env, const struct classification *c, struct cards *out,
		   char topics[][CTX_ID], size_t ntopics, char carriers[][CTX_ID], size_t ncarriers)
{
	const char *topic = c->intent ? c->intent->id : NULL;
	const char *carrier = c->carrier && !c->carrier_is_destination ? c->carrier->id : NULL;
	const char *plan = c->plan ? c->plan->id : NULL;
	if (topic && !kb_answer(env->kb, topic, carrier, plan, "en"))
		topic = NULL;	/* an intent with no answer of its own (small talk) */
	if (topic)
		add(out, topic, carrier, plan);
	else if (carrier)
		add(out, "carrier_overview", carrier, plan);
	if (carrier) {	/* the same carrier's other main topics */
		for (size_t i = 0; i < ntopics; i++)
			if (kb_rule(env->kb, RULE_INTENT, topics[i]))
				add(out, topics[i], carrier, plan);
	} else if (topic) {	/* the same topic for the main carriers */
		for (size_t i = 0; i < ncarriers; i++)
			add(out, topic, carriers[i], plan);
	} else if (!c->intent && !c->norm[strspn(c->norm, " ")]) {
		for (size_t i = 0; i < ntopics; i++)	/* empty query: the main topics */
			if (kb_rule(env->kb, RULE_INTENT, topics[i]))
				add(out, topics[i], NULL, NULL);
	}
}

/* "Verizon · How to cancel", or the topic's label alone. */
static char *title_of(const struct dialog_env *env, const struct card *k, const char *lang)
{
	char key[CTX_ID + 8];
	snprintf(key, sizeof key, "topic_%s", k->topic);
	const char *label = strcmp(k->topic, "carrier_overview") ? buttons_label(env, key, lang) : NULL;
	if (label == key || (label && !strcmp(label, key)))
		label = k->topic;	/* no label: the id still says what it is */
	const char *name = k->carrier ? facts_get(kb_facts(env->kb, k->carrier), "name", lang) : NULL;
	if (name && label)
		return xasprintf("%s · %s", name, label);
	return xstrdup(name ? name : label ? label : k->topic);
}

/* The answer's first line as plain text, cut near 100 characters. */
static char *description_of(const char *html)
{
	char *plain = html_to_plain(html);
	char *line = str_trim(plain);
	line[strcspn(line, "\n")] = '\0';
	size_t n = strlen(line);
	if (n > 100) {
		n = 100;
		while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
			n--;	/* not inside a character */
	}
	char *d = xasprintf("%.*s%s", (int)n, line, n < strlen(line) ? "…" : "");
	free(plain);
	return d;
}

static cJSON *article(const char *id, const char *title, const char *description,
		      const char *html)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "type", "article");
	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "title", title);
	cJSON_AddStringToObject(a, "description", description);
	cJSON *m = cJSON_AddObjectToObject(a, "input_message_content");
	cJSON_AddStringToObject(m, "message_text", html);
	cJSON_AddStringToObject(m, "parse_mode", "HTML");
	cJSON_AddTrueToObject(cJSON_AddObjectToObject(m, "link_preview_options"), "is_disabled");
	return a;
}

cJSON *inline_results(const struct dialog_env *env, const struct update *u)
{
	cJSON *results = cJSON_CreateArray();
	const char *text = u->text ? u->text : "";
	struct classification c;
	classify(env->kb, text, strlen(text), &c);
	struct cards cards = {0};
	char topics[INLINE_MAX][CTX_ID], carriers[INLINE_MAX][CTX_ID];
	size_t nt = list_items(env->kb, "overview_topics", topics, INLINE_MAX);
	size_t nc = list_items(env->kb, "main_carriers", carriers, INLINE_MAX);
	if (!c.veto)	/* "cancel netflix": not ours, no cards */
		choose(env, &c, &cards, topics, nt, carriers, nc);
	const char *lang = dialog_lang(env, u, *text ? text : NULL);
	/* rendered like a message (facts, footer, {user}), then converted to
	 * the asker's script all at once */
	struct dialog_out out = {0};
	size_t first[INLINE_MAX];
	for (size_t i = 0; i < cards.n; i++) {
		first[i] = out.n;
		dialog_say(env, u, &out, cards.v[i].topic, cards.v[i].carrier, cards.v[i].plan, lang);
	}
	out.lang = lang;
	dialog_convert_script(&out);
	for (size_t i = 0; i < cards.n; i++) {
		if (first[i] == out.n || (i + 1 < cards.n && first[i + 1] == first[i]))
			continue;	/* nothing rendered for it */
		char *title = title_of(env, &cards.v[i], lang);
		struct dialog_out t = {.callback_text = title, .lang = lang};	/* its script too */
		dialog_convert_script(&t);
		char *desc = description_of(out.v[first[i]].text);
		char id[64];
		snprintf(id, sizeof id, "%zu:%.20s:%.20s", i, cards.v[i].topic,
			 cards.v[i].carrier ? cards.v[i].carrier : "-");
		cJSON_AddItemToArray(results, article(id, t.callback_text, desc, out.v[first[i]].text));
		free(desc);
		dialog_out_free(&t);
	}
	dialog_out_free(&out);
	classification_free(&c);
	return results;
}
