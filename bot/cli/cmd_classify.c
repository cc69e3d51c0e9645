/* cmd_classify — `cancelbot classify`: one JSON object per input line, the
 * interface of shared/eval/score.py. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "classify.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_classify(int argc, char **argv)
{
	const char *path;
	int first = app_opts(argc, argv, "classify [-c FILE] < messages.txt", &path);
	if (first < 0 || first != argc)
		return first < 0 ? 2 : (fprintf(stderr, "usage: cancelbot classify [-c FILE]\n"), 2);
	struct config cfg;
	struct kb *kb = app_open(&cfg, path);
	if (!kb)
		return 1;
	char *line = NULL;
	size_t cap = 0;
	long n;
	while ((n = read_line(stdin, &line, &cap)) >= 0) {
		struct classification c;
		classify(kb, line, (size_t)n, &c);
		char *json = classification_json(&c);
		puts(json);
		free(json);
		classification_free(&c);
	}
	fflush(stdout);
	free(line);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return 0;
}
