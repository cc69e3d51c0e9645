/* keyboard — the inline keyboards the bot offers: carriers (from a
 * [general] list), a carrier's topics, prepaid / postpaid / not sure, and
 * single buttons. Labels come from [general] in responses/carriers.ini;
 * callback_data is "KIND:ARGS" as core/buttons.c reads it. Buttons are
 * added to a reply, which holds them in place (nothing to free). */
#ifndef CANCELBOT_KEYBOARD_H
#define CANCELBOT_KEYBOARD_H

#include "dialog.h"

void buttons_carriers(const struct dialog_env *env, struct reply *r, const char *list_key,
		      const char *topic, const char *plan, const char *lang);
void buttons_topics(const struct dialog_env *env, struct reply *r, const char *carrier,
		    const char *lang);
void buttons_plans(const struct dialog_env *env, struct reply *r, const char *topic,
		   const char *carrier, const char *lang);
/* A button label from [general] (key.LANG), e.g. "button_other"; the key
 * itself when missing. */
const char *buttons_label(const struct dialog_env *env, const char *key, const char *lang);
void buttons_add(struct reply *r, const char *text, const char *data);

#endif
