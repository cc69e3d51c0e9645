/* Unit tests: update — every line of the real-world corpus parses without
 * harm, hostile shapes are skipped with a reason, lone surrogate escapes
 * are read as U+FFFD. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "update.h"
#include "util.h"

#define CORPUS "tests/updates.jsonl"	/* sources: tests/updates-sources.md */

static int parse_text(const char *json, struct update *u)
{
	cJSON *j = cJSON_Parse(json);
	int rc = update_parse(j, u);
	cJSON_Delete(j);
	return rc;
}

Test(update, whole_corpus)
{
	char *data = read_file(CORPUS, NULL);
	cr_assert_not_null(data, "cannot read " CORPUS);
	int lines = 0, messages = 0, callbacks = 0, members = 0, inlines = 0, skipped = 0;
	char *save = NULL;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct update u;
		lines++;
		cr_assert_eq(parse_text(l, &u), 0, "line %d has an update_id", lines);
		if (u.kind == UPDATE_MESSAGE)
			messages++;
		else if (u.kind == UPDATE_CALLBACK)
			callbacks++;
		else if (u.kind == UPDATE_MEMBER)
			members++;
		else if (u.kind == UPDATE_INLINE)
			inlines++;
		else
			skipped++;
		cr_expect(u.kind != UPDATE_SKIP || u.skip_reason);
		update_free(&u);
	}
	free(data);
	/* pinned: a parser that handles a new kind of update moves these */
	cr_expect_eq(lines, 80);
	/* 23: an edited message and a photo with a caption are read as text,
	 * and an anonymous admin's question (sender_chat = the group) */
	cr_expect_eq(messages, 23, "messages %d", messages);
	cr_expect_eq(callbacks, 3, "callbacks %d", callbacks);
	cr_expect_eq(members, 7, "my_chat_member %d", members);
	cr_expect_eq(inlines, 1, "inline queries %d", inlines);
	cr_expect_eq(skipped, 46, "skipped %d", skipped);
}

Test(update, private_text_message)
{
	struct update u;
	cr_assert_eq(parse_text("{\"update_id\":5,\"message\":{\"message_id\":9,\"chat\":{\"id\":42,"
				"\"type\":\"private\"},\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"A\","
				"\"language_code\":\"zh-hans\"},\"text\":\"hi\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_MESSAGE);
	cr_expect_eq(u.chat_id, 42);
	cr_expect_str_eq(u.text, "hi");
	cr_expect_str_eq(u.lang_code, "zh-hans");
	update_free(&u);
}

Test(update, big_ids_and_topics)
{
	struct update u;
	cr_assert_eq(parse_text("{\"update_id\":4503599627370497,\"message\":{\"message_id\":1,"
				"\"message_thread_id\":7,\"is_topic_message\":true,"
				"\"chat\":{\"id\":-1002162095988,\"type\":\"supergroup\"},\"text\":\"x\"}}", &u), 0);
	cr_expect_eq(u.update_id, 4503599627370497LL);
	cr_expect_eq(u.chat_id, -1002162095988LL);
	cr_expect_eq(u.thread_id, 7);
	update_free(&u);
}

Test(update, hostile_shapes)
{
	static const char *const bad_id[] = {"[]", "{}", "{\"update_id\":\"7\"}", "{\"update_id\":1.5}",
					     "{\"update_id\":1e300}", "null"};
	for (size_t i = 0; i < sizeof bad_id / sizeof bad_id[0]; i++) {
		struct update u;
		cr_expect_eq(parse_text(bad_id[i], &u), -1, "%s", bad_id[i]);
		update_free(&u);
	}
	static const char *const skip[] = {
		"{\"update_id\":1,\"message\":5}",
		"{\"update_id\":1,\"message\":{\"chat\":{\"id\":\"x\",\"type\":\"private\"},\"message_id\":1,\"text\":\"a\"}}",
		"{\"update_id\":1,\"message\":{\"chat\":{\"id\":1,\"type\":\"private\"},\"message_id\":1,\"text\":7}}",
		"{\"update_id\":1,\"message\":{\"chat\":{\"id\":1,\"type\":\"channel\"},\"message_id\":1,\"text\":\"a\"}}",
		"{\"update_id\":1,\"callback_query\":{\"data\":\"x\"}}",
		"{\"update_id\":1,\"poll\":{}}",
	};
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) {
		struct update u;
		cr_expect_eq(parse_text(skip[i], &u), 0, "%s", skip[i]);
		cr_expect_eq(u.kind, UPDATE_SKIP, "%s", skip[i]);
		update_free(&u);
	}
}

struct seen {
	int n, json_ok;
	int64_t ids[8];
	int has[8];
};

static void collect(void *user, const cJSON *json, const char *text, size_t len, int64_t id,
		    int has_id)
{
	(void)text;
	(void)len;
	struct seen *s = user;
	if (s->n < 8) {
		s->ids[s->n] = id;
		s->has[s->n] = has_id;
	}
	s->n++;
	s->json_ok += json != NULL;
}

Test(update, scan_salvages_and_reads_exact_ids)
{
	const char *body = "{\"ok\":true,\"result\":[{\"update_id\":9007199254740993,\"message\":{}},"
			   "this is {not json,{\"message\":{\"update_id\":5},\"update_id\":7},"
			   "{\"update_id\":8,\"x\":\"a],\\\"b\"},"
			   "{\"note\":\"update_id\",\"update_id\" :\n9,\"x\":tru}]}";
	struct seen s = {0};
	cr_assert_eq(updates_scan(body, strlen(body), collect, &s), 5);
	cr_expect_eq(s.json_ok, 3);
	cr_expect_eq(s.ids[4], 9, "the key, not a value that reads update_id");
	cr_expect_eq(s.ids[0], 9007199254740993LL, "exact beyond 2^53");
	cr_expect_eq(s.has[1], 0, "garbage has no id");
	cr_expect_eq(s.ids[2], 7, "the top-level update_id, not a nested one");
	cr_expect_eq(s.ids[3], 8);
}

Test(update, each_pairs_parsed_elements_with_exact_ids)
{
	const char *body = "{\"ok\":true,\"result\":[{\"update_id\":9007199254740993,\"message\":"
			   "{\"text\":\"a}\\\"{\"}},{\"message\":{\"update_id\":5},\"update_id\":7}]}";
	cJSON *j = cJSON_Parse(body);
	struct seen s = {0};
	cr_assert_eq(updates_each(cJSON_GetObjectItem(j, "result"), body, strlen(body), collect, &s), 2);
	cr_expect_eq(s.json_ok, 2);
	cr_expect_eq(s.ids[0], 9007199254740993LL);
	cr_expect_eq(s.ids[1], 7);
	cJSON_Delete(j);
}

/* Fixes a copy of in, compares it with want and returns how many it fixed. */
static size_t fixed(const char *in, const char *want)
{
	char *s = xstrdup(in);
	size_t n = json_fix_lone_surrogates(s, strlen(s));
	cr_expect_str_eq(s, want);
	free(s);
	return n;
}

Test(update, lone_surrogate_escapes_become_the_replacement_character)
{
	/* cJSON rejects "\ud800"; the message went unanswered and a button
	 * with such data was never acknowledged */
	cr_expect_eq(fixed("{\"text\":\"cancel \\ud800\"}", "{\"text\":\"cancel \\ufffd\"}"), 1);
	cr_expect_eq(fixed("\"\\uDCFF\\ud83d\\ude00\\uD83D\"", "\"\\ufffd\\ud83d\\ude00\\ufffd\""), 2,
		     "a lone low one, a pair kept, a high one at the end");
	cr_expect_eq(fixed("\"\\\\ud800 \\n\\u00e9\\ud8\"", "\"\\\\ud800 \\n\\u00e9\\ud8\""), 0,
		     "an escaped backslash, other escapes and a cut escape stay");
	cr_expect_eq(fixed("\\ud800\\", "\\ufffd\\"), 1, "a backslash at the very end");
	cr_expect_eq(json_fix_lone_surrogates(NULL, 0), 0);
	char body[] = "{\"update_id\":5,\"message\":{\"message_id\":1,\"chat\":{\"id\":7,"
		      "\"type\":\"private\"},\"text\":\"hi \\ud800\"}}";
	json_fix_lone_surrogates(body, strlen(body));
	struct update u;
	cr_assert_eq(parse_text(body, &u), 0);
	cr_expect_str_eq(u.text, "hi \xef\xbf\xbd");
	update_free(&u);
}

Test(update, a_button_press_that_is_not_json_still_yields_its_id)
{
	char id[16];
	const char *cut = "{\"update_id\":7,\"callback_query\":{\"id\":\"4437\",\"from\":{\"id\":1},"
			  "\"data\":\"o:a";
	cr_assert_eq(update_salvage_callback_id(cut, strlen(cut), id, sizeof id), 1);
	cr_expect_str_eq(id, "4437");
	const char *none[] = {
		"{\"update_id\":7,\"message\":{\"id\":\"1\",\"text\":\"callback_query\"}",
		"{\"update_id\":7,\"x\":{\"callback_query\":{\"id\":\"1\"}}",	/* not at the top */
		"{\"callback_query\":{\"from\":{\"id\":\"1\"},\"data\":\"id\"",	/* id of another object */
		"{\"callback_query\":{\"id\":\"12345678901234567890\"}}",	/* longer than out */
		"{\"callback_query\":{\"id\":\"12", "{\"callback_query\":{\"id\":\"\"}}",
		"{\"callback_query\":{\"id\":\"a\\\"b\"}}",
	};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++)
		cr_expect_eq(update_salvage_callback_id(none[i], strlen(none[i]), id, sizeof id), 0,
			     "%s", none[i]);
}

Test(update, my_chat_member_and_inline_query)
{
	struct update u;
	cr_assert_eq(parse_text("{\"update_id\":7,\"my_chat_member\":{\"chat\":{\"id\":-1005,\"type\":"
				"\"supergroup\",\"title\":\"t\"},\"from\":{\"id\":60,\"is_bot\":false,"
				"\"first_name\":\"A\",\"language_code\":\"zh-tw\"},\"date\":1,"
				"\"old_chat_member\":{\"status\":\"left\"},\"new_chat_member\":{\"status\":"
				"\"administrator\"}}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_MEMBER);
	cr_expect_eq(u.chat_id, -1005);
	cr_expect_eq(u.from_id, 60);
	cr_expect_str_eq(u.member_old, "left");
	cr_expect_str_eq(u.member_new, "administrator");
	cr_expect_str_eq(u.lang_code, "zh-tw");
	update_free(&u);
	cr_assert_eq(parse_text("{\"update_id\":8,\"my_chat_member\":{\"chat\":{\"id\":-1,\"type\":"
				"\"group\"},\"old_chat_member\":{\"status\":\"member\"}}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_SKIP, "no new status: nothing to act on");
	update_free(&u);
	cr_assert_eq(parse_text("{\"update_id\":9,\"inline_query\":{\"id\":\"q1\",\"from\":{\"id\":5,"
				"\"is_bot\":false,\"first_name\":\"B\"},\"query\":\"cancel att\","
				"\"offset\":\"\",\"chat_type\":\"sender\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_INLINE);
	cr_expect_str_eq(u.callback_id, "q1");
	cr_expect_str_eq(u.text, "cancel att");
	cr_expect_str_eq(u.inline_chat_type, "sender");
	cr_expect_eq(u.chat_id, 0);
	update_free(&u);
	cr_assert_eq(parse_text("{\"update_id\":10,\"inline_query\":{\"id\":\"q2\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_SKIP);
	update_free(&u);
}

Test(update, anonymous_admins_channels_and_automatic_forwards)
{
	struct update u;
	/* an anonymous admin: from is Telegram's placeholder bot, sender_chat the group */
	cr_assert_eq(parse_text("{\"update_id\":11,\"message\":{\"message_id\":3,\"chat\":{\"id\":-1007,"
				"\"type\":\"supergroup\"},\"from\":{\"id\":1087968824,\"is_bot\":true,"
				"\"first_name\":\"Group\"},\"sender_chat\":{\"id\":-1007,\"type\":"
				"\"supergroup\"},\"text\":\"cancel att\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_MESSAGE);
	cr_expect(u.anonymous_admin);
	cr_expect_eq(u.from_id, 1087968824);
	update_free(&u);
	/* someone writing as their channel: the channel is the speaker */
	cr_assert_eq(parse_text("{\"update_id\":12,\"message\":{\"message_id\":4,\"chat\":{\"id\":-1007,"
				"\"type\":\"supergroup\"},\"from\":{\"id\":136817688,\"is_bot\":true,"
				"\"first_name\":\"Channel\"},\"sender_chat\":{\"id\":-1009,\"type\":"
				"\"channel\"},\"text\":\"cancel att\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_MESSAGE);
	cr_expect(!u.anonymous_admin);
	cr_expect_eq(u.from_id, -1009);
	cr_expect_eq(u.sender_chat_id, -1009);
	update_free(&u);
	/* the channel's post copied into its discussion group */
	cr_assert_eq(parse_text("{\"update_id\":13,\"message\":{\"message_id\":5,\"chat\":{\"id\":-1007,"
				"\"type\":\"supergroup\"},\"from\":{\"id\":777000,\"is_bot\":false,"
				"\"first_name\":\"Telegram\"},\"sender_chat\":{\"id\":-1009,\"type\":"
				"\"channel\"},\"is_automatic_forward\":true,\"text\":\"cancel att\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_SKIP);
	cr_expect_str_eq(u.skip_reason, "automatic forward of a channel post");
	update_free(&u);
	/* a real bot is still not answered */
	cr_assert_eq(parse_text("{\"update_id\":14,\"message\":{\"message_id\":6,\"chat\":{\"id\":-1007,"
				"\"type\":\"supergroup\"},\"from\":{\"id\":77,\"is_bot\":true,"
				"\"first_name\":\"OtherBot\"},\"text\":\"cancel att\"}}", &u), 0);
	cr_expect_eq(u.kind, UPDATE_SKIP);
	update_free(&u);
}
