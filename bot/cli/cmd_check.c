/* cmd_check — `cancelbot check [-c FILE] [--max-age DAYS] [--coverage] [DIR]`:
 * with -c, first validates the config file as `run -c FILE` would read it
 * (every problem with file:line, plus files it names that cannot be read;
 * no token is a warning), then loads the knowledge base it names (or
 * DIR/intents and DIR/responses) exactly as the bot would and lists every
 * problem with file:line. Exit 1 on errors; stale facts are warnings:
 * reviewed over 365 days ago by default, and with --max-age DAYS both facts
 * reviewed and sources dated (source_date) over DAYS ago. --coverage then
 * prints the carriers × topics table (kb/facts.h) as Markdown. Files of the
 * admin knowledge-base directory (admin_kb_dir) override the shipped ones
 * file by file; check lists each one and what it won over. */
#include "app.h"
#include "model.h"
#include "facts.h"
#include "load.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_check(int argc, char **argv)
{
	struct kb_load_opts opts = {.max_age_days = 365};
	const char *dir = NULL, *config_path = NULL;
	int coverage = 0;
	for (int i = 1; i < argc; i++) {
		int64_t days;
		if (!strcmp(argv[i], "-c") && i + 1 < argc && !config_path) {
			config_path = argv[++i];
		} else if (!strcmp(argv[i], "--max-age") && i + 1 < argc && parse_i64(argv[i + 1], &days) == 0 &&
		    days >= 0 && days <= 1000000) {
			opts.max_age_days = opts.max_source_age_days = (int)days;
			i++;
		} else if (!strcmp(argv[i], "--coverage")) {
			coverage = 1;
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			fprintf(stderr, "usage: cancelbot check [-c FILE] [--max-age DAYS] [--coverage] [DIR]\n");
			return 2;
		}
	}
	struct config cfg;
	int config_rc = 0;
	app_config(&cfg, NULL, 0, 0);
	if (config_path) {
		struct sbuf cerr = {0}, cwarn = {0};
		config_free(&cfg);
		config_defaults(&cfg);
		config_rc = config_load(&cfg, config_path, &cerr);
		if (config_rc == 0)
			config_rc = config_finish(&cfg, 0, &cerr);
		if (config_rc == 0)
			config_rc = config_check(&cfg, &cerr, &cwarn);
		if (cwarn.len)
			printf("config warnings:\n%s", sbuf_str(&cwarn));
		if (config_rc < 0)
			printf("config errors:\n%s", sbuf_str(&cerr));
		else
			printf("config ok: %s\n", config_path);
		sbuf_free(&cerr);
		sbuf_free(&cwarn);
	}
	if (dir) {
		free(cfg.intents_dir);
		free(cfg.responses_dir);
		cfg.intents_dir = xasprintf("%s/intents", dir);
		cfg.responses_dir = xasprintf("%s/responses", dir);
	}
	opts.admin_dir = config_admin_kb_dir(&cfg);
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
		/* docs/model.md */
		const struct model *const models[] = {kb->model, kb->followups, kb->plans,
						      kb->carriers};
		for (size_t i = 0; i < ARRAY_LEN(models); i++)
			if (models[i])
				printf("model: %s, %zu classes, %zu features, margin %g\n",
				       models[i]->file, models[i]->nclasses, models[i]->nfeat,
				       (double)models[i]->min_margin);
		struct sbuf over = {0};
		kb_overlay_report(kb, cfg.intents_dir, cfg.responses_dir, opts.admin_dir, &over);
		if (over.len)
			printf("admin files (%s):\n%s", opts.admin_dir, sbuf_str(&over));
		sbuf_free(&over);
		if (coverage) {
			char *table = kb_coverage_table(kb, NULL);
			printf("\n%s", table);
			free(table);
		}
	}
	int rc = kb && config_rc == 0 ? 0 : 1;
	kb_free(kb);
	sbuf_free(&err);
	sbuf_free(&warn);
	config_free(&cfg);
	normalize_done();
	return rc;
}
