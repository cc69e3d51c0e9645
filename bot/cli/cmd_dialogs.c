/* cmd_dialogs — `cancelbot dialogs FILE.tsv...`: labelled multi-turn
 * conversations played through the bot's own dialog (bot/core/dialogs.c),
 * one private chat each, no network. Prints per file the turns right and
 * the conversations right in full; --misses shows each wrong turn with the
 * conversation so far. --teacher adds a teacher-forced row per file (each
 * turn in the context its earlier turns' labels imply: forced minus plain
 * is the share of misses that are cascades); its --misses are the forced
 * run's, the turns wrong on their own. The --min-turns and --min-convs bars apply to every
 * file and make it exit 1, for tests and CI. */
#include "app.h"
#include "dialogs.h"
#include "eval.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: cancelbot dialogs [-c FILE] [--min-turns X] [--min-convs X] [--misses] [--teacher] FILE.tsv...\n";

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 1;
}

/* The ratios cut down (eval_format_ratio): 999/1000 prints 0.999, not 1.000. */
static void print_row(const char *label, int width, const struct dialogs_result *r, int low)
{
	struct sbuf t = {0}, c = {0};
	eval_format_ratio(&t, r->turns_ok, r->turns, 1, 0);
	eval_format_ratio(&c, r->convs_ok, r->convs, 1, 0);
	printf("%-*s turns %zu/%zu (%s)  conversations %zu/%zu (%s)  wrong: intent %zu "
	       "carrier %zu plan %zu script %zu%s\n",
	       width, label, r->turns_ok, r->turns, sbuf_str(&t), r->convs_ok, r->convs,
	       sbuf_str(&c), r->wrong[0], r->wrong[1], r->wrong[2], r->wrong[3],
	       low ? "  below the bar" : "");
	sbuf_free(&t);
	sbuf_free(&c);
}

static void add(struct dialogs_result *to, const struct dialogs_result *r)
{
	to->turns += r->turns, to->turns_ok += r->turns_ok;
	to->convs += r->convs, to->convs_ok += r->convs_ok;
	for (int k = 0; k < 4; k++)
		to->wrong[k] += r->wrong[k];
}

int cmd_dialogs(int argc, char **argv)
{
	double min_turns = 0, min_convs = 0;
	const struct app_bar bars[] = {
		{"--min-turns", &min_turns}, {"--min-convs", &min_convs}, {NULL, NULL}};
	int misses = 0, teacher = 0;
	const struct app_switch switches[] = {
		{"--misses", &misses}, {"--teacher", &teacher}, {NULL, NULL}};
	struct config cfg;
	struct kb *kb;
	const char **paths;
	int nargs = app_score_open(argc, argv, usage, bars, switches, &cfg, &kb, &paths);
	if (nargs < 0)
		return -nargs;	/* 2: usage; 1: no knowledge base */
	size_t np = (size_t)nargs;
	int width = app_label_width(paths, np, 6), failed = 0, below = 0;
	struct dialogs_result total = {0}, total_forced = {0};
	for (size_t i = 0; i < np && !failed; i++) {
		struct sbuf err = {0}, warn = {0};
		struct dialogs_set set;
		char *text = read_file(paths[i], NULL);
		if (!text)
			sbuf_addf(&err, "%s: cannot read\n", paths[i]);
		if (!text || dialogs_parse(kb, text, paths[i], &set, &err, &warn) < 0) {
			fprintf(stderr, "cancelbot: %s", sbuf_str(&err));
			failed = 1;
		} else {
			fputs(sbuf_str(&warn), stderr);
			struct dialogs_result r = {0}, f = {0};
			dialogs_play(kb, &cfg, &set, paths[i], misses && !teacher, &r);
			if (teacher)
				dialogs_play_forced(kb, &cfg, &set, paths[i], misses, &f);
			fputs(sbuf_str(&r.misses), stdout);
			fputs(sbuf_str(&f.misses), stdout);
			int low = ratio(r.turns_ok, r.turns) < min_turns ||
				  ratio(r.convs_ok, r.convs) < min_convs;
			char *label = xasprintf("%s:", paths[i]);
			print_row(label, width, &r, low);
			free(label);
			if (teacher)
				print_row("  teacher-forced:", width, &f, 0);
			below |= low;
			add(&total, &r);
			add(&total_forced, &f);
			dialogs_result_free(&r);
			dialogs_result_free(&f);
			dialogs_set_free(&set);
		}
		free(text);
		sbuf_free(&err);
		sbuf_free(&warn);
	}
	if (!failed && np > 1)
		print_row("total:", width, &total, 0);
	if (!failed && np > 1 && teacher)
		print_row("  teacher-forced:", width, &total_forced, 0);
	if (!failed && below)
		printf("below the bar: turns>=%g conversations>=%g\n", min_turns, min_convs);
	free(paths);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return failed || below;
}
