/* Unit tests: outbox pacing against Telegram's limits, on a simulated
 * clock: 1 message/s per chat, 20/minute per group, 30/s overall, 429
 * pauses for one chat, in-order delivery per chat, round-robin between
 * chats, the per-chat cap and the age limit. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

static void push_at(struct outbox *ob, int64_t update, int64_t chat, double t)
{
	struct reply r = {.chat_id = chat, .is_group = chat < 0, .text = strdup("x")};
	outbox_push(ob, update, &r, t, t);
}

static void push(struct outbox *ob, int64_t update, int64_t chat)
{
	push_at(ob, update, chat, 0);
}

static struct outbox *new_outbox(int pacing, size_t chat_max, double max_age)
{
	struct outbox_limits lim = {.pacing = pacing, .chat_max = chat_max, .max_age = max_age};
	return outbox_new(&lim);
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
	struct outbox *ob = new_outbox(1, 0, 0);
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
	struct outbox *ob = new_outbox(1, 0, 0);
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
	struct outbox *ob = new_outbox(1, 0, 0);
	for (int i = 0; i < 90; i++)
		push(ob, 100 + i, 1000 + i);	/* 90 different private chats */
	static double times[96];
	static int64_t chats[96];
	cr_assert_eq(drain(ob, 10, times, chats, 96), 90);
	for (int i = 30; i < 90; i++)
		cr_expect_geq(times[i] - times[i - 30], 1.0 - 1e-9);
	outbox_free(ob);
}

Test(outbox, pause_and_order)
{
	struct outbox *ob = new_outbox(1, 0, 0);
	push(ob, 7, 1);
	push(ob, 8, 1);
	push(ob, 9, 2);
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
	struct outbox *ob = new_outbox(1, 0, 0);
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
	struct outbox *ob = new_outbox(1, 0, 0);
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
	cr_expect_eq(it->r.chat_id, 33, "round-robin: the chat whose turn it is");
	cr_expect_eq(outbox_result(ob, it, SEND_OK, 0, 5.2), 1, "sent: gone");
	it = outbox_ready(ob, 5.3, &wait);
	cr_assert_not_null(it);
	cr_expect_eq(it->r.chat_id, 11, "then the first one limited");
	cr_expect_eq(outbox_len(ob), 2);
	outbox_free(ob);
}

Test(outbox, a_429_pauses_that_chat_only)
{
	/* defect: one retry_after of 40 s on one chat left 51 of 150 other
	 * chats unanswered for the whole pause */
	struct outbox *ob = new_outbox(1, 0, 0);
	push(ob, 1, 11);
	for (int i = 0; i < 20; i++)
		push(ob, 10 + i, 100 + i);
	double wait, t = 0;
	struct outbox_item *it = outbox_ready(ob, t, &wait);
	cr_assert_eq(it->r.chat_id, 11);
	outbox_result(ob, it, SEND_RATE_LIMITED, 40, t);
	int sent = 0;
	for (; t < 5 && outbox_len(ob) > 1; t += 0.01)
		while ((it = outbox_ready(ob, t, &wait)) != NULL) {
			cr_assert_neq(it->r.chat_id, 11, "paused for 40 s");
			outbox_result(ob, it, SEND_OK, 0, t);
			sent++;
		}
	cr_expect_eq(sent, 20, "the other chats went on: %d", sent);
	cr_expect_null(outbox_ready(ob, 39, &wait));
	cr_expect_not_null(outbox_ready(ob, 40.01, &wait));
	outbox_free(ob);
}

Test(outbox, a_flooding_chat_waits_behind_itself_only)
{
	/* defect: 2 000 messages from one chat kept 20 other chats waiting
	 * over 150 s; now chats take turns, and a chat keeps its newest 20 */
	struct outbox *ob = new_outbox(1, 20, 0);
	for (int i = 0; i < 2000; i++)
		push(ob, i, 42);
	for (int i = 0; i < 20; i++)
		push(ob, 5000 + i, 100 + i);
	cr_expect_eq(outbox_len(ob), 40, "20 of the flood kept, and the 20 others");
	cr_expect_eq(outbox_counts(ob)->dropped_full, 1980);
	double wait, t = 0, last_other = -1;
	int64_t first_flood = -1;
	struct outbox_item *it;
	for (; t < 60 && outbox_len(ob); t += 0.01)
		while ((it = outbox_ready(ob, t, &wait)) != NULL) {
			if (it->r.chat_id != 42)
				last_other = t;
			else if (first_flood < 0)
				first_flood = it->update_id;
			outbox_result(ob, it, SEND_OK, 0, t);
		}
	cr_expect_lt(last_other, 2.0, "every other chat answered within 2 s: %f", last_other);
	cr_expect_eq(first_flood, 1980, "the flood's newest 20 are kept: first %lld",
		     (long long)first_flood);
	outbox_free(ob);
}

Test(outbox, a_failing_reply_is_retried_until_it_is_too_old)
{
	/* defect: 8 tries over 127 s, then the reply was dropped and its
	 * update confirmed: a 150 s outage lost every answer */
	struct outbox *ob = new_outbox(1, 0, 3600);
	push(ob, 1, 11);
	double now = 0, wait, prev = 0;
	int tries = 0;
	for (;;) {
		struct outbox_item *it = outbox_ready(ob, now, &wait);
		if (!it) {
			if (wait < 0)
				break;	/* dropped */
			now += wait;
			continue;
		}
		if (tries)	/* 1, 2, 4 ... then 60 s apart */
			cr_expect_float_eq(now - prev, tries - 1 < 6 ? (double)(1 << (tries - 1)) : 60.0,
					   1e-6, "gap %d: %f", tries, now - prev);
		prev = now;
		tries++;
		cr_assert_eq(outbox_result(ob, it, SEND_FAILED, 0, now), 0, "kept for a retry");
	}
	cr_expect_geq(now, 3600, "retried for the whole hour: %f", now);
	cr_expect_geq(tries, 60, "%d tries", tries);
	cr_expect_eq(outbox_len(ob), 0);
	cr_expect_eq(outbox_counts(ob)->dropped_stale, 1);
	outbox_free(ob);
}

Test(outbox, a_long_retry_after_is_capped)
{
	struct outbox *ob = new_outbox(1, 0, 0);
	push(ob, 1, 11);
	double wait;
	struct outbox_item *it = outbox_ready(ob, 0, &wait);
	outbox_result(ob, it, SEND_RATE_LIMITED, 86399, 0);
	cr_expect_null(outbox_ready(ob, 1, &wait));
	cr_expect_leq(wait, OUTBOX_DELAY_MAX, "wait %f", wait);
	outbox_free(ob);
}

/* A store that numbers replies as the journal does. */
static uint64_t next_seq = 1;
static void count_add(void *self, const struct outbox_item *it)
{
	(void)self;
	((struct outbox_item *)it)->seq = next_seq++;
}

Test(outbox, replies_not_yet_committed_are_held)
{
	struct outbox *ob = new_outbox(0, 0, 0);
	struct outbox_store store = {.add = count_add};
	outbox_set_store(ob, &store);
	next_seq = 1;
	push(ob, 100, 1);	/* seq 1, committed below */
	outbox_hold_above(ob, 1);
	push(ob, 101, 2);	/* seq 2 and 3: a batch being handled */
	push(ob, 102, 1);
	double wait;
	struct outbox_item *it = outbox_ready(ob, 0, &wait);
	cr_assert_not_null(it);
	cr_expect_eq(it->update_id, 100);
	outbox_sent(ob, it, 0);
	cr_expect_null(outbox_ready(ob, 0, &wait), "the batch's replies wait for its commit");
	cr_expect_eq(outbox_hold_above(ob, 3), 1);
	it = outbox_ready(ob, 0, &wait);
	cr_assert_not_null(it, "committed: they go");
	outbox_sent(ob, it, 0);
	it = outbox_ready(ob, 0, &wait);
	cr_assert_not_null(it);
	outbox_sent(ob, it, 0);
	cr_expect_eq(outbox_len(ob), 0);
	outbox_free(ob);
}

/* With no per-chat cap (or one as large as the intake), a flooding chat
 * keeps at most its share of total_max: the intake stays open for other
 * chats, whose replies are never the ones dropped. Only an intake full of
 * fair shares closes it. */
Test(outbox, a_flooding_chat_cannot_fill_the_intake)
{
	struct outbox_limits lim = {.pacing = 1, .total_max = 10};
	struct outbox *ob = outbox_new(&lim);
	for (int i = 0; i < 30; i++)
		push(ob, 100 + i, 42);
	cr_expect_eq(outbox_len(ob), 10);
	cr_expect(outbox_accepts(ob), "one chat holding the whole intake must leave room");
	for (int i = 0; i < 4; i++)
		push(ob, 200 + i, 1000 + i);
	cr_expect_eq(outbox_len(ob), 10);
	cr_expect_eq(outbox_counts(ob)->dropped_share, 24, "over its share, not its own cap");
	cr_expect_eq(outbox_counts(ob)->dropped_full, 0);
	double times[16];
	int64_t chats[16];
	cr_assert_eq(drain(ob, 1, times, chats, 16), 5);	/* one each, the flooder too */
	outbox_free(ob);

	ob = outbox_new(&lim);	/* ten chats, one reply each: full, fairly */
	for (int i = 0; i < 10; i++)
		push(ob, 300 + i, 2000 + i);
	cr_expect_not(outbox_accepts(ob));
	cr_expect_eq(outbox_counts(ob)->dropped_full + outbox_counts(ob)->dropped_share, 0);
	outbox_free(ob);
}

/* The largest queue is tracked as replies come and go, not found by a scan
 * of every chat: once the flooder has been partly served and other chats
 * arrive, the replies dropped are still the flooder's, never a chat's only
 * one, and everything kept is sent. */
Test(outbox, the_largest_queue_is_known_as_it_shrinks)
{
	struct outbox_limits lim = {.pacing = 1, .total_max = 10};
	struct outbox *ob = outbox_new(&lim);
	for (int i = 0; i < 30; i++)
		push(ob, 100 + i, 42);
	double times[64];
	int64_t chats[64];
	int first = drain(ob, 2.5, times, chats, 64);
	cr_assert(first >= 2 && first <= 4, "the flooder is paced: %d sent", first);
	for (int i = 0; i < 6; i++)
		push(ob, 200 + i, 1000 + i);
	cr_expect_eq(outbox_len(ob), 10);
	size_t kept = outbox_len(ob);
	int rest = drain(ob, 100, times, chats, 64);
	cr_expect_eq((size_t)rest, kept);
	int singles = 0;
	for (int i = 0; i < rest && i < 64; i++)
		singles += chats[i] >= 1000;
	cr_expect_eq(singles, 6, "every chat's only reply is kept");
	cr_expect_eq(outbox_len(ob), 0);
	outbox_free(ob);
}
