/* langs — see langs.h. */
#define _POSIX_C_SOURCE 200809L
#include "langs.h"
#include "lang.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t langs_load(const char *state_dir, struct context *ctx)
{
	char *path = xasprintf("%s/langs", state_dir);
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return 0;
	char line[128];
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		int64_t user;
		char code[32];
		/* only codes of the language table: an edited file can't inject one */
		if (sscanf(line, "%" SCNd64 " %31s", &user, code) == 2 && lang_find(code)) {
			context_set_lang(ctx, user, lang_find(code)->code);
			n++;
		}
	}
	fclose(f);
	return n;
}

static void write_one(void *arg, int64_t user, const char *lang)
{
	fprintf(arg, "%" PRId64 " %s\n", user, lang);
}

int langs_save(const char *state_dir, struct context *ctx)
{
	char *path = xasprintf("%s/langs", state_dir);
	char *tmp = xasprintf("%s/langs.tmp", state_dir);
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		context_each_lang(ctx, write_one, f);
		int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
		ok &= fclose(f) == 0;
		rc = ok && rename(tmp, path) == 0 ? 0 : -1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc < 0) {
		log_warn("langs_save_failed", KV("path", path));
		unlink(tmp);
	}
	free(path);
	free(tmp);
	return rc;
}
