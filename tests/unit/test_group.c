/* Unit tests: group — the settings buttons' data applied to a group's
 * settings (only known values, "changed" only when something changed), and
 * the mode in force (the group's, else the config's). */
#include <criterion/criterion.h>
#include <string.h>

#include "group.h"

Test(group, settings_apply_known_values_only)
{
	struct group_prefs p = GROUP_PREFS_DEFAULT;
	cr_expect_eq(group_settings_apply(&p, "g:mode:auto"), 1);
	cr_expect_eq(p.mode, GROUP_AUTO);
	cr_expect_eq(group_settings_apply(&p, "g:mode:auto"), 0, "already so");
	cr_expect_eq(group_settings_apply(&p, "g:mode:quiet"), 1);
	cr_expect_eq(p.mode, GROUP_QUIET);
	cr_expect_eq(group_settings_apply(&p, "g:lang:zh-Hant"), 1);
	cr_expect_str_eq(p.lang, "zh-Hant");
	cr_expect_eq(group_settings_apply(&p, "g:lang:zh-HK"), -1, "not offered by /lang");
	cr_expect_eq(group_settings_apply(&p, "g:lang:fr"), -1);
	cr_expect_str_eq(p.lang, "zh-Hant");
	cr_expect_eq(group_settings_apply(&p, "g:lang:auto"), 1);
	cr_expect_str_eq(p.lang, "");
	cr_expect_eq(group_settings_apply(&p, "g:where:private"), 1);
	cr_expect_eq(p.where, WHERE_PRIVATE);
	cr_expect_eq(group_settings_apply(&p, "g:where:moon"), -1);
	cr_expect_eq(group_settings_apply(&p, "g:mode"), -1);
	cr_expect_eq(group_settings_apply(&p, "a:cancel:att"), -1);
	cr_expect_eq(group_settings_apply(&p, ""), -1);
	cr_expect_eq(p.where, WHERE_PRIVATE);
}

Test(group, mode_in_force)
{
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.group_mode = GROUP_AUTO;
	struct dialog_env env = {.cfg = &cfg};
	cr_expect_eq(group_mode_of(&env), GROUP_AUTO, "no settings: the config's");
	struct group_prefs p = GROUP_PREFS_DEFAULT;
	env.group = &p;
	cr_expect_eq(group_mode_of(&env), GROUP_AUTO, "mode -1: the config's");
	p.mode = GROUP_QUIET;
	cr_expect_eq(group_mode_of(&env), GROUP_QUIET);
}
