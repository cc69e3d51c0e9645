/* dialog — see dialog.h. */
#define _POSIX_C_SOURCE 200809L
#include "dialog.h"
#include "classify.h"
#include "commands.h"
#include "log.h"
#include "render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *dialog_user_lang(const struct update *u)
{
	return u->lang_code && strncmp(u->lang_code, "zh", 2) == 0 ? "zh" : "en";
}

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

static void add_button(struct reply *r, const char *text, const char *data)
{
	if (r->nbuttons == DIALOG_MAX_BUTTONS || strlen(data) > 64 || !*data)
		return;	/* Telegram would refuse the whole message */
	struct button *b = &r->buttons[r->nbuttons++];
	snprintf(b->text, sizeof b->text, "%s", text);
	snprintf(b->data, sizeof b->data, "%s", data);
}

/* Buttons for the carriers listed in [general] key (comma-separated). */
static void carrier_buttons(const struct dialog_env *env, struct reply *r, const char *key,
			    const char *prefix, const char *lang)
{
	const struct facts *g = kb_facts(env->kb, "general");
	const char *list = facts_get(g, key, NULL);
	if (!list)
		return;
	char *copy = xstrdup(list), *save = NULL;
	for (char *id = strtok_r(copy, ", ", &save); id; id = strtok_r(NULL, ", ", &save)) {
		const struct facts *f = kb_facts(env->kb, id);
		const char *name = facts_get(f, "short", lang);
		if (!name)
			name = facts_get(f, "name", lang);
		if (!name)
			continue;
		char data[80];
		snprintf(data, sizeof data, "%s%s", prefix, id);
		add_button(r, name, data);
	}
	free(copy);
}

/* Buttons "t:TOPIC:CARRIER" for the topics listed in [general] overview_topics,
 * labelled by [general] topic_TOPIC. */
static void topic_buttons(const struct dialog_env *env, struct reply *r, const char *carrier,
			  const char *lang)
{
	const struct facts *g = kb_facts(env->kb, "general");
	const char *list = facts_get(g, "overview_topics", NULL);
	if (!list)
		return;
	char *copy = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		char key[64], data[80];
		snprintf(key, sizeof key, "topic_%s", t);
		const char *label = facts_get(g, key, lang);
		snprintf(data, sizeof data, "t:%s:%s", t, carrier);
		if (label && kb_rule(env->kb, RULE_INTENT, t))
			add_button(r, label, data);
	}
	free(copy);
}

void dialog_say(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		const char *topic, const char *carrier, const char *plan, const char *lang)
{
	const struct answer *a = kb_answer(env->kb, topic, carrier, plan, lang);
	if (!a)
		return;	/* kb_check guarantees defaults; only a UI topic could be missing */
	int is_intent = kb_rule(env->kb, RULE_INTENT, topic) != NULL;
	struct sbuf err = {0};
	char *html = render_answer(env->kb, a, carrier, is_intent || !strcmp(topic, "carrier_overview"), &err);
	if (!html) {
		log_error("render_failed", "file=%s line=%d msg=\"%s\"", a->file, a->line, sbuf_str(&err));
		sbuf_free(&err);
		return;
	}
	sbuf_free(&err);
	size_t n;
	char **parts = render_split(html, TG_MAX_TEXT, &n);
	free(html);
	for (size_t i = 0; i < n; i++) {
		struct reply *r = new_reply(u, out);
		r->text = parts[i];
		r->source = a->file;
		r->topic = is_intent ? topic : NULL;
		r->carrier = carrier;
	}
	free(parts);	/* the strings now belong to the replies */
	if (out->n == 0)
		return;
	struct reply *last = &out->v[out->n - 1];
	if (strcmp(topic, "start") == 0) {
		carrier_buttons(env, last, "main_carriers", "o:", lang);
		add_button(last, strcmp(lang, "zh") == 0 ? "其他…" : "Other…", "more");
	} else if (strcmp(topic, "carriers") == 0) {
		carrier_buttons(env, last, "all_carriers", "o:", lang);
	} else if (strcmp(topic, "carrier_overview") == 0 && carrier) {
		topic_buttons(env, last, carrier, lang);
	}
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
		if (!update_is_group(u))
			dialog_say(env, u, out, "fallback", NULL, NULL, dialog_user_lang(u));
		return;
	}
	char *args = xstrdup(rest);
	for (char *p = args; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	c->handler(env, u, str_trim(args), out);
	free(args);
}

/* "TOPIC:CARRIER" from a topic button; 0 when either is unknown (stale). */
static int topic_press(const struct dialog_env *env, const struct update *u,
		       struct dialog_out *out, const char *data, const char *lang)
{
	const char *colon = strchr(data, ':');
	if (!colon)
		return 0;
	char topic[48];
	snprintf(topic, sizeof topic, "%.*s", (int)(colon - data), data);
	if (!kb_rule(env->kb, RULE_INTENT, topic) || !kb_rule(env->kb, RULE_CARRIER, colon + 1))
		return 0;
	dialog_say(env, u, out, topic, colon + 1, NULL, lang);
	return 1;
}

static void handle_callback(const struct dialog_env *env, const struct update *u,
			    struct dialog_out *out)
{
	out->answer_callback = 1;
	const char *d = u->callback_data ? u->callback_data : "";
	const char *lang = dialog_user_lang(u);
	if (!u->chat_id)
		return;
	if (str_has_prefix(d, "o:") && kb_rule(env->kb, RULE_CARRIER, d + 2)) {
		dialog_say(env, u, out, "carrier_overview", d + 2, NULL, lang);
	} else if (str_has_prefix(d, "t:") && topic_press(env, u, out, d + 2, lang)) {
		/* answered */
	} else if (strcmp(d, "more") == 0) {
		dialog_say(env, u, out, "carriers", NULL, NULL, lang);
	} else {
		const struct answer *a = kb_answer(env->kb, "stale_button", NULL, NULL, lang);
		out->callback_text = html_to_plain(a ? a->text : "This button has expired.");
	}
}

void dialog_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	memset(out, 0, sizeof *out);
	if (u->kind == UPDATE_CALLBACK) {
		handle_callback(env, u, out);
		return;
	}
	if (u->kind != UPDATE_MESSAGE || !u->text)
		return;
	if (u->text[0] == '/') {
		handle_command(env, u, out);
		return;
	}
	int group = update_is_group(u);
	const char *mention = find_mention(u->text, env->bot_username);
	int addressed = !group || mention || (env->bot_id && u->reply_to_from_id == env->bot_id);
	if (group && !addressed && env->cfg->group_mode == GROUP_MENTION)
		return;
	char *text = xstrdup(u->text);
	if (mention)	/* "@cancelbot how do I..." classifies without the name */
		memset(text + (mention - u->text), ' ', strlen(env->bot_username) + 1);
	struct classification c;
	classify(env->kb, text, strlen(text), &c);
	free(text);
	if (c.intent && group && !addressed && c.intent->addressed_only) {
		/* "hi all" in a group is not for us, even in auto mode */
	} else if (c.intent) {
		dialog_say(env, u, out, c.intent->id, c.carrier ? c.carrier->id : NULL,
			   c.plan ? c.plan->id : NULL, c.lang);
	} else if (addressed) {
		out->unmatched = 1;
		if (!group)	/* in groups the bot never says "I did not understand" */
			dialog_say(env, u, out, "fallback", NULL, NULL, c.lang);
	}
	classification_free(&c);
}

void dialog_out_free(struct dialog_out *out)
{
	for (size_t i = 0; i < out->n; i++)
		free(out->v[i].text);
	free(out->v);
	free(out->callback_text);
	memset(out, 0, sizeof *out);
}
