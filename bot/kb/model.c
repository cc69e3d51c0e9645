/* model — features, the model file and prediction; see model.h. */
#define _POSIX_C_SOURCE 200809L
#include "model.h"
#include "ftable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- features ---- */

static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '&';
}

/* The text the n-grams are taken from: ^ text $, every run of ASCII
 * whitespace or control bytes one space. */
static size_t framed(const char *norm, char *buf)
{
	size_t n = 0;
	buf[n++] = '^';
	for (const unsigned char *p = (const unsigned char *)norm; *p; p++) {
		if (*p <= ' ' || *p == 0x7f) {
			if (buf[n - 1] != ' ')
				buf[n++] = ' ';
		} else {
			buf[n++] = (char)*p;
		}
	}
	buf[n++] = '$';
	buf[n] = '\0';
	return n;
}

/* Byte offsets of the code points of s[0..n), and n at the end; a byte that
 * does not start valid UTF-8 counts as one. Returns how many. */
static size_t code_points(const char *s, size_t n, size_t *at)
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
							(utf8proc_ssize_t)(n - i), &cp);
		at[k++] = i;
		i += len > 0 ? (size_t)len : 1;
	}
	at[k] = n;
	return k;
}

void model_features(const char *norm, model_feature_fn fn, void *arg)
{
	size_t len = strlen(norm);
	char *buf = xmalloc(2 * len + 16), *f = buf + len + 3;
	size_t *at = xmalloc((len + 3) * sizeof *at);
	size_t n = framed(norm, buf), k = code_points(buf, n, at);
	for (size_t i = 0; i < k; i++)	/* character 1-, 2- and 3-grams, "c" + bytes */
		for (size_t g = 1; g <= 3 && i + g <= k; g++) {
			f[0] = 'c';
			memcpy(f + 1, buf + at[i], at[i + g] - at[i]);
			fn(f, 1 + at[i + g] - at[i], arg);
		}
	/* Latin words "w" + word, and each pair of consecutive ones "b" + a + " " + b */
	const char *prev = NULL;
	size_t prev_len = 0;
	for (size_t i = 0; i < len;) {
		if (!is_word_byte((unsigned char)norm[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < len && is_word_byte((unsigned char)norm[i]))
			i++;
		f[0] = 'w';
		memcpy(f + 1, norm + s, i - s);
		fn(f, 1 + i - s, arg);
		if (prev) {
			f[0] = 'b';
			memcpy(f + 1, prev, prev_len);
			f[1 + prev_len] = ' ';
			memcpy(f + 2 + prev_len, norm + s, i - s);
			fn(f, 2 + prev_len + i - s, arg);
		}
		prev = norm + s;
		prev_len = i - s;
	}
	free(at);
	free(buf);
}

/* The same features as model_features, hashed as they are read: the
 * framed text's code points are taken from norm as framed() would write
 * them, and each n-gram's FNV-1a is carried on from the one a code point
 * shorter (a message has about three n-grams a character; writing each out
 * and hashing it again was a third of the model's time). */
static inline void feature_hashes(const char *norm, model_hash_fn fn, void *arg)
{
	const uint64_t c0 = ftable_fnv(FNV1A_INIT, "c", 1);
	const unsigned char *p = (const unsigned char *)norm, *end = p + strlen(norm);
	uint64_t one = 0, two = 0;	/* the 1-gram at the previous code point, the 2-gram before it */
	size_t seen = 0;		/* code points so far */
	for (int last = 0; !last;) {
		const unsigned char *s;
		size_t n;
		if (seen == 0) {
			s = (const unsigned char *)"^";
			n = 1;
		} else if (p == end) {
			s = (const unsigned char *)"$";
			n = 1;
			last = 1;
		} else if (*p <= ' ' || *p == 0x7f) {	/* a run of them is one space */
			while (p < end && (*p <= ' ' || *p == 0x7f))
				p++;
			s = (const unsigned char *)" ";
			n = 1;
		} else {	/* a byte that does not start valid UTF-8 counts as one */
			utf8proc_int32_t cp;
			utf8proc_ssize_t len = utf8proc_iterate(p, end - p, &cp);
			s = p;
			n = len > 0 ? (size_t)len : 1;
			p += n;
		}
		if (seen >= 2)
			fn(ftable_key(ftable_fnv(two, s, n)), arg);
		if (seen >= 1) {
			two = ftable_fnv(one, s, n);
			fn(ftable_key(two), arg);
		}
		one = ftable_fnv(c0, s, n);
		fn(ftable_key(one), arg);
		seen++;
	}
	/* Latin words "w" + word, and each pair of consecutive ones "b" + a + " " + b */
	const uint64_t w0 = ftable_fnv(FNV1A_INIT, "w", 1);
	uint64_t pair = 0;	/* "b" + the previous word + " " */
	int any = 0;		/* a word before */
	for (p = (const unsigned char *)norm; p < end;) {
		if (!is_word_byte(*p)) {
			p++;
			continue;
		}
		const unsigned char *s = p;
		while (p < end && is_word_byte(*p))
			p++;
		uint64_t w = ftable_fnv(w0, s, (size_t)(p - s));
		fn(ftable_key(w), arg);
		if (any)
			fn(ftable_key(ftable_fnv(pair, s, (size_t)(p - s))), arg);
		pair = ftable_fnv(ftable_fnv(ftable_fnv(FNV1A_INIT, "b", 1), s, (size_t)(p - s)), " ", 1);
		any = 1;
	}
}

void model_feature_hashes(const char *norm, model_hash_fn fn, void *arg)
{
	feature_hashes(norm, fn, arg);
}

long model_find(const struct model *m, const char *f, size_t n)
{
	return ftable_find(&m->table, ftable_hash(f, n));
}

/* ---- prediction ---- */

/* The known features of a message: on the stack up to FOUND_STACK (a
 * labelled message has about 100 n-grams and words, most known), on the
 * heap past that (a long post). */
#define FOUND_STACK 1024

struct found {
	const struct model *m;
	uint32_t *v;
	size_t n, cap;
	int heap;
};

static void collect(uint64_t h, void *arg)
{
	struct found *fd = arg;
	long i = ftable_find(&fd->m->table, h);
	if (i < 0)
		return;
	if (fd->n == fd->cap) {
		uint32_t *v = xmalloc(2 * fd->cap * sizeof *v);
		memcpy(v, fd->v, fd->n * sizeof *v);
		if (fd->heap)
			free(fd->v);
		fd->v = v;
		fd->cap *= 2;
		fd->heap = 1;
	}
	fd->v[fd->n++] = (uint32_t)i;
}

/* Sorts v[0..n) (tmp: as many), without qsort's call per comparison:
 * runs of 16 by insertion, then merged pairwise. */
static void sort_u32(uint32_t *v, size_t n, uint32_t *tmp)
{
	enum { RUN = 16 };
	for (size_t r = 0; r < n; r += RUN)
		for (size_t i = r + 1; i < n && i < r + RUN; i++) {
			uint32_t x = v[i];
			size_t j = i;
			for (; j > r && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	uint32_t *from = v, *to = tmp;
	for (size_t w = RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				to[k++] = from[j] < from[i] ? from[j++] : from[i++];
			while (i < mid)
				to[k++] = from[i++];
			while (j < hi)
				to[k++] = from[j++];
		}
		uint32_t *t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof *v);
}

int model_predict(const struct model *m, const char *norm, float *scores, float *margin)
{
	return model_predict_with(m, norm, NULL, 0, scores, margin);
}

int model_predict_with(const struct model *m, const char *norm, const char *const *extra,
		       size_t nextra, float *scores, float *margin)
{
	uint32_t stack[FOUND_STACK], tmp_stack[FOUND_STACK];
	struct found fd = {.m = m, .v = stack, .cap = FOUND_STACK};
	feature_hashes(norm, collect, &fd);
	for (size_t i = 0; i < nextra; i++)
		collect(ftable_hash(extra[i], strlen(extra[i])), &fd);
	uint32_t *tmp = fd.heap ? xmalloc(fd.n * sizeof *tmp) : tmp_stack;
	sort_u32(fd.v, fd.n, tmp);	/* each feature counts once, and the sums */
	if (fd.heap)			/* are made in the order of the features' */
		free(tmp);		/* numbers, as always (floats: the order counts) */
	for (size_t c = 0; c < m->nclasses; c++)
		scores[c] = 0;
	size_t distinct = 0;
	for (size_t i = 0; i < fd.n; i++) {
		if (i && fd.v[i] == fd.v[i - 1])
			continue;
		distinct++;
		for (uint32_t j = m->w_start[fd.v[i]]; j < m->w_start[fd.v[i] + 1]; j++)
			scores[m->w_cls[j]] += m->w_val[j];
	}
	if (fd.heap)
		free(fd.v);
	size_t best = 0;
	for (size_t c = 1; c < m->nclasses; c++)
		if (scores[c] > scores[best])
			best = c;
	float second = 0;
	int any = 0;
	for (size_t c = 0; c < m->nclasses; c++)
		if (c != best && (!any || scores[c] > second)) {
			second = scores[c];
			any = 1;
		}
	*margin = m->nclasses ? scores[best] - second : 0;
	return distinct == 0 || m->nclasses < 2 || *margin <= 0 ? -1 : (int)best;
}

int model_reply_kind(const char *name)
{
	static const char *const kinds[] = {"same", "smalltalk", "ack"};
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i], name) == 0)
			return 1;
	return 0;
}

/* ---- the file ---- */

void model_free(struct model *m)
{
	if (!m)
		return;
	for (size_t c = 0; c < m->nclasses; c++)
		free(m->classes[c]);
	free(m->classes);
	free(m->rules);
	ftable_free(&m->table);
	free(m->w_start);
	free(m->w_val);
	free(m->w_cls);
	free(m->file);
	free(m);
}

/* The capacities of the arrays being filled while reading. */
struct reading {
	size_t feat_cap, w_cap;
};

static void grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	*p = xrealloc(*p, c * size);
	*cap = c;
}

static int class_of(const struct model *m, const char *name)
{
	for (size_t c = 0; c < m->nclasses; c++)
		if (strcmp(m->classes[c], name) == 0)
			return (int)c;
	return -1;
}

/* "classes<TAB>a<TAB>b…", "general<TAB>name", "margin<TAB>number", "veto<TAB>number",
 * "rescue<TAB>number" */
static const char *read_header(struct model *m, char *line)
{
	char *save, *key = strtok_r(line, "\t", &save);
	if (strcmp(key, "classes") == 0) {
		if (m->nclasses)
			return "a second classes line";
		m->classes = xcalloc(MODEL_MAX_CLASSES, sizeof *m->classes);
		for (char *t; (t = strtok_r(NULL, "\t", &save));) {
			if (m->nclasses == MODEL_MAX_CLASSES)
				return "more than 64 classes";
			if (class_of(m, t) >= 0)
				return "a class named twice";
			m->classes[m->nclasses++] = xstrdup(t);
		}
		m->none = class_of(m, "none");
		return m->nclasses < 2 ? "fewer than two classes" : NULL;
	}
	char *v = strtok_r(NULL, "\t", &save);
	if (!v || !m->nclasses)
		return "want `classes` first, then `general` and `margin`, then the features";
	if (strcmp(key, "margin") == 0 || strcmp(key, "veto") == 0 || strcmp(key, "rescue") == 0) {
		char *end;
		float *x = key[0] == 'm' ? &m->min_margin : key[0] == 'v' ? &m->veto_margin
			 : &m->rescue_margin;
		*x = strtof(v, &end);
		return *end || *x < 0 ? "margin, veto or rescue is not a number >= 0" : NULL;
	}
	m->general = class_of(m, v);
	return m->general < 0 ? "general names no class" : NULL;
}

/* A weight as `cancelbot train` writes it (%.4g: "-1.234", "0.0123",
 * "1.5e-05", "2e+03") into *x, exactly as strtof would read it; 0 for
 * anything else, which strtof then reads (it was 70 % of a load). Exact:
 * a mantissa of at most 9 digits is exact in a double, and so is 10^k for
 * k <= 22; m * 10^k is then rounded once, and m / 10^k rounded to a double
 * and then to a float equals the float nearest to it while 10^k < 2^28
 * (no float's rounding midpoint lies that close to m / 10^k without being
 * it), so k <= 8. tests/unit/test_model.c compares it with strtof on every
 * weight of intents/model.tsv. */
static int quick_weight(const char *p, const char **end, float *x)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	int neg = *p == '-';
	p += neg;
	uint64_t mant = 0;
	int digits = 0, k = 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		mant = mant * 10 + (uint64_t)(*p - '0');
	if (!digits)
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, k--)
			mant = mant * 10 + (uint64_t)(*p - '0');
	if (*p == 'e') {
		int eneg = p[1] == '-', e = 0;
		p += 1 + (p[1] == '-' || p[1] == '+');
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		for (; *p >= '0' && *p <= '9' && e < 1000; p++)
			e = e * 10 + (*p - '0');
		k += eneg ? -e : e;
	}
	if ((*p != ' ' && *p != '\0') || digits > 9 || k < -8 || k > 22)
		return 0;
	double v = k < 0 ? (double)mant / pow10[-k] : (double)mant * pow10[k];
	if (v >= 9007199254740992.0)	/* 2^53: the product may have been rounded */
		return 0;
	*x = neg ? -(float)v : (float)v;
	*end = p;
	return 1;
}

/* "feature<TAB>k:v k:v…"; the feature's hash into the table */
static const char *read_feature(struct model *m, struct reading *r, const char *line)
{
	const char *tab = strchr(line, '\t');
	if (!tab || tab == line)
		return "want FEATURE<TAB>CLASS:WEIGHT…";
	if (!m->nclasses)
		return "a feature before the classes line";
	uint64_t h = ftable_hash(line, (size_t)(tab - line));
	if (ftable_find(&m->table, h) >= 0)
		return "the feature is listed twice (or shares its hash with another)";
	grow((void **)&m->w_start, &r->feat_cap, m->nfeat + 2, sizeof *m->w_start);
	m->w_start[m->nfeat] = (uint32_t)m->nweights;
	for (const char *p = tab + 1; *p;) {
		const char *end = p;
		long c = 0;
		while (*end >= '0' && *end <= '9' && c < MODEL_MAX_CLASSES)
			c = c * 10 + (*end++ - '0');
		if (end == p || *end != ':' || c >= (long)m->nclasses)
			return "a weight's class is not a class index";
		p = end + 1;
		float v;
		if (!quick_weight(p, &end, &v)) {
			char *e;
			errno = 0;
			v = strtof(p, &e);
			if (e == p || errno)
				return "a weight is not a number";
			end = e;
		}
		if (m->nweights == r->w_cap) {	/* the two grow together */
			r->w_cap = r->w_cap ? 2 * r->w_cap : 4096;
			m->w_val = xrealloc(m->w_val, r->w_cap * sizeof *m->w_val);
			m->w_cls = xrealloc(m->w_cls, r->w_cap);
		}
		m->w_val[m->nweights] = v;
		m->w_cls[m->nweights++] = (uint8_t)c;
		p = end;
		while (*p == ' ')
			p++;
	}
	ftable_put(&m->table, h, (uint32_t)m->nfeat);
	m->w_start[++m->nfeat] = (uint32_t)m->nweights;
	return NULL;
}

struct model *model_load(const char *path, struct sbuf *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		sbuf_addf(err, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	struct model *m = xcalloc(1, sizeof *m);
	m->none = m->general = -1;
	m->file = xstrdup(path);
	struct reading r = {0};
	char *line = NULL;
	size_t cap = 0;
	long n;
	int lineno = 0, bad = 0;
	while (!bad && (n = read_line(fp, &line, &cap)) >= 0) {
		lineno++;
		if (n == 0 || line[0] == '#')
			continue;
		const char *why = strncmp(line, "classes\t", 8) == 0 || strncmp(line, "general\t", 8) == 0 ||
					  strncmp(line, "margin\t", 7) == 0 || strncmp(line, "veto\t", 5) == 0 ||
					  strncmp(line, "rescue\t", 7) == 0
					  ? read_header(m, line) : read_feature(m, &r, line);
		if (why) {
			char *tab = strchr(line, '\t');
			sbuf_addf(err, "%s:%d: %s", path, lineno, why);
			if (why[0] == 't' && tab)	/* which feature: the file may be too big to look */
				sbuf_addf(err, ": \"%.*s\"", (int)(tab - line), line);
			sbuf_addc(err, '\n');
			bad = 1;
		}
	}
	free(line);
	if (ferror(fp) && !bad) {
		sbuf_addf(err, "%s: read error\n", path);
		bad = 1;
	}
	fclose(fp);
	if (!bad && !m->nclasses) {
		sbuf_addf(err, "%s: no classes line\n", path);
		bad = 1;
	}
	if (bad) {
		model_free(m);
		return NULL;
	}
	if (!m->w_start)
		m->w_start = xcalloc(1, sizeof *m->w_start);
	return m;
}
