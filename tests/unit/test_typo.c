/* Unit tests: typo — `typo = NAME` lines of intents/carriers.ini, a
 * carrier's name with one slip (typo.c), as the shipped knowledge base
 * reads them, and the names it refuses. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "helpers_kb.h"
#include "loader.h"

SHIPPED_KB_SUITE(typo);

static const char *carrier_of(const char *text)
{
	struct classification c;
	classify(kb, text, strlen(text), &c);
	const char *id = c.carrier ? c.carrier->id : "none";
	classification_free(&c);
	return id;
}

Test(typo, a_name_with_one_slip_names_its_carrier)
{
	static const struct {
		const char *text, *carrier;
	} cases[] = {
		{"how do i cancel consumer celluar", "consumercellular"},	/* dropped */
		{"how do i cancel consumers cellular", "consumercellular"},	/* s inside */
		{"cancel verrizon please", "verizon"},				/* doubled */
		{"cancel crikcet wireless", "cricket"},				/* swapped */
		{"cancel trakfone", "tracfone"},				/* sounds alike */
		{"how i talk to real person at visable", "visible"},		/* a for i */
		{"cancel my verezon", "verizon"},				/* e for i */
		{"how to cancel total-wireless", "totalwireless"},		/* joined by - */
		{"t.mobile 要怎么退租", "tmobile"},				/* joined by . */
		{"T - Mobile 要怎么退租", "tmobile"},				/* - with spaces */
		{"t_mobile line cancel how", "tmobile"},			/* joined by _ */
		{"how do i cancel criket before i fly home", "cricket"},	/* a long typo line */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cr_expect_str_eq(carrier_of(cases[i].text), cases[i].carrier, "%s", cases[i].text);
}

Test(typo, a_word_that_is_no_slip_of_a_name_is_no_carrier)
{
	/* the first letter never slips; an s at a name's end is a word of its
	 * own ("crickets"); a slip of a word under five letters is none */
	cr_expect_str_eq(carrier_of("how do i cancel erizon"), "none");
	cr_expect_str_eq(carrier_of("called support and got crickets, how do i cancel"), "none");
	cr_expect_str_eq(carrier_of("cancel lyka mobile"), "none");
	/* the assertions written around a name hold for its slips too */
	cr_expect_str_eq(carrier_of("watching criket on my phone"), "none");
	cr_expect_str_eq(carrier_of("the visble light spectrum"), "none");
	cr_expect_str_eq(carrier_of("the visable light spectrum"), "none");
}

Test(typo, a_name_without_a_word_that_can_slip_is_refused)
{
	char *p = kb_typo_pattern("mint");
	cr_expect_null(p, "a four-letter name has no slips");
	free(p);
	p = kb_typo_pattern("Verizon");
	cr_expect_null(p, "upper case is refused: names are written as normalised text");
	free(p);
	p = kb_typo_pattern("at&t");
	cr_expect_null(p, "& is refused");
	free(p);
	p = kb_typo_pattern("(?<!watch )cricket(?! match)");
	cr_assert_not_null(p);
	cr_expect(strstr(p, "{b}(?<!watch )(?:") && strstr(p, "){b}(?! match)") &&
		  !strcmp(p + strlen(p) - strlen("(?! match)"), "(?! match)"), "%s", p);
	free(p);
	p = kb_typo_pattern("(?<!watch cricket");
	cr_expect_null(p, "an unclosed group is refused");
	free(p);
	p = kb_typo_pattern("cricket(?! match) wireless");
	cr_expect_null(p, "only assertions after the name");
	free(p);
	p = kb_typo_pattern("verizon");
	cr_assert_not_null(p);
	cr_expect(strstr(p, "verizn") && strstr(p, "vreizon") && strstr(p, "verrizon"), "%s", p);
	cr_expect(!strstr(p, "|verizon|") && !strstr(p, "(?:verizon|"), "the name as written is left out: %s", p);
	free(p);
}
