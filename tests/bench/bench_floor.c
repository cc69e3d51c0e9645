/* bench_floor — the floor under the bot's CPU per update: a minimal
 * program that does, per update, what the bot cannot avoid doing — one
 * sendMessage over a kept-alive libcurl connection (the reply body
 * written directly, the echoed answer not parsed), the same durability
 * record as state.c (a 16 KB slot overwritten in place and fdatasync()ed)
 * and one log line — plus one getUpdates call per 100 updates (the bot's
 * batch size). bench_e2e.py divides the bot's CPU per update by this
 * program's. Talks only to URL on 127.0.0.1 (the fake Bot API server);
 * never run by the tests.
 *
 * usage: bench_floor http://127.0.0.1:PORT/botTOKEN N DIR */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include "bench_util.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOT 16384	/* state.c's SLOT_SIZE */
#define BATCH 100	/* getUpdates limit */


static int post(CURL *h, const char *url, const char *body)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	return curl_easy_perform(h) == CURLE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 4 || strncmp(argv[1], "http://127.0.0.1:", 17) != 0) {
		fprintf(stderr, "usage: bench_floor http://127.0.0.1:PORT/botTOKEN N DIR\n");
		return 2;
	}
	int n = atoi(argv[2]);
	char send_url[512], poll_url[512], path[512], log_path[512];
	snprintf(send_url, sizeof send_url, "%s/sendMessage", argv[1]);
	snprintf(poll_url, sizeof poll_url, "%s/getUpdates", argv[1]);
	snprintf(path, sizeof path, "%s/floor.slots", argv[3]);
	snprintf(log_path, sizeof log_path, "%s/floor.log", argv[3]);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	FILE *log = fopen(log_path, "w");
	if (n < 1 || fd < 0 || !log) {
		fprintf(stderr, "bench_floor: N >= 1 and a writable DIR\n");
		return 2;
	}
	static char slot[SLOT];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *h = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	int failed = 0;
	double cpu0 = cpu_now();
	for (int i = 0; i < n && !failed; i++) {
		char body[512];
		if (i % BATCH == 0)
			failed |= post(h, poll_url, "{\"offset\":1,\"timeout\":0,\"limit\":100}");
		snprintf(body, sizeof body, "{\"chat_id\":%d,\"text\":\"<b>AT&amp;T</b> postpaid: "
			 "call 611 to cancel; keep the line until the port is done.\","
			 "\"parse_mode\":\"HTML\",\"link_preview_options\":{\"is_disabled\":true}}",
			 10000000 + i);
		failed |= post(h, send_url, body);
		int len = snprintf(slot, sizeof slot, "{\"offset\":%d,\"recent\":[%d]}", i + 1, i);
		failed |= pwrite(fd, slot, SLOT, (off_t)(i % 2) * SLOT) != SLOT || len < 0;
		failed |= fdatasync(fd) != 0;
		fprintf(log, "2026-11-30T00:00:00Z level=info event=handled update=%d chat=%d "
			"chat_type=private replies=1 intent=cancel carrier=att unmatched=0\n", i,
			10000000 + i);
		fflush(log);
	}
	double cpu = cpu_now() - cpu0;
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	fclose(log);
	close(fd);
	unlink(path);
	unlink(log_path);
	if (failed) {
		fprintf(stderr, "bench_floor: a request or a write failed\n");
		return 1;
	}
	printf("cpu_us_per_update %.1f\n", cpu / n * 1e6);
	return 0;
}
