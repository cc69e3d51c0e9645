/* libFuzzer target: one getUpdates body (the input spliced into a result
 * array, so broken elements are exercised; lone surrogate escapes replaced
 * as tg_call does) and the input as one Update. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "update.h"
#include "util.h"

static void each(void *user, const cJSON *json, const char *text, size_t len, int64_t id, int has)
{
	(void)user;
	struct update u;
	char cb[128];
	if (!json)	/* as the loop does for an element that is not JSON */
		update_salvage_callback_id(text, len, cb, sizeof cb);
	if (json && has)
		update_parse_known(json, id, &u);
	else if (json && update_parse(json, &u) < 0)
		memset(&u, 0, sizeof u);
	if (json)
		update_free(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf body = {0};
	sbuf_adds(&body, "{\"ok\":true,\"result\":[");
	sbuf_add(&body, (const char *)data, size);
	sbuf_adds(&body, "]}");
	json_fix_lone_surrogates(body.p, body.len);	/* as tg_call does */
	updates_scan(body.p, body.len, each, NULL);
	cJSON *whole = cJSON_ParseWithLength(body.p, body.len);
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(whole, "result");
	if (cJSON_IsArray(result))	/* the path for bodies that parse */
		updates_each(result, body.p, body.len, each, NULL);
	cJSON_Delete(whole);
	sbuf_free(&body);
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	struct update u;
	update_parse(j, &u);	/* fills u (or zeroes it) whatever the input */
	update_free(&u);
	cJSON_Delete(j);
	return 0;
}
