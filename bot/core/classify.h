/* classify — from a message to (intent, carrier, plan, language), using the
 * rules of a kb snapshot. Pure: no I/O but the log line when a regex limit
 * is hit.
 *
 * The winning intent is the matching one with the highest declared priority,
 * then the longest matched span (the more specific pattern), then the one
 * that comes first in the files (sorted by name). A [veto] match with no
 * carrier named makes the message none: "cancel my Netflix". Then the
 * knowledge base's model, when it has one, gives its opinion (second_opinion
 * in classify.c).
 *
 * struct classification points into the kb (rules) and owns `norm`; free it
 * with classification_free() before the kb goes. */
#ifndef CANCELBOT_CLASSIFY_H
#define CANCELBOT_CLASSIFY_H

#include "kb.h"

#define CLASSIFY_MAX_CUES 8
#define CLASSIFY_MAX_MENTIONS 8

struct classification {
	const struct rule *intent;	/* NULL: none */
	const struct rule *carrier;	/* NULL: not named */
	const struct rule *plan;	/* NULL: not said, or both said */
	const char *lang;		/* "en" or "zh" (static string) */
	char *norm;			/* the normalised text */
	const struct rule *veto;	/* the veto that silenced an intent, if any */
	const struct rule *vetoed;	/* the intent it silenced */
	/* the model's second opinion (model.h; classify.c says when it wins) */
	const struct rule *rules_intent;	/* what the rules alone said */
	const struct rule *model_veto;	/* a veto matched where the rules found no intent:
					 * the model may not give one either */
	int model_class;	/* the model's class, -1: no model, no opinion, or not asked
				 * (rules_only, or a veto: classify_opts) */
	float model_margin;	/* how far that class is ahead of the next */
	int limit_hit;			/* a pattern hit a PCRE2 limit */
	int carrier_is_destination;	/* the carrier is only where the user is going */
	/* the [cue]s that matched, best first (they never change the intent) */
	const struct rule *cues[CLASSIFY_MAX_CUES];
	size_t cue_start[CLASSIFY_MAX_CUES], cue_end[CLASSIFY_MAX_CUES];	/* spans in norm */
	size_t ncues;
	/* every carrier and plan named (one hit per rule), for a message that
	 * names two lines ("one AT&T postpaid and one Lyca prepaid"); a carrier
	 * only moved to is marked */
	const struct rule *mentions[CLASSIFY_MAX_MENTIONS];
	size_t mention_start[CLASSIFY_MAX_MENTIONS], mention_end[CLASSIFY_MAX_MENTIONS];
	int mention_destination[CLASSIFY_MAX_MENTIONS];
	size_t nmentions;
	/* classify_with(line_expected) only: the carrier the message names when
	 * read as about a line, when it names none itself and no veto holds */
	const struct rule *line_carrier;
};

void classify(const struct kb *kb, const char *text, size_t len, struct classification *out);
/* classify, for a message in a conversation that already has a carrier
 * (carrier_known): a pattern that asks for a carrier named ("when = carrier")
 * counts it as named ("不如cancel咗佢" after Visible). Vetoes still see only
 * what the message names. */
void classify_in(const struct kb *kb, const char *text, size_t len, int carrier_known,
		 struct classification *out);

/* What a conversation already knows about a message, for classify_with. */
struct classify_opts {
	int carrier_known;	/* as classify_in's */
	/* the message is about a line (the reply to "which carrier?", or any
	 * message once the conversation has a carrier): a brand word that
	 * names its carrier only next to a phone word ("卡套上写着 Ultra", "my
	 * gf has cricket, same thing for her?") is read as if one followed it
	 * — the carrier rules alone, on the normalised text with " line" after
	 * it, into line_carrier (NULL when that names none, or only where the
	 * number goes). The rest of the classification is the message's own. */
	int line_expected;
	/* the rules alone, without the model's second opinion: a message in a
	 * conversation, which the dialog reads with its cues and memory (the
	 * model learned single questions, and overrode follow-ups) */
	int rules_only;
	/* a private chat: the model's learned veto (none by a wide margin) is
	 * for groups' chatter; a private asker's statement stands ("my wife lost
	 * her phone on vacation") */
	int private_chat;
	/* ask the model even where its answer changes nothing (a veto keeps
	 * none whatever it says, so classify skips it there): explain's
	 * `model:` line reports it */
	int explain;
};
void classify_with(const struct kb *kb, const char *text, size_t len,
		   const struct classify_opts *opts, struct classification *out);
void classification_free(struct classification *c);

/* Writes a human-readable account of how text is classified: normalised
 * text, each pattern that matched with file:line and span, the winner and
 * why it beat the others. */
void classify_explain(const struct kb *kb, const char *text, struct sbuf *out);

/* The JSON line of `cancelbot classify`; caller frees. */
char *classification_json(const struct classification *c);

#endif
