/* telegram — see telegram.h. */
#include "telegram.h"
#include "log.h"
#include "util.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY (8 * 1024 * 1024)	/* a getUpdates answer of 100 updates is far less */

struct tg_client {
	CURL *curl;
	char *base;		/* {api_url}/bot{token}/ */
	char *ca_file;
	struct curl_slist *headers;
	volatile sig_atomic_t *stop;
	int (*interrupt)(void *);
	int long_poll;		/* the call in progress is a getUpdates */
	void *interrupt_user;
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
	return (c->stop && *c->stop) ||
	       (c->long_poll && c->interrupt && c->interrupt(c->interrupt_user));
}

void tg_set_interrupt(struct tg_client *c, int (*interrupt)(void *), void *user)
{
	c->interrupt = interrupt;
	c->interrupt_user = user;
}

/* Options that never change, set once: re-setting them for every request
 * (curl_easy_reset) cost more than the rest of a sendMessage. */
static void setup_once(struct tg_client *c)
{
	CURL *h = c->curl;
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
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
}

static void setup(struct tg_client *c, const char *url, const char *body, long timeout_s,
		  struct sbuf *resp, char *errbuf)
{
	CURL *h = c->curl;
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
	setup_once(c);
	return c;
}

void tg_close(struct tg_client *c)
{
	if (!c)
		return;
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

enum tg_status tg_call(struct tg_client *c, const char *method, const cJSON *params,
		       long timeout_s, struct tg_result *out)
{
	memset(out, 0, sizeof *out);
	char *url = xasprintf("%s%s", c->base, method);
	char *body = params ? cJSON_PrintUnformatted(params) : xstrdup("{}");
	struct sbuf resp = {0};
	char errbuf[CURL_ERROR_SIZE] = "";
	/* only a long poll is cut short by a reload request: other calls are
	 * short, and the check (a poll() on inotify) would cost a syscall for
	 * every step of every transfer */
	c->long_poll = !strcmp(method, "getUpdates");
	setup(c, url, body, timeout_s, &resp, errbuf);
	CURLcode rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);	/* errbuf goes out of scope */
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &out->http_code);
	free(url);
	free(body);
	if (rc != CURLE_OK) {
		/* TLS verification is never turned off; say plainly what to do */
		int tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE;
		char *text = xasprintf("%s%s",
				       tls ? "TLS certificate of api_url not trusted (for a "
					     "private CA set [telegram] ca_file): " : "",
				       *errbuf ? errbuf : curl_easy_strerror(rc));
		log_scrub_copy(out->description, sizeof out->description, text);
		free(text);
		sbuf_free(&resp);
		return out->status = TG_TRANSPORT_ERROR;
	}
	json_fix_lone_surrogates(resp.p, resp.len);	/* or cJSON drops the whole body */
	out->json = cJSON_ParseWithLength(sbuf_str(&resp), resp.len);
	out->raw_len = resp.len;
	out->raw = sbuf_take(&resp);
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
