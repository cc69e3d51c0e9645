/* wake — the run loop's wake-up pipe.
 *
 * The loop waits in curl_multi_poll (telegram.c) for a transfer, a timer or
 * this pipe. Signal handlers (SIGTERM, SIGINT, SIGHUP), the reload thread
 * when its knowledge base is ready, and inotify (watch.c, its own fd) end
 * the wait at once, so the loop needs no short tick to notice them: idle in
 * a long poll it wakes once per WAKE_IDLE_MS, not five times a second (each
 * wake-up of a VM's idle process costs a context switch, most of the idle
 * CPU). One pipe per process; nothing here allocates. */
#ifndef CANCELBOT_WAKE_H
#define CANCELBOT_WAKE_H

/* Opens the pipe (non-blocking, close-on-exec); 0, or -1 with errno. A
 * second call is a no-op. */
int wake_open(void);
/* The read end to poll, or -1 before wake_open. */
int wake_fd(void);
/* Ends the loop's current or next wait. Async-signal-safe (one write(),
 * errno kept); callable from any thread; a full pipe already wakes. */
void wake_post(void);
/* Empties the pipe after a wake-up. */
void wake_drain(void);
void wake_close(void);

#endif
