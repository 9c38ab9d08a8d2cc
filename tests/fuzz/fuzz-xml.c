/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text/vnd.wap.connectivity-xml path as the daemon and the encoder take
 * it: omacp_xml_parse (no network, no DTD subset, caps) → the typed document
 * → profiles, and the operator side: the same text through the encoder to a
 * USERPIN-signed push, which the receive pipeline must decode and verify
 * with that PIN. (fuzz-provdoc feeds the typed document from a plain libxml2
 * parse; this one fuzzes the hardened parser itself.) */
#include <glib.h>
#include <stddef.h>
#include <stdlib.h>

#include "omacp.h"

#define PIN "1234"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_encoded(const guint8 *data, size_t size)
{
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GPtrArray) pins = g_ptr_array_new();
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	OmacpEncodeOptions o = {
		.sec = OMACP_SEC_USERPIN,
		.pin = PIN,
		.output = OMACP_ENCODE_OUTPUT_WSP,
		.ref = 1,
		.force = FALSE,
	};
	OmacpKeys keys = { NULL, pins };
	gboolean ok;

	items = omacp_encode_document((const char *) data, size, &o, NULL, warnings, &error);
	g_assert((items != NULL) != (error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (items == NULL) {
		g_assert(error->domain == OMACP_ERROR);
		return;
	}
	g_assert(items->len == 1);
	g_ptr_array_add(pins, (gpointer) PIN);
	ok = omacp_message_decode_push(g_ptr_array_index(items, 0), &keys, &m, &error);
	if (!ok) {
		/* abort(), not g_error(): libFuzzer saves the input on SIGABRT, not
		 * on g_error()'s SIGTRAP */
		g_printerr("fuzz-xml: what the encoder made does not decode: %s\n", error->message);
		abort();
	}
	g_assert(m->sec == OMACP_SEC_USERPIN);
	g_assert(m->auth == OMACP_AUTH_VALID);
	g_assert(m->doc != NULL);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(xmlDoc) xml = NULL;
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	g_autofree char *masked = NULL;
	gboolean ok;

	ok = omacp_xml_parse((const char *) data, size, &xml, &error);
	g_assert((ok && xml != NULL && error == NULL) || (!ok && xml == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (!ok) {
		g_assert(error->domain == OMACP_ERROR);
		g_assert(g_str_has_prefix(error->message, "xml: "));
		return 0;
	}
	text = omacp_xml_to_string(xml, FALSE);
	masked = omacp_xml_to_string(xml, TRUE);
	g_assert(text != NULL && masked != NULL);

	ok = omacp_provdoc_from_xml(xml, &doc, &error);
	g_assert((ok && doc != NULL && error == NULL) || (!ok && doc == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (ok) {
		profiles = omacp_profiles_from_doc(doc, "244910123456789");
		for (guint i = 0; i < profiles->len; i++) {
			OmacpProfile *p = g_ptr_array_index(profiles, i);

			g_assert(p->identity != NULL && p->name != NULL && p->settings != NULL);
		}
	}
	check_encoded(data, size);
	return 0;
}
