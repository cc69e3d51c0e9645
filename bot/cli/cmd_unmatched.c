/* cmd_unmatched — `cancelbot unmatched [--top N] [-c FILE]`: the questions
 * the bot could not answer, grouped by normalised text, most frequent
 * first, from the running bot's database STATE_DIR/cancelbot.db (read-only:
 * works while the bot runs). */
#include "app.h"
#include "normalize.h"
#include "store.h"
#include "unmatched.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_unmatched(int argc, char **argv)
{
	const char *cfgpath;
	long top = 20;
	struct app_num num = {"--top", &top, 1, LONG_MAX};
	if (app_store_args(argc, argv, "unmatched [--top N] [-c FILE]", &num, NULL, &cfgpath) < 0)
		return 2;
	struct config cfg;
	if (app_config_opt(&cfg, cfgpath) < 0)
		return 1;
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
