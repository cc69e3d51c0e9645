/* groups — what the running bot keeps about its groups: each group's
 * settings as its admins left them (/settings@bot), kept across restarts,
 * dropped when the bot leaves the group and moved when the group becomes a
 * supergroup; and who is an admin of which group, asked of Telegram
 * (getChatMember) and remembered for GROUPS_ADMIN_TTL seconds, so a row
 * of button presses costs one call.
 *
 * Settings live in the store's table group_settings (a row per group
 * whose admins changed anything), read once at start into memory and
 * written through on every change; a damaged row is a group with the
 * defaults. struct groups owns its memory; groups_close() frees it. */
#ifndef CANCELBOT_GROUPS_H
#define CANCELBOT_GROUPS_H

#include <stdint.h>

#include "group.h"
#include "telegram.h"

#define GROUPS_ADMIN_TTL 300.0	/* seconds an admin check is trusted */

struct groups;

/* Loads the saved settings from the open store. Never NULL. */
struct groups *groups_open(void);
void groups_close(struct groups *g);
/* The group's settings, or NULL when it has the defaults. The pointer is
 * good until the next change. */
const struct group_prefs *groups_get(struct groups *g, int64_t chat);
/* Stores and saves; 0, or -1 (logged) when the file could not be written
 * (the setting still holds until a restart). */
int groups_set(struct groups *g, int64_t chat, const struct group_prefs *p);
/* The bot left the group: its settings and admin checks go. */
void groups_drop(struct groups *g, int64_t chat);
/* The group became the supergroup to: its settings move. */
void groups_migrate(struct groups *g, int64_t from, int64_t to);
size_t groups_count(const struct groups *g);

/* Admin checks never block: the loop asks in the background and comes
 * back with the answer. groups_admin_known: 1 when user is the creator or
 * an administrator of chat, 0 when not, -1 when not known (not asked, or
 * asked more than GROUPS_ADMIN_TTL ago). groups_admin_ask starts a
 * getChatMember whose answer comes back (tg_next_done) with tag; give it to
 * groups_admin_answer, which remembers it and returns 1 or 0 (0 also when
 * Telegram could not say: logged and not remembered, so the next press
 * asks again). */
#define GROUPS_ADMIN_TIMEOUT 5	/* seconds: a getChatMember answers in milliseconds */
int groups_admin_known(const struct groups *g, int64_t chat, int64_t user, double now);
struct tg_req *groups_admin_ask(struct tg_client *tg, int64_t chat, int64_t user, void *tag);
int groups_admin_answer(struct groups *g, int64_t chat, int64_t user, const struct tg_result *r,
			double now);

#endif
