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

int list_overlay(const char *const *dirs, size_t ndirs, const char *suffix, char ***paths,
		 char ***names, size_t *n)
{
	char **nm = NULL, **pa = NULL;
	size_t cnt = 0;
	for (size_t d = 0; d < ndirs; d++) {
		char **v;
		size_t k;
		if (!dirs[d] || list_files(dirs[d], suffix, &v, &k) < 0) {
			if (d == 0)
				return -1;	/* the shipped directory must be there */
			continue;	/* an overlay may be missing: nothing overridden */
		}
		for (size_t i = 0; i < k; i++) {
			size_t j = 0;
			while (j < cnt && strcmp(nm[j], v[i]) != 0)
				j++;
			char *path = xasprintf("%s/%s", dirs[d], v[i]);
			if (j < cnt) {	/* a later directory wins, file by file */
				free(pa[j]);
				pa[j] = path;
				free(v[i]);
				continue;
			}
			nm = xrealloc(nm, (cnt + 1) * sizeof *nm);
			pa = xrealloc(pa, (cnt + 1) * sizeof *pa);
			nm[cnt] = v[i];
			pa[cnt++] = path;
		}
		free(v);
	}
	/* name order, as list_files: the same order whichever directory won */
	for (size_t i = 1; i < cnt; i++)
		for (size_t j = i; j > 0 && strcmp(nm[j - 1], nm[j]) > 0; j--) {
			char *t = nm[j]; nm[j] = nm[j - 1]; nm[j - 1] = t;
			t = pa[j]; pa[j] = pa[j - 1]; pa[j - 1] = t;
		}
	*paths = pa;
	*names = nm;
	*n = cnt;
	return 0;
}

void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
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
