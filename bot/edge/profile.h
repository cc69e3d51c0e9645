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
 * how). Failures are logged; the bot runs on without them. */
#ifndef CANCELBOT_PROFILE_H
#define CANCELBOT_PROFILE_H

#include "config.h"
#include "kb.h"
#include "telegram.h"

/* Brings the menus and descriptions up to date. Returns how many of them
 * were set (0 when Telegram had them all already). */
int profile_sync(struct tg_client *tg, const struct config *cfg, const struct kb *kb);

#endif
