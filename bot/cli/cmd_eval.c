/* cmd_eval — `cancelbot eval FILE.tsv...`: per-intent precision/recall/F1,
 * carrier and plan accuracy, false triggers and confusions; with several
 * files one summary row per file and a total row; --misses lists the
 * misses grouped by cause. The --min-* and --max-false-trigger bars apply
 * to every file and make it exit 1, for tests and CI. They compare the exact
 * ratio; the figures print cut toward failing (eval_format_ratio), so a
 * file below a bar of 1 never shows 1.000. */
#include "app.h"
#include "eval.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cancelbot eval [-c FILE] [--min-intent X] [--min-carrier X] [--min-plan X]\n"
	"                      [--max-false-trigger X] [--quiet] [--misses] FILE.tsv...\n";

struct bars {
	double min_i, min_c, min_p, max_ft;
};

static int below(const struct eval_result *r, const struct bars *b)
{
	return r->intent_acc < b->min_i || r->carrier_acc < b->min_c || r->plan_acc < b->min_p ||
	       r->false_trigger > b->max_ft;
}

/* The summary line of one file or of the total; prefix NULL for a single file,
 * so that output stays what scripts parsed before several files were taken. */
static void print_row(const char *prefix, const struct eval_result *r, int width, int low)
{
	struct sbuf line = {0};
	eval_format_summary(r, &line);
	if (low)
		sbuf_adds(&line, "  below the bar");
	if (prefix)
		printf("%-*s %s\n", width, prefix, sbuf_str(&line));
	else
		printf("%s\n", sbuf_str(&line));
	sbuf_free(&line);
}

int cmd_eval(int argc, char **argv)
{
	struct bars bar = {0, 0, 0, 1};
	const struct app_bar bars[] = {
		{"--min-intent", &bar.min_i}, {"--min-carrier", &bar.min_c},
		{"--min-plan", &bar.min_p}, {"--max-false-trigger", &bar.max_ft}, {NULL, NULL}};
	int quiet = 0, misses = 0;
	const struct app_switch switches[] = {{"--quiet", &quiet}, {"--misses", &misses}, {NULL, NULL}};
	struct config cfg;
	struct kb *kb;
	const char **paths;
	int nargs = app_score_open(argc, argv, usage, bars, switches, &cfg, &kb, &paths);
	if (nargs < 0)
		return -nargs;	/* 2: usage; 1: no knowledge base */
	size_t np = (size_t)nargs;
	struct eval_result total = {0};
	struct eval_result *rs = xcalloc(np, sizeof *rs);	/* figures only, reports freed */
	struct sbuf err = {0};
	int rc = 0, failed = 0, width = app_label_width(paths, np, 5);
	for (size_t i = 0; i < np && !failed; i++) {
		struct eval_result *r = &rs[i];
		if (eval_file(kb, paths[i], r, &err) < 0) {
			fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
			failed = 1;
		} else {
			if (np > 1 && (!quiet || misses))
				printf("== %s\n", paths[i]);
			if (misses) {
				struct sbuf m = {0};
				eval_format_misses(r, &m);
				fputs(sbuf_str(&m), stdout);
				sbuf_free(&m);
			} else if (!quiet) {
				fputs(sbuf_str(&r->report), stdout);
			}
			eval_add(&total, r);
			rc |= below(r, &bar);
		}
		eval_result_free(r);
	}
	if (!failed && np == 1)
		print_row(NULL, &rs[0], 0, 0);
	else if (!failed) {
		for (size_t i = 0; i < np; i++) {
			char *label = xasprintf("%s:", paths[i]);
			print_row(label, &rs[i], width, below(&rs[i], &bar));
			free(label);
		}
		print_row("total:", &total, width, 0);
	}
	if (rc && !failed)
		printf("below the bar: intent>=%g carrier>=%g plan>=%g false_trigger<=%g\n",
		       bar.min_i, bar.min_c, bar.min_p, bar.max_ft);
	rc |= failed;
	free(rs);
	eval_result_free(&total);
	sbuf_free(&err);
	free(paths);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return rc;
}
