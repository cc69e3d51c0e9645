/* cjkspace — see cjkspace.h. */
#include "cjkspace.h"
#include "util.h"

#include <string.h>
#include <utf8proc.h>

/* The code point at s, its length in *n (utf8proc); a byte that starts no
 * valid sequence is itself, one byte long. */
static unsigned decode(const unsigned char *s, size_t *n)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate(s, -1, &cp);
	if (k <= 0) {
		*n = 1;
		return s[0];
	}
	*n = (size_t)k;
	return (unsigned)cp;
}

/* Full-width punctuation: its glyph carries its own space. */
static int is_wide_punct(unsigned c)
{
	return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
	       (c >= 0xFF1A && c <= 0xFF1F);
}

/* Full-width punctuation that closes or follows (、。，：；）…): a space before it is never wanted. */
static int is_closing_punct(unsigned c)
{
	return c == 0x3001 || c == 0x3002 || c == 0xFF0C || c == 0xFF1A || c == 0xFF1B ||
	       c == 0xFF09 || c == 0xFF01 || c == 0xFF1F;
}

static int is_latin(unsigned c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The first visible code point from s on this line, tags skipped; 0 at the
 * line's end. */
static unsigned next_visible(const char *s)
{
	for (;;) {
		if (*s == '<') {
			const char *gt = strchr(s, '>');
			if (!gt)
				return 0;
			s = gt + 1;
			continue;
		}
		if (*s == '\0' || *s == '\n')
			return 0;
		size_t n;
		return decode((const unsigned char *)s, &n);
	}
}

/* The last visible code point of b's text on its last line, tags skipped;
 * 0 at the line's start. */
static unsigned prev_visible(const struct sbuf *b)
{
	size_t i = b->len;
	while (i > 0) {
		unsigned char c = (unsigned char)b->p[i - 1];
		if (c == '\n')
			return 0;
		if (c == '>') {
			while (i > 0 && b->p[i - 1] != '<')
				i--;
			if (i > 0)
				i--;
			continue;
		}
		size_t start = i - 1;
		while (start > 0 && ((unsigned char)b->p[start] & 0xC0) == 0x80)
			start--;
		size_t n;
		return decode((const unsigned char *)b->p + start, &n);
	}
	return 0;
}

char *cjk_space(const char *html)
{
	struct sbuf out = {0};
	sbuf_adds(&out, "");
	for (const char *p = html; *p;) {
		if (*p == '<') {
			const char *gt = strchr(p, '>');
			size_t n = gt ? (size_t)(gt - p) + 1 : strlen(p);
			sbuf_add(&out, p, n);
			p += n;
			continue;
		}
		if (*p == ' ') {
			unsigned before = prev_visible(&out), after = next_visible(p + 1);
			int drop = before && after && after != ' ' &&
				   ((cp_is_han(before) && cp_is_han(after)) || is_wide_punct(before) ||
				    is_closing_punct(after));
			if (!drop)
				sbuf_addc(&out, ' ');
			p++;
			continue;
		}
		size_t n;
		unsigned c = decode((const unsigned char *)p, &n);
		if (cp_is_han(c) && is_latin(prev_visible(&out)))
			sbuf_addc(&out, ' ');
		sbuf_add(&out, p, n);
		p += n;
		if (cp_is_han(c) && is_latin(next_visible(p)))
			sbuf_addc(&out, ' ');
	}
	return sbuf_take(&out);
}
