/* Shared by the unit tests that use the knowledge base: the shipped one,
 * and a copy of it in a temporary directory to break or edit and load.
 * The caller frees what these return (kb_free; rm_rf and free the
 * directory). */
#ifndef CANCELBOT_TEST_HELPERS_KB_H
#define CANCELBOT_TEST_HELPERS_KB_H

#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "load.h"
#include "normalize.h"

/* The shipped knowledge base; the test fails when it does not load. */
static inline struct kb *shipped_kb(void)
{
	struct sbuf err = {0}, warn = {0};
	struct kb *k = kb_load("intents", "responses", NULL, &err, &warn);
	cr_assert_not_null(k, "the shipped knowledge base does not load:\n%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	return k;
}

/* A test suite over the shipped knowledge base, in the file's static kb,
 * with OpenCC set up: SHIPPED_KB_SUITE(name); */
#define SHIPPED_KB_SUITE(suite)                                  \
	static struct kb *kb;                                    \
	static void suite##_setup(void)                          \
	{                                                        \
		normalize_init();                                \
		kb = shipped_kb();                               \
	}                                                        \
	static void suite##_teardown(void)                       \
	{                                                        \
		kb_free(kb);                                     \
		normalize_done();                                \
	}                                                        \
	TestSuite(suite, .init = suite##_setup, .fini = suite##_teardown)

/* A copy of intents/ and responses/ in a new temporary directory, without
 * the models (intents/model*.tsv): these tests are
 * about the rules and the loading, and add intents of their own ("zz")
 * that the models, trained on the shipped ones, would veto as chatter or
 * read as another topic (docs/model.md); test_model.c and test_reread.c
 * write models of their own. */
static inline char *kb_copy(void)
{
	char *dir = strdup("/tmp/cancelbot-kb-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char *cmd = xasprintf("cp -r intents responses %s/ && rm -f %s/intents/model*.tsv", dir,
			      dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	return dir;
}

/* Loads the knowledge base of a copy made by kb_copy(). */
static inline struct kb *kb_load_copy(const char *dir, const struct kb_load_opts *opts,
				      struct sbuf *err, struct sbuf *warn)
{
	char *in = xasprintf("%s/intents", dir), *re = xasprintf("%s/responses", dir);
	struct kb *k = kb_load(in, re, opts, err, warn);
	free(in);
	free(re);
	return k;
}

#endif
