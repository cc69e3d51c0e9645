/* kbfile — see kbfile.h. */
#define _POSIX_C_SOURCE 200809L
#include "kbfile.h"
#include "normalize.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The length of the line at p, without its '\n' (and '\r'). */
static size_t line_len(const char *p)
{
	size_t n = strcspn(p, "\n");
	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

/* A [section] head, as the answer reader sees one. */
static int is_head(const char *p, size_t n)
{
	return n >= 2 && p[0] == '[' && p[n - 1] == ']';
}

static int is_head_named(const char *p, size_t n, const char *head)
{
	return is_head(p, n) && n - 2 == strlen(head) && memcmp(p + 1, head, n - 2) == 0;
}

/* Where [head]'s body starts and ends in text: the end is the next head, or
 * before the comment and blank lines just above it (they introduce it). */
static int find_body(const char *text, const char *head, const char **start, const char **end)
{
	const char *p = text;
	while (*p && !is_head_named(p, line_len(p), head))
		p = next_line(p);
	if (!*p)
		return -1;
	*start = next_line(p);
	const char *q = *start, *keep = NULL;	/* keep: the first of the lines above the next head */
	while (*q && !is_head(q, line_len(q))) {
		size_t n = line_len(q);
		if (n == 0 || q[0] == ';') {
			if (!keep)
				keep = q;
		} else {
			keep = NULL;
		}
		q = next_line(q);
	}
	*end = *q && keep ? keep : q;
	return 0;
}

char *kbfile_section(const char *text, const char *head)
{
	const char *s, *e;
	if (find_body(text, head, &s, &e) < 0)
		return NULL;
	while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

/* body with its blank edges and '\r's gone, ending in one '\n'. */
static void add_body(struct sbuf *out, const char *body)
{
	while (*body == '\n' || *body == '\r')
		body++;
	size_t n = strlen(body);
	while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r' || body[n - 1] == ' '))
		n--;
	for (size_t i = 0; i < n; i++)
		if (body[i] != '\r')
			sbuf_addc(out, body[i]);
	sbuf_addc(out, '\n');
}

char *kbfile_replace_section(const char *text, const char *head, const char *body)
{
	struct sbuf out = {0};
	const char *s, *e;
	if (find_body(text, head, &s, &e) < 0) {
		sbuf_adds(&out, text);
		if (out.len && out.p[out.len - 1] != '\n')
			sbuf_addc(&out, '\n');
		sbuf_addf(&out, "\n[%s]\n", head);
		add_body(&out, body);
		return sbuf_take(&out);
	}
	sbuf_add(&out, text, (size_t)(s - text));
	add_body(&out, body);
	if (*e)
		sbuf_addc(&out, '\n');	/* a blank line before what follows */
	while (*e == '\n' || (*e == '\r' && e[1] == '\n'))
		e++;	/* ... exactly one */
	sbuf_adds(&out, e);
	return sbuf_take(&out);
}

const char *kbfile_body_problem(const char *body)
{
	for (const char *p = body; *p; p = next_line(p)) {
		size_t n = line_len(p);
		if (is_head(p, n))
			return "a line in [brackets] would start a new section";
		if (n > 0 && p[0] == ';')
			return "a line starting with ';' would be read as a comment";
	}
	return NULL;
}

char *kbfile_literal(const char *phrase)
{
	struct sbuf out = {0};
	for (const char *p = phrase; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			sbuf_addc(&out, ' ');
			continue;
		}
		if (strchr("\\^$.|?*+()[]{}#", *p))
			sbuf_addc(&out, '\\');
		sbuf_addc(&out, *p);
	}
	return sbuf_take(&out);
}

char *kbfile_add_phrase(const char *text, const char *head, const char *phrase,
			const char *comment)
{
	const char *p = text;
	while (*p && !is_head_named(p, line_len(p), head))
		p = next_line(p);
	if (!*p)
		return NULL;
	const char *after = next_line(p);
	struct sbuf out = {0};
	sbuf_add(&out, text, (size_t)(after - text));
	if (after == p + strlen(p) && (out.len == 0 || out.p[out.len - 1] != '\n'))
		sbuf_addc(&out, '\n');
	char *lit = kbfile_literal(phrase);
	sbuf_addf(&out, "; %s\n%s = %s\n", comment, text_has_han(phrase) ? "zh" : "en", lit);
	free(lit);
	sbuf_adds(&out, after);
	return sbuf_take(&out);
}

int kbfile_mkdirs(const char *dir)
{
	char *d = xstrdup(dir);
	for (char *p = d + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(d, 0755) < 0 && errno != EEXIST) {
				free(d);
				return -1;
			}
			*p = '/';
		}
	int rc = mkdir(d, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(d);
	return rc;
}

static int fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int kbfile_write(const char *path, const char *data, struct sbuf *err)
{
	char *copy = xstrdup(path);
	int rc = kbfile_mkdirs(dirname(copy));
	free(copy);
	if (rc < 0) {
		sbuf_addf(err, "cannot make the directory of %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t len = strlen(data), done = 0;
	while (fd >= 0 && done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	/* the data on disk before the name points at it: a crash leaves the
	 * old file or the new one, never a part */
	rc = fd >= 0 && done == len && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = -1, saved = errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1, saved = errno;
	if (rc < 0) {
		unlink(tmp);
		sbuf_addf(err, "cannot write %s: %s\n", path, strerror(saved));
	} else {
		fsync_dir(path);
	}
	free(tmp);
	return rc;
}

int kbfile_remove(const char *path, struct sbuf *err)
{
	if (unlink(path) < 0 && errno != ENOENT) {
		sbuf_addf(err, "cannot remove %s: %s\n", path, strerror(errno));
		return -1;
	}
	fsync_dir(path);
	return 0;
}
