/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The WBXML codec: every vector decodes to the XML libwbxml gives for it
 * (tests/data/wbxml/<vector>.xml, rewritten from the libwbxml renderings in
 * tests/data/vectors/), hand-made documents exercise each header field,
 * global token, late and MSPROV token, cap and error; the encoder's output
 * round-trips through our decoder and through libwbxml. */
#include <glib.h>
#include <string.h>
#include <wbxml/wbxml.h>

#include "omacp.h"
#include "testutil.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* ---- helpers ---- */

/* Mini-notation for hand-made documents: hex octets, white space ignored,
 * 'text' copied as ASCII. */
static GBytes *
doc_from_notation(const char *s)
{
	GByteArray *out = g_byte_array_new();

	while (*s != '\0') {
		if (g_ascii_isspace(*s)) {
			s++;
		} else if (*s == '\'') {
			const char *end = strchr(s + 1, '\'');

			g_assert_nonnull(end);
			g_byte_array_append(out, (const guint8 *) s + 1, (guint) (end - s - 1));
			s = end + 1;
		} else {
			guint8 b;

			g_assert_true(g_ascii_isxdigit(s[0]) && g_ascii_isxdigit(s[1]));
			b = (guint8) (g_ascii_xdigit_value(s[0]) << 4 | g_ascii_xdigit_value(s[1]));
			g_byte_array_append(out, &b, 1);
			s += 2;
		}
	}
	return g_byte_array_free_to_bytes(out);
}

/* The TP-User-Data of one segment: the .ud.hex line itself, or the UD field
 * of a modem PDU-mode SMS-DELIVER (SMSC, first octet, OA, PID, DCS, SCTS,
 * UDL, UD). */
static GBytes *
user_data(GBytes *line, gboolean pdu_mode)
{
	gsize len;
	const guint8 *b = g_bytes_get_data(line, &len);
	gsize p = 0;

	if (pdu_mode) {
		p = 1 + b[0];            /* SMSC */
		p += 1;                  /* first octet */
		p += 2 + (b[p] + 1) / 2; /* OA: digit count, type, semi-octets */
		p += 2 + 7 + 1;          /* PID, DCS, SCTS, UDL */
	}
	g_assert_cmpuint(p, <, len);
	return g_bytes_new(b + p, len - p);
}

/* The WBXML body of a vector: the whole document for .wbxml(.hex); for
 * segmented vectors the payloads after each UDH concatenated (segments are
 * in order in the files), @junk leading octets dropped (08 carries 4), and
 * the 50-octet WSP header (TID, type, HeadersLen 0x2F, 47 octets) skipped. */
static GBytes *
vector_body(const char *path, gsize junk)
{
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(GByteArray) push = NULL;
	gboolean pdu_mode = g_str_has_suffix(path, ".tpdu.hex");

	if (!g_str_has_suffix(path, ".ud.hex") && !pdu_mode)
		return omacp_test_load_document(path);
	lines = omacp_test_load_hex_lines(path);
	push = g_byte_array_new();
	for (guint i = 0; i < lines->len; i++) {
		g_autoptr(GBytes) ud = user_data(g_ptr_array_index(lines, i), pdu_mode);
		gsize len;
		const guint8 *u = g_bytes_get_data(ud, &len);

		g_assert_cmpuint(1 + u[0], <, len);
		g_byte_array_append(push, u + 1 + u[0], (guint) (len - 1 - u[0]));
	}
	g_assert_cmpuint(push->len, >, junk + 50);
	g_assert_cmpuint(push->data[junk + 1], ==, 0x06); /* push PDU */
	g_assert_cmpuint(push->data[junk + 2], ==, 0x2F); /* HeadersLen 47 */
	return g_bytes_new(push->data + junk + 50, push->len - junk - 50);
}

static char *
decode_to_string(GBytes *doc, GPtrArray *warnings, GError **error)
{
	g_autoptr(xmlDoc) xml = NULL;
	gsize len;
	const guint8 *data = g_bytes_get_data(doc, &len);

	if (!omacp_wbxml_decode(data, len, &xml, warnings, error))
		return NULL;
	g_assert_nonnull(xml);
	return omacp_xml_to_string(xml, FALSE);
}

static char *
decode_ok(GBytes *doc, GPtrArray *warnings)
{
	g_autoptr(GError) error = NULL;
	char *text = decode_to_string(doc, warnings, &error);

	g_assert_no_error(error);
	g_assert_nonnull(text);
	return text;
}

static GPtrArray *
new_warnings(void)
{
	return g_ptr_array_new_with_free_func(g_free);
}

/* libwbxml's decoding with the language forced to PROV 1.0, normalised
 * through our XML parser and printer. NULL (and *lib_error set) when
 * libwbxml fails. */
static char *
libwbxml_to_string(GBytes *doc, WBXMLError *lib_error)
{
	WBXMLConvWBXML2XML *conv = NULL;
	WB_UTINY *xml = NULL;
	WB_ULONG xml_len = 0;
	gsize len;
	const guint8 *data = g_bytes_get_data(doc, &len);
	g_autoptr(xmlDoc) parsed = NULL;
	g_autoptr(GError) error = NULL;
	WBXMLError ret;

	g_assert_cmpint(wbxml_conv_wbxml2xml_create(&conv), ==, WBXML_OK);
	wbxml_conv_wbxml2xml_set_language(conv, WBXML_LANG_PROV10);
	ret = wbxml_conv_wbxml2xml_run(conv, (WB_UTINY *) data, (WB_ULONG) len, &xml, &xml_len);
	wbxml_conv_wbxml2xml_destroy(conv);
	*lib_error = ret;
	if (ret != WBXML_OK) {
		free(xml);
		return NULL;
	}
	g_assert_true(omacp_xml_parse((const char *) xml, xml_len, &parsed, &error));
	g_assert_no_error(error);
	free(xml);
	return omacp_xml_to_string(parsed, FALSE);
}

static GBytes *
encode_ok(GBytes *doc)
{
	g_autoptr(xmlDoc) xml = NULL;
	g_autoptr(GError) error = NULL;
	gsize len;
	const guint8 *data = g_bytes_get_data(doc, &len);
	GBytes *out;

	g_assert_true(omacp_wbxml_decode(data, len, &xml, NULL, &error));
	g_assert_no_error(error);
	out = omacp_wbxml_encode(xml, &error);
	g_assert_no_error(error);
	g_assert_nonnull(out);
	return out;
}

static GBytes *
encode_xml_text(const char *text)
{
	g_autoptr(xmlDoc) xml = NULL;
	g_autoptr(GError) error = NULL;
	GBytes *out;

	g_assert_true(omacp_xml_parse(text, strlen(text), &xml, &error));
	g_assert_no_error(error);
	out = omacp_wbxml_encode(xml, &error);
	g_assert_no_error(error);
	g_assert_nonnull(out);
	return out;
}

static void
assert_bytes(GBytes *got, const char *notation)
{
	g_autoptr(GBytes) want = doc_from_notation(notation);

	if (!g_bytes_equal(got, want)) {
		gsize a, b;
		const guint8 *pa = g_bytes_get_data(got, &a);
		const guint8 *pb = g_bytes_get_data(want, &b);
		g_autoptr(GString) msg = g_string_new("got:  ");

		for (gsize i = 0; i < a; i++)
			g_string_append_printf(msg, "%02X ", pa[i]);
		g_string_append(msg, "\nwant: ");
		for (gsize i = 0; i < b; i++)
			g_string_append_printf(msg, "%02X ", pb[i]);
		g_test_message("%s", msg->str);
		g_test_fail();
	}
}

/* ---- the vectors ---- */

typedef struct {
	const char *path;     /* under tests/data/ */
	const char *expected; /* under tests/data/wbxml/ */
	gsize junk;           /* octets before the WSP push (08 only) */
	gboolean libwbxml_ok; /* within libwbxml's vocabulary */
} Vector;

static const Vector vectors[] = {
	{ "vectors/public/01-provcont11-appendixC.wbxml.hex", "01-provcont11-appendixC.xml", 0,
	  TRUE },
	{ "vectors/public/02-cht-codepage-userpin0000.wbxml.hex", "02-cht-codepage-userpin0000.xml",
	  0, TRUE },
	{ "vectors/public/03-gecko-netwpin-minimal.wbxml.hex", "03-gecko-netwpin-minimal.xml", 0,
	  TRUE },
	{ "vectors/public/04-nowsms-forum-netwpin.wbxml.hex", "04-nowsms-forum-netwpin.xml", 0,
	  TRUE },
	{ "vectors/public/05-vn-mobifone-gprs-userpin1111.ud.hex",
	  "05-vn-mobifone-gprs-userpin1111.xml", 0, TRUE },
	{ "vectors/public/06-vn-vinaphone-gprs-userpin1111.ud.hex",
	  "06-vn-vinaphone-gprs-userpin1111.xml", 0, TRUE },
	{ "vectors/public/07-vn-viettel-gprs-userpin1111.ud.hex",
	  "07-vn-viettel-gprs-userpin1111.xml", 0, TRUE },
	{ "vectors/public/08-sierra-dm-bootstrap-userpin1234.tpdu.hex",
	  "08-sierra-dm-bootstrap-userpin1234.xml", 4, TRUE },
	{ "vectors/provisioning-service/prov_beeline_2.wbxml", "prov_beeline_2.xml", 0, TRUE },
	{ "vectors/provisioning-service/prov_dna_1.wbxml", "prov_dna_1.xml", 0, TRUE },
	{ "vectors/provisioning-service/prov_dna_2.wbxml", "prov_dna_2.xml", 0, TRUE },
	{ "vectors/provisioning-service/prov_moi_1.wbxml", "prov_moi_1.xml", 0, TRUE },
	{ "vectors/provisioning-service/prov_moi_2.wbxml", "prov_moi_2.xml", 0, TRUE },
	{ "vectors/provisioning-service/prov_moi_3.wbxml", "prov_moi_3.xml", 0, TRUE },
	{ "vectors/provisioning-service/prov_sonera.wbxml", "prov_sonera.xml", 0, TRUE },
	/* hand-made: late tokens (libwbxml rejects BB/BC) and MSPROV elements */
	{ "wbxml/wlan.wbxml.hex", "wlan.xml", 0, FALSE },
	{ "wbxml/msprov-page0.wbxml.hex", "msprov.xml", 0, FALSE },
	{ "wbxml/msprov-page200.wbxml.hex", "msprov.xml", 0, FALSE },
};

static char *
expected_text(const Vector *v)
{
	g_autofree char *rel = g_build_filename("wbxml", v->expected, NULL);

	return omacp_test_load_text(rel);
}

static void
test_vectors_decode(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		const Vector *v = &vectors[i];
		g_autoptr(GBytes) body = vector_body(v->path, v->junk);
		g_autoptr(GPtrArray) warnings = new_warnings();
		g_autofree char *got = decode_ok(body, warnings);
		g_autofree char *want = expected_text(v);

		g_test_message("%s", v->path);
		g_assert_cmpstr(got, ==, want);
		g_assert_cmpuint(warnings->len, ==, 0);
	}
}

/* The libwbxml renderings parsed as XML give the same text as our decoder. */
static void
test_vectors_xml_parse(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		const Vector *v = &vectors[i];
		g_autofree char *xml_path = NULL;
		g_autofree char *path = NULL;
		g_autofree char *text = NULL;
		g_autofree char *got = NULL;
		g_autofree char *want = expected_text(v);
		g_autoptr(xmlDoc) doc = NULL;
		g_autoptr(GError) error = NULL;
		gsize len = 0;

		if (!g_str_has_prefix(v->path, "vectors/"))
			continue;
		{
			g_autofree char *stem =
			        g_strndup(v->path, (gsize) (strchr(v->path, '.') - v->path));

			xml_path = g_strconcat(stem, ".xml", NULL);
		}
		path = omacp_test_path(xml_path);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			continue; /* 03 has no rendering */
		g_assert_true(g_file_get_contents(path, &text, &len, NULL));
		g_assert_true(omacp_xml_parse(text, len, &doc, &error));
		g_assert_no_error(error);
		got = omacp_xml_to_string(doc, FALSE);
		g_assert_cmpstr(got, ==, want);
	}
}

/* libwbxml decodes the original vectors to the same content as ours. */
static void
test_vectors_libwbxml(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		const Vector *v = &vectors[i];
		g_autoptr(GBytes) body = vector_body(v->path, v->junk);
		g_autofree char *ours = decode_ok(body, NULL);
		g_autofree char *theirs = NULL;
		WBXMLError lib_error;

		if (!v->libwbxml_ok)
			continue;
		theirs = libwbxml_to_string(body, &lib_error);
		g_assert_cmpint(lib_error, ==, WBXML_OK);
		g_assert_cmpstr(ours, ==, theirs);
	}
}

/* The gap that made us write our own decoder: libwbxml rejects a whole
 * document for one late value token (BB 3G-GSM, BC WLAN); ours keeps it. */
static void
test_libwbxml_gap(void)
{
	g_autoptr(GBytes) doc = doc_from_notation("03 0B 6A 00 C5 46 01 C6 55 01"
	                                          " 87 11 06 03 'N1' 00 01 87 10 06 BB 01 01 01");
	g_autofree char *ours = decode_ok(doc, NULL);
	g_autofree char *theirs = NULL;
	WBXMLError lib_error = WBXML_OK;

	g_assert_nonnull(strstr(ours, "<parm name=\"BEARER\" value=\"3G-GSM\"/>"));
	theirs = libwbxml_to_string(doc, &lib_error);
	g_assert_null(theirs);
	g_assert_cmpint(lib_error, !=, WBXML_OK);
}

static void
test_vectors_truncated(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		const Vector *v = &vectors[i];
		g_autoptr(GBytes) body = vector_body(v->path, v->junk);
		gsize len;
		const guint8 *data = g_bytes_get_data(body, &len);

		for (gsize n = 0; n < len; n++) {
			g_autoptr(xmlDoc) xml = NULL;
			g_autoptr(GError) error = NULL;

			g_assert_false(omacp_wbxml_decode(data, n, &xml, NULL, &error));
			g_assert_null(xml);
			g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED);
			g_assert_true(g_str_has_prefix(error->message, "wbxml: "));
			g_assert_nonnull(strstr(error->message, " at octet "));
		}
	}
}

/* encode(decode(v)) decodes to the same XML; the encoder is deterministic
 * and a fixed point after one round. */
static void
test_vectors_roundtrip(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		const Vector *v = &vectors[i];
		g_autoptr(GBytes) body = vector_body(v->path, v->junk);
		g_autoptr(GBytes) enc1 = encode_ok(body);
		g_autoptr(GBytes) enc2 = encode_ok(body);
		g_autoptr(GBytes) enc3 = encode_ok(enc1);
		g_autoptr(GPtrArray) warnings = new_warnings();
		g_autofree char *want = expected_text(v);
		g_autofree char *got = decode_ok(enc1, warnings);

		g_test_message("%s: %" G_GSIZE_FORMAT " → %" G_GSIZE_FORMAT " octets", v->path,
		               g_bytes_get_size(body), g_bytes_get_size(enc1));
		g_assert_cmpstr(got, ==, want);
		g_assert_cmpuint(warnings->len, ==, 0);
		g_assert_true(g_bytes_equal(enc1, enc2));
		g_assert_true(g_bytes_equal(enc1, enc3));
	}
}

/* The independent check: libwbxml decodes what our encoder wrote to the same
 * content. The late tokens are spelled out by the encoder, so the WLAN
 * document is within libwbxml's vocabulary once re-encoded; the MSPROV
 * elements are not. */
static void
test_encode_libwbxml(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
		const Vector *v = &vectors[i];
		g_autoptr(GBytes) body = NULL;
		g_autoptr(GBytes) enc = NULL;
		g_autofree char *want = NULL;
		g_autofree char *theirs = NULL;
		WBXMLError lib_error;

		if (g_str_has_prefix(v->expected, "msprov"))
			continue;
		body = vector_body(v->path, v->junk);
		enc = encode_ok(body);
		want = expected_text(v);
		theirs = libwbxml_to_string(enc, &lib_error);
		g_test_message("%s", v->path);
		g_assert_cmpint(lib_error, ==, WBXML_OK);
		g_assert_cmpstr(theirs, ==, want);
	}
}

/* ---- hand-made documents ---- */

typedef struct {
	const char *name;
	const char *doc;  /* mini-notation */
	const char *xml;  /* expected to_string without the declaration; NULL: error */
	OmacpError code;  /* expected error when xml == NULL */
	const char *text; /* substring of the error, or of the (first) warning */
	guint n_warnings;
} Case;

#define HDR            "03 0B 6A 00 "
#define ROOT           "C5 46 01 "
#define XROOT(body)    "<wap-provisioningdoc version=\"1.0\">\n" body "</wap-provisioningdoc>\n"
#define NAPDEF_NAME(v) "C6 55 01 87 07 06 " v " 01 01 "
#define XNAPDEF_NAME(v)                                                                            \
	"  <characteristic type=\"NAPDEF\">\n    <parm name=\"NAME\" value=\"" v "\"/>\n"          \
	"  </characteristic>\n"

static const Case cases[] = {
	/* header */
	{ "wbxml-1.0-no-charset", "00 0B 00 " ROOT "86 56 01 01",
	  XROOT("  <characteristic type=\"BOOTSTRAP\"/>\n") },
	{ "wbxml-1.1", "01 0B 6A 00 " ROOT "01", "<wap-provisioningdoc version=\"1.0\"/>\n" },
	{ "wbxml-1.2", "02 0B 6A 00 " ROOT "01", "<wap-provisioningdoc version=\"1.0\"/>\n" },
	{ "string-public-id", "03 00 00 6A 1E '-//WAPFORUM//DTD PROV 1.0//EN' 00 " ROOT "01",
	  "<wap-provisioningdoc version=\"1.0\"/>\n" },
	{ "string-public-id-other", "03 00 00 6A 0B '-//FOO//EN' 00 " ROOT "01",
	  "<wap-provisioningdoc version=\"1.0\"/>\n", 0,
	  "wbxml: public id string \"-//FOO//EN\" is not PROV; decoding as PROV at octet 2", 1 },
	/* the sender's octets are not UTF-8: the warning shows them escaped */
	{ "string-public-id-not-utf8", "03 00 00 6A 05 'o' F4 87 10 00 " ROOT "01",
	  "<wap-provisioningdoc version=\"1.0\"/>\n", 0,
	  "wbxml: public id string \"o\\364\\207\\020\" is not PROV; decoding as PROV at octet 2",
	  1 },
	{ "string-public-id-outside-table", "03 00 05 6A 02 'a' 00 " ROOT "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "string-table offset 5 outside the 2-octet string table at octet 2" },
	{ "public-id-01", "03 01 6A 00 " ROOT "01", "<wap-provisioningdoc version=\"1.0\"/>\n", 0,
	  "wbxml: public id 0x01 (unknown); decoding as PROV at octet 1", 1 },
	{ "public-id-other", "03 05 6A 00 " ROOT "01", "<wap-provisioningdoc version=\"1.0\"/>\n",
	  0, "public id 0x05 is not PROV", 1 },
	{ "charset-unknown-0", "03 0B 00 00 " ROOT NAPDEF_NAME("03 'Caf' C3 A9 00") "01",
	  XROOT(XNAPDEF_NAME("Café")) },
	{ "charset-unsupported", "03 0B 11 00 " ROOT "01", NULL, OMACP_ERROR_UNSUPPORTED,
	  "wbxml: charset MIBenum 17 is not supported (UTF-8, ISO-8859-1, US-ASCII) at octet 2" },
	{ "charset-multibyte-unsupported", "03 0B 83 74 00 " ROOT "01", NULL,
	  OMACP_ERROR_UNSUPPORTED, "charset MIBenum 500" },
	{ "version-2.0", "10 0B 6A 00 " ROOT "01", NULL, OMACP_ERROR_UNSUPPORTED,
	  "wbxml: version 2.0 is not supported (1.0 to 1.3) at octet 0" },
	{ "string-table-past-end", "03 0B 6A 10 'ab'", NULL, OMACP_ERROR_TRUNCATED,
	  "string table of 16 octets runs past the end of the document (2 left) at octet 4" },
	{ "mb-u-int32-too-long", "03 0B 6A 80 80 80 80 80 01", NULL, OMACP_ERROR_INVALID_DOCUMENT,
	  "string table length) is not a valid mb_u_int32 (more than 32 bits) at octet 3" },

	/* charsets */
	{ "utf-8", HDR ROOT NAPDEF_NAME("03 'Caf' C3 A9 ' ' F0 9F 98 80 00") "01",
	  XROOT(XNAPDEF_NAME("Café 😀")) },
	{ "iso-8859-1", "03 0B 04 00 " ROOT NAPDEF_NAME("03 'Caf' E9 ' ' FF 00") "01",
	  XROOT(XNAPDEF_NAME("Café ÿ")) },
	{ "iso-8859-1-string-table", "03 0B 04 03 'G' E4 00 " ROOT NAPDEF_NAME("83 00") "01",
	  XROOT(XNAPDEF_NAME("Gä")) },
	{ "us-ascii-high-byte", "03 0B 03 00 " ROOT NAPDEF_NAME("03 'Caf' E9 00") "01",
	  XROOT(XNAPDEF_NAME("Caf\xEF\xBF\xBD")), 0,
	  "wbxml: octet 0xE9 is not US-ASCII; replaced by U+FFFD at octet 17", 1 },
	{ "invalid-utf-8", HDR ROOT NAPDEF_NAME("03 'Caf' C3 28 00") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT, "wbxml: invalid UTF-8 in a UTF-8 document at octet 17" },
	{ "invalid-utf-8-overlong", HDR ROOT NAPDEF_NAME("03 C0 AF 00") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT, "invalid UTF-8 in a UTF-8 document at octet 14" },
	{ "invalid-utf-8-in-table", "03 0B 6A 03 'a' FF 00 " ROOT NAPDEF_NAME("83 00") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT, "invalid UTF-8 in a UTF-8 document at octet 5" },
	{ "control-character", HDR ROOT NAPDEF_NAME("03 'a' 01 'b' 00") "01",
	  XROOT(XNAPDEF_NAME("a\xEF\xBF\xBD"
	                     "b")),
	  0, "characters XML cannot carry; replaced by U+FFFD at octet 14", 1 },

	/* attribute values */
	{ "value-mixing",
	  "03 0B 6A 10 'www.example.com' 00 " ROOT
	  "C6 51 01 87 1C 06 03 'http://' 00 83 00 03 '/start' 00 01"
	  " 87 21 06 85 03 00 01 87 07 06 9A 03 '-x' 00 9B 01 01 01",
	  XROOT("  <characteristic type=\"PXLOGICAL\">\n"
	        "    <parm name=\"STARTPAGE\" value=\"http://www.example.com/start\"/>\n"
	        "    <parm name=\"PXADDRTYPE\" value=\"IPV4\"/>\n"
	        "    <parm name=\"NAME\" value=\"PAP-xCHAP\"/>\n"
	        "  </characteristic>\n") },
	{ "prefix-and-value", HDR ROOT "C6 55 03 '2' 00 01 01 01",
	  XROOT("  <characteristic type=\"NAPDEF2\"/>\n") },
	{ "page-1-value-concatenation",
	  HDR ROOT "C6 00 01 55 01 C6 57 01 87 33 06 91 92 90 91 93 01 01 01 01",
	  XROOT("  <characteristic type=\"APPLICATION\">\n"
	        "    <characteristic type=\"APPAUTH\">\n"
	        "      <parm name=\"AAUTHTYPE\" value=\"HTTP-BASIC,HTTP-DIGEST\"/>\n"
	        "    </characteristic>\n"
	        "  </characteristic>\n") },
	{ "empty-value", HDR ROOT "C6 52 01 87 20 06 03 00 01 87 21 06 01 01 01",
	  XROOT("  <characteristic type=\"PXPHYSICAL\">\n"
	        "    <parm name=\"PXADDR\" value=\"\"/>\n"
	        "    <parm name=\"PXADDRTYPE\" value=\"\"/>\n"
	        "  </characteristic>\n") },
	{ "flag-parm-and-name-string", HDR ROOT "C6 55 01 87 14 01 87 05 03 'INIT' 00 01 01 01",
	  XROOT("  <characteristic type=\"NAPDEF\">\n"
	        "    <parm name=\"INTERNET\"/>\n"
	        "    <parm name=\"INIT\"/>\n"
	        "  </characteristic>\n") },
	{ "attribute-page-persists",
	  HDR ROOT "C6 00 01 55 01 87 36 06 03 'w2' 00 01 01 C6 59 01 87 3A 06 03 'u' 00 01 01 01",
	  XROOT("  <characteristic type=\"APPLICATION\">\n"
	        "    <parm name=\"APPID\" value=\"w2\"/>\n"
	        "  </characteristic>\n"
	        "  <characteristic type=\"RESOURCE\">\n"
	        "    <parm name=\"URI\" value=\"u\"/>\n"
	        "  </characteristic>\n") },
	{ "tag-page-separate-from-attribute-page",
	  HDR ROOT "00 01 C6 00 01 55 01 87 36 06 03 'w2' 00 01 01 00 00 01",
	  XROOT("  <characteristic type=\"APPLICATION\">\n"
	        "    <parm name=\"APPID\" value=\"w2\"/>\n"
	        "  </characteristic>\n") },
	{ "duplicate-attribute", HDR ROOT "C6 55 01 87 07 07 01 01 01",
	  XROOT("  <characteristic type=\"NAPDEF\">\n"
	        "    <parm name=\"NAME\"/>\n"
	        "  </characteristic>\n"),
	  0, "wbxml: duplicate attribute name on <parm> ignored at octet 12", 1 },

	/* unknown tokens: kept under placeholders, the rest survives */
	{ "unknown-attribute-start",
	  HDR ROOT "C6 56 01 87 4D 06 03 'x' 00 01 87 07 06 03 'ok' 00 01 01 01",
	  XROOT("  <characteristic type=\"BOOTSTRAP\">\n"
	        "    <parm x-wbxml-attr-p0-4D=\"\" value=\"x\"/>\n"
	        "    <parm name=\"NAME\" value=\"ok\"/>\n"
	        "  </characteristic>\n"),
	  0, "wbxml: unknown attribute-start token 0x4D on code page 0 at octet 11", 1 },
	{ "unknown-attribute-start-with-value", HDR ROOT "C6 56 01 87 7F 03 'v' 00 01 01 01",
	  XROOT("  <characteristic type=\"BOOTSTRAP\">\n"
	        "    <parm x-wbxml-attr-p0-7F=\"v\"/>\n"
	        "  </characteristic>\n"),
	  0, "unknown attribute-start token 0x7F on code page 0 at octet 11", 1 },
	{ "unknown-attribute-page", HDR ROOT "C6 00 07 55 01 01 01",
	  XROOT("  <characteristic x-wbxml-attr-p7-55=\"\"/>\n"), 0,
	  "unknown attribute-start token 0x55 on code page 7 at octet 10", 1 },
	{ "unknown-value-page-1",
	  HDR ROOT "C6 00 01 55 01 87 34 06 85 01 87 36 06 03 'w4' 00 01 01 01",
	  XROOT("  <characteristic type=\"APPLICATION\">\n"
	        "    <parm name=\"ADDR\" value=\"x-wbxml-value-p1-85\"/>\n"
	        "    <parm name=\"APPID\" value=\"w4\"/>\n"
	        "  </characteristic>\n"),
	  0, "wbxml: unknown attribute-value token 0x85 on code page 1 at octet 15", 1 },
	{ "unknown-tag", HDR ROOT "48 01 00 05 86 56 01 00 00 86 56 01 01",
	  XROOT("  <x-wbxml-tag-p0-08/>\n"
	        "  <x-wbxml-tag-p5-06 type=\"BOOTSTRAP\"/>\n"
	        "  <characteristic type=\"BOOTSTRAP\"/>\n"),
	  0, "wbxml: unknown tag token 0x08 on code page 0 at octet 7", 2 },

	/* late ProvCont 1.1 tokens (full document in wbxml/wlan.wbxml.hex) */
	{ "late-bearer-values", HDR ROOT "C6 55 01 87 10 06 BB 01 87 10 06 BC 01 01 01",
	  XROOT("  <characteristic type=\"NAPDEF\">\n"
	        "    <parm name=\"BEARER\" value=\"3G-GSM\"/>\n"
	        "    <parm name=\"BEARER\" value=\"WLAN\"/>\n"
	        "  </characteristic>\n") },
	/* 0x40 is a WLAN name only on attribute page 1; on page 0 it is EXT_I_0 */
	{ "wlan-40-44-only-on-page-1", HDR ROOT "C6 56 01 87 07 06 40 'e' 00 01 01 01",
	  XROOT("  <characteristic type=\"BOOTSTRAP\">\n"
	        "    <parm name=\"NAME\" value=\"e\"/>\n"
	        "  </characteristic>\n"),
	  0, "wbxml: extension EXT_I_0 kept as text at octet 13", 1 },
	{ "tetra-spelling", HDR ROOT "C6 55 01 87 10 06 B5 01 87 10 06 B6 01 01 01",
	  XROOT("  <characteristic type=\"NAPDEF\">\n"
	        "    <parm name=\"BEARER\" value=\"TETRA-SDS\"/>\n"
	        "    <parm name=\"BEARER\" value=\"TETRA-PACKET\"/>\n"
	        "  </characteristic>\n") },

	/* other global tokens */
	{ "opaque-as-hex", HDR ROOT NAPDEF_NAME("C3 03 01 02 FF") "01",
	  XROOT(XNAPDEF_NAME("0102FF")), 0,
	  "wbxml: OPAQUE data (3 octets) kept as hex text at octet 13", 1 },
	{ "opaque-past-end", HDR ROOT NAPDEF_NAME("C3 09 01 02") "01", NULL, OMACP_ERROR_TRUNCATED,
	  "OPAQUE of 9 octets runs past the end of the document" },
	{ "entity", HDR ROOT NAPDEF_NAME("03 'a' 00 02 81 69 02 87 EC 00") "01",
	  XROOT(XNAPDEF_NAME("aé😀")) },
	{ "entity-surrogate", HDR ROOT NAPDEF_NAME("02 83 B0 00") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: ENTITY U+D800 is not an XML character at octet 13" },
	{ "entity-beyond-unicode", HDR ROOT NAPDEF_NAME("02 C4 80 00") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT, "ENTITY U+110000 is not an XML character" },
	{ "entity-nul", HDR ROOT NAPDEF_NAME("02 00") "01", NULL, OMACP_ERROR_INVALID_DOCUMENT,
	  "ENTITY U+0000" },
	{ "ext-i-as-text", HDR ROOT NAPDEF_NAME("41 'ext' 00") "01", XROOT(XNAPDEF_NAME("ext")), 0,
	  "wbxml: extension EXT_I_1 kept as text at octet 13", 1 },
	{ "ext-t-as-text", "03 0B 6A 04 'tbl' 00 " ROOT NAPDEF_NAME("80 00") "01",
	  XROOT(XNAPDEF_NAME("tbl")), 0, "extension EXT_T_0 kept as text", 1 },
	{ "ext-without-data", HDR ROOT NAPDEF_NAME("03 'a' 00 C0") "01", XROOT(XNAPDEF_NAME("a")),
	  0, "extension EXT_0 without data ignored", 1 },
	{ "pi-skipped",
	  HDR "43 05 03 'x' 00 01 " ROOT "43 45 03 'y' 00 83 00 01 86 56 01 01 43 06 01",
	  XROOT("  <characteristic type=\"BOOTSTRAP\"/>\n"), 0,
	  "wbxml: processing instruction skipped at octet 4", 3 },
	{ "text-content", HDR ROOT "46 03 'a&b' 00 02 3C 01 01",
	  XROOT("  <characteristic>a&amp;b&lt;</characteristic>\n") },
	{ "literal-tag-and-attribute",
	  "03 0B 6A 0A 'foo' 00 'bar-x' 00 C5 46 01 84 00 04 04 03 "
	  "'1' 00 01 44 04 01 01",
	  XROOT("  <foo bar-x=\"1\"/>\n  <bar-x/>\n") },
	{ "literal-invalid-name", "03 0B 6A 03 '1x' 00 " ROOT "04 00 01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: LITERAL names \"1x\", which is not an XML name at octet 10" },
	{ "trailing-octets", HDR ROOT "01 FF FF", "<wap-provisioningdoc version=\"1.0\"/>\n", 0,
	  "wbxml: 2 octets after the end of the document ignored at octet 8", 1 },
	{ "empty-root", HDR "05", "<wap-provisioningdoc/>\n" },

	/* structure errors */
	{ "root-not-prov", HDR "C6 55 01 01", NULL, OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: root element is <characteristic>, not <wap-provisioningdoc> at octet 4" },
	{ "root-unknown-token", HDR "48 01", NULL, OMACP_ERROR_INVALID_DOCUMENT,
	  "root element is <x-wbxml-tag-p0-08>" },
	{ "end-without-element", HDR "01", NULL, OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: END without an open element at octet 4" },
	{ "text-outside-root", HDR "03 'x' 00 45 01", NULL, OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: character data outside the root element at octet 4" },
	{ "value-before-attribute", HDR ROOT "C6 03 'x' 00 01 01 01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: attribute value before any attribute start on <characteristic> at octet 8" },
	{ "value-token-before-attribute", HDR ROOT "C6 85 01 01 01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT, "attribute value before any attribute start" },
	{ "literal-a-in-attributes", HDR ROOT "C6 84 00 01 01 01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: token 0x84 is not allowed in an attribute list at octet 8" },
	{ "no-root", HDR, NULL, OMACP_ERROR_TRUNCATED,
	  "wbxml: document ends before its root element at octet 4" },
	{ "unclosed", HDR ROOT "C6 55 01", NULL, OMACP_ERROR_TRUNCATED,
	  "wbxml: document ends inside <characteristic> (2 elements open) at octet 10" },
	{ "str-t-outside-table", "03 0B 6A 04 'abc' 00 " ROOT NAPDEF_NAME("83 09") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: string-table offset 9 outside the 4-octet string table at octet 17" },
	{ "str-t-unterminated", "03 0B 6A 03 'abc' " ROOT NAPDEF_NAME("83 01") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "string-table string at offset 1 is not NUL-terminated inside the table at octet 16" },
	{ "str-t-offset-max", HDR ROOT NAPDEF_NAME("83 8F FF FF FF 7F") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: string-table offset 4294967295 outside the 0-octet string table at octet 13" },
	{ "str-t-offset-beyond-32-bits", HDR ROOT NAPDEF_NAME("83 90 80 80 80 00") "01", NULL,
	  OMACP_ERROR_INVALID_DOCUMENT,
	  "wbxml: the STR_T offset is not a valid mb_u_int32 (more than 32 bits) at octet 14" },
};

static void
test_case(gconstpointer data)
{
	const Case *c = data;
	g_autoptr(GBytes) doc = doc_from_notation(c->doc);
	g_autoptr(GPtrArray) warnings = new_warnings();
	g_autoptr(GError) error = NULL;
	g_autofree char *got = decode_to_string(doc, warnings, &error);

	if (c->xml == NULL) {
		g_assert_null(got);
		g_assert_error(error, OMACP_ERROR, (gint) c->code);
		g_test_message("%s", error->message);
		g_assert_nonnull(strstr(error->message, c->text));
		g_assert_true(g_str_has_prefix(error->message, "wbxml: "));
		g_assert_nonnull(strstr(error->message, " at octet "));
		return;
	}
	g_assert_no_error(error);
	{
		g_autofree char *want = g_strconcat(XML_DECL, c->xml, NULL);

		g_assert_cmpstr(got, ==, want);
	}
	for (guint i = 0; i < warnings->len; i++)
		g_test_message("warning: %s", (const char *) g_ptr_array_index(warnings, i));
	g_assert_cmpuint(warnings->len, ==, c->n_warnings);
	if (c->n_warnings > 0) {
		g_assert_nonnull(strstr(g_ptr_array_index(warnings, 0), c->text));
		for (guint i = 0; i < warnings->len; i++)
			g_assert_nonnull(strstr(g_ptr_array_index(warnings, i), " at octet "));
	}
	/* Every hand-made document that decodes also round-trips. */
	{
		g_autoptr(GBytes) enc = encode_ok(doc);
		g_autofree char *again = decode_ok(enc, NULL);

		g_assert_cmpstr(again, ==, got);
	}
}

/* ---- caps ---- */

static GBytes *
nested(guint depth)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	static const guint8 hdr[] = { 0x03, 0x0B, 0x6A, 0x00, 0x45 };
	static const guint8 open[] = { 0xC6, 0x55, 0x01 };
	guint8 end = 0x01;

	g_byte_array_append(b, hdr, sizeof hdr);
	for (guint i = 1; i < depth; i++)
		g_byte_array_append(b, open, sizeof open);
	for (guint i = 0; i < depth; i++)
		g_byte_array_append(b, &end, 1);
	return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

static void
test_cap_depth(void)
{
	g_autoptr(GBytes) ok = nested(OMACP_WBXML_MAX_DEPTH);
	g_autoptr(GBytes) deep = nested(OMACP_WBXML_MAX_DEPTH + 1);
	g_autofree char *text = decode_ok(ok, NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *none = decode_to_string(deep, NULL, &error);
	g_autofree char *want =
	        g_strdup_printf("elements nested deeper than the cap of %u at octet %u",
	                        OMACP_WBXML_MAX_DEPTH, 5 + 3 * (OMACP_WBXML_MAX_DEPTH - 1));

	g_assert_true(g_str_has_prefix(text, "<?xml"));
	g_assert_null(none);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, want));
}

static GBytes *
many_elements(guint count)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	static const guint8 hdr[] = { 0x03, 0x0B, 0x6A, 0x00, 0x45 };
	guint8 parm = 0x07, end = 0x01;

	g_byte_array_append(b, hdr, sizeof hdr);
	for (guint i = 1; i < count; i++)
		g_byte_array_append(b, &parm, 1);
	g_byte_array_append(b, &end, 1);
	return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

static void
test_cap_elements(void)
{
	g_autoptr(GBytes) ok = many_elements(OMACP_WBXML_MAX_ELEMENTS);
	g_autoptr(GBytes) many = many_elements(OMACP_WBXML_MAX_ELEMENTS + 1);
	g_autofree char *text = decode_ok(ok, NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *none = decode_to_string(many, NULL, &error);
	g_autofree char *want =
	        g_strdup_printf("more than %u elements at octet %u", OMACP_WBXML_MAX_ELEMENTS,
	                        4 + OMACP_WBXML_MAX_ELEMENTS);

	g_assert_true(g_str_has_prefix(text, "<?xml"));
	g_assert_null(none);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, want));
}

static void
test_cap_size(void)
{
	g_autoptr(GBytes) big = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *none = NULL;
	g_autofree guint8 *data = g_malloc0(OMACP_WBXML_MAX_SIZE + 1);

	memcpy(data, "\x03\x0B\x6A\x00\x45", 5);
	big = g_bytes_new(data, OMACP_WBXML_MAX_SIZE + 1);
	none = decode_to_string(big, NULL, &error);
	g_assert_null(none);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "exceeds the 65536-octet cap at octet 65536"));
}

static GBytes *
long_value(gsize n)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	static const guint8 head[] = { 0x03, 0x0B, 0x6A, 0x00, 0xC5, 0x46, 0x01,
		                       0xC6, 0x55, 0x01, 0x87, 0x07, 0x06, 0x03 };
	static const guint8 tail[] = { 0x00, 0x01, 0x01, 0x01 };
	guint8 a = 'a';

	g_byte_array_append(b, head, sizeof head);
	for (gsize i = 0; i < n; i++)
		g_byte_array_append(b, &a, 1);
	g_byte_array_append(b, tail, sizeof tail);
	return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

static void
test_cap_string(void)
{
	g_autoptr(GBytes) ok = long_value(OMACP_WBXML_MAX_STRING);
	g_autoptr(GBytes) big = long_value(OMACP_WBXML_MAX_STRING + 1);
	g_autofree char *text = decode_ok(ok, NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *none = decode_to_string(big, NULL, &error);

	g_assert_true(g_str_has_prefix(text, "<?xml"));
	g_assert_null(none);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(
	        strstr(error->message, "string longer than the 4096-octet cap at octet 14"));
}

static void
test_cap_warnings(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	static const guint8 hdr[] = { 0x03, 0x0B, 0x6A, 0x00, 0x45 };
	guint8 unknown = 0x08, end = 0x01;
	g_autoptr(GBytes) doc = NULL;
	g_autoptr(GPtrArray) warnings = new_warnings();
	g_autofree char *text = NULL;

	g_byte_array_append(b, hdr, sizeof hdr);
	for (guint i = 0; i < 2 * OMACP_WBXML_MAX_WARNINGS; i++)
		g_byte_array_append(b, &unknown, 1);
	g_byte_array_append(b, &end, 1);
	doc = g_byte_array_free_to_bytes(g_steal_pointer(&b));
	text = decode_ok(doc, warnings);
	g_assert_cmpuint(warnings->len, ==, OMACP_WBXML_MAX_WARNINGS + 1);
	g_assert_nonnull(strstr(g_ptr_array_index(warnings, warnings->len - 1),
	                        "warnings; the rest are not listed"));
}

/* ---- the encoder ---- */

typedef struct {
	const char *name;
	const char *xml;   /* input */
	const char *wbxml; /* expected output (mini-notation), from the digest's tables and the
	                      encoder's documented choices */
} EncodeCase;

#define XDOC(body) "<wap-provisioningdoc version=\"1.0\">" body "</wap-provisioningdoc>"
#define EHDR       "03 0B 6A 00 C5 46 01 "

static const EncodeCase encode_cases[] = {
	{ "page-switching",
	  XDOC("<characteristic type=\"APPLICATION\"><parm name=\"APPID\" value=\"w2\"/>"
	       "<parm name=\"ADDR\" value=\"IPV4\"/></characteristic>"),
	  EHDR "C6 00 01 55 01 87 36 06 03 'w2' 00 01 87 34 06 00 00 85 01 01 01" },
	{ "string-table",
	  XDOC("<characteristic type=\"NAPDEF\"><parm name=\"NAME\" value=\"Operator\"/>"
	       "<parm name=\"NAPID\" value=\"Operator\"/></characteristic>"),
	  "03 0B 6A 09 'Operator' 00 C5 46 01 C6 55 01 87 07 06 83 00 01 87 11 06 83 00 01 01 01" },
	{ "late-names-spelled-out",
	  XDOC("<characteristic type=\"WLAN\"><parm name=\"PRI-SSID\" value=\"n\"/>"
	       "<parm name=\"NETMODE\" value=\"INFRA\"/></characteristic>"
	       "<characteristic type=\"NAPDEF\"><parm name=\"BEARER\" "
	       "value=\"3G-GSM\"/></characteristic>"),
	  EHDR "C6 50 03 'WLAN' 00 01 87 05 03 'PRI-SSID' 00 06 03 'n' 00 01"
	       " 87 05 03 'NETMODE' 00 06 03 'INFRA' 00 01 01"
	       " C6 55 01 87 10 06 03 '3G-GSM' 00 01 01 01" },
	{ "flag-and-empty-value",
	  XDOC("<characteristic type=\"NAPDEF\"><parm name=\"INTERNET\"/>"
	       "<parm name=\"NAME\" value=\"\"/></characteristic>"),
	  EHDR "C6 55 01 87 14 01 87 07 06 03 00 01 01 01" },
	{ "msprov-page-0-and-literal",
	  "<wap-provisioningdoc><characteristic type=\"NAPDEF\" mwid=\"1\">"
	  "<noparm name=\"NAME\"/></characteristic>"
	  "<nocharacteristic type=\"X\"/></wap-provisioningdoc>",
	  "03 0B 6A 05 'mwid' 00 45 C6 55 04 00 03 '1' 00 01 A3 07 01 01 A2 50 03 'X' 00 01 01" },
	{ "value-token-on-current-page",
	  XDOC("<characteristic type=\"APPLICATION\">"
	       "<parm name=\"AAUTHLEVEL\" value=\"APPSRV\"/>"
	       "<parm name=\"ADDRTYPE\" value=\"E164\"/></characteristic>"),
	  EHDR "C6 00 01 55 01 87 30 06 8D 01 87 35 06 87 01 01 01" },
	{ "text-and-literal-tag", XDOC("<x-foo>a&amp;b</x-foo>"),
	  "03 0B 6A 06 'x-foo' 00 C5 46 01 44 00 03 'a&b' 00 01 01" },
};

static void
test_encode_case(gconstpointer data)
{
	const EncodeCase *c = data;
	g_autoptr(GBytes) got = encode_xml_text(c->xml);

	assert_bytes(got, c->wbxml);
}

static void
test_encode_errors(void)
{
	g_autoptr(xmlDoc) doc = NULL;
	g_autoptr(GError) error = NULL;
	GBytes *out;

	/* the XML parser already refuses a wrong root; build the tree by hand */
	doc = xmlNewDoc((const xmlChar *) "1.0");
	xmlDocSetRootElement(doc,
	                     xmlNewDocNode(doc, NULL, (const xmlChar *) "characteristic", NULL));
	out = omacp_wbxml_encode(doc, &error);
	g_assert_null(out);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT);
	g_clear_pointer(&doc, xmlFreeDoc);
	g_clear_error(&error);

	/* nesting beyond the cap (built by hand: the parser caps it too) */
	doc = xmlNewDoc((const xmlChar *) "1.0");
	{
		xmlNode *node =
		        xmlNewDocNode(doc, NULL, (const xmlChar *) "wap-provisioningdoc", NULL);

		xmlDocSetRootElement(doc, node);
		for (guint i = 0; i < OMACP_WBXML_MAX_DEPTH; i++)
			node = xmlNewChild(node, NULL, (const xmlChar *) "characteristic", NULL);
	}
	out = omacp_wbxml_encode(doc, &error);
	g_assert_null(out);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_true(g_str_has_prefix(error->message, "wbxml-encode: "));
	g_clear_pointer(&doc, xmlFreeDoc);
	g_clear_error(&error);

	/* a value longer than the decoder accepts */
	doc = xmlNewDoc((const xmlChar *) "1.0");
	{
		xmlNode *root =
		        xmlNewDocNode(doc, NULL, (const xmlChar *) "wap-provisioningdoc", NULL);
		g_autofree char *value = g_strnfill(OMACP_WBXML_MAX_STRING + 1, 'v');

		xmlDocSetRootElement(doc, root);
		xmlNewProp(root, (const xmlChar *) "version", (const xmlChar *) value);
	}
	out = omacp_wbxml_encode(doc, &error);
	g_assert_null(out);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
}

/* ---- XML text ---- */

typedef struct {
	const char *name;
	const char *xml;
	OmacpError code;
	const char *text;
} XmlErrorCase;

static const XmlErrorCase xml_errors[] = {
	{ "billion-laughs",
	  "<?xml version=\"1.0\"?>\n<!DOCTYPE wap-provisioningdoc [\n"
	  "<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	  "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n]>\n"
	  "<wap-provisioningdoc><characteristic type=\"&c;\"/></wap-provisioningdoc>",
	  OMACP_ERROR_INVALID_DOCUMENT, "xml: DOCTYPE with an internal subset" },
	{ "external-entity",
	  "<!DOCTYPE wap-provisioningdoc [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	  "<wap-provisioningdoc><parm name=\"&x;\"/></wap-provisioningdoc>",
	  OMACP_ERROR_INVALID_DOCUMENT, "internal subset" },
	{ "element-declaration",
	  "<!DOCTYPE wap-provisioningdoc [<!ELEMENT wap-provisioningdoc "
	  "ANY>]><wap-provisioningdoc/>",
	  OMACP_ERROR_INVALID_DOCUMENT, "internal subset" },
	{ "attribute-default",
	  "<!DOCTYPE wap-provisioningdoc [<!ATTLIST parm value CDATA "
	  "\"x\">]><wap-provisioningdoc/>",
	  OMACP_ERROR_INVALID_DOCUMENT, "internal subset" },
	{ "undeclared-entity", "<wap-provisioningdoc><parm name=\"&x;\"/></wap-provisioningdoc>",
	  OMACP_ERROR_INVALID_DOCUMENT, "xml: not well-formed: " },
	{ "not-well-formed", "<wap-provisioningdoc>\n<characteristic>\n</wap-provisioningdoc>",
	  OMACP_ERROR_INVALID_DOCUMENT, "(line 3, column" },
	{ "wrong-root", "<characteristic type=\"NAPDEF\"/>", OMACP_ERROR_INVALID_DOCUMENT,
	  "xml: root element is <characteristic>, not <wap-provisioningdoc> (line 1)" },
	{ "empty", "", OMACP_ERROR_INVALID_DOCUMENT, "xml: empty document" },
};

static void
test_xml_error(gconstpointer data)
{
	const XmlErrorCase *c = data;
	g_autoptr(xmlDoc) doc = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(omacp_xml_parse(c->xml, strlen(c->xml), &doc, &error));
	g_assert_null(doc);
	g_assert_error(error, OMACP_ERROR, (gint) c->code);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, c->text));
}

static void
test_xml_caps(void)
{
	g_autoptr(GString) s = g_string_new("<wap-provisioningdoc>");
	g_autoptr(xmlDoc) doc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *big = NULL;
	g_autofree char *value = NULL;

	/* depth */
	for (guint i = 1; i < OMACP_WBXML_MAX_DEPTH; i++)
		g_string_append(s, "<characteristic>");
	for (guint i = 1; i < OMACP_WBXML_MAX_DEPTH; i++)
		g_string_append(s, "</characteristic>");
	g_string_append(s, "</wap-provisioningdoc>");
	g_assert_true(omacp_xml_parse(s->str, s->len, &doc, &error));
	g_assert_no_error(error);
	g_clear_pointer(&doc, xmlFreeDoc);
	g_string_assign(s, "<wap-provisioningdoc>");
	for (guint i = 0; i < OMACP_WBXML_MAX_DEPTH; i++)
		g_string_append(s, "<characteristic>");
	for (guint i = 0; i < OMACP_WBXML_MAX_DEPTH; i++)
		g_string_append(s, "</characteristic>");
	g_string_append(s, "</wap-provisioningdoc>");
	g_assert_false(omacp_xml_parse(s->str, s->len, &doc, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "nested deeper than the cap of 16"));
	g_clear_error(&error);

	/* elements */
	g_string_assign(s, "<wap-provisioningdoc>");
	for (guint i = 0; i < OMACP_WBXML_MAX_ELEMENTS; i++)
		g_string_append(s, "<parm/>");
	g_string_append(s, "</wap-provisioningdoc>");
	g_assert_false(omacp_xml_parse(s->str, s->len, &doc, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "more than 8192 elements"));
	g_clear_error(&error);

	/* size */
	big = g_strnfill(OMACP_XML_MAX_SIZE + 1, ' ');
	g_assert_false(omacp_xml_parse(big, OMACP_XML_MAX_SIZE + 1, &doc, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "exceeds the 262144-octet cap"));
	g_clear_error(&error);

	/* string */
	value = g_strnfill(OMACP_WBXML_MAX_STRING + 1, 'v');
	g_string_printf(s, "<wap-provisioningdoc version=\"%s\"/>", value);
	g_assert_false(omacp_xml_parse(s->str, s->len, &doc, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_assert_nonnull(
	        strstr(error->message, "attribute version longer than the 4096-octet cap"));
}

/* ---- printing ---- */

static void
test_to_string_masking(void)
{
	static const char in[] =
	        "<wap-provisioningdoc>"
	        "<characteristic type=\"NAPDEF\"><characteristic type=\"NAPAUTHINFO\">"
	        "<parm name=\"AUTHNAME\" value=\"user\"/><parm name=\"AUTHSECRET\" value=\"s1\"/>"
	        "<parm name=\"authsecret\" value=\"\"/></characteristic>"
	        "<characteristic type=\"WLAN\"><parm name=\"WPA-PRES-KEY-HEX\" value=\"ABCD\"/>"
	        "<characteristic type=\"WEPKEY\"><parm name=\"DATA\" value=\"k\"/></characteristic>"
	        "</characteristic><parm name=\"DATA\" value=\"visible\"/></characteristic>"
	        "<characteristic type=\"PXLOGICAL\"><parm name=\"PROXY-PW\" value=\"q&quot;&lt;\"/>"
	        "</characteristic></wap-provisioningdoc>";
	static const char masked[] =
	        XML_DECL "<wap-provisioningdoc>\n"
	                 "  <characteristic type=\"NAPDEF\">\n"
	                 "    <characteristic type=\"NAPAUTHINFO\">\n"
	                 "      <parm name=\"AUTHNAME\" value=\"user\"/>\n"
	                 "      <parm name=\"AUTHSECRET\" value=\"********\"/>\n"
	                 "      <parm name=\"authsecret\" value=\"\"/>\n"
	                 "    </characteristic>\n"
	                 "    <characteristic type=\"WLAN\">\n"
	                 "      <parm name=\"WPA-PRES-KEY-HEX\" value=\"********\"/>\n"
	                 "      <characteristic type=\"WEPKEY\">\n"
	                 "        <parm name=\"DATA\" value=\"********\"/>\n"
	                 "      </characteristic>\n"
	                 "    </characteristic>\n"
	                 "    <parm name=\"DATA\" value=\"visible\"/>\n"
	                 "  </characteristic>\n"
	                 "  <characteristic type=\"PXLOGICAL\">\n"
	                 "    <parm name=\"PROXY-PW\" value=\"********\"/>\n"
	                 "  </characteristic>\n"
	                 "</wap-provisioningdoc>\n";
	g_autoptr(xmlDoc) doc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *plain = NULL;
	g_autofree char *hidden = NULL;

	g_assert_true(omacp_xml_parse(in, sizeof in - 1, &doc, &error));
	hidden = omacp_xml_to_string(doc, TRUE);
	g_assert_cmpstr(hidden, ==, masked);
	plain = omacp_xml_to_string(doc, FALSE);
	g_assert_nonnull(strstr(plain, "value=\"s1\""));
	g_assert_nonnull(strstr(plain, "value=\"ABCD\""));
	g_assert_nonnull(strstr(plain, "<parm name=\"PROXY-PW\" value=\"q&quot;&lt;\"/>"));
}

static void
test_parm_is_secret(void)
{
	static const char *const secret[] = { "AUTHSECRET",       "PXAUTH-PW",        "PROXY-PW",
		                              "BASAUTH-PW",       "AAUTHSECRET",      "PASSWORD",
		                              "WPA-PRES-KEY-ASC", "WPA-PRES-KEY-HEX", "Password" };
	static const char *const open[] = { "AUTHNAME", "NAME",     "PXAUTH-ID", "AAUTHNAME",
		                            "DATA",     "USERNAME", "APPID" };

	for (guint i = 0; i < G_N_ELEMENTS(secret); i++) {
		g_assert_true(omacp_parm_is_secret(secret[i], NULL));
		g_assert_true(omacp_parm_is_secret(secret[i], "NAPAUTHINFO"));
	}
	for (guint i = 0; i < G_N_ELEMENTS(open); i++)
		g_assert_false(omacp_parm_is_secret(open[i], NULL));
	g_assert_false(omacp_parm_is_secret(NULL, NULL));
	/* DATA is the key only under WEPKEY */
	g_assert_true(omacp_parm_is_secret("DATA", "WEPKEY"));
	g_assert_true(omacp_parm_is_secret("data", "wepkey"));
	g_assert_false(omacp_parm_is_secret("DATA", "RESOURCE"));
	g_assert_false(omacp_parm_is_secret("INDEX", "WEPKEY"));
}

/* Escaping survives a print → parse → print cycle. */
static void
test_to_string_escaping(void)
{
	g_autoptr(GBytes) doc =
	        doc_from_notation(HDR ROOT "C6 55 01 87 07 06 03 'a&<>\"' 09 0A 0D 'b' "
	                                   "00 01 01 01");
	g_autofree char *first = decode_ok(doc, NULL);
	g_autoptr(xmlDoc) again = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *second = NULL;

	g_assert_nonnull(strstr(first, "value=\"a&amp;&lt;&gt;&quot;&#9;&#10;&#13;b\""));
	g_assert_true(omacp_xml_parse(first, strlen(first), &again, &error));
	g_assert_no_error(error);
	second = omacp_xml_to_string(again, FALSE);
	g_assert_cmpstr(first, ==, second);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/wbxml/vectors/decode", test_vectors_decode);
	g_test_add_func("/wbxml/vectors/xml-parse", test_vectors_xml_parse);
	g_test_add_func("/wbxml/vectors/libwbxml-agrees", test_vectors_libwbxml);
	g_test_add_func("/wbxml/vectors/libwbxml-gap", test_libwbxml_gap);
	g_test_add_func("/wbxml/vectors/truncated", test_vectors_truncated);
	g_test_add_func("/wbxml/vectors/roundtrip", test_vectors_roundtrip);
	g_test_add_func("/wbxml/vectors/encode-libwbxml", test_encode_libwbxml);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = g_strdup_printf("/wbxml/decode/%s", cases[i].name);

		g_test_add_data_func(path, &cases[i], test_case);
	}
	g_test_add_func("/wbxml/cap/depth", test_cap_depth);
	g_test_add_func("/wbxml/cap/elements", test_cap_elements);
	g_test_add_func("/wbxml/cap/size", test_cap_size);
	g_test_add_func("/wbxml/cap/string", test_cap_string);
	g_test_add_func("/wbxml/cap/warnings", test_cap_warnings);
	for (guint i = 0; i < G_N_ELEMENTS(encode_cases); i++) {
		g_autofree char *path = g_strdup_printf("/wbxml/encode/%s", encode_cases[i].name);

		g_test_add_data_func(path, &encode_cases[i], test_encode_case);
	}
	g_test_add_func("/wbxml/encode/errors", test_encode_errors);
	for (guint i = 0; i < G_N_ELEMENTS(xml_errors); i++) {
		g_autofree char *path = g_strdup_printf("/wbxml/xml/%s", xml_errors[i].name);

		g_test_add_data_func(path, &xml_errors[i], test_xml_error);
	}
	g_test_add_func("/wbxml/xml/caps", test_xml_caps);
	g_test_add_func("/wbxml/to-string/masking", test_to_string_masking);
	g_test_add_func("/wbxml/to-string/escaping", test_to_string_escaping);
	g_test_add_func("/wbxml/parm-is-secret", test_parm_is_secret);
	return g_test_run();
}
