/* The unit tests' main: Criterion's own, except that `unit preconv-helper`
 * is the preconversion helper, as `cancelbot preconv-helper` is: the
 * tests' preconv_kb() starts its own binary (/proc/self/exe), as the bot
 * does, so the path under test is the bot's. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "preconv.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "preconv-helper"))
		return preconv_helper(0, 1);
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
