/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WBXML (PROV) → document tree (internal/doc-tree.h) → libxml2 tree on
 * request, XML text → libxml2 tree, either tree → text.
 *
 * The decoder is a single forward pass over the document with an explicit
 * element stack (the tree's parent pointers), so nesting costs no C stack.
 * Strings are converted to UTF-8 and checked once, into one scratch buffer
 * per kind (attribute value, text) that is reused for the whole document.
 *
 * Policy for the parts of WBXML that PROV does not use:
 *  - EXT_I_n / EXT_T_n: the string is kept as text, with a warning;
 *    EXT_n (no payload): dropped, with a warning.
 *  - OPAQUE: kept as upper-case hex text, with a warning (it is never
 *    silently turned into a different value, and nothing is lost).
 *  - PI: skipped, with a warning.
 *  - Unknown tag / attribute-start / attribute-value tokens: kept under
 *    the placeholder names documented in wbxml.h, with a warning naming
 *    the token, the code page and the octet.
 *  - C0 control characters (other than TAB, LF, CR) and U+FFFE/U+FFFF in
 *    strings cannot appear in XML: replaced by U+FFFD, with a warning; the
 *    same from an ENTITY is an error (the sender asked for it explicitly).
 */
#include "wbxml.h"

#include <libxml/dict.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h> /* xmlStringText */
#include <libxml/xmlerror.h>
#include <stdarg.h>
#include <string.h>

#include "doc-tree.h"
#include "omacp-error.h"
#include "prov-tables.h"
#include "reader.h"

#define ROOT_NAME "wap-provisioningdoc"

enum {
	TOK_SWITCH_PAGE = 0x00,
	TOK_END = 0x01,
	TOK_ENTITY = 0x02,
	TOK_STR_I = 0x03,
	TOK_LITERAL = 0x04,
	TOK_EXT_I_0 = 0x40,
	TOK_EXT_I_2 = 0x42,
	TOK_PI = 0x43,
	TOK_LITERAL_C = 0x44,
	TOK_EXT_T_0 = 0x80,
	TOK_EXT_T_2 = 0x82,
	TOK_STR_T = 0x83,
	TOK_LITERAL_A = 0x84,
	TOK_EXT_0 = 0xC0,
	TOK_EXT_2 = 0xC2,
	TOK_OPAQUE = 0xC3,
	TOK_LITERAL_AC = 0xC4,
};

enum {
	CHARSET_UNKNOWN = 0,
	CHARSET_US_ASCII = 3,
	CHARSET_ISO_8859_1 = 4,
	CHARSET_UTF_8 = 106,
};

/* The names of the PROV tables, interned once per process in a dictionary
 * that is never written again after initialisation (reading it from several
 * threads is safe). Document trees point to these names; every libxml2
 * document made from one holds a reference to the dictionary, so libxml2
 * neither copies nor frees those names per node. Names that come from the
 * input (LITERAL, placeholders) are plain copies: input can never grow the
 * shared dictionary. */
typedef struct {
	xmlDict *dict;
	const xmlChar *tags[3][64];   /* pages 0, 1, 200 */
	const xmlChar *attrs[2][128]; /* attribute names of the attribute starts */
} Names;

static const Names *
names(void)
{
	static Names n;
	static gsize once = 0;

	if (g_once_init_enter(&once)) {
		static const guint tag_pages[3] = { 0, 1, OMACP_PROV_MSPROV_PAGE };

		n.dict = xmlDictCreate();
		for (guint p = 0; p < 3; p++) {
			for (guint t = 0; t < 64; t++) {
				const char *name = omacp_prov_tag_name(tag_pages[p], (guint8) t);

				if (name != NULL)
					n.tags[p][t] =
					        xmlDictLookup(n.dict, (const xmlChar *) name, -1);
			}
		}
		for (guint p = 0; p < 2; p++) {
			for (guint t = 0; t < 128; t++) {
				const OmacpProvAttrStart *a = omacp_prov_attr_start(p, (guint8) t);

				if (a != NULL)
					n.attrs[p][t] = xmlDictLookup(
					        n.dict, (const xmlChar *) a->attr, -1);
			}
		}
		g_once_init_leave(&once, 1);
	}
	return &n;
}

typedef struct {
	OmacpReader r;
	guint32 charset;
	const guint8 *strtbl;
	gsize strtbl_len;
	gsize strtbl_base; /* octet offset of the string table in the document */
	guint tag_page;
	guint attr_page;
	OmacpDocTree *tree;
	const Names *names;
	OmacpDocAttr *last_attr; /* of the element whose attributes are being read */
	GPtrArray *warnings;
	guint n_warnings;
	guint n_elements;
	GString *value;     /* the attribute value being assembled */
	GString *text;      /* pending character data of the current element */
	GString *name;      /* a LITERAL name, converted */
	GString *attr_name; /* the name of the attribute being read, when not interned */
} Decoder;

static gboolean G_GNUC_PRINTF(4, 5)
        fail(GError **error, OmacpError code, gsize offset, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, OMACP_ERROR, code, "wbxml: %s at octet %" G_GSIZE_FORMAT, message,
	            offset);
	return FALSE;
}

static void G_GNUC_PRINTF(3, 4) warn(Decoder *d, gsize offset, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	if (d->warnings == NULL)
		return;
	d->n_warnings++;
	if (d->n_warnings > OMACP_WBXML_MAX_WARNINGS) {
		if (d->n_warnings == OMACP_WBXML_MAX_WARNINGS + 1)
			g_ptr_array_add(d->warnings,
			                g_strdup_printf("wbxml: more than %u warnings; the rest "
			                                "are not listed",
			                                OMACP_WBXML_MAX_WARNINGS));
		return;
	}
	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(d->warnings,
	                g_strdup_printf("wbxml: %s at octet %" G_GSIZE_FORMAT, message, offset));
}

static gboolean
read_u8(Decoder *d, guint8 *out, const char *what, GError **error)
{
	if (omacp_reader_u8(&d->r, out))
		return TRUE;
	return fail(error, OMACP_ERROR_TRUNCATED, omacp_reader_offset(&d->r),
	            "document ends inside %s", what);
}

static gboolean
read_mb(Decoder *d, guint32 *out, const char *what, GError **error)
{
	gsize at = omacp_reader_offset(&d->r);
	gboolean overflow;

	if (omacp_reader_uintvar(&d->r, out, &overflow))
		return TRUE;
	if (overflow)
		return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
		            "%s is not a valid mb_u_int32 (more than 32 bits)", what);
	return fail(error, OMACP_ERROR_TRUNCATED, at, "document ends inside %s", what);
}

/* A NUL-terminated string of the string table at @index. @at is the octet of
 * the reference (for the error). */
static gboolean
table_string(Decoder *d, guint32 index, gsize at, const guint8 **out, gsize *out_len,
             GError **error)
{
	const guint8 *nul;

	if (index >= d->strtbl_len)
		return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
		            "string-table offset %u outside the %" G_GSIZE_FORMAT
		            "-octet string table",
		            index, d->strtbl_len);
	nul = memchr(d->strtbl + index, 0, d->strtbl_len - index);
	if (nul == NULL)
		return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
		            "string-table string at offset %u is not NUL-terminated inside the "
		            "table",
		            index);
	*out = d->strtbl + index;
	*out_len = (gsize) (nul - (d->strtbl + index));
	return TRUE;
}

static gboolean
check_cap(GString *buf, gsize adding, gsize at, GError **error)
{
	if (buf->len + adding > OMACP_WBXML_MAX_STRING)
		return fail(error, OMACP_ERROR_TOO_LARGE, at, "string longer than the %u-octet cap",
		            OMACP_WBXML_MAX_STRING);
	return TRUE;
}

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* g_string_append_len() without its call when the octets fit (the common
 * case: the buffers are sized for typical values and reused). */
static inline void
buf_append(GString *buf, const char *s, gsize n)
{
	if (buf->len + n < buf->allocated_len) {
		memcpy(buf->str + buf->len, s, n);
		buf->len += n;
		buf->str[buf->len] = '\0';
	} else {
		g_string_append_len(buf, s, (gssize) n);
	}
}

static inline void
buf_clear(GString *buf)
{
	buf->len = 0;
	buf->str[0] = '\0';
}

/* One of the rarely used name buffers, created on first use. */
static GString *
lazy_buf(GString **buf)
{
	if (*buf == NULL)
		*buf = g_string_sized_new(64);
	return *buf;
}

/* Appends @n octets of document text starting at document offset @at,
 * converted from the document charset to UTF-8. */
static gboolean
append_chars(Decoder *d, GString *buf, const guint8 *s, gsize n, gsize at, GError **error)
{
	gsize run = 0; /* start of the pending run of octets copied as they are */
	gboolean replaced = FALSE;
	gsize i = 0;

	if (!check_cap(buf, n, at, error))
		return FALSE;

	/* Fast path: printable ASCII is the same in every supported charset. */
	while (i < n && s[i] >= 0x20 && s[i] < 0x80)
		i++;
	if (i == n) {
		buf_append(buf, (const char *) s, n);
		return TRUE;
	}

	if (d->charset == CHARSET_UTF_8 || d->charset == CHARSET_UNKNOWN) {
		const char *end;

		if (!g_utf8_validate_len((const char *) s, n, &end))
			return fail(error, OMACP_ERROR_INVALID_DOCUMENT,
			            at + (gsize) ((const guint8 *) end - s),
			            "invalid UTF-8 in a UTF-8 document");
	}

	for (; i < n; i++) {
		guint8 b = s[i];
		gboolean bad_control = b < 0x20 && b != '\t' && b != '\n' && b != '\r';

		if (bad_control) {
			g_string_append_len(buf, (const char *) s + run, (gssize) (i - run));
			g_string_append(buf, REPLACEMENT);
			run = i + 1;
			replaced = TRUE;
			continue;
		}
		if (b < 0x80)
			continue;
		switch (d->charset) {
		case CHARSET_ISO_8859_1:
			g_string_append_len(buf, (const char *) s + run, (gssize) (i - run));
			g_string_append_c(buf, (char) (0xC0 | (b >> 6)));
			g_string_append_c(buf, (char) (0x80 | (b & 0x3F)));
			run = i + 1;
			break;
		case CHARSET_US_ASCII:
			g_string_append_len(buf, (const char *) s + run, (gssize) (i - run));
			g_string_append(buf, REPLACEMENT);
			run = i + 1;
			warn(d, at + i, "octet 0x%02X is not US-ASCII; replaced by U+FFFD", b);
			break;
		default:
			/* Valid UTF-8: only the non-characters U+FFFE/U+FFFF
			 * (EF BF BE/BF) cannot appear in XML. */
			if (b == 0xEF && i + 2 < n && s[i + 1] == 0xBF &&
			    (s[i + 2] == 0xBE || s[i + 2] == 0xBF)) {
				g_string_append_len(buf, (const char *) s + run,
				                    (gssize) (i - run));
				g_string_append(buf, REPLACEMENT);
				run = i + 3;
				i += 2;
				replaced = TRUE;
			}
			break;
		}
	}
	g_string_append_len(buf, (const char *) s + run, (gssize) (n - run));
	if (replaced)
		warn(d, at, "a string holds characters XML cannot carry; replaced by U+FFFD");
	return check_cap(buf, 0, at, error);
}

static gboolean
append_entity(Decoder *d, GString *buf, gsize at, GError **error)
{
	guint32 cp;

	if (!read_mb(d, &cp, "ENTITY", error))
		return FALSE;
	if (cp == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF)
		return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
		            "ENTITY U+%04X is not an XML character", cp);
	if (!check_cap(buf, 4, at, error))
		return FALSE;
	g_string_append_unichar(buf, (gunichar) cp);
	return TRUE;
}

static gboolean
append_inline(Decoder *d, GString *buf, const char *what, GError **error)
{
	gsize at = omacp_reader_offset(&d->r);
	const char *s;
	gsize n;

	if (!omacp_reader_cstring(&d->r, &s, &n))
		return fail(error, OMACP_ERROR_TRUNCATED, at,
		            "%s is not NUL-terminated before the end of the document", what);
	return append_chars(d, buf, (const guint8 *) s, n, at, error);
}

static gboolean
append_table_ref(Decoder *d, GString *buf, gsize at, const char *what, GError **error)
{
	const guint8 *s;
	guint32 index;
	gsize n;

	if (!read_mb(d, &index, what, error))
		return FALSE;
	if (!table_string(d, index, at, &s, &n, error))
		return FALSE;
	return append_chars(d, buf, s, n, d->strtbl_base + index, error);
}

static gboolean
append_opaque(Decoder *d, GString *buf, gsize at, GError **error)
{
	static const char hex[] = "0123456789ABCDEF";
	const guint8 *data;
	guint32 n;

	if (!read_mb(d, &n, "the OPAQUE length", error))
		return FALSE;
	if (!omacp_reader_bytes(&d->r, n, &data))
		return fail(
		        error, OMACP_ERROR_TRUNCATED, at,
		        "OPAQUE of %u octets runs past the end of the document (%" G_GSIZE_FORMAT
		        " left)",
		        n, omacp_reader_remaining(&d->r));
	if (!check_cap(buf, (gsize) n * 2, at, error))
		return FALSE;
	for (guint32 i = 0; i < n; i++) {
		g_string_append_c(buf, hex[data[i] >> 4]);
		g_string_append_c(buf, hex[data[i] & 0xF]);
	}
	warn(d, at, "OPAQUE data (%u octets) kept as hex text", n);
	return TRUE;
}

/* Whether append_data_token() handles @tok; checked inline first, as most
 * tokens of an attribute list are attribute starts. */
static inline gboolean
is_data_token(guint8 tok)
{
	switch (tok) {
	case TOK_ENTITY:
	case TOK_STR_I:
	case TOK_STR_T:
	case TOK_OPAQUE:
	case 0x40:
	case 0x41:
	case 0x42:
	case 0x80:
	case 0x81:
	case 0x82:
	case 0xC0:
	case 0xC1:
	case 0xC2:
		return TRUE;
	default:
		return FALSE;
	}
}

/* The global tokens that carry character data, shared by content and
 * attribute-value state. Returns FALSE with @error on failure; *handled
 * tells whether @tok was one of them. */
static gboolean
append_data_token(Decoder *d, GString *buf, guint8 tok, gsize at, gboolean *handled, GError **error)
{
	*handled = TRUE;
	switch (tok) {
	case TOK_ENTITY:
		return append_entity(d, buf, at, error);
	case TOK_STR_I:
		return append_inline(d, buf, "STR_I", error);
	case TOK_STR_T:
		return append_table_ref(d, buf, at, "the STR_T offset", error);
	case TOK_OPAQUE:
		return append_opaque(d, buf, at, error);
	case 0x40:
	case 0x41:
	case 0x42:
		warn(d, at, "extension EXT_I_%u kept as text", tok - TOK_EXT_I_0);
		return append_inline(d, buf, "EXT_I", error);
	case 0x80:
	case 0x81:
	case 0x82:
		warn(d, at, "extension EXT_T_%u kept as text", tok - TOK_EXT_T_0);
		return append_table_ref(d, buf, at, "the EXT_T offset", error);
	case 0xC0:
	case 0xC1:
	case 0xC2:
		warn(d, at, "extension EXT_%u without data ignored", tok - TOK_EXT_0);
		return TRUE;
	}
	*handled = FALSE;
	return TRUE;
}

/* Reads a LITERAL's string-table index and converts the name into d->name. */
static gboolean
read_literal_name(Decoder *d, gsize at, GError **error)
{
	const guint8 *s;
	guint32 index;
	gsize n;

	if (!read_mb(d, &index, "the LITERAL index", error))
		return FALSE;
	if (!table_string(d, index, at, &s, &n, error))
		return FALSE;
	buf_clear(lazy_buf(&d->name));
	if (!append_chars(d, d->name, s, n, d->strtbl_base + index, error))
		return FALSE;
	if (xmlValidateName((const xmlChar *) d->name->str, 0) != 0)
		return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
		            "LITERAL names \"%s\", which is not an XML name", d->name->str);
	return TRUE;
}

/* Skips a processing instruction (after its PI octet): an attribute start
 * and values up to END, all in attribute state. */
static gboolean
skip_pi(Decoder *d, gsize at, GError **error)
{
	warn(d, at, "processing instruction skipped");
	for (;;) {
		gsize tok_at = omacp_reader_offset(&d->r);
		const guint8 *skip;
		guint32 v;
		guint8 tok = 0;
		gsize n;
		gboolean ok = TRUE;

		if (!read_u8(d, &tok, "a processing instruction", error))
			return FALSE;
		switch (tok) {
		case TOK_END:
			return TRUE;
		case TOK_SWITCH_PAGE:
			ok = read_u8(d, &tok, "SWITCH_PAGE", error);
			d->attr_page = tok;
			break;
		case TOK_STR_I:
		case 0x40:
		case 0x41:
		case 0x42:
			if (!omacp_reader_cstring(&d->r, (const char **) &skip, &n))
				return fail(error, OMACP_ERROR_TRUNCATED, tok_at,
				            "string in a processing instruction is not "
				            "NUL-terminated");
			break;
		case TOK_ENTITY:
		case TOK_LITERAL:
		case TOK_STR_T:
		case 0x80:
		case 0x81:
		case 0x82:
			ok = read_mb(d, &v, "a processing instruction", error);
			break;
		case TOK_OPAQUE:
			ok = read_mb(d, &v, "a processing instruction", error);
			if (ok && !omacp_reader_skip(&d->r, v))
				return fail(error, OMACP_ERROR_TRUNCATED, tok_at,
				            "OPAQUE of %u octets runs past the end of the "
				            "document",
				            v);
			break;
		default:
			break;
		}
		if (!ok)
			return FALSE;
	}
}

static const char *
placeholder(char *buf, gsize size, const char *kind, guint page, guint8 token)
{
	g_snprintf(buf, size, "x-wbxml-%s-p%u-%02X", kind, page, token);
	return buf;
}

/* Ends the attribute being assembled: adds it to @node unless it is there
 * already. The name is a shared interned one (@interned) or copied; the
 * attribute and its value are one allocation of the arena. */
static void
finish_attribute(Decoder *d, OmacpDocNode *node, const char *name, gboolean interned, gsize at)
{
	OmacpDocAttr *attr;
	char *value;

	for (OmacpDocAttr *a = node->attrs; a != NULL; a = a->next) {
		/* two interned names are the same name only as the same pointer */
		if (a->name == name || (!(a->interned && interned) && strcmp(a->name, name) == 0)) {
			warn(d, at, "duplicate attribute %s on <%s> ignored", name, node->name);
			return;
		}
	}
	attr = omacp_arena_alloc_raw(&d->tree->arena, sizeof *attr + d->value->len + 1);
	value = (char *) (attr + 1);
	memcpy(value, d->value->str, d->value->len + 1);
	attr->name = interned ? name : omacp_arena_strdup(&d->tree->arena, name);
	attr->value = value;
	attr->value_len = (guint32) d->value->len;
	attr->interned = interned;
	attr->next = NULL;
	if (d->last_attr == NULL)
		node->attrs = attr;
	else
		d->last_attr->next = attr;
	d->last_attr = attr;
}

static gboolean
parse_attributes(Decoder *d, OmacpDocNode *node, GError **error)
{
	/* The attribute being assembled: NULL before the first; an interned
	 * table name, or d->attr_name (LITERAL or placeholder). */
	const char *name = NULL;
	gboolean interned = FALSE;
	gsize name_at = 0;

	d->last_attr = NULL;
	for (;;) {
		gsize at = omacp_reader_offset(&d->r);
		const OmacpProvAttrStart *start = NULL;
		gsize n;
		gboolean handled;
		guint8 tok = 0;

		if (!read_u8(d, &tok, "an attribute list", error))
			return FALSE;
		if (tok == TOK_SWITCH_PAGE) {
			if (!read_u8(d, &tok, "SWITCH_PAGE", error))
				return FALSE;
			d->attr_page = tok;
			continue;
		}
		if (tok == TOK_END) {
			if (name != NULL)
				finish_attribute(d, node, name, interned, name_at);
			return TRUE;
		}
		/* Page 1 reuses 0x40..0x44 for WLAN names (digest §4.5). */
		if (d->attr_page == 1 && tok >= 0x40 && tok <= 0x44)
			start = omacp_prov_attr_start(1, tok);
		if (start == NULL) {
			handled = FALSE;
			if (is_data_token(tok) &&
			    !append_data_token(d, d->value, tok, at, &handled, error))
				return FALSE;
			if (handled) {
				if (name == NULL)
					return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
					            "attribute value before any attribute start "
					            "on <%s>",
					            node->name);
				continue;
			}
			if (tok == TOK_PI || tok == TOK_LITERAL_C || tok == TOK_LITERAL_A ||
			    tok == TOK_LITERAL_AC)
				return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
				            "token 0x%02X is not allowed in an attribute list",
				            tok);
		}
		if (tok >= 0x85) {
			const char *text = omacp_prov_attr_value(d->attr_page, tok);
			char buf[32];

			if (name == NULL)
				return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
				            "attribute value before any attribute start on <%s>",
				            node->name);
			if (text == NULL) {
				text = placeholder(buf, sizeof buf, "value", d->attr_page, tok);
				warn(d, at, "unknown attribute-value token 0x%02X on code page %u",
				     tok, d->attr_page);
			}
			n = strlen(text);
			if (!check_cap(d->value, n, at, error))
				return FALSE;
			buf_append(d->value, text, n);
			continue;
		}

		/* An attribute start: the previous attribute is complete. */
		if (name != NULL)
			finish_attribute(d, node, name, interned, name_at);
		buf_clear(d->value);
		name_at = at;
		if (tok == TOK_LITERAL) {
			if (!read_literal_name(d, at, error))
				return FALSE;
			g_string_assign(lazy_buf(&d->attr_name), d->name->str);
			name = d->attr_name->str;
			interned = FALSE;
			continue;
		}
		if (start == NULL)
			start = omacp_prov_attr_start(d->attr_page, tok);
		if (start == NULL) {
			char buf[32];

			g_string_assign(lazy_buf(&d->attr_name),
			                placeholder(buf, sizeof buf, "attr", d->attr_page, tok));
			name = d->attr_name->str;
			interned = FALSE;
			warn(d, at, "unknown attribute-start token 0x%02X on code page %u", tok,
			     d->attr_page);
			continue;
		}
		name = (const char *) d->names->attrs[d->attr_page][tok];
		interned = TRUE;
		if (start->prefix != NULL)
			buf_append(d->value, start->prefix, strlen(start->prefix));
	}
}

static void
append_child(OmacpDocNode *parent, OmacpDocNode *node)
{
	node->parent = parent;
	if (parent->last == NULL)
		parent->children = node;
	else
		parent->last->next = node;
	parent->last = node;
}

/* The pending character data becomes a text node of @parent: where the
 * libxml2 tree has one. */
static void
flush_text(Decoder *d, OmacpDocNode *parent)
{
	OmacpDocNode *text;

	if (d->text->len == 0 || parent == NULL)
		return;
	text = omacp_arena_alloc(&d->tree->arena, sizeof *text);
	text->text = omacp_arena_strndup(&d->tree->arena, d->text->str, d->text->len);
	text->text_len = d->text->len;
	append_child(parent, text);
	buf_clear(d->text);
}

static gboolean
parse_element(Decoder *d, guint8 tok, gsize at, OmacpDocNode **current, guint *depth,
              GError **error)
{
	char buf[32];
	const char *name;
	const xmlChar *interned = NULL;
	OmacpDocNode *node;
	guint8 id = tok & 0x3F;

	if (id == TOK_LITERAL) {
		if (!read_literal_name(d, at, error))
			return FALSE;
		name = d->name->str;
	} else {
		name = omacp_prov_tag_name(d->tag_page, id);
		if (name == NULL) {
			name = placeholder(buf, sizeof buf, "tag", d->tag_page, id);
			warn(d, at, "unknown tag token 0x%02X on code page %u", id, d->tag_page);
		} else {
			interned = d->names->tags[d->tag_page == OMACP_PROV_MSPROV_PAGE
			                                  ? 2
			                                  : d->tag_page][id];
		}
	}
	if (*depth == 0 && strcmp(name, ROOT_NAME) != 0)
		return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
		            "root element is <%s>, not <" ROOT_NAME ">", name);
	if (*depth + 1 > OMACP_WBXML_MAX_DEPTH)
		return fail(error, OMACP_ERROR_TOO_LARGE, at,
		            "elements nested deeper than the cap of %u", OMACP_WBXML_MAX_DEPTH);
	if (++d->n_elements > OMACP_WBXML_MAX_ELEMENTS)
		return fail(error, OMACP_ERROR_TOO_LARGE, at, "more than %u elements",
		            OMACP_WBXML_MAX_ELEMENTS);

	node = omacp_arena_alloc(&d->tree->arena, sizeof *node);
	node->name = interned != NULL ? (const char *) interned
	                              : omacp_arena_strdup(&d->tree->arena, name);
	node->interned = interned != NULL;
	if (*depth == 0) {
		d->tree->root = node;
	} else {
		flush_text(d, *current);
		append_child(*current, node);
	}
	if ((tok & 0x80) && !parse_attributes(d, node, error))
		return FALSE;
	if (tok & 0x40) {
		*current = node;
		(*depth)++;
	}
	return TRUE;
}

static gboolean
parse_header(Decoder *d, GError **error)
{
	gsize pubid_at, index_at = 0, charset_at;
	guint32 pubid, pubid_index = 0, strtbl_len;
	const guint8 *strtbl;
	guint8 version = 0;

	if (!read_u8(d, &version, "the header (version)", error))
		return FALSE;
	if (version > 0x03)
		return fail(error, OMACP_ERROR_UNSUPPORTED, 0,
		            "version %u.%u is not supported (1.0 to 1.3)", (version >> 4) + 1,
		            version & 0x0F);
	pubid_at = omacp_reader_offset(&d->r);
	if (!read_mb(d, &pubid, "the header (public id)", error))
		return FALSE;
	if (pubid == 0) {
		index_at = omacp_reader_offset(&d->r);
		if (!read_mb(d, &pubid_index, "the header (public id string index)", error))
			return FALSE;
	}
	charset_at = omacp_reader_offset(&d->r);
	if (version == 0x00) {
		/* WBXML 1.0 has no charset field. */
		d->charset = CHARSET_UTF_8;
	} else {
		if (!read_mb(d, &d->charset, "the header (charset)", error))
			return FALSE;
		if (d->charset != CHARSET_UTF_8 && d->charset != CHARSET_ISO_8859_1 &&
		    d->charset != CHARSET_US_ASCII && d->charset != CHARSET_UNKNOWN)
			return fail(error, OMACP_ERROR_UNSUPPORTED, charset_at,
			            "charset MIBenum %u is not supported (UTF-8, ISO-8859-1, "
			            "US-ASCII)",
			            d->charset);
	}
	if (!read_mb(d, &strtbl_len, "the header (string table length)", error))
		return FALSE;
	d->strtbl_base = omacp_reader_offset(&d->r);
	if (!omacp_reader_bytes(&d->r, strtbl_len, &strtbl))
		return fail(error, OMACP_ERROR_TRUNCATED, d->strtbl_base,
		            "string table of %u octets runs past the end of the document "
		            "(%" G_GSIZE_FORMAT " left)",
		            strtbl_len, omacp_reader_remaining(&d->r));
	d->strtbl = strtbl;
	d->strtbl_len = strtbl_len;

	if (pubid == 0) {
		const guint8 *s;
		gsize n;

		if (!table_string(d, pubid_index, index_at, &s, &n, error))
			return FALSE;
		if (n != strlen(OMACP_PROV_PUBLIC_ID_STRING) ||
		    memcmp(s, OMACP_PROV_PUBLIC_ID_STRING, n) != 0) {
			/* the octets are the sender's: warnings are UTF-8 text, so
			 * anything but printable ASCII is shown escaped */
			g_autofree char *head = g_strndup((const char *) s, MIN(n, 80));
			g_autofree char *shown = g_strescape(head, NULL);

			warn(d, index_at, "public id string \"%s\" is not PROV; decoding as PROV",
			     shown);
		}
	} else if (pubid == 0x01) {
		warn(d, pubid_at, "public id 0x01 (unknown); decoding as PROV");
	} else if (pubid != OMACP_PROV_PUBLIC_ID) {
		warn(d, pubid_at, "public id 0x%02X is not PROV; decoding as PROV", pubid);
	}
	return TRUE;
}

static gboolean
parse_body(Decoder *d, GError **error)
{
	OmacpDocNode *current = NULL;
	guint depth = 0;
	gboolean root_done = FALSE;

	for (;;) {
		gsize at = omacp_reader_offset(&d->r);
		gboolean handled;
		guint8 tok;

		if (omacp_reader_at_end(&d->r)) {
			if (depth > 0)
				return fail(error, OMACP_ERROR_TRUNCATED, at,
				            "document ends inside <%s> (%u elements open)",
				            current->name, depth);
			if (!root_done)
				return fail(error, OMACP_ERROR_TRUNCATED, at,
				            "document ends before its root element");
			return TRUE;
		}
		tok = d->r.data[d->r.pos++];

		if (root_done && depth == 0 && tok != TOK_PI) {
			warn(d, at,
			     "%" G_GSIZE_FORMAT " octets after the end of the document ignored",
			     d->r.len - at);
			return TRUE;
		}
		switch (tok) {
		case TOK_SWITCH_PAGE:
			if (!read_u8(d, &tok, "SWITCH_PAGE", error))
				return FALSE;
			d->tag_page = tok;
			continue;
		case TOK_END:
			if (depth == 0)
				return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
				            "END without an open element");
			flush_text(d, current);
			current = current->parent;
			if (--depth == 0)
				root_done = TRUE;
			continue;
		case TOK_PI:
			if (!skip_pi(d, at, error))
				return FALSE;
			continue;
		default:
			break;
		}
		handled = FALSE;
		if (is_data_token(tok) && !append_data_token(d, d->text, tok, at, &handled, error))
			return FALSE;
		if (handled) {
			if (depth == 0)
				return fail(error, OMACP_ERROR_INVALID_DOCUMENT, at,
				            "character data outside the root element");
			continue;
		}
		if (!parse_element(d, tok, at, &current, &depth, error))
			return FALSE;
		if (depth == 0)
			root_done = TRUE; /* an empty root (no content flag) */
	}
}

static OmacpDocTree *
doc_tree_new(void)
{
	OmacpDocTree *tree = g_new0(OmacpDocTree, 1);

	tree->ref_count = 1;
	return tree;
}

OmacpDocTree *
omacp_doc_tree_ref(OmacpDocTree *tree)
{
	g_atomic_int_inc(&tree->ref_count);
	return tree;
}

void
omacp_doc_tree_unref(OmacpDocTree *tree)
{
	if (tree == NULL || !g_atomic_int_dec_and_test(&tree->ref_count))
		return;
	/* attribute values may be passwords and keys */
	omacp_arena_clear(&tree->arena, TRUE);
	g_free(tree);
}

gboolean
omacp_wbxml_decode_tree(const guint8 *data, gsize len, OmacpDocTree **out, GPtrArray *warnings,
                        GError **error)
{
	g_autoptr(OmacpDocTree) tree = NULL;
	g_autoptr(GString) value = NULL;
	g_autoptr(GString) text = NULL;
	Decoder d = { 0 };
	gboolean ok;

	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);

	if (len > OMACP_WBXML_MAX_SIZE)
		return fail(error, OMACP_ERROR_TOO_LARGE, OMACP_WBXML_MAX_SIZE,
		            "document of %" G_GSIZE_FORMAT " octets exceeds the %u-octet cap", len,
		            OMACP_WBXML_MAX_SIZE);

	tree = doc_tree_new();
	d.names = names();
	value = g_string_sized_new(256);
	text = g_string_sized_new(64);
	omacp_reader_init(&d.r, data, len, 0);
	d.tree = tree;
	d.warnings = warnings;
	d.value = value;
	d.text = text;
	ok = parse_header(&d, error) && parse_body(&d, error);
	if (d.name != NULL)
		g_string_free(d.name, TRUE);
	if (d.attr_name != NULL)
		g_string_free(d.attr_name, TRUE);
	if (!ok)
		return FALSE;
	*out = g_steal_pointer(&tree);
	return TRUE;
}

/* A text node as libxml2's own parser makes it with XML_PARSE_COMPACT: a
 * string shorter than two pointers is kept inside the node (in its unused
 * properties/nsDef fields, which xmlFreeNode() knows not to free), so most
 * attribute values cost no allocation of their own. */
static xmlNode *
new_text(xmlDoc *doc, const char *s, gsize len)
{
	xmlNode *text = xmlMalloc(sizeof *text);

	if (text == NULL)
		g_error("wbxml: out of memory");
	memset(text, 0, sizeof *text);
	text->type = XML_TEXT_NODE;
	text->name = xmlStringText;
	text->doc = doc;
	if (len < 2 * sizeof(void *)) {
		text->content = (xmlChar *) &text->properties;
		memcpy(text->content, s, len);
		text->content[len] = '\0';
	} else {
		text->content = xmlStrndup((const xmlChar *) s, (int) len);
		if (text->content == NULL)
			g_error("wbxml: out of memory");
	}
	return text;
}

/* The attributes of @from on @node, built directly (most of a document is
 * attributes): the name the shared interned one or a heap copy, the value
 * one text node. */
static void
add_xml_attributes(xmlDoc *doc, xmlNode *node, const OmacpDocNode *from)
{
	xmlAttr *last = NULL;

	for (const OmacpDocAttr *a = from->attrs; a != NULL; a = a->next) {
		xmlAttr *attr = xmlMalloc(sizeof *attr);
		xmlNode *text;

		if (attr == NULL)
			g_error("wbxml: out of memory");
		memset(attr, 0, sizeof *attr);
		attr->type = XML_ATTRIBUTE_NODE;
		attr->name = a->interned ? (const xmlChar *) a->name
		                         : xmlStrdup((const xmlChar *) a->name);
		attr->parent = node;
		attr->doc = doc;
		text = new_text(doc, a->value, a->value_len);
		text->parent = (xmlNode *) attr;
		attr->children = text;
		attr->last = text;
		if (last == NULL) {
			node->properties = attr;
		} else {
			last->next = attr;
			attr->prev = last;
		}
		last = attr;
	}
}

static xmlNode *
new_xml_element(xmlDoc *doc, const OmacpDocNode *from)
{
	xmlNode *node = xmlNewDocNodeEatName(
	        doc, NULL,
	        from->interned ? (xmlChar *) from->name : xmlStrdup((const xmlChar *) from->name),
	        NULL);

	add_xml_attributes(doc, node, from);
	return node;
}

xmlDoc *
omacp_doc_tree_to_xml(const OmacpDocTree *tree)
{
	xmlDoc *doc;
	const OmacpDocNode *from;
	xmlNode *to;

	g_return_val_if_fail(tree != NULL && !tree->from_xml, NULL);

	doc = xmlNewDoc((const xmlChar *) "1.0");
	doc->dict = names()->dict;
	xmlDictReference(doc->dict);
	if (tree->root == NULL)
		return doc;
	to = new_xml_element(doc, tree->root);
	xmlDocSetRootElement(doc, to);
	/* Pre-order walk of both trees at once. */
	from = tree->root;
	for (;;) {
		if (from->name != NULL && from->children != NULL) {
			from = from->children;
		} else {
			while (from != tree->root && from->next == NULL) {
				from = from->parent;
				to = to->parent;
			}
			if (from == tree->root)
				break;
			from = from->next;
			to = to->parent;
		}
		/* @to is the parent of the node to make */
		if (from->name == NULL) {
			xmlAddChild(to, xmlNewDocTextLen(doc, (const xmlChar *) from->text,
			                                 (int) from->text_len));
			to = to->last;
		} else {
			xmlNode *node = new_xml_element(doc, from);

			/* xmlAddChild() without its checks: @node is a new
			 * element of this document */
			node->parent = to;
			if (to->last == NULL) {
				to->children = node;
			} else {
				to->last->next = node;
				node->prev = to->last;
			}
			to->last = node;
			to = node;
		}
	}
	return doc;
}

gboolean
omacp_wbxml_decode(const guint8 *data, gsize len, xmlDoc **out, GPtrArray *warnings, GError **error)
{
	g_autoptr(OmacpDocTree) tree = NULL;

	g_return_val_if_fail(out != NULL, FALSE);
	if (!omacp_wbxml_decode_tree(data, len, &tree, warnings, error))
		return FALSE;
	*out = omacp_doc_tree_to_xml(tree);
	return TRUE;
}

/* ---- XML text ---- */

static gboolean G_GNUC_PRINTF(3, 4)
        xml_fail(GError **error, OmacpError code, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, OMACP_ERROR, code, "xml: %s", message);
	return FALSE;
}

/* SAX hook for every declaration of an internal subset: entity, element,
 * attribute-list and notation declarations stop the parser. The DOCTYPE line
 * alone (name, public and system id) is harmless and accepted. */
static void
reject_declaration(xmlParserCtxt *ctxt)
{
	gboolean *seen = ctxt->_private;

	*seen = TRUE;
	xmlStopParser(ctxt);
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                const xmlChar *system_id, xmlChar *content)
{
	reject_declaration(ctx);
}

static void
sax_element_decl(void *ctx, const xmlChar *name, int type, xmlElementContent *content)
{
	reject_declaration(ctx);
}

static void
sax_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *fullname, int type, int def,
                   const xmlChar *default_value, xmlEnumeration *tree)
{
	xmlFreeEnumeration(tree);
	reject_declaration(ctx);
}

static void
sax_notation_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                  const xmlChar *system_id)
{
	reject_declaration(ctx);
}

static void
sax_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                         const xmlChar *system_id, const xmlChar *notation)
{
	reject_declaration(ctx);
}

static gboolean
check_tree(xmlNode *root, GError **error)
{
	xmlNode *node = root;
	guint depth = 1;
	guint count = 0;

	/* Iterative pre-order walk over the elements. */
	while (node != NULL) {
		if (node->type == XML_ELEMENT_NODE) {
			if (++count > OMACP_WBXML_MAX_ELEMENTS)
				return xml_fail(error, OMACP_ERROR_TOO_LARGE,
				                "more than %u elements (line %d)",
				                OMACP_WBXML_MAX_ELEMENTS, node->line);
			if (depth > OMACP_WBXML_MAX_DEPTH)
				return xml_fail(error, OMACP_ERROR_TOO_LARGE,
				                "elements nested deeper than the cap of %u at "
				                "<%s> (line %d)",
				                OMACP_WBXML_MAX_DEPTH, node->name, node->line);
			for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
				for (xmlNode *t = a->children; t != NULL; t = t->next) {
					if (t->type == XML_ENTITY_REF_NODE)
						return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT,
						                "entity reference in attribute "
						                "%s (line %d)",
						                a->name, node->line);
					if (t->content != NULL &&
					    strlen((const char *) t->content) >
					            OMACP_WBXML_MAX_STRING)
						return xml_fail(
						        error, OMACP_ERROR_TOO_LARGE,
						        "attribute %s longer than the %u-octet "
						        "cap (line %d)",
						        a->name, OMACP_WBXML_MAX_STRING,
						        node->line);
				}
			}
		} else if (node->type == XML_ENTITY_REF_NODE) {
			return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT,
			                "entity reference &%s; (line %d)", node->name, node->line);
		}
		if (node->type == XML_ELEMENT_NODE && node->children != NULL) {
			node = node->children;
			depth++;
			continue;
		}
		while (node != NULL && node != root && node->next == NULL) {
			node = node->parent;
			depth--;
		}
		if (node == NULL || node == root)
			break;
		node = node->next;
	}
	return TRUE;
}

gboolean
omacp_xml_parse(const char *data, gsize len, xmlDoc **out, GError **error)
{
	g_autoptr(xmlDoc) doc = NULL;
	xmlParserCtxt *ctxt;
	gboolean declarations = FALSE;
	xmlNode *root;
	const xmlError *last;
	g_autofree char *parse_error = NULL;

	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);

	if (len > OMACP_XML_MAX_SIZE)
		return xml_fail(error, OMACP_ERROR_TOO_LARGE,
		                "document of %" G_GSIZE_FORMAT " octets exceeds the %u-octet cap",
		                len, OMACP_XML_MAX_SIZE);
	if (len == 0)
		return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT, "empty document");

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return xml_fail(error, OMACP_ERROR_FAILED, "cannot create a parser");
	ctxt->_private = &declarations;
	ctxt->sax->entityDecl = sax_entity_decl;
	ctxt->sax->elementDecl = sax_element_decl;
	ctxt->sax->attributeDecl = sax_attribute_decl;
	ctxt->sax->notationDecl = sax_notation_decl;
	ctxt->sax->unparsedEntityDecl = sax_unparsed_entity_decl;
	doc = xmlCtxtReadMemory(ctxt, data, (int) len, NULL, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
	                                XML_PARSE_NOWARNING);
	last = xmlCtxtGetLastError(ctxt);
	if (last != NULL && last->code != XML_ERR_OK) {
		/* libxml2 spreads some messages over lines ("...encoding !\nBytes:
		 * 0xC3 ..."): ours are one line. It also quotes names from the
		 * input, which need not be UTF-8: ours are, they go on the bus */
		g_autofree char *text =
		        g_utf8_make_valid(last->message ? last->message : "error", -1);

		g_strstrip(g_strdelimit(text, "\r\n\t", ' '));
		parse_error =
		        g_strdup_printf("%s (line %d, column %d)", text, last->line, last->int2);
	}
	xmlFreeParserCtxt(ctxt);

	if (declarations)
		return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT,
		                "DOCTYPE with an internal subset (entity or other declarations) "
		                "rejected");
	if (doc == NULL || parse_error != NULL)
		return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT, "not well-formed: %s",
		                parse_error ? parse_error : "no document");
	root = xmlDocGetRootElement(doc);
	if (root == NULL)
		return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT, "no root element");
	if (strcmp((const char *) root->name, ROOT_NAME) != 0)
		return xml_fail(error, OMACP_ERROR_INVALID_DOCUMENT,
		                "root element is <%s>, not <" ROOT_NAME "> (line %d)", root->name,
		                root->line);
	if (!check_tree(root, error))
		return FALSE;
	*out = g_steal_pointer(&doc);
	return TRUE;
}

/* ---- tree → text ---- */

gboolean
omacp_parm_is_secret(const char *name, const char *parent_type)
{
	static const struct {
		const char *name;
		gsize len;
	} secrets[] = {
#define SECRET(s) { s, sizeof s - 1 }
		SECRET("AUTHSECRET"), SECRET("AAUTHSECRET"),      SECRET("AAUTHDATA"),
		SECRET("PXAUTH-PW"),  SECRET("PROXY-PW"),         SECRET("BASAUTH-PW"),
		SECRET("PASSWORD"),   SECRET("WPA-PRES-KEY-ASC"), SECRET("WPA-PRES-KEY-HEX"),
#undef SECRET
	};
	char first;
	gsize len;

	if (name == NULL)
		return FALSE;
	/* every document parm passes here: the first letter rules out most,
	 * the length nearly all the rest */
	first = g_ascii_toupper(name[0]);
	switch (first) {
	case 'A':
	case 'B':
	case 'P':
	case 'W':
		len = strlen(name);
		for (guint i = 0; i < G_N_ELEMENTS(secrets); i++) {
			if (secrets[i].name[0] == first && secrets[i].len == len &&
			    g_ascii_strcasecmp(secrets[i].name, name) == 0)
				return TRUE;
		}
		return FALSE;
	case 'D':
		/* the key itself: DATA under WEPKEY */
		return parent_type != NULL && g_ascii_strcasecmp(parent_type, "WEPKEY") == 0 &&
		       g_ascii_strcasecmp(name, "DATA") == 0;
	default:
		return FALSE;
	}
}

static void
append_escaped(GString *out, const char *s, gboolean attribute)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = attribute ? "&quot;" : NULL;
			break;
		case '\t':
			rep = attribute ? "&#9;" : NULL;
			break;
		case '\n':
			rep = attribute ? "&#10;" : NULL;
			break;
		case '\r':
			rep = "&#13;";
			break;
		default:
			rep = NULL;
			break;
		}
		if (rep == NULL)
			continue;
		g_string_append_len(out, run, s - run);
		g_string_append(out, rep);
		run = s + 1;
	}
	g_string_append_len(out, run, s - run);
}

/* The value of an attribute without a copy when it is one text node (always
 * so in our trees); else a copy in *owned. */
static const char *
attr_value(xmlAttr *a, xmlChar **owned)
{
	if (a->children == NULL)
		return "";
	if (a->children->next == NULL && a->children->type == XML_TEXT_NODE)
		return a->children->content ? (const char *) a->children->content : "";
	*owned = xmlNodeListGetString(a->doc, a->children, 1);
	return *owned ? (const char *) *owned : "";
}

/* The value of @node's attribute @attr, NULL when it has none. */
static const char *
attr_of(xmlNode *node, const char *attr, xmlChar **owned)
{
	for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
		if (strcmp((const char *) a->name, attr) == 0)
			return attr_value(a, owned);
	}
	return NULL;
}

/* A parm whose value must be hidden. */
static gboolean
is_secret_element(xmlNode *node)
{
	g_autofree xmlChar *owned_name = NULL;
	g_autofree xmlChar *owned_type = NULL;
	const char *type = NULL;

	if (strcmp((const char *) node->name, "parm") != 0)
		return FALSE;
	if (node->parent != NULL && node->parent->type == XML_ELEMENT_NODE)
		type = attr_of(node->parent, "type", &owned_type);
	return omacp_parm_is_secret(attr_of(node, "name", &owned_name), type);
}

static void
append_indent(GString *out, guint depth)
{
	for (guint i = 0; i < depth; i++)
		g_string_append(out, "  ");
}

static void
append_start_tag(GString *out, xmlNode *node, gboolean mask_secrets)
{
	gboolean secret = mask_secrets && is_secret_element(node);

	g_string_append_c(out, '<');
	g_string_append(out, (const char *) node->name);
	for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
		g_autofree xmlChar *owned = NULL;
		const char *value = attr_value(a, &owned);

		g_string_append_c(out, ' ');
		g_string_append(out, (const char *) a->name);
		g_string_append(out, "=\"");
		if (secret && strcmp((const char *) a->name, "value") == 0 && value[0] != '\0')
			g_string_append(out, "********");
		else
			append_escaped(out, value, TRUE);
		g_string_append_c(out, '"');
	}
}

static gboolean
only_text_children(xmlNode *node)
{
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			return FALSE;
	}
	return TRUE;
}

static void
append_node(GString *out, xmlNode *node, guint depth, gboolean mask_secrets)
{
	if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
		if (node->content == NULL)
			return;
		append_indent(out, depth);
		append_escaped(out, (const char *) node->content, FALSE);
		g_string_append_c(out, '\n');
		return;
	}
	/* comments, PIs, entity references: not part of the document's data */
	if (node->type != XML_ELEMENT_NODE)
		return;

	append_indent(out, depth);
	append_start_tag(out, node, mask_secrets);
	if (node->children == NULL) {
		g_string_append(out, "/>\n");
		return;
	}
	if (only_text_children(node)) {
		g_string_append_c(out, '>');
		for (xmlNode *c = node->children; c != NULL; c = c->next) {
			if (c->content != NULL)
				append_escaped(out, (const char *) c->content, FALSE);
		}
	} else {
		g_string_append(out, ">\n");
		for (xmlNode *c = node->children; c != NULL; c = c->next)
			append_node(out, c, depth + 1, mask_secrets);
		append_indent(out, depth);
	}
	g_string_append(out, "</");
	g_string_append(out, (const char *) node->name);
	g_string_append(out, ">\n");
}

char *
omacp_xml_to_string(xmlDoc *doc, gboolean mask_secrets)
{
	GString *out = g_string_sized_new(2048);
	xmlNode *root;

	g_return_val_if_fail(doc != NULL, NULL);

	g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	root = xmlDocGetRootElement(doc);
	if (root != NULL)
		append_node(out, root, 0, mask_secrets);
	return g_string_free(out, FALSE);
}

/* ---- document tree → text, libxml2 tree → document tree ---- */

const OmacpDocNames *
omacp_doc_names(void)
{
	static OmacpDocNames n;
	static gsize once = 0;

	if (g_once_init_enter(&once)) {
		xmlDict *dict = names()->dict;
#define SHARED(field, spelled)                                                                     \
	n.field = (const char *) xmlDictExists(dict, (const xmlChar *) spelled, -1)
		SHARED(characteristic, "characteristic");
		SHARED(parm, "parm");
		SHARED(nocharacteristic, "nocharacteristic");
		SHARED(characteristic_query, "characteristic-query");
		SHARED(noparm, "noparm");
		SHARED(parm_query, "parm-query");
		SHARED(type, "type");
		SHARED(name, "name");
		SHARED(value, "value");
		SHARED(mwid, "mwid");
		SHARED(recursive, "recursive");
		SHARED(version, "version");
#undef SHARED
		g_once_init_leave(&once, 1);
	}
	return &n;
}

static const char *
doc_attr_value(const OmacpDocNode *node, const char *name, const char *shared)
{
	const OmacpDocAttr *a = omacp_doc_node_attr(node, name, shared);

	return a != NULL ? a->value : NULL;
}

/* is_secret_element() of the same node in the libxml2 tree. */
static gboolean
is_secret_doc_element(const OmacpDocNode *node)
{
	const char *type = NULL;

	if (strcmp(node->name, "parm") != 0)
		return FALSE;
	if (node->parent != NULL)
		type = doc_attr_value(node->parent, "type", omacp_doc_names()->type);
	return omacp_parm_is_secret(doc_attr_value(node, "name", omacp_doc_names()->name), type);
}

/* append_node() of the same node in the libxml2 tree. */
static void
append_doc_node(GString *out, const OmacpDocNode *node, guint depth, gboolean mask_secrets)
{
	gboolean secret;
	gboolean only_text = TRUE;

	if (node->name == NULL) {
		append_indent(out, depth);
		append_escaped(out, node->text, FALSE);
		g_string_append_c(out, '\n');
		return;
	}
	secret = mask_secrets && is_secret_doc_element(node);
	append_indent(out, depth);
	g_string_append_c(out, '<');
	g_string_append(out, node->name);
	for (const OmacpDocAttr *a = node->attrs; a != NULL; a = a->next) {
		g_string_append_c(out, ' ');
		g_string_append(out, a->name);
		g_string_append(out, "=\"");
		if (secret && strcmp(a->name, "value") == 0 && a->value[0] != '\0')
			g_string_append(out, "********");
		else
			append_escaped(out, a->value, TRUE);
		g_string_append_c(out, '"');
	}
	if (node->children == NULL) {
		g_string_append(out, "/>\n");
		return;
	}
	for (const OmacpDocNode *c = node->children; c != NULL && only_text; c = c->next)
		only_text = c->name == NULL;
	if (only_text) {
		g_string_append_c(out, '>');
		for (const OmacpDocNode *c = node->children; c != NULL; c = c->next)
			append_escaped(out, c->text, FALSE);
	} else {
		g_string_append(out, ">\n");
		for (const OmacpDocNode *c = node->children; c != NULL; c = c->next)
			append_doc_node(out, c, depth + 1, mask_secrets);
		append_indent(out, depth);
	}
	g_string_append(out, "</");
	g_string_append(out, node->name);
	g_string_append(out, ">\n");
}

char *
omacp_doc_tree_to_string(const OmacpDocTree *tree, gboolean mask_secrets)
{
	GString *out = g_string_sized_new(2048);

	g_return_val_if_fail(tree != NULL && !tree->from_xml, NULL);

	g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (tree->root != NULL)
		append_doc_node(out, tree->root, 0, mask_secrets);
	return g_string_free(out, FALSE);
}

/* The element @from (its attributes with the values xmlGetProp() gives)
 * as a new node of @tree. */
static OmacpDocNode *
doc_node_from_xml(OmacpDocTree *tree, const xmlNode *from)
{
	OmacpDocNode *node = omacp_arena_alloc(&tree->arena, sizeof *node);
	OmacpDocAttr *last = NULL;

	node->name = (const char *) from->name;
	node->origin = from;
	for (xmlAttr *a = from->properties; a != NULL; a = a->next) {
		OmacpDocAttr *attr;

		if (a->name == NULL)
			continue;
		attr = omacp_arena_alloc(&tree->arena, sizeof *attr);
		attr->name = (const char *) a->name;
		if (a->children == NULL) {
			attr->value = "";
		} else if (a->children->next == NULL &&
		           (a->children->type == XML_TEXT_NODE ||
		            a->children->type == XML_CDATA_SECTION_NODE)) {
			attr->value = (const char *) a->children->content;
		} else {
			/* entity references, DTD defaults: libxml2 decides */
			xmlChar *raw = xmlGetProp(from, a->name);

			attr->value = omacp_arena_strdup(&tree->arena, (const char *) raw);
			xmlFree(raw);
		}
		if (attr->value != NULL)
			attr->value_len = (guint32) strlen(attr->value);
		if (last == NULL)
			node->attrs = attr;
		else
			last->next = attr;
		last = attr;
	}
	return node;
}

OmacpDocTree *
omacp_doc_tree_from_xml(xmlDoc *xml)
{
	g_autoptr(OmacpDocTree) tree = doc_tree_new();
	const xmlNode *root = xml != NULL ? xmlDocGetRootElement(xml) : NULL;
	const xmlNode *from = root;
	OmacpDocNode *to;

	tree->from_xml = TRUE;
	if (root == NULL)
		return g_steal_pointer(&tree);
	tree->root = to = doc_node_from_xml(tree, root);
	/* Pre-order walk over the elements; @to is @from's node. */
	for (;;) {
		const xmlNode *next = NULL;

		for (const xmlNode *c = from->children; c != NULL && next == NULL; c = c->next) {
			if (c->type == XML_ELEMENT_NODE)
				next = c;
		}
		if (next == NULL) {
			/* the next element after @from, climbing as needed */
			while (from != root) {
				for (const xmlNode *c = from->next; c != NULL && next == NULL;
				     c = c->next) {
					if (c->type == XML_ELEMENT_NODE)
						next = c;
				}
				if (next != NULL)
					break;
				from = from->parent;
				to = to->parent;
			}
			if (next == NULL)
				break;
			to = to->parent;
		}
		from = next;
		{
			OmacpDocNode *node = doc_node_from_xml(tree, from);

			append_child(to, node);
			to = node;
		}
	}
	return g_steal_pointer(&tree);
}
