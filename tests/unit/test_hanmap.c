/* Unit tests: the committed script bitmaps (bot/core/hanmap.c) are what the
 * installed OpenCC gives (t2s for Traditional-only, s2t and every
 * Traditional row's config for Simplified-only characters); when its data changes, `make hanmap`
 * regenerates them. And telling a script opens no OpenCC dictionary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hanmap.h"
#include "lang.h"
#include "normalize.h"

static void apply(const char *config, unsigned char *map, void (*fn)(opencc_t, unsigned char *))
{
	char path[256];
	snprintf(path, sizeof path, "/usr/share/opencc/%s", config);
	opencc_t cc = opencc_open(path);
	cr_assert_neq(cc, (opencc_t)-1, "%s", path);
	fn(cc, map);
	opencc_close(cc);
}

/* keep_traditional: also clear what a Traditional row's config keeps */
static void same_as_opencc(const char *config, const unsigned char *committed,
			   int keep_traditional)
{
	static unsigned char map[HANMAP_BYTES];
	memset(map, 0, sizeof map);
	apply(config, map, hanmap_build);
	for (size_t i = 0; keep_traditional && i < nlangs; i++)
		if (langs[i].traditional && langs[i].opencc)
			apply(langs[i].opencc, map, hanmap_keep_changed);
	size_t set = 0;
	for (size_t i = 0; i < HANMAP_BYTES; i++)
		set += (size_t)__builtin_popcount(map[i]);
	cr_expect_gt(set, 1000, "%s changes %zu characters", config, set);
	cr_expect_eq(memcmp(map, committed, HANMAP_BYTES), 0,
		     "bot/core/hanmap.c differs from the installed OpenCC's %s: run `make hanmap`",
		     config);
}

Test(hanmap, matches_the_installed_opencc)
{
	same_as_opencc("t2s.json", han_traditional, 0);
	same_as_opencc("s2t.json", han_simplified, 1);
}

Test(hanmap, a_character_some_traditional_variant_keeps_is_not_simplified)
{
	/* s2t makes 台 臺, but Hong Kong writes 台 and Taiwan's 台北 too: "我人在
	 * 台北" in a Traditional conversation is no Simplified message */
	cr_expect_not(text_is_simplified("我人在台北"));
	cr_expect(text_is_simplified("我人在台湾"));
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

Test(hanmap, telling_a_script_opens_no_dictionary)
{
	/* s2t's dictionaries take ~5 MB: text_is_simplified ran it on every
	 * Simplified message */
	long before = rss_kb();
	cr_expect(text_is_simplified("怎么注销号码"));
	cr_expect_not(text_is_simplified("要多久"));
	cr_expect(text_is_traditional("請問要怎麼取消門號"));
	cr_expect_not(text_is_traditional("怎么注销号码"));
	long grew = rss_kb() - before;
	cr_expect_lt(grew, 1024, "RSS grew %ld KB", grew);
	normalize_done();
}
