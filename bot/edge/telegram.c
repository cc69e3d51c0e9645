/* telegram — see telegram.h. */
#include "telegram.h"
#include "log.h"
#include "util.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY (8 * 1024 * 1024)	/* a getUpdates answer of 100 updates is far less */

#define POOL_MAX 8	/* idle easy handles kept for reuse by background requests */

/* One background request (tg_start): its own easy handle in the multi. */
struct tg_req {
	CURL *h;
	char *body;
	struct sbuf resp;
	char errbuf[CURL_ERROR_SIZE];
	void *user;
	int lite;
	struct tg_req *prev, *next;	/* the client's list of requests in flight */
};

struct tg_client {
	CURL *curl;
	CURLM *multi;		/* background requests; shares their connections */
	struct tg_req *active;
	size_t nactive;		/* requests in the multi (active's length) */
	CURL *idle[POOL_MAX];
	size_t nidle;
	char *base;		/* {api_url}/bot{token}/ */
	char *ca_file;
	struct curl_slist *headers;
	volatile sig_atomic_t *stop;
	struct curl_waitfd extra[TG_EXTRA_FDS];	/* tg_watch_fd: also end tg_run's wait */
	unsigned nextra;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct sbuf *b = user;
	size_t n = size * nmemb;
	if (b->len + n > MAX_BODY)
		return 0;	/* makes curl fail the transfer */
	sbuf_add(b, data, n);
	return n;
}

static int on_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	struct tg_client *c = user;
	return c->stop && *c->stop;
}

/* Options that never change, set once: re-setting them for every request
 * (curl_easy_reset) cost more than the rest of a sendMessage. */
static void setup_once(struct tg_client *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 15L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);	/* never turned off */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "cancelbot");
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (h != c->curl)
		return;	/* background requests are aborted by tg_cancel, not a callback */
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
}

static void setup(CURL *h, const char *url, const char *body, long timeout_s,
		  struct sbuf *resp, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
}

struct tg_client *tg_open(const char *api_url, const char *token, const char *ca_file,
			  volatile sig_atomic_t *stop)
{
	static int global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = 1;
	}
	struct tg_client *c = xcalloc(1, sizeof *c);
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return NULL;
	}
	c->base = xasprintf("%s/bot%s/", api_url, token ? token : "");
	c->ca_file = ca_file ? xstrdup(ca_file) : NULL;
	c->stop = stop;
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* no "Expect: 100-continue" (libcurl adds it to bodies over 1 KB, as
	 * most Chinese answers are): it waits a round trip, or its timeout, for
	 * the server's go-ahead before sending the body; measured against the
	 * fake server, each such send took ~200 ms instead of < 1 ms */
	c->headers = curl_slist_append(c->headers, "Expect:");
	c->multi = curl_multi_init();
	setup_once(c, c->curl);
	return c;
}

void tg_close(struct tg_client *c)
{
	if (!c)
		return;
	while (c->active)
		tg_cancel(c, c->active);
	for (size_t i = 0; i < c->nidle; i++)
		curl_easy_cleanup(c->idle[i]);
	curl_multi_cleanup(c->multi);
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->base);
	free(c->ca_file);
	free(c);
}

void tg_add_i64(cJSON *obj, const char *key, int64_t v)
{
	char num[24];
	snprintf(num, sizeof num, "%lld", (long long)v);
	cJSON_AddRawToObject(obj, key, num);
}

void tg_result_free(struct tg_result *r)
{
	cJSON_Delete(r->json);
	free(r->raw);
	r->json = NULL;
	r->raw = NULL;
	r->result = NULL;
}

static void read_error(const cJSON *j, struct tg_result *out)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "error_code");
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(j, "description");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(j, "parameters");
	out->error_code = cJSON_IsNumber(code) ? code->valueint : (int)out->http_code;
	log_scrub_copy(out->description, sizeof out->description,
		       cJSON_IsString(desc) ? desc->valuestring : "(no description)");
	if (cJSON_IsObject(params)) {
		const cJSON *ra = cJSON_GetObjectItemCaseSensitive(params, "retry_after");
		const cJSON *mg = cJSON_GetObjectItemCaseSensitive(params, "migrate_to_chat_id");
		if (cJSON_IsNumber(ra) && ra->valuedouble > 0 && ra->valuedouble < 86400)
			out->retry_after = ra->valueint;
		if (cJSON_IsNumber(mg))
			out->migrate_to_chat_id = (int64_t)mg->valuedouble;
	}
}

/* JSON's blanks, and a literal after them: the answer's start is read
 * without building a tree, with or without blanks between tokens. */
static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int take(const char **p, const char *lit)
{
	const char *q = skip_blanks(*p);
	size_t n = strlen(lit);
	if (strncmp(q, lit, n) != 0)
		return 0;
	*p = q + n;
	return 1;
}

/* Does the answer begin {"ok":true, (blanks allowed, as a JSON writer with
 * spaces sends it: Python's json.dumps, the fake server, gives
 * {"ok": true, and was parsed whole on every send)? Then *rest is what
 * follows the comma. */
static int starts_ok_true(const char *body, const char **rest)
{
	const char *p = body;
	if (!take(&p, "{") || !take(&p, "\"ok\"") || !take(&p, ":") || !take(&p, "true") ||
	    !take(&p, ","))
		return 0;
	*rest = p;
	return 1;
}

/* What the server's answer says: the same for tg_call and background
 * requests. lite: an answer that starts {"ok":true, is taken as success
 * without building its tree (a sendMessage echoes the whole message back,
 * ~46 000 instructions to parse, and the bot needs only its message_id). */
static enum tg_status decode(CURL *h, CURLcode rc, const char *errbuf, struct sbuf *resp, int lite,
			     struct tg_result *out)
{
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->http_code);
	if (rc != CURLE_OK) {
		/* TLS verification is never turned off; say plainly what to do */
		int tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE;
		char *text = xasprintf("%s%s",
				       tls ? "TLS certificate of api_url not trusted (for a "
					     "private CA set [telegram] ca_file): " : "",
				       *errbuf ? errbuf : curl_easy_strerror(rc));
		log_scrub_copy(out->description, sizeof out->description, text);
		free(text);
		sbuf_free(resp);
		return out->status = TG_TRANSPORT_ERROR;
	}
	out->raw_len = resp->len;
	const char *rest;
	if (lite && out->http_code == 200 && starts_ok_true(sbuf_str(resp), &rest)) {
		out->raw = sbuf_take(resp);
		return out->status = TG_OK;
	}
	json_fix_lone_surrogates(resp->p, resp->len);	/* or cJSON drops the whole body */
	out->json = cJSON_ParseWithLength(sbuf_str(resp), resp->len);
	out->raw = sbuf_take(resp);
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(out->json, "ok");
	if (!cJSON_IsObject(out->json) || !cJSON_IsBool(ok)) {
		snprintf(out->description, sizeof out->description,
			 "HTTP %ld with a body that is not a Bot API answer (%zu bytes)",
			 out->http_code, out->raw_len);
		cJSON_Delete(out->json);	/* raw stays: getUpdates may salvage it */
		out->json = NULL;
		return out->status = TG_TRANSPORT_ERROR;
	}
	if (!cJSON_IsTrue(ok)) {
		read_error(out->json, out);	/* scrubs the description */
		return out->status = TG_API_ERROR;
	}
	out->result = cJSON_GetObjectItemCaseSensitive(out->json, "result");
	return out->status = TG_OK;
}

enum tg_status tg_call_body(struct tg_client *c, const char *method, const char *body,
			    long timeout_s, struct tg_result *out)
{
	memset(out, 0, sizeof *out);
	char *url = xasprintf("%s%s", c->base, method);
	struct sbuf resp = {0};
	char errbuf[CURL_ERROR_SIZE] = "";
	setup(c->curl, url, body ? body : "{}", timeout_s, &resp, errbuf);
	CURLcode rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);	/* errbuf goes out of scope */
	free(url);
	return decode(c->curl, rc, errbuf, &resp, 0, out);
}

enum tg_status tg_call(struct tg_client *c, const char *method, const cJSON *params,
		       long timeout_s, struct tg_result *out)
{
	char *body = params ? cJSON_PrintUnformatted(params) : NULL;
	enum tg_status st = tg_call_body(c, method, body, timeout_s, out);
	free(body);
	return st;
}

struct tg_req *tg_start(struct tg_client *c, const char *method, char *body, long timeout_s,
			int lite, void *user)
{
	struct tg_req *r = xcalloc(1, sizeof *r);
	if (c->nidle) {
		r->h = c->idle[--c->nidle];
	} else {
		r->h = curl_easy_init();
		if (!r->h)
			abort();	/* out of memory, as xmalloc */
		setup_once(c, r->h);
	}
	r->body = body;
	r->user = user;
	r->lite = lite;
	char *url = xasprintf("%s%s", c->base, method);
	setup(r->h, url, body, timeout_s, &r->resp, r->errbuf);
	curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
	free(url);	/* curl copies the URL */
	curl_multi_add_handle(c->multi, r->h);
	c->nactive++;
	r->next = c->active;
	if (c->active)
		c->active->prev = r;
	c->active = r;
	return r;
}

/* Takes r out of the multi and the list; keeps its handle for reuse. */
static void release(struct tg_client *c, struct tg_req *r)
{
	curl_multi_remove_handle(c->multi, r->h);
	c->nactive--;
	if (r->prev)
		r->prev->next = r->next;
	else
		c->active = r->next;
	if (r->next)
		r->next->prev = r->prev;
	curl_easy_setopt(r->h, CURLOPT_ERRORBUFFER, NULL);
	if (c->nidle < POOL_MAX)
		c->idle[c->nidle++] = r->h;
	else
		curl_easy_cleanup(r->h);
	sbuf_free(&r->resp);
	free(r->body);
	free(r);
}

void tg_cancel(struct tg_client *c, struct tg_req *r)
{
	release(c, r);
}

void tg_run(struct tg_client *c, int wait_ms)
{
	int running = 0;
	curl_multi_perform(c->multi, &running);
	/* a transfer that ended in this perform (its answer was already in the
	 * socket) leaves nothing to wake the poll: waiting then held every
	 * finished send, and the reply behind it, for the whole wait (~200 ms,
	 * the loop's tick; it was the bench's p99 latency and reload gap) */
	if (wait_ms > 0 && (size_t)running == c->nactive) {
		curl_multi_poll(c->multi, c->extra, c->nextra, wait_ms, NULL);
		curl_multi_perform(c->multi, &running);
	}
}

void tg_watch_fd(struct tg_client *c, int fd)
{
	if (fd < 0 || c->nextra == TG_EXTRA_FDS)
		return;
	c->extra[c->nextra++] = (struct curl_waitfd){.fd = fd, .events = CURL_WAIT_POLLIN};
}

int tg_next_done(struct tg_client *c, void **user, struct tg_result *out)
{
	int left;
	CURLMsg *m;
	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct tg_req *r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (!r)
			continue;
		CURLcode rc = m->data.result;	/* m is invalid after the handle is removed */
		memset(out, 0, sizeof *out);
		decode(r->h, rc, r->errbuf, &r->resp, r->lite, out);
		*user = r->user;
		release(c, r);
		return 1;
	}
	return 0;
}

int64_t tg_result_message_id(const struct tg_result *r)
{
	if (r->result) {
		const cJSON *mid = cJSON_GetObjectItemCaseSensitive(r->result, "message_id");
		return cJSON_IsNumber(mid) ? (int64_t)mid->valuedouble : 0;
	}
	/* a lite answer: the message's own id is the first key of "result",
	 * the key after "ok" (Telegram's order; a nested message comes later) */
	const char *p;
	if (r->raw && starts_ok_true(r->raw, &p) && take(&p, "\"result\"") && take(&p, ":") &&
	    take(&p, "{") && take(&p, "\"message_id\"") && take(&p, ":")) {
		p = skip_blanks(p);
		if (*p >= '0' && *p <= '9')
			return strtoll(p, NULL, 10);
	}
	cJSON *j = r->raw ? cJSON_Parse(r->raw) : NULL;	/* another layout: read it whole */
	const cJSON *mid = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "result"), "message_id");
	int64_t id = cJSON_IsNumber(mid) ? (int64_t)mid->valuedouble : 0;
	cJSON_Delete(j);
	return id;
}
