/* Unit tests: the intent model (model.h) — its features, its file (and the
 * errors a broken one gets), training that is deterministic and fits what
 * it was given, and classify's use of it: a specific topic over the rules'
 * none, the general class never, rules_only in a conversation, a margin, and a knowledge base that refuses a model naming an intent
 * it does not have. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "helpers_kb.h"
#include "model.h"
#include "model_train.h"

struct feats {
	char v[64][32];
	size_t n;
};

static void keep(const char *f, size_t n, void *arg)
{
	struct feats *fs = arg;
	if (fs->n < 64 && n < 32) {
		memcpy(fs->v[fs->n], f, n);
		fs->v[fs->n++][n] = '\0';
	}
}

static int has(const struct feats *fs, const char *f)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i], f) == 0)
			return 1;
	return 0;
}

Test(model, features_are_ngrams_words_and_word_pairs)
{
	struct feats fs = {0};
	model_features("ab  卡x", keep, &fs);
	/* ^ab 卡x$: 7 code points (two spaces become one), 7 + 6 + 5 n-grams */
	cr_assert(has(&fs, "c^"));
	cr_assert(has(&fs, "c^ab"));
	cr_assert(has(&fs, "cb 卡"), "code points, not bytes");
	cr_assert(has(&fs, "c卡x$"));
	cr_assert(!has(&fs, "cb  "), "whitespace runs are one space");
	cr_assert(has(&fs, "wab"));
	cr_assert(has(&fs, "wx"));
	cr_assert(has(&fs, "bab x"), "consecutive Latin words make a pair");
	cr_assert_eq(fs.n, 7 + 6 + 5 + 2 + 1);
}

Test(model, features_survive_invalid_utf8_and_empty_text)
{
	struct feats fs = {0};
	model_features("\xff\xfe", keep, &fs);
	cr_assert(fs.n > 0);
	fs.n = 0;
	model_features("", keep, &fs);
	cr_assert(has(&fs, "c^$"));
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/cancelbot-model-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static struct model *load_text(const char *text, struct sbuf *err)
{
	char *path = write_tmp(text);
	struct model *m = model_load(path, err);
	remove(path);
	free(path);
	return m;
}

Test(model, a_file_predicts_by_its_weights)
{
	struct sbuf err = {0};
	struct model *m = load_text("# a comment\nclasses\tcancel\tfees\tnone\ngeneral\tcancel\n"
				    "wfee\t1:3 2:-1\nwhi\t2:2\n", &err);
	cr_assert_not_null(m, "%s", sbuf_str(&err));
	cr_assert_eq(m->general, 0);
	cr_assert_eq(m->none, 2);
	float s[MODEL_MAX_CLASSES], margin;
	cr_assert_eq(model_predict(m, "what fee fee", s, &margin), 1, "each feature counts once");
	cr_assert_float_eq(margin, 3.0f, 1e-6);
	cr_assert_eq(model_predict(m, "hi", s, &margin), 2);
	cr_assert_eq(model_predict(m, "nothing known", s, &margin), -1, "no known feature: no opinion");
	model_free(m);
	sbuf_free(&err);
}

Test(model, a_broken_file_says_where)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"wfee\t0:1\n", ":1: a feature before the classes line"},
		{"classes\tnone\tfees\nwfee\t7:1\n", ":2: a weight's class is not a class index"},
		{"classes\tnone\tfees\nwfee\t1:x\n", ":2: a weight is not a number"},
		{"classes\tnone\tfees\nwfee 1:1\n", ":2: want FEATURE<TAB>CLASS:WEIGHT"},
		{"classes\tnone\tnone\n", ":1: a class named twice"},
		{"classes\tnone\tfees\ngeneral\tcancel\n", ":2: general names no class"},
		{"classes\tnone\tfees\nmargin\t-1\n", ":2: margin, veto or rescue is not a number >= 0"},
		{"classes\tnone\tfees\nveto\tx\n", ":2: margin, veto or rescue is not a number >= 0"},
		{"classes\tnone\tfees\nrescue\t-2\n", ":2: margin, veto or rescue is not a number >= 0"},
		{"classes\tnone\tfees\nwfee\t1:1\nwfee\t0:1\n", "is listed twice"},
		{"# nothing\n", "no classes line"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct sbuf err = {0};
		cr_assert_null(load_text(cases[i].text, &err), "case %zu loaded", i);
		cr_assert_not_null(strstr(sbuf_str(&err), cases[i].want), "case %zu: %s", i,
				   sbuf_str(&err));
		sbuf_free(&err);
	}
}

static char *train_to_string(const char *const (*ex)[2], size_t n)
{
	struct model_trainer *t = model_trainer_new();
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(model_trainer_add(t, ex[i][0], &ex[i][1], 1), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct model_train_opts o = {.epochs = 5, .seed = 7, .general = "cancel"};
	cr_assert_eq(model_trainer_write(t, &o, f), 0);
	fclose(f);
	model_trainer_free(t);
	return buf;
}

Test(model, training_is_deterministic_and_fits)
{
	static const char *const ex[][2] = {
		{"how do i cancel my line", "cancel"},	{"cancel verizon", "cancel"},
		{"what is the fee to leave", "fees"},	{"early termination fee", "fees"},
		{"nice weather today", "none"},		{"lunch anyone", "none"},
	};
	size_t n = sizeof ex / sizeof *ex;
	char *a = train_to_string(ex, n), *b = train_to_string(ex, n);
	cr_assert_str_eq(a, b, "the same examples give the same file");
	cr_assert_not_null(strstr(a, "classes\tcancel\tfees\tnone\n"), "classes sorted by name");
	struct sbuf err = {0};
	struct model *m = load_text(a, &err);
	cr_assert_not_null(m, "%s", sbuf_str(&err));
	float s[MODEL_MAX_CLASSES], margin;
	for (size_t i = 0; i < n; i++) {
		int c = model_predict(m, ex[i][0], s, &margin);
		cr_assert(c >= 0 && strcmp(m->classes[c], ex[i][1]) == 0, "%s", ex[i][0]);
	}
	model_free(m);
	sbuf_free(&err);
	free(a);
	free(b);
}

Test(model, too_many_classes_are_refused)
{
	struct model_trainer *t = model_trainer_new();
	char name[16];
	for (int i = 0; i < MODEL_MAX_CLASSES; i++) {
		snprintf(name, sizeof name, "c%d", i);
		const char *l = name;
		cr_assert_eq(model_trainer_add(t, "x", &l, 1), 0);
	}
	const char *l = "one_more";
	cr_assert_eq(model_trainer_add(t, "x", &l, 1), -1);
	model_trainer_free(t);
}

/* classify with a model of our own in a copy of the shipped knowledge base */
static struct kb *kb_with_model(const char *model_text, char **dir, struct sbuf *err)
{
	*dir = kb_copy();
	char *path = xasprintf("%s/intents/model.tsv", *dir);
	FILE *f = fopen(path, "w");
	fputs(model_text, f);
	fclose(f);
	free(path);
	struct sbuf warn = {0};
	struct kb *k = kb_load_copy(*dir, NULL, err, &warn);
	sbuf_free(&warn);
	return k;
}

static void rm_dir(char *dir)
{
	char *cmd = xasprintf("rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

static const char *intent_of(const struct kb *k, const char *text, int rules_only)
{
	struct classification c;
	classify_with(k, text, strlen(text), &(struct classify_opts){.rules_only = rules_only}, &c);
	const char *id = c.intent ? c.intent->id : "none";
	classification_free(&c);
	return id;
}

Test(model, classify_takes_a_specific_topic_never_the_general_one)
{
	normalize_init();
	char *dir;
	struct sbuf err = {0};
	/* "zzq" means lost_stolen, "qqz" means cancel (the general class) */
	struct kb *k = kb_with_model("classes\tcancel\tlost_stolen\tnone\ngeneral\tcancel\n"
				     "wzzq\t1:5\nwqqz\t0:5\n", &dir, &err);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_assert_str_eq(intent_of(k, "zzq", 0), "lost_stolen", "over the rules' none");
	cr_assert_str_eq(intent_of(k, "zzq", 1), "none", "not in a conversation (rules_only)");
	cr_assert_str_eq(intent_of(k, "qqz", 0), "none", "the general class never overrides");
	cr_assert_str_eq(intent_of(k, "zzq how do I cancel my AT&T line", 0), "lost_stolen",
			 "over the rules' topic");
	kb_free(k);
	rm_dir(dir);
	sbuf_free(&err);
	normalize_done();
}

Test(model, a_margin_keeps_a_weak_opinion_out)
{
	normalize_init();
	char *dir;
	struct sbuf err = {0};
	struct kb *k = kb_with_model("classes\tcancel\tlost_stolen\tnone\ngeneral\tcancel\nmargin\t6\n"
				     "wzzq\t1:5\nwzzz\t1:7\n", &dir, &err);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_assert_str_eq(intent_of(k, "zzq", 0), "none");
	cr_assert_str_eq(intent_of(k, "zzz", 0), "lost_stolen");
	kb_free(k);
	rm_dir(dir);
	sbuf_free(&err);
	normalize_done();
}

Test(model, a_wide_none_silences_the_rules_topic)
{
	normalize_init();
	char *dir;
	struct sbuf err = {0};
	/* "bankpin" means none by 30, "gympin" by 10; veto 20 */
	struct kb *k = kb_with_model("classes\tcancel\tlost_stolen\tnone\ngeneral\tcancel\nmargin\t6\n"
				     "veto\t20\nwbankpin\t2:30\nwgympin\t2:10\n", &dir, &err);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_assert_str_eq(intent_of(k, "how do I cancel my AT&T line", 0), "cancel", "no opinion");
	cr_assert_str_eq(intent_of(k, "how do I cancel my AT&T line bankpin", 0), "none");
	cr_assert_str_eq(intent_of(k, "how do I cancel my AT&T line bankpin", 1), "cancel",
			 "not in a conversation");
	cr_assert_str_eq(intent_of(k, "how do I cancel my AT&T line gympin", 0), "cancel",
			 "none by less than the veto leaves the rules' topic");
	kb_free(k);
	rm_dir(dir);
	sbuf_free(&err);
	normalize_done();
}

Test(model, the_veto_spares_a_match_of_most_of_the_message)
{
	normalize_init();
	char *dir = kb_copy();
	char *path = xasprintf("%s/intents/zz.ini", dir);
	FILE *f = fopen(path, "w");
	fputs("[intent zz]\npriority = 900\nen = zorble\n", f);	/* a phrase /teach would add */
	fclose(f);
	free(path);
	for (int l = 0; l < 2; l++) {
		path = xasprintf("%s/responses/%s/zz.txt", dir, l ? "zh" : "en");
		f = fopen(path, "w");
		fputs("[default]\nx\n", f);
		fclose(f);
		free(path);
	}
	path = xasprintf("%s/intents/model.tsv", dir);
	f = fopen(path, "w");
	fputs("classes\tcancel\tnone\tzz\ngeneral\tcancel\nmargin\t6\nveto\t20\nwzorble\t1:30\n", f);
	fclose(f);
	free(path);
	struct sbuf err = {0}, warn = {0};
	struct kb *k = kb_load_copy(dir, NULL, &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_assert_str_eq(intent_of(k, "zorble", 0), "zz", "the whole message is the rule's match");
	cr_assert_str_eq(intent_of(k, "well the zorble at the gym was fun", 0), "none",
			 "a word of a longer text is vetoed");
	kb_free(k);
	rm_dir(dir);
	sbuf_free(&err);
	sbuf_free(&warn);
	normalize_done();
}

Test(model, a_model_naming_no_intent_is_refused)
{
	normalize_init();
	char *dir;
	struct sbuf err = {0};
	struct kb *k = kb_with_model("classes\tnone\tgym_membership\nwgym\t1:1\n", &dir, &err);
	cr_assert_null(k);
	cr_assert_not_null(strstr(sbuf_str(&err), "class gym_membership is neither none nor an intent"),
			   "%s", sbuf_str(&err));
	rm_dir(dir);
	sbuf_free(&err);
	normalize_done();
}
