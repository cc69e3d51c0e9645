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
 * write with the body arg (NULL: Telegram's compact echo of message 7), and
 * says so. */
static void *serve_one(void *arg)
{
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
	const char *json = arg ? arg : "{\"ok\":true,\"result\":{\"message_id\":7,\"x\":1}}";
	char reply[1024];
	int n = snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
	cr_assert_eq(write(fd, reply, (size_t)n), (ssize_t)n);
	atomic_store(&answered, 1);
	sleep(5);	/* the connection stays open, as a kept-alive one does */
	close(fd);
	return NULL;
}

/* A client of a server thread that answers one request with body. */
static struct tg_client *serve(const char *body)
{
	atomic_store(&answered, 0);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(listener, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(listener, 1), 0);
	socklen_t len = sizeof a;
	getsockname(listener, (struct sockaddr *)&a, &len);
	pthread_t t;
	pthread_create(&t, NULL, serve_one, (void *)body);
	pthread_detach(t);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	return tg_open(url, "1:t", NULL, NULL);
}

Test(telegram, a_send_finished_before_the_wait_does_not_wait)
{
	struct tg_client *c = serve(NULL);
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

/* One sendMessage to a server that answers body; the client (to close, with
 * the listener) once its result is in *r, NULL when none came. */
static struct tg_client *send_once(const char *body, struct tg_result *r)
{
	struct tg_client *c = serve(body);
	static char tag;
	tg_start(c, "sendMessage", xstrdup("{\"chat_id\":1}"), 10, 1, &tag);
	void *user = NULL;
	for (int k = 0; k < 500; k++) {
		tg_run(c, 10);
		if (tg_next_done(c, &user, r))
			return c;
	}
	tg_close(c);
	close(listener);
	return NULL;
}

/* A sendMessage echo is not parsed (only its message_id is read), also
 * when the server writes its JSON with blanks, as the fake server and any
 * json.dumps do: before, only the compact form skipped the parse, and the
 * benchmark parsed every echo whole. */
Test(telegram, an_echo_with_blanks_is_not_parsed)
{
	static const char *const bodies[] = {
		"{\"ok\":true,\"result\":{\"message_id\":7,\"text\":\"a\"}}",
		"{\"ok\": true, \"result\": {\"message_id\": 7, \"text\": \"a\"}}",
		" {\n \"ok\" : true ,\n \"result\" : { \"message_id\" : 7 } }",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		struct tg_result r;
		struct tg_client *c = send_once(bodies[i], &r);
		cr_assert(c, "body %zu: no answer", i);
		cr_expect_eq(r.status, TG_OK, "body %zu", i);
		cr_expect_null(r.json, "body %zu was parsed", i);
		cr_expect_eq(tg_result_message_id(&r), 7, "body %zu", i);
		tg_result_free(&r);
		tg_close(c);
		close(listener);
	}
}

/* What is not a plain success is still read whole: an error, or a success
 * whose keys come in another order. */
Test(telegram, an_answer_of_another_shape_is_parsed)
{
	static const char *const bodies[] = {
		"{\"result\":{\"message_id\":7},\"ok\":true}",
		"{\"ok\": false, \"error_code\": 400, \"description\": \"Bad Request: x\"}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		struct tg_result r;
		struct tg_client *c = send_once(bodies[i], &r);
		cr_assert(c, "body %zu: no answer", i);
		cr_expect_not_null(r.json, "body %zu was not parsed", i);
		if (i == 0) {
			cr_expect_eq(r.status, TG_OK);
			cr_expect_eq(tg_result_message_id(&r), 7);
		} else {
			cr_expect_eq(r.status, TG_API_ERROR);
			cr_expect_eq(r.error_code, 400);
		}
		tg_result_free(&r);
		tg_close(c);
		close(listener);
	}
}
