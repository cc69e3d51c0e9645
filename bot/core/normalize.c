/* normalize — see normalize.h. */
#include "normalize.h"
#include "convcache.h"
#include "hanmap.h"
#include "log.h"
#include "t2smap.h"
#include "util.h"

#include <opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static opencc_t t2s = (opencc_t)-1;
static int t2s_tried;
static pthread_mutex_t t2s_lock = PTHREAD_MUTEX_INITIALIZER;

/* Which characters are Traditional- or Simplified-only comes from the
 * generated bitmaps (hanmap.h), so most Chinese messages, written in
 * Simplified already, never need OpenCC: t2s (about 1 MB) is opened when
 * the first Traditional character arrives; the reply converters when the
 * first Traditional reply is written. Opening is under a lock: rules
 * compile (and normalise their literals) on several threads. */
static opencc_t t2s_get(void)
{
	pthread_mutex_lock(&t2s_lock);
	if (!t2s_tried) {
		t2s_tried = 1;
		static const char *const configs[] = {"t2s.json", "/usr/share/opencc/t2s.json"};
		for (size_t i = 0; i < ARRAY_LEN(configs) && t2s == (opencc_t)-1; i++)
			t2s = opencc_open(configs[i]);
		if (t2s == (opencc_t)-1)
			log_warn("opencc_missing", KV("msg", "cannot load OpenCC t2s.json; Traditional "
				 "Chinese is matched as written (install libopencc-data)"));
	}
	opencc_t cc = t2s;
	pthread_mutex_unlock(&t2s_lock);
	return cc;
}

static int has_in(const unsigned char *map, const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
		if (map == han_traditional && cp >= 0x20000 && cp <= 0x2FA1F)
			return 1;	/* rare planes: let OpenCC decide */
		if (hanmap_has(map, cp))
			return 1;
		p += n;
	}
	return 0;
}

static int has_traditional(const char *s)
{
	return has_in(han_traditional, s);
}

int normalize_init(void)
{
	return 0;	/* nothing is opened before it is needed (t2s_get) */
}

/* Converters for replies (s2twp, s2hk), opened on first use and kept. */
static struct {
	const char *config;
	opencc_t cc;
} out_conv[4];
static pthread_mutex_t out_conv_lock = PTHREAD_MUTEX_INITIALIZER;

static opencc_t out_converter(const char *config)
{
	opencc_t cc = (opencc_t)-1;
	pthread_mutex_lock(&out_conv_lock);
	size_t i = 0;
	while (i < ARRAY_LEN(out_conv) && out_conv[i].config && strcmp(out_conv[i].config, config))
		i++;
	if (i < ARRAY_LEN(out_conv) && out_conv[i].config) {
		cc = out_conv[i].cc;
	} else if (i < ARRAY_LEN(out_conv)) {
		char path[256];
		cc = opencc_open(config);
		snprintf(path, sizeof path, "/usr/share/opencc/%s", config);
		if (cc == (opencc_t)-1)
			cc = opencc_open(path);
		if (cc == (opencc_t)-1)
			log_warn("opencc_missing", KV("config", config),
				 KV("msg", "replies stay in Simplified"));
		out_conv[i].config = config;	/* a static string of the language table */
		out_conv[i].cc = cc;
	}
	pthread_mutex_unlock(&out_conv_lock);
	return cc;
}

static unsigned long fallbacks;

char *script_convert_opencc(const char *config, const char *text)
{
	opencc_t cc = out_converter(config);
	if (cc == (opencc_t)-1)
		return NULL;
	char *conv = opencc_convert_utf8(cc, text, strlen(text));
	if (!conv)
		return NULL;
	char *copy = xstrdup(conv);
	opencc_convert_utf8_free(conv);
	return copy;
}

/* From the pieces converted ahead of time when they are all known (the
 * bot's case: it never opens the reply dictionaries); else as a whole,
 * remembered (see convcache.h: ~1 ms saved), OpenCC opened on first need. */
char *script_convert(const char *config, const char *text)
{
	if (!config)
		return NULL;
	char *copy = convcache_from_pieces(config, text);
	if (copy)
		return copy;
	copy = convcache_get(config, text);
	if (copy)
		return copy;
	pthread_mutex_lock(&out_conv_lock);
	fallbacks++;
	pthread_mutex_unlock(&out_conv_lock);
	copy = script_convert_opencc(config, text);
	if (copy)
		convcache_put(config, text, copy);
	return copy;
}

unsigned long script_convert_fallbacks(void)
{
	pthread_mutex_lock(&out_conv_lock);
	unsigned long n = fallbacks;
	pthread_mutex_unlock(&out_conv_lock);
	return n;
}

int script_converters_open(void)
{
	int n = 0;
	pthread_mutex_lock(&out_conv_lock);
	for (size_t i = 0; i < ARRAY_LEN(out_conv); i++)
		n += out_conv[i].config && out_conv[i].cc != (opencc_t)-1;
	pthread_mutex_unlock(&out_conv_lock);
	return n;
}

/* s2t converts phrases: 了解 becomes 瞭解 although 了 is written the same in
 * both scripts. So a text is Simplified only when a character differs on
 * its own under s2t: the han_simplified bitmap, built per character. */
int text_is_simplified(const char *utf8)
{
	return has_in(han_simplified, utf8);
}

int text_is_traditional(const char *utf8)
{
	return has_traditional(utf8);
}

void normalize_done(void)
{
	if (t2s != (opencc_t)-1)
		opencc_close(t2s);
	t2s = (opencc_t)-1;
	t2s_tried = 0;
	for (size_t i = 0; i < ARRAY_LEN(out_conv); i++) {
		if (out_conv[i].config && out_conv[i].cc != (opencc_t)-1)
			opencc_close(out_conv[i].cc);
		out_conv[i].config = NULL;
	}
	fallbacks = 0;
	convcache_clear();
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
		if (cp_is_han(cp))
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

/* Does one of t2s's phrases that start with e->from start at p? */
static int t2s_phrase_at(const struct t2s_pair *e, const utf8proc_uint8_t *p, size_t n)
{
	for (size_t i = e->phrase - 1u; e->phrase && i < t2s_nphrases; i++) {
		const char *ph = t2s_phrases[i];
		if (memcmp(ph, p, n) != 0)
			return 0;	/* past those starting with this character */
		if (strncmp(ph, (const char *)p, strlen(ph)) == 0)
			return 1;
	}
	return 0;
}

/* t2s of a text by the generated table (t2smap.h): the same as OpenCC's,
 * at a small part of the cost (OpenCC makes three dictionary searches a
 * character). NULL when the table cannot say: the text holds one of the
 * phrases t2s converts otherwise than character by character, or a
 * character that does not become one character below U+10000. */
char *t2s_by_table(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(2 * len + 1), *w = out;	/* 2 bytes can become 3 */
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	while (*p) {
		if (*p < 0x80) {
			*w++ = (char)*p++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
		const struct t2s_pair *e = n > 0 && cp <= 0xFFFF ? t2s_find(cp) : NULL;
		if (n <= 0 || cp > 0xFFFF || (e && (!e->to || t2s_phrase_at(e, p, (size_t)n)))) {
			free(out);
			return NULL;
		}
		if (e && e->to != e->from) {
			w += utf8proc_encode_char(e->to, (utf8proc_uint8_t *)w);
		} else {
			memcpy(w, p, (size_t)n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
	return out;
}

/* Plain printable ASCII needs no Unicode work: NFKC leaves it alone and
 * case folding is tolower. Most English messages take this path. */
static char *normalize_ascii(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80 || text[i] == '\0' ||
		    ((unsigned char)text[i] < 0x20 && !strchr("\t\n\r", text[i])))
			return NULL;
	char *out = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		out[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
	out[len] = '\0';
	fold_spaces(out);
	return out;
}

char *normalize(const char *text, size_t len)
{
	len = cut_len(text, len, NORMALIZE_MAX_BYTES);
	char *fast = normalize_ascii(text, len);
	if (fast)
		return fast;
	char *clean = utf8_sanitize(text, len);
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
	int traditional = has_traditional(out);
	char *table = traditional ? t2s_by_table(out) : NULL;
	opencc_t cc = traditional && !table ? t2s_get() : (opencc_t)-1;
	if (table) {
		free(out);
		out = table;
	} else if (cc != (opencc_t)-1) {
		char *conv = opencc_convert_utf8(cc, out, strlen(out));
		if (conv) {
			free(out);
			out = xstrdup(conv);
			opencc_convert_utf8_free(conv);
		}
	}
	/* One form for "account"/"bill": OpenCC turns Traditional 帳 into 帐,
	 * which Simplified writers use too, while most write 账 (账号, 账单);
	 * folding 帐 to 账 (same UTF-8 length) spares every pattern both. */
	for (char *p = out; (p = strstr(p, "\xE5\xB8\x90")) != NULL; p += 3)
		memcpy(p, "\xE8\xB4\xA6", 3);
	fold_spaces(out);
	return out;
}
