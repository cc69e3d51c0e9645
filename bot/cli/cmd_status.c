/* cmd_status — `cancelbot status [-c FILE] [--events N]`: what the running
 * bot keeps in STATE_DIR/cancelbot.db, read-only (it never writes, so it
 * is safe while the bot runs): whether it runs, its last STATUS= line, the
 * counters and the last warnings and errors. Exit status 0 when the bot
 * runs, 3 when it does not (the LSB convention `systemctl status` uses),
 * 1 on errors. */
#include "app.h"
#include "stats.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_status(int argc, char **argv)
{
	const char *cfgpath;
	long nevents = 10;
	struct app_num num = {"--events", &nevents, 0, 1000};
	if (app_store_args(argc, argv, "status [--events N] [-c FILE]", &num, NULL, &cfgpath) < 0)
		return 2;
	struct config cfg;
	if (app_config_opt(&cfg, cfgpath) < 0)
		return 1;
	struct sbuf out = {0};
	int rc = 1, open = app_store_readonly(&cfg, &out);
	if (open == 0) {
		printf("no database under %s: the bot has not run there\n", cfg.state_dir);
		rc = 3;
	} else if (open > 0) {
		sbuf_addf(&out, "database: %s/" STORE_FILE "\n", cfg.state_dir);
		int running = stats_status(&out, (int)nevents);
		if (running < 0)
			fprintf(stderr, "cancelbot: %s/" STORE_FILE ": cannot read the counters: %s\n",
				cfg.state_dir, sqlite3_errmsg(store_db()));
		else
			fputs(sbuf_str(&out), stdout);
		rc = running < 0 ? 1 : running ? 0 : 3;
	} else {
		fprintf(stderr, "cancelbot: %s", sbuf_str(&out));
	}
	store_close();
	sbuf_free(&out);
	config_free(&cfg);
	return rc;
}
