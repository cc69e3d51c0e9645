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
