/* wake — see wake.h. A self-pipe: write() is async-signal-safe, which
 * curl_multi_wakeup is not documented to be. */
#define _GNU_SOURCE
#include "wake.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static int fds[2] = {-1, -1};

int wake_open(void)
{
	if (fds[0] >= 0)
		return 0;
	return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

int wake_fd(void)
{
	return fds[0];
}

void wake_post(void)
{
	int saved = errno;
	if (fds[1] >= 0) {
		char c = 1;
		ssize_t n = write(fds[1], &c, 1);	/* EAGAIN: full, a wake-up is pending */
		(void)n;
	}
	errno = saved;
}

void wake_drain(void)
{
	char buf[64];
	while (fds[0] >= 0 && read(fds[0], buf, sizeof buf) > 0)
		;
}

void wake_close(void)
{
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}
