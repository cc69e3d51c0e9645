/* watch — see watch.h. */
#define _GNU_SOURCE
#include "watch.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)
#define WATCH_MAX 64	/* directories: a knowledge base has a handful */

/* Each watched directory by its watch descriptor, so a subdirectory made
 * later (an admin creating intents/ or responses/zh/ by hand) can be
 * watched too: its path is the parent's plus the event's name. One watch
 * fd per process (the run loop's), so the table is the module's. */
static struct watched {
	int wd;
	int depth;	/* levels of subdirectories still to watch below it */
	char *path;
} watched[WATCH_MAX];
static int nwatched;

static void add_tree(int fd, const char *dir, int depth);

static void add(int fd, const char *dir, int depth)
{
	int wd = inotify_add_watch(fd, dir, EVENTS | IN_ONLYDIR);
	if (wd < 0) {
		log_warn("watch_failed", KV("dir", dir), KV("msg", strerror(errno)));
		return;
	}
	for (int i = 0; i < nwatched; i++)
		if (watched[i].wd == wd)
			return;	/* the same directory again */
	if (nwatched == WATCH_MAX) {
		log_warn("watch_failed", KV("dir", dir), KV("msg", "too many directories"));
		return;
	}
	watched[nwatched++] = (struct watched){.wd = wd, .depth = depth, .path = xstrdup(dir)};
}

/* dir and its subdirectories, depth levels down. */
static void add_tree(int fd, const char *dir, int depth)
{
	add(fd, dir, depth);
	DIR *d = depth > 0 ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		char *sub = xasprintf("%s/%s", dir, e->d_name);
		add_tree(fd, sub, depth - 1);
		free(sub);
	}
	if (d)
		closedir(d);
}

int watch_open(const struct watch_dir *dirs, int ndirs)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		log_warn("watch_failed", KV("error", strerror(errno)),
			 KV("msg", "inotify failed; edits need SIGHUP or /reload"));
		return -1;
	}
	for (int i = 0; i < ndirs; i++)
		add_tree(fd, dirs[i].path, dirs[i].depth);
	return fd;
}

/* Editors write swap and backup files next to the real one. */
static int interesting(const char *name)
{
	size_t n = strlen(name);
	return n && name[0] != '.' && name[n - 1] != '~' && !strstr(name, ".swp") &&
	       !strstr(name, ".tmp") && (strstr(name, ".ini") || strstr(name, ".txt"));
}

/* A directory appeared in a watched one: watch it (and what it already
 * holds: files written before its watch was in place are read by the
 * reload this event starts). 1 when it is one of ours. */
static int new_dir(int fd, const struct inotify_event *ev)
{
	for (int i = 0; i < nwatched; i++) {
		if (watched[i].wd != ev->wd || watched[i].depth <= 0)
			continue;
		char *sub = xasprintf("%s/%s", watched[i].path, ev->name);
		add_tree(fd, sub, watched[i].depth - 1);
		free(sub);
		return 1;
	}
	return 0;
}

int watch_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int any = 0;
	ssize_t n;
	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			if (ev->len && (ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
			    ev->name[0] != '.')
				any |= new_dir(fd, ev);
			else if (ev->len && interesting(ev->name))
				any = 1;
			p += sizeof *ev + ev->len;
		}
	}
	return any;
}

void watch_close(int fd)
{
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < nwatched; i++)
		free(watched[i].path);
	nwatched = 0;
}
