/* dialog — see dialog.h. */
#define _POSIX_C_SOURCE 200809L
#include "dialog.h"
#include "answer.h"
#include "buttons.h"
#include "classify.h"
#include "slash.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	const struct slash_command *c = slash_find(name);
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

/* Fills in what the message left out from the conversation so far: the
 * answer to a pending question, or the carrier/topic of the last answer. */
static void follow_up(const struct memory *m, int addressed, const char **topic,
		      const char **carrier, const char **plan)
{
	if (!m)
		return;
	if (!*topic && m->pending == PENDING_CARRIER && *carrier)
		*topic = m->pending_topic;
	if (!*topic && m->pending == PENDING_PLAN && *plan) {
		*topic = m->pending_topic;
		*carrier = *carrier ? *carrier : m->carrier;
	}
	/* "what about AT&T?" after an answer: the same topic, new carrier */
	if (!*topic && addressed && (*carrier || *plan) && m->topic[0])
		*topic = m->topic;
	if (!*carrier && m->carrier[0])
		*carrier = m->carrier;
	if (!*plan && m->plan[0] && *carrier && !strcmp(*carrier, m->carrier))
		*plan = m->plan;
}

static void handle_text(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out)
{
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
	const char *lang = dialog_lang(env, u, c.lang);
	out->lang = lang;
	const char *topic = c.intent ? c.intent->id : NULL;
	const char *carrier = c.carrier ? c.carrier->id : NULL;
	const char *plan = c.plan ? c.plan->id : NULL;
	const struct memory *m = env->ctx ? context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	if (!c.veto && (addressed || topic))
		follow_up(m, addressed, &topic, &carrier, &plan);
	if (topic && group && !addressed && c.intent && c.intent->addressed_only)
		topic = NULL;	/* "hi all" in a group is not for us, even in auto mode */
	if (topic) {
		dialog_answer(env, u, out, topic, carrier, plan, lang);
	} else if (addressed) {
		out->unmatched = 1;
		out->unmatched_text = xstrdup(u->text);
		if (mention)	/* log the question, not the bot's name */
			memset(out->unmatched_text + (mention - u->text), ' ',
			       strlen(env->bot_username) + 1);
		if (!group)	/* in groups the bot never says "I did not understand" */
			dialog_say(env, u, out, "fallback", NULL, NULL, lang);
	}
	classification_free(&c);
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
	else if (u->kind == UPDATE_MESSAGE && u->text)
		handle_text(env, u, out);
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
