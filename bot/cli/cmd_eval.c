/* cmd_eval — `cancelbot eval FILE.tsv`: per-intent precision/recall/F1,
 * carrier and plan accuracy, false triggers and confusions; the --min-*
 * and --max-false-trigger bars make it exit 1, for tests and CI. */
#include "app.h"
#include "eval.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cancelbot eval [-c FILE] [--min-intent X] [--min-carrier X] [--min-plan X]\n"
	"                      [--max-false-trigger X] [--quiet] FILE.tsv\n";

int cmd_eval(int argc, char **argv)
{
	double min_i = 0, min_c = 0, min_p = 0, max_ft = 1;
	struct { const char *flag; double *v; } bars[] = {
		{"--min-intent", &min_i}, {"--min-carrier", &min_c}, {"--min-plan", &min_p},
		{"--max-false-trigger", &max_ft}};
	const char *path = NULL, *cfgpath = NULL;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		int done = 0;
		for (size_t b = 0; b < sizeof bars / sizeof bars[0] && !done; b++)
			if (!strcmp(argv[i], bars[b].flag) && i + 1 < argc) {
				char *end;
				*bars[b].v = strtod(argv[++i], &end);
				if (*end)
					return fputs(usage, stderr), 2;
				done = 1;
			}
		if (done)
			continue;
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cfgpath = argv[++i];
		else if (!strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return fputs(usage, stderr), 2;
	}
	if (!path)
		return fputs(usage, stderr), 2;
	struct config cfg;
	struct kb *kb = app_open(&cfg, cfgpath);
	if (!kb)
		return 1;
	struct eval_result r;
	struct sbuf err = {0};
	int rc = 0;
	if (eval_file(kb, path, &r, &err) < 0) {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
		rc = 1;
	} else {
		if (!quiet)
			fputs(sbuf_str(&r.report), stdout);
		printf("intent_acc=%.3f carrier_acc=%.3f plan_acc=%.3f false_trigger=%.3f (n=%zu+%zu)\n",
		       r.intent_acc, r.carrier_acc, r.plan_acc, r.false_trigger, r.pos, r.neg);
		if (r.intent_acc < min_i || r.carrier_acc < min_c || r.plan_acc < min_p ||
		    r.false_trigger > max_ft) {
			printf("below the bar: intent>=%.3f carrier>=%.3f plan>=%.3f false_trigger<=%.3f\n",
			       min_i, min_c, min_p, max_ft);
			rc = 1;
		}
	}
	eval_result_free(&r);
	sbuf_free(&err);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return rc;
}
