/* kbteach — /teach: a question of the unmatched inbox, its intent and
 * carrier picked with buttons, made into a literal phrase under [intent
 * ID] (and [carrier ID]) of the admin copies of their files; see kbedit.h
 * and docs/admin.md. */
#define _POSIX_C_SOURCE 200809L
#include "bot.h"
#include "classify.h"
#include "html.h"
#include "kbedit.h"
#include "kbfile.h"
#include "kbsession.h"
#include "keyboard.h"
#include "kbshow.h"
#include "normalize.h"
#include "unmatched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* /teach, second step: the question picked; now its intent. */
void teach_pick_question(struct bot *b, struct session *s, size_t i, const struct update *u,
				struct dialog_out *out)
{
	if (i >= s->nquestions)
		return;
	free(s->phrase);
	s->phrase = xstrdup(s->questions[i]);
	s->step = STEP_TEACH_INTENT;
	char *msg = xasprintf("Which topic should \"%s\" get?", s->phrase);
	struct reply *r = NULL;
	char *esc = html_escape(msg);
	r = say_html(u, out, esc);
	free(esc);
	free(msg);
	for (size_t k = 0; r && k < b->kb->nintent_order && r->nbuttons + 1 < DIALOG_MAX_BUTTONS; k++) {
		const struct rule *rule = &b->kb->rules[b->kb->intent_order[k]];
		char data[KB_CALLBACK_MAX + 1];
		snprintf(data, sizeof data, "kb:i:%x:%s", s->nonce, rule->id);
		buttons_add(r, rule->id, data);
	}
	add_buttons(r, s, 0);
}

/* /teach, third step: the intent picked; now the carrier, if any. */
void teach_pick_intent(struct bot *b, struct session *s, const char *intent,
			      const struct update *u, struct dialog_out *out)
{
	if (!kb_rule(b->kb, RULE_INTENT, intent))
		return;
	snprintf(s->intent, sizeof s->intent, "%s", intent);
	s->step = STEP_TEACH_CARRIER;
	struct reply *r = say_html(u, out, "Does it name a carrier? (the phrase then names it too)");
	char data[KB_CALLBACK_MAX + 1];
	snprintf(data, sizeof data, "kb:k:%x:-", s->nonce);
	buttons_add(r, "no carrier", data);
	for (size_t i = 0; r && i < b->kb->nrules && r->nbuttons + 1 < DIALOG_MAX_BUTTONS; i++)
		if (b->kb->rules[i].kind == RULE_CARRIER) {
			snprintf(data, sizeof data, "kb:k:%x:%s", s->nonce, b->kb->rules[i].id);
			buttons_add(r, b->kb->rules[i].id, data);
		}
	add_buttons(r, s, 0);
}

/* Adds the phrase under [HEAD] of rule's file: to the change of that file
 * already made, or as a new one. 0, or -1 when the file cannot be read. */
static int add_phrase(struct bot *b, struct session *s, const struct rule *rule, const char *head,
		      const char *norm, const char *comment)
{
	char *rel = kbedit_rel(&b->cfg, rule->file);
	if (!rel)
		return -1;
	struct kbchange *c = NULL;
	for (size_t i = 0; i < s->nch; i++)
		if (!strcmp(s->ch[i].rel, rel))
			c = &s->ch[i];
	char *base = c ? NULL : kbapply_current(b, rel);
	if (!c && base && s->nch < KB_CHANGES_MAX) {
		c = &s->ch[s->nch++];
		snprintf(c->rel, sizeof c->rel, "%s", rel);
		c->base_hash = fnv1a(base, strlen(base), FNV1A_INIT);
	}
	char *content = c ? kbfile_add_phrase(c->content ? c->content : base, head, norm, comment)
			  : NULL;
	if (content) {
		free(c->content);
		c->content = content;
	}
	free(base);
	free(rel);
	return content ? 0 : -1;
}

/* /teach, last step: the carrier picked ("-": none); the phrase goes under
 * the intent (and the carrier, when the bot does not see it there yet). */
void teach_pick_carrier(struct bot *b, struct session *s, const char *carrier,
			       const struct update *u, struct dialog_out *out)
{
	const struct rule *ri = kb_rule(b->kb, RULE_INTENT, s->intent);
	const struct rule *rc = strcmp(carrier, "-") ? kb_rule(b->kb, RULE_CARRIER, carrier) : NULL;
	if (!ri || (!rc && strcmp(carrier, "-")))
		return;
	struct classification now;
	classify(b->kb, s->phrase, strlen(s->phrase), &now);
	if (rc && now.carrier == rc)
		rc = NULL;	/* named already: only the intent needs teaching */
	classification_free(&now);
	char *norm = normalize(s->phrase, strlen(s->phrase));
	char when[32], head[KB_ID_MAX + 16];
	time_t t = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%d", gmtime(&t));
	char *comment = xasprintf("taught with /teach by %lld on %s", (long long)u->from_id, when);
	snprintf(head, sizeof head, "intent %s", ri->id);
	int rc_ok = add_phrase(b, s, ri, head, norm, comment);
	if (rc_ok == 0 && rc) {
		snprintf(head, sizeof head, "carrier %s", rc->id);
		rc_ok = add_phrase(b, s, rc, head, norm, comment);
	}
	if (rc_ok < 0) {
		say_text(u, out, "That topic's or carrier's file cannot be read; nothing was changed.");
		session_clear(s);
	} else {
		snprintf(s->what, sizeof s->what, "/teach %.31s%s%.31s: %.150s", ri->id, rc ? "+" : "",
			 rc ? rc->id : "", norm);
		s->expires = now_seconds() + b->cfg.edit_ttl;
		preview(b, s, u, out);
	}
	free(comment);
	free(norm);
}

/* 1 when the running knowledge base gives text an intent: taught already. */
static int answered_now(const struct kb *kb, const char *text)
{
	struct classification c;
	classify(kb, text, strlen(text), &c);
	int yes = c.intent != NULL;
	classification_free(&c);
	return yes;
}

/* /teach: the most frequent unmatched questions, as buttons. */
void cmd_teach(struct bot *b, const struct update *u, struct dialog_out *out)
{
	struct sbuf top = {0};
	unmatched_top(TEACH_MAX, &top);
	struct session *s = session_start(b, u->from_id, STEP_TEACH_QUESTION);
	snprintf(s->what, sizeof s->what, "/teach");
	/* "   3× text" lines */
	for (char *line = top.p; line && *line && s->nquestions < TEACH_MAX;) {
		char *nl = strchr(line, '\n'), *x = strstr(line, "× ");
		if (nl)
			*nl = '\0';
		if (x && x[strlen("× ")] && !answered_now(b->kb, x + strlen("× ")))
			s->questions[s->nquestions++] = xstrdup(x + strlen("× "));
		line = nl ? nl + 1 : NULL;
	}
	sbuf_free(&top);
	if (!s->nquestions) {
		say_text(u, out, "The unmatched inbox is empty: nothing to teach.");
		session_clear(s);
		return;
	}
	struct reply *r = say_html(u, out, "Which question should I learn? (the most frequent "
				   "unanswered ones)");
	for (size_t i = 0; r && i < s->nquestions; i++) {
		char data[KB_CALLBACK_MAX + 1], label[KB_LABEL_MAX + 1];
		snprintf(data, sizeof data, "kb:q:%x:%zu", s->nonce, i);
		utf8_cut(label, sizeof label, s->questions[i]);
		buttons_add(r, label, data);
	}
	add_buttons(r, s, 0);
}

