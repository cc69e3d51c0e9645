/* loader — what the parts of the loader share, and nobody else: the INI
 * reader (files.c), the intents (intents.c, regex.c) and answers
 * (answers.c) readers, the checks (check.c, lint.c) and the answer index
 * (kb.c). load.c calls them in order; readers of a knowledge base include
 * kb.h alone. */
#ifndef CANCELBOT_LOADER_H
#define CANCELBOT_LOADER_H

#include "kb.h"
#include "load.h"

/* What every knowledge-base INI handler gets as the start of its context. */
struct kb_ini {
	struct kb *kb;
	const char *file;		/* as recorded in kb->files */
	struct line_reader *reader;	/* reader->line: the line being handled */
	struct sbuf *err;
	int errors;
	int (*handler)(void *, const char *, const char *, const char *);
};
/* Parses path with inih, long lines split and re-joined; ctx begins with a
 * struct kb_ini, which this fills in. 0, or -1 after reporting problems. */
int kb_read_ini(struct kb *kb, const char *path, int (*handler)(void *, const char *,
		const char *, const char *), struct kb_ini *ctx, struct sbuf *err);
const char *kb_add_file(struct kb *kb, const char *path);
/* dirs: the shipped directory first, then the overlays (admin_kb_dir,
 * a staged edit) that override it file by file; NULL overlays are skipped. */
#define KB_LAYERS 3
int kb_load_intents(struct kb *kb, const char *const dirs[KB_LAYERS], struct sbuf *err);
/* typo.c: the pattern source of a `typo = NAME` line (a carrier's name,
 * lower-case words): its one-slip misspellings and its words joined by a
 * dot, a hyphen or an underscore, not the name as written; NULL when NAME is not such a
 * name or has no word long enough to slip. The caller frees it. */
char *kb_typo_pattern(const char *name);
/* regex.c: compiles r's patterns into r->groups / r->any and r->none. */
void kb_compile_rule(struct kb *kb, struct rule *r, struct sbuf *err);
/* src with its {macros} expanded, compiled; NULL with err on failure.
 * The caller owns the code (kb_regex_free), and the needles put in need
 * (unless NULL; see prefilter.h). */
struct regex *kb_compile_expanded(const struct kb *kb, const char *src, const struct pattern *at,
				  struct needles *need, struct sbuf *err);
/* Drops the caller's hold of r; the last one frees it. */
void kb_regex_free(struct regex *r);
/* share.c: fills kb->by_key with every compiled alternation of kb, for the
 * next load to reuse (load.h, reuse); the key of an expanded source; old's
 * alternation of that key (with needles when with_need), its reference
 * count raised, or NULL. */
void kb_index_regexes(struct kb *kb);
void kb_source_key(const char *re, size_t len, uint64_t key[2]);
struct regex *kb_regex_reuse(const struct kb *old, const uint64_t key[2], size_t len,
			     int with_need);
int kb_load_responses(struct kb *kb, const char *const dirs[KB_LAYERS], struct sbuf *err);
int kb_check(const struct kb *kb, const struct kb_load_opts *opts, struct sbuf *err,
	     struct sbuf *warn);
/* lint.c: the pattern sources' own problems (kb_check runs it); 1 if any is
 * an error. */
int kb_lint_patterns(const struct kb *kb, struct sbuf *err, struct sbuf *warn);
/* Sorted list of regular files in dir with the given suffix; caller frees
 * each name and the array. Returns -1 when dir cannot be read. */
int list_files(const char *dir, const char *suffix, char ***out, size_t *n);
/* The union of the suffix files of dirs (dirs[0] must be readable, the
 * others may be missing or NULL), in name order; for a name found in several,
 * the path in the last directory wins. The caller frees both arrays
 * (free_list). */
int list_overlay(const char *const *dirs, size_t ndirs, const char *suffix, char ***paths,
		 char ***names, size_t *n);
void free_list(char **v, size_t n);
/* kb.c: the hash index kb_answer() looks answers up in. */
void kb_index_answers(struct kb *kb);

#endif
