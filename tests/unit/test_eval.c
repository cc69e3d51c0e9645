/* Unit tests: eval — the cause given to each miss, pooling several files
 * into a total, the misses grouped by cause, and a labelled file scored
 * with the shipped knowledge base. */
#include <criterion/criterion.h>

#include "helpers.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "load.h"
#include "normalize.h"

Test(eval, each_miss_gets_the_first_cause_that_applies)
{
	cr_expect_eq(eval_cause_of("none", "-", "-", "none", NULL, NULL), EVAL_OK);
	cr_expect_eq(eval_cause_of("none", "-", "-", "refund", "tmobile", NULL), EVAL_FALSE);
	cr_expect_eq(eval_cause_of("cancel", "att", "-", "none", NULL, NULL), EVAL_INTENT);
	cr_expect_eq(eval_cause_of("cancel,port_out", "att", "-", "port_out", "att", NULL), EVAL_OK,
		     "any of the acceptable intents");
	cr_expect_eq(eval_cause_of("cancel", "att", "-", "fees", "verizon", NULL), EVAL_INTENT,
		     "a wrong intent hides a wrong carrier");
	cr_expect_eq(eval_cause_of("cancel", "att", "-", "cancel", "verizon", NULL), EVAL_CARRIER);
	cr_expect_eq(eval_cause_of("cancel", "-", "-", "cancel", "verizon", NULL), EVAL_CARRIER,
		     "a carrier where the label says none");
	cr_expect_eq(eval_cause_of("cancel", "att", "prepaid", "cancel", "att", NULL), EVAL_PLAN);
	cr_expect_eq(eval_cause_of("cancel", "att", "prepaid", "cancel", "att", "postpaid"), EVAL_PLAN);
	cr_expect_eq(eval_cause_of("cancel", "att", "-", "cancel", "att", "postpaid"), EVAL_OK,
		     "an unscored plan is never a miss");
}

Test(eval, the_total_pools_the_counts_of_every_file)
{
	struct eval_result a = {.pos = 10, .neg = 4, .ok_i = 9, .ok_c = 10, .ok_p = 1, .n_p = 2, .ft = 1};
	struct eval_result b = {.pos = 30, .neg = 0, .ok_i = 27, .ok_c = 29, .ok_p = 0, .n_p = 0};
	sbuf_adds(&a.misses[EVAL_FALSE], "a:1\tx\n");
	sbuf_adds(&b.misses[EVAL_FALSE], "b:2\ty\n");
	struct eval_result t = {0};
	eval_add(&t, &a);
	eval_add(&t, &b);
	cr_expect_eq(t.pos, 40);
	cr_expect_eq(t.neg, 4);
	cr_expect_float_eq(t.intent_acc, 36.0 / 40, 1e-9);
	cr_expect_float_eq(t.carrier_acc, 39.0 / 40, 1e-9);
	cr_expect_float_eq(t.plan_acc, 0.5, 1e-9, "plan over the lines that score one");
	cr_expect_float_eq(t.false_trigger, 0.25, 1e-9);
	cr_expect_str_eq(sbuf_str(&t.misses[EVAL_FALSE]), "a:1\tx\nb:2\ty\n");
	struct sbuf out = {0};
	eval_format_summary(&t, &out);
	cr_expect_str_eq(sbuf_str(&out), "intent_acc=0.900 carrier_acc=0.975 plan_acc=0.500 "
			 "false_trigger=0.250 (n=40+4)");
	sbuf_free(&out);
	eval_result_free(&a);
	eval_result_free(&b);
	eval_result_free(&t);
}

Test(eval, misses_are_listed_by_cause_with_their_file_and_line)
{
	normalize_init();
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load("intents", "responses", NULL, &err, &warn);
	cr_assert_not_null(kb, "%s", sbuf_str(&err));
	char dir[] = "/tmp/cancelbot-eval-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = xasprintf("%s/x.tsv", dir);
	/* one right line, then one deliberate mislabel per cause */
	write_text(path, "# comment\n"
		   "how do I cancel my Verizon line\tcancel\tverizon\t-\n"
		   "hello\tnone\t-\t-\n"
		   "how do I cancel my Verizon line\tport_out\tverizon\t-\n"
		   "how do I cancel my Verizon line\tcancel\tatt\t-\n"
		   "how do I cancel my Verizon line\tcancel\tverizon\tprepaid\n");
	struct eval_result r;
	cr_assert_eq(eval_file(kb, path, &r, &err), 0, "%s", sbuf_str(&err));
	cr_expect_eq(r.pos, 4);
	cr_expect_eq(r.neg, 1);
	cr_expect_eq(r.ft, 1);
	cr_expect_eq(r.ok_i, 3);
	struct sbuf m = {0};
	eval_format_misses(&r, &m);
	const char *s = sbuf_str(&m);
	const char *f = strstr(s, "false triggers"), *i = strstr(s, "wrong intent: 1"),
		   *c = strstr(s, "wrong carrier: 1"), *p = strstr(s, "wrong plan: 1");
	cr_expect(f && i && c && p && f < i && i < c && c < p, "%s", s);
	char *where = xasprintf("%s:4\thow do I cancel", path);
	cr_expect(strstr(s, where), "the wrong intent names its file and line:\n%s", s);
	cr_expect(strstr(s, "-> cancel/verizon/-, want port_out/verizon/-"), "%s", s);
	free(where);
	sbuf_free(&m);
	eval_result_free(&r);
	write_text(path, "only two\tcolumns\n");
	cr_expect_eq(eval_file(kb, path, &r, &err), -1);
	cr_expect(strstr(sbuf_str(&err), ":1: want 4 tab-separated columns"), "%s", sbuf_str(&err));
	eval_result_free(&r);
	free(path);
	rm_rf(dir);
	sbuf_free(&err);
	sbuf_free(&warn);
	kb_free(kb);
	normalize_done();
}

Test(eval, a_figure_below_a_bar_never_prints_as_the_bar)
{
	/* 1 999 of 2 000 is 0.9995: rounded it printed 1.000 while a 1.000 bar
	 * failed; one false trigger in 3 000 printed 0.000 against a 0 bar */
	struct eval_result r = {.pos = 2000, .neg = 3000, .ok_i = 1999, .ok_c = 2000,
				.ok_p = 2, .n_p = 3, .ft = 1};
	struct eval_result t = {0};
	eval_add(&t, &r);
	struct sbuf out = {0};
	eval_format_summary(&t, &out);
	cr_expect_str_eq(sbuf_str(&out), "intent_acc=0.999 carrier_acc=1.000 plan_acc=0.666 "
			 "false_trigger=0.001 (n=2000+3000)");
	sbuf_free(&out);
	struct eval_result none = {0};
	eval_add(&none, &(struct eval_result){0});
	eval_format_summary(&none, &out);
	cr_expect_str_eq(sbuf_str(&out), "intent_acc=1.000 carrier_acc=1.000 plan_acc=1.000 "
			 "false_trigger=0.000 (n=0+0)", "nothing to score is no miss");
	sbuf_free(&out);
	eval_result_free(&t);
	eval_result_free(&none);
}
