/* Unit tests: the log of unmatched questions in the state directory — it
 * is private (0600) whatever the umask; a file far beyond its cap is not
 * read whole. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "unmatched.h"

Test(unmatched, a_huge_log_is_not_read_whole)
{
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(unmatched_append(dir, "private", "en", "how do I quit my gym", 0, 0,
				      UNMATCHED_MAX_BYTES), 0);
	char *path = xasprintf("%s/unmatched.jsonl", dir);
	char *old = xasprintf("%s.1", path);
	write_text(old, "");
	cr_assert_eq(truncate(old, 256LL << 20), 0);	/* sparse: costs no disk */
	struct sbuf out = {0};
	long long before = bytes_read();
	cr_expect_eq(unmatched_top(dir, 10, &out), 1, "the current file still counts");
	long long got = bytes_read() - before;
	cr_expect_lt(got, 4 << 20, "read %lld bytes", got);
	cr_expect(strstr(sbuf_str(&out), "how do i quit my gym"), "%s", sbuf_str(&out));
	cr_expect(strstr(sbuf_str(&out), "unmatched.jsonl.1 is larger than"), "%s",
		  sbuf_str(&out));
	sbuf_free(&out);
	free(old);
	free(path);
	rm_rf(dir);
}

Test(unmatched, users_questions_are_private_whatever_the_umask)
{
	/* outside systemd (no UMask=0077) the log was created 0644 */
	mode_t was = umask(022);
	char dir[] = "/tmp/cancelbot-unmatched-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = xasprintf("%s/unmatched.jsonl", dir);
	struct stat st;
	for (int i = 0; i < 3; i++) {	/* the third write rotates the file to .1 */
		cr_assert_eq(unmatched_append(dir, "private", "en", "my question", 0, 0, 50), 0);
		cr_assert_eq(stat(path, &st), 0);
		cr_expect_eq(st.st_mode & 0777, 0600, "write %d: mode %o", i, st.st_mode & 0777);
	}
	umask(was);
	free(path);
	rm_rf(dir);
}
