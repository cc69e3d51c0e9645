/* jit — when a compiled alternation gets JIT code, who compiles it, and
 * matching one (struct regex, kb.h).
 *
 * The JIT runs a pattern some ten times faster than PCRE2's interpreter,
 * but compiling it costs the time of some 30 interpreted runs (the median
 * over the knowledge base's alternations, labelled.tsv) and about seven
 * times the bytecode's memory. So an alternation is interpreted until it
 * has run KB_JIT_AFTER times, like renting until the rent would have paid
 * for buying: one that runs on most messages is compiled within the first
 * hundred, one that a rare word triggers never costs its JIT code.
 *
 * The compile never runs on a classifying thread: the match that reaches
 * KB_JIT_AFTER hands the alternation to the knowledge base's JIT thread
 * (one per kb, started on the first hand-over, at nice +10, joined by
 * kb_free) and goes on interpreting. Compiled inline, it landed on some
 * message and made the p99 of the added latency (1.84-2.2 ms against 0.87
 * without). The thread compiles a copy of the code (pcre2_code_copy): the
 * original may be being interpreted by another thread at that moment, and
 * pcre2_jit_compile writes into the code it compiles. The copy is published
 * with one atomic store; from then on matches take it.
 *
 * The original is freed once no classification that began before the
 * publication can still be interpreting it: every classification counts
 * itself in flight (kb_classify_begin/end, two atomic adds a message, one
 * count for the process: a reload shares alternations between two kbs),
 * and the thread frees its retired originals when, after their
 * publication, it reads the count at zero (a classification that starts
 * later reads the JIT copy: both sides are sequentially consistent). It
 * tries after each compile and every RETRY_MS while some wait; the bot's
 * loop is idle between updates, so they go within a message or two. Kept
 * until kb_free, they were 2.3 MB beside the JIT code.
 *
 * Which code runs a match never changes its result: both engines implement
 * the same pattern, and the limits of load.c hold in both. */
#define _GNU_SOURCE	/* syscall(SYS_gettid) for the thread's own nice value */
#include "kb.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

/* The JIT thread of a knowledge base and the alternations waiting for it,
 * first come first compiled. */
enum { JIT_NICE = 10 };

/* Classifications running, on any kb: an alternation may be shared by the
 * running kb and the one a reload built (regex.c), so one kb's count would
 * not say that nobody interprets it. */
static atomic_uint inflight;

struct kb_jit {
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* the thread: work, or stop */
	pthread_cond_t idle;	/* kb_jit_drain: the queue is empty */
	struct regex **queue;
	size_t head, n, cap;
	int busy;		/* the thread is compiling one */
	int started, stop;
	pthread_t thread;
	struct regex **retired;	/* compiled: their originals wait to be freed */
	size_t nretired, capretired;
	size_t freed, freed_bytes;	/* originals freed so far */
};

enum { RETRY_MS = 20 };

void kb_classify_begin(const struct kb *kb)
{
	(void)kb;
	atomic_fetch_add(&inflight, 1);
}

void kb_classify_end(const struct kb *kb)
{
	(void)kb;
	atomic_fetch_sub(&inflight, 1);
}

/* Frees the retired originals when no classification is in flight; with
 * j->lock held. The count is read after every retired copy was published
 * (they were retired after it), so a classification it misses began later
 * and takes the JIT copy. Called by the JIT thread (under compile_lock, as
 * it allocates) and by kb_jit_drain. */
static void reclaim(struct kb_jit *j)
{
	if (!j->nretired || atomic_load(&inflight) != 0)
		return;
	for (size_t i = 0; i < j->nretired; i++) {
		struct regex *r = j->retired[i];
		size_t size = 0;
		pcre2_pattern_info(r->code, PCRE2_INFO_SIZE, &size);
		j->freed_bytes += size;
		pcre2_code_free(r->code);
		r->code = NULL;	/* nobody reads it: every match takes r->jit now */
	}
	j->freed += j->nretired;
	j->nretired = 0;
}

struct kb_jit *kb_jit_new(void)
{
	struct kb_jit *j = xcalloc(1, sizeof *j);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
	pthread_cond_init(&j->idle, NULL);
	return j;
}

/* Every compile and every reclaim of originals holds this lock (lock
 * order: compile_lock, then j->lock). Nothing forks any more (preconv.c
 * uses posix_spawn), so no pthread_atfork handler takes it. */
static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

/* 1 when r got its JIT code (published), 0 when it stays interpreted. */
static int compile_one(struct regex *r)
{
	pcre2_code *copy = pcre2_code_copy(r->code);
	if (copy && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) == 0) {
		atomic_store(&r->jit, copy);	/* seq_cst: before reclaim reads the count */
		atomic_store_explicit(&r->state, REGEX_JIT, memory_order_release);
		return 1;
	}
	pcre2_code_free(copy);	/* no JIT here (or no memory): it stays interpreted */
	atomic_store_explicit(&r->state, REGEX_NO_JIT, memory_order_release);
	return 0;
}

static void retire(struct kb_jit *j, struct regex *r)
{
	if (j->nretired == j->capretired) {
		j->capretired = j->capretired ? 2 * j->capretired : 64;
		j->retired = xrealloc(j->retired, j->capretired * sizeof *j->retired);
	}
	j->retired[j->nretired++] = r;
}

/* Waits for work, or RETRY_MS while originals wait to be freed. */
static void wait_for_work(struct kb_jit *j)
{
	if (!j->nretired) {
		pthread_cond_wait(&j->wake, &j->lock);
		return;
	}
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += RETRY_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&j->wake, &j->lock, &until);
}

static void *jit_main(void *arg)
{
	struct kb_jit *j = arg;
	/* below the classifying threads: it must not take the core the loop
	 * answers on when the machine has only that one free */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), JIT_NICE);
	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->stop && j->head == j->n) {
			j->head = j->n = 0;
			pthread_cond_broadcast(&j->idle);
			wait_for_work(j);
			if (j->nretired) {	/* lock order: compile_lock, then j->lock */
				pthread_mutex_unlock(&j->lock);
				pthread_mutex_lock(&compile_lock);
				pthread_mutex_lock(&j->lock);
				reclaim(j);
				pthread_mutex_unlock(&compile_lock);
			}
		}
		if (j->stop)
			break;
		struct regex *r = j->queue[j->head++];
		j->busy = 1;
		pthread_mutex_unlock(&j->lock);
		pthread_mutex_lock(&compile_lock);
		int compiled = compile_one(r);
		pthread_mutex_lock(&j->lock);
		if (compiled)
			retire(j, r);
		reclaim(j);
		pthread_mutex_unlock(&compile_lock);
		j->busy = 0;
	}
	pthread_cond_broadcast(&j->idle);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Hands r to the JIT thread, starting it on the first call. Called once
 * per alternation (the match that reaches KB_JIT_AFTER), so the lock is
 * taken a few hundred times per knowledge base, never per message. */
static void enqueue(struct kb_jit *j, struct regex *r)
{
	if (!j) {	/* a kb not made by kb_load: interpreted only */
		atomic_store_explicit(&r->state, REGEX_NO_JIT, memory_order_release);
		return;
	}
	pthread_mutex_lock(&j->lock);
	if (!j->started && !j->stop) {
		/* signals stay with the threads that handle them */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		j->started = pthread_create(&j->thread, NULL, jit_main, j) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!j->started)
			j->stop = 1;	/* no thread: everything stays interpreted */
	}
	if (j->stop) {
		pthread_mutex_unlock(&j->lock);
		atomic_store_explicit(&r->state, REGEX_NO_JIT, memory_order_release);
		return;
	}
	if (j->n == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 64;
		j->queue = xrealloc(j->queue, j->cap * sizeof *j->queue);
	}
	j->queue[j->n++] = r;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
}

void kb_jit_drain(const struct kb *kb)
{
	struct kb_jit *j = kb->jit;
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	while (j->started && !j->stop && (j->head < j->n || j->busy))
		pthread_cond_wait(&j->idle, &j->lock);
	reclaim(j);	/* unless the caller, or another thread, is classifying */
	pthread_mutex_unlock(&j->lock);
}

void kb_jit_free(struct kb_jit *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->stop = 1;	/* what is still queued is freed with the kb, uncompiled */
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
	if (j->started)
		pthread_join(j->thread, NULL);
	/* Those still queued may be shared with a newer kb (a reload reuses
	 * them): back to interpreted, to be queued again by their next runs
	 * there. Retired originals go now if nobody classifies, else with
	 * their alternation. */
	for (size_t i = j->head; i < j->n; i++) {
		atomic_store(&j->queue[i]->runs, 0);
		atomic_store(&j->queue[i]->state, REGEX_INTERPRETED);
	}
	reclaim(j);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->wake);
	pthread_cond_destroy(&j->idle);
	free(j->queue);
	free(j->retired);	/* their originals are freed with the kb */
	free(j);
}

int kb_regex_match(const struct kb *kb, const struct regex *re, const char *text, size_t len,
		   pcre2_match_data *md)
{
	return kb_regex_match_at(kb, re, text, len, 0, md);
}

int kb_regex_match_at(const struct kb *kb, const struct regex *re, const char *text, size_t len,
		      size_t start, pcre2_match_data *md)
{
	if (!re)
		return PCRE2_ERROR_NOMATCH;
	struct regex *r = (struct regex *)re;	/* the counters change; the pattern never */
	/* normalize() guarantees valid UTF-8, so the per-call check is skipped;
	 * the JIT entry point saves the generic dispatch on this hot path */
	pcre2_code *jit = atomic_load(&r->jit);	/* seq_cst: see reclaim */
	if (jit)
		return pcre2_jit_match(jit, (PCRE2_SPTR)text, len, start, PCRE2_NO_UTF_CHECK, md,
				       jit_context(kb));
	int rc = pcre2_match(r->code, (PCRE2_SPTR)text, len, start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
			     md, kb->mctx);
	if (atomic_fetch_add_explicit(&r->runs, 1, memory_order_relaxed) + 1 == KB_JIT_AFTER) {
		int was = REGEX_INTERPRETED;
		if (atomic_compare_exchange_strong(&r->state, &was, REGEX_QUEUED))
			enqueue(kb->jit, r);
	}
	return rc;
}

static void add_stats(const struct regex *r, size_t *compiled, size_t *total, size_t *bytes)
{
	if (!r)
		return;
	(*total)++;
	pcre2_code *jit = atomic_load_explicit(&((struct regex *)r)->jit, memory_order_acquire);
	if (!jit)
		return;
	size_t size = 0;
	pcre2_pattern_info(jit, PCRE2_INFO_JITSIZE, &size);
	(*compiled)++;
	*bytes += size;
}

void kb_jit_freed(const struct kb *kb, size_t *n, size_t *bytes)
{
	*n = *bytes = 0;
	if (!kb->jit)
		return;
	pthread_mutex_lock(&kb->jit->lock);
	*n = kb->jit->freed;
	*bytes = kb->jit->freed_bytes;
	pthread_mutex_unlock(&kb->jit->lock);
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
	add_stats(kb->carrier_negated, compiled, total, bytes);
}
