/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vardict.h"

#include <string.h>

/* GVariant's framing: a container of @size octets stores its offsets
 * (little-endian, always) in the smallest of 1, 2, 4, 8 octets that
 * holds @size. */
static guint
offset_size_for(gsize size)
{
	if (size <= G_MAXUINT8)
		return 1;
	if (size <= G_MAXUINT16)
		return 2;
	if ((guint64) size <= G_MAXUINT32)
		return 4;
	return 8;
}

static gsize
read_offset(const guint8 *p, guint size)
{
	guint64 v = 0;

	for (guint i = 0; i < size; i++)
		v |= (guint64) p[i] << (8 * i);
	return v > G_MAXSIZE ? G_MAXSIZE : (gsize) v;
}

/* An array of variable-size elements in @data: where its offsets start,
 * and how many there are; FALSE when its framing is broken. */
static gboolean
array_frame(const guint8 *data, gsize size, gsize *offsets, guint *osz, gsize *n)
{
	gsize last_end;

	*n = 0;
	if (size == 0)
		return TRUE;
	*osz = offset_size_for(size);
	if (size < *osz)
		return FALSE;
	last_end = read_offset(data + size - *osz, *osz);
	if (last_end > size - *osz || (size - last_end) % *osz != 0)
		return FALSE;
	*offsets = last_end;
	*n = (size - last_end) / *osz;
	return TRUE;
}

void
omacp_vardict_iter_init(OmacpVardictIter *iter, const void *data, gsize size)
{
	memset(iter, 0, sizeof(*iter));
	iter->data = data;
	iter->size = size;
	if (data == NULL || !array_frame(data, size, &iter->offsets, &iter->offset_size, &iter->n))
		iter->n = 0;
}

gboolean
omacp_vardict_iter_next(OmacpVardictIter *iter, const char **key, const char **type,
                        gsize *type_len, const guint8 **value, gsize *value_size)
{
	while (iter->i < iter->n) {
		/* entries ({sv}: 8-aligned) follow each other */
		gsize start = (iter->end + 7) & ~(gsize) 7;
		gsize end = read_offset(iter->data + iter->offsets + iter->i * iter->offset_size,
		                        iter->offset_size);
		const guint8 *e;
		gsize size;
		guint osz;
		gsize key_end;
		gsize v_start;
		gsize v_end;
		const guint8 *sep;

		iter->i++;
		if (end < iter->end || end > iter->offsets)
			continue; /* broken: skipped, the next one starts after the last good */
		iter->end = end;
		if (start > end)
			continue;
		e = iter->data + start;
		size = end - start;
		/* {sv}: the key, its end as the entry's last offset, the
		 * variant 8-aligned after the key */
		osz = offset_size_for(size);
		if (size < osz)
			continue;
		key_end = read_offset(e + size - osz, osz);
		if (key_end == 0 || key_end > size - osz || e[key_end - 1] != '\0' ||
		    memchr(e, '\0', key_end - 1) != NULL)
			continue;
		v_start = (key_end + 7) & ~(gsize) 7;
		v_end = size - osz;
		if (v_start > v_end)
			continue;
		/* v: the value, a NUL, the type string (which holds none) */
		sep = NULL;
		for (gsize k = v_end; k > v_start && sep == NULL; k--) {
			if (e[k - 1] == '\0')
				sep = e + k - 1;
		}
		if (sep == NULL || sep + 1 == e + v_end)
			continue;
		*key = (const char *) e;
		*type = (const char *) sep + 1;
		*type_len = (gsize) (e + v_end - (sep + 1));
		*value = e + v_start;
		*value_size = (gsize) (sep - (e + v_start));
		return TRUE;
	}
	return FALSE;
}

gboolean
omacp_vardict_type_is(const char *type, gsize type_len, const char *expected)
{
	return strlen(expected) == type_len && memcmp(type, expected, type_len) == 0;
}

const char *
omacp_vardict_string(const guint8 *data, gsize size)
{
	if (size == 0 || data[size - 1] != '\0' || memchr(data, '\0', size - 1) != NULL ||
	    !g_utf8_validate((const char *) data, (gssize) size - 1, NULL))
		return NULL;
	return (const char *) data;
}

gboolean
omacp_vardict_uint32(const guint8 *data, gsize size, guint32 *out)
{
	if (size != sizeof(guint32))
		return FALSE;
	memcpy(out, data, sizeof(guint32));
	return TRUE;
}

gboolean
omacp_vardict_uint64(const guint8 *data, gsize size, guint64 *out)
{
	if (size != sizeof(guint64))
		return FALSE;
	memcpy(out, data, sizeof(guint64));
	return TRUE;
}

gboolean
omacp_vardict_boolean(const guint8 *data, gsize size, gboolean *out)
{
	if (size != 1 || data[0] > 1)
		return FALSE;
	*out = data[0] == 1;
	return TRUE;
}

char **
omacp_vardict_strv(const guint8 *data, gsize size)
{
	gsize offsets = 0;
	guint osz = 0;
	gsize n = 0;
	gsize prev = 0;
	GPtrArray *out;

	if (!array_frame(data, size, &offsets, &osz, &n))
		n = 0;
	out = g_ptr_array_new_full((guint) MIN(n, 1024) + 1, NULL);
	for (gsize i = 0; i < n; i++) {
		gsize end = read_offset(data + offsets + i * osz, osz);
		const char *s;

		if (end < prev || end > offsets)
			continue;
		/* strings are not aligned: each starts where the last ended */
		s = omacp_vardict_string(data + prev, end - prev);
		prev = end;
		if (s != NULL)
			g_ptr_array_add(out, g_strdup(s));
	}
	g_ptr_array_add(out, NULL);
	return (char **) g_ptr_array_free(out, FALSE);
}
