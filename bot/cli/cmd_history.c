/* cmd_history — `cancelbot history [-c FILE] [--last N] [VERSION]`: the
 * changes admins applied from Telegram (/edit, /teach, /rollback), newest
 * first, or one version with its diff — the same as /history, read from
 * STATE_DIR/cancelbot.db without disturbing the running bot (read-only,
 * WAL). */
#include "app.h"
#include "kbhist.h"
#include "normalize.h"
#include "store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_history(int argc, char **argv)
{
	static const char usage[] = "history [-c FILE] [--last N] [VERSION]";
	const char *cfgpath, *ver;
	long last = 20, version = 0;
	struct app_num num = {"--last", &last, 1, LONG_MAX};
	char *end;
	if (app_store_args(argc, argv, usage, &num, &ver, &cfgpath) < 0)
		return 2;
	if (ver && ((version = strtol(ver, &end, 10)) <= 0 || *end)) {
		fprintf(stderr, "usage: cancelbot %s\n", usage);
		return 2;
	}
	struct config cfg;
	if (app_config_opt(&cfg, cfgpath) < 0)
		return 1;
	struct sbuf out = {0};
	int rc = 0, open = app_store_readonly(&cfg, &out);
	if (open < 0) {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&out));
		rc = 1;
	} else if (open == 0) {
		printf("no edits yet: no %s/%s\n", cfg.state_dir, STORE_FILE);
	} else {
		int n = version ? kbhist_show(&cfg, version, &out) : kbhist_list(&cfg, (int)last, &out);
		if (n < 0 && !out.len) {
			/* a store from before the history (schema < 5): nothing recorded */
			printf("no edits recorded in %s/%s\n", cfg.state_dir, STORE_FILE);
		} else {
			fputs(sbuf_str(&out), stdout);
			rc = version && n < 0 ? 1 : 0;
		}
	}
	store_close();
	sbuf_free(&out);
	config_free(&cfg);
	normalize_done();
	return rc;
}
