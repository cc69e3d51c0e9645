/* model_train — `cancelbot train`'s learning: an averaged multiclass
 * perceptron over model_features (model.h), written as a model file.
 *
 * Deterministic: classes sorted by name, features numbered in order of
 * first appearance, examples shuffled with a fixed seed, so the same
 * labelled files give the same file byte for byte (make test compares the
 * committed model with a fresh training). Training keeps dense weights
 * (features × classes, two doubles each): tens of megabytes for the
 * labelled files here, offline only. */
#define _POSIX_C_SOURCE 200809L
#include "model_train.h"
#include "ftable.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct example {
	uint32_t *f;		/* feature ids, sorted, each once */
	size_t nf;
	uint64_t labels;	/* bit per class (its index in names, before sorting) */
};

struct model_trainer {
	/* interned features: their bytes by number, the numbers by hash */
	char **feat;
	size_t *feat_len, nfeat, feat_cap;
	struct ftable table;
	/* class names as met */
	char *names[MODEL_MAX_CLASSES];
	size_t nnames;
	struct example *ex;
	size_t nex, ex_cap;
};

struct model_trainer *model_trainer_new(void)
{
	return xcalloc(1, sizeof(struct model_trainer));
}

void model_trainer_free(struct model_trainer *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfeat; i++)
		free(t->feat[i]);
	free(t->feat);
	free(t->feat_len);
	ftable_free(&t->table);
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	for (size_t i = 0; i < t->nex; i++)
		free(t->ex[i].f);
	free(t->ex);
	free(t);
}

/* The feature's number, a new one the first time it is met. Two features
 * with the same hash stay two (the bytes are compared): the model file
 * then has both, and loading it says so. */
static uint32_t intern(struct model_trainer *t, const char *f, size_t n)
{
	uint64_t h = ftable_hash(f, n);
	if (t->table.cap)
		for (size_t j = ftable_first(&t->table, h); t->table.slot[j].hash;
		     j = ftable_next(&t->table, j)) {
			uint32_t i = t->table.slot[j].id;
			if (t->table.slot[j].hash == h && t->feat_len[i] == n &&
			    memcmp(t->feat[i], f, n) == 0)
				return i;
		}
	if (t->nfeat == t->feat_cap) {
		t->feat_cap = t->feat_cap ? 2 * t->feat_cap : 4096;
		t->feat = xrealloc(t->feat, t->feat_cap * sizeof *t->feat);
		t->feat_len = xrealloc(t->feat_len, t->feat_cap * sizeof *t->feat_len);
	}
	t->feat[t->nfeat] = xmalloc(n + 1);
	memcpy(t->feat[t->nfeat], f, n);
	t->feat[t->nfeat][n] = '\0';
	t->feat_len[t->nfeat] = n;
	ftable_put(&t->table, h, (uint32_t)t->nfeat);
	return (uint32_t)t->nfeat++;
}

struct gather {
	struct model_trainer *t;
	uint32_t *v;
	size_t n, cap;
};

static void gather(const char *f, size_t n, void *arg)
{
	struct gather *g = arg;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 128;
		g->v = xrealloc(g->v, g->cap * sizeof *g->v);
	}
	g->v[g->n++] = intern(g->t, f, n);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int model_trainer_add(struct model_trainer *t, const char *norm, const char *const *labels,
		      size_t nlabels)
{
	return model_trainer_add_with(t, norm, NULL, 0, labels, nlabels);
}

int model_trainer_add_with(struct model_trainer *t, const char *norm, const char *const *extra,
			   size_t nextra, const char *const *labels, size_t nlabels)
{
	uint64_t bits = 0;
	for (size_t i = 0; i < nlabels; i++) {
		size_t c = 0;
		while (c < t->nnames && strcmp(t->names[c], labels[i]) != 0)
			c++;
		if (c == t->nnames) {
			if (t->nnames == MODEL_MAX_CLASSES)
				return -1;
			t->names[t->nnames++] = xstrdup(labels[i]);
		}
		bits |= 1ULL << c;
	}
	struct gather g = {.t = t};
	model_features(norm, gather, &g);
	for (size_t i = 0; i < nextra; i++)
		gather(extra[i], strlen(extra[i]), &g);
	qsort(g.v, g.n, sizeof *g.v, cmp_u32);
	size_t k = 0;
	for (size_t i = 0; i < g.n; i++)
		if (!k || g.v[i] != g.v[k - 1])
			g.v[k++] = g.v[i];
	if (t->nex == t->ex_cap) {
		t->ex_cap = t->ex_cap ? 2 * t->ex_cap : 1024;
		t->ex = xrealloc(t->ex, t->ex_cap * sizeof *t->ex);
	}
	t->ex[t->nex++] = (struct example){g.v, k, bits};
	return 0;
}

size_t model_trainer_examples(const struct model_trainer *t)
{
	return t->nex;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int cmp_name(const void *a, const void *b, void *names)
{
	char **n = names;
	return strcmp(n[*(const size_t *)a], n[*(const size_t *)b]);
}

/* order[k]: the k-th class by name; rank[c]: where class c goes */
static void sort_classes(const struct model_trainer *t, size_t *order, size_t *rank)
{
	for (size_t i = 0; i < t->nnames; i++)
		order[i] = i;
	for (size_t i = 1; i < t->nnames; i++)	/* insertion sort: at most 64 */
		for (size_t j = i; j > 0 && cmp_name(&order[j], &order[j - 1], (void *)t->names) < 0; j--) {
			size_t x = order[j];
			order[j] = order[j - 1];
			order[j - 1] = x;
		}
	for (size_t i = 0; i < t->nnames; i++)
		rank[order[i]] = i;
}

static size_t argmax(const double *w, const struct example *e, size_t C, uint64_t among,
		     const size_t *rank, double *score)
{
	size_t best = C;
	for (size_t c = 0; c < C; c++) {
		score[c] = 0;
		for (size_t i = 0; i < e->nf; i++)
			score[c] += w[(size_t)e->f[i] * C + c];
	}
	for (size_t c = 0; c < C; c++)	/* ties: the first by name */
		if ((among >> c & 1) && (best == C || score[c] > score[best] ||
					  (score[c] == score[best] && rank[c] < rank[best])))
			best = c;
	return best;
}

static void update(double *w, double *u, const struct example *e, size_t C, size_t c, double d,
		   double count)
{
	for (size_t i = 0; i < e->nf; i++) {
		w[(size_t)e->f[i] * C + c] += d;
		u[(size_t)e->f[i] * C + c] += d * count;
	}
}

/* One run of the averaged perceptron with its own shuffle: the averaged
 * weights added to avg. */
static void train_run(struct model_trainer *t, const struct model_train_opts *o, uint64_t seed,
		      const size_t *rank, double *avg)
{
	size_t C = t->nnames;
	double *w = xcalloc(t->nfeat * C, sizeof *w), *u = xcalloc(t->nfeat * C, sizeof *u);
	double score[MODEL_MAX_CLASSES], count = 1;
	size_t *perm = xmalloc((t->nex + 1) * sizeof *perm);
	for (size_t i = 0; i < t->nex; i++)
		perm[i] = i;
	uint64_t all = C == 64 ? ~0ULL : (1ULL << C) - 1;
	for (int ep = 0; ep < o->epochs; ep++) {
		for (size_t i = t->nex; i > 1; i--) {
			size_t j = xorshift(&seed) % i, x = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = x;
		}
		for (size_t k = 0; k < t->nex; k++, count++) {
			const struct example *e = &t->ex[perm[k]];
			size_t p = argmax(w, e, C, all, rank, score);
			if (e->labels >> p & 1)
				continue;
			size_t y = argmax(w, e, C, e->labels, rank, score);
			update(w, u, e, C, y, 1, count);
			update(w, u, e, C, p, -1, count);
		}
	}
	for (size_t i = 0; i < t->nfeat * C; i++)
		avg[i] += w[i] - u[i] / count;
	free(perm);
	free(w);
	free(u);
}

/* Weights smaller than this are not written: after averaging, most of
 * them were learned in one run of five (a feature seen once), and they
 * would add half the file for nothing measurable */
#define MODEL_TRAIN_PRUNE 0.3

int model_trainer_write(struct model_trainer *t, const struct model_train_opts *o, FILE *out)
{
	size_t C = t->nnames, order[MODEL_MAX_CLASSES], rank[MODEL_MAX_CLASSES];
	if (C < 2)
		return -1;
	sort_classes(t, order, rank);
	/* several runs, each its own order of the examples, averaged: one
	 * labelled line more no longer reshuffles what the model learned
	 * (docs/model.md: a single run moved the held-back dialogs by 13
	 * turns for one line added); the file and its cost stay the same */
	int runs = o->runs > 0 ? o->runs : 1;
	double *w = xcalloc(t->nfeat * C, sizeof *w);
	uint64_t seed = o->seed ? o->seed : 1;
	for (int r = 0; r < runs; r++)
		train_run(t, o, seed + (uint64_t)r, rank, w);
	for (size_t i = 0; i < t->nfeat * C; i++)
		w[i] /= runs;
	fprintf(out, "%s", o->comment ? o->comment : "");
	fprintf(out, "classes");
	for (size_t k = 0; k < C; k++)
		fprintf(out, "\t%s", t->names[order[k]]);
	fprintf(out, "\n");
	if (o->general)
		fprintf(out, "general\t%s\n", o->general);
	if (o->margin > 0)
		fprintf(out, "margin\t%g\n", o->margin);
	if (o->veto > 0)
		fprintf(out, "veto\t%g\n", o->veto);
	if (o->rescue > 0)
		fprintf(out, "rescue\t%g\n", o->rescue);
	struct sbuf line = {0};
	for (size_t f = 0; f < t->nfeat; f++) {	/* a feature with no weight left is not written */
		line.len = 0;
		for (size_t k = 0; k < C; k++) {
			size_t c = order[k];
			char num[32];
			snprintf(num, sizeof num, "%.4g", w[f * C + c]);
			if (fabs(strtod(num, NULL)) >= MODEL_TRAIN_PRUNE)
				sbuf_addf(&line, "%s%zu:%s", line.len ? " " : "", k, num);
		}
		if (line.len)
			fprintf(out, "%s\t%s\n", t->feat[f], sbuf_str(&line));
	}
	sbuf_free(&line);
	free(w);
	return ferror(out) ? -1 : 0;
}
