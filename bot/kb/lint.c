/* lint — checks of the pattern sources as an admin wrote them (before
 * {macro} expansion), so that each problem names the pattern's file:line:
 * an empty alternative and a backreference (errors) and a {b} that can never
 * hold (a warning; an error in a `not`, which then never stops its rule).
 * kb_check (check.c) runs them for `cancelbot check`, startup and reload. */
#include "loader.h"

#include <string.h>

/* Up to 28 bytes of src around at, cut at UTF-8 boundaries, for a message. */
static void near_text(const char *src, const char *at, const char **near, int *len)
{
	const char *n = at - src > 12 ? at - 12 : src;
	while (((unsigned char)*n & 0xC0) == 0x80)
		n++;
	int l = (int)strnlen(n, 28);
	while (l > 0 && ((unsigned char)n[l] & 0xC0) == 0x80)
		l--;
	*near = n;
	*len = l;
}

/* Does a word (or a group, or a {macro}) start at p? A lookaround does not. */
static int word_follows(const char *p)
{
	if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
		return 1;
	if (p[0] == '\\')
		return p[1] == 'w' || p[1] == 'd';
	if (p[0] == '{')
		return strncmp(p, "{b}", 3) != 0;
	if (p[0] == '(')
		return !(p[1] == '?' && (p[2] == '=' || p[2] == '!' || p[2] == '<'));
	return 0;
}

/* {b} right after a quantifier (*, ?, +) checks the character after it,
 * like {b} after a word (regex.c): in ".*{b}word" or "(?:我的)?{b}credit"
 * that is a letter, so the pattern can never match there, which is never
 * what its author meant. In a positive pattern that only loses matches: a
 * warning. In a `not` it silently lets the rule fire on every message the
 * admin meant to exclude (an admin editing from Telegram sees no warnings):
 * an error, so check, startup, reload and an edit refuse it. Returns 1 then. */
static int check_word_edges(const struct pattern *pat, struct sbuf *err, struct sbuf *warn)
{
	const char *src = pat->src;
	int bad = 0;
	for (const char *b = strstr(src, "{b}"); b; b = strstr(b + 3, "{b}")) {
		size_t slashes = 0;
		for (const char *q = b - 1; q > src && q[-1] == '\\'; q--)
			slashes++;
		if (b == src || !strchr("*?+", b[-1]) || slashes % 2 || !word_follows(b + 3))
			continue;
		const char *near;
		int len;
		near_text(src, b, &near, &len);
		sbuf_addf(pat->negative ? err : warn,
			  "%s:%d: {b} after '%c' checks the character after it (a word's end), "
			  "and a word follows: this part never matches%s; for the start of a word "
			  "write (?<![a-z0-9]) (near \"%.*s\")\n", pat->file, pat->line, b[-1],
			  pat->negative ? ", so this not = never stops its rule" : "", len, near);
		bad |= pat->negative;
	}
	/* {b} right after a counted repeat ("t{1,2}{b}"): regex.c reads the
	 * "{1,2}" as no atom's end, so the {b} is a word's start, which a
	 * repeated letter before it never is */
	for (const char *b = strstr(src, "{b}"); b; b = strstr(b + 3, "{b}")) {
		if (b - src < 3 || b[-1] != '}')
			continue;
		const char *open = b - 2;
		while (open > src && *open != '{' && *open != '}')
			open--;
		if (*open != '{' || open[1] < '0' || open[1] > '9' || open == src ||
		    !(((open[-1] >= 'a' && open[-1] <= 'z') || (open[-1] >= '0' && open[-1] <= '9'))))
			continue;
		const char *near;
		int len;
		near_text(src, b, &near, &len);
		sbuf_addf(pat->negative ? err : warn,
			  "%s:%d: {b} after a counted repeat is read as a word's start, which the "
			  "letter repeated before it never is: this part never matches%s; write the "
			  "letters out (tt?) or end the word with (?![a-z0-9]) (near \"%.*s\")\n",
			  pat->file, pat->line, pat->negative ? ", so this not = never stops its rule" : "",
			  len, near);
		bad |= pat->negative;
	}
	return bad;
}

/* Where what "(" opens at p starts: past "(?:", "(?=", "(?<name>", "(?i:"
 * and the like. NULL when it opens no group: an inline option "(?i)" or a
 * comment "(?#...)", which *skip is set to step over. */
static const char *group_body(const char *p, const char **skip)
{
	if (p[1] != '?')
		return p + 1;
	const char *q = p + 2;
	if (*q == '#' || *q == '(') {	/* a comment; a condition is rare enough to ignore */
		const char *end = strchr(q, ')');
		*skip = end ? end : q + strlen(q) - 1;
		return NULL;
	}
	if (strchr(":=!>|", *q))
		return q + 1;
	if (*q == '<' && (q[1] == '=' || q[1] == '!'))
		return q + 2;
	if (*q == '<' || *q == '\'' || (*q == 'P' && q[1] == '<')) {	/* a name */
		const char *end = strpbrk(q + 1, ">'");
		return end ? end + 1 : q + strlen(q);
	}
	while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '^')
		q++;
	if (*q == ':')
		return q + 1;
	*skip = *q == ')' ? q : q - 1;	/* "(?i)": sets an option, matches nothing */
	return NULL;
}

/* Past the character class that opens at p ("[...]", "[]x]", "[^]x]"). */
static const char *class_end(const char *p)
{
	const char *q = p + 1;
	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	for (; *q && *q != ']'; q++)
		if (*q == '\\' && q[1])
			q++;
	return *q ? q : q - 1;
}

#define MAX_GROUP_DEPTH 64

/* Where src has an empty alternative ("a||b", "(|x)", "(?:x|)", a leading or
 * trailing "|"), or NULL. An empty alternative matches the empty string
 * everywhere: at the top of a pattern it makes the rule match every message;
 * inside a group it silently makes the group optional. */
static const char *empty_alternative(const char *src)
{
	int empty = 1;		/* the alternative being read has nothing in it yet */
	int barred[MAX_GROUP_DEPTH] = {0};	/* a '|' was seen at this depth */
	int depth = 0;
	for (const char *p = src;; p++) {
		const char *skip = NULL, *body;
		switch (*p) {
		case '\0':
		case ')':
			if (empty && barred[depth])
				return p - 1;	/* the '|' just before */
			if (!*p)
				return NULL;
			depth -= depth > 0;
			empty = 0;
			break;
		case '|':
			if (empty)
				return p;
			barred[depth] = 1;
			empty = 1;
			break;
		case '(':
			body = group_body(p, &skip);
			if (!body) {
				p = skip;
				break;
			}
			if (depth + 1 >= MAX_GROUP_DEPTH)
				return NULL;	/* PCRE2 or the reader of such a pattern gives up */
			barred[++depth] = 0;
			empty = 1;
			p = body - 1;
			break;
		case '[':
			p = class_end(p);
			empty = 0;
			break;
		case '\\':
			p += p[1] != '\0';
			empty = 0;
			break;
		default:
			empty = 0;
		}
	}
}

/* A backreference (\1, \g1, \k<name>, (?P=name)): a rule's patterns are
 * compiled together with other rules' into one alternation, where a group
 * number names some other rule's group, and the match that results is wrong
 * and can backtrack without end (a \1 made a 4 KB "aaaa..." message hit
 * PCRE2's match limit). Returns where it starts, or NULL. */
static const char *backreference(const char *src)
{
	for (const char *p = src; *p; p++) {
		if (*p == '[') {
			p = class_end(p);
			if (!*p)
				return NULL;
		} else if (*p == '\\' && p[1]) {
			if ((p[1] >= '1' && p[1] <= '9') || p[1] == 'g' || p[1] == 'k')
				return p;
			p++;
		} else if (!strncmp(p, "(?P=", 4)) {
			return p;
		}
	}
	return NULL;
}

/* The errors found in a pattern's source, each by where it starts: what it
 * is and why it fails, said the same way with the pattern's file:line. */
static const struct source_check {
	const char *(*find)(const char *src);
	const char *what, *detail, *why;
} source_checks[] = {
	{empty_alternative, "empty alternative", "a '|' with nothing on one side, ",
	 "it matches anything, so the pattern matches every message; remove the '|', or write "
	 "(?:x)? for an optional part"},
	{backreference, "a backreference", "",
	 "patterns are compiled together, where a group number names another rule's group; list "
	 "the forms instead (喺唔喺|系唔系, not (\\p{Han})唔\\1)"},
};

static int check_source(const struct pattern *pat, struct sbuf *err)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof source_checks / sizeof *source_checks; i++) {
		const char *at = source_checks[i].find(pat->src), *near;
		int len;
		if (!at)
			continue;
		near_text(pat->src, at, &near, &len);
		sbuf_addf(err, "%s:%d: %s (%snear \"%.*s\"): %s\n", pat->file, pat->line,
			  source_checks[i].what, source_checks[i].detail, len, near, source_checks[i].why);
		bad = 1;
	}
	return bad;
}

int kb_lint_patterns(const struct kb *kb, struct sbuf *err, struct sbuf *warn)
{
	int bad = 0;
	for (size_t i = 0; i < kb->nrules; i++)
		for (size_t k = 0; k < kb->rules[i].npats; k++) {
			bad |= check_word_edges(&kb->rules[i].pats[k], err, warn);
			bad |= check_source(&kb->rules[i].pats[k], err);
		}
	return bad;
}
