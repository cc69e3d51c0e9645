/* reload — the one way a knowledge base is loaded for use and replaced
 * while in use, for `cancelbot run` and `cancelbot chat` alike: a new one
 * is loaded and checked off to the side and, with reload_eval, must be at
 * least as accurate on that labelled file; then it replaces the running
 * one in one pointer swap between two updates. Otherwise it is refused and
 * the running one stays. Conversation memory holds ids, not pointers into
 * the knowledge base, and queued replies own their strings, so both survive.
 *
 * The caller owns every struct kb these return (kb_free). */
#ifndef CANCELBOT_RELOAD_H
#define CANCELBOT_RELOAD_H

#include "config.h"
#include "kb.h"

/* Loads the knowledge base cfg names; NULL when it has errors, which go to
 * err as "file:line: problem" lines (warnings to warn). */
struct kb *reload_load(const struct config *cfg, struct sbuf *err, struct sbuf *warn);

/* What a reload would do with an edit staged in stage_dir (laid out like
 * admin_kb_dir, above it): the knowledge base it would load, or NULL with
 * every problem in problems; *accepted is 1 only when it loaded and passes
 * the reload_eval gate against running (else the gate's reason is in
 * problems). Nothing is swapped; the caller frees the result. */
struct kb *reload_candidate(const struct config *cfg, const struct kb *running,
			    const char *stage_dir, struct sbuf *problems, struct sbuf *warn,
			    int *accepted);

/* How many times a labelled file was scored for the reload_eval gate (a
 * knowledge base's figures are kept: one with the same files is not
 * scored again). For tests. */
unsigned long reload_eval_runs(void);

/* Replaces *running with a freshly loaded one; 0 when replaced, -1 when
 * refused. report (plain text, for the admin) says what happened, with every
 * problem's file:line; the log gets the same. *ms, when not NULL: how long
 * it took. */
int reload_kb(const struct config *cfg, struct kb **running, const char *trigger,
	      struct sbuf *report, double *ms);

/* The same reload with its loading (and gating) on a thread of its own,
 * so the poll loop keeps answering with the running knowledge base
 * meanwhile (SIGHUP and file changes in `run`: a load takes 100s of ms).
 * NULL when no thread could be made (reload in place then). cfg and
 * running are read by the thread: neither may change until
 * reload_job_finish. */
struct reload_job;
struct reload_job *reload_job_start(const struct config *cfg, const struct kb *running,
				    const char *trigger);
/* 1 when the thread has finished: reload_job_finish will not wait. */
int reload_job_done(const struct reload_job *j);
/* Waits for the thread, then swaps or refuses exactly as reload_kb does
 * (report, log, *ms: the load's time); frees j. */
int reload_job_finish(struct reload_job *j, struct kb **running, struct sbuf *report, double *ms);

#endif
