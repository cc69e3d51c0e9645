/* Unit tests: /lang choices in the store — saved and cleared one user at a
 * time, loaded into a fresh memory after a reopen, the old STATE_DIR/langs
 * file imported once, unknown codes never taken. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "langs.h"
#include "store.h"

Test(langs, choices_survive_a_reopen_and_old_file_is_imported_once)
{
	char dir[] = "/tmp/cancelbot-langs-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *old = xasprintf("%s/langs", dir);
	write_text(old, "7 zh-Hant\n8 klingon\n9223372036854775807 en\ngarbage\n");
	struct sbuf err = {0};
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	struct context *ctx = context_new(100, 3600);
	cr_expect_eq(langs_load(dir, ctx), 2, "an unknown code is not taken");
	cr_expect_eq(access(old, F_OK), -1, "the old file is renamed once in");
	context_set_lang(ctx, 5, "zh-Hans");
	cr_expect_eq(langs_save(ctx, 5), 0);
	context_set_lang(ctx, 7, NULL);	/* back to auto */
	cr_expect_eq(langs_save(ctx, 7), 0);
	context_free(ctx);
	store_close();

	write_text(old, "6 en\n");	/* a stray file after the import: read too, once */
	cr_assert_eq(store_open(dir, &err), 0, "%s", sbuf_str(&err));
	ctx = context_new(100, 3600);
	cr_expect_eq(langs_load(dir, ctx), 3);
	cr_expect_str_eq(context_lang(ctx, 5), "zh-Hans");
	cr_expect_null(context_lang(ctx, 7));
	cr_expect_str_eq(context_lang(ctx, 9223372036854775807LL), "en");
	cr_expect_str_eq(context_lang(ctx, 6), "en");
	/* a row edited by hand to a code the bot does not know is ignored */
	cr_assert_eq(store_exec("INSERT INTO langs VALUES (11, 'xx')", NULL), 0);
	context_free(ctx);
	ctx = context_new(100, 3600);
	cr_expect_eq(langs_load(dir, ctx), 3);
	cr_expect_null(context_lang(ctx, 11));
	context_free(ctx);
	store_close();
	free(old);
	sbuf_free(&err);
	rm_rf(dir);
}
