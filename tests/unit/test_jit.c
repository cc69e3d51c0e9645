/* Unit tests: jit — JIT code run on two threads at once. The loop classifies
 * while the reload thread's accuracy gate classifies on the same knowledge
 * base; JIT matches need a stack each (bot/kb/jit.c). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "helpers_kb.h"

SHIPPED_KB_SUITE(jit);

#define TEXTS 1500

static char *texts[TEXTS];
static char want[TEXTS][64];
static size_t ntexts;

static void label(const char *t, char *out, size_t n)
{
	struct classification c;
	classify(kb, t, strlen(t), &c);
	snprintf(out, n, "%s/%s/%s", c.intent ? c.intent->id : "-", c.carrier ? c.carrier->id : "-",
		 c.plan ? c.plan->id : "-");
	classification_free(&c);
}

static void *classify_all(void *arg)
{
	size_t *wrong = arg;
	char got[64];
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < ntexts; i++) {
			label(texts[i], got, sizeof got);
			*wrong += strcmp(got, want[i]) != 0;
		}
	return NULL;
}

Test(jit, two_threads_classify_the_same_kb_as_one_does)
{
	FILE *f = fopen("tests/labelled.tsv", "r");
	cr_assert_not_null(f);
	char line[4096];
	while (ntexts < TEXTS && fgets(line, sizeof line, f))
		if (line[0] != '#' && strchr(line, '\t')) {
			*strchr(line, '\t') = 0;
			texts[ntexts++] = strdup(line);
		}
	fclose(f);
	/* one thread first: the answers, and every hot pattern JIT-compiled */
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < ntexts; i++)
			label(texts[i], want[i], sizeof want[i]);
	size_t wrong[2] = {0, 0};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, classify_all, &wrong[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_expect_eq(wrong[0] + wrong[1], 0, "%zu and %zu classifications differ", wrong[0],
		     wrong[1]);
	for (size_t i = 0; i < ntexts; i++)
		free(texts[i]);
}

/* The JIT code is made on the kb's JIT thread, on a copy: the code that a
 * classifying thread may be interpreting is never written to (before, the
 * 32nd run compiled it in place, on the message's own time). */
static void count_jit(const struct regex *re, size_t *copies, size_t *touched)
{
	size_t size = 0;
	if (!re)
		return;
	if (pcre2_pattern_info(re->code, PCRE2_INFO_JITSIZE, &size) == 0 && size > 0)
		(*touched)++;
	const pcre2_code *jit = atomic_load(&((struct regex *)re)->jit);
	if (jit && pcre2_pattern_info(jit, PCRE2_INFO_JITSIZE, &size) == 0 && size > 0)
		(*copies)++;
}

Test(jit, compiles_a_copy_off_the_classifying_thread)
{
	static const char *const t[] = {"how do i cancel my verizon line", "注销AT&T手机号",
					"is mint prepaid or postpaid?", "hello"};
	char got[64];
	for (int round = 0; round < 2 * KB_JIT_AFTER; round++)
		for (size_t i = 0; i < sizeof t / sizeof *t; i++)
			label(t[i], got, sizeof got);
	kb_jit_drain(kb);
	size_t copies = 0, touched = 0;
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		for (size_t g = 0; g < r->ngroups; g++) {
			count_jit(r->groups[g].alt.re, &copies, &touched);
			count_jit(r->groups[g].alt.no_zh, &copies, &touched);
		}
		count_jit(r->any.re, &copies, &touched);
		count_jit(r->any.no_zh, &copies, &touched);
		count_jit(r->none, &copies, &touched);
	}
	uint32_t have_jit = 0;
	pcre2_config(PCRE2_CONFIG_JIT, &have_jit);
	const char *off = getenv("CANCELBOT_NO_JIT");	/* the interpreter only (valgrind) */
	if (have_jit && !(off && *off == '1'))
		cr_expect_gt(copies, 0, "the alternations these ran %d times have JIT code",
			     2 * KB_JIT_AFTER);
	cr_expect_eq(touched, 0, "%zu interpreted originals were JIT-compiled in place", touched);
}

/* Once its JIT copy is published, an alternation's interpreted original is
 * freed as soon as no classification that could still be interpreting it
 * is in flight: kept while one is (here the test's own, opened by hand),
 * freed after. Before, every original stayed until kb_free (+2.3 MB). */
static size_t originals_beside_jit(void)
{
	size_t kept = 0;
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		const struct regex *v[64];
		size_t n = 0;
		for (size_t g = 0; g < r->ngroups && n + 2 < 60; g++) {
			v[n++] = r->groups[g].alt.re;
			v[n++] = r->groups[g].alt.no_zh;
		}
		v[n++] = r->any.re;
		v[n++] = r->any.no_zh;
		v[n++] = r->none;
		for (size_t k = 0; k < n; k++)
			kept += v[k] && atomic_load(&((struct regex *)v[k])->jit) && v[k]->code;
	}
	return kept;
}

Test(jit, an_original_is_freed_once_no_classification_may_read_it)
{
	uint32_t have_jit = 0;
	pcre2_config(PCRE2_CONFIG_JIT, &have_jit);
	const char *off = getenv("CANCELBOT_NO_JIT");
	if (!have_jit || (off && *off == '1'))
		return;	/* nothing is ever JIT-compiled */
	static const char *const t[] = {"how do i cancel my verizon line", "注销AT&T手机号",
					"is mint prepaid or postpaid?", "hello"};
	char got[64];
	size_t freed0, bytes0, freed, bytes;
	kb_jit_freed(kb, &freed0, &bytes0);
	kb_classify_begin(kb);	/* a classification in flight all along */
	for (int round = 0; round < 2 * KB_JIT_AFTER; round++)
		for (size_t i = 0; i < sizeof t / sizeof *t; i++)
			label(t[i], got, sizeof got);
	kb_jit_drain(kb);
	kb_jit_freed(kb, &freed, &bytes);
	cr_expect_eq(freed, freed0, "freed while a classification was in flight");
	cr_expect_gt(originals_beside_jit(), 0, "compiled, so kept beside the JIT code");
	kb_classify_end(kb);
	kb_jit_drain(kb);
	kb_jit_freed(kb, &freed, &bytes);
	cr_expect_gt(freed, freed0);
	cr_expect_gt(bytes, bytes0);
	cr_expect_eq(originals_beside_jit(), 0, "none kept once nothing is in flight");
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {	/* and they still classify */
		char again[64];
		label(t[i], again, sizeof again);
		cr_expect(strlen(again) > 0);
	}
}
