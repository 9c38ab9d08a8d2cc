/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Reading a serialised GVariant dictionary a{sv} in place, without a
 * GVariant per entry: the restore reads twenty values of each of
 * thousands of messages, and GLib's accessors make (and free) three
 * GVariants for each. The data is untrusted (a record file): every offset
 * is checked, an entry whose framing is broken is skipped, a value that
 * is not in normal form is not taken; nothing is read out of bounds.
 * Only this machine's byte order (the store byteswaps foreign records
 * first). Measured against GLib's own API doing the same (GVariantIter,
 * GVariantBuilder): a restored message took 2.7 times the instructions up
 * to the bus name, and a Deliver 1.56 times (tests/bench/README.md). */

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	const guint8 *data;
	gsize size;
	gsize offsets; /* where the framing offsets start (the last entry's end) */
	guint offset_size;
	gsize n;
	gsize i;
	gsize end; /* the end of the previous entry */
} OmacpVardictIter;

/* One entry, borrowed from the data read: its key (NUL-terminated), the
 * type string of its value (@type_len octets, not NUL-terminated) and the
 * value's serialised data (@size octets). */
typedef struct {
	const char *key;
	const char *type;
	gsize type_len;
	const guint8 *value;
	gsize size;
} OmacpVardictEntry;

/* Starts reading the a{sv} @data of @size octets (8-aligned, as GLib
 * keeps serialised data). */
void omacp_vardict_iter_init(OmacpVardictIter *iter, const void *data, gsize size);
/* The next entry whose framing is sound into *@entry; FALSE at the end. */
gboolean omacp_vardict_iter_next(OmacpVardictIter *iter, OmacpVardictEntry *entry);

/* TRUE when the type of @entry's value is @type. */
gboolean omacp_vardict_entry_is(const OmacpVardictEntry *entry, const char *type);

/* The serialised string @data (NUL-terminated, no NUL inside, UTF-8), or
 * NULL when it is not in normal form. */
const char *omacp_vardict_string(const guint8 *data, gsize size);
/* The serialised "u", "t", "b" @data into *@out; FALSE when its size is
 * not the type's. */
gboolean omacp_vardict_uint32(const guint8 *data, gsize size, guint32 *out);
gboolean omacp_vardict_uint64(const guint8 *data, gsize size, guint64 *out);
gboolean omacp_vardict_boolean(const guint8 *data, gsize size, gboolean *out);
/* The serialised "as" @data as a new strv, the strings not in normal form
 * left out. */
char **omacp_vardict_strv(const guint8 *data, gsize size);

G_END_DECLS

/* Writing an a{sv} in normal form straight into one buffer, without a
 * GVariant per entry (the store writes a message's twenty meta values on
 * every change). */
typedef struct {
	GByteArray *body;
	GArray *ends; /* gsize: where each entry ends */
} OmacpVardictBuilder;

void omacp_vardict_builder_init(OmacpVardictBuilder *b);
/* @s must be UTF-8 (what is not is written as ""); NULL as "". */
void omacp_vardict_add_string(OmacpVardictBuilder *b, const char *key, const char *s);
void omacp_vardict_add_uint32(OmacpVardictBuilder *b, const char *key, guint32 value);
void omacp_vardict_add_uint64(OmacpVardictBuilder *b, const char *key, guint64 value);
void omacp_vardict_add_boolean(OmacpVardictBuilder *b, const char *key, gboolean value);
/* An array of strings, "as" or "ao" as @type says (NULL: empty); what is
 * not UTF-8 (or, for "ao", not an object path) is written as "" ("/"). */
void omacp_vardict_add_strv(OmacpVardictBuilder *b, const char *key, const char *type,
                            const char *const *strv);
/* Any value (floating is sunk): serialised into the buffer (a tree is
 * serialised there, and stays a tree). */
void omacp_vardict_add_value(OmacpVardictBuilder *b, const char *key, GVariant *value);
/* The a{sv} (floating, in normal form); @b is cleared. */
GVariant *omacp_vardict_builder_end(OmacpVardictBuilder *b);
