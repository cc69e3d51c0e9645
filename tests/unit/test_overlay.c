/* Unit tests: the admin knowledge-base directory (admin_kb_dir) laid over
 * the shipped intents/ and responses/, file by file. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "load.h"
#include "normalize.h"

static char *admin;

static void make_admin(void)
{
	admin = strdup("/tmp/cancelbot-overlay-XXXXXX");
	cr_assert_not_null(mkdtemp(admin));
	char *cmd = xasprintf("mkdir -p %s/intents %s/responses/en && cp responses/en/cancel.txt "
			      "%s/responses/en/", admin, admin, admin);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static struct kb *load_with(const char *dir, struct sbuf *err)
{
	struct sbuf warn = {0};
	struct kb_load_opts opts = {.admin_dir = dir};
	struct kb *kb = kb_load("intents", "responses", &opts, err, &warn);
	sbuf_free(&warn);
	return kb;
}

Test(overlay, an_admin_file_replaces_the_shipped_one_and_check_says_which_won)
{
	normalize_init();
	make_admin();
	char *path = xasprintf("%s/responses/en/cancel.txt", admin);
	char *cmd = xasprintf("sed -i 's/the safe order/Admin'\\''s own order/' %s", path);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	char *added = xasprintf("%s/intents/zz_admin.ini", admin);
	write_text(added, "[veto zz_admin_test]\nen = {b}qqzzxx{b}\n");
	struct sbuf err = {0}, rep = {0};
	struct kb *kb = load_with(admin, &err);
	cr_assert_not_null(kb, "%s", sbuf_str(&err));
	const struct answer *a = kb_answer(kb, "cancel", NULL, NULL, "en");
	cr_assert_not_null(a);
	cr_expect_str_eq(a->file, path);
	cr_expect(strstr(a->text, "Admin's own"), "%s", a->text);
	cr_expect_str_eq(kb_answer(kb, "cancel", "verizon", NULL, "en")->file, path,
			 "the whole file is the admin's");
	cr_expect_not_null(kb_rule(kb, RULE_VETO, "zz_admin_test"), "an admin file adds to the rest");
	cr_expect_not_null(kb_answer(kb, "cancel", "verizon", NULL, "zh"), "other files stay shipped");
	kb_overlay_report(kb, "intents", "responses", admin, &rep);
	char *want = xasprintf("responses/en/cancel.txt: %s wins over responses/en/cancel.txt\n", path);
	cr_expect(strstr(sbuf_str(&rep), want), "%s", sbuf_str(&rep));
	cr_expect(strstr(sbuf_str(&rep), "intents/zz_admin.ini: ") &&
		  strstr(sbuf_str(&rep), "(added)"), "%s", sbuf_str(&rep));
	kb_free(kb);
	free(want);
	free(added);
	free(path);
	sbuf_free(&err);
	sbuf_free(&rep);
	rm_rf(admin);
	free(admin);
	normalize_done();
}

Test(overlay, a_missing_or_empty_admin_directory_changes_nothing)
{
	normalize_init();
	struct sbuf err = {0};
	struct kb *plain = load_with(NULL, &err);
	struct kb *missing = load_with("/nonexistent/cancelbot-admin-kb", &err);
	cr_assert_not_null(plain, "%s", sbuf_str(&err));
	cr_assert_not_null(missing, "%s", sbuf_str(&err));
	cr_expect_eq(plain->nfiles, missing->nfiles);
	for (size_t i = 0; i < plain->nfiles; i++)
		cr_expect_str_eq(plain->files[i], missing->files[i], "same files, same order");
	cr_expect_eq(plain->nanswers, missing->nanswers);
	kb_free(plain);
	kb_free(missing);
	sbuf_free(&err);
	normalize_done();
}

Test(overlay, a_broken_admin_file_is_reported_with_its_own_path)
{
	normalize_init();
	make_admin();
	char *path = xasprintf("%s/intents/cancel.ini", admin);
	write_text(path, "[intent cancel]\nen = (unclosed\n");
	struct sbuf err = {0};
	struct kb *kb = load_with(admin, &err);
	cr_expect_null(kb);
	cr_expect(strstr(sbuf_str(&err), path), "%s", sbuf_str(&err));
	kb_free(kb);
	free(path);
	sbuf_free(&err);
	rm_rf(admin);
	free(admin);
	normalize_done();
}
