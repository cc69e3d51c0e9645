/* bench_core — figures for the pure core, printed as table rows:
 * classification throughput and cost per message over >= 100 000 messages
 * (the labelled questions, cycled), the slowest of a set of hostile 4 KB
 * messages, knowledge-base load (= reload) time, the cost of the first
 * messages after a load and the JIT code they leave, and peak memory.
 * Run by `make bench`; never by the tests (timings are not assertions). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "kb.h"
#include "load.h"
#include "normalize.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* This thread's CPU time: the JIT thread compiles beside it (jit.c), and
 * its time is reported on its own. */
static double thread_cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static char **load_questions(const char *path, size_t *n)
{
	char *data = read_file(path, NULL);
	if (!data) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		exit(1);
	}
	char **v = NULL, *save = NULL;
	*n = 0;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (*l == '#')
			continue;
		l[strcspn(l, "\t")] = '\0';
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = xstrdup(l);
	}
	free(data);
	return v;
}

static void hostile(char *buf, int kind)
{
	static const char *const unit[] = {"a", "cancel ", "注销", "(|)ab ", "cancel my line ",
					   "verizon ", "😀‍👩", "prepaid postpaid ", "\xff\xfe"};
	size_t len = 0, ul = strlen(unit[kind]);
	while (len + ul <= 4096) {
		memcpy(buf + len, unit[kind], ul);
		len += ul;
	}
	buf[len] = '\0';
}

/* The biggest JIT programs, so that a pattern writer sees what a construct
 * costs (docs/admin.md, Writing fast patterns). */
struct jit_size {
	const char *rule;
	size_t group, bytes;
};

static void consider_jit(struct jit_size *top, size_t n, const char *rule, size_t group,
			 const struct regex *re)
{
	size_t bytes = 0;
	const pcre2_code *jit = re ? atomic_load(&((struct regex *)re)->jit) : NULL;
	if (!jit || pcre2_pattern_info(jit, PCRE2_INFO_JITSIZE, &bytes) != 0)
		return;
	size_t i = n;
	while (i > 0 && top[i - 1].bytes < bytes)
		i--;
	if (i == n)
		return;
	memmove(top + i + 1, top + i, (n - i - 1) * sizeof *top);
	top[i] = (struct jit_size){rule, group, bytes};
}

static void print_top_jit(const struct kb *kb)
{
	enum { TOP = 5 };
	struct jit_size top[TOP] = {{0}};
	for (size_t i = 0; i < kb->nrules; i++) {
		const struct rule *r = &kb->rules[i];
		for (size_t g = 0; g < r->ngroups; g++) {
			consider_jit(top, TOP, r->id, g + 1, r->groups[g].alt.re);
			consider_jit(top, TOP, r->id, g + 1, r->groups[g].alt.no_zh);
		}
		consider_jit(top, TOP, r->id, 0, r->any.re);
		consider_jit(top, TOP, r->id, 0, r->none);
	}
	printf("| biggest JIT programs | ");
	for (size_t i = 0; i < TOP && top[i].rule; i++)
		printf("%s%s%s%.0zu %zu KB", i ? ", " : "", top[i].rule, top[i].group ? "/" : "",
		       top[i].group, top[i].bytes / 1024);
	printf(" | |\n");
}

/* A copy of intents/ in a new temporary directory, with one pattern added
 * at the end of topics.ini (to its last rule): an admin's edit of one
 * file, for the reload row. The caller removes it (remove_copy). */
static char *intents_with_one_edit(void)
{
	char tmpl[] = "/tmp/bench_core.XXXXXX";
	if (!mkdtemp(tmpl))
		return NULL;
	DIR *d = opendir("intents");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strstr(e->d_name, ".ini"))
			continue;
		char from[512], to[512];
		snprintf(from, sizeof from, "intents/%s", e->d_name);
		snprintf(to, sizeof to, "%s/%s", tmpl, e->d_name);
		size_t len;
		char *data = read_file(from, &len);
		FILE *f = fopen(to, "w");
		if (data && f)
			fwrite(data, 1, len, f);
		if (f && strcmp(e->d_name, "topics.ini") == 0)
			fputs("\n; bench_core: one edit\nen = {b}zzbenchqq{b}\n", f);
		if (f)
			fclose(f);
		free(data);
	}
	if (d)
		closedir(d);
	return xstrdup(tmpl);
}

static void remove_copy(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.')
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

/* Mean wall ms of five loads of intents_dir reusing what running has. */
static double reload_ms(const char *intents_dir, const struct kb *running, struct sbuf *err,
			struct sbuf *warn)
{
	double ms = 0;
	struct kb_load_opts opts = {.reuse = running};
	for (int r = 0; r < 5; r++) {
		double r0 = now();
		struct kb *k2 = kb_load(intents_dir, "responses", &opts, err, warn);
		ms += (now() - r0) * 1e3 / 5;
		if (!k2)
			fprintf(stderr, "bench: %s", sbuf_str(err));
		kb_free(k2);
	}
	return ms;
}

int main(int argc, char **argv)
{
	const char *labelled = argc > 1 ? argv[1] : "tests/labelled.tsv";
	size_t total = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	normalize_init();
	struct sbuf err = {0}, warn = {0};
	double t0 = now();
	struct kb *kb = kb_load("intents", "responses", NULL, &err, &warn);
	double load_ms = (now() - t0) * 1e3;
	if (!kb) {
		fprintf(stderr, "%s", sbuf_str(&err));
		return 1;
	}
	size_t nq;
	char **q = load_questions(labelled, &nq);
	/* the first messages after a load: interpreted patterns while the JIT
	 * thread compiles those that run often (kb.h, struct regex); the
	 * slowest of them is what a reply after a reload may wait */
	double f0 = thread_cpu_now(), p0 = cpu_now();
	size_t nfirst = nq < 5000 ? nq : 5000;
	double *each = xcalloc(nfirst + 1, sizeof *each);
	for (size_t i = 0; i < nfirst; i++) {
		struct classification c;
		double e0 = thread_cpu_now();
		classify(kb, q[i], strlen(q[i]), &c);
		each[i] = thread_cpu_now() - e0;
		classification_free(&c);
	}
	double first = thread_cpu_now() - f0;
	kb_jit_drain(kb);
	double jit_cpu = (cpu_now() - p0) - (thread_cpu_now() - f0);
	qsort(each, nfirst, sizeof *each, cmp_double);
	double first_p99 = each[nfirst * 99 / 100], first_max = each[nfirst - 1];
	free(each);
	size_t jit_first, regexes, jit_first_bytes, freed_first, freed_first_bytes;
	kb_jit_stats(kb, &jit_first, &regexes, &jit_first_bytes);
	kb_jit_freed(kb, &freed_first, &freed_first_bytes);
	/* three rounds: this VM's CPU is shared, so one round can be 30% off */
	double rounds[3], wall = 0;
	for (int k = 0; k < 3; k++) {
		double c0 = thread_cpu_now(), w0 = now();
		for (size_t i = 0; i < total; i++) {
			struct classification c;
			classify(kb, q[i % nq], strlen(q[i % nq]), &c);
			classification_free(&c);
		}
		rounds[k] = thread_cpu_now() - c0;
		wall += (now() - w0) / 3;
	}
	for (int a = 0; a < 3; a++)	/* sort the three */
		for (int b = a + 1; b < 3; b++)
			if (rounds[b] < rounds[a]) {
				double t = rounds[a];
				rounds[a] = rounds[b];
				rounds[b] = t;
			}
	double cpu = rounds[0], median = rounds[1];
	double worst = 0;
	char *buf = malloc(4200);
	for (int k = 0; k < 9; k++) {
		hostile(buf, k);
		double h0 = now();
		for (int r = 0; r < 20; r++) {
			struct classification c;
			classify(kb, buf, strlen(buf), &c);
			classification_free(&c);
		}
		double per = (now() - h0) / 20 * 1e3;
		worst = per > worst ? per : worst;
	}
	free(buf);
	size_t jit_n, jit_bytes, freed, freed_bytes;
	kb_jit_drain(kb);
	kb_jit_stats(kb, &jit_n, &regexes, &jit_bytes);
	kb_jit_freed(kb, &freed, &freed_bytes);
	double reload = 0, reload_cpu = 0;
	for (int r = 0; r < 5; r++) {
		double r0 = now(), c0 = cpu_now();
		struct kb *k2 = kb_load("intents", "responses", NULL, &err, &warn);
		reload += (now() - r0) * 1e3 / 5;
		reload_cpu += (cpu_now() - c0) * 1e3 / 5;
		kb_free(k2);
	}
	/* a reload shares the running kb's unchanged alternations (load.h) */
	double same_ms = reload_ms("intents", kb, &err, &warn), edit_ms = 0;
	char *edited = intents_with_one_edit();
	if (edited) {
		edit_ms = reload_ms(edited, kb, &err, &warn);
		remove_copy(edited);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("| classification throughput | %.0f messages/s best of 3 rounds of %zu, median %.0f "
	       "(one core) | >= 50000 |\n", total / cpu, total, total / median);
	printf("| classification cost | %.1f us per message (median %.1f, wall %.1f us) | |\n",
	       cpu / total * 1e6, median / total * 1e6, wall / total * 1e6);
	printf("| slowest hostile 4 KB message | %.2f ms | < 5 ms |\n", worst);
	printf("| knowledge-base load, cold | %.1f ms (first load %.1f ms, incl. OpenCC map); "
	       "%.1f ms CPU on all threads | <= 50 ms |\n", reload, load_ms, reload_cpu);
	printf("| reload beside the running kb (unchanged alternations shared) | %.1f ms, nothing "
	       "changed; %.1f ms, one pattern added to intents/topics.ini | <= 50 ms |\n", same_ms,
	       edit_ms);
	printf("| first %zu messages after a load | %.1f us CPU per message; p99 %.0f us, "
	       "slowest %.0f us (CPU); the JIT thread's CPU meanwhile %.0f ms | |\n",
	       nfirst, first / nfirst * 1e6, first_p99 * 1e6, first_max * 1e6, jit_cpu * 1e3);
	printf("| PCRE2 JIT code | %zu of %zu alternations, %.2f MB after the first %zu messages; "
	       "%zu, %.2f MB after all | |\n", jit_first, regexes, jit_first_bytes / 1048576.0,
	       nfirst, jit_n, jit_bytes / 1048576.0);
	printf("| interpreted originals freed beside their JIT code | %zu, %.2f MB after the first "
	       "%zu messages; %zu, %.2f MB after all | |\n", freed_first,
	       freed_first_bytes / 1048576.0, nfirst, freed, freed_bytes / 1048576.0);
	print_top_jit(kb);
	printf("| peak RSS of this benchmark | %.1f MB | |\n", ru.ru_maxrss / 1024.0);
	for (size_t i = 0; i < nq; i++)
		free(q[i]);
	free(q);
	kb_free(kb);
	sbuf_free(&err);
	sbuf_free(&warn);
	normalize_done();
	return 0;
}
