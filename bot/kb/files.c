/* files — reading the knowledge base's files; see loader.h. */
#include "loader.h"

#include <dirent.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int list_files(const char *dir, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **v = NULL;
	size_t cnt = 0, sl = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= sl || strcmp(e->d_name + len - sl, suffix) != 0)
			continue;
		v = xrealloc(v, (cnt + 1) * sizeof *v);
		v[cnt++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof *v, cmp_str);	/* file order must not depend on readdir */
	*out = v;
	*n = cnt;
	return 0;
}

const char *kb_add_file(struct kb *kb, const char *path)
{
	size_t len = 0;
	char *data = read_file(path, &len);
	kb->files = xrealloc(kb->files, (kb->nfiles + 1) * sizeof *kb->files);
	kb->file_hashes = xrealloc(kb->file_hashes, (kb->nfiles + 1) * sizeof *kb->file_hashes);
	kb->file_hashes[kb->nfiles] = data ? fnv1a(data, len, FNV1A_INIT) : 0;
	free(data);
	kb->files[kb->nfiles] = xstrdup(path);
	return kb->files[kb->nfiles++];
}

/* Every value as written: inih would end it at " ;" (see line_reader_value). */
static int whole_value(void *user, const char *section, const char *name, const char *value)
{
	struct kb_ini *x = user;
	return x->handler(user, section, name, line_reader_value(x->reader, value));
}

int kb_read_ini(struct kb *kb, const char *path, int (*handler)(void *, const char *,
		const char *, const char *), struct kb_ini *x, struct sbuf *err)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		sbuf_addf(err, "%s: cannot open\n", path);
		return -1;
	}
	struct line_reader rd = {.fp = fp, .split_long = 1};
	x->kb = kb;
	x->file = kb_add_file(kb, path);
	x->reader = &rd;
	x->err = err;
	x->errors = 0;
	x->handler = handler;
	int rc = ini_parse_stream(line_reader_next, &rd, whole_value, x);
	line_reader_free(&rd);
	fclose(fp);
	if (rd.long_line) {
		sbuf_addf(err, "%s:%d: line too long to split safely: continue it on an "
			  "indented line\n", path, rd.long_line);
		x->errors++;
	}
	if (rc > 0 && !x->errors) {
		sbuf_addf(err, "%s:%d: not a [section] or key = value line\n", path, rc);
		x->errors++;
	}
	x->reader = NULL;
	return x->errors ? -1 : 0;
}
