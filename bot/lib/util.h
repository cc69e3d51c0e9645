/* util — small helpers every module uses: a growable string buffer, checked
 * allocation, whole-file reading, reading lines, and an inih reader that
 * counts lines.
 *
 * Memory: xmalloc/xstrdup abort on out-of-memory (a bot that cannot allocate
 * a few bytes cannot do anything useful, and half-handled updates are worse
 * than a restart by the supervisor). Strings returned by sbuf_take() and
 * read_file() belong to the caller, who frees them with free(). */
#ifndef CANCELBOT_UTIL_H
#define CANCELBOT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* cp is a Chinese character: the CJK ideograph blocks (Extension A, the
 * unified block, compatibility ideographs, and planes 2 and 3, Extensions
 * B to H). The one definition normalize, convcache, hanmap and cjkspace
 * use. */
static inline int cp_is_han(int32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated byte buffer. A zeroed struct is an empty buffer. */
struct sbuf {
	char *p;
	size_t len, cap;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_adds(struct sbuf *b, const char *s);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap);
/* s as a JSON string, quotes included: " \ and control characters
 * escaped, other bytes (UTF-8) as they are. */
void sbuf_add_json_str(struct sbuf *b, const char *s);
/* Decimal and fixed-width hexadecimal numbers, without printf: a journal
 * line's eight numbers through sbuf_addf were ~5 000 instructions. */
void sbuf_add_i64(struct sbuf *b, int64_t v);
void sbuf_add_u64(struct sbuf *b, uint64_t v);
void sbuf_add_hex64(struct sbuf *b, uint64_t v);	/* 16 digits, lower case */
const char *sbuf_str(struct sbuf *b);	/* never NULL */
char *sbuf_take(struct sbuf *b);	/* caller frees; buffer is reset */
void sbuf_free(struct sbuf *b);

/* Reads a whole file, adds a NUL. Returns NULL with errno set on failure. */
char *read_file(const char *path, size_t *len_out);
/* The same for a file that should be small (one the bot wrote itself): a
 * file longer than max bytes fails with EFBIG after reading little more
 * than max, so a huge file costs neither the memory nor the time. */
char *read_file_max(const char *path, size_t max, size_t *len_out);
/* Creates dir and its missing parents, 0700 (state is the bot's alone).
 * 0 when it exists afterwards, -1 with errno set otherwise. */
int mkdir_p(const char *dir);

/* JSON text may escape half of a UTF-16 surrogate pair alone ("\ud800"):
 * valid JSON, but no character, and cJSON rejects the whole text. Rewrites
 * each such escape in place as "\ufffd" (U+FFFD, the replacement
 * character; same length), so one odd message cannot take its update or a
 * whole getUpdates batch down. Returns how many it replaced. */
size_t json_fix_lone_surrogates(char *json, size_t len);

/* FNV-1a over n bytes, continuing from h (FNV1A_INIT to start): a cheap
 * hash for tables, change detection and torn-write checks, not security. */
#define FNV1A_INIT 14695981039346656037ULL
uint64_t fnv1a(const void *data, size_t n, uint64_t h);

/* A line source for ini_parse_stream() that knows which line it is on, so
 * handlers can report file:line although Debian's inih does not pass line
 * numbers. inih reads into a 200-byte buffer; with split_long set, a longer
 * line is handed over in pieces, each after the first as an indented
 * continuation line (cut where inih keeps every byte), and `split` tells the
 * handler to join the piece to the value before it. Without split_long a
 * long line is an error (long_line), never silently cut. */
/* The next line of fp into *line (a getline buffer of *cap bytes, grown as
 * needed; the caller frees it), without its "\n" or "\r\n": its length, or
 * -1 at the end. The loop of every command that reads lines. */
long read_line(FILE *fp, char **line, size_t *cap);

struct line_reader {
	FILE *fp;		/* either fp ... */
	const char *mem;	/* ... or a NUL-terminated string */
	int split_long;
	int line;		/* physical line of the piece last handed out */
	int section_line;	/* physical line of the last [section] header (inih
				 * calls a handler only at the section's first key) */
	int long_line;		/* first line that was too long, or 0 */
	int split;		/* the piece handed out continues a long line */
	int indented;		/* the physical line starts with blanks */
	struct sbuf buf;	/* the current physical line */
	size_t pos;		/* how much of buf was handed out */
	struct sbuf piece;	/* the text last handed to inih, without its newline */
	struct sbuf value;	/* line_reader_value's answer */
};
void line_reader_free(struct line_reader *r);
char *line_reader_next(char *str, int num, void *stream);
/* Debian builds inih with inline comments: a value ends at a ';' after a
 * blank ("No fee for prepaid ; postpaid pays" reads as "No fee for
 * prepaid"). The project's files have comments on lines of their own only,
 * so handlers pass inih's value through this to get the text as written.
 * The result lives until the next call. */
const char *line_reader_value(struct line_reader *r, const char *value);

int str_has_prefix(const char *s, const char *prefix);
char *str_trim(char *s);	/* in place; returns s advanced past blanks */
/* Parses a decimal int64; 0 on success, -1 when s is not entirely a number. */
int parse_i64(const char *s, int64_t *out);
double now_seconds(void);	/* monotonic clock */

/* Exponential backoff with jitter, so restarted bots do not retry in
 * lockstep: returns the seconds to wait now (half to all of *step) and
 * doubles *step up to BACKOFF_MAX. Start (and reset after a success) with
 * *step = BACKOFF_MIN. */
#define BACKOFF_MIN 1.0
#define BACKOFF_MAX 60.0
double backoff_next(double *step);

#endif
