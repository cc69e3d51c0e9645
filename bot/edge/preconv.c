/* preconv — see preconv.h. */
#define _GNU_SOURCE
#include "preconv.h"
#include "convcache.h"
#include "html.h"
#include "lang.h"
#include "log.h"
#include "normalize.h"
#include "render.h"
#include "wake.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The helper's exit codes besides 0. */
enum { CHILD_NO_OPENCC = 2, CHILD_MISMATCH = 3, CHILD_WRITE = 4, CHILD_BAD_INPUT = 5 };
/* a helper takes 1-5 s (20 s under ASan on a loaded machine); far past that it hangs */
#define CHILD_DEADLINE_MS 120000.0

/* The language table's own string for a config name, or NULL. */
static const char *config_of(const char *name)
{
	for (size_t l = 0; l < nlangs; l++)
		if (langs[l].opencc && !strcmp(langs[l].opencc, name))
			return langs[l].opencc;
	return NULL;
}

/* ---- in the bot: which texts bring a piece not known yet ------------- */

/* (config, piece) hashes met in one walk: a text is sent only when it
 * brings a piece no earlier text brought (the helper checks each text it
 * gets whole; converting every rendering whole took 5 s). A collision only
 * leaves a piece unconverted: its replies then take the fallback. */
struct seen {
	uint64_t *h;		/* 0: an empty slot */
	size_t cap, n;		/* cap: a power of two */
};

static uint64_t seen_hash(const char *config, const char *p, size_t len)
{
	return fnv1a(p, len, fnv1a(config, strlen(config) + 1, 14695981039346656037ULL)) | 1;
}

/* h's slot, or the empty one where it would go */
static size_t seen_slot(const struct seen *s, uint64_t h)
{
	size_t j = h & (s->cap - 1);
	while (s->h[j] && s->h[j] != h)
		j = (j + 1) & (s->cap - 1);
	return j;
}

static int seen_has(const struct seen *s, uint64_t h)
{
	return s->cap && s->h[seen_slot(s, h)] == h;
}

/* 1 when h was not there yet */
static int seen_add(struct seen *s, uint64_t h)
{
	if (seen_has(s, h))
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		struct seen g = {.cap = s->cap ? 2 * s->cap : 1024};
		g.h = xcalloc(g.cap, sizeof *g.h);
		for (size_t i = 0; i < s->cap; i++)
			if (s->h[i]) {
				g.h[seen_slot(&g, s->h[i])] = s->h[i];
				g.n++;
			}
		free(s->h);
		*s = g;
	}
	s->h[seen_slot(s, h)] = h;
	s->n++;
	return 1;
}

struct walk {
	const char *config;
	struct seen seen;
	struct sbuf req;	/* records: config NUL text NUL */
	unsigned long texts;
	int fresh;		/* the current text brought a new piece */
};

static void walk_piece(const char *p, size_t len, void *arg)
{
	struct walk *w = arg;
	if (!convcache_piece_known(w->config, p, len) && seen_add(&w->seen, seen_hash(w->config, p, len)))
		w->fresh = 1;
}

static void text(struct walk *w, const char *t)
{
	if (!t)
		return;
	w->fresh = 0;
	convcache_pieces_each(t, walk_piece, w);
	if (!w->fresh)
		return;
	sbuf_add(&w->req, w->config, strlen(w->config) + 1);
	sbuf_add(&w->req, t, strlen(t) + 1);
	w->texts++;
}

static void owned(struct walk *w, char *t)
{
	text(w, t);
	free(t);
}

/* Every text a reply can be made of: the answers rendered for each carrier
 * (those of a carrier's own section for it) with the footer (its pieces
 * hold those of the text without: the footer follows a blank line), as
 * written and as plain text (toasts); every fact value (button labels,
 * names, list items). */
static void walk_all(struct walk *w, const struct kb *kb, const char *answers)
{
	const char *vars[] = {"user", "", NULL};
	for (size_t i = 0; i < kb->nanswers; i++) {
		const struct answer *a = &kb->answers[i];
		if (strcmp(a->lang, answers))
			continue;
		text(w, a->text);
		owned(w, html_to_plain(a->text));
		for (size_t r = 0; r <= kb->nrules; r++) {
			const char *carrier = r == kb->nrules ? NULL : kb->rules[r].id;
			if (carrier && kb->rules[r].kind != RULE_CARRIER)
				continue;
			if (a->carrier && (!carrier || strcmp(a->carrier, carrier)))
				continue;
			struct sbuf err = {0};
			char *html = render_answer_vars(kb, a, carrier, vars, 1, &err);
			sbuf_free(&err);
			text(w, html);
			if (html)
				owned(w, html_to_plain(html));
			free(html);
		}
	}
	for (size_t f = 0; f < kb->nfacts; f++)
		for (size_t k = 0; k < kb->facts[f].n; k++)
			text(w, kb->facts[f].v[k].value);
}

static void walk_langs(struct walk *w, const struct kb *kb)
{
	for (size_t l = 0; l < nlangs; l++) {
		if (!langs[l].opencc)
			continue;
		w->config = langs[l].opencc;
		walk_all(w, kb, langs[l].answers);
	}
}

/* ---- the helper: `cancelbot preconv-helper`, a process of its own ----- */

struct helper {
	int fd;
	int status;		/* 0 or an exit code above */
	int fresh;		/* pieces the current text added */
	const char *config;
	struct sbuf out;	/* records not written yet */
};

static void flush_out(struct helper *c)
{
	const char *p = c->out.p;
	size_t left = c->out.len;
	while (left && !c->status) {
		ssize_t n = write(c->fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			c->status = CHILD_WRITE;
		else
			p += n, left -= (size_t)n;
	}
	c->out.len = 0;
}

/* One record out: config NUL piece NUL conversion NUL. */
static void helper_piece(const char *p, size_t len, void *arg)
{
	struct helper *c = arg;
	if (c->status || convcache_piece_known(c->config, p, len))
		return;
	char *key = xstrndup(p, len);
	char *conv = script_convert_opencc(c->config, key);
	if (!conv) {
		c->status = CHILD_NO_OPENCC;
	} else {
		convcache_piece_put(c->config, key, len, conv);
		c->fresh++;
		sbuf_add(&c->out, c->config, strlen(c->config) + 1);
		sbuf_add(&c->out, key, len + 1);
		sbuf_add(&c->out, conv, strlen(conv) + 1);
		if (c->out.len > 32768)
			flush_out(c);
	}
	free(conv);
	free(key);
}

/* t's pieces, and the check that they give OpenCC's conversion of the
 * whole of t (made on each text that brought a piece new to the helper:
 * every piece is seen converted in a whole text once). */
static void helper_text(struct helper *c, const char *t)
{
	c->fresh = 0;
	convcache_pieces_each(t, helper_piece, c);
	if (!c->fresh || c->status)
		return;
	char *whole = script_convert_opencc(c->config, t);
	char *parts = whole ? convcache_from_pieces(c->config, t) : NULL;
	if (!whole || !parts || strcmp(whole, parts))
		c->status = whole ? CHILD_MISMATCH : CHILD_NO_OPENCC;
	free(whole);
	free(parts);
}

int preconv_helper(int in, int out)
{
	/* a stop of the service stops it too, and it never outlives the bot */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return CHILD_WRITE;
	struct sbuf req = {0};
	char chunk[65536];
	for (;;) {
		ssize_t n = read(in, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return CHILD_BAD_INPUT;
		if (n == 0)
			break;
		sbuf_add(&req, chunk, (size_t)n);
	}
	struct helper c = {.fd = out};
	const char *p = req.p ? req.p : "", *end = p + req.len;
	while (p < end && !c.status) {
		const char *nul1 = memchr(p, '\0', (size_t)(end - p));
		const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1)) : NULL;
		if (!nul2 || !(c.config = config_of(p))) {
			c.status = CHILD_BAD_INPUT;
			break;
		}
		helper_text(&c, nul1 + 1);
		p = nul2 + 1;
	}
	flush_out(&c);
	sbuf_free(&c.out);
	sbuf_free(&req);
	return c.status;
}

/* ---- in the bot: the helper started, fed, read, waited for ----------- */

/* Adds the records of buf, each of a piece the walk asked for; the number
 * added, or -1 (nothing added) when one is cut or not asked for. */
static long install(const struct seen *asked, const char *buf, size_t len)
{
	for (int pass = 0; pass < 2; pass++) {
		const char *p = buf, *end = buf + len;
		long n = 0;
		while (p < end) {
			const char *f[3];
			for (int i = 0; i < 3; i++) {
				const char *nul = memchr(p, '\0', (size_t)(end - p));
				if (!nul)
					return -1;
				f[i] = p;
				p = nul + 1;
			}
			const char *config = config_of(f[0]);
			size_t klen = strlen(f[1]);
			if (!config || !seen_has(asked, seen_hash(config, f[1], klen)))
				return -1;
			if (pass)
				convcache_piece_put(config, f[1], klen, f[2]);
			n++;
		}
		if (pass)
			return n;
	}
	return -1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The helper's program and deadline: the bot's own binary and 120 s, or
 * what the environment says (tests: a helper that hangs, dies or writes
 * garbage). */
static const char *helper_exe(void)
{
	const char *e = getenv("CANCELBOT_PRECONV_HELPER");
	return e && *e ? e : "/proc/self/exe";
}

static double deadline_ms(void)
{
	const char *e = getenv("CANCELBOT_PRECONV_TIMEOUT");
	double s = e ? atof(e) : 0;
	return s > 0 ? s * 1e3 : CHILD_DEADLINE_MS;
}

static unsigned long children;

unsigned long preconv_children(void)
{
	return children;
}

/* Starts the helper on one end of a socket pair (its stdin and stdout):
 * posix_spawn (vfork and exec) copies nothing of the bot's heap or locks,
 * whichever thread holds them. The pid, or -1. */
static pid_t spawn_helper(int fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawnattr_init(&at);
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGHUP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {(char *)"cancelbot", (char *)"preconv-helper", NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, helper_exe(), &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* Sends req, reads what comes back into out until the helper closes its
 * end; 0, -1 when the deadline passed first, -2 when *stop was set (a
 * SIGTERM during a start: systemd's stop must not wait for the helper,
 * which may take a minute on a loaded machine). With stop, the wake pipe's
 * read end (wake.h; signal handlers write to it) ends the wait at once. */
static int exchange(int fd, const struct sbuf *req, struct sbuf *out, double deadline,
		    volatile sig_atomic_t *stop)
{
	int wfd = stop ? wake_fd() : -1;
	size_t sent = 0;
	if (!req->len)
		shutdown(fd, SHUT_WR);
	char chunk[16384];
	for (;;) {
		if (stop && *stop)
			return -2;
		double left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd fds[2] = {
			{.fd = fd, .events = POLLIN | (sent < req->len ? POLLOUT : 0)},
			{.fd = wfd, .events = POLLIN}};
		int ready = poll(fds, wfd >= 0 ? 2 : 1, (int)left + 1);
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready > 0 && wfd >= 0 && fds[1].revents)
			wake_drain();	/* the flags stay set for the run loop */
		struct pollfd pfd = fds[0];
		if (ready <= 0 || !pfd.revents)
			continue;
		if (sent < req->len && (pfd.revents & (POLLOUT | POLLERR))) {
			ssize_t n = send(fd, req->p + sent, req->len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				sent = req->len;	/* the helper is gone: read what it said */
			else if (n > 0)
				sent += (size_t)n;
			if (sent == req->len)
				shutdown(fd, SHUT_WR);
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return 0;
			sbuf_add(out, chunk, (size_t)n);
		}
	}
}

int preconv_kb(const struct kb *kb, volatile sig_atomic_t *stop)
{
	/* for valgrind, under which the helper's conversions take minutes: the
	 * replies are then converted in the bot, as when the helper fails */
	const char *off = getenv("CANCELBOT_NO_PRECONV");
	if (off && *off == '1')
		return -1;
	double t0 = now_ms();
	/* A reload mostly brings texts whose pieces are known already (pieces
	 * do not depend on the knowledge base): then no helper. Measured in a
	 * burst of 3000 questions, a reload that forked one stalled replies
	 * 690-790 ms against 120-230 ms without (the machine loaded). */
	struct walk w = {0};
	walk_langs(&w, kb);
	if (!w.texts) {
		free(w.seen.h);
		unsigned long bytes, n = convcache_pieces_count(&bytes);
		log_info("preconverted", KV("added", 0L), KV("pieces", n), KV("bytes", bytes),
			 KV("ms", (long)(now_ms() - t0)), KV("child", "none: every piece known"));
		return 0;
	}
	children++;
	int sv[2] = {-1, -1};
	pid_t pid = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0)
		pid = spawn_helper(sv[1]);
	int err = errno;
	if (sv[1] >= 0)
		close(sv[1]);
	if (pid < 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		sbuf_free(&w.req);
		free(w.seen.h);
		log_warn("preconv_failed", KV("msg", "the helper could not be started: replies are "
					     "converted by OpenCC in the bot"), KV("errno", err));
		return -1;
	}
	struct sbuf buf = {0};
	/* a helper that never answers must not hold up a start or a reload for
	 * ever: past the deadline it is killed and OpenCC converts in the bot,
	 * as on any failure */
	int ex = exchange(sv[0], &w.req, &buf, now_ms() + deadline_ms(), stop);
	if (ex < 0) {
		kill(pid, SIGKILL);
		if (ex == -2)
			log_info("preconv_stopped", KV("msg", "stopping: the helper was killed"));
		else
			log_warn("preconv_failed", KV("msg", "the helper did not finish in time; killed"),
				 KV("ms", (long)deadline_ms()));
	}
	close(sv[0]);
	sbuf_free(&w.req);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	long added = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		added = install(&w.seen, buf.p ? buf.p : "", buf.len);
	sbuf_free(&buf);
	free(w.seen.h);
	if (added < 0) {
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
		log_warn("preconv_failed", KV("child_status", code),
			 KV("msg", code == CHILD_MISMATCH ? "a text's pieces do not convert like the "
			    "whole text: replies are converted by OpenCC in the bot" :
			    code == 0 ? "the helper's output is not what was asked: replies are "
			    "converted by OpenCC in the bot" :
			    "replies are converted by OpenCC in the bot"));
		return -1;
	}
	unsigned long bytes;
	unsigned long total = convcache_pieces_count(&bytes);
	log_info("preconverted", KV("added", added), KV("pieces", total), KV("bytes", bytes),
		 KV("texts", w.texts), KV("ms", (long)(now_ms() - t0)));
	return 0;
}
