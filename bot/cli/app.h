/* app — what every subcommand needs before it can work: the config file,
 * logging set up from it, and a loaded knowledge base. Also the table of
 * subcommands (main.c) and their entry points. */
#ifndef CANCELBOT_APP_H
#define CANCELBOT_APP_H

#include "config.h"
#include "kb.h"

#define CANCELBOT_VERSION "0.1.0"

/* Loads config (path may be NULL: defaults only; must_exist: the file must
 * be there) and prints errors to stderr. Returns 0 or -1. */
int app_config(struct config *cfg, const char *path, int must_exist, int need_token);
/* Loads the knowledge base, printing problems; NULL on error. */
struct kb *app_kb(const struct config *cfg);
/* Both, for the offline commands (an optional config file at path): the
 * knowledge base, or NULL after printing why (cfg is then freed). */
struct kb *app_open(struct config *cfg, const char *path);

/* Opens STATE_DIR/cancelbot.db read-only for a command that reads what a
 * running bot keeps (unmatched, status): 1 open (store_close() after), 0
 * when there is no database yet, -1 with a line in err. */
int app_store_readonly(const struct config *cfg, struct sbuf *err);

int cmd_run(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_dialogs(int argc, char **argv);
int cmd_unmatched(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_preconv_helper(int argc, char **argv);

/* Parses "-c FILE" for the offline commands; returns the index of the first
 * operand, or -1 after printing usage (exit 2). */
int app_opts(int argc, char **argv, const char *usage, const char **config_path);

/* The arguments of the commands that read what a running bot keeps
 * (unmatched, status, history, backup), in any order: "-c FILE", the
 * numeric option num (NULL: none; its value within min..max), and at most
 * one operand not starting with '-' (operand NULL: none allowed). 0, or -1
 * after printing "usage: cancelbot USAGE" (exit 2). */
struct app_num {
	const char *flag;
	long *value;
	long min, max;
};
int app_store_args(int argc, char **argv, const char *usage, const struct app_num *num,
		   const char **operand, const char **config_path);
/* The start of the scoring commands (eval, dialogs): their arguments, in
 * any order ("-c FILE", each bar's flag with a number, each switch's flag
 * alone, one or more FILE operands; the tables end with a NULL flag), then
 * the config and the knowledge base (app_open). The operands go in *paths
 * (argv's strings; the caller frees the array, and kb and cfg as
 * app_open's). Their count; -2 after printing usage (exit 2), -1 when the
 * knowledge base did not load (exit 1; nothing to free). */
struct app_bar {
	const char *flag;
	double *value;
};
struct app_switch {
	const char *flag;
	int *value;
};
int app_score_open(int argc, char **argv, const char *usage, const struct app_bar *bars,
		   const struct app_switch *switches, struct config *cfg, struct kb **kb,
		   const char ***paths);
/* The width of a "PATH:" label column: the longest path and its colon, at
 * least min. */
int app_label_width(const char *const *paths, size_t n, int min);

/* The config of such a command: path, or ./config.ini when it is there.
 * 0, or -1 after printing why (cfg freed). */
int app_config_opt(struct config *cfg, const char *path);
#endif
