/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Authentication: every worked example of digest §3.5 (expected values are
 * the digest's and the vector README's, computed there with openssl and
 * Python, and for most of them equal to what the real sender put in the
 * push), each also failing with a changed document octet, a wrong PIN and a
 * wrong IMSI. */
#include <glib.h>
#include <string.h>

#include "omacp.h"
#include "testutil.h"

/* ---- documents ---- */

static GBytes *
load_wbxml(const char *name)
{
	g_autofree char *rel = g_build_filename("vectors", "public", name, NULL);

	return omacp_test_load_document(rel);
}

/* Strips UDHL + UDH from each user-data line (or, for .tpdu.hex, first
 * walks the SMS-DELIVER header) and joins the payloads: the WSP push. */
static GBytes *
load_push(const char *name)
{
	g_autofree char *rel = g_build_filename("vectors", "public", name, NULL);
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(rel);
	g_autoptr(GByteArray) pdu = g_byte_array_new();
	gboolean tpdu = g_str_has_suffix(name, ".tpdu.hex");

	for (guint i = 0; i < lines->len; i++) {
		gsize len = 0;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(lines, i), &len);
		gsize pos = 0;
		gsize udhl;

		if (tpdu) {
			pos = 1 + d[0];                              /* SMSC */
			pos += 1;                                    /* first octet */
			pos += 2 + (d[pos] + 1) / 2;                 /* OA length, TOA, digits */
			pos += 1 + 1 + 7;                            /* PID, DCS, SCTS */
			g_assert_cmpuint(d[pos], ==, len - pos - 1); /* UDL */
			pos += 1;
		}
		udhl = d[pos];
		g_assert_cmpuint(pos + 1 + udhl, <=, len);
		g_byte_array_append(pdu, d + pos + 1 + udhl, (guint) (len - pos - 1 - udhl));
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&pdu));
}

/* The body of a push built as in the vectors: TID, 06, HeadersLen 2F (one
 * octet uintvar), 47 header octets, then the document. @junk octets precede
 * the TID (Sierra). */
static GBytes *
push_body(GBytes *push, gsize junk, char mac_out[OMACP_MAC_HEX_LEN + 1])
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(push, &len);

	g_assert_cmpuint(p[junk + 1], ==, 0x06);
	g_assert_cmpuint(p[junk + 2], ==, 0x2F);
	/* 1F 2D B6 91 81 92 <40 hex> 00 */
	g_assert_cmpuint(p[junk + 3], ==, 0x1F);
	g_assert_cmpuint(p[junk + 8], ==, 0x92);
	memcpy(mac_out, p + junk + 9, OMACP_MAC_HEX_LEN);
	mac_out[OMACP_MAC_HEX_LEN] = '\0';
	g_assert_cmpuint(p[junk + 9 + OMACP_MAC_HEX_LEN], ==, 0x00);
	return g_bytes_new(p + junk + 3 + 47, len - junk - 3 - 47);
}

static const guint8 minimal_doc[] = { 0x03, 0x0B, 0x6A, 0x00, 0x45, 0x01 };

typedef enum {
	DOC_MINIMAL,
	DOC_FILE,
	DOC_PUSH,
} DocSource;

typedef struct {
	const char *what;
	DocSource source;
	const char *file;
	gsize junk;
	OmacpSec sec;
	const char *imsi;
	const char *pin;
	const char *mac; /* digest §3.5 / vector README */
} MacExample;

static const MacExample examples[] = {
	{ "gecko minimal NETWPIN", DOC_MINIMAL, NULL, 0, OMACP_SEC_NETWPIN, "466923103145252", NULL,
	  "1AF545FE2823DC9347064450F90FF1BBF957E146" },
	{ "gecko minimal from file", DOC_FILE, "03-gecko-netwpin-minimal.wbxml.hex", 0,
	  OMACP_SEC_NETWPIN, "466923103145252", NULL, "1AF545FE2823DC9347064450F90FF1BBF957E146" },
	{ "NowSMS NETWPIN", DOC_FILE, "04-nowsms-forum-netwpin.wbxml.hex", 0, OMACP_SEC_NETWPIN,
	  "123456789012345", NULL, "C483EC25F7E3E0CF100380DA5F6714CF204A5EC5" },
	{ "CHT USERPIN 0000", DOC_FILE, "02-cht-codepage-userpin0000.wbxml.hex", 0,
	  OMACP_SEC_USERPIN, NULL, "0000", "AA2DC41FC48AEEF3FED7351B1EE704461A8894D4" },
	{ "Mobifone USERPIN 1111", DOC_PUSH, "05-vn-mobifone-gprs-userpin1111.ud.hex", 0,
	  OMACP_SEC_USERPIN, NULL, "1111", "4A59B783B6E4AFBE0612358C512ABD0781933B21" },
	{ "Vinaphone USERPIN 1111", DOC_PUSH, "06-vn-vinaphone-gprs-userpin1111.ud.hex", 0,
	  OMACP_SEC_USERPIN, NULL, "1111", "05C2D3DBD876E6230B3453752742CD453C872713" },
	{ "Viettel USERPIN 1111", DOC_PUSH, "07-vn-viettel-gprs-userpin1111.ud.hex", 0,
	  OMACP_SEC_USERPIN, NULL, "1111", "69D7BBC19F709522C4249E956FD171D189C5EC0E" },
	{ "Sierra USERPIN 1234", DOC_PUSH, "08-sierra-dm-bootstrap-userpin1234.tpdu.hex", 4,
	  OMACP_SEC_USERPIN, NULL, "1234", "D55FAFF91DFD93F5808833BD6CAA1EB4E0432444" },
	{ "USERNETWPIN minimal", DOC_MINIMAL, NULL, 0, OMACP_SEC_USERNETWPIN, "466923103145252",
	  "1234", "3DBC50BB7BACAE901461F5ECCB0ADB1F71B58D02" },
};

static GBytes *
example_doc(const MacExample *ex)
{
	switch (ex->source) {
	case DOC_MINIMAL:
		return g_bytes_new_static(minimal_doc, sizeof minimal_doc);
	case DOC_FILE:
		return load_wbxml(ex->file);
	case DOC_PUSH: {
		g_autoptr(GBytes) push = load_push(ex->file);
		char carried[OMACP_MAC_HEX_LEN + 1];
		GBytes *body = push_body(push, ex->junk, carried);

		/* the MAC the sender put in the push is the digest's value */
		g_assert_cmpstr(carried, ==, ex->mac);
		return body;
	}
	}
	g_assert_not_reached();
}

static void
assert_auth_error(const GError *error, gint code)
{
	g_assert_error(error, OMACP_ERROR, code);
	g_assert_true(g_str_has_prefix(error->message, "auth: "));
}

/* One changed digit or character of a string. */
static char *
change_last(const char *text)
{
	char *copy = g_strdup(text);
	gsize n = strlen(copy);

	copy[n - 1] = copy[n - 1] == '9' ? '8' : (char) (copy[n - 1] + 1);
	return copy;
}

static void
test_netwpin_keys(void)
{
	/* digest §3.3 */
	static const struct {
		const char *imsi;
		guint8 key[OMACP_NETWPIN_KEY_LEN];
	} keys[] = {
		{ "466923103145252", { 0x49, 0x66, 0x29, 0x13, 0x30, 0x41, 0x25, 0x25 } },
		{ "123456789012345", { 0x19, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x54 } },
		{ "001010123456789", { 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98 } },
		{ "21407650123456", { 0x21, 0x41, 0x70, 0x56, 0x10, 0x32, 0x54, 0xF6 } },
	};
	static const char *const bad[] = {
		"",
		"2140765012345",
		"1234567890123456",
		"12345678901234a",
		"12345678901234 ",
		"+21407650123456",
		"4669231031452520000",
	};

	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		guint8 key[OMACP_NETWPIN_KEY_LEN];
		g_autoptr(GError) error = NULL;

		g_assert_true(omacp_auth_netwpin_key(keys[i].imsi, key, &error));
		g_assert_no_error(error);
		g_assert_cmpmem(key, sizeof key, keys[i].key, sizeof keys[i].key);
	}
	for (guint i = 0; i <= G_N_ELEMENTS(bad); i++) {
		const char *imsi = i < G_N_ELEMENTS(bad) ? bad[i] : NULL;
		guint8 key[OMACP_NETWPIN_KEY_LEN];
		g_autoptr(GError) error = NULL;

		memset(key, 0xAA, sizeof key);
		g_assert_false(omacp_auth_netwpin_key(imsi, key, &error));
		assert_auth_error(error, OMACP_ERROR_NO_KEY);
		/* output untouched, and the IMSI is not in the message */
		for (guint k = 0; k < sizeof key; k++)
			g_assert_cmpuint(key[k], ==, 0xAA);
		if (imsi != NULL && imsi[0] != '\0')
			g_assert_null(strstr(error->message, imsi));
	}
}

static void
test_mac_examples(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(examples); i++) {
		const MacExample *ex = &examples[i];
		g_autoptr(GBytes) doc_bytes = example_doc(ex);
		gsize len = 0;
		const guint8 *doc = g_bytes_get_data(doc_bytes, &len);
		g_autofree guint8 *changed = NULL;
		g_autofree char *lower = g_ascii_strdown(ex->mac, -1);
		g_autofree char *other_mac = change_last(ex->mac);
		char mac[OMACP_MAC_HEX_LEN + 1];
		g_autoptr(GError) error = NULL;

		g_test_message("%s", ex->what);
		g_assert_true(
		        omacp_auth_compute_mac(ex->sec, ex->imsi, ex->pin, doc, len, mac, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(mac, ==, ex->mac);

		g_assert_true(
		        omacp_auth_verify(ex->sec, ex->mac, ex->imsi, ex->pin, doc, len, &error));
		g_assert_no_error(error);
		/* lower-case MAC text is accepted */
		g_assert_true(
		        omacp_auth_verify(ex->sec, lower, ex->imsi, ex->pin, doc, len, &error));
		g_assert_no_error(error);

		/* a changed MAC digit */
		g_assert_false(
		        omacp_auth_verify(ex->sec, other_mac, ex->imsi, ex->pin, doc, len, &error));
		assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
		g_clear_error(&error);

		/* one changed octet of the document: first, middle, last */
		changed = g_memdup2(doc, len);
		for (guint k = 0; k < 3; k++) {
			gsize at = k == 0 ? 0 : k == 1 ? len / 2 : len - 1;

			changed[at] ^= 0x01;
			g_assert_false(omacp_auth_verify(ex->sec, ex->mac, ex->imsi, ex->pin,
			                                 changed, len, &error));
			assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
			g_clear_error(&error);
			changed[at] ^= 0x01;
		}
		/* one octet dropped from the end */
		g_assert_false(omacp_auth_verify(ex->sec, ex->mac, ex->imsi, ex->pin, doc, len - 1,
		                                 &error));
		assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
		g_clear_error(&error);

		if (ex->pin != NULL) {
			g_autofree char *wrong_pin = change_last(ex->pin);

			g_assert_false(omacp_auth_verify(ex->sec, ex->mac, ex->imsi, wrong_pin, doc,
			                                 len, &error));
			assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
			g_clear_error(&error);
			g_assert_false(omacp_auth_verify(ex->sec, ex->mac, ex->imsi, NULL, doc, len,
			                                 &error));
			assert_auth_error(error, OMACP_ERROR_NO_KEY);
			g_clear_error(&error);
		}
		if (ex->imsi != NULL) {
			g_autofree char *wrong_imsi = change_last(ex->imsi);

			g_assert_false(omacp_auth_verify(ex->sec, ex->mac, wrong_imsi, ex->pin, doc,
			                                 len, &error));
			assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
			g_clear_error(&error);
			g_assert_false(omacp_auth_verify(ex->sec, ex->mac, NULL, ex->pin, doc, len,
			                                 &error));
			assert_auth_error(error, OMACP_ERROR_NO_KEY);
			g_clear_error(&error);
		}
		/* no MAC parameter */
		g_assert_false(
		        omacp_auth_verify(ex->sec, NULL, ex->imsi, ex->pin, doc, len, &error));
		assert_auth_error(error, OMACP_ERROR_NO_KEY);
		g_clear_error(&error);
		/* a different method over the same inputs */
		if (ex->sec == OMACP_SEC_USERPIN) {
			g_assert_false(omacp_auth_verify(OMACP_SEC_USERNETWPIN, ex->mac,
			                                 "466923103145252", ex->pin, doc, len,
			                                 &error));
			assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
			g_clear_error(&error);
		}
	}
}

/* The push parser and the verifier together over the real pushes. */
static void
test_vector_pushes_verify(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(examples); i++) {
		const MacExample *ex = &examples[i];
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(OmacpPush) push = NULL;
		g_autoptr(GError) error = NULL;
		gsize len = 0;
		const guint8 *data;

		if (ex->source != DOC_PUSH)
			continue;
		bytes = load_push(ex->file);
		g_assert_true(omacp_wsp_parse_push(g_bytes_get_data(bytes, NULL),
		                                   g_bytes_get_size(bytes), &push, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(push->junk_skipped, ==, ex->junk);
		data = g_bytes_get_data(push->data, &len);
		g_assert_true(
		        omacp_auth_verify(push->sec, push->mac, NULL, ex->pin, data, len, &error));
		g_assert_no_error(error);
	}
}

/* Digest §3.5 example 2: the classic mistake of keying with the ASCII IMSI. */
static void
test_ascii_imsi_mistake(void)
{
	g_autoptr(GBytes) doc = load_wbxml("04-nowsms-forum-netwpin.wbxml.hex");
	g_autoptr(GError) error = NULL;
	char mac[OMACP_MAC_HEX_LEN + 1];

	g_assert_true(omacp_auth_compute_mac(OMACP_SEC_USERPIN, NULL, "123456789012345",
	                                     g_bytes_get_data(doc, NULL), g_bytes_get_size(doc),
	                                     mac, &error));
	g_assert_cmpstr(mac, ==, "BC1D9A92B169C9A4A066190D507F0D2E31CDDFAF");
	g_assert_false(omacp_auth_verify(OMACP_SEC_NETWPIN, mac, "123456789012345", NULL,
	                                 g_bytes_get_data(doc, NULL), g_bytes_get_size(doc),
	                                 &error));
	assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
}

static void
test_netwpin_14_digits(void)
{
	/* no third-party MAC exists for a 14-digit IMSI: check the round trip
	 * and that the filler nibble matters */
	g_autoptr(GError) error = NULL;
	char mac[OMACP_MAC_HEX_LEN + 1];

	g_assert_true(omacp_auth_compute_mac(OMACP_SEC_NETWPIN, "21407650123456", NULL, minimal_doc,
	                                     sizeof minimal_doc, mac, &error));
	g_assert_true(omacp_auth_verify(OMACP_SEC_NETWPIN, mac, "21407650123456", NULL, minimal_doc,
	                                sizeof minimal_doc, &error));
	g_assert_no_error(error);
	g_assert_false(omacp_auth_verify(OMACP_SEC_NETWPIN, mac, "21407650123457", NULL,
	                                 minimal_doc, sizeof minimal_doc, &error));
	assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
	g_clear_error(&error);
	g_assert_false(omacp_auth_verify(OMACP_SEC_NETWPIN, mac, "2140765012345", NULL, minimal_doc,
	                                 sizeof minimal_doc, &error));
	assert_auth_error(error, OMACP_ERROR_NO_KEY);
}

static void
test_userpinmac(void)
{
	/* digest §3.5 example 6, over the CHT body */
	static const struct {
		const char *first_half;
		const char *pin;
	} cases[] = {
		{ "12345", "1234517887" },
		{ "9876543210", "98765432108173504214" },
	};
	g_autoptr(GBytes) doc_bytes = load_wbxml("02-cht-codepage-userpin0000.wbxml.hex");
	gsize len = 0;
	const guint8 *doc = g_bytes_get_data(doc_bytes, &len);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *pin =
		        omacp_auth_userpinmac_pin(cases[i].first_half, doc, len, &error);
		g_autofree guint8 *changed = g_memdup2(doc, len);
		gsize n = strlen(cases[i].pin);

		g_assert_no_error(error);
		g_assert_cmpstr(pin, ==, cases[i].pin);
		g_assert_true(omacp_auth_verify(OMACP_SEC_USERPINMAC, NULL, NULL, cases[i].pin, doc,
		                                len, &error));
		g_assert_no_error(error);
		/* the MAC parameter plays no part */
		g_assert_true(omacp_auth_verify(OMACP_SEC_USERPINMAC, "not a mac", NULL,
		                                cases[i].pin, doc, len, &error));
		g_assert_no_error(error);

		/* every single changed digit is rejected */
		for (gsize k = 0; k < n; k++) {
			g_autofree char *wrong = g_strdup(cases[i].pin);

			wrong[k] = (char) ('0' + (wrong[k] - '0' + 1) % 10);
			g_assert_false(omacp_auth_verify(OMACP_SEC_USERPINMAC, NULL, NULL, wrong,
			                                 doc, len, &error));
			assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
			g_clear_error(&error);
		}
		/* a changed document octet */
		changed[len / 2] ^= 0x01;
		g_assert_false(omacp_auth_verify(OMACP_SEC_USERPINMAC, NULL, NULL, cases[i].pin,
		                                 changed, len, &error));
		assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
	}
}

static void
test_userpinmac_bad_pins(void)
{
	static const char *const bad[] = {
		"123451788",   /* 9 digits: odd */
		"12345178870", /* 11 digits: odd */
		"12341234",    /* 8 digits: N < 5 */
		"12345a7887",  /* not digits */
		" 1234517887",
		"1234517887 ",
		/* 42 digits: N > 20 */
		"123456789012345678901234567890123456789012",
	};
	g_autoptr(GBytes) doc = load_wbxml("02-cht-codepage-userpin0000.wbxml.hex");

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;

		g_assert_false(omacp_auth_verify(OMACP_SEC_USERPINMAC, NULL, NULL, bad[i],
		                                 g_bytes_get_data(doc, NULL), g_bytes_get_size(doc),
		                                 &error));
		assert_auth_error(error, OMACP_ERROR_BAD_PIN);
		/* never echo the PIN */
		g_assert_null(strstr(error->message, bad[i]));
	}
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GError) error = NULL;

		g_assert_false(omacp_auth_verify(OMACP_SEC_USERPINMAC, NULL, NULL, i ? "" : NULL,
		                                 g_bytes_get_data(doc, NULL), g_bytes_get_size(doc),
		                                 &error));
		assert_auth_error(error, OMACP_ERROR_NO_KEY);
	}
	/* 40 digits (N = 20) is the longest allowed form */
	{
		g_autoptr(GError) error = NULL;
		g_autofree char *pin = omacp_auth_userpinmac_pin("12345678901234567890",
		                                                 g_bytes_get_data(doc, NULL),
		                                                 g_bytes_get_size(doc), &error);

		g_assert_no_error(error);
		g_assert_cmpuint(strlen(pin), ==, OMACP_USERPINMAC_MAX_DIGITS);
		g_assert_true(omacp_auth_verify(OMACP_SEC_USERPINMAC, NULL, NULL, pin,
		                                g_bytes_get_data(doc, NULL), g_bytes_get_size(doc),
		                                &error));
	}
	/* first halves out of range */
	{
		static const char *const halves[] = { "1234", "123456789012345678901", "12a45" };

		for (guint i = 0; i < G_N_ELEMENTS(halves); i++) {
			g_autoptr(GError) error = NULL;
			char *pin =
			        omacp_auth_userpinmac_pin(halves[i], g_bytes_get_data(doc, NULL),
			                                  g_bytes_get_size(doc), &error);

			g_assert_null(pin);
			assert_auth_error(error, OMACP_ERROR_BAD_PIN);
		}
	}
}

static void
test_pin_cap(void)
{
	g_autofree char *longest = g_strnfill(OMACP_PIN_MAX_LEN, '7');
	g_autofree char *too_long = g_strnfill(OMACP_PIN_MAX_LEN + 1, '7');
	char mac[OMACP_MAC_HEX_LEN + 1];
	g_autoptr(GError) error = NULL;

	g_assert_true(omacp_auth_compute_mac(OMACP_SEC_USERNETWPIN, "466923103145252", longest,
	                                     minimal_doc, sizeof minimal_doc, mac, &error));
	g_assert_no_error(error);
	g_assert_true(omacp_auth_verify(OMACP_SEC_USERNETWPIN, mac, "466923103145252", longest,
	                                minimal_doc, sizeof minimal_doc, &error));
	g_assert_false(omacp_auth_verify(OMACP_SEC_USERPIN, mac, NULL, too_long, minimal_doc,
	                                 sizeof minimal_doc, &error));
	assert_auth_error(error, OMACP_ERROR_BAD_PIN);
	g_clear_error(&error);
	g_assert_false(omacp_auth_compute_mac(OMACP_SEC_USERNETWPIN, "466923103145252", too_long,
	                                      minimal_doc, sizeof minimal_doc, mac, &error));
	assert_auth_error(error, OMACP_ERROR_BAD_PIN);
}

static void
test_unverifiable(void)
{
	g_autoptr(GError) error = NULL;
	char mac[OMACP_MAC_HEX_LEN + 1] = "untouched";

	g_assert_false(omacp_auth_verify(OMACP_SEC_NONE, NULL, NULL, "1234", minimal_doc,
	                                 sizeof minimal_doc, &error));
	assert_auth_error(error, OMACP_ERROR_UNSUPPORTED);
	g_clear_error(&error);
	g_assert_false(omacp_auth_verify(
	        OMACP_SEC_UNKNOWN, "1AF545FE2823DC9347064450F90FF1BBF957E146", "466923103145252",
	        "1234", minimal_doc, sizeof minimal_doc, &error));
	assert_auth_error(error, OMACP_ERROR_UNSUPPORTED);
	g_clear_error(&error);
	g_assert_false(omacp_auth_compute_mac(OMACP_SEC_USERPINMAC, NULL, "1234567890", minimal_doc,
	                                      sizeof minimal_doc, mac, &error));
	assert_auth_error(error, OMACP_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	g_assert_false(omacp_auth_compute_mac(OMACP_SEC_NONE, NULL, NULL, minimal_doc,
	                                      sizeof minimal_doc, mac, &error));
	assert_auth_error(error, OMACP_ERROR_UNSUPPORTED);
	g_clear_error(&error);
	g_assert_cmpstr(mac, ==, "untouched");
	/* a MAC text that is not 40 hex digits can never match */
	g_assert_false(omacp_auth_verify(OMACP_SEC_NETWPIN, "1AF545FE", "466923103145252", NULL,
	                                 minimal_doc, sizeof minimal_doc, &error));
	assert_auth_error(error, OMACP_ERROR_AUTH_FAILED);
}

static void
test_mac_equal(void)
{
	const char *mac = "1AF545FE2823DC9347064450F90FF1BBF957E146";

	g_assert_true(omacp_auth_mac_equal(mac, mac));
	g_assert_true(omacp_auth_mac_equal(mac, "1af545fe2823dc9347064450f90ff1bbf957e146"));
	g_assert_true(omacp_auth_mac_equal("1aF545fE2823DC9347064450F90FF1BBF957E146", mac));
	g_assert_false(omacp_auth_mac_equal(mac, "1AF545FE2823DC9347064450F90FF1BBF957E147"));
	g_assert_false(omacp_auth_mac_equal(mac, "1AF545FE2823DC9347064450F90FF1BBF957E14"));
	g_assert_false(omacp_auth_mac_equal(mac, "1AF545FE2823DC9347064450F90FF1BBF957E1460"));
	g_assert_false(omacp_auth_mac_equal(mac, NULL));
	g_assert_false(omacp_auth_mac_equal(NULL, mac));
	g_assert_false(omacp_auth_mac_equal("", ""));

	/* the branch-free upper-casing, over every octet: only ASCII letters
	 * fold, nothing else does (e.g. '@' vs '`', '[' vs '{', 0xC1 vs 0xE1) */
	for (guint c = 1; c < 256; c++) {
		char a[2] = { (char) c, 0 };
		char b[2] = { (char) (c ^ 0x20), 0 };
		gboolean letter = g_ascii_isalpha((gchar) c);

		if (b[0] == 0)
			continue;
		g_assert_true(omacp_auth_mac_equal(a, a));
		g_assert_cmpint(omacp_auth_mac_equal(a, b), ==, letter);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth/netwpin-keys", test_netwpin_keys);
	g_test_add_func("/auth/mac-examples", test_mac_examples);
	g_test_add_func("/auth/vector-pushes", test_vector_pushes_verify);
	g_test_add_func("/auth/ascii-imsi-mistake", test_ascii_imsi_mistake);
	g_test_add_func("/auth/netwpin-14-digits", test_netwpin_14_digits);
	g_test_add_func("/auth/userpinmac", test_userpinmac);
	g_test_add_func("/auth/userpinmac-bad-pins", test_userpinmac_bad_pins);
	g_test_add_func("/auth/pin-cap", test_pin_cap);
	g_test_add_func("/auth/unverifiable", test_unverifiable);
	g_test_add_func("/auth/mac-equal", test_mac_equal);
	return g_test_run();
}
