/* Unit tests: kbhist — versions recorded in the store, listed and shown as
 * diffs; a store without the table is an error, not a crash. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "kbhist.h"
#include "store.h"

Test(kbhist, versions_are_numbered_listed_and_shown_as_a_diff)
{
	char dir[] = "/tmp/cancelbot-kbhist-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct sbuf err = {0}, out = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	struct config cfg;
	config_defaults(&cfg);
	free(cfg.responses_dir);
	cfg.responses_dir = xstrdup("responses");
	const char *a = "[default]\nOne.\nTwo.\nThree.\n", *b = "[default]\nOne.\nZwei.\nThree.\n";
	cr_expect_eq(kbhist_add(42, "/edit x default en", "responses/en/x.txt", NULL, a, &err), 1);
	cr_expect_eq(kbhist_add(42, "/edit x default en", "responses/en/x.txt", a, b, &err), 2);
	cr_expect_eq(kbhist_add(7, "/rollback 1", "responses/en/x.txt", b, NULL, &err), 3);
	cr_expect_eq(kbhist_list(&cfg, 2, &out), 2);
	cr_expect(strstr(sbuf_str(&out), "v3  ") && strstr(sbuf_str(&out), "by 7  /rollback 1") &&
		  strstr(sbuf_str(&out), "(admin file removed)") && !strstr(sbuf_str(&out), "v1 "),
		  "%s", sbuf_str(&out));
	out.len = 0;
	cr_expect_eq(kbhist_show(&cfg, 2, &out), 0);
	cr_expect(strstr(sbuf_str(&out), "@@ line 3 @@\n  [default]\n  One.\n- Two.\n+ Zwei.\n  Three.\n"),
		  "%s", sbuf_str(&out));
	out.len = 0;
	cr_expect_eq(kbhist_show(&cfg, 9, &out), -1);
	cr_expect(strstr(sbuf_str(&out), "No version 9"), "%s", sbuf_str(&out));
	store_close();
	out.len = 0;
	cr_expect_eq(kbhist_list(&cfg, 5, &out), -1, "no store: an error, said by the caller");
	cr_expect_eq(kbhist_add(1, "x", "y", NULL, NULL, &err), 0);
	cr_expect(strstr(sbuf_str(&err), "not recorded"), "%s", sbuf_str(&err));
	config_free(&cfg);
	sbuf_free(&err);
	sbuf_free(&out);
	rm_rf(dir);
}
