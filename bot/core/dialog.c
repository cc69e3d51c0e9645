/* dialog — see dialog.h. */
#define _POSIX_C_SOURCE 200809L
#include "dialog.h"
#include "answer.h"
#include "buttons.h"
#include "classify.h"
#include "dialog_reply.h"
#include "followup.h"
#include "group.h"
#include "keyboard.h"
#include "reread.h"
#include "slash.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "@name" anywhere in text, case-insensitively, as a whole word. */
static const char *find_mention(const char *text, const char *username)
{
	size_t n = strlen(username);
	for (const char *p = strchr(text, '@'); p && n; p = strchr(p + 1, '@'))
		if (strncasecmp(p + 1, username, n) == 0 &&
		    !(isalnum((unsigned char)p[1 + n]) || p[1 + n] == '_'))
			return p;
	return NULL;
}

static void handle_text(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out);

static void handle_command(const struct dialog_env *env, const struct update *u,
			   struct dialog_out *out)
{
	char name[64];
	size_t n = strcspn(u->text + 1, " \n@");
	if (n == 0 || n >= sizeof name)
		return;
	snprintf(name, sizeof name, "%.*s", (int)n, u->text + 1);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *rest = u->text + 1 + n;
	if (*rest == '@') {
		size_t an = strcspn(rest + 1, " \n");
		if (strlen(env->bot_username) != an ||
		    strncasecmp(rest + 1, env->bot_username, an) != 0)
			return;	/* /cmd@otherbot is not for us */
		rest += 1 + an;
	}
	/* A bare /cmd in a group is answered: privacy mode shows it to us only
	 * when we were the last bot to speak there. */
	while (*rest == ' ' || *rest == '\n')
		rest++;
	const struct slash_command *c = slash_find(name);
	if (!c) {
		/* not one of ours: in private, read it as a question ("/cancel
		 * verizon" is how some people ask any bot); the fallback answers
		 * what does not classify */
		if (!update_is_group(u))
			handle_text(env, u, out);
		return;
	}
	/* admins are Telegram user ids from the config, never names */
	if (c->admin_only && !env->local_admin &&
	    (update_is_group(u) || !config_is_admin(env->cfg, u->from_id))) {
		out->refused_admin = 1;
		if (!update_is_group(u))
			dialog_say(env, u, out, "admin_only", NULL, NULL, dialog_lang(env, u, NULL));
		return;
	}
	char *args = xstrdup(rest);
	c->handler(env, u, str_trim(args), out);
	free(args);
}

/* Can cue stand for a message whose intent is topic (NULL: none)? A US
 * brand always; otherwise only a cue that replaces that intent or means it,
 * so a weaker cue that does ("俾唔俾得" the PIN: paid agents, over contact)
 * is not hidden by a stronger one that does not. */
static int cue_applies(const struct rule *cue, const char *topic)
{
	return !topic || cue->brand || list_has(cue->replaces, topic) || !strcmp(cue->answer, topic);
}

/* Does a cue's keeps take any topic ("*"), topic not excluded ("*, -online")? */
static int keeps_any(const char *keeps, const char *topic)
{
	char minus[CTX_ID + 1];
	snprintf(minus, sizeof minus, "-%s", topic);
	return list_has(keeps, "*") && !list_has(keeps, minus);
}


/* Does the knowledge base say which plan words are statements (a cue with
 * stands_for = plan)? Without one every plan word counts as said. */
static int plan_statements(const struct kb *kb)
{
	for (size_t i = 0; i < kb->nrules; i++)
		if (kb->rules[i].kind == RULE_CUE && kb->rules[i].plan_stated)
			return 1;
	return 0;
}

/* The reply to "which carrier?", or any message of a conversation already
 * about a carrier's line or on one of the topics (all of them are about a
 * line: "how do I know which one I have? it's Cricket" after the plans were
 * explained), is about a line: a brand word that counts only next to a phone
 * word ("卡套上写着 Ultra", "my gf has cricket, same thing for her?") is read
 * as if one followed it (classify_with's line_expected; the carrier rules
 * say which words need one). */
static int line_expected(const struct memory *m, int addressed)
{
	return addressed && m && (m->pending == PENDING_CARRIER || m->carrier[0] || m->topic[0]);
}

/* The plan a message that names two lines says for carrier ("one AT&T
 * postpaid and one Lyca prepaid"): each plan is the line's named last before
 * it, unless that carrier is only where the number goes. NULL when the
 * message names one carrier, or no plan for this one. */
static const char *line_plan(const struct classification *c, const char *carrier)
{
	size_t carriers = 0;
	for (size_t i = 0; i < c->nmentions; i++)
		carriers += c->mentions[i]->kind == RULE_CARRIER;
	const char *plan = NULL;
	for (size_t i = 0; carriers > 1 && i < c->nmentions; i++) {
		if (c->mentions[i]->kind != RULE_PLAN)
			continue;
		size_t owner = SIZE_MAX;
		for (size_t j = 0; j < c->nmentions; j++)
			if (c->mentions[j]->kind == RULE_CARRIER &&
			    c->mention_start[j] < c->mention_start[i] &&
			    (owner == SIZE_MAX || c->mention_start[j] > c->mention_start[owner]))
				owner = j;
		if (owner != SIZE_MAX && !c->mention_destination[owner] &&
		    !strcmp(c->mentions[owner]->id, carrier))
			plan = c->mentions[i]->id;
	}
	return plan;
}

/* Do the words of cue i lie inside the words of a plan said in the same
 * message (any of them: "是月付的，账单都寄到我家" says it twice), asking
 * something else than the plan said does ("每个月出账单" is no bill
 * question; "我是月结的" read whole is the plan noted, as said)? */
static int within_plan_said(const struct classification *c, size_t i)
{
	for (size_t j = 0; j < c->ncues; j++)
		if (c->cues[j]->plan_stated && c->cue_start[i] >= c->cue_start[j] &&
		    c->cue_end[i] <= c->cue_end[j] && strcmp(c->cues[i]->answer, c->cues[j]->answer))
			return 1;
	return 0;
}

/* Frees c, keeping the first message's normalised text in out for the
 * follow-up model (normalising costs as much as the model's sums). */
static void keep_norm(struct dialog_out *out, struct classification *c)
{
	if (!out->norm) {
		out->norm = c->norm;
		c->norm = NULL;
	}
	classification_free(c);
}

/* A carrier named just after an owner's word ("mine is mint", "wife is on
 * at&t", 我爸的Tracfone) is that owner's line: noted in the memory, so
 * "back to mine" finds it. */
static void note_owners(const struct dialog_env *env, const struct update *u,
			const struct classification *c)
{
	enum { NEAR = 16 };	/* bytes between the word and the carrier: " is on " */
	struct memory *w = NULL;	/* made only where there is something to note */
	for (size_t j = 0; j < c->nmentions; j++)	/* every line named, whoever's */
		if (c->mentions[j]->kind == RULE_CARRIER && !c->mention_destination[j]) {
			w = w ? w : context_put(env->ctx, u->chat_id, u->from_id, env->now);
			context_note_line(w, c->mentions[j]->id);
		}
	for (size_t i = 0; i < c->ncues; i++) {
		if (!c->cues[i]->owner || c->cues[i]->recall)
			continue;
		const struct rule *nearest = NULL;	/* mentions are in rule order, not text order */
		size_t gap = NEAR + 1;
		for (size_t j = 0; j < c->nmentions; j++) {
			/* how far past the word the carrier's match reaches: from
			 * its start, or, for a match that takes in the words before
			 * it ("我女朋友的是total", "我爸的tracfone跟我的total" is
			 * one of Total's), from its end */
			size_t at = c->mention_start[j], to = c->mention_end[j], end = c->cue_end[i];
			size_t d = at >= end ? at - end : to > end ? to - end : NEAR + 1;
			if (c->mentions[j]->kind == RULE_CARRIER && d < gap) {
				nearest = c->mentions[j];
				gap = d;
			}
		}
		if (nearest) {
			w = w ? w : context_put(env->ctx, u->chat_id, u->from_id, env->now);
			context_note_owner(w, nearest->id, c->cues[i]->owner);
		}
	}
}

/* Does the message name carrier as a line, not only where a number goes? */
static int mentioned(const struct classification *c, const struct rule *carrier)
{
	for (size_t j = 0; j < c->nmentions; j++)
		if (c->mentions[j] == carrier && !c->mention_destination[j])
			return 1;
	return 0;
}

/* The line a message goes back to by whose it is ("back to mine", "same
 * question for hers"), when the conversation said whose each line is. */
static const struct rule *recalled_line(const struct kb *kb, const struct memory *m,
					const struct classification *c)
{
	for (size_t i = 0; i < c->ncues; i++) {
		const char *id = c->cues[i]->recall ? context_line_of(m, c->cues[i]->owner) : NULL;
		if (id)
			return kb_rule(kb, RULE_CARRIER, id);
	}
	return NULL;
}

/* The conversation's topic becomes id, with nothing else of the memory
 * touched (its carrier and plan stay): a question the reply did not answer
 * as itself, but whose topic the next message goes on with. */
static void note_topic(const struct dialog_env *env, const struct update *u, const char *id)
{
	snprintf(context_put(env->ctx, u->chat_id, u->from_id, env->now)->topic, CTX_ID, "%s", id);
}

/* Answers one question (text, the bot's name blanked) as the conversation
 * so far reads it. Returns 0 when nothing in it was understood. */
static int respond(const struct dialog_env *env, const struct update *u, struct dialog_out *out,
		   const char *text, int addressed)
{
	int group = update_is_group(u);
	const struct memory *m = env->ctx ? context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	struct classification c;
	/* the model's opinion only on a message that starts a conversation */
	int ongoing = m && (m->carrier[0] || m->topic[0] || m->brand[0] || m->plan[0] || m->pending);
	classify_with(env->kb, text, strlen(text),
		      &(struct classify_opts){.line_expected = line_expected(m, addressed),
					      .private_chat = !group,
					      .rules_only = ongoing}, &c);
	/* the carrier a line word would name (read with carrier_known 0, and
	 * used only when the message ends with no carrier and no veto) */
	const struct rule *line_carrier = c.line_carrier;
	/* nothing in the message itself, in a conversation that has a carrier:
	 * the carrier counts as named ("不如cancel咗佢" after Visible), unless a
	 * cue already says what the message is */
	size_t markers = 0;	/* own_line and parking only mark a carrier (below): no cue of their own */
	for (size_t i = 0; i < c.ncues; i++)
		markers += c.cues[i]->own_line || c.cues[i]->parking || c.cues[i]->owner;
	/* in a group, the asker the bot is answering goes on ("and the fees?"
	 * after their Verizon question; the memory is theirs in this chat):
	 * their line is the subject a fee word needs */
	int reread = addressed ? c.ncues == markers && m && (m->carrier[0] || m->brand[0])
			       : m && m->carrier[0] && m->topic[0];
	if (reread && !c.intent && !c.veto) {
		classification_free(&c);
		classify_in(env->kb, text, strlen(text), 1, &c);
	}
	if (line_carrier && !c.carrier && !c.veto)
		c.carrier = line_carrier;	/* a rule of the same kb */
	/* a carrier named in words the rules do not know ("the pink one by the
	 * food court"): the carrier model's, while the conversation has none
	 * (with one, it took "可唔可以網上搞" for Mint) */
	const char *named = !c.carrier && !c.veto && addressed && !(m && m->carrier[0]) ?
		reread_carrier(env->kb, c.norm) : NULL;
	if (named)
		c.carrier = kb_rule(env->kb, RULE_CARRIER, named);
	/* whose line each carrier named is ("mine is mint, hers is verizon"),
	 * and a line gone back to by whose it is ("back to mine", 回到我妈那张) */
	if (!group && env->ctx)
		note_owners(env, u, &c);
	/* the line gone back to wins over no carrier, a carrier only moved to
	 * ("back to moms line, she wants to come over to mint") and the other
	 * line of the same message ("wife is on at&t, im on tmobile. the pin for
	 * mine": noted just now, so the memory is read again, not m) */
	const struct memory *now = env->ctx && !group && !c.veto ?
		context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	const struct rule *recalled = now ? recalled_line(env->kb, now, &c) : NULL;
	if (recalled && (!c.carrier || c.carrier_is_destination || mentioned(&c, recalled))) {
		c.carrier = recalled;
		c.carrier_is_destination = 0;
	}
	/* a way to park the number at another carrier, weighed while the
	 * conversation is on a line ("us mobile snooze?", "那 ultra 3塊那個咧"
	 * while keeping a T-Mobile number): where the number would go, not a
	 * new line to talk about */
	for (size_t i = 0; i < c.ncues && c.carrier && m && m->carrier[0] &&
			   strcmp(m->carrier, c.carrier->id); i++)
		if (c.cues[i]->parking)
			c.carrier_is_destination = 1;
	const char *lang = dialog_lang(env, u, text);
	out->lang = lang;
	/* the asker's own line said in passing while the conversation is on
	 * another carrier's (a dead parent's AT&T line, then "I'm on Verizon
	 * myself, postpaid"): no switch; the conversation stays on its line */
	int own_line = 0;	/* counted again: the reread above has its own cues */
	for (size_t i = 0; i < c.ncues; i++)
		own_line |= c.cues[i]->own_line;
	if (own_line && addressed && !c.intent && !c.veto && c.carrier && m && m->carrier[0] &&
	    strcmp(m->carrier, c.carrier->id)) {
		const char *name = facts_get(kb_facts(env->kb, c.carrier->id), "name", lang_answers(lang));
		dialog_say_with(env, u, out, "own_line", m->carrier, NULL, lang, "other",
				name ? name : c.carrier->id);
		keep_norm(out, &c);
		return 1;
	}
	/* cues are written against the rules' intents: where one replaces what
	 * the rules found ("我俾咗PIN佢" takes the rules' refund to the account's
	 * protection), the model's topic (classify.c) gives way to the rules' */
	for (size_t i = 0; c.intent != c.rules_intent && c.rules_intent && i < c.ncues; i++)
		if (list_has(c.cues[i]->replaces, c.rules_intent->id))
			c.intent = c.rules_intent;
	out->named_topic = c.intent != NULL;
	struct ask a = {.topic = c.intent ? c.intent->id : NULL,
			.carrier = c.carrier ? c.carrier->id : NULL,
			.plan = c.plan ? c.plan->id : NULL};
	/* cues are for someone speaking to the bot; "I don't know" only answers
	 * "which carrier?"; an intent wins over a cue unless the cue replaces it */
	const struct rule *cue = NULL;
	size_t ci = 0;
	/* in a sensitive situation (a lost phone, a death) a cue that keeps
	 * it reads the message there ("要即刻停機" after a lost phone is
	 * blocking it, not cancelling), unless another carrier starts a new
	 * subject (the first one named is the situation's line: "the SIM is
	 * AT&T, how I block it") */
	const char *situation = m && m->situation[0] &&
		(!c.carrier || !m->carrier[0] || !strcmp(c.carrier->id, m->carrier)) ? m->situation : NULL;

	int correction = 0;
	for (size_t i = 0; i < c.ncues; i++)
		correction |= c.cues[i]->correction;
	for (; addressed && !c.veto && ci < c.ncues && !cue; ci++)
		if (c.cues[ci]->plan_stated || c.cues[ci]->correction || c.cues[ci]->own_line ||
		    c.cues[ci]->parking || c.cues[ci]->owner ||
		    (within_plan_said(&c, ci) && !(m && !strcmp(m->topic, c.cues[ci]->answer))) ||
		    (c.cues[ci]->asked == 1 && c.carrier))
			continue;	/* a marker only (see below), words of the plan
					 * said ("每个月出账单" is no bill question, and
					 * 是每月寄账单给我的那种 under a cancel answer says
					 * the plan) unless they answer the question the
					 * conversation is on ("which kind am I?" then
					 * 我每个月都收到账单), or "no idea" with the
					 * carrier named after it */
		else if (!cue_applies(c.cues[ci], a.topic) &&
			 !(situation && list_has(c.cues[ci]->keeps, situation)))
			continue;	/* one the intent beats */
		else if (!c.cues[ci]->asked ||
		    (m && m->pending == (c.cues[ci]->asked == 1 ? PENDING_CARRIER : PENDING_PLAN)))
			cue = c.cues[ci];
	if (cue && cue->brand) {
		if (!a.carrier)
			brand_name(c.norm, c.cue_start[ci - 1], c.cue_end[ci - 1], a.brand,
				   sizeof a.brand);
		cue = NULL;
	} else if (cue && a.topic && !list_has(cue->replaces, a.topic) &&
		   strcmp(cue->answer, a.topic) && !(situation && list_has(cue->keeps, situation))) {
		cue = NULL;	/* a cue that means the intent matched stays: its
				 * `keeps` reads "需要什么材料" after a death */
	}
	int ui_cue = cue && (cue->asked || !kb_rule(env->kb, RULE_INTENT, cue->answer));
	/* a statement a cue took from an intent ("it's prepaid" is not "what is
	 * prepaid?") asks nothing itself: what it answers comes from the
	 * conversation (the question pending, the topic on), as for a plan said
	 * alone */
	int statement = ui_cue && cue->replaces && !cue->asked && !cue->question;
	if (statement)
		a.topic = NULL;
	/* the conversation's own carrier named again, in a message with no
	 * intent or one a cue takes from its intent, is no new subject
	 * ("cancel AT&T separately?" while porting out of AT&T: the cue
	 * replaces cancel), nor is the first one named ("the SIM is AT&T, how
	 * I block it" after a theft), nor where the number goes ("going to
	 * Cricket, do they handle the cancel?" while porting out of Boost) */
	int same_line = !c.carrier || c.carrier_is_destination || (cue && m && (!m->carrier[0] || !strcmp(c.carrier->id, m->carrier)) &&
				       (!c.intent || list_has(cue->replaces, c.intent->id)));
	if (cue && !ui_cue)	/* a follow-up: the topic it stands for, or the one the
				 * conversation is on when the cue keeps it ("what
				 * documents?" after a death in the family), or the
				 * situation it is in (a death, after a question on
				 * fees), and the message names no other carrier (a
				 * new subject) */
		a.topic = m && m->topic[0] && (keeps_any(cue->keeps, m->topic) ||
			(same_line && list_pos(cue->keeps, m->topic) &&
			 !dialog_keeps_before(cue->keeps, m->situation, m->topic))) ? m->topic
			: m && same_line && list_has(cue->keeps, m->situation) ? m->situation
			: cue->answer;
	/* the situation (a death) is the conversation's until the person
	 * changes it: a cue that only reads another one into what is told
	 * ("her bank's 2FA texts go to this number" as a loss) asks nothing
	 * of its own, so the situation goes on */
	if (cue && !ui_cue && !c.intent && situation && a.topic && strcmp(a.topic, situation) &&
	    kb_topic_asks_carrier(env->kb, a.topic) == 2)
		a.topic = situation;
	/* a plan only implied (a phone on installments, auto-refill) is no plan
	 * said: the reply and the memory keep to what the asker stated */
	int stated = 0;
	for (size_t i = 0; i < c.ncues; i++)
		stated |= c.cues[i]->plan_stated;
	/* except a plan whose every sign is how the line is paid (implied =
	 * said: prepaid's balance, auto-refill, months paid ahead, minutes
	 * bought), as the askers' own labels read it */
	if (c.plan && c.plan->implied_said)
		stated = 1;
	/* a plan said in words the rules do not know: the plan model's */
	/* (also where words of a plan were said but no plan rule held: "dad pays
	 * the bill every month" beside Visible, a prepaid brand the number goes to) */
	const char *learned = (!stated || !a.plan) && addressed && !c.veto ?
		reread_plan(env->kb, c.norm) : NULL;
	if (learned) {
		a.plan = learned;
		stated = 1;
	}
	if (a.plan && !stated && plan_statements(env->kb))
		a.plan = NULL;
	int plan_said = stated || !plan_statements(env->kb);
	if (a.carrier && plan_said && line_plan(&c, a.carrier))
		a.plan = line_plan(&c, a.carrier);	/* two lines, each its plan */
	/* "moving to Mint": Mint is where the number goes, not the line to leave */
	if (c.carrier_is_destination)
		a.carrier = NULL;
	a.named = a.carrier || a.brand[0] || a.plan;
	int brand_now = a.brand[0] != 0;
	if (!c.veto && (addressed || a.topic))
		follow_up(m, addressed, &a);
	/* "sorry, I meant Cricket": the line described is Cricket's, so the
	 * plan said of it stays (follow_up keeps a plan to its carrier) */
	if (correction && addressed && !a.plan && c.carrier && !c.carrier_is_destination && m &&
	    m->plan[0] && m->carrier[0] && strcmp(m->carrier, c.carrier->id))
		a.plan = m->plan;
	if (ui_cue && !(statement && a.named && a.topic && !list_has(cue->replaces, a.topic)))
		a.topic = NULL;	/* a UI cue ("I don't know, prepaid") is the reply;
				 * "I'm postpaid" after "what is prepaid?" is noted */
	if (a.topic && group && !addressed && c.intent && c.intent->addressed_only)
		a.topic = NULL;	/* "hi all" in a group is not for us, even in auto mode */
	int understood = 1;
	if (cue && !a.topic && cue->replaces && !cue->asked && !cue->question && a.named) {
		/* a statement the cue took from an intent ("I'm prepaid" is not
		 * "what is prepaid?"): noted, like a carrier or plan said alone */
		dialog_acknowledge(env, u, out, &a, !c.carrier && !brand_now, lang);
	} else if (cue && !a.topic) {
		if (!(group && cue->private_only))	/* "thanks" in a group: silence */
			dialog_answer_cue(env, u, out, cue, &a, m,
				   c.carrier && !c.carrier_is_destination ? c.carrier->id : NULL, lang);
		/* the task a cue's question is about, asked first ("how long does
		 * it take to cancel", the cancel's timing): the conversation's
		 * topic, so the carrier said next gets the task's steps */
		if (env->ctx && !group && c.intent && list_has(cue->replaces, c.intent->id) &&
		    !(m && m->topic[0]))
			note_topic(env, u, c.intent->id);
	} else if (a.topic && !a.carrier && a.brand[0]) {
		dialog_answer_brand(env, u, out, &a, lang, brand_now);
	} else if (a.topic && !c.intent && !c.carrier && (!cue || statement) && c.plan &&
		   dialog_repeats(env, u, a.topic, a.carrier, a.plan, lang)) {
		/* "postpaid" under the postpaid answer: not the same answer again */
		dialog_same_answer(env, u, out, a.plan, lang, 0);
	} else if (a.topic && c.intent && dialog_say_again(env, u, out, a.topic, a.carrier, a.plan, lang)) {
		/* asked again in other words: the short of it, not the long answer twice */
	} else if (a.topic) {
		dialog_answer(env, u, out, a.topic, a.carrier, a.plan, lang);
		if (cue && cue->also && out->n)
			dialog_append(env, &out->v[out->n - 1], cue->also, a.carrier, lang);
		if (c.carrier && !strcmp(c.carrier->id, a.carrier ? a.carrier : ""))
			dialog_offer_other_line(env, out, &c, a.topic, a.carrier, lang);
	} else if (addressed && a.named) {
		/* a plan said beside another subject ("one bill with the
		 * internet"): the line is still the conversation's; a known
		 * carrier is never asked for again */
		if (c.veto && !a.carrier && m && m->carrier[0])
			a.carrier = m->carrier;
		dialog_acknowledge(env, u, out, &a, !c.carrier && !brand_now, lang);
	} else {
		understood = 0;
	}
	/* two lines named with their plans: each is remembered, for going back
	 * to it ("and the AT&T one?") */
	for (size_t i = 0; understood && plan_said && env->ctx && i < c.nmentions; i++)
		if (c.mentions[i]->kind == RULE_CARRIER && line_plan(&c, c.mentions[i]->id))
			context_note_plan(context_put(env->ctx, u->chat_id, u->from_id, env->now),
					  c.mentions[i]->id, line_plan(&c, c.mentions[i]->id));
	/* a question about another country's line or another service: no
	 * answer, but in a private chat its topic is the conversation's, so a
	 * US line named next gets it ("那美国这边的at&t呢") */
	if (!understood && !group && c.veto && c.veto->holds_topic && c.vetoed && env->ctx)
		note_topic(env, u, c.vetoed->id);
	keep_norm(out, &c);
	return understood;
}

/* Nothing but blanks and punctuation (a bare "@bot ?"). */
static int blank(const char *s)
{
	static const char *const wide[] = {"，", "。", "！", "？", "：", "、", "…"};
	while (*s) {
		if ((unsigned char)*s < 0x80) {
			if (isalnum((unsigned char)*s))
				return 0;
			s++;
			continue;
		}
		size_t i = 0;
		while (i < ARRAY_LEN(wide) && !str_has_prefix(s, wide[i]))
			i++;
		if (i == ARRAY_LEN(wide))
			return 0;
		s += strlen(wide[i]);
	}
	return 1;
}

static void handle_text(const struct dialog_env *env, const struct update *u,
			struct dialog_out *out)
{
	int group = update_is_group(u);
	const char *mention = find_mention(u->text, env->bot_username);
	int addressed = !group || mention || (env->bot_id && u->reply_to_from_id == env->bot_id);
	enum group_mode mode = group_mode_of(env);
	if (group && ((!addressed && mode == GROUP_MENTION) || mode == GROUP_QUIET))
		return;	/* quiet: the group's admins want only its commands */
	if (u->edited && group)
		return;	/* a group's edits are its own business */
	char *text = xstrdup(u->text);
	if (mention)	/* "@cancelbot how do I..." classifies without the name */
		memset(text + (mention - u->text), ' ', strlen(env->bot_username) + 1);
	/* a helper's mention under someone else's question: that question */
	int others = group && mention && u->reply_to_text && u->reply_to_id &&
		     u->reply_to_from_id != env->bot_id && u->reply_to_from_id != u->from_id;
	size_t first = out->n;
	/* the memory the message is read in, for the follow-up model */
	const struct memory *m0 = !group && env->ctx ?
		context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	struct memory before = m0 ? *m0 : (struct memory){0};
	int understood = !blank(text) && respond(env, u, out, text, addressed);
	if (!understood && others && respond(env, u, out, u->reply_to_text, 1)) {
		understood = 1;
		for (size_t i = first; i < out->n; i++)
			out->v[i].reply_to = u->reply_to_id;	/* where the question is */
	}
	if (!understood && group && mention && blank(text)) {
		/* a bare mention: how to ask, so nobody wonders if the bot is alive */
		dialog_say(env, u, out, "mention_howto", NULL, NULL, dialog_lang(env, u, NULL));
	} else if (!understood && addressed) {
		out->unmatched = 1;
		out->unmatched_text = xstrdup(text);
		if (!group)	/* in groups the bot never says "I did not understand" */
			dialog_say(env, u, out, "fallback", NULL, NULL, out->lang);
	}
	if (m0 && !blank(text))
		reread_turn(env, u, out, &before, text);
	free(text);
}

/* An edited message the bot already answered is not answered again (the
 * fix of a typo after a fallback is). */
static int answered_before(const struct dialog_env *env, const struct update *u)
{
	const struct memory *m = u->edited && env->ctx ?
		context_get(env->ctx, u->chat_id, u->from_id, env->now) : NULL;
	return m && m->answered_id == u->message_id;
}

void dialog_handle(const struct dialog_env *env, const struct update *u, struct dialog_out *out)
{
	memset(out, 0, sizeof *out);
	if (u->migrate_to_chat_id && env->ctx)
		context_migrate(env->ctx, u->chat_id, u->migrate_to_chat_id);
	if (u->kind == UPDATE_CALLBACK)
		buttons_handle(env, u, out);
	else if (u->kind == UPDATE_MEMBER)
		group_member(env, u, out);
	else if (u->kind == UPDATE_MESSAGE && u->text && u->text[0] == '/')
		handle_command(env, u, out);
	else if (u->kind == UPDATE_MESSAGE && u->text && !answered_before(env, u))
		handle_text(env, u, out);
	/* after a message, a button pressed again is news */
	if (u->kind == UPDATE_MESSAGE && env->ctx && context_get(env->ctx, u->chat_id, u->from_id, env->now))
		context_put(env->ctx, u->chat_id, u->from_id, env->now)->last_press[0] = '\0';
	/* the conversation goes on in the language just used ("ATT" after a
	 * Chinese greeting stays Chinese) */
	if (out->n && out->lang && env->ctx && u->chat_id) {
		struct memory *m = context_put(env->ctx, u->chat_id, u->from_id, env->now);
		snprintf(m->lang, sizeof m->lang, "%s", out->lang);
		if (u->kind == UPDATE_MESSAGE && !out->unmatched)
			m->answered_id = u->message_id;
	}
	dialog_convert_script(out);
	group_route(env, u, out);	/* after: the pointer is in its script already */
}

void dialog_out_free(struct dialog_out *out)
{
	for (size_t i = 0; i < out->n; i++)
		free(out->v[i].text);
	free(out->v);
	free(out->callback_text);
	free(out->unmatched_text);
	free(out->norm);
	memset(out, 0, sizeof *out);
}
