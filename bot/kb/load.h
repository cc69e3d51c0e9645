/* load — builds a knowledge base from the intents/ and responses/
 * directories: every file read, patterns compiled, answers indexed, the
 * whole checked (kb_check) and the intents ordered for classification. One
 * call gives an immutable snapshot or nothing.
 *
 * The caller owns the struct kb returned (kb_free). */
#ifndef CANCELBOT_LOAD_H
#define CANCELBOT_LOAD_H

#include "kb.h"

struct kb_load_opts {
	int max_age_days;	/* facts reviewed longer ago draw a warning; 0 = off */
	int max_source_age_days;	/* facts resting on an older source_date: the same */
	/* Overlays of intents/ and responses/, each laid out like the shipped
	 * tree (DIR/intents/NAME.ini, DIR/responses/carriers.ini,
	 * DIR/responses/LANG/NAME.txt): a file there replaces the shipped file of
	 * the same relative path, or adds one. admin_dir is admin_kb_dir;
	 * stage_dir, above it, holds an edit being tried before it is applied.
	 * NULL or missing: none. */
	const char *admin_dir, *stage_dir;
	/* The running knowledge base, or NULL: its compiled alternations whose
	 * expanded source is unchanged are shared instead of compiled again
	 * (with their needles and JIT code). It must outlive the call; either
	 * kb may then be freed first. */
	const struct kb *reuse;
	/* leave intents/model.tsv out: `train`, which writes a new one, must
	 * work while the old one no longer fits the intents */
	int no_model;
};

/* Loads and checks both directories. Returns NULL when there was any error;
 * every problem is appended to err as "file:line: message" lines, warnings
 * (which do not fail the load) to warn. */
struct kb *kb_load(const char *intents_dir, const char *responses_dir,
		   const struct kb_load_opts *opts, struct sbuf *err, struct sbuf *warn);
/* Appends "changed: a, b; added: c; removed: d" (or "no file changed")
 * comparing the files two knowledge bases were read from. */
/* For `check`: one line per file of kb read from the overlay admin_dir,
 * "REL: ADMIN_PATH wins over SHIPPED_PATH" (or "... (added)" when nothing is
 * shipped under that path). Nothing when admin_dir is NULL. */
void kb_overlay_report(const struct kb *kb, const char *intents_dir, const char *responses_dir,
		       const char *admin_dir, struct sbuf *out);
void kb_diff_files(const struct kb *old, const struct kb *new, struct sbuf *out);

#endif
