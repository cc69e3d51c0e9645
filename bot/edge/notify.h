/* notify — what systemd (Type=notify) is told about the running bot, through
 * libsystemd's sd_notify: READY=1 once the token is accepted and the
 * knowledge base loaded; RELOADING=1 with MONOTONIC_USEC when a reload
 * starts, then READY=1 with a STATUS= saying whether it was applied or
 * refused and why (so `systemctl status` tells the truth); WATCHDOG=1 only
 * when the poll loop made progress (Telegram answered), so a poll stuck past
 * its timeout stops the pings and WatchdogSec= restarts the service;
 * otherwise STATUS= every few seconds with the queue, the age of the last
 * update, the knowledge base and the last reload's outcome; STOPPING=1 on
 * the way out. Without $NOTIFY_SOCKET (not under systemd)
 * every call does nothing. Holds no memory the caller must free. */
#ifndef CANCELBOT_NOTIFY_H
#define CANCELBOT_NOTIFY_H

#include <stddef.h>

/* Reads $WATCHDOG_USEC (sd_watchdog_enabled); call once at start. */
void notify_init(void);
/* READY=1 with STATUS=status (line breaks become "; "). */
void notify_ready(const char *status);
/* STATUS=status alone: before READY=1, why the start waits. */
void notify_status(const char *status);
/* RELOADING=1 and MONOTONIC_USEC=now: a reload starts. */
void notify_reloading(void);
/* READY=1 and STATUS= the first lines of a reload's report ("Reloaded ..."
 * or "Reload (...) refused: ..." with the first problem). */
void notify_reloaded(const char *report);
/* Writes the service's current state (queue, last update, knowledge base,
 * last reload) into buf, for STATUS=. */
typedef void notify_status_fn(void *ctx, char *buf, size_t cap);
/* The loop made progress at time now (seconds, monotonic): WATCHDOG=1, at
 * most every half watchdog interval (none when no watchdog is set), and
 * STATUS= from status(ctx) at most every NOTIFY_STATUS_EVERY seconds. */
#define NOTIFY_STATUS_EVERY 10.0
void notify_progress(double now, notify_status_fn *status, void *ctx);
void notify_stopping(void);
/* The last STATUS= text made (also without systemd), "" before the first:
 * the store keeps it for `cancelbot status`. Borrowed. */
const char *notify_last_status(void);

#endif
