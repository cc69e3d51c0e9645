/* Unit tests: dialogs — the dialog scorer: reading a labelled dialog file,
 * mapping what the bot did onto the labels, checking a turn, and a small
 * file played through the shipped knowledge base. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dialogs.h"
#include "helpers_kb.h"
#include "normalize.h"

SHIPPED_KB_SUITE(dialogs);

static struct dialogs_turn turn(char *intents, char *carriers, char *plan, char *script)
{
	return (struct dialogs_turn){.text = "x", .intents = intents, .carriers = carriers,
				     .plan = plan, .script = script};
}

static struct dialogs_got got(const char *i, const char *c, const char *p, const char *s)
{
	struct dialogs_got g = {0};
	snprintf(g.intent, sizeof g.intent, "%s", i);
	snprintf(g.carrier, sizeof g.carrier, "%s", c);
	snprintf(g.plan, sizeof g.plan, "%s", p);
	snprintf(g.script, sizeof g.script, "%s", s);
	return g;
}

Test(dialogs, a_turn_is_right_only_when_all_four_labels_match)
{
	struct dialogs_turn t = turn("online,cancel", "verizon", "-", "en");
	struct dialogs_got g = got("cancel", "verizon", "-", "en");
	cr_expect_eq(dialogs_check(&t, &g), 0, "any of the acceptable intents");
	g = got("fees", "att", "prepaid", "zh-Hans");
	cr_expect_eq(dialogs_check(&t, &g),
		     DIALOGS_INTENT | DIALOGS_CARRIER | DIALOGS_PLAN | DIALOGS_SCRIPT);
	t = turn("cancel", "-", "-", "en");
	g = got("cancel", "att", "-", "en");
	cr_expect_eq(dialogs_check(&t, &g), DIALOGS_CARRIER, "a carrier where none is known yet");
	t = turn("cancel", "att", "-", "en");
	g = got("cancel", "att", "prepaid", "en");
	cr_expect_eq(dialogs_check(&t, &g), DIALOGS_PLAN, "'-' is 'never stated', and scored");
	t = turn("smalltalk", "-", "-", "zh-Hant");
	g = got("greeting", "-", "-", "zh-HK");
	cr_expect_eq(dialogs_check(&t, &g), 0,
		     "a greeting is small talk; Hong Kong forms are Traditional");
	g = got("greeting", "-", "-", "zh-Hans");
	cr_expect_eq(dialogs_check(&t, &g), DIALOGS_SCRIPT, "Simplified is not Traditional");
	t = turn("smalltalk", "-", "-", "en");
	g = got("smalltalk", "att", "prepaid", "en");
	cr_expect_eq(dialogs_check(&t, &g), 0, "small talk is about no carrier or plan");
	t = turn("smalltalk", "att", "prepaid", "en");
	cr_expect_eq(dialogs_check(&t, &g), 0, "or about the conversation's");
	t = turn("ack", "-", "-", "en");
	g = got("ack", "att", "prepaid", "en");
	cr_expect_eq(dialogs_check(&t, &g), DIALOGS_CARRIER | DIALOGS_PLAN,
		     "a carrier noted is about that carrier");
	t = turn("cancel", "ultra", "prepaid,-", "en");
	g = got("cancel", "ultra", "-", "en");
	cr_expect_eq(dialogs_check(&t, &g), 0, "the plan column is a list like the others");
	g = got("cancel", "ultra", "postpaid", "en");
	cr_expect_eq(dialogs_check(&t, &g), DIALOGS_PLAN, "and only what it lists is right");
}

static struct reply reply_of(const char *said, const char *carrier, const char *plan)
{
	struct reply r = {0};
	snprintf(r.said, sizeof r.said, "%s", said);
	snprintf(r.carrier, sizeof r.carrier, "%s", carrier);
	snprintf(r.plan, sizeof r.plan, "%s", plan);
	return r;
}

Test(dialogs, the_reply_kinds_map_onto_the_labels)
{
	struct memory m = {0};
	snprintf(m.carrier, sizeof m.carrier, "tmobile");
	snprintf(m.plan, sizeof m.plan, "prepaid");
	snprintf(m.topic, sizeof m.topic, "fees");
	struct reply v[2];
	struct dialog_out out = {.v = v, .n = 1, .lang = "zh-Hant"};
	struct dialogs_got g;

	v[0] = reply_of("find_carrier", "", "");
	v[1] = reply_of("cancel", "", "prepaid");
	out.n = 2;
	dialogs_observe(kb, &out, &m, &g);
	cr_expect_str_eq(g.intent, "cancel", "an intent's answer wins over the UI text before it");
	cr_expect_str_eq(g.carrier, "-");
	cr_expect_str_eq(g.plan, "prepaid", "the plan it was rendered for");
	cr_expect_str_eq(g.script, "zh-Hant");

	out.n = 1;
	const struct { const char *said, *intent; } kinds[] = {
		{"small_talk", "smalltalk"}, {"small_talk_ok", "smalltalk"},
		{"plan_noted", "ack"}, {"carrier_overview", "ack"}, {"other_brand", "ack"},
		{"fallback", "none"}, {"timing", "fees"}, {"same_answer", "fees"}};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		v[0] = reply_of(kinds[i].said, "", "");
		dialogs_observe(kb, &out, &m, &g);
		cr_expect_str_eq(g.intent, kinds[i].intent, "%s", kinds[i].said);
		cr_expect_str_eq(g.carrier, "tmobile", "%s: what the conversation knows",
				 kinds[i].said);
		cr_expect_str_eq(g.plan, "prepaid");
	}

	m.pending = PENDING_CARRIER;
	snprintf(m.pending_topic, sizeof m.pending_topic, "online");
	m.carrier[0] = '\0';
	v[0] = reply_of("ask_carrier", "", "");
	dialogs_observe(kb, &out, &m, &g);
	cr_expect_str_eq(g.intent, "online", "'which carrier?' counts as the topic it asks for");
	cr_expect_str_eq(g.carrier, "-");

	out.n = 0;
	dialogs_observe(kb, &out, NULL, &g);
	cr_expect_str_eq(g.intent, "none", "silence");
}

Test(dialogs, a_file_is_read_with_its_line_numbers_and_bad_ones_refused)
{
	struct dialogs_set s;
	struct sbuf err = {0}, warn = {0};
	const char *text = "# a comment\n\n## c1 first\r\n"
			   "cancel verizon\tcancel\tverizon\t-\ten\n"
			   "ok  \t smalltalk\tverizon\t-\ten \n"
			   "\n## c2 second\nhi\tgreting\t-\t-\ten\n";
	cr_assert_eq(dialogs_parse(kb, text, "f.tsv", &s, &err, &warn), 0, "%s", sbuf_str(&err));
	cr_expect_eq(s.n, 2);
	cr_expect_str_eq(s.convs[0].title, "c1 first");
	cr_expect_eq(s.convs[0].n, 2);
	cr_expect_eq(s.convs[0].turns[1].line, 5);
	cr_expect_str_eq(s.convs[0].turns[1].text, "ok", "columns are trimmed");
	cr_expect_str_eq(s.convs[0].turns[1].intents, "smalltalk");
	cr_expect_str_eq(s.convs[0].turns[1].script, "en");
	cr_expect(strstr(sbuf_str(&warn), "f.tsv:8: unknown intent 'greting'"), "%s",
		  sbuf_str(&warn));
	cr_expect_null(strstr(sbuf_str(&warn), "plan"), "%s", sbuf_str(&warn));
	dialogs_set_free(&s);
	cr_assert_eq(dialogs_parse(kb, "## c\nx\tcancel\tatt\tprepaid,-\ten\n"
				       "y\tcancel\tatt\tprepay\ten\n", "g.tsv", &s, &err, &warn), 0);
	cr_expect_null(strstr(sbuf_str(&warn), "g.tsv:2"), "%s", sbuf_str(&warn));
	cr_expect(strstr(sbuf_str(&warn), "g.tsv:3: unknown plan 'prepay'"), "%s",
		  sbuf_str(&warn));
	dialogs_set_free(&s);

	cr_expect_eq(dialogs_parse(kb, "## c\na\tb\tc\n", "f.tsv", &s, &err, &warn), -1);
	cr_expect(strstr(sbuf_str(&err), "f.tsv:2: want 5 tab-separated columns, got 3"), "%s",
		  sbuf_str(&err));
	cr_expect_eq(dialogs_parse(kb, "hi\tgreeting\t-\t-\ten\n", "f.tsv", &s, &err, &warn), -1);
	cr_expect(strstr(sbuf_str(&err), "f.tsv:1: a turn before the first"), "%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
}

Test(dialogs, a_conversation_is_played_in_order_with_its_memory)
{
	struct config cfg;
	config_defaults(&cfg);
	struct dialogs_set s;
	struct sbuf err = {0}, warn = {0};
	/* the second turn is right only if the carrier of the first is kept;
	 * the last one is labelled wrong on purpose */
	const char *text = "## a verizon\n"
			   "how do I cancel my Verizon line\tcancel\tverizon\t-\ten\n"
			   "and the fees?\tfees\tverizon\t-\ten\n"
			   "thanks\tsmalltalk\tverizon\t-\ten\n"
			   "## b chinese\n"
			   "怎么注销\tcancel\t-\t-\tzh-Hans\n"
			   "ATT\tcancel\tatt\t-\ten\n";
	cr_assert_eq(dialogs_parse(kb, text, "f.tsv", &s, &err, &warn), 0, "%s", sbuf_str(&err));
	struct dialogs_result r = {0};
	dialogs_play(kb, &cfg, &s, "f.tsv", 1, &r);
	cr_expect_eq(r.turns, 5);
	cr_expect_eq(r.turns_ok, 4, "%s", sbuf_str(&r.misses));
	cr_expect_eq(r.convs, 2);
	cr_expect_eq(r.convs_ok, 1);
	cr_expect_eq(r.wrong[3], 1, "the script");
	const char *m = sbuf_str(&r.misses);
	cr_expect(strstr(m, "f.tsv:7  ## b chinese  (turn 2)\n   1> 怎么注销\n"), "%s", m);
	cr_expect(strstr(m, "want: cancel | att | - | en\n        got:  cancel | att | - | zh-Hans"),
		  "%s", m);
	dialogs_result_free(&r);
	dialogs_set_free(&s);
	sbuf_free(&err);
	sbuf_free(&warn);
	config_free(&cfg);
}

Test(dialogs, teacher_forcing_scores_a_turn_in_the_context_its_labels_imply)
{
	struct config cfg;
	config_defaults(&cfg);
	struct dialogs_set s;
	struct sbuf err = {0}, warn = {0};
	/* the first turn's labels disagree with the bot (AT&T where it reads
	 * Verizon): the second is wrong only because of it; the third is wrong
	 * on its own (its script) whatever came before */
	const char *text = "## a cascade\n"
			   "how do I cancel my Verizon line\tcancel\tatt\t-\ten\n"
			   "and the fees?\tfees\tatt\t-\ten\n"
			   "thanks\tsmalltalk\tatt\t-\tzh-Hans\n";
	cr_assert_eq(dialogs_parse(kb, text, "f.tsv", &s, &err, &warn), 0, "%s", sbuf_str(&err));
	struct dialogs_result plain = {0}, forced = {0};
	dialogs_play(kb, &cfg, &s, "f.tsv", 1, &plain);
	dialogs_play_forced(kb, &cfg, &s, "f.tsv", 1, &forced);
	cr_expect_eq(plain.turns_ok, 0, "%s", sbuf_str(&plain.misses));
	cr_expect_eq(forced.turns_ok, 1, "%s", sbuf_str(&forced.misses));
	cr_expect_eq(forced.wrong[1], 1, "only the first turn's carrier");
	cr_expect_eq(forced.wrong[3], 1, "and the third's script");
	const char *m = sbuf_str(&forced.misses);
	cr_expect_null(strstr(m, "(turn 2)"), "%s", m);
	cr_expect(strstr(m, "   2> and the fees?\n        fees | att | - | en"), "%s", m);
	cr_expect(strstr(sbuf_str(&plain.misses), "(turn 2)"), "%s", sbuf_str(&plain.misses));
	dialogs_result_free(&plain);
	dialogs_result_free(&forced);
	dialogs_set_free(&s);

	/* a turn labelled small talk that the bot answered as a topic: the
	 * topic goes back to what it was before it */
	text = "## b smalltalk read as a topic\n"
	       "how do I cancel my Verizon line\tcancel\tverizon\t-\ten\n"
	       "what about the fees\tsmalltalk\tverizon\t-\ten\n"
	       "and for AT&T?\tcancel\tatt\t-\ten\n";
	cr_assert_eq(dialogs_parse(kb, text, "g.tsv", &s, &err, &warn), 0, "%s", sbuf_str(&err));
	struct dialogs_result p2 = {0}, f2 = {0};
	dialogs_play(kb, &cfg, &s, "g.tsv", 1, &p2);
	dialogs_play_forced(kb, &cfg, &s, "g.tsv", 1, &f2);
	cr_expect_eq(p2.turns_ok, 1, "'and for AT&T?' goes on with the fees: %s",
		     sbuf_str(&p2.misses));
	cr_expect_eq(f2.turns_ok, 2, "%s", sbuf_str(&f2.misses));
	dialogs_result_free(&p2);
	dialogs_result_free(&f2);
	dialogs_set_free(&s);
	sbuf_free(&err);
	sbuf_free(&warn);
	config_free(&cfg);
}
