/* answer — see answer.h. */
#define _POSIX_C_SOURCE 200809L
#include "answer.h"
#include "classify.h"
#include "html.h"
#include "keyboard.h"
#include "log.h"
#include "render.h"
#include "script.h"

#include <stdlib.h>
#include <string.h>

static struct reply *new_reply(const struct update *u, struct dialog_out *out)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	struct reply *r = &out->v[out->n++];
	memset(r, 0, sizeof *r);
	r->chat_id = u->chat_id;
	r->is_group = update_is_group(u);
	if (r->is_group)
		r->reply_to = u->message_id;
	r->thread_id = u->thread_id;
	return r;
}

/* Notes which answer a reply came from. A long path keeps its end (the
 * language folder and the file), cut at a character boundary. */
static void set_source(struct reply *r, const struct answer *a)
{
	const char *f = a->file;
	size_t room = sizeof r->source - 24;	/* "..." and ":line" */
	if (strlen(f) > room) {
		f += strlen(f) - room;
		while ((*f & 0xC0) == 0x80)
			f++;
	}
	snprintf(r->source, sizeof r->source, "%s%s:%d", f == a->file ? "" : "...", f, a->line);
}

/* Does topic's answer rest on carrier facts (so it gets the "facts
 * checked" footer)? Yes when it asks for the carrier or has a carrier's own
 * section; a greeting, help or small talk does not. */
static int has_facts(const struct kb *kb, const char *topic)
{
	if (!strcmp(topic, "carrier_overview") || kb_topic_asks_carrier(kb, topic))
		return 1;
	if (!kb_rule(kb, RULE_INTENT, topic))
		return 0;
	for (size_t i = 0; i < kb->nanswers; i++)
		if (kb->answers[i].carrier && !strcmp(kb->answers[i].topic, topic))
			return 1;
	return 0;
}

/* Renders topic with {user} and one more value of the conversation (key:
 * "brand", "earlier"; none when value is NULL or empty). */
struct reply *dialog_say_with(const struct dialog_env *env, const struct update *u,
			      struct dialog_out *out, const char *topic, const char *carrier,
			      const char *plan, const char *lang, const char *key, const char *value)
{
	const char *extra[] = {value && *value ? key : NULL, value, NULL};
	return dialog_say_vars(env, u, out, topic, carrier, plan, lang, extra);
}

struct reply *dialog_say_vars(const struct dialog_env *env, const struct update *u,
			      struct dialog_out *out, const char *topic, const char *carrier,
			      const char *plan, const char *lang, const char *const *extra)
{
	const struct answer *a = kb_answer(env->kb, topic, carrier, plan, lang);
	if (!a)
		return NULL;
	int is_intent = kb_rule(env->kb, RULE_INTENT, topic) != NULL;
	struct sbuf err = {0};
	const char *vars[2 * DIALOG_MAX_VARS + 3] = {"user", u->from_name ? u->from_name : ""};
	for (size_t i = 0; extra && extra[2 * i] && i < DIALOG_MAX_VARS; i++) {
		vars[2 + 2 * i] = extra[2 * i];
		vars[3 + 2 * i] = extra[2 * i + 1];
	}
	char *html = render_answer_vars(env->kb, a, carrier, vars, has_facts(env->kb, topic), &err);
	if (!html) {
		log_error("render_failed", KV("msg", sbuf_str(&err)));
		sbuf_free(&err);
		return NULL;
	}
	sbuf_free(&err);
	size_t n;
	char **parts = html_split(html, TG_MAX_TEXT, &n);
	free(html);
	for (size_t i = 0; i < n; i++) {
		struct reply *r = new_reply(u, out);
		r->text = parts[i];
		set_source(r, a);
		if (is_intent)
			snprintf(r->topic, sizeof r->topic, "%s", topic);
		snprintf(r->carrier, sizeof r->carrier, "%s", carrier ? carrier : "");
		snprintf(r->said, sizeof r->said, "%s", topic);
		snprintf(r->plan, sizeof r->plan, "%s", plan ? plan : "");
	}
	free(parts);	/* the strings now belong to the replies */
	out->lang = lang;
	return n ? &out->v[out->n - 1] : NULL;
}

struct reply *dialog_say(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const char *topic, const char *carrier,
			 const char *plan, const char *lang)
{
	return dialog_say_with(env, u, out, topic, carrier, plan, lang, NULL, NULL);
}

/* Adds a UI text as the last paragraph of reply r (when it still fits). */
void dialog_append(const struct dialog_env *env, struct reply *r, const char *topic,
		      const char *carrier, const char *lang)
{
	const struct answer *a = kb_answer(env->kb, topic, carrier, NULL, lang);
	struct sbuf err = {0};
	char *extra = a ? render_answer(env->kb, a, carrier, 0, &err) : NULL;
	if (extra && html_text_units(r->text) + html_text_units(extra) + 2 <= TG_MAX_TEXT) {
		char *joined = xasprintf("%s\n\n%s", r->text, extra);
		free(r->text);
		r->text = joined;
	}
	free(extra);
	sbuf_free(&err);
}

void dialog_remember(const struct dialog_env *env, const struct update *u, const char *topic,
		     const char *carrier, const char *plan, enum pending pending,
		     const char *lang)
{
	char out_lang[sizeof ((struct memory *)0)->lang];
	snprintf(out_lang, sizeof out_lang, "%s", lang);
	if (!env->ctx)
		return;
	/* the arguments may point into the very memory being rewritten */
	char t[CTX_ID], c[CTX_ID], p[CTX_ID];
	snprintf(t, sizeof t, "%s", topic ? topic : "");
	snprintf(c, sizeof c, "%s", carrier ? carrier : "");
	snprintf(p, sizeof p, "%s", plan ? plan : "");
	struct memory *m = context_put(env->ctx, u->chat_id, u->from_id, env->now);
	memcpy(m->topic, t, sizeof t);
	memcpy(m->carrier, c, sizeof c);
	if (*c)
		m->brand[0] = '\0';	/* a carrier with facts replaces a brand without */
	memcpy(m->plan, p, sizeof p);
	if (*t && kb_topic_asks_carrier(env->kb, t) == 2)
		memcpy(m->situation, t, sizeof t);
	if (*c && *p)
		context_note_plan(m, c, p);
	memcpy(m->lang, out_lang, sizeof m->lang);
	m->pending = pending;
	memcpy(m->pending_topic, pending ? t : "", pending ? sizeof t : 1);
}

/* In a group, the same question within a minute gets a pointer to the
 * earlier answer instead of a second copy, as a reply to the asker (so they
 * are notified), with a link to that answer where Telegram has one
 * (supergroups). Returns 1 when it pointed. */
static int point_to_earlier(const struct dialog_env *env, const struct update *u,
			    struct dialog_out *out, const char *key, const char *lang)
{
	if (!env->ctx || !update_is_group(u))
		return 0;
	int64_t earlier = context_recent_answer(env->ctx, u->chat_id, key, env->now, DEDUP_WINDOW);
	if (!earlier)
		return 0;
	char link[96] = "";
	const int64_t super = -1000000000000LL;	/* supergroup ids are -100 then the id */
	if (u->chat_id < super)
		snprintf(link, sizeof link, "https://t.me/c/%lld/%lld", (long long)(super - u->chat_id),
			 (long long)earlier);
	dialog_say_with(env, u, out, "answered_above", NULL, NULL, lang, "earlier", link);
	return 1;
}

int dialog_repeats(const struct dialog_env *env, const struct update *u, const char *topic,
		   const char *carrier, const char *plan, const char *lang)
{
	const struct memory *m = env->ctx ? context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (!m || !m->topic[0] || !carrier || strcmp(m->topic, topic) || strcmp(m->carrier, carrier) ||
	    m->pending == PENDING_CARRIER)
		return 0;
	return kb_answer(env->kb, topic, carrier, plan, lang) ==
	       kb_answer(env->kb, topic, carrier, m->plan[0] ? m->plan : NULL, lang);
}

int dialog_say_again(const struct dialog_env *env, const struct update *u,
		     struct dialog_out *out, const char *topic, const char *carrier,
		     const char *plan, const char *lang)
{
	char again[64];
	snprintf(again, sizeof again, "%s_again", topic);
	if (update_is_group(u) || !kb_answer(env->kb, again, carrier, plan, lang) ||
	    !dialog_repeats(env, u, topic, carrier, plan, lang))
		return 0;
	if (!dialog_say(env, u, out, again, carrier, plan, lang))
		return 0;
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m && plan && plan != m->plan) {	/* "我是合约机，手机还没还完": the plan said is kept
						 * (plan may be the memory's own) */
		snprintf(m->plan, sizeof m->plan, "%s", plan);
		m->pending = PENDING_NONE;
		context_note_plan(m, carrier, plan);
	}
	return 1;
}

/* The short "the answer above already applies" for plan, remembered. */
void dialog_same_answer(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out, const char *plan, const char *lang, int toast)
{
	if (toast) {
		const struct answer *a = kb_answer(env->kb, "same_answer", NULL, plan, lang);
		out->callback_text = a ? html_to_plain(a->text) : NULL;
	} else {
		dialog_say(env, u, out, "same_answer", NULL, plan, lang);
	}
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m && plan) {	/* the plan is known from now on */
		snprintf(m->plan, sizeof m->plan, "%s", plan);
		m->pending = PENDING_NONE;
		if (m->carrier[0])	/* the line's plan, for going back to it */
			context_note_plan(m, m->carrier, plan);
	}
}

void dialog_answer(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		   const char *topic, const char *carrier, const char *plan, const char *lang)
{
	int asks = carrier ? 0 : kb_topic_asks_carrier(env->kb, topic);
	if (asks) {
		/* ask = after: what to do right now comes first ("my phone was
		 * stolen"), the carrier's own steps one tap away */
		struct reply *r = asks == 2 ? dialog_say(env, u, out, topic, NULL, plan, lang)
					     : dialog_say(env, u, out, "ask_carrier", NULL, NULL, lang);
		if (r) {
			char data[80];
			buttons_carriers(env, r, "main_carriers", topic, plan, lang);
			snprintf(data, sizeof data, "w:%s%s%s", topic, plan ? ":" : "", plan ? plan : "");
			buttons_add(r, buttons_label(env, "button_other", lang), data);
			snprintf(data, sizeof data, "a:%s:-%s%s", topic, plan ? ":" : "", plan ? plan : "");
			if (asks == 1)
				buttons_add(r, buttons_label(env, "button_general", lang), data);
		}
		dialog_remember(env, u, topic, NULL, plan, PENDING_CARRIER, lang);
		return;
	}
	char key[CTX_KEY];
	snprintf(key, sizeof key, "%s|%s|%s|%s", topic, carrier ? carrier : "", plan ? plan : "", lang);
	if (point_to_earlier(env, u, out, key, lang))
		return;
	size_t first = out->n;
	struct reply *last = dialog_say(env, u, out, topic, carrier, plan, lang);
	if (update_is_group(u) && out->n > first)
		snprintf(out->v[first].dedup_key, sizeof out->v[first].dedup_key, "%s", key);
	/* The carrier's answer is for monthly (postpaid) lines; when prepaid
	 * differs, ask under it rather than making everyone answer first. */
	if (last && carrier && !plan && kb_topic_depends_on_plan(env->kb, topic, carrier)) {
		dialog_append(env, last, "ask_plan", carrier, lang);
		buttons_plans(env, last, topic, carrier, lang);
		dialog_remember(env, u, topic, carrier, NULL, PENDING_PLAN, lang);
		return;
	}
	/* a greeting or help is no topic to go on with ("I have Ultra" after
	 * "hi" is noted, not greeted again) */
	const struct rule *r = kb_rule(env->kb, RULE_INTENT, topic);
	dialog_remember(env, u, r && r->addressed_only ? "" : topic, carrier, plan, PENDING_NONE, lang);
}

void dialog_set_lang(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		     const struct lang *l)
{
	if (env->ctx) {
		context_set_lang(env->ctx, u->from_id, l ? l->code : NULL);
		struct memory *m = context_put(env->ctx, u->chat_id, u->from_id, env->now);
		m->lang[0] = '\0';	/* auto: the next message decides afresh */
	}
	out->lang_chosen = 1;
	/* auto confirms in the Telegram language: there is no message to go by */
	const char *lang = l ? l->code : lang_from_telegram(u->lang_code)->code;
	dialog_say(env, u, out, l ? "lang_set" : "lang_auto", NULL, NULL, lang);
}

void dialog_report(const struct update *u, struct dialog_out *out, const char *text)
{
	char *esc = html_escape(text);
	char *html = xasprintf("<pre>%s</pre>", esc);
	size_t n;
	char **parts = html_split(html, TG_MAX_TEXT, &n);
	for (size_t i = 0; i < n; i++)
		new_reply(u, out)->text = parts[i];
	free(parts);
	free(html);
	free(esc);
}

void dialog_offer_other_line(const struct dialog_env *env, struct dialog_out *out,
			     const struct classification *c, const char *topic,
			     const char *carrier, const char *lang)
{
	if (!carrier || !topic || !out->n)
		return;
	for (size_t i = 0; i < c->nmentions; i++) {
		const struct rule *m = c->mentions[i];
		if (m->kind != RULE_CARRIER || !strcmp(m->id, carrier) || c->mention_destination[i])
			continue;
		const struct facts *f = kb_facts(env->kb, m->id);
		const char *name = facts_get(f, "short", lang);
		name = name ? name : facts_get(f, "name", lang);
		if (!name)
			return;
		struct reply *r = &out->v[out->n - 1];
		dialog_append(env, r, "other_line", m->id, lang);
		char data[80];
		snprintf(data, sizeof data, "a:%s:%s", topic, m->id);
		buttons_add(r, name, data);
		return;	/* one at a time: the next one's answer offers the rest */
	}
}
