/* cmd_preconv — `cancelbot preconv-helper`, not listed in --help: the
 * process the bot starts (bot/edge/preconv.c, posix_spawn of its own
 * binary) to convert its replies' pieces with OpenCC, so that the bot never
 * maps OpenCC's reply dictionaries. Reads records on stdin, writes records
 * on stdout (framing in preconv.h); the exit status says how it went. */
#include "app.h"
#include "preconv.h"

int cmd_preconv_helper(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return preconv_helper(0, 1);
}
