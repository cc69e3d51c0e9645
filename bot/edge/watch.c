/* watch — see watch.h. */
#define _GNU_SOURCE
#include "watch.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)

static void add(int fd, const char *dir)
{
	if (inotify_add_watch(fd, dir, EVENTS | IN_ONLYDIR) < 0)
		log_warn("watch_failed", KV("dir", dir), KV("msg", strerror(errno)));
}

int watch_open(const char *const *dirs, int ndirs)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		log_warn("watch_failed", KV("error", strerror(errno)),
			 KV("msg", "inotify failed; edits need SIGHUP or /reload"));
		return -1;
	}
	for (int i = 0; i < ndirs; i++) {
		add(fd, dirs[i]);
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			char *sub = xasprintf("%s/%s", dirs[i], e->d_name);
			add(fd, sub);
			free(sub);
		}
		if (d)
			closedir(d);
	}
	return fd;
}

/* Editors write swap and backup files next to the real one. */
static int interesting(const char *name)
{
	size_t n = strlen(name);
	return n && name[0] != '.' && name[n - 1] != '~' && !strstr(name, ".swp") &&
	       !strstr(name, ".tmp") && (strstr(name, ".ini") || strstr(name, ".txt"));
}

int watch_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int any = 0;
	ssize_t n;
	while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			if (ev->len && interesting(ev->name))
				any = 1;
			p += sizeof *ev + ev->len;
		}
	}
	return any;
}

int watch_ready(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return fd >= 0 && poll(&p, 1, 0) > 0;
}

void watch_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
