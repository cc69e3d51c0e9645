/* cmd_unmatched — `cancelbot unmatched [--top N] [-c FILE]`: the questions
 * the bot could not answer, grouped by normalised text, most frequent
 * first, from STATE_DIR/unmatched.jsonl (and its rotated .1). */
#include "app.h"
#include "normalize.h"
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
	int n = unmatched_top(cfg.state_dir, (size_t)top, &out);
	if (n < 0)
		printf("no unmatched log under %s yet\n", cfg.state_dir);
	else
		printf("%d distinct unmatched questions (top %ld):\n%s", n, top, sbuf_str(&out));
	sbuf_free(&out);
	config_free(&cfg);
	normalize_done();
	return 0;
}
