/* script — the language and script of the conversation: which variant a
 * reply is written in (dialog_lang) and the conversion of finished replies
 * into that variant's script. The
 * variants themselves are the table in bot/lib/lang.c. Pure but for
 * OpenCC's data files, read once (normalize.c). */
#define _POSIX_C_SOURCE 200809L
#include "script.h"
#include "group.h"
#include "lang.h"
#include "normalize.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The words of the language table's comma lists (markers, romanisations),
 * split once: dialog_lang runs on every message, and splitting the lists
 * again per message (a strcspn per listed word, and for the romanisations
 * per Latin word of the message) cost ~27 000 instructions per update,
 * half as much as rendering the answer. Each word is copied with its NUL
 * for strstr (glibc's is vectorised; memmem and strchr + strncmp were
 * several times slower on Chinese text, whose every character starts
 * with one of a few lead bytes). What does not fit (LIST_WORDS, POOL)
 * stays in `rest`, read word by word as before. */
#define LANG_ROWS 8
#define LIST_WORDS 128
#define POOL 4096
struct words {
	size_t n, longest;
	const char *w[LIST_WORDS];
	size_t len[LIST_WORDS];
	const char *rest;	/* the words not split, or NULL */
};
static struct words marker_words[LANG_ROWS], roman_words[LANG_ROWS];
static char pool[POOL];
static size_t pool_used;
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static void split_list(const char *p, struct words *out)
{
	while (p && *p && out->n < LIST_WORDS) {
		size_t n = strcspn(p, ",");
		if (n >= POOL - pool_used)
			break;
		if (n) {
			char *w = memcpy(pool + pool_used, p, n);
			w[n] = '\0';
			pool_used += n + 1;
			out->w[out->n] = w;
			out->len[out->n++] = n;
			if (n > out->longest)
				out->longest = n;
		}
		p += n + (p[n] == ',');
	}
	out->rest = p && *p ? p : NULL;
}

static void split_lists(void)
{
	for (size_t i = 0; i < nlangs && i < LANG_ROWS; i++) {
		split_list(langs[i].markers, &marker_words[i]);
		split_list(langs[i].romanised, &roman_words[i]);
	}
}

/* Row i's split list, or NULL past LANG_ROWS (then the whole list is read
 * word by word, as before). */
static const struct words *words_of(const struct words *table, size_t i)
{
	pthread_once(&words_once, split_lists);
	return i < LANG_ROWS ? &table[i] : NULL;
}

/* The first place text holds the n bytes at w (a word inside a list of
 * the language table, not copied out per message), or NULL. */
static const char *find_word(const char *text, const char *w, size_t n)
{
	for (const char *p = strchr(text, w[0]); p; p = strchr(p + 1, w[0]))
		if (!strncmp(p, w, n))
			return p;
	return NULL;
}

/* The written variant of a message with Chinese characters: the row whose
 * marker words it uses (Cantonese), in either script; Traditional characters: a Traditional
 * row, the conversation's or the Telegram language's first; none: the
 * conversation's or Telegram's Chinese, else the first Simplified row. */
static const struct lang *han_variant(const char *text, const struct lang *prev,
				      const struct lang *tg)
{
	int trad = text_is_traditional(text);
	/* marker words decide whatever the characters: Cantonese written with
	 * only characters common to both scripts (我喺屋企人嘅…) is Cantonese */
	for (size_t i = 0; i < nlangs; i++) {
		const struct words *ws = words_of(marker_words, i);
		for (size_t k = 0; ws && k < ws->n; k++)
			if (strstr(text, ws->w[k]))
				return &langs[i];
		const char *p = ws ? ws->rest : langs[i].markers;
		while (p && *p) {
			size_t n = strcspn(p, ",");
			if (n && find_word(text, p, n))
				return &langs[i];
			p += n + (p[n] == ',');
		}
	}
	/* a Simplified-only character (么, 号) says Simplified; a text with
	 * neither kind ("要多久") says nothing against the variant in use */
	int simp = !trad && text_is_simplified(text);
	if (prev && prev->han && (trad ? prev->traditional : !simp || !prev->traditional))
		return prev;
	if (tg->han && (trad ? tg->traditional : !simp || !tg->traditional))
		return tg;
	for (size_t i = 0; i < nlangs; i++)
		if (langs[i].han && langs[i].traditional == trad && !langs[i].markers)
			return &langs[i];
	return tg;
}

/* Words of two or more Latin letters: "ATT", "T-Mobile prepaid" have at
 * most two, a sentence ("can I do it by phone?") more. */
static size_t latin_words(const char *s)
{
	size_t words = 0, run = 0;
	for (;; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
			run++;
			continue;
		}
		words += run >= 2;
		run = 0;
		if (!*s)
			return words;
	}
}

/* The row whose romanisation two words of text are ("zhuxiao", "zen me"),
 * or NULL. */
static const struct lang *romanised(const char *text)
{
	for (size_t i = 0; i < nlangs; i++) {
		size_t hits = 0;
		const struct words *ws = words_of(roman_words, i);
		for (const char *s = text; langs[i].romanised && *s;) {
			size_t run = 0, hit = 0;
			while ((s[run] >= 'a' && s[run] <= 'z') || (s[run] >= 'A' && s[run] <= 'Z'))
				run++;
			for (size_t k = 0; ws && run && run <= ws->longest && k < ws->n && !hit; k++)
				hit = ws->len[k] == run && !strncasecmp(s, ws->w[k], run);
			hits += hit;
			for (const char *p = ws ? ws->rest : langs[i].romanised; run && !hit && p && *p;) {
				size_t n = strcspn(p, ",");
				if (n == run && !strncasecmp(s, p, n)) {
					hits++;
					break;
				}
				p += n + (p[n] == ',');
			}
			s += run ? run : 1;
		}
		if (hits >= 2)
			return &langs[i];
	}
	return NULL;
}

/* /lang wins; then the message's script (text: the message, or NULL for a
 * command or a button); a message without Chinese characters, a command or
 * a button continues the conversation's language; with no conversation yet
 * an English sentence is English, anything else follows the user's
 * Telegram language. */
const char *dialog_lang(const struct dialog_env *env, const struct update *u, const char *text)
{
	/* in a group whose admins chose its language, that one */
	if (env->group && env->group->lang[0] && update_is_group(u) && lang_find(env->group->lang))
		return lang_find(env->group->lang)->code;
	const char *chosen = env->ctx ? context_lang(env->ctx, u->from_id) : NULL;
	if (chosen && lang_find(chosen))
		return lang_find(chosen)->code;
	const struct memory *m = env->ctx ? context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	const struct lang *prev = m ? lang_find(m->lang) : NULL;
	const struct lang *tg = lang_from_telegram(u->lang_code);
	if (text && text_has_han(text))
		return han_variant(text, prev, tg)->code;
	/* no Chinese characters: the conversation's language goes on (the
	 * taxonomy's contract: "ATT" or "can I do it by phone?" in a Chinese
	 * conversation stays Chinese); with none yet, a sentence in Latin
	 * letters is the first row's language (English), a name or two ("ATT",
	 * "ok") the user's Telegram language */
	if (prev)
		return prev->code;
	const struct lang *roman = text ? romanised(text) : NULL;
	if (roman)
		return roman->code;
	if (text && latin_words(text) >= 3)
		return langs[0].code;
	return tg->code;
}

/* text in l's script: OpenCC, then l's own word fixes; NULL when there is
 * nothing to convert with. */
static char *lang_convert(const struct lang *l, const char *text)
{
	char *t = script_convert(l->opencc, text);
	for (const char *p = l->fixes; t && p && *p;) {
		size_t n = strcspn(p, ";"), eq = strcspn(p, "=");
		/* most fixes find nothing: the text is copied only when one does */
		if (eq < n && eq && find_word(t, p, eq)) {
			struct sbuf b = {0};
			const char *s = t;
			for (const char *hit; (hit = find_word(s, p, eq)); s = hit + eq) {
				sbuf_add(&b, s, (size_t)(hit - s));
				sbuf_add(&b, p + eq + 1, n - eq - 1);
			}
			sbuf_adds(&b, s);
			free(t);
			t = sbuf_take(&b);
		}
		p += n + (p[n] == ';');
	}
	return t;
}

/* Replies in a variant with its own script (Traditional) are converted as
 * a whole, buttons too, but for the language names /lang offers. */
void dialog_convert_script(struct dialog_out *out)
{
	const struct lang *l = lang_find(out->lang);
	if (!l || !l->opencc)
		return;
	for (size_t i = 0; i < out->n; i++) {
		struct reply *r = &out->v[i];
		char *t = lang_convert(l, r->text);
		if (t) {
			free(r->text);
			r->text = t;
		}
		for (size_t j = 0; j < r->nbuttons; j++) {
			if (!strncmp(r->buttons[j].data, "l:", 2))
				continue;
			char *b = lang_convert(l, r->buttons[j].text);
			if (b && strlen(b) < sizeof r->buttons[j].text)
				snprintf(r->buttons[j].text, sizeof r->buttons[j].text, "%s", b);
			free(b);
		}
	}
	char *c = out->callback_text ? lang_convert(l, out->callback_text) : NULL;
	if (c) {
		free(out->callback_text);
		out->callback_text = c;
	}
}
