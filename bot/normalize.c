/* normalize — see normalize.h. */
#include "normalize.h"
#include "log.h"
#include "util.h"

#include <opencc.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static opencc_t t2s = (opencc_t)-1;

int normalize_init(void)
{
	if (t2s != (opencc_t)-1)
		return 0;
	static const char *const configs[] = {"t2s.json", "/usr/share/opencc/t2s.json"};
	for (size_t i = 0; i < ARRAY_LEN(configs) && t2s == (opencc_t)-1; i++)
		t2s = opencc_open(configs[i]);
	if (t2s == (opencc_t)-1) {
		log_warn("opencc_missing", "msg=\"cannot load OpenCC t2s.json; Traditional Chinese "
			 "is matched as written (install libopencc-data)\"");
		return -1;
	}
	return 0;
}

void normalize_done(void)
{
	if (t2s != (opencc_t)-1)
		opencc_close(t2s);
	t2s = (opencc_t)-1;
}

char *utf8_sanitize(const char *text, size_t len)
{
	struct sbuf b = {0};
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
	size_t i = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			sbuf_adds(&b, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		if (cp != 0)
			sbuf_add(&b, text + i, (size_t)n);
		i += (size_t)n;
	}
	return sbuf_take(&b);
}

int text_has_han(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
		if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
		    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F))
			return 1;
		p += n;
	}
	return 0;
}

/* Cuts at most max bytes without splitting a UTF-8 sequence. */
static size_t cut_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void fold_spaces(char *s)
{
	char *w = s;
	int space = 1;	/* also drops leading blanks */
	for (char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			if (!space)
				*w++ = ' ';
			space = 1;
		} else {
			*w++ = *r;
			space = 0;
		}
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

char *normalize(const char *text, size_t len)
{
	char *clean = utf8_sanitize(text, cut_len(text, len, NORMALIZE_MAX_BYTES));
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)clean, 0, &mapped,
					  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
					  UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_LUMP |
					  UTF8PROC_IGNORE | UTF8PROC_NLF2LS);
	char *out;
	if (n < 0) {
		out = clean;	/* cannot happen on sanitized input; keep going anyway */
	} else {
		free(clean);
		out = (char *)mapped;
	}
	/* LUMP/NLF2LS leave U+2028 for newlines; make them plain spaces. */
	for (char *p = out; (p = strstr(p, "\xE2\x80\xA8")) != NULL;)
		memcpy(p, "   ", 3);
	if (t2s != (opencc_t)-1 && text_has_han(out)) {
		char *conv = opencc_convert_utf8(t2s, out, strlen(out));
		if (conv) {
			free(out);
			out = xstrdup(conv);
			opencc_convert_utf8_free(conv);
		}
	}
	fold_spaces(out);
	return out;
}
