/* Unit tests: normalize — the one form every pattern is written against. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

static void setup(void) { normalize_init(); }
static void teardown(void) { normalize_done(); }
TestSuite(normalize, .init = setup, .fini = teardown);

static void check(const char *in, const char *want)
{
	char *got = normalize(in, strlen(in));
	cr_expect_str_eq(got, want, "normalize(\"%s\")", in);
	free(got);
}

Test(normalize, case_fold_and_spaces) { check("  How   DO I\tCancel\n", "how do i cancel"); }
Test(normalize, full_width_ascii) { check("ＡＴ＆Ｔ　怎么注销", "at&t 怎么注销"); }
Test(normalize, traditional_to_simplified) { check("美國電話卡怎麼註銷", "美国电话卡怎么注销"); }
Test(normalize, mixed_scripts) { check("T-Mobile後付費註銷流程", "t-mobile后付费注销流程"); }
Test(normalize, one_form_for_account) { check("帳單和帐号", "账单和账号"); }

Test(normalize, invalid_utf8_becomes_replacement)
{
	const char in[] = "ab\xff\xfe" "cd";
	char *got = normalize(in, sizeof in - 1);
	cr_expect_str_eq(got, "ab\xEF\xBF\xBD\xEF\xBF\xBD" "cd");
	free(got);
}

Test(normalize, nul_bytes_dropped)
{
	const char in[] = "can\0cel";
	char *got = normalize(in, sizeof in - 1);
	cr_expect_str_eq(got, "cancel");
	free(got);
}

Test(normalize, huge_input_is_cut_on_a_character_boundary)
{
	size_t n = NORMALIZE_MAX_BYTES * 3;
	char *in = malloc(n + 1);
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(in + i, "注", 3);
	in[n] = '\0';
	char *got = normalize(in, n);
	cr_expect_leq(strlen(got), NORMALIZE_MAX_BYTES);
	cr_expect_eq(strlen(got) % 3, 0);
	free(got);
	free(in);
}

Test(normalize, han_detection)
{
	cr_expect(text_has_han("AT&T怎么注销"));
	cr_expect_not(text_has_han("how do I cancel"));
	cr_expect_not(text_has_han("😀 привет"));
}
