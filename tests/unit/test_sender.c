/* sender — the sendMessage body as written without a JSON tree or printf. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sender.h"
#include "util.h"

/* Every field a reply can carry, at the edges of its numbers: the bytes
 * are those the printf version wrote. */
Test(sender, a_body_with_every_field)
{
	struct reply r = {.chat_id = INT64_MIN + 1, .reply_to = INT64_MAX, .thread_id = 9,
			  .is_group = 1, .text = "a \"b\"\n<b>c</b>", .nbuttons = 3};
	strcpy(r.buttons[0].text, "One");
	strcpy(r.buttons[0].data, "t:1");
	strcpy(r.buttons[1].text, "Two");
	strcpy(r.buttons[1].data, "t:2");
	strcpy(r.buttons[2].text, "Three");
	strcpy(r.buttons[2].data, "t:3");
	struct send_job j;
	send_job_init(&j, &r);
	char *body = send_body(&j);
	cr_expect_str_eq(body,
		"{\"chat_id\":-9223372036854775807,\"text\":\"a \\\"b\\\"\\n<b>c</b>\","
		"\"parse_mode\":\"HTML\",\"link_preview_options\":{\"is_disabled\":true},"
		"\"message_thread_id\":9,\"reply_parameters\":{\"message_id\":9223372036854775807,"
		"\"allow_sending_without_reply\":true},\"reply_markup\":{\"inline_keyboard\":"
		"[[{\"text\":\"One\",\"callback_data\":\"t:1\"},{\"text\":\"Two\",\"callback_data\":"
		"\"t:2\"}],[{\"text\":\"Three\",\"callback_data\":\"t:3\"}]]}}");
	free(body);
}

/* An edit names the message and always sends a keyboard (an empty one
 * clears the old buttons); no quote, no topic. */
Test(sender, an_edit_body)
{
	struct reply r = {.chat_id = 0, .edit_id = -42, .reply_to = 5, .thread_id = 6,
			  .text = "x"};
	struct send_job j;
	send_job_init(&j, &r);
	char *body = send_body(&j);
	cr_expect_str_eq(body, "{\"chat_id\":0,\"message_id\":-42,\"text\":\"x\",\"parse_mode\":"
			 "\"HTML\",\"link_preview_options\":{\"is_disabled\":true},"
			 "\"reply_markup\":{\"inline_keyboard\":[]}}");
	cr_expect_str_eq(send_method(&j), "editMessageText");
	free(body);
}
