/* journal — see journal.h. */
#define _POSIX_C_SOURCE 200809L
#include "journal.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define COMPACT_MIN (1L << 20)	/* never rewrite a file smaller than this */
#define COMPACT_FACTOR 4	/* ... or less than this many times its live part */
/* The file grows by blank (NUL) chunks written ahead, once, and lines are
 * written into them in place: a save that never changes the file's size
 * is one data block for fdatasync, where an append also commits the new
 * size to the filesystem journal (measured: ~40 us of CPU per save more;
 * the two-slot state file of before did the same). Reading stops at the
 * first NUL. */
#define CHUNK (256L * 1024)

struct journal {
	char *path, *dir;
	int fd;
	long size, live;	/* bytes of lines; bytes at the last rewrite */
	long allocated;		/* the file's length: lines, then NULs */
	uint64_t next_seq;
	struct sbuf pending;	/* lines for the next write */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A line's checksum: FNV-1a over 8-byte little-endian words, then the
 * last bytes one by one. Each step (h ^ w) * prime is a bijection of w,
 * so any one changed word changes the sum. Byte-wise FNV-1a (the sum
 * lines had before, still accepted when read) made a multiply per byte of
 * every reply's kilobytes: ~9 000 instructions per update. */
static uint64_t line_sum(const char *p, size_t n)
{
	uint64_t h = FNV1A_INIT;
	for (; n >= 8; p += 8, n -= 8) {
		const unsigned char *c = (const unsigned char *)p;
		uint64_t w = (uint64_t)c[0] | (uint64_t)c[1] << 8 | (uint64_t)c[2] << 16 |
			     (uint64_t)c[3] << 24 | (uint64_t)c[4] << 32 | (uint64_t)c[5] << 40 |
			     (uint64_t)c[6] << 48 | (uint64_t)c[7] << 56;
		h = (h ^ w) * 1099511628211ULL;
	}
	return fnv1a(p, n, h);
}

/* Ends the line that starts at b->p + from with its checksum. */
static void seal(struct sbuf *b, size_t from)
{
	uint64_t sum = line_sum(b->p + from, b->len - from);
	sbuf_addc(b, ' ');
	sbuf_add_hex64(b, sum);
	sbuf_addc(b, '\n');
}

static void put_reply(struct sbuf *b, const struct outbox_item *it)
{
	const struct reply *r = &it->r;
	size_t from = b->len;
	/* the time as milliseconds in integers: "%.3f" alone cost more than
	 * the rest of the line's numbers (glibc formats a double exactly) */
	long long ms = llround(it->queued_wall * 1000.0);
	/* what sbuf_addf("Q %llu %lld %lld.%03lld {\"c\":%lld,...\"g\":%d,\"t\":")
	 * wrote, number by number */
	sbuf_add(b, "Q ", 2);
	sbuf_add_u64(b, it->seq);
	sbuf_addc(b, ' ');
	sbuf_add_i64(b, it->update_id);
	if (ms >= 0) {
		char frac[5] = {'.', (char)('0' + ms % 1000 / 100), (char)('0' + ms % 100 / 10),
				(char)('0' + ms % 10), ' '};
		sbuf_addc(b, ' ');
		sbuf_add_i64(b, ms / 1000);
		sbuf_add(b, frac, sizeof frac);
	} else {	/* a clock before 1970: as printf wrote it */
		sbuf_addf(b, " %lld.%03lld ", ms / 1000, ms % 1000);
	}
	static const char *const keys[] = {"{\"c\":", ",\"rt\":", ",\"th\":", ",\"e\":", ",\"g\":"};
	const int64_t vals[] = {r->chat_id, r->reply_to, r->thread_id, r->edit_id, r->is_group};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		sbuf_adds(b, keys[i]);
		sbuf_add_i64(b, vals[i]);
	}
	sbuf_adds(b, ",\"t\":");
	sbuf_add_json_str(b, r->text ? r->text : "");
	sbuf_adds(b, ",\"s\":");
	sbuf_add_json_str(b, r->source);
	sbuf_adds(b, ",\"tp\":");
	sbuf_add_json_str(b, r->topic);
	sbuf_adds(b, ",\"ca\":");
	sbuf_add_json_str(b, r->carrier);
	sbuf_adds(b, ",\"k\":");
	sbuf_add_json_str(b, r->dedup_key);
	if (r->group_chat_id) {	/* a group's answer sent in private (tg) */
		sbuf_addf(b, ",\"gc\":%" PRId64 ",\"gr\":%" PRId64 ",\"gt\":%" PRId64 ",\"gn\":",
			  r->group_chat_id, r->group_reply_to, r->group_thread_id);
		sbuf_add_json_str(b, r->group_note);
	}
	sbuf_adds(b, ",\"b\":[");
	for (size_t i = 0; i < r->nbuttons; i++) {
		sbuf_adds(b, i ? ",[" : "[");
		sbuf_add_json_str(b, r->buttons[i].text);
		sbuf_addc(b, ',');
		sbuf_add_json_str(b, r->buttons[i].data);
		sbuf_addc(b, ']');
	}
	sbuf_adds(b, "]}");
	seal(b, from);
}

static void put_offset(struct sbuf *b, int64_t offset, double wall)
{
	size_t from = b->len;
	sbuf_addf(b, "O %" PRId64 " %.0f", offset, wall);
	seal(b, from);
}

static void copy_str(char *dst, size_t cap, const cJSON *v)
{
	snprintf(dst, cap, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int64_t num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* A Q line's JSON back into a reply (text malloc'ed). -1 when unusable. */
static int get_reply(const char *json, struct reply *r)
{
	cJSON *o = cJSON_Parse(json);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t");
	if (!cJSON_IsString(t)) {
		cJSON_Delete(o);
		return -1;
	}
	memset(r, 0, sizeof *r);
	r->chat_id = num(o, "c");
	r->reply_to = num(o, "rt");
	r->thread_id = num(o, "th");
	r->edit_id = num(o, "e");
	r->is_group = (int)num(o, "g");
	r->text = xstrdup(t->valuestring);
	copy_str(r->source, sizeof r->source, cJSON_GetObjectItemCaseSensitive(o, "s"));
	copy_str(r->topic, sizeof r->topic, cJSON_GetObjectItemCaseSensitive(o, "tp"));
	copy_str(r->carrier, sizeof r->carrier, cJSON_GetObjectItemCaseSensitive(o, "ca"));
	copy_str(r->dedup_key, sizeof r->dedup_key, cJSON_GetObjectItemCaseSensitive(o, "k"));
	r->group_chat_id = num(o, "gc");
	r->group_reply_to = num(o, "gr");
	r->group_thread_id = num(o, "gt");
	copy_str(r->group_note, sizeof r->group_note, cJSON_GetObjectItemCaseSensitive(o, "gn"));
	const cJSON *bt;
	cJSON_ArrayForEach(bt, cJSON_GetObjectItemCaseSensitive(o, "b")) {
		if (r->nbuttons == DIALOG_MAX_BUTTONS || cJSON_GetArraySize(bt) != 2)
			break;
		copy_str(r->buttons[r->nbuttons].text, sizeof r->buttons[0].text, cJSON_GetArrayItem(bt, 0));
		copy_str(r->buttons[r->nbuttons].data, sizeof r->buttons[0].data, cJSON_GetArrayItem(bt, 1));
		r->nbuttons++;
	}
	cJSON_Delete(o);
	return 0;
}

/* The line without its checksum, NUL-terminated in place; NULL when the
 * checksum is missing or wrong (a torn write). */
static char *check_line(char *line, size_t len)
{
	if (len < 18 || line[len - 1] != '\n' || line[len - 18] != ' ')
		return NULL;
	uint64_t want = strtoull(line + len - 17, NULL, 16);
	line[len - 18] = '\0';
	/* this version's sum, or the byte-wise one of files written before */
	return line_sum(line, len - 18) == want || fnv1a(line, len - 18, FNV1A_INIT) == want
		       ? line : NULL;
}

struct qline {
	uint64_t seq;
	int64_t update_id;
	double wall;
	char *json;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Reads the file back. Returns 1 when it should be rewritten (a torn or
 * uncommitted tail), 0 when not, -1 on a read error. */
static int replay(struct journal *j, FILE *f, struct outbox *ob, int64_t *offset, double *wall)
{
	struct qline *q = NULL;
	uint64_t *done = NULL;
	size_t nq = 0, capq = 0, nd = 0, capd = 0, committed = 0;
	int dirty = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0 && line[0] != '\0') {
		char *s = check_line(line, (size_t)len);
		if (!s) {
			dirty = 1;	/* a torn write: nothing after it counts */
			break;
		}
		unsigned long long seq;
		long long id, off;
		double w;
		int at = 0;
		if (s[0] == 'Q' && sscanf(s, "Q %llu %lld %lf %n", &seq, &id, &w, &at) == 3 && at) {
			if (nq == capq)
				q = xrealloc(q, (capq = capq ? capq * 2 : 64) * sizeof *q);
			q[nq++] = (struct qline){seq, id, w, xstrdup(s + at)};
		} else if (s[0] == 'D' && sscanf(s, "D %llu", &seq) == 1) {
			if (nd == capd)
				done = xrealloc(done, (capd = capd ? capd * 2 : 64) * sizeof *done);
			done[nd++] = seq;
		} else if (s[0] == 'O' && sscanf(s, "O %lld %lf", &off, &w) == 2) {
			*offset = off;
			*wall = w;
			committed = nq;
		} else {
			dirty = 1;
			break;
		}
		if (s[0] != 'O' && seq >= j->next_seq)
			j->next_seq = seq + 1;
		j->size += (long)len;
	}
	int rc = ferror(f) ? -1 : dirty || committed < nq;
	free(line);
	if (nd)	/* qsort and bsearch want an array, even an empty one */
		qsort(done, nd, sizeof *done, cmp_u64);
	double mono = now_seconds(), now = wall_now();
	for (size_t i = 0; i < nq; i++) {
		struct reply r;
		if (i < committed && !(nd && bsearch(&q[i].seq, done, nd, sizeof *done, cmp_u64))) {
			if (get_reply(q[i].json, &r) == 0)
				outbox_restore(ob, q[i].seq, q[i].update_id, &r, mono - (now - q[i].wall),
					       q[i].wall);
			else
				log_warn("journal_line_unusable", KV("seq", (unsigned long long)q[i].seq));
		}
		free(q[i].json);
	}
	free(q);
	free(done);
	return rc;
}

static void put_item(void *user, const struct outbox_item *it)
{
	put_reply(user, it);
}

/* Writes everything live (the outbox, the offset) to a new file and puts
 * it in place of the old one. */
static int rewrite(struct journal *j, const struct outbox *ob, int64_t offset, double wall)
{
	struct sbuf b = {0};
	outbox_each(ob, put_item, &b);
	if (offset >= 0)	/* -1: nothing was ever committed */
		put_offset(&b, offset, wall);
	char *tmp = xasprintf("%s.tmp", j->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;
	if (fd >= 0 && write(fd, b.p, b.len) == (ssize_t)b.len && fsync(fd) == 0 &&
	    rename(tmp, j->path) == 0) {
		int dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {	/* the rename itself on disk */
			fsync(dfd);
			close(dfd);
		}
		close(j->fd);
		j->fd = fd;
		fd = -1;
		j->size = j->live = j->allocated = (long)b.len;
		j->pending.len = 0;
		rc = 0;
	}
	int e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	sbuf_free(&b);
	errno = e;
	return rc;
}

static void store_add(void *self, const struct outbox_item *it)
{
	struct journal *j = self;
	((struct outbox_item *)it)->seq = j->next_seq++;	/* the outbox's own item */
	put_reply(&j->pending, it);
}

/* Writes blank chunks past the end until need bytes fit, synced once.
 * The NULs come from one static block named once per 64 KB of the write
 * (pwritev): a chunk calloc'ed and freed each time was over malloc's
 * thresholds, so every growth also consolidated and trimmed the heap. */
#define ZERO_BLOCK (64L * 1024)
#define ZERO_IOV 16
static int grow(struct journal *j, long need)
{
	static const char zero[ZERO_BLOCK];
	if (j->size + need <= j->allocated)
		return 0;
	long to = j->allocated;
	while (to < j->size + need)
		to += CHUNK;
	for (long at = j->allocated; at < to;) {
		struct iovec iov[ZERO_IOV];
		long len = 0;
		int k = 0;
		for (; k < ZERO_IOV && at + len < to; k++) {
			long piece = to - at - len < ZERO_BLOCK ? to - at - len : ZERO_BLOCK;
			iov[k] = (struct iovec){.iov_base = (void *)zero, .iov_len = (size_t)piece};
			len += piece;
		}
		if (pwritev(j->fd, iov, k, at) != len)
			return -1;	/* the next growth writes it all again */
		at += len;
	}
	if (fsync(j->fd) < 0)
		return -1;
	j->allocated = to;
	return 0;
}

static int flush(struct journal *j, int sync)
{
	if (!j->pending.len)
		return 0;
	if (grow(j, (long)j->pending.len) < 0)
		return -1;
	ssize_t n = pwrite(j->fd, j->pending.p, j->pending.len, j->size);
	if (n != (ssize_t)j->pending.len || (sync && fdatasync(j->fd) < 0))
		return -1;	/* the next write goes to the same place */
	j->size += n;
	j->pending.len = 0;
	return 0;
}

static int store_done(void *self, uint64_t seq, int sync)
{
	struct journal *j = self;
	size_t from = j->pending.len;
	sbuf_addf(&j->pending, "D %" PRIu64, seq);
	seal(&j->pending, from);
	/* a sent reply's line goes out now, with the Q lines of a batch not
	 * yet committed: harmless, they count only after an O line */
	return sync ? flush(j, 1) : 0;
}

struct outbox_store journal_store(struct journal *j)
{
	return (struct outbox_store){.self = j, .add = store_add, .done = store_done};
}

int journal_commit(struct journal *j, const struct outbox *ob, int64_t offset, double wall)
{
	long limit = j->live * COMPACT_FACTOR > COMPACT_MIN ? j->live * COMPACT_FACTOR : COMPACT_MIN;
	if (j->size + (long)j->pending.len > limit)
		return rewrite(j, ob, offset, wall);
	put_offset(&j->pending, offset, wall);
	return flush(j, 1);
}

uint64_t journal_last_seq(const struct journal *j)
{
	return j->next_seq - 1;
}

long journal_size(const struct journal *j)
{
	return j->size;
}

struct journal *journal_open(const char *dir, struct outbox *ob, int64_t *offset, double *wall,
			     struct sbuf *err)
{
	struct journal *j = xcalloc(1, sizeof *j);
	j->dir = xstrdup(dir);
	j->path = xasprintf("%s/outbox.journal", dir);
	j->next_seq = 1;
	*offset = -1;
	*wall = 0;
	j->fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	FILE *f = j->fd >= 0 ? fdopen(dup(j->fd), "r") : NULL;
	int rc = f ? replay(j, f, ob, offset, wall) : -1;
	if (f)
		fclose(f);
	struct stat st;
	if (rc >= 0 && fstat(j->fd, &st) == 0)
		j->allocated = (long)st.st_size;
	if (rc > 0) {	/* a torn or uncommitted tail: keep what counts, drop the rest */
		log_warn("journal_recovered", KV("file", j->path),
			 KV("msg", "the last write was cut short; its updates are fetched again"));
		rc = rewrite(j, ob, *offset, *wall);
	}
	if (rc < 0) {
		sbuf_addf(err, "%s: cannot read or write: %s\n", j->path, strerror(errno));
		journal_close(j);
		return NULL;
	}
	j->live = j->size;
	return j;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	sbuf_free(&j->pending);
	free(j->path);
	free(j->dir);
	free(j);
}
