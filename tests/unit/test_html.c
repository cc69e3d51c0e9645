/* Unit tests: html — escaping, Telegram's HTML subset, UTF-16 length, splitting. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

Test(html, escape_user_text)
{
	char *e = html_escape("<b>Tom & \"Jerry\"</b>");
	cr_expect_str_eq(e, "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;");
	free(e);
}

Test(html, validate_accepts_subset)
{
	struct sbuf err = {0};
	cr_expect_eq(html_validate("<b>AT&amp;T</b> <i>x</i> <a href=\"https://x\">y</a>", &err), 0);
	sbuf_free(&err);
}

Test(html, validate_rejects)
{
	static const char *const bad[] = {"AT&T", "<div>x</div>", "<b>x", "<b>x</i>", "a > b", "</b>"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sbuf err = {0};
		cr_expect_eq(html_validate(bad[i], &err), -1, "%s should be refused", bad[i]);
		cr_expect_gt(err.len, 0);
		sbuf_free(&err);
	}
}

Test(html, utf16_units_count_like_telegram)
{
	cr_expect_eq(utf16_units("abc", 3), 3);
	cr_expect_eq(utf16_units("注销", 6), 2);
	cr_expect_eq(utf16_units("😀", 4), 2);	/* outside the BMP: a surrogate pair */
	cr_expect_eq(html_text_units("<b>a&amp;b</b>"), 3);
}

/* The count as it was written before: one byte at a time. */
static size_t reference_units(const char *s)
{
	size_t units = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		units += (*p & 0xC0) != 0x80;
		units += *p >= 0xF0;
	}
	return units;
}

/* Plain text is counted eight bytes at a time: the same count as byte by
 * byte for ASCII, Chinese, emoji, stray continuation bytes and any other
 * byte (valid UTF-8 or not), at every length and offset. */
Test(html, text_units_of_plain_runs_match_the_bytewise_count)
{
	static const char *const pieces[] = {"a", "注", "😀", "é", "\x80", "\xff", "\xf0", " ", "\n"};
	unsigned seed = 1;
	for (int round = 0; round < 3000; round++) {
		char s[200];
		size_t len = 0;
		int n = (int)(seed % 40);
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
			memcpy(s + len, p, strlen(p));
			len += strlen(p);
		}
		s[len] = '\0';
		seed = seed * 1103515245 + 12345;
		cr_assert_eq(html_text_units(s), reference_units(s), "round %d: %zu bytes", round, len);
	}
}

Test(html, plain_text)
{
	char *p = html_to_plain("<b>AT&amp;T</b> &lt;3");
	cr_expect_str_eq(p, "AT&T <3");
	free(p);
}

static void check_parts(char **parts, size_t n, size_t max)
{
	for (size_t i = 0; i < n; i++) {
		struct sbuf err = {0};
		cr_expect_leq(html_text_units(parts[i]), max, "part %zu too long", i);
		cr_expect_eq(html_validate(parts[i], &err), 0, "part %zu: %s", i, sbuf_str(&err));
		sbuf_free(&err);
	}
}

Test(html, split_on_paragraphs)
{
	struct sbuf b = {0};
	for (int i = 0; i < 300; i++)
		sbuf_addf(&b, "<b>Paragraph %d</b> with some words in it.\n\n", i);
	size_t n;
	char **parts = html_split(sbuf_str(&b), TG_MAX_TEXT, &n);
	cr_assert_gt(n, 1);
	check_parts(parts, n, TG_MAX_TEXT);
	for (size_t i = 0; i + 1 < n; i++)	/* each cut at a paragraph end */
		cr_expect(strstr(parts[i], "in it.") && parts[i][strlen(parts[i]) - 1] == '.');
	html_free_parts(parts, n);
	sbuf_free(&b);
}

Test(html, split_inside_a_tag_reopens_it)
{
	struct sbuf b = {0};
	sbuf_adds(&b, "<b>");
	for (int i = 0; i < 5000; i++)
		sbuf_adds(&b, "注");
	sbuf_adds(&b, "</b>");
	size_t n;
	char **parts = html_split(sbuf_str(&b), TG_MAX_TEXT, &n);
	cr_assert_eq(n, 2);
	check_parts(parts, n, TG_MAX_TEXT);
	cr_expect(strncmp(parts[1], "<b>", 3) == 0);
	html_free_parts(parts, n);
	sbuf_free(&b);
}

Test(html, split_never_breaks_surrogate_pairs)
{
	struct sbuf b = {0};
	for (int i = 0; i < 3000; i++)
		sbuf_adds(&b, "😀");	/* 6000 UTF-16 units */
	size_t n;
	char **parts = html_split(sbuf_str(&b), TG_MAX_TEXT, &n);
	cr_assert_eq(n, 2);
	cr_expect_eq(html_text_units(parts[0]) + html_text_units(parts[1]), 6000);
	check_parts(parts, n, TG_MAX_TEXT);
	html_free_parts(parts, n);
	sbuf_free(&b);
}
