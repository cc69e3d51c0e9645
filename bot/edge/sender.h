/* sender — one reply through the Bot API: sendMessage with HTML, the quote
 * and forum topic, inline buttons; answerCallbackQuery. It resolves what can
 * be resolved at once (a "can't parse entities" 400 is resent once as plain
 * text, a migrated group is resent to the new chat, an edit that cannot be
 * made is sent as a new message) and reports the rest to the caller, which
 * owns pacing and retries (outbox).
 *
 * A send is a small state machine (struct send_job), so it can run in the
 * background: send_body() gives the request, send_judge() reads the answer
 * and says whether to send again. send_reply() runs it to the end, blocking.
 * The request body is written directly, not built as a cJSON tree. */
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

/* One reply on its way; r is borrowed and must outlive the job. */
struct send_job {
	const struct reply *r;
	int64_t chat;
	int64_t edit_id;	/* 0 once an edit fell back to a new message */
	int plain;
	int attempt;
	struct send_result out;
};

void send_job_init(struct send_job *j, const struct reply *r);
/* The method and body (malloc'ed JSON) of the job's next request. */
const char *send_method(const struct send_job *j);
char *send_body(const struct send_job *j);
/* Reads the answer: 1 when the job must send again (send_body changed),
 * 0 when j->out is final. */
int send_judge(struct send_job *j, enum tg_status st, const struct tg_result *res);

struct send_result send_reply(struct tg_client *tg, const struct reply *r, long timeout_s);
/* Acknowledges a button press (text: the notice shown, or NULL) in the
 * background, like a send: a hanging answer holds up no chat. Its answer
 * comes back from tg_next_done with user; callback_answered() reads it. */
void answer_callback(struct tg_client *tg, const char *callback_id, const char *text, void *user);
/* Logs a failed acknowledgement; 0 when it went through. */
int callback_answered(const struct tg_result *res);
/* Sleeps up to seconds, waking early when *stop becomes nonzero. */
void sleep_interruptible(double seconds, volatile sig_atomic_t *stop);

#endif
