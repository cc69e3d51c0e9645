/* classify_dump — every field of a classification, one line per input
 * line, as classify() and as classify_in() with a carrier already known;
 * with --explain, `explain` of every tenth line too. tests/bench/
 * same_classes.sh diffs it between a reference build and this one, so a
 * speed change can be shown to change no classification. Not a test. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "kb.h"
#include "load.h"
#include "normalize.h"

static void dump(const struct classification *c)
{
	printf("\t%s %s %s %s dest=%d limit=%d veto=%s norm=[%s]", c->intent ? c->intent->id : "-",
	       c->carrier ? c->carrier->id : "-", c->plan ? c->plan->id : "-", c->lang,
	       c->carrier_is_destination, c->limit_hit, c->veto ? c->veto->id : "-", c->norm);
	for (size_t i = 0; i < c->ncues; i++)
		printf(" cue=%s[%zu,%zu)", c->cues[i]->id, c->cue_start[i], c->cue_end[i]);
}

int main(int argc, char **argv)
{
	int explain = argc > 1 && strcmp(argv[1], "--explain") == 0;
	normalize_init();
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load("intents", "responses", NULL, &err, &warn);
	if (!kb) {
		fprintf(stderr, "%s", sbuf_str(&err));
		return 1;
	}
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		while (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		struct classification c;
		printf("%zu", n);
		for (int known = 0; known < 2; known++) {
			classify_in(kb, line, (size_t)len, known, &c);
			dump(&c);
			classification_free(&c);
		}
		putchar('\n');
		if (explain && n % 10 == 0) {
			struct sbuf out = {0};
			classify_explain(kb, line, &out);
			fputs(sbuf_str(&out), stdout);
			sbuf_free(&out);
		}
		n++;
	}
	free(line);
	kb_free(kb);
	sbuf_free(&err);
	sbuf_free(&warn);
	normalize_done();
	return 0;
}
