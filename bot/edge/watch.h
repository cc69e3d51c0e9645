/* watch — inotify on the knowledge-base directories (and their language
 * subdirectories, including ones made after the start), so edits reload
 * the bot. The caller polls the fd and debounces: an editor's save is
 * several events. Owns its fd and the table of watched paths (one watch
 * per process: the run loop's). */
#ifndef CANCELBOT_WATCH_H
#define CANCELBOT_WATCH_H

struct watch_dir {
	const char *path;
	int depth;	/* levels of subdirectories to watch below it */
};

/* Watches each dir and its subdirectories depth levels down, now and as
 * they are made; -1 on failure (the reason is logged; SIGHUP and /reload
 * still work). */
int watch_open(const struct watch_dir *dirs, int ndirs);
/* Reads every pending event without blocking; 1 when any concerned a file
 * (not a temp/backup file an editor leaves) or a new watched directory,
 * 0 when none. */
int watch_drain(int fd);
void watch_close(int fd);

#endif
