/* Unit tests: the committed t2s table (bot/core/t2smap.c) is what the
 * installed OpenCC gives character by character (`make t2smap` when its data
 * changes), and converting by it gives what OpenCC's t2s gives for the
 * labelled Traditional texts and around every phrase the table lists, or
 * leaves the text to OpenCC. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hanmap.h"
#include "normalize.h"
#include "t2smap.h"
#include "util.h"

static opencc_t open_t2s(void)
{
	opencc_t cc = opencc_open("/usr/share/opencc/t2s.json");
	cr_assert_neq(cc, (opencc_t)-1);
	return cc;
}

Test(t2smap, matches_the_installed_opencc)
{
	opencc_t cc = open_t2s();
	size_t mapped = 0;
	for (int32_t c = 0x80; c <= 0xFFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		uint32_t want = t2s_char_of(cc, c);
		const struct t2s_pair *e = t2s_find(c);
		uint32_t have = !e || e->to == e->from ? 0 : e->to ? e->to : T2S_ASK;
		mapped += have && have != T2S_ASK;
		cr_expect_eq(have, want, "U+%04X: table %X, OpenCC %X: run `make t2smap`", (unsigned)c,
			     have, want);
		if (have != want)
			break;
	}
	cr_expect_gt(mapped, 2500, "%zu characters mapped", mapped);
	for (size_t i = 1; i < t2s_nphrases; i++)
		cr_expect_lt(strcmp(t2s_phrases[i - 1], t2s_phrases[i]), 0);
	opencc_close(cc);
}

/* The table's conversion of s equals OpenCC's, or the table declines;
 * returns 1 when the table converted. */
static int same_or_declined(opencc_t cc, const char *s)
{
	char *table = t2s_by_table(s);
	if (!table)
		return 0;
	char *want = opencc_convert_utf8(cc, s, strlen(s));
	cr_expect_str_eq(table, want, "t2s of \"%s\"", s);
	opencc_convert_utf8_free(want);
	free(table);
	return 1;
}

Test(t2smap, converts_as_opencc_does)
{
	opencc_t cc = open_t2s();
	cr_expect_null(t2s_by_table("據瞭解,要怎麼取消"), "a phrase t2s converts as a whole");
	cr_expect_null(t2s_by_table("麼些族"));
	cr_expect_null(t2s_by_table("取消\xF0\xA0\x80\x80門號"), "above U+FFFF: OpenCC's");
	cr_expect(same_or_declined(cc, "請問要怎麼取消門號? 我想回到 at&t"));
	size_t converted = 0, texts = 0;
	static const char *const files[] = {"tests/labelled.tsv", "tests/voices/taiwan_hongkong.tsv"};
	for (size_t f = 0; f < ARRAY_LEN(files); f++) {
		char *data = read_file(files[f], NULL), *save = NULL;
		cr_assert_not_null(data, "%s", files[f]);
		for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			l[strcspn(l, "\t")] = '\0';
			if (*l == '#' || !text_is_traditional(l))
				continue;
			texts++;
			converted += (size_t)same_or_declined(cc, l);
		}
		free(data);
	}
	cr_expect_gt(texts, 500, "%zu Traditional texts", texts);
	cr_expect_gt(converted * 10, texts * 9, "the table converted %zu of %zu", converted, texts);
	/* around every listed phrase: inside a text it is declined; what is
	 * left of it without its first or last character converts as OpenCC */
	for (size_t i = 0; i < t2s_nphrases; i++) {
		char buf[512];
		snprintf(buf, sizeof buf, "請問%s門號", t2s_phrases[i]);
		cr_expect_null(t2s_by_table(buf), "%s", buf);
		const char *p = t2s_phrases[i];
		size_t first = 1;
		while (((unsigned char)p[first] & 0xC0) == 0x80)
			first++;
		snprintf(buf, sizeof buf, "門%s號", p + first);
		same_or_declined(cc, buf);
		size_t len = strlen(p), last = len - 1;
		while (((unsigned char)p[last] & 0xC0) == 0x80)
			last--;
		snprintf(buf, sizeof buf, "門%.*s號", (int)last, p);
		same_or_declined(cc, buf);
	}
	opencc_close(cc);
}
