/* sender — one reply through the Bot API: sendMessage with HTML, the quote
 * and forum topic, inline buttons; answerCallbackQuery. It resolves what can
 * be resolved at once (a "can't parse entities" 400 is resent once as plain
 * text, a migrated group is resent to the new chat) and reports the rest to
 * the caller, which owns pacing and retries (outbox). */
#ifndef CANCELBOT_SENDER_H
#define CANCELBOT_SENDER_H

#include <signal.h>

#include "reply.h"
#include "telegram.h"

enum send_status {
	SEND_OK,		/* delivered; message_id set */
	SEND_RATE_LIMITED,	/* 429: retry after retry_after seconds */
	SEND_DROPPED,		/* blocked, kicked or refused for good: do not retry */
	SEND_FAILED,		/* no usable answer from Telegram: retry later */
};

struct send_result {
	enum send_status status;
	int64_t message_id;
	int retry_after;
	int64_t migrated_to;	/* the chat was a group that became this supergroup */
};

struct send_result send_reply(struct tg_client *tg, const struct reply *r);
int answer_callback(struct tg_client *tg, const char *callback_id, const char *text);
/* Sleeps up to seconds, waking early when *stop becomes nonzero. */
void sleep_interruptible(double seconds, volatile sig_atomic_t *stop);

#endif
