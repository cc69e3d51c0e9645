/* Unit tests: the committed script bitmaps (bot/core/hanmap.c) are what the
 * installed OpenCC gives (t2s for Traditional-only, s2t for
 * Simplified-only characters); when its data changes, `make hanmap`
 * regenerates them. And telling a script opens no OpenCC dictionary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hanmap.h"
#include "normalize.h"

static void same_as_opencc(const char *config, const unsigned char *committed)
{
	char path[256];
	snprintf(path, sizeof path, "/usr/share/opencc/%s", config);
	opencc_t cc = opencc_open(path);
	cr_assert_neq(cc, (opencc_t)-1, "%s", path);
	static unsigned char map[HANMAP_BYTES];
	memset(map, 0, sizeof map);
	hanmap_build(cc, map);
	opencc_close(cc);
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
	same_as_opencc("t2s.json", han_traditional);
	same_as_opencc("s2t.json", han_simplified);
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
