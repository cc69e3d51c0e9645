/* preconv — see preconv.h. */
#define _GNU_SOURCE
#include "preconv.h"
#include "convcache.h"
#include "html.h"
#include "lang.h"
#include "log.h"
#include "normalize.h"
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The child's exit codes besides 0. */
enum { CHILD_NO_OPENCC = 2, CHILD_MISMATCH = 3, CHILD_WRITE = 4, UNKNOWN_PIECE = 5 };
/* a child takes 1-5 s (20 s under ASan on a loaded machine); far past that it hangs */
#define CHILD_DEADLINE_MS 120000.0

struct child {
	const char *config;
	int fd;
	int status;		/* 0 or an exit code above */
	int fresh;		/* pieces the current text added */
	int dry;		/* in the bot: only look for a piece not known yet */
	struct sbuf out;	/* records not written yet */
};

static void flush_out(struct child *c)
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

/* One record: config NUL piece NUL conversion NUL. */
static void piece(const char *p, size_t len, void *arg)
{
	struct child *c = arg;
	if (c->status || convcache_piece_known(c->config, p, len))
		return;
	if (c->dry) {
		c->status = UNKNOWN_PIECE;
		return;
	}
	char *key = xmalloc(len + 1);
	memcpy(key, p, len);
	key[len] = '\0';
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

/* text's pieces, and the check that they give OpenCC's conversion of the
 * whole text, made on each text that brought a new piece: every piece is
 * seen converted in a whole text once (the check is of the property, not
 * of each text: converting every rendering whole took 5 s). */
static void text(struct child *c, const char *t)
{
	if (!t || c->status)
		return;
	c->fresh = 0;
	convcache_pieces_each(t, piece, c);
	if (!c->fresh)
		return;
	char *whole = c->status ? NULL : script_convert_opencc(c->config, t);
	char *parts = whole ? convcache_from_pieces(c->config, t) : NULL;
	if (!c->status && (!whole || !parts || strcmp(whole, parts)))
		c->status = whole ? CHILD_MISMATCH : CHILD_NO_OPENCC;
	free(whole);
	free(parts);
}

static void owned(struct child *c, char *t)
{
	text(c, t);
	free(t);
}

/* Every text a reply can be made of: the answers rendered for each carrier
 * (those of a carrier's own section for it) with the footer (its pieces
 * hold those of the text without: the footer follows a blank line), as
 * written and as plain text (toasts); every fact value (button labels,
 * names, list items). */
static void convert_all(struct child *c, const struct kb *kb, const char *answers)
{
	const char *vars[] = {"user", "", NULL};
	for (size_t i = 0; i < kb->nanswers && !c->status; i++) {
		const struct answer *a = &kb->answers[i];
		if (strcmp(a->lang, answers))
			continue;
		text(c, a->text);
		owned(c, html_to_plain(a->text));
		for (size_t r = 0; r <= kb->nrules; r++) {
			const char *carrier = r == kb->nrules ? NULL : kb->rules[r].id;
			if (carrier && kb->rules[r].kind != RULE_CARRIER)
				continue;
			if (a->carrier && (!carrier || strcmp(a->carrier, carrier)))
				continue;
			struct sbuf err = {0};
			char *html = render_answer_vars(kb, a, carrier, vars, 1, &err);
			sbuf_free(&err);
			text(c, html);
			if (html)
				owned(c, html_to_plain(html));
			free(html);
		}
	}
	for (size_t f = 0; f < kb->nfacts && !c->status; f++)
		for (size_t k = 0; k < kb->facts[f].n; k++)
			text(c, kb->facts[f].v[k].value);
}

/* Every text of kb in the tables' terms; c->status ends UNKNOWN_PIECE (dry)
 * or an exit code when something stopped it. */
static void convert_langs(struct child *c, const struct kb *kb)
{
	for (size_t l = 0; l < nlangs && !c->status; l++) {
		if (!langs[l].opencc)
			continue;
		c->config = langs[l].opencc;
		convert_all(c, kb, langs[l].answers);
	}
}

static int child_main(const struct kb *kb, int fd)
{
	/* a stop of the service stops it too, and it never outlives the bot */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	struct child c = {.fd = fd};
	convert_langs(&c, kb);
	flush_out(&c);
	sbuf_free(&c.out);
	return c.status;
}

/* The language table's own string for a config read back from the child. */
static const char *config_of(const char *name)
{
	for (size_t l = 0; l < nlangs; l++)
		if (langs[l].opencc && !strcmp(langs[l].opencc, name))
			return langs[l].opencc;
	return NULL;
}

/* Adds the records of buf; the number added, or -1 when one is cut. */
static long install(const char *p, size_t len)
{
	const char *end = p + len;
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
		if (!config)
			return -1;
		convcache_piece_put(config, f[1], strlen(f[1]), f[2]);
		n++;
	}
	return n;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long forks;

unsigned long preconv_children(void)
{
	return forks;
}

int preconv_kb(const struct kb *kb)
{
	/* for valgrind, under which the child's conversions take minutes: the
	 * replies are then converted in the bot, as when the child fails */
	const char *off = getenv("CANCELBOT_NO_PRECONV");
	if (off && *off == '1')
		return -1;
	double t0 = now_ms();
	/* A reload mostly brings texts whose pieces are known already (pieces
	 * do not depend on the knowledge base): then no child. Measured in a
	 * burst of 3000 questions, a reload that forked one stalled replies
	 * 690-790 ms against 120-230 ms without (the machine loaded). */
	struct child dry = {.dry = 1, .fd = -1};
	convert_langs(&dry, kb);
	if (!dry.status) {
		unsigned long bytes, n = convcache_pieces_count(&bytes);
		log_info("preconverted", KV("added", 0L), KV("pieces", n), KV("bytes", bytes),
			 KV("ms", (long)(now_ms() - t0)), KV("child", "none: every piece known"));
		return 0;
	}
	int fds[2];
	forks++;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_warn("preconv_failed", KV("msg", "pipe"), KV("errno", errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(child_main(kb, fds[1]));
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		log_warn("preconv_failed", KV("msg", "fork"), KV("errno", errno));
		return -1;
	}
	struct sbuf buf = {0};
	char chunk[16384];
	/* a child that never answers (a lock some other thread held at fork)
	 * must not hold up a start or a reload for ever: past the deadline it
	 * is killed and OpenCC converts in the bot, as on any failure */
	double deadline = now_ms() + CHILD_DEADLINE_MS;
	for (;;) {
		double left = deadline - now_ms();
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int ready = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0) {
			kill(pid, SIGKILL);
			log_warn("preconv_failed", KV("msg", "the child did not finish in time; killed"),
				 KV("ms", (long)CHILD_DEADLINE_MS));
			break;
		}
		ssize_t n = read(fds[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_add(&buf, chunk, (size_t)n);
	}
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	long added = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		added = install(buf.p ? buf.p : "", buf.len);
	sbuf_free(&buf);
	if (added < 0) {
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
		log_warn("preconv_failed", KV("child_status", code),
			 KV("msg", code == CHILD_MISMATCH ? "a text's pieces do not convert like the "
			    "whole text: replies are converted by OpenCC in the bot" :
			    "replies are converted by OpenCC in the bot"));
		return -1;
	}
	unsigned long bytes;
	unsigned long total = convcache_pieces_count(&bytes);
	log_info("preconverted", KV("added", added), KV("pieces", total), KV("bytes", bytes),
		 KV("ms", (long)(now_ms() - t0)));
	return 0;
}
