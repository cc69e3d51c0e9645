/* Unit tests: the saved state — exact ids beyond 2^53 and up to INT64_MAX,
 * the lock and its errors, the offset never passing an update still being
 * answered, two checksummed copies (a torn save falls back), the week-long
 * offset reset, reading the state.json of earlier versions, never reading
 * a huge file whole. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "state.h"

/* A new temporary directory in dir (a mkdtemp template), opened. */
static void open_fresh(char *dir, struct state *s, struct sbuf *err)
{
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(state_open(s, dir, err), 0, "%s", sbuf_str(err));
}

Test(state, saves_exactly_and_locks)
{
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	struct state s, second;
	struct sbuf err = {0};
	open_fresh(dir, &s, &err);
	cr_expect_eq(state_open(&second, dir, &err), -1, "the lock stops a second instance");
	cr_expect(strstr(sbuf_str(&err), "another cancelbot is running"));
	state_close(&second);
	cr_assert_eq(state_mark(&s, 9007199254740993LL, INT64_MAX), 0);
	cr_assert_eq(state_mark(&s, 9007199254740995LL, 9007199254740994LL), 0);
	cr_expect_eq(s.offset, 9007199254740994LL, "never past an update still being answered");
	state_close(&s);
	struct state again;
	cr_assert_eq(state_open(&again, dir, &err), 0, "%s", sbuf_str(&err));
	cr_expect_eq(again.offset, 9007199254740994LL);
	cr_expect(state_seen(&again, 9007199254740995LL), "answered ids survive a restart");
	cr_expect_not(state_seen(&again, 9007199254740994LL));
	state_close(&again);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(state, a_lock_that_cannot_be_opened_is_not_called_held)
{
	/* a read-only state directory (EROFS) was reported as "another
	 * cancelbot is running"; a lock that is a directory fails the same
	 * open() and can be made without mounting anything */
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *lock = xasprintf("%s/lock", dir);
	cr_assert_eq(mkdir(lock, 0700), 0);
	struct state s;
	struct sbuf err = {0};
	cr_expect_eq(state_open(&s, dir, &err), -1);
	cr_expect_not(strstr(sbuf_str(&err), "another cancelbot"), "%s", sbuf_str(&err));
	cr_expect(strstr(sbuf_str(&err), "lock: cannot open: Is a directory"), "%s",
		  sbuf_str(&err));
	state_close(&s);
	sbuf_free(&err);
	free(lock);
	rm_rf(dir);
}

Test(state, the_largest_update_id_is_handled_without_overflow)
{
	/* the offset cannot pass INT64_MAX (UBSan caught max_done + 1): it
	 * stays there, and the id is known as answered, also after a restart */
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	struct state s;
	struct sbuf err = {0};
	open_fresh(dir, &s, &err);
	cr_assert_eq(state_mark(&s, INT64_MAX - 1, INT64_MAX), 0);
	cr_expect_eq(s.offset, INT64_MAX);
	cr_assert_eq(state_mark(&s, INT64_MAX, INT64_MAX), 0);
	cr_expect_eq(s.offset, INT64_MAX);
	cr_expect(state_seen(&s, INT64_MAX));
	state_close(&s);
	cr_assert_eq(state_open(&s, dir, &err), 0, "%s", sbuf_str(&err));
	cr_expect_eq(s.offset, INT64_MAX);
	cr_expect(state_seen(&s, INT64_MAX), "not answered twice after a restart");
	cr_assert_eq(state_mark(&s, 5, INT64_MAX), 0, "nor does a small id overflow anything");
	state_close(&s);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(state, offset_dropped_after_a_week_without_updates)
{
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	struct state s;
	struct sbuf err = {0};
	open_fresh(dir, &s, &err);
	cr_assert_eq(state_mark(&s, 500, INT64_MAX), 0);
	cr_expect_eq(state_expire_offset(&s, s.last_activity + 3600), 0, "an hour is nothing");
	cr_expect_eq(s.offset, 501);
	cr_expect_eq(state_expire_offset(&s, s.last_activity + 8 * 86400), 1);
	cr_expect_eq(s.offset, 0);
	cr_expect_not(state_seen(&s, 17), "a new, randomly numbered update is not skipped");
	state_close(&s);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(state, torn_save_falls_back_to_the_other_copy)
{
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	struct state s;
	struct sbuf err = {0};
	open_fresh(dir, &s, &err);
	cr_assert_eq(state_mark(&s, 700, INT64_MAX), 0);
	cr_assert_eq(state_mark(&s, 701, INT64_MAX), 0);	/* seq 2: slot 0 */
	state_close(&s);
	/* a power cut in the middle of writing slot 0: half new, half old */
	char *path = xasprintf("%s/state.slots", dir);
	FILE *f = fopen(path, "r+");
	cr_assert_not_null(f);
	fseek(f, 20, SEEK_SET);
	fputs("99999", f);
	fclose(f);
	cr_assert_eq(state_open(&s, dir, &err), 0, "%s", sbuf_str(&err));
	cr_expect_eq(s.offset, 701, "the older copy (update 700 done): %lld", (long long)s.offset);
	cr_assert_eq(state_mark(&s, 701, INT64_MAX), 0, "and saving goes on");
	state_close(&s);
	cr_assert_eq(state_open(&s, dir, &err), 0);
	cr_expect_eq(s.offset, 702);
	state_close(&s);
	/* both copies destroyed: refuse, say what to do, never start from 0 */
	write_text(path, "garbage that is no state\n");
	cr_expect_eq(state_open(&s, dir, &err), -1);
	cr_expect(strstr(sbuf_str(&err), "move it away"), "%s", sbuf_str(&err));
	state_close(&s);
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}

/* state_open on dir, which must fail or not (want) after reading less
 * than 1 MB; the error text is left in err. */
static void open_reads_little(const char *dir, struct state *s, struct sbuf *err, int want)
{
	long long before = bytes_read();
	cr_expect_eq(state_open(s, dir, err), want, "%s", sbuf_str(err));
	long long got = bytes_read() - before;
	cr_expect_lt(got, 1 << 20, "read %lld bytes", got);
}

Test(state, a_huge_state_file_is_not_read_whole)
{
	/* a 3 GB state.slots took 3.1 GB of memory and 12 s to start: only
	 * the two slots at its front (32 KB) are read */
	const off_t huge = 256LL << 20;	/* sparse: costs no disk */
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	struct state s;
	struct sbuf err = {0};
	open_fresh(dir, &s, &err);
	cr_assert_eq(state_mark(&s, 800, INT64_MAX), 0);
	state_close(&s);
	char *path = xasprintf("%s/state.slots", dir);
	cr_assert_eq(truncate(path, huge), 0);
	open_reads_little(dir, &s, &err, 0);
	cr_expect_eq(s.offset, 801, "the slots in front still count");
	state_close(&s);
	/* all NULs: refused, as cheaply; so is one blank in front (the blank
	 * slots of a new file) with more behind it than slots */
	for (int blanks = 0; blanks < 2; blanks++) {
		cr_assert_eq(truncate(path, 0), 0);
		if (blanks) {
			char *spaces = xmalloc(32769);
			memset(spaces, ' ', 32768);
			spaces[32768] = '\0';
			write_text(path, spaces);
			free(spaces);
		}
		cr_assert_eq(truncate(path, huge), 0);
		sbuf_free(&err);
		open_reads_little(dir, &s, &err, -1);
		cr_expect(strstr(sbuf_str(&err), "not a cancelbot state file"), "%s",
			  sbuf_str(&err));
		state_close(&s);
	}
	/* the state.json of earlier versions is small too: a huge one is refused */
	unlink(path);
	char *old = xasprintf("%s/state.json", dir);
	write_text(old, "{\"offset\": 900, \"recent\": []}\n");
	cr_assert_eq(truncate(old, huge), 0);
	sbuf_free(&err);
	open_reads_little(dir, &s, &err, -1);
	cr_expect(strstr(sbuf_str(&err), "state.json: cannot read: File too large"), "%s",
		  sbuf_str(&err));
	state_close(&s);
	free(old);
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}

Test(state, reads_the_state_json_of_earlier_versions_once)
{
	char dir[] = "/tmp/cancelbot-state-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *old = xasprintf("%s/state.json", dir);
	write_text(old, "{\"offset\": 9007199254740993, \"recent\": [9007199254740995]}\n");
	struct state s;
	struct sbuf err = {0};
	cr_assert_eq(state_open(&s, dir, &err), 0, "%s", sbuf_str(&err));
	cr_expect_eq(s.offset, 9007199254740993LL);
	cr_expect(state_seen(&s, 9007199254740995LL));
	cr_assert_eq(state_mark(&s, 9007199254740993LL, INT64_MAX), 0);
	cr_expect_neq(access(old, F_OK), 0, "replaced by state.slots after the first save");
	state_close(&s);
	cr_assert_eq(state_open(&s, dir, &err), 0);
	cr_expect_eq(s.offset, 9007199254740994LL);
	cr_expect(state_seen(&s, 9007199254740995LL));
	state_close(&s);
	free(old);
	sbuf_free(&err);
	rm_rf(dir);
}
