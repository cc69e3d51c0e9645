/* sender — delivers dialog replies through the Bot API: sendMessage with
 * HTML, the quote and forum topic, inline buttons; answerCallbackQuery.
 * Handles what Telegram answers: 429 waits retry_after and resends, a
 * "can't parse entities" 400 resends once as plain text, a migrated group
 * resends to the new chat, 403 drops the message (blocked or kicked). */
#ifndef CANCELBOT_SENDER_H
#define CANCELBOT_SENDER_H

#include <signal.h>

#include "dialog.h"
#include "telegram.h"

/* Returns 0 when delivered or dropped for good (403, other 400s), -1 when
 * the API could not be reached; the caller decides whether to retry. */
int send_reply(struct tg_client *tg, const struct reply *r, volatile sig_atomic_t *stop);
int answer_callback(struct tg_client *tg, const char *callback_id, const char *text);
/* Sleeps up to seconds, waking early when *stop becomes nonzero. */
void sleep_interruptible(double seconds, volatile sig_atomic_t *stop);

#endif
