/* state — see state.h. */
#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	int rc = mkdir(p, 0700);
	free(p);
	return rc == 0 || errno == EEXIST ? 0 : -1;
}

static void add_recent(struct state *s, int64_t id)
{
	s->recent[s->head] = id;
	s->head = (s->head + 1) % STATE_RECENT;
	if (s->nrecent < STATE_RECENT)
		s->nrecent++;
}

/* Reads the integer after "key": in text, exactly (int64, not via double). */
static const char *find_number(const char *text, const char *key, int64_t *out)
{
	const char *p = strstr(text, key);
	if (!p)
		return NULL;
	p += strlen(key);
	while (*p == ' ' || *p == ':')
		p++;
	char *end;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (end == p || errno)
		return NULL;
	*out = v;
	return end;
}

static int load(struct state *s, struct sbuf *err)
{
	char *path = xasprintf("%s/state.json", s->dir);
	char *data = read_file(path, NULL);
	if (!data) {
		int missing = errno == ENOENT;
		if (!missing)
			sbuf_addf(err, "%s: cannot read: %s\n", path, strerror(errno));
		free(path);
		return missing ? 0 : -1;
	}
	/* cJSON checks the shape; the numbers are read from the text, exactly */
	cJSON *j = cJSON_Parse(data);
	int64_t offset;
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "offset")) ||
	    !find_number(data, "\"offset\"", &offset)) {
		sbuf_addf(err, "%s: not a cancelbot state file (move it away to start fresh)\n", path);
		cJSON_Delete(j);
		free(data);
		free(path);
		return -1;
	}
	cJSON_Delete(j);
	s->offset = offset;
	s->max_done = offset - 1;
	struct stat st;
	s->last_activity = stat(path, &st) == 0 ? (double)st.st_mtime : 0;
	const char *p = strstr(data, "\"recent\"");
	p = p ? strchr(p, '[') : NULL;
	while (p && *p && *p != ']') {
		p++;
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		add_recent(s, v);
		p = end;
		while (*p == ' ')
			p++;
	}
	free(data);
	free(path);
	return 0;
}

int state_open(struct state *s, const char *dir, struct sbuf *err)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	s->dir = xstrdup(dir);
	if (mkdir_p(dir) < 0) {
		sbuf_addf(err, "%s: cannot create state directory: %s\n", dir, strerror(errno));
		return -1;
	}
	char *lock = xasprintf("%s/lock", dir);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		sbuf_addf(err, "%s: another cancelbot is running with this state directory "
			  "(lock held); stop it first\n", dir);
		return -1;
	}
	return load(s, err);
}

#define ID_RESET_AFTER (7 * 86400.0)

int state_expire_offset(struct state *s, double now)
{
	if (!s->offset || !s->last_activity || now - s->last_activity < ID_RESET_AFTER)
		return 0;
	s->offset = 0;
	s->max_done = 0;
	s->nrecent = s->head = 0;
	s->last_activity = now;
	return 1;
}

int state_seen(const struct state *s, int64_t id)
{
	if (id < s->offset)
		return 1;
	for (size_t i = 0; i < s->nrecent; i++)
		if (s->recent[i] == id)
			return 1;
	return 0;
}

int state_mark(struct state *s, int64_t id, int64_t floor)
{
	s->last_activity = (double)time(NULL);
	if (id > s->max_done)
		s->max_done = id;
	int64_t next = s->max_done + 1 < floor ? s->max_done + 1 : floor;
	if (next > s->offset)
		s->offset = next;
	add_recent(s, id);
	/* ids below the offset are answered by definition: only those above it
	 * (answered while an earlier update still waits for its replies) need
	 * saving, which keeps the file a few bytes long */
	char buf[64];
	struct sbuf b = {0};
	snprintf(buf, sizeof buf, "{\"offset\": %lld, \"recent\": [", (long long)s->offset);
	sbuf_adds(&b, buf);
	int first = 1;
	for (size_t i = 0; i < s->nrecent; i++) {
		size_t k = (s->head + STATE_RECENT - s->nrecent + i) % STATE_RECENT;
		if (s->recent[k] < s->offset)
			continue;
		snprintf(buf, sizeof buf, "%s%lld", first ? "" : ", ", (long long)s->recent[k]);
		sbuf_adds(&b, buf);
		first = 0;
	}
	sbuf_adds(&b, "]}\n");
	char *path = xasprintf("%s/state.json", s->dir);
	int rc = write_file_atomic(path, b.p, b.len);
	free(path);
	sbuf_free(&b);
	return rc;
}

void state_close(struct state *s)
{
	if (s->dir && s->lock_fd >= 0)	/* a zeroed struct was never opened */
		close(s->lock_fd);
	free(s->dir);
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
}
