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

/* MEMBER: my_chat_member (the bot added to or removed from a chat);
 * INLINE: an inline query ("@bot cancel verizon" typed in any chat). */
enum update_kind { UPDATE_MESSAGE, UPDATE_CALLBACK, UPDATE_MEMBER, UPDATE_INLINE, UPDATE_SKIP };

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
	char *text;			/* message text, else its caption (photo, video), or NULL */
	int edited;			/* an edited_message: the text was changed */
	int64_t reply_to_from_id;	/* author of the message replied to, or 0 */
	int64_t reply_to_id;		/* the message replied to, or 0 */
	char *reply_to_text;		/* its text or caption, or NULL */
	int64_t migrate_to_chat_id;	/* group became this supergroup, or 0 */

	char *callback_id;		/* callback query id; an inline query's id */
	char *callback_data;

	int64_t sender_chat_id;		/* sent on behalf of a chat: the group itself
					 * (an anonymous admin) or a channel, else 0 */
	int anonymous_admin;		/* sender_chat is the group: one of its admins */
	char member_old[16];		/* my_chat_member: the bot's status before */
	char member_new[16];		/* and after: member, administrator, left, kicked... */
	char inline_chat_type[16];	/* inline query: where it is typed (sender, private,
					 * group, supergroup, channel), may be "" */
};

/* Parses one element of getUpdates' result. Returns 0 when the update has an
 * update_id (kind may still be UPDATE_SKIP), -1 when even that is missing. */
int update_parse(const cJSON *json, struct update *u);
/* The same with the update_id already known (read exactly from the text). */
void update_parse_known(const cJSON *json, int64_t update_id, struct update *u);

/* The elements of getUpdates' "result" array, one by one from the raw text:
 * a broken element (not JSON) does not take the others down, and update ids
 * are read exactly from the text (a double cannot hold ids beyond 2^53).
 * Calls fn for each element with its parsed JSON (NULL when it is not
 * JSON), its text, and its update_id read from the text (has_id 0 when
 * none could be read). Returns the element count, or -1 when body has no
 * "result" array. */
typedef void (*update_element_fn)(void *user, const cJSON *json, const char *text, size_t len,
				  int64_t id, int has_id);
int updates_scan(const char *body, size_t len, update_element_fn fn, void *user);
/* The same for a body that parsed: result is its parsed array, so only the
 * exact update ids are read from the text (no second parse). */
int updates_each(const cJSON *result, const char *body, size_t len, update_element_fn fn,
		 void *user);
/* The callback_query id in the text of an element that is not JSON (cut
 * short, say), so that the button press is still acknowledged: 1 and the
 * id in out (cap bytes) when one was found. */
int update_salvage_callback_id(const char *text, size_t len, char *out, size_t cap);
void update_free(struct update *u);
/* dst becomes a copy of src with its own strings (free with update_free). */
void update_copy(struct update *dst, const struct update *src);
int update_is_group(const struct update *u);

#endif
