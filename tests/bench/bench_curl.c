/* bench_curl — the floor under the bot's end-to-end figures: what libcurl
 * alone costs on this machine. It posts a sendMessage body N times over
 * kept-alive connections to URL (the fake Bot API server on 127.0.0.1, never
 * anything else), with K requests in flight at once through the multi
 * interface (K = 1: one after the other, as the bot sends), and prints its
 * CPU time per request and its own peak resident memory, as `key value`
 * lines for bench_e2e.py. The bot cannot do better than this per update or
 * in memory while it uses libcurl, which the project requires; K > 1 shows
 * whether sending in parallel would lower the floor. Never run by the tests. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include "bench_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static long peak_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static CURL *new_handle(const char *url, struct curl_slist *headers)
{
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	return h;
}

static void set_body(CURL *h, int i)
{
	char body[256];
	snprintf(body, sizeof body, "{\"chat_id\":%d,\"text\":\"<b>AT&amp;T</b> postpaid: "
		 "call 611 to cancel; keep the line until the port is done.\","
		 "\"parse_mode\":\"HTML\"}", 30000000 + i);
	curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
}

/* n requests, k at a time; 0 when all succeeded. */
static int run(const char *url, int n, int k, struct curl_slist *headers)
{
	CURLM *m = curl_multi_init();
	CURL *h[64];
	int started = 0, done = 0, failed = 0;
	for (int i = 0; i < k && started < n; i++) {
		h[i] = new_handle(url, headers);
		set_body(h[i], started++);
		curl_multi_add_handle(m, h[i]);
	}
	while (done < n && !failed) {
		int running, left;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			failed |= msg->data.result != CURLE_OK;
			done++;
			curl_multi_remove_handle(m, msg->easy_handle);
			if (started < n) {
				set_body(msg->easy_handle, started++);
				curl_multi_add_handle(m, msg->easy_handle);
			}
		}
		if (done < n && !failed)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < k && i < n; i++) {
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
	}
	curl_multi_cleanup(m);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || strncmp(argv[1], "http://127.0.0.1:", 17) != 0) {
		fprintf(stderr, "usage: bench_curl http://127.0.0.1:PORT/botTOKEN/sendMessage N [K]\n");
		return 2;
	}
	int n = atoi(argv[2]), k = argc > 3 ? atoi(argv[3]) : 1;
	if (n < 1 || k < 1 || k > 64) {
		fprintf(stderr, "bench_curl: N >= 1 and 1 <= K <= 64\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	double cpu0 = cpu_now();
	int failed = run(argv[1], n, k, headers);
	double cpu = cpu_now() - cpu0;
	curl_slist_free_all(headers);
	curl_global_cleanup();
	if (failed) {
		fprintf(stderr, "bench_curl: a request failed\n");
		return 1;
	}
	printf("cpu_us_per_request %.1f\npeak_rss_kb %ld\n", cpu / n * 1e6, peak_kb());
	return 0;
}
