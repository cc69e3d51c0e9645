/* Unit tests: reload — the one path that replaces a running knowledge base,
 * for the bot and for the terminal chat: broken or less accurate ones are
 * refused and the running one stays. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "helpers.h"
#include "helpers_kb.h"
#include "normalize.h"
#include "reload.h"

static char *dir;

/* A copy of the shipped knowledge base under dir. */
static void make_copy(void)
{
	dir = kb_copy();
}

static void drop_copy(void)
{
	rm_rf(dir);
	free(dir);
}

static void config_for_copy(struct config *cfg)
{
	config_defaults(cfg);
	free(cfg->intents_dir);
	free(cfg->responses_dir);
	cfg->intents_dir = xasprintf("%s/intents", dir);
	cfg->responses_dir = xasprintf("%s/responses", dir);
	cfg->reload_eval = xstrdup("tests/labelled.tsv");
}

/* A copy with a config for it (reload_eval: tests/labelled.tsv) and its
 * knowledge base loaded, as a running bot has it. */
static struct kb *running_copy(struct config *cfg)
{
	normalize_init();
	make_copy();
	config_for_copy(cfg);
	struct sbuf err = {0}, warn = {0};
	struct kb *running = reload_load(cfg, &err, &warn);
	cr_assert_not_null(running, "%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	return running;
}

static void drop_running(struct kb *running, struct config *cfg)
{
	kb_free(running);
	config_free(cfg);
	drop_copy();
	normalize_done();
}

Test(reload, a_less_accurate_kb_is_refused_and_the_running_one_stays)
{
	struct config cfg;
	struct sbuf err = {0}, warn = {0}, report = {0};
	struct kb *running = running_copy(&cfg);
	struct kb *before = running;
	cr_expect_eq(reload_kb(&cfg, &running, "test", &report, NULL), 0, "%s", sbuf_str(&report));
	cr_expect_neq(running, before, "an equal one replaces it");
	cr_expect(strstr(sbuf_str(&report), "Reloaded (test)"), "%s", sbuf_str(&report));

	char *path = xasprintf("%s/intents/zz.ini", dir);
	write_text(path, "[veto zz_everything]\neven_with_carrier = yes\nany = .\n");
	free(path);
	before = running;
	report.len = 0;
	cr_expect_eq(reload_kb(&cfg, &running, "test", &report, NULL), -1);
	cr_expect_eq(running, before, "the running one stays");
	cr_expect(strstr(sbuf_str(&report), "refused") &&
		  strstr(sbuf_str(&report), "labelled.tsv would drop"), "%s", sbuf_str(&report));
	drop_running(running, &cfg);
	sbuf_free(&err);
	sbuf_free(&warn);
	sbuf_free(&report);
}

Test(reload, chat_reloads_through_the_same_path, .init = cr_redirect_stdout)
{
	/* `cancelbot chat` had a reload of its own that skipped the
	 * reload_eval gate and the file diff; now it is reload_kb's report */
	make_copy();
	char *cfgpath = xasprintf("%s/config.ini", dir);
	char *text = xasprintf("[bot]\nintents_dir = %s/intents\nresponses_dir = %s/responses\n"
			       "reload_eval = tests/labelled.tsv\n", dir, dir);
	write_text(cfgpath, text);
	free(text);
	char *input = xasprintf("%s/input", dir);
	write_text(input, "/reload\n");
	cr_assert_not_null(freopen(input, "r", stdin));
	char *argv[] = {"chat", "-c", cfgpath, NULL};
	cr_expect_eq(cmd_chat(3, argv), 0);
	char *got = redirected_stdout();
	cr_expect(strstr(got, "Reloaded (/reload) in ") &&
		  strstr(got, "answers. No file changed.\n"), "%s", got);
	free(got);
	free(input);
	free(cfgpath);
	drop_copy();
}

Test(reload, a_knowledge_base_is_scored_once_for_the_gate)
{
	/* the gate scored the running and the new knowledge base on the whole
	 * labelled file at every try: an admin's /teach (preview, apply, the
	 * reload) ran it six times; a kb with the same files scores the same */
	struct config cfg;
	struct sbuf err = {0}, warn = {0}, report = {0};
	struct kb *running = running_copy(&cfg);
	unsigned long before = reload_eval_runs();
	for (int i = 0; i < 2; i++) {
		int accepted = 0;
		kb_free(reload_candidate(&cfg, running, NULL, &err, &warn, &accepted));
		cr_expect(accepted, "%s", sbuf_str(&err));
	}
	cr_expect_eq(reload_kb(&cfg, &running, "test", &report, NULL), 0, "%s", sbuf_str(&report));
	cr_expect_eq(reload_eval_runs() - before, 1, "the same files: scored once");

	/* an edit is scored (once), and still refused when less accurate */
	char *path = xasprintf("%s/intents/zz.ini", dir);
	write_text(path, "[veto zz_everything]\neven_with_carrier = yes\nany = .\n");
	int accepted = 1;
	kb_free(reload_candidate(&cfg, running, NULL, &err, &warn, &accepted));
	cr_expect_not(accepted);
	report.len = 0;
	cr_expect_eq(reload_kb(&cfg, &running, "test", &report, NULL), -1);
	cr_expect(strstr(sbuf_str(&report), "labelled.tsv would drop"), "%s", sbuf_str(&report));
	cr_expect_eq(reload_eval_runs() - before, 2);
	free(path);
	drop_running(running, &cfg);
	sbuf_free(&err);
	sbuf_free(&warn);
	sbuf_free(&report);
}
