/* Unit tests: background requests (telegram.h) against a one-answer HTTP
 * server on 127.0.0.1 run by a thread of the test. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "telegram.h"
#include "util.h"

static int listener;
static atomic_int answered;

/* Reads one request (headers, then Content-Length bytes), answers it in one
 * write, and says so. */
static void *serve_one(void *arg)
{
	(void)arg;
	int fd = accept(listener, NULL, NULL);
	char buf[8192];
	size_t got = 0;
	char *end = NULL;
	while (!end && got < sizeof buf - 1) {
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	const char *cl = strstr(buf, "Content-Length: ");
	size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
	while (end && got < (size_t)(end + 4 - buf) + body) {
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				    "Content-Length: 43\r\n\r\n"
				    "{\"ok\":true,\"result\":{\"message_id\":7,\"x\":1}}";
	cr_assert_eq(write(fd, reply, sizeof reply - 1), (ssize_t)(sizeof reply - 1));
	atomic_store(&answered, 1);
	sleep(5);	/* the connection stays open, as a kept-alive one does */
	close(fd);
	return NULL;
}

Test(telegram, a_send_finished_before_the_wait_does_not_wait)
{
	listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(listener, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(listener, 1), 0);
	socklen_t len = sizeof a;
	getsockname(listener, (struct sockaddr *)&a, &len);
	pthread_t t;
	pthread_create(&t, NULL, serve_one, NULL);
	pthread_detach(t);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	struct tg_client *c = tg_open(url, "1:t", NULL, NULL);
	static char tag;
	tg_start(c, "sendMessage", xstrdup("{\"chat_id\":1}"), 10, 1, &tag);
	/* the request goes out, and its answer is in the socket, unread */
	for (int i = 0; i < 200 && !atomic_load(&answered); i++) {
		tg_run(c, 0);
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	cr_assert(atomic_load(&answered));
	/* the loop's wait: the answer is read in its first step, and nothing is
	 * left to wake the poll, so it must not be taken (before: all 4 s) */
	double t0 = now_seconds();
	tg_run(c, 4000);
	double waited = now_seconds() - t0;
	void *user = NULL;
	struct tg_result r;
	cr_assert_eq(tg_next_done(c, &user, &r), 1);
	cr_expect_eq(user, &tag);
	cr_expect_eq(r.status, TG_OK);
	cr_expect_eq(tg_result_message_id(&r), 7);
	cr_expect_lt(waited, 2.0, "tg_run waited %.2f s with its answer already in", waited);
	tg_result_free(&r);
	tg_close(c);
	close(listener);
}
