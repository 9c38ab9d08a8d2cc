/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxml2 tree → WBXML 1.3, public id PROV 1.0 (0x0B), UTF-8.
 *
 * Two passes over the tree. The first decides, for every piece of text the
 * document needs, whether it is a token or a string (that does not depend
 * on the code page the encoder happens to be on: a token on either page is
 * always used, switching pages when needed) and counts how often each string
 * occurs. The string table then holds, in order of first occurrence, every
 * LITERAL name and every string whose repeated use makes a table entry
 * cheaper than inline copies. The second pass writes the body.
 *
 * Choices, in the spirit of what real senders do and what every receiver
 * understands:
 *  - Tags by token (page 0 or 1); the MSPROV elements (characteristic-query,
 *    nocharacteristic, ...) on tag page 0, tokens 0x20-0x29: the Windows
 *    Mobile 2003 placement (WM5+ reads page 200 too, which we decode but do
 *    not write). Other names: LITERAL tags.
 *  - Attribute starts by token where one names the whole attribute
 *    (name="NAPID" → 0x11, type="APPLICATION" → page 1 0x55), preferring the
 *    current attribute page and switching when the token only exists on the
 *    other one (APPID, TO-PROXY: page 1; version="1.0", IPV4: page 0).
 *  - Parm names without a token, including the late ProvCont 1.1 additions
 *    (APPREF, the WLAN family, BEARERINFO...) that older receivers and
 *    libwbxml do not know, as name= (0x05) + string; the page-1 WLAN tokens
 *    0x40-0x44 collide with WBXML globals and are never written.
 *  - Attribute names without a token (MSPROV mwid, recursive, datatype...):
 *    LITERAL (0x04) through the string table.
 *  - A value is a single value token when its whole text has one (3G-GSM
 *    and WLAN excepted, for the same reason as above), else a string.
 *  - Empty values are written as an empty inline string, as senders do.
 * The output depends only on the tree: the encoder is deterministic.
 */
#include "wbxml.h"

#include <stdarg.h>
#include <string.h>

#include "omacp-error.h"
#include "prov-tables.h"

#define ROOT_NAME "wap-provisioningdoc"

typedef struct {
	gboolean writing; /* FALSE: first pass (counting), TRUE: second pass */
	GByteArray *body;
	guint tag_page;
	guint attr_page;
	guint n_elements;
	/* first pass */
	GStringChunk *chunk; /* copies of the strings the passes refer to */
	GHashTable *counts;  /* string (in chunk) → use count */
	GPtrArray *order;    /* strings in order of first use */
	GHashTable *literal; /* strings that must be in the table (LITERAL names) */
	/* after the first pass */
	GHashTable *offsets; /* string → table offset + 1 */
	GByteArray *strtbl;
} Encoder;

static gboolean G_GNUC_PRINTF(3, 4) fail(GError **error, OmacpError code, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, OMACP_ERROR, code, "wbxml-encode: %s", message);
	return FALSE;
}

static guint
mb_len(guint32 v)
{
	guint n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void
put_mb(GByteArray *out, guint32 v)
{
	guint8 buf[5];
	guint n = 0;

	do {
		buf[4 - n] = (guint8) (v & 0x7F) | (n > 0 ? 0x80 : 0);
		v >>= 7;
		n++;
	} while (v != 0);
	g_byte_array_append(out, buf + 5 - n, n);
}

static void
put_u8(Encoder *e, guint8 b)
{
	if (e->writing)
		g_byte_array_append(e->body, &b, 1);
}

static void
note_string(Encoder *e, const char *s, gboolean literal)
{
	guint count;

	s = g_string_chunk_insert_const(e->chunk, s);
	count = GPOINTER_TO_UINT(g_hash_table_lookup(e->counts, s));
	if (count == 0)
		g_ptr_array_add(e->order, (gpointer) s);
	g_hash_table_insert(e->counts, (gpointer) s, GUINT_TO_POINTER(count + 1));
	if (literal)
		g_hash_table_add(e->literal, (gpointer) s);
}

/* A string in content or attribute-value state: STR_T when in the table,
 * else STR_I. */
static void
put_string(Encoder *e, const char *s)
{
	guint offset;

	if (!e->writing) {
		note_string(e, s, FALSE);
		return;
	}
	offset = GPOINTER_TO_UINT(g_hash_table_lookup(e->offsets, s));
	if (offset != 0) {
		put_u8(e, 0x83);
		put_mb(e->body, offset - 1);
		return;
	}
	put_u8(e, 0x03);
	g_byte_array_append(e->body, (const guint8 *) s, strlen(s) + 1);
}

/* LITERAL-family token @tok followed by the table index of @name. */
static void
put_literal(Encoder *e, guint8 tok, const char *name)
{
	if (!e->writing) {
		note_string(e, name, TRUE);
		return;
	}
	put_u8(e, tok);
	put_mb(e->body, GPOINTER_TO_UINT(g_hash_table_lookup(e->offsets, name)) - 1);
}

/* A LITERAL name must be one the decoder (and receivers with XML 1.0
 * fourth-edition name rules, as libxml2's xmlValidateName) takes back:
 * libxml2's parser takes fifth-edition names too (U+0132 in a name). */
static gboolean
check_literal_name(const char *name, GError **error)
{
	if (xmlValidateName((const xmlChar *) name, 0) == 0)
		return TRUE;
	return fail(error, OMACP_ERROR_INVALID_DOCUMENT,
	            "the name \"%s\" has no token and cannot be a LITERAL: not every "
	            "receiver takes it as an XML name",
	            name);
}

static void
switch_page(Encoder *e, guint *current, guint page)
{
	if (*current == page)
		return;
	put_u8(e, 0x00);
	put_u8(e, (guint8) page);
	*current = page;
}

static gboolean
check_string(const char *s, GError **error)
{
	if (strlen(s) > OMACP_WBXML_MAX_STRING)
		return fail(error, OMACP_ERROR_TOO_LARGE,
		            "a string is longer than the %u-octet cap", OMACP_WBXML_MAX_STRING);
	return TRUE;
}

static void
put_value(Encoder *e, const char *value)
{
	guint page;
	guint8 token;

	if (omacp_prov_find_attr_value(value, e->attr_page, &page, &token)) {
		switch_page(e, &e->attr_page, page);
		put_u8(e, token);
		return;
	}
	put_string(e, value);
}

static gboolean
put_attribute(Encoder *e, xmlAttr *attr, GError **error)
{
	const char *name = (const char *) attr->name;
	g_autofree xmlChar *owned = NULL;
	const char *value;
	guint page;
	guint8 token;

	if (attr->children != NULL && attr->children->next == NULL &&
	    attr->children->type == XML_TEXT_NODE) {
		value = (const char *) attr->children->content;
	} else {
		owned = xmlNodeListGetString(attr->doc, attr->children, 1);
		value = owned != NULL ? (const char *) owned : "";
	}
	if (value == NULL)
		value = "";
	if (!check_string(value, error))
		return FALSE;

	/* The whole attribute as one token. */
	if (value[0] != '\0' &&
	    omacp_prov_find_attr_start(name, value, e->attr_page, &page, &token)) {
		switch_page(e, &e->attr_page, page);
		put_u8(e, token);
		return TRUE;
	}
	if (omacp_prov_find_attr_start(name, NULL, e->attr_page, &page, &token)) {
		switch_page(e, &e->attr_page, page);
		put_u8(e, token);
	} else {
		if (!check_literal_name(name, error))
			return FALSE;
		put_literal(e, 0x04, name);
	}
	put_value(e, value);
	return TRUE;
}

static gboolean
is_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!g_ascii_isspace(*s))
			return FALSE;
	}
	return TRUE;
}

static gboolean
has_content(xmlNode *node)
{
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return TRUE;
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL && !is_blank((const char *) c->content))
			return TRUE;
	}
	return FALSE;
}

static gboolean
put_element(Encoder *e, xmlNode *node, guint depth, GError **error)
{
	const char *name = (const char *) node->name;
	gboolean content = has_content(node);
	guint8 flags = (node->properties != NULL ? 0x80 : 0) | (content ? 0x40 : 0);
	guint page;
	guint8 token;

	if (depth > OMACP_WBXML_MAX_DEPTH)
		return fail(error, OMACP_ERROR_TOO_LARGE,
		            "<%s> is nested deeper than the cap of %u", name,
		            OMACP_WBXML_MAX_DEPTH);
	if (!e->writing && ++e->n_elements > OMACP_WBXML_MAX_ELEMENTS)
		return fail(error, OMACP_ERROR_TOO_LARGE, "more than %u elements",
		            OMACP_WBXML_MAX_ELEMENTS);

	if (omacp_prov_find_tag(name, e->tag_page, &page, &token)) {
		switch_page(e, &e->tag_page, page);
		put_u8(e, token | flags);
	} else {
		if (!check_literal_name(name, error))
			return FALSE;
		put_literal(e, 0x04 | flags, name);
	}

	if (node->properties != NULL) {
		for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
			if (!put_attribute(e, a, error))
				return FALSE;
		}
		put_u8(e, 0x01);
	}
	if (!content)
		return TRUE;
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		/* comments and PIs are not document data */
		if (c->type == XML_ELEMENT_NODE) {
			if (!put_element(e, c, depth + 1, error))
				return FALSE;
		} else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		           c->content != NULL && !is_blank((const char *) c->content)) {
			if (!check_string((const char *) c->content, error))
				return FALSE;
			put_string(e, (const char *) c->content);
		}
	}
	put_u8(e, 0x01);
	return TRUE;
}

/* After the first pass: chooses the table strings and lays the table out. */
static void
build_string_table(Encoder *e)
{
	for (guint i = 0; i < e->order->len; i++) {
		const char *s = g_ptr_array_index(e->order, i);
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(e->counts, s));
		gsize len = strlen(s);
		gsize table_cost = len + 1 + (gsize) n * (1 + mb_len(e->strtbl->len));
		gsize inline_cost = (gsize) n * (len + 2);

		if (!g_hash_table_contains(e->literal, s) && table_cost >= inline_cost)
			continue;
		g_hash_table_insert(e->offsets, (gpointer) s, GUINT_TO_POINTER(e->strtbl->len + 1));
		g_byte_array_append(e->strtbl, (const guint8 *) s, len + 1);
	}
}

GBytes *
omacp_wbxml_encode(xmlDoc *doc, GError **error)
{
	g_autoptr(GStringChunk) chunk = g_string_chunk_new(1024);
	g_autoptr(GHashTable) counts = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) literal = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) offsets = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	g_autoptr(GByteArray) strtbl = g_byte_array_new();
	g_autoptr(GByteArray) body = g_byte_array_sized_new(1024);
	g_autoptr(GByteArray) out = NULL;
	static const guint8 header[] = { 0x03, OMACP_PROV_PUBLIC_ID, 0x6A };
	Encoder e = { 0 };
	xmlNode *root;

	g_return_val_if_fail(doc != NULL, NULL);

	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *) root->name, ROOT_NAME) != 0) {
		fail(error, OMACP_ERROR_INVALID_DOCUMENT,
		     "the root element is not <" ROOT_NAME ">");
		return NULL;
	}

	e.chunk = chunk;
	e.counts = counts;
	e.literal = literal;
	e.order = order;
	if (!put_element(&e, root, 1, error))
		return NULL;

	e.offsets = offsets;
	e.strtbl = strtbl;
	build_string_table(&e);

	e.writing = TRUE;
	e.body = body;
	e.tag_page = 0;
	e.attr_page = 0;
	if (!put_element(&e, root, 1, error))
		return NULL;

	out = g_byte_array_sized_new(sizeof header + 5 + strtbl->len + body->len);
	g_byte_array_append(out, header, sizeof header);
	put_mb(out, strtbl->len);
	g_byte_array_append(out, strtbl->data, strtbl->len);
	g_byte_array_append(out, body->data, body->len);
	if (out->len > OMACP_WBXML_MAX_SIZE) {
		fail(error, OMACP_ERROR_TOO_LARGE,
		     "the encoded document (%u octets) exceeds the %u-octet cap", out->len,
		     OMACP_WBXML_MAX_SIZE);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}
