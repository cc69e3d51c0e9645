/* cmd_history — `cancelbot history [-c FILE] [--last N] [VERSION]`: the
 * changes admins applied from Telegram (/edit, /teach, /rollback), newest
 * first, or one version with its diff — the same as /history, read from
 * STATE_DIR/cancelbot.db without disturbing the running bot (read-only,
 * WAL). */
#include "app.h"
#include "kbhist.h"
#include "normalize.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_history(int argc, char **argv)
{
	const char *cfgpath = NULL;
	long last = 20, version = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--last") && i + 1 < argc &&
		    (last = strtol(argv[i + 1], &end, 10)) > 0 && !*end) {
			i++;
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			cfgpath = argv[++i];
		} else if (!version && (version = strtol(argv[i], &end, 10)) > 0 && !*end) {
			continue;
		} else {
			fprintf(stderr, "usage: cancelbot history [-c FILE] [--last N] [VERSION]\n");
			return 2;
		}
	}
	struct config cfg;
	if (app_config(&cfg, cfgpath ? cfgpath : "config.ini", cfgpath != NULL, 0) < 0)
		return config_free(&cfg), 1;
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
