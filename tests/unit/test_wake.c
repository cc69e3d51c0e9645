/* Unit tests: the run loop's wake pipe (wake.h) — a post makes the read end
 * readable, a drain empties it, posts never block or change errno (they run
 * in signal handlers), and a post from a signal handler that ran before the wait still ends it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "wake.h"

static int readable(int timeout_ms)
{
	struct pollfd p = {.fd = wake_fd(), .events = POLLIN};
	int n;
	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;	/* the signal itself cuts the poll short; the pipe is what stays */
	return n > 0;
}

Test(wake, post_wakes_and_drain_empties)
{
	cr_assert_eq(wake_open(), 0);
	cr_assert_eq(wake_open(), 0, "a second open is a no-op");
	cr_expect_not(readable(0));
	wake_post();
	cr_expect(readable(0));
	wake_drain();
	cr_expect_not(readable(0));
	wake_close();
	cr_expect_eq(wake_fd(), -1);
}

Test(wake, posts_never_block_and_keep_errno)
{
	cr_assert_eq(wake_open(), 0);
	for (int i = 0; i < 200000; i++) {	/* far past a pipe's 64 KB */
		errno = EINTR;
		wake_post();
		cr_assert_eq(errno, EINTR);
	}
	cr_expect(readable(0));
	wake_drain();
	cr_expect_not(readable(0));
	wake_close();
	wake_post();	/* closed: a no-op, not a write to fd -1's neighbour */
}

static void on_alarm(int sig)
{
	(void)sig;
	wake_post();
}

Test(wake, a_signal_ends_the_wait)
{
	cr_assert_eq(wake_open(), 0);
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	/* raised before the wait: without the pipe the wait would not know */
	raise(SIGALRM);
	cr_expect(readable(30000), "the handler's post ended a 30 s poll");
	wake_close();
}
