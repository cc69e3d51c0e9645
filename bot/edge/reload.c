/* reload — see reload.h. */
#define _POSIX_C_SOURCE 200809L
#include "reload.h"
#include "eval.h"
#include "load.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Logs every problem line on its own, so journald shows them all. */
static void log_problems(const char *event, const char *text)
{
	char *copy = xstrdup(text), *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		log_error(event, KV("problem", l));
	free(copy);
}

/* 0 when the new knowledge base is at least as accurate on reload_eval. */
static int eval_gate(const struct config *cfg, const struct kb *running, const struct kb *next,
		     struct sbuf *report)
{
	struct eval_result now = {0}, then = {0};
	struct sbuf err = {0};
	int rc = 0;
	if (eval_file(running, cfg->reload_eval, &now, &err) < 0 ||
	    eval_file(next, cfg->reload_eval, &then, &err) < 0) {
		sbuf_addf(report, "reload_eval: %s", sbuf_str(&err));
		rc = -1;
	} else if (then.intent_acc < now.intent_acc || then.carrier_acc < now.carrier_acc ||
		   then.plan_acc < now.plan_acc || then.false_trigger > now.false_trigger) {
		sbuf_addf(report, "accuracy on %s would drop: intent %.3f -> %.3f, carrier %.3f -> "
			  "%.3f, plan %.3f -> %.3f, false triggers %.3f -> %.3f\n",
			  cfg->reload_eval, now.intent_acc, then.intent_acc, now.carrier_acc,
			  then.carrier_acc, now.plan_acc, then.plan_acc, now.false_trigger,
			  then.false_trigger);
		rc = -1;
	}
	eval_result_free(&then);
	eval_result_free(&now);
	sbuf_free(&err);
	return rc;
}

struct kb *reload_load(const struct config *cfg, struct sbuf *err, struct sbuf *warn)
{
	struct kb_load_opts opts = {.max_age_days = 0,	/* stale facts: `check --max-age` */
				    .admin_dir = config_admin_kb_dir(cfg)};
	return kb_load(cfg->intents_dir, cfg->responses_dir, &opts, err, warn);
}

struct kb *reload_candidate(const struct config *cfg, const struct kb *running,
			    const char *stage_dir, struct sbuf *problems, struct sbuf *warn,
			    int *accepted)
{
	struct kb_load_opts opts = {.admin_dir = config_admin_kb_dir(cfg), .stage_dir = stage_dir};
	struct kb *next = kb_load(cfg->intents_dir, cfg->responses_dir, &opts, problems, warn);
	*accepted = next && (!cfg->reload_eval || eval_gate(cfg, running, next, problems) == 0);
	return next;
}

int reload_kb(const struct config *cfg, struct kb **running, const char *trigger,
	      struct sbuf *report, double *ms_out)
{
	double t0 = now_seconds();
	struct sbuf err = {0}, warn = {0};
	struct kb *next = reload_load(cfg, &err, &warn);
	int rc = 0;
	if (!next) {
		sbuf_addf(report, "Reload (%s) refused: the running knowledge base stays.\n%s",
			  trigger, sbuf_str(&err));
		log_problems("reload_problem", sbuf_str(&err));
		rc = -1;
	} else if (cfg->reload_eval) {
		struct sbuf why = {0};
		if (eval_gate(cfg, *running, next, &why) < 0) {
			sbuf_addf(report, "Reload (%s) refused: the running knowledge base stays.\n%s",
				  trigger, sbuf_str(&why));
			log_problems("reload_problem", sbuf_str(&why));
			rc = -1;
		}
		sbuf_free(&why);
	}
	double ms = (now_seconds() - t0) * 1e3;
	if (rc == 0) {
		struct sbuf diff = {0};
		kb_diff_files(*running, next, &diff);
		sbuf_addf(report, "Reloaded (%s) in %.1f ms: %zu intents, %zu carriers, %zu answers. "
			  "%s.\n", trigger, ms, next->counts[RULE_INTENT], next->counts[RULE_CARRIER],
			  next->nanswers, sbuf_str(&diff));
		log_info("reloaded", KV("trigger", trigger), KV("ms", ms),
			 KV("intents", next->counts[RULE_INTENT]), KV("carriers", next->counts[RULE_CARRIER]),
			 KV("answers", next->nanswers), KV("files", sbuf_str(&diff)));
		kb_free(*running);
		*running = next;	/* the swap: every later update sees the new one */
		sbuf_free(&diff);
	} else {
		kb_free(next);
		log_error("reload_refused", KV("trigger", trigger),
			  KV("msg", "the running knowledge base stays"));
	}
	if (warn.len)
		sbuf_addf(report, "warnings:\n%s", sbuf_str(&warn));
	if (ms_out)
		*ms_out = ms;
	sbuf_free(&err);
	sbuf_free(&warn);
	return rc;
}
