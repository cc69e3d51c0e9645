/* main — the table of subcommands; nothing else. */
#include "app.h"

#include <stdio.h>
#include <string.h>

static const struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} subcommands[] = {
	{"run", cmd_run, "run [-c FILE]         the bot (long polling); config default ./config.ini"},
	{"chat", cmd_chat, "chat [-c FILE]        talk to the bot in this terminal, no network"},
	{"classify", cmd_classify, "classify [-c FILE]    one JSON line per message line on stdin"},
	{"explain", cmd_explain, "explain [-c FILE] TEXT  how TEXT is classified and answered"},
	{"check", cmd_check, "check [-c FILE] [--max-age DAYS] [DIR]  check the config and the knowledge base"},
	{"eval", cmd_eval, "eval [options] FILE.tsv...  accuracy on labelled files"},
	{"dialogs", cmd_dialogs, "dialogs [options] FILE.tsv...  multi-turn conversations scored turn by turn"},
	{"train", cmd_train, "train [-o OUT] [--general ID] FILE.tsv...  learn the intent model (make model)"},
	{"history", cmd_history, "history [-c FILE] [--last N] [VERSION]  admins' applied edits; one with its diff"},
	{"unmatched", cmd_unmatched, "unmatched [--top N] [-c FILE]  most frequent unanswered questions"},
	{"status", cmd_status, "status [--events N] [-c FILE]  the running bot's counters, status and last errors"},
	{"backup", cmd_backup, "backup [-c FILE] DEST  copy the bot's database to DEST while it runs"},
	/* not listed: the bot's own preconversion process (preconv.h) */
	{"preconv-helper", cmd_preconv_helper, NULL},
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: cancelbot COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (subcommands[i].usage)
			fprintf(fp, "  cancelbot %s\n", subcommands[i].usage);
	fprintf(fp, "\n  cancelbot --help | --version\n"
		    "\nenvironment: CANCELBOT_TOKEN overrides [telegram] token; "
		    "CANCELBOT_DATADIR holds intents/ and responses/\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("cancelbot %s\n", CANCELBOT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "cancelbot: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
