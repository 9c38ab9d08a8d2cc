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
omacp_vardict_iter_next(OmacpVardictIter *iter, OmacpVardictEntry *entry)
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
		entry->key = (const char *) e;
		entry->type = (const char *) sep + 1;
		entry->type_len = (gsize) (e + v_end - (sep + 1));
		entry->value = e + v_start;
		entry->size = (gsize) (sep - (e + v_start));
		return TRUE;
	}
	return FALSE;
}

gboolean
omacp_vardict_entry_is(const OmacpVardictEntry *entry, const char *type)
{
	return strlen(type) == entry->type_len && memcmp(entry->type, type, entry->type_len) == 0;
}

const char *
omacp_vardict_string(const guint8 *data, gsize size)
{
	if (size == 0 || data[size - 1] != '\0' || memchr(data, '\0', size - 1) != NULL ||
	    !g_utf8_validate((const char *) data, (gssize) size - 1, NULL))
		return NULL;
	return (const char *) data;
}

/* A fixed-size value of @n octets: FALSE when @size is not @n. */
static gboolean
read_fixed(const guint8 *data, gsize size, void *out, gsize n)
{
	if (size != n)
		return FALSE;
	memcpy(out, data, n);
	return TRUE;
}

gboolean
omacp_vardict_uint32(const guint8 *data, gsize size, guint32 *out)
{
	return read_fixed(data, size, out, sizeof(guint32));
}

gboolean
omacp_vardict_uint64(const guint8 *data, gsize size, guint64 *out)
{
	return read_fixed(data, size, out, sizeof(guint64));
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

/* ---- writing ---- */

/* The size of a container with @body octets and @n framing offsets. */
static gsize
framed_size(gsize body, gsize n)
{
	if (body + n <= G_MAXUINT8)
		return body + n;
	if (body + 2 * n <= G_MAXUINT16)
		return body + 2 * n;
	if ((guint64) body + 4 * n <= G_MAXUINT32)
		return body + 4 * n;
	return body + 8 * n;
}

static void
append_offset(GByteArray *out, gsize value, guint size)
{
	guint8 le[8];

	for (guint i = 0; i < size; i++)
		le[i] = (guint8) ((guint64) value >> (8 * i));
	g_byte_array_append(out, le, size);
}

static void
pad_to_8(GByteArray *out, gsize from)
{
	static const guint8 zeros[8] = { 0 };
	gsize pad = ((out->len - from + 7) & ~(gsize) 7) - (out->len - from);

	g_byte_array_append(out, zeros, (guint) pad);
}

void
omacp_vardict_builder_init(OmacpVardictBuilder *b)
{
	b->body = g_byte_array_sized_new(512);
	b->ends = g_array_new(FALSE, FALSE, sizeof(gsize));
}

/* One {sv} entry: the key, the value (@data, @size) 8-aligned after it,
 * a NUL and the value's type string, the key's end as the last offset. */
static void
add_entry(OmacpVardictBuilder *b, const char *key, const void *data, gsize size, const char *type,
          GVariant *value)
{
	gsize start;
	gsize key_len = strlen(key) + 1;
	gsize type_len = strlen(type);
	gsize body;
	gsize end;

	/* entries are 8-aligned in the array */
	pad_to_8(b->body, 0);
	start = b->body->len;
	g_byte_array_append(b->body, (const guint8 *) key, (guint) key_len);
	pad_to_8(b->body, start);
	if (value != NULL) {
		gsize at = b->body->len;

		g_byte_array_set_size(b->body, (guint) (at + size));
		g_variant_store(value, b->body->data + at);
	} else {
		g_byte_array_append(b->body, data, (guint) size);
	}
	g_byte_array_append(b->body, (const guint8 *) "", 1);
	g_byte_array_append(b->body, (const guint8 *) type, (guint) type_len);
	body = b->body->len - start;
	end = start + framed_size(body, 1);
	append_offset(b->body, key_len, offset_size_for(end - start));
	g_array_append_val(b->ends, end);
}

void
omacp_vardict_add_string(OmacpVardictBuilder *b, const char *key, const char *s)
{
	if (s == NULL || !g_utf8_validate(s, -1, NULL))
		s = "";
	add_entry(b, key, s, strlen(s) + 1, "s", NULL);
}

void
omacp_vardict_add_uint32(OmacpVardictBuilder *b, const char *key, guint32 value)
{
	add_entry(b, key, &value, sizeof(value), "u", NULL);
}

void
omacp_vardict_add_uint64(OmacpVardictBuilder *b, const char *key, guint64 value)
{
	add_entry(b, key, &value, sizeof(value), "t", NULL);
}

void
omacp_vardict_add_boolean(OmacpVardictBuilder *b, const char *key, gboolean value)
{
	guint8 v = value ? 1 : 0;

	add_entry(b, key, &v, 1, "b", NULL);
}

void
omacp_vardict_add_strv(OmacpVardictBuilder *b, const char *key, const char *type,
                       const char *const *strv)
{
	gboolean paths = strcmp(type, "ao") == 0;
	g_autoptr(GByteArray) array = g_byte_array_new();
	g_autoptr(GArray) ends = g_array_new(FALSE, FALSE, sizeof(gsize));
	guint osz;

	/* strings are not aligned: each one and its NUL after the last */
	for (guint i = 0; strv != NULL && strv[i] != NULL; i++) {
		const char *s = strv[i];
		gsize end;

		if (paths ? !g_variant_is_object_path(s) : !g_utf8_validate(s, -1, NULL))
			s = paths ? "/" : "";
		g_byte_array_append(array, (const guint8 *) s, (guint) strlen(s) + 1);
		end = array->len;
		g_array_append_val(ends, end);
	}
	osz = offset_size_for(framed_size(array->len, ends->len));
	for (guint i = 0; i < ends->len; i++)
		append_offset(array, g_array_index(ends, gsize, i), osz);
	add_entry(b, key, array->data, array->len, type, NULL);
}

void
omacp_vardict_add_value(OmacpVardictBuilder *b, const char *key, GVariant *value)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(value);

	/* what is not known to be in normal form (a value read back from a
	 * record) is checked once (GLib then knows it) or made so */
	if (!g_variant_is_normal_form(owned)) {
		GVariant *normal = g_variant_get_normal_form(owned);

		g_variant_unref(owned);
		owned = normal;
	}
	add_entry(b, key, NULL, g_variant_get_size(owned), g_variant_get_type_string(owned), owned);
}

GVariant *
omacp_vardict_builder_end(OmacpVardictBuilder *b)
{
	GByteArray *body = g_steal_pointer(&b->body);
	g_autoptr(GArray) ends = g_steal_pointer(&b->ends);
	gsize total = framed_size(body->len, ends->len);
	guint osz = offset_size_for(total);
	g_autoptr(GBytes) bytes = NULL;

	for (guint i = 0; i < ends->len && body->len > 0; i++)
		append_offset(body, g_array_index(ends, gsize, i), osz);
	bytes = g_byte_array_free_to_bytes(body);
	return g_variant_new_from_bytes(G_VARIANT_TYPE_VARDICT, bytes, TRUE);
}
