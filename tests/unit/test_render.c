/* Unit tests: render — escaping, Telegram's HTML subset, UTF-16 length, splitting. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "load.h"
#include "render.h"

Test(render, escape_user_text)
{
	char *e = html_escape("<b>Tom & \"Jerry\"</b>");
	cr_expect_str_eq(e, "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;");
	free(e);
}

Test(render, validate_accepts_subset)
{
	struct sbuf err = {0};
	cr_expect_eq(html_validate("<b>AT&amp;T</b> <i>x</i> <a href=\"https://x\">y</a>", &err), 0);
	sbuf_free(&err);
}

Test(render, validate_rejects)
{
	static const char *const bad[] = {"AT&T", "<div>x</div>", "<b>x", "<b>x</i>", "a > b", "</b>"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sbuf err = {0};
		cr_expect_eq(html_validate(bad[i], &err), -1, "%s should be refused", bad[i]);
		cr_expect_gt(err.len, 0);
		sbuf_free(&err);
	}
}

Test(render, utf16_units_count_like_telegram)
{
	cr_expect_eq(utf16_units("abc", 3), 3);
	cr_expect_eq(utf16_units("注销", 6), 2);
	cr_expect_eq(utf16_units("😀", 4), 2);	/* outside the BMP: a surrogate pair */
	cr_expect_eq(html_text_units("<b>a&amp;b</b>"), 3);
}

Test(render, plain_text)
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

Test(render, split_on_paragraphs)
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

Test(render, split_inside_a_tag_reopens_it)
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

Test(render, split_never_breaks_surrogate_pairs)
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

/* Templates against the shipped knowledge base. */
static struct kb *tkb;

static void template_setup(void)
{
	struct sbuf err = {0}, warn = {0};
	tkb = kb_load("intents", "responses", NULL, &err, &warn);
	cr_assert_not_null(tkb, "%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
}

static void template_teardown(void)
{
	kb_free(tkb);
}

Test(template, an_optional_first_line_without_a_fact_is_dropped,
     .init = template_setup, .fini = template_teardown)
{
	/* defect: the dropped line was the first, so nothing had been written
	 * yet and dropping it wrote a NUL through a null buffer (fuzz_render's
	 * input "{?dew}"; `cancelbot check` died with SIGSEGV) */
	static const char *const texts[][2] = {
		{"{?dew}", ""},
		{"{?dew} a line\nkept", "kept"},
		{"{?dew}\n{?dew}\nkept {?dew}", ""},
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct answer a = {.topic = "help", .lang = "en", .text = (char *)texts[i][0],
				   .file = "t.txt", .line = 1};
		struct sbuf err = {0};
		char *html = render_answer(tkb, &a, "mint", 0, &err);
		cr_assert_not_null(html, "%s", sbuf_str(&err));
		cr_expect_str_eq(html, texts[i][1], "rendering \"%s\"", texts[i][0]);
		free(html);
		sbuf_free(&err);
	}
}
