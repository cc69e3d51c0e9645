/* Unit tests: dialog — the pure conversation logic, with no server: an
 * update, the shipped knowledge base and a conversation memory in, the
 * replies (texts, buttons) and the memory out. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "context.h"
#include "dialog.h"
#include "helpers_kb.h"
#include "kb.h"
#include "normalize.h"
#include "outbox.h"

static struct kb *kb;
static struct config cfg;
static struct context *ctx;

static void setup(void)
{
	normalize_init();
	kb = shipped_kb();
	config_defaults(&cfg);
	ctx = context_new(64, 600);
}

static void teardown(void)
{
	context_free(ctx);
	config_free(&cfg);
	kb_free(kb);
	normalize_done();
}

TestSuite(dialog, .init = setup, .fini = teardown);

static struct dialog_env env_at(double now)
{
	return (struct dialog_env){.kb = kb, .cfg = &cfg, .ctx = ctx, .bot_username = "cancelbot",
				   .bot_id = 42, .now = now};
}

/* A text message from user 7; chat 7 is private, a negative chat a group.
 * The strings are borrowed: these updates are never passed to update_free. */
static struct update message(int64_t chat, const char *text)
{
	struct update u = {.update_id = 1, .kind = UPDATE_MESSAGE, .chat_id = chat,
			   .message_id = 100, .from_id = 7, .from_name = "Ann",
			   .lang_code = "en", .text = (char *)text};
	strcpy(u.chat_type, chat < 0 ? "supergroup" : "private");
	return u;
}

Test(dialog, a_queued_reply_outlives_the_knowledge_base_it_came_from)
{
	/* defect: a reply's source pointed at the kb's file name; a reload
	 * frees the kb while replies wait in the outbox, and a rejected send
	 * then logged freed memory (heap-use-after-free under ASan) */
	struct dialog_env env = env_at(1000);
	struct update u = message(7, "how do I cancel verizon");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	cr_assert_geq(out.n, 1);
	struct outbox_limits lim = {0};
	struct outbox *ob = outbox_new(&lim);
	for (size_t i = 0; i < out.n; i++)
		outbox_push(ob, u.update_id, &out.v[i], 0, 0);	/* takes the text */
	dialog_out_free(&out);
	kb_free(kb);		/* the reload */
	kb = shipped_kb();		/* reuses the freed memory */
	double wait;
	struct outbox_item *it = outbox_ready(ob, 1, &wait);
	cr_assert_not_null(it);
	cr_expect(strstr(it->r.source, "en/cancel.txt"), "source \"%s\"", it->r.source);
	outbox_free(ob);
}

/* A press of a button with data on a message in chat. */
static struct update press(int64_t chat, const char *data)
{
	struct update u = {.update_id = 2, .kind = UPDATE_CALLBACK, .chat_id = chat,
			   .message_id = 101, .from_id = 7, .from_name = "Ann", .lang_code = "en",
			   .callback_id = "cb1", .callback_data = (char *)data};
	strcpy(u.chat_type, chat < 0 ? "supergroup" : "private");
	return u;
}

/* 1 when some reply of out has a button with this callback data. */
static int has_button(const struct dialog_out *out, const char *data)
{
	for (size_t i = 0; i < out->n; i++)
		for (size_t b = 0; b < out->v[i].nbuttons; b++)
			if (strcmp(out->v[i].buttons[b].data, data) == 0)
				return 1;
	return 0;
}

static void expect_answer(const struct dialog_out *out, const char *topic, const char *carrier)
{
	cr_assert_geq(out->n, 1, "no reply");
	cr_expect_str_eq(out->v[0].topic, topic);
	cr_expect_str_eq(out->v[0].carrier, carrier);
	cr_expect(out->v[0].text && *out->v[0].text);
}

Test(dialog, a_question_is_answered_and_remembered)
{
	struct dialog_env env = env_at(1000);
	struct update u = message(7, "how do I cancel verizon");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "cancel", "verizon");
	cr_expect_eq(out.v[0].chat_id, 7);
	cr_expect_eq(out.v[0].reply_to, 0, "no quoting in a private chat");
	cr_expect_str_eq(out.lang, "en");
	/* Verizon's prepaid lines differ: the answer asks, with buttons */
	cr_expect(has_button(&out, "a:cancel:verizon:prepaid"));
	cr_expect(has_button(&out, "a:cancel:verizon:postpaid"));
	cr_expect(has_button(&out, "p:cancel:verizon"));
	const struct memory *m = context_get(ctx, 7, 7, 1000);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->topic, "cancel");
	cr_expect_str_eq(m->carrier, "verizon");
	cr_expect_eq(m->pending, PENDING_PLAN);
	dialog_out_free(&out);
}

Test(dialog, a_follow_up_uses_the_conversation)
{
	struct dialog_env env = env_at(1000);
	struct update u = message(7, "how do I cancel my line");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	cr_assert_geq(out.n, 1);
	cr_expect_str_eq(out.v[0].topic, "", "a question back, not an answer");
	cr_expect(has_button(&out, "a:cancel:verizon") && has_button(&out, "a:cancel:att"));
	cr_expect(has_button(&out, "w:cancel"), "other carriers");
	cr_expect(has_button(&out, "a:cancel:-"), "general steps");
	const struct memory *m = context_get(ctx, 7, 7, 1000);
	cr_assert_not_null(m);
	cr_expect_eq(m->pending, PENDING_CARRIER);
	cr_expect_str_eq(m->pending_topic, "cancel");
	dialog_out_free(&out);

	env.now = 1010;
	u = message(7, "verizon");	/* the answer to "which carrier?" */
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "cancel", "verizon");
	dialog_out_free(&out);

	env.now = 1020;
	u = message(7, "what about att?");	/* same topic, another carrier */
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "cancel", "att");
	dialog_out_free(&out);

	env.now = 1020 + 601;	/* the memory has expired */
	u = message(7, "verizon");
	dialog_handle(&env, &u, &out);
	cr_expect(out.n == 0 || strcmp(out.v[0].topic, "cancel") != 0, "nothing to follow up");
	dialog_out_free(&out);
}

Test(dialog, where_the_number_goes_is_no_new_subject)
{
	/* defect: "going to Cricket, do they handle the cancel" while porting
	 * out of Boost read Cricket, where the number goes, as another line,
	 * and answered the cancel how-to instead of the port (blind10 e23) */
	struct dialog_env env = env_at(1000);
	struct update u = message(7, "how do i port out of boost");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "port_out", "boost");
	dialog_out_free(&out);

	env.now = 1010;
	u = message(7, "moving over to Visible, do they take care of the cancellation");
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "port_out", "boost");
	dialog_out_free(&out);
}

Test(dialog, every_plan_said_in_a_message_is_no_question_of_its_own)
{
	/* defect: a message saying the plan twice ("是月付的，账单都寄到我家": the
	 * plan, and where its bills go) kept only the last plan cue's words as
	 * the plan said, so the bill word of the other one was read as a
	 * question about the last bill (blind13_d_zh_mainland m02) */
	struct dialog_env env = env_at(1000);
	struct update u = message(7, "人已经在国内了，Verizon还没注销，怎么办");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "abroad", "verizon");
	dialog_out_free(&out);

	env.now = 1010;
	u = message(7, "是月付的，账单都寄到我家");
	dialog_handle(&env, &u, &out);
	cr_assert_geq(out.n, 1, "no reply");
	cr_expect_str_neq(out.v[0].topic, "final_bill", "the plan noted, not the last bill");
	const struct memory *m = context_get(ctx, 7, 7, 1010);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->plan, "postpaid");
	dialog_out_free(&out);
}

Test(dialog, a_group_message_not_for_the_bot_stays_quiet)
{
	struct dialog_env env = env_at(1000);	/* group_mode = mention, the default */
	struct update u = message(-100, "how do I cancel verizon");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	cr_expect_eq(out.n, 0, "not addressed: no reply");
	cr_expect_not(out.unmatched, "and nothing to log");
	cr_expect_null(context_get(ctx, -100, 7, 1000), "nor to remember");
	dialog_out_free(&out);

	u = message(-100, "hi all, what's for lunch");
	cfg.group_mode = GROUP_AUTO;	/* even where the bot reads everything */
	dialog_handle(&env, &u, &out);
	cr_expect_eq(out.n, 0, "chatter is not for the bot");
	cr_expect_not(out.unmatched);
	dialog_out_free(&out);

	cfg.group_mode = GROUP_MENTION;
	u = message(-100, "@cancelbot how do I cancel verizon");
	dialog_handle(&env, &u, &out);
	expect_answer(&out, "cancel", "verizon");
	cr_expect_eq(out.v[0].reply_to, 100, "a group answer quotes the question");
	dialog_out_free(&out);
}

Test(dialog, a_button_press_answers_and_is_acknowledged)
{
	struct dialog_env env = env_at(1000);
	struct update u = press(7, "a:cancel:verizon:prepaid");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	cr_expect(out.answer_callback, "every press is answered (the spinner stops)");
	expect_answer(&out, "cancel", "verizon");
	cr_expect_not(has_button(&out, "p:cancel:verizon"), "the plan is known now");
	const struct memory *m = context_get(ctx, 7, 7, 1000);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->plan, "prepaid");
	dialog_out_free(&out);

	u = press(7, "a:no_such_topic:verizon");	/* a button from an older kb */
	dialog_handle(&env, &u, &out);
	cr_expect(out.answer_callback);
	cr_expect_eq(out.n, 0);
	cr_expect_not_null(out.callback_text, "a short notice that it expired");
	dialog_out_free(&out);
}

/* implied = said ([plan prepaid]): a prepaid plan read from how the line is
 * paid is the conversation's plan, though no plan word was said; postpaid
 * (a phone on instalments, a family plan) keeps to what is stated
 * (session 16) */
Test(dialog, a_prepaid_sign_is_the_plan_said)
{
	struct dialog_env env = env_at(1000);
	struct dialog_out out;
	struct update u = message(7, "how do i cancel my cricket line");
	dialog_handle(&env, &u, &out);
	dialog_out_free(&out);
	u = message(7, "i set the auto refill on my visa card, how do i stop it");
	dialog_handle(&env, &u, &out);
	dialog_out_free(&out);
	const struct memory *m = context_get(ctx, 7, 7, 1000);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->plan, "prepaid", "an auto-refill is prepaid, said");
	cr_expect(kb_rule(kb, RULE_PLAN, "prepaid")->implied_said);
	cr_expect_not(kb_rule(kb, RULE_PLAN, "postpaid")->implied_said);
}
