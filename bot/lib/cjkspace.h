/* cjkspace — one spacing style for text written in Chinese characters,
 * applied to a rendered answer (Telegram HTML) after its placeholders are
 * filled: no space between two Chinese characters ("向你的运营商确认", not
 * "向 你的运营商 确认"), one space between a Chinese character and a Latin
 * letter or digit ("问 Cricket Wireless：", not "问Cricket Wireless："),
 * none next to full-width punctuation ("（美国）的", "：App"). Tags are
 * looked through (the space goes next to the Chinese character, outside
 * <b>…</b>); nothing crosses a line. Entities start with '&' and are left
 * as they are. */
#ifndef CANCELBOT_CJKSPACE_H
#define CANCELBOT_CJKSPACE_H

/* A new string (the caller frees) with the spacing above. */
char *cjk_space(const char *html);

#endif
