/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: XML text → libxml2 → typed document → profiles (with the
 * mobile-broadband-provider-info check). Asserts "a result or an error",
 * UTF-8 warnings, and that every profile is complete. */
#include <glib.h>
#include <stddef.h>

#include <libxml/parser.h>

#include "omacp.h"

/* Real documents are a few kB; WBXML expands by less than 10x. */
#define FUZZ_PROVDOC_MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

/* Read once, as the daemon does; NULL when absent. */
static OmacpMbpi *
fuzz_mbpi(void)
{
	static OmacpMbpi *mbpi;
	static gboolean loaded;
	const char *path = g_getenv("OMACP_MBPI_DATABASE");
	g_autofree char *text = NULL;
	gsize len = 0;

	if (loaded)
		return mbpi;
	loaded = TRUE;
	if (g_file_get_contents(path != NULL ? path
	                                     : "/usr/share/mobile-broadband-provider-info/"
	                                       "serviceproviders.xml",
	                        &text, &len, NULL))
		mbpi = omacp_mbpi_new_from_data(text, len, NULL);
	return mbpi;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	xmlDoc *xml;
	gboolean ok;

	if (size > FUZZ_PROVDOC_MAX_INPUT)
		return 0;
	xml = xmlReadMemory((const char *) data, (int) size, "fuzz.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok = omacp_provdoc_from_xml(xml, &doc, &error);
	if (xml != NULL)
		xmlFreeDoc(xml);
	g_assert((ok && doc != NULL && error == NULL) || (!ok && doc == NULL && error != NULL));
	g_assert(error == NULL || g_utf8_validate(error->message, -1, NULL));
	if (!ok)
		return 0;
	for (guint i = 0; i < doc->warnings->len; i++)
		g_assert(g_utf8_validate(g_ptr_array_index(doc->warnings, i), -1, NULL));

	profiles = omacp_profiles_from_doc(doc, "244910123456789");
	omacp_profiles_check_mbpi(profiles, fuzz_mbpi(), "244910123456789");
	for (guint i = 0; i < profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(profiles, i);

		g_assert(p->identity != NULL && p->name != NULL && p->risks != NULL);
		g_assert(p->settings != NULL &&
		         g_variant_is_of_type(p->settings, G_VARIANT_TYPE_VARDICT));
		g_assert(p->secrets == NULL ||
		         g_variant_is_of_type(p->secrets, G_VARIANT_TYPE_VARDICT));
	}
	return 0;
}
