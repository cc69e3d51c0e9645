/* cmd_chat — `cancelbot chat`: the bot's own dialog in a terminal, as if in
 * a private Telegram chat. No token, no network. Buttons are shown numbered;
 * typing the number presses one. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "answer.h"
#include "dialog.h"
#include "lang.h"
#include "normalize.h"
#include "reload.h"
#include "html.h"
#include "store.h"
#include "unmatched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void show(const struct dialog_out *out, struct button *pressable, size_t *npress)
{
	*npress = 0;
	if (out->callback_text)
		printf("(%s)\n", out->callback_text);
	for (size_t i = 0; i < out->n; i++) {
		char *plain = html_to_plain(out->v[i].text);
		printf("%s\n", plain);
		free(plain);
		for (size_t j = 0; j < out->v[i].nbuttons && *npress < DIALOG_MAX_BUTTONS; j++) {
			pressable[*npress] = out->v[i].buttons[j];
			printf("  [%zu] %s\n", ++*npress, out->v[i].buttons[j].text);
		}
	}
	printf("\n");
	fflush(stdout);
}

/* Admin commands in the terminal: the operator is the admin here, and
 * /reload is the bot's own (reload_kb: checks, reload_eval gate, diff). */
static void local_action(const struct config *cfg, struct kb **kb, const struct update *u,
			 struct dialog_out *out)
{
	struct sbuf report = {0};
	if (out->action == ACTION_RELOAD)
		reload_kb(cfg, kb, "/reload", &report, NULL);
	else if (out->action == ACTION_UNMATCHED) {
		/* what `cancelbot run` logged, read-only: this chat logs nothing */
		int open = app_store_readonly(cfg, &report);
		if (open >= 0)
			unmatched_report(out->action_arg, &report);
		store_close();
	}
	else if (out->action == ACTION_KBADMIN)
		sbuf_adds(&report, "/kb, /show, /edit, /teach, /history and /rollback work in Telegram "
			  "(`cancelbot run`); here, edit the files and /reload.\n");
	else
		sbuf_adds(&report, "Counters are kept by `cancelbot run`.\n");
	dialog_report(u, out, sbuf_str(&report));
	sbuf_free(&report);
}

int cmd_chat(int argc, char **argv)
{
	const char *path;
	int first = app_opts(argc, argv, "chat [-c FILE]", &path);
	if (first < 0 || first != argc)
		return 2;
	struct config cfg;
	struct kb *kb = app_open(&cfg, path);
	if (!kb)
		return 1;
	/* the terminal's locale stands for Telegram's language_code: zh_TW.UTF-8
	 * is zh-TW */
	char lang_code[32];
	snprintf(lang_code, sizeof lang_code, "%s", getenv("LANG") ? getenv("LANG") : "");
	lang_code[strcspn(lang_code, ".@")] = '\0';
	for (char *p = lang_code; *p; p++)
		*p = *p == '_' ? '-' : *p;
	struct context *ctx = context_new(64, cfg.context_ttl);
	struct dialog_env env = {.kb = kb, .cfg = &cfg, .ctx = ctx, .bot_username = "cancelbot",
				 .bot_id = 1, .local_admin = 1};
	int tty = isatty(0);
	if (tty)
		printf("cancelbot chat: ask how to cancel a US phone line (Ctrl-D to quit).\n\n");
	struct button press[DIALOG_MAX_BUTTONS];
	size_t npress = 0;
	char *line = NULL;
	size_t cap = 0;
	long n;
	for (int64_t id = 1;; id++) {
		if (tty)
			printf("> "), fflush(stdout);
		if ((n = read_line(stdin, &line, &cap)) < 0)
			break;
		struct update u = {.update_id = id, .kind = UPDATE_MESSAGE, .chat_id = 1,
				   .message_id = id, .from_id = 1};
		strcpy(u.chat_type, "private");
		/* Telegram always gives a first name; a terminal has its login
		 * name (without one, /start said "Hi !") */
		u.from_name = xstrdup(getenv("USER") && *getenv("USER") ? getenv("USER") : "there");
		/* an update owns its strings (update_free), as one from Telegram does */
		u.lang_code = xstrdup(lang_code);
		char *end;
		long k = strtol(line, &end, 10);
		if (*line && !*end && k >= 1 && (size_t)k <= npress) {
			u.kind = UPDATE_CALLBACK;
			u.callback_id = xstrdup("terminal");
			u.callback_data = xstrdup(press[k - 1].data);
		} else {
			u.text = xstrdup(line);
		}
		env.now = (double)time(NULL);
		struct dialog_out out;
		dialog_handle(&env, &u, &out);
		if (out.action)
			local_action(&cfg, &kb, &u, &out);
		env.kb = kb;
		if (out.n == 0 && !out.callback_text)
			printf("(no reply)\n\n");
		show(&out, press, &npress);
		dialog_out_free(&out);
		update_free(&u);
	}
	free(line);
	context_free(ctx);
	kb_free(kb);
	config_free(&cfg);
	normalize_done();
	return 0;
}
