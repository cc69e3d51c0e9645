/* kb — the knowledge base: recognition rules from intents/ and answers and
 * carrier facts from responses/, loaded, compiled and checked as one
 * immutable snapshot.
 *
 * A snapshot is built off to the side by kb_load() (load.h) and never
 * changes after; the bot swaps pointers to reload. Everything reachable
 * from a struct kb is owned by it and released by kb_free(). File formats:
 * docs/admin.md. */
#ifndef CANCELBOT_KB_H
#define CANCELBOT_KB_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "prefilter.h"
#include <pcre2.h>
#include <stdatomic.h>
#include <stddef.h>

#include "lang.h"
#include "util.h"

/* What the runtime can hold, so that `check` rejects anything longer instead
 * of the bot cutting it: ids are kept in conversation memory and replies as
 * char[KB_ID_MAX + 1]; a button's callback_data may have 1-64 bytes
 * (Telegram's limit); a button label is kept in char[KB_LABEL_MAX + 1]. */
#define KB_ID_MAX 31
#define KB_CALLBACK_MAX 64
#define KB_LABEL_MAX 63

/* A cue ([cue ID], intents/followups.ini) is what the conversation needs
 * besides topics: a follow-up that means a topic once the carrier is known
 * ("can I do it online?"), small talk, "I don't know", a US brand the bot has
 * no facts for. Cues never change a message's intent for eval. */
enum rule_kind { RULE_INTENT, RULE_CARRIER, RULE_PLAN, RULE_VETO, RULE_DEFINE, RULE_CUE,
		 RULE_KIND_COUNT };

/* A pattern's precondition, from a `when = a, b|c` line: every clause must
 * hold, and a clause holds when any of its atoms does. An atom is a [define]
 * that matches somewhere in the message (evaluated once per message), or
 * "carrier" / "plan" (one was named). */
#define COND_CARRIER (-1)
#define COND_PLAN (-2)
struct cond_clause {
	int *atoms;		/* rule indexes of defines, or COND_CARRIER / COND_PLAN */
	size_t n;
};
struct cond {
	struct cond_clause *clauses;
	size_t n;
	char *src;
	const char *file;
	int line;
};

/* A compiled alternation. It is interpreted until it has run KB_JIT_AFTER
 * times, then JIT-compiled by the knowledge base's JIT thread (jit.c), on
 * a copy, while matches go on interpreting: a load compiles no JIT code
 * (half of a reload was JIT compilation, and patterns that hardly ever run
 * kept megabytes of it), the patterns that run often get it within the
 * first messages, and no message waits for a compile. Classifications may
 * run on several threads (a reload's eval gate runs on the running kb):
 * the counters are atomic, exactly one thread queues an alternation, and
 * its JIT code is published with one atomic store. */
enum { KB_JIT_AFTER = 32 };
enum regex_state { REGEX_INTERPRETED, REGEX_QUEUED, REGEX_JIT, REGEX_NO_JIT };
struct regex {
	pcre2_code *code;	/* interpreted; never JIT-compiled itself; freed
				 * (NULL) once jit is set and no classification
				 * that may still interpret it is in flight */
	_Atomic(pcre2_code *) jit;	/* a JIT-compiled copy of code, or NULL */
	atomic_uint runs;	/* interpreted runs so far */
	atomic_int state;	/* enum regex_state */
	/* A reload reuses the compiled alternations of the running kb whose
	 * expanded source is unchanged (regex.c): the knowledge bases holding
	 * one share it, and the last kb_regex_free frees it. */
	atomic_uint refs;
	uint64_t key[2];	/* two hashes of the expanded source */
	size_t keylen;		/* and its length */
	char *need;		/* its needles as read from the source (packed,
				 * prefilter.h; a kb's own set is consumed by its
				 * index), or NULL: none were asked for */
};

/* An alternation of patterns. zh patterns are tried only on messages with
 * Chinese characters in them, so an alternation that mixes languages is
 * compiled a second time without them, for the other messages: English
 * text then runs a quarter faster. */
struct alt {
	struct regex *re;	/* every pattern, or NULL: there is none */
	struct needles need;	/* literals one of which any match of re contains */
	struct regex *no_zh;	/* without the zh ones; NULL: the same as re */
	int only_zh;		/* nothing to try on a message without Chinese */
};

/* Consecutive positive patterns of a rule with the same condition, compiled
 * as one alternation. */
struct pattern_group {
	int cond;		/* index into rule->conds, or -1: always */
	struct alt alt;
};

struct pattern {
	pcre2_code *alone;	/* this pattern on its own, compiled when explain first
				 * needs it (kb_pattern_code); freed with the kb */
	int cond;		/* index into rule->conds, or -1 */
	char *src;		/* as written, before {macro} expansion */
	const char *file;	/* points into kb->files */
	int line;
	char lang[4];		/* "en", "zh" or "any" */
	int negative;		/* a "not" pattern: vetoes its rule */
	int typo;		/* made from a `typo = NAME` line (typo.c): not in
				 * the {carrier} of other patterns */
};

struct rule {
	enum rule_kind kind;
	char *id;
	int priority;
	int addressed_only;	/* groups = addressed: in groups only when spoken to */
	int asks_carrier;	/* ask = carrier: ask "which carrier?" when none is known;
				 * 2 (ask = after): the general answer first, the carrier
				 * buttons under it (urgent topics: a lost phone) */
	int even_with_carrier;	/* vetoes: also silence a message that names a carrier */
	int silences_model;	/* vetoes: silence_model = yes, also where no rule found an
				 * intent: the model may not give one */
	int implied_said;	/* plans: implied = said: the plan read from how the line is
				 * paid (a balance, an auto-refill, months paid ahead) counts in a
				 * conversation as if the asker had said it (dialog.c) */
	int holds_topic;	/* vetoes: hold_topic = yes: in a private chat the question
				 * it silenced stays the conversation's topic, so a US
				 * line named next gets its answer ("中国移动怎么注销",
				 * then "那AT&T呢") */
	int private_only;	/* groups = private: never answered in groups */
	/* cues only (see docs/admin.md) */
	char *answer;		/* answer = TOPIC: the topic (or UI text) it stands for */
	char *also;		/* also = TOPIC: a UI text added under the answer */
	char *replaces;		/* replaces = ID, ID: intents this cue overrides */
	char *keeps;		/* keeps = ID, ID: topics it means when the conversation is on them */
	int asked;		/* when_asked = carrier (1) / plan (2): only as the reply to
				 * "which carrier?" / "prepaid or postpaid?" */
	int brand;		/* stands_for = carrier: a US carrier without facts */
	int plan_stated;	/* stands_for = plan: the plan the message names is said,
				 * not only implied (financing, auto-refill) */
	int correction;		/* stands_for = correction: a marker, the message
				 * corrects the carrier said ("sorry, I meant
				 * Mint"): what was said of the line stays */
	int own_line;		/* stands_for = own_line: a carrier said as the asker's
				 * own ("I'm on Verizon myself") while the conversation
				 * is on another carrier's line: no switch */
	int parking;		/* stands_for = parking: a marker, the message names a way
				 * to park the number (a snooze, a $3 plan): another carrier
				 * named with it, while the conversation is on a line, is
				 * where the number would go */
	int owner;		/* stands_for = owner_self / owner_other: a marker, the
				 * carrier named just after it is the asker's own line (1)
				 * or someone else's (2) ("mine is mint, hers is verizon");
				 * line_self / line_other: the message goes back to that
				 * line ("back to mine", "same question for hers", 回到我妈那张) */
	int recall;		/* stands_for = line_self / line_other (see owner) */
	int question;		/* stands_for = question: a UI answer that replaces an
				 * intent answers a question ("how long does the
				 * cancellation take? Verizon"), not a statement */
	struct pattern *pats;
	size_t npats;
	struct cond *conds;
	size_t nconds;
	struct pattern_group *groups;	/* the positive patterns */
	size_t ngroups;
	struct alt any;		/* defines: all patterns as one alternation */
	struct regex *none;	/* all negative patterns, or NULL */
	struct needles none_need;	/* literals one of which any match of none contains;
					 * a rule that matched skips none when none is in the text */
	const char *file;
	int line, order;
};

struct fact {
	char *key, *value;
	int line;
};

/* One [section] of responses/carriers.ini: a carrier's facts, or "general". */
struct facts {
	char *id;
	struct fact *v;
	size_t n;
	const char *file;
	int line;
};

struct answer {
	char *topic, *carrier, *plan;	/* carrier/plan NULL for the fallback */
	char lang[4];
	char *text;
	const char *file;
	int line;
};

struct kb {
	struct rule *rules;
	size_t nrules;
	struct facts *facts;
	size_t nfacts;
	struct answer *answers;
	size_t nanswers;
	uint32_t *answer_index;	/* hash of topic/carrier/plan/lang -> answer + 1; 0 empty */
	size_t answer_index_cap;	/* a power of two, at least twice nanswers */
	char *responses_dir;	/* where the answers came from, for messages */
	char **files;		/* every file read, for file:line in messages */
	uint64_t *file_hashes;	/* their contents' FNV-1a hashes, to tell what changed */
	size_t nfiles;
	size_t counts[RULE_KIND_COUNT];
	struct regex *carrier_destination;	/* [define carrier_destination], or NULL */
	struct needles destination_need;	/* its literals (see struct alt) */
	struct regex *carrier_origin;	/* [define carrier_origin], or NULL */
	struct needles origin_need;	/* its literals */
	struct regex *carrier_negated;	/* [define carrier_negated], or NULL */
	struct needles negated_need;	/* its literals */
	struct needle_index needles;	/* every needle set above, for one scan a message */
	size_t *intent_order;		/* intents by priority, highest first, then file order */
	size_t nintent_order;
	/* rule indexes in file order, for classify's loops over one kind: the
	 * carriers and plans (mentions), the cues, the vetoes */
	struct rule_list {
		size_t *v;
		size_t n;
	} mention_rules, cue_rules, veto_rules;
	pcre2_match_context *mctx;	/* match/depth/heap limits */
	struct kb_jit *jit;		/* its JIT thread and queue (jit.c) */
	/* every compiled alternation by key[0], open addressing (NULL: empty),
	 * for the next load to reuse; built once the kb is compiled */
	struct regex **by_key;
	size_t by_key_cap;		/* a power of two, or 0 */
	const struct kb *reuse_from;	/* during kb_load only: the running kb */
	struct model *model;		/* intents/model.tsv (model.h), or NULL: none */
	struct model *followups;	/* intents/model_followups.tsv: the turns of a
					 * conversation (reread.h), or NULL: none */
	struct model *plans;		/* intents/model_plans.tsv: the plan a message
					 * says (reread.h), or NULL: none */
	struct model *carriers;		/* intents/model_carriers.tsv: the carrier a
					 * message names (reread.h), or NULL: none */
};

void kb_free(struct kb *kb);

/* jit.c: matches re (may be NULL: no match) against text, which must be
 * valid UTF-8, from its start, with the kb's limits: the PCRE2 result (>= 0
 * a match, its span in md). Counts the run, and hands re to the kb's JIT
 * thread on its KB_JIT_AFTER-th. */
int kb_regex_match(const struct kb *kb, const struct regex *re, const char *text, size_t len,
		   pcre2_match_data *md);
/* The same from byte start of text (at a character's start; lookbehinds
 * still see the text before it). */
int kb_regex_match_at(const struct kb *kb, const struct regex *re, const char *text, size_t len,
		      size_t start, pcre2_match_data *md);
/* Around every classification on kb (scan.c): while one is in flight, the
 * interpreted originals of alternations that got JIT code meanwhile are
 * kept (jit.c). */
void kb_classify_begin(const struct kb *kb);
void kb_classify_end(const struct kb *kb);
/* What the kb holds of JIT code so far: compiled alternations and bytes. */
void kb_jit_stats(const struct kb *kb, size_t *compiled, size_t *total, size_t *bytes);
/* Interpreted originals freed so far (their JIT copies run instead), and
 * their bytes of bytecode. */
void kb_jit_freed(const struct kb *kb, size_t *n, size_t *bytes);
/* Waits until the JIT thread has compiled everything handed to it so far,
 * then frees the originals it replaced unless a classification is in
 * flight (benchmarks and tests; the bot never waits). */
void kb_jit_drain(const struct kb *kb);
/* The JIT thread's state, made with the kb (kb_load) and freed by kb_free,
 * which stops and joins the thread. */
struct kb_jit *kb_jit_new(void);
void kb_jit_free(struct kb_jit *j);

const struct rule *kb_rule(const struct kb *kb, enum rule_kind kind, const char *id);
const struct facts *kb_facts(const struct kb *kb, const char *id);
const char *facts_get(const struct facts *f, const char *key, const char *lang);

/* Answer lookup, most specific first: topic+carrier+plan, topic+carrier,
 * topic+plan, topic. NULL only when the topic has no answer in lang. */
const struct answer *kb_answer(const struct kb *kb, const char *topic, const char *carrier,
			       const char *plan, const char *lang);
/* One pattern compiled on its own (no JIT), for `explain`; the caller frees
 * it with pcre2_code_free. NULL, with the reason in err, when it does not
 * compile. */
pcre2_code *kb_compile_pattern(const struct kb *kb, const struct pattern *p, struct sbuf *err);
/* The same, kept in p for the next call (explain runs every pattern). */
const pcre2_code *kb_pattern_code(const struct kb *kb, const struct pattern *p);
/* 0 never, 1 when the intent says `ask = carrier` (ask before answering),
 * 2 for `ask = after` (the general answer first, the carrier buttons under it). */
int kb_topic_asks_carrier(const struct kb *kb, const char *topic);
/* 1 when topic has an answer for this carrier and a plan (so asking
 * "prepaid or postpaid?" is worth it). */
int kb_topic_depends_on_plan(const struct kb *kb, const char *topic, const char *carrier);

/* UI topics: answers the conversation itself needs besides the intents. */
extern const char *const kb_ui_topics[];
extern const char *const kb_langs[];
#define KB_NLANGS LANG_NANSWER_DIRS

#endif
