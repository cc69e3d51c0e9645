/* Unit tests: kb and classify — the shipped knowledge base loads, checks
 * catch broken files with file:line, and recognition behaves. */
#include <criterion/criterion.h>

#include "helpers_kb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "followup.h"
#include "kb.h"
#include "load.h"
#include "normalize.h"
#include "html.h"
#include "render.h"

SHIPPED_KB_SUITE(kb);

static void expect_class(const char *text, const char *intent, const char *carrier, const char *plan)
{
	struct classification c;
	classify(kb, text, strlen(text), &c);
	cr_expect_str_eq(c.intent ? c.intent->id : "none", intent, "intent of \"%s\"", text);
	cr_expect_str_eq(c.carrier ? c.carrier->id : "-", carrier ? carrier : "-", "carrier of \"%s\"", text);
	cr_expect_str_eq(c.plan ? c.plan->id : "-", plan ? plan : "-", "plan of \"%s\"", text);
	classification_free(&c);
}

Test(kb, hard_negatives_stay_quiet)
{
	expect_class("cancel my Netflix", "none", NULL, NULL);
	expect_class("注销微信账号", "none", NULL, NULL);
	expect_class("信用卡怎么注销", "none", NULL, NULL);
	expect_class("the meeting was cancelled", "none", NULL, NULL);
}

Test(kb, carriers_as_people_write_them)
{
	expect_class("how do i cancel verzion", "cancel", "verizon", NULL);
	expect_class("tmoblie cancel line", "cancel", "tmobile", NULL);
	expect_class("T家怎么销号", "cancel", "tmobile", NULL);
	expect_class("V家怎么注销", "cancel", "verizon", NULL);
	expect_class("at and t cancel my line", "cancel", "att", NULL);
	expect_class("谷歌Fi怎么注销", "cancel", "googlefi", NULL);
	expect_class("cancel metro pcs", "cancel", "metro", NULL);
}

Test(kb, winner_is_the_more_specific_topic)
{
	expect_class("I already left the US, how do I cancel t-mobile", "abroad", "tmobile", NULL);
	expect_class("AT&T預付費怎麼註銷", "cancel", "att", "prepaid");
	/* an early-termination fee is a contract's: postpaid when nothing prepaid is said
	 * (intents/plans.ini, [define no_prepaid_said]) */
	expect_class("is there an early termination fee to cancel verizon", "fees", "verizon", "postpaid");
	expect_class("does cricket have an early termination fee", "fees", "cricket", NULL);
}

/* A plan cue under `when = carrier` sees the carrier named in the same message:
 * classify used to learn of carriers only after every plan rule had run, so
 * explain said "when carrier: yes" while classify found no plan. */
Test(kb, plan_cue_sees_the_carrier_named)
{
	expect_class("我妈的tracfone里还剩好多分钟，能退钱吗", "refund", "tracfone", "prepaid");
	expect_class("I always buy the cards at Walmart for my tracfone, how do I stop it", "cancel",
		     "tracfone", "prepaid");
}

Test(kb, every_answer_renders_within_limits)
{
	for (size_t i = 0; i < kb->nanswers; i++) {
		struct sbuf err = {0};
		const struct answer *a = &kb->answers[i];
		/* the overview card is only ever shown for a carrier */
		const char *carrier = a->carrier ? a->carrier
				      : strcmp(a->topic, "carrier_overview") == 0 ? "att" : NULL;
		static const char *const vars[] = {"user", "<b>Bob & co</b>", "brand", "H2O",
						   "bot", "a_bot", "mode", "Auto", "language",
						   "English", "where", "<here>", "other", "Verizon", NULL};
		char *html = render_answer_vars(kb, a, carrier, vars, 1, &err);
		cr_assert_not_null(html, "%s", sbuf_str(&err));
		cr_expect_leq(html_text_units(html), TG_MAX_TEXT);
		cr_expect_eq(html_validate(html, &err), 0, "%s:%d %s", kb->answers[i].file,
			     kb->answers[i].line, sbuf_str(&err));
		free(html);
		sbuf_free(&err);
	}
}

Test(kb, adversarial_input_does_not_hang_or_crash, .timeout = 30)
{
	char *s = malloc(4097);
	memset(s, 'a', 4096);
	s[4096] = '\0';
	struct classification c;
	classify(kb, s, 4096, &c);
	classification_free(&c);
	for (int i = 0; i < 4096; i += 8)
		memcpy(s + i, "cancel \xff", 8);
	classify(kb, s, 4096, &c);
	classification_free(&c);
	free(s);
}

/* A copy of the knowledge base with one file replaced, for broken-file checks. */
static char *broken_copy(const char *rel, const char *content)
{
	char *dir = kb_copy();
	char *path = xasprintf("%s/%s", dir, rel);
	write_text(path, content);
	free(path);
	return dir;
}

/* Appends extra to the copy's responses/carriers.ini after a blank line;
 * returns how many lines the file had, so a test can name a line of extra. */
static int append_facts(const char *dir, const char *extra)
{
	char *facts = xasprintf("%s/responses/carriers.ini", dir);
	char *text = read_file(facts, NULL);
	cr_assert_not_null(text);
	int lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	char *more = xasprintf("%s\n%s", text, extra);
	write_text(facts, more);
	free(more);
	free(text);
	free(facts);
	return lines;
}

/* Loads the knowledge base of a copy made by broken_copy(). */
static struct kb *load_copy(const char *dir, struct sbuf *err, struct sbuf *warn)
{
	return kb_load_copy(dir, NULL, err, warn);
}

static void expect_load_error(const char *rel, const char *content, const char *want)
{
	char *dir = broken_copy(rel, content);
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_copy(dir, &err, &warn);
	cr_expect_null(k);
	cr_expect(strstr(sbuf_str(&err), want), "want \"%s\" in:\n%s", want, sbuf_str(&err));
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	rm_rf(dir);
	free(dir);
}

Test(kb, broken_files_are_reported_with_file_and_line)
{
	expect_load_error("intents/zz.ini", "[intent zz]\npriority = 5\nen = (unclosed\n",
			  "intents/zz.ini:3: regex does not compile");
	expect_load_error("intents/zz.ini", "[intent zz]\nen = {nosuchmacro}\n",
			  "intents/zz.ini:2: unknown {nosuchmacro}");
	expect_load_error("responses/en/zz.txt", "[default]\nhi\n", "'zz' is neither an intent");
	expect_load_error("responses/en/greeting.txt", "[default]\nHello <div>\n",
			  "greeting.txt:1: tag <div>");
	expect_load_error("responses/en/greeting.txt", "[default]\nHi {nope}\n",
			  "unknown placeholder {nope}");
}

Test(kb, a_section_given_twice_in_an_answer_file_is_reported)
{
	/* the second [verizon] was silently ignored by check and reload */
	expect_load_error("responses/en/help.txt", "[default]\nA\n\n[verizon]\nB\n[verizon]\nC\n",
			  "responses/en/help.txt:6: [verizon] appears twice (first at line 4)");
	expect_load_error("responses/zh/help.txt", "[every]\nA\n[default]\nB\n[every]\nC\n",
			  "responses/zh/help.txt:5: [every] appears twice (first at line 1)");
}

Test(kb, explain_names_the_winner_and_the_losers)
{
	struct sbuf out = {0};
	classify_explain(kb, "how much does it cost to cancel verizon online from china", &out);
	cr_expect(strstr(out.p, "abroad") && strstr(out.p, "<- wins"), "%s", out.p);
	cr_expect(strstr(out.p, "lower priority than abroad"), "%s", out.p);
	cr_expect(strstr(out.p, "intents/topics.ini:"), "%s", out.p);
	sbuf_free(&out);
}

Test(kb, long_fact_lines_survive_inih_whole)
{
	/* longer than inih's 200-byte line buffer: split on reading, joined again */
	const char *pin = facts_get(kb_facts(kb, "tmobile"), "pin", "zh");
	cr_assert_not_null(pin);
	cr_expect(strstr(pin, "主账户持有人") == pin);
	cr_expect(strstr(pin, "先关闭 Port Out Protection。"), "%s", pin);
}

Test(kb, optional_lines_are_dropped_without_a_fact)
{
	const struct answer *a = kb_answer(kb, "carrier_overview", NULL, NULL, "en");
	cr_assert_not_null(a);
	struct sbuf err = {0};
	char *vz = render_answer(kb, a, "verizon", 0, &err);
	char *mint = render_answer(kb, a, "mint", 0, &err);
	cr_assert(vz && mint, "%s", sbuf_str(&err));
	cr_expect(strstr(vz, "800-922-0204"));
	cr_expect_null(strstr(mint, "Phone:"), "Mint has no verified number: %s", mint);
	cr_expect(strstr(vz, "website, chat, phone"), "%s", vz);
	free(vz);
	free(mint);
	sbuf_free(&err);
}

/* A copy of the knowledge base with intents/zz.ini set to ini, and an
 * answer in both languages for each of the intents named in ids. */
static struct kb *kb_with(const char *ini, const char *const *ids, char **dir_out)
{
	char *dir = broken_copy("intents/zz.ini", ini);
	for (const char *const *id = ids; *id; id++)
		for (int l = 0; l < 2; l++) {
			char *path = xasprintf("%s/responses/%s/%s.txt", dir, l ? "zh" : "en", *id);
			write_text(path, "[default]\nx\n");
			free(path);
		}
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_copy(dir, &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	*dir_out = dir;
	return k;
}

/* Frees what kb_with made: the knowledge base and its directory. */
static void kb_drop(struct kb *k, char *dir)
{
	kb_free(k);
	rm_rf(dir);
	free(dir);
}

static const char *intent_of(const struct kb *k, const char *text)
{
	struct classification c;
	classify(k, text, strlen(text), &c);
	const char *id = c.intent ? c.intent->id : "none";
	classification_free(&c);
	return id;
}

Test(kb, a_pattern_hitting_the_match_limit_counts_as_no_match)
{
	/* (a|aa)+$ backtracks exponentially on a long run of a's ending in b */
	static const char *const ids[] = {"zz", "zz2", NULL};
	char *dir;
	struct kb *k = kb_with("[intent zz]\npriority = 900\nen = ^(?:a|aa)+$\n"
			       "[intent zz2]\npriority = 1\nen = ^a\n", ids, &dir);
	char text[200];
	memset(text, 'a', sizeof text - 2);
	text[sizeof text - 2] = 'b';
	text[sizeof text - 1] = '\0';
	struct classification c;
	classify(k, text, strlen(text), &c);
	cr_expect(c.limit_hit, "the match limit was hit");
	cr_expect_str_eq(c.intent ? c.intent->id : "none", "zz2", "no match for zz; the rest still work");
	classification_free(&c);
	kb_drop(k, dir);
}

Test(kb, zh_patterns_are_tried_only_on_text_with_chinese)
{
	static const char *const ids[] = {"zz", "zy", NULL};
	char *dir;
	struct kb *k = kb_with("[intent zz]\npriority = 900\nzh = widget\nen = gadget\n"
			       "[intent zy]\npriority = 901\nzh = doohickey\n", ids, &dir);
	cr_expect_str_eq(intent_of(k, "a widget please"), "none", "zh pattern, English text");
	cr_expect_str_eq(intent_of(k, "a doohickey please"), "none", "a rule with only zh patterns");
	cr_expect_str_eq(intent_of(k, "widget 怎么弄"), "zz", "the same text with Chinese in it");
	cr_expect_str_eq(intent_of(k, "doohickey 怎么弄"), "zy");
	cr_expect_str_eq(intent_of(k, "a gadget please"), "zz", "en patterns on English text");
	cr_expect_str_eq(intent_of(k, "gadget 怎么弄"), "zz", "and on mixed text");
	kb_drop(k, dir);
}

Test(kb, a_shared_word_edge_keeps_what_each_alternative_matches)
{
	/* alternatives that start at a word edge share one check of it, plain
	 * words are grouped by first character; the rest, and '|' inside groups
	 * and classes, must mean what they did */
	static const char *const ids[] = {"zz", NULL};
	char *dir;
	struct kb *k = kb_with("[intent zz]\npriority = 900\n"
			       "en = {b}gizmo|widget|{b}(?:thing|stuff)amajig{b}\n"
			       "en = {b}[|]pipe|(?:x|{b}y)zed\n"
			       "zh = 小工具|小|大工具箱|小玩意\n", ids, &dir);
	cr_expect_str_eq(intent_of(k, "a gizmo"), "zz");
	cr_expect_str_eq(intent_of(k, "agizmo"), "none", "gizmo only at a word's start");
	cr_expect_str_eq(intent_of(k, "awidget"), "zz", "widget anywhere");
	cr_expect_str_eq(intent_of(k, "the stuffamajig"), "zz");
	cr_expect_str_eq(intent_of(k, "thestuffamajig"), "none");
	cr_expect_str_eq(intent_of(k, "a |pipe"), "zz", "'|' in a class is no alternative");
	cr_expect_str_eq(intent_of(k, "axzed"), "zz", "a group's alternatives keep their own edges");
	cr_expect_str_eq(intent_of(k, "ayzed"), "none");
	cr_expect_str_eq(intent_of(k, "a yzed"), "zz");
	/* plain words are grouped by their first character: 小(?:工具||玩意) */
	cr_expect_str_eq(intent_of(k, "一个小东西"), "zz", "a one-character word");
	cr_expect_str_eq(intent_of(k, "大工具箱"), "zz");
	cr_expect_str_eq(intent_of(k, "大工具"), "none");
	kb_drop(k, dir);
}

Test(kb, a_veto_gives_way_to_a_carrier_unless_it_says_even_with_carrier)
{
	static const char *const ids[] = {"zz", NULL};
	char *dir;
	struct kb *k = kb_with("[intent zz]\npriority = 900\nen = {b}widget{b}\n"
			       "[veto zz_gizmo]\nen = {b}gizmo{b}\n"
			       "[veto zz_doodad]\neven_with_carrier = yes\nen = {b}doodad{b}\n", ids, &dir);
	cr_expect_str_eq(intent_of(k, "widget gizmo"), "none", "a veto with no carrier named");
	cr_expect_str_eq(intent_of(k, "verizon widget gizmo"), "zz", "a named carrier keeps it");
	cr_expect_str_eq(intent_of(k, "verizon widget doodad"), "none", "even_with_carrier");
	kb_drop(k, dir);
	expect_load_error("intents/zz.ini", "[intent zz]\neven_with_carrier = yes\nen = x\n",
			  "even_with_carrier 'yes': vetoes only");
}

/* A cue key longer than inih's line (a `replaces` list of every intent):
 * the line reader hands the rest on as a continuation, which is appended;
 * it used to replace the head, so followups.ini's other_language replaced
 * only greeting and help and a Spanish cancel question was answered as one */
Test(kb, a_cue_key_longer_than_a_line_keeps_all_of_it)
{
	static const char *const ids[] = {"zz", NULL};
	struct sbuf ini = {0};
	static const char *const head[] = {"cancel", "lost_stolen", "deceased", "family_plan",
					   "third_party", "abroad", "esim", "keep_number", "autopay",
					   "refund", "proof", "final_bill", "fees", "port_out"};
	sbuf_adds(&ini, "[intent zz]\nen = {b}widget{b}\n[cue zz_cue]\nanswer = zz\nreplaces = ");
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
			sbuf_addf(&ini, "%s, ", head[i]);
	sbuf_adds(&ini, "zz\nen = {b}gadget{b}\n");
	cr_assert_gt(strstr(sbuf_str(&ini), "\nen = {b}gadget") - strstr(sbuf_str(&ini), "replaces"),
		     200, "longer than inih's line");
	char *dir;
	struct kb *k = kb_with(sbuf_str(&ini), ids, &dir);
	const struct rule *cue = kb_rule(k, RULE_CUE, "zz_cue");
	cr_assert_not_null(cue);
	cr_expect(list_has(cue->replaces, "cancel"), "the head: %s", cue->replaces);
	cr_expect(list_has(cue->replaces, "zz"), "the tail: %s", cue->replaces);
	kb_drop(k, dir);
	sbuf_free(&ini);
	/* the shipped one: a Spanish question is no cancel question */
	cue = kb_rule(shipped_kb(), RULE_CUE, "other_language");
	cr_assert_not_null(cue);
	cr_expect(list_has(cue->replaces, "cancel") && list_has(cue->replaces, "help"), "%s",
		  cue->replaces);
}

Test(kb, an_every_section_ends_each_answer_of_its_file)
{
	char *dir = broken_copy("responses/en/help.txt",
				"[default]\nHow to ask.\n\n[every]\n\nAsk away.\n\n[verizon]\nVerizon only.\n");
	char *zh = xasprintf("%s/responses/zh/help.txt", dir);
	write_text(zh, "[default]\n怎么问。\n[verizon]\n只有 Verizon。\n");
	free(zh);
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_copy(dir, &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	cr_expect_str_eq(kb_answer(k, "help", NULL, NULL, "en")->text, "How to ask.\nAsk away.");
	cr_expect_str_eq(kb_answer(k, "help", "verizon", NULL, "en")->text,
			 "Verizon only.\nAsk away.", "a section after [every] gets it too");
	for (size_t i = 0; i < k->nanswers; i++)
		cr_expect(!k->answers[i].carrier || strcmp(k->answers[i].carrier, "every"),
			  "[every] is no answer itself");
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	rm_rf(dir);
	free(dir);
}

Test(kb, what_the_runtime_would_cut_is_rejected_with_file_and_line)
{
	/* defect: conversation memory kept 31 bytes of an intent id (a longer
	 * one then matched nothing), button data over 64 bytes was dropped and
	 * labels were cut, while `check` said ok */
	expect_load_error("intents/zz.ini",
			  "[intent an_intent_id_of_thirty_two_bytes]\npriority = 5\nen = widget\n",
			  "intents/zz.ini:1: id 'an_intent_id_of_thirty_two_bytes' has 32 bytes; at most 31");
	char *dir = broken_copy("intents/zz.ini",
				"[intent an_intent_id_of_31_bytes_xxxxxx]\npriority = 5\nen = widget\n"
				"[carrier a_carrier_id_of_31_bytes_xxxxxx]\nen = gizmo\n");
	char *extra = xasprintf("[a_carrier_id_of_31_bytes_xxxxxx]\nname.en = Gizmo\n"
				"short.en = %s\nname.zh = Gizmo\nchannels = phone\nsource = x\nreviewed = 2026-11\n",
				"A carrier whose short name is far too long for the button it is on");
	int line = 4 + append_facts(dir, extra);	/* of the section: the short name */
	free(extra);
	for (int l = 0; l < 2; l++) {
		char *path = xasprintf("%s/responses/%s/an_intent_id_of_31_bytes_xxxxxx.txt", dir,
				       l ? "zh" : "en");
		write_text(path, "[default]\nx\n");
		free(path);
	}
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_copy(dir, &err, &warn);
	cr_expect_null(k);
	const char *e = sbuf_str(&err);
	cr_expect(strstr(e, "intents/zz.ini:1: [intent an_intent_id_of_31_bytes_xxxxxx] with "
			 "[carrier a_carrier_id_of_31_bytes_xxxxxx] (") &&
		  strstr(e, "'a:an_intent_id_of_31_bytes_xxxxxx:a_carrier_id_of_31_bytes_xxxxxx:postpaid' "
			 "of 74 bytes; Telegram allows 64"), "%s", e);
	char *want = xasprintf("carriers.ini:%d: [a_carrier_id_of_31_bytes_xxxxxx] short.en is a button "
			       "label of 66 bytes; at most 63", line);
	cr_expect(strstr(e, want), "want \"%s\" in:\n%s", want, e);
	free(want);
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	rm_rf(dir);
	free(dir);
}

Test(kb, a_semicolon_after_a_blank_stays_in_the_value)
{
	/* defect: inih read " ;" as the start of a comment, so "No fee for
	 * prepaid ; postpaid pays" was answered as "No fee for prepaid" and
	 * `check` said ok; the same cut a pattern short */
	static const char *const ids[] = {"zz", NULL};
	char *dir;
	struct kb *k = kb_with("[intent zz]\npriority = 900\nen = {b}widget ;gizmo{b}\n", ids, &dir);
	cr_expect_str_eq(intent_of(k, "a widget ;gizmo"), "zz");
	cr_expect_str_eq(intent_of(k, "a widget"), "none", "the pattern was cut at ' ;'");
	kb_drop(k, dir);

	dir = broken_copy("intents/zz.ini", "");
	append_facts(dir, "zz_note = No fee for prepaid ; postpaid pays\n  the rest ; too\n");
	struct sbuf err = {0}, warn = {0};
	k = load_copy(dir, &err, &warn);
	cr_assert_not_null(k, "%s", sbuf_str(&err));
	const char *note = NULL;
	for (size_t i = 0; i < k->nfacts && !note; i++)
		note = facts_get(&k->facts[i], "zz_note", NULL);
	cr_expect_str_eq(note, "No fee for prepaid ; postpaid pays the rest ; too");
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	rm_rf(dir);
	free(dir);
}

Test(kb, a_section_problem_names_the_header_line)
{
	/* inih calls a handler at a section's first key, so problems with the
	 * section itself used to name the line after its header */
	expect_load_error("intents/zz.ini", "; a comment\n\n[intent Bad-Id]\npriority = 5\nen = x\n",
			  "intents/zz.ini:3: id 'Bad-Id' must be lower-case");
	expect_load_error("intents/zz.ini", "[intent zz]\nen = x\n[intent zy]\nen = z\n\n"
			  "[intent zz]\n\nen = y\n", "intents/zz.ini:6: [intent zz] is defined twice");
}

Test(kb, profile_texts_over_telegram_limits_are_errors)
{
	/* setMyShortDescription takes 120 characters: the bot would be refused */
	char text[200] = "[default]\n";
	memset(text + 10, 'x', 130);
	text[140] = '\0';
	expect_load_error("responses/en/bot_short_description.txt", text,
			  "bot_short_description.txt:1: 130 characters, over Telegram's 120");
}

Test(kb, a_header_repeated_at_once_is_reported)
{
	/* inih gives both headers the same section name: the two sections
	 * merged silently (only a repeat further down was reported) */
	expect_load_error("intents/zz.ini", "[intent zz]\nen = x\n\n[intent zz]\nen = y\n",
			  "intents/zz.ini:4: [intent zz] is defined twice (first at ");
	expect_load_error("responses/carriers.ini", "[general]\nsource = a\n[general]\nsource = b\n",
			  "carriers.ini:3: [general] appears twice (first at ");
}

Test(kb, a_word_edge_after_a_quantifier_before_a_word_is_warned)
{
	/* {b} after ?, * or + checks the character after it: before a word
	 * that can never hold, so "(?:my )?{b}word" never matched "word" */
	char *dir = broken_copy("intents/zz.ini", "[define zz_a]\nen = (?:my )?{b}word\n"
				"en = words?{b}(?! x)|.*{b}(?:a|b)|x+{b}\\w\n"
				"en = lines?{b}|a*{b}{zz_b}|b?{b}(?<=b)|c\\?{b}d\n"
				"[define zz_b]\nen = z\n");
	struct sbuf err = {0}, warn = {0};
	struct kb *k = load_copy(dir, &err, &warn);
	const char *w = sbuf_str(&warn);
	cr_expect(strstr(w, "zz.ini:2: {b} after '?'"), "%s", w);
	cr_expect(strstr(w, "zz.ini:3: {b} after '*'"), "%s", w);
	cr_expect(strstr(w, "zz.ini:3: {b} after '+'"), "%s", w);
	cr_expect(strstr(w, "zz.ini:4: {b} after '*'"), "%s", w);
	cr_expect_not(strstr(w, "zz.ini:4: {b} after '?'"), "%s", w);
	cr_expect_not(strstr(w, "zz.ini:3: {b} after '?'"), "%s", w);
	kb_free(k);
	sbuf_free(&err);
	sbuf_free(&warn);
	rm_rf(dir);
	free(dir);
}

static const char *carrier_of(const struct kb *k, const char *text)
{
	struct classification c;
	classify(k, text, strlen(text), &c);
	const char *id = c.carrier ? c.carrier->id : "-";
	classification_free(&c);
	return id;
}

/* The owner of a brand named as its owner is no line of the message
 * ([define owner_link]); a carrier said not to be the line loses to the
 * other named, wherever it stands ([define carrier_negated]) */
Test(kb, an_owner_or_a_carrier_said_not_to_be_the_line_is_not_the_carrier)
{
	const struct kb *k = shipped_kb();
	cr_expect_str_eq(carrier_of(k, "T家的子品牌mint怎么注销"), "mint", "the owner's sub-brand");
	cr_expect_str_eq(carrier_of(k, "verizon下面那个子品牌叫visible 怎么取消"), "visible");
	cr_expect_str_eq(carrier_of(k, "how to cancel verizon's cheap brand visible"), "visible");
	cr_expect_str_eq(carrier_of(k, "cancel my t-mobile and my mom's mint"), "tmobile",
			 "two lines: the first named");
	cr_expect_str_eq(carrier_of(k, "我不是T-Mobile的，是Mint的，怎么注销"), "mint", "not T-Mobile");
	cr_expect_str_eq(carrier_of(k, "唔系T-Mobile嘅，系Mint嘅，点cut"), "mint");
	cr_expect_str_eq(carrier_of(k, "i'm not with t-mobile, i have mint. how to cancel"), "mint");
	cr_expect_str_eq(carrier_of(k, "its not t-mobile lol. mint. how to cancel"), "mint");
}

/* silence_model = yes: a veto that matched keeps the model from giving an
 * intent where no rule found one (vetoes.ini's account_admin, joining) */
Test(kb, a_veto_that_says_silence_model_keeps_the_model_quiet)
{
	const struct kb *k = shipped_kb();
	cr_expect_str_eq(intent_of(k, "how to change the name on my tmobile account after getting married"),
			 "none", "the model alone read a final bill in it");
	cr_expect_str_eq(intent_of(k, "What's the US Mobile referral code someone posted? wanna sign up"),
			 "none");
	cr_expect_str_neq(intent_of(k, "I want to join my wife's Verizon family plan, how do I bring my "
				       "Mint number over"), "none", "a line brought over is the bot's");
	expect_load_error("intents/zz.ini", "[intent zz]\nsilence_model = yes\nen = x\n",
			  "silence_model 'yes': vetoes only");
}

/* hold_topic = yes: the intent a veto silenced is kept in the
 * classification (vetoed), so a private chat can hold it as its topic
 * for the US line named next (conversation 352) */
Test(kb, a_veto_that_holds_its_topic_keeps_the_intent_it_silenced)
{
	const struct kb *k = shipped_kb();
	struct classification c;
	classify(k, "中国移动的号人在美国怎么注销", strlen("中国移动的号人在美国怎么注销"), &c);
	cr_expect_null(c.intent);
	cr_assert_not_null(c.veto);
	cr_expect(c.veto->holds_topic, "[veto %s] holds its topic", c.veto->id);
	cr_assert_not_null(c.vetoed);
	cr_expect_str_eq(c.vetoed->id, "cancel");
	classification_free(&c);
	classify(k, "I cancelled AT&T last week, took 5 minutes", 42, &c);
	cr_expect(!c.veto || !c.veto->holds_topic, "a story holds nothing");
	classification_free(&c);
	expect_load_error("intents/zz.ini", "[intent zz]\nhold_topic = yes\nen = x\n",
			  "hold_topic 'yes': vetoes only");	expect_load_error("intents/zz.ini", "[intent zz]\nimplied = said\nen = x\n",
			  "implied 'said': plans only");
}
