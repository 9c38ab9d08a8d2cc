/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A bounds-checked cursor over a byte buffer. Every read either succeeds
 * completely or leaves the cursor where it was and returns FALSE; callers
 * turn a FALSE into a GError naming the field and the octet offset
 * (omacp_reader_offset()). `base` is added to offsets so that a reader over a
 * sub-range still reports positions in the caller's buffer. */

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

typedef struct {
	const guint8 *data;
	gsize len;
	gsize pos;
	gsize base;
} OmacpReader;

static inline void
omacp_reader_init(OmacpReader *r, const guint8 *data, gsize len, gsize base)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->base = base;
}

static inline gsize
omacp_reader_remaining(const OmacpReader *r)
{
	return r->len - r->pos;
}

static inline gsize
omacp_reader_offset(const OmacpReader *r)
{
	return r->base + r->pos;
}

static inline gboolean
omacp_reader_at_end(const OmacpReader *r)
{
	return r->pos >= r->len;
}

static inline gboolean
omacp_reader_peek_u8(const OmacpReader *r, guint8 *out)
{
	if (r->pos >= r->len)
		return FALSE;
	*out = r->data[r->pos];
	return TRUE;
}

static inline gboolean
omacp_reader_u8(OmacpReader *r, guint8 *out)
{
	if (r->pos >= r->len)
		return FALSE;
	*out = r->data[r->pos++];
	return TRUE;
}

static inline gboolean
omacp_reader_be16(OmacpReader *r, guint16 *out)
{
	if (omacp_reader_remaining(r) < 2)
		return FALSE;
	*out = (guint16) ((r->data[r->pos] << 8) | r->data[r->pos + 1]);
	r->pos += 2;
	return TRUE;
}

/* Returns a pointer into the buffer; no copy. */
static inline gboolean
omacp_reader_bytes(OmacpReader *r, gsize n, const guint8 **out)
{
	if (omacp_reader_remaining(r) < n)
		return FALSE;
	*out = r->data + r->pos;
	r->pos += n;
	return TRUE;
}

static inline gboolean
omacp_reader_skip(OmacpReader *r, gsize n)
{
	if (omacp_reader_remaining(r) < n)
		return FALSE;
	r->pos += n;
	return TRUE;
}

/* WAP uintvar / WBXML mb_u_int32: big-endian base 128, at most 5 octets,
 * value must fit 32 bits. On failure *overflow tells a too-long or too-large
 * value from a truncated one. */
static inline gboolean
omacp_reader_uintvar(OmacpReader *r, guint32 *out, gboolean *overflow)
{
	guint64 v = 0;
	gsize p = r->pos;

	*overflow = FALSE;
	for (guint i = 0; i < 5; i++) {
		guint8 b;

		if (p >= r->len)
			return FALSE;
		b = r->data[p++];
		v = (v << 7) | (b & 0x7f);
		if (!(b & 0x80)) {
			if (v > G_MAXUINT32) {
				*overflow = TRUE;
				return FALSE;
			}
			*out = (guint32) v;
			r->pos = p;
			return TRUE;
		}
	}
	*overflow = TRUE;
	return FALSE;
}

/* A NUL-terminated string starting at the cursor; *out points into the
 * buffer, *out_len excludes the NUL, the cursor moves past the NUL. */
static inline gboolean
omacp_reader_cstring(OmacpReader *r, const char **out, gsize *out_len)
{
	const guint8 *start = r->data + r->pos;
	const guint8 *nul = memchr(start, 0, omacp_reader_remaining(r));

	if (nul == NULL)
		return FALSE;
	*out = (const char *) start;
	*out_len = (gsize) (nul - start);
	r->pos += *out_len + 1;
	return TRUE;
}

G_END_DECLS
