/* buttons — inline keyboards and what a press does. callback_data is
 * "KIND:ARGS" (at most 64 bytes, Telegram's limit), dispatched through one
 * const table; anything unknown or stale gets a short notice, never an
 * error. Labels come from [general] in responses/carriers.ini. */
#define _POSIX_C_SOURCE 200809L
#include "dialog.h"
#include "render.h"
#include "lang.h"

#include <stdlib.h>
#include <string.h>

void buttons_add(struct reply *r, const char *text, const char *data)
{
	if (r->nbuttons == DIALOG_MAX_BUTTONS || !*data || strlen(data) > 64)
		return;	/* Telegram would refuse the whole message */
	struct button *b = &r->buttons[r->nbuttons++];
	snprintf(b->text, sizeof b->text, "%s", text);
	snprintf(b->data, sizeof b->data, "%s", data);
}

const char *buttons_label(const struct dialog_env *env, const char *key, const char *lang)
{
	const char *v = facts_get(kb_facts(env->kb, "general"), key, lang);
	return v ? v : key;
}

/* One button per carrier of [general] list_key: "a:TOPIC:ID[:PLAN]" when a
 * question waits for its carrier, else "o:ID" (the carrier's card). */
void buttons_carriers(const struct dialog_env *env, struct reply *r, const char *list_key,
		      const char *topic, const char *plan, const char *lang)
{
	const char *list = facts_get(kb_facts(env->kb, "general"), list_key, NULL);
	if (!list)
		return;
	char *copy = xstrdup(list), *save = NULL;
	for (char *id = strtok_r(copy, ", ", &save); id; id = strtok_r(NULL, ", ", &save)) {
		const struct facts *f = kb_facts(env->kb, id);
		const char *name = facts_get(f, "short", lang);
		name = name ? name : facts_get(f, "name", lang);
		char data[80];
		if (topic)
			snprintf(data, sizeof data, "a:%s:%s%s%s", topic, id, plan ? ":" : "",
				 plan ? plan : "");
		else
			snprintf(data, sizeof data, "o:%s", id);
		if (name)
			buttons_add(r, name, data);
	}
	free(copy);
}

/* The topics of [general] overview_topics, for one carrier. */
void buttons_topics(const struct dialog_env *env, struct reply *r, const char *carrier,
		    const char *lang)
{
	const char *list = facts_get(kb_facts(env->kb, "general"), "overview_topics", NULL);
	if (!list)
		return;
	char *copy = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		char key[64], data[80];
		snprintf(key, sizeof key, "topic_%s", t);
		snprintf(data, sizeof data, "a:%s:%s", t, carrier);
		if (kb_rule(env->kb, RULE_INTENT, t))
			buttons_add(r, buttons_label(env, key, lang), data);
	}
	free(copy);
}

void buttons_plans(const struct dialog_env *env, struct reply *r, const char *topic,
		   const char *carrier, const char *lang)
{
	char data[80];
	snprintf(data, sizeof data, "a:%s:%s:prepaid", topic, carrier);
	buttons_add(r, buttons_label(env, "button_prepaid", lang), data);
	snprintf(data, sizeof data, "a:%s:%s:postpaid", topic, carrier);
	buttons_add(r, buttons_label(env, "button_postpaid", lang), data);
	snprintf(data, sizeof data, "p:%s:%s", topic, carrier);
	buttons_add(r, buttons_label(env, "button_unsure", lang), data);
}

/* Splits "A:B:C" into at most n fields (in place). */
static size_t fields(char *s, char **f, size_t n)
{
	size_t k = 0;
	for (char *save = NULL, *t = strtok_r(s, ":", &save); t && k < n; t = strtok_r(NULL, ":", &save))
		f[k++] = t;
	return k;
}

static int valid_topic(const struct dialog_env *env, const char *t)
{
	return kb_rule(env->kb, RULE_INTENT, t) != NULL;
}

static int valid_carrier(const struct dialog_env *env, const char *c)
{
	return kb_rule(env->kb, RULE_CARRIER, c) != NULL;
}

/* Each press handler returns 0 when the data is stale or malformed. */
typedef int (*press_fn)(const struct dialog_env *, const struct update *, struct dialog_out *,
			char **args, size_t nargs, const char *lang);

static int press_overview(const struct dialog_env *env, const struct update *u,
			  struct dialog_out *out, char **a, size_t n, const char *lang)
{
	if (n != 1 || !valid_carrier(env, a[0]))
		return 0;
	struct reply *r = dialog_say(env, u, out, "carrier_overview", a[0], NULL, lang);
	if (r)
		buttons_topics(env, r, a[0], lang);
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m)
		snprintf(m->carrier, sizeof m->carrier, "%s", a[0]);
	return 1;
}

static int press_more(const struct dialog_env *env, const struct update *u,
		      struct dialog_out *out, char **a, size_t n, const char *lang)
{
	(void)a;
	(void)n;
	struct reply *r = dialog_say(env, u, out, "carriers", NULL, NULL, lang);
	if (r)
		buttons_carriers(env, r, "all_carriers", NULL, NULL, lang);
	return 1;
}

/* Prepaid / Postpaid under an answer: the answer is rewritten in place
 * (its plan buttons go), or, when the plan changes nothing (Postpaid under
 * the postpaid answer), a toast says so and nothing is posted. */
static int press_plan(const struct dialog_env *env, const struct update *u,
		      struct dialog_out *out, const char *topic, const char *carrier,
		      const char *plan, const char *lang)
{
	if (kb_answer(env->kb, topic, carrier, plan, lang) ==
	    kb_answer(env->kb, topic, carrier, NULL, lang) ||
	    dialog_repeats(env, u, topic, carrier, plan, lang)) {
		dialog_same_answer(env, u, out, plan, lang, 1);
		return 1;
	}
	size_t first = out->n;
	dialog_answer(env, u, out, topic, carrier, plan, lang);
	/* one message that answers the topic replaces the pressed one; a long
	 * answer split in parts, or a pointer to an earlier one, is sent anew */
	if (out->n == first + 1 && !strcmp(out->v[first].topic, topic))
		out->v[first].edit_id = u->message_id;
	return 1;
}

static int press_answer(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out, char **a, size_t n, const char *lang)
{
	if (n < 2 || n > 3 || !valid_topic(env, a[0]) ||
	    (strcmp(a[1], "-") && !valid_carrier(env, a[1])) ||
	    (n == 3 && !kb_rule(env->kb, RULE_PLAN, a[2])))
		return 0;
	const char *carrier = strcmp(a[1], "-") ? a[1] : NULL;
	if (!carrier) {	/* "general steps": the answer for no carrier in particular */
		dialog_say(env, u, out, a[0], NULL, n == 3 ? a[2] : NULL, lang);
		return 1;
	}
	if (n == 3 && u->message_id)
		return press_plan(env, u, out, a[0], carrier, a[2], lang);
	if (dialog_repeats(env, u, a[0], carrier, NULL, lang)) {
		dialog_same_answer(env, u, out, NULL, lang, 1);	/* the same button again */
		return 1;
	}
	dialog_answer(env, u, out, a[0], carrier, n == 3 ? a[2] : NULL, lang);
	return 1;
}

static int press_other_carrier(const struct dialog_env *env, const struct update *u,
			       struct dialog_out *out, char **a, size_t n, const char *lang)
{
	if (n < 1 || n > 2 || !valid_topic(env, a[0]))
		return 0;
	struct reply *r = dialog_say(env, u, out, "ask_carrier", NULL, NULL, lang);
	if (r)
		buttons_carriers(env, r, "all_carriers", a[0], n == 2 ? a[1] : NULL, lang);
	return 1;
}

static int press_plan_unsure(const struct dialog_env *env, const struct update *u,
			     struct dialog_out *out, char **a, size_t n, const char *lang)
{
	if (n != 2 || !valid_topic(env, a[0]) || !valid_carrier(env, a[1]))
		return 0;
	struct reply *r = dialog_say(env, u, out, "plan_type", a[1], NULL, lang);
	if (r)
		buttons_plans(env, r, a[0], a[1], lang);
	return 1;
}

static int press_lang(const struct dialog_env *env, const struct update *u,
		      struct dialog_out *out, char **a, size_t n, const char *lang)
{
	(void)lang;
	const struct lang *l = n == 1 ? lang_find(a[0]) : NULL;
	if (n != 1 || (!l && strcmp(a[0], "auto")))
		return 0;
	dialog_set_lang(env, u, out, l);
	return 1;
}

static const struct press {
	const char *kind;
	press_fn fn;
} presses[] = {
	{"o", press_overview},
	{"more", press_more},
	{"a", press_answer},
	{"w", press_other_carrier},
	{"p", press_plan_unsure},
	{"l", press_lang},
};

void buttons_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	out->answer_callback = 1;
	const char *lang = dialog_lang(env, u, NULL);
	out->lang = lang;
	char data[65];
	snprintf(data, sizeof data, "%s", u->callback_data ? u->callback_data : "");
	char *f[4];
	size_t n = fields(data, f, 4);
	int done = 0;
	for (size_t i = 0; u->chat_id && n && i < sizeof presses / sizeof presses[0] && !done; i++)
		if (strcmp(f[0], presses[i].kind) == 0)
			done = presses[i].fn(env, u, out, f + 1, n - 1, lang);
	if (!done) {
		const struct answer *a = kb_answer(env->kb, "stale_button", NULL, NULL, lang);
		out->callback_text = html_to_plain(a ? a->text : "This button has expired.");
	}
}
