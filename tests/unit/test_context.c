/* Unit tests: conversation memory — expiry, bounded size, migration,
 * language choice, group answer de-duplication. */
#include <criterion/criterion.h>

#include "helpers.h"
#include <string.h>

#include "context.h"

Test(context, remembers_until_ttl)
{
	struct context *c = context_new(8, 1800);
	struct memory *m = context_put(c, 1, 2, 1000);
	strcpy(m->carrier, "verizon");
	cr_expect_not_null(context_get(c, 1, 2, 2000));
	cr_expect_null(context_get(c, 1, 3, 2000), "per user");
	cr_expect_null(context_get(c, 1, 2, 1000 + 1801), "expired");
	context_free(c);
}

Test(context, bounded)
{
	struct context *c = context_new(100, 1800);
	for (int i = 0; i < 1000; i++)
		context_put(c, i, i, 1000 + i);
	cr_expect_leq(context_size(c, 1500), 100);
	cr_expect_not_null(context_get(c, 999, 999, 2000), "the newest stays");
	cr_expect_null(context_get(c, 0, 0, 2000), "the oldest went");
	context_free(c);
}

Test(context, months_of_churn_keep_every_live_memory_findable)
{
	/* 200 000 conversations through a store of 64, each forgotten, expired
	 * or evicted in turn: the index is rebuilt as tombstones pile up, and
	 * whatever is live is still found with its contents */
	struct context *c = context_new(64, 100);
	for (int i = 0; i < 200000; i++) {
		double now = i * 0.5;
		struct memory *m = context_put(c, i, -i, now);
		snprintf(m->carrier, sizeof m->carrier, "c%d", i);
		if (i % 3 == 0)
			context_forget(c, i, -i);
	}
	double now = 199999 * 0.5;
	cr_expect_leq(context_size(c, now), 64);
	const struct memory *m = context_get(c, 199999, -199999, now);
	cr_assert_not_null(m);
	cr_expect_str_eq(m->carrier, "c199999");
	cr_expect_null(context_get(c, 199998, -199998, now), "forgotten");
	cr_expect_not_null(context_get(c, 199990, -199990, now));
	cr_expect_null(context_get(c, 1000, -1000, now), "long expired");
	context_free(c);
}

Test(context, migrate_and_lang_and_dedup)
{
	struct context *c = context_new(8, 1800);
	context_put(c, -200, 5, 10);
	context_note_answer(c, -200, "cancel|att||en", 77, 10);
	context_migrate(c, -200, -100200);
	cr_expect_not_null(context_get(c, -100200, 5, 20));
	cr_expect_eq(context_recent_answer(c, -100200, "cancel|att||en", 30, 60), 77);
	cr_expect_eq(context_recent_answer(c, -100200, "cancel|att||en", 80, 60), 0, "a minute later");
	cr_expect_null(context_lang(c, 5));
	context_set_lang(c, 5, "zh");
	cr_expect_str_eq(context_lang(c, 5), "zh");
	context_set_lang(c, 5, NULL);
	cr_expect_null(context_lang(c, 5));
	context_free(c);
}

/* The last-use list against a plain model: random puts, refreshes, forgets
 * and migrations on a small capacity; at capacity the one put longest ago
 * goes, and every other memory stays findable (the list and the index
 * agree through evictions and index rebuilds). */
Test(context, evicts_the_least_recently_used_in_order)
{
	enum { CAP = 50, IDS = 200, OPS = 20000 };
	struct context *c = context_new(CAP, 1e9);
	double last[IDS] = {0};	/* model: when each chat was last put, 0: absent */
	unsigned seed = 12345;
	for (int op = 1; op <= OPS; op++) {
		seed = seed * 1103515245 + 12345;
		int id = (int)((seed >> 8) % IDS), kind = (int)((seed >> 20) % 10);
		if (kind == 0) {
			context_forget(c, id, 1);
			last[id] = 0;
			continue;
		}
		size_t present = 0;
		int oldest = -1;
		for (int i = 0; i < IDS; i++)
			if (last[i] > 0) {
				present++;
				if (oldest < 0 || last[i] < last[oldest])
					oldest = i;
			}
		if (!last[id] && present == CAP)
			last[oldest] = 0;	/* the model's eviction */
		context_put(c, id, 1, op);
		last[id] = op;
		if (op % 97 == 0)
			for (int i = 0; i < IDS; i++)
				cr_assert_eq(context_get(c, i, 1, op) != NULL, last[i] > 0,
					     "op %d chat %d: in memory %d, in the model %d", op, i,
					     context_get(c, i, 1, op) != NULL, last[i] > 0);
	}
	cr_expect_eq(context_size(c, OPS), CAP);
	context_free(c);
}

Test(context, each_line_keeps_its_plan_and_the_oldest_goes_when_full)
{
	struct memory m = {0};
	context_note_plan(&m, "cricket", "prepaid");
	context_note_plan(&m, "verizon", "postpaid");
	cr_expect_str_eq(context_plan_of(&m, "cricket"), "prepaid");
	cr_expect_str_eq(context_plan_of(&m, "verizon"), "postpaid");
	cr_expect_null(context_plan_of(&m, "att"));
	context_note_plan(&m, "cricket", "postpaid");	/* said again: replaced in place */
	cr_expect_str_eq(context_plan_of(&m, "cricket"), "postpaid");
	const char *more[] = {"att", "mint", "tmobile"};
	for (size_t i = 0; i < 3; i++)
		context_note_plan(&m, more[i], "prepaid");
	cr_expect_null(context_plan_of(&m, "cricket"), "the oldest went");
	cr_expect_str_eq(context_plan_of(&m, "tmobile"), "prepaid");
	cr_expect_null(context_plan_of(NULL, "att"));
}

/* The record of a chat is what 10 000 live chats multiply: the lines are
 * two small numbers each (ids kept once in context.c), not two 32-byte
 * strings (568 bytes a chat before, 320 now). */
Test(context, a_chats_memory_stays_small)
{
	cr_expect_leq(sizeof(struct memory), 320, "%zu bytes", sizeof(struct memory));
	struct memory m = {0};
	char id[CTX_ID + 8];
	memset(id, 'x', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	context_note_plan(&m, id, "prepaid");	/* cut as a CTX_ID field would */
	id[CTX_ID - 1] = '\0';
	cr_expect_str_eq(context_plan_of(&m, id), "prepaid");
	context_note_plan(&m, "", "prepaid");	/* no carrier: no line */
	cr_expect_null(context_plan_of(&m, ""));
}

/* Whose each line is ("mine is mint, hers is verizon"): the last line said
 * to be an owner's; with none said to be the asker's, the last said to be
 * nobody's in particular; a line named with nothing said of it has no plan */
Test(context, each_line_keeps_whose_it_is)
{
	struct memory m = {0};
	cr_expect_null(context_line_of(&m, 1));
	context_note_line(&m, "verizon");
	cr_expect_null(context_plan_of(&m, "verizon"), "named, no plan said");
	cr_expect_str_eq(context_line_of(&m, 1), "verizon", "nobody's: the asker's by default");
	context_note_owner(&m, "totalwireless", 2);
	cr_expect_str_eq(context_line_of(&m, 2), "totalwireless");
	cr_expect_str_eq(context_line_of(&m, 1), "verizon");
	context_note_owner(&m, "mint", 1);
	context_note_plan(&m, "mint", "prepaid");
	cr_expect_str_eq(context_line_of(&m, 1), "mint", "said to be the asker's");
	cr_expect_str_eq(context_plan_of(&m, "mint"), "prepaid", "the plan keeps the owner");
	context_note_owner(&m, "mint", 2);
	cr_expect_str_eq(context_line_of(&m, 2), "mint", "the last said");
	cr_expect_null(context_line_of(NULL, 1));
}
