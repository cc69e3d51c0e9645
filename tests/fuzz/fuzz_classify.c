/* libFuzzer target: normalise + classify + explain any bytes with the
 * shipped knowledge base (run from the project root). */
#include <stdint.h>
#include <stdlib.h>

#include "classify.h"
#include "fuzz_kb.h"
#include "normalize.h"

static struct kb *kb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	normalize_init();
	kb = fuzz_load_kb();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classification c;
	classify(kb, (const char *)data, size, &c);
	char *json = classification_json(&c);
	free(json);
	classification_free(&c);
	if (size < 512) {
		char *s = utf8_sanitize((const char *)data, size);
		struct sbuf out = {0};
		classify_explain(kb, s, &out);
		sbuf_free(&out);
		free(s);
	}
	return 0;
}
