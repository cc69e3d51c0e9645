/* config — the INI file (read with inih) into one struct config.
 *
 * Every key is described once in a const table in config.c (section, name,
 * type, where it goes); unknown sections or keys and bad values are errors
 * that name file, line and key. Strings in struct config are owned by it and
 * freed by config_free(). */
#ifndef CANCELBOT_CONFIG_H
#define CANCELBOT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* mention: answers what is addressed to it; auto: also questions nobody
 * addressed; quiet: only its commands (a group's /settings may choose it) */
enum group_mode { GROUP_MENTION, GROUP_AUTO, GROUP_QUIET };

#define CONFIG_MAX_ADMINS 64

struct config {
	char *token;
	char *api_url;
	int poll_timeout;	/* seconds */
	char *ca_file;		/* extra CA bundle (tests' self-signed server) */
	int drop_webhook;
	int request_margin;	/* seconds a long poll may take beyond its timeout */
	int rate_limits;	/* pace sends to Telegram's limits (off: benchmarks only) */

	char *intents_dir;
	char *responses_dir;
	char *state_dir;
	int64_t admins[CONFIG_MAX_ADMINS];
	size_t n_admins;
	enum group_mode group_mode;
	int context_ttl;	/* seconds a chat's carrier/plan/topic is remembered */
	int log_user_ids;
	int auto_reload;	/* reload when files under intents/ or responses/ change */
	char *reload_eval;	/* labelled file a reload must not do worse on, or NULL */
	char *metrics_file;	/* Prometheus text file written every minute, or NULL */
	char *admin_kb_dir;	/* admins' overrides of intents/ and responses/ (file by
				 * file); default STATE_DIR/kb; "" none */
	int edit_ttl;		/* seconds an admin's /edit or /teach waits for its next step */

	char *log_level;
	char *log_format;
};

/* Fills in the defaults; data directories come from CANCELBOT_DATADIR, the
 * current directory when it holds intents/, or the installed share dir. */
void config_defaults(struct config *c);
/* Reads path over the defaults already in c. On error returns -1 and appends
 * one "file:line: key: problem" line per problem to err. */
int config_load(struct config *c, const char *path, struct sbuf *err);
/* Applies CANCELBOT_TOKEN and checks what needs the whole file (e.g. token
 * present for `run`). Returns -1 and fills err on problems. */
int config_finish(struct config *c, int need_token, struct sbuf *err);
int config_is_admin(const struct config *c, int64_t user_id);
/* The admin knowledge-base directory, or NULL when there is none. */
const char *config_admin_kb_dir(const struct config *c);
/* What `check -c` adds to loading: files the config names must be readable
 * (errors, -1); a missing token is a warning (the service's credential may
 * supply it). One line per problem. */
int config_check(const struct config *c, struct sbuf *err, struct sbuf *warn);
/* SIGHUP: compares a freshly loaded config with the running one, key by key
 * (config.c's table). Changed keys that can change live (admins,
 * group_mode, metrics_file, log level) move into running; the others stay and are listed in
 * need_restart; both lists are "[section] key, ...". fresh keeps what it
 * had (or running's old values) and is still the caller's to free. */
void config_apply_live(struct config *running, struct config *fresh, struct sbuf *applied,
		       struct sbuf *need_restart);
void config_free(struct config *c);

#endif
