/* buttons — what a press of an inline button does: the callback_data's kind
 * picks a handler from one table (answer a topic for a carrier and plan,
 * show a carrier's card, more carriers, "not sure" about the plan, the
 * language); stale or unknown data gets a short notice. */
#ifndef CANCELBOT_BUTTONS_H
#define CANCELBOT_BUTTONS_H

#include "dialog.h"

void buttons_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out);

#endif
