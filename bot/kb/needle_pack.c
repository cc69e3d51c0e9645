/* needle_pack — see needle_pack.h: a needle set into one block and back. */
#include "needle_pack.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* needles_pack's format: usable, then n needles, then nform words of the
 * form, then nleaf leaves; a count is 4 bytes, a string its length (at
 * most MAX_NEEDLE_LEN) in one byte and its bytes. One block a set: the
 * strings allocated one by one took five times the room (5 MB a kb). */
static void put_u32(struct sbuf *b, uint32_t v)
{
	sbuf_add(b, (const char *)&v, sizeof v);
}

static uint32_t get_u32(const unsigned char **p)
{
	uint32_t v;
	memcpy(&v, *p, sizeof v);
	*p += sizeof v;
	return v;
}

static void put_strings(struct sbuf *b, const struct needle *v, size_t n)
{
	put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		sbuf_addc(b, (char)v[i].len);
		sbuf_add(b, v[i].s, v[i].len);
	}
}

static struct needle *get_strings(const unsigned char **p, size_t *n)
{
	*n = get_u32(p);
	struct needle *v = *n ? xcalloc(*n, sizeof *v) : NULL;
	for (size_t i = 0; i < *n; i++) {
		size_t len = *(*p)++;
		v[i] = (struct needle){xstrndup((const char *)*p, len), len};
		*p += len;
	}
	return v;
}

char *needles_pack(const struct needles *src)
{
	struct sbuf b = {0};
	sbuf_addc(&b, (char)(src->usable != 0));
	put_strings(&b, src->v, src->n);
	put_u32(&b, (uint32_t)src->nform);
	if (src->nform)
		sbuf_add(&b, (const char *)src->form, src->nform * sizeof *src->form);
	put_strings(&b, src->leaf, src->nleaf);
	size_t len = b.len;
	return xrealloc(sbuf_take(&b), len);	/* kept for the kb's life: no slack */
}

void needles_unpack(const char *packed, struct needles *dst)
{
	const unsigned char *p = (const unsigned char *)packed;
	*dst = (struct needles){.usable = *p++};
	dst->v = get_strings(&p, &dst->n);
	dst->nform = get_u32(&p);
	if (dst->nform) {
		dst->form = xcalloc(dst->nform + 1, sizeof *dst->form);
		memcpy(dst->form, p, dst->nform * sizeof *dst->form);
		p += dst->nform * sizeof *dst->form;
	}
	dst->leaf = get_strings(&p, &dst->nleaf);
}
