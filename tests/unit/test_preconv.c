#define _POSIX_C_SOURCE 200809L
/* Unit tests: the Traditional replies converted from the pieces that
 * bot/edge/preconv.c converts ahead of time in a child process are
 * byte-identical to OpenCC's conversion of the whole reply, for every
 * answer of the shipped knowledge base for every carrier and plan, and
 * the process that uses them never opens OpenCC's reply dictionaries. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "convcache.h"
#include "helpers_kb.h"
#include "html.h"
#include "lang.h"
#include "load.h"
#include "normalize.h"
#include "preconv.h"
#include "render.h"

/* Criterion's worker knows itself as one by BXFI_MAP in its environment;
 * the helper (this binary, main.c) inherited it and took itself for a
 * worker too (it aborted). The worker has read it by the time a test runs. */
static void helper_not_a_worker(void)
{
	unsetenv("BXFI_MAP");
}

TestSuite(preconv, .init = helper_not_a_worker);

/* ids of rules of a kind, NULL first (no carrier / no plan) */
static size_t ids(const struct kb *k, enum rule_kind kind, const char **out, size_t cap)
{
	size_t n = 0;
	out[n++] = NULL;
	for (size_t i = 0; i < k->nrules && n < cap; i++)
		if (k->rules[i].kind == kind)
			out[n++] = k->rules[i].id;
	return n;
}

/* Every topic x carrier x plan x Traditional variant as the dialog picks
 * it (kb_answer), rendered with and without the footer and with a name:
 * from the table and by OpenCC, the same bytes. Returns texts compared. */
static size_t compare_all(const struct kb *k, const char *user, int expect_all_known)
{
	const char *carriers[64], *plans[16];
	size_t nc = ids(k, RULE_CARRIER, carriers, 64), np = ids(k, RULE_PLAN, plans, 16), n = 0;
	const char *vars[] = {"user", user, NULL};
	for (size_t l = 0; l < nlangs; l++) {
		if (!langs[l].opencc)
			continue;
		for (size_t i = 0; i < k->nanswers; i++) {
			const struct answer *first = &k->answers[i];
			if (strcmp(first->lang, langs[l].answers) || (first->carrier || first->plan))
				continue;	/* each topic once, from its fallback section */
			for (size_t c = 0; c < nc; c++)
				for (size_t p = 0; p < np; p++) {
					const struct answer *a = kb_answer(k, first->topic, carriers[c], plans[p],
									   langs[l].code);
					for (int footer = 0; a && footer <= 1; footer++) {
						struct sbuf err = {0};
						char *t = render_answer_vars(k, a, carriers[c], vars, footer, &err);
						sbuf_free(&err);
						if (!t)
							continue;
						char *plain = html_to_plain(t);
						const char *texts[] = {t, plain};
						for (size_t x = 0; x < 2; x++) {
							char *fast = convcache_from_pieces(langs[l].opencc, texts[x]);
							if (expect_all_known)
								cr_assert_not_null(fast, "%s/%s/%s %s: a piece was not "
										   "converted ahead: %s", a->topic,
										   carriers[c] ? carriers[c] : "-",
										   plans[p] ? plans[p] : "-", langs[l].code, texts[x]);
							char *whole = script_convert_opencc(langs[l].opencc, texts[x]);
							cr_assert_not_null(whole);
							if (fast)
								cr_assert_str_eq(fast, whole, "%s/%s/%s %s", a->topic,
										 carriers[c] ? carriers[c] : "-",
										 plans[p] ? plans[p] : "-", langs[l].code);
							free(fast);
							free(whole);
							n++;
						}
						free(plain);
						free(t);
					}
				}
		}
	}
	return n;
}

Test(preconv, every_answer_for_every_carrier_and_plan_converts_byte_identically)
{
	struct kb *k = shipped_kb();
	cr_assert_eq(preconv_kb(k, NULL), 0);
	cr_assert_gt(convcache_pieces_count(NULL), 1000);
	cr_expect_eq(script_converters_open(), 0, "the child converted; this process opened nothing");
	size_t n = compare_all(k, "", 1);
	cr_expect_gt(n, 10000, "%zu texts compared", n);
	n = compare_all(k, "Alice &amp; Bob", 1);	/* a Latin name: its own piece */
	kb_free(k);
	normalize_done();
}

Test(preconv, the_bot_converts_every_reply_without_opencc)
{
	struct kb *k = shipped_kb();
	cr_assert_eq(preconv_kb(k, NULL), 0);
	const char *vars[] = {"user", "Alice", NULL};
	for (size_t i = 0; i < k->nanswers; i++) {
		if (strcmp(k->answers[i].lang, "zh"))
			continue;
		struct sbuf err = {0};
		char *t = render_answer_vars(k, &k->answers[i], k->answers[i].carrier, vars, 1, &err);
		sbuf_free(&err);
		unsigned long before = script_convert_fallbacks();
		char *a = t ? script_convert("s2twp.json", t) : NULL;
		cr_expect_eq(script_convert_fallbacks(), before, "%s: %s", k->answers[i].topic, t);
		char *b = t ? script_convert("s2hk.json", t) : NULL;
		free(a);
		free(b);
		free(t);
	}
	cr_expect_eq(script_convert_fallbacks(), 0);
	cr_expect_eq(script_converters_open(), 0, "OpenCC's reply dictionaries stay unmapped");
	/* a piece no answer has (a Chinese name next to Chinese text) falls
	 * back to OpenCC, with the same result */
	char *t = script_convert("s2twp.json", "张伟，你好");
	cr_assert_str_eq(t, "張偉，你好");
	cr_expect_eq(script_convert_fallbacks(), 1);
	cr_expect_eq(script_converters_open(), 1);
	free(t);
	kb_free(k);
	normalize_done();
}

/* Pieces do not depend on the knowledge base: a reload that brings no new
 * text forks no child (one that did stalled replies 690-790 ms in a burst). */
Test(preconv, a_reload_with_every_piece_known_starts_no_child)
{
	struct kb *k = shipped_kb();
	cr_assert_eq(preconv_kb(k, NULL), 0);
	cr_expect_eq(preconv_children(), 1);
	unsigned long n = convcache_pieces_count(NULL);
	struct kb *again = shipped_kb();
	cr_assert_eq(preconv_kb(again, NULL), 0);
	cr_expect_eq(preconv_children(), 1, "no second child");
	cr_expect_eq(convcache_pieces_count(NULL), n);
	kb_free(again);
	kb_free(k);
	normalize_done();
}

static void put_piece(const char *piece, size_t len, void *arg)
{
	(void)arg;
	char *key = strndup(piece, len);
	char *conv = script_convert_opencc("s2twp.json", key);
	cr_assert_not_null(conv);
	convcache_piece_put("s2twp.json", key, len, conv);
	free(conv);
	free(key);
}

/* Four TWPhrases keys hold Latin letters (U盘 -> 隨身碟, SQL注入): a letter is
 * never where a text is cut into pieces, or these would convert apart. */
Test(preconv, latin_letters_stay_inside_a_piece)
{
	const char *texts[] = {"我买了U盘。", "小心SQL注入攻击", "a-b 注销 c\n<b>号码</b> U盘",
			       "用U盘备份"};
	const char *want[] = {"我買了隨身碟。", NULL, NULL, NULL};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		char *fast = convcache_from_pieces("s2twp.json", texts[i]);
		cr_expect_null(fast, "nothing converted ahead yet");
		free(fast);
		convcache_pieces_each(texts[i], put_piece, NULL);
		fast = convcache_from_pieces("s2twp.json", texts[i]);
		char *whole = script_convert_opencc("s2twp.json", texts[i]);
		cr_assert_not_null(fast);
		cr_assert_not_null(whole);
		cr_expect_str_eq(fast, whole, "%s", texts[i]);
		if (want[i])
			cr_expect_str_eq(whole, want[i]);
		free(fast);
		free(whole);
	}
	normalize_done();
}

/* A helper that hangs (killed at the deadline), dies half-way or exits 0
 * with garbage adds nothing: preconv_kb says so, and every Traditional
 * reply is still converted, by OpenCC in this process. */
static void helper_fails(const char *script)
{
	setenv("CANCELBOT_PRECONV_HELPER", script, 1);
	setenv("CANCELBOT_PRECONV_TIMEOUT", "1", 1);
	struct kb *k = shipped_kb();
	cr_assert_eq(preconv_kb(k, NULL), -1, "%s", script);
	cr_expect_eq(convcache_pieces_count(NULL), 0, "%s: nothing installed", script);
	char *t = script_convert("s2twp.json", "注销号码以前先转网");
	cr_assert_str_eq(t, "登出號碼以前先轉網", "%s", t);
	cr_expect_eq(script_convert_fallbacks(), 1);
	free(t);
	kb_free(k);
	normalize_done();
	unsetenv("CANCELBOT_PRECONV_HELPER");
}

Test(preconv, a_helper_that_hangs_is_killed_and_the_bot_converts)
{
	helper_fails("tests/helpers/preconv_hang.sh");
}

Test(preconv, a_helper_killed_half_way_leaves_the_bot_converting)
{
	helper_fails("tests/helpers/preconv_die.sh");
}

Test(preconv, a_helper_writing_garbage_adds_nothing)
{
	helper_fails("tests/helpers/preconv_garbage.sh");
}
