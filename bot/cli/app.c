/* app — see app.h. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "log.h"
#include "normalize.h"
#include "reload.h"
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int app_config(struct config *cfg, const char *path, int must_exist, int need_token)
{
	struct sbuf err = {0};
	config_defaults(cfg);
	int rc = 0;
	if (path && (must_exist || access(path, F_OK) == 0))
		rc = config_load(cfg, path, &err);
	if (rc == 0)
		rc = config_finish(cfg, need_token, &err);
	if (rc != 0)
		fprintf(stderr, "cancelbot: config error:\n%s", sbuf_str(&err));
	sbuf_free(&err);
	enum log_level lv = LOG_INFO;
	log_parse_level(cfg->log_level, &lv);
	log_set_level(lv);
	log_set_json(strcmp(cfg->log_format, "json") == 0);
	log_set_journal(log_stderr_is_journal());	/* a systemd service: fields, priorities */
	log_set_secret(cfg->token);
	normalize_init();
	return rc;
}

struct kb *app_kb(const struct config *cfg)
{
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = reload_load(cfg, &err, &warn);
	if (!kb)
		fprintf(stderr, "cancelbot: the knowledge base has errors:\n%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	return kb;
}

struct kb *app_open(struct config *cfg, const char *path)
{
	struct kb *kb = NULL;
	if (app_config(cfg, path, path != NULL, 0) == 0)
		kb = app_kb(cfg);
	if (!kb)
		config_free(cfg);
	return kb;
}

int app_opts(int argc, char **argv, const char *usage, const char **config_path)
{
	int i = 1;
	*config_path = NULL;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			*config_path = argv[++i];
			continue;
		}
		fprintf(stderr, "cancelbot: unknown option '%s'\nusage: cancelbot %s\n", argv[i], usage);
		return -1;
	}
	return i;
}

int app_store_args(int argc, char **argv, const char *usage, const struct app_num *num,
		   const char **operand, const char **config_path)
{
	*config_path = NULL;
	if (operand)
		*operand = NULL;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			*config_path = argv[++i];
		} else if (num && !strcmp(argv[i], num->flag) && i + 1 < argc &&
			   (*num->value = strtol(argv[i + 1], &end, 10)) >= num->min &&
			   *num->value <= num->max && !*end && argv[i + 1][0]) {
			i++;
		} else if (operand && !*operand && argv[i][0] && argv[i][0] != '-') {
			*operand = argv[i];
		} else {
			fprintf(stderr, "usage: cancelbot %s\n", usage);
			return -1;
		}
	}
	return 0;
}

/* 1 when argv[*i] is one of the bars' flags with a number after it (*i
 * then points at the number); -1 when the number is not one. */
static int take_bar(int argc, char **argv, int *i, const struct app_bar *bars)
{
	for (; bars && bars->flag; bars++) {
		if (strcmp(argv[*i], bars->flag) || *i + 1 >= argc)
			continue;
		char *end;
		*bars->value = strtod(argv[++*i], &end);
		return *end || end == argv[*i] ? -1 : 1;
	}
	return 0;
}

static int take_switch(const char *arg, const struct app_switch *switches)
{
	for (; switches && switches->flag; switches++)
		if (!strcmp(arg, switches->flag))
			return *switches->value = 1;
	return 0;
}

int app_score_open(int argc, char **argv, const char *usage, const struct app_bar *bars,
		   const struct app_switch *switches, struct config *cfg, struct kb **kb,
		   const char ***paths)
{
	const char *cfgpath = NULL;
	*paths = xmalloc(sizeof **paths * (size_t)(argc > 0 ? argc : 1));
	int n = 0, bar = 0;
	for (int i = 1; i < argc && bar >= 0; i++) {
		if ((bar = take_bar(argc, argv, &i, bars)) != 0)
			continue;
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cfgpath = argv[++i];
		else if (take_switch(argv[i], switches))
			;
		else if (argv[i][0] != '-')
			(*paths)[n++] = argv[i];
		else
			bar = -1;
	}
	if (bar < 0 || n == 0)
		fputs(usage, stderr);
	else if ((*kb = app_open(cfg, cfgpath)) != NULL)
		return n;
	free(*paths);
	*paths = NULL;
	return bar < 0 || n == 0 ? -2 : -1;
}

int app_label_width(const char *const *paths, size_t n, int min)
{
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(paths[i]) + 1 > min)
			min = (int)strlen(paths[i]) + 1;
	return min;
}

int app_config_opt(struct config *cfg, const char *path)
{
	if (app_config(cfg, path ? path : "config.ini", path != NULL, 0) == 0)
		return 0;
	config_free(cfg);
	return -1;
}

int app_store_readonly(const struct config *cfg, struct sbuf *err)
{
	char *path = xasprintf("%s/" STORE_FILE, cfg->state_dir);
	int rc = 0;
	if (access(path, F_OK) == 0 || errno != ENOENT)
		rc = store_open_readonly(path, err) == 0 ? 1 : -1;
	free(path);
	return rc;
}
