/* kbhist — see kbhist.h. Until the SQLite store is there, nothing is
 * recorded. */
#include "kbhist.h"
#include "answer.h"
#include "bot.h"

long kbhist_add(struct bot *b, int64_t who, const char *what, const char *rel, const char *old,
		const char *new_text, struct sbuf *err)
{
	(void)b, (void)who, (void)what, (void)rel, (void)old, (void)new_text, (void)err;
	return 0;
}

void kbhist_command(struct bot *b, const char *name, const struct update *u,
		    struct dialog_out *out, char **argv, int argc)
{
	(void)b, (void)name, (void)argv, (void)argc;
	dialog_report(u, out, "No history yet.");
}
