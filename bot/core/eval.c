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

int eval_file(const struct kb *kb, const char *path, struct eval_result *out, struct sbuf *err)
{
	memset(out, 0, sizeof *out);
	char *data = read_file(path, NULL);
	if (!data) {
		sbuf_addf(err, "%s: cannot read\n", path);
		return -1;
	}
	struct tally t[MAX_LABELS];
	size_t nt = 0, ok_i = 0, ok_c = 0, ok_p = 0, n_p = 0, ft = 0, lineno = 0;
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
		if (!strcmp(col[1], "none")) {
			out->neg++;
			if (strcmp(gi, "none")) {
				ft++;
				sbuf_addf(&misses, "  FALSE  %s  -> %s\n", col[0], gi);
			}
		} else {
			out->pos++;
			int right = in_list(col[1], gi);
			int c_right = strcmp(col[2], "-") ? (gc && in_list(col[2], gc)) : !gc;
			int p_scored = strcmp(col[3], "-") != 0;
			ok_i += right;
			ok_c += c_right;
			n_p += p_scored;
			ok_p += p_scored && gp && !strcmp(gp, col[3]);
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
			if (!right || !c_right || (p_scored && !(gp && !strcmp(gp, col[3]))))
				sbuf_addf(&misses, "  MISS   %s  -> %s/%s/%s, want %s/%s/%s\n", col[0], gi,
					  gc ? gc : "-", gp ? gp : "-", col[1], col[2], col[3]);
		}
		classification_free(&c);
	}
	free(data);
	out->intent_acc = out->pos ? (double)ok_i / out->pos : 1;
	out->carrier_acc = out->pos ? (double)ok_c / out->pos : 1;
	out->plan_acc = n_p ? (double)ok_p / n_p : 1;
	out->false_trigger = out->neg ? (double)ft / out->neg : 0;
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

void eval_result_free(struct eval_result *r)
{
	sbuf_free(&r->report);
}
