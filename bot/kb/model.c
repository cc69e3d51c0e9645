/* model — features, the model file and prediction; see model.h. */
#define _POSIX_C_SOURCE 200809L
#include "model.h"

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

/* ---- the table ---- */

static uint64_t feature_hash(const char *f, size_t n)
{
	uint64_t h = fnv1a(f, n, FNV1A_INIT);
	return h ? h : 1;
}

long model_find(const struct model *m, const char *f, size_t n)
{
	if (!m->cap)
		return -1;
	uint64_t h = feature_hash(f, n);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slot[i].hash)
			return -1;
		if (m->slot[i].hash == h)
			return (long)m->slot[i].feat;
	}
}

/* The table; -1 when two features share a hash (model_find could not tell
 * them apart): the index of the second in *dup. */
static int index_features(struct model *m, size_t *dup)
{
	m->cap = 16;
	while (m->cap < 2 * m->nfeat + 2)
		m->cap *= 2;
	m->slot = xcalloc(m->cap, sizeof *m->slot);
	for (size_t f = 0; f < m->nfeat; f++) {
		size_t i = m->hash[f] & (m->cap - 1);
		for (; m->slot[i].hash; i = (i + 1) & (m->cap - 1))
			if (m->slot[i].hash == m->hash[f]) {
				*dup = f;
				return -1;
			}
		m->slot[i] = (struct model_slot){m->hash[f], (uint32_t)f};
	}
	return 0;
}

/* ---- prediction ---- */

struct found {
	const struct model *m;
	long *v;
	size_t n, cap;
};

static void collect(const char *f, size_t n, void *arg)
{
	struct found *fd = arg;
	long i = model_find(fd->m, f, n);
	if (i < 0)
		return;
	if (fd->n == fd->cap) {
		fd->cap = fd->cap ? 2 * fd->cap : 64;
		fd->v = xrealloc(fd->v, fd->cap * sizeof *fd->v);
	}
	fd->v[fd->n++] = i;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int model_predict(const struct model *m, const char *norm, float *scores, float *margin)
{
	return model_predict_with(m, norm, NULL, 0, scores, margin);
}

int model_predict_with(const struct model *m, const char *norm, const char *const *extra,
		       size_t nextra, float *scores, float *margin)
{
	struct found fd = {.m = m};
	model_features(norm, collect, &fd);
	for (size_t i = 0; i < nextra; i++)
		collect(extra[i], strlen(extra[i]), &fd);
	if (fd.n)	/* each feature counts once */
		qsort(fd.v, fd.n, sizeof *fd.v, cmp_long);
	for (size_t c = 0; c < m->nclasses; c++)
		scores[c] = 0;
	size_t distinct = 0;
	for (size_t i = 0; i < fd.n; i++) {
		if (i && fd.v[i] == fd.v[i - 1])
			continue;
		distinct++;
		for (uint32_t j = m->w_start[fd.v[i]]; j < m->w_start[fd.v[i] + 1]; j++)
			scores[m->w[j].cls] += m->w[j].val;
	}
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
	free(m->slot);
	free(m->hash);
	free(m->str_off);
	free(m->str_len);
	free(m->strings);
	free(m->w_start);
	free(m->w);
	free(m->file);
	free(m);
}

/* The capacities of the arrays being filled while reading. */
struct reading {
	size_t feat_cap, w_cap, str_cap, str_len;
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

/* "feature<TAB>k:v k:v…" */
static const char *read_feature(struct model *m, struct reading *r, const char *line)
{
	const char *tab = strchr(line, '\t');
	if (!tab || tab == line)
		return "want FEATURE<TAB>CLASS:WEIGHT…";
	size_t n = (size_t)(tab - line);
	if (!m->nclasses)
		return "a feature before the classes line";
	if (m->nfeat + 1 >= r->feat_cap) {	/* the per-feature arrays grow together */
		r->feat_cap = r->feat_cap ? 2 * r->feat_cap : 1024;
		m->hash = xrealloc(m->hash, r->feat_cap * sizeof *m->hash);
		m->str_off = xrealloc(m->str_off, r->feat_cap * sizeof *m->str_off);
		m->str_len = xrealloc(m->str_len, r->feat_cap * sizeof *m->str_len);
		m->w_start = xrealloc(m->w_start, (r->feat_cap + 1) * sizeof *m->w_start);
	}
	grow((void **)&m->strings, &r->str_cap, r->str_len + n, 1);
	memcpy(m->strings + r->str_len, line, n);
	size_t f = m->nfeat;
	m->hash[f] = feature_hash(line, n);
	m->str_off[f] = (uint32_t)r->str_len;
	m->str_len[f] = (uint32_t)n;
	m->w_start[f] = (uint32_t)m->nweights;
	r->str_len += n;
	for (const char *p = tab + 1; *p;) {
		char *end;
		errno = 0;
		long c = strtol(p, &end, 10);
		if (end == p || *end != ':' || c < 0 || (size_t)c >= m->nclasses)
			return "a weight's class is not a class index";
		p = end + 1;
		float v = strtof(p, &end);
		if (end == p || errno)
			return "a weight is not a number";
		grow((void **)&m->w, &r->w_cap, m->nweights + 1, sizeof *m->w);
		m->w[m->nweights++] = (struct model_weight){v, (uint32_t)c};
		p = end;
		while (*p == ' ')
			p++;
	}
	m->nfeat++;
	m->w_start[m->nfeat] = (uint32_t)m->nweights;
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
	ssize_t n;
	int lineno = 0, bad = 0;
	while (!bad && (n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		const char *why = strncmp(line, "classes\t", 8) == 0 || strncmp(line, "general\t", 8) == 0 ||
					  strncmp(line, "margin\t", 7) == 0 || strncmp(line, "veto\t", 5) == 0 ||
					  strncmp(line, "rescue\t", 7) == 0
					  ? read_header(m, line) : read_feature(m, &r, line);
		if (why) {
			sbuf_addf(err, "%s:%d: %s\n", path, lineno, why);
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
	size_t dup;
	if (index_features(m, &dup) < 0) {
		sbuf_addf(err, "%s: the feature \"%.*s\" is listed twice (or shares its hash with another)\n",
			  path, (int)m->str_len[dup], m->strings + m->str_off[dup]);
		model_free(m);
		return NULL;
	}
	return m;
}
