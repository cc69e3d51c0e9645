/* deliver — see deliver.h. */
#include "deliver.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct flight {
	struct outbox_item *it;	/* NULL: the slot is free */
	struct send_job job;
	struct tg_req *req;
	double started;
};

struct deliver {
	struct tg_client *tg;
	struct outbox *ob;
	long timeout;
	deliver_sent_fn sent;
	deliver_refused_fn refused;
	void *user;
	struct flight f[DELIVER_FLIGHTS];
	size_t n;
};

struct deliver *deliver_new(struct tg_client *tg, struct outbox *ob, long send_timeout,
			    deliver_sent_fn sent, deliver_refused_fn refused, void *user)
{
	struct deliver *d = xcalloc(1, sizeof *d);
	d->tg = tg;
	d->ob = ob;
	d->timeout = send_timeout;
	d->sent = sent;
	d->refused = refused;
	d->user = user;
	return d;
}

void deliver_free(struct deliver *d)
{
	free(d);
}

static void launch(struct deliver *d, struct flight *f)
{
	f->req = tg_start(d->tg, send_method(&f->job), send_body(&f->job), d->timeout, 1, f);
}

double deliver_start(struct deliver *d, double now)
{
	double wait = -1;
	while (d->n < DELIVER_FLIGHTS) {
		/* a second send only beside sends that seem stuck: see deliver.h */
		double youngest = -1;
		for (size_t i = 0; i < DELIVER_FLIGHTS; i++)
			if (d->f[i].it && (youngest < 0 || d->f[i].started > youngest))
				youngest = d->f[i].started;
		if (youngest >= 0 && now - youngest < DELIVER_SLOW) {
			if (outbox_len(d->ob) > d->n)
				wait = youngest + DELIVER_SLOW - now;
			break;
		}
		struct outbox_item *it = outbox_ready(d->ob, now, &wait);
		if (!it)
			break;
		struct flight *f = d->f;
		while (f->it)
			f++;
		f->it = it;
		f->started = now;
		send_job_init(&f->job, &it->r);
		/* the time the bot itself added: update in, reply about to go out */
		log_debug("sending", KV("update", it->update_id),
			  KV("added_latency_us", (now - it->received) * 1e6));
		launch(d, f);
		d->n++;
		wait = 0;
	}
	return wait;
}

int deliver_owns(const struct deliver *d, const void *user)
{
	return (const char *)user >= (const char *)d->f &&
	       (const char *)user < (const char *)(d->f + DELIVER_FLIGHTS);
}

void deliver_done(struct deliver *d, void *user, const struct tg_result *res, double now)
{
	struct flight *f = user;
	if (send_judge(&f->job, res->status, res)) {
		launch(d, f);	/* as plain text, to the new chat, as a new message */
		return;
	}
	struct outbox_item *it = f->it;
	f->it = NULL;
	f->req = NULL;
	d->n--;
	if (f->job.out.status == SEND_OK && d->sent)
		d->sent(d->user, it, &f->job.out, now);
	if (f->job.out.status == SEND_DROPPED && d->refused && d->refused(d->user, it, now))
		return;	/* moved elsewhere, still queued */
	/* the outbox decides what follows: gone, paused or retried later */
	outbox_result(d->ob, it, f->job.out.status, f->job.out.retry_after, now);
}

size_t deliver_in_flight(const struct deliver *d)
{
	return d->n;
}

void deliver_abort(struct deliver *d, double now)
{
	for (size_t i = 0; i < DELIVER_FLIGHTS; i++) {
		struct flight *f = &d->f[i];
		if (!f->it)
			continue;
		tg_cancel(d->tg, f->req);
		log_warn("send_abandoned", KV("chat", f->it->r.chat_id), KV("update", f->it->update_id),
			 KV("seconds", now - f->started), KV("msg", "kept queued; sent after the restart"));
		outbox_retry(d->ob, f->it, now);
		f->it = NULL;
		d->n--;
	}
}
