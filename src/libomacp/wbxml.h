/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The provisioning document as a libxml2 tree: WBXML (PROV code pages 0 and
 * 1, the late ProvCont 1.1 WLAN/APPREF/BEARERINFO tokens, MSPROV elements)
 * decoded by omacp's own decoder, XML parsed by libxml2, and the reverse
 * (XML → WBXML) for the encoder. One token table (prov-tables.c) serves
 * both directions. */

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* g_autoptr(xmlDoc): declared once here for every user of the tree. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

#define OMACP_WBXML_MAX_SIZE     (64 * 1024)  /* octets of one document */
#define OMACP_WBXML_MAX_DEPTH    16           /* element nesting */
#define OMACP_WBXML_MAX_ELEMENTS 8192         /* elements in one document */
#define OMACP_WBXML_MAX_STRING   4096         /* octets of one attribute value or text */
#define OMACP_XML_MAX_SIZE       (256 * 1024) /* octets of one XML document */

/* Warning lines one decode appends at most (then one saying more were dropped). */
#define OMACP_WBXML_MAX_WARNINGS 64

/* Decodes WBXML 1.0–1.3 into a UTF-8 libxml2 document whose root is
 * <wap-provisioningdoc>. Charsets UTF-8, US-ASCII and ISO-8859-1 are
 * converted; others are OMACP_ERROR_UNSUPPORTED. An unknown token does not
 * lose the rest of the document: it is kept under a placeholder name
 * ("x-wbxml-tag-pP-TT", "x-wbxml-attr-pP-TT", value "x-wbxml-value-pP-TT")
 * and one line per occurrence is appended to @warnings (char *) with its
 * octet offset. Structural errors and caps give OMACP_ERROR_INVALID_DOCUMENT
 * / OMACP_ERROR_TOO_LARGE / OMACP_ERROR_TRUNCATED naming the octet offset. */
gboolean omacp_wbxml_decode(const guint8 *data, gsize len, xmlDoc **out, GPtrArray *warnings,
                            GError **error);

/* Details of omacp_wbxml_decode():
 *  - placeholders: P is the code page in decimal, TT the token in upper-case
 *    hex ("x-wbxml-attr-p0-4D"); warnings read "wbxml: unknown
 *    attribute-start token 0x4D on code page 0 at octet 123";
 *  - on attribute page 1, 0x40..0x44 are the WLAN names PRI-H-SSID, S-SSID,
 *    S-U-SSID, NETMODE, SECMODE (not EXT_I_0..2, PI, LITERAL_C);
 *  - MSPROV elements are read on tag page 0 (WM2003) and 200 (WM5+);
 *  - EXT_I/EXT_T are kept as text, OPAQUE as upper-case hex text, EXT_n
 *    dropped and PIs skipped, each with a warning;
 *  - public id 0x01, another number or another string: decoded as PROV with
 *    a warning; WBXML 1.0 (no charset field) and charset 0 are read as UTF-8;
 *  - invalid UTF-8 is OMACP_ERROR_INVALID_DOCUMENT; a US-ASCII octet above
 *    0x7F and characters XML cannot carry (C0 controls, U+FFFE/U+FFFF) become
 *    U+FFFD with a warning; an ENTITY that is not an XML character is an
 *    error;
 *  - at most OMACP_WBXML_MAX_WARNINGS lines are appended, then one saying
 *    that more were dropped;
 *  - octets after the root element (other than PIs) are ignored with a
 *    warning.
 * The names in the tree live in a dictionary shared, read-only, by every
 * decoded document (so that nodes need no copy of them): treat the tree as
 * read-only, or xmlCopyDoc() it before adding nodes or attributes. */

/* Parses a text/vnd.wap.connectivity-xml document: no network, no external
 * entities or DTD loading, caps on size, depth and element count. */
gboolean omacp_xml_parse(const char *data, gsize len, xmlDoc **out, GError **error);

/* Encodes a provisioning document as WBXML 1.3, public id PROV 1.0, UTF-8:
 * tokens from the PROV tables (code pages 0 and 1 as needed, values as
 * tokens where one exists), a string table for strings used more than once,
 * names without a token as LITERAL. */
GBytes *omacp_wbxml_encode(xmlDoc *doc, GError **error);

/* Serialises the document as indented UTF-8 XML text, one element a line.
 * With @mask_secrets the values of secret parms (AUTHSECRET, PXAUTH-PW,
 * PROXY-PW, BASAUTH-PW, AAUTHSECRET, AAUTHDATA, PASSWORD, WPA-PRES-KEY-*, DATA under
 * WEPKEY) are replaced by "********". */
char *omacp_xml_to_string(xmlDoc *doc, gboolean mask_secrets);

/* TRUE when the parm @name inside a characteristic of type @parent_type
 * (may be NULL) carries a secret: passwords, shared keys, WEP/WPA keys.
 * The one list every layer (serialiser, validator, daemon) masks by. */
gboolean omacp_parm_is_secret(const char *name, const char *parent_type);

G_END_DECLS
