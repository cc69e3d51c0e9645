/* bench_curl — the floor under the bot's end-to-end figures: what libcurl
 * alone costs on this machine. One easy handle posts a sendMessage body N
 * times over a kept-alive connection to URL (the fake Bot API server on
 * 127.0.0.1, never anything else) and prints its CPU time per request and
 * its own peak resident memory, as `key value` lines for bench_e2e.py.
 * The bot cannot do better than this per update or in memory while it uses
 * libcurl, which the project requires. Never run by the tests. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t nmemb, void *user)
{
	(void)data, (void)user;
	return size * nmemb;
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

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

int main(int argc, char **argv)
{
	if (argc != 3 || strncmp(argv[1], "http://127.0.0.1:", 17) != 0) {
		fprintf(stderr, "usage: bench_curl http://127.0.0.1:PORT/botTOKEN/sendMessage N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *h = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, argv[1]);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	int failed = 0;
	double cpu0 = cpu_now();
	for (int i = 0; i < n && !failed; i++) {
		char body[256];
		snprintf(body, sizeof body, "{\"chat_id\":%d,\"text\":\"<b>AT&amp;T</b> postpaid: "
			 "call 611 to cancel; keep the line until the port is done.\","
			 "\"parse_mode\":\"HTML\"}", 30000000 + i);
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
		failed = curl_easy_perform(h) != CURLE_OK;
	}
	double cpu = cpu_now() - cpu0;
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	if (failed) {
		fprintf(stderr, "bench_curl: a request failed\n");
		return 1;
	}
	printf("cpu_us_per_request %.1f\npeak_rss_kb %ld\n", cpu / n * 1e6, peak_kb());
	return 0;
}
