/* render — see render.h. */
#include "render.h"
#include "html.h"
#include "facts.h"
#include "lang.h"
#include "cjkspace.h"

#include <stdlib.h>
#include <string.h>

/* {source_note}: empty, or [general]'s old_source with {year} filled in
 * when the carrier's facts rest on a source over three years older than
 * their review (the footer says so instead of implying a fresh check). */
static char *source_note(const struct facts *cf, const struct facts *gf, const char *lang)
{
	int year = cf ? kb_source_old_year(cf) : 0;
	const char *t = year ? facts_get(gf, "old_source", lang) : NULL;
	const char *at = t ? strstr(t, "{year}") : NULL;
	if (!at)
		return xstrdup("");
	return xasprintf("%.*s%d%s", (int)(at - t), t, year, at + 6);
}

/* The value of {key} for an answer: the carrier's fact, else [general]'s.
 * "channels" is a list of ids shown with their [general] channel_ID names.
 * Two are computed: {source_note} (above) and {carrier_unknown}, empty when
 * no carrier is known and missing otherwise, so that a line starting with
 * {?carrier_unknown} ("tell me your carrier") shows only without one. */
static char *fact_value(const struct kb *kb, const struct facts *cf, const char *key,
			const char *lang)
{
	const struct facts *gf = kb_facts(kb, "general");
	if (strcmp(key, "source_note") == 0)
		return source_note(cf, gf, lang);
	if (strcmp(key, "carrier_unknown") == 0)
		return cf ? NULL : xstrdup("");
	const char *v = facts_get(cf, key, lang);
	if (!v)
		v = facts_get(gf, key, lang);
	if (!v)
		return NULL;
	if (strcmp(key, "channels") != 0)
		return xstrdup(v);
	struct sbuf b = {0};
	char *copy = xstrdup(v), *save = NULL;
	for (char *id = strtok_r(copy, ", ", &save); id; id = strtok_r(NULL, ", ", &save)) {
		char name[64];
		snprintf(name, sizeof name, "channel_%s", id);
		const char *shown = facts_get(gf, name, lang);
		sbuf_addf(&b, "%s%s", b.len ? lang_default_for(lang)->separator : "", shown ? shown : id);
	}
	free(copy);
	return sbuf_take(&b);
}

/* Drops the line around position at in b (an optional {?key} without a value).
 * On the template's first line nothing may have been written yet, and a
 * zeroed sbuf has no buffer to terminate. */
static void drop_line(struct sbuf *b, size_t line_start, const char **p)
{
	b->len = line_start;
	if (b->p)
		b->p[b->len] = '\0';
	const char *nl = strchr(*p, '\n');
	*p = nl ? nl + 1 : *p + strlen(*p);
}

char *render_answer(const struct kb *kb, const struct answer *a, const char *carrier,
		    int with_footer, struct sbuf *err)
{
	return render_answer_vars(kb, a, carrier, NULL, with_footer, err);
}

char *render_answer_vars(const struct kb *kb, const struct answer *a, const char *carrier,
			 const char *const *vars, int with_footer, struct sbuf *err)
{
	const struct facts *cf = kb_facts(kb, carrier);
	struct sbuf out = {0};
	for (int pass = 0; pass < 2; pass++) {
		const char *src = a->text;
		if (pass == 1) {
			if (!with_footer)
				break;
			const struct answer *foot = kb_answer(kb, "footer", NULL, NULL, a->lang);
			if (!foot)
				break;
			src = foot->text;
			/* one blank line before it, also when the answer's last
			 * line was an optional one left out */
			while (out.len && out.p[out.len - 1] == '\n')
				out.p[--out.len] = '\0';
			sbuf_adds(&out, "\n\n");
		}
		size_t line_start = out.len;
		for (const char *p = src; *p;) {
			size_t n = 0;
			int optional = p[0] == '{' && p[1] == '?';
			if (*p == '{')
				while ((p[1 + optional + n] >= 'a' && p[1 + optional + n] <= 'z') ||
				       p[1 + optional + n] == '_' || (p[1 + optional + n] == '.' && n > 0))
					n++;
			if (n == 0 || p[1 + optional + n] != '}') {
				if (*p == '\n')
					line_start = out.len + 1;
				/* the text up to the next brace or line, in one piece */
				size_t run = 1 + strcspn(p + 1, "{\n");
				sbuf_add(&out, p, run);
				p += run;
				continue;
			}
			char key[64];
			snprintf(key, sizeof key, "%.*s", (int)n, p + 1 + optional);
			p += n + 2 + optional;
			char *v = NULL;
			for (size_t i = 0; vars && vars[i] && vars[i + 1] && !v; i += 2)
				if (strcmp(vars[i], key) == 0)
					v = xstrdup(vars[i + 1]);
			if (!v)
				v = fact_value(kb, cf, key, a->lang);
			if (!v && optional) {
				drop_line(&out, line_start, &p);
				continue;
			}
			if (!v) {
				sbuf_addf(err, "%s:%d: unknown placeholder {%s}%s%s\n", a->file,
					  a->line, key, carrier ? " for carrier " : "",
					  carrier ? carrier : "");
				sbuf_free(&out);
				return NULL;
			}
			char *esc = html_escape(v);	/* facts are plain text */
			sbuf_adds(&out, esc);
			free(esc);
			free(v);
		}
	}
	char *html = sbuf_take(&out);
	if (!lang_default_for(a->lang)->han)
		return html;
	/* one spacing style once the names are in (cjkspace.h) */
	char *spaced = cjk_space(html);
	free(html);
	return spaced;
}
