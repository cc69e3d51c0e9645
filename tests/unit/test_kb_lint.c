/* Unit tests: lint — the pattern sources' own problems, reported by
 * `cancelbot check`, startup and reload with the pattern's file:line. */
#include <criterion/criterion.h>

#include "helpers_kb.h"
#include <string.h>

#include "kb.h"
#include "load.h"

/* Loads the shipped knowledge base with intents/zz.ini added; err and warn
 * get what the load reported. */
static struct kb *load_with(const char *zz, struct sbuf *err, struct sbuf *warn)
{
	char *dir = kb_copy();
	char *path = xasprintf("%s/intents/zz.ini", dir);
	write_text(path, zz);
	struct kb *k = kb_load_copy(dir, NULL, err, warn);
	free(path);
	rm_rf(dir);
	free(dir);
	return k;
}

/* The errors of loading zz.ini (the caller frees them); *loaded: whether
 * the knowledge base loaded all the same. */
static char *load_errors(const char *zz, int *loaded)
{
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_with(zz, &err, &warn);
	*loaded = k != NULL;
	char *e = xstrdup(sbuf_str(&err));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	return e;
}

static void expect_empty_alternative(const char *pattern, const char *near)
{
	char *zz = xasprintf("[intent zz]\n; a comment\nen = {b}word{b}\nen = %s\n", pattern);
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_with(zz, &err, &warn);
	const char *e = sbuf_str(&err);
	cr_expect_null(k, "%s loaded", pattern);
	cr_expect(strstr(e, "intents/zz.ini:4: empty alternative"), "%s: %s", pattern, e);
	cr_expect(strstr(e, near), "%s: want near %s in %s", pattern, near, e);
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	free(zz);
}

Test(lint, an_empty_alternative_is_an_error_with_file_and_line)
{
	/* each of these matched every message: the rule won whatever was said */
	expect_empty_alternative("cancel||terminate", "near \"cancel||terminate\"");
	expect_empty_alternative("|cancel", "near \"|cancel\"");
	expect_empty_alternative("cancel|", "near \"cancel|\"");
	expect_empty_alternative("(|x)y", "near \"(|x)y\"");
	expect_empty_alternative("a(?:x|)", "near \"a(?:x|)\"");
	expect_empty_alternative("(?<n>x|)b", "(?<n>x|)b");
	expect_empty_alternative("(?i)|x", "(?i)|x");
	expect_empty_alternative("[|](|y)", "[|](|y)");
	expect_empty_alternative("注销||销号", "注销||销号");
}

Test(lint, alternatives_with_something_on_each_side_pass)
{
	/* a '|' escaped or in a class is a character; {b} and lookarounds are
	 * something; (?i) and comments open no group */
	const char *fine = "[intent zz]\nen = a\\|b|[|]x|c[]|]d\nen = (?:{b}|(?<=att))zz\n"
			   "en = (?i)(?#note|)x(?=a|b)|(?<name>p|q)|[^]|]z\nen = (?:x|y)?{b}\n";
	int loaded;
	char *e = load_errors(fine, &loaded);
	cr_expect_not(strstr(e, "empty alternative"), "%s", e);
	free(e);
}

Test(lint, a_not_that_can_never_match_is_an_error_with_file_and_line)
{
	/* ".*{b}word" can never match (docs/admin.md): as a `not` it never
	 * stopped its rule, and check, startup and reload passed it with a
	 * warning an admin editing from Telegram never sees */
	const char *zz = "[veto zz]\nen = {b}zzword{b}\nnot = .*{b}zzother\n"
			 "en = (?:my )?{b}zzthird\n";
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_with(zz, &err, &warn);
	const char *e = sbuf_str(&err);
	cr_expect_null(k, "loaded: %s", e);
	cr_expect(strstr(e, "intents/zz.ini:3: {b} after '*'"), "%s", e);
	cr_expect(strstr(e, "never stops its rule"), "%s", e);
	/* in a positive pattern it only loses matches: still a warning */
	cr_expect_not(strstr(e, "zz.ini:4:"), "%s", e);
	cr_expect(strstr(sbuf_str(&warn), "intents/zz.ini:4: {b} after '?'"), "%s",
		  sbuf_str(&warn));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(lint, a_not_with_a_word_edge_that_can_hold_passes)
{
	/* {b} after a quantifier at a word's end, or a look-behind for a word's
	 * start: both can match */
	const char *zz = "[veto zz]\nen = {b}zzword{b}\nnot = zzother.*{b}\n"
			 "not = .*(?<![a-z0-9])zzthird\nnot = zz4s?{b}(?! x)\n";
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_with(zz, &err, &warn);
	cr_expect_not_null(k, "%s", sbuf_str(&err));
	cr_expect_not(strstr(sbuf_str(&warn), "zz.ini"), "%s", sbuf_str(&warn));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(lint, a_word_edge_after_a_counted_repeat_is_reported)
{
	/* "t{1,2}{b}": the {b} after "{1,2}" is a word's start (regex.c), never
	 * true right after the letter t */
	const char *zz = "[veto zz]\nen = {b}zzword{b}\nen = {b}zzat{1,2}{b}\nen = {b}zz {2}{b}word\n";
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_with(zz, &err, &warn);
	cr_expect_not_null(k, "%s", sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&warn), "intents/zz.ini:3: {b} after a counted repeat"), "%s",
		  sbuf_str(&warn));
	cr_expect_not(strstr(sbuf_str(&warn), "zz.ini:4:"), "%s", sbuf_str(&warn));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(lint, a_backreference_is_an_error_with_file_and_line)
{
	/* rules are compiled together: \1 would name another rule's group (a
	 * (\p{Han})(?:唔|不)\1 made a 4 KB "aaaa..." message hit the match limit) */
	static const char *const bad[] = {"(\\p{Han})(?:唔|不)\\1", "(a)\\g1", "(?<x>a)\\k<x>",
					  "(?P<x>a)(?P=x)"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *zz = xasprintf("[intent zz]\nen = {b}word{b}\nzh = %s\n", bad[i]);
		int loaded;
		char *e = load_errors(zz, &loaded);
		cr_expect_not(loaded, "%s loaded", bad[i]);
		cr_expect(strstr(e, "intents/zz.ini:3: a backreference"), "%s: %s", bad[i], e);
		free(e);
		free(zz);
	}
	/* an escaped digit in a class, or a \d, is no backreference */
	int loaded;
	char *e = load_errors("[intent zz]\nen = {b}word\\d+{b}|[\\1-9]x\n", &loaded);
	cr_expect_null(strstr(e, "backreference"), "%s", e);
	free(e);
}
