/* libFuzzer target: the input as an answer template (placeholders, optional
 * lines) and as HTML to validate, measure, flatten and split. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_kb.h"
#include "normalize.h"
#include "html.h"
#include "render.h"

static struct kb *kb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	kb = fuzz_load_kb();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = utf8_sanitize((const char *)data, size);
	struct answer a = {.topic = "help", .lang = "en", .text = text, .file = "fuzz", .line = 1};
	struct sbuf err = {0};
	static const char *const vars[] = {"user", "<b>&", NULL};
	char *html = render_answer_vars(kb, &a, size % 2 ? "verizon" : NULL, vars, 1, &err);
	const char *h = html ? html : text;
	html_validate(h, &err);
	html_text_units(h);
	char *plain = html_to_plain(h);
	free(plain);
	size_t n;
	char **parts = html_split(h, 1 + size % 200, &n);
	html_free_parts(parts, n);
	parts = html_split(h, TG_MAX_TEXT, &n);
	html_free_parts(parts, n);
	free(html);
	free(text);
	sbuf_free(&err);
	return 0;
}
