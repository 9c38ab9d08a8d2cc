/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WBXML decoder, printer and encoder: any input decodes or fails with an
 * error; a decoded tree prints and encodes; what the encoder writes decodes
 * again and re-encodes to the same octets (the encoder is a fixed point
 * after one round); errors and warnings are UTF-8 whatever the input. */
#include <glib.h>
#include <stddef.h>

#include "omacp.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(xmlDoc) doc = NULL;
	g_autoptr(xmlDoc) again = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) encoded = NULL;
	g_autoptr(GBytes) reencoded = NULL;
	g_autofree char *text = NULL;
	g_autofree char *masked = NULL;
	gboolean ok;
	gsize len;
	const guint8 *enc;

	ok = omacp_wbxml_decode(data, size, &doc, warnings, &error);
	g_assert((ok && doc) || (!ok && error && !doc));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	g_assert(warnings->len <= OMACP_WBXML_MAX_WARNINGS + 1);
	/* warnings reach the bus and the logs: UTF-8 text, whatever the input */
	for (guint i = 0; i < warnings->len; i++)
		g_assert(g_utf8_validate(g_ptr_array_index(warnings, i), -1, NULL));
	if (!ok)
		return 0;

	text = omacp_xml_to_string(doc, FALSE);
	masked = omacp_xml_to_string(doc, TRUE);
	g_assert(text != NULL && masked != NULL);

	encoded = omacp_wbxml_encode(doc, &error);
	g_assert((encoded != NULL) != (error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (encoded == NULL)
		return 0; /* e.g. spelled-out late tokens beyond the size cap */

	enc = g_bytes_get_data(encoded, &len);
	ok = omacp_wbxml_decode(enc, len, &again, NULL, &error);
	g_assert(ok && again != NULL);
	reencoded = omacp_wbxml_encode(again, &error);
	g_assert(reencoded != NULL && g_bytes_equal(encoded, reencoded));
	return 0;
}
