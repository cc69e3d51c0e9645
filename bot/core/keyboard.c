/* keyboard — see keyboard.h. */
#define _POSIX_C_SOURCE 200809L
#include "keyboard.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

void buttons_add(struct reply *r, const char *text, const char *data)
{
	if (r->nbuttons == DIALOG_MAX_BUTTONS || !*data || strlen(data) > KB_CALLBACK_MAX) {
		/* Telegram would refuse the whole message; `check` keeps the
		 * knowledge base from asking for this, so say so if it happens */
		log_warn("button_dropped", KV("data", data), KV("buttons", r->nbuttons));
		return;
	}
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
