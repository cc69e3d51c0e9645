/* cmd_backup — `cancelbot backup [-c FILE] DEST`: a consistent copy of
 * STATE_DIR/cancelbot.db made with SQLite's online backup while the bot
 * runs (it reads; the bot keeps answering), checked, written to DEST.tmp
 * and renamed to DEST, so DEST is always a whole backup. Restoring: stop
 * the bot, copy DEST over STATE_DIR/cancelbot.db (removing any
 * cancelbot.db-wal and -shm), start it. */
#include "app.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

int cmd_backup(int argc, char **argv)
{
	static const char usage[] = "backup [-c FILE] DEST";
	const char *cfgpath, *dest;
	if (app_store_args(argc, argv, usage, NULL, &dest, &cfgpath) < 0)
		return 2;
	if (!dest) {
		fprintf(stderr, "usage: cancelbot %s\n", usage);
		return 2;
	}
	struct config cfg;
	if (app_config_opt(&cfg, cfgpath) < 0)
		return 1;
	struct sbuf err = {0};
	int rc = 1, open = app_store_readonly(&cfg, &err);
	if (open == 0)
		fprintf(stderr, "cancelbot: no database under %s: nothing to back up\n", cfg.state_dir);
	else if (open < 0 || store_backup(dest, &err) < 0)
		fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
	else
		rc = 0;
	if (rc == 0)
		printf("backed up %s/" STORE_FILE " to %s\n", cfg.state_dir, dest);
	store_close();
	sbuf_free(&err);
	config_free(&cfg);
	return rc;
}
