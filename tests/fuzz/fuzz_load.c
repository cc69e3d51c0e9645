/* libFuzzer target: the input, cut at NUL bytes, becomes an intents file,
 * the carrier facts, an answer file and a config file; everything is
 * loaded and checked as `cancelbot check` would. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "kb.h"
#include "load.h"

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(dir, sizeof dir, "/tmp/cancelbot-fuzz-load-%ld", (long)getpid());
	char *cmd = xasprintf("rm -rf %s && mkdir -p %s/intents %s/responses/en %s/responses/zh",
			      dir, dir, dir, dir);
	if (system(cmd) != 0)
		abort();
	free(cmd);
	return 0;
}

static void put(const char *rel, const char *data, size_t n)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *fp = fopen(path, "wb");
	if (fp) {
		fwrite(data, 1, n, fp);
		fclose(fp);
	}
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {"intents/fuzz.ini", "responses/carriers.ini",
					    "responses/en/greeting.txt", "responses/zh/greeting.txt",
					    "config.ini"};
	const char *p = (const char *)data, *end = p + size;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *stop = nul ? nul : end;
		put(files[i], p, (size_t)(stop - p));
		p = nul ? nul + 1 : end;
	}
	char *in = xasprintf("%s/intents", dir), *re = xasprintf("%s/responses", dir);
	char *cfgpath = xasprintf("%s/config.ini", dir);
	struct sbuf err = {0}, warn = {0};
	struct kb_load_opts opts = {.max_age_days = 30};
	kb_free(kb_load(in, re, &opts, &err, &warn));
	struct config c;
	config_defaults(&c);
	config_load(&c, cfgpath, &err);
	config_free(&c);
	sbuf_free(&err);
	sbuf_free(&warn);
	free(in);
	free(re);
	free(cfgpath);
	return 0;
}
