#define _POSIX_C_SOURCE 200809L
/* Unit tests: `cancelbot chat` (bot/cli/cmd_chat.c) as a terminal user
 * sees it. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "helpers.h"
#include "util.h"

/* /start greets the terminal's user by login name, as Telegram's first
 * name is used there; it said "👋 Hi !" */
Test(chat, start_greets_the_login_name, .init = cr_redirect_stdout)
{
	char path[] = "/tmp/cancelbot-chat-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "/start\n", 7), 7);
	close(fd);
	setenv("USER", "alice", 1);
	setenv("LANG", "en_US.UTF-8", 1);
	cr_assert_not_null(freopen(path, "r", stdin));
	char *argv[] = {"chat", NULL};
	cr_expect_eq(cmd_chat(1, argv), 0);
	char *got = redirected_stdout();
	cr_expect(strstr(got, "Hi alice!"), "%s", got);
	free(got);
	unlink(path);
}
