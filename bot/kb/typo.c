/* typo — the `typo = NAME` lines of intents/carriers.ini: a carrier's name
 * expanded into a pattern of its one-slip misspellings, so the list of
 * names is data and every slip of every name is caught alike, not the ones
 * someone happened to write down ("consumer celluar", "criket",
 * "verrizon", "xfinty mobile").
 *
 * A slip is made in one word of five letters or more, never in its first
 * letter: one letter dropped ("celluar"), doubled ("verrizon"), two
 * neighbours swapped ("crikcet"), one put for a letter that sounds alike
 * (c/k, s/z, m/n: "trakfone", "vizible", "comsumer"), or an "s" added to a
 * word inside the name ("consumers cellular"; not at its end, where
 * "crickets" is a word of its own), an a, e, i or o written for another
 * ("visable", "viseble", "totol"). Words are
 * joined by a space, nothing, or a dot, hyphen or underscore with or
 * without spaces around it ("t.mobile", "total-wireless", "T - Mobile",
 * "t_mobile"). The name written right (with a space or nothing between its
 * words) is left out: the carrier's own lines say when it counts, with
 * their exceptions ("us mobile number"); the name joined otherwise is in. */
#include "loader.h"

#include <stdlib.h>
#include <string.h>

#define TYPO_MIN_LETTERS 5	/* shorter words are taken as written */
#define TYPO_MAX_WORDS 4
#define TYPO_MAX_WORD 32

/* Adds v to the alternation in b unless it is already there (as a whole
 * alternative: b holds "|a|b|c|"). */
static void add_alt(struct sbuf *b, const char *v)
{
	char probe[TYPO_MAX_WORD + 4];
	snprintf(probe, sizeof probe, "|%s|", v);
	if (strstr(sbuf_str(b), probe))
		return;
	if (!b->len)
		sbuf_addc(b, '|');
	sbuf_adds(b, v);
	sbuf_addc(b, '|');
}

/* The misspellings of w (lower-case letters and digits), the name's last word
 * when last, into b as "|v|…|". */
static void slips(const char *w, int last, struct sbuf *b)
{
	size_t n = strlen(w);
	char v[TYPO_MAX_WORD + 2];
	if (n < TYPO_MIN_LETTERS)
		return;
	for (size_t i = 1; i < n; i++) {	/* dropped */
		memcpy(v, w, i);
		memcpy(v + i, w + i + 1, n - i);
		add_alt(b, v);
	}
	for (size_t i = 0; i < n; i++) {	/* doubled */
		memcpy(v, w, i + 1);
		memcpy(v + i + 1, w + i, n - i + 1);
		add_alt(b, v);
	}
	for (size_t i = 1; i + 1 < n; i++) {	/* swapped */
		if (w[i] == w[i + 1])
			continue;
		memcpy(v, w, n + 1);
		v[i] = w[i + 1];
		v[i + 1] = w[i];
		add_alt(b, v);
	}
	static const char alike[][2] = {{'c', 'k'}, {'k', 'c'}, {'s', 'z'}, {'z', 's'},
					{'m', 'n'}, {'n', 'm'}};
	for (size_t i = 1; i < n; i++)	/* a letter that sounds alike */
		for (size_t k = 0; k < sizeof alike / sizeof *alike; k++)
			if (w[i] == alike[k][0]) {
				memcpy(v, w, n + 1);
				v[i] = alike[k][1];
				add_alt(b, v);
			}
	/* an unstressed vowel written as another ("visable", "viseble",
	 * "totol wireless"): a, e, i and o stand for one another, as people
	 * spell what they hear (not the last letter: a dropped one's business) */
	static const char vowels[] = "aeio";
	for (size_t i = 1; i + 1 < n; i++)
		for (const char *o = vowels; *o && strchr(vowels, w[i]); o++)
			if (*o != w[i]) {
				memcpy(v, w, n + 1);
				v[i] = *o;
				add_alt(b, v);
			}
	if (!last && w[n - 1] != 's' && n + 2 <= sizeof v) {	/* an s added, inside a name */
		memcpy(v, w, n);	/* (not snprintf: gcc -O1 cannot see that n fits) */
		v[n] = 's';
		v[n + 1] = '\0';
		add_alt(b, v);
	}
}

/* "|a|b|" as "(?:a|b)" into out. */
static void group(struct sbuf *out, const char *alts)
{
	size_t n = strlen(alts);
	sbuf_adds(out, "(?:");
	sbuf_add(out, alts + 1, n - 2);
	sbuf_addc(out, ')');
}

/* The end of the parenthesised groups at the start of s ("(?<!watch )(?<!play )"),
 * escapes skipped; s itself when it does not start with one; NULL when a
 * group is not closed. */
static const char *groups_end(const char *s)
{
	while (*s == '(') {
		int depth = 0;
		do {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
			s++;
		} while (*s && depth);
		if (depth)
			return NULL;
	}
	return s;
}

char *kb_typo_pattern(const char *value)
{
	/* VALUE is [LOOKBEHINDS]NAME[ LOOKAHEADS]: the assertions of the line it
	 * misspells, kept around the slips ("(?<!watch )cricket (?! match)") */
	const char *name = groups_end(value);
	if (!name)
		return NULL;
	size_t name_len = strcspn(name, "(");
	const char *suffix = name + name_len;
	const char *end = groups_end(suffix);
	if (!end || *end)
		return NULL;	/* after the name, assertions alone */
	while (name_len && name[name_len - 1] == ' ')
		name_len--;
	char words[TYPO_MAX_WORDS][TYPO_MAX_WORD + 1];
	size_t nw = 0, len = 0;
	for (const char *p = name;; p++) {
		if (p == name + name_len) {
			if (len)
				words[nw++][len] = 0;
			break;
		}
		int sep = *p == ' ' || *p == '-' || *p == '.';
		if (!sep) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) ||
			    len == TYPO_MAX_WORD || nw == TYPO_MAX_WORDS)
				return NULL;
			words[nw][len++] = *p;
			continue;
		}
		if (len) {
			words[nw++][len] = 0;
			len = 0;
		}
	}
	if (!nw)
		return NULL;
	struct sbuf slip[TYPO_MAX_WORDS] = {{0}};
	for (size_t i = 0; i < nw; i++)
		slips(words[i], i + 1 == nw, &slip[i]);
	struct sbuf out = {0};
	sbuf_adds(&out, "{b}");
	sbuf_add(&out, value, (size_t)(name - value));
	sbuf_adds(&out, "(?:");
	/* word i slipped, the words before it right, the ones after it either */
	int first = 1;
	for (size_t i = 0; i < nw; i++) {
		if (!slip[i].len)
			continue;
		if (!first)
			sbuf_addc(&out, '|');
		first = 0;
		for (size_t j = 0; j < nw; j++) {
			if (j)
				sbuf_adds(&out, "(?: ?[._-] ?| )?");
			if (j == i) {
				group(&out, sbuf_str(&slip[j]));
			} else if (j < i || !slip[j].len) {
				sbuf_adds(&out, words[j]);
			} else {
				sbuf_adds(&out, "(?:");
				sbuf_adds(&out, words[j]);
				sbuf_addc(&out, '|');
				sbuf_add(&out, sbuf_str(&slip[j]) + 1, slip[j].len - 2);
				sbuf_addc(&out, ')');
			}
		}
	}
	/* every word right, joined by a dot, a hyphen or an underscore */
	if (nw > 1) {
		if (!first)
			sbuf_addc(&out, '|');
		first = 0;
		for (size_t j = 0; j < nw; j++) {
			if (j)
				sbuf_adds(&out, " ?[._-] ?");
			sbuf_adds(&out, words[j]);
		}
	}
	sbuf_adds(&out, "){b}");
	sbuf_adds(&out, suffix);
	for (size_t i = 0; i < nw; i++)
		sbuf_free(&slip[i]);
	if (first) {	/* one short word: nothing to add */
		sbuf_free(&out);
		return NULL;
	}
	return sbuf_take(&out);
}
