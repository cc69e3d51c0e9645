/* update — see update.h. */
#include "update.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Telegram ids go up to 52 bits; cJSON keeps numbers as double, which holds
 * integers exactly up to 2^53. Anything else (not integral, or so large it
 * may have been rounded) is rejected rather than used wrongly: a reply to a
 * rounded chat id would go to someone else. update_id is read exactly from
 * the raw text instead (updates_scan). */
#define EXACT_LIMIT 9007199254740992.0	/* 2^53 */
static int get_i64(const cJSON *obj, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v))
		return -1;
	double d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d >= EXACT_LIMIT || d <= -EXACT_LIMIT)
		return -1;
	*out = (int64_t)d;
	return 0;
}

static const char *get_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void read_user(const cJSON *from, struct update *u)
{
	if (!cJSON_IsObject(from))
		return;
	get_i64(from, "id", &u->from_id);
	u->from_name = dup_or_null(get_str(from, "first_name"));
	u->lang_code = dup_or_null(get_str(from, "language_code"));
}

static int skip(struct update *u, const char *why)
{
	u->kind = UPDATE_SKIP;
	u->skip_reason = why;
	return 0;
}

static int read_chat(const cJSON *msg, struct update *u)
{
	const cJSON *chat = cJSON_GetObjectItemCaseSensitive(msg, "chat");
	const char *type = cJSON_IsObject(chat) ? get_str(chat, "type") : NULL;
	if (!type || get_i64(chat, "id", &u->chat_id) < 0)
		return -1;
	snprintf(u->chat_type, sizeof u->chat_type, "%s", type);
	return 0;
}

static int parse_message(const cJSON *msg, struct update *u)
{
	if (!cJSON_IsObject(msg) || read_chat(msg, u) < 0 || get_i64(msg, "message_id", &u->message_id) < 0)
		return skip(u, "message without chat or message_id");
	if (strcmp(u->chat_type, "private") && strcmp(u->chat_type, "group") &&
	    strcmp(u->chat_type, "supergroup"))
		return skip(u, "not a private chat or group");
	read_user(cJSON_GetObjectItemCaseSensitive(msg, "from"), u);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "is_topic_message")))
		get_i64(msg, "message_thread_id", &u->thread_id);
	const cJSON *reply = cJSON_GetObjectItemCaseSensitive(msg, "reply_to_message");
	if (cJSON_IsObject(reply)) {
		const cJSON *rf = cJSON_GetObjectItemCaseSensitive(reply, "from");
		if (cJSON_IsObject(rf))
			get_i64(rf, "id", &u->reply_to_from_id);
		get_i64(reply, "message_id", &u->reply_to_id);
		const char *rt = get_str(reply, "text");
		u->reply_to_text = dup_or_null(rt ? rt : get_str(reply, "caption"));
	}
	get_i64(msg, "migrate_to_chat_id", &u->migrate_to_chat_id);
	/* A channel's post copied into its linked discussion group is the
	 * channel's announcement, not a question to the bot (the comments
	 * under it are ordinary messages of the group). */
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "is_automatic_forward")))
		return skip(u, "automatic forward of a channel post");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(msg, "sender_chat");
	if (cJSON_IsObject(sc))
		get_i64(sc, "id", &u->sender_chat_id);
	/* An anonymous admin writes as the group (from is GroupAnonymousBot),
	 * someone may write as their channel (from is Channel_Bot): people,
	 * though Telegram marks the placeholder sender as a bot. A channel
	 * stands for its own user id, so two channels are two conversations. */
	u->anonymous_admin = u->sender_chat_id && u->sender_chat_id == u->chat_id;
	if (u->sender_chat_id && !u->anonymous_admin)
		u->from_id = u->sender_chat_id;
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(msg, "from");
	if (!u->sender_chat_id && cJSON_IsObject(from) &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(from, "is_bot")))
		return skip(u, "message from a bot");
	const char *text = get_str(msg, "text");
	if (!text)	/* a photo of the bill with the question under it */
		text = get_str(msg, "caption");
	if (u->migrate_to_chat_id)
		return u->kind = UPDATE_MESSAGE, 0;
	if (!text)
		return skip(u, "message without text");
	u->text = xstrdup(text);
	u->kind = UPDATE_MESSAGE;
	return 0;
}

static int parse_callback(const cJSON *cq, struct update *u)
{
	const char *id = cJSON_IsObject(cq) ? get_str(cq, "id") : NULL;
	if (!id)
		return skip(u, "callback_query without id");
	u->callback_id = xstrdup(id);
	u->callback_data = dup_or_null(get_str(cq, "data"));
	read_user(cJSON_GetObjectItemCaseSensitive(cq, "from"), u);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(cq, "message");
	/* inline-mode buttons (no message) and inaccessible messages (date 0)
	 * still get answerCallbackQuery; there is just no chat to reply in */
	if (cJSON_IsObject(msg) && read_chat(msg, u) == 0) {
		get_i64(msg, "message_id", &u->message_id);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "is_topic_message")))
			get_i64(msg, "message_thread_id", &u->thread_id);
	}
	u->kind = UPDATE_CALLBACK;
	return 0;
}

static void member_status(const cJSON *cm, const char *key, char *out, size_t cap)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(cm, key);
	const char *st = cJSON_IsObject(m) ? get_str(m, "status") : NULL;
	snprintf(out, cap, "%s", st ? st : "");
}

/* my_chat_member: the bot's own membership changed (added, removed,
 * promoted); from is who did it. */
static int parse_member(const cJSON *cm, struct update *u)
{
	if (!cJSON_IsObject(cm) || read_chat(cm, u) < 0)
		return skip(u, "my_chat_member without chat");
	read_user(cJSON_GetObjectItemCaseSensitive(cm, "from"), u);
	member_status(cm, "old_chat_member", u->member_old, sizeof u->member_old);
	member_status(cm, "new_chat_member", u->member_new, sizeof u->member_new);
	if (!u->member_new[0])
		return skip(u, "my_chat_member without a new status");
	u->kind = UPDATE_MEMBER;
	return 0;
}

static int parse_inline(const cJSON *iq, struct update *u)
{
	const char *id = cJSON_IsObject(iq) ? get_str(iq, "id") : NULL;
	const char *query = id ? get_str(iq, "query") : NULL;
	if (!id || !query)
		return skip(u, "inline_query without id or query");
	u->callback_id = xstrdup(id);
	u->text = xstrdup(query);
	read_user(cJSON_GetObjectItemCaseSensitive(iq, "from"), u);
	const char *ct = get_str(iq, "chat_type");
	snprintf(u->inline_chat_type, sizeof u->inline_chat_type, "%s", ct ? ct : "");
	u->kind = UPDATE_INLINE;
	return 0;
}

static int parse_body(const cJSON *json, struct update *u)
{
	if (!cJSON_IsObject(json))
		return skip(u, "update is not a JSON object");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(json, "message");
	if (m)
		return parse_message(m, u);
	const cJSON *cq = cJSON_GetObjectItemCaseSensitive(json, "callback_query");
	if (cq)
		return parse_callback(cq, u);
	const cJSON *em = cJSON_GetObjectItemCaseSensitive(json, "edited_message");
	if (em) {
		u->edited = 1;
		return parse_message(em, u);
	}
	const cJSON *cm = cJSON_GetObjectItemCaseSensitive(json, "my_chat_member");
	if (cm)
		return parse_member(cm, u);
	const cJSON *iq = cJSON_GetObjectItemCaseSensitive(json, "inline_query");
	if (iq)
		return parse_inline(iq, u);
	return skip(u, "update kind the bot does not handle");
}

int update_parse(const cJSON *json, struct update *u)
{
	memset(u, 0, sizeof *u);
	if (!cJSON_IsObject(json) || get_i64(json, "update_id", &u->update_id) < 0)
		return -1;
	return parse_body(json, u);
}

void update_parse_known(const cJSON *json, int64_t update_id, struct update *u)
{
	memset(u, 0, sizeof *u);
	u->update_id = update_id;
	parse_body(json, u);
}

/* Skips a JSON string starting at s[i] == '"'; returns the index after it. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Finds "key": (key with its quotes) at nesting depth want of s, outside
 * strings; *after is the index after the colon. Works on broken JSON too. */
static int find_key(const char *s, size_t len, int want, const char *key, size_t *after)
{
	size_t klen = strlen(key);
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			depth--;
		} else if (s[i] == '"') {
			size_t end = skip_string(s, len, i);
			if (depth == want && end - i == klen && !memcmp(s + i, key, klen)) {
				size_t j = end;
				while (j < len && is_blank(s[j]))
					j++;
				if (j < len && s[j] == ':') {
					for (j++; j < len && is_blank(s[j]);)
						j++;
					*after = j;
					return 1;
				}
			}
			i = end - 1;
		}
	}
	return 0;
}

/* The update_id at the top level of one element, read as an exact int64. */
static int element_id(const char *s, size_t len, int64_t *id)
{
	size_t j;
	if (!find_key(s, len, 1, "\"update_id\"", &j))
		return 0;
	char num[24];
	size_t n = 0;
	while (j < len && n < sizeof num - 1 && (s[j] == '-' || (s[j] >= '0' && s[j] <= '9')))
		num[n++] = s[j++];
	num[n] = '\0';
	return parse_i64(num, id) == 0 ? 1 : 0;
}

int update_salvage_callback_id(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, j;
	if (!find_key(s, len, 1, "\"callback_query\"", &i) || i >= len || s[i] != '{' ||
	    !find_key(s + i, len - i, 1, "\"id\"", &j))
		return 0;
	j += i;
	if (j >= len || s[j] != '"')
		return 0;
	size_t end = skip_string(s, len, j), n = end - j - 2;
	if (s[end - 1] != '"' || end - j < 3 || n >= cap || memchr(s + j + 1, '\\', n))
		return 0;	/* cut off, empty, too long or escaped: not a usable id */
	memcpy(out, s + j + 1, n);
	out[n] = '\0';
	return 1;
}

/* Where the next element could start after garbage at s[i]: the next
 * ",{" (Telegram writes no blanks between elements), or the array's end. */
static size_t resync(const char *s, size_t len, size_t i)
{
	for (i++; i + 1 < len; i++)
		if (s[i] == ',' && s[i + 1] == '{')
			return i;
	return len;
}

/* In valid JSON, the end of the value starting at s[i] ('{' or '['). */
static size_t value_end(const char *s, size_t len, size_t i)
{
	int depth = 0;
	for (; i < len; i++) {
		if (s[i] == '"') {
			i = skip_string(s, len, i) - 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if ((s[i] == '}' || s[i] == ']') && --depth == 0) {
			return i + 1;
		}
	}
	return len;
}

int updates_each(const cJSON *result, const char *body, size_t len, update_element_fn fn,
		 void *user)
{
	const char *key = strstr(body, "\"result\"");
	size_t i = key ? (size_t)(key - body) + 8 : len;
	while (i < len && body[i] != '[')
		i++;
	i++;
	int count = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, result) {
		while (i < len && body[i] != '{' && body[i] != ']')
			i++;
		int64_t id = 0;
		int has_id = 0;
		if (i < len && body[i] == '{') {	/* Telegram's elements are objects */
			size_t end = value_end(body, len, i);
			has_id = element_id(body + i, end - i, &id);
			i = end;
		}
		fn(user, item, NULL, 0, id, has_id);
		count++;
	}
	return count;
}

int updates_scan(const char *body, size_t len, update_element_fn fn, void *user)
{
	const char *key = strstr(body, "\"result\"");
	if (!key)
		return -1;
	size_t i = (size_t)(key - body) + 8;
	while (i < len && body[i] != '[' && body[i] != '{')
		i++;
	if (i >= len || body[i] != '[')
		return -1;
	int count = 0;
	i++;
	while (i < len) {
		while (i < len && strchr(" ,\n\r\t", body[i]))
			i++;
		if (i >= len || body[i] == ']')
			break;
		size_t start = i;
		const char *end = NULL;
		cJSON *json = cJSON_ParseWithLengthOpts(body + start, len - start, &end, 0);
		if (json && end > body + start) {
			i = (size_t)(end - body);
		} else {
			cJSON_Delete(json);
			json = NULL;
			i = resync(body, len, start);
			if (i == len) {	/* the last element: up to the closing ']' */
				size_t e = len;
				while (e > start && body[e - 1] != ']')
					e--;
				i = e > start ? e - 1 : len;
			}
		}
		int64_t id = 0;
		int has_id = element_id(body + start, i - start, &id);
		fn(user, json, body + start, i - start, id, has_id);
		cJSON_Delete(json);
		count++;
	}
	return count;
}

void update_free(struct update *u)
{
	free(u->from_name);
	free(u->lang_code);
	free(u->text);
	free(u->reply_to_text);
	free(u->callback_id);
	free(u->callback_data);
	memset(u, 0, sizeof *u);
}

void update_copy(struct update *dst, const struct update *src)
{
	*dst = *src;
	dst->from_name = dup_or_null(src->from_name);
	dst->lang_code = dup_or_null(src->lang_code);
	dst->text = dup_or_null(src->text);
	dst->reply_to_text = dup_or_null(src->reply_to_text);
	dst->callback_id = dup_or_null(src->callback_id);
	dst->callback_data = dup_or_null(src->callback_data);
}

int update_is_group(const struct update *u)
{
	return strcmp(u->chat_type, "group") == 0 || strcmp(u->chat_type, "supergroup") == 0;
}
