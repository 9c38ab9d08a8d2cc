/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The whole receive pipeline over the real operator messages: segments in
 * any order → push → MAC verdict → document → profiles. */
#include <string.h>

#include "omacp.h"
#include "testutil.h"

typedef struct {
	const char *file;
	OmacpFormat format;
	const char *pin;       /* the PIN the vector's sender used */
	const char *mac;       /* MAC carried in the push (vector README) */
	const char *apn;       /* an APN some profile must carry */
	const char *username;  /* that profile's user name */
	OmacpProfileKind kind; /* a further profile kind the document must yield */
} Vector;

static const Vector vectors[] = {
	{ "vectors/public/05-vn-mobifone-gprs-userpin1111.ud.hex", OMACP_FORMAT_UD, "1111",
	  "4A59B783B6E4AFBE0612358C512ABD0781933B21", "m-wap", "mms", OMACP_PROFILE_BROWSER },
	{ "vectors/public/06-vn-vinaphone-gprs-userpin1111.ud.hex", OMACP_FORMAT_UD, "1111",
	  "05C2D3DBD876E6230B3453752742CD453C872713", "m3-world", "mms", OMACP_PROFILE_BROWSER },
	{ "vectors/public/07-vn-viettel-gprs-userpin1111.ud.hex", OMACP_FORMAT_UD, "1111",
	  "69D7BBC19F709522C4249E956FD171D189C5EC0E", "v-internet", "mms", OMACP_PROFILE_BROWSER },
	{ "vectors/public/08-sierra-dm-bootstrap-userpin1234.tpdu.hex", OMACP_FORMAT_SMS, "1234",
	  "D55FAFF91DFD93F5808833BD6CAA1EB4E0432444", "wap.voicestream.com", "username",
	  OMACP_PROFILE_DM },
};

static OmacpKeys *
keys_new(const char *imsi, const char *pin)
{
	OmacpKeys *k = g_new0(OmacpKeys, 1);

	k->imsis = g_ptr_array_new_with_free_func(g_free);
	k->pins = g_ptr_array_new_with_free_func(g_free);
	if (imsi)
		g_ptr_array_add(k->imsis, g_strdup(imsi));
	if (pin)
		g_ptr_array_add(k->pins, g_strdup(pin));
	return k;
}

static void
keys_free(OmacpKeys *k)
{
	g_ptr_array_unref(k->imsis);
	g_ptr_array_unref(k->pins);
	g_free(k);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpKeys, keys_free)

static const char *
setting_string(const OmacpProfile *p, const char *key)
{
	const char *value = NULL;

	if (!g_variant_lookup(p->settings, key, "&s", &value))
		return NULL;
	return value;
}

static const OmacpProfile *
find_profile_with_apn(const OmacpMessage *m, const char *apn)
{
	for (guint i = 0; i < m->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(m->profiles, i);

		if (g_strcmp0(setting_string(p, "apn"), apn) == 0)
			return p;
	}
	return NULL;
}

static gboolean
has_kind(const OmacpMessage *m, OmacpProfileKind kind)
{
	for (guint i = 0; i < m->profiles->len; i++)
		if (((OmacpProfile *) g_ptr_array_index(m->profiles, i))->kind == kind)
			return TRUE;
	return FALSE;
}

static void
check_vector(const Vector *v, GPtrArray *segments)
{
	g_autoptr(OmacpKeys) keys = keys_new(NULL, v->pin);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	const OmacpProfile *p;
	gboolean password_set = FALSE;

	g_assert_true(omacp_message_decode(v->format, segments, keys, &m, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(m->segments->len, ==, segments->len);
	g_assert_cmpint(m->kind, ==, OMACP_PUSH_KIND_PROVISIONING);
	g_assert_cmpstr(m->content_type, ==, "application/vnd.wap.connectivity-wbxml");
	g_assert_cmpint(m->sec, ==, OMACP_SEC_USERPIN);
	g_assert_cmpstr(m->mac, ==, v->mac);
	g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);
	g_assert_cmpint(m->auth_pin_index, ==, 0);
	g_assert_nonnull(m->doc);
	p = find_profile_with_apn(m, v->apn);
	g_assert_nonnull(p);
	g_assert_cmpstr(setting_string(p, "username"), ==, v->username);
	g_assert_true(g_variant_lookup(p->settings, "password-set", "b", &password_set));
	g_assert_true(password_set);
	g_assert_true(has_kind(m, v->kind));
}

static void
test_vectors_in_order(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(vectors[i].file);

		check_vector(&vectors[i], segments);
	}
}

static void
test_vectors_shuffled(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(vectors[i].file);

		for (guint32 seed = 1; seed <= 8; seed++) {
			g_autoptr(GPtrArray) shuffled = omacp_test_shuffled(segments, seed);

			check_vector(&vectors[i], shuffled);
		}
	}
}

static void
test_duplicate_segment_warns(void)
{
	const Vector *v = &vectors[0];
	g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(v->file);
	g_autoptr(OmacpKeys) keys = keys_new(NULL, v->pin);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	gboolean warned = FALSE;

	/* A duplicate before the last segment: ignored, the message still completes. */
	g_ptr_array_insert(segments, 1, g_bytes_ref(g_ptr_array_index(segments, 0)));
	g_assert_true(omacp_message_decode(v->format, segments, keys, &m, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);
	for (guint i = 0; i < m->warnings->len; i++)
		warned |= strstr(g_ptr_array_index(m->warnings, i), "duplicate") != NULL;
	g_assert_true(warned);
}

static void
test_wrong_and_missing_pin(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(vectors[i].file);
		g_autoptr(OmacpKeys) wrong = keys_new(NULL, "9999");
		g_autoptr(OmacpKeys) none = keys_new(NULL, NULL);
		g_autoptr(OmacpKeys) several = keys_new(NULL, "0000");
		g_autoptr(OmacpMessage) m1 = NULL;
		g_autoptr(OmacpMessage) m2 = NULL;
		g_autoptr(OmacpMessage) m3 = NULL;
		g_autoptr(GError) error = NULL;

		g_assert_true(
		        omacp_message_decode(vectors[i].format, segments, wrong, &m1, &error));
		g_assert_cmpint(m1->auth, ==, OMACP_AUTH_INVALID);
		g_assert_nonnull(m1->auth_detail);
		/* The document is still decoded so that it can be inspected. */
		g_assert_nonnull(m1->doc);

		g_assert_true(omacp_message_decode(vectors[i].format, segments, none, &m2, &error));
		g_assert_cmpint(m2->auth, ==, OMACP_AUTH_UNCHECKED);

		/* Several PINs: the right one is found, and its index reported. */
		g_ptr_array_add(several->pins, g_strdup(vectors[i].pin));
		g_assert_true(
		        omacp_message_decode(vectors[i].format, segments, several, &m3, &error));
		g_assert_cmpint(m3->auth, ==, OMACP_AUTH_VALID);
		g_assert_cmpint(m3->auth_pin_index, ==, 1);

		/* The daemon's Accept(pin) path. */
		g_assert_false(omacp_message_check_pin(m2, NULL, "9999", &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_AUTH_FAILED);
		g_clear_error(&error);
		g_assert_true(omacp_message_check_pin(m2, NULL, vectors[i].pin, &error));
		g_assert_no_error(error);
		g_assert_cmpint(m2->auth, ==, OMACP_AUTH_VALID);
	}
}

static void
test_missing_segment(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(vectors[i].file);
		g_autoptr(OmacpMessage) m = NULL;
		g_autoptr(GError) error = NULL;

		g_ptr_array_remove_index(segments, 1);
		g_assert_false(omacp_message_decode(vectors[i].format, segments, NULL, &m, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INCOMPLETE);
		g_assert_nonnull(strstr(error->message, "missing 2"));
		g_assert_null(m);
	}
}

/* Every truncation of every segment gives an error naming the segment, or
 * (where the cut falls in the payload of a complete message) a clean
 * decode or auth failure: never a crash, never a half-filled message. */
static void
test_truncated_segments(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(vectors[i].file);
		g_autoptr(OmacpKeys) keys = keys_new(NULL, vectors[i].pin);

		for (guint s = 0; s < segments->len; s++) {
			GBytes *orig = g_ptr_array_index(segments, s);
			gsize len = g_bytes_get_size(orig);

			for (gsize cut = 0; cut < len; cut++) {
				g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func(
				        (GDestroyNotify) g_bytes_unref);
				g_autoptr(OmacpMessage) m = NULL;
				g_autoptr(GError) error = NULL;

				for (guint k = 0; k < segments->len; k++)
					g_ptr_array_add(
					        copy, k == s ? g_bytes_new_from_bytes(orig, 0, cut)
					                     : g_bytes_ref(g_ptr_array_index(
					                               segments, k)));
				if (omacp_message_decode(vectors[i].format, copy, keys, &m,
				                         &error)) {
					/* Only a shortened payload can still decode, and then the
					 * MAC must catch it. */
					g_assert_cmpint(m->auth, ==, OMACP_AUTH_INVALID);
				} else {
					g_assert_nonnull(error);
					g_assert_null(m);
				}
			}
		}
	}
}

static void
test_corrupt_segment_names_segment(void)
{
	const Vector *v = &vectors[3]; /* SMSC + TPDU */
	g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(v->file);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	guint8 *bad = g_bytes_unref_to_data(g_bytes_ref(g_ptr_array_index(segments, 2)), &len);

	/* SMSC length octet claims more than the PDU has. */
	bad[0] = 0xF0;
	g_bytes_unref(g_ptr_array_index(segments, 2));
	g_ptr_array_index(segments, 2) = g_bytes_new_take(bad, len);
	g_assert_false(omacp_message_decode(v->format, segments, NULL, &m, &error));
	g_assert_nonnull(error);
	g_assert_true(g_str_has_prefix(error->message, "segment 3: sms:"));
	g_assert_nonnull(strstr(error->message, "octet"));
}

static GBytes *
body_of_vector(const char *file)
{
	return omacp_test_load_document(file);
}

/* NETWPIN end to end through a WSP push we build around the NowSMS body:
 * the MAC the digest quotes for IMSI 123456789012345. */
static void
test_netwpin_push_two_sims(void)
{
	g_autoptr(GBytes) body = body_of_vector("vectors/public/04-nowsms-forum-netwpin.wbxml.hex");
	char mac[OMACP_MAC_HEX_LEN + 1];
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) push = NULL;
	g_autoptr(GPtrArray) inputs =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpKeys) keys = keys_new("001010123456789", NULL);
	g_autoptr(OmacpKeys) other = keys_new("001010123456789", NULL);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(OmacpMessage) m2 = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(body, &len);

	g_assert_true(omacp_auth_compute_mac(OMACP_SEC_NETWPIN, "123456789012345", NULL, data, len,
	                                     mac, &error));
	g_assert_cmpstr(mac, ==, "C483EC25F7E3E0CF100380DA5F6714CF204A5EC5");
	push = omacp_wsp_encode_push(0x01, "application/vnd.wap.connectivity-wbxml",
	                             OMACP_SEC_NETWPIN, mac, data, len, &error);
	g_assert_no_error(error);
	g_ptr_array_add(inputs, g_bytes_ref(push));

	/* Two SIMs: the second one's IMSI verifies, and the profiles are bound to it. */
	g_ptr_array_add(keys->imsis, g_strdup("123456789012345"));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WSP, inputs, keys, &m, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);
	g_assert_cmpstr(m->auth_imsi, ==, "123456789012345");
	g_assert_nonnull(find_profile_with_apn(m, "test2"));
	g_assert_cmpstr(find_profile_with_apn(m, "test2")->imsi, ==, "123456789012345");

	g_assert_true(omacp_message_decode(OMACP_FORMAT_WSP, inputs, other, &m2, &error));
	g_assert_cmpint(m2->auth, ==, OMACP_AUTH_INVALID);
}

static void
test_every_sec_method(void)
{
	g_autoptr(GBytes) body =
	        body_of_vector("vectors/public/02-cht-codepage-userpin0000.wbxml.hex");
	const char *imsi = "21407650123456"; /* 14 digits */
	const OmacpSec methods[] = { OMACP_SEC_NETWPIN, OMACP_SEC_USERPIN, OMACP_SEC_USERNETWPIN,
		                     OMACP_SEC_USERPINMAC };
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(body, &len);

	for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
		char mac[OMACP_MAC_HEX_LEN + 1] = "";
		g_autofree char *pin = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) push = NULL;
		g_autoptr(GPtrArray) inputs =
		        g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
		g_autoptr(OmacpKeys) keys = NULL;
		g_autoptr(OmacpKeys) bad = NULL;
		g_autoptr(OmacpMessage) m = NULL;
		g_autoptr(OmacpMessage) m2 = NULL;

		if (methods[i] == OMACP_SEC_USERPINMAC) {
			pin = omacp_auth_userpinmac_pin("12345", data, len, &error);
			g_assert_cmpstr(pin, ==, "1234517887"); /* digest §3.5 example 6 */
		} else {
			pin = g_strdup("4321");
			g_assert_true(omacp_auth_compute_mac(methods[i], imsi, pin, data, len, mac,
			                                     &error));
		}
		g_assert_no_error(error);
		push = omacp_wsp_encode_push(0x05, "application/vnd.wap.connectivity-wbxml",
		                             methods[i], *mac ? mac : NULL, data, len, &error);
		g_assert_no_error(error);
		g_ptr_array_add(inputs, g_bytes_ref(push));
		keys = keys_new(imsi, pin);
		g_assert_true(omacp_message_decode(OMACP_FORMAT_WSP, inputs, keys, &m, &error));
		g_assert_no_error(error);
		g_assert_cmpint(m->sec, ==, methods[i]);
		g_assert_cmpint(m->auth, ==, OMACP_AUTH_VALID);

		bad = keys_new("214076501234567",
		               methods[i] == OMACP_SEC_USERPINMAC ? "1234517888" : "4322");
		g_assert_true(omacp_message_decode(OMACP_FORMAT_WSP, inputs, bad, &m2, &error));
		g_assert_cmpint(m2->auth, ==, OMACP_AUTH_INVALID);
	}
}

static void
test_unsigned_document_formats(void)
{
	g_autoptr(GBytes) wbxml = body_of_vector("vectors/provisioning-service/prov_sonera.wbxml");
	g_autofree char *xml_text =
	        omacp_test_load_text("vectors/public/04-nowsms-forum-netwpin.xml");
	g_autoptr(GPtrArray) in1 = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(GPtrArray) in2 = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m1 = NULL;
	g_autoptr(OmacpMessage) m2 = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(in1, g_bytes_ref(wbxml));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WBXML, in1, NULL, &m1, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m1->auth, ==, OMACP_AUTH_UNSIGNED);
	g_assert_nonnull(find_profile_with_apn(m1, "internet"));
	g_assert_nonnull(find_profile_with_apn(m1, "wap.sonera.net"));

	g_ptr_array_add(in2, g_bytes_new(xml_text, strlen(xml_text)));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_XML, in2, NULL, &m2, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m2->auth, ==, OMACP_AUTH_UNSIGNED);
	g_assert_cmpstr(m2->content_type, ==, "text/vnd.wap.connectivity-xml");
	g_assert_nonnull(find_profile_with_apn(m2, "test2"));
}

/* Whether @v is kept as one serialised buffer rather than a tree: a
 * tree hands out the same child object each time, a buffer a new one. */
static gboolean
is_serialised(GVariant *v)
{
	g_autoptr(GVariant) a = g_variant_get_child_value(v, 0);
	g_autoptr(GVariant) b = g_variant_get_child_value(v, 0);

	return a != b;
}

/* omacp_message_compact(): the tree goes, the profiles (same values, each
 * settings one serialised buffer) and the MAC input stay. */
static void
test_compact(void)
{
	g_autoptr(GBytes) wbxml = body_of_vector("vectors/provisioning-service/prov_sonera.wbxml");
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(in, g_bytes_ref(wbxml));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WBXML, in, NULL, &m, &error));
	g_assert_no_error(error);
	g_assert_nonnull(omacp_message_get_xml(m));
	g_assert_nonnull(m->doc);
	g_assert_cmpuint(m->profiles->len, >, 1);
	for (guint i = 0; i < m->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(m->profiles, i);

		g_assert_false(is_serialised(p->settings));
		g_ptr_array_add(before, g_variant_print(p->settings, TRUE));
	}
	omacp_message_compact(m);
	g_assert_null(m->xml);
	g_assert_null(omacp_message_get_xml(m));
	g_assert_null(m->doc);
	g_assert_true(g_bytes_equal(m->body, wbxml));
	g_assert_cmpuint(m->profiles->len, ==, before->len);
	for (guint i = 0; i < m->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(m->profiles, i);
		g_autofree char *after = g_variant_print(p->settings, TRUE);

		g_assert_cmpstr(after, ==, g_ptr_array_index(before, i));
		g_assert_true(is_serialised(p->settings));
	}
	g_assert_nonnull(find_profile_with_apn(m, "wap.sonera.net"));
	/* twice is harmless */
	omacp_message_compact(m);
	g_assert_null(m->xml);
}

/* The router's parse of a push is used as it is: a parse that says SEC
 * none decodes as unsigned although the datagram's header says NETWPIN. */
static void
test_parsed_push(void)
{
	static const char mac[] = "0123456789ABCDEF0123456789ABCDEF01234567";
	g_autoptr(GBytes) wbxml = body_of_vector("vectors/provisioning-service/prov_sonera.wbxml");
	g_autoptr(GBytes) datagram = NULL;
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;

	datagram = omacp_wsp_encode_push(7, "application/vnd.wap.connectivity-wbxml",
	                                 OMACP_SEC_NETWPIN, mac, g_bytes_get_data(wbxml, NULL),
	                                 g_bytes_get_size(wbxml), &error);
	g_assert_no_error(error);
	g_assert_true(omacp_wsp_parse_push_bytes(datagram, &push, &error));
	push->sec = OMACP_SEC_NONE;
	g_clear_pointer(&push->mac, g_free);
	g_assert_true(omacp_message_decode_parsed_push(datagram, push, NULL, &m, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m->sec, ==, OMACP_SEC_NONE);
	g_assert_cmpint(m->auth, ==, OMACP_AUTH_UNSIGNED);
	g_assert_true(m->push != push);
	g_assert_cmpuint(m->push->tid, ==, 7);
	g_assert_true(g_bytes_equal(m->body, wbxml));
	g_assert_nonnull(find_profile_with_apn(m, "wap.sonera.net"));
}

static void
test_not_provisioning_push(void)
{
	/* An MMS notification push (content type 0x3E): decoded, routed, no document. */
	static const guint8 mms[] = { 0x01, 0x06, 0x01, 0xBE, 0x8C, 0x82, 0x98, 'x', 0x00 };
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(in, g_bytes_new_static(mms, sizeof mms));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WSP, in, NULL, &m, &error));
	g_assert_no_error(error);
	g_assert_cmpint(m->kind, ==, OMACP_PUSH_KIND_MMS);
	g_assert_null(m->doc);
	g_assert_cmpuint(m->profiles->len, ==, 0);
}

static void
test_formats(void)
{
	OmacpFormat f;

	g_assert_true(omacp_format_from_string("sms-pdu", &f));
	g_assert_cmpint(f, ==, OMACP_FORMAT_SMS);
	g_assert_true(omacp_format_from_string("sms-tpdu", &f));
	g_assert_cmpint(f, ==, OMACP_FORMAT_TPDU);
	g_assert_true(omacp_format_from_string("WBXML", &f));
	g_assert_cmpint(f, ==, OMACP_FORMAT_WBXML);
	g_assert_false(omacp_format_from_string("7bit", &f));
	g_assert_true(omacp_format_is_segmented(OMACP_FORMAT_UD));
	g_assert_false(omacp_format_is_segmented(OMACP_FORMAT_WSP));
}

/* ---- the direct document path against the libxml2 tree ----
 *
 * A WBXML document is decoded into the decoder's own tree and the typed
 * document is built from it, without a libxml2 tree. Every decode must give
 * what the libxml2 route gives (omacp_wbxml_decode() → omacp_provdoc_from_xml()
 * → omacp_profiles_derive() → omacp_xml_to_string()): the same error, the
 * same warnings in the same order, the same document, profiles and
 * Document text, over every sample vector and every WBXML fuzz input. */

static void
assert_parms_equal(const OmacpParm *a, const OmacpParm *b)
{
	g_assert_cmpstr(a->name, ==, b->name);
	g_assert_cmpstr(a->value, ==, b->value);
	g_assert_cmpint(a->op, ==, b->op);
	g_assert_cmpint(a->known, ==, b->known);
	g_assert_cmpint(a->valid, ==, b->valid);
}

static void
assert_characteristics_equal(GPtrArray *a, GPtrArray *b)
{
	g_assert_cmpuint(a->len, ==, b->len);
	for (guint i = 0; i < a->len; i++) {
		const OmacpCharacteristic *x = g_ptr_array_index(a, i);
		const OmacpCharacteristic *y = g_ptr_array_index(b, i);

		g_assert_cmpstr(x->type, ==, y->type);
		g_assert_cmpstr(x->path, ==, y->path);
		g_assert_cmpint(x->op, ==, y->op);
		g_assert_cmpint(x->known, ==, y->known);
		g_assert_cmpint(x->valid, ==, y->valid);
		g_assert_cmpint(x->identifier, ==, y->identifier);
		g_assert_cmpuint(x->parms->len, ==, y->parms->len);
		for (guint k = 0; k < x->parms->len; k++)
			assert_parms_equal(g_ptr_array_index(x->parms, k),
			                   g_ptr_array_index(y->parms, k));
		assert_characteristics_equal(x->children, y->children);
	}
}

static void
assert_strv_arrays_equal(GPtrArray *a, GPtrArray *b)
{
	g_assert_cmpuint(a->len, ==, b->len);
	for (guint i = 0; i < a->len; i++)
		g_assert_true(g_strv_equal(g_ptr_array_index(a, i), g_ptr_array_index(b, i)));
}

static void
assert_string_arrays_equal(GPtrArray *a, GPtrArray *b)
{
	for (guint i = 0; i < MIN(a->len, b->len); i++)
		g_assert_cmpstr(g_ptr_array_index(a, i), ==, g_ptr_array_index(b, i));
	g_assert_cmpuint(a->len, ==, b->len);
}

static void
assert_docs_equal(const OmacpProvDoc *a, const OmacpProvDoc *b)
{
	g_assert_cmpstr(a->version, ==, b->version);
	assert_characteristics_equal(a->characteristics, b->characteristics);
	assert_string_arrays_equal(a->warnings, b->warnings);
	g_assert_cmpuint(a->operations->len, ==, b->operations->len);
	for (guint i = 0; i < a->operations->len; i++) {
		const OmacpOperation *x = g_ptr_array_index(a->operations, i);
		const OmacpOperation *y = g_ptr_array_index(b->operations, i);

		g_assert_cmpint(x->op, ==, y->op);
		g_assert_cmpstr(x->path, ==, y->path);
		g_assert_cmpstr(x->target, ==, y->target);
		g_assert_cmpint(x->recursive, ==, y->recursive);
	}
}

static void
assert_variants_equal(GVariant *a, GVariant *b)
{
	g_assert_true((a == NULL) == (b == NULL));
	if (a != NULL)
		g_assert_true(g_variant_equal(a, b));
}

static void
assert_profiles_equal(GPtrArray *a, GPtrArray *b)
{
	g_assert_cmpuint(a->len, ==, b->len);
	for (guint i = 0; i < a->len; i++) {
		const OmacpProfile *x = g_ptr_array_index(a, i);
		const OmacpProfile *y = g_ptr_array_index(b, i);

		g_assert_cmpint(x->kind, ==, y->kind);
		g_assert_cmpint(x->op, ==, y->op);
		g_assert_cmpstr(x->identity, ==, y->identity);
		g_assert_cmpstr(x->name, ==, y->name);
		g_assert_cmpstr(x->imsi, ==, y->imsi);
		assert_variants_equal(x->settings, y->settings);
		assert_variants_equal(x->secrets, y->secrets);
		assert_string_arrays_equal(x->risks, y->risks);
		assert_strv_arrays_equal(x->risk_codes, y->risk_codes);
	}
}

/* What the libxml2 route makes of @body. */
typedef struct {
	GError *error;
	GPtrArray *warnings;
	xmlDoc *xml;
	OmacpProvDoc *doc;
	GPtrArray *profiles;
} Reference;

static void
reference_clear(Reference *r)
{
	g_clear_error(&r->error);
	g_clear_pointer(&r->warnings, g_ptr_array_unref);
	g_clear_pointer(&r->xml, xmlFreeDoc);
	g_clear_pointer(&r->doc, omacp_provdoc_free);
	g_clear_pointer(&r->profiles, g_ptr_array_unref);
}

static void
reference_decode(GBytes *body, Reference *r)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(body, &len);

	r->warnings = g_ptr_array_new_with_free_func(g_free);
	if (!omacp_wbxml_decode(data, len, &r->xml, r->warnings, &r->error))
		return;
	if (!omacp_provdoc_from_xml(r->xml, &r->doc, &r->error))
		return;
	for (guint i = 0; i < r->doc->warnings->len; i++)
		g_ptr_array_add(r->warnings, g_strdup(g_ptr_array_index(r->doc->warnings, i)));
	r->profiles = omacp_profiles_derive(r->doc, NULL, r->warnings);
	if (r->profiles->len > OMACP_PROFILES_MAX_PER_MESSAGE)
		g_set_error(&r->error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "document: %u profiles, more than one message may make (%u)",
		            r->profiles->len, OMACP_PROFILES_MAX_PER_MESSAGE);
}

/* Decodes @body both ways and compares everything; TRUE when it decoded. */
static gboolean
check_direct_document(GBytes *body)
{
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	Reference r = { 0 };

	reference_decode(body, &r);
	g_ptr_array_add(in, g_bytes_ref(body));
	if (r.error != NULL) {
		g_assert_false(omacp_message_decode(OMACP_FORMAT_WBXML, in, NULL, &m, &error));
		g_assert_error(error, OMACP_ERROR, r.error->code);
		g_assert_cmpstr(error->message, ==, r.error->message);
		g_assert_null(m);
		reference_clear(&r);
		return FALSE;
	}
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WBXML, in, NULL, &m, &error));
	g_assert_no_error(error);
	/* no libxml2 tree was made */
	g_assert_null(m->xml);
	assert_string_arrays_equal(m->warnings, r.warnings);
	assert_docs_equal(m->doc, r.doc);
	assert_profiles_equal(m->profiles, r.profiles);
	for (guint mask = 0; mask < 2; mask++) {
		g_autofree char *want = omacp_xml_to_string(r.xml, mask);
		g_autofree char *direct = omacp_message_document_text(m, mask);
		g_autofree char *via_xml = NULL;

		g_assert_cmpstr(direct, ==, want);
		/* the libxml2 tree made on request is the decoder's */
		via_xml = omacp_xml_to_string(omacp_message_get_xml(m), mask);
		g_assert_cmpstr(via_xml, ==, want);
	}
	/* once made, the tree is kept, and the text is the same from it */
	g_assert_true(omacp_message_get_xml(m) == m->xml);
	{
		g_autofree char *want = omacp_xml_to_string(r.xml, TRUE);
		g_autofree char *again = omacp_message_document_text(m, TRUE);

		g_assert_cmpstr(again, ==, want);
	}
	reference_clear(&r);
	return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The names of the files in @dir (absolute), sorted. */
static GPtrArray *
sorted_names(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, compare_names);
	return names;
}

static void
test_direct_document_vectors(void)
{
	static const char *const dirs[] = { "vectors/public", "vectors/provisioning-service" };
	guint decoded = 0;

	for (guint d = 0; d < G_N_ELEMENTS(dirs); d++) {
		g_autofree char *path = omacp_test_path(dirs[d]);
		g_autoptr(GPtrArray) names = sorted_names(path);

		for (guint i = 0; i < names->len; i++) {
			const char *name = g_ptr_array_index(names, i);
			g_autofree char *file = g_build_filename(dirs[d], name, NULL);

			g_test_message("%s", file);
			if (g_str_has_suffix(name, ".wbxml") ||
			    g_str_has_suffix(name, ".wbxml.hex")) {
				g_autoptr(GBytes) body = omacp_test_load_document(file);

				g_assert_true(check_direct_document(body));
				decoded++;
			} else if (g_str_has_suffix(name, ".ud.hex") ||
			           g_str_has_suffix(name, ".tpdu.hex")) {
				/* the body of an SMS vector */
				g_autoptr(GPtrArray) segments = omacp_test_load_hex_lines(file);
				g_autoptr(OmacpMessage) m = NULL;
				g_autoptr(GError) error = NULL;

				g_assert_true(omacp_message_decode(g_str_has_suffix(name, ".ud.hex")
				                                           ? OMACP_FORMAT_UD
				                                           : OMACP_FORMAT_SMS,
				                                   segments, NULL, &m, &error));
				g_assert_no_error(error);
				g_assert_true(check_direct_document(m->body));
				decoded++;
			}
		}
	}
	/* 4 + 7 WBXML documents and the 4 SMS ones */
	g_assert_cmpuint(decoded, ==, 15);
}

static void
test_direct_document_fuzz_corpus(void)
{
	g_autofree char *dir = omacp_test_path("../fuzz/corpus/wbxml");
	g_autoptr(GPtrArray) names = sorted_names(dir);
	guint decoded = 0;

	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
		g_autofree char *data = NULL;
		g_autoptr(GBytes) body = NULL;
		gsize len = 0;

		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		body = g_bytes_new(data, len);
		decoded += check_direct_document(body);
	}
	g_test_message("%u of %u inputs decode", decoded, names->len);
	/* the corpus holds both kinds: documents and rejected inputs */
	g_assert_cmpuint(names->len, >, 100);
	g_assert_cmpuint(decoded, >, 10);
	g_assert_cmpuint(decoded, <, names->len);
}

/* The typed document trims an identifier in place of a copy: the decoder's
 * tree, shared with the document, and so the Document text keep the value
 * as sent. */
static void
test_direct_document_trimmed_value(void)
{
	static const char xml[] = "<wap-provisioningdoc version=\"1.1\">"
	                          "<characteristic type=\"NAPDEF\">"
	                          "<parm name=\"NAPID\" value=\" NAP1 \"/>"
	                          "<parm name=\"BEARER\" value=\"GSM-GPRS\"/>"
	                          "<parm name=\"NAME\" value=\"Internet\"/>"
	                          "<parm name=\"NAP-ADDRESS\" value=\"internet\"/>"
	                          "<parm name=\"NAP-ADDRTYPE\" value=\"APN\"/>"
	                          "<characteristic type=\"NAPAUTHINFO\">"
	                          "<parm name=\"AUTHTYPE\" value=\"PAP\"/>"
	                          "<parm name=\"AUTHNAME\" value=\"user\"/>"
	                          "<parm name=\"AUTHSECRET\" value=\"s3cret\"/>"
	                          "</characteristic></characteristic></wap-provisioningdoc>";
	g_autoptr(xmlDoc) parsed = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	g_autofree char *masked = NULL;
	const OmacpCharacteristic *nap;

	g_assert_true(omacp_xml_parse(xml, strlen(xml), &parsed, &error));
	body = omacp_wbxml_encode(parsed, &error);
	g_assert_no_error(error);
	g_assert_true(check_direct_document(body));

	g_ptr_array_add(in, g_bytes_ref(body));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WBXML, in, NULL, &m, &error));
	g_assert_no_error(error);
	nap = g_ptr_array_index(m->doc->characteristics, 0);
	g_assert_cmpstr(omacp_characteristic_get(nap, "NAPID"), ==, "NAP1");
	text = omacp_message_document_text(m, FALSE);
	g_assert_nonnull(strstr(text, "value=\" NAP1 \""));
	g_assert_nonnull(strstr(text, "value=\"s3cret\""));
	masked = omacp_message_document_text(m, TRUE);
	g_assert_null(strstr(masked, "s3cret"));
	g_assert_nonnull(strstr(masked, "value=\"********\""));
	/* freeing the document first leaves the tree whole */
	g_clear_pointer(&m->doc, omacp_provdoc_free);
	g_free(text);
	text = omacp_message_document_text(m, FALSE);
	g_assert_nonnull(strstr(text, "value=\"s3cret\""));
}

/* XML input keeps its libxml2 tree; the text is made from it. */
static void
test_direct_document_xml_input(void)
{
	g_autofree char *text = omacp_test_load_text("vectors/public/04-nowsms-forum-netwpin.xml");
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *want = NULL;
	g_autofree char *got = NULL;

	g_ptr_array_add(in, g_bytes_new(text, strlen(text)));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_XML, in, NULL, &m, &error));
	g_assert_no_error(error);
	g_assert_nonnull(m->xml);
	g_assert_true(omacp_message_get_xml(m) == m->xml);
	want = omacp_xml_to_string(m->xml, TRUE);
	got = omacp_message_document_text(m, TRUE);
	g_assert_cmpstr(got, ==, want);
	g_assert_nonnull(strstr(got, "<wap-provisioningdoc"));
	omacp_message_compact(m);
	g_assert_null(omacp_message_get_xml(m));
	g_assert_null(omacp_message_document_text(m, TRUE));
}

/* A push that is not provisioning has no document, no tree, no text. */
static void
test_direct_document_none(void)
{
	static const guint8 mms[] = { 0x01, 0x06, 0x01, 0xBE, 0x8C, 0x82, 0x98, 'x', 0x00 };
	g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(OmacpMessage) m = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(in, g_bytes_new_static(mms, sizeof mms));
	g_assert_true(omacp_message_decode(OMACP_FORMAT_WSP, in, NULL, &m, &error));
	g_assert_no_error(error);
	g_assert_null(m->doc);
	g_assert_null(omacp_message_get_xml(m));
	g_assert_null(omacp_message_document_text(m, FALSE));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pipeline/vectors/in-order", test_vectors_in_order);
	g_test_add_func("/pipeline/vectors/shuffled", test_vectors_shuffled);
	g_test_add_func("/pipeline/vectors/duplicate", test_duplicate_segment_warns);
	g_test_add_func("/pipeline/vectors/wrong-and-missing-pin", test_wrong_and_missing_pin);
	g_test_add_func("/pipeline/vectors/missing-segment", test_missing_segment);
	g_test_add_func("/pipeline/vectors/truncated-segments", test_truncated_segments);
	g_test_add_func("/pipeline/vectors/corrupt-segment", test_corrupt_segment_names_segment);
	g_test_add_func("/pipeline/netwpin/two-sims", test_netwpin_push_two_sims);
	g_test_add_func("/pipeline/compact", test_compact);
	g_test_add_func("/pipeline/parsed-push", test_parsed_push);
	g_test_add_func("/pipeline/sec/every-method", test_every_sec_method);
	g_test_add_func("/pipeline/unsigned-documents", test_unsigned_document_formats);
	g_test_add_func("/pipeline/not-provisioning", test_not_provisioning_push);
	g_test_add_func("/pipeline/formats", test_formats);
	g_test_add_func("/pipeline/direct-document/vectors", test_direct_document_vectors);
	g_test_add_func("/pipeline/direct-document/fuzz-corpus", test_direct_document_fuzz_corpus);
	g_test_add_func("/pipeline/direct-document/trimmed-value",
	                test_direct_document_trimmed_value);
	g_test_add_func("/pipeline/direct-document/xml-input", test_direct_document_xml_input);
	g_test_add_func("/pipeline/direct-document/not-provisioning", test_direct_document_none);
	return g_test_run();
}
