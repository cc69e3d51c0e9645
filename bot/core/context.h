/* context — what the bot remembers between messages, in memory only:
 * per chat and user the last carrier, plan and topic and a pending question
 * ("which carrier?", "prepaid or postpaid?"), each for ttl seconds; per user
 * the language chosen with /lang; per group the answers sent in the last
 * minute, so a repeated question points at the earlier answer.
 *
 * Everything is stored as plain ids (strings), never pointers into a
 * knowledge base, so it survives a reload. Every table has a fixed
 * capacity: expired entries are reused first, then the oldest is evicted.
 * The store owns all of its memory (context_free). */
#ifndef CANCELBOT_CONTEXT_H
#define CANCELBOT_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#define CTX_ID 32
#define CTX_LINES 4	/* carriers whose plan a conversation remembers */
#define CTX_KEY 128	/* a group's answer key: "topic|carrier|plan|lang" */

enum pending { PENDING_NONE, PENDING_CARRIER, PENDING_PLAN };

/* a carrier's line said in the conversation: ids as small numbers into
 * context.c's table (0: none), what is known of it */
struct line_note {
	uint8_t carrier, plan;	/* plan 0: not said */
	uint8_t owner;		/* 0 not said, 1 the asker's, 2 someone else's */
};

struct memory {
	int64_t chat, user;
	double expires;		/* 0: slot unused */
	char carrier[CTX_ID], plan[CTX_ID], topic[CTX_ID];
	char brand[CTX_ID];	/* a US carrier without facts ("H2O"), when carrier is "" */
	int64_t answered_id;	/* the last message answered (an edit of it is not) */
	char last_press[65];	/* callback_data of the last press, "" after a message */
	char lang[8];		/* the language of the conversation (a lang.h code:
				 * "zh-Hans", the longest, fills it) */
	enum pending pending;
	char pending_topic[CTX_ID];
	char situation[CTX_ID];	/* the last sensitive topic (a death, a lost phone:
				 * an intent with ask = after), which a cue's
				 * keeps still reads after a side question */
	/* the plan said for each carrier of the conversation ("my Cricket is
	 * prepaid, the Verizon one monthly"), so going back to a line brings
	 * its plan back; the oldest is dropped when full. Ids are held as
	 * small numbers into context.c's table of the ids ever noted (a few
	 * carriers and plans): 8 bytes, not 256, of the ~570 a chat costs.
	 * 0: no line. Read and written through context_note_plan/plan_of. */
	struct line_note lines[CTX_LINES];
};

struct context;

struct context *context_new(size_t capacity, double ttl);
void context_free(struct context *c);

/* The live memory for chat+user, or NULL. */
const struct memory *context_get(struct context *c, int64_t chat, int64_t user, double now);
/* Creates or refreshes chat+user's memory (ttl from now) and returns it for
 * the caller to fill in. Never NULL. */
struct memory *context_put(struct context *c, int64_t chat, int64_t user, double now);
void context_forget(struct context *c, int64_t chat, int64_t user);
/* The bot left the group: everything remembered in it goes. */
void context_forget_chat(struct context *c, int64_t chat);
/* A group became a supergroup: its memories move to the new chat id. */
void context_migrate(struct context *c, int64_t from, int64_t to);
size_t context_size(struct context *c, double now);

/* Notes that carrier's line is on plan in m (newest last). */
void context_note_plan(struct memory *m, const char *carrier, const char *plan);
/* The plan noted for carrier in m, or NULL; a static string. */
const char *context_plan_of(const struct memory *m, const char *carrier);
/* Notes that carrier's line was named in the conversation (nothing said of it). */
void context_note_line(struct memory *m, const char *carrier);
/* Notes whose carrier's line is (owner 1: the asker's, 2: someone else's). */
void context_note_owner(struct memory *m, const char *carrier, int owner);
/* The carrier of the line last said to be owner's, or NULL; a static string.
 * With none said to be the asker's, their own is the last line said to be
 * nobody's in particular (the asker opened with it: "V家可以暂停吗" ... her
 * Total ... "回到我的"); the same for someone else's. */
const char *context_line_of(const struct memory *m, int owner);

/* /lang: a lang.h code, or NULL to follow the messages again. */
void context_set_lang(struct context *c, int64_t user, const char *lang);
const char *context_lang(struct context *c, int64_t user);
/* Every /lang choice, for saving: fn(arg, user, code) once each. */
void context_each_lang(struct context *c, void (*fn)(void *arg, int64_t user, const char *lang),
		       void *arg);

/* Group de-duplication: the message id of the answer sent for key in chat
 * within the last `window` seconds, or 0. */
int64_t context_recent_answer(struct context *c, int64_t chat, const char *key, double now,
			      double window);
void context_note_answer(struct context *c, int64_t chat, const char *key, int64_t message_id,
			 double now);

#endif
