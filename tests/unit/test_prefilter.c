/* Unit tests: prefilter — the literals a regex needs, and the needle
 * index whose scan lets classify skip a regex. A needle that a match does not
 * really need would lose answers silently, so the unsure cases matter as
 * much as the found ones. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "kb.h"
#include "load.h"
#include "normalize.h"
#include "prefilter.h"

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The needles of re, sorted and joined with "|", or "-" when unusable. */
static char *needles_of(const char *re)
{
	struct needles n = {0};
	needles_from_regex(re, &n);
	size_t cap = 2;
	char **texts = calloc(n.n + 1, sizeof *texts);
	for (size_t i = 0; i < n.n; i++) {
		cap += n.v[i].len + 1;
		texts[i] = n.v[i].s;
	}
	qsort(texts, n.n, sizeof *texts, by_text);
	char *out = calloc(1, cap);
	if (!n.usable)
		strcpy(out, "-");
	for (size_t i = 0; n.usable && i < n.n; i++) {
		if (i)
			strcat(out, "|");
		strcat(out, texts[i]);
	}
	free(texts);
	needles_free(&n);
	return out;
}

static void check(const char *re, const char *want)
{
	char *got = needles_of(re);
	cr_expect_str_eq(got, want, "needles of %s: %s", re, got);
	free(got);
}

Test(prefilter, plain_words) { check("cancel|quit", "cancel|quit"); }
Test(prefilter, edges_are_zero_width) { check("(?<![a-z0-9])(?:stop|quit)(?![a-z0-9])", "quit|stop"); }
Test(prefilter, optional_letter_ends_a_run) { check("cancel+(?:ing|ed)?", "cancel"); }
Test(prefilter, best_part_of_a_sequence) { check("x.(?:foo|bar)y", "bar|foo"); }
/* a literal before a group joins each alternative's start: "u" and "k" are one byte each */
Test(prefilter, prefix_joins_the_group) { check("u(?:k|ae)", "uae|uk"); }
Test(prefilter, sorted_union_shape) { check("(?<![a-z0-9])(?:c(?:hina|anada)|u(?:k|sa))(?![a-z])", "canada|china|uk|usa"); }
/* past four bytes a needle is selective enough; then the smaller set wins */
Test(prefilter, fewer_needles_beyond_four_bytes) { check("(?:alpha|bravo|charlie)\\d+ zulu", " zulu"); }
Test(prefilter, chinese) { check("注销|销号", "注销|销号"); }
Test(prefilter, escaped_punctuation_is_literal) { check("at\\&t", "at&t"); }
Test(prefilter, counted_gap) { check("\\d+ dollars?.{0,20}back", " dollar"); }
Test(prefilter, long_literal_is_cut) { check("abcdefghijklmnopqrstuvwxyz", "abcdefghijkl"); }

/* When one alternative has no literal at all, nothing can be skipped. */
Test(prefilter, one_weak_alternative_spoils_all) { check("cancel|\\d+", "-"); }
/* a single byte is a needle too, when nothing longer is required */
Test(prefilter, one_byte_literal) { check("cancel|a.*b", "b|cancel"); }
/* the rarer of two bytes: "&" says more than "a" */
Test(prefilter, rarest_part) { check("a ?t ?& ?t", "&"); }
Test(prefilter, one_byte_escaped) { check("^(?:help|\\?)$", "?|help"); }
Test(prefilter, optional_group_is_not_required) { check("a(?:bcd)?e", "a"); }
/* what a positive lookaround asks for is in the text: "^(?=.*bye)..." */
Test(prefilter, positive_lookahead_is_required) { check("^(?=.*(?:bye|later))(?:ok|thanks|[ !])+$", "bye|later"); }
Test(prefilter, negative_lookaround_is_not) { check("(?!abc)x(?<!def)", "x"); }
Test(prefilter, optional_lookahead_is_not) { check("(?=abcd)?x", "x"); }
Test(prefilter, unknown_escape) { check("abc\\x{41}", "-"); }
/* a Unicode property is a class: the greetings with emoji still have needles */
Test(prefilter, property_is_a_class) { check("^(?:hi|hello)(?:\\p{So}|\\pL|!)*$", "hello|hi"); }
Test(prefilter, property_unclosed) { check("hi\\p{So", "-"); }
Test(prefilter, inline_option) { check("(?i)cancel", "-"); }
Test(prefilter, stray_quantifier) { check("*abc", "-"); }
Test(prefilter, unbalanced) { check("abc)", "-"); }
Test(prefilter, class_with_bracket) { check("[]x]+hello", "hello"); }

/* Whether the index of re's needles (with a second set beside it, so ids
 * and shared needles are exercised) lets re run on text. */
static int may(const char *re, const char *text)
{
	struct needles n = {0}, other = {0};
	needles_from_regex("cancel|zzz|注", &other);
	needles_from_regex(re, &n);
	struct needles *sets[] = {&other, &n};
	struct needle_index ix;
	needle_index_build(&ix, sets, 2);
	cr_assert_null(n.v, "indexing frees the strings");
	uint64_t *bits = calloc(needle_scan_words(&ix), sizeof *bits);
	struct needle_hits hits;
	needle_scan(&ix, text, strlen(text), bits, &hits);
	int r = needles_may_occur(&n, &hits);
	free(bits);
	needle_index_free(&ix);
	needles_free(&n);
	needles_free(&other);
	return r;
}

Test(prefilter, skips_only_when_no_needle_can_occur)
{
	cr_expect(may("cancel|quit", "how do i cancel my line"));
	cr_expect(may("cancel|quit", "i quit"));
	cr_expect(!may("cancel|quit", "how do i port my number"));
	cr_expect(may("注销", "怎么注销"));
	cr_expect(!may("注销", "怎么取消"));
	cr_expect(may("\\d+", "nothing alike"), "an unusable set always runs");
	/* one-byte needles, also as the last byte or the whole text */
	cr_expect(may("help|\\?", "why?"));
	cr_expect(may("help|\\?", "?"));
	cr_expect(!may("help|\\?", "why"));
	cr_expect(may("&", "at&t"));
	cr_expect(!may("x&", "at&t"));
}

/* A word list of n words "w0000x|w0001x|…" (caller frees). */
static char *word_list(size_t n)
{
	char *re = calloc(n, 7), *p = re;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%sw%04zux", i ? "|" : "", i);
	return re;
}

/* Big word lists keep their needles: the index's scan costs per byte of
 * text, not per needle, so a list of some thousands of words (abroad's
 * places, plan words) is skipped on a message holding none of them
 * instead of running on every message; past MAX_NEEDLES it runs always. */
Test(prefilter, big_word_list_keeps_its_needles)
{
	char *re = word_list(2000);
	cr_expect(may(re, "see w1999x here"));
	cr_expect(may(re, "w0000x"));
	cr_expect(!may(re, "no such word w2000x"), "a list of 2000 words is skipped");
	free(re);
	re = word_list(5000);
	cr_expect(may(re, "nothing alike"), "past the bound the set is unusable: always runs");
	free(re);
}

/* The scan is exact: a needle whose byte pairs all occur, but apart, is
 * not there (the byte-pair test it replaced let such regexes run). */
Test(prefilter, needles_are_found_exactly)
{
	cr_expect(may("cab|cde|cfg", "the cfg file"));
	cr_expect(may("cab|cde|cfg", "cab"));
	cr_expect(!may("cab|cde|cfg", "c a b cd"), "\"cd\" is there, \"de\" is not");
	cr_expect(!may("cab|cde|cfg", "ca cf"));
	cr_expect(may("cab|cde|xyz|c d", "a c d"));
	cr_expect(!may("for ", "four rooms"), "f-o, o-r, r-space all occur, \"for \" does not");
	cr_expect(may("cancel", "cancel"), "a needle shared with another set");
	cr_expect(may("abc|bcd", "abcd"), "overlapping needles");
	cr_expect(may("ab|abcd", "xabcx"), "one needle the prefix of another");
	cr_expect(!may("abcd", "abcabcab"));
	cr_expect(may("销号", "我想销号"), "multi-byte characters");
	cr_expect(!may("销号", "销户号码"));
}

/* Each part a sequence needs counts, not only its rarest: a pattern runs
 * only when the text holds all of them (for one alternative). */
Test(prefilter, every_needed_part)
{
	const char *re = "(?<![a-z])(?:pay|hire) (?:a )?(?:guy|agent)|quit";
	cr_expect(!may(re, "i want to pay my bill"), "pay, but no guy or agent");
	cr_expect(!may(re, "my agent said so"), "agent, but no pay or hire");
	cr_expect(may(re, "can i hire a guy"));
	cr_expect(may(re, "pay then agent"), "all parts, in any order: the regex decides");
	cr_expect(may(re, "i quit"), "the other alternative");
	cr_expect(may("x(?:ab|\\d)y", "xy"), "an alternative that needs nothing");
	cr_expect(!may("ab.{0,9}cd(?=ef)", "ab cd"), "what a positive lookahead asks for is there");
	cr_expect(may("ab.{0,9}cd(?=ef)", "ab cdef"));
	cr_expect(may("ab.{0,9}cd(?!ef)", "ab cd"), "a negative one asks for nothing");
	cr_expect(!may("ab.{0,9}cd(?!ef)", "ab ef"));
	cr_expect(!may("注销.*(?:手机|电话)号", "注销手机"));
	cr_expect(may("注销.*(?:手机|电话)号", "注销电话号码"));
}

/* The prefilter may only skip what cannot match: the real knowledge base
 * must classify every labelled question, and pairs of them run together,
 * exactly as it does with every needle set switched off. */
static void switch_off(struct alt *a)
{
	a->need.usable = 0;
}

static struct kb *load_kb(void)
{
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load("intents", "responses", NULL, &err, &warn);
	cr_assert(kb, "%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	return kb;
}

static void same_classification(const struct kb *a, const struct kb *b, const char *text)
{
	struct classification x, y;
	classify(a, text, strlen(text), &x);
	classify(b, text, strlen(text), &y);
	cr_expect(x.intent == NULL ? y.intent == NULL :
		  y.intent && strcmp(x.intent->id, y.intent->id) == 0, "intent of \"%s\"", text);
	cr_expect(x.carrier == NULL ? y.carrier == NULL :
		  y.carrier && strcmp(x.carrier->id, y.carrier->id) == 0, "carrier of \"%s\"", text);
	cr_expect(x.plan == NULL ? y.plan == NULL :
		  y.plan && strcmp(x.plan->id, y.plan->id) == 0, "plan of \"%s\"", text);
	classification_free(&x);
	classification_free(&y);
}

/* ~25 s of CPU under ASan with 6 400 labelled lines, but wall time: the
 * chroot CI run of session 8 timed it out at 120 s on a machine at load 15
 * (2 cores); 600 s still catches a hang. */
Test(prefilter, never_changes_a_classification, .timeout = 600)
{
	normalize_init();
	struct kb *with = load_kb(), *without = load_kb();
	size_t usable = 0;
	for (size_t i = 0; i < without->nrules; i++) {
		struct rule *r = &without->rules[i];
		usable += r->any.need.usable;
		switch_off(&r->any);
		for (size_t g = 0; g < r->ngroups; g++) {
			usable += r->groups[g].alt.need.usable;
			switch_off(&r->groups[g].alt);
		}
		usable += r->none_need.usable;	/* the `not` patterns are skipped too */
		r->none_need.usable = 0;
	}
	without->destination_need.usable = 0;
	cr_assert_gt(usable, 50, "the knowledge base should give most groups needles");
	FILE *f = fopen("tests/labelled.tsv", "r");
	cr_assert(f);
	char line[4096], prev[4096] = "";
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\t\n")] = '\0';
		same_classification(with, without, line);
		char both[8200];	/* two questions run together, as long messages do */
		snprintf(both, sizeof both, "%s %s", prev, line);
		same_classification(with, without, both);
		snprintf(prev, sizeof prev, "%s", line);
		n++;
	}
	fclose(f);
	cr_expect_gt(n, 1000);
	kb_free(with);
	kb_free(without);
	normalize_done();
}

/* The memo (needle_memo_begin) reads a big group once and hands out what it
 * found for each later pattern with the same text: the needles and the form
 * must be exactly those read without it, on the first reading and from the
 * memo. */
static void expect_same_sets(const struct needles *a, const struct needles *b)
{
	cr_assert_eq(a->usable, b->usable);
	cr_assert_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		cr_expect_str_eq(a->v[i].s, b->v[i].s);
	cr_assert_eq(a->nform, b->nform);
	for (size_t i = 0; i < a->nform; i++)
		cr_expect_eq(a->form[i], b->form[i], "form word %zu", i);
	cr_assert_eq(a->nleaf, b->nleaf);
	for (size_t i = 0; i < a->nleaf; i++)
		cr_expect_str_eq(a->leaf[i].s, b->leaf[i].s);
}

Test(prefilter, memo_gives_what_reading_gives)
{
	const char *g = "(?:(?<![a-z0-9])(?:alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel|"
			"india|juliet|kilo|lima|mike|november|oscar|papa)(?![a-z0-9]))";
	char re[1024];
	snprintf(re, sizeof re, "cancel.{0,20}%s|quit.{0,9}%s now|(?:%s)+ stop", g, g, g);
	struct needles plain = {0}, first = {0}, again = {0};
	needles_from_regex(re, &plain);
	cr_assert(plain.usable && plain.form, "a set with a form: %s", re);
	needle_memo_begin();
	needles_from_regex(re, &first);
	needles_from_regex(re, &again);
	needle_memo_end();
	expect_same_sets(&plain, &first);
	expect_same_sets(&plain, &again);
	needles_free(&plain);
	needles_free(&first);
	needles_free(&again);
}
