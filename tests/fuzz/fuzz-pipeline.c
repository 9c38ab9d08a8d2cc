/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The whole receive pipeline, bytes → profiles, then the decoded
 * message's document as text and as a libxml2 tree. Input layout:
 *   octet 0: format (value % 6: sms, tpdu, ud, wsp, wbxml, xml)
 *   then records: 2-octet big-endian length + that many octets, one per
 *   segment (or the one document). A short last record takes what is left.
 * Keys: one IMSI and one PIN, so that every SEC path is exercised. */
#include <glib.h>
#include <stddef.h>

#include "output.h"
#include "omacp.h"

#define MAX_RECORDS 300

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

/* The lazy document paths of @m: the text made without a libxml2 tree
 * (WBXML input) and the tree made on request. Both exist or neither, the
 * text is UTF-8 and is what the tree prints, masked or not; the text does
 * not change once the tree is made. */
static void
check_document_paths(OmacpMessage *m)
{
	g_autofree char *text = omacp_message_document_text(m, FALSE);
	g_autofree char *masked = omacp_message_document_text(m, TRUE);
	xmlDoc *xml = omacp_message_get_xml(m);

	g_assert((text == NULL) == (xml == NULL));
	g_assert((masked == NULL) == (xml == NULL));
	if (xml != NULL) {
		g_autofree char *from_tree = omacp_xml_to_string(xml, FALSE);
		g_autofree char *masked_tree = omacp_xml_to_string(xml, TRUE);
		g_autofree char *again = omacp_message_document_text(m, FALSE);

		g_assert(g_utf8_validate(text, -1, NULL));
		g_assert(g_utf8_validate(masked, -1, NULL));
		g_assert_cmpstr(text, ==, from_tree);
		g_assert_cmpstr(masked, ==, masked_tree);
		g_assert_cmpstr(again, ==, text);
		/* the tree is kept: a second call gives the same one */
		g_assert(omacp_message_get_xml(m) == xml);
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GPtrArray) inputs =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(GPtrArray) imsis = g_ptr_array_new();
	g_autoptr(GPtrArray) pins = g_ptr_array_new();
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	OmacpKeys keys = { imsis, pins };
	OmacpFormat format;
	size_t pos = 1;
	gboolean ok;

	if (size < 1)
		return 0;
	format = (OmacpFormat) (data[0] % 6);
	while (pos < size && inputs->len < MAX_RECORDS) {
		size_t len = pos + 2 <= size ? ((size_t) data[pos] << 8) | data[pos + 1] : 0;

		pos += 2;
		if (pos > size)
			break;
		if (len > size - pos)
			len = size - pos;
		g_ptr_array_add(inputs, g_bytes_new(data + pos, len));
		pos += len;
	}
	if (inputs->len == 0)
		return 0;
	g_ptr_array_add(imsis, (gpointer) "123456789012345");
	g_ptr_array_add(pins, (gpointer) "1234");

	ok = omacp_message_decode(format, inputs, &keys, &m, &error);
	g_assert((ok && m != NULL && error == NULL) || (!ok && m == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (ok) {
		/* What the daemon puts on the bus must be UTF-8. */
		for (guint i = 0; i < m->warnings->len; i++)
			g_assert(g_utf8_validate(g_ptr_array_index(m->warnings, i), -1, NULL));
		g_assert(m->content_type == NULL || g_utf8_validate(m->content_type, -1, NULL));
		g_assert(m->auth_detail == NULL || g_utf8_validate(m->auth_detail, -1, NULL));
	}
	if (ok) {
		/* What the CLI and the daemon do with a result must hold too. */
		g_autoptr(JsonNode) node = omacp_message_to_json(m, FALSE);
		g_autofree char *text = omacp_json_to_string(node, FALSE);

		g_assert(text != NULL);
	}
	if (ok)
		check_document_paths(m);
	return 0;
}
