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

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "html.h"

/* Chinese text puts no space between Chinese words and one space between a
 * Chinese character and a Latin word ("向 Verizon 确认", "向你的运营商确认"),
 * none next to full-width punctuation. Checked on the visible text, tags
 * dropped and entities decoded, independently of how render gets there. */
#define HAN "[\\x{3400}-\\x{4dbf}\\x{4e00}-\\x{9fff}\\x{f900}-\\x{faff}]"
static const char spacing_faults[] =
	HAN " +" HAN "|" HAN "[A-Za-z0-9]|[A-Za-z0-9]" HAN
	"|[\\x{3000}-\\x{303f}\\x{ff01}-\\x{ff0f}\\x{ff1a}-\\x{ff1f}] +[^ \\n]"
	"|[^ \\n] +[\\x{3001}\\x{3002}\\x{ff0c}\\x{ff1a}\\x{ff1b}\\x{ff09}]";

Test(render, every_chinese_answer_is_spaced_one_way_for_every_carrier,
     .init = template_setup, .fini = template_teardown)
{
	/* defect: templates put names into Chinese two ways ("问{name}：" and
	 * "向 {name} 确认"), so a Latin name came out glued ("问Cricket
	 * Wireless：") and the Chinese fallback name spaced ("向 你的运营商 确认") */
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)spacing_faults, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
	cr_assert_not_null(re);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	size_t faults = 0;
	for (size_t i = 0; i < tkb->nanswers; i++) {
		const struct answer *a = &tkb->answers[i];
		if (strcmp(a->lang, "zh") != 0)
			continue;
		/* no carrier (the fallback names), then every carrier */
		for (size_t c = 0; c <= tkb->nfacts; c++) {
			const char *carrier = c == tkb->nfacts ? NULL : tkb->facts[c].id;
			if (carrier && !strcmp(carrier, "general"))
				continue;
			if (a->carrier && (!carrier || strcmp(a->carrier, carrier)))
				continue;
			if (!carrier && !strcmp(a->topic, "carrier_overview"))
				continue;
			static const char *const vars[] = {"user", "Bob", "brand", "H2O", "bot",
							   "a_bot", "mode", "Auto", "language",
							   "English", "where", "群里", "other",
							   "Verizon", NULL};
			struct sbuf err = {0};
			char *html = render_answer_vars(tkb, a, carrier, vars, 1, &err);
			sbuf_free(&err);
			if (!html)
				continue;	/* a placeholder this carrier lacks: every_answer_renders' business */
			char *text = html_to_plain(html);
			PCRE2_SIZE at = 0;
			while (pcre2_match(re, (PCRE2_SPTR)text, strlen(text), at, 0, md, NULL) >= 0) {
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
				PCRE2_SIZE from = ov[0] > 12 ? ov[0] - 12 : 0;
				if (faults++ < 40)
					cr_log_error("%s:%d (%s): [%.*s] in …%.*s…", a->file, a->line,
						     carrier ? carrier : "no carrier", (int)(ov[1] - ov[0]), text + ov[0],
						     (int)(ov[1] + 12 - from), text + from);
				at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			}
			free(text);
			free(html);
		}
	}
	cr_expect_eq(faults, 0, "%zu spacing faults in rendered Chinese answers", faults);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
}
