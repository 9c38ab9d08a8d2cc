/* SPDX-License-Identifier: GPL-2.0-or-later */
/* profiles: table-driven over tests/data/provdoc/profiles/NAME.ini (GKeyFile).
 *
 *   [document]
 *   path=<document under tests/data>
 *   count=<number of profiles>
 *
 *   [<identity>]            one group per expected profile
 *   kind=internet|mms|...   op=set|remove (default set)   name=<name>
 *   risks=<exact number of risks>
 *   risk=<text>;<text>      each text is contained in some risk
 *   absent=<key>;<key>      settings that must not be there
 *   secrets=<key>;<key>     exact set of secret keys (empty: no secrets)
 *   <setting>=<value>       every other key is a setting: strings as is,
 *                           booleans true/false, numbers in decimal,
 *                           anything else as g_variant_print() shows it
 *
 * Further tests: no secret ever appears in settings, names, identities or
 * risks; mobile-broadband-provider-info checks; kind strings. */
#include <string.h>

#include <libxml/parser.h>

#include "omacp.h"
#include "testutil.h"

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

static OmacpProvDoc *
load_doc(const char *relative)
{
	g_autofree char *text = omacp_test_load_text(relative);
	xmlDoc *xml = xmlReadMemory(text, (int) strlen(text), "doc.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	g_autoptr(GError) error = NULL;
	OmacpProvDoc *doc = NULL;

	g_assert_nonnull(xml);
	g_assert_true(omacp_provdoc_from_xml(xml, &doc, &error));
	g_assert_no_error(error);
	xmlFreeDoc(xml);
	return doc;
}

static OmacpProfile *
find_profile(GPtrArray *profiles, const char *identity)
{
	for (guint i = 0; i < profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(profiles, i);

		if (g_strcmp0(p->identity, identity) == 0)
			return p;
	}
	return NULL;
}

static OmacpProfile *
must_find(GPtrArray *profiles, const char *identity)
{
	OmacpProfile *p = find_profile(profiles, identity);

	if (p == NULL)
		g_error("no profile %s", identity);
	return p;
}

static char *
setting_text(GVariant *value)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return g_variant_dup_string(value, NULL);
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(value) ? "true" : "false");
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		return g_strdup_printf("%u", g_variant_get_uint32(value));
	return g_variant_print(value, FALSE);
}

static void
dump_profiles(GPtrArray *profiles)
{
	for (guint i = 0; i < profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(profiles, i);
		g_autofree char *settings = g_variant_print(p->settings, FALSE);

		g_test_message("profile %s (%s) %s", p->identity, p->name, settings);
		for (guint r = 0; r < p->risks->len; r++)
			g_test_message("  risk: %s", (const char *) g_ptr_array_index(p->risks, r));
	}
}

static void
check_profile(GKeyFile *kf, const char *group, OmacpProfile *p)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	g_assert_nonnull(p);
	g_assert_nonnull(p->settings);
	g_assert_true(g_variant_is_of_type(p->settings, G_VARIANT_TYPE_VARDICT));
	g_assert_false(g_variant_is_floating(p->settings));
	g_assert_nonnull(p->name);
	g_assert_cmpint(p->op, ==, OMACP_OP_SET);
	for (guint k = 0; keys[k] != NULL; k++) {
		const char *key = keys[k];
		g_autofree char *want = g_key_file_get_value(kf, group, key, NULL);

		if (g_str_equal(key, "kind")) {
			g_assert_cmpstr(omacp_profile_kind_to_string(p->kind), ==, want);
		} else if (g_str_equal(key, "op")) {
			continue;
		} else if (g_str_equal(key, "name")) {
			g_assert_cmpstr(p->name, ==, want);
		} else if (g_str_equal(key, "risks")) {
			g_assert_cmpuint(p->risks->len, ==, g_ascii_strtoull(want, NULL, 10));
		} else if (g_str_equal(key, "risk")) {
			g_auto(GStrv) texts = g_strsplit(want, ";", -1);

			for (guint t = 0; texts[t] != NULL; t++) {
				gboolean found = FALSE;

				for (guint r = 0; r < p->risks->len; r++)
					found |= strstr(g_ptr_array_index(p->risks, r), texts[t]) !=
					         NULL;
				if (!found)
					g_error("%s: no risk contains \"%s\"", group, texts[t]);
			}
		} else if (g_str_equal(key, "absent")) {
			g_auto(GStrv) names = g_strsplit(want, ";", -1);

			for (guint t = 0; names[t] != NULL; t++) {
				g_autoptr(GVariant) v =
				        g_variant_lookup_value(p->settings, names[t], NULL);

				if (v != NULL)
					g_error("%s: setting %s should be absent", group, names[t]);
			}
		} else if (g_str_equal(key, "secrets")) {
			g_autoptr(GPtrArray) have = g_ptr_array_new_with_free_func(g_free);
			g_autofree char *joined = NULL;

			if (p->secrets != NULL) {
				GVariantIter iter;
				const char *name;
				GVariant *value;

				g_variant_iter_init(&iter, p->secrets);
				while (g_variant_iter_loop(&iter, "{&sv}", &name, &value))
					g_ptr_array_add(have, g_strdup(name));
			}
			g_ptr_array_sort(have, compare_names);
			g_ptr_array_add(have, NULL);
			joined = g_strjoinv(";", (char **) have->pdata);
			g_assert_cmpstr(joined, ==, want);
			if (*want == '\0')
				g_assert_null(p->secrets);
		} else {
			g_autoptr(GVariant) v = g_variant_lookup_value(p->settings, key, NULL);
			g_autofree char *text = NULL;

			if (v == NULL)
				g_error("%s: setting %s missing", group, key);
			text = setting_text(v);
			if (g_strcmp0(text, want) != 0)
				g_error("%s: setting %s is \"%s\", expected \"%s\"", group, key,
				        text, want);
		}
	}
}

static void
run_ini(gconstpointer data)
{
	const char *rel = data; /* under tests/data */
	g_autofree char *path = omacp_test_path(rel);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *doc_path = NULL;
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	g_auto(GStrv) groups = NULL;
	g_autoptr(GPtrArray) warnings = NULL;
	guint64 count;

	g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error));
	g_assert_no_error(error);
	doc_path = g_key_file_get_string(kf, "document", "path", &error);
	g_assert_no_error(error);
	count = g_key_file_get_uint64(kf, "document", "count", &error);
	g_assert_no_error(error);

	doc = load_doc(doc_path);
	warnings = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < doc->warnings->len; i++)
		g_ptr_array_add(warnings, g_strdup(g_ptr_array_index(doc->warnings, i)));
	profiles = omacp_profiles_derive(doc, "001010123456789", warnings);
	dump_profiles(profiles);
	for (guint i = 0; i < warnings->len; i++)
		g_test_message("warning: %s", (const char *) g_ptr_array_index(warnings, i));
	g_assert_cmpuint(profiles->len, ==, count);
	/* [document] warning=<text>;<text>: each contained in some warning of
	 * the document or the profiles; no-warning=<text>: in none. */
	for (guint w = 0; w < 2; w++) {
		g_autofree char *want = g_key_file_get_value(
		        kf, "document", w == 0 ? "warning" : "no-warning", NULL);
		g_auto(GStrv) texts = want != NULL ? g_strsplit(want, ";", -1) : NULL;

		for (guint t = 0; texts != NULL && texts[t] != NULL; t++) {
			gboolean found = FALSE;

			for (guint i = 0; i < warnings->len; i++)
				found |= strstr(g_ptr_array_index(warnings, i), texts[t]) != NULL;
			if (found != (w == 0))
				g_error("%s: %s warning contains \"%s\"", rel, w == 0 ? "no" : "a",
				        texts[t]);
		}
	}

	groups = g_key_file_get_groups(kf, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		OmacpProfile *p;
		g_autofree char *op = NULL;

		if (g_str_equal(groups[i], "document"))
			continue;
		p = find_profile(profiles, groups[i]);
		if (p == NULL)
			g_error("%s: no profile %s", rel, groups[i]);
		g_assert_cmpstr(p->imsi, ==, "001010123456789");
		op = g_key_file_get_string(kf, groups[i], "op", NULL);
		if (g_strcmp0(op, "remove") == 0) {
			g_autofree char *kind = g_key_file_get_value(kf, groups[i], "kind", NULL);

			g_assert_cmpint(p->op, ==, OMACP_OP_REMOVE);
			g_assert_nonnull(p->settings);
			g_assert_cmpuint(p->risks->len, ==, 0);
			g_assert_cmpstr(omacp_profile_kind_to_string(p->kind), ==, kind);
			continue;
		}
		check_profile(kf, groups[i], p);
	}
	/* Identities are unique within a document. */
	for (guint i = 0; i < profiles->len; i++) {
		for (guint j = i + 1; j < profiles->len; j++)
			g_assert_cmpstr(
			        ((OmacpProfile *) g_ptr_array_index(profiles, i))->identity, !=,
			        ((OmacpProfile *) g_ptr_array_index(profiles, j))->identity);
	}
}

/* ------------------------------------------------------------------------ */
/* Secrets never leave ->secrets */

static void
collect_strings(GVariant *value, GPtrArray *out)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		g_ptr_array_add(out, g_variant_dup_string(value, NULL));
	} else if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(value);

		collect_strings(inner, out);
	} else if (g_variant_is_container(value)) {
		gsize n = g_variant_n_children(value);

		for (gsize i = 0; i < n; i++) {
			g_autoptr(GVariant) child = g_variant_get_child_value(value, i);

			collect_strings(child, out);
		}
	}
}

static const char *const documents[] = {
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
	"provdoc/apps.xml",
	"provdoc/napdefs.xml",
	"provdoc/links.xml",
	"provdoc/wlan.xml",
	"provdoc/msprov.xml",
	"provdoc/vocab.xml",
};

static void
test_no_secrets_in_settings(void)
{
	guint checked = 0;

	for (guint d = 0; d < G_N_ELEMENTS(documents); d++) {
		g_autoptr(OmacpProvDoc) doc = load_doc(documents[d]);
		g_autoptr(GPtrArray) profiles = omacp_profiles_from_doc(doc, NULL);
		g_autoptr(GPtrArray) secrets = g_ptr_array_new();
		g_autoptr(GPtrArray) public_values = g_ptr_array_new();
		g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GPtrArray) secret_strings = g_ptr_array_new_with_free_func(g_free);

		omacp_test_collect_parm_values(doc->characteristics, secrets, public_values);
		for (guint i = 0; i < profiles->len; i++) {
			OmacpProfile *p = g_ptr_array_index(profiles, i);

			collect_strings(p->settings, shown);
			g_ptr_array_add(shown, g_strdup(p->identity));
			g_ptr_array_add(shown, g_strdup(p->name));
			for (guint r = 0; r < p->risks->len; r++)
				g_ptr_array_add(shown, g_strdup(g_ptr_array_index(p->risks, r)));
			if (p->secrets != NULL) {
				GVariantIter iter;
				const char *key;
				GVariant *value;

				g_variant_iter_init(&iter, p->secrets);
				while (g_variant_iter_loop(&iter, "{&sv}", &key, &value))
					collect_strings(value, secret_strings);
			}
		}
		for (guint s = 0; s < secrets->len; s++) {
			const char *secret = g_ptr_array_index(secrets, s);

			/* A value that is also a username ("mms"/"mms") is public. */
			if (g_ptr_array_find_with_equal_func(public_values, secret, g_str_equal,
			                                     NULL))
				continue;
			for (guint v = 0; v < shown->len; v++) {
				if (strstr(g_ptr_array_index(shown, v), secret) != NULL)
					g_error("%s: secret shows in \"%s\"", documents[d],
					        (const char *) g_ptr_array_index(shown, v));
			}
			checked++;
		}
		/* Whatever is in ->secrets came from a secret parm. */
		for (guint v = 0; v < secret_strings->len; v++)
			g_assert_true(g_ptr_array_find_with_equal_func(
			        secrets, g_ptr_array_index(secret_strings, v), g_str_equal, NULL));
	}
	g_assert_cmpuint(checked, >, 10);
}

/* ------------------------------------------------------------------------ */
/* mobile-broadband-provider-info */

static char *
mbpi_path(void)
{
	const char *env = g_getenv("OMACP_MBPI_DATABASE");

	/* The build's path, else the Debian/Fedora location. */
	if (env != NULL && g_file_test(env, G_FILE_TEST_EXISTS))
		return g_strdup(env);
	return g_strdup("/usr/share/mobile-broadband-provider-info/serviceproviders.xml");
}

/* The database as the callers load it: read once, parsed from memory. */
static OmacpMbpi *
load_mbpi(const char *path)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	OmacpMbpi *mbpi;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return NULL;
	mbpi = omacp_mbpi_new_from_data(data, len, &error);
	g_assert_no_error(error);
	g_assert_nonnull(mbpi);
	return mbpi;
}

static guint
count_risks_containing(OmacpProfile *p, const char *text)
{
	guint n = 0;

	for (guint r = 0; r < p->risks->len; r++)
		n += strstr(g_ptr_array_index(p->risks, r), text) != NULL;
	return n;
}

static void
test_mbpi_sonera(void)
{
	g_autofree char *path = mbpi_path();
	g_autoptr(OmacpMbpi) db = load_mbpi(path);
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	OmacpProfile *internet, *wap, *mms, *browser;

	if (db == NULL) {
		g_test_skip("mobile-broadband-provider-info is not installed");
		return;
	}
	doc = load_doc("vectors/provisioning-service/prov_sonera.xml");
	/* 244 91 is Telia (ex-Sonera), Finland; its database entry lists the
	 * APNs internet, opengate, prointernet and telefinland. */
	profiles = omacp_profiles_from_doc(doc, "244910123456789");
	internet = must_find(profiles, "internet:Sonera Internet");
	wap = must_find(profiles, "internet:Sonera WAP");
	mms = must_find(profiles, "mms:Sonera MMS");
	browser = must_find(profiles, "browser:Sonera WAP");
	{
		guint before_internet = internet->risks->len;
		guint before_wap = wap->risks->len;
		guint before_mms = mms->risks->len;
		guint before_browser = browser->risks->len;

		omacp_profiles_check_mbpi(profiles, db, "244910123456789");
		/* APN "internet" is listed: nothing added. */
		g_assert_cmpuint(internet->risks->len, ==, before_internet);
		/* wap.sonera.net is not. */
		g_assert_cmpuint(wap->risks->len, ==, before_wap + 1);
		g_assert_cmpuint(count_risks_containing(wap, "APN wap.sonera.net is not listed for "
		                                             "Telia (MCC 244, MNC 91)"),
		                 ==, 1);
		g_assert_cmpuint(count_risks_containing(wap, "internet, opengate, prointernet, "
		                                             "telefinland"),
		                 ==, 1);
		/* The MMS APN is not listed either; its MMSC is on sonera's
		 * domain like the database's mms.sonera.net: no MMSC risk. */
		g_assert_cmpuint(mms->risks->len, ==, before_mms + 1);
		g_assert_cmpuint(count_risks_containing(mms, "APN wap.sonera.net"), ==, 1);
		g_assert_cmpuint(count_risks_containing(mms, "MMS server"), ==, 0);
		/* Only internet/mms profiles are compared. */
		g_assert_cmpuint(browser->risks->len, ==, before_browser);
	}
}

static void
test_mbpi_three_digit_mnc(void)
{
	g_autofree char *path = mbpi_path();
	g_autoptr(OmacpMbpi) db = load_mbpi(path);
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	OmacpProfile *p;

	if (db == NULL) {
		g_test_skip("mobile-broadband-provider-info is not installed");
		return;
	}
	/* 302 220 (three-digit MNC) is Telus Mobility in Canada; NowSMS's
	 * test APN "test2" is not one of Telus's. */
	doc = load_doc("vectors/public/04-nowsms-forum-netwpin.xml");
	profiles = omacp_profiles_from_doc(doc, "302220123456789");
	p = must_find(profiles, "internet:test1_NAPID");
	g_assert_cmpuint(p->risks->len, ==, 0);
	omacp_profiles_check_mbpi(profiles, db, "302220123456789");
	g_assert_cmpuint(p->risks->len, ==, 1);
	g_assert_cmpuint(count_risks_containing(p, "APN test2 is not listed for Telus Mobility"),
	                 ==, 1);
	g_assert_cmpuint(count_risks_containing(p, "(MCC 302, MNC 220)"), ==, 1);
	g_assert_cmpuint(count_risks_containing(p, "isp.telus.com"), ==, 1);
}

static void
test_mbpi_no_entry(void)
{
	g_autofree char *path = mbpi_path();
	g_autoptr(OmacpMbpi) db = load_mbpi(path);
	g_autoptr(OmacpProvDoc) doc = load_doc("vectors/public/04-nowsms-forum-netwpin.xml");
	g_autoptr(GPtrArray) profiles = omacp_profiles_from_doc(doc, NULL);
	OmacpProfile *p = must_find(profiles, "internet:test1_NAPID");
	/* 001 01 is the test network: not in the database. */
	omacp_profiles_check_mbpi(profiles, db, "001010123456789");
	omacp_profiles_check_mbpi(profiles, db, NULL);
	omacp_profiles_check_mbpi(profiles, db, "24491x0123");
	omacp_profiles_check_mbpi(profiles, NULL, "244910123456789");
	g_assert_cmpuint(p->risks->len, ==, 0);
}

/* The loader alone, from octets: networks by MCC and MNC as written, an
 * unknown root is an empty database, malformed XML an error. */
static void
test_mbpi_from_data(void)
{
	static const char db[] =
	        "<serviceproviders format=\"2.0\"><country code=\"fi\">"
	        "<provider><name>Example</name><gsm><network-id mcc=\"244\" mnc=\"91\"/>"
	        "<network-id mcc=\"244\" mnc=\"911\"/>"
	        "<apn value=\"internet\"><mmsc>http://mms.example.fi</mmsc></apn>"
	        "<apn value=\"mms\"/></gsm></provider></country></serviceproviders>";
	g_autoptr(OmacpMbpi) mbpi = NULL;
	g_autoptr(OmacpMbpi) other = NULL;
	g_autoptr(OmacpMbpi) bad = NULL;
	g_autoptr(OmacpProvDoc) doc = load_doc("vectors/public/04-nowsms-forum-netwpin.xml");
	g_autoptr(GPtrArray) profiles = omacp_profiles_from_doc(doc, "244910123456789");
	g_autoptr(GError) error = NULL;
	OmacpProfile *p = must_find(profiles, "internet:test1_NAPID");

	mbpi = omacp_mbpi_new_from_data(db, sizeof db - 1, &error);
	g_assert_no_error(error);
	g_assert_true(omacp_mbpi_has_network(mbpi, "244", "91"));
	g_assert_true(omacp_mbpi_has_network(mbpi, "244", "911"));
	g_assert_false(omacp_mbpi_has_network(mbpi, "244", "9"));
	g_assert_false(omacp_mbpi_has_network(mbpi, "245", "91"));
	/* 244 911 (three digits first): APN test2 is not internet or mms. */
	omacp_profiles_check_mbpi(profiles, mbpi, "244911123456789");
	g_assert_cmpuint(count_risks_containing(p, "APN test2 is not listed for Example (MCC 244, "
	                                           "MNC 911) in mobile-broadband-provider-info, "
	                                           "which lists: internet, mms"),
	                 ==, 1);

	other = omacp_mbpi_new_from_data("<other/>", 8, &error);
	g_assert_no_error(error);
	g_assert_false(omacp_mbpi_has_network(other, "244", "91"));

	bad = omacp_mbpi_new_from_data("<serviceproviders>", 18, &error);
	g_assert_null(bad);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
}

/* Documents at the caps, shaped to make naive link walking quadratic or
 * cubic: they must still be handled in well under a second or two. */
static OmacpProvDoc *
doc_from_string(const char *text)
{
	xmlDoc *xml = xmlReadMemory(text, (int) strlen(text), "doc.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_HUGE);
	g_autoptr(GError) error = NULL;
	OmacpProvDoc *doc = NULL;

	g_assert_nonnull(xml);
	g_assert_true(omacp_provdoc_from_xml(xml, &doc, &error));
	g_assert_no_error(error);
	xmlFreeDoc(xml);
	return doc;
}

/* Internet profiles of one name: every later one is named after its NAPID
 * too, with more names than profiles.c compares in turn before it keeps
 * them in a set: twelve names, each used twice. */
static void
test_same_names(void)
{
	const guint names = 12;
	g_autoptr(GString) text = g_string_new("<wap-provisioningdoc>");
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;

	for (guint i = 0; i < 2 * names; i++)
		g_string_append_printf(text,
		                       "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" "
		                       "value=\"N%u\"/><parm name=\"NAME\" value=\"Name%u\"/><parm "
		                       "name=\"NAP-ADDRESS\" value=\"apn%u\"/><parm "
		                       "name=\"INTERNET\"/></characteristic>",
		                       i, i % names, i);
	g_string_append(text, "</wap-provisioningdoc>");
	doc = doc_from_string(text->str);
	profiles = omacp_profiles_from_doc(doc, NULL);
	g_assert_cmpuint(profiles->len, ==, 2 * names);
	for (guint i = 0; i < 2 * names; i++) {
		const OmacpProfile *p = g_ptr_array_index(profiles, i);
		g_autofree char *identity = g_strdup_printf("internet:N%u", i);
		g_autofree char *expected = i < names
		                                    ? g_strdup_printf("Name%u", i)
		                                    : g_strdup_printf("Name%u (N%u)", i - names, i);

		g_assert_cmpstr(p->identity, ==, identity);
		g_assert_cmpstr(p->name, ==, expected);
	}
}

/* N applications with TO-NAPID INTERNET and N NAPDEFs flagged
 * INTERNET. The INTERNET set is worked out once per document (one link
 * stands for it); this checks the result at N=900 (the bench measures the
 * time). */
static void
test_internet_applications(void)
{
	const guint n = 900;
	g_autofree char *text = omacp_test_internet_links_xml(n);
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	g_autoptr(GPtrArray) apps = NULL;
	g_autoptr(GPtrArray) naps = NULL;
	const GPtrArray *links;
	OmacpBinding source;
	guint n_internet = 0;
	guint n_browser = 0;

	doc = doc_from_string(text);
	g_assert_cmpuint(doc->warnings->len, ==, 0);

	apps = omacp_provdoc_find_all(doc, "APPLICATION");
	g_assert_cmpuint(apps->len, ==, n);
	/* One link stands for the whole INTERNET set ... */
	links = omacp_provdoc_app_links(doc, g_ptr_array_index(apps, n - 1), &source);
	g_assert_nonnull(links);
	g_assert_cmpuint(links->len, ==, 1);
	g_assert_cmpint(source, ==, OMACP_BINDING_LINKS);
	g_assert_null(((const OmacpLink *) g_ptr_array_index(links, 0))->napdef);
	/* ... which the lookup API still expands, in document order. */
	naps = omacp_provdoc_app_napdefs(doc, g_ptr_array_index(apps, n - 1));
	g_assert_cmpuint(naps->len, ==, n);
	g_assert_cmpstr(omacp_characteristic_get(g_ptr_array_index(naps, n - 1), "NAPID"), ==,
	                "N899");

	profiles = omacp_profiles_from_doc(doc, NULL);
	g_assert_cmpuint(profiles->len, ==, 2 * n);
	for (guint i = 0; i < profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(profiles, i);
		const char *napid = NULL;

		g_assert_true(g_variant_lookup(p->settings, "napid", "&s", &napid));
		if (p->kind == OMACP_PROFILE_INTERNET) {
			g_autofree char *want = g_strdup_printf("internet:N%u", n_internet);

			g_assert_cmpstr(p->identity, ==, want);
			g_assert_cmpstr(napid, ==, want + strlen("internet:"));
			n_internet++;
		} else {
			g_assert_cmpint(p->kind, ==, OMACP_PROFILE_BROWSER);
			/* the first INTERNET NAPDEF */
			g_assert_cmpstr(napid, ==, "N0");
			n_browser++;
		}
	}
	g_assert_cmpuint(n_internet, ==, n);
	g_assert_cmpuint(n_browser, ==, n);
}

static void
test_large_documents(void)
{
	g_autoptr(GString) many_proxies = g_string_new("<wap-provisioningdoc>");
	g_autoptr(GString) many_to_napid = g_string_new("<wap-provisioningdoc>");
	g_autoptr(GString) many_mms = g_string_new("<wap-provisioningdoc>");
	g_autoptr(OmacpProvDoc) doc1 = NULL;
	g_autoptr(OmacpProvDoc) doc2 = NULL;
	g_autoptr(OmacpProvDoc) doc3 = NULL;
	g_autoptr(GPtrArray) p1 = NULL;
	g_autoptr(GPtrArray) p2 = NULL;
	g_autoptr(GPtrArray) p3 = NULL;

	g_test_timer_start();
	/* 680 INTERNET NAPDEFs, 680 proxies all pointing at TO-NAPID INTERNET. */
	for (guint i = 0; i < 680; i++)
		g_string_append_printf(many_proxies,
		                       "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" "
		                       "value=\"N%u\"/><parm name=\"NAME\" value=\"n\"/><parm "
		                       "name=\"NAP-ADDRESS\" value=\"apn%u\"/><parm "
		                       "name=\"NAP-ADDRTYPE\" value=\"APN\"/><parm "
		                       "name=\"INTERNET\"/></characteristic>"
		                       "<characteristic type=\"PXLOGICAL\"><parm name=\"PROXY-ID\" "
		                       "value=\"P%u\"/><parm name=\"NAME\" value=\"p\"/>"
		                       "<characteristic type=\"PXPHYSICAL\"><parm "
		                       "name=\"PXADDR\" value=\"10.0.%u.%u\"/><parm "
		                       "name=\"TO-NAPID\" value=\"INTERNET\"/>"
		                       "</characteristic></characteristic>",
		                       i, i, i, i / 256, i % 256);
	g_string_append(many_proxies, "</wap-provisioningdoc>");
	doc1 = doc_from_string(many_proxies->str);
	p1 = omacp_profiles_from_doc(doc1, NULL);
	g_assert_cmpuint(p1->len, ==, 680);
	g_assert_cmpuint(((OmacpProfile *) g_ptr_array_index(p1, 679))->kind, ==,
	                 OMACP_PROFILE_INTERNET);
	g_assert_cmpuint(((OmacpProfile *) g_ptr_array_index(p1, 679))->risks->len, ==, 1);

	/* One PXPHYSICAL with 6800 TO-NAPID INTERNET, 250 INTERNET NAPDEFs. */
	g_string_append(many_to_napid, "<characteristic type=\"PXLOGICAL\"><parm "
	                               "name=\"PROXY-ID\" value=\"P\"/><parm name=\"NAME\" "
	                               "value=\"p\"/><characteristic type=\"PXPHYSICAL\"><parm "
	                               "name=\"PXADDR\" value=\"10.0.0.1\"/>");
	for (guint i = 0; i < 6800; i++)
		g_string_append(many_to_napid, "<parm name=\"TO-NAPID\" value=\"INTERNET\"/>");
	g_string_append(many_to_napid, "</characteristic></characteristic>");
	for (guint i = 0; i < 250; i++)
		g_string_append_printf(many_to_napid,
		                       "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" "
		                       "value=\"N%u\"/><parm name=\"NAME\" value=\"n\"/><parm "
		                       "name=\"NAP-ADDRESS\" value=\"a\"/><parm "
		                       "name=\"NAP-ADDRTYPE\" value=\"APN\"/><parm "
		                       "name=\"INTERNET\"/></characteristic>",
		                       i);
	g_string_append(many_to_napid, "</wap-provisioningdoc>");
	doc2 = doc_from_string(many_to_napid->str);
	p2 = omacp_profiles_from_doc(doc2, NULL);
	g_assert_cmpuint(p2->len, ==, 250);
	g_assert_cmpuint(((OmacpProfile *) g_ptr_array_index(p2, 249))->risks->len, ==, 1);

	/* 2000 w4s with MMSCs on 2000 different domains, one access point. */
	g_string_append(many_mms, "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" "
	                          "value=\"M\"/><parm name=\"NAP-ADDRESS\" value=\"mms\"/>"
	                          "</characteristic>");
	for (guint i = 0; i < 2000; i++)
		g_string_append_printf(many_mms,
		                       "<characteristic type=\"APPLICATION\"><parm name=\"APPID\" "
		                       "value=\"w4\"/><parm name=\"NAME\" value=\"m%u\"/><parm "
		                       "name=\"TO-NAPID\" value=\"M\"/><parm "
		                       "name=\"ADDR\" value=\"http://mms.d%u.example/\"/>"
		                       "</characteristic>",
		                       i, i);
	g_string_append(many_mms, "</wap-provisioningdoc>");
	doc3 = doc_from_string(many_mms->str);
	p3 = omacp_profiles_from_doc(doc3, NULL);
	g_assert_cmpuint(p3->len, ==, 2000);
	g_assert_cmpuint(((OmacpProfile *) g_ptr_array_index(p3, 0))->risks->len, ==, 1);

	g_test_message("large documents took %.2f s", g_test_timer_elapsed());
	/* tools/run-valgrind sets OMACP_TEST_TIME_FACTOR: memcheck is ~30x slower */
	g_assert_cmpfloat(
	        g_test_timer_elapsed(), <,
	        20.0 * MAX(1.0, g_ascii_strtod(g_getenv("OMACP_TEST_TIME_FACTOR") ?: "1", NULL)));
}

static void
test_kind_strings(void)
{
	for (guint k = OMACP_PROFILE_INTERNET; k <= OMACP_PROFILE_OTHER; k++) {
		OmacpProfileKind back;

		g_assert_true(omacp_profile_kind_from_string(
		        omacp_profile_kind_to_string((OmacpProfileKind) k), &back));
		g_assert_cmpint(back, ==, k);
	}
	g_assert_cmpstr(omacp_profile_kind_to_string(OMACP_PROFILE_MMS), ==, "mms");
	g_assert_false(omacp_profile_kind_from_string("modem", NULL));
	g_assert_false(omacp_profile_kind_from_string(NULL, NULL));
}

static void
test_empty_document(void)
{
	static const char text[] = "<wap-provisioningdoc/>";
	xmlDoc *xml = xmlReadMemory(text, sizeof(text) - 1, "doc.xml", NULL, XML_PARSE_NONET);
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(omacp_provdoc_from_xml(xml, &doc, &error));
	xmlFreeDoc(xml);
	profiles = omacp_profiles_from_doc(doc, NULL);
	g_assert_cmpuint(profiles->len, ==, 0);
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) names = NULL;

	g_test_init(&argc, &argv, NULL);
	/* provdoc/profiles: what the vectors and documents mean; conformance:
	 * one document a behaviour, each citing the reference client or CSP
	 * text it follows (tests/data/conformance/README.md). */
	for (guint d = 0; d < 2; d++) {
		const char *dir = d == 0 ? "provdoc/profiles" : "conformance";

		names = omacp_test_list_data_files(dir, ".ini");
		for (guint i = 0; i < names->len; i++) {
			const char *n = g_ptr_array_index(names, i);
			g_autofree char *test_name = g_strdup_printf(
			        "/profiles/%s/%s", d == 0 ? "expect" : "conformance", n);

			g_test_add_data_func_full(test_name, g_build_filename(dir, n, NULL),
			                          run_ini, g_free);
		}
		g_clear_pointer(&names, g_ptr_array_unref);
	}
	g_test_add_func("/profiles/no-secrets-in-settings", test_no_secrets_in_settings);
	g_test_add_func("/profiles/mbpi/sonera", test_mbpi_sonera);
	g_test_add_func("/profiles/mbpi/three-digit-mnc", test_mbpi_three_digit_mnc);
	g_test_add_func("/profiles/mbpi/no-entry", test_mbpi_no_entry);
	g_test_add_func("/profiles/mbpi/from-data", test_mbpi_from_data);
	g_test_add_func("/profiles/kind-strings", test_kind_strings);
	g_test_add_func("/profiles/large-documents", test_large_documents);
	g_test_add_func("/profiles/internet-applications", test_internet_applications);
	g_test_add_func("/profiles/same-names", test_same_names);
	g_test_add_func("/profiles/empty-document", test_empty_document);
	return g_test_run();
}
