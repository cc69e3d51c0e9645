/* Unit tests: kbfile — a section of an answer file replaced, a phrase made
 * a literal pattern line, files written atomically. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "kbfile.h"

static const char *FILE_TEXT =
	"; a comment about the file\n[default]\nGeneral text.\n\nSecond paragraph.\n\n"
	"; about verizon\n[verizon]\nVerizon text.\n[att]\nAT&T text.\n";

Test(kbfile, a_section_is_read_as_written)
{
	char *s = kbfile_section(FILE_TEXT, "default");
	cr_expect_str_eq(s, "General text.\n\nSecond paragraph.");
	free(s);
	s = kbfile_section(FILE_TEXT, "att");
	cr_expect_str_eq(s, "AT&T text.");
	free(s);
	cr_expect_null(kbfile_section(FILE_TEXT, "tmobile"));
	cr_expect_null(kbfile_section(FILE_TEXT, "verizo"), "whole heads only");
}

Test(kbfile, replacing_a_section_keeps_the_rest_and_the_next_sections_comment)
{
	char *s = kbfile_replace_section(FILE_TEXT, "default", "New one.\r\n\r\n");
	cr_expect_str_eq(s, "; a comment about the file\n[default]\nNew one.\n\n; about verizon\n"
			 "[verizon]\nVerizon text.\n[att]\nAT&T text.\n");
	free(s);
	s = kbfile_replace_section(FILE_TEXT, "att", "Changed.");
	cr_expect(strstr(s, "[att]\nChanged.\n") && strstr(s, "[verizon]\nVerizon text.\n"), "%s", s);
	free(s);
	s = kbfile_replace_section(FILE_TEXT, "tmobile", "Added.");
	cr_expect(strstr(s, "AT&T text.\n\n[tmobile]\nAdded.\n"), "%s", s);
	free(s);
}

Test(kbfile, a_body_that_would_change_the_files_structure_is_refused)
{
	cr_expect_null(kbfile_body_problem("Text <b>bold</b>\n\n[not a head"));
	cr_expect_not_null(kbfile_body_problem("text\n[att]\nmore"));
	cr_expect_not_null(kbfile_body_problem("; hidden"));
}

Test(kbfile, a_phrase_becomes_a_literal_pattern_under_the_intent_head)
{
	char *lit = kbfile_literal("a.b (c)? {carrier} $5 #1 \\q");
	cr_expect_str_eq(lit, "a\\.b \\(c\\)\\? \\{carrier\\} \\$5 \\#1 \\\\q");
	free(lit);
	const char *ini = "[intent cancel]\npriority = 10\nwhen = carrier\nen = quit\n[intent other]\n";
	char *s = kbfile_add_phrase(ini, "intent cancel", "drop my line?", "taught");
	cr_expect_str_eq(s, "[intent cancel]\n; taught\nen = drop my line\\?\npriority = 10\n"
			 "when = carrier\nen = quit\n[intent other]\n");
	free(s);
	s = kbfile_add_phrase(ini, "intent other", "怎么停机", "t");
	cr_expect(strstr(s, "[intent other]\n; t\nzh = 怎么停机\n"), "%s", s);
	free(s);
	cr_expect_null(kbfile_add_phrase(ini, "intent nope", "x", "t"));
}

Test(kbfile, writing_makes_the_directories_and_leaves_no_temp_file)
{
	char dir[] = "/tmp/cancelbot-kbfile-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = xasprintf("%s/a/b/c.txt", dir), *tmp = xasprintf("%s.tmp", path);
	struct sbuf err = {0};
	cr_expect_eq(kbfile_write(path, "one\n", &err), 0, "%s", sbuf_str(&err));
	cr_expect_eq(kbfile_write(path, "two\n", &err), 0, "%s", sbuf_str(&err));
	char *got = read_file(path, NULL);
	cr_expect_str_eq(got, "two\n");
	struct stat st;
	cr_expect_neq(stat(tmp, &st), 0, "no temp file left");
	cr_expect_eq(kbfile_remove(path, &err), 0);
	cr_expect_eq(kbfile_remove(path, &err), 0, "a missing file is not an error");
	/* a directory where the file should go: an error, said */
	char *blocked = xasprintf("%s/a", dir);
	cr_expect_eq(kbfile_write(blocked, "x", &err), -1);
	cr_expect(strstr(sbuf_str(&err), "cannot write"), "%s", sbuf_str(&err));
	free(blocked);
	free(got);
	free(tmp);
	free(path);
	sbuf_free(&err);
	rm_rf(dir);
}
