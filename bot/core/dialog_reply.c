/* dialog_reply — see dialog_reply.h. */
#define _POSIX_C_SOURCE 200809L
#include "dialog_reply.h"
#include "answer.h"
#include "followup.h"
#include "keyboard.h"

#include <stdio.h>
#include <string.h>

/* A topic that may name a US brand without facts ({brand}). */
static struct reply *say(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const char *topic, const char *carrier,
			 const char *plan, const char *lang, const char *brand)
{
	return dialog_say_with(env, u, out, topic, carrier, plan, lang, "brand", brand);
}

/* A carrier, brand or plan said alone: noted, and what the bot can tell
 * about it, with the main topics as buttons. */
void dialog_acknowledge(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out, const struct ask *a, int only_plan, const char *lang)
{
	struct reply *r;
	if (a->carrier && only_plan) {
		r = say(env, u, out, "plan_noted", a->carrier, a->plan, lang, NULL);
		if (r)
			buttons_topics(env, r, a->carrier, lang);
	} else if (a->carrier) {
		r = say(env, u, out, "carrier_overview", a->carrier, a->plan, lang, NULL);
		if (r)
			buttons_topics(env, r, a->carrier, lang);
	} else if (a->brand[0]) {
		r = say(env, u, out, "other_brand", NULL, a->plan, lang, a->brand);
		if (r)
			buttons_topics(env, r, "-", lang);
	} else {
		r = say(env, u, out, "plan_noted", NULL, a->plan, lang, NULL);
		if (r) {
			dialog_append(env, r, "ask_carrier", NULL, lang);
			buttons_carriers(env, r, "main_carriers", NULL, NULL, lang);
		}
	}
	dialog_remember(env, u, "", a->carrier, a->plan, PENDING_NONE, lang);
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m && !a->carrier)
		snprintf(m->brand, sizeof m->brand, "%s", a->brand);
}

/* A topic for a US carrier the bot has no facts for: what to ask that
 * carrier, then the general answer; never "which carrier?" again. */
void dialog_answer_brand(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const struct ask *a, const char *lang, int first)
{
	if (first)
		say(env, u, out, "other_brand", NULL, a->plan, lang, a->brand);
	say(env, u, out, a->topic, NULL, a->plan, lang, a->brand);
	char brand[CTX_ID];
	snprintf(brand, sizeof brand, "%s", a->brand);
	dialog_remember(env, u, a->topic, NULL, a->plan, PENDING_NONE, lang);
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m)
		memcpy(m->brand, brand, sizeof brand);
}

/* Does keeps name a before b? Both kept: the one named first is what the
 * cue means ("what papers?" after a store question in a death: the death's,
 * as [cue documents] lists deceased before store; in a family plan, the
 * store's, listed before family_plan). */
int dialog_keeps_before(const char *keeps, const char *a, const char *b)
{
	size_t pa = a[0] ? list_pos(keeps, a) : 0, pb = list_pos(keeps, b);
	return pa && (!pb || pa < pb);
}

/* A cue whose answer is a UI text (small talk, "how long does it take?",
 * "I don't know"): said for what is known; the conversation is unchanged. */
void dialog_answer_cue(const struct dialog_env *env, const struct update *u,
		       struct dialog_out *out, const struct rule *cue, const struct ask *a,
		       const struct memory *m, const char *named, const char *lang)
{
	char pending[CTX_ID] = "";
	if (cue->asked && m)
		snprintf(pending, sizeof pending, "%s", m->pending_topic);
	struct reply *r = say(env, u, out, cue->answer, a->carrier, a->plan, lang, a->brand);
	if (r && cue->also)
		dialog_append(env, r, cue->also, a->carrier, lang);
	/* "not sure" to "prepaid or postpaid?": how to tell, the buttons again */
	if (cue->asked == 2 && *pending && a->carrier) {
		if (r)
			buttons_plans(env, r, pending, a->carrier, lang);
		dialog_remember(env, u, pending, a->carrier, NULL, PENDING_PLAN, lang);
		return;
	}
	/* "I don't know" to "which carrier?": the general steps follow, and
	 * the question stays open for when they find out */
	if (*pending) {
		r = say(env, u, out, pending, NULL, a->plan, lang, NULL);
		if (r) {
			buttons_carriers(env, r, "main_carriers", pending, a->plan, lang);
			char data[80];
			snprintf(data, sizeof data, "w:%s", pending);
			buttons_add(r, buttons_label(env, "button_other", lang), data);
		}
		dialog_remember(env, u, pending, NULL, a->plan, PENDING_CARRIER, lang);
	} else if (env->ctx) {
		struct memory *w = context_put(env->ctx, u->chat_id, u->from_id, env->now);
		/* a carrier said beside a side question ("my parents came on a
		 * visa and I took Mint SIMs for them") is the line from now on */
		if (named && strcmp(w->carrier, named)) {
			snprintf(w->carrier, sizeof w->carrier, "%s", named);
			w->brand[0] = '\0';
			snprintf(w->plan, sizeof w->plan, "%s", a->plan ? a->plan : "");
		} else if (!named && a->plan && !w->plan[0]) {
			/* a plan said beside it, the carrier still unknown ("不知道是哪
			 * 家 就每个月去沃尔玛买张充值卡"): the line's, for when it is named */
			snprintf(w->plan, sizeof w->plan, "%s", a->plan);
		}
		/* a cue about the task itself ("how long does it take?" after "can I
		 * do it online?") goes on with the task: a topic it does not keep
		 * gives way to the situation (a death), else to its first kept topic;
		 * one it keeps, to a situation it names first (幾耐先會停 after a
		 * question on calling from abroad about a lost phone: the loss's) */
		if (cue->keeps && w->topic[0] && (!list_has(cue->keeps, w->topic) ||
		    dialog_keeps_before(cue->keeps, w->situation, w->topic))) {
			size_t k = strcspn(cue->keeps, ", ");
			if (w->situation[0])
				memcpy(w->topic, w->situation, sizeof w->topic);
			else
				snprintf(w->topic, sizeof w->topic, "%.*s", (int)k, cue->keeps);
			if (w->pending == PENDING_PLAN)	/* "prepaid" next: the task's */
				memcpy(w->pending_topic, w->topic, sizeof w->topic);
		}
	}
}
