/* dialog_dump — everything the dialog does, turn by turn: conversations
 * read from stdin (one message a line, a blank line between
 * conversations), each played as a private chat from a clean slate, as
 * `cancelbot dialogs` plays them; every reply (what it rendered, its text
 * and buttons) and the conversation memory after each turn, one block a
 * turn. tests/bench/same_dialogs.sh diffs it between a reference build and
 * this one, so a speed change in the dialog can be shown to change no
 * reply. Not a test. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "context.h"
#include "dialog.h"
#include "kb.h"
#include "load.h"
#include "normalize.h"

/* text on one line: newlines and tabs shown as \n and \t */
static void flat(const char *s)
{
	for (; s && *s; s++)
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else
			putchar(*s);
}

static void dump(const struct dialog_out *out, const struct memory *m)
{
	printf(" lang=%s unmatched=%d cb=%d\n", out->lang ? out->lang : "-", out->unmatched,
	       out->answer_callback);
	for (size_t i = 0; i < out->n; i++) {
		const struct reply *r = &out->v[i];
		printf("  said=%s topic=%s carrier=%s plan=%s source=%s edit=%lld note=", r->said,
		       r->topic, r->carrier, r->plan, r->source, (long long)r->edit_id);
		flat(r->group_note);
		fputs("\n  text=", stdout);
		flat(r->text);
		putchar('\n');
		for (size_t b = 0; b < r->nbuttons; b++)
			printf("  [%s|%s]\n", r->buttons[b].text, r->buttons[b].data);
	}
	if (m)
		printf("  memory carrier=%s plan=%s topic=%s brand=%s lang=%s pending=%d/%s "
		       "situation=%s\n", m->carrier, m->plan, m->topic, m->brand, m->lang,
		       (int)m->pending, m->pending_topic, m->situation);
}

int main(void)
{
	normalize_init();
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load("intents", "responses", NULL, &err, &warn);
	if (!kb) {
		fprintf(stderr, "%s", sbuf_str(&err));
		return 1;
	}
	struct config cfg;
	config_defaults(&cfg);
	char *line = NULL;
	size_t cap = 0, conv = 0, k = 0;
	ssize_t len;
	struct context *ctx = context_new(4, cfg.context_ttl);
	const int64_t who = 1000;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		while (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len) {	/* the next conversation, from a clean slate */
			context_free(ctx);
			ctx = context_new(4, cfg.context_ttl);
			conv++;
			k = 0;
			continue;
		}
		struct dialog_env env = {.kb = kb, .cfg = &cfg, .ctx = ctx,
					 .bot_username = "cancelbot", .bot_id = 1,
					 .now = 1e9 + 20.0 * (double)k};
		struct update u = {.update_id = (int64_t)k + 1, .kind = UPDATE_MESSAGE,
				   .chat_id = who, .message_id = (int64_t)k + 1,
				   .from_id = who, .text = line};
		strcpy(u.chat_type, "private");
		struct dialog_out out;
		dialog_handle(&env, &u, &out);
		printf("%zu.%zu ", conv, k);
		flat(line);
		dump(&out, context_get(ctx, who, who, env.now));
		dialog_out_free(&out);
		k++;
	}
	context_free(ctx);
	free(line);
	config_free(&cfg);
	kb_free(kb);
	sbuf_free(&err);
	sbuf_free(&warn);
	normalize_done();
	return 0;
}
