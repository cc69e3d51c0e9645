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
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_with(fine, &err, &warn);
	cr_expect_not(strstr(sbuf_str(&err), "empty alternative"), "%s", sbuf_str(&err));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
}
