/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The operator side: every vector survives decode → encode → decode with the
 * same document and profiles, every SEC method signs what the receiver
 * verifies, messages of 1 to 10 segments reassemble, and libwbxml (an
 * independent decoder) reads what the encoder writes. */
#include <string.h>
#include <wbxml/wbxml.h>

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "campaign.h"
#include "omacp.h"
#include "output.h"
#include "testutil.h"

static const char *const documents[] = {
	"vectors/public/01-provcont11-appendixC.wbxml.hex",
	"vectors/public/02-cht-codepage-userpin0000.wbxml.hex",
	"vectors/public/03-gecko-netwpin-minimal.wbxml.hex",
	"vectors/public/04-nowsms-forum-netwpin.wbxml.hex",
	"vectors/provisioning-service/prov_beeline_2.wbxml",
	"vectors/provisioning-service/prov_dna_1.wbxml",
	"vectors/provisioning-service/prov_dna_2.wbxml",
	"vectors/provisioning-service/prov_moi_1.wbxml",
	"vectors/provisioning-service/prov_moi_2.wbxml",
	"vectors/provisioning-service/prov_moi_3.wbxml",
	"vectors/provisioning-service/prov_sonera.wbxml",
};

typedef struct {
	const char *file;
	OmacpFormat format;
	const char *pin;
} Framed;

static const Framed framed[] = {
	{ "vectors/public/05-vn-mobifone-gprs-userpin1111.ud.hex", OMACP_FORMAT_UD, "1111" },
	{ "vectors/public/06-vn-vinaphone-gprs-userpin1111.ud.hex", OMACP_FORMAT_UD, "1111" },
	{ "vectors/public/07-vn-viettel-gprs-userpin1111.ud.hex", OMACP_FORMAT_UD, "1111" },
	{ "vectors/public/08-sierra-dm-bootstrap-userpin1234.tpdu.hex", OMACP_FORMAT_SMS, "1234" },
};

static OmacpMessage *
decode_or_die(OmacpFormat format, GPtrArray *inputs, const char *imsi, const char *pin)
{
	g_autoptr(GPtrArray) imsis = g_ptr_array_new();
	g_autoptr(GPtrArray) pins = g_ptr_array_new();
	OmacpKeys keys = { imsis, pins };
	g_autoptr(GError) error = NULL;
	OmacpMessage *m = NULL;

	if (imsi)
		g_ptr_array_add(imsis, (gpointer) imsi);
	if (pin)
		g_ptr_array_add(pins, (gpointer) pin);
	g_assert_true(omacp_message_decode(format, inputs, &keys, &m, &error));
	g_assert_no_error(error);
	return m;
}

static OmacpMessage *
decode_one(OmacpFormat format, GBytes *input)
{
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);

	g_ptr_array_add(in, g_bytes_ref(input));
	return decode_or_die(format, in, NULL, NULL);
}

static char *
profiles_json(const OmacpMessage *m)
{
	g_autoptr(JsonArray) array = json_array_new();
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_ARRAY);

	for (guint i = 0; i < m->profiles->len; i++)
		json_array_add_element(
		        array, omacp_profile_to_json(g_ptr_array_index(m->profiles, i), TRUE));
	json_node_set_array(node, array);
	return omacp_json_to_string(node, FALSE);
}

/* All the messages we know as (XML text, the decoded message). */
static GPtrArray *
all_messages(void)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_message_free);

	for (guint i = 0; i < G_N_ELEMENTS(documents); i++) {
		g_autoptr(GBytes) doc = omacp_test_load_document(documents[i]);

		g_ptr_array_add(out, decode_one(OMACP_FORMAT_WBXML, doc));
	}
	for (guint i = 0; i < G_N_ELEMENTS(framed); i++) {
		g_autoptr(GPtrArray) segs = omacp_test_load_hex_lines(framed[i].file);

		g_ptr_array_add(out, decode_or_die(framed[i].format, segs, NULL, framed[i].pin));
	}
	return out;
}

static GPtrArray *
encode_or_die(const char *xml, const OmacpEncodeOptions *o, char **user_pin)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *items = omacp_encode_document(xml, strlen(xml), o, user_pin, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(items);
	return items;
}

static void
test_round_trip_documents(void)
{
	g_autoptr(GPtrArray) messages = all_messages();

	for (guint i = 0; i < messages->len; i++) {
		const OmacpMessage *m = g_ptr_array_index(messages, i);
		g_autofree char *xml = omacp_message_document_text(m, FALSE);
		g_autofree char *json = profiles_json(m);
		OmacpEncodeOptions o = { .output = OMACP_ENCODE_OUTPUT_WBXML,
			                 .ref = -1,
			                 .force = TRUE };
		g_autoptr(GPtrArray) out = encode_or_die(xml, &o, NULL);
		g_autoptr(OmacpMessage) again = NULL;
		g_autofree char *xml2 = NULL;
		g_autofree char *json2 = NULL;

		g_assert_cmpuint(out->len, ==, 1);
		again = decode_one(OMACP_FORMAT_WBXML, g_ptr_array_index(out, 0));
		xml2 = omacp_message_document_text(again, FALSE);
		json2 = profiles_json(again);
		g_assert_cmpstr(xml2, ==, xml);
		g_assert_cmpstr(json2, ==, json);
	}
}

static void
test_every_sec_method(void)
{
	g_autoptr(GPtrArray) messages = all_messages();
	const char *imsi = "123456789012345";
	const OmacpSec methods[] = { OMACP_SEC_NONE, OMACP_SEC_NETWPIN, OMACP_SEC_USERPIN,
		                     OMACP_SEC_USERNETWPIN, OMACP_SEC_USERPINMAC };

	for (guint i = 0; i < messages->len; i++) {
		const OmacpMessage *m = g_ptr_array_index(messages, i);
		g_autofree char *xml = omacp_message_document_text(m, FALSE);
		g_autofree char *json = profiles_json(m);

		for (guint k = 0; k < G_N_ELEMENTS(methods); k++) {
			OmacpEncodeOptions o = {
				.sec = methods[k],
				.imsi = imsi,
				.pin = methods[k] == OMACP_SEC_USERPINMAC ? "24680" : "7777",
				.output = OMACP_ENCODE_OUTPUT_SMS,
				.sender = "+358401234567",
				.smsc = "+358405202000",
				.ref = (gint) (i * 7 + k) % 256,
				.force = TRUE,
			};
			g_autofree char *user_pin = NULL;
			g_autoptr(GPtrArray) pdus = encode_or_die(xml, &o, &user_pin);
			g_autoptr(GPtrArray) shuffled = omacp_test_shuffled(pdus, i + k);
			const char *pin = methods[k] == OMACP_SEC_USERPINMAC ? user_pin : o.pin;
			g_autoptr(OmacpMessage) got =
			        decode_or_die(OMACP_FORMAT_SMS, shuffled, imsi, pin);
			g_autofree char *json2 = NULL;

			g_assert_cmpint(got->sec, ==, methods[k]);
			g_assert_cmpint(got->auth, ==,
			                methods[k] == OMACP_SEC_NONE ? OMACP_AUTH_UNSIGNED
			                                             : OMACP_AUTH_VALID);
			if (methods[k] == OMACP_SEC_USERPINMAC)
				g_assert_cmpuint(strlen(user_pin), ==, 10);
			else
				g_assert_null(user_pin);
			if (methods[k] != OMACP_SEC_NONE && methods[k] != OMACP_SEC_USERPINMAC)
				g_assert_cmpuint(strlen(got->mac), ==, 40);
			g_assert_cmpstr(((OmacpSms *) g_ptr_array_index(got->segments, 0))->sender,
			                ==, "+358401234567");
			/* The profiles name the SIM when one IMSI was given; the
			 * source decode had none, so compare after dropping it. */
			for (guint p = 0; p < got->profiles->len; p++)
				g_clear_pointer(
				        &((OmacpProfile *) g_ptr_array_index(got->profiles, p))
				                 ->imsi,
				        g_free);
			json2 = profiles_json(got);
			g_assert_cmpstr(json2, ==, json);
		}
	}
}

/* Documents of growing size: every segment count from 1 to 10 is produced,
 * in all three SMS forms, and reassembles. */
static void
test_segment_counts(void)
{
	gboolean seen[11] = { FALSE };

	for (guint bookmarks = 0; bookmarks < 200 && !seen[10]; bookmarks++) {
		g_autoptr(GString) xml = g_string_new(
		        "<wap-provisioningdoc version=\"1.1\">"
		        "<characteristic type=\"NAPDEF\"><parm name=\"NAPID\" value=\"N1\"/>"
		        "<parm name=\"NAME\" value=\"Web\"/><parm name=\"BEARER\" "
		        "value=\"GSM-GPRS\"/>"
		        "<parm name=\"NAP-ADDRESS\" value=\"internet\"/>"
		        "<parm name=\"NAP-ADDRTYPE\" value=\"APN\"/><parm name=\"INTERNET\"/>"
		        "</characteristic><characteristic type=\"APPLICATION\">"
		        "<parm name=\"APPID\" value=\"w2\"/><parm name=\"TO-NAPID\" "
		        "value=\"N1\"/>");
		OmacpEncodeOutput forms[] = { OMACP_ENCODE_OUTPUT_SMS, OMACP_ENCODE_OUTPUT_TPDU };
		guint count = 0;

		for (guint b = 0; b < bookmarks; b++)
			g_string_append_printf(
			        xml,
			        "<characteristic type=\"RESOURCE\">"
			        "<parm name=\"URI\" value=\"http://site%u.example/\"/>"
			        "<parm name=\"NAME\" value=\"Site %u\"/></characteristic>",
			        b, b);
		g_string_append(xml, "</characteristic></wap-provisioningdoc>");

		for (guint f = 0; f < G_N_ELEMENTS(forms); f++) {
			OmacpEncodeOptions o = { .sec = OMACP_SEC_USERPIN,
				                 .pin = "1234",
				                 .output = forms[f],
				                 .ref = 200 };
			g_autoptr(GPtrArray) pdus = encode_or_die(xml->str, &o, NULL);
			g_autoptr(GPtrArray) reversed =
			        g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
			g_autoptr(OmacpMessage) m = NULL;

			for (guint k = pdus->len; k > 0; k--)
				g_ptr_array_add(reversed,
				                g_bytes_ref(g_ptr_array_index(pdus, k - 1)));
			m = decode_or_die(forms[f] == OMACP_ENCODE_OUTPUT_SMS ? OMACP_FORMAT_SMS
			                                                      : OMACP_FORMAT_TPDU,
			                  reversed, NULL, "1234");
			g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);
			g_assert_cmpuint(m->segments->len, ==, pdus->len);
			count = pdus->len;
		}
		if (count <= 10)
			seen[count] = TRUE;
	}
	for (guint n = 1; n <= 10; n++)
		g_assert_true(seen[n]);
}

static void
test_submit_form(void)
{
	g_autofree char *xml = NULL;
	OmacpTemplateOptions t = { .kind = OMACP_TEMPLATE_INTERNET, .apn = "internet" };
	OmacpEncodeOptions deliver = { .output = OMACP_ENCODE_OUTPUT_TPDU,
		                       .ref = 9,
		                       .sender = "+4915112345678" };
	OmacpEncodeOptions submit = deliver;
	g_autoptr(GPtrArray) d = NULL;
	g_autoptr(GPtrArray) s = NULL;
	g_autoptr(GError) error = NULL;

	xml = omacp_template_build(&t, &error);
	g_assert_no_error(error);
	submit.output = OMACP_ENCODE_OUTPUT_SUBMIT;
	d = encode_or_die(xml, &deliver, NULL);
	s = encode_or_die(xml, &submit, NULL);
	g_assert_cmpuint(d->len, ==, s->len);
	for (guint i = 0; i < s->len; i++) {
		gsize dl = 0, sl = 0;
		const guint8 *dp = g_bytes_get_data(g_ptr_array_index(d, i), &dl);
		const guint8 *sp = g_bytes_get_data(g_ptr_array_index(s, i), &sl);
		/* The SUBMIT form starts with the SMSC field (length 0: the modem's
		 * default), then TP-MTI 01 = SUBMIT with TP-UDHI; DELIVER is 00. */
		g_assert_cmpuint(sp[0], ==, 0x00);
		g_assert_cmpuint(sp[1] & 0x03, ==, 0x01);
		g_assert_cmpuint(sp[1] & 0x40, ==, 0x40);
		g_assert_cmpuint(dp[0] & 0x03, ==, 0x00);
		/* Both end with the same user data (UDH + payload). */
		g_assert_cmpuint(sl, >, 20);
		g_assert_cmpmem(sp + sl - 20, 20, dp + dl - 20, 20);
	}
}

static void
test_templates(void)
{
	struct {
		OmacpTemplateOptions o;
		OmacpProfileKind kind;
		const char *key, *value;
	} cases[] = {
		{ { .kind = OMACP_TEMPLATE_INTERNET,
		    .apn = "web.operator",
		    .username = "u",
		    .password = "p",
		    .auth = "chap" },
		  OMACP_PROFILE_INTERNET,
		  "apn",
		  "web.operator" },
		{ { .kind = OMACP_TEMPLATE_MMS,
		    .apn = "mms.operator",
		    .mmsc = "http://mmsc.operator/",
		    .mms_proxy = "10.0.0.10:8080" },
		  OMACP_PROFILE_MMS,
		  "mms-proxy",
		  "10.0.0.10:8080" },
		{ { .kind = OMACP_TEMPLATE_MMS,
		    .apn = "mms.operator",
		    .mmsc = "http://mmsc.operator/" },
		  OMACP_PROFILE_MMS,
		  "mmsc",
		  "http://mmsc.operator/" },
		{ { .kind = OMACP_TEMPLATE_WLAN, .ssid = "Office", .psk = "correct horse" },
		  OMACP_PROFILE_WLAN,
		  "ssid",
		  "Office" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *xml = omacp_template_build(&cases[i].o, &error);
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		OmacpEncodeOptions o = { .sec = OMACP_SEC_NETWPIN,
			                 .imsi = "001010123456789",
			                 .output = OMACP_ENCODE_OUTPUT_SMS,
			                 .ref = -1 };
		g_autoptr(GPtrArray) pdus = NULL;
		g_autoptr(OmacpMessage) m = NULL;
		gboolean found = FALSE;

		g_assert_no_error(error);
		/* Templates never break the rules: no --force needed. */
		pdus = omacp_encode_document(xml, strlen(xml), &o, NULL, warnings, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(warnings->len, ==, 0);
		m = decode_or_die(OMACP_FORMAT_SMS, pdus, "001010123456789", NULL);
		g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);
		for (guint p = 0; p < m->profiles->len; p++) {
			const OmacpProfile *pr = g_ptr_array_index(m->profiles, p);
			const char *v = NULL;

			if (pr->kind == cases[i].kind &&
			    g_variant_lookup(pr->settings, cases[i].key, "&s", &v))
				found |= g_strcmp0(v, cases[i].value) == 0;
		}
		g_assert_true(found);
	}
	{
		OmacpTemplateOptions bad = { .kind = OMACP_TEMPLATE_MMS, .apn = "x" };
		g_autoptr(GError) error = NULL;
		g_autofree char *xml = omacp_template_build(&bad, &error);

		g_assert_null(xml);
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_assert_nonnull(strstr(error->message, "--mmsc"));
	}
}

static void
test_rule_breaking_document_refused(void)
{
	const char *xml = "<wap-provisioningdoc><characteristic type=\"NAPDEF\">"
	                  "<parm name=\"NAME\" value=\"no napid\"/></characteristic>"
	                  "</wap-provisioningdoc>";
	OmacpEncodeOptions o = { .output = OMACP_ENCODE_OUTPUT_WBXML, .ref = -1 };
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) out =
	        omacp_encode_document(xml, strlen(xml), &o, NULL, warnings, &error);

	g_assert_null(out);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
	g_assert_cmpuint(warnings->len, >, 0);
	g_clear_error(&error);
	o.force = TRUE;
	out = omacp_encode_document(xml, strlen(xml), &o, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(out);
}

static void
test_missing_keys(void)
{
	const char *xml = "<wap-provisioningdoc/>";
	OmacpEncodeOptions o = { .sec = OMACP_SEC_NETWPIN, .output = OMACP_ENCODE_OUTPUT_WSP };
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) out = omacp_encode_document(xml, strlen(xml), &o, NULL, NULL, &error);

	g_assert_null(out);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NO_KEY);
	g_clear_error(&error);
	o.sec = OMACP_SEC_USERPINMAC;
	o.pin = "1234"; /* the first half must have at least 5 digits */
	out = omacp_encode_document(xml, strlen(xml), &o, NULL, NULL, &error);
	g_assert_null(out);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN);
}

/* libwbxml, an independent decoder, reads the encoder's output and finds the
 * same document. */
static void
test_libwbxml_reads_our_output(void)
{
	g_autoptr(GPtrArray) messages = all_messages();

	for (guint i = 0; i < messages->len; i++) {
		const OmacpMessage *m = g_ptr_array_index(messages, i);
		g_autofree char *xml = omacp_message_document_text(m, FALSE);
		OmacpEncodeOptions o = { .output = OMACP_ENCODE_OUTPUT_WBXML,
			                 .ref = -1,
			                 .force = TRUE };
		g_autoptr(GPtrArray) out = encode_or_die(xml, &o, NULL);
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(g_ptr_array_index(out, 0), &len);
		WBXMLConvWBXML2XML *conv = NULL;
		WB_UTINY *lib_xml = NULL;
		WB_ULONG lib_len = 0;
		g_autoptr(xmlDoc) parsed = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree char *normalised = NULL;

		g_assert_cmpint(wbxml_conv_wbxml2xml_create(&conv), ==, WBXML_OK);
		wbxml_conv_wbxml2xml_set_language(conv, WBXML_LANG_PROV10);
		wbxml_conv_wbxml2xml_set_gen_type(conv, WBXML_GEN_XML_COMPACT);
		g_assert_cmpint(wbxml_conv_wbxml2xml_run(conv, (WB_UTINY *) data, (WB_ULONG) len,
		                                         &lib_xml, &lib_len),
		                ==, WBXML_OK);
		wbxml_conv_wbxml2xml_destroy(conv);
		g_assert_true(omacp_xml_parse((const char *) lib_xml, lib_len, &parsed, &error));
		g_assert_no_error(error);
		free(lib_xml);
		normalised = omacp_xml_to_string(parsed, FALSE);
		/* libwbxml spells TETRA-SDS/-PACKET "TRETRA-..." (digest §8); no vector uses them.
		 */
		g_assert_cmpstr(normalised, ==, xml);
	}
}

/* ------------------------------------------------ campaign */

static const char campaign_doc[] =
        "<wap-provisioningdoc version=\"1.1\"><characteristic type=\"NAPDEF\">"
        "<parm name=\"NAPID\" value=\"N1\"/><parm name=\"NAME\" value=\"Campaign\"/>"
        "<parm name=\"BEARER\" value=\"GSM-GPRS\"/><parm name=\"NAP-ADDRESS\" "
        "value=\"internet.example\"/><parm name=\"NAP-ADDRTYPE\" value=\"APN\"/>"
        "</characteristic></wap-provisioningdoc>";

/* One encoder signs what omacp_encode_document() signs, for every method,
 * and what it signs verifies with the subscriber's key only. */
static void
test_encoder_signs_per_subscriber(void)
{
	static const OmacpSec secs[] = { OMACP_SEC_NONE, OMACP_SEC_NETWPIN, OMACP_SEC_USERPIN,
		                         OMACP_SEC_USERNETWPIN, OMACP_SEC_USERPINMAC };
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpEncoder) enc =
	        omacp_encoder_new(campaign_doc, strlen(campaign_doc), FALSE, NULL, &error);

	g_assert_no_error(error);
	for (guint k = 0; k < G_N_ELEMENTS(secs); k++) {
		OmacpEncodeOptions o = { .sec = secs[k],
			                 .imsi = "244070123456789",
			                 .pin = "13579",
			                 .output = OMACP_ENCODE_OUTPUT_WSP };
		g_autoptr(GPtrArray) once = omacp_encode_document(
		        campaign_doc, strlen(campaign_doc), &o, NULL, NULL, &error);
		g_autofree char *user_pin = NULL;
		g_autoptr(GBytes) push = NULL;
		g_autoptr(GBytes) other = NULL;

		g_assert_no_error(error);
		push = omacp_encoder_sign(enc, secs[k], o.imsi, o.pin, &user_pin, &error);
		g_assert_no_error(error);
		g_assert_true(g_bytes_equal(push, g_ptr_array_index(once, 0)));
		g_assert_cmpint(user_pin != NULL, ==, secs[k] == OMACP_SEC_USERPINMAC);
		other = omacp_encoder_sign(enc, secs[k], "244070123456788", "13578", NULL, &error);
		g_assert_no_error(error);
		/* USERPINMAC carries no MAC: the PIN the user types differs */
		g_assert_cmpint(g_bytes_equal(push, other), ==,
		                secs[k] == OMACP_SEC_NONE || secs[k] == OMACP_SEC_USERPINMAC);
	}
	g_assert_null(omacp_encoder_sign(enc, OMACP_SEC_NETWPIN, NULL, NULL, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NO_KEY);
}

static GPtrArray *
read_csv_ok(const char *text, OmacpSec sec, GPtrArray **refused, gboolean *has_pin)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *subs = NULL;

	g_assert_true(omacp_campaign_read_csv("t.csv", text, strlen(text), sec, &subs, refused,
	                                      has_pin, &error));
	g_assert_no_error(error);
	return subs;
}

static void
assert_refused(GPtrArray *refused, guint i, guint line, guint column, const char *needle)
{
	const OmacpCampaignRefusal *r;

	g_assert_cmpuint(i, <, refused->len);
	r = g_ptr_array_index(refused, i);
	g_assert_cmpuint(r->line, ==, line);
	g_assert_cmpuint(r->column, ==, column);
	if (strstr(r->message, needle) == NULL)
		g_error("refusal '%s' does not mention '%s'", r->message, needle);
}

static void
test_campaign_csv(void)
{
	g_autoptr(GPtrArray) subs = NULL;
	g_autoptr(GPtrArray) refused = NULL;
	g_autoptr(GError) error = NULL;
	gboolean has_pin = TRUE;
	const OmacpCampaignSubscriber *s;
	static const char text[] = "\xEF\xBB\xBFIMSI, msisdn\r\n"
	                           "244070000000001,+358400000001\r\n"
	                           "\n"
	                           "244070000000002,+35840x\n"            /* line 4: bad msisdn */
	                           "2440700,+358400000003\n"              /* line 5: short IMSI */
	                           "244070000000004\n"                    /* line 6: one field */
	                           "244070000000005,+358400000001\n"      /* line 7: duplicate */
	                           "\"244070000000006\",\"0400000006\"\n" /* quoted, national */
	                           ",+358400000007\n"           /* line 9: no IMSI for netwpin */
	                           "\"24407\"0,+358400000008\n" /* line 10: stray quote */
	                           "244070000000009,+358400000009"; /* no final newline */

	subs = read_csv_ok(text, OMACP_SEC_NETWPIN, &refused, &has_pin);
	g_assert_false(has_pin);
	g_assert_cmpuint(subs->len, ==, 3);
	s = g_ptr_array_index(subs, 0);
	g_assert_cmpstr(s->msisdn, ==, "+358400000001");
	g_assert_cmpstr(s->imsi, ==, "244070000000001");
	g_assert_null(s->pin);
	g_assert_cmpuint(s->line, ==, 2);
	s = g_ptr_array_index(subs, 1);
	g_assert_cmpstr(s->msisdn, ==, "0400000006");
	g_assert_cmpuint(s->line, ==, 8);
	s = g_ptr_array_index(subs, 2);
	g_assert_cmpuint(s->line, ==, 11);
	g_assert_cmpuint(refused->len, ==, 6);
	assert_refused(refused, 0, 4, 2, "msisdn");
	assert_refused(refused, 1, 5, 1, "14 or 15 digits");
	assert_refused(refused, 2, 6, 2, "1 fields");
	assert_refused(refused, 3, 7, 2, "line 2");
	assert_refused(refused, 4, 9, 1, "netwpin needs it");
	assert_refused(refused, 5, 10, 1, "quote");
	g_clear_pointer(&subs, g_ptr_array_unref);
	g_clear_pointer(&refused, g_ptr_array_unref);

	/* userpin: the pin column, an empty pin refused, an IMSI not needed */
	subs = read_csv_ok(
	        "msisdn,imsi,pin\n+1555,,1234\n+1556,,\n+1557,244070000000001,\"9\"\"9\"\n",
	        OMACP_SEC_USERPIN, &refused, &has_pin);
	g_assert_true(has_pin);
	g_assert_cmpuint(subs->len, ==, 2);
	g_assert_cmpstr(((OmacpCampaignSubscriber *) g_ptr_array_index(subs, 0))->pin, ==, "1234");
	g_assert_cmpstr(((OmacpCampaignSubscriber *) g_ptr_array_index(subs, 1))->pin, ==, "9\"9");
	assert_refused(refused, 0, 3, 3, "pin is empty");
	g_clear_pointer(&subs, g_ptr_array_unref);
	g_clear_pointer(&refused, g_ptr_array_unref);

	/* userpinmac: the pin is the first half, 5 to 20 digits */
	subs = read_csv_ok("msisdn,imsi,pin\n+1555,,1234\n+1556,,12345\n", OMACP_SEC_USERPINMAC,
	                   &refused, &has_pin);
	g_assert_cmpuint(subs->len, ==, 1);
	assert_refused(refused, 0, 2, 3, "first half");
	g_clear_pointer(&subs, g_ptr_array_unref);
	g_clear_pointer(&refused, g_ptr_array_unref);

	/* unusable headers and files are errors, not refusals */
	{
		static const char *const bad[] = { "",
			                           "msisdn\n+1\n",
			                           "msisdn,imsi,color\n",
			                           "msisdn,imsi,msisdn\n",
			                           "\"msisdn,imsi\n",
			                           "msisdn,imsi\n\xff\n" };

		for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
			g_assert_false(omacp_campaign_read_csv("t.csv", bad[i], strlen(bad[i]),
			                                       OMACP_SEC_NETWPIN, &subs, &refused,
			                                       &has_pin, &error));
			g_assert_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED);
			g_assert_nonnull(strstr(error->message, "t.csv"));
			g_clear_error(&error);
		}
	}
}

static void
test_campaign_random_pin(void)
{
	guint counts[10] = { 0 };
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < 2000; i++) {
		g_autoptr(GError) error = NULL;
		char *pin = omacp_campaign_random_pin(8, &error);

		g_assert_no_error(error);
		g_assert_cmpuint(strlen(pin), ==, 8);
		for (guint k = 0; k < 8; k++) {
			g_assert_true(g_ascii_isdigit(pin[k]));
			counts[pin[k] - '0']++;
		}
		g_hash_table_add(seen, pin);
	}
	/* 16 000 digits: each about 1 600; a biased or stuck source is far off */
	for (guint d = 0; d < 10; d++)
		g_assert_cmpuint(counts[d], >, 1300);
	g_assert_cmpuint(g_hash_table_size(seen), >, 1990);
}

/* The segments of a subscriber are the same in every run (a resumed
 * campaign sends the rest of the same message), the UD is the tail of the
 * SUBMIT, and each verifies with the subscriber's own key. */
static void
test_campaign_wrap(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpEncoder) enc =
	        omacp_encoder_new(campaign_doc, strlen(campaign_doc), FALSE, NULL, &error);
	OmacpCampaignSubscriber s = { .msisdn = (char *) "+358401234567",
		                      .imsi = (char *) "244070123456789",
		                      .line = 2 };
	g_auto(OmacpCampaignMessage) a = { 0 };
	g_auto(OmacpCampaignMessage) b = { 0 };
	g_autoptr(GPtrArray) uds = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m = NULL;

	g_assert_true(omacp_campaign_wrap(enc, OMACP_SEC_NETWPIN, &s, &a, &error));
	g_assert_no_error(error);
	g_assert_true(omacp_campaign_wrap(enc, OMACP_SEC_NETWPIN, &s, &b, &error));
	g_assert_cmpuint(a.n_segments, >=, 1);
	g_assert_cmpuint(a.n_segments, ==, b.n_segments);
	for (guint i = 0; i < a.n_segments; i++) {
		gsize ul = 0, pl = 0;
		const guint8 *u = g_bytes_get_data(a.ud[i], &ul);
		const guint8 *p = g_bytes_get_data(a.submit[i], &pl);
		g_autoptr(OmacpSms) sms = NULL;

		g_assert_true(g_bytes_equal(a.ud[i], b.ud[i]));
		g_assert_true(g_bytes_equal(a.submit[i], b.submit[i]));
		g_assert_cmpmem(p + pl - ul, ul, u, ul);
		g_assert_true(omacp_sms_parse_submit(p, pl, TRUE, &sms, &error));
		g_assert_cmpstr(sms->sender, ==, "+358401234567");
		g_ptr_array_add(uds, g_bytes_ref(a.ud[i]));
	}
	m = decode_or_die(OMACP_FORMAT_UD, uds, "244070123456789", NULL);
	g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);
	g_clear_pointer(&m, omacp_message_free);
	m = decode_or_die(OMACP_FORMAT_UD, uds, "244070123456788", NULL);
	g_assert_cmpint(m->auth, ==, OMACP_AUTH_INVALID);
	g_assert_cmpuint(omacp_campaign_ref("+358401234567"), ==,
	                 omacp_campaign_ref("+358401234567"));
}

/* The journal: intents and outcomes survive a reopen, a torn last line is
 * dropped, another campaign's journal is refused. */
static void
test_campaign_state(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("omacp-state-XXXXXX", &error);
	g_autofree char *path = g_build_filename(dir, "c.state", NULL);
	g_autoptr(OmacpCampaignState) st = NULL;
	g_autofree char *text = NULL;
	struct stat sb;

	g_assert_no_error(error);
	st = omacp_campaign_state_open(path, "abc", &error);
	g_assert_no_error(error);
	g_assert_cmpint(omacp_campaign_state_get(st, "+1", 1), ==, OMACP_CAMPAIGN_SEG_NONE);
	g_assert_true(
	        omacp_campaign_state_record(st, OMACP_CAMPAIGN_SEG_SENDING, "+1", 1, NULL, &error));
	g_assert_true(
	        omacp_campaign_state_record(st, OMACP_CAMPAIGN_SEG_SENT, "+1", 1, NULL, &error));
	g_assert_true(
	        omacp_campaign_state_record(st, OMACP_CAMPAIGN_SEG_SENDING, "+1", 2, NULL, &error));
	g_assert_true(omacp_campaign_state_record(st, OMACP_CAMPAIGN_SEG_FAILED, "+2", 1,
	                                          "HTTP 503 busy\nnow", &error));
	g_assert_true(omacp_campaign_state_record(st, OMACP_CAMPAIGN_SEG_DOUBT, "+3", 1,
	                                          "no answer", &error));
	g_assert_true(omacp_campaign_state_record_dlr(st, "+1", 1, 1, &error));
	g_assert_no_error(error);
	g_clear_pointer(&st, omacp_campaign_state_free);
	g_assert_cmpint(g_stat(path, &sb), ==, 0);
	g_assert_cmpuint(sb.st_mode & 0777, ==, 0600);

	/* a crash in the middle of a line */
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "failed +2 1 HTTP 503 busy now\n"));
	{
		g_autofree char *torn = g_strconcat(text, "sent +1 ", NULL);

		g_assert_true(g_file_set_contents(path, torn, -1, NULL));
	}
	st = omacp_campaign_state_open(path, "abc", &error);
	g_assert_no_error(error);
	g_assert_cmpint(omacp_campaign_state_get(st, "+1", 1), ==, OMACP_CAMPAIGN_SEG_SENT);
	g_assert_cmpint(omacp_campaign_state_get(st, "+1", 2), ==, OMACP_CAMPAIGN_SEG_SENDING);
	g_assert_cmpint(omacp_campaign_state_get(st, "+2", 1), ==, OMACP_CAMPAIGN_SEG_FAILED);
	g_assert_cmpint(omacp_campaign_state_get(st, "+3", 1), ==, OMACP_CAMPAIGN_SEG_DOUBT);
	g_assert_cmpint(omacp_campaign_state_get_dlr(st, "+1"), ==, 1);
	g_assert_cmpint(omacp_campaign_state_get_dlr(st, "+2"), ==, -1);
	g_assert_true(
	        omacp_campaign_state_record(st, OMACP_CAMPAIGN_SEG_SENT, "+1", 2, NULL, &error));
	g_clear_pointer(&st, omacp_campaign_state_free);
	g_clear_pointer(&text, g_free);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_null(strstr(text, "sent +1 sent"));
	g_assert_true(g_str_has_suffix(text, "\nsent +1 2\n"));

	g_assert_null(omacp_campaign_state_open(path, "abd", &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_assert_nonnull(strstr(error->message, "another campaign"));
	g_unlink(path);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/encode/round-trip", test_round_trip_documents);
	g_test_add_func("/encode/sec-methods", test_every_sec_method);
	g_test_add_func("/encode/segments-1-to-10", test_segment_counts);
	g_test_add_func("/encode/submit", test_submit_form);
	g_test_add_func("/encode/templates", test_templates);
	g_test_add_func("/encode/rules", test_rule_breaking_document_refused);
	g_test_add_func("/encode/missing-keys", test_missing_keys);
	g_test_add_func("/encode/libwbxml-independent-check", test_libwbxml_reads_our_output);
	g_test_add_func("/encode/encoder/per-subscriber", test_encoder_signs_per_subscriber);
	g_test_add_func("/encode/campaign/csv", test_campaign_csv);
	g_test_add_func("/encode/campaign/random-pin", test_campaign_random_pin);
	g_test_add_func("/encode/campaign/wrap", test_campaign_wrap);
	g_test_add_func("/encode/campaign/state", test_campaign_state);
	return g_test_run();
}
