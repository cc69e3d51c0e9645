/* Unit tests: a reply's script conversion is done once per distinct text
 * (convcache.h), the cache stays within its bounds, and a cached answer is
 * the same as OpenCC's. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convcache.h"
#include "normalize.h"

Test(convcache, converts_each_text_once)
{
	convcache_clear();
	char *a = script_convert("s2twp.json", "注销号码以后，软件会自动退出");
	cr_assert_not_null(a);
	cr_expect_eq(convcache_count(NULL), 1);
	char *b = script_convert("s2twp.json", "注销号码以后，软件会自动退出");
	cr_assert_not_null(b);
	cr_expect_str_eq(a, b);
	cr_expect_neq(a, b, "each caller gets its own copy to free");
	cr_expect_eq(convcache_count(NULL), 1, "the second conversion came from the cache");
	/* the same text with another config is another entry */
	char *c = script_convert("s2hk.json", "注销号码以后，软件会自动退出");
	cr_assert_not_null(c);
	cr_expect_eq(convcache_count(NULL), 2);
	free(a);
	free(b);
	free(c);
	normalize_done();
	cr_expect_eq(convcache_count(NULL), 0, "normalize_done empties it");
}

Test(convcache, stays_within_its_bounds)
{
	convcache_clear();
	char text[32], conv[32];
	for (int i = 0; i < CONVCACHE_SLOTS * 2; i++) {
		snprintf(text, sizeof text, "t%d", i);
		snprintf(conv, sizeof conv, "c%d", i);
		convcache_put("x.json", text, conv);
		cr_assert_leq(convcache_count(NULL), CONVCACHE_SLOTS / 2);
	}
	char *last = convcache_get("x.json", text);
	cr_assert_not_null(last, "the newest entry is kept");
	cr_expect_str_eq(last, conv);
	free(last);
	cr_expect_null(convcache_get("y.json", text), "another config is another key");
	size_t big = (size_t)CONVCACHE_BYTES;
	char *huge = malloc(big + 1);
	memset(huge, 'a', big);
	huge[big] = '\0';
	convcache_put("x.json", huge, "b");
	char *got = convcache_get("x.json", huge);
	cr_expect_null(got, "a text over the whole budget is not kept");
	free(got);
	unsigned long bytes = 0;
	convcache_count(&bytes);
	cr_expect_leq(bytes, (unsigned long)CONVCACHE_BYTES);
	free(huge);
	convcache_clear();
}
