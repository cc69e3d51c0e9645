/* reply — what the conversation decides to send: a message (Telegram HTML)
 * to a chat, with its inline buttons and what the logs and counters need.
 * The dialog makes them; the outbox, the sender and the counters (edge/)
 * carry them out, without knowing the dialog.
 *
 * A struct reply owns its text (free()); everything else is held in place,
 * so a reply waiting in the outbox survives a reload of the knowledge base. */
#ifndef CANCELBOT_REPLY_H
#define CANCELBOT_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "kb.h"

#define DIALOG_MAX_BUTTONS 24

struct button {
	char text[KB_LABEL_MAX + 1];
	char data[KB_CALLBACK_MAX + 1];	/* callback_data: Telegram allows 1-64 bytes */
};

/* `cancelbot check` rejects ids longer than KB_ID_MAX; memory holds them whole. */
_Static_assert(CTX_ID > KB_ID_MAX, "conversation memory must hold any id the kb accepts");
_Static_assert(CTX_KEY > 3 * (KB_ID_MAX + 1) + 4, "an answer key holds three ids and a language");

struct reply {
	int64_t chat_id;
	int64_t reply_to;	/* message to quote (groups), or 0 */
	int64_t thread_id;	/* forum topic, or 0 */
	int64_t edit_id;	/* replace this message in place (editMessageText), or 0 */
	int is_group;		/* to a group or supergroup: paced at 20 a minute */
	char *text;		/* Telegram HTML, at most TG_MAX_TEXT units */
	struct button buttons[DIALOG_MAX_BUTTONS];
	size_t nbuttons;
	char source[128];	/* "file:line" of its answer, for logs: a copy, because a
				 * reload frees the kb while the reply waits to be sent */
	char topic[CTX_ID];	/* for stats: the intent answered, or "" */
	char carrier[CTX_ID];
	char said[CTX_ID];	/* the answer rendered: an intent or a UI text ("ask_carrier",
				 * "small_talk", "fallback"), for logs and the dialog scorer */
	char plan[CTX_ID];	/* the plan it was rendered for, or "" */
	char dedup_key[CTX_KEY];	/* groups: note the sent message under this key */
	/* an answer sent to the asker in private instead of the group: where it
	 * goes when the asker cannot be written to (never started the bot),
	 * and the pointer said in the group once it is out ("" in later parts) */
	int64_t group_chat_id, group_reply_to, group_thread_id;
	char group_note[512];
};

#endif
