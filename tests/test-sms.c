/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMS layer: the public vectors (user data and PDU-mode SMS-DELIVER), every
 * truncation of them, DCS and UDH edge cases, addresses and timestamps, and
 * encode → parse round trips. Expected values come from the vector README
 * and the digest (§1, §7.4–7.7), not from the code under test. */
#include <glib.h>
#include <string.h>

#include "omacp.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

static GBytes *
hex_bytes(const char *hex)
{
	gsize n = strlen(hex);
	guint8 *out;

	g_assert_cmpuint(n % 2, ==, 0);
	out = g_malloc(n / 2 + 1);
	for (gsize i = 0; i < n / 2; i++) {
		gint hi = g_ascii_xdigit_value(hex[2 * i]);
		gint lo = g_ascii_xdigit_value(hex[2 * i + 1]);

		g_assert_cmpint(hi, >=, 0);
		g_assert_cmpint(lo, >=, 0);
		out[i] = (guint8) (hi << 4 | lo);
	}
	return g_bytes_new_take(out, n / 2);
}

static const guint8 *
bytes_data(GBytes *b, gsize *len)
{
	return g_bytes_get_data(b, len);
}

/* Copy of @b with octet @index replaced by @value. */
static GBytes *
patched(GBytes *b, gsize index, guint8 value)
{
	gsize len;
	const guint8 *data = bytes_data(b, &len);
	guint8 *copy = g_memdup2(data, len);

	g_assert_cmpuint(index, <, len);
	copy[index] = value;
	return g_bytes_new_take(copy, len);
}

static void
assert_error(GError *error, gint code, const char *fragment)
{
	g_assert_nonnull(error);
	if (!g_error_matches(error, OMACP_ERROR, code))
		g_error("expected code %d, got %d: %s", code, error->code, error->message);
	g_assert_true(g_str_has_prefix(error->message, "sms: "));
	if (fragment != NULL && strstr(error->message, fragment) == NULL)
		g_error("\"%s\" not in \"%s\"", fragment, error->message);
}

/* Unix time of a civil time with an offset, computed by GLib, not by us. */
static gint64
civil_to_unix(const char *offset, gint y, gint mo, gint d, gint h, gint mi, gint s)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(offset);
	g_autoptr(GDateTime) dt = NULL;

	g_assert_nonnull(tz);
	dt = g_date_time_new(tz, y, mo, d, h, mi, s);
	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt);
}

/* ------------------------------------------------------------ user data */

typedef struct {
	const char *file;
	guint segments;
	guint8 ref;
	guint8 tid; /* first payload octet of segment 1: WSP TID, then PDU type 06 */
} UdVector;

/* Digest §7.4–7.6: UDH 0B | 05 04 0B 84 23 F0 | 00 03 ref total seq. */
static const UdVector ud_vectors[] = {
	{ "vectors/public/05-vn-mobifone-gprs-userpin1111.ud.hex", 4, 0x04, 0x01 },
	{ "vectors/public/06-vn-vinaphone-gprs-userpin1111.ud.hex", 4, 0x04, 0x01 },
	{ "vectors/public/07-vn-viettel-gprs-userpin1111.ud.hex", 3, 0x7b, 0x28 },
};

static void
test_ud_vectors(void)
{
	for (guint v = 0; v < G_N_ELEMENTS(ud_vectors); v++) {
		const UdVector *vec = &ud_vectors[v];
		g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(vec->file);

		g_assert_cmpuint(lines->len, ==, vec->segments);
		for (guint i = 0; i < lines->len; i++) {
			g_autoptr(OmacpSms) sms = NULL;
			g_autoptr(GError) error = NULL;
			gsize len, plen;
			const guint8 *ud = bytes_data(g_ptr_array_index(lines, i), &len);
			const guint8 *payload;

			g_assert_true(omacp_sms_parse_user_data(ud, len, &sms, &error));
			g_assert_no_error(error);
			g_assert_true(sms->has_ports);
			g_assert_false(sms->ports_8bit);
			g_assert_cmpuint(sms->dst_port, ==, 2948);
			g_assert_cmpuint(sms->src_port, ==, 9200);
			g_assert_true(sms->is_concat);
			g_assert_false(sms->ref_16bit);
			g_assert_cmpuint(sms->ref, ==, vec->ref);
			g_assert_cmpuint(sms->total, ==, vec->segments);
			g_assert_cmpuint(sms->seq, ==, i + 1);
			g_assert_cmpuint(sms->dcs, ==, 0x04);
			g_assert_null(sms->sender);
			g_assert_null(sms->smsc);
			/* 1 UDHL + 6 port IE + 5 concat IE. */
			g_assert_cmpuint(sms->payload_offset, ==, 12);
			payload = g_bytes_get_data(sms->payload, &plen);
			g_assert_cmpmem(payload, plen, ud + 12, len - 12);
			if (i + 1 < lines->len)
				g_assert_cmpuint(len, ==, 140); /* full segments: 12 + 128 */
			if (i == 0) {
				g_assert_cmpuint(payload[0], ==, vec->tid);
				g_assert_cmpuint(payload[1], ==, 0x06);
			}
		}
	}
}

/* Every prefix of a user data line: shorter than the UDH is an error; from
 * there on the UD is well formed (it has no length of its own) and the
 * payload is what is left. */
static void
test_ud_truncation(void)
{
	for (guint v = 0; v < G_N_ELEMENTS(ud_vectors); v++) {
		g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(ud_vectors[v].file);

		for (guint i = 0; i < lines->len; i++) {
			gsize len;
			const guint8 *ud = bytes_data(g_ptr_array_index(lines, i), &len);

			for (gsize cut = 0; cut < len; cut++) {
				g_autoptr(OmacpSms) sms = NULL;
				g_autoptr(GError) error = NULL;
				gboolean ok = omacp_sms_parse_user_data(ud, cut, &sms, &error);

				if (cut < 12) {
					g_assert_false(ok);
					g_assert_null(sms);
					assert_error(error, OMACP_ERROR_TRUNCATED, "at octet 0");
				} else {
					g_assert_true(ok);
					g_assert_no_error(error);
					g_assert_cmpuint(g_bytes_get_size(sms->payload), ==,
					                 cut - 12);
				}
			}
		}
	}
}

/* ------------------------------------------------------------ SMS-DELIVER */

#define V08 "vectors/public/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
/* SMSC field 07 91 447758100650 is 8 octets; the TPDU follows. */
#define V08_SMSC_LEN 8

typedef struct {
	guint8 first_octet;
	guint8 udl;
	gint hour, minute, second; /* SCTS 2009-05-19 hh:mm:ss +01:00 */
} V08Segment;

/* Digest §7.7: first octets 44/40/40/44, UDL 140 except the last (73); SCTS
 * semi-octets as printed in the PDUs, zone 40 = +4 quarter hours. */
static const V08Segment v08[] = {
	{ 0x44, 140, 13, 12, 26 },
	{ 0x40, 140, 13, 15, 55 },
	{ 0x40, 140, 13, 16, 36 },
	{ 0x44, 73, 13, 17, 16 },
};

static void
check_v08_segment(const OmacpSms *sms, guint i, gboolean with_smsc, const guint8 *pdu, gsize len)
{
	gsize tpdu = with_smsc ? V08_SMSC_LEN : 0;
	gsize plen;
	const guint8 *payload = g_bytes_get_data(sms->payload, &plen);
	static const guint8 scts1[7] = { 0x90, 0x50, 0x91, 0x31, 0x21, 0x62, 0x40 };
	static const guint8 wsp_start[] = { 0xde, 0xad, 0xbe, 0xef, 0x31, 0x06 };

	if (with_smsc)
		g_assert_cmpstr(sms->smsc, ==, "+447785016005");
	else
		g_assert_null(sms->smsc);
	g_assert_cmpstr(sms->sender, ==, "20170097"); /* TON national: no '+' */
	g_assert_cmpuint(sms->first_octet, ==, v08[i].first_octet);
	g_assert_cmpuint(sms->pid, ==, 0x00);
	g_assert_cmpuint(sms->dcs, ==, 0x04);
	g_assert_cmpint(
	        sms->scts_unix, ==,
	        civil_to_unix("+01:00", 2009, 5, 19, v08[i].hour, v08[i].minute, v08[i].second));
	if (i == 0)
		g_assert_cmpmem(sms->scts, 7, scts1, 7);
	g_assert_false(sms->has_ports);
	g_assert_true(sms->is_concat);
	g_assert_false(sms->ref_16bit);
	g_assert_cmpuint(sms->ref, ==, 1);
	g_assert_cmpuint(sms->total, ==, 4);
	g_assert_cmpuint(sms->seq, ==, i + 1);
	/* fo 1, OA 2+4, PID, DCS, SCTS 7, UDL at tpdu+16, UDHL 05 + 5 octets. */
	g_assert_cmpuint(pdu[tpdu + 16], ==, v08[i].udl);
	g_assert_cmpuint(len, ==, tpdu + 17 + v08[i].udl);
	g_assert_cmpuint(sms->payload_offset, ==, tpdu + 17 + 6);
	g_assert_cmpmem(payload, plen, pdu + tpdu + 23, v08[i].udl - 6);
	if (i == 0)
		g_assert_cmpmem(payload, sizeof wsp_start, wsp_start, sizeof wsp_start);
}

static void
test_deliver_vector(void)
{
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(V08);

	g_assert_cmpuint(lines->len, ==, G_N_ELEMENTS(v08));
	for (guint i = 0; i < lines->len; i++) {
		gsize len;
		const guint8 *pdu = bytes_data(g_ptr_array_index(lines, i), &len);
		g_autoptr(OmacpSms) with = NULL;
		g_autoptr(OmacpSms) without = NULL;
		g_autoptr(GError) error = NULL;

		g_assert_true(omacp_sms_parse_deliver(pdu, len, TRUE, &with, &error));
		g_assert_no_error(error);
		check_v08_segment(with, i, TRUE, pdu, len);

		g_assert_true(omacp_sms_parse_deliver(pdu + V08_SMSC_LEN, len - V08_SMSC_LEN, FALSE,
		                                      &without, &error));
		g_assert_no_error(error);
		check_v08_segment(without, i, FALSE, pdu + V08_SMSC_LEN, len - V08_SMSC_LEN);
	}
}

/* A PDU has lengths for everything, so every proper prefix is an error. */
static void
test_deliver_truncation(void)
{
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(V08);

	for (guint i = 0; i < lines->len; i++) {
		gsize len;
		const guint8 *pdu = bytes_data(g_ptr_array_index(lines, i), &len);

		for (guint form = 0; form < 2; form++) {
			gboolean with_smsc = form == 0;
			const guint8 *p = with_smsc ? pdu : pdu + V08_SMSC_LEN;
			gsize n = with_smsc ? len : len - V08_SMSC_LEN;

			for (gsize cut = 0; cut < n; cut++) {
				g_autoptr(OmacpSms) sms = NULL;
				g_autoptr(GError) error = NULL;
				/* A copy of exactly @cut octets, so ASan sees overreads. */
				g_autofree guint8 *copy = g_memdup2(p, cut);

				g_assert_false(omacp_sms_parse_deliver(copy, cut, with_smsc, &sms,
				                                       &error));
				g_assert_null(sms);
				assert_error(error, OMACP_ERROR_TRUNCATED, "at octet ");
			}
		}
	}
}

typedef struct {
	guint8 dcs;
	gboolean ok;
} DcsCase;

/* TS 23.038 §4: 00xx01xx and 01xx01xx (auto-deletion, same coding) and
 * 1111x1xx are 8-bit; the rest is text, compressed or reserved. */
static const DcsCase dcs_cases[] = {
	{ 0x04, TRUE },  { 0x05, TRUE },  { 0x06, TRUE },  { 0x07, TRUE },  { 0x14, TRUE },
	{ 0x15, TRUE },  { 0x16, TRUE },  { 0x17, TRUE },  { 0x44, TRUE },  { 0x54, TRUE },
	{ 0xf4, TRUE },  { 0xf5, TRUE },  { 0xf6, TRUE },  { 0xf7, TRUE },  { 0xfc, TRUE },
	{ 0x00, FALSE }, { 0x01, FALSE }, { 0x10, FALSE }, { 0xf0, FALSE }, { 0xf1, FALSE },
	{ 0xc0, FALSE }, { 0xd0, FALSE }, { 0x08, FALSE }, { 0x18, FALSE }, { 0xe0, FALSE },
	{ 0x0c, FALSE }, { 0x24, FALSE }, { 0x34, FALSE }, { 0x80, FALSE }, { 0xb4, FALSE },
};

static void
test_dcs(void)
{
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(V08);

	for (guint i = 0; i < G_N_ELEMENTS(dcs_cases); i++) {
		/* DCS at octet 8 + 1 + 6 + 1 = 16. */
		g_autoptr(GBytes) pdu = patched(g_ptr_array_index(lines, 0), 16, dcs_cases[i].dcs);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(pdu, &len);
		gboolean ok = omacp_sms_parse_deliver(data, len, TRUE, &sms, &error);

		if (dcs_cases[i].ok) {
			g_assert_no_error(error);
			g_assert_true(ok);
			g_assert_cmpuint(sms->dcs, ==, dcs_cases[i].dcs);
		} else {
			g_autofree char *name = g_strdup_printf("0x%02x", dcs_cases[i].dcs);

			g_assert_false(ok);
			assert_error(error, OMACP_ERROR_UNSUPPORTED, name);
			g_assert_nonnull(strstr(error->message, "at octet 16"));
			if (dcs_cases[i].dcs == 0x00 || dcs_cases[i].dcs == 0xf0)
				g_assert_nonnull(strstr(error->message, "7-bit"));
			if (dcs_cases[i].dcs == 0x08)
				g_assert_nonnull(strstr(error->message, "UCS2"));
		}
	}
}

typedef struct {
	guint8 first_octet;
	gint code;
	const char *fragment;
} MtiCase;

static void
test_mti(void)
{
	static const MtiCase cases[] = {
		{ 0x45, OMACP_ERROR_UNSUPPORTED, "SMS-SUBMIT" },
		{ 0x46, OMACP_ERROR_UNSUPPORTED, "SMS-STATUS-REPORT" },
		{ 0x47, OMACP_ERROR_MALFORMED, "reserved" },
	};
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(V08);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) pdu =
		        patched(g_ptr_array_index(lines, 0), V08_SMSC_LEN, cases[i].first_octet);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(pdu, &len);

		g_assert_false(omacp_sms_parse_deliver(data, len, TRUE, &sms, &error));
		assert_error(error, cases[i].code, cases[i].fragment);
		g_assert_nonnull(strstr(error->message, "at octet 8"));
	}
}

typedef struct {
	const char *hex; /* TP-UD */
	gint code;
	const char *fragment;
} UdhCase;

static const UdhCase udh_cases[] = {
	/* port IE 05 with length 3 */
	{ "0605030B8423F0AA", OMACP_ERROR_MALFORMED,
	  "IE 0x05 (16-bit application ports) has "
	  "length 3, expected 4, at octet 1" },
	/* port IE 04 with length 3 */
	{ "0504030B8423AA", OMACP_ERROR_MALFORMED,
	  "IE 0x04 (8-bit application ports) has "
	  "length 3, expected 2, at octet 1" },
	/* concat IE 00 with length 4 */
	{ "0600040401010AAA", OMACP_ERROR_MALFORMED,
	  "IE 0x00 (8-bit concatenation) has "
	  "length 4, expected 3, at octet 1" },
	/* concat IE 08 with length 3 */
	{ "050803120301AA", OMACP_ERROR_MALFORMED,
	  "IE 0x08 (16-bit concatenation) has "
	  "length 3, expected 4, at octet 1" },
	/* concat IE length 5 runs past UDHL 11 */
	{ "0B05040B8423F0000504040101AA", OMACP_ERROR_MALFORMED,
	  "IE 0x00 of length 5 runs past the end of the UDH (3 octets left) at octet 7" },
	/* port IE runs past UDHL 3 */
	{ "0305040B8423F0", OMACP_ERROR_MALFORMED, "runs past the end of the UDH" },
	/* an IE header cut by UDHL */
	{ "0100AA", OMACP_ERROR_MALFORMED,
	  "header runs past the end of the UDH (UDHL 1) at "
	  "octet 1" },
	/* unknown IE whose length runs past UDHL */
	{ "03240501AA", OMACP_ERROR_MALFORMED, "IE 0x24 of length 5" },
	/* UDHL past the end of the user data */
	{ "0C05040B8423F00003040401", OMACP_ERROR_TRUNCATED, "UDHL 12 runs past" },
	{ "", OMACP_ERROR_TRUNCATED, "no UDHL" },
};

static void
test_udh_errors(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(udh_cases); i++) {
		g_autoptr(GBytes) ud = hex_bytes(udh_cases[i].hex);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(ud, &len);

		g_assert_false(omacp_sms_parse_user_data(data, len, &sms, &error));
		g_assert_null(sms);
		assert_error(error, udh_cases[i].code, udh_cases[i].fragment);
	}
}

/* Errors in the TPDU framing around the user data. */
static void
test_tpdu_errors(void)
{
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(V08);
	GBytes *seg4 = g_ptr_array_index(lines, 3); /* UDL 73 at octet 24 */
	struct {
		gsize index;
		guint8 value;
		gint code;
		const char *fragment;
	} cases[] = {
		{ 25, 73, OMACP_ERROR_MALFORMED, "UDHL 73 runs past the end of TP-UD" },
		{ 25, 72, OMACP_ERROR_MALFORMED, "runs past the end of the UDH" },
		{ 24, 141, OMACP_ERROR_MALFORMED,
		  "TP-UDL 141 exceeds 140 octets of 8-bit data "
		  "at octet 24" },
		{ 24, 74, OMACP_ERROR_TRUNCATED,
		  "TP-UDL 74 runs past the end of the PDU (73 "
		  "octets left) at octet 24" },
		{ 24, 72, OMACP_ERROR_MALFORMED, "1 octets after the end of TP-UD" },
		{ 9, 21, OMACP_ERROR_MALFORMED,
		  "TP-OA length 21 exceeds 20 semi-octets at "
		  "octet 9" },
		{ 0, 12, OMACP_ERROR_MALFORMED,
		  "SMSC address length 12 exceeds 11 octets at "
		  "octet 0" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) pdu = patched(seg4, cases[i].index, cases[i].value);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(pdu, &len);

		g_assert_false(omacp_sms_parse_deliver(data, len, TRUE, &sms, &error));
		assert_error(error, cases[i].code, cases[i].fragment);
	}
}

static void
test_udh_variants(void)
{
	struct {
		const char *hex;
		gboolean ports, ports8;
		guint dst, src;
		gboolean concat, ref16;
		guint ref, total, seq;
		gsize payload;
	} cases[] = {
		/* unknown IE 0x24 skipped, then ports and concat */
		{ "0E240155"
		  "05040B8423F0"
		  "0003070201"
		  "3106",
		  TRUE, FALSE, 2948, 9200, TRUE, FALSE, 7, 2, 1, 2 },
		/* ports then 8-bit ports: the last wins (TS 23.040 9.2.3.24) */
		{ "0A05040B8423F0"
		  "04021020"
		  "AA",
		  TRUE, TRUE, 0x10, 0x20, FALSE, FALSE, 0, 1, 1, 1 },
		/* 16-bit reference */
		{ "0C05040B8423F0"
		  "080412340302"
		  "AABB",
		  TRUE, FALSE, 2948, 9200, TRUE, TRUE, 0x1234, 3, 2, 2 },
		/* empty UDH */
		{ "00"
		  "31062F",
		  FALSE, FALSE, 0, 0, FALSE, FALSE, 0, 1, 1, 3 },
		/* concat only, as in the Sierra vector */
		{ "050003010401"
		  "DEAD",
		  FALSE, FALSE, 0, 0, TRUE, FALSE, 1, 4, 1, 2 },
		/* sequence and total kept as sent: the reassembler judges them */
		{ "050003090005"
		  "01",
		  FALSE, FALSE, 0, 0, TRUE, FALSE, 9, 0, 5, 1 },
		/* header only, no payload */
		{ "0605040B8423F0", TRUE, FALSE, 2948, 9200, FALSE, FALSE, 0, 1, 1, 0 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) ud = hex_bytes(cases[i].hex);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(ud, &len);

		g_assert_true(omacp_sms_parse_user_data(data, len, &sms, &error));
		g_assert_no_error(error);
		g_assert_cmpint(sms->has_ports, ==, cases[i].ports);
		g_assert_cmpint(sms->ports_8bit, ==, cases[i].ports8);
		g_assert_cmpuint(sms->dst_port, ==, cases[i].dst);
		g_assert_cmpuint(sms->src_port, ==, cases[i].src);
		g_assert_cmpint(sms->is_concat, ==, cases[i].concat);
		g_assert_cmpint(sms->ref_16bit, ==, cases[i].ref16);
		g_assert_cmpuint(sms->ref, ==, cases[i].ref);
		g_assert_cmpuint(sms->total, ==, cases[i].total);
		g_assert_cmpuint(sms->seq, ==, cases[i].seq);
		g_assert_cmpuint(g_bytes_get_size(sms->payload), ==, cases[i].payload);
		g_assert_cmpuint(sms->payload_offset + cases[i].payload, ==, len);
	}
}

/* Without TP-UDHI the whole user data is the payload. */
static void
test_no_udhi(void)
{
	g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(V08);
	g_autoptr(GBytes) pdu = patched(g_ptr_array_index(lines, 3), V08_SMSC_LEN, 0x04);
	g_autoptr(OmacpSms) sms = NULL;
	g_autoptr(GError) error = NULL;
	gsize len, plen;
	const guint8 *data = bytes_data(pdu, &len);
	const guint8 *payload;

	g_assert_true(omacp_sms_parse_deliver(data, len, TRUE, &sms, &error));
	g_assert_no_error(error);
	g_assert_false(sms->has_ports);
	g_assert_false(sms->is_concat);
	g_assert_cmpuint(sms->total, ==, 1);
	g_assert_cmpuint(sms->seq, ==, 1);
	g_assert_cmpuint(sms->payload_offset, ==, 25);
	payload = g_bytes_get_data(sms->payload, &plen);
	g_assert_cmpmem(payload, plen, data + 25, 73);
}

/* ------------------------------------------------------ addresses, SCTS */

typedef struct {
	const char *oa; /* TP-OA field, hex */
	const char *sender;
} AddressCase;

static const AddressCase address_cases[] = {
	/* the textbook GSM 7-bit packing of "hellohello" (TS 23.038 §6.1.2.1.1) */
	{ "12D0E8329BFD4697D9EC37", "hellohello" },
	/* "+31641600986": international, odd digit count, F filler */
	{ "0B911346610089F6", "+31641600986" },
	/* national, as in the Sierra vector */
	{ "08A102710079", "20170097" },
	/* semi-octets * # a b c */
	{ "0581A3CBFD", "3*#ab" },
	/* one septet '@' (0x00) */
	{ "02D000", "@" },
	/* escape + '(' → '{', escape + 0x65 → euro sign */
	{ "07D01BD4A60C", "{\xe2\x82\xac" },
	/* empty address */
	{ "0081", "" },
};

static GBytes *
deliver_with_oa(const char *oa_hex, const char *scts_hex)
{
	g_autofree char *hex =
	        g_strconcat("00", /* no SMSC */
	                    "44", oa_hex, "0004", scts_hex, "0705000301020131", NULL);

	return hex_bytes(hex);
}

static void
test_addresses(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(address_cases); i++) {
		g_autoptr(GBytes) pdu = deliver_with_oa(address_cases[i].oa, "90509131216240");
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(pdu, &len);

		g_assert_true(omacp_sms_parse_deliver(data, len, TRUE, &sms, &error));
		g_assert_no_error(error);
		g_assert_null(sms->smsc);
		g_assert_cmpstr(sms->sender, ==, address_cases[i].sender);
		g_assert_true(g_utf8_validate(sms->sender, -1, NULL));
	}
}

static void
test_scts(void)
{
	struct {
		const char *scts;
		gint64 expect;
	} cases[] = {
		/* sign bit set: 0x8A = -(2*10 + 8) quarters = -07:00 */
		{ "9050913121628A", civil_to_unix("-07:00", 2009, 5, 19, 13, 12, 26) },
		{ "32103020000000", civil_to_unix("+00:00", 2023, 1, 3, 2, 0, 0) },
		{ "22211290959563", civil_to_unix("+09:00", 2022, 12, 21, 9, 59, 59) },
		/* month 13, day 0, hour 24, non-BCD: kept raw, time 0 */
		{ "90319131216240", 0 },
		{ "90500031216240", 0 },
		{ "90509142216240", 0 },
		{ "9A509131216240", 0 },
		{ "905091312162F0", 0 },
		/* 31 February */
		{ "90201331000000", 0 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) pdu = deliver_with_oa("08A102710079", cases[i].scts);
		g_autoptr(GBytes) raw = hex_bytes(cases[i].scts);
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) error = NULL;
		gsize len;
		const guint8 *data = bytes_data(pdu, &len);

		g_assert_true(omacp_sms_parse_deliver(data, len, TRUE, &sms, &error));
		g_assert_no_error(error);
		g_assert_cmpint(sms->scts_unix, ==, cases[i].expect);
		g_assert_cmpmem(sms->scts, 7, g_bytes_get_data(raw, NULL), 7);
	}
}

/* ------------------------------------------------------------- encoder */

static const OmacpSmsEncodeKind kinds[] = {
	OMACP_SMS_ENCODE_DELIVER_WITH_SMSC,
	OMACP_SMS_ENCODE_DELIVER,
	OMACP_SMS_ENCODE_SUBMIT,
	OMACP_SMS_ENCODE_USER_DATA,
};

static gboolean
parse_kind(OmacpSmsEncodeKind kind, GBytes *pdu, OmacpSms **out, GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(pdu, &len);

	switch (kind) {
	case OMACP_SMS_ENCODE_DELIVER_WITH_SMSC:
		return omacp_sms_parse_deliver(data, len, TRUE, out, error);
	case OMACP_SMS_ENCODE_DELIVER:
		return omacp_sms_parse_deliver(data, len, FALSE, out, error);
	case OMACP_SMS_ENCODE_SUBMIT:
		return omacp_sms_parse_submit(data, len, TRUE, out, error);
	case OMACP_SMS_ENCODE_USER_DATA:
		return omacp_sms_parse_user_data(data, len, out, error);
	}
	g_assert_not_reached();
}

/* Encodes @datagram and checks every field of every parsed segment; returns
 * the ref used. */
static guint
roundtrip(const guint8 *datagram, gsize len, const OmacpSmsEncodeOptions *o, guint want_segments)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) pdus = omacp_sms_encode_push(datagram, len, o, &error);
	g_autoptr(GByteArray) joined = g_byte_array_new();
	guint ref = 0;

	g_assert_no_error(error);
	g_assert_nonnull(pdus);
	g_assert_cmpuint(pdus->len, ==, want_segments);
	for (guint i = 0; i < pdus->len; i++) {
		g_autoptr(OmacpSms) sms = NULL;
		gsize plen;
		const guint8 *payload;

		g_assert_true(parse_kind(o->kind, g_ptr_array_index(pdus, i), &sms, &error));
		g_assert_no_error(error);
		if (o->kind == OMACP_SMS_ENCODE_USER_DATA)
			g_assert_null(sms->sender);
		else
			g_assert_cmpstr(sms->sender, ==, o->sender);
		if (o->kind == OMACP_SMS_ENCODE_DELIVER || o->kind == OMACP_SMS_ENCODE_USER_DATA)
			g_assert_null(sms->smsc);
		else
			g_assert_cmpstr(sms->smsc, ==, o->smsc);
		g_assert_true(sms->has_ports);
		g_assert_false(sms->ports_8bit);
		g_assert_cmpuint(sms->dst_port, ==, o->dst_port);
		g_assert_cmpuint(sms->src_port, ==, o->src_port);
		g_assert_cmpuint(sms->dcs, ==, 0x04);
		g_assert_cmpuint(sms->pid, ==, 0x00);
		if (o->kind != OMACP_SMS_ENCODE_USER_DATA)
			g_assert_cmpuint(sms->first_octet & 0x40, ==, 0x40); /* UDHI */
		if (o->kind == OMACP_SMS_ENCODE_USER_DATA) {
			g_assert_cmpint(sms->scts_unix, ==, 0);
			g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(pdus, i)), <=,
			                 OMACP_SMS_MAX_UD);
		} else if (o->kind == OMACP_SMS_ENCODE_SUBMIT) {
			g_assert_cmpuint(sms->first_octet, ==, 0x41);
			g_assert_cmpuint(sms->mr, ==, 0);
			g_assert_cmpint(sms->scts_unix, ==, 0);
		} else {
			g_assert_cmpuint(sms->first_octet & 0x03, ==, 0x00);
			g_assert_cmpint(sms->scts_unix, ==, o->scts_unix);
		}
		g_assert_cmpint(sms->is_concat, ==, want_segments > 1);
		if (want_segments > 1) {
			g_assert_false(sms->ref_16bit);
			if (i == 0)
				ref = sms->ref;
			g_assert_cmpuint(sms->ref, ==, ref);
			g_assert_cmpuint(sms->total, ==, want_segments);
			g_assert_cmpuint(sms->seq, ==, i + 1);
			/* digest §1.3: 128 payload octets per concatenated segment */
			if (i + 1 < want_segments)
				g_assert_cmpuint(g_bytes_get_size(sms->payload), ==, 128);
		} else {
			g_assert_cmpuint(sms->total, ==, 1);
			g_assert_cmpuint(sms->seq, ==, 1);
		}
		payload = g_bytes_get_data(sms->payload, &plen);
		g_byte_array_append(joined, payload, (guint) plen);
	}
	g_assert_cmpmem(joined->data, joined->len, datagram, len);
	return ref;
}

static void
test_encode_roundtrip(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(2948);
	static const char *senders[] = { "+447785016005", "20170097", "Operator" };

	for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
		for (guint n = 1; n <= 10; n++) {
			/* the smallest and largest datagram of n segments: 133 octets
			 * fit one SMS, 128 per concatenated segment (digest §1.3) */
			gsize sizes[2] = { n == 1 ? 1 : MAX(134, 128 * (n - 1) + 1),
				           n == 1 ? 133 : 128 * n };

			for (guint s = 0; s < 2; s++) {
				g_autofree guint8 *datagram = g_malloc(sizes[s]);
				const char *sender = senders[(n + s) % G_N_ELEMENTS(senders)];
				OmacpSmsEncodeOptions o = {
					.kind = kinds[k],
					.sender = sender,
					.smsc = (n % 3 == 0) ? NULL : "+447785016005",
					.dst_port = 2948,
					.src_port = (n % 2) ? 9200 : 2948,
					.ref = (gint) ((n * 37 + s) % 256),
					.scts_unix = 1242735146 + n,
				};

				if (kinds[k] == OMACP_SMS_ENCODE_SUBMIT &&
				    !g_ascii_isdigit(sender[1]))
					o.sender = "+84912345678";
				if (kinds[k] == OMACP_SMS_ENCODE_DELIVER_WITH_SMSC &&
				    o.smsc == NULL)
					o.smsc = "0123";
				for (gsize i = 0; i < sizes[s]; i++)
					datagram[i] = (guint8) g_rand_int(rand);
				g_assert_cmpuint(roundtrip(datagram, sizes[s], &o, n), ==,
				                 n > 1 ? (guint) o.ref : 0);
			}
		}
	}
}

/* Encoding the reassembled datagram of a Vietnamese vector with its
 * reference reproduces the vector's user data octet for octet. */
static void
test_encode_reproduces_vectors(void)
{
	for (guint v = 0; v < G_N_ELEMENTS(ud_vectors); v++) {
		g_autoptr(GPtrArray) lines = omacp_test_load_hex_lines(ud_vectors[v].file);
		g_autoptr(GByteArray) datagram = g_byte_array_new();
		g_autoptr(GPtrArray) pdus = NULL;
		g_autoptr(GError) error = NULL;
		OmacpSmsEncodeOptions o = {
			.kind = OMACP_SMS_ENCODE_DELIVER_WITH_SMSC,
			.sender = "+84901234567",
			.smsc = "+447785016005",
			.dst_port = 2948,
			.src_port = 9200,
			.ref = ud_vectors[v].ref,
			.scts_unix = 1242735146,
		};

		for (guint i = 0; i < lines->len; i++) {
			gsize len;
			const guint8 *ud = bytes_data(g_ptr_array_index(lines, i), &len);

			g_byte_array_append(datagram, ud + 1 + ud[0], (guint) (len - 1 - ud[0]));
		}
		pdus = omacp_sms_encode_push(datagram->data, datagram->len, &o, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(pdus->len, ==, lines->len);
		for (guint i = 0; i < lines->len; i++) {
			gsize len, plen;
			const guint8 *ud = bytes_data(g_ptr_array_index(lines, i), &len);
			const guint8 *pdu = bytes_data(g_ptr_array_index(pdus, i), &plen);
			/* SMSC field of vector 08 for the same number */
			static const guint8 smsc[] = { 0x07, 0x91, 0x44, 0x77,
				                       0x58, 0x10, 0x06, 0x50 };

			g_assert_cmpmem(pdu, sizeof smsc, smsc, sizeof smsc);
			g_assert_cmpuint(plen, >, len);
			g_assert_cmpuint(pdu[plen - len - 1], ==, len); /* TP-UDL */
			g_assert_cmpmem(pdu + plen - len, len, ud, len);
		}
	}
}

static void
test_encode_alphanumeric(void)
{
	static const char *names[] = {
		"hellohello",
		"@\xc2\xa3$\xc2\xa5\xc3\xa8\xc3\xa9\xc3\xb9\xc3\xac\xc3\xb2\xc3\x87", /* @£$¥èéùìòÇ
		                                                                       */
		"\xce\x94\xce\xa6\xce\x93\xce\x9b\xce\xa9\xce\xa0\xce\xa8\xce\xa3", /* ΔΦΓΛΩΠΨΣ */
		"\xc3\x86\xc3\xa6\xc3\x9f\xc3\x89\xc2\xa4\xc2\xa1\xc3\x84\xc3\x96", /* ÆæßÉ¤¡ÄÖ */
		"\xc2\xa7\xc2\xbf\xc3\xa4\xc3\xb6\xc3\xb1\xc3\xbc\xc3\xa0_ ?", /* §¿äöñüà_ ? */
		"[]{}\\",
		"~|^\xe2\x82\xac", /* ~|^€ */
		"Vodafone UK",
		"a",
	};
	static const guint8 hello[] = { 0x12, 0xd0, 0xe8, 0x32, 0x9b, 0xfd,
		                        0x46, 0x97, 0xd9, 0xec, 0x37 };
	const guint8 datagram[] = { 0x01, 0x06, 0x03 };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		OmacpSmsEncodeOptions o = {
			.kind = OMACP_SMS_ENCODE_DELIVER,
			.sender = names[i],
			.dst_port = 2948,
			.src_port = 9200,
			.ref = 0,
			.scts_unix = 1700000000,
		};

		roundtrip(datagram, sizeof datagram, &o, 1);
		if (i == 0) {
			g_autoptr(GError) error = NULL;
			g_autoptr(GPtrArray) pdus =
			        omacp_sms_encode_push(datagram, sizeof datagram, &o, &error);
			const guint8 *pdu = g_bytes_get_data(g_ptr_array_index(pdus, 0), NULL);

			g_assert_cmpmem(pdu + 1, sizeof hello, hello, sizeof hello);
		}
	}
}

typedef struct {
	OmacpSmsEncodeKind kind;
	const char *sender;
	const char *smsc;
	gint ref;
	gint64 scts;
	gsize len;
	gint code;
} EncodeErrorCase;

static void
test_encode_errors(void)
{
	const EncodeErrorCase cases[] = {
		{ OMACP_SMS_ENCODE_DELIVER, "+4477", NULL, 0, 1700000000, 0,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, NULL, NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "", NULL, 0, 1700000000, 10, OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "+", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "123456789012345678901", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "Operator Name", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS }, /* 13 septets */
		{ OMACP_SMS_ENCODE_DELIVER, "{}{}{}", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS }, /* 12 septets */
		{ OMACP_SMS_ENCODE_DELIVER, "Op\xe2\x84\xa2", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS }, /* ™ has no GSM code */
		{ OMACP_SMS_ENCODE_SUBMIT, "Operator", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_SUBMIT, "+4477", "+44x", 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "+4477", NULL, 256, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "+4477", NULL, -2, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "+4477", NULL, 0, 4102444800 /* 2100 */, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ OMACP_SMS_ENCODE_DELIVER, "+4477", NULL, 0, 946684799 /* 1999 */, 10,
		  OMACP_ERROR_INVALID_ARGS },
		{ (OmacpSmsEncodeKind) 7, "+4477", NULL, 0, 1700000000, 10,
		  OMACP_ERROR_INVALID_ARGS },
		/* 255 segments of 128 octets is the most one message can carry */
		{ OMACP_SMS_ENCODE_DELIVER, "+4477", NULL, 0, 1700000000, 255 * 128 + 1,
		  OMACP_ERROR_TOO_LARGE },
		{ OMACP_SMS_ENCODE_SUBMIT, "+4477", NULL, 0, 1700000000, 100000,
		  OMACP_ERROR_TOO_LARGE },
	};
	g_autofree guint8 *datagram = g_malloc0(100000);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		OmacpSmsEncodeOptions o = {
			.kind = cases[i].kind,
			.sender = cases[i].sender,
			.smsc = cases[i].smsc,
			.dst_port = 2948,
			.src_port = 9200,
			.ref = cases[i].ref,
			.scts_unix = cases[i].scts,
		};
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) pdus =
		        omacp_sms_encode_push(datagram, cases[i].len, &o, &error);

		g_assert_null(pdus);
		assert_error(error, cases[i].code, NULL);
	}
}

static void
test_encode_limits(void)
{
	gsize len = 255 * 128;
	g_autofree guint8 *datagram = g_malloc(len);
	OmacpSmsEncodeOptions o = {
		.kind = OMACP_SMS_ENCODE_SUBMIT,
		.sender = "+447785016005",
		.smsc = NULL,
		.dst_port = 2948,
		.src_port = 9200,
		.ref = -1,
	};
	guint seen = 0;

	for (gsize i = 0; i < len; i++)
		datagram[i] = (guint8) (i * 7);
	roundtrip(datagram, len, &o, 255);

	/* ref -1: random, the same in every segment, and not always the same */
	for (guint i = 0; i < 64; i++)
		seen |= 1u << (roundtrip(datagram, 300, &o, 3) % 32);
	g_assert_cmpuint(__builtin_popcount(seen), >, 1);

	/* scts 0 = now */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) pdus = NULL;
		g_autoptr(OmacpSms) sms = NULL;
		gint64 before = g_get_real_time() / G_USEC_PER_SEC;
		gsize plen;
		const guint8 *pdu;

		o.kind = OMACP_SMS_ENCODE_DELIVER;
		o.scts_unix = 0;
		pdus = omacp_sms_encode_push(datagram, 10, &o, &error);
		g_assert_no_error(error);
		pdu = g_bytes_get_data(g_ptr_array_index(pdus, 0), &plen);
		g_assert_true(omacp_sms_parse_deliver(pdu, plen, FALSE, &sms, &error));
		g_assert_cmpint(sms->scts_unix, >=, before);
		g_assert_cmpint(sms->scts_unix, <=, g_get_real_time() / G_USEC_PER_SEC);
	}
}

/* The user-data form is the tail of the SMS-SUBMIT (after TP-UDL) for the
 * same reference, and needs neither sender nor SMSC. */
static void
test_encode_user_data(void)
{
	g_autoptr(GError) error = NULL;
	guint8 datagram[300];
	OmacpSmsEncodeOptions ud = {
		.kind = OMACP_SMS_ENCODE_USER_DATA,
		.dst_port = 2948,
		.src_port = 9200,
		.ref = 77,
	};
	OmacpSmsEncodeOptions submit = ud;
	g_autoptr(GPtrArray) uds = NULL;
	g_autoptr(GPtrArray) submits = NULL;

	for (guint i = 0; i < sizeof datagram; i++)
		datagram[i] = (guint8) (i * 7);
	submit.kind = OMACP_SMS_ENCODE_SUBMIT;
	submit.sender = "+358401234567";
	uds = omacp_sms_encode_push(datagram, sizeof datagram, &ud, &error);
	g_assert_no_error(error);
	submits = omacp_sms_encode_push(datagram, sizeof datagram, &submit, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(uds->len, ==, 3);
	g_assert_cmpuint(submits->len, ==, 3);
	for (guint i = 0; i < uds->len; i++) {
		gsize ud_len = 0, pdu_len = 0;
		const guint8 *u = g_bytes_get_data(g_ptr_array_index(uds, i), &ud_len);
		const guint8 *p = g_bytes_get_data(g_ptr_array_index(submits, i), &pdu_len);

		g_assert_cmpuint(pdu_len, >, ud_len);
		g_assert_cmpuint(p[pdu_len - ud_len - 1], ==, ud_len); /* TP-UDL */
		g_assert_cmpmem(p + pdu_len - ud_len, ud_len, u, ud_len);
		/* UDHL 11: ports (2948 ← 9200) then the concatenation IE */
		g_assert_cmpuint(u[0], ==, 11);
		g_assert_cmpuint(u[9], ==, 77);
		g_assert_cmpuint(u[10], ==, 3);
		g_assert_cmpuint(u[11], ==, i + 1);
		{
			/* the SUBMIT built from the UD is the SUBMIT encoded */
			g_autoptr(GBytes) built = omacp_sms_submit_from_user_data(
			        "+358401234567", g_ptr_array_index(uds, i), &error);

			g_assert_no_error(error);
			g_assert_true(g_bytes_equal(built, g_ptr_array_index(submits, i)));
		}
		{
			/* and back: the SUBMIT's user data, with the SMSC field in
			 * front or as the bare TPDU */
			g_autoptr(GBytes) back =
			        omacp_sms_submit_user_data(g_ptr_array_index(submits, i), &error);
			g_autoptr(GBytes) bare = g_bytes_new(p + 1, pdu_len - 1);
			g_autoptr(GBytes) back_bare = NULL;

			g_assert_no_error(error);
			g_assert_true(g_bytes_equal(back, g_ptr_array_index(uds, i)));
			back_bare = omacp_sms_submit_user_data(bare, &error);
			g_assert_no_error(error);
			g_assert_true(g_bytes_equal(back_bare, g_ptr_array_index(uds, i)));
		}
	}
	{
		/* a DELIVER is not a SUBMIT; a SUBMIT without UDH carries no push */
		static const guint8 deliver[] = { 0x00, 0x44, 0x02, 0x81, 0x21, 0x00, 0x04, 0x21,
			                          0x11, 0x70, 0x11, 0x00, 0x00, 0x00, 0x01, 0xAA };
		static const guint8 no_udh[] = { 0x00, 0x01, 0x00, 0x02, 0x81,
			                         0x21, 0x00, 0x04, 0x01, 0xAA };
		g_autoptr(GBytes) d = g_bytes_new_static(deliver, sizeof deliver);
		g_autoptr(GBytes) n = g_bytes_new_static(no_udh, sizeof no_udh);
		g_autoptr(GBytes) none = omacp_sms_submit_user_data(d, &error);

		g_assert_null(none);
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED);
		g_assert_nonnull(strstr(error->message, "SMS-SUBMIT"));
		g_clear_error(&error);
		g_assert_null(omacp_sms_submit_user_data(n, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED);
		g_assert_nonnull(strstr(error->message, "TP-UDHI"));
		g_clear_error(&error);
	}
	{
		g_autoptr(GBytes) ud1 = g_bytes_new_static(datagram, 141);

		g_assert_null(omacp_sms_submit_from_user_data("Operator", ud1, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_clear_error(&error);
		g_assert_null(omacp_sms_submit_from_user_data("+1555", ud1, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_clear_error(&error);
		g_assert_null(omacp_sms_submit_from_user_data(NULL, ud1, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_clear_error(&error);
	}
	/* a bad SMSC is not looked at: the form has none */
	ud.smsc = "not a number";
	g_clear_pointer(&uds, g_ptr_array_unref);
	uds = omacp_sms_encode_push(datagram, 10, &ud, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(uds->len, ==, 1);
	g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(uds, 0)), ==, 7 + 10);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sms/vectors/user-data", test_ud_vectors);
	g_test_add_func("/sms/vectors/user-data-truncation", test_ud_truncation);
	g_test_add_func("/sms/vectors/deliver", test_deliver_vector);
	g_test_add_func("/sms/vectors/deliver-truncation", test_deliver_truncation);
	g_test_add_func("/sms/dcs", test_dcs);
	g_test_add_func("/sms/mti", test_mti);
	g_test_add_func("/sms/udh/errors", test_udh_errors);
	g_test_add_func("/sms/udh/variants", test_udh_variants);
	g_test_add_func("/sms/tpdu-errors", test_tpdu_errors);
	g_test_add_func("/sms/no-udhi", test_no_udhi);
	g_test_add_func("/sms/addresses", test_addresses);
	g_test_add_func("/sms/scts", test_scts);
	g_test_add_func("/sms/encode/roundtrip", test_encode_roundtrip);
	g_test_add_func("/sms/encode/reproduces-vectors", test_encode_reproduces_vectors);
	g_test_add_func("/sms/encode/alphanumeric", test_encode_alphanumeric);
	g_test_add_func("/sms/encode/errors", test_encode_errors);
	g_test_add_func("/sms/encode/limits", test_encode_limits);
	g_test_add_func("/sms/encode/user-data", test_encode_user_data);
	return g_test_run();
}
