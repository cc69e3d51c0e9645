/* metrics — the counters (stats) as a Prometheus text file, for
 * node_exporter's textfile collector: written whole to PATH.tmp, then
 * renamed over PATH, so a scrape never reads half a file (and the
 * collector skips the .tmp, which does not end in .prom). Mode 0644
 * whatever the umask: the collector runs as another user, and the file
 * holds only counts.
 * Written at start, every METRICS_EVERY seconds, and at exit; nothing
 * here allocates memory the caller keeps. */
#ifndef CANCELBOT_METRICS_H
#define CANCELBOT_METRICS_H

#include "stats.h"

#define METRICS_EVERY 60.0	/* seconds */

/* Writes s to path atomically. 0, or -1 (logged once per failure run: a
 * full disk is not logged every minute). */
int metrics_write(const char *path, const struct stats *s);
/* metrics_write when path is set (not NULL or "") and METRICS_EVERY
 * seconds have passed since *last (monotonic; 0: never). */
void metrics_tick(const char *path, const struct stats *s, double now, double *last);
/* The text itself, appended to out. */
void metrics_format(const struct stats *s, struct sbuf *out);

#endif
