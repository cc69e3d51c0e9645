/* cmd_check — `cancelbot check [--max-age DAYS] [DIR]`: loads DIR/intents
 * and DIR/responses exactly as the bot would and lists every problem with
 * file:line. Exit 1 on errors; stale facts are warnings. */
#include "app.h"
#include "load.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_check(int argc, char **argv)
{
	struct kb_load_opts opts = {.max_age_days = 365};
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		int64_t days;
		if (!strcmp(argv[i], "--max-age") && i + 1 < argc && parse_i64(argv[i + 1], &days) == 0 &&
		    days >= 0) {
			opts.max_age_days = (int)days;
			i++;
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			fprintf(stderr, "usage: cancelbot check [--max-age DAYS] [DIR]\n");
			return 2;
		}
	}
	struct config cfg;
	app_config(&cfg, NULL, 0, 0);
	if (dir) {
		free(cfg.intents_dir);
		free(cfg.responses_dir);
		cfg.intents_dir = xasprintf("%s/intents", dir);
		cfg.responses_dir = xasprintf("%s/responses", dir);
	}
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load(cfg.intents_dir, cfg.responses_dir, &opts, &err, &warn);
	if (warn.len)
		printf("warnings:\n%s", sbuf_str(&warn));
	if (!kb) {
		printf("errors:\n%s", sbuf_str(&err));
	} else {
		printf("ok: %zu intents, %zu carriers, %zu plans, %zu vetoes, %zu answers, %zu files\n",
		       kb->counts[RULE_INTENT], kb->counts[RULE_CARRIER], kb->counts[RULE_PLAN],
		       kb->counts[RULE_VETO], kb->nanswers, kb->nfiles);
	}
	int rc = kb ? 0 : 1;
	kb_free(kb);
	sbuf_free(&err);
	sbuf_free(&warn);
	config_free(&cfg);
	normalize_done();
	return rc;
}
