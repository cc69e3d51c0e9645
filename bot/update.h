/* update — one Telegram Update (cJSON) into a small flat struct with only
 * what the bot uses. Anything malformed or of a kind the bot does not handle
 * is reported with a reason, never a crash: the loop logs it and moves the
 * offset on.
 *
 * Strings in struct update are owned by it; update_free() releases them. */
#ifndef CANCELBOT_UPDATE_H
#define CANCELBOT_UPDATE_H

#include <cjson/cJSON.h>
#include <stdint.h>

enum update_kind { UPDATE_MESSAGE, UPDATE_CALLBACK, UPDATE_SKIP };

struct update {
	int64_t update_id;
	enum update_kind kind;
	const char *skip_reason;	/* static string when kind == UPDATE_SKIP */

	int64_t chat_id;
	char chat_type[16];		/* private, group, supergroup, channel */
	int64_t message_id;
	int64_t thread_id;		/* set only for messages in a forum topic */
	int64_t from_id;
	char *from_name;
	char *lang_code;		/* the user's Telegram language, may be NULL */
	char *text;			/* message text or caption-less NULL */
	int64_t reply_to_from_id;	/* author of the message replied to, or 0 */
	int64_t migrate_to_chat_id;	/* group became this supergroup, or 0 */

	char *callback_id;		/* callback query id */
	char *callback_data;
};

/* Parses one element of getUpdates' result. Returns 0 when the update has an
 * update_id (kind may still be UPDATE_SKIP), -1 when even that is missing. */
int update_parse(const cJSON *json, struct update *u);
void update_free(struct update *u);
int update_is_group(const struct update *u);

#endif
