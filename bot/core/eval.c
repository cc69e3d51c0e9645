/* eval — see eval.h. Scoring follows shared/eval/score.py exactly, so the
 * two never disagree about a build. */
#define _POSIX_C_SOURCE 200809L
#include "eval.h"
#include "classify.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 64

struct tally {
	char id[48];
	size_t tp, fp, fn;
};

static struct tally *tally_for(struct tally *t, size_t *n, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(t[i].id, id))
			return &t[i];
	if (*n == MAX_LABELS)
		return NULL;
	memset(&t[*n], 0, sizeof t[0]);
	snprintf(t[*n].id, sizeof t[0].id, "%s", id);
	return &t[(*n)++];
}

/* 1 when id is one of the comma-separated items of list. */
static int in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, id, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

enum eval_cause eval_cause_of(const char *want_i, const char *want_c, const char *want_p,
			      const char *got_i, const char *got_c, const char *got_p)
{
	if (!strcmp(want_i, "none"))
		return strcmp(got_i, "none") ? EVAL_FALSE : EVAL_OK;
	if (!in_list(want_i, got_i))
		return EVAL_INTENT;
	if (strcmp(want_c, "-") ? !(got_c && in_list(want_c, got_c)) : got_c != NULL)
		return EVAL_CARRIER;
	if (strcmp(want_p, "-") && !(got_p && !strcmp(got_p, want_p)))
		return EVAL_PLAN;
	return EVAL_OK;
}

/* The four figures from the counts. */
static void figures(struct eval_result *r)
{
	r->intent_acc = r->pos ? (double)r->ok_i / r->pos : 1;
	r->carrier_acc = r->pos ? (double)r->ok_c / r->pos : 1;
	r->plan_acc = r->n_p ? (double)r->ok_p / r->n_p : 1;
	r->false_trigger = r->neg ? (double)r->ft / r->neg : 0;
}

int eval_file(const struct kb *kb, const char *path, struct eval_result *out, struct sbuf *err)
{
	memset(out, 0, sizeof *out);
	char *data = read_file(path, NULL);
	if (!data) {
		sbuf_addf(err, "%s: cannot read\n", path);
		return -1;
	}
	struct tally t[MAX_LABELS];
	size_t nt = 0, lineno = 0;
	struct sbuf misses = {0};
	int rc = 0;
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#' || !line[0])
			continue;
		char *col[4];
		int nc = 0;
		for (char *p = line; nc < 4; nc++) {
			col[nc] = p;
			p = strchr(p, '\t');
			if (!p) {
				nc++;
				break;
			}
			*p++ = '\0';
		}
		if (nc != 4 || strchr(col[3], '\t')) {
			sbuf_addf(err, "%s:%zu: want 4 tab-separated columns\n", path, lineno);
			rc = -1;
			break;
		}
		struct classification c;
		classify(kb, col[0], strlen(col[0]), &c);
		const char *gi = c.intent ? c.intent->id : "none";
		const char *gc = c.carrier ? c.carrier->id : NULL;
		const char *gp = c.plan ? c.plan->id : NULL;
		enum eval_cause cause = eval_cause_of(col[1], col[2], col[3], gi, gc, gp);
		if (cause != EVAL_OK)
			sbuf_addf(&out->misses[cause], "%s:%zu\t%s\t-> %s/%s/%s, want %s/%s/%s\n", path,
				  lineno, col[0], gi, gc ? gc : "-", gp ? gp : "-", col[1], col[2], col[3]);
		if (!strcmp(col[1], "none")) {
			out->neg++;
			if (cause == EVAL_FALSE) {
				out->ft++;
				sbuf_addf(&misses, "  FALSE  %s  -> %s\n", col[0], gi);
			}
		} else {
			out->pos++;
			int right = in_list(col[1], gi);
			int c_right = strcmp(col[2], "-") ? (gc && in_list(col[2], gc)) : !gc;
			int p_scored = strcmp(col[3], "-") != 0;
			out->ok_i += right;
			out->ok_c += c_right;
			out->n_p += p_scored;
			out->ok_p += p_scored && gp && !strcmp(gp, col[3]);
			char want[48];
			snprintf(want, sizeof want, "%.*s", (int)strcspn(col[1], ","), col[1]);
			struct tally *tw = tally_for(t, &nt, right ? gi : want);
			if (tw && right)
				tw->tp++;
			else if (tw)
				tw->fn++;
			struct tally *tg = right ? NULL : tally_for(t, &nt, gi);
			if (tg)
				tg->fp++;
			if (cause != EVAL_OK)
				sbuf_addf(&misses, "  MISS   %s  -> %s/%s/%s, want %s/%s/%s\n", col[0], gi,
					  gc ? gc : "-", gp ? gp : "-", col[1], col[2], col[3]);
		}
		classification_free(&c);
	}
	free(data);
	figures(out);
	sbuf_addf(&out->report, "%-14s %9s %6s %6s\n", "intent", "precision", "recall", "F1");
	for (size_t i = 0; i < nt; i++) {
		double p = t[i].tp + t[i].fp ? (double)t[i].tp / (t[i].tp + t[i].fp) : 0;
		double r = t[i].tp + t[i].fn ? (double)t[i].tp / (t[i].tp + t[i].fn) : 0;
		sbuf_addf(&out->report, "%-14s %9.3f %6.3f %6.3f\n", t[i].id, p, r,
			  p + r > 0 ? 2 * p * r / (p + r) : 0);
	}
	if (misses.len)
		sbuf_addf(&out->report, "\nconfusions:\n%s", sbuf_str(&misses));
	sbuf_free(&misses);
	return rc;
}

void eval_add(struct eval_result *total, const struct eval_result *part)
{
	total->pos += part->pos;
	total->neg += part->neg;
	total->ok_i += part->ok_i;
	total->ok_c += part->ok_c;
	total->ok_p += part->ok_p;
	total->n_p += part->n_p;
	total->ft += part->ft;
	for (int k = 0; k < EVAL_CAUSES; k++)
		if (part->misses[k].len)
			sbuf_add(&total->misses[k], part->misses[k].p, part->misses[k].len);
	figures(total);
}

void eval_format_misses(const struct eval_result *r, struct sbuf *out)
{
	static const char *const heading[EVAL_CAUSES] = {
		[EVAL_FALSE] = "false triggers (labelled none, answered)",
		[EVAL_INTENT] = "wrong intent",
		[EVAL_CARRIER] = "wrong carrier",
		[EVAL_PLAN] = "wrong plan"};
	for (int k = 0; k < EVAL_CAUSES; k++) {
		const struct sbuf *m = &r->misses[k];
		if (!m->len)
			continue;
		size_t n = 0;
		for (size_t i = 0; i < m->len; i++)
			n += m->p[i] == '\n';
		sbuf_addf(out, "%s: %zu\n", heading[k], n);
		for (const char *p = m->p, *end = m->p + m->len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			sbuf_addf(out, "  %.*s\n", (int)len, p);
			p += len + 1;
		}
	}
}

void eval_format_ratio(struct sbuf *out, size_t num, size_t den, size_t none, int up)
{
	if (!den) {
		sbuf_addf(out, "%zu.000", none);
		return;
	}
	/* from the counts, not the double: 0.957 * 1000 may be 956.99... */
	size_t milli = (num * 1000 + (up ? den - 1 : 0)) / den;
	sbuf_addf(out, "%zu.%03zu", milli / 1000, milli % 1000);
}

void eval_format_summary(const struct eval_result *r, struct sbuf *out)
{
	sbuf_adds(out, "intent_acc=");
	eval_format_ratio(out, r->ok_i, r->pos, 1, 0);
	sbuf_adds(out, " carrier_acc=");
	eval_format_ratio(out, r->ok_c, r->pos, 1, 0);
	sbuf_adds(out, " plan_acc=");
	eval_format_ratio(out, r->ok_p, r->n_p, 1, 0);
	sbuf_adds(out, " false_trigger=");
	eval_format_ratio(out, r->ft, r->neg, 0, 1);
	sbuf_addf(out, " (n=%zu+%zu)", r->pos, r->neg);
}

void eval_result_free(struct eval_result *r)
{
	sbuf_free(&r->report);
	for (int k = 0; k < EVAL_CAUSES; k++)
		sbuf_free(&r->misses[k]);
}
