/* Unit tests: dialog — the pure conversation logic, with no server: an
 * update, the shipped knowledge base and a conversation memory in, the
 * replies (texts, buttons) and the memory out. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "context.h"
#include "dialog.h"
#include "kb.h"
#include "normalize.h"
#include "outbox.h"

static struct kb *kb;
static struct config cfg;
static struct context *ctx;

static struct kb *load_kb(void)
{
	struct sbuf err = {0}, warn = {0};
	struct kb *k = kb_load("intents", "responses", NULL, &err, &warn);
	cr_assert_not_null(k, "the shipped knowledge base does not load:\n%s", sbuf_str(&err));
	sbuf_free(&err);
	sbuf_free(&warn);
	return k;
}

static void setup(void)
{
	normalize_init();
	kb = load_kb();
	config_defaults(&cfg);
	ctx = context_new(64, 600);
}

static void teardown(void)
{
	context_free(ctx);
	config_free(&cfg);
	kb_free(kb);
	normalize_done();
}

TestSuite(dialog, .init = setup, .fini = teardown);

static struct dialog_env env_at(double now)
{
	return (struct dialog_env){.kb = kb, .cfg = &cfg, .ctx = ctx, .bot_username = "cancelbot",
				   .bot_id = 42, .now = now};
}

/* A text message from user 7; chat 7 is private, a negative chat a group.
 * The strings are borrowed: these updates are never passed to update_free. */
static struct update message(int64_t chat, const char *text)
{
	struct update u = {.update_id = 1, .kind = UPDATE_MESSAGE, .chat_id = chat,
			   .message_id = 100, .from_id = 7, .from_name = "Ann",
			   .lang_code = "en", .text = (char *)text};
	strcpy(u.chat_type, chat < 0 ? "supergroup" : "private");
	return u;
}

Test(dialog, a_queued_reply_outlives_the_knowledge_base_it_came_from)
{
	/* defect: a reply's source pointed at the kb's file name; a reload
	 * frees the kb while replies wait in the outbox, and a rejected send
	 * then logged freed memory (heap-use-after-free under ASan) */
	struct dialog_env env = env_at(1000);
	struct update u = message(7, "how do I cancel verizon");
	struct dialog_out out;
	dialog_handle(&env, &u, &out);
	cr_assert_geq(out.n, 1);
	struct outbox *ob = outbox_new(0);
	for (size_t i = 0; i < out.n; i++) {
		outbox_push(ob, u.update_id, &out.v[i], 0);
		out.v[i].text = NULL;	/* the outbox took it */
	}
	dialog_out_free(&out);
	kb_free(kb);		/* the reload */
	kb = load_kb();		/* reuses the freed memory */
	double wait;
	struct outbox_item *it = outbox_ready(ob, 1, &wait);
	cr_assert_not_null(it);
	cr_expect(strstr(it->r.source, "en/cancel.txt"), "source \"%s\"", it->r.source);
	outbox_free(ob);
}
