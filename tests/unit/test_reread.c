/* Unit tests: the follow-up model (reread.h) — the conversation's state as
 * features, labels as classes relative to the topic on, extra features in
 * prediction and training, a knowledge base that takes its reply kinds
 * but no unknown class, and the dialog's use of it: a turn the rules did
 * not understand rescued at the `rescue` margin, a turn they answered
 * overruled only at the `margin`, never a conversation's first message nor
 * a group's. The models here are written by hand, so each decision is
 * known. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "context.h"
#include "dialog.h"
#include "helpers_kb.h"
#include "model.h"
#include "model_train.h"
#include "reread.h"

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* The model file play() writes: the follow-up model unless a test says. */
static const char *model_file = MODEL_FOLLOWUPS_FILE;

/* A copy of the shipped knowledge base with text as its model_file (NULL:
 * none); dir is set to the copy, for rm_rf. */
static struct kb *kb_with(const char *text, char **dir)
{
	*dir = kb_copy();
	if (text) {
		char *p = xasprintf("%s/intents/%s", *dir, model_file);
		put_text(p, text);
		free(p);
	}
	struct sbuf err = {0}, warn = {0};
	struct kb *k = kb_load_copy(*dir, NULL, &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	return k;
}

struct chat {
	struct kb *kb;
	struct config cfg;
	struct context *ctx;
	int64_t chat;
};

/* The carrier of the last reply play() saw ("-": none). */
static char said_for[CTX_ID];

/* The bot's reply to text in c: the UI text or answer of its first part
 * ("silence" when it said nothing), into said. */
static void say(struct chat *c, const char *text, char *said, size_t cap)
{
	struct dialog_env env = {.kb = c->kb, .cfg = &c->cfg, .ctx = c->ctx,
				 .bot_username = "cancelbot", .bot_id = 42, .now = 1000};
	struct update u = {.update_id = 1, .kind = UPDATE_MESSAGE, .chat_id = c->chat,
			   .message_id = 100, .from_id = 7, .from_name = "Ann", .lang_code = "en",
			   .text = (char *)text};
	strcpy(u.chat_type, c->chat < 0 ? "supergroup" : "private");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	snprintf(said, cap, "%s", out.n ? out.v[0].said : "silence");
	snprintf(said_for, sizeof said_for, "%s", out.n && out.v[0].carrier[0] ? out.v[0].carrier : "-");
	dialog_out_free(&out);
}

/* Plays turns (NULL-terminated) and returns what the last one got. */
static const char *play(const char *followups, int64_t chat, const char *const *turns)
{
	static char said[CTX_ID];
	char *dir;
	struct chat c = {.kb = kb_with(followups, &dir), .ctx = context_new(8, 600), .chat = chat};
	config_defaults(&c.cfg);
	for (size_t i = 0; turns[i]; i++)
		say(&c, turns[i], said, sizeof said);
	context_free(c.ctx);
	config_free(&c.cfg);
	kb_free(c.kb);
	rm_rf(dir);
	free(dir);
	return said;
}

static void setup(void)
{
	normalize_init();
}

static void teardown(void)
{
	normalize_done();
}

TestSuite(reread, .init = setup, .fini = teardown);

/* "zzqx" is nothing to the rules; the model calls it small talk by 30. */
static const char smalltalk_model[] = "classes\tnone\tsame\tsmalltalk\n"
				      "margin\t25\nrescue\t5\nwzzqx\t2:30\n";

Test(reread, a_turn_the_rules_did_not_understand_is_rescued)
{
	const char *const turns[] = {"how do I cancel my verizon line", "zzqx", NULL};
	cr_assert_str_eq(play(NULL, 7, turns), "fallback", "the rules alone");
	cr_assert_str_eq(play(smalltalk_model, 7, turns), "small_talk");
	cr_assert_str_eq(play("classes\tnone\tsame\nrescue\t5\nmargin\t25\nwzzqx\t1:30\n", 7, turns),
			 "cancel", "same: the topic the conversation is on, for its line");
}

Test(reread, a_first_message_and_a_group_are_not_reread)
{
	const char *const first[] = {"zzqx", NULL};
	cr_assert_str_eq(play(smalltalk_model, 7, first), "fallback");
	const char *const group[] = {"@cancelbot how do I cancel my verizon line",
				     "@cancelbot zzqx", NULL};
	cr_assert_str_eq(play(smalltalk_model, -100, group), "silence",
			 "in a group the bot never says it did not understand, nor small talk");
}

Test(reread, an_answer_is_overruled_only_by_the_margin_and_never_for_another_topic)
{
	/* after a cancel question, by the state alone: small talk, or "same"
	 * (cancel again) */
	const char *const turns[] = {"how do I cancel my verizon line", "what are the fees", NULL};
	cr_assert_str_eq(play(NULL, 7, turns), "fees");
	cr_assert_str_eq(play("classes\tnone\tsmalltalk\tfees\nmargin\t25\n=T:cancel\t1:20\n", 7,
			      turns), "fees", "20 is below the margin");
	cr_assert_str_eq(play("classes\tnone\tsmalltalk\tfees\nmargin\t25\n=T:cancel\t1:40\n", 7,
			      turns), "small_talk", "40 is not");
	cr_assert_str_eq(play("classes\tnone\tsame\tfees\nmargin\t25\n=T:cancel\t1:40\n", 7, turns),
			 "fees", "the fees were named in words a rule knows: no other topic");
}

Test(reread, the_state_is_features_and_labels_are_relative)
{
	struct memory m = {0};
	strcpy(m.topic, "cancel");
	strcpy(m.carrier, "verizon");
	m.pending = PENDING_PLAN;
	struct reread_feats f;
	reread_features(&m, "pin 转网号", &f);
	const char *const want[] = {"=T:cancel", "=P:2", "=C:1", "=L:0", "=S:-", "=cancel|wpin",
				    "=cancel|c转网", "=cancel|c网号"};
	cr_assert_eq(f.n, sizeof want / sizeof *want);
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(f.v[i], want[i], "the state first: feature %zu", i);
	for (size_t i = 5; i < f.n; i++) {
		size_t k = 5;
		while (k < f.n && strcmp(f.v[k], want[i]) != 0)
			k++;
		cr_assert(k < f.n, "%s", want[i]);
	}
	reread_feats_free(&f);
	cr_assert_str_eq(reread_class(&m, "cancel"), "same");
	cr_assert_str_eq(reread_class(&m, "fees"), "fees");
	cr_assert_str_eq(reread_class(&m, "greeting"), "smalltalk");
	cr_assert(reread_ongoing(&m));
	cr_assert(!reread_ongoing(&(struct memory){0}));
	cr_assert(!reread_ongoing(NULL));
}

Test(reread, extra_features_count_in_prediction_and_training)
{
	struct model_trainer *t = model_trainer_new();
	const char *on_cancel[] = {"=T:cancel"}, *on_fees[] = {"=T:fees"};
	const char *same[] = {"same"}, *fees[] = {"fees"};
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(model_trainer_add_with(t, "and then", on_cancel, 1, same, 1), 0);
		cr_assert_eq(model_trainer_add_with(t, "and then", on_fees, 1, fees, 1), 0);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct model_train_opts o = {.epochs = 20, .seed = 3, .margin = 25, .rescue = 5};
	cr_assert_eq(model_trainer_write(t, &o, f), 0);
	fclose(f);
	model_trainer_free(t);
	cr_assert_not_null(strstr(buf, "\nrescue\t5\n"), "%s", buf);
	char path[] = "/tmp/cancelbot-reread-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	put_text(path, buf);
	struct sbuf err = {0};
	struct model *m = model_load(path, &err);
	cr_assert_not_null(m, "%s", sbuf_str(&err));
	cr_assert_float_eq(m->rescue_margin, 5.0f, 1e-6);
	float s[MODEL_MAX_CLASSES], margin;
	int a = model_predict_with(m, "and then", on_cancel, 1, s, &margin);
	int b = model_predict_with(m, "and then", on_fees, 1, s, &margin);
	cr_assert(a >= 0 && b >= 0);
	cr_assert_str_eq(m->classes[a], "same", "the same words, read in another state");
	cr_assert_str_eq(m->classes[b], "fees");
	model_free(m);
	remove(path);
	free(buf);
	sbuf_free(&err);
}

/* The shipped knowledge base loaded with text as its model file `file`:
 * the kb, or NULL with the errors in err. */
static struct kb *load_with(const char *file, const char *text, struct sbuf *err)
{
	char *dir = kb_copy();
	char *p = xasprintf("%s/intents/%s", dir, file);
	struct sbuf warn = {0};
	put_text(p, text);
	struct kb *k = kb_load_copy(dir, NULL, err, &warn);
	free(p);
	rm_rf(dir);
	free(dir);
	sbuf_free(&warn);
	return k;
}

Test(reread, the_kb_takes_reply_kinds_but_no_unknown_class)
{
	struct sbuf err = {0};
	struct kb *k = load_with(MODEL_FOLLOWUPS_FILE,
				 "classes\tnone\tsame\tack\tsmalltalk\tfees\nwzz\t1:1\n", &err);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_assert_not_null(k->followups);
	kb_free(k);
	cr_assert_null(load_with(MODEL_FOLLOWUPS_FILE, "classes\tnone\tbogus\nwzz\t1:1\n", &err));
	cr_assert_not_null(strstr(sbuf_str(&err), "class bogus is neither none nor an intent"),
			   "%s", sbuf_str(&err));
	sbuf_free(&err);
}

Test(reread, train_followups_learns_from_a_dialog_file)
{
	char in[] = "/tmp/cancelbot-dialog-XXXXXX", out[] = "/tmp/cancelbot-fmodel-XXXXXX";
	int a = mkstemp(in), b = mkstemp(out);
	cr_assert(a >= 0 && b >= 0);
	close(a);
	close(b);
	put_text(in, "## c1\nhow do I cancel my verizon line\tcancel\tverizon\t-\ten\n"
		       "how long does it take\tcancel\tverizon\t-\ten\n"
		       "thanks\tsmalltalk\tverizon\t-\ten\n");
	char *argv[] = {"train", "--followups", "--margin", "25", "--rescue", "5", "-o", out, in, NULL};
	cr_assert_eq(cmd_train(9, argv), 0);
	char *text = read_file(out, NULL);
	cr_assert_not_null(text);
	cr_assert_not_null(strstr(text, "\nclasses\tsame\tsmalltalk\n"), "%s", text);
	cr_assert_not_null(strstr(text, "\nrescue\t5\n"));
	/* (=T:cancel alone is in both examples: its weights cancel out and
	 * are pruned; paired with the words they are not) */
	cr_assert_not_null(strstr(text, "\n=cancel|wthanks\t"), "the state is a feature");
	normalize_init();	/* cmd_train closes what it used */
	free(text);
	remove(in);
	remove(out);
}

Test(reread, the_carrier_model_names_a_line_only_while_none_is_known)
{
	model_file = MODEL_CARRIERS_FILE;
	static const char carriers[] = "classes\tnone\tverizon\nmargin\t10\nwzzqx\t1:30\n";
	const char *const asked[] = {"how do I cancel my line", "zzqx", NULL};
	cr_assert_str_neq(play(NULL, 7, asked), "cancel", "the rules alone do not know zzqx");
	cr_assert_str_eq(play(carriers, 7, asked), "cancel", "which carrier? zzqx: the cancel");
	cr_assert_str_eq(said_for, "verizon");
	const char *const known[] = {"how do I cancel my AT&T line", "zzqx", NULL};
	play(carriers, 7, known);
	cr_assert_str_neq(said_for, "verizon", "a conversation's carrier is not replaced");
	model_file = MODEL_FOLLOWUPS_FILE;
}

Test(reread, the_kb_refuses_a_carrier_model_naming_no_carrier)
{
	struct sbuf err = {0};
	cr_assert_null(load_with(MODEL_CARRIERS_FILE, "classes\tnone\tprepaid\nwzz\t1:1\n", &err));
	cr_assert_not_null(strstr(sbuf_str(&err), "class prepaid is neither none nor a carrier"),
			   "%s", sbuf_str(&err));
	sbuf_free(&err);
}
