/* state — what must survive a restart: the next getUpdates offset and the
 * ids of recently answered updates, saved atomically and durably after
 * every handled update, in STATE_DIR/state.slots: two checksummed copies
 * overwritten in turn and fdatasync()ed, the newer valid one wins on load
 * (state.c says why not a renamed temp file). A flock on STATE_DIR/lock
 * keeps a second instance from polling the same bot.
 *
 * struct state owns its directory string and both descriptors. */
#ifndef CANCELBOT_STATE_H
#define CANCELBOT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define STATE_RECENT 512

struct state {
	char *dir;
	int64_t offset;			/* next update_id wanted */
	int64_t max_done;		/* highest update fully handled */
	double last_activity;		/* wall time of the last handled update */
	int64_t recent[STATE_RECENT];	/* ring of handled ids */
	size_t nrecent, head;
	uint64_t seq;			/* saves so far; seq % 2 is the next slot */
	int fd, lock_fd;
	int migrated;			/* loaded from an old state.json */
};

/* Creates dir if needed, takes the lock, loads the saved state. -1 and a
 * message in err when the lock is held or the file is unreadable. */
int state_open(struct state *s, const char *dir, struct sbuf *err);
int state_seen(const struct state *s, int64_t update_id);
/* Telegram numbers updates at random after a week without any: past that,
 * a saved offset could be above every new id and hide them all. Resets the
 * offset (safe: Telegram keeps updates only 24 hours) and returns 1 when
 * it did. */
int state_expire_offset(struct state *s, double now);
/* Records a fully handled update (its replies sent) and saves. floor is the
 * smallest update still waiting for replies (INT64_MAX: none): the offset
 * never passes it, so a crash cannot confirm an unanswered update. -1
 * (errno) when saving failed. */
int state_mark(struct state *s, int64_t update_id, int64_t floor);
void state_close(struct state *s);

#endif
