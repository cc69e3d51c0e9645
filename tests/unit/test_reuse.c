/* Unit tests: reuse — a reload shares the running knowledge base's
 * compiled alternations whose expanded source is unchanged (load.h,
 * kb_load_opts.reuse; bot/kb/regex.c), and classifies exactly as a cold
 * load of the same files does. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "helpers_kb.h"

SHIPPED_KB_SUITE(reuse);

/* Every alternation of k, in rule order, into v (at most cap). */
static size_t alternations(const struct kb *k, const struct regex **v, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < k->nrules; i++) {
		const struct rule *r = &k->rules[i];
		for (size_t g = 0; g < r->ngroups && n + 2 <= cap; g++) {
			v[n++] = r->groups[g].alt.re;
			v[n++] = r->groups[g].alt.no_zh;
		}
		if (n + 3 <= cap) {
			v[n++] = r->any.re;
			v[n++] = r->any.no_zh;
			v[n++] = r->none;
		}
	}
	return n;
}

enum { MAX_ALTS = 8192 };
static const struct regex *a[MAX_ALTS], *b[MAX_ALTS];

/* How many of new[] are none of old[] (identical sources are one). */
static size_t fresh_ones(const struct regex **old, size_t n, const struct regex **new, size_t m)
{
	size_t fresh = 0;
	for (size_t i = 0; i < m; i++) {
		int found = new[i] == NULL;
		for (size_t j = 0; j < n && !found; j++)
			found = old[j] == new[i];
		fresh += !found;
	}
	return fresh;
}

static void same_labels(const struct kb *x, const struct kb *y)
{
	static const char *const t[] = {"how do i cancel my verizon line", "注销AT&T手机号",
					"is mint prepaid or postpaid?", "hello", "退租中華電信門號",
					"what can you do", "cancel my netflix"};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct classification c, d;
		classify(x, t[i], strlen(t[i]), &c);
		classify(y, t[i], strlen(t[i]), &d);
		cr_expect(c.intent == NULL ? d.intent == NULL :
			  d.intent && strcmp(c.intent->id, d.intent->id) == 0, "%s", t[i]);
		cr_expect(c.carrier == NULL ? d.carrier == NULL :
			  d.carrier && strcmp(c.carrier->id, d.carrier->id) == 0, "%s", t[i]);
		classification_free(&c);
		classification_free(&d);
	}
}

Test(reuse, a_reload_of_the_same_files_shares_every_alternation)
{
	struct sbuf err = {0}, warn = {0};
	struct kb_load_opts opts = {.reuse = kb};
	struct kb *next = kb_load("intents", "responses", &opts, &err, &warn);
	cr_assert_not_null(next, "%s", sbuf_str(&err));
	size_t n = alternations(kb, a, MAX_ALTS), m = alternations(next, b, MAX_ALTS);
	cr_assert_eq(n, m);
	cr_expect_eq(fresh_ones(a, n, b, m), 0, "every alternation is the running kb's");
	same_labels(kb, next);
	kb_free(next);	/* the running kb keeps working without it */
	same_labels(kb, kb);
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(reuse, an_edit_of_one_file_compiles_only_what_it_changed)
{
	char *dir = kb_copy();
	char *path = xasprintf("%s/intents/topics.ini", dir);
	FILE *f = fopen(path, "a");
	cr_assert_not_null(f);
	fputs("\n; a test's edit\nen = {b}zzreuseqq{b}\n", f);	/* to the file's last rule */
	fclose(f);
	struct sbuf err = {0}, warn = {0};
	struct kb_load_opts opts = {.reuse = kb};
	struct kb *next = kb_load_copy(dir, &opts, &err, &warn);
	cr_assert_not_null(next, "%s", sbuf_str(&err));
	struct kb *cold = kb_load_copy(dir, NULL, &err, &warn);
	cr_assert_not_null(cold, "%s", sbuf_str(&err));
	size_t n = alternations(kb, a, MAX_ALTS), m = alternations(next, b, MAX_ALTS);
	cr_assert_eq(n, m, "the edit adds a pattern to a group, not a group");
	size_t fresh = fresh_ones(a, n, b, m);
	cr_expect_gt(fresh, 0, "the edited rule's alternation is compiled anew");
	cr_expect_lt(fresh, 4, "%zu alternations compiled anew for one pattern", fresh);
	const char *q = "zzreuseqq";
	struct classification c;
	classify(next, q, strlen(q), &c);
	cr_expect_not_null(c.intent, "the new pattern counts");
	classification_free(&c);
	classify(kb, q, strlen(q), &c);
	cr_expect_null(c.intent, "and not in the running kb");
	classification_free(&c);
	same_labels(cold, next);
	kb_free(kb);	/* the older kb may go first: next keeps what it shares */
	kb = shipped_kb();
	same_labels(cold, next);
	kb_free(next);
	kb_free(cold);
	rm_rf(dir);
	free(dir);
	free(path);
	sbuf_free(&err);
	sbuf_free(&warn);
}
