/* Unit tests: the intent model (model.h) — its features, its file (and the
 * errors a broken one gets), training that is deterministic and fits what
 * it was given, and classify's use of it: a specific topic over the rules'
 * none, the general class never, rules_only in a conversation, a margin,
 * the learned veto, a rules veto that leaves the model unasked, and a
 * knowledge base that refuses a model naming an intent it does not have.
 * The loaded model's shortcuts (hashing features as they are read, reading
 * weights without strtof) are compared with the plain way. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "helpers_kb.h"
#include "ftable.h"
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

struct hashes {
	uint64_t v[4096];
	size_t n;
};

static void keep_hash(uint64_t h, void *arg)
{
	struct hashes *hs = arg;
	cr_assert_lt(hs->n, 4096);
	hs->v[hs->n++] = h;
}

static void hash_feature(const char *f, size_t n, void *arg)
{
	keep_hash(ftable_hash(f, n), arg);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

Test(model, feature_hashes_are_the_hashes_of_the_features)
{
	/* the model hashes a message's features as it reads them (model.c);
	 * they must be the features the trainer wrote out, one for one */
	static const char *const texts[] = {
		"ab  卡x", "", "\xff\xfe", "\xe5\x8d", "x\xe5\x8d", "how do i cancel my at&t line? 2 lines",
		"\t\x01 y\x7f  z ", "取消 門號  verizon", "a", " ", "🙂🙂 ok", "&& a1 b2c3",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		static struct hashes a, b;
		a.n = b.n = 0;
		model_features(texts[i], hash_feature, &a);
		model_feature_hashes(texts[i], keep_hash, &b);
		cr_assert_eq(a.n, b.n, "text %zu: %zu features, %zu hashes", i, a.n, b.n);
		qsort(a.v, a.n, sizeof *a.v, cmp_u64);
		qsort(b.v, b.n, sizeof *b.v, cmp_u64);
		cr_assert_arr_eq(a.v, b.v, a.n * sizeof *a.v, "text %zu", i);
	}
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
		{"classes\tnone\tfees\nwfee\t1:1\nwfee\t0:1\n", ":3: the feature is listed twice (or shares its hash with another): \"wfee\""},
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

/* A weight is read as strtof reads it (model.c reads the common
 * spellings itself, which is most of a load's time otherwise). */
static void check_weights(const struct model *m, FILE *f)
{
	char *line = NULL;
	size_t cap = 0, nfeat = 0, j = 0;
	while (getline(&line, &cap, f) >= 0) {
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab || !strncmp(line, "classes\t", 8) || !strncmp(line, "general\t", 8) ||
		    !strncmp(line, "margin\t", 7) || !strncmp(line, "veto\t", 5) ||
		    !strncmp(line, "rescue\t", 7))
			continue;
		cr_assert_eq(m->w_start[nfeat], j);
		nfeat++;
		for (char *p = tab + 1, *end; *p && *p != '\n'; p = end) {
			long c = strtol(p, &end, 10);
			float v = strtof(end + 1, &end);
			cr_assert_eq(m->w_cls[j], c);
			cr_assert(memcmp(&m->w_val[j], &v, sizeof v) == 0, "weight %zu: %a, strtof %a", j,
				  (double)m->w_val[j], (double)v);
			j++;
			while (*end == ' ')
				end++;
		}
	}
	cr_assert_eq(nfeat, m->nfeat);
	cr_assert_eq(j, m->nweights);
	free(line);
}

Test(model, weights_read_as_strtof_reads_them)
{
	static const char text[] =
		"classes\tnone\tfees\nwa\t0:1.5 1:-2e+03 0:0.0001234 1:1.234e-05 0:1.234e-09 1:-7\n"
		"wb\t0:123456789012 1:0x1p3 0:.5 1:3. 0:9.999e+22 1:1e-08 0:-0.1 1:4.2e-07\n"
		"wc\t0:8.389e-08 1:16777217 0:0.3 1:2.5e-06 0:1e+30 1:33554431\n";
	struct sbuf err = {0};
	struct model *m = load_text(text, &err);
	cr_assert_not_null(m, "%s", sbuf_str(&err));
	FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
	check_weights(m, f);
	fclose(f);
	model_free(m);
	m = model_load("intents/" MODEL_FILE, &err);	/* every weight shipped */
	cr_assert_not_null(m, "%s", sbuf_str(&err));
	f = fopen("intents/" MODEL_FILE, "r");
	check_weights(m, f);
	fclose(f);
	model_free(m);
	sbuf_free(&err);
}

Test(model, a_long_message_counts_each_feature_once)
{
	/* past the stack's bound for a message's known features (model.c) */
	struct sbuf err = {0};
	struct model *m = load_text("classes\ta\tb\nca\t0:1 1:0.25\ncb\t1:2\n", &err);
	cr_assert_not_null(m, "%s", sbuf_str(&err));
	char *text = xmalloc(10001);
	for (int i = 0; i < 10000; i++)
		text[i] = i % 3 ? 'a' : 'b';
	text[10000] = '\0';
	float s[MODEL_MAX_CLASSES], margin;
	cr_assert_eq(model_predict(m, text, s, &margin), 1);
	cr_assert_float_eq(s[0], 1.0f, 1e-6);
	cr_assert_float_eq(s[1], 2.25f, 1e-6);
	free(text);
	model_free(m);
	sbuf_free(&err);
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

/* classify with a model of our own in a copy of the shipped knowledge base:
 * files[] are more "path\0text" pairs to write into the copy first */
struct with_model {
	char *dir;
	struct kb *k;
	struct sbuf err;
};

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	free(path);
}

static struct with_model *kb_with_model(const char *model_text, const char *const (*files)[2],
					size_t nfiles)
{
	normalize_init();
	struct with_model *w = xcalloc(1, sizeof *w);
	w->dir = kb_copy();
	for (size_t i = 0; i < nfiles; i++)
		write_file(w->dir, files[i][0], files[i][1]);
	write_file(w->dir, "intents/model.tsv", model_text);
	struct sbuf warn = {0};
	w->k = kb_load_copy(w->dir, NULL, &w->err, &warn);
	sbuf_free(&warn);
	return w;
}

static void done(struct with_model *w)
{
	kb_free(w->k);
	char *cmd = xasprintf("rm -rf %s", w->dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(w->dir);
	sbuf_free(&w->err);
	free(w);
	normalize_done();
}

/* the cases of a test: a text, the intent it must get, classified
 * alone (0) or in a conversation (rules_only: 1), and why */
struct want {
	const char *text, *intent;
	int rules_only;
	const char *why;
};

static void check_all(const char *model_text, const char *const (*files)[2], size_t nfiles,
		      const struct want *cases, size_t n)
{
	struct with_model *w = kb_with_model(model_text, files, nfiles);
	cr_assert_not_null(w->k, "%s", sbuf_str(&w->err));
	for (size_t i = 0; i < n; i++) {
		struct classification c;
		const struct want *x = &cases[i];
		classify_with(w->k, x->text, strlen(x->text),
			      &(struct classify_opts){.rules_only = x->rules_only}, &c);
		const char *id = c.intent ? c.intent->id : "none";
		cr_expect_str_eq(id, x->intent, "%s (%s): %s", x->text,
				 x->rules_only ? "rules only" : "with the model", x->why);
		classification_free(&c);
	}
	done(w);
}

#define CHECK(model, cases) check_all(model, NULL, 0, cases, sizeof cases / sizeof *cases)

Test(model, classify_takes_a_specific_topic_never_the_general_one)
{
	/* "zzq" means lost_stolen, "qqz" means cancel (the general class) */
	static const struct want cases[] = {
		{"zzq", "lost_stolen", 0, "over the rules' none"},
		{"zzq", "none", 1, "not in a conversation (rules_only)"},
		{"qqz", "none", 0, "the general class never overrides"},
		{"zzq how do I cancel my AT&T line", "lost_stolen", 0, "over the rules' topic"},
	};
	CHECK("classes\tcancel\tlost_stolen\tnone\ngeneral\tcancel\nwzzq\t1:5\nwqqz\t0:5\n", cases);
}

Test(model, a_margin_keeps_a_weak_opinion_out)
{
	static const struct want cases[] = {
		{"zzq", "none", 0, "ahead by 5, less than the margin"},
		{"zzz", "lost_stolen", 0, "ahead by 7"},
	};
	CHECK("classes\tcancel\tlost_stolen\tnone\ngeneral\tcancel\nmargin\t6\nwzzq\t1:5\nwzzz\t1:7\n",
	      cases);
}

Test(model, a_wide_none_silences_the_rules_topic)
{
	/* "bankpin" means none by 30, "gympin" by 10; veto 20 */
	static const struct want cases[] = {
		{"how do I cancel my AT&T line", "cancel", 0, "no opinion"},
		{"how do I cancel my AT&T line bankpin", "none", 0, "none by the veto or more"},
		{"how do I cancel my AT&T line bankpin", "cancel", 1, "not in a conversation"},
		{"how do I cancel my AT&T line gympin", "cancel", 0,
		 "none by less than the veto leaves the rules' topic"},
	};
	CHECK("classes\tcancel\tlost_stolen\tnone\ngeneral\tcancel\nmargin\t6\n"
	      "veto\t20\nwbankpin\t2:30\nwgympin\t2:10\n", cases);
}

Test(model, the_veto_spares_a_match_of_most_of_the_message)
{
	static const char *const files[][2] = {
		{"intents/zz.ini", "[intent zz]\npriority = 900\nen = zorble\n"},	/* as /teach would add */
		{"responses/en/zz.txt", "[default]\nx\n"},
		{"responses/zh/zz.txt", "[default]\nx\n"},
	};
	static const struct want cases[] = {
		{"zorble", "zz", 0, "the whole message is the rule's match"},
		{"well the zorble at the gym was fun", "none", 0, "a word of a longer text is vetoed"},
	};
	check_all("classes\tcancel\tnone\tzz\ngeneral\tcancel\nmargin\t6\nveto\t20\nwzorble\t1:30\n",
		  files, 3, cases, sizeof cases / sizeof *cases);
}

Test(model, a_rules_veto_is_not_asked_but_explain_shows_the_model)
{
	/* "cancel my gym membership" is vetoed by the rules (intents/vetoes.ini);
	 * the model would say fees there, which changes nothing */
	struct with_model *w = kb_with_model("classes\tcancel\tfees\tnone\ngeneral\tcancel\nwgym\t1:50\n",
					     NULL, 0);
	cr_assert_not_null(w->k, "%s", sbuf_str(&w->err));
	const char *text = "how do I cancel my gym membership";
	struct classification c;
	classify(w->k, text, strlen(text), &c);
	cr_assert_not_null(c.veto, "the rules veto it (else this test needs another text)");
	cr_assert_null(c.intent);
	cr_assert_eq(c.model_class, -1, "the model is not asked");
	classification_free(&c);
	struct sbuf out = {0};
	classify_explain(w->k, text, &out);
	cr_assert_not_null(strstr(sbuf_str(&out), "model:   fees, ahead by 50.00"), "%s", sbuf_str(&out));
	cr_assert_not_null(strstr(sbuf_str(&out), "the veto stands"), "%s", sbuf_str(&out));
	sbuf_free(&out);
	done(w);
}

Test(model, a_model_naming_no_intent_is_refused)
{
	struct with_model *w = kb_with_model("classes\tnone\tgym_membership\nwgym\t1:1\n", NULL, 0);
	cr_assert_null(w->k);
	cr_assert_not_null(strstr(sbuf_str(&w->err), "class gym_membership is neither none nor an intent"),
			   "%s", sbuf_str(&w->err));
	done(w);
}
