/* cmd_unmatched — `cancelbot unmatched [--top N] [-c FILE]`: the questions
 * the bot could not answer, grouped by normalised text, most frequent
 * first, from the running bot's database STATE_DIR/cancelbot.db (read-only:
 * works while the bot runs). */
#include "app.h"
#include "normalize.h"
#include "store.h"
#include "unmatched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_unmatched(int argc, char **argv)
{
	const char *cfgpath = NULL;
	long top = 20;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--top") && i + 1 < argc && (top = strtol(argv[i + 1], &end, 10)) > 0 &&
		    !*end) {
			i++;
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			cfgpath = argv[++i];
		} else {
			fprintf(stderr, "usage: cancelbot unmatched [--top N] [-c FILE]\n");
			return 2;
		}
	}
	struct config cfg;
	if (app_config(&cfg, cfgpath ? cfgpath : "config.ini", cfgpath != NULL, 0) < 0)
		return config_free(&cfg), 1;
	struct sbuf out = {0};
	int rc = 0, open = app_store_readonly(&cfg, &out);
	int n = open > 0 ? unmatched_top((size_t)top, &out) : -1;
	if (open < 0 || (open > 0 && n < 0)) {
		fprintf(stderr, "cancelbot: %s%s", sbuf_str(&out),
			open > 0 ? sqlite3_errmsg(store_db()) : "");
		rc = 1;
	} else if (open == 0) {
		printf("no unmatched log under %s yet\n", cfg.state_dir);
	} else {
		printf("%d distinct unmatched questions (top %ld):\n%s", n, top, sbuf_str(&out));
	}
	store_close();
	sbuf_free(&out);
	config_free(&cfg);
	normalize_done();
	return rc;
}
