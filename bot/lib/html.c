/* html — see html.h. */
#include "html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const allowed_tags[] = {"b", "strong", "i", "em", "u", "ins", "s",
					   "strike", "del", "code", "pre", "a", "tg-spoiler",
					   "blockquote", NULL};

char *html_escape(const char *s)
{
	struct sbuf b = {0};
	for (; *s; s++) {
		switch (*s) {
		case '<': sbuf_adds(&b, "&lt;"); break;
		case '>': sbuf_adds(&b, "&gt;"); break;
		case '&': sbuf_adds(&b, "&amp;"); break;
		case '"': sbuf_adds(&b, "&quot;"); break;
		default: sbuf_addc(&b, *s);
		}
	}
	return sbuf_take(&b);
}

/* Length of an entity at s ("&amp;", "&#123;"), or 0 if s is a bare '&'. */
/* The entities Telegram's HTML knows by name, and what they stand for. */
static const struct named_entity {
	const char *ent, *ch;
} named[] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}};

static size_t entity_len(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(named); i++)
		if (str_has_prefix(s, named[i].ent))
			return strlen(named[i].ent);
	if (s[1] == '#') {
		size_t n = 2;
		while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') || s[n] == 'x')
			n++;
		if (n > 2 && s[n] == ';')
			return n + 1;
	}
	return 0;
}

/* Reads a tag at s ('<'): its name into name, closing flag; returns length. */
static size_t tag_at(const char *s, char *name, size_t cap, int *closing)
{
	const char *end = strchr(s, '>');
	if (!end)
		return 0;
	const char *p = s + 1;
	*closing = *p == '/';
	if (*closing)
		p++;
	size_t n = 0;
	while (p[n] && p[n] != ' ' && p[n] != '>' && n + 1 < cap) {
		name[n] = p[n];
		n++;
	}
	name[n] = '\0';
	return (size_t)(end - s) + 1;
}

static int tag_allowed(const char *name)
{
	for (size_t i = 0; allowed_tags[i]; i++)
		if (strcmp(name, allowed_tags[i]) == 0)
			return 1;
	return 0;
}

int html_validate(const char *s, struct sbuf *err)
{
	char stack[16][16];
	int depth = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '&' && !entity_len(p)) {
			sbuf_adds(err, "bare '&' (write &amp;)");
			return -1;
		}
		if (*p == '>') {
			sbuf_adds(err, "bare '>' (write &gt;)");
			return -1;
		}
		if (*p != '<')
			continue;
		char name[16];
		int closing;
		size_t n = tag_at(p, name, sizeof name, &closing);
		if (!n || !tag_allowed(name)) {
			sbuf_addf(err, "tag <%s> is not in Telegram's HTML subset (or write &lt;)",
				  n ? name : "?");
			return -1;
		}
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0) {
				sbuf_addf(err, "</%s> closes nothing open", name);
				return -1;
			}
			depth--;
		} else {
			if (depth == 16) {
				sbuf_adds(err, "tags nested too deep");
				return -1;
			}
			snprintf(stack[depth++], sizeof stack[0], "%s", name);
		}
		p += n - 1;
	}
	if (depth) {
		sbuf_addf(err, "<%s> is never closed", stack[depth - 1]);
		return -1;
	}
	return 0;
}

static size_t utf8_seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

size_t utf16_units(const char *s, size_t len)
{
	size_t units = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_len((unsigned char)s[i]);
		units += n == 4 ? 2 : 1;
		i += n;
	}
	return units;
}

/* What starts at p: a tag, an entity, or plain text up to the next tag or
 * entity (a '<' or '&' that is not markup is text); *n its length. */
enum piece { PIECE_TAG, PIECE_ENTITY, PIECE_TEXT };
static enum piece next_piece(const char *p, size_t *n)
{
	char name[16];
	int closing;
	if (*p == '<' && (*n = tag_at(p, name, sizeof name, &closing)) > 0)
		return PIECE_TAG;
	if (*p == '&' && (*n = entity_len(p)) > 0)
		return PIECE_ENTITY;
	*n = strcspn(p + 1, "<&") + 1;
	return PIECE_TEXT;
}

/* UTF-16 units of n bytes of plain text: one per character, two for those
 * beyond the BMP (4-byte UTF-8). Eight bytes at a time (every answer is
 * counted before it is sent): ASCII words count 8; otherwise the bytes
 * 10xxxxxx (continuations) count 0 and 1111xxxx 2. Bit 7 of each byte,
 * after shifting the word left by 1, 2, 3, holds its bits 6, 5, 4. */
static size_t text_units(const char *p, size_t n)
{
	size_t units = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		const uint64_t high = 0x8080808080808080ULL;
		uint64_t x;
		memcpy(&x, p + i, 8);
		uint64_t hi = x & high;
		units += 8;
		if (!hi)
			continue;
		uint64_t cont = hi & ~(x << 1) & high;
		uint64_t four = x & (x << 1) & (x << 2) & (x << 3) & high;
		units -= (size_t)__builtin_popcountll(cont);
		units += (size_t)__builtin_popcountll(four);
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		units += (c & 0xC0) != 0x80;	/* a lead or ASCII byte */
		units += c >= 0xF0;
	}
	return units;
}

size_t html_text_units(const char *s)
{
	size_t units = 0, n;
	for (const char *p = s; *p; p += n) {
		enum piece k = next_piece(p, &n);
		units += k == PIECE_ENTITY ? 1 : k == PIECE_TEXT ? text_units(p, n) : 0;
	}
	return units;
}

char *html_to_plain(const char *s)
{
	struct sbuf b = {0};
	size_t n;
	for (const char *p = s; *p; p += n) {
		enum piece k = next_piece(p, &n);
		const char *ch = NULL;	/* a named entity's character */
		for (size_t i = 0; k == PIECE_ENTITY && i < ARRAY_LEN(named) && !ch; i++)
			if (str_has_prefix(p, named[i].ent))
				ch = named[i].ch;
		if (ch)
			sbuf_adds(&b, ch);
		else if (k != PIECE_TAG)
			sbuf_add(&b, p, n);	/* text, or a numeric entity as written */
	}
	return sbuf_take(&b);
}

struct splitter {
	char open[16][192];	/* full opening tags, to reopen after a cut */
	char names[16][16];
	int depth;
};

static void close_all(const struct splitter *sp, struct sbuf *b)
{
	for (int i = sp->depth - 1; i >= 0; i--)
		sbuf_addf(b, "</%s>", sp->names[i]);
}

static void reopen_all(const struct splitter *sp, struct sbuf *b)
{
	for (int i = 0; i < sp->depth; i++)
		sbuf_adds(b, sp->open[i]);
}

char **html_split(const char *html, size_t max, size_t *nparts)
{
	if (html_text_units(html) <= max && *html) {	/* the usual case: one message */
		char **one = xmalloc(sizeof *one);
		one[0] = xstrdup(html);
		*nparts = 1;
		return one;
	}
	char **parts = NULL;
	size_t np = 0;
	struct splitter sp = {.depth = 0};
	const char *p = html;
	while (*p) {
		/* walk forward until max units, remembering the best cut seen */
		struct splitter at = sp, best_sp = sp;
		const char *q = p, *best = NULL;
		int best_rank = 0;	/* 3 paragraph, 2 line, 1 character */
		size_t units = 0;
		while (*q && units < max) {
			char name[16];
			int closing;
			size_t n;
			if (*q == '<' && (n = tag_at(q, name, sizeof name, &closing)) > 0) {
				if (closing && at.depth > 0)
					at.depth--;
				else if (!closing && at.depth < 16) {
					snprintf(at.open[at.depth], sizeof at.open[0], "%.*s",
						 (int)n, q);
					snprintf(at.names[at.depth++], sizeof at.names[0], "%s", name);
				}
				q += n;
				continue;
			}
			n = *q == '&' ? entity_len(q) : 0;
			if (n) {
				units++;
			} else {
				n = utf8_seq_len((unsigned char)*q);
				n = strnlen(q, n);
				units += utf16_units(q, n);
			}
			if (units > max)
				break;
			q += n;
			int rank = (q[0] == '\n' && q[1] == '\n') ? 3 : q[0] == '\n' ? 2 : 1;
			if (rank >= best_rank || !best) {
				best = q;
				best_rank = rank;
				best_sp = at;
			}
		}
		if (!*q || !best) {	/* all fits, or nothing fit: take what we have */
			best = q > p ? q : p + strnlen(p, utf8_seq_len((unsigned char)*p));
			best_sp = at;
		}
		struct sbuf b = {0};
		reopen_all(&sp, &b);
		sbuf_add(&b, p, (size_t)(best - p));
		close_all(&best_sp, &b);
		char *part = sbuf_take(&b);
		/* drop empty pieces (e.g. a text that was only blank lines) */
		char *plain = html_to_plain(part);
		if (*str_trim(plain)) {
			parts = xrealloc(parts, (np + 1) * sizeof *parts);
			parts[np++] = part;
		} else {
			free(part);
		}
		free(plain);
		sp = best_sp;
		p = best;
		while (*p == '\n')
			p++;
	}
	*nparts = np;
	return parts;
}

void html_free_parts(char **parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
}
