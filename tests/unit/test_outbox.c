/* Unit tests: outbox pacing against Telegram's limits, on a simulated
 * clock: 1 message/s per chat, 20/minute per group, 30/s overall, 429
 * pauses, in-order delivery per chat, and the confirmation floor. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

static void push(struct outbox *ob, int64_t update, int64_t chat)
{
	struct reply r = {.chat_id = chat, .is_group = chat < 0, .text = strdup("x")};
	outbox_push(ob, update, &r, 0);
}

/* Sends whatever is ready at each tick from 0 to seconds; returns how many
 * went out, recording each send time per chat. */
static int drain(struct outbox *ob, double seconds, double *times, int64_t *chats, int cap)
{
	int sent = 0;
	for (double t = 0; t <= seconds && outbox_len(ob); t += 0.01) {
		double wait;
		struct outbox_item *it;
		while ((it = outbox_ready(ob, t, &wait)) != NULL) {
			if (sent < cap) {
				times[sent] = t;
				chats[sent] = it->r.chat_id;
			}
			sent++;
			outbox_sent(ob, it, t);
		}
	}
	return sent;
}

Test(outbox, one_message_a_second_per_chat)
{
	struct outbox *ob = outbox_new(1);
	for (int i = 0; i < 5; i++)
		push(ob, 100 + i, 42);
	double times[8];
	int64_t chats[8];
	cr_assert_eq(drain(ob, 10, times, chats, 8), 5);
	for (int i = 1; i < 5; i++)
		cr_expect_geq(times[i] - times[i - 1], 1.0 - 1e-9, "gap %d: %f", i, times[i] - times[i - 1]);
	outbox_free(ob);
}

Test(outbox, twenty_a_minute_per_group)
{
	struct outbox *ob = outbox_new(1);
	for (int i = 0; i < 25; i++)
		push(ob, 100 + i, -1001);
	static double times[32];
	static int64_t chats[32];
	cr_assert_eq(drain(ob, 130, times, chats, 32), 25);
	for (int i = 20; i < 25; i++)	/* any 21 sends span more than a minute */
		cr_expect_geq(times[i] - times[i - 20], 60.0 - 1e-9);
	outbox_free(ob);
}

Test(outbox, thirty_a_second_overall)
{
	struct outbox *ob = outbox_new(1);
	for (int i = 0; i < 90; i++)
		push(ob, 100 + i, 1000 + i);	/* 90 different private chats */
	static double times[96];
	static int64_t chats[96];
	cr_assert_eq(drain(ob, 10, times, chats, 96), 90);
	for (int i = 30; i < 90; i++)
		cr_expect_geq(times[i] - times[i - 30], 1.0 - 1e-9);
	outbox_free(ob);
}

Test(outbox, pause_and_order_and_floor)
{
	struct outbox *ob = outbox_new(1);
	push(ob, 7, 1);
	push(ob, 8, 1);
	push(ob, 9, 2);
	cr_expect_eq(outbox_floor(ob), 7);
	cr_expect_eq(outbox_pending_for(ob, 7), 1);
	outbox_pause_chat(ob, 1, 0, 5.0);	/* a 429 for chat 1 */
	double wait;
	struct outbox_item *it = outbox_ready(ob, 0, &wait);
	cr_assert_not_null(it);
	cr_expect_eq(it->r.chat_id, 2, "chat 2 is not paused");
	outbox_sent(ob, it, 0);
	cr_expect_null(outbox_ready(ob, 1, &wait));
	cr_expect_float_eq(wait, 4.0, 1e-6);
	it = outbox_ready(ob, 5, &wait);
	cr_assert_not_null(it);
	cr_expect_eq(it->update_id, 7, "one chat's replies leave in order");
	outbox_retry(ob, it, 20);	/* a failed send waits; 8 must wait behind it */
	cr_expect_null(outbox_ready(ob, 6, &wait));
	outbox_free(ob);
}

Test(outbox, group_limit_survives_thousands_of_other_chats)
{
	/* the pacing table prunes only records that no longer limit anything:
	 * answering 1100 other chats within the minute (more than the 1024
	 * records an earlier fixed table kept) must not forget a busy group */
	struct outbox *ob = outbox_new(1);
	double t = 0, wait;
	for (int i = 0; i < 20; i++, t += 1.05) {
		push(ob, i, -1001);
		struct outbox_item *it = outbox_ready(ob, t, &wait);
		cr_assert_not_null(it);
		outbox_sent(ob, it, t);
	}
	for (int i = 0; i < 1100; i++) {
		push(ob, 100 + i, 5000000 + i);
		struct outbox_item *it;
		while (!(it = outbox_ready(ob, t, &wait)))
			t += wait;
		outbox_sent(ob, it, t);
	}
	cr_assert_lt(t, 59.0, "the other chats went out at up to 30 a second: %f", t);
	push(ob, 9999, -1001);
	cr_expect_null(outbox_ready(ob, t, &wait), "a 21st message within the minute waits");
	cr_expect_geq(t + wait, 60.0 - 1e-9, "until a minute after the first: %f", t + wait);
	outbox_free(ob);
}

Test(outbox, the_outbox_decides_after_a_429)
{
	struct outbox *ob = outbox_new(1);
	push(ob, 1, 11);
	push(ob, 2, 22);
	push(ob, 3, 33);
	double wait;
	struct outbox_item *it = outbox_ready(ob, 0, &wait);
	cr_assert_eq(it->r.chat_id, 11);
	cr_expect_eq(outbox_result(ob, it, SEND_RATE_LIMITED, 5, 0), 0, "it stays queued");
	it = outbox_ready(ob, 0.1, &wait);
	cr_assert_eq(it->r.chat_id, 22, "one chat limited: the others go on");
	cr_expect_eq(outbox_result(ob, it, SEND_RATE_LIMITED, 5, 0.1), 0);
	/* two chats limited within a second: Telegram's global limit */
	cr_expect_null(outbox_ready(ob, 1, &wait), "every chat waits");
	cr_expect_gt(wait, 4);
	it = outbox_ready(ob, 5.2, &wait);
	cr_assert_not_null(it);
	cr_expect_eq(it->r.chat_id, 11, "in order again after the pause");
	cr_expect_eq(outbox_result(ob, it, SEND_OK, 0, 5.2), 1, "sent: gone");
	cr_expect_eq(outbox_len(ob), 2);
	outbox_free(ob);
}

Test(outbox, a_failing_reply_is_retried_with_backoff_then_given_up)
{
	struct outbox *ob = outbox_new(1);
	push(ob, 1, 11);
	double now = 0, wait, gaps[OUTBOX_MAX_ATTEMPTS];
	int tries = 0;
	for (;;) {
		struct outbox_item *it = outbox_ready(ob, now, &wait);
		if (!it) {
			cr_assert_geq(wait, 0, "nothing left");
			now += wait;
			continue;
		}
		gaps[tries] = now;
		tries++;
		if (outbox_result(ob, it, SEND_FAILED, 0, now))
			break;
	}
	cr_expect_eq(tries, OUTBOX_MAX_ATTEMPTS, "given up after %d attempts", OUTBOX_MAX_ATTEMPTS);
	cr_expect_eq(outbox_len(ob), 0);
	for (int i = 1; i < tries; i++)	/* 1, 2, 4 ... seconds apart */
		cr_expect_float_eq(gaps[i] - gaps[i - 1], i - 1 < 6 ? (double)(1 << (i - 1)) : 60.0,
				   1e-6, "gap %d: %f", i, gaps[i] - gaps[i - 1]);
	outbox_free(ob);
}
