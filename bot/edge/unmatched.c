/* unmatched — see unmatched.h. */
#define _POSIX_C_SOURCE 200809L
#include "unmatched.h"
#include "normalize.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int unmatched_append(const char *state_dir, const char *chat_type, const char *lang,
		     const char *text, int64_t user_id, int with_user, size_t max_bytes)
{
	char *path = xasprintf("%s/unmatched.jsonl", state_dir);
	struct stat st;
	if (stat(path, &st) == 0 && (size_t)st.st_size >= max_bytes) {
		char *old = xasprintf("%s.1", path);
		rename(path, old);	/* keep one generation; older ones go */
		free(old);
	}
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	char *clean = utf8_sanitize(text, strnlen(text, 1000));
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "time", when);
	cJSON_AddStringToObject(j, "chat_type", chat_type);
	cJSON_AddStringToObject(j, "lang", lang);
	cJSON_AddStringToObject(j, "text", clean);
	if (with_user)
		cJSON_AddNumberToObject(j, "user_id", (double)user_id);
	char *line = cJSON_PrintUnformatted(j);
	/* users' words: 0600 whatever the umask (outside systemd's UMask=0077
	 * fopen made it 0644); a file that exists keeps the mode it has */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "a");
	if (fd >= 0 && !fp)
		close(fd);
	int rc = -1;
	if (fp) {
		rc = fprintf(fp, "%s\n", line) < 0 ? -1 : 0;
		if (fclose(fp) != 0)
			rc = -1;
	}
	free(line);
	cJSON_Delete(j);
	free(clean);
	free(path);
	return rc;
}

struct tally {
	char *text;
	size_t n;
};

static int by_count(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->text, y->text);
}

/* A file the bot keeps under UNMATCHED_MAX_BYTES plus one entry; a much
 * larger one is not ours to read whole (memory, and the tally is O(n^2)). */
#define READ_MAX (UNMATCHED_MAX_BYTES + 64 * 1024)

static void count_file(const char *path, struct tally **v, size_t *n, int *read_any,
		       struct sbuf *out)
{
	char *data = read_file_max(path, READ_MAX, NULL);
	if (!data && errno == EFBIG) {
		sbuf_addf(out, "(%s is larger than %d bytes: not read)\n", path, READ_MAX);
		*read_any = 1;
	}
	if (!data)
		return;
	*read_any = 1;
	char *save = NULL;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(l);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
		if (cJSON_IsString(t)) {
			char *norm = normalize(t->valuestring, strlen(t->valuestring));
			size_t i = 0;
			while (i < *n && strcmp((*v)[i].text, norm))
				i++;
			if (i == *n) {
				*v = xrealloc(*v, (*n + 1) * sizeof **v);
				(*v)[(*n)++] = (struct tally){.text = norm, .n = 0};
			} else {
				free(norm);
			}
			(*v)[i].n++;
		}
		cJSON_Delete(j);
	}
	free(data);
}

int unmatched_top(const char *state_dir, size_t top, struct sbuf *out)
{
	struct tally *v = NULL;
	size_t n = 0;
	int read_any = 0;
	char *path = xasprintf("%s/unmatched.jsonl", state_dir);
	char *old = xasprintf("%s.1", path);
	count_file(old, &v, &n, &read_any, out);
	count_file(path, &v, &n, &read_any, out);
	free(path);
	free(old);
	if (n)
		qsort(v, n, sizeof *v, by_count);
	for (size_t i = 0; i < n; i++) {
		if (i < top)
			sbuf_addf(out, "%4zu× %s\n", v[i].n, v[i].text);
		free(v[i].text);
	}
	free(v);
	return read_any ? (int)n : -1;
}

void unmatched_report(const char *state_dir, int n, struct sbuf *out)
{
	if (unmatched_top(state_dir, n > 0 ? (size_t)n : 10, out) <= 0)
		sbuf_adds(out, "No unmatched questions logged yet.\n");
}
