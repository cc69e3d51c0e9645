/* cmd_explain — `cancelbot explain TEXT`: how a message is normalised and
 * classified, which patterns matched where, and the answer it would get. */
#include "app.h"
#include "classify.h"
#include "dialog.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_explain(int argc, char **argv)
{
	const char *path;
	int first = app_opts(argc, argv, "explain [-c FILE] TEXT", &path);
	if (first < 0 || first >= argc) {
		fprintf(stderr, "usage: cancelbot explain [-c FILE] TEXT\n");
		return 2;
	}
	struct sbuf text = {0};
	for (int i = first; i < argc; i++)
		sbuf_addf(&text, "%s%s", i > first ? " " : "", argv[i]);
	struct config cfg;
	struct kb *kb = app_open(&cfg, path);
	if (!kb)
		return sbuf_free(&text), 1;
	struct sbuf out = {0};
	classify_explain(kb, sbuf_str(&text), &out);
	fputs(sbuf_str(&out), stdout);
	struct dialog_env env = {.kb = kb, .cfg = &cfg, .bot_username = "cancelbot"};
	struct update u = {.kind = UPDATE_MESSAGE, .chat_id = 1, .message_id = 1, .from_id = 1,
			   .text = xstrdup(sbuf_str(&text))};	/* an update owns its strings */
	strcpy(u.chat_type, "private");
	struct dialog_out d;
	dialog_handle(&env, &u, &d);
	for (size_t i = 0; i < d.n; i++)
		printf("\nanswer (from %s):\n%s\n", d.v[i].source[0] ? d.v[i].source : "?", d.v[i].text);
	dialog_out_free(&d);
	update_free(&u);
	sbuf_free(&out);
	sbuf_free(&text);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return 0;
}
