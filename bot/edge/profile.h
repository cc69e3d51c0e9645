/* profile — what Telegram shows of the bot before anyone writes to it:
 * the command menus per scope (private chats, group chats, group admins,
 * each bot admin's private chat) and language, the description ("What can
 * this bot do?") and the short description (profile and share text), per
 * language from responses/ (topics bot_description, bot_short_description).
 *
 * Each is compared with what Telegram has (getMyCommands, getMyDescription,
 * getMyShortDescription) and set only when it differs, so a restart costs
 * a few reads and no writes. Telegram takes two-letter language codes only:
 * "zh" is one menu and one description for both scripts (profile.c says
 * how). Failures are logged; the bot runs on without them.
 *
 * The calls go one at a time in the background (tg_start), driven by the
 * run loop like sends: a hanging or slow server holds up no chat and no
 * start. What to send is worked out at profile_start, so the kb may be
 * reloaded meanwhile. struct profile owns its memory; profile_free()
 * cancels a call still in flight. */
#ifndef CANCELBOT_PROFILE_H
#define CANCELBOT_PROFILE_H

#include "config.h"
#include "kb.h"
#include "telegram.h"

struct profile;

/* Works out the menus and descriptions and starts the first read. */
struct profile *profile_start(struct tg_client *tg, const struct config *cfg,
			      const struct kb *kb);
/* 1 when user (of a finished background request) is pr's. */
int profile_owns(const struct profile *pr, const void *user);
/* pr's request finished with r: sets what differs, then starts the next. */
void profile_done(struct profile *pr, const struct tg_result *r);
/* 1 while a call is in flight (0 once everything is checked). */
int profile_busy(const struct profile *pr);
void profile_free(struct profile *pr);

#endif
