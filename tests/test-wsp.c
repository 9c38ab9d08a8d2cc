/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WSP push decoding and encoding. Expectations come from the vector README
 * (tests/data/vectors/public/README.md) and the digest §2 / §7 / §11, never
 * from the code under test. */
#include <glib.h>
#include <string.h>

#include "omacp.h"
#include "testutil.h"

/* The NETWPIN minimal document of the digest (§3.5 example 1). */
static const guint8 minimal_doc[] = { 0x03, 0x0B, 0x6A, 0x00, 0x45, 0x01 };
/* The Mobifone MAC (vector README), used as a well-formed MAC text. */
#define MOBIFONE_MAC "4A59B783B6E4AFBE0612358C512ABD0781933B21"

/* ---- reassembly of the vector pushes, done here by hand ---- */

/* User data (UDHL + UDH + payload) → payload; checks the concatenation IE
 * says this is part @seq. */
static void
append_ud_payload(GByteArray *out, const guint8 *ud, gsize len, guint seq)
{
	gsize udhl;
	gsize pos = 1;
	gboolean seen_concat = FALSE;

	g_assert_cmpuint(len, >=, 1);
	udhl = ud[0];
	g_assert_cmpuint(1 + udhl, <=, len);
	while (pos < 1 + udhl) {
		guint8 iei = ud[pos];
		guint8 iedl = ud[pos + 1];

		if (iei == 0x00) {
			g_assert_cmpuint(iedl, ==, 3);
			g_assert_cmpuint(ud[pos + 4], ==, seq);
			seen_concat = TRUE;
		}
		pos += 2 + iedl;
	}
	g_assert_cmpuint(pos, ==, 1 + udhl);
	g_assert_true(seen_concat);
	g_byte_array_append(out, ud + 1 + udhl, (guint) (len - 1 - udhl));
}

/* Modem PDU-mode SMS-DELIVER (SMSC field + TPDU) → its user data. */
static void
append_tpdu_payload(GByteArray *out, const guint8 *pdu, gsize len, guint seq)
{
	gsize pos = 1 + pdu[0]; /* SMSC address */
	guint8 first = pdu[pos++];
	guint8 oa_digits;
	guint8 udl;

	g_assert_cmpuint(first & 0x03, ==, 0x00); /* SMS-DELIVER */
	g_assert_cmpuint(first & 0x40, ==, 0x40); /* UDHI */
	oa_digits = pdu[pos++];
	pos += 1 + (oa_digits + 1) / 2;       /* TOA + digits */
	pos += 1;                             /* PID */
	g_assert_cmpuint(pdu[pos], ==, 0x04); /* DCS: 8-bit */
	pos += 1 + 7;                         /* DCS + SCTS */
	udl = pdu[pos++];
	g_assert_cmpuint(pos + udl, ==, len);
	append_ud_payload(out, pdu + pos, udl, seq);
}

static GBytes *
load_vector_push(const char *name)
{
	g_autofree char *rel = g_build_filename("vectors", "public", name, NULL);
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(rel);
	g_autoptr(GByteArray) pdu = g_byte_array_new();
	gboolean tpdu = g_str_has_suffix(name, ".tpdu.hex");

	for (guint i = 0; i < lines->len; i++) {
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(g_ptr_array_index(lines, i), &len);

		if (tpdu)
			append_tpdu_payload(pdu, data, len, i + 1);
		else
			append_ud_payload(pdu, data, len, i + 1);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&pdu));
}

typedef struct {
	const char *file;
	guint8 tid;
	gsize junk;
	const char *mac;
	guint8 wbxml_version;
} VectorPush;

/* From the vector README and digest §7.4–7.7. */
static const VectorPush vector_pushes[] = {
	{ "05-vn-mobifone-gprs-userpin1111.ud.hex", 0x01, 0, MOBIFONE_MAC, 0x03 },
	{ "06-vn-vinaphone-gprs-userpin1111.ud.hex", 0x01, 0,
	  "05C2D3DBD876E6230B3453752742CD453C872713", 0x03 },
	{ "07-vn-viettel-gprs-userpin1111.ud.hex", 0x28, 0,
	  "69D7BBC19F709522C4249E956FD171D189C5EC0E", 0x02 },
	{ "08-sierra-dm-bootstrap-userpin1234.tpdu.hex", 0x31, 4,
	  "D55FAFF91DFD93F5808833BD6CAA1EB4E0432444", 0x03 },
};

static void
test_vectors(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vector_pushes); i++) {
		const VectorPush *v = &vector_pushes[i];
		g_autoptr(GBytes) bytes = load_vector_push(v->file);
		g_autoptr(OmacpPush) push = NULL;
		g_autoptr(GError) error = NULL;
		gsize len = 0;
		const guint8 *pdu = g_bytes_get_data(bytes, &len);
		gsize data_len = 0;
		const guint8 *data;

		g_test_message("%s", v->file);
		g_assert_true(omacp_wsp_parse_push(pdu, len, &push, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(push->junk_skipped, ==, v->junk);
		g_assert_cmpuint(push->tid, ==, v->tid);
		g_assert_cmpuint(push->pdu_type, ==, 0x06);
		g_assert_cmpuint(push->headers_len, ==, 47);
		g_assert_cmpuint(push->headers_offset, ==, v->junk + 3);
		g_assert_cmpuint(push->data_offset, ==, v->junk + 2 + 1 + 47);
		g_assert_cmpint(push->content_type_code, ==, 0x36);
		g_assert_cmpstr(push->content_type, ==, "application/vnd.wap.connectivity-wbxml");
		g_assert_cmpint(push->kind, ==, OMACP_PUSH_KIND_PROVISIONING);
		g_assert_cmpint(push->sec, ==, OMACP_SEC_USERPIN);
		g_assert_cmpint(push->sec_raw, ==, 1);
		g_assert_cmpstr(push->mac, ==, v->mac);
		g_assert_false(push->has_app_id);
		g_assert_cmpint(push->app_id_code, ==, -1);
		g_assert_null(push->app_id);
		g_assert_cmpuint(g_bytes_get_size(push->headers), ==, 47);
		data = g_bytes_get_data(push->data, &data_len);
		g_assert_cmpuint(data_len, ==, len - push->data_offset);
		g_assert_true(memcmp(data, pdu + push->data_offset, data_len) == 0);
		g_assert_cmpuint(data[0], ==, v->wbxml_version);
		/* WBXML public id 0x0B (PROV 1.0), charset 0x6A (UTF-8) */
		g_assert_cmpuint(data[1], ==, 0x0B);
		g_assert_cmpuint(data[2], ==, 0x6A);
	}
}

/* The operator-side encoder reproduces each real push byte for byte. */
static void
test_vectors_reencode(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vector_pushes); i++) {
		const VectorPush *v = &vector_pushes[i];
		g_autoptr(GBytes) bytes = load_vector_push(v->file);
		g_autoptr(GBytes) expected =
		        g_bytes_new_from_bytes(bytes, v->junk, g_bytes_get_size(bytes) - v->junk);
		g_autoptr(OmacpPush) push = NULL;
		g_autoptr(GBytes) encoded = NULL;
		g_autoptr(GError) error = NULL;
		gsize data_len = 0;
		const guint8 *data;

		g_assert_true(omacp_wsp_parse_push(g_bytes_get_data(bytes, NULL),
		                                   g_bytes_get_size(bytes), &push, &error));
		data = g_bytes_get_data(push->data, &data_len);
		encoded = omacp_wsp_encode_push(v->tid, "application/vnd.wap.connectivity-wbxml",
		                                OMACP_SEC_USERPIN, v->mac, data, data_len, &error);
		g_assert_no_error(error);
		g_assert_true(g_bytes_equal(encoded, expected));
	}
}

static void
assert_error_at(const GError *error, gint code, const char *fragment)
{
	g_assert_nonnull(error);
	g_assert_error(error, OMACP_ERROR, code);
	g_assert_true(g_str_has_prefix(error->message, "wsp: "));
	g_assert_nonnull(strstr(error->message, "octet"));
	if (fragment != NULL && strstr(error->message, fragment) == NULL)
		g_error("error \"%s\" does not mention \"%s\"", error->message, fragment);
}

static void
test_vectors_truncated(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(vector_pushes); i++) {
		const VectorPush *v = &vector_pushes[i];
		g_autoptr(GBytes) bytes = load_vector_push(v->file);
		gsize len = 0;
		const guint8 *full = g_bytes_get_data(bytes, &len);
		gsize data_offset = v->junk + 50;

		for (gsize cut = 0; cut < len; cut++) {
			/* a copy of exactly @cut octets, so that ASan sees overreads */
			g_autofree guint8 *pdu = g_memdup2(full, cut);
			g_autoptr(OmacpPush) push = NULL;
			g_autoptr(GError) error = NULL;
			gboolean ok = omacp_wsp_parse_push(pdu, cut, &push, &error);

			if (cut < data_offset) {
				/* the headers are incomplete: always an error */
				g_assert_false(ok);
				g_assert_null(push);
				if (v->junk > 0 && cut >= 2) {
					/* error for offset 0: octet 1 is 0xAD */
					assert_error_at(error, OMACP_ERROR_NOT_PUSH, "0xAD");
				} else if (cut >= 3) {
					g_autofree char *left = g_strdup_printf(
					        "(%" G_GSIZE_FORMAT " octets left) at octet 2",
					        cut - 3);

					assert_error_at(error, OMACP_ERROR_TRUNCATED,
					                "HeadersLen 47");
					assert_error_at(error, OMACP_ERROR_TRUNCATED, left);
				} else {
					assert_error_at(error, OMACP_ERROR_TRUNCATED, NULL);
				}
			} else {
				/* WSP does not know the body length: a short body is a
				 * body (the MAC will catch it) */
				g_assert_no_error(error);
				g_assert_true(ok);
				g_assert_cmpuint(g_bytes_get_size(push->data), ==,
				                 cut - data_offset);
			}
		}
	}
}

/* ---- hand-built pushes (digest §11) ---- */

static void
put_hex(GByteArray *b, const char *hex)
{
	for (const char *p = hex; *p != '\0';) {
		guint8 octet;

		if (*p == ' ') {
			p++;
			continue;
		}
		g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
		octet = (guint8) (g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
		g_byte_array_append(b, &octet, 1);
		p += 2;
	}
}

/* Text followed by its terminating NUL. */
static void
put_str(GByteArray *b, const char *text)
{
	g_byte_array_append(b, (const guint8 *) text, (guint) strlen(text) + 1);
}

static void
put_uintvar(GByteArray *b, guint32 value)
{
	guint8 tmp[5];
	guint n = 0;

	do {
		tmp[n++] = value & 0x7F;
		value >>= 7;
	} while (value != 0);
	while (n-- > 0) {
		guint8 octet = tmp[n] | (n > 0 ? 0x80 : 0);

		g_byte_array_append(b, &octet, 1);
	}
}

/* Value-length prefix (short or Length-quote) + value. */
static void
put_general(GByteArray *b, GByteArray *value)
{
	if (value->len <= 30) {
		guint8 len = (guint8) value->len;

		g_byte_array_append(b, &len, 1);
	} else {
		put_hex(b, "1F");
		put_uintvar(b, value->len);
	}
	g_byte_array_append(b, value->data, value->len);
}

/* TID 01, Push, HeadersLen, @headers, then the minimal document. */
static GBytes *
make_push(GByteArray *headers)
{
	g_autoptr(GByteArray) pdu = g_byte_array_new();

	put_hex(pdu, "01 06");
	put_uintvar(pdu, headers->len);
	g_byte_array_append(pdu, headers->data, headers->len);
	g_byte_array_append(pdu, minimal_doc, sizeof minimal_doc);
	return g_byte_array_free_to_bytes(g_steal_pointer(&pdu));
}

static OmacpPush *
parse_ok(GBytes *bytes)
{
	OmacpPush *push = NULL;
	g_autoptr(GError) error = NULL;
	gsize data_len = 0;
	const guint8 *data;

	g_assert_true(omacp_wsp_parse_push(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes),
	                                   &push, &error));
	g_assert_no_error(error);
	data = g_bytes_get_data(push->data, &data_len);
	g_assert_cmpmem(data, data_len, minimal_doc, sizeof minimal_doc);
	g_assert_cmpuint(push->data_offset + data_len, ==, g_bytes_get_size(bytes));
	return push;
}

/* Parses a push whose headers are @headers_hex (hex text) */
static OmacpPush *
parse_headers_ok(const char *headers_hex)
{
	g_autoptr(GByteArray) headers = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;

	put_hex(headers, headers_hex);
	bytes = make_push(headers);
	return parse_ok(bytes);
}

static void
parse_fails(GBytes *bytes, gint code, const char *fragment)
{
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(omacp_wsp_parse_push(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes),
	                                    &push, &error));
	g_assert_null(push);
	assert_error_at(error, code, fragment);
}

static void
parse_hex_fails(const char *pdu_hex, gint code, const char *fragment)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;

	put_hex(b, pdu_hex);
	bytes = g_byte_array_free_to_bytes(g_steal_pointer(&b));
	parse_fails(bytes, code, fragment);
}

static void
test_untyped_parameters(void)
{
	static const char *const sec_names[] = { "SEC", "sec", "Sec" };
	static const char *const mac_names[] = { "MAC", "mac", "mAc" };

	for (guint i = 0; i < G_N_ELEMENTS(sec_names); i++) {
		g_autoptr(GByteArray) value = g_byte_array_new();
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(OmacpPush) push = NULL;

		put_hex(value, "B6");
		put_str(value, sec_names[i]);
		put_hex(value, "81");
		put_str(value, mac_names[i]);
		put_str(value, MOBIFONE_MAC);
		put_general(headers, value);
		bytes = make_push(headers);
		push = parse_ok(bytes);
		g_assert_cmpint(push->sec, ==, OMACP_SEC_USERPIN);
		g_assert_cmpint(push->sec_raw, ==, 1);
		g_assert_cmpstr(push->mac, ==, MOBIFONE_MAC);
		g_assert_cmpint(push->kind, ==, OMACP_PUSH_KIND_PROVISIONING);
	}

	/* textual values: sec=2, MAC as a Quoted-string */
	{
		g_autoptr(GByteArray) value = g_byte_array_new();
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(OmacpPush) push = NULL;

		put_hex(value, "B6");
		put_str(value, "sec");
		put_str(value, "2");
		put_str(value, "mac");
		put_hex(value, "22");
		put_str(value, MOBIFONE_MAC);
		put_general(headers, value);
		bytes = make_push(headers);
		push = parse_ok(bytes);
		g_assert_cmpint(push->sec, ==, OMACP_SEC_USERNETWPIN);
		g_assert_cmpint(push->sec_raw, ==, 2);
		g_assert_cmpstr(push->mac, ==, MOBIFONE_MAC);
	}

	/* a textual SEC that is not a number */
	{
		g_autoptr(GByteArray) value = g_byte_array_new();
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;

		put_hex(value, "B6");
		put_str(value, "SEC");
		put_str(value, "x1");
		put_general(headers, value);
		bytes = make_push(headers);
		parse_fails(bytes, OMACP_ERROR_MALFORMED, "SEC value \"x1\"");
	}
}

static void
test_sec_encodings(void)
{
	static const struct {
		const char *headers;
		OmacpSec sec;
		gint raw;
	} cases[] = {
		{ "03 B6 91 80", OMACP_SEC_NETWPIN, 0 },
		{ "03 B6 91 81", OMACP_SEC_USERPIN, 1 },
		{ "03 B6 91 82", OMACP_SEC_USERNETWPIN, 2 },
		{ "03 B6 91 83", OMACP_SEC_USERPINMAC, 3 },
		/* Long-integer forms */
		{ "04 B6 91 01 03", OMACP_SEC_USERPINMAC, 3 },
		{ "05 B6 91 02 00 00", OMACP_SEC_NETWPIN, 0 },
		{ "0B B6 91 08 00 00 00 00 00 00 00 01", OMACP_SEC_USERPIN, 1 },
		/* a value we do not know */
		{ "03 B6 91 87", OMACP_SEC_UNKNOWN, 7 },
		{ "05 B6 91 02 01 00", OMACP_SEC_UNKNOWN, 256 },
		/* the parameter token itself as a Long-integer */
		{ "04 B6 01 11 81", OMACP_SEC_USERPIN, 1 },
		/* no parameters at all */
		{ "B6", OMACP_SEC_NONE, -1 },
		{ "01 B6", OMACP_SEC_NONE, -1 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(OmacpPush) push = parse_headers_ok(cases[i].headers);

		g_test_message("%s", cases[i].headers);
		g_assert_cmpint(push->sec, ==, cases[i].sec);
		g_assert_cmpint(push->sec_raw, ==, cases[i].raw);
		g_assert_null(push->mac);
		g_assert_cmpint(push->content_type_code, ==, 0x36);
	}

	/* a Long-integer longer than OMACP_WSP_MAX_INTEGER_OCTETS */
	parse_hex_fails("01 06 0D 0C B6 91 09 00 00 00 00 00 00 00 00 01 03 0B 6A 00 45 01",
	                OMACP_ERROR_MALFORMED, "Long-integer of 9 octets");
	/* a Long-integer cut by the end of the content type */
	parse_hex_fails("01 06 05 04 B6 91 04 00 00 03 0B 6A 00 45 01", OMACP_ERROR_TRUNCATED,
	                "Long-integer of 4 octets");
}

static void
test_parameter_order_and_unknown(void)
{
	g_autoptr(GByteArray) value = g_byte_array_new();
	g_autoptr(GByteArray) headers = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(OmacpPush) push = NULL;

	put_hex(value, "B6");
	put_hex(value, "92"); /* MAC first */
	put_str(value, MOBIFONE_MAC);
	put_hex(value, "81 EA"); /* Charset UTF-8 */
	put_hex(value, "99");    /* unknown typed parameter, text value */
	put_str(value, "foo");
	put_hex(value, "9A 03 01 02 03"); /* unknown, Value-length value */
	put_hex(value, "9B 1F 02 AA BB"); /* unknown, Length-quote value */
	put_str(value, "level");          /* unknown untyped, integer value */
	put_hex(value, "81");
	put_str(value, "name"); /* unknown untyped, text value */
	put_str(value, "x");
	put_hex(value, "80 83 31"); /* Q, two-octet Q-value */
	put_hex(value, "80 21");    /* Q, one-octet Q-value */
	put_hex(value, "91 80");    /* SEC last */
	put_general(headers, value);
	bytes = make_push(headers);
	push = parse_ok(bytes);
	g_assert_cmpint(push->sec, ==, OMACP_SEC_NETWPIN);
	g_assert_cmpint(push->sec_raw, ==, 0);
	g_assert_cmpstr(push->mac, ==, MOBIFONE_MAC);
	g_assert_cmpint(push->content_type_code, ==, 0x36);
	g_assert_cmpuint(push->headers_len, ==, headers->len);
}

static void
test_duplicate_security_parameters(void)
{
	g_autoptr(GByteArray) macs = g_byte_array_new();
	g_autoptr(GByteArray) macs_headers = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;

	parse_hex_fails("01 06 06 05 B6 91 81 91 80 03 0B 6A 00 45 01", OMACP_ERROR_MALFORMED,
	                "second SEC parameter at octet 7");

	put_hex(macs, "B6 92");
	put_str(macs, MOBIFONE_MAC);
	put_str(macs, "mac");
	put_str(macs, MOBIFONE_MAC);
	put_general(macs_headers, macs);
	bytes = make_push(macs_headers);
	parse_fails(bytes, OMACP_ERROR_MALFORMED, "second MAC parameter");
}

static void
test_mac_cap(void)
{
	for (guint extra = 0; extra <= 1; extra++) {
		g_autoptr(GByteArray) value = g_byte_array_new();
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_autofree char *mac = g_strnfill(OMACP_WSP_MAX_TEXT + extra, 'A');

		put_hex(value, "B6 91 81 92");
		put_str(value, mac);
		put_general(headers, value);
		bytes = make_push(headers);
		if (extra == 0) {
			g_autoptr(OmacpPush) push = parse_ok(bytes);

			g_assert_cmpstr(push->mac, ==, mac);
		} else {
			parse_fails(bytes, OMACP_ERROR_TOO_LARGE, "longer than 256");
		}
	}

	/* the same cap for a text content type */
	{
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_autofree char *tail = g_strnfill(OMACP_WSP_MAX_TEXT, 'x');
		g_autofree char *type = g_strconcat("application/", tail, NULL);

		put_str(headers, type);
		bytes = make_push(headers);
		parse_fails(bytes, OMACP_ERROR_TOO_LARGE, "Content-Type");
	}
}

static void
test_app_id_and_headers(void)
{
	/* App-Id AF 82 and Push-Flag B4 83 (digest §11) */
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("03 B6 91 80 AF 82 B4 83");

		g_assert_true(push->has_app_id);
		g_assert_cmpint(push->app_id_code, ==, 2);
		g_assert_cmpstr(push->app_id, ==, "x-wap-application:wml.ua");
		g_assert_cmpint(push->sec, ==, OMACP_SEC_NETWPIN);
		g_assert_cmpint(push->kind, ==, OMACP_PUSH_KIND_PROVISIONING);
	}
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("B6 B4 83");

		g_assert_false(push->has_app_id);
		g_assert_null(push->app_id);
	}
	/* URI form */
	{
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(OmacpPush) push = NULL;

		put_hex(headers, "B6 AF");
		put_str(headers, "x-wap-application:wml.ua");
		bytes = make_push(headers);
		push = parse_ok(bytes);
		g_assert_true(push->has_app_id);
		g_assert_cmpint(push->app_id_code, ==, -1);
		g_assert_cmpstr(push->app_id, ==, "x-wap-application:wml.ua");
	}
	/* a code with no registered name */
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("B6 AF 02 12 34");

		g_assert_true(push->has_app_id);
		g_assert_cmpint(push->app_id_code, ==, 0x1234);
		g_assert_null(push->app_id);
	}
	/* the first App-Id wins */
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("B6 AF 84 AF 82");

		g_assert_cmpint(push->app_id_code, ==, 4);
	}
	/* other well-known headers and application headers are skipped */
	{
		g_autoptr(GByteArray) headers = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(OmacpPush) push = NULL;

		put_hex(headers, "B6");
		put_hex(headers, "8D 82"); /* Content-Length */
		put_hex(headers, "8E");    /* Content-Location */
		put_str(headers, "http://example.com/x");
		put_hex(headers, "B1"); /* X-Wap-Initiator-URI */
		put_str(headers, "http://ppg.example.com/");
		put_hex(headers, "9F 03 01 02 03"); /* a general-form value */
		put_hex(headers, "A0 1F 81 00");    /* Length-quote, 128 octets */
		for (guint i = 0; i < 128; i++)
			put_hex(headers, "AA");
		put_str(headers, "X-Foo"); /* application header */
		put_str(headers, "bar");
		put_str(headers, "X-Empty");
		put_hex(headers, "00");
		put_hex(headers, "AF 84");
		bytes = make_push(headers);
		push = parse_ok(bytes);
		g_assert_cmpint(push->app_id_code, ==, 4);
		g_assert_cmpstr(push->app_id, ==, "x-wap-application:mms.ua");
		g_assert_cmpuint(push->headers_len, ==, headers->len);
		/* HeadersLen > 127 takes a two-octet uintvar */
		g_assert_cmpuint(push->headers_offset, ==, 4);
	}
	/* header code pages: AF means App-Id only on page 1 */
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("B6 7F 02 AF 82 01 AF 84");

		g_assert_cmpint(push->app_id_code, ==, 4);
	}
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("B6 02 AF 82 7F 01 AF 83");

		g_assert_cmpint(push->app_id_code, ==, 3);
	}
	{
		g_autoptr(OmacpPush) push = parse_headers_ok("B6 05 AF 82");

		g_assert_false(push->has_app_id);
	}
}

static void
test_app_id_registry(void)
{
	/* digest §2.4 */
	static const struct {
		const char *hex;
		gint64 code;
		const char *name;
	} ids[] = {
		{ "80", 0x00, "x-wap-application:*" },
		{ "81", 0x01, "x-wap-application:push.sia" },
		{ "82", 0x02, "x-wap-application:wml.ua" },
		{ "83", 0x03, "x-wap-application:wta.ua" },
		{ "84", 0x04, "x-wap-application:mms.ua" },
		{ "85", 0x05, "x-wap-application:push.syncml" },
		{ "86", 0x06, "x-wap-application:loc.ua" },
		{ "87", 0x07, "x-wap-application:syncml.dm" },
		{ "88", 0x08, "x-wap-application:drm.ua" },
		{ "89", 0x09, "x-wap-application:emn.ua" },
		{ "8A", 0x0A, "x-wap-application:wv.ua" },
		{ "90", 0x10, "x-oma-application:ulp.ua" },
		{ "02 80 00", 0x8000, "x-wap-microsoft:localcontent.ua" },
		{ "02 80 07", 0x8007, "x-motorola:otaprov.ua" },
		{ "02 90 01", 0x9001, "x-oma-nec:otaprov.ua" },
		{ "01 02", 0x02, "x-wap-application:wml.ua" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		g_autofree char *hex = g_strconcat("B6 AF ", ids[i].hex, NULL);
		g_autoptr(OmacpPush) push = parse_headers_ok(hex);

		g_assert_cmpint(push->app_id_code, ==, ids[i].code);
		g_assert_cmpstr(push->app_id, ==, ids[i].name);
		g_assert_cmpstr(omacp_wsp_app_id_name(ids[i].code), ==, ids[i].name);
	}
	g_assert_null(omacp_wsp_app_id_name(0x0B));
	g_assert_null(omacp_wsp_app_id_name(-1));
}

static void
test_content_types(void)
{
	static const struct {
		const char *headers;
		gint code;
		const char *type;
		OmacpPushKind kind;
	} cases[] = {
		{ "B6", 0x36, "application/vnd.wap.connectivity-wbxml",
		  OMACP_PUSH_KIND_PROVISIONING },
		{ "B5", 0x35, "text/vnd.wap.connectivity-xml", OMACP_PUSH_KIND_PROVISIONING_XML },
		{ "C2", 0x42, "application/vnd.syncml.dm+wbxml", OMACP_PUSH_KIND_DM_BOOTSTRAP },
		/* MMS notification as MMS relays send it: App-Id mms.ua */
		{ "BE AF 84", 0x3E, "application/vnd.wap.mms-message", OMACP_PUSH_KIND_MMS },
		{ "AE AF 82", 0x2E, "application/vnd.wap.sic", OMACP_PUSH_KIND_SI },
		{ "AD", 0x2D, "text/vnd.wap.si", OMACP_PUSH_KIND_SI },
		{ "B0", 0x30, "application/vnd.wap.slc", OMACP_PUSH_KIND_SL },
		{ "AF", 0x2F, "text/vnd.wap.sl", OMACP_PUSH_KIND_SL },
		{ "C4 AF 87", 0x44, "application/vnd.syncml.notification", OMACP_PUSH_KIND_OTHER },
		{ "C3", 0x43, "application/vnd.syncml.dm+xml", OMACP_PUSH_KIND_OTHER },
		/* a code missing from the table */
		{ "FF", 0x7F, "0x7f", OMACP_PUSH_KIND_OTHER },
		/* general form with a Long-integer media type */
		{ "02 01 36", 0x36, "application/vnd.wap.connectivity-wbxml",
		  OMACP_PUSH_KIND_PROVISIONING },
		{ "03 02 00 3E AF 84", 0x3E, "application/vnd.wap.mms-message",
		  OMACP_PUSH_KIND_MMS },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(OmacpPush) push = parse_headers_ok(cases[i].headers);

		g_test_message("%s", cases[i].headers);
		g_assert_cmpint(push->content_type_code, ==, cases[i].code);
		g_assert_cmpstr(push->content_type, ==, cases[i].type);
		g_assert_cmpint(push->kind, ==, cases[i].kind);
		g_assert_cmpint(push->sec, ==, OMACP_SEC_NONE);
	}
}

static void
test_text_content_types(void)
{
	static const struct {
		const char *type;
		OmacpPushKind kind;
	} cases[] = {
		{ "application/vnd.wap.connectivity-wbxml", OMACP_PUSH_KIND_PROVISIONING },
		{ "Application/VND.WAP.Connectivity-WBXML", OMACP_PUSH_KIND_PROVISIONING },
		{ "text/vnd.wap.connectivity-xml", OMACP_PUSH_KIND_PROVISIONING_XML },
		{ "application/vnd.syncml.dm+wbxml", OMACP_PUSH_KIND_DM_BOOTSTRAP },
		{ "application/vnd.wap.mms-message", OMACP_PUSH_KIND_MMS },
		{ "text/vnd.wap.si", OMACP_PUSH_KIND_SI },
		{ "application/vnd.wap.slc", OMACP_PUSH_KIND_SL },
		{ "application/x-wap-prov.browser-settings", OMACP_PUSH_KIND_OTHER },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		/* constrained: Extension-media alone */
		{
			g_autoptr(GByteArray) headers = g_byte_array_new();
			g_autoptr(GBytes) bytes = NULL;
			g_autoptr(OmacpPush) push = NULL;

			put_str(headers, cases[i].type);
			bytes = make_push(headers);
			push = parse_ok(bytes);
			g_assert_cmpint(push->content_type_code, ==, -1);
			g_assert_cmpstr(push->content_type, ==, cases[i].type);
			g_assert_cmpint(push->kind, ==, cases[i].kind);
			g_assert_cmpint(push->sec, ==, OMACP_SEC_NONE);
		}
		/* general form: text + SEC + MAC (Length-quote) */
		{
			g_autoptr(GByteArray) value = g_byte_array_new();
			g_autoptr(GByteArray) headers = g_byte_array_new();
			g_autoptr(GBytes) bytes = NULL;
			g_autoptr(OmacpPush) push = NULL;

			put_str(value, cases[i].type);
			put_hex(value, "91 82 92");
			put_str(value, MOBIFONE_MAC);
			put_general(headers, value);
			g_assert_cmpuint(headers->data[0], ==, 0x1F);
			bytes = make_push(headers);
			push = parse_ok(bytes);
			g_assert_cmpint(push->content_type_code, ==, -1);
			g_assert_cmpstr(push->content_type, ==, cases[i].type);
			g_assert_cmpint(push->kind, ==, cases[i].kind);
			g_assert_cmpint(push->sec, ==, OMACP_SEC_USERNETWPIN);
			g_assert_cmpstr(push->mac, ==, MOBIFONE_MAC);
		}
	}
}

/* A media type is a Text-string: a leading '"' is a character, not the
 * start of a Quoted-string (found by fuzzing: the encoder then wrote a type
 * that parsed back differently). */
static void
test_quote_in_media_type(void)
{
	g_autoptr(GByteArray) headers = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(OmacpPush) push = NULL;

	put_str(headers, "\"a/b");
	bytes = make_push(headers);
	push = parse_ok(bytes);
	g_assert_cmpstr(push->content_type, ==, "\"a/b");
	g_assert_cmpint(push->content_type_code, ==, -1);

	for (guint i = 0; i < 3; i++) {
		static const char *const bad[] = { "\"a/b", "a/b;c=d", "a/b=" };
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) pdu =
		        omacp_wsp_encode_push(0x01, bad[i], OMACP_SEC_NONE, NULL, minimal_doc,
		                              sizeof minimal_doc, &error);

		g_assert_null(pdu);
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	}
}

static void
test_confirmed_push(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(OmacpPush) push = NULL;

	put_hex(b, "42 07 01 B6");
	g_byte_array_append(b, minimal_doc, sizeof minimal_doc);
	bytes = g_byte_array_free_to_bytes(g_steal_pointer(&b));
	push = parse_ok(bytes);
	g_assert_cmpuint(push->tid, ==, 0x42);
	g_assert_cmpuint(push->pdu_type, ==, 0x07);
}

static void
test_malformed(void)
{
	/* not a push: the error names the octet and its offset */
	parse_hex_fails("01 05 01 B6 03", OMACP_ERROR_NOT_PUSH, "PDU type 0x05 at octet 1");
	parse_hex_fails("01 40 01 B6 03", OMACP_ERROR_NOT_PUSH, "0x40");
	parse_hex_fails("", OMACP_ERROR_TRUNCATED, "no TID at octet 0");
	parse_hex_fails("01", OMACP_ERROR_TRUNCATED, "at octet 1");
	/* HeadersLen: 6 octets, > 32 bits, cut off, past the end */
	parse_hex_fails("01 06 81 81 81 81 81 01 B6", OMACP_ERROR_MALFORMED,
	                "HeadersLen uintvar is longer than 5 octets or exceeds 32 bits at octet 2");
	parse_hex_fails("01 06 90 80 80 80 00 B6", OMACP_ERROR_MALFORMED,
	                "exceeds 32 bits at octet 2");
	parse_hex_fails("01 06 8F FF FF FF 7F B6", OMACP_ERROR_TRUNCATED,
	                "HeadersLen 4294967295 runs past the end");
	parse_hex_fails("01 06 81", OMACP_ERROR_TRUNCATED,
	                "HeadersLen uintvar is cut off at octet 2");
	parse_hex_fails("01 06 2F B6", OMACP_ERROR_TRUNCATED,
	                "HeadersLen 47 runs past the end of the PDU (1 octets left) at octet 2");
	parse_hex_fails("01 06 00 03 0B", OMACP_ERROR_MALFORMED, "HeadersLen is 0");
	/* content type */
	parse_hex_fails("01 06 02 1F 2D 03 0B 6A", OMACP_ERROR_TRUNCATED,
	                "Content-Type value length 45 runs past the end of the headers (0 octets "
	                "left) at octet 3");
	parse_hex_fails("01 06 02 1F 8F 03", OMACP_ERROR_TRUNCATED,
	                "Content-Type value length uintvar is cut off at octet 4");
	parse_hex_fails("01 06 01 00 03", OMACP_ERROR_MALFORMED, "empty content type at octet 3");
	parse_hex_fails("01 06 02 01 00 03", OMACP_ERROR_MALFORMED, "media type cannot start");
	parse_hex_fails("01 06 03 02 B6 00 03", OMACP_ERROR_MALFORMED,
	                "parameter cannot start with 0x00 at octet 5");
	parse_hex_fails("01 06 04 61 62 63 64 03", OMACP_ERROR_TRUNCATED,
	                "Content-Type text has no terminating NUL");
	parse_hex_fails("01 06 05 04 B6 92 41 42 00 03", OMACP_ERROR_TRUNCATED,
	                "MAC text has no terminating NUL");
	parse_hex_fails("01 06 03 02 B6 91 03", OMACP_ERROR_TRUNCATED, "SEC value missing");
	parse_hex_fails("01 06 04 03 B6 92 81 03", OMACP_ERROR_MALFORMED,
	                "MAC value is an integer");
	parse_hex_fails("01 06 04 03 B6 9A 05 03", OMACP_ERROR_TRUNCATED,
	                "value length 5 runs past the end");
	/* headers */
	parse_hex_fails("01 06 02 B6 00 03", OMACP_ERROR_MALFORMED,
	                "a header cannot start with 0x00 at octet 4");
	parse_hex_fails("01 06 02 B6 AF 03", OMACP_ERROR_TRUNCATED, "X-Wap-Application-Id value");
	parse_hex_fails("01 06 03 B6 AF 1F 03", OMACP_ERROR_MALFORMED,
	                "X-Wap-Application-Id value cannot start with 0x1F at octet 5");
	parse_hex_fails("01 06 03 B6 58 2D 03", OMACP_ERROR_TRUNCATED,
	                "header name has no terminating NUL (starts at octet 4)");
	parse_hex_fails("01 06 02 B6 7F 03", OMACP_ERROR_TRUNCATED, "header code page");
	parse_hex_fails("01 06 03 B6 8E 68 03", OMACP_ERROR_TRUNCATED, "header text value");
}

static GBytes *
with_junk(const char *junk_hex, GBytes *push)
{
	g_autoptr(GByteArray) b = g_byte_array_new();

	put_hex(b, junk_hex);
	g_byte_array_append(b, g_bytes_get_data(push, NULL), (guint) g_bytes_get_size(push));
	return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

static void
test_leading_junk(void)
{
	g_autoptr(GBytes) mobifone = load_vector_push(vector_pushes[0].file);
	g_autoptr(GByteArray) mms_headers = g_byte_array_new();
	g_autoptr(GBytes) mms = NULL;

	/* every amount of junk up to the cap (octet 1 never 06/07 here) */
	for (guint n = 1; n <= OMACP_WSP_MAX_LEADING_JUNK + 1; n++) {
		g_autoptr(GString) junk = g_string_new(NULL);
		g_autoptr(GBytes) bytes = NULL;

		for (guint i = 0; i < n; i++)
			g_string_append(junk, "EE");
		bytes = with_junk(junk->str, mobifone);
		if (n <= OMACP_WSP_MAX_LEADING_JUNK) {
			g_autoptr(OmacpPush) push = NULL;
			g_autoptr(GError) error = NULL;

			g_assert_true(omacp_wsp_parse_push(g_bytes_get_data(bytes, NULL),
			                                   g_bytes_get_size(bytes), &push, &error));
			g_assert_cmpuint(push->junk_skipped, ==, n);
			g_assert_cmpuint(push->tid, ==, 0x01);
			g_assert_cmpuint(push->data_offset, ==, n + 50);
			g_assert_cmpstr(push->mac, ==, MOBIFONE_MAC);
		} else {
			parse_fails(bytes, OMACP_ERROR_NOT_PUSH, "PDU type 0xEE at octet 1");
		}
	}

	/* junk before a push that is not provisioning: refused */
	put_hex(mms_headers, "BE AF 84");
	mms = make_push(mms_headers);
	{
		g_autoptr(GBytes) bytes = with_junk("DE AD BE EF", mms);

		parse_fails(bytes, OMACP_ERROR_NOT_PUSH, "PDU type 0xAD at octet 1");
	}
	/* octet 1 is a push type: no junk search, the real error stands */
	{
		g_autoptr(GBytes) bytes = with_junk("00 06 FF FF FF FF FF", mobifone);

		parse_fails(bytes, OMACP_ERROR_MALFORMED, "HeadersLen");
	}
}

/* ---- encoder ---- */

static void
test_encode_round_trip(void)
{
	static const OmacpSec secs[] = {
		OMACP_SEC_NONE,        OMACP_SEC_NETWPIN,    OMACP_SEC_USERPIN,
		OMACP_SEC_USERNETWPIN, OMACP_SEC_USERPINMAC,
	};
	static const char *const types[] = {
		"application/vnd.wap.connectivity-wbxml",
		"text/vnd.wap.connectivity-xml",
		"application/vnd.syncml.dm+wbxml",
		"application/x-omacp-test",
	};
	g_autofree guint8 *big = g_malloc(1000);

	for (guint i = 0; i < 1000; i++)
		big[i] = (guint8) (i * 7);

	for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
		for (guint s = 0; s < G_N_ELEMENTS(secs); s++) {
			for (guint with_mac = 0; with_mac <= 1; with_mac++) {
				g_autoptr(GBytes) pdu = NULL;
				g_autoptr(OmacpPush) push = NULL;
				g_autoptr(GError) error = NULL;
				const char *mac =
				        with_mac ? "4a59b783b6e4afbe0612358c512abd0781933b21"
				                 : NULL;
				gint code = omacp_wsp_content_type_code(types[t]);

				if (secs[s] == OMACP_SEC_NONE && mac != NULL)
					continue;
				if (secs[s] != OMACP_SEC_NONE && secs[s] != OMACP_SEC_USERPINMAC &&
				    mac == NULL)
					continue;
				pdu = omacp_wsp_encode_push(0x5A, types[t], secs[s], mac, big, 1000,
				                            &error);
				g_assert_no_error(error);
				g_assert_true(omacp_wsp_parse_push(g_bytes_get_data(pdu, NULL),
				                                   g_bytes_get_size(pdu), &push,
				                                   &error));
				g_assert_no_error(error);
				g_assert_cmpuint(push->tid, ==, 0x5A);
				g_assert_cmpuint(push->pdu_type, ==, 0x06);
				g_assert_cmpint(push->sec, ==, secs[s]);
				g_assert_cmpint(push->sec_raw, ==,
				                secs[s] == OMACP_SEC_NONE ? -1
				                                          : (gint) secs[s] - 1);
				if (mac != NULL)
					g_assert_cmpstr(push->mac, ==, MOBIFONE_MAC);
				else
					g_assert_null(push->mac);
				g_assert_cmpstr(push->content_type, ==, types[t]);
				g_assert_cmpint(push->content_type_code, ==, code);
				g_assert_cmpint(push->kind, ==,
				                omacp_wsp_kind_for_content_type(types[t]));
				g_assert_cmpmem(g_bytes_get_data(push->data, NULL),
				                g_bytes_get_size(push->data), big, 1000);
			}
		}
	}
}

static void
assert_encodes_to(OmacpSec sec, const char *mac, const char *content_type, const char *hex)
{
	g_autoptr(GByteArray) expected = g_byte_array_new();
	g_autoptr(GBytes) pdu = NULL;
	g_autoptr(GError) error = NULL;

	put_hex(expected, hex);
	g_byte_array_append(expected, minimal_doc, sizeof minimal_doc);
	pdu = omacp_wsp_encode_push(0x01, content_type, sec, mac, minimal_doc, sizeof minimal_doc,
	                            &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(pdu, NULL), g_bytes_get_size(pdu), expected->data,
	                expected->len);
}

static void
test_encode_forms(void)
{
	g_autoptr(GString) hex = g_string_new(NULL);

	/* constrained form without security */
	assert_encodes_to(OMACP_SEC_NONE, NULL, "application/vnd.wap.connectivity-wbxml",
	                  "01 06 01 B6");
	assert_encodes_to(OMACP_SEC_NONE, NULL, "a/b", "01 06 04 61 2F 62 00");
	/* short Value-length when the value fits 30 octets */
	assert_encodes_to(OMACP_SEC_USERPINMAC, NULL, "application/vnd.wap.connectivity-wbxml",
	                  "01 06 04 03 B6 91 83");
	/* Length-quote for the canonical SEC + MAC form (digest §2.3) */
	g_string_append(hex, "01 06 2F 1F 2D B6 91 80 92");
	for (const char *p = MOBIFONE_MAC; *p != '\0'; p++)
		g_string_append_printf(hex, " %02X", (guint) *p);
	g_string_append(hex, " 00");
	assert_encodes_to(OMACP_SEC_NETWPIN, MOBIFONE_MAC, "application/vnd.wap.connectivity-wbxml",
	                  hex->str);
}

static void
test_encode_long_headers(void)
{
	/* a text content type long enough for a 2-octet HeadersLen */
	g_autofree char *tail = g_strnfill(200, 'y');
	g_autofree char *type = g_strconcat("application/", tail, NULL);
	g_autoptr(GBytes) pdu = NULL;
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(GError) error = NULL;
	const guint8 *octets;

	pdu = omacp_wsp_encode_push(0x01, type, OMACP_SEC_USERPIN, MOBIFONE_MAC, minimal_doc,
	                            sizeof minimal_doc, &error);
	g_assert_no_error(error);
	octets = g_bytes_get_data(pdu, NULL);
	g_assert_cmpuint(octets[2] & 0x80, ==, 0x80);
	g_assert_true(omacp_wsp_parse_push(octets, g_bytes_get_size(pdu), &push, &error));
	g_assert_cmpstr(push->content_type, ==, type);
	g_assert_cmpuint(push->headers_offset, ==, 4);
	/* 1F + 2-octet uintvar + type + NUL + SEC + MAC param */
	g_assert_cmpuint(push->headers_len, ==, 1 + 2 + strlen(type) + 1 + 2 + 42);
}

static void
test_encode_bad_args(void)
{
	static const struct {
		const char *type;
		OmacpSec sec;
		const char *mac;
	} cases[] = {
		{ NULL, OMACP_SEC_NONE, NULL },
		{ "", OMACP_SEC_NONE, NULL },
		{ "text/has space", OMACP_SEC_NONE, NULL },
		{ "application/vnd.wap.connectivity-wbxml", OMACP_SEC_UNKNOWN, MOBIFONE_MAC },
		{ "application/vnd.wap.connectivity-wbxml", OMACP_SEC_NONE, MOBIFONE_MAC },
		{ "application/vnd.wap.connectivity-wbxml", OMACP_SEC_NETWPIN, NULL },
		{ "application/vnd.wap.connectivity-wbxml", OMACP_SEC_USERPIN, "ABC" },
		{ "application/vnd.wap.connectivity-wbxml", OMACP_SEC_USERPIN,
		  "4A59B783B6E4AFBE0612358C512ABD0781933B2G" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) pdu =
		        omacp_wsp_encode_push(0x01, cases[i].type, cases[i].sec, cases[i].mac,
		                              minimal_doc, sizeof minimal_doc, &error);

		g_assert_null(pdu);
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_assert_true(g_str_has_prefix(error->message, "wsp: "));
	}
}

static void
test_names(void)
{
	static const struct {
		OmacpSec sec;
		const char *name;
	} secs[] = {
		{ OMACP_SEC_NONE, "none" },
		{ OMACP_SEC_NETWPIN, "netwpin" },
		{ OMACP_SEC_USERPIN, "userpin" },
		{ OMACP_SEC_USERNETWPIN, "usernetwpin" },
		{ OMACP_SEC_USERPINMAC, "userpinmac" },
		{ OMACP_SEC_UNKNOWN, "unknown" },
	};
	static const struct {
		OmacpPushKind kind;
		const char *name;
		gboolean provisioning;
	} kinds[] = {
		{ OMACP_PUSH_KIND_PROVISIONING, "provisioning", TRUE },
		{ OMACP_PUSH_KIND_PROVISIONING_XML, "provisioning-xml", TRUE },
		{ OMACP_PUSH_KIND_DM_BOOTSTRAP, "dm-bootstrap", TRUE },
		{ OMACP_PUSH_KIND_MMS, "mms", FALSE },
		{ OMACP_PUSH_KIND_SI, "si", FALSE },
		{ OMACP_PUSH_KIND_SL, "sl", FALSE },
		{ OMACP_PUSH_KIND_OTHER, "other", FALSE },
	};
	OmacpSec sec = OMACP_SEC_UNKNOWN;

	for (guint i = 0; i < G_N_ELEMENTS(secs); i++) {
		g_autofree char *upper = g_ascii_strup(secs[i].name, -1);

		g_assert_cmpstr(omacp_sec_to_string(secs[i].sec), ==, secs[i].name);
		g_assert_true(omacp_sec_from_string(secs[i].name, &sec));
		g_assert_cmpint(sec, ==, secs[i].sec);
		g_assert_true(omacp_sec_from_string(upper, &sec));
		g_assert_cmpint(sec, ==, secs[i].sec);
	}
	/* Android's decimal form */
	g_assert_true(omacp_sec_from_string("0", &sec));
	g_assert_cmpint(sec, ==, OMACP_SEC_NETWPIN);
	g_assert_true(omacp_sec_from_string("3", &sec));
	g_assert_cmpint(sec, ==, OMACP_SEC_USERPINMAC);
	sec = OMACP_SEC_USERPIN;
	g_assert_false(omacp_sec_from_string("4", &sec));
	g_assert_false(omacp_sec_from_string("userpins", &sec));
	g_assert_false(omacp_sec_from_string("", &sec));
	g_assert_false(omacp_sec_from_string(NULL, &sec));
	g_assert_cmpint(sec, ==, OMACP_SEC_USERPIN);

	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
		g_assert_cmpstr(omacp_push_kind_to_string(kinds[i].kind), ==, kinds[i].name);
		g_assert_cmpint(omacp_push_kind_is_provisioning(kinds[i].kind), ==,
		                kinds[i].provisioning);
	}

	/* content type table: the codes of digest §2.3 and WINA */
	g_assert_cmpstr(omacp_wsp_content_type_name(0x35), ==, "text/vnd.wap.connectivity-xml");
	g_assert_cmpstr(omacp_wsp_content_type_name(0x36), ==,
	                "application/vnd.wap.connectivity-wbxml");
	g_assert_cmpstr(omacp_wsp_content_type_name(0x42), ==, "application/vnd.syncml.dm+wbxml");
	g_assert_cmpstr(omacp_wsp_content_type_name(0x2E), ==, "application/vnd.wap.sic");
	g_assert_cmpstr(omacp_wsp_content_type_name(0x30), ==, "application/vnd.wap.slc");
	g_assert_cmpstr(omacp_wsp_content_type_name(0x3E), ==, "application/vnd.wap.mms-message");
	g_assert_cmpstr(omacp_wsp_content_type_name(0x44), ==,
	                "application/vnd.syncml.notification");
	g_assert_null(omacp_wsp_content_type_name(-1));
	g_assert_null(omacp_wsp_content_type_name(0x7F));
	g_assert_cmpint(omacp_wsp_content_type_code("APPLICATION/VND.WAP.CONNECTIVITY-WBXML"), ==,
	                0x36);
	g_assert_cmpint(omacp_wsp_content_type_code("application/x-unknown"), ==, -1);
	g_assert_cmpint(omacp_wsp_content_type_code(NULL), ==, -1);
}

/* The content type index answers for every name of the table in any case,
 * and nothing for a prefix, an extension or a name too long to be in it. */
static void
test_content_type_index(void)
{
	g_autofree char *longest = g_strnfill(200, 'a');
	guint named = 0;

	for (gint code = 0; code < 0x80; code++) {
		const char *name = omacp_wsp_content_type_name(code);
		g_autofree char *upper = NULL;
		g_autofree char *longer = NULL;
		g_autofree char *shorter = NULL;

		if (name == NULL)
			continue;
		named++;
		upper = g_ascii_strup(name, -1);
		longer = g_strconcat(name, "x", NULL);
		shorter = g_strndup(name, strlen(name) - 1);
		g_assert_cmpint(omacp_wsp_content_type_code(name), ==, code);
		g_assert_cmpint(omacp_wsp_content_type_code(upper), ==, code);
		g_assert_cmpint(omacp_wsp_content_type_code(longer), ==, -1);
		if (omacp_wsp_content_type_code(shorter) != -1)
			g_assert_cmpstr(
			        omacp_wsp_content_type_name(omacp_wsp_content_type_code(shorter)),
			        ==, shorter);
	}
	g_assert_cmpuint(named, >, 40);
	g_assert_cmpint(omacp_wsp_content_type_code(""), ==, -1);
	g_assert_cmpint(omacp_wsp_content_type_code(longest), ==, -1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wsp/vectors", test_vectors);
	g_test_add_func("/wsp/vectors/reencode", test_vectors_reencode);
	g_test_add_func("/wsp/vectors/truncated", test_vectors_truncated);
	g_test_add_func("/wsp/params/untyped", test_untyped_parameters);
	g_test_add_func("/wsp/params/sec-encodings", test_sec_encodings);
	g_test_add_func("/wsp/params/order-and-unknown", test_parameter_order_and_unknown);
	g_test_add_func("/wsp/params/duplicates", test_duplicate_security_parameters);
	g_test_add_func("/wsp/params/text-cap", test_mac_cap);
	g_test_add_func("/wsp/headers/app-id", test_app_id_and_headers);
	g_test_add_func("/wsp/headers/app-id-registry", test_app_id_registry);
	g_test_add_func("/wsp/content-type/well-known", test_content_types);
	g_test_add_func("/wsp/content-type/text", test_text_content_types);
	g_test_add_func("/wsp/content-type/quote", test_quote_in_media_type);
	g_test_add_func("/wsp/confirmed-push", test_confirmed_push);
	g_test_add_func("/wsp/malformed", test_malformed);
	g_test_add_func("/wsp/leading-junk", test_leading_junk);
	g_test_add_func("/wsp/encode/round-trip", test_encode_round_trip);
	g_test_add_func("/wsp/encode/forms", test_encode_forms);
	g_test_add_func("/wsp/encode/long-headers", test_encode_long_headers);
	g_test_add_func("/wsp/encode/bad-args", test_encode_bad_args);
	g_test_add_func("/wsp/names", test_names);
	g_test_add_func("/wsp/names/content-type-index", test_content_type_index);
	return g_test_run();
}
