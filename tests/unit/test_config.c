/* Unit tests: config — defaults, values, and errors that name file:line and key. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/cancelbot-config-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(config, good_file)
{
	char *p = write_tmp("[telegram]\ntoken = 1:abc\napi_url = http://127.0.0.1:9/\npoll_timeout = 5\n"
			    "[bot]\nadmins = 1, 22,333\ngroup_mode = auto\n");
	struct config c;
	struct sbuf err = {0};
	config_defaults(&c);
	cr_assert_eq(config_load(&c, p, &err), 0, "%s", sbuf_str(&err));
	unsetenv("CANCELBOT_TOKEN");
	cr_assert_eq(config_finish(&c, 1, &err), 0);
	cr_expect_str_eq(c.token, "1:abc");
	cr_expect_str_eq(c.api_url, "http://127.0.0.1:9");	/* trailing slash dropped */
	cr_expect_eq(c.poll_timeout, 5);
	cr_expect_eq(c.n_admins, 3);
	cr_expect(config_is_admin(&c, 333));
	cr_expect_not(config_is_admin(&c, 4));
	cr_expect_eq(c.group_mode, GROUP_AUTO);
	config_free(&c);
	sbuf_free(&err);
	unlink(p);
	free(p);
}

Test(config, errors_name_file_line_and_key)
{
	char *p = write_tmp("[telegram]\ntoken = x\npoll_timeout = soon\n[bot]\ngroup_mode = loud\n"
			    "colour = red\n[nope]\na = b\n");
	struct config c;
	struct sbuf err = {0};
	config_defaults(&c);
	cr_assert_eq(config_load(&c, p, &err), -1);
	char want[256];
	snprintf(want, sizeof want, "%s:3: [telegram] poll_timeout", p);
	cr_expect(strstr(err.p, want), "%s", err.p);
	snprintf(want, sizeof want, "%s:5: [bot] group_mode", p);
	cr_expect(strstr(err.p, want), "%s", err.p);
	snprintf(want, sizeof want, "%s:6: [bot] colour: unknown key", p);
	cr_expect(strstr(err.p, want), "%s", err.p);
	snprintf(want, sizeof want, "%s:8: [nope] a: unknown section", p);
	cr_expect(strstr(err.p, want), "%s", err.p);
	config_free(&c);
	sbuf_free(&err);
	unlink(p);
	free(p);
}

Test(config, env_token_overrides_and_is_required)
{
	struct config c;
	struct sbuf err = {0};
	config_defaults(&c);
	unsetenv("CANCELBOT_TOKEN");
	cr_expect_eq(config_finish(&c, 1, &err), -1);
	setenv("CANCELBOT_TOKEN", "9:env", 1);
	cr_expect_eq(config_finish(&c, 1, &err), 0);
	cr_expect_str_eq(c.token, "9:env");
	unsetenv("CANCELBOT_TOKEN");
	config_free(&c);
	sbuf_free(&err);
}

Test(config, missing_file)
{
	struct config c;
	struct sbuf err = {0};
	config_defaults(&c);
	cr_expect_eq(config_load(&c, "/nonexistent/cancelbot.ini", &err), -1);
	cr_expect(strstr(err.p, "cannot open"));
	config_free(&c);
	sbuf_free(&err);
}

Test(config, a_semicolon_inside_a_value_is_kept)
{
	/* defect: Debian's inih ends a value at " ;" (an inline comment), so
	 * this token was read as "1:abc"; comments are whole lines only */
	char *p = write_tmp("; a comment line\n[telegram]\ntoken = 1:abc ;def\n");
	struct config c;
	struct sbuf err = {0};
	config_defaults(&c);
	cr_assert_eq(config_load(&c, p, &err), 0, "%s", sbuf_str(&err));
	cr_expect_str_eq(c.token, "1:abc ;def");
	config_free(&c);
	sbuf_free(&err);
	unlink(p);
	free(p);
}

/* SIGHUP: admins, group_mode and the log level change live; any other
 * changed key (the token included, by name only) waits for a restart. */
Test(config, apply_live_takes_live_keys_and_lists_the_rest)
{
	char *p = write_tmp("[telegram]\ntoken = 1:new\npoll_timeout = 7\n"
			    "[bot]\nadmins = 5, 6\ngroup_mode = auto\n[log]\nlevel = debug\n");
	struct config run, fresh;
	struct sbuf err = {0}, applied = {0}, restart = {0};
	config_defaults(&run);
	run.token = strdup("1:old");
	config_defaults(&fresh);
	cr_assert_eq(config_load(&fresh, p, &err), 0, "%s", sbuf_str(&err));
	config_apply_live(&run, &fresh, &applied, &restart);
	cr_expect_str_eq(sbuf_str(&applied), "[bot] admins, [bot] group_mode, [log] level");
	cr_expect_str_eq(sbuf_str(&restart), "[telegram] token, [telegram] poll_timeout");
	cr_expect(config_is_admin(&run, 6));
	cr_expect_eq(run.group_mode, GROUP_AUTO);
	cr_expect_str_eq(run.log_level, "debug");
	cr_expect_str_eq(run.token, "1:old");
	cr_expect_eq(run.poll_timeout, 50);
	config_free(&fresh);	/* holds run's old strings now: no leak, no double free */
	config_free(&run);
	sbuf_free(&err);
	sbuf_free(&applied);
	sbuf_free(&restart);
	unlink(p);
	free(p);
}

Test(config, check_wants_named_files_readable_and_warns_without_token)
{
	struct config c;
	struct sbuf err = {0}, warn = {0};
	config_defaults(&c);
	c.reload_eval = strdup("/nonexistent/labelled.tsv");
	cr_expect_eq(config_check(&c, &err, &warn), -1);
	cr_expect(strstr(sbuf_str(&err), "reload_eval = /nonexistent/labelled.tsv: cannot read"), "%s",
		  sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&warn), "no bot token"), "%s", sbuf_str(&warn));
	config_free(&c);
	sbuf_free(&err);
	sbuf_free(&warn);
}

#include <sys/stat.h>

#include "log.h"

static int readable_warnings;
static void count_readable(void *ctx, enum log_level level, const char *event, const char *fields)
{
	(void)ctx, (void)level, (void)fields;
	readable_warnings += !strcmp(event, "config_readable");
}

/* The service reads its config directly (SIGHUP sees edits) and gets the
 * token as a credential, so a config without a token may be 0644; one
 * that holds it draws the warning. */
Test(config, world_readable_warns_only_when_it_holds_the_token)
{
	log_set_observer(count_readable, NULL);
	char *with = write_tmp("[telegram]\ntoken = 1:abc\n");
	char *without = write_tmp("[telegram]\npoll_timeout = 5\n");
	char *paths[] = {with, without};
	int want[] = {1, 0};
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(chmod(paths[i], 0644), 0);
		struct config c;
		struct sbuf err = {0};
		config_defaults(&c);
		readable_warnings = 0;
		cr_assert_eq(config_load(&c, paths[i], &err), 0, "%s", sbuf_str(&err));
		cr_expect_eq(readable_warnings, want[i], "%s", paths[i]);
		config_free(&c);
		sbuf_free(&err);
		unlink(paths[i]);
		free(paths[i]);
	}
	log_set_observer(NULL, NULL);
}
