/* Unit tests: render — answer templates against the shipped knowledge base:
 * placeholders, optional lines. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers_kb.h"
#include "render.h"

static struct kb *tkb;

static void template_setup(void)
{
	tkb = shipped_kb();
}

static void template_teardown(void)
{
	kb_free(tkb);
}

Test(render, an_optional_first_line_without_a_fact_is_dropped,
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
