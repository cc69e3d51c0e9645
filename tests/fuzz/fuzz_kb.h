/* Shared by the fuzz targets: the shipped knowledge base, loaded once (run
 * from the project root); a target cannot run without it. */
#ifndef CANCELBOT_FUZZ_KB_H
#define CANCELBOT_FUZZ_KB_H

#include <stdlib.h>

#include "kb.h"
#include "load.h"

static inline struct kb *fuzz_load_kb(void)
{
	struct sbuf err = {0}, warn = {0};
	struct kb *kb = kb_load("intents", "responses", NULL, &err, &warn);
	if (!kb)
		abort();
	sbuf_free(&err);
	sbuf_free(&warn);
	return kb;
}

#endif
