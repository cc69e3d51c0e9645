/* line_reader — see util.h: read_line, and the inih reader callback that
 * joins continued lines and cuts over-long ones (split from util.c, which it
 * had pushed over ~500 lines). Memory: the reader owns its buffers;
 * line_reader_free. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

long read_line(FILE *fp, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, fp);
	if (n < 0)
		return -1;
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	return (long)n;
}

/* Reads one physical line (without its newline) into r->buf; 0 at the end. */
static int next_physical_line(struct line_reader *r)
{
	r->buf.len = 0;
	if (r->buf.p)
		r->buf.p[0] = '\0';
	int c, any = 0;
	if (r->fp) {
		while ((c = getc(r->fp)) != EOF && (any = 1) && c != '\n')
			sbuf_addc(&r->buf, (char)c);
	} else {
		while (r->mem && (c = (unsigned char)*r->mem) != '\0' && (any = 1)) {
			r->mem++;
			if (c == '\n')
				break;
			sbuf_addc(&r->buf, (char)c);
		}
	}
	if (r->buf.len && r->buf.p[r->buf.len - 1] == '\r')
		r->buf.p[--r->buf.len] = '\0';
	r->pos = 0;
	return any;
}

/* Where to end a piece of at most max bytes starting at p: at a UTF-8
 * boundary, with no blank on either side (inih strips them) and the next
 * piece not starting with ; # or [ (inih would see a comment or section). */
static size_t piece_end(const char *p, size_t len, size_t max)
{
	if (len <= max)
		return len;
	for (size_t cut = max; cut > max / 2; cut--) {
		unsigned char next = (unsigned char)p[cut];
		if ((next & 0xC0) == 0x80 || next == ' ' || next == '\t' || p[cut - 1] == ' ' ||
		    p[cut - 1] == '\t' || next == ';' || next == '#' || next == '[')
			continue;
		return cut;
	}
	return 0;
}

/* Hands n bytes of text to inih as one line (after a blank: a continuation)
 * and remembers them for line_reader_value. */
static char *hand_out(struct line_reader *r, char *str, int num, int blank, size_t n,
		      const char *text)
{
	snprintf(str, (size_t)num, "%s%.*s\n", blank ? " " : "", (int)n, text);
	r->piece.len = 0;
	sbuf_adds(&r->piece, str);
	if (r->piece.len && r->piece.p[r->piece.len - 1] == '\n')
		r->piece.p[--r->piece.len] = '\0';
	return str;
}

char *line_reader_next(char *str, int num, void *stream)
{
	struct line_reader *r = stream;
	size_t room = (size_t)num - 3;	/* newline, NUL, and the continuation's blank */
	if (num < 8)
		return NULL;
	if (r->pos == 0 || r->pos >= r->buf.len) {
		if (!next_physical_line(r))
			return NULL;
		r->line++;
		r->split = 0;
		const char *t = sbuf_str(&r->buf);
		while (*t == ' ' || *t == '\t')
			t++;
		if (*t == '[')
			r->section_line = r->line;
		r->indented = r->buf.len && (r->buf.p[0] == ' ' || r->buf.p[0] == '\t');
		size_t n = r->buf.len;
		if (n > room) {
			n = r->split_long ? piece_end(r->buf.p, r->buf.len, room) : 0;
			if (!n) {
				if (!r->long_line)
					r->long_line = r->line;
				n = room;
				while (n > 0 && ((unsigned char)r->buf.p[n] & 0xC0) == 0x80)
					n--;
				r->pos = r->buf.len;	/* drop the rest */
				return hand_out(r, str, num, 0, n, r->buf.p);
			}
		}
		r->pos = n;
		return hand_out(r, str, num, 0, n, sbuf_str(&r->buf));
	}
	const char *rest = r->buf.p + r->pos;
	size_t n = piece_end(rest, r->buf.len - r->pos, room);
	if (!n) {
		if (!r->long_line)
			r->long_line = r->line;
		r->pos = r->buf.len;
		return hand_out(r, str, num, 0, 0, "");
	}
	r->pos += n;
	r->split = 1;
	return hand_out(r, str, num, 1, n, rest);
}

/* inih's idea of where a value ends: its first ';' after a blank. */
static size_t inline_comment_at(const char *s)
{
	int was_space = 0;
	size_t i = 0;
	for (; s[i] && !(was_space && s[i] == ';'); i++)
		was_space = isspace((unsigned char)s[i]);
	return i;
}

/* s[0..n) without blanks around it, as inih trims, equal to value? */
static int trims_to(const char *s, size_t n, const char *value)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strlen(value) == n && memcmp(s, value, n) == 0;
}

/* Sets r->value to s trimmed when inih's reading of s (cut at its inline
 * comment) is value: then s is what the line really said. */
static int restore(struct line_reader *r, const char *s, const char *value)
{
	if (!trims_to(s, inline_comment_at(s), value))
		return 0;
	r->value.len = 0;
	sbuf_adds(&r->value, s);
	char *t = r->value.p;
	while (isspace((unsigned char)*t))
		t++;
	size_t n = strlen(t);
	while (n && isspace((unsigned char)t[n - 1]))
		n--;
	memmove(r->value.p, t, n);
	r->value.p[n] = '\0';
	r->value.len = n;
	return 1;
}

const char *line_reader_value(struct line_reader *r, const char *value)
{
	const char *piece = sbuf_str(&r->piece);
	const char *line = piece;
	while (isspace((unsigned char)*line))
		line++;
	if (!strchr(line, ';'))
		return value;
	/* an indented line continues the value before it: all of it is value */
	if (line > piece && restore(r, line, value))
		return sbuf_str(&r->value);
	size_t sep = strcspn(line, "=:");
	if (line[sep] && restore(r, line + sep + 1, value))
		return sbuf_str(&r->value);
	return value;
}

void line_reader_free(struct line_reader *r)
{
	sbuf_free(&r->buf);
	sbuf_free(&r->piece);
	sbuf_free(&r->value);
}
