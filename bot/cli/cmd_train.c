/* cmd_train — `cancelbot train [-c FILE] [-o OUT] [--epochs N] FILE…`:
 * learns the intent model (model.h) from labelled files and writes it to
 * OUT (default stdout).
 *
 * A question file (tests/voices, tests/labelled.tsv: TEXT<TAB>INTENTS…)
 * gives one example a line; a dialog file (tests/dialogs: `## ` starts a
 * conversation) gives its conversations' first turns, the only ones whose
 * label does not depend on what came before. A label that is neither
 * `none` nor an intent of the knowledge base leaves its line out, except a
 * dialog's `ack` (a carrier or plan said, no question) and `smalltalk`,
 * which ask for no topic: alone they are the class none, beside a topic
 * they are dropped.
 *
 * With --followups it learns the follow-up model (reread.h) instead, from
 * dialog files only: every conversation is played teacher-forced through
 * the dialog (with no model), and each turn after the first is an example
 * of its text and the memory it was read in, labelled with its labels as
 * reread_class maps them (the topic on is `same`). With --plans (--carriers)
 * it learns the plan (carrier) model: what plan (carrier) a message says,
 * from question files' columns and dialog turns whose label gains one. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "dialogs.h"
#include "load.h"
#include "model.h"
#include "model_train.h"
#include "normalize.h"
#include "reread.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TRAIN_INTENTS, TRAIN_FOLLOWUPS, TRAIN_PLANS, TRAIN_CARRIERS };

#define TRAIN_EPOCHS 12	/* the fewest that fit every labelled file here (8 left 4 lines) */
#define TRAIN_RUNS 5	/* shuffles averaged: one line added no longer reshuffles the model (docs/model.md) */

static int is_class(const struct kb *kb, const char *label)
{
	if (strcmp(label, "none") == 0)
		return 1;
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == RULE_INTENT && strcmp(kb->rules[i].id, label) == 0)
			return 1;
	return 0;
}

/* Adds the line "TEXT<TAB>LABELS…" when every label is a class; 1 added,
 * 0 left out, -1 too many classes. */
static int add_line(struct model_trainer *t, const struct kb *kb, char *line)
{
	char *tab = strchr(line, '\t');
	if (!tab)
		return 0;
	*tab = '\0';
	char *labels = tab + 1, *end = strchr(labels, '\t');
	if (end)
		*end = '\0';
	const char *v[MODEL_MAX_CLASSES];
	size_t n = 0;
	char *save;
	size_t said = 0;	/* labels that ask for no topic: a dialog's ack and small talk */
	for (char *l = strtok_r(labels, ",", &save); l; l = strtok_r(NULL, ",", &save)) {
		if (strcmp(l, "ack") == 0 || strcmp(l, "smalltalk") == 0) {
			said++;
			continue;
		}
		if (!is_class(kb, l) || n == MODEL_MAX_CLASSES)
			return 0;
		v[n++] = l;
	}
	if (!n && said)
		v[n++] = "none";	/* "I have Verizon", "thanks": no topic asked */
	if (!n)
		return 0;
	char *norm = normalize(line, strlen(line));
	int rc = model_trainer_add(t, norm, v, n);
	free(norm);
	return rc < 0 ? -1 : 1;
}

static int is_dialogs(FILE *fp)
{
	char *line = NULL;
	size_t cap = 0;
	int yes = 0;
	while (!yes && read_line(fp, &line, &cap) >= 0)
		yes = strncmp(line, "## ", 3) == 0;
	free(line);
	rewind(fp);
	return yes;
}

/* Is the file at path a dialog file? (0 when it cannot be read: the
 * question reader says so.) */
static int is_dialogs_path(const char *path)
{
	FILE *fp = fopen(path, "r");
	int yes = fp && is_dialogs(fp);
	if (fp)
		fclose(fp);
	return yes;
}

/* The examples of one file: how many, or -1 after printing why. */
static long add_file(struct model_trainer *t, const struct kb *kb, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		perror(path);
		return -1;
	}
	int dialogs = is_dialogs(fp), first = 0;
	long added = 0;
	char *line = NULL;
	size_t cap = 0;
	while (read_line(fp, &line, &cap) >= 0) {
		if (strncmp(line, "## ", 3) == 0) {
			first = 1;
			continue;
		}
		if (!*line || line[0] == '#' || (dialogs && !first))
			continue;
		first = 0;
		int rc = add_line(t, kb, line);
		if (rc < 0) {
			fprintf(stderr, "%s: more than %d classes\n", path, MODEL_MAX_CLASSES);
			added = -1;
			break;
		}
		added += rc;
	}
	free(line);
	fclose(fp);
	return added;
}

/* ---- the follow-up model ---- */

struct walk {
	struct model_trainer *t;
	const struct kb *kb;
	long added;
	int full;	/* more than MODEL_MAX_CLASSES classes */
	enum rule_kind said;	/* the plan or carrier model: what a turn says */
};

static void add_turn(void *arg, const struct dialogs_conv *conv, size_t k,
		     const struct memory *before)
{
	struct walk *w = arg;
	const struct dialogs_turn *turn = &conv->turns[k];
	if (!reread_ongoing(before) || w->full)
		return;
	const char *v[MODEL_MAX_CLASSES];
	size_t n = 0;
	char *labels = xstrdup(turn->intents), *save;
	for (char *l = strtok_r(labels, ", ", &save); l && n < MODEL_MAX_CLASSES;
	     l = strtok_r(NULL, ", ", &save)) {
		const char *c = reread_class(before, l);
		if (is_class(w->kb, c) || model_reply_kind(c))
			v[n++] = c;
	}
	char *norm = normalize(turn->text, strlen(turn->text));
	struct reread_feats x;
	reread_features(before, norm, &x);
	if (n && model_trainer_add_with(w->t, norm, x.v, x.n, v, n) < 0)
		w->full = 1;
	reread_feats_free(&x);
	w->added += n && !w->full;
	free(norm);
	free(labels);
}

/* ---- the plan and carrier models ---- */

/* The one plan (carrier) a label names ("prepaid"), or NULL ("-", two). */
static const char *one_id(const struct kb *kb, enum rule_kind kind, const char *label)
{
	return strchr(label, ',') || !kb_rule(kb, kind, label) ? NULL : label;
}

/* The label of turn t for kind: its plan or its carriers. */
static const char *label_of(const struct dialogs_turn *t, enum rule_kind kind)
{
	return kind == RULE_PLAN ? t->plan : t->carriers;
}

static void add_said(struct walk *w, const char *text, const char *plan)
{
	const char *v[1] = {plan};
	char *norm = normalize(text, strlen(text));
	if (model_trainer_add(w->t, norm, v, 1) < 0)
		w->full = 1;
	w->added += !w->full;
	free(norm);
}

/* A dialog turn says a plan (a carrier) when its label is one the turn
 * before did not have; a turn with none before or after says none. One
 * known and kept says nothing either way ("and the fees?" on a prepaid
 * line). */
static void add_said_turn(void *arg, const struct dialogs_conv *conv, size_t k,
			  const struct memory *before)
{
	(void)before;
	struct walk *w = arg;
	const char *now = label_of(&conv->turns[k], w->said);
	const char *was = k ? label_of(&conv->turns[k - 1], w->said) : "-";
	const char *plan = one_id(w->kb, w->said, now);
	if (plan && strcmp(now, was))
		add_said(w, conv->turns[k].text, plan);
	else if (!strcmp(now, "-") && !strcmp(was, "-"))
		add_said(w, conv->turns[k].text, "none");
}

/* A question file's line says the plan of its fourth column (the carrier
 * of its third), or none. */
static long add_said_questions(struct model_trainer *t, const struct kb *kb, const char *path,
			       enum rule_kind said)
{
	char *text = read_file(path, NULL);
	if (!text) {
		fprintf(stderr, "cancelbot train: %s: cannot read\n", path);
		return -1;
	}
	struct walk w = {.t = t, .kb = kb, .said = said};
	size_t at = said == RULE_PLAN ? 3 : 2;	/* TEXT INTENTS CARRIERS PLAN */
	char *save;
	for (char *line = strtok_r(text, "\n", &save); line && !w.full;
	     line = strtok_r(NULL, "\n", &save)) {
		char *col[4], *s2;
		size_t n = 0;
		if (line[0] == '#')
			continue;
		for (char *c = strtok_r(line, "\t", &s2); c && n < 4; c = strtok_r(NULL, "\t", &s2))
			col[n++] = c;
		const char *plan = n < 4 ? NULL : !strcmp(str_trim(col[at]), "-") ? "none"
			: one_id(kb, said, col[at]);
		if (plan)
			add_said(&w, col[0], plan);
	}
	free(text);
	return w.full ? -1 : w.added;
}

static long add_dialogs(struct model_trainer *t, const struct kb *kb, const struct config *cfg,
			const char *path, dialogs_turn_fn fn, enum rule_kind said)
{
	struct sbuf err = {0}, warn = {0};
	struct dialogs_set set;
	char *text = read_file(path, NULL);
	if (!text || dialogs_parse(kb, text, path, &set, &err, &warn) < 0) {
		fprintf(stderr, "cancelbot train: %s%s", text ? "" : path, text ? sbuf_str(&err) :
			": cannot read\n");
		free(text);
		sbuf_free(&err);
		sbuf_free(&warn);
		return -1;
	}
	struct walk w = {.t = t, .kb = kb, .said = said};
	dialogs_walk(kb, cfg, &set, fn, &w);
	dialogs_set_free(&set);
	free(text);
	sbuf_free(&err);
	sbuf_free(&warn);
	if (w.full)
		fprintf(stderr, "%s: more than %d classes\n", path, MODEL_MAX_CLASSES);
	return w.full ? -1 : w.added;
}

static int parse(int argc, char **argv, const char **cfg, const char **out, const char **general,
		 long *epochs, double *margin, double *veto, double *rescue, int *kind)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i += 2) {	/* every option has a value but two */
		if (strcmp(argv[i], "--followups") == 0 || strcmp(argv[i], "--plans") == 0 ||
		    strcmp(argv[i], "--carriers") == 0) {
			*kind = argv[i][2] == 'f' ? TRAIN_FOLLOWUPS : argv[i][2] == 'p' ? TRAIN_PLANS
			      : TRAIN_CARRIERS;
			i--;
			continue;
		}
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (!v)
			return -1;
		if (strcmp(argv[i], "-c") == 0)
			*cfg = v;
		else if (strcmp(argv[i], "-o") == 0)
			*out = v;
		else if (strcmp(argv[i], "--general") == 0)
			*general = v;
		else if (strcmp(argv[i], "--margin") == 0 && (*margin = strtod(v, &end)) >= 0 && !*end)
			;
		else if (strcmp(argv[i], "--veto") == 0 && (*veto = strtod(v, &end)) >= 0 && !*end)
			;
		else if (strcmp(argv[i], "--rescue") == 0 && (*rescue = strtod(v, &end)) >= 0 && !*end)
			;
		else if (strcmp(argv[i], "--epochs") == 0 && (*epochs = strtol(v, &end, 10)) > 0 &&
			 *epochs <= 100 && !*end)
			;
		else
			return -1;
	}
	return i < argc ? i : -1;
}

int cmd_train(int argc, char **argv)
{
	const char *cfg_path = NULL, *out_path = NULL, *general = NULL;
	long epochs = TRAIN_EPOCHS;
	double margin = 0, veto = 0, rescue = 0;
	int kind = TRAIN_INTENTS;
	int first = parse(argc, argv, &cfg_path, &out_path, &general, &epochs, &margin, &veto,
			  &rescue, &kind);
	if (first < 0) {
		fprintf(stderr, "usage: cancelbot train [-c FILE] [-o OUT] [--epochs N] [--general ID] [--margin X] [--veto X] [--rescue X] [--followups | --plans | --carriers] FILE...\n");
		return 2;
	}
	struct config cfg;
	if (app_config(&cfg, cfg_path, cfg_path != NULL, 0) != 0)
		return 1;
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load(cfg.intents_dir, cfg.responses_dir,
				&(struct kb_load_opts){.admin_dir = config_admin_kb_dir(&cfg), .no_model = 1},
				&err, &warn);
	if (!kb)
		fprintf(stderr, "cancelbot: the knowledge base has errors:\n%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	if (!kb) {
		config_free(&cfg);
		return 1;
	}
	struct model_trainer *t = model_trainer_new();
	struct sbuf comment = {0};
	static const char *const what[][2] = {{"intent", ""}, {"follow-up", " --followups"},
					      {"plan", " --plans"}, {"carrier", " --carriers"}};
	sbuf_addf(&comment, "# The %s model: written by `cancelbot train%s` (make model), never by hand;\n"
			    "# docs/model.md. Trained on:\n", what[kind][0], what[kind][1]);
	int rc = 0;
	for (int i = first; i < argc && rc == 0; i++) {
		enum rule_kind said = kind == TRAIN_PLANS ? RULE_PLAN : RULE_CARRIER;
		long n = kind == TRAIN_FOLLOWUPS ? add_dialogs(t, kb, &cfg, argv[i], add_turn, said)
		       : kind == TRAIN_INTENTS ? add_file(t, kb, argv[i])
		       : is_dialogs_path(argv[i]) ? add_dialogs(t, kb, &cfg, argv[i], add_said_turn, said)
		       : add_said_questions(t, kb, argv[i], said);
		if (n < 0)
			rc = 1;
		else
			sbuf_addf(&comment, "#   %s (%ld)\n", argv[i], n);
	}
	sbuf_addf(&comment, "# %zu examples, %ld epochs, %d runs averaged\n", model_trainer_examples(t), epochs,
		  TRAIN_RUNS);
	FILE *out = out_path ? fopen(out_path, "w") : stdout;
	if (rc == 0 && !out) {
		perror(out_path);
		rc = 1;
	}
	struct model_train_opts o = {(int)epochs, 1, general, margin, veto, sbuf_str(&comment), rescue,
				     TRAIN_RUNS};
	if (rc == 0 && model_trainer_write(t, &o, out) != 0) {
		fprintf(stderr, "cancelbot train: %s\n", model_trainer_examples(t) ? "write error" :
			"no examples");
		rc = 1;
	}
	if (out && out != stdout && fclose(out) != 0 && rc == 0) {
		perror(out_path);
		rc = 1;
	}
	sbuf_free(&comment);
	model_trainer_free(t);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return rc;
}
