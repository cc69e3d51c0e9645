/* Unit tests: classify_with's line_expected — a message in a conversation
 * about a line read as if a phone word followed it, for the carrier only.
 * The dialog used to classify the whole message again with " line"
 * appended; line_carrier must name exactly the carrier that did, on every
 * text, or a follow-up would silently change its answer. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "helpers_kb.h"

SHIPPED_KB_SUITE(classify);

/* What the dialog did before: the whole text with " line" after it. */
static const struct rule *carrier_with_line_word(const char *text, size_t len)
{
	char *t = malloc(len + sizeof " line");
	memcpy(t, text, len);
	memcpy(t + len, " line", sizeof " line");
	struct classification c;
	classify(kb, t, len + 5, &c);
	const struct rule *r = c.carrier && !c.carrier_is_destination ? c.carrier : NULL;
	classification_free(&c);
	free(t);
	return r;
}

/* line_carrier of text, and that its own classification is classify()'s. */
static const struct rule *line_carrier_of(const char *text, size_t len)
{
	struct classification a, b;
	classify(kb, text, len, &a);
	classify_with(kb, text, len, &(struct classify_opts){.line_expected = 1}, &b);
	cr_assert_str_eq(a.norm, b.norm);
	cr_assert(a.intent == b.intent && a.carrier == b.carrier && a.plan == b.plan &&
		  a.veto == b.veto && a.ncues == b.ncues && a.nmentions == b.nmentions,
		  "line_expected changed the message's own classification: %s", text);
	cr_assert_null(a.line_carrier, "line_carrier without line_expected: %s", text);
	cr_assert(!b.line_carrier || (!b.carrier && !b.veto),
		  "line_carrier beside a carrier or a veto: %s", text);
	const struct rule *r = b.carrier || b.veto ? NULL : b.line_carrier;
	classification_free(&a);
	classification_free(&b);
	return r;
}

static void same_as_with_line_word(const char *text, size_t len, size_t *named)
{
	struct classification c;
	classify(kb, text, len, &c);
	int applies = !c.carrier && !c.veto;
	classification_free(&c);
	const struct rule *want = applies ? carrier_with_line_word(text, len) : NULL;
	const struct rule *got = line_carrier_of(text, len);
	cr_assert(want == got, "line_carrier of \"%.*s\": %s, with \" line\" appended: %s",
		  (int)(len > 200 ? 200 : len), text, got ? got->id : "none",
		  want ? want->id : "none");
	*named += got != NULL;
}

Test(classify, a_brand_word_next_to_no_phone_word_names_its_carrier_when_a_line_is_expected)
{
	static const struct {
		const char *text, *carrier;
	} cases[] = {
		/* (short ones, "卡套上写着 Ultra", "我的是ultra", name Ultra on their own now,
		 * as a short message names any brand word) */
		{"我看了一下抽屉里面那个包装盒，上面写的好像是ultra这几个字母吧，别的看不清楚了", "ultra"},
		{"well i looked at the little card in the drawer and the word on it is just mint i think", "mint"},
		{"moving to ultra", NULL},	/* only where the number goes */
		{"cancel my netflix", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct rule *r = line_carrier_of(cases[i].text, strlen(cases[i].text));
		cr_expect_str_eq(r ? r->id : "none", cases[i].carrier ? cases[i].carrier : "none",
				 "%s", cases[i].text);
	}
}

/* Every labelled and voice question, and the edges of normalisation:
 * trailing blanks, a text that normalises to nothing, Traditional text
 * (OpenCC), text cut at NORMALIZE_MAX_BYTES with " line" inside or past
 * the cut. */
Test(classify, line_carrier_is_the_carrier_of_the_text_with_a_line_word_after_it, .timeout = 120)
{
	size_t n = 0, named = 0;
	glob_t g;
	cr_assert_eq(glob("tests/voices/*.tsv", 0, NULL, &g), 0);
	for (size_t f = 0; f <= g.gl_pathc; f++) {
		const char *name = f ? g.gl_pathv[f - 1] : "tests/labelled.tsv";
		FILE *in = fopen(name, "r");
		cr_assert_not_null(in, "%s", name);
		char line[4096];
		while (fgets(line, sizeof line, in)) {
			if (line[0] == '#')
				continue;
			line[strcspn(line, "\t\n")] = '\0';
			same_as_with_line_word(line, strlen(line), &named);
			n++;
		}
		fclose(in);
	}
	globfree(&g);
	cr_expect_gt(n, 1000);
	cr_expect_gt(named, 0, "no text named a carrier only with a line word");
	static const char *const edges[] = {"ultra  ", "ultra\n", "\xE2\x80\x8B", "  ", "",
					    "卡套上寫著 Ultra", "我用的是Ultra，", "ultra\xE5\xB8"};
	for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
		same_as_with_line_word(edges[i], strlen(edges[i]), &named);
	for (size_t len = NORMALIZE_MAX_BYTES - 8; len <= NORMALIZE_MAX_BYTES + 1; len++) {
		char *big = malloc(len + 1);
		memset(big, 'a', len);
		big[0] = ' ';
		memcpy(big + len - 5, "ultra", 5);
		big[len - 6] = ' ';
		big[len] = '\0';
		same_as_with_line_word(big, len, &named);
		free(big);
	}
}

/* A carrier named twice, the second time as the line to cancel, is the
 * carrier even when another was named between (classify.c,
 * origin_further_on). */
Test(classify, a_carrier_named_again_as_the_line_to_cancel_wins)
{
	static const struct {
		const char *text, *carrier;
	} cases[] = {
		{"one on Metro and one on Boost. Want to drop the Boost one", "boost"},
		{"I have 2 lines, one AT&T postpaid and one Lyca prepaid. How to cancel the Lyca one first",
		 "lyca"},
		{"屋企有兩條線 一條AT&T 一條Mint 想cut咗條Mint先", "mint"},
		{"one line on Metro and one on Boost, which plan is cheaper", "metro"},	/* first named */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct classification c;
		classify(kb, cases[i].text, strlen(cases[i].text), &c);
		cr_expect_str_eq(c.carrier ? c.carrier->id : "none", cases[i].carrier, "%s",
				 cases[i].text);
		classification_free(&c);
	}
}

/* A brand word in another sense names no carrier, even in a short message
 * (a carrier on a message answered nothing would still be remembered). */
Test(classify, a_brand_word_in_another_sense_names_no_carrier)
{
	static const char *const texts[] = {
		"Ultra超跑展今年有冇人去",
		"迈阿密Ultra票还有人要吗 转一张",
		"小米14 Ultra 话费套餐怎么选",
		"watching criket on my phone",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		struct classification c;
		classify(kb, texts[i], strlen(texts[i]), &c);
		cr_expect_null(c.carrier, "%s: %s", texts[i], c.carrier ? c.carrier->id : "");
		classification_free(&c);
	}
}
