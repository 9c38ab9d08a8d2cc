/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provdoc: table-driven over tests/data/provdoc/NAME.expect. Each .expect file
 * names a document (the .xml beside it, or "document: <path under
 * tests/data>") and lists what the typed document must say:
 *
 *   error: too-large | invalid-document     the build fails with that code
 *   warnings: N                             exactly N warnings
 *   warning: <text>                         this exact warning is present
 *   warning~: <text>                        some warning contains <text>
 *   top: N                                  N top-level characteristics
 *   char: <path> | <state>[, <state>...]    valid invalid known unknown
 *                                           identifier set remove query
 *   parm: <path> | <NAME> | <value|*|(flag)> | <valid|invalid|unknown|known|remove|query>
 *   get: <path> | <NAME> | <value|(none)>   omacp_characteristic_get()
 *   operation: <remove|query> | <path> | <target>[ | recursive]
 *
 * Further tests: truncations, caps, the lookup API, secrets kept out of
 * warnings. */
#include <string.h>

#include <libxml/parser.h>

#include "omacp.h"
#include "testutil.h"

static xmlDoc *
parse_xml(const char *data, gsize len)
{
	if (len > G_MAXINT)
		return NULL;
	return xmlReadMemory(data, (int) len, "doc.xml", NULL,
	                     XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
}

static OmacpProvDoc *
load_doc(const char *relative)
{
	g_autofree char *text = omacp_test_load_text(relative);
	xmlDoc *xml = parse_xml(text, strlen(text));
	g_autoptr(GError) error = NULL;
	OmacpProvDoc *doc = NULL;

	g_assert_nonnull(xml);
	g_assert_true(omacp_provdoc_from_xml(xml, &doc, &error));
	g_assert_no_error(error);
	xmlFreeDoc(xml);
	return doc;
}

static OmacpCharacteristic *
find_path_in(GPtrArray *list, const char *path)
{
	for (guint i = 0; i < list->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(list, i);
		OmacpCharacteristic *found;

		if (g_strcmp0(c->path, path) == 0)
			return c;
		found = find_path_in(c->children, path);
		if (found != NULL)
			return found;
	}
	return NULL;
}

static OmacpCharacteristic *
find_path(OmacpProvDoc *doc, const char *path)
{
	OmacpCharacteristic *c = find_path_in(doc->characteristics, path);

	if (c == NULL)
		g_error("no characteristic at %s", path);
	return c;
}

static void
assert_char_state(OmacpCharacteristic *c, const char *state)
{
	if (g_str_equal(state, "valid"))
		g_assert_true(c->valid);
	else if (g_str_equal(state, "invalid"))
		g_assert_false(c->valid);
	else if (g_str_equal(state, "known"))
		g_assert_true(c->known);
	else if (g_str_equal(state, "unknown"))
		g_assert_false(c->known);
	else if (g_str_equal(state, "identifier"))
		g_assert_true(c->identifier);
	else if (g_str_equal(state, "set"))
		g_assert_cmpint(c->op, ==, OMACP_OP_SET);
	else if (g_str_equal(state, "remove"))
		g_assert_cmpint(c->op, ==, OMACP_OP_REMOVE);
	else if (g_str_equal(state, "query"))
		g_assert_cmpint(c->op, ==, OMACP_OP_QUERY);
	else
		g_error("unknown characteristic state %s", state);
}

static OmacpParm *
find_parm(OmacpCharacteristic *c, const char *name, const char *value)
{
	for (guint i = 0; i < c->parms->len; i++) {
		OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (g_strcmp0(parm->name, name) != 0)
			continue;
		if (g_str_equal(value, "*") ||
		    (g_str_equal(value, "(flag)") && parm->value == NULL) ||
		    g_strcmp0(parm->value, value) == 0)
			return parm;
	}
	g_error("%s: no parm %s = %s", c->path, name, value);
	return NULL;
}

static void
assert_parm_state(OmacpParm *parm, const char *state)
{
	if (g_str_equal(state, "valid"))
		g_assert_true(parm->valid);
	else if (g_str_equal(state, "invalid"))
		g_assert_false(parm->valid);
	else if (g_str_equal(state, "known"))
		g_assert_true(parm->known);
	else if (g_str_equal(state, "unknown"))
		g_assert_false(parm->known);
	else if (g_str_equal(state, "remove"))
		g_assert_cmpint(parm->op, ==, OMACP_OP_REMOVE);
	else if (g_str_equal(state, "query"))
		g_assert_cmpint(parm->op, ==, OMACP_OP_QUERY);
	else
		g_error("unknown parm state %s", state);
}

static gboolean
has_warning(OmacpProvDoc *doc, const char *text, gboolean exact)
{
	for (guint i = 0; i < doc->warnings->len; i++) {
		const char *w = g_ptr_array_index(doc->warnings, i);

		if (exact ? g_str_equal(w, text) : strstr(w, text) != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
dump_warnings(OmacpProvDoc *doc)
{
	for (guint i = 0; i < doc->warnings->len; i++)
		g_test_message("warning: %s", (const char *) g_ptr_array_index(doc->warnings, i));
}

static char **
split_fields(const char *rest, guint expected_min)
{
	char **fields = g_strsplit(rest, "|", -1);

	for (guint i = 0; fields[i] != NULL; i++)
		g_strstrip(fields[i]);
	g_assert_cmpuint(g_strv_length(fields), >=, expected_min);
	return fields;
}

static void
run_expect_file(gconstpointer data)
{
	const char *expect_name = data;
	g_autofree char *expect_rel = g_build_filename("provdoc", expect_name, NULL);
	g_autofree char *expect = omacp_test_load_text(expect_rel);
	g_auto(GStrv) lines = g_strsplit(expect, "\n", -1);
	g_autofree char *document = NULL;
	g_autofree char *text = NULL;
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GError) error = NULL;
	const char *want_error = NULL;
	xmlDoc *xml;
	gboolean ok;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix(lines[i], "document:"))
			document = g_strstrip(g_strdup(lines[i] + 9));
		else if (g_str_has_prefix(lines[i], "error:"))
			want_error = g_strstrip(lines[i] + 6);
	}
	if (document == NULL) {
		g_autofree char *base = g_strndup(expect_name, strlen(expect_name) - 7);

		document = g_strdup_printf("provdoc/%s.xml", base);
	}
	text = omacp_test_load_text(document);
	xml = parse_xml(text, strlen(text));
	g_assert_nonnull(xml);
	ok = omacp_provdoc_from_xml(xml, &doc, &error);
	xmlFreeDoc(xml);

	if (want_error != NULL) {
		g_assert_false(ok);
		g_assert_null(doc);
		if (g_str_equal(want_error, "too-large"))
			g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
		else if (g_str_equal(want_error, "invalid-document"))
			g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
		else
			g_error("unknown error kind %s", want_error);
		g_assert_true(g_str_has_prefix(error->message, "provdoc: "));
		return;
	}
	g_assert_no_error(error);
	g_assert_true(ok);
	dump_warnings(doc);

	for (guint i = 0; lines[i] != NULL; i++) {
		const char *line = lines[i];

		if (*line == '#' || *line == '\0' || g_str_has_prefix(line, "document:"))
			continue;
		if (g_str_has_prefix(line, "warnings:")) {
			guint64 n = g_ascii_strtoull(line + 9, NULL, 10);

			g_assert_cmpuint(doc->warnings->len, ==, n);
		} else if (g_str_has_prefix(line, "warning:")) {
			const char *want = line + 8 + strspn(line + 8, " ");

			if (!has_warning(doc, want, TRUE))
				g_error("missing warning: %s", want);
		} else if (g_str_has_prefix(line, "warning~:")) {
			const char *want = line + 9 + strspn(line + 9, " ");

			if (!has_warning(doc, want, FALSE))
				g_error("no warning contains: %s", want);
		} else if (g_str_has_prefix(line, "top:")) {
			g_assert_cmpuint(doc->characteristics->len, ==,
			                 g_ascii_strtoull(line + 4, NULL, 10));
		} else if (g_str_has_prefix(line, "char:")) {
			g_auto(GStrv) f = split_fields(line + 5, 2);
			OmacpCharacteristic *c = find_path(doc, f[0]);
			g_auto(GStrv) states = g_strsplit(f[1], ",", -1);

			for (guint s = 0; states[s] != NULL; s++)
				assert_char_state(c, g_strstrip(states[s]));
		} else if (g_str_has_prefix(line, "parm:")) {
			g_auto(GStrv) f = split_fields(line + 5, 4);
			OmacpCharacteristic *c = find_path(doc, f[0]);
			g_auto(GStrv) states = g_strsplit(f[3], ",", -1);
			OmacpParm *parm = find_parm(c, f[1], f[2]);

			for (guint s = 0; states[s] != NULL; s++)
				assert_parm_state(parm, g_strstrip(states[s]));
		} else if (g_str_has_prefix(line, "get:")) {
			g_auto(GStrv) f = split_fields(line + 4, 3);
			OmacpCharacteristic *c = find_path(doc, f[0]);

			if (g_str_equal(f[2], "(none)"))
				g_assert_null(omacp_characteristic_get(c, f[1]));
			else
				g_assert_cmpstr(omacp_characteristic_get(c, f[1]), ==, f[2]);
		} else if (g_str_has_prefix(line, "operation:")) {
			g_auto(GStrv) f = split_fields(line + 10, 3);
			gboolean found = FALSE;

			for (guint k = 0; k < doc->operations->len; k++) {
				OmacpOperation *op = g_ptr_array_index(doc->operations, k);

				if (g_str_equal(omacp_op_to_string(op->op), f[0]) &&
				    g_strcmp0(op->path, f[1]) == 0 &&
				    g_strcmp0(op->target, f[2]) == 0 &&
				    op->recursive ==
				            (f[3] != NULL && g_str_equal(f[3], "recursive")))
					found = TRUE;
			}
			if (!found)
				g_error("missing operation %s", line);
		} else if (!g_str_has_prefix(line, "error:")) {
			g_error("%s: cannot read line %s", expect_name, line);
		}
	}
}

/* Every vector rendering builds, and warnings never quote a secret. */
static const char *const vectors[] = {
	"vectors/public/01-provcont11-appendixC.xml",
	"vectors/public/02-cht-codepage-userpin0000.xml",
	"vectors/public/04-nowsms-forum-netwpin.xml",
	"vectors/public/05-vn-mobifone-gprs-userpin1111.xml",
	"vectors/public/06-vn-vinaphone-gprs-userpin1111.xml",
	"vectors/public/07-vn-viettel-gprs-userpin1111.xml",
	"vectors/public/08-sierra-dm-bootstrap-userpin1234.xml",
	"vectors/provisioning-service/prov_beeline_2.xml",
	"vectors/provisioning-service/prov_dna_1.xml",
	"vectors/provisioning-service/prov_dna_2.xml",
	"vectors/provisioning-service/prov_moi_1.xml",
	"vectors/provisioning-service/prov_moi_2.xml",
	"vectors/provisioning-service/prov_moi_3.xml",
	"vectors/provisioning-service/prov_sonera.xml",
};

static void
test_vectors_no_secret_in_warnings(void)
{
	for (guint v = 0; v < G_N_ELEMENTS(vectors); v++) {
		g_autoptr(OmacpProvDoc) doc = load_doc(vectors[v]);
		g_autoptr(GPtrArray) secrets = g_ptr_array_new();
		g_autoptr(GPtrArray) public_values = g_ptr_array_new();

		omacp_test_collect_parm_values(doc->characteristics, secrets, public_values);
		for (guint s = 0; s < secrets->len; s++) {
			const char *secret = g_ptr_array_index(secrets, s);

			if (g_ptr_array_find_with_equal_func(public_values, secret, g_str_equal,
			                                     NULL))
				continue;
			for (guint w = 0; w < doc->warnings->len; w++)
				g_assert_null(strstr(g_ptr_array_index(doc->warnings, w), secret));
		}
	}
}

/* A secret with a vocabulary-free parm that is repeated: the warning names
 * the parm, never the value. */
static void
test_secret_not_in_warning(void)
{
	static const char xml_text[] =
	        "<wap-provisioningdoc><characteristic type=\"NAPDEF\">"
	        "<parm name=\"NAPID\" value=\"N\"/><parm name=\"NAME\" value=\"n\"/>"
	        "<parm name=\"NAP-ADDRESS\" value=\"apn\"/>"
	        "<characteristic type=\"NAPAUTHINFO\"><parm name=\"AUTHTYPE\" value=\"PAP\"/>"
	        "<parm name=\"AUTHSECRET\" value=\"hunter2\"/>"
	        "<parm name=\"AUTHSECRET\" value=\"correcthorse\"/></characteristic>"
	        "</characteristic></wap-provisioningdoc>";
	xmlDoc *xml = parse_xml(xml_text, strlen(xml_text));
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(omacp_provdoc_from_xml(xml, &doc, &error));
	xmlFreeDoc(xml);
	g_assert_true(has_warning(doc,
	                          "NAPDEF[1]/NAPAUTHINFO[1]: parm AUTHSECRET repeated; the "
	                          "first one is kept",
	                          TRUE));
	for (guint w = 0; w < doc->warnings->len; w++) {
		g_assert_null(strstr(g_ptr_array_index(doc->warnings, w), "hunter2"));
		g_assert_null(strstr(g_ptr_array_index(doc->warnings, w), "correcthorse"));
	}
}

/* Every proper prefix of every vector is either not XML (no document: the
 * builder refuses NULL with InvalidDocument) or, if libxml2 recovers a
 * tree, builds without crashing. */
static void
test_truncations(void)
{
	for (guint v = 0; v < G_N_ELEMENTS(vectors); v++) {
		g_autofree char *text = omacp_test_load_text(vectors[v]);
		gsize len = strlen(text);

		for (gsize cut = 0; cut < len; cut++) {
			xmlDoc *xml = parse_xml(text, cut);
			g_autoptr(OmacpProvDoc) doc = NULL;
			g_autoptr(GError) error = NULL;
			gboolean ok = omacp_provdoc_from_xml(xml, &doc, &error);

			if (xml == NULL) {
				g_assert_false(ok);
				g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
			} else {
				g_assert_true((ok && doc != NULL) || (!ok && error != NULL));
				xmlFreeDoc(xml);
			}
		}
	}
}

static void
test_root(void)
{
	static const char xml_text[] = "<provisioningdoc><characteristic type=\"NAPDEF\"/>"
	                               "</provisioningdoc>";
	xmlDoc *xml = parse_xml(xml_text, strlen(xml_text));
	OmacpProvDoc *doc = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(omacp_provdoc_from_xml(xml, &doc, &error));
	xmlFreeDoc(xml);
	g_assert_null(doc);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
	g_assert_nonnull(strstr(error->message, "\"provisioningdoc\""));
	g_clear_error(&error);

	g_assert_false(omacp_provdoc_from_xml(NULL, &doc, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
}

static char *
many_characteristics(guint n)
{
	GString *s = g_string_new("<wap-provisioningdoc>");

	for (guint i = 0; i < n; i++)
		g_string_append(s, "<characteristic type=\"VENDORCONFIG\"/>");
	g_string_append(s, "</wap-provisioningdoc>");
	return g_string_free(s, FALSE);
}

static char *
many_parms(guint n)
{
	GString *s = g_string_new("<wap-provisioningdoc><characteristic type=\"VENDORCONFIG\">");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "<parm name=\"P%u\" value=\"x\"/>", i);
	g_string_append(s, "</characteristic></wap-provisioningdoc>");
	return g_string_free(s, FALSE);
}

static char *
deep_characteristics(guint depth)
{
	GString *s = g_string_new("<wap-provisioningdoc>");

	for (guint i = 0; i < depth; i++)
		g_string_append(s, "<characteristic type=\"X\">");
	for (guint i = 0; i < depth; i++)
		g_string_append(s, "</characteristic>");
	g_string_append(s, "</wap-provisioningdoc>");
	return g_string_free(s, FALSE);
}

static gboolean
build_text(const char *text, GError **error)
{
	xmlDoc *xml = parse_xml(text, strlen(text));
	g_autoptr(OmacpProvDoc) doc = NULL;
	gboolean ok;

	g_assert_nonnull(xml);
	ok = omacp_provdoc_from_xml(xml, &doc, error);
	xmlFreeDoc(xml);
	g_assert_true(ok == (doc != NULL));
	return ok;
}

static void
test_caps(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *at_chars = many_characteristics(OMACP_PROVDOC_MAX_CHARACTERISTICS);
	g_autofree char *over_chars = many_characteristics(OMACP_PROVDOC_MAX_CHARACTERISTICS + 1);
	g_autofree char *at_parms = many_parms(OMACP_PROVDOC_MAX_PARMS);
	g_autofree char *over_parms = many_parms(OMACP_PROVDOC_MAX_PARMS + 1);
	g_autofree char *at_depth = deep_characteristics(OMACP_PROVDOC_MAX_DEPTH);
	g_autofree char *over_depth = deep_characteristics(OMACP_PROVDOC_MAX_DEPTH + 1);

	g_assert_true(build_text(at_chars, &error));
	g_assert_no_error(error);
	g_assert_false(build_text(over_chars, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "2048 characteristics"));
	g_clear_error(&error);

	g_assert_true(build_text(at_parms, &error));
	g_assert_no_error(error);
	g_assert_false(build_text(over_parms, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "8192 parms"));
	g_assert_nonnull(strstr(error->message, "VENDORCONFIG[1]"));
	g_clear_error(&error);

	{
		g_autoptr(GString) text = g_string_new("<wap-provisioningdoc>");
		xmlDoc *xml;
		g_autoptr(OmacpProvDoc) doc = NULL;

		for (guint i = 0; i < OMACP_PROVDOC_MAX_WARNINGS + 10; i++)
			g_string_append(text, "<junk/>");
		g_string_append(text, "</wap-provisioningdoc>");
		xml = parse_xml(text->str, text->len);
		g_assert_true(omacp_provdoc_from_xml(xml, &doc, &error));
		xmlFreeDoc(xml);
		g_assert_cmpuint(doc->warnings->len, ==, OMACP_PROVDOC_MAX_WARNINGS + 1);
		g_assert_cmpstr(g_ptr_array_index(doc->warnings, OMACP_PROVDOC_MAX_WARNINGS), ==,
		                "wap-provisioningdoc: more than 256 warnings; the rest are not "
		                "listed");
	}

	g_assert_true(build_text(at_depth, &error));
	g_assert_no_error(error);
	g_assert_false(build_text(over_depth, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "deeper than 32"));
}

static void
test_lookup_api(void)
{
	g_autoptr(OmacpProvDoc) doc = load_doc("vectors/provisioning-service/prov_sonera.xml");
	g_autoptr(OmacpProvDoc) appc = load_doc("vectors/public/01-provcont11-appendixC.xml");
	g_autoptr(GPtrArray) naps = omacp_provdoc_find_all(doc, "NAPDEF");
	g_autoptr(GPtrArray) apps = omacp_provdoc_find_all(doc, "APPLICATION");
	g_autoptr(GPtrArray) internet = omacp_provdoc_resolve_to_napid(doc, "INTERNET");
	g_autoptr(GPtrArray) none = omacp_provdoc_resolve_to_napid(doc, "nothing");
	g_autoptr(GPtrArray) appc_internet = omacp_provdoc_resolve_to_napid(appc, "INTERNET");
	OmacpCharacteristic *mms_px = omacp_provdoc_find_pxlogical(doc, "mms.gprs.dk");
	OmacpCharacteristic *nap = omacp_provdoc_find_napdef(doc, "Sonera MMS");
	OmacpCharacteristic *w4 = g_ptr_array_index(apps, 2);
	g_autoptr(GPtrArray) px_naps = NULL;
	g_autoptr(GPtrArray) w4_naps = NULL;
	g_autoptr(GPtrArray) w4_proxies = NULL;
	g_autoptr(GPtrArray) auths = NULL;
	g_autoptr(GPtrArray) to_napids = NULL;
	OmacpCharacteristic *appc_px;

	/* Sonera: four NAPDEFs, four APPLICATIONs; only "Sonera Internet" is
	 * flagged INTERNET. */
	g_assert_cmpuint(naps->len, ==, 4);
	g_assert_cmpuint(apps->len, ==, 4);
	g_assert_cmpuint(internet->len, ==, 1);
	g_assert_cmpstr(omacp_characteristic_get(g_ptr_array_index(internet, 0), "NAPID"), ==,
	                "Sonera Internet");
	g_assert_cmpuint(none->len, ==, 0);
	g_assert_nonnull(mms_px);
	g_assert_nonnull(nap);
	g_assert_cmpstr(nap->path, ==, "NAPDEF[3]");
	px_naps = omacp_provdoc_pxlogical_napdefs(doc, mms_px);
	g_assert_cmpuint(px_naps->len, ==, 1);
	g_assert_true(g_ptr_array_index(px_naps, 0) == nap);

	g_assert_cmpstr(omacp_characteristic_get(w4, "APPID"), ==, "w4");
	g_assert_false(omacp_provdoc_app_is_unlinked(w4));
	w4_naps = omacp_provdoc_app_napdefs(doc, w4);
	g_assert_cmpuint(w4_naps->len, ==, 1);
	g_assert_true(g_ptr_array_index(w4_naps, 0) == nap);
	w4_proxies = omacp_provdoc_app_pxlogicals(doc, w4);
	g_assert_cmpuint(w4_proxies->len, ==, 1);
	g_assert_true(g_ptr_array_index(w4_proxies, 0) == mms_px);

	auths = omacp_characteristic_children(nap, "NAPAUTHINFO");
	g_assert_cmpuint(auths->len, ==, 1);
	g_assert_cmpstr(omacp_characteristic_get(g_ptr_array_index(auths, 0), "AUTHTYPE"), ==,
	                "PAP");
	g_assert_true(omacp_characteristic_has(g_ptr_array_index(naps, 1), "INTERNET"));
	g_assert_null(omacp_characteristic_get(g_ptr_array_index(naps, 1), "INTERNET"));
	g_assert_false(omacp_characteristic_has(nap, "INTERNET"));
	g_assert_null(omacp_provdoc_find_appref(doc, "x"));

	/* Appendix C: INTERNET designates no NAPDEF of this document (NAP1 has
	 * no INTERNET flag), but the TO-NAPID is kept like cpclient does. */
	g_assert_cmpuint(appc_internet->len, ==, 0);
	appc_px = omacp_provdoc_find_pxlogical(appc, "170.187.51.4");
	g_assert_nonnull(appc_px);
	{
		g_autoptr(GPtrArray) phys = omacp_characteristic_children(appc_px, "PXPHYSICAL");

		g_assert_cmpuint(phys->len, ==, 1);
		to_napids = omacp_characteristic_get_all(g_ptr_array_index(phys, 0), "TO-NAPID");
		g_assert_cmpuint(to_napids->len, ==, 2);
		g_assert_cmpstr(g_ptr_array_index(to_napids, 0), ==, "INTERNET");
		g_assert_cmpstr(g_ptr_array_index(to_napids, 1), ==, "NAP1");
	}
	g_assert_cmpstr(appc->version, ==, "1.0");
}

static void
test_op_strings(void)
{
	g_assert_cmpstr(omacp_op_to_string(OMACP_OP_SET), ==, "set");
	g_assert_cmpstr(omacp_op_to_string(OMACP_OP_REMOVE), ==, "remove");
	g_assert_cmpstr(omacp_op_to_string(OMACP_OP_QUERY), ==, "query");
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) names = NULL;

	g_test_init(&argc, &argv, NULL);
	names = omacp_test_list_data_files("provdoc", ".expect");
	for (guint i = 0; i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);
		g_autofree char *test_name = g_strdup_printf("/provdoc/expect/%s", n);

		g_test_add_data_func(test_name, n, run_expect_file);
	}
	g_test_add_func("/provdoc/vectors-no-secret-in-warnings",
	                test_vectors_no_secret_in_warnings);
	g_test_add_func("/provdoc/secret-not-in-warning", test_secret_not_in_warning);
	g_test_add_func("/provdoc/truncations", test_truncations);
	g_test_add_func("/provdoc/root", test_root);
	g_test_add_func("/provdoc/op-strings", test_op_strings);
	g_test_add_func("/provdoc/caps", test_caps);
	g_test_add_func("/provdoc/lookup-api", test_lookup_api);
	return g_test_run();
}
