/* kbedit — admins' edits from Telegram: sessions, preview, apply; see
 * kbedit.h. The read-only commands (/kb, /show) are in kbshow.c, /teach's
 * steps in kbteach.c. */
#define _POSIX_C_SOURCE 200809L
#include "kbedit.h"
#include "answer.h"
#include "bot.h"
#include "classify.h"
#include "html.h"
#include "kbapply.h"
#include "kbhist.h"
#include "kbfile.h"
#include "kbsession.h"
#include "kbshow.h"
#include "keyboard.h"
#include "log.h"
#include "normalize.h"
#include "render.h"
#include "unmatched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct kbedit {
	struct session s[CONFIG_MAX_ADMINS];
};

struct kbedit *kbedit_new(void)
{
	srand((unsigned)time(NULL) ^ (unsigned)getpid());	/* nonces: tell sessions apart */
	return xcalloc(1, sizeof(struct kbedit));
}

void session_clear(struct session *s)
{
	for (size_t i = 0; i < KB_CHANGES_MAX; i++)
		kbchange_clear(&s->ch[i]);
	for (size_t i = 0; i < s->nquestions; i++)
		free(s->questions[i]);
	free(s->phrase);
	memset(s, 0, sizeof *s);
}

void kbedit_free(struct kbedit *e)
{
	for (size_t i = 0; e && i < CONFIG_MAX_ADMINS; i++)
		session_clear(&e->s[i]);
	free(e);
}

static struct session *session_of(struct kbedit *e, int64_t user)
{
	for (size_t i = 0; i < CONFIG_MAX_ADMINS; i++)
		if (e->s[i].user == user)
			return &e->s[i];
	return NULL;
}

/* A fresh session for user (an older one of theirs is replaced). */
struct session *session_start(struct bot *b, int64_t user, enum step step)
{
	struct session *s = session_of(b->kbedit, user);
	if (!s)
		s = session_of(b->kbedit, 0);
	if (!s)
		return NULL;	/* more sessions than admins: cannot happen */
	session_clear(s);
	s->user = user;
	s->step = step;
	s->nonce = (unsigned)(rand() & 0x7fffffff) ^ (unsigned)time(NULL);
	s->expires = now_seconds() + b->cfg.edit_ttl;
	return s;
}

char *kbedit_rel(const struct config *cfg, const char *path)
{
	const char *admin = config_admin_kb_dir(cfg);
	const struct {
		const char *dir, *layer;
	} layers[] = {{admin, ""}, {cfg->intents_dir, "intents/"}, {cfg->responses_dir, "responses/"}};
	for (size_t i = 0; i < ARRAY_LEN(layers); i++) {
		size_t n = layers[i].dir ? strlen(layers[i].dir) : 0;
		if (n && strncmp(path, layers[i].dir, n) == 0 && path[n] == '/')
			return xasprintf("%s%s", layers[i].layer, path + n + 1);
	}
	return NULL;
}

/* An HTML reply to u; the text is split when long, the last part returned. */
struct reply *say_html(const struct update *u, struct dialog_out *out, const char *html)
{
	size_t n;
	char **parts = html_split(html, TG_MAX_TEXT, &n);
	struct reply *r = NULL;
	for (size_t i = 0; i < n; i++) {
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		r = &out->v[out->n++];
		memset(r, 0, sizeof *r);
		r->chat_id = u->chat_id;
		r->text = parts[i];
	}
	free(parts);
	return r;
}

void say_text(const struct update *u, struct dialog_out *out, const char *text)
{
	char *esc = html_escape(text);
	say_html(u, out, esc);
	free(esc);
}

void add_buttons(struct reply *r, const struct session *s, int with_apply)
{
	char data[KB_CALLBACK_MAX + 1];
	if (!r)
		return;
	if (with_apply) {
		snprintf(data, sizeof data, "kb:a:%x", s->nonce);
		buttons_add(r, "✅ Apply", data);
	}
	snprintf(data, sizeof data, "kb:c:%x", s->nonce);
	buttons_add(r, "✖ Cancel", data);
}

/* The check's verdict as the preview shows it. */
static void verdict(struct sbuf *out, int accepted, struct sbuf *problems,
		    struct sbuf *warn)
{
	if (accepted)
		sbuf_adds(out, "Check: ok — Apply writes it and reloads.\n");
	else
		sbuf_addf(out, "Check: REFUSED — Apply would keep the old text. Why:\n%s",
			  sbuf_str(problems));
	if (warn->len)
		sbuf_addf(out, "Warnings:\n%s", sbuf_str(warn));
}

/* The answer s edits, as the users would get it from cand. */
static void preview_answer(const struct kb *cand, const struct session *s, const struct update *u,
			   struct dialog_out *out)
{
	const struct answer *a = kbshow_section_answer(cand, s->topic, s->head, s->lang);
	if (!a)
		return;
	struct sbuf err = {0};
	char *html = render_answer(cand, a, a->carrier, 1, &err);
	if (html)
		say_html(u, out, html);
	else
		say_text(u, out, sbuf_str(&err));
	free(html);
	sbuf_free(&err);
}

/* text without every "DIR/" in it: the preview names files as the admin
 * knows them (intents/cancel.ini:5), not by the scratch copy the check and
 * explain read them from. The caller frees it. */
static char *without_dir(const char *text, const char *dir)
{
	struct sbuf o = {0};
	size_t dl = strlen(dir);
	const char *p = text, *hit;
	while ((hit = strstr(p, dir))) {
		sbuf_add(&o, p, (size_t)(hit - p));
		p = hit + dl + (hit[dl] == '/');
	}
	sbuf_adds(&o, p);
	return sbuf_take(&o);
}

/* Shows what s->content would do, with [Apply] [Cancel]. */
void preview(struct bot *b, struct session *s, const struct update *u, struct dialog_out *out)
{
	struct sbuf problems = {0}, warn = {0}, rep = {0};
	int accepted;
	struct kb *cand = kbapply_try(b, s->user, s->ch, s->nch, &problems, &warn, &accepted);
	if (cand && s->phrase) {
		sbuf_addf(&rep, "With the phrase added, \"%s\" reads:\n", s->phrase);
		classify_explain(cand, s->phrase, &rep);
		sbuf_adds(&rep, "\n");
	} else if (cand) {
		say_text(u, out, "Preview — what users will get:");
		preview_answer(cand, s, u, out);
	}
	for (size_t i = 0; i < s->nch; i++)
		sbuf_addf(&rep, "%s → %s (admin directory)\n", s->what, s->ch[i].rel);
	verdict(&rep, accepted, &problems, &warn);
	char *stage = kbapply_stage_dir(b, s->user);
	char *shown = without_dir(sbuf_str(&rep), stage);
	char *esc = html_escape(shown);
	free(shown);
	free(stage);
	char *html = xasprintf("<pre>%s</pre>", esc);
	add_buttons(say_html(u, out, html), s, 1);
	free(html);
	free(esc);
	s->step = STEP_PREVIEW;
	kb_free(cand);
	sbuf_free(&problems);
	sbuf_free(&warn);
	sbuf_free(&rep);
}

/* The edit's text arrived: the new file, then its preview. */
static void take_text(struct bot *b, struct session *s, const struct update *u, struct dialog_out *out)
{
	const char *why = kbfile_body_problem(u->text);
	char *base = why ? NULL : kbapply_current(b, s->rel);
	if (why || !base) {
		char *msg = xasprintf("Not taken: %s. Send the text again, or /cancel.",
				      why ? why : "the file cannot be read");
		say_text(u, out, msg);
		free(msg);
		return;
	}
	kbchange_clear(&s->ch[0]);
	_Static_assert(sizeof s->rel == sizeof s->ch[0].rel, "same size");
	memcpy(s->ch[0].rel, s->rel, sizeof s->rel);
	s->ch[0].content = kbfile_replace_section(base, s->head, u->text);
	s->ch[0].base_hash = fnv1a(base, strlen(base), FNV1A_INIT);
	s->nch = 1;
	free(base);
	s->expires = now_seconds() + b->cfg.edit_ttl;
	preview(b, s, u, out);
}

/* Apply: check again against the running knowledge base, write, reload. */
static void apply(struct bot *b, struct session *s, const struct update *u, struct dialog_out *out)
{
	struct sbuf rep = {0};
	long v = kbapply_apply(b, u->from_id, s->phrase ? "/teach" : "/edit", s->what, s->ch,
			       s->nch, &rep);
	if (v < 0 && !s->phrase) {
		sbuf_adds(&rep, "Send a corrected text, or /cancel.\n");
		s->step = STEP_TEXT;
		s->expires = now_seconds() + b->cfg.edit_ttl;
	} else {
		session_clear(s);
	}
	dialog_report(u, out, sbuf_str(&rep));
	sbuf_free(&rep);
}

/* A press of "kb:K:NONCE[:ARG]" by the session's admin; 0 when stale. */
static int press(struct bot *b, struct session *s, const struct update *u, struct dialog_out *out)
{
	char kind = 0, arg[KB_CALLBACK_MAX + 1] = "";
	unsigned nonce = 0;
	int n = sscanf(u->callback_data, "kb:%c:%x:%64s", &kind, &nonce, arg);
	if (n < 2 || nonce != s->nonce)
		return 0;
	if (kind == 'c') {
		say_text(u, out, "Edit cancelled; nothing was written.");
		session_clear(s);
	} else if (kind == 'a' && s->step == STEP_PREVIEW) {
		apply(b, s, u, out);
	} else if (kind == 'q' && s->step == STEP_TEACH_QUESTION && n == 3) {
		teach_pick_question(b, s, (size_t)atoi(arg), u, out);
	} else if (kind == 'i' && s->step == STEP_TEACH_INTENT && n == 3) {
		teach_pick_intent(b, s, arg, u, out);
	} else if (kind == 'k' && s->step == STEP_TEACH_CARRIER && n == 3) {
		teach_pick_carrier(b, s, arg, u, out);
	} else {
		return 0;
	}
	return 1;
}

/* "/cancel" or "/cancel@bot", nothing after it. */
static int is_cancel(const char *text, const char *bot)
{
	if (strncmp(text, "/cancel", 7) != 0)
		return 0;
	const char *p = text + 7;
	if (*p == '@' && bot && strncasecmp(p + 1, bot, strlen(bot)) == 0)
		p += 1 + strlen(bot);
	while (*p == ' ' || *p == '\n')
		p++;
	return *p == '\0';
}

int kbedit_intercept(struct bot *b, const struct update *u, struct dialog_out *out)
{
	if (!b->kbedit || strcmp(u->chat_type, "private") != 0 || !config_is_admin(&b->cfg, u->from_id))
		return 0;
	struct session *s = session_of(b->kbedit, u->from_id);
	if (!s || s->step == STEP_NONE)
		return 0;
	int is_press = u->kind == UPDATE_CALLBACK && u->callback_data &&
		       strncmp(u->callback_data, "kb:", 3) == 0;
	int is_text = u->kind == UPDATE_MESSAGE && u->text;
	if (!is_press && !is_text)
		return 0;
	memset(out, 0, sizeof *out);
	if (now_seconds() > s->expires) {
		int waited_text = s->step == STEP_TEXT;
		char *msg = xasprintf("Your %s expired (%d s without an answer); nothing was written. "
				      "Start again with /edit or /teach.", s->what, b->cfg.edit_ttl);
		session_clear(s);
		if (is_press) {
			out->answer_callback = 1;
			out->callback_text = msg;
			return 1;
		}
		if (!waited_text || u->text[0] == '/') {
			free(msg);
			return 0;	/* an ordinary message: the dialog's */
		}
		say_text(u, out, msg);
		free(msg);
		return 1;
	}
	if (is_press) {
		out->answer_callback = 1;
		return press(b, s, u, out) ? 1 : (memset(out, 0, sizeof *out), 0);
	}
	if (is_cancel(u->text, b->username)) {
		say_text(u, out, "Edit cancelled; nothing was written.");
		session_clear(s);
		return 1;
	}
	if (s->step != STEP_TEXT || u->text[0] == '/')
		return 0;	/* other commands work during an edit */
	take_text(b, s, u, out);
	return 1;
}

/* /edit TOPIC CARRIER LANG */
static void cmd_edit(struct bot *b, const struct update *u, struct dialog_out *out, char **argv,
		     int argc)
{
	const char *lang = argc == 3 ? kbshow_lang(argv[2]) : NULL;
	const struct answer *any = lang ? kbshow_topic_file(b->kb, argv[0], lang) : NULL;
	const char *bad = argc != 3 ? "usage: /edit TOPIC CARRIER LANG (CARRIER: default, a carrier, "
				      "carrier.plan)" :
			  !lang ? "LANG: one of en, zh" :
			  !any ? "no such topic in that language (/kb lists them)" :
			  !kbshow_head_ok(b->kb, argv[1]) ? "CARRIER: default, a carrier id, a plan or "
							    "carrier.plan (/kb lists them)" : NULL;
	char *rel = bad ? NULL : kbedit_rel(&b->cfg, any->file);
	if (bad || !rel) {
		say_text(u, out, bad ? bad : "that file is outside the knowledge-base directories");
		return;
	}
	if (!config_admin_kb_dir(&b->cfg)) {
		say_text(u, out, "No admin_kb_dir is configured: edits have nowhere to go.");
		free(rel);
		return;
	}
	struct session *s = session_start(b, u->from_id, STEP_TEXT);
	snprintf(s->rel, sizeof s->rel, "%s", rel);
	snprintf(s->topic, sizeof s->topic, "%s", argv[0]);
	snprintf(s->head, sizeof s->head, "%s", argv[1]);
	snprintf(s->lang, sizeof s->lang, "%s", lang);
	snprintf(s->what, sizeof s->what, "/edit %s %s %s", s->topic, s->head, s->lang);
	char *base = kbapply_current(b, rel);
	char *cur = base ? kbfile_section(base, s->head) : NULL;
	struct sbuf msg = {0};
	sbuf_addf(&msg, "Editing [%s] of %s. Send its new source text as your next message "
		  "(the same HTML tags and {placeholders}), or /cancel. The edit expires in %d min.\n\n",
		  s->head, rel, (b->cfg.edit_ttl + 59) / 60);
	sbuf_adds(&msg, cur ? cur : "(no such section yet: it will be added)");
	dialog_report(u, out, sbuf_str(&msg));
	sbuf_free(&msg);
	free(cur);
	free(base);
	free(rel);
}

void kbedit_command(struct bot *b, const struct update *u, struct dialog_out *out)
{
	char *argv[8];
	char *copy = NULL;
	int argc = 0;
	const char *name = kbshow_parse(u->text, &copy, argv, 8, &argc);
	if (!name)
		;
	else if (!strcmp(name, "edit"))
		cmd_edit(b, u, out, argv, argc);
	else if (!strcmp(name, "teach"))
		cmd_teach(b, u, out);
	else if (!strcmp(name, "history") || !strcmp(name, "rollback"))
		kbhist_command(b, name, u, out, argv, argc);
	else
		kbshow_command(b, name, u, out, argv, argc);
	free(copy);
}
