/* notify — sd_notify messages for systemd; see notify.h. */
#include "notify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

/* STATUS= is one line; systemctl status shows about this much of it */
#define STATUS_MAX 400

static double watchdog_every;	/* seconds between pings, 0: no watchdog */
static double last_ping = -1, last_status = -1;
static char last_line[STATUS_MAX];	/* the last STATUS= text, for the store */

const char *notify_last_status(void)
{
	return last_line;
}

void notify_init(void)
{
	uint64_t usec = 0;
	watchdog_every = sd_watchdog_enabled(0, &usec) > 0 ? (double)usec / 2e6 : 0;
	last_ping = last_status = -1;
}

/* Copies text into dst as one line: breaks become "; ", the end trimmed. */
static void one_line(char *dst, size_t cap, const char *text)
{
	size_t n = 0;
	for (const char *p = text ? text : ""; *p && n + 3 < cap; p++) {
		if (*p == '\n') {
			if (!p[1])
				break;
			dst[n++] = ';';
			dst[n++] = ' ';
		} else if (*p != '\r') {
			dst[n++] = *p;
		}
	}
	dst[n] = '\0';
}

static void send_with_status(const char *head, const char *status)
{
	char line[STATUS_MAX];
	one_line(line, sizeof line, status);
	memcpy(last_line, line, sizeof line);
	sd_notifyf(0, "%s\nSTATUS=%s", head, line);
}

void notify_ready(const char *status)
{
	send_with_status("READY=1", status);
}

void notify_status(const char *status)
{
	char line[STATUS_MAX];
	one_line(line, sizeof line, status);
	memcpy(last_line, line, sizeof line);
	sd_notifyf(0, "STATUS=%s", line);
}

void notify_reloading(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
}

void notify_reloaded(const char *report)
{
	/* the headline and the first problem (or the figures) are what an
	 * operator needs in `systemctl status`; the log has every line */
	char two[STATUS_MAX];
	const char *first = report ? strchr(report, '\n') : NULL;
	const char *second = first ? strchr(first + 1, '\n') : NULL;
	size_t len = second ? (size_t)(second - report) : strlen(report ? report : "");
	snprintf(two, sizeof two, "%.*s", (int)len, report ? report : "");
	send_with_status("READY=1", two);
}

void notify_progress(double now, notify_status_fn *status, void *ctx)
{
	int ping = watchdog_every > 0 && (last_ping < 0 || now - last_ping >= watchdog_every);
	int tell = status && (last_status < 0 || now - last_status >= NOTIFY_STATUS_EVERY);
	if (!ping && !tell)
		return;
	char text[STATUS_MAX] = "", line[STATUS_MAX] = "";
	if (tell) {
		status(ctx, text, sizeof text);
		one_line(line, sizeof line, text);
		memcpy(last_line, line, sizeof line);
		last_status = now;
	}
	if (ping)
		last_ping = now;
	if (ping && tell)
		sd_notifyf(0, "WATCHDOG=1\nSTATUS=%s", line);
	else if (ping)
		sd_notify(0, "WATCHDOG=1");
	else
		sd_notifyf(0, "STATUS=%s", line);
}

void notify_stopping(void)
{
	snprintf(last_line, sizeof last_line, "Stopping: sending what is queued, confirming the offset");
	sd_notifyf(0, "STOPPING=1\nSTATUS=%s", last_line);
}
