/* facts — what the carrier facts of responses/carriers.ini say about
 * themselves: how old they are and how far they reach.
 *
 * Dates: `reviewed` is when a person checked the facts, `source_date` the
 * date shown on the oldest dated page they rest on. The footer says when a
 * section rests on a source more than three years older than its review
 * (render.c asks kb_source_old_year), and `cancelbot check --max-age` warns
 * on both ages (check.c).
 *
 * Coverage: for each carrier and each carrier-specific topic, whether the
 * bot answers from a sourced fact (✓), only tells the user what to ask the
 * carrier (ask), or neither (✗). `cancelbot check --coverage` prints it.
 *
 * Pure: no clock (callers pass today), no I/O. Returned strings belong to
 * the caller (free()). */
#ifndef CANCELBOT_FACTS_H
#define CANCELBOT_FACTS_H

#include <stddef.h>

#include "kb.h"

/* Days from 1970-01-01 to YYYY, YYYY-MM or YYYY-MM-DD; a year or a month
 * alone means its last day when latest is set (so an age is never
 * overstated), its first day otherwise. -1 when date is none of these. */
long kb_date_days(const char *date, int latest);

/* A source counts as old when its date is more than this before the review. */
#define KB_OLD_SOURCE_DAYS (3 * 365 + 1)

/* The year of f's source_date when it is older than KB_OLD_SOURCE_DAYS
 * before f's reviewed date; 0 when it is not, or either date is missing. */
int kb_source_old_year(const struct facts *f);

/* The topics whose answers depend on the carrier, in table order. */
extern const char *const kb_coverage_topics[];

enum coverage { COVER_NONE, COVER_ASK, COVER_SOURCED };

/* How topic is answered for carrier: COVER_SOURCED when the topic has a
 * section for the carrier (any plan) or its [default] uses one of the
 * carrier's own facts; COVER_ASK when the [default] names the carrier
 * ({name}) to say what to ask it; COVER_NONE otherwise. English answers
 * are read; check makes sure each has its Chinese twin. */
enum coverage kb_coverage(const struct kb *kb, const char *topic, const char *carrier);

/* The whole table as Markdown (carriers by rows, topics by columns), with
 * a count line; *missing gets the number of ✗ cells. */
char *kb_coverage_table(const struct kb *kb, size_t *missing);

#endif
