/* buttons — what a press of an inline button does. callback_data is
 * "KIND:ARGS" (at most 64 bytes, Telegram's limit; core/keyboard.c makes
 * them), dispatched through one const table; anything unknown or stale gets
 * a short notice, never an error. */
#define _POSIX_C_SOURCE 200809L
#include "buttons.h"
#include "answer.h"
#include "html.h"
#include "group.h"
#include "keyboard.h"
#include "lang.h"

#include <stdlib.h>
#include <string.h>

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
	{"g", group_settings_press},
};

void buttons_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	out->answer_callback = 1;
	const char *lang = dialog_lang(env, u, NULL);
	out->lang = lang;
	char data[65];
	snprintf(data, sizeof data, "%s", u->callback_data ? u->callback_data : "");
	/* the same button twice in a row (nothing said in between) changes
	 * nothing: a toast, not the same message again. Answers know better
	 * (press_answer: a repeat of the last answer whatever the button);
	 * confirming a language twice is harmless */
	struct memory *m = env->ctx && u->chat_id ?
		context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m && *data && strncmp(data, "l:", 2) && strncmp(data, "a:", 2) &&
	    strncmp(data, "g:", 2) &&
	    !strcmp(m->last_press, data)) {
		dialog_same_answer(env, u, out, NULL, lang, 1);
		return;
	}
	if (m)
		snprintf(m->last_press, sizeof m->last_press, "%s", data);
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
