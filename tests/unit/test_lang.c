/* Unit tests: the language table (lib/lang.c), the follow-up helpers
 * (core/followup.c) and the reply language of a conversation
 * (core/script.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "context.h"
#include "followup.h"
#include "lang.h"
#include "normalize.h"
#include "script.h"

Test(lang, telegram_codes_pick_the_written_variant)
{
	cr_expect_str_eq(lang_from_telegram("zh-hant")->code, "zh-Hant");
	cr_expect_str_eq(lang_from_telegram("zh-TW")->code, "zh-Hant");
	cr_expect_str_eq(lang_from_telegram("zh-hk")->code, "zh-HK");
	cr_expect_str_eq(lang_from_telegram("zh")->code, "zh-Hans");
	cr_expect_str_eq(lang_from_telegram("zh-hans")->code, "zh-Hans");
	cr_expect_str_eq(lang_from_telegram("en-US")->code, "en");
	cr_expect_str_eq(lang_from_telegram("es")->code, "en");	/* the first row */
	cr_expect_str_eq(lang_from_telegram(NULL)->code, "en");
	cr_expect_str_eq(lang_answers("zh-Hant"), "zh");
	cr_expect_str_eq(lang_answers("zh"), "zh");
	cr_expect_null(lang_find("fr"));
	/* every row reads one of the answer directories the kb loads */
	static const char *const dirs[] = {LANG_ANSWER_DIRS};
	cr_expect_eq(sizeof dirs / sizeof dirs[0], LANG_NANSWER_DIRS);
	for (size_t i = 0; i < nlangs; i++) {
		int found = 0;
		for (size_t d = 0; d < LANG_NANSWER_DIRS; d++)
			found |= !strcmp(langs[i].answers, dirs[d]);
		cr_expect(found, "%s reads %s", langs[i].code, langs[i].answers);
	}
}

Test(followup, lists_and_brand_names)
{
	cr_expect(list_has("keep_number, fees", "fees"));
	cr_expect(!list_has("keep_number, fees", "fee"));
	cr_expect(!list_has(NULL, "fees"));
	char b[32];
	const char *norm = "cancel my h2o wireless line";
	brand_name(norm, 10, 22, b, sizeof b);
	cr_expect_str_eq(b, "H2O Wireless");
	brand_name("red pocket", 0, 10, b, sizeof b);
	cr_expect_str_eq(b, "Red Pocket");
	brand_name("us cellular", 0, 11, b, sizeof b);
	cr_expect_str_eq(b, "US Cellular");
}

Test(followup, the_memory_fills_in_what_a_message_leaves_out)
{
	struct memory m = {0};
	strcpy(m.carrier, "verizon");
	strcpy(m.topic, "cancel");
	strcpy(m.plan, "prepaid");
	struct ask a = {.topic = "online"};
	follow_up(&m, 1, &a);
	cr_expect_str_eq(a.carrier, "verizon");
	cr_expect_str_eq(a.plan, "prepaid");
	struct ask b = {.carrier = "att"};	/* "what about AT&T?" */
	follow_up(&m, 1, &b);
	cr_expect_str_eq(b.topic, "cancel");
	cr_expect_null(b.plan);	/* Verizon's plan is not AT&T's */
	struct ask c = {.carrier = "att", .plan = "postpaid"};	/* "AT&T postpaid?" */
	follow_up(&m, 1, &c);
	cr_expect_str_eq(c.plan, "postpaid", "a plan said now wins");
}

/* Every marker word of the table alone gives its row, and every
 * romanised word said twice (dialog_lang reads the lists split once). */
Test(script, every_listed_word_still_counts)
{
	normalize_init();
	struct dialog_env env = {.now = 1000};
	struct update u = {.chat_id = 7, .from_id = 7, .kind = UPDATE_MESSAGE};
	size_t checked = 0;
	for (size_t i = 0; i < nlangs; i++) {
		for (int list = 0; list < 2; list++) {
			const char *p = list ? langs[i].romanised : langs[i].markers;
			while (p && *p) {
				size_t n = strcspn(p, ",");
				char text[128];
				if (list)	/* upper case too: the romanisations are caseless */
					snprintf(text, sizeof text, "%.*s %.*s", (int)n, p, (int)n, p);
				else
					snprintf(text, sizeof text, "%.*s", (int)n, p);
				if (list)
					text[0] = (char)(text[0] - 'a' + 'A');
				cr_expect_str_eq(dialog_lang(&env, &u, text), langs[i].code, "%s", text);
				checked++;
				p += n + (p[n] == ',');
			}
		}
	}
	cr_expect_gt(checked, 50, "the lists were read: %zu words", checked);
	cr_expect_str_eq(dialog_lang(&env, &u, "zhuxiaoo zenmee shouji"), "en",
			 "longer than a listed word: no hit");
	normalize_done();
}

Test(script, traditional_stays_traditional_and_latin_keeps_the_language)
{
	normalize_init();
	struct context *ctx = context_new(8, 600);
	struct dialog_env env = {.ctx = ctx, .now = 1000};
	struct update u = {.chat_id = 7, .from_id = 7, .kind = UPDATE_MESSAGE};
	cr_expect_str_eq(dialog_lang(&env, &u, "請問要怎麼取消門號"), "zh-Hant");
	cr_expect_str_eq(dialog_lang(&env, &u, "唔該晒"), "zh-HK");
	cr_expect_str_eq(dialog_lang(&env, &u, "這跟門號沒關係嗎"), "zh-Hant");	/* 係 alone is not Cantonese */
	cr_expect_str_eq(dialog_lang(&env, &u, "怎么注销"), "zh-Hans");
	cr_expect_str_eq(dialog_lang(&env, &u, "cancel att"), "en");
	struct memory *m = context_put(ctx, 7, 7, 1000);
	strcpy(m->lang, "zh-Hant");
	cr_expect_str_eq(dialog_lang(&env, &u, "ATT"), "zh-Hant");	/* no Chinese: keeps it */
	cr_expect_str_eq(dialog_lang(&env, &u, "T-Mobile prepaid"), "zh-Hant");
	cr_expect_str_eq(dialog_lang(&env, &u, "can I do it by phone?"), "zh-Hant",
			 "an English sentence too (taxonomy, Languages)");
	cr_expect_str_eq(dialog_lang(&env, &u, "要多久"), "zh-Hant");	/* nothing Simplified-only */
	cr_expect_str_eq(dialog_lang(&env, &u, "怎么注销"), "zh-Hans");	/* Simplified in, out */
	struct update tw = {.chat_id = 8, .from_id = 8, .kind = UPDATE_MESSAGE, .lang_code = "zh-TW"};
	cr_expect_str_eq(dialog_lang(&env, &tw, "怎么注销"), "zh-Hans");
	cr_expect_str_eq(dialog_lang(&env, &tw, "要多久"), "zh-Hant");
	cr_expect_str_eq(dialog_lang(&env, &tw, "how do I cancel my line"), "en",
			 "no conversation yet: an English sentence is English");
	cr_expect_str_eq(dialog_lang(&env, &tw, "ATT"), "zh-Hant", "a name: the Telegram language");
	char *t = script_convert("s2twp.json", "注销号码");
	cr_assert_not_null(t);
	cr_expect(strstr(t, "號碼") != NULL, "%s", t);
	free(t);
	context_free(ctx);
	normalize_done();
}
