/* dialog — see dialog.h. */
#define _POSIX_C_SOURCE 200809L
#include "dialog.h"
#include "classify.h"
#include "commands.h"
#include "followup.h"
#include "log.h"
#include "render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct reply *new_reply(const struct update *u, struct dialog_out *out)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	struct reply *r = &out->v[out->n++];
	memset(r, 0, sizeof *r);
	r->chat_id = u->chat_id;
	if (update_is_group(u))
		r->reply_to = u->message_id;
	r->thread_id = u->thread_id;
	return r;
}

/* Renders topic and appends it as one or more replies (long answers are
 * split); returns the last part, where buttons go, or NULL. */
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
static struct reply *say_with(const struct dialog_env *env, const struct update *u,
			      struct dialog_out *out, const char *topic, const char *carrier,
			      const char *plan, const char *lang, const char *key, const char *value)
{
	const struct answer *a = kb_answer(env->kb, topic, carrier, plan, lang);
	if (!a)
		return NULL;
	int is_intent = kb_rule(env->kb, RULE_INTENT, topic) != NULL;
	struct sbuf err = {0};
	const char *vars[] = {"user", u->from_name ? u->from_name : "",
			      value && *value ? key : NULL, value, NULL};
	char *html = render_answer_vars(env->kb, a, carrier, vars, has_facts(env->kb, topic), &err);
	if (!html) {
		log_error("render_failed", "msg=\"%s\"", sbuf_str(&err));
		sbuf_free(&err);
		return NULL;
	}
	sbuf_free(&err);
	size_t n;
	char **parts = render_split(html, TG_MAX_TEXT, &n);
	free(html);
	for (size_t i = 0; i < n; i++) {
		struct reply *r = new_reply(u, out);
		r->text = parts[i];
		r->source = a->file;
		if (is_intent)
			snprintf(r->topic, sizeof r->topic, "%s", topic);
		snprintf(r->carrier, sizeof r->carrier, "%s", carrier ? carrier : "");
	}
	free(parts);	/* the strings now belong to the replies */
	out->lang = lang;
	return n ? &out->v[out->n - 1] : NULL;
}

/* A topic that may name a US brand without facts ({brand}). */
static struct reply *say(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const char *topic, const char *carrier,
			 const char *plan, const char *lang, const char *brand)
{
	return say_with(env, u, out, topic, carrier, plan, lang, "brand", brand);
}

struct reply *dialog_say(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const char *topic, const char *carrier,
			 const char *plan, const char *lang)
{
	return say(env, u, out, topic, carrier, plan, lang, NULL);
}

/* Adds a UI text as the last paragraph of reply r (when it still fits). */
static void append_ui(const struct dialog_env *env, struct reply *r, const char *topic,
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

static void remember(const struct dialog_env *env, const struct update *u, const char *topic,
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
	say_with(env, u, out, "answered_above", NULL, NULL, lang, "earlier", link);
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
		remember(env, u, topic, NULL, plan, PENDING_CARRIER, lang);
		return;
	}
	char key[64];
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
		append_ui(env, last, "ask_plan", carrier, lang);
		buttons_plans(env, last, topic, carrier, lang);
		remember(env, u, topic, carrier, NULL, PENDING_PLAN, lang);
		return;
	}
	remember(env, u, topic, carrier, plan, PENDING_NONE, lang);
}

/* "@name" anywhere in text, case-insensitively, as a whole word. */
static const char *find_mention(const char *text, const char *username)
{
	size_t n = strlen(username);
	for (const char *p = strchr(text, '@'); p && n; p = strchr(p + 1, '@'))
		if (strncasecmp(p + 1, username, n) == 0 &&
		    !(isalnum((unsigned char)p[1 + n]) || p[1 + n] == '_'))
			return p;
	return NULL;
}

static void handle_text(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out);

static void handle_command(const struct dialog_env *env, const struct update *u,
			   struct dialog_out *out)
{
	char name[64];
	size_t n = strcspn(u->text + 1, " \n@");
	if (n == 0 || n >= sizeof name)
		return;
	snprintf(name, sizeof name, "%.*s", (int)n, u->text + 1);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *rest = u->text + 1 + n;
	if (*rest == '@') {
		size_t an = strcspn(rest + 1, " \n");
		if (strlen(env->bot_username) != an ||
		    strncasecmp(rest + 1, env->bot_username, an) != 0)
			return;	/* /cmd@otherbot is not for us */
		rest += 1 + an;
	}
	/* A bare /cmd in a group is answered: privacy mode shows it to us only
	 * when we were the last bot to speak there. */
	while (*rest == ' ' || *rest == '\n')
		rest++;
	const struct command *c = command_find(name);
	if (!c) {
		/* not one of ours: in private, read it as a question ("/cancel
		 * verizon" is how some people ask any bot); the fallback answers
		 * what does not classify */
		if (!update_is_group(u))
			handle_text(env, u, out);
		return;
	}
	/* admins are Telegram user ids from the config, never names */
	if (c->admin_only && !env->local_admin &&
	    (update_is_group(u) || !config_is_admin(env->cfg, u->from_id))) {
		out->refused_admin = 1;
		if (!update_is_group(u))
			dialog_say(env, u, out, "admin_only", NULL, NULL, dialog_lang(env, u, NULL));
		return;
	}
	char *args = xstrdup(rest);
	c->handler(env, u, str_trim(args), out);
	free(args);
}

/* A carrier, brand or plan said alone: noted, and what the bot can tell
 * about it, with the main topics as buttons. */
static void acknowledge(const struct dialog_env *env, const struct update *u,
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
			append_ui(env, r, "ask_carrier", NULL, lang);
			buttons_carriers(env, r, "main_carriers", NULL, NULL, lang);
		}
	}
	remember(env, u, "", a->carrier, a->plan, PENDING_NONE, lang);
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m && !a->carrier)
		snprintf(m->brand, sizeof m->brand, "%s", a->brand);
}

/* A topic for a US carrier the bot has no facts for: what to ask that
 * carrier, then the general answer; never "which carrier?" again. */
static void answer_brand(const struct dialog_env *env, const struct update *u,
			 struct dialog_out *out, const struct ask *a, const char *lang, int first)
{
	if (first)
		say(env, u, out, "other_brand", NULL, a->plan, lang, a->brand);
	say(env, u, out, a->topic, NULL, a->plan, lang, a->brand);
	char brand[CTX_ID];
	snprintf(brand, sizeof brand, "%s", a->brand);
	remember(env, u, a->topic, NULL, a->plan, PENDING_NONE, lang);
	struct memory *m = env->ctx ? context_put(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (m)
		memcpy(m->brand, brand, sizeof brand);
}

/* A cue whose answer is a UI text (small talk, "how long does it take?",
 * "I don't know"): said for what is known; the conversation is unchanged. */
static void answer_cue(const struct dialog_env *env, const struct update *u,
		       struct dialog_out *out, const struct rule *cue, const struct ask *a,
		       const struct memory *m, const char *lang)
{
	char pending[CTX_ID] = "";
	if (cue->asked && m)
		snprintf(pending, sizeof pending, "%s", m->pending_topic);
	struct reply *r = say(env, u, out, cue->answer, a->carrier, a->plan, lang, a->brand);
	if (r && cue->also)
		append_ui(env, r, cue->also, a->carrier, lang);
	/* "not sure" to "prepaid or postpaid?": how to tell, the buttons again */
	if (cue->asked == 2 && *pending && a->carrier) {
		if (r)
			buttons_plans(env, r, pending, a->carrier, lang);
		remember(env, u, pending, a->carrier, NULL, PENDING_PLAN, lang);
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
		remember(env, u, pending, NULL, a->plan, PENDING_CARRIER, lang);
	} else if (env->ctx) {
		context_put(env->ctx, u->chat_id, u->from_id, env->now);	/* still talking */
	}
}

/* Answers one question (text, the bot's name blanked) as the conversation
 * so far reads it. Returns 0 when nothing in it was understood. */
static int respond(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		   const char *text, int addressed)
{
	int group = update_is_group(u);
	struct classification c;
	classify(env->kb, text, strlen(text), &c);
	const char *lang = dialog_lang(env, u, text);
	out->lang = lang;
	struct ask a = {.topic = c.intent ? c.intent->id : NULL,
			.carrier = c.carrier ? c.carrier->id : NULL,
			.plan = c.plan ? c.plan->id : NULL};
	const struct memory *m = env->ctx ? context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	/* cues are for someone speaking to the bot; "I don't know" only answers
	 * "which carrier?"; an intent wins over a cue unless the cue replaces it */
	const struct rule *cue = NULL;
	size_t ci = 0;
	for (; addressed && !c.veto && ci < c.ncues && !cue; ci++)
		if (!c.cues[ci]->asked ||
		    (m && m->pending == (c.cues[ci]->asked == 1 ? PENDING_CARRIER : PENDING_PLAN)))
			cue = c.cues[ci];
	if (cue && cue->brand) {
		if (!a.carrier)
			brand_name(c.norm, c.cue_start[ci - 1], c.cue_end[ci - 1], a.brand,
				   sizeof a.brand);
		cue = NULL;
	} else if (cue && a.topic && !list_has(cue->replaces, a.topic)) {
		cue = NULL;
	}
	int ui_cue = cue && (cue->asked || !kb_rule(env->kb, RULE_INTENT, cue->answer));
	if (cue && !ui_cue)
		a.topic = cue->answer;	/* a follow-up: the topic it stands for */
	/* "moving to Mint": Mint is where the number goes, not the line to leave */
	if (c.carrier_is_destination)
		a.carrier = NULL;
	a.named = a.carrier || a.brand[0] || a.plan;
	int brand_now = a.brand[0] != 0;
	if (!c.veto && (addressed || a.topic))
		follow_up(m, addressed, &a);
	if (ui_cue)
		a.topic = NULL;	/* a UI cue ("I don't know, prepaid") is the reply */
	if (a.topic && group && !addressed && c.intent && c.intent->addressed_only)
		a.topic = NULL;	/* "hi all" in a group is not for us, even in auto mode */
	int understood = 1;
	if (cue && !a.topic) {
		if (!(group && cue->private_only))	/* "thanks" in a group: silence */
			answer_cue(env, u, out, cue, &a, m, lang);
	} else if (a.topic && !a.carrier && a.brand[0]) {
		answer_brand(env, u, out, &a, lang, brand_now);
	} else if (a.topic && !c.intent && !c.carrier && !cue && c.plan &&
		   dialog_repeats(env, u, a.topic, a.carrier, a.plan, lang)) {
		/* "postpaid" under the postpaid answer: not the same answer again */
		dialog_same_answer(env, u, out, a.plan, lang, 0);
	} else if (a.topic) {
		dialog_answer(env, u, out, a.topic, a.carrier, a.plan, lang);
		if (cue && cue->also && out->n)
			append_ui(env, &out->v[out->n - 1], cue->also, a.carrier, lang);
	} else if (addressed && a.named) {
		acknowledge(env, u, out, &a, !c.carrier && !brand_now, lang);
	} else {
		understood = 0;
	}
	classification_free(&c);
	return understood;
}

/* Nothing but blanks and punctuation (a bare "@bot ?"). */
static int blank(const char *s)
{
	static const char *const wide[] = {"，", "。", "！", "？", "：", "、", "…"};
	while (*s) {
		if ((unsigned char)*s < 0x80) {
			if (isalnum((unsigned char)*s))
				return 0;
			s++;
			continue;
		}
		size_t i = 0;
		while (i < ARRAY_LEN(wide) && !str_has_prefix(s, wide[i]))
			i++;
		if (i == ARRAY_LEN(wide))
			return 0;
		s += strlen(wide[i]);
	}
	return 1;
}

static void handle_text(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out)
{
	int group = update_is_group(u);
	const char *mention = find_mention(u->text, env->bot_username);
	int addressed = !group || mention || (env->bot_id && u->reply_to_from_id == env->bot_id);
	if (group && !addressed && env->cfg->group_mode == GROUP_MENTION)
		return;
	if (u->edited && group)
		return;	/* a group's edits are its own business */
	char *text = xstrdup(u->text);
	if (mention)	/* "@cancelbot how do I..." classifies without the name */
		memset(text + (mention - u->text), ' ', strlen(env->bot_username) + 1);
	/* a helper's mention under someone else's question: that question */
	int others = group && mention && u->reply_to_text && u->reply_to_id &&
		     u->reply_to_from_id != env->bot_id && u->reply_to_from_id != u->from_id;
	size_t first = out->n;
	int understood = !blank(text) && respond(env, u, out, text, addressed);
	if (!understood && others && respond(env, u, out, u->reply_to_text, 1)) {
		understood = 1;
		for (size_t i = first; i < out->n; i++)
			out->v[i].reply_to = u->reply_to_id;	/* where the question is */
	}
	if (!understood && group && mention && blank(text)) {
		/* a bare mention: how to ask, so nobody wonders if the bot is alive */
		dialog_say(env, u, out, "mention_howto", NULL, NULL, dialog_lang(env, u, NULL));
	} else if (!understood && addressed) {
		out->unmatched = 1;
		out->unmatched_text = xstrdup(text);
		if (!group)	/* in groups the bot never says "I did not understand" */
			dialog_say(env, u, out, "fallback", NULL, NULL, out->lang);
	}
	free(text);
}

/* An edited message the bot already answered is not answered again (the
 * fix of a typo after a fallback is). */
static int answered_before(const struct dialog_env *env, const struct update *u)
{
	const struct memory *m = u->edited && env->ctx ?
		context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	return m && m->answered_id == u->message_id;
}

void dialog_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	memset(out, 0, sizeof *out);
	if (u->migrate_to_chat_id && env->ctx)
		context_migrate(env->ctx, u->chat_id, u->migrate_to_chat_id);
	if (u->kind == UPDATE_CALLBACK)
		buttons_handle(env, u, out);
	else if (u->kind == UPDATE_MESSAGE && u->text && u->text[0] == '/')
		handle_command(env, u, out);
	else if (u->kind == UPDATE_MESSAGE && u->text && !answered_before(env, u))
		handle_text(env, u, out);
	/* the conversation goes on in the language just used ("ATT" after a
	 * Chinese greeting stays Chinese) */
	if (out->n && out->lang && env->ctx && u->chat_id) {
		struct memory *m = context_put(env->ctx, u->chat_id, u->from_id, env->now);
		snprintf(m->lang, sizeof m->lang, "%s", out->lang);
		if (u->kind == UPDATE_MESSAGE && !out->unmatched)
			m->answered_id = u->message_id;
	}
	dialog_convert_script(out);
}

void dialog_report(const struct update *u, struct dialog_out *out, const char *text)
{
	char *esc = html_escape(text);
	char *html = xasprintf("<pre>%s</pre>", esc);
	size_t n;
	char **parts = render_split(html, TG_MAX_TEXT, &n);
	for (size_t i = 0; i < n; i++)
		new_reply(u, out)->text = parts[i];
	free(parts);
	free(html);
	free(esc);
}

void dialog_out_free(struct dialog_out *out)
{
	for (size_t i = 0; i < out->n; i++)
		free(out->v[i].text);
	free(out->v);
	free(out->callback_text);
	free(out->unmatched_text);
	memset(out, 0, sizeof *out);
}
