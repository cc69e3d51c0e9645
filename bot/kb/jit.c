/* jit — when a compiled alternation gets JIT code, and matching one
 * (struct regex, kb.h).
 *
 * The JIT runs a pattern some ten times faster than PCRE2's interpreter,
 * but compiling it costs the time of some 30 interpreted runs (the median
 * over the knowledge base's alternations, labelled.tsv) and about seven
 * times the bytecode's memory. So an alternation is interpreted until it
 * has run KB_JIT_AFTER times, like renting until the rent would have paid
 * for buying: one that runs on most messages is compiled within the first
 * hundred, one that a rare word triggers never costs its JIT code. Which
 * code runs a match never changes its result: both engines implement the
 * same pattern, and the limits of load.c hold in both. */
#include "kb.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* JIT code runs on a stack of its own, and two threads must never share one:
 * the loop classifies while the reload thread's accuracy gate may classify
 * on the same knowledge base. So each thread gets its own match context (the
 * knowledge base's limits, copied) and JIT stack, made on its first JIT
 * match and freed when the thread ends. */
static pthread_key_t jit_key;
static pthread_once_t jit_once = PTHREAD_ONCE_INIT;

struct jit_thread {
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
};

static void jit_thread_free(void *p)
{
	struct jit_thread *t = p;
	pcre2_match_context_free(t->mctx);
	pcre2_jit_stack_free(t->stack);
	free(t);
}

static void jit_key_make(void)
{
	if (pthread_key_create(&jit_key, jit_thread_free))
		abort();	/* only when the process has no keys left: nothing to run on */
}

static pcre2_match_context *jit_context(const struct kb *kb)
{
	pthread_once(&jit_once, jit_key_make);
	struct jit_thread *t = pthread_getspecific(jit_key);
	if (!t) {
		t = xcalloc(1, sizeof *t);
		t->mctx = pcre2_match_context_copy(kb->mctx);
		t->stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
		if (!t->mctx || !t->stack) {
			fputs("cancelbot: out of memory for a JIT stack\n", stderr);
			abort();	/* as xmalloc does */
		}
		pcre2_jit_stack_assign(t->mctx, NULL, t->stack);
		pthread_setspecific(jit_key, t);
	}
	return t->mctx;
}

static void jit_compile(struct regex *r)
{
	int was = REGEX_INTERPRETED;
	if (!atomic_compare_exchange_strong(&r->state, &was, REGEX_COMPILING))
		return;	/* another thread does it, or did */
	/* Other threads keep interpreting meanwhile (PCRE2_NO_JIT below): the
	 * interpreter never uses what pcre2_jit_compile adds to the code. */
	int ok = pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) == 0;
	atomic_store_explicit(&r->state, ok ? REGEX_JIT : REGEX_NO_JIT, memory_order_release);
}

int kb_regex_match(const struct kb *kb, const struct regex *re, const char *text, size_t len,
		   pcre2_match_data *md)
{
	if (!re)
		return PCRE2_ERROR_NOMATCH;
	struct regex *r = (struct regex *)re;	/* the counters change; the pattern never */
	/* normalize() guarantees valid UTF-8, so the per-call check is skipped;
	 * the JIT entry point saves the generic dispatch on this hot path */
	if (atomic_load_explicit(&r->state, memory_order_acquire) == REGEX_JIT)
		return pcre2_jit_match(r->code, (PCRE2_SPTR)text, len, 0, PCRE2_NO_UTF_CHECK, md,
				       jit_context(kb));
	int rc = pcre2_match(r->code, (PCRE2_SPTR)text, len, 0, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
			     md, kb->mctx);
	if (atomic_fetch_add_explicit(&r->runs, 1, memory_order_relaxed) + 1 == KB_JIT_AFTER)
		jit_compile(r);
	return rc;
}

static void add_stats(const struct regex *r, size_t *compiled, size_t *total, size_t *bytes)
{
	if (!r)
		return;
	(*total)++;
	if (atomic_load_explicit(&((struct regex *)r)->state, memory_order_acquire) != REGEX_JIT)
		return;
	size_t size = 0;
	pcre2_pattern_info(r->code, PCRE2_INFO_JITSIZE, &size);
	(*compiled)++;
	*bytes += size;
}

void kb_jit_stats(const struct kb *kb, size_t *compiled, size_t *total, size_t *bytes)
{
	*compiled = *total = *bytes = 0;
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		for (size_t g = 0; g < r->ngroups; g++) {
			add_stats(r->groups[g].alt.re, compiled, total, bytes);
			add_stats(r->groups[g].alt.no_zh, compiled, total, bytes);
		}
		add_stats(r->any.re, compiled, total, bytes);
		add_stats(r->any.no_zh, compiled, total, bytes);
		add_stats(r->none, compiled, total, bytes);
	}
	add_stats(kb->carrier_destination, compiled, total, bytes);
	add_stats(kb->carrier_origin, compiled, total, bytes);
}
