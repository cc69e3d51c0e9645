/* Unit tests: util's string buffer — JSON string escaping (eight bytes at
 * a time) against a byte-by-byte reference, and sbuf_addf formatting in
 * place or after growing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The escaping as it was written before: one byte at a time. */
static void reference_json(struct sbuf *b, const char *s)
{
	sbuf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sbuf_addc(b, '\\');
			sbuf_addc(b, (char)c);
		} else if (c == '\n') {
			sbuf_adds(b, "\\n");
		} else if (c < 0x20) {
			char e[8];
			snprintf(e, sizeof e, "\\u%04x", c);
			sbuf_adds(b, e);
		} else {
			sbuf_addc(b, (char)c);
		}
	}
	sbuf_addc(b, '"');
}

/* Every byte value at every place of strings 0..40 bytes long, among
 * plain ASCII and UTF-8 (bytes >= 0x80 are never escaped). */
Test(util, json_escaping_matches_the_bytewise_reference)
{
	char s[64];
	for (int len = 0; len <= 40; len++)
		for (int at = 0; at < len || (len == 0 && at == 0); at++)
			for (int c = 1; c < 256; c++) {
				for (int i = 0; i < len; i++)
					s[i] = i % 7 == 3 ? (char)0xe4 : (char)('a' + i % 26);
				if (len)
					s[at] = (char)c;
				s[len] = '\0';
				struct sbuf got = {0}, want = {0};
				sbuf_adds(&got, "x");	/* appended after what is there */
				sbuf_adds(&want, "x");
				sbuf_add_json_str(&got, s);
				reference_json(&want, s);
				cr_assert_str_eq(sbuf_str(&got), sbuf_str(&want), "len %d, byte %d at %d",
						 len, c, at);
				cr_assert_eq(got.len, strlen(sbuf_str(&got)));
				sbuf_free(&got);
				sbuf_free(&want);
				if (!len)
					break;
			}
}

/* The printf-free numbers give printf's digits at the edges of their types. */
Test(util, numbers_without_printf)
{
	const int64_t is[] = {0, 1, -1, 9, 10, -10, 4200000000, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < ARRAY_LEN(is); i++) {
		struct sbuf b = {0};
		char want[32];
		snprintf(want, sizeof want, "%lld", (long long)is[i]);
		sbuf_add_i64(&b, is[i]);
		cr_expect_str_eq(sbuf_str(&b), want);
		sbuf_free(&b);
	}
	const uint64_t us[] = {0, 7, 15, 16, 0x0123456789abcdefULL, UINT64_MAX};
	for (size_t i = 0; i < ARRAY_LEN(us); i++) {
		struct sbuf b = {0};
		char want[64];
		snprintf(want, sizeof want, "%llu %016llx", (unsigned long long)us[i],
			 (unsigned long long)us[i]);
		sbuf_add_u64(&b, us[i]);
		sbuf_addc(&b, ' ');
		sbuf_add_hex64(&b, us[i]);
		cr_expect_str_eq(sbuf_str(&b), want);
		sbuf_free(&b);
	}
}

/* Formatting into the room left, past it, and from empty. */
Test(util, addf_fits_grows_and_appends)
{
	struct sbuf b = {0};
	sbuf_addf(&b, "%d-%s", 7, "a");
	cr_expect_str_eq(sbuf_str(&b), "7-a");
	char big[300];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	sbuf_addf(&b, "[%s]", big);	/* more than the room left */
	cr_expect_eq(b.len, 3 + 2 + 299);
	cr_expect_eq(strlen(sbuf_str(&b)), b.len);
	cr_expect_eq(memcmp(sbuf_str(&b), "7-a[zzz", 7), 0);
	cr_expect_eq(sbuf_str(&b)[b.len - 1], ']');
	size_t before = b.len;
	sbuf_addf(&b, "%s", "");	/* nothing: still terminated */
	cr_expect_eq(b.len, before);
	for (int i = 0; i < 1000; i++)
		sbuf_addf(&b, "%05d", i);
	cr_expect_eq(b.len, before + 5000);
	cr_expect_eq(strlen(sbuf_str(&b)), b.len);
	cr_expect_eq(memcmp(sbuf_str(&b) + b.len - 5, "00999", 5), 0);
	sbuf_free(&b);
}
