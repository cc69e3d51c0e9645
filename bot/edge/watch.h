/* watch — inotify on the knowledge-base directories (and their language
 * subdirectories), so edits reload the bot. The caller polls the fd and
 * debounces: an editor's save is several events. Owns its fd. */
#ifndef CANCELBOT_WATCH_H
#define CANCELBOT_WATCH_H

/* Watches dir and every subdirectory one level down; -1 on failure (the
 * reason is logged; SIGHUP and /reload still work). */
int watch_open(const char *const *dirs, int ndirs);
/* Reads every pending event without blocking; 1 when any concerned a file
 * (not a temp/backup file an editor leaves), 0 when none. */
int watch_drain(int fd);
/* 1 when events wait to be read, without consuming them. */
int watch_ready(int fd);
void watch_close(int fd);

#endif
