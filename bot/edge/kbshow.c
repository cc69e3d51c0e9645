/* kbshow — /kb and /show; see kbshow.h. */
#define _POSIX_C_SOURCE 200809L
#include "kbshow.h"
#include "answer.h"
#include "bot.h"
#include "kbedit.h"
#include "kbfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kbshow_parse(const char *text, char **copy, char **argv, int max, int *argc)
{
	*argc = 0;
	*copy = NULL;
	if (!text || text[0] != '/')
		return NULL;
	char *c = *copy = xstrdup(text + 1);
	for (char *p = c; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *save = NULL, *name = strtok_r(c, " \n\t", &save);
	if (!name)
		return NULL;
	name[strcspn(name, "@")] = '\0';
	for (char *w; *argc < max && (w = strtok_r(NULL, " \n\t", &save)) != NULL;)
		argv[(*argc)++] = w;
	return name;
}

const char *kbshow_lang(const char *code)
{
	for (size_t i = 0; i < KB_NLANGS; i++)
		if (strcmp(code, kb_langs[i]) == 0)
			return kb_langs[i];
	const struct lang *l = lang_find(code);
	return l ? l->answers : NULL;
}

const struct answer *kbshow_topic_file(const struct kb *kb, const char *topic, const char *lang)
{
	for (size_t i = 0; i < kb->nanswers; i++)
		if (!strcmp(kb->answers[i].topic, topic) && !strcmp(kb->answers[i].lang, lang))
			return &kb->answers[i];
	return NULL;
}

int kbshow_head_ok(const struct kb *kb, const char *head)
{
	if (!strcmp(head, "default"))
		return 1;
	char first[64];
	snprintf(first, sizeof first, "%.*s", (int)strcspn(head, "."), head);
	const char *dot = strchr(head, '.');
	if (!dot)
		return kb_rule(kb, RULE_CARRIER, first) || kb_rule(kb, RULE_PLAN, first);
	return kb_rule(kb, RULE_CARRIER, first) && kb_rule(kb, RULE_PLAN, dot + 1);
}

/* The section head an answer was read from. */
static void head_of(const struct answer *a, char *buf, size_t cap)
{
	if (a->carrier && a->plan)
		snprintf(buf, cap, "%s.%s", a->carrier, a->plan);
	else
		snprintf(buf, cap, "%s", a->carrier ? a->carrier : a->plan ? a->plan : "default");
}

const struct answer *kbshow_section_answer(const struct kb *kb, const char *topic,
					   const char *head, const char *lang)
{
	char h[96];
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		if (strcmp(a->topic, topic) || strcmp(a->lang, lang))
			continue;
		head_of(a, h, sizeof h);
		if (!strcmp(h, head))
			return a;
	}
	return NULL;
}

void utf8_cut(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;	/* s[n] would start the next character: cut before it */
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void list_ids(struct sbuf *out, const struct kb *kb, enum rule_kind kind)
{
	for (size_t i = 0, n = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == kind)
			sbuf_addf(out, "%s%s", n++ ? ", " : "", kb->rules[i].id);
	sbuf_adds(out, "\n");
}

static void cmd_kb(struct bot *b, const struct update *u, struct dialog_out *out)
{
	const struct kb *kb = b->kb;
	struct sbuf rep = {0}, ui = {0};
	sbuf_adds(&rep, "Topics (intents):\n");
	list_ids(&rep, kb, RULE_INTENT);
	/* the other answer files: the conversation's own texts */
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		char needle[KB_ID_MAX + 4];
		snprintf(needle, sizeof needle, " %s,", a->topic);
		if (kb_rule(kb, RULE_INTENT, a->topic) || strstr(sbuf_str(&ui), needle))
			continue;
		sbuf_addf(&ui, " %s,", a->topic);
	}
	if (ui.len)
		ui.p[--ui.len] = '\0';
	sbuf_addf(&rep, "Texts:%s\nCarriers:\n", sbuf_str(&ui));
	list_ids(&rep, kb, RULE_CARRIER);
	sbuf_adds(&rep, "Plans: ");
	list_ids(&rep, kb, RULE_PLAN);
	sbuf_adds(&rep, "Languages: ");
	for (size_t l = 0; l < KB_NLANGS; l++)
		sbuf_addf(&rep, "%s%s", l ? ", " : "", kb_langs[l]);
	const char *admin = config_admin_kb_dir(&b->cfg);
	size_t mine = 0;
	for (size_t i = 0; admin && i < kb->nfiles; i++)
		mine += !strncmp(kb->files[i], admin, strlen(admin));
	sbuf_addf(&rep, "\nAdmin directory: %s (%zu files in use)\n\n", admin ? admin : "none", mine);
	sbuf_adds(&rep, "/show TOPIC [CARRIER] [LANG] — a section's source text\n"
		  "/edit TOPIC CARRIER LANG — change it (CARRIER: default, a carrier, carrier.plan)\n"
		  "/teach — make an unanswered question match a topic\n"
		  "/history, /rollback N — what was changed, and undo\n");
	dialog_report(u, out, sbuf_str(&rep));
	sbuf_free(&rep);
	sbuf_free(&ui);
}

/* /show TOPIC [CARRIER] [LANG]: the section as written, every language
 * unless one is named. */
static void cmd_show(struct bot *b, const struct update *u, struct dialog_out *out, char **argv,
		     int argc)
{
	if (argc < 1 || argc > 3) {
		dialog_report(u, out, "usage: /show TOPIC [CARRIER] [LANG]");
		return;
	}
	const char *head = "default", *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (kbshow_head_ok(b->kb, argv[i]) && i == 1)
			head = argv[i];
		else if (kbshow_lang(argv[i]))
			only = kbshow_lang(argv[i]);
		else {
			char *msg = xasprintf("%s: not a carrier or a language (/kb lists them)", argv[i]);
			dialog_report(u, out, msg);
			free(msg);
			return;
		}
	}
	struct sbuf rep = {0};
	for (size_t l = 0; l < KB_NLANGS; l++) {
		if (only && strcmp(only, kb_langs[l]))
			continue;
		const struct answer *any = kbshow_topic_file(b->kb, argv[0], kb_langs[l]);
		if (!any) {
			sbuf_addf(&rep, "%s: no %s answers\n\n", kb_langs[l], argv[0]);
			continue;
		}
		char *text = read_file(any->file, NULL);
		char *body = text ? kbfile_section(text, head) : NULL;
		char *rel = kbedit_rel(&b->cfg, any->file);
		const struct answer *a = kbshow_section_answer(b->kb, argv[0], head, kb_langs[l]);
		sbuf_addf(&rep, "── %s [%s]", rel ? rel : any->file, head);
		if (a)
			sbuf_addf(&rep, " (line %d)", a->line);
		sbuf_addf(&rep, "\n%s\n\n", body ? body : "(no such section: the more general one answers)");
		free(rel);
		free(body);
		free(text);
	}
	dialog_report(u, out, sbuf_str(&rep));
	sbuf_free(&rep);
}

void kbshow_command(struct bot *b, const char *name, const struct update *u,
		    struct dialog_out *out, char **argv, int argc)
{
	if (!strcmp(name, "kb"))
		cmd_kb(b, u, out);
	else if (!strcmp(name, "show"))
		cmd_show(b, u, out, argv, argc);
}
