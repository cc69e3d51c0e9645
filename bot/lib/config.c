/* config — see config.h. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "log.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DATADIR
#define DATADIR "/usr/local/share/cancelbot"
#endif

enum key_type { K_STRING, K_INT, K_BOOL, K_GROUP_MODE, K_ID_LIST, K_LOG_LEVEL, K_LOG_FORMAT };

struct key_def {
	const char *section, *name;
	enum key_type type;
	size_t offset;
	int min, max;		/* K_INT only */
	int live;		/* SIGHUP applies a change; the others need a restart */
};

#define OFF(f) offsetof(struct config, f)
static const struct key_def keys[] = {
	{"telegram", "token", K_STRING, OFF(token), 0, 0, 0},
	{"telegram", "api_url", K_STRING, OFF(api_url), 0, 0, 0},
	{"telegram", "poll_timeout", K_INT, OFF(poll_timeout), 0, 600, 0},
	{"telegram", "ca_file", K_STRING, OFF(ca_file), 0, 0, 0},
	{"telegram", "drop_webhook", K_BOOL, OFF(drop_webhook), 0, 0, 0},
	{"telegram", "request_margin", K_INT, OFF(request_margin), 1, 300, 0},
	{"telegram", "rate_limits", K_BOOL, OFF(rate_limits), 0, 0, 0},
	{"telegram", "send_timeout", K_INT, OFF(send_timeout), 1, 300, 0},
	{"telegram", "chat_queue_max", K_INT, OFF(chat_queue_max), 0, 100000, 0},
	{"telegram", "reply_max_age", K_INT, OFF(reply_max_age), 10, 7 * 86400, 0},
	{"bot", "intents_dir", K_STRING, OFF(intents_dir), 0, 0, 0},
	{"bot", "responses_dir", K_STRING, OFF(responses_dir), 0, 0, 0},
	{"bot", "state_dir", K_STRING, OFF(state_dir), 0, 0, 0},
	{"bot", "admins", K_ID_LIST, OFF(admins), 0, 0, 1},
	{"bot", "group_mode", K_GROUP_MODE, OFF(group_mode), 0, 0, 1},
	{"bot", "context_ttl", K_INT, OFF(context_ttl), 0, 86400, 0},
	{"bot", "log_user_ids", K_BOOL, OFF(log_user_ids), 0, 0, 0},
	{"bot", "auto_reload", K_BOOL, OFF(auto_reload), 0, 0, 0},
	{"bot", "reload_eval", K_STRING, OFF(reload_eval), 0, 0, 0},
	{"bot", "metrics_file", K_STRING, OFF(metrics_file), 0, 0, 1},
	{"bot", "admin_kb_dir", K_STRING, OFF(admin_kb_dir), 0, 0, 0},
	{"bot", "edit_ttl", K_INT, OFF(edit_ttl), 1, 86400, 1},
	{"log", "level", K_LOG_LEVEL, OFF(log_level), 0, 0, 1},
	{"log", "format", K_LOG_FORMAT, OFF(log_format), 0, 0, 0},
};

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

static int dir_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	const char *data = getenv("CANCELBOT_DATADIR");
	if (!data || !*data)
		data = dir_exists("intents") && dir_exists("responses") ? "." : DATADIR;
	c->intents_dir = xasprintf("%s/intents", data);
	c->responses_dir = xasprintf("%s/responses", data);
	c->api_url = xstrdup("https://api.telegram.org");
	c->poll_timeout = 50;
	c->request_margin = 15;
	c->rate_limits = 1;
	c->send_timeout = 15;
	c->chat_queue_max = 20;
	c->reply_max_age = 86400;
	c->state_dir = xstrdup("state");
	c->group_mode = GROUP_MENTION;
	c->context_ttl = 1800;
	c->auto_reload = 1;
	c->edit_ttl = 900;
	c->log_level = xstrdup("info");
	c->log_format = xstrdup("text");
}

struct load_ctx {
	struct config *c;
	const char *path;
	struct line_reader *reader;
	struct sbuf *err;
	int errors;
};

static int bad(struct load_ctx *x, const char *section, const char *name, const char *why)
{
	sbuf_addf(x->err, "%s:%d: [%s] %s: %s\n", x->path, x->reader->line, section, name, why);
	x->errors++;
	return 1;	/* keep going: report every problem in one run */
}

static int parse_ids(struct config *c, const char *v)
{
	char *copy = xstrdup(v), *save = NULL;
	c->n_admins = 0;
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		int64_t id;
		if (parse_i64(t, &id) < 0 || c->n_admins == CONFIG_MAX_ADMINS) {
			free(copy);
			return -1;
		}
		c->admins[c->n_admins++] = id;
	}
	free(copy);
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *x = user;
	value = line_reader_value(x->reader, value);	/* "a ; b" is a value, not a comment */
	const struct key_def *k = NULL;
	int known_section = 0;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(keys[i].name, name) == 0)
			k = &keys[i];
	}
	if (!known_section)
		return bad(x, section, name, "unknown section");
	if (!k)
		return bad(x, section, name, "unknown key");
	char *slot = (char *)x->c + k->offset;
	int64_t n;
	int b;
	enum log_level lv;
	switch (k->type) {
	case K_STRING:
		set_str((char **)slot, value);
		break;
	case K_INT:
		if (parse_i64(value, &n) < 0 || n < k->min || n > k->max)
			return bad(x, section, name, "want a whole number in range");
		*(int *)slot = (int)n;
		break;
	case K_BOOL:
		if (parse_bool(value, &b) < 0)
			return bad(x, section, name, "want true or false");
		*(int *)slot = b;
		break;
	case K_GROUP_MODE:
		if (strcmp(value, "mention") == 0)
			x->c->group_mode = GROUP_MENTION;
		else if (strcmp(value, "auto") == 0)
			x->c->group_mode = GROUP_AUTO;
		else if (strcmp(value, "quiet") == 0)
			x->c->group_mode = GROUP_QUIET;
		else
			return bad(x, section, name, "want mention, auto or quiet");
		break;
	case K_ID_LIST:
		if (parse_ids(x->c, value) < 0)
			return bad(x, section, name, "want comma-separated numeric user ids");
		break;
	case K_LOG_LEVEL:
		if (log_parse_level(value, &lv) < 0)
			return bad(x, section, name, "want debug, info, warn or error");
		set_str((char **)slot, value);
		break;
	case K_LOG_FORMAT:
		if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
			return bad(x, section, name, "want text or json");
		set_str((char **)slot, value);
		break;
	}
	return 1;
}

int config_load(struct config *c, const char *path, struct sbuf *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		sbuf_addf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int world = fstat(fileno(fp), &st) == 0 && (st.st_mode & 0004);
	struct line_reader r = {.fp = fp};
	struct load_ctx x = {.c = c, .path = path, .reader = &r, .err = err};
	const char *token_before = c->token;
	int rc = ini_parse_stream(line_reader_next, &r, on_key, &x);
	/* a config without the token (the service's is a credential) may be
	 * readable by all; one that holds it may not */
	if (world && c->token != token_before && c->token && *c->token)
		log_warn("config_readable", KV("file", path), KV("msg", "config file is readable by other "
			 "users and holds the bot token (chmod 600, or move the token to a credential)"));
	line_reader_free(&r);
	fclose(fp);
	if (r.long_line) {
		sbuf_addf(err, "%s:%d: line too long (max 199 bytes)\n", path, r.long_line);
		x.errors++;
	}
	if (rc > 0 && !x.errors) {
		sbuf_addf(err, "%s:%d: not a [section] or key = value line\n", path, rc);
		x.errors++;
	}
	return x.errors ? -1 : 0;
}

int config_finish(struct config *c, int need_token, struct sbuf *err)
{
	const char *env = getenv("CANCELBOT_TOKEN");
	if (env && *env)
		set_str(&c->token, env);
	/* systemd's LoadCredential=token:FILE, when nothing else gave one */
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	if ((!c->token || !*c->token) && creds && *creds) {
		char *path = xasprintf("%s/token", creds);
		char *tok = read_file(path, NULL);
		if (tok)
			set_str(&c->token, str_trim(tok));
		free(tok);
		free(path);
	}
	if (need_token && (!c->token || !*c->token)) {
		sbuf_adds(err, "no bot token: set [telegram] token or CANCELBOT_TOKEN\n");
		return -1;
	}
	/* the admins' edits live with the state: the one place the service may
	 * write, and one install, uninstall or upgrade never touches */
	if (!c->admin_kb_dir)
		c->admin_kb_dir = xasprintf("%s/kb", c->state_dir);
	size_t n = strlen(c->api_url);
	while (n > 0 && c->api_url[n - 1] == '/')
		c->api_url[--n] = '\0';
	return 0;
}

const char *config_admin_kb_dir(const struct config *c)
{
	return c->admin_kb_dir && *c->admin_kb_dir ? c->admin_kb_dir : NULL;
}

int config_is_admin(const struct config *c, int64_t user_id)
{
	for (size_t i = 0; i < c->n_admins; i++)
		if (c->admins[i] == user_id)
			return 1;
	return 0;
}

/* 1 when key k has the same value in a and b. */
static int same_value(const struct key_def *k, const struct config *a, const struct config *b)
{
	const char *pa = (const char *)a + k->offset, *pb = (const char *)b + k->offset;
	switch (k->type) {
	case K_STRING:
	case K_LOG_LEVEL:
	case K_LOG_FORMAT: {
		const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;
		return strcmp(sa ? sa : "", sb ? sb : "") == 0;
	}
	case K_INT:
	case K_BOOL:
		return *(const int *)pa == *(const int *)pb;
	case K_GROUP_MODE:
		return a->group_mode == b->group_mode;
	case K_ID_LIST:
		return a->n_admins == b->n_admins &&
		       memcmp(a->admins, b->admins, a->n_admins * sizeof a->admins[0]) == 0;
	}
	return 1;
}

static void take_value(const struct key_def *k, struct config *to, struct config *from)
{
	char *pt = (char *)to + k->offset, *pf = (char *)from + k->offset;
	switch (k->type) {
	case K_STRING:
	case K_LOG_LEVEL:
	case K_LOG_FORMAT: {
		char *tmp = *(char **)pt;	/* swap: config_free(from) frees the old one */
		*(char **)pt = *(char **)pf;
		*(char **)pf = tmp;
		break;
	}
	case K_INT:
	case K_BOOL:
		*(int *)pt = *(int *)pf;
		break;
	case K_GROUP_MODE:
		to->group_mode = from->group_mode;
		break;
	case K_ID_LIST:
		memcpy(to->admins, from->admins, sizeof to->admins);
		to->n_admins = from->n_admins;
		break;
	}
}

void config_apply_live(struct config *running, struct config *fresh, struct sbuf *applied,
		       struct sbuf *need_restart)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const struct key_def *k = &keys[i];
		if (same_value(k, running, fresh))
			continue;
		struct sbuf *list = k->live ? applied : need_restart;
		sbuf_addf(list, "%s[%s] %s", list->len ? ", " : "", k->section, k->name);
		if (k->live)
			take_value(k, running, fresh);
	}
}

int config_check(const struct config *c, struct sbuf *err, struct sbuf *warn)
{
	int errors = 0;
	if (!c->token || !*c->token)
		sbuf_adds(warn, "no bot token in the file, CANCELBOT_TOKEN or $CREDENTIALS_DIRECTORY/token: "
			  "`run` needs one (under systemd the credential cancelbot.token can give it)\n");
	/* files the bot opens only later, when it is too late to say so clearly */
	const char *files[][2] = {{"ca_file", c->ca_file}, {"reload_eval", c->reload_eval}};
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (files[i][1] && *files[i][1] && access(files[i][1], R_OK) != 0) {
			sbuf_addf(err, "%s = %s: cannot read: %s\n", files[i][0], files[i][1], strerror(errno));
			errors++;
		}
	return errors ? -1 : 0;
}

void config_free(struct config *c)
{
	free(c->token);
	free(c->api_url);
	free(c->ca_file);
	free(c->intents_dir);
	free(c->responses_dir);
	free(c->state_dir);
	free(c->reload_eval);
	free(c->metrics_file);
	free(c->admin_kb_dir);
	free(c->log_level);
	free(c->log_format);
	memset(c, 0, sizeof *c);
}
