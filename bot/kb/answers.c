/* answers — reads responses/: carriers.ini (facts, one section per
 * carrier plus [general]) with inih, and LANG/TOPIC.txt answer files.
 *
 * An answer file is plain text cut into sections by header lines:
 *   [default]         the topic's answer when nothing more specific exists
 *   [verizon]         for one carrier
 *   [verizon.prepaid] for one carrier and plan
 *   [prepaid]         for a plan, any carrier
 *   [every]           added at the end of every other section of the file
 *                     (advice each answer of the topic must carry: a more
 *                     specific section replaces [default] whole)
 * Lines starting with ';' are comments; leading and trailing blank lines of
 * a section are dropped. */
#include "loader.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const kb_langs[] = {LANG_ANSWER_DIRS};	/* lang.h: the table's */

struct facts_ctx {
	struct kb_ini in;	/* first: kb_read_ini fills it */
};

static int on_fact(void *user, const char *section, const char *name, const char *value)
{
	struct kb_ini *x = &((struct facts_ctx *)user)->in;
	struct kb *kb = x->kb;
	struct facts *f = kb->nfacts ? &kb->facts[kb->nfacts - 1] : NULL;
	if (!*section) {
		sbuf_addf(x->err, "%s:%d: '%s' before any [section]\n", x->file, x->reader->line,
			  name);
		x->errors++;
		return 1;
	}
	/* a new header, also one repeating the header just before it (inih
	 * gives both the same section name: they merged silently) */
	if (!f || strcmp(f->id, section) != 0 || f->line != x->reader->section_line ||
	    strcmp(f->file, x->file) != 0) {
		const struct facts *first = kb_facts(kb, section);
		if (first) {
			sbuf_addf(x->err, "%s:%d: [%s] appears twice (first at %s:%d)\n", x->file,
				  x->reader->section_line, section, first->file, first->line);
			x->errors++;
		}
		kb->facts = xrealloc(kb->facts, (kb->nfacts + 1) * sizeof *kb->facts);
		f = &kb->facts[kb->nfacts++];
		memset(f, 0, sizeof *f);
		f->id = xstrdup(section);
		f->file = x->file;
		f->line = x->reader->section_line;	/* the header's, not its first key's */
	}
	if ((x->reader->split || x->reader->indented) && f->n &&
	    strcmp(f->v[f->n - 1].key, name) == 0) {
		/* a long value goes on over indented lines; English words are
		 * joined with a blank, Chinese text and split pieces without */
		const char *prev = f->v[f->n - 1].value;
		size_t plen = strlen(prev);
		int ascii = !x->reader->split && plen && (unsigned char)prev[plen - 1] < 0x80 &&
			    (unsigned char)*value < 0x80;
		char *joined = xasprintf("%s%s%s", prev, ascii ? " " : "", value);
		free(f->v[f->n - 1].value);
		f->v[f->n - 1].value = joined;
		return 1;
	}
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, name) == 0) {
			sbuf_addf(x->err, "%s:%d: [%s] %s given twice\n", x->file, x->reader->line,
				  section, name);
			x->errors++;
			return 1;
		}
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	f->v[f->n].key = xstrdup(name);
	f->v[f->n].value = xstrdup(value);
	f->v[f->n].line = x->reader->line;
	f->n++;
	return 1;
}

static int load_facts(struct kb *kb, const char *path, struct sbuf *err)
{
	struct facts_ctx x;
	return kb_read_ini(kb, path, on_fact, &x.in, err);
}

/* The section's text without its leading and trailing blank lines; the
 * caller frees it. */
static char *section_text(struct sbuf *body)
{
	char *text = sbuf_take(body);
	char *start = text;
	while (*start == '\n')
		start++;
	size_t n = strlen(start);
	while (n > 0 && (start[n - 1] == '\n' || start[n - 1] == ' '))
		start[--n] = '\0';
	char *out = xstrdup(start);
	free(text);
	return out;
}

static void add_answer(struct kb *kb, const char *topic, const char *lang, const char *head,
		       struct sbuf *body, const char *file, int line)
{
	kb->answers = xrealloc(kb->answers, (kb->nanswers + 1) * sizeof *kb->answers);
	struct answer *a = &kb->answers[kb->nanswers++];
	memset(a, 0, sizeof *a);
	a->topic = xstrdup(topic);
	snprintf(a->lang, sizeof a->lang, "%s", lang);
	a->text = section_text(body);
	a->file = file;
	a->line = line;
	if (strcmp(head, "default") == 0)
		return;
	const char *dot = strchr(head, '.');
	char *first = dot ? xstrndup(head, (size_t)(dot - head)) : xstrdup(head);
	if (!dot && (strcmp(first, "prepaid") == 0 || strcmp(first, "postpaid") == 0)) {
		a->plan = first;
		return;
	}
	a->carrier = first;
	if (dot)
		a->plan = xstrdup(dot + 1);
}

/* A section ends: an answer, or the file's [every] text kept for later. */
static void end_section(struct kb *kb, const char *topic, const char *lang, const char *head,
			struct sbuf *body, const char *file, int line, char **every)
{
	if (strcmp(head, "every") == 0) {
		free(*every);
		*every = section_text(body);
	} else {
		add_answer(kb, topic, lang, head, body, file, line);
	}
}

/* Appends the file's [every] section to the answers it added, first .. the
 * last one. */
static void add_every(struct kb *kb, size_t first, const char *every)
{
	for (size_t i = first; i < kb->nanswers; i++) {
		char *joined = xasprintf("%s\n%s", kb->answers[i].text, every);
		free(kb->answers[i].text);
		kb->answers[i].text = joined;
	}
}

/* Whether the file already had a [head] section; seen holds "line head\n"
 * for each so far. Only one of two sections can answer (the later one was
 * dropped unseen), so a second one is an error, as for carriers.ini. */
static int seen_before(struct sbuf *seen, const char *head, int line, const char *path,
		       struct sbuf *err)
{
	size_t hl = strlen(head);
	for (const char *p = sbuf_str(seen); *p;) {
		char *end;
		long first = strtol(p, &end, 10);
		const char *nl = strchr(end, '\n');
		if ((size_t)(nl - end - 1) == hl && memcmp(end + 1, head, hl) == 0) {
			sbuf_addf(err, "%s:%d: [%s] appears twice (first at line %ld)\n", path, line,
				  head, first);
			return 1;
		}
		p = nl + 1;
	}
	sbuf_addf(seen, "%d %s\n", line, head);
	return 0;
}

static int load_answer_file(struct kb *kb, const char *path, const char *lang, const char *topic,
			    struct sbuf *err)
{
	char *data = read_file(path, NULL);
	if (!data) {
		sbuf_addf(err, "%s: cannot read\n", path);
		return -1;
	}
	const char *file = kb_add_file(kb, path);
	size_t first = kb->nanswers;
	struct sbuf body = {0};
	char head[96] = "", *every = NULL;
	struct sbuf seen = {0};
	int head_line = 0, line = 0, rc = 0;
	/* by hand, not strtok: blank lines separate paragraphs and must stay */
	for (char *p = data; *p || line == 0;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
			if (head_line)
				end_section(kb, topic, lang, head, &body, file, head_line, &every);
			sbuf_free(&body);
			snprintf(head, sizeof head, "%.*s", (int)(len - 2), p + 1);
			head_line = line;
			if (seen_before(&seen, head, line, path, err))
				rc = -1;
		} else if (len > 0 && p[0] == ';') {
			/* comment */
		} else if (head_line) {
			sbuf_add(&body, p, len);
			sbuf_addc(&body, '\n');
		} else if (len > 0) {
			sbuf_addf(err, "%s:%d: text before the first [section]\n", path, line);
			rc = -1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (head_line)
		end_section(kb, topic, lang, head, &body, file, head_line, &every);
	if (every)
		add_every(kb, first, every);
	free(every);
	sbuf_free(&body);
	sbuf_free(&seen);
	free(data);
	return rc;
}

/* The last layer that has responses/carriers.ini. */
static char *facts_path(const char *const dirs[KB_LAYERS])
{
	for (size_t d = KB_LAYERS; d-- > 1;) {
		if (!dirs[d])
			continue;
		char *p = xasprintf("%s/carriers.ini", dirs[d]);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return xasprintf("%s/carriers.ini", dirs[0]);
}

int kb_load_responses(struct kb *kb, const char *const dirs[KB_LAYERS], struct sbuf *err)
{
	char *facts = facts_path(dirs);
	int rc = load_facts(kb, facts, err);
	free(facts);
	for (size_t l = 0; l < KB_NLANGS; l++) {
		char *sub[KB_LAYERS];
		for (size_t d = 0; d < KB_LAYERS; d++)
			sub[d] = dirs[d] ? xasprintf("%s/%s", dirs[d], kb_langs[l]) : NULL;
		char **paths, **names;
		size_t n;
		if (list_overlay((const char *const *)sub, KB_LAYERS, ".txt", &paths, &names, &n) < 0) {
			sbuf_addf(err, "%s: cannot read the answers directory\n", sub[0]);
			rc = -1;
			n = 0;
			paths = names = NULL;
		}
		for (size_t i = 0; i < n; i++) {
			names[i][strlen(names[i]) - 4] = '\0';
			rc |= load_answer_file(kb, paths[i], kb_langs[l], names[i], err);
		}
		free_list(paths, n);
		free_list(names, n);
		for (size_t d = 0; d < KB_LAYERS; d++)
			free(sub[d]);
	}
	return rc;
}
