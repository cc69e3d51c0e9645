/* Unit tests: the outbox journal — replies and the offset read back after
 * a restart, a sent reply never comes back, a batch without its commit line
 * (a crash mid-write) is dropped whole, a torn line ends the file, the file
 * is rewritten once it has grown, and the cap's drops are recorded. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "journal.h"

static struct outbox *new_outbox(size_t chat_max)
{
	struct outbox_limits lim = {.chat_max = chat_max};
	return outbox_new(&lim);
}

static struct journal *open_at(const char *at, struct outbox *q, int64_t *off)
{
	struct sbuf err = {0};
	double wall;
	struct journal *jl = journal_open(at, q, off, &wall, &err);
	cr_assert_not_null(jl, "%s", sbuf_str(&err));
	struct outbox_store st = journal_store(jl);
	outbox_set_store(q, &st);
	sbuf_free(&err);
	return jl;
}

/* Each test's journal directory (made by the suite, removed after), the
 * outbox the journal restores into and the offset it read back: start()
 * opens them as the bot does at start, stop() closes them, restart() is
 * both (an outbox of chat_max cap). */
static char dir[] = "/tmp/cancelbot-journal-XXXXXX";
static struct outbox *ob;
static struct journal *j;
static int64_t offset;
static size_t cap;

static void start(void)
{
	ob = new_outbox(cap);
	j = open_at(dir, ob, &offset);
}

static void stop(void)
{
	journal_close(j);
	outbox_free(ob);
	j = NULL;
	ob = NULL;
}

static void restart(void)
{
	stop();
	start();
}

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	if (j)
		stop();
	rm_rf(dir);
}

TestSuite(journal, .init = make_dir, .fini = remove_dir);

static void push(struct outbox *q, int64_t update, int64_t chat, const char *text)
{
	struct reply r = {.chat_id = chat, .is_group = chat < 0, .text = strdup(text),
			  .reply_to = 77, .nbuttons = 1};
	strcpy(r.buttons[0].text, "Verizon \"quoted\"");
	strcpy(r.buttons[0].data, "c:verizon");
	strcpy(r.source, "en/cancel.txt:3");
	outbox_push(q, update, &r, 0, 1700000000);
}

Test(journal, replies_and_offset_survive_a_restart)
{
	start();
	cr_expect_eq(offset, -1, "nothing committed yet");
	push(ob, 10, 1, "<b>one</b>\nline \\ two");
	push(ob, 11, 2, "two");
	push(ob, 12, 1, "three");
	cr_assert_eq(journal_commit(j, ob, 13, 1700000000), 0);
	double wait;
	struct outbox_item *it = outbox_ready(ob, 0, &wait);
	cr_assert_eq(it->update_id, 10);
	outbox_result(ob, it, SEND_OK, 0, 0);	/* its D line, synced */
	restart();
	cr_expect_eq(offset, 13);
	cr_expect_eq(outbox_len(ob), 2, "the sent reply does not come back");
	it = outbox_ready(ob, 0, &wait);
	cr_assert_not_null(it);
	cr_expect_eq(it->update_id, 11);
	outbox_retry(ob, it, 0);
	it = outbox_ready(ob, 0, &wait);
	cr_expect_eq(it->update_id, 12);
	cr_expect_str_eq(it->r.text, "three");
	cr_expect_eq(it->r.reply_to, 77);
	cr_expect_str_eq(it->r.buttons[0].text, "Verizon \"quoted\"");
	cr_expect_str_eq(it->r.source, "en/cancel.txt:3");
}

Test(journal, a_batch_cut_short_is_fetched_again_whole)
{
	start();
	push(ob, 10, 1, "committed");
	cr_assert_eq(journal_commit(j, ob, 11, 1700000000), 0);
	long end = journal_size(j);
	stop();
	/* the next batch's lines without the O line, then half a line */
	char *path = xasprintf("%s/outbox.journal", dir);
	cr_assert_eq(truncate(path, end), 0);	/* lines, without the blank space ahead */
	FILE *f = fopen(path, "a");
	const char *q = "Q 99 20 1700000000.000 {\"c\":5,\"t\":\"uncommitted\"}";
	fprintf(f, "%s %016llx\n", q, (unsigned long long)fnv1a(q, strlen(q), FNV1A_INIT));
	fputs("O 21 1700000000 00000000", f);	/* torn */
	fclose(f);

	start();
	cr_expect_eq(offset, 11, "the torn commit does not count");
	cr_expect_eq(outbox_len(ob), 1);
	/* and the file was cleaned up: a later commit cannot revive them */
	restart();
	cr_expect_eq(outbox_len(ob), 1);
	cr_expect_eq(offset, 11);
	free(path);
}

Test(journal, drops_by_the_cap_are_recorded_and_the_file_is_rewritten)
{
	cap = 3;
	start();
	char text[2048];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 2000; i++) {	/* ~4 MB through a file that keeps 3 */
		push(ob, i, 42, text);
		cr_assert_eq(journal_commit(j, ob, i + 1, 1700000000), 0);
	}
	cr_expect_lt(journal_size(j), 2 << 20, "rewritten as it grew: %ld bytes", journal_size(j));
	restart();
	cr_expect_eq(outbox_len(ob), 3, "the newest three");
	cr_expect_eq(offset, 2000);
	double wait;
	cr_expect_eq(outbox_ready(ob, 0, &wait)->update_id, 1997);
}

/* One commit of most of a megabyte (more is rewritten instead): the file
 * grows by several blank chunks at once, written from one static block,
 * and every line is read back. */
Test(journal, a_big_commit_grows_the_file_in_blank_chunks)
{
	start();
	char text[3000];
	memset(text, 'y', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 300; i++)	/* ~0.95 MB in one write */
		push(ob, i, 1000 + i, text);
	cr_assert_eq(journal_commit(j, ob, 300, 1700000000), 0);
	long lines = journal_size(j);
	stop();
	char *path = xasprintf("%s/outbox.journal", dir);
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	off_t size = lseek(fd, 0, SEEK_END);
	cr_expect_eq(size % (256 * 1024), 0, "whole chunks: %ld bytes", (long)size);
	cr_expect_gt(size, lines);
	char c = 'x';
	cr_expect_eq(pread(fd, &c, 1, lines), 1);
	cr_expect_eq(c, '\0', "blank after the lines");
	cr_expect_eq(pread(fd, &c, 1, size - 1), 1);
	cr_expect_eq(c, '\0');
	close(fd);
	free(path);
	start();
	cr_expect_eq(outbox_len(ob), 300);
	cr_expect_eq(offset, 300);
}

/* Lines sealed with byte-wise FNV-1a (every file written before the sums
 * went word-wise) still count, and a line whose byte changed counts under
 * neither sum: the file ends there. */
Test(journal, lines_of_the_older_sum_are_read_and_a_changed_byte_is_not)
{
	char *path = xasprintf("%s/outbox.journal", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	const char *lines[] = {
		"Q 1 20 1700000000.000 {\"c\":5,\"t\":\"from an older version\"}",
		"O 21 1700000000",
		"Q 2 21 1700000000.000 {\"c\":6,\"t\":\"changed after sealing\"}",
		"O 22 1700000000",
	};
	for (size_t i = 0; i < 4; i++) {
		unsigned long long sum = fnv1a(lines[i], strlen(lines[i]), FNV1A_INIT);
		if (i == 2) {	/* sealed, then one byte flipped */
			char *bad = xstrdup(lines[i]);
			bad[strlen(bad) - 3] ^= 1;
			fprintf(f, "%s %016llx\n", bad, sum);
			free(bad);
		} else {
			fprintf(f, "%s %016llx\n", lines[i], sum);
		}
	}
	fclose(f);
	start();
	cr_expect_eq(offset, 21, "the older sums count, up to the changed line");
	cr_expect_eq(outbox_len(ob), 1);
	double wait;
	struct outbox_item *it = outbox_ready(ob, 0, &wait);
	cr_assert_not_null(it);
	cr_expect_str_eq(it->r.text, "from an older version");
	free(path);
}

/* A Q line's numbers are written without printf: the bytes are those the
 * printf format wrote (negative ids, a fraction of a second, INT64_MAX),
 * and the line reads back. */
Test(journal, a_reply_line_is_what_printf_wrote)
{
	start();
	struct reply r = {.chat_id = -1001234567890, .is_group = 1, .text = strdup("hi"),
			  .reply_to = INT64_MAX, .thread_id = 0, .edit_id = -5};
	outbox_push(ob, 4200000000, &r, 0, 1700000000.25);
	cr_assert_eq(journal_commit(j, ob, 4200000001, 1700000000), 0);
	stop();
	char *path = xasprintf("%s/outbox.journal", dir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char line[512] = "";
	cr_assert_not_null(fgets(line, sizeof line, f));
	fclose(f);
	free(path);
	unsigned long long seq = strtoull(line + 2, NULL, 10);
	char want[256];
	snprintf(want, sizeof want, "Q %llu %lld %lld.%03lld {\"c\":%lld,\"rt\":%lld,\"th\":%lld,"
		 "\"e\":%lld,\"g\":%d,\"t\":\"hi\",", seq, 4200000000LL, 1700000000LL, 250LL,
		 -1001234567890LL, (long long)INT64_MAX, 0LL, -5LL, 1);
	cr_expect_eq(strncmp(line, want, strlen(want)), 0, "%s\nwant %s", line, want);
	char *sum = strrchr(line, ' ');
	cr_assert_not_null(sum);
	cr_expect_eq(strlen(sum), 1 + 16 + 1, "16 hex digits and the newline: %s", sum);
	start();
	cr_expect_eq(outbox_len(ob), 1);
	cr_expect_eq(offset, 4200000001);
}
