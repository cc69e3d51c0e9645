/* lang — see lang.h. */
#include "lang.h"

#include <string.h>
#include <strings.h>

const struct lang langs[] = {
	{"en", "en", "English", NULL, "en", ", ", NULL, 0, 0, 1, NULL, NULL, NULL},
	/* pinyin typed without a Chinese keyboard is Simplified Chinese (the
	 * mainland's romanisation); syllables that are English words (me, ban,
	 * a) are not listed */
	{"zh-Hans", "zh", "简体中文", NULL, "zh-hans,zh-cn,zh-sg,zh-my,zh", "、", NULL, 1, 0, 1,
	 "zh", NULL,
	 "zenme,zen,zenyang,zhuxiao,zhu,xiao,quxiao,qu,shouji,shoujika,shou,ji,meiguo,guo,haoma,"
	 "xiexie,xie,keyi,duojiu,jiu,duoshao,shao,yufu,houfu,yufufei,houfufei,fei,tingji,ting,"
	 "wo,de,ne,ma,le,shenme,yao,qian,banli,wangshang,zaixian,dianhua,kefu,xiaohao,"
	 "yunyingshang,taocan,zhanghu,laogong,laopo,zhidao,buzhidao,zhege,nage,ka,mei"},
	/* Taiwan wording (s2twp: 門號, 預付卡) for Traditional writers */
	{"zh-Hant", "zh", "繁體中文", "s2twp.json", "zh-hant,zh-tw,zh-mo", "、", NULL, 1, 1, 1,
	 NULL, "登出=註銷;賬=帳;轉網=攜碼;運營商=電信業者;手機號碼=門號;手機號=門號", NULL},
	/* Hong Kong forms for Cantonese writers (markers: words Taiwan writers
	 * don't use; 係 alone is in 關係 too; 晒 after a verb is Cantonese, not
	 * the Simplified form of 曬) */
	{"zh-HK", "zh", "繁體中文（香港）", "s2hk.json", "zh-hk,yue", "、",
	 "唔,咗,嘅,係咪,唔係,就係,冇,啲,嚟,佢,喺,乜嘢,嘢,嗰,噉,哋,睇,諗,攞,搵,揾,點樣,點解,邊度,收幾錢,幾耐,明白晒,知道晒,多謝晒,多谢晒", 1, 1,
	 0, NULL, "賬=帳;轉網=攜號轉台;運營商=電訊商", NULL},
};
const size_t nlangs = sizeof langs / sizeof langs[0];

const struct lang *lang_find(const char *code)
{
	if (!code || !*code)
		return NULL;
	for (size_t i = 0; i < nlangs; i++)
		if (strcasecmp(langs[i].code, code) == 0)
			return &langs[i];
	return NULL;
}

/* 1 when code starts with the prefix as a whole subtag ("zh-tw" in "zh-TW-x"). */
static int has_prefix(const char *code, const char *prefix, size_t n)
{
	return strncasecmp(code, prefix, n) == 0 && (code[n] == '\0' || code[n] == '-' ||
						   code[n] == '_');
}

const struct lang *lang_from_telegram(const char *code)
{
	const struct lang *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; code && i < nlangs; i++)
		for (const char *p = langs[i].telegram; *p;) {
			size_t n = strcspn(p, ",");
			if (n > best_len && has_prefix(code, p, n)) {
				best = &langs[i];
				best_len = n;
			}
			p += n + (p[n] == ',');
		}
	return best ? best : &langs[0];
}

const char *lang_answers(const char *code)
{
	const struct lang *l = lang_find(code);
	return l ? l->answers : code;
}

const struct lang *lang_default_for(const char *answers)
{
	for (size_t i = 0; answers && i < nlangs; i++)
		if (!strcmp(langs[i].answers, answers) && !langs[i].opencc)
			return &langs[i];
	return &langs[0];
}
