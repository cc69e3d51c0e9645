/* kbsession — what kbedit.c (sessions, /edit, Apply) and kbteach.c
 * (/teach's steps) share, and nobody else: an admin's edit in progress and
 * the replies and buttons they send. Not a public interface: kbedit.h is. */
#ifndef CANCELBOT_KBSESSION_H
#define CANCELBOT_KBSESSION_H

#include "dialog.h"
#include "kbapply.h"

struct bot;

#define TEACH_MAX 8	/* questions offered by /teach */

enum step { STEP_NONE, STEP_TEXT, STEP_PREVIEW, STEP_TEACH_QUESTION, STEP_TEACH_INTENT,
	    STEP_TEACH_CARRIER };

struct session {
	int64_t user;
	enum step step;
	unsigned nonce;		/* in its buttons' data: a press of another is stale */
	double expires;
	char what[200];		/* "/edit cancel verizon en", for messages and history */
	char rel[200];		/* /edit: the file, relative to its layer */
	char head[64], topic[KB_ID_MAX + 1], lang[8];
	struct kbchange ch[KB_CHANGES_MAX];	/* the new files, once previewed */
	size_t nch;
	char intent[KB_ID_MAX + 1];	/* /teach: the intent picked */
	char *questions[TEACH_MAX];
	size_t nquestions;
	char *phrase;
};

/* A fresh session of step for user (an older one of theirs is replaced). */
struct session *session_start(struct bot *b, int64_t user, enum step step);
void session_clear(struct session *s);
/* An HTML reply to u, split when long; the last part (for buttons). */
struct reply *say_html(const struct update *u, struct dialog_out *out, const char *html);
/* A plain-text reply (escaped). */
void say_text(const struct update *u, struct dialog_out *out, const char *text);
/* [Apply] (with_apply) and [Cancel] for s under r. */
void add_buttons(struct reply *r, const struct session *s, int with_apply);
/* Tries s's changes and shows what they would do, with [Apply] [Cancel]. */
void preview(struct bot *b, struct session *s, const struct update *u, struct dialog_out *out);

/* kbteach.c: /teach, and its presses. */
void cmd_teach(struct bot *b, const struct update *u, struct dialog_out *out);
void teach_pick_question(struct bot *b, struct session *s, size_t i, const struct update *u,
			 struct dialog_out *out);
void teach_pick_intent(struct bot *b, struct session *s, const char *intent,
		       const struct update *u, struct dialog_out *out);
void teach_pick_carrier(struct bot *b, struct session *s, const char *carrier,
			const struct update *u, struct dialog_out *out);

#endif
