/* bench_util — what the two libcurl floor programs (bench_curl, bench_floor)
 * share: a write callback that drops the server's answer (the floor does not
 * parse it) and the process's CPU clock. Header-only: each program is one
 * file built on its own, without the bot's objects. */
#ifndef CANCELBOT_BENCH_UTIL_H
#define CANCELBOT_BENCH_UTIL_H

#include <stddef.h>
#include <time.h>

static inline size_t discard(char *data, size_t size, size_t nmemb, void *user)
{
	(void)data, (void)user;
	return size * nmemb;
}

static inline double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
