/* state — see state.h.
 *
 * Why two slots and not a temp file renamed over the old one: creating,
 * fsyncing and renaming a file costs ~400 us of the bot's CPU per update
 * on ext4 (new inode, directory update, journal commit), far more than the
 * whole rest of handling an update. Overwriting one of two fixed slots in
 * place and fdatasync()ing it keeps the same guarantees for a fraction:
 * each save is on disk before the next reply goes out (fdatasync; a kill -9
 * loses nothing at all once pwrite returned), and a save torn by a power
 * cut fails its checksum, so loading falls back to the other slot, one
 * update older: at most that update is answered twice. */
#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLOT_SIZE 16384	/* 512 ids of 20 digits and the header fit with room */
#define SUM_KEY ",\"sum\":\""
#define LEGACY_MAX (64 * 1024)	/* an old state.json: 512 ids and a header */

static void add_recent(struct state *s, int64_t id)
{
	s->recent[s->head] = id;
	s->head = (s->head + 1) % STATE_RECENT;
	if (s->nrecent < STATE_RECENT)
		s->nrecent++;
}

/* Detects a torn or half-written slot, not tampering. */
static uint64_t checksum(const char *p, size_t n)
{
	return fnv1a(p, n, FNV1A_INIT);
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

static void read_recent(struct state *s, const char *text)
{
	const char *p = strstr(text, "\"recent\"");
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
}

struct slot {
	int valid;
	int64_t seq, time, offset;
	char text[SLOT_SIZE + 1];
};

/* A slot is valid when its line ends in the checksum of what precedes it. */
static void parse_slot(struct slot *sl, const char *data, size_t len)
{
	memset(sl, 0, sizeof *sl);
	const char *nl = memchr(data, '\n', len);
	if (!nl)
		return;
	memcpy(sl->text, data, (size_t)(nl - data));
	sl->text[nl - data] = '\0';
	char *sum = strstr(sl->text, SUM_KEY);
	unsigned long long want;
	if (!sum || sscanf(sum + strlen(SUM_KEY), "%16llx", &want) != 1 ||
	    checksum(sl->text, (size_t)(sum - sl->text)) != want)
		return;
	*sum = '\0';
	sl->valid = find_number(sl->text, "\"seq\"", &sl->seq) &&
		    find_number(sl->text, "\"offset\"", &sl->offset) &&
		    find_number(sl->text, "\"time\"", &sl->time) &&
		    sl->offset >= 0;	/* damaged or forged: offset - 1 would overflow */
}

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\n')
			return 0;
	return 1;
}

/* Reads the two slots at the front of the file, never more: a huge file
 * (damaged, or not ours) must not cost its size in memory and time. */
static int load_slots(struct state *s, const char *path, off_t size, struct sbuf *err)
{
	size_t len = 0;
	char *data = xmalloc(2 * SLOT_SIZE + 1);
	ssize_t n;
	while (len < 2 * SLOT_SIZE &&
	       (n = pread(s->fd, data + len, 2 * SLOT_SIZE - len, (off_t)len)) != 0) {
		if (n < 0) {
			sbuf_addf(err, "%s: cannot read: %s\n", path, strerror(errno));
			free(data);
			return -1;
		}
		len += (size_t)n;
	}
	data[len] = '\0';
	struct slot *a = xcalloc(2, sizeof *a), *best = NULL;
	for (int i = 0; i < 2; i++) {
		size_t at = (size_t)i * SLOT_SIZE;
		if (len > at)
			parse_slot(&a[i], data + at, len - at < SLOT_SIZE ? len - at : SLOT_SIZE);
		if (a[i].valid && (!best || a[i].seq > best->seq))
			best = &a[i];
	}
	int rc = 0;
	if (best) {
		s->seq = (uint64_t)best->seq;
		s->offset = best->offset;
		s->max_done = best->offset - 1;
		s->last_activity = (double)best->time;
		read_recent(s, best->text);
	} else if (!blank(data, len) || size > 2 * SLOT_SIZE) {	/* ours: 32 KB exactly */
		sbuf_addf(err, "%s: not a cancelbot state file, or both copies damaged "
			  "(move it away to start fresh)\n", path);
		rc = -1;
	}
	free(a);
	free(data);
	return rc;
}

/* The state.json of earlier versions: read once, replaced by the slots. */
static int load_legacy(struct state *s, struct sbuf *err)
{
	char *path = xasprintf("%s/state.json", s->dir);
	char *data = read_file_max(path, LEGACY_MAX, NULL);
	int rc = 0;
	int64_t offset;
	if (!data && errno != ENOENT) {
		sbuf_addf(err, "%s: cannot read: %s (move it away to start fresh)\n", path,
			  strerror(errno));
		rc = -1;
	} else if (data && find_number(data, "\"offset\"", &offset) && offset >= 0) {
		s->offset = offset;
		s->max_done = offset - 1;
		s->last_activity = (double)time(NULL);
		read_recent(s, data);
		s->migrated = 1;
	} else if (data) {
		sbuf_addf(err, "%s: not a cancelbot state file (move it away to start fresh)\n", path);
		rc = -1;
	}
	free(data);
	free(path);
	return rc;
}

/* Opens (creating: two blank slots) STATE_DIR/state.slots. */
static int open_slots(struct state *s, struct sbuf *err)
{
	char *path = xasprintf("%s/state.slots", s->dir);
	s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	int rc = -1;
	if (s->fd < 0 || fstat(s->fd, &st) < 0) {
		sbuf_addf(err, "%s: cannot open: %s\n", path, strerror(errno));
	} else if (st.st_size == 0) {
		/* blank slots written once, so that saves never change the
		 * file's size: fdatasync then flushes one data block only */
		char *fill = xmalloc(2 * SLOT_SIZE);
		memset(fill, ' ', 2 * SLOT_SIZE);
		fill[SLOT_SIZE - 1] = fill[2 * SLOT_SIZE - 1] = '\n';
		rc = pwrite(s->fd, fill, 2 * SLOT_SIZE, 0) == 2 * SLOT_SIZE && fsync(s->fd) == 0 ? 0 : -1;
		free(fill);
		if (rc < 0)
			sbuf_addf(err, "%s: cannot write: %s\n", path, strerror(errno));
		else
			rc = load_legacy(s, err);
	} else {
		rc = load_slots(s, path, st.st_size, err);
	}
	free(path);
	return rc;
}

int state_open(struct state *s, const char *dir, struct sbuf *err)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = s->fd = -1;
	s->dir = xstrdup(dir);
	if (mkdir_p(dir) < 0) {
		sbuf_addf(err, "%s: cannot create state directory: %s\n", dir, strerror(errno));
		return -1;
	}
	/* only a lock held elsewhere means another instance: a read-only or
	 * unwritable directory must say so, or the admin hunts a ghost */
	char *lock = xasprintf("%s/lock", dir);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc = 0;
	if (s->lock_fd < 0) {
		sbuf_addf(err, "%s: cannot open: %s\n", lock, strerror(errno));
		rc = -1;
	} else if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			sbuf_addf(err, "%s: another cancelbot is running with this state "
				  "directory (lock held); stop it first\n", dir);
		else
			sbuf_addf(err, "%s: cannot lock: %s\n", lock, strerror(errno));
		rc = -1;
	}
	free(lock);
	return rc < 0 ? -1 : open_slots(s, err);
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

/* Writes the next slot in turn; its own line, checksum last. */
static int save(struct state *s)
{
	char text[SLOT_SIZE];
	s->seq++;
	int n = snprintf(text, sizeof text, "{\"seq\":%" PRIu64 ",\"time\":%lld,\"offset\":%lld,"
			 "\"recent\":[", s->seq, (long long)s->last_activity, (long long)s->offset);
	/* ids below the offset are answered by definition: only those above it
	 * (answered while an earlier update still waits for its replies) need
	 * saving, which keeps the line short */
	const char *sep = "";
	for (size_t i = 0; i < s->nrecent && n < SLOT_SIZE - 64; i++) {
		size_t k = (s->head + STATE_RECENT - s->nrecent + i) % STATE_RECENT;
		if (s->recent[k] < s->offset)
			continue;
		n += snprintf(text + n, sizeof text - (size_t)n, "%s%lld", sep, (long long)s->recent[k]);
		sep = ",";
	}
	n += snprintf(text + n, sizeof text - (size_t)n, "]");
	n += snprintf(text + n, sizeof text - (size_t)n, SUM_KEY "%016llx\"}\n",
		      (unsigned long long)checksum(text, (size_t)n));
	off_t at = (off_t)(s->seq % 2) * SLOT_SIZE;
	if (pwrite(s->fd, text, (size_t)n, at) != n || fdatasync(s->fd) < 0)
		return -1;
	if (s->migrated) {	/* the slots hold it now */
		char *old = xasprintf("%s/state.json", s->dir);
		unlink(old);
		free(old);
		s->migrated = 0;
	}
	return 0;
}

int state_mark(struct state *s, int64_t id, int64_t floor)
{
	s->last_activity = (double)time(NULL);
	if (id > s->max_done)
		s->max_done = id;
	/* INT64_MAX has no successor: the offset stays there and the ring of
	 * recent ids keeps that update from being answered twice */
	int64_t done_next = s->max_done < INT64_MAX ? s->max_done + 1 : INT64_MAX;
	int64_t next = done_next < floor ? done_next : floor;
	if (next > s->offset)
		s->offset = next;
	add_recent(s, id);
	return save(s);
}

void state_close(struct state *s)
{
	if (s->fd >= 0 && s->dir)
		close(s->fd);
	if (s->dir && s->lock_fd >= 0)	/* a zeroed struct was never opened */
		close(s->lock_fd);
	free(s->dir);
	memset(s, 0, sizeof *s);
	s->lock_fd = s->fd = -1;
}
