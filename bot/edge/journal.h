/* journal — the outbox and the offset on disk: STATE_DIR/outbox.journal, an
 * append-only file of checksummed lines.
 *
 *   Q seq update_id wall {reply as JSON}   a reply accepted for sending
 *   D seq                                  it left the outbox (sent, dropped)
 *   O offset wall                          commit: the next update wanted
 *
 * One getUpdates batch is one write and one fdatasync (its Q lines and the
 * O line): its updates are confirmed to Telegram only after it. A Q line
 * counts only once an O line follows it, so a batch torn by a crash is
 * fetched and handled again, whole. Each send's D line is written and
 * fdatasync()ed before the next send goes out, so a kill -9 repeats at
 * most the one reply in flight. The file is rewritten (temp file, fsync,
 * rename) when it has grown to several times what is still live.
 *
 * It is the outbox's store (outbox.h: struct outbox_store); another store
 * (SQLite) would offer the same four calls. See docs/design-notes.md. */
#ifndef CANCELBOT_JOURNAL_H
#define CANCELBOT_JOURNAL_H

#include <stdint.h>

#include "outbox.h"
#include "util.h"

struct journal;

/* Opens (creating) dir/outbox.journal and reads it back: each live reply
 * goes to the outbox (outbox_restore), *offset is the last committed
 * offset (-1: none yet) and *wall its time. NULL and a message in err when
 * the file cannot be opened or written. */
struct journal *journal_open(const char *dir, struct outbox *ob, int64_t *offset, double *wall,
			     struct sbuf *err);
/* The outbox's side: add() buffers a Q line for the next commit; done()
 * appends a D line (fdatasync()ed with sync). */
struct outbox_store journal_store(struct journal *j);
/* Writes what add() and unsynced done() buffered, and the offset, in one
 * write, then fdatasync(); rewrites the file first when it has grown too
 * much. -1 (errno) when it could not be saved. */
int journal_commit(struct journal *j, const struct outbox *ob, int64_t offset, double wall);
/* The seq of the last reply add() recorded (0: none yet): after a
 * commit, every reply up to it is durable. */
uint64_t journal_last_seq(const struct journal *j);
/* Bytes in the file (for the bench and tests). */
long journal_size(const struct journal *j);
void journal_close(struct journal *j);

#endif
