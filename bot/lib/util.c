/* util — see util.h. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
	fputs("cancelbot: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	return sbuf_take(&b);
}

static void sbuf_grow(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	sbuf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

/* Formats straight into the room left, and a second time only when the
 * text did not fit: measuring first ran vsnprintf twice for every call
 * (half the cost of a journal line, of a log line's numbers). */
void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	if (!b->cap)
		sbuf_grow(b, 63);
	size_t room = b->cap - b->len;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(b->p + b->len, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->p[b->len] = '\0';	/* whatever it wrote is not kept */
		return;
	}
	if ((size_t)n >= room) {
		sbuf_grow(b, (size_t)n);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Has any of the 8 bytes of x a value below 0x20, or is it '"' or '\\'?
 * (The classic zero-byte test on x, x ^ '"'s and x ^ '\\'s: exact about
 * whether there is one, not about where.) */
static int json_special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), s = x ^ (ones * '\\');
	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((s - ones) & ~s)) & highs ? 1 : 0;
}

/* v's digits, ending at end; returns where they start */
static char *decimal(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

void sbuf_add_u64(struct sbuf *b, uint64_t v)
{
	char buf[24], *p = decimal(buf + sizeof buf, v);
	sbuf_add(b, p, (size_t)(buf + sizeof buf - p));
}

void sbuf_add_i64(struct sbuf *b, int64_t v)
{
	char buf[24];
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	char *p = decimal(buf + sizeof buf, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	sbuf_add(b, p, (size_t)(buf + sizeof buf - p));
}

void sbuf_add_hex64(struct sbuf *b, uint64_t v)
{
	char buf[16];
	for (int i = 15; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	sbuf_add(b, buf, sizeof buf);
}

void sbuf_add_json_str(struct sbuf *b, const char *s)
{
	size_t len = strlen(s);
	sbuf_grow(b, len + 2);
	sbuf_addc(b, '"');
	const char *run = s, *end = s + len;
	for (; s < end; s++) {
		/* eight plain bytes at a time: a reply's text is kilobytes of
		 * them, escaped for every send and every journal line */
		uint64_t x;
		while (end - s >= 8 && (memcpy(&x, s, 8), !json_special8(x)))
			s += 8;
		if (s == end)
			break;
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			sbuf_add(b, e, 2);
		} else if (c == '\n') {
			sbuf_add(b, "\\n", 2);
		} else {
			sbuf_addf(b, "\\u%04x", c);
		}
	}
	sbuf_add(b, run, (size_t)(s - run));
	sbuf_addc(b, '"');
}

const char *sbuf_str(struct sbuf *b)
{
	return b->p ? b->p : "";
}

char *sbuf_take(struct sbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *read_file(const char *path, size_t *len_out)
{
	return read_file_max(path, SIZE_MAX - 1, len_out);
}

char *read_file_max(const char *path, size_t max, size_t *len_out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	struct sbuf b = {0};
	char buf[8192];
	size_t n;
	while (b.len <= max && (n = fread(buf, 1, sizeof buf, fp)) > 0)
		sbuf_add(&b, buf, n);
	int err = ferror(fp) ? EIO : b.len > max ? EFBIG : 0;
	fclose(fp);
	if (err) {
		sbuf_free(&b);
		errno = err;
		return NULL;
	}
	if (len_out)
		*len_out = b.len;
	return sbuf_take(&b);
}

/* The code unit of a "\uXXXX" escape at s (s[0] is the backslash), or -1. */
static long u_escape(const char *s, const char *end)
{
	if (end - s < 6 || s[1] != 'u')
		return -1;
	long v = 0;
	for (int i = 2; i < 6; i++) {
		int c = s[i], d = c >= '0' && c <= '9' ? c - '0' :
				  c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				  c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

size_t json_fix_lone_surrogates(char *json, size_t len)
{
	/* a backslash only occurs inside strings, and each escape is stepped
	 * over whole, so "\\ud800" (a backslash, then text) is left alone */
	size_t fixed = 0;
	if (!json || !len)
		return 0;
	char *end = json + len;
	for (char *p = memchr(json, '\\', len); p; p = memchr(p, '\\', (size_t)(end - p))) {
		long u = u_escape(p, end);
		if (u >= 0xd800 && u <= 0xdbff) {
			long low = u_escape(p + 6, end);
			if (p + 6 < end && p[6] == '\\' && low >= 0xdc00 && low <= 0xdfff) {
				p += 12;	/* a pair: one character */
				continue;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff) {
			memcpy(p + 2, "fffd", 4);
			fixed++;
		}
		size_t step = u >= 0 ? 6 : 2;
		if ((size_t)(end - p) <= step)
			break;
		p += step;
	}
	return fixed;
}

uint64_t fnv1a(const void *data, size_t n, uint64_t h)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int parse_i64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double backoff_next(double *step)
{
	double wait = *step * (0.5 + (double)rand() / RAND_MAX / 2);
	*step = *step * 2 > BACKOFF_MAX ? BACKOFF_MAX : *step * 2;
	return wait;
}

int mkdir_p(const char *dir)
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
