/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMS-DELIVER / SMS-SUBMIT TPDUs as WAP push uses them (3GPP TS 23.040,
 * alphabet from TS 23.038): addresses, DCS, SCTS, user data header and 8-bit
 * user data; and the reverse, cutting a datagram into SMS. */
#include "sms.h"

#include "omacp-error.h"
#include "reader.h"

/* TP-MTI values (first octet, bits 1..0). */
enum {
	MTI_DELIVER = 0x00,
	MTI_SUBMIT = 0x01,
	MTI_STATUS_REPORT = 0x02,
	MTI_RESERVED = 0x03,
};

#define FO_MMS            0x04 /* DELIVER: no more messages waiting */
#define FO_UDHI           0x40
#define FO_VPF_MASK       0x18
#define TOA_TON(toa)      (((toa) >> 4) & 0x07)
#define TON_INTERNATIONAL 1
#define TON_ALPHANUMERIC  5
#define TOA_UNKNOWN_ISDN  0x81
#define TOA_INTL_ISDN     0x91
#define TOA_ALPHANUMERIC  0xd0

/* An address holds at most 20 semi-octets (TS 23.040 9.1.2.5: 2..12 octets
 * including the length and type octets), i.e. 11 alphanumeric septets. */
#define ADDRESS_MAX_SEMI_OCTETS 20
#define ADDRESS_MAX_SEPTETS     11

/* IEIs of the user data header (TS 23.040 9.2.3.24). */
#define IEI_CONCAT_8  0x00
#define IEI_PORTS_8   0x04
#define IEI_PORTS_16  0x05
#define IEI_CONCAT_16 0x08

#define DCS_8BIT 0x04

/* GSM 7-bit default alphabet (TS 23.038 6.2.1) as Unicode code points. */
static const gunichar gsm_basic[128] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, /* 0x00 */
	0x00f2, 0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5, /* 0x08 */
	0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8, /* 0x10 */
	0x03a3, 0x0398, 0x039e, 0x00a0, 0x00c6, 0x00e6, 0x00df, 0x00c9, /* 0x18 (0x1b: escape) */
	0x0020, 0x0021, 0x0022, 0x0023, 0x00a4, 0x0025, 0x0026, 0x0027, /* 0x20 */
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f, /* 0x28 */
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, /* 0x30 */
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f, /* 0x38 */
	0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, /* 0x40 */
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, /* 0x48 */
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, /* 0x50 */
	0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7, /* 0x58 */
	0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, /* 0x60 */
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f, /* 0x68 */
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, /* 0x70 */
	0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0, /* 0x78 */
};
#define GSM_ESCAPE 0x1b

/* The default alphabet extension table (TS 23.038 6.2.1.1), reached
 * through GSM_ESCAPE. */
static const struct {
	guint8 code;
	gunichar ch;
} gsm_extension[] = {
	{ 0x0a, 0x000c }, { 0x14, 0x005e }, { 0x28, 0x007b }, { 0x29, 0x007d }, { 0x2f, 0x005c },
	{ 0x3c, 0x005b }, { 0x3d, 0x007e }, { 0x3e, 0x005d }, { 0x40, 0x007c }, { 0x65, 0x20ac },
};

void
omacp_sms_free(OmacpSms *sms)
{
	if (sms == NULL)
		return;
	g_free(sms->smsc);
	g_free(sms->sender);
	g_clear_pointer(&sms->payload, g_bytes_unref);
	g_free(sms);
}

static const char *
mti_name(guint mti)
{
	switch (mti) {
	case MTI_DELIVER:
		return "SMS-DELIVER";
	case MTI_SUBMIT:
		return "SMS-SUBMIT";
	case MTI_STATUS_REPORT:
		return "SMS-STATUS-REPORT";
	default:
		return "reserved";
	}
}

/* ---------------------------------------------------------------- alphabet */

static gunichar
gsm_extension_lookup(guint8 code)
{
	for (guint i = 0; i < G_N_ELEMENTS(gsm_extension); i++) {
		if (gsm_extension[i].code == code)
			return gsm_extension[i].ch;
	}
	/* TS 23.038: an escape to an undefined code shows the main-table
	 * character; escape-escape is reserved and shows as a space. */
	return code == GSM_ESCAPE ? ' ' : gsm_basic[code];
}

/* Septets (one per array element) to UTF-8. */
static char *
gsm_septets_to_utf8(const guint8 *septets, gsize n)
{
	GString *out = g_string_sized_new(n + 1);

	for (gsize i = 0; i < n; i++) {
		guint8 c = septets[i];

		if (c != GSM_ESCAPE) {
			g_string_append_unichar(out, gsm_basic[c]);
		} else if (i + 1 < n) {
			g_string_append_unichar(out, gsm_extension_lookup(septets[++i]));
		} else {
			g_string_append_c(out, ' ');
		}
	}
	return g_string_free(out, FALSE);
}

/* UTF-8 text to septets; FALSE when a character has no GSM 7-bit code. */
static gboolean
utf8_to_gsm_septets(const char *text, GByteArray *out)
{
	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		gboolean found = FALSE;

		for (guint8 c = 0; c < 128 && !found; c++) {
			if (c != GSM_ESCAPE && gsm_basic[c] == ch) {
				g_byte_array_append(out, &c, 1);
				found = TRUE;
			}
		}
		for (guint i = 0; i < G_N_ELEMENTS(gsm_extension) && !found; i++) {
			if (gsm_extension[i].ch == ch) {
				guint8 pair[2] = { GSM_ESCAPE, gsm_extension[i].code };

				g_byte_array_append(out, pair, 2);
				found = TRUE;
			}
		}
		if (!found)
			return FALSE;
	}
	return TRUE;
}

/* Unpacks @n septets, least significant bit first, from @packed. */
static void
gsm_unpack(const guint8 *packed, gsize n, guint8 *septets)
{
	for (gsize i = 0; i < n; i++) {
		gsize bit = i * 7;
		guint v = packed[bit / 8] >> (bit % 8);

		if (bit % 8 > 1)
			v |= (guint) packed[bit / 8 + 1] << (8 - bit % 8);
		septets[i] = (guint8) (v & 0x7f);
	}
}

static void
gsm_pack(const guint8 *septets, gsize n, GByteArray *out)
{
	gsize octets = (n * 7 + 7) / 8;
	gsize start = out->len;

	g_byte_array_set_size(out, (guint) (start + octets));
	memset(out->data + start, 0, octets);
	for (gsize i = 0; i < n; i++) {
		gsize bit = i * 7;
		guint v = (guint) (septets[i] & 0x7f) << (bit % 8);

		out->data[start + bit / 8] |= (guint8) (v & 0xff);
		if (v > 0xff)
			out->data[start + bit / 8 + 1] |= (guint8) (v >> 8);
	}
}

/* ---------------------------------------------------------------- addresses */

static const char semi_octet_chars[16] = "0123456789*#abc";

/* Semi-octet digits, low nibble first; 0xF nibbles are filler and skipped.
 * Returns the number of characters written to @out. */
static gsize
put_semi_octets(char *out, const guint8 *data, gsize n_digits)
{
	gsize n = 0;

	for (gsize i = 0; i < n_digits; i++) {
		guint8 nibble = (i % 2 == 0) ? (data[i / 2] & 0x0f) : (data[i / 2] >> 4);

		if (nibble != 0x0f)
			out[n++] = semi_octet_chars[nibble];
	}
	return n;
}

/* Address value after its length and TOA: @n_semi useful semi-octets in
 * @n_octets octets. */
static char *
decode_address(guint8 toa, const guint8 *value, gsize n_semi, gsize n_octets)
{
	char out[1 + ADDRESS_MAX_SEMI_OCTETS]; /* '+' and the digits */
	gsize n = 0;

	if (TOA_TON(toa) == TON_ALPHANUMERIC) {
		gsize n_septets = n_semi * 4 / 7;
		guint8 septets[ADDRESS_MAX_SEPTETS + 1];

		g_assert(n_septets <= ADDRESS_MAX_SEPTETS + 1 &&
		         (n_septets * 7 + 7) / 8 <= n_octets);
		gsm_unpack(value, n_septets, septets);
		return gsm_septets_to_utf8(septets, n_septets);
	}
	g_assert(n_semi <= ADDRESS_MAX_SEMI_OCTETS);
	if (TOA_TON(toa) == TON_INTERNATIONAL)
		out[n++] = '+';
	n += put_semi_octets(out + n, value, n_semi);
	return g_strndup(out, n);
}

/* The SMSC address field: length in octets (TOA included), TOA, digits.
 * Length 0 (or a TOA without digits) gives *out = NULL. */
static gboolean
read_smsc(OmacpReader *r, char **out, GError **error)
{
	gsize at = omacp_reader_offset(r);
	const guint8 *value;
	guint8 len;
	guint8 toa;

	if (!omacp_reader_u8(r, &len)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: the PDU is empty: no SMSC address length at octet %zu", at);
		return FALSE;
	}
	if (len == 0) {
		*out = NULL;
		return TRUE;
	}
	if (len > 1 + ADDRESS_MAX_SEMI_OCTETS / 2) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "sms: SMSC address length %u exceeds %u octets at octet %zu", len,
		            1 + ADDRESS_MAX_SEMI_OCTETS / 2, at);
		return FALSE;
	}
	if (!omacp_reader_u8(r, &toa) || !omacp_reader_bytes(r, len - 1u, &value)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: SMSC address of %u octets runs past the end of the PDU (%zu "
		            "octets left) at octet %zu",
		            len, omacp_reader_remaining(r), at);
		return FALSE;
	}
	if (len == 1) {
		*out = NULL;
		return TRUE;
	}
	*out = decode_address(toa, value, (len - 1u) * 2u, len - 1u);
	return TRUE;
}

/* TP-OA / TP-DA: length in useful semi-octets, TOA, value. */
static gboolean
read_tp_address(OmacpReader *r, const char *field, char **out, GError **error)
{
	gsize at = omacp_reader_offset(r);
	const guint8 *value;
	guint8 n_semi;
	guint8 toa;
	gsize n_octets;

	if (!omacp_reader_u8(r, &n_semi) || !omacp_reader_u8(r, &toa)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: %s length and type run past the end of the PDU at octet %zu",
		            field, at);
		return FALSE;
	}
	if (n_semi > ADDRESS_MAX_SEMI_OCTETS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "sms: %s length %u exceeds %u semi-octets at octet %zu", field, n_semi,
		            ADDRESS_MAX_SEMI_OCTETS, at);
		return FALSE;
	}
	n_octets = (n_semi + 1u) / 2u;
	if (!omacp_reader_bytes(r, n_octets, &value)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: %s of %u semi-octets (%zu octets) runs past the end of the PDU "
		            "(%zu octets left) at octet %zu",
		            field, n_semi, n_octets, omacp_reader_remaining(r), at + 2);
		return FALSE;
	}
	*out = decode_address(toa, value, n_semi, n_octets);
	return TRUE;
}

/* ---------------------------------------------------------------- DCS, SCTS */

typedef enum {
	ALPHABET_GSM7,
	ALPHABET_8BIT,
	ALPHABET_UCS2,
	ALPHABET_COMPRESSED,
	ALPHABET_RESERVED,
} Alphabet;

/* TS 23.038 clause 4. */
static Alphabet
dcs_alphabet(guint8 dcs)
{
	switch (dcs >> 4) {
	case 0x0: /* general data coding, uncompressed */
	case 0x1:
	case 0x4: /* same, marked for automatic deletion */
	case 0x5:
		switch ((dcs >> 2) & 0x03) {
		case 0:
			return ALPHABET_GSM7;
		case 1:
			return ALPHABET_8BIT;
		case 2:
			return ALPHABET_UCS2;
		default:
			return ALPHABET_RESERVED;
		}
	case 0x2: /* compressed */
	case 0x3:
	case 0x6:
	case 0x7:
		return ALPHABET_COMPRESSED;
	case 0xc: /* message waiting: discard / store, GSM 7-bit */
	case 0xd:
		return ALPHABET_GSM7;
	case 0xe: /* message waiting: store, UCS2 */
		return ALPHABET_UCS2;
	case 0xf: /* data coding / message class */
		return (dcs & 0x04) ? ALPHABET_8BIT : ALPHABET_GSM7;
	default: /* 1000..1011: reserved coding groups */
		return ALPHABET_RESERVED;
	}
}

static gboolean
check_dcs(guint8 dcs, gsize at, GError **error)
{
	const char *what = NULL;

	switch (dcs_alphabet(dcs)) {
	case ALPHABET_8BIT:
		return TRUE;
	case ALPHABET_GSM7:
		what = "GSM 7-bit text";
		break;
	case ALPHABET_UCS2:
		what = "UCS2 text";
		break;
	case ALPHABET_COMPRESSED:
		what = "compressed data";
		break;
	case ALPHABET_RESERVED:
		what = "a reserved coding";
		break;
	}
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
	            "sms: TP-DCS 0x%02x (%s) at octet %zu is not 8-bit data; a WAP push is sent "
	            "as 8-bit data",
	            dcs, what, at);
	return FALSE;
}

static gboolean
bcd_octet(guint8 octet, guint *out)
{
	guint lo = octet & 0x0f;
	guint hi = octet >> 4;

	if (lo > 9 || hi > 9)
		return FALSE;
	*out = lo * 10 + hi;
	return TRUE;
}

/* Gregorian calendar (GDateTime costs allocations and a time zone lookup
 * per segment). */
static guint
days_in_month(guint year, guint month)
{
	static const guint8 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	gboolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return days[month - 1] + (month == 2 && leap ? 1 : 0);
}

/* Days from 1970-01-01 to @year-@month-@day (year >= 1970). */
static gint64
days_since_epoch(guint year, guint month, guint day)
{
	/* Years counted from March, so that the leap day ends a year. */
	guint y = month <= 2 ? year - 1 : year;
	guint m = month <= 2 ? month + 9 : month - 3; /* March = 0 */
	gint64 days = (gint64) y * 365 + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1;

	return days - 719468; /* the same count for 1970-01-01 */
}

/* TP-SCTS (TS 23.040 9.2.3.11): year, month, day, hour, minute, second in
 * swapped BCD, then the time zone in quarter hours with a sign bit. Local
 * time = UTC + zone. Returns 0 when any field is out of range. */
static gint64
scts_to_unix(const guint8 scts[7])
{
	guint f[6];
	guint tz_lo = scts[6] & 0x07; /* bit 3 of the low nibble is the sign */
	guint tz_hi = scts[6] >> 4;
	gint quarters;

	for (guint i = 0; i < 6; i++) {
		if (!bcd_octet(scts[i], &f[i]))
			return 0;
	}
	if (tz_hi > 9)
		return 0;
	quarters = (gint) (tz_lo * 10 + tz_hi);
	if (quarters > 14 * 4) /* UTC-12 .. UTC+14 and a little slack */
		return 0;
	if (scts[6] & 0x08)
		quarters = -quarters;
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[3] > 23 || f[4] > 59 || f[5] > 59)
		return 0;
	/* Two-digit year: this century (no SMS predates 2000 any more). */
	if (f[2] > days_in_month(2000 + f[0], f[1]))
		return 0;
	return (days_since_epoch(2000 + f[0], f[1], f[2]) * 24 + f[3]) * 3600 + f[4] * 60 + f[5] -
	       (gint64) quarters * 15 * 60;
}

/* ---------------------------------------------------------------- user data */

/* Reads the UDH (when @udhi) and the payload from @ud (@len octets, which
 * sit at @base in the caller's buffer). Fills ports, concatenation and
 * payload of @sms. */
static gboolean
parse_ud(const guint8 *ud, gsize len, gsize base, gboolean udhi, gboolean ud_is_input,
         OmacpSms *sms, GError **error)
{
	OmacpReader r;
	guint8 udhl;

	omacp_reader_init(&r, ud, len, base);
	sms->total = 1;
	sms->seq = 1;
	if (udhi) {
		OmacpReader h;
		const guint8 *udh;

		if (!omacp_reader_u8(&r, &udhl)) {
			g_set_error(error, OMACP_ERROR,
			            ud_is_input ? OMACP_ERROR_TRUNCATED : OMACP_ERROR_MALFORMED,
			            "sms: TP-UDHI is set but TP-UD is empty (no UDHL) at octet %zu",
			            base);
			return FALSE;
		}
		if (!omacp_reader_bytes(&r, udhl, &udh)) {
			g_set_error(error, OMACP_ERROR,
			            ud_is_input ? OMACP_ERROR_TRUNCATED : OMACP_ERROR_MALFORMED,
			            "sms: UDHL %u runs past the end of TP-UD (%zu octets left) at "
			            "octet %zu",
			            udhl, len - 1, base);
			return FALSE;
		}
		omacp_reader_init(&h, udh, udhl, base + 1);
		while (!omacp_reader_at_end(&h)) {
			gsize at = omacp_reader_offset(&h);
			guint8 iei;
			guint8 iedl;
			const guint8 *ie;
			guint8 want = 0;
			const char *name = NULL;

			if (!omacp_reader_u8(&h, &iei) || !omacp_reader_u8(&h, &iedl)) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
				            "sms: UDH information element header runs past the "
				            "end of the UDH (UDHL %u) at octet %zu",
				            udhl, at);
				return FALSE;
			}
			if (!omacp_reader_bytes(&h, iedl, &ie)) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
				            "sms: UDH IE 0x%02x of length %u runs past the end of "
				            "the UDH (%zu octets left) at octet %zu",
				            iei, iedl, omacp_reader_remaining(&h), at);
				return FALSE;
			}
			switch (iei) {
			case IEI_CONCAT_8:
				want = 3;
				name = "8-bit concatenation";
				break;
			case IEI_PORTS_8:
				want = 2;
				name = "8-bit application ports";
				break;
			case IEI_PORTS_16:
				want = 4;
				name = "16-bit application ports";
				break;
			case IEI_CONCAT_16:
				want = 4;
				name = "16-bit concatenation";
				break;
			default:
				continue; /* not ours: skipped by its length */
			}
			if (iedl != want) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
				            "sms: UDH IE 0x%02x (%s) has length %u, expected %u, "
				            "at octet %zu",
				            iei, name, iedl, want, at);
				return FALSE;
			}
			/* TS 23.040 9.2.3.24: a repeated IE that may not repeat —
			 * the last occurrence wins. Sequence and total are kept
			 * as sent; the reassembler judges them. */
			switch (iei) {
			case IEI_CONCAT_8:
				sms->is_concat = TRUE;
				sms->ref_16bit = FALSE;
				sms->ref = ie[0];
				sms->total = ie[1];
				sms->seq = ie[2];
				break;
			case IEI_CONCAT_16:
				sms->is_concat = TRUE;
				sms->ref_16bit = TRUE;
				sms->ref = (guint16) ((ie[0] << 8) | ie[1]);
				sms->total = ie[2];
				sms->seq = ie[3];
				break;
			case IEI_PORTS_8:
				sms->has_ports = TRUE;
				sms->ports_8bit = TRUE;
				sms->dst_port = ie[0];
				sms->src_port = ie[1];
				break;
			case IEI_PORTS_16:
				sms->has_ports = TRUE;
				sms->ports_8bit = FALSE;
				sms->dst_port = (guint16) ((ie[0] << 8) | ie[1]);
				sms->src_port = (guint16) ((ie[2] << 8) | ie[3]);
				break;
			default:
				break;
			}
		}
	}
	sms->payload_offset = omacp_reader_offset(&r);
	sms->payload = g_bytes_new(ud + r.pos, omacp_reader_remaining(&r));
	return TRUE;
}

/* ---------------------------------------------------------------- TPDU */

static gboolean
parse_tpdu(const guint8 *pdu, gsize len, gboolean with_smsc, guint want_mti, OmacpSms **out,
           GError **error)
{
	g_autoptr(OmacpSms) sms = g_new0(OmacpSms, 1);
	OmacpReader r;
	gsize at;
	guint8 udl;
	const guint8 *ud;
	guint mti;

	if (pdu == NULL && len > 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "sms: no PDU given");
		return FALSE;
	}
	omacp_reader_init(&r, pdu, len, 0);
	if (with_smsc && !read_smsc(&r, &sms->smsc, error))
		return FALSE;

	at = omacp_reader_offset(&r);
	if (!omacp_reader_u8(&r, &sms->first_octet)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: the TPDU is empty: no first octet at octet %zu", at);
		return FALSE;
	}
	mti = sms->first_octet & 0x03;
	if (mti != want_mti) {
		g_set_error(error, OMACP_ERROR,
		            mti == MTI_RESERVED ? OMACP_ERROR_MALFORMED : OMACP_ERROR_UNSUPPORTED,
		            "sms: TP-MTI %u (%s) in first octet 0x%02x at octet %zu; expected %s%s",
		            mti, mti_name(mti), sms->first_octet, at, mti_name(want_mti),
		            with_smsc ? "" : " (is an SMSC field in front?)");
		return FALSE;
	}
	if (mti == MTI_SUBMIT) {
		at = omacp_reader_offset(&r);
		if (!omacp_reader_u8(&r, &sms->mr)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
			            "sms: TP-MR runs past the end of the PDU at octet %zu", at);
			return FALSE;
		}
	}
	if (!read_tp_address(&r, mti == MTI_SUBMIT ? "TP-DA" : "TP-OA", &sms->sender, error))
		return FALSE;

	at = omacp_reader_offset(&r);
	if (!omacp_reader_u8(&r, &sms->pid) || !omacp_reader_u8(&r, &sms->dcs)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: TP-PID and TP-DCS run past the end of the PDU at octet %zu", at);
		return FALSE;
	}
	if (!check_dcs(sms->dcs, at + 1, error))
		return FALSE;

	at = omacp_reader_offset(&r);
	if (mti == MTI_DELIVER) {
		const guint8 *scts;

		if (!omacp_reader_bytes(&r, sizeof sms->scts, &scts)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
			            "sms: TP-SCTS (7 octets) runs past the end of the PDU (%zu "
			            "octets left) at octet %zu",
			            omacp_reader_remaining(&r), at);
			return FALSE;
		}
		memcpy(sms->scts, scts, sizeof sms->scts);
		sms->scts_unix = scts_to_unix(sms->scts);
	} else {
		/* TP-VPF: none, enhanced (7), relative (1), absolute (7). */
		static const guint8 vp_len[4] = { 0, 7, 1, 7 };
		guint vpf = (sms->first_octet & FO_VPF_MASK) >> 3;

		if (!omacp_reader_skip(&r, vp_len[vpf])) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
			            "sms: TP-VP (%u octets) runs past the end of the PDU (%zu "
			            "octets left) at octet %zu",
			            vp_len[vpf], omacp_reader_remaining(&r), at);
			return FALSE;
		}
	}

	at = omacp_reader_offset(&r);
	if (!omacp_reader_u8(&r, &udl)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: TP-UDL runs past the end of the PDU at octet %zu", at);
		return FALSE;
	}
	if (udl > OMACP_SMS_MAX_UD) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "sms: TP-UDL %u exceeds %u octets of 8-bit data at octet %zu", udl,
		            OMACP_SMS_MAX_UD, at);
		return FALSE;
	}
	if (!omacp_reader_bytes(&r, udl, &ud)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TRUNCATED,
		            "sms: TP-UDL %u runs past the end of the PDU (%zu octets left) at "
		            "octet %zu",
		            udl, omacp_reader_remaining(&r), at);
		return FALSE;
	}
	if (!omacp_reader_at_end(&r)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "sms: %zu octets after the end of TP-UD (TP-UDL %u) at octet %zu",
		            omacp_reader_remaining(&r), udl, omacp_reader_offset(&r));
		return FALSE;
	}
	if (!parse_ud(ud, udl, at + 1, (sms->first_octet & FO_UDHI) != 0, FALSE, sms, error))
		return FALSE;
	sms->ud_offset = at + 1;
	*out = g_steal_pointer(&sms);
	return TRUE;
}

gboolean
omacp_sms_parse_deliver(const guint8 *pdu, gsize len, gboolean with_smsc, OmacpSms **out,
                        GError **error)
{
	return parse_tpdu(pdu, len, with_smsc, MTI_DELIVER, out, error);
}

gboolean
omacp_sms_parse_submit(const guint8 *pdu, gsize len, gboolean with_smsc, OmacpSms **out,
                       GError **error)
{
	return parse_tpdu(pdu, len, with_smsc, MTI_SUBMIT, out, error);
}

GBytes *
omacp_sms_submit_user_data(GBytes *pdu, GError **error)
{
	g_autoptr(OmacpSms) sms = NULL;
	g_autoptr(GError) with_smsc = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(pdu, &len);

	if (!parse_tpdu(data, len, TRUE, MTI_SUBMIT, &sms, &with_smsc) &&
	    !parse_tpdu(data, len, FALSE, MTI_SUBMIT, &sms, NULL)) {
		g_propagate_error(error, g_steal_pointer(&with_smsc));
		return NULL;
	}
	if ((sms->first_octet & FO_UDHI) == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		            "sms: the SMS-SUBMIT has no user data header (TP-UDHI is clear in "
		            "first octet 0x%02x); a WAP push needs one",
		            sms->first_octet);
		return NULL;
	}
	return g_bytes_new_from_bytes(pdu, sms->ud_offset, len - sms->ud_offset);
}

gboolean
omacp_sms_parse_user_data(const guint8 *ud, gsize len, OmacpSms **out, GError **error)
{
	g_autoptr(OmacpSms) sms = g_new0(OmacpSms, 1);

	if (ud == NULL && len > 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: no user data given");
		return FALSE;
	}
	if (len > OMACP_SMS_MAX_UD) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_MALFORMED,
		            "sms: user data of %zu octets exceeds the %u octets of one SMS at "
		            "octet 0",
		            len, OMACP_SMS_MAX_UD);
		return FALSE;
	}
	sms->first_octet = FO_UDHI;
	sms->dcs = DCS_8BIT;
	if (!parse_ud(ud, len, 0, TRUE, TRUE, sms, error))
		return FALSE;
	*out = g_steal_pointer(&sms);
	return TRUE;
}

/* ---------------------------------------------------------------- encoder */

static gboolean
is_dialable(const char *number)
{
	const char *p = number[0] == '+' ? number + 1 : number;

	if (*p == '\0')
		return FALSE;
	for (; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p) && *p != '*' && *p != '#')
			return FALSE;
	}
	return TRUE;
}

static guint8
semi_octet_value(char c)
{
	switch (c) {
	case '*':
		return 0x0a;
	case '#':
		return 0x0b;
	default:
		return (guint8) (c - '0');
	}
}

/* Packs the digits of a dialable number (without '+') as semi-octets. */
static void
append_digits(GByteArray *out, const char *digits)
{
	gsize n = strlen(digits);

	for (gsize i = 0; i < n; i += 2) {
		guint8 lo = semi_octet_value(digits[i]);
		guint8 hi = (i + 1 < n) ? semi_octet_value(digits[i + 1]) : 0x0f;
		guint8 octet = (guint8) ((hi << 4) | lo);

		g_byte_array_append(out, &octet, 1);
	}
}

/* Checks @number and returns its digit count (without '+'). */
static gboolean
check_number(const char *what, const char *number, GError **error)
{
	gsize n;

	if (!is_dialable(number)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: %s must be digits with an optional leading '+'", what);
		return FALSE;
	}
	n = strlen(number) - (number[0] == '+');
	if (n > ADDRESS_MAX_SEMI_OCTETS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: %s has %zu digits; an address holds at most %u", what, n,
		            ADDRESS_MAX_SEMI_OCTETS);
		return FALSE;
	}
	return TRUE;
}

static void
append_smsc(GByteArray *out, const char *smsc)
{
	gboolean intl;
	const char *digits;
	guint8 head[2];

	if (smsc == NULL) {
		head[0] = 0;
		g_byte_array_append(out, head, 1);
		return;
	}
	intl = smsc[0] == '+';
	digits = intl ? smsc + 1 : smsc;
	head[0] = (guint8) (1 + (strlen(digits) + 1) / 2);
	head[1] = intl ? TOA_INTL_ISDN : TOA_UNKNOWN_ISDN;
	g_byte_array_append(out, head, 2);
	append_digits(out, digits);
}

/* TP-OA / TP-DA. @septets is non-NULL for an alphanumeric address. */
static void
append_tp_address(GByteArray *out, const char *number, GByteArray *septets)
{
	guint8 head[2];

	if (septets != NULL) {
		head[0] = (guint8) ((septets->len * 7 + 3) / 4);
		head[1] = TOA_ALPHANUMERIC;
		g_byte_array_append(out, head, 2);
		gsm_pack(septets->data, septets->len, out);
		return;
	}
	if (number[0] == '+') {
		head[0] = (guint8) strlen(number + 1);
		head[1] = TOA_INTL_ISDN;
		g_byte_array_append(out, head, 2);
		append_digits(out, number + 1);
	} else {
		head[0] = (guint8) strlen(number);
		head[1] = TOA_UNKNOWN_ISDN;
		g_byte_array_append(out, head, 2);
		append_digits(out, number);
	}
}

static guint8
bcd_swapped(guint v)
{
	return (guint8) (((v % 10) << 4) | (v / 10));
}

static gboolean
make_scts(gint64 unix_time, guint8 scts[7], GError **error)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(unix_time);
	gint year;

	if (dt == NULL || (year = g_date_time_get_year(dt)) < 2000 || year > 2099) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: timestamp %" G_GINT64_FORMAT
		            " is outside the years 2000..2099 that TP-SCTS can hold",
		            unix_time);
		return FALSE;
	}
	scts[0] = bcd_swapped((guint) (year - 2000));
	scts[1] = bcd_swapped((guint) g_date_time_get_month(dt));
	scts[2] = bcd_swapped((guint) g_date_time_get_day_of_month(dt));
	scts[3] = bcd_swapped((guint) g_date_time_get_hour(dt));
	scts[4] = bcd_swapped((guint) g_date_time_get_minute(dt));
	scts[5] = bcd_swapped((guint) g_date_time_get_second(dt));
	scts[6] = 0; /* UTC */
	return TRUE;
}

GPtrArray *
omacp_sms_encode_push(const guint8 *datagram, gsize len, const OmacpSmsEncodeOptions *options,
                      GError **error)
{
	g_autoptr(GPtrArray) pdus = NULL;
	g_autoptr(GByteArray) alpha = NULL;
	guint8 scts[7] = { 0 };
	gsize n_segments;
	guint8 ref;

	if (options == NULL || datagram == NULL || len == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: nothing to encode (no datagram or no options)");
		return NULL;
	}
	if ((guint) options->kind > OMACP_SMS_ENCODE_USER_DATA) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: unknown encoding kind %d", (gint) options->kind);
		return NULL;
	}
	if (options->kind != OMACP_SMS_ENCODE_USER_DATA &&
	    (options->sender == NULL || options->sender[0] == '\0')) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: the %s address is missing",
		            options->kind == OMACP_SMS_ENCODE_SUBMIT ? "destination" : "sender");
		return NULL;
	}
	if (options->kind == OMACP_SMS_ENCODE_USER_DATA) {
		/* no addresses to check */
	} else if (options->sender[0] == '+') {
		if (!check_number("the international number", options->sender, error))
			return NULL;
	} else if (!is_dialable(options->sender)) {
		alpha = g_byte_array_new();
		if (options->kind == OMACP_SMS_ENCODE_SUBMIT) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "sms: an SMS-SUBMIT destination must be digits with an "
			            "optional leading '+'");
			return NULL;
		}
		if (!g_utf8_validate(options->sender, -1, NULL) ||
		    !utf8_to_gsm_septets(options->sender, alpha)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "sms: the alphanumeric sender has a character outside the "
			            "GSM 7-bit alphabet");
			return NULL;
		}
		if (alpha->len > ADDRESS_MAX_SEPTETS) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "sms: the alphanumeric sender takes %u septets; TP-OA holds "
			            "at most %u",
			            alpha->len, ADDRESS_MAX_SEPTETS);
			return NULL;
		}
	} else if (!check_number("the sender", options->sender, error)) {
		return NULL;
	}
	if (options->kind != OMACP_SMS_ENCODE_USER_DATA && options->smsc != NULL &&
	    !check_number("the SMSC", options->smsc, error))
		return NULL;
	if (options->ref < -1 || options->ref > 255) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: concatenation reference %d is outside 0..255 (or -1 for random)",
		            options->ref);
		return NULL;
	}
	ref = options->ref < 0 ? (guint8) g_random_int_range(0, 256) : (guint8) options->ref;
	if ((options->kind == OMACP_SMS_ENCODE_DELIVER ||
	     options->kind == OMACP_SMS_ENCODE_DELIVER_WITH_SMSC) &&
	    !make_scts(options->scts_unix != 0 ? options->scts_unix
	                                       : g_get_real_time() / G_USEC_PER_SEC,
	               scts, error))
		return NULL;

	n_segments = len <= OMACP_SMS_SINGLE_PAYLOAD
	                     ? 1
	                     : (len + OMACP_SMS_SEGMENT_PAYLOAD - 1) / OMACP_SMS_SEGMENT_PAYLOAD;
	if (n_segments > OMACP_SMS_MAX_SEGMENTS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "sms: a datagram of %zu octets needs %zu segments; at most %u fit "
		            "(%u octets)",
		            len, n_segments, OMACP_SMS_MAX_SEGMENTS,
		            OMACP_SMS_MAX_SEGMENTS * OMACP_SMS_SEGMENT_PAYLOAD);
		return NULL;
	}

	pdus = g_ptr_array_new_full((guint) n_segments, (GDestroyNotify) g_bytes_unref);
	for (gsize i = 0; i < n_segments; i++) {
		g_autoptr(GByteArray) pdu = g_byte_array_sized_new(176);
		gsize chunk_len = n_segments == 1 ? len
		                                  : MIN((gsize) OMACP_SMS_SEGMENT_PAYLOAD,
		                                        len - i * OMACP_SMS_SEGMENT_PAYLOAD);
		const guint8 *chunk = datagram + i * OMACP_SMS_SEGMENT_PAYLOAD;
		guint8 udh[12] = { 0,
			           IEI_PORTS_16,
			           4,
			           (guint8) (options->dst_port >> 8),
			           (guint8) options->dst_port,
			           (guint8) (options->src_port >> 8),
			           (guint8) options->src_port };
		guint udh_len = 7;
		guint8 octet;

		if (n_segments > 1) {
			udh[7] = IEI_CONCAT_8;
			udh[8] = 3;
			udh[9] = ref;
			udh[10] = (guint8) n_segments;
			udh[11] = (guint8) (i + 1);
			udh_len = 12;
		}
		udh[0] = (guint8) (udh_len - 1);

		switch (options->kind) {
		case OMACP_SMS_ENCODE_DELIVER_WITH_SMSC:
		case OMACP_SMS_ENCODE_DELIVER:
			if (options->kind == OMACP_SMS_ENCODE_DELIVER_WITH_SMSC)
				append_smsc(pdu, options->smsc);
			octet = MTI_DELIVER | FO_UDHI | (i + 1 == n_segments ? FO_MMS : 0);
			g_byte_array_append(pdu, &octet, 1);
			append_tp_address(pdu, options->sender, alpha);
			octet = 0; /* TP-PID */
			g_byte_array_append(pdu, &octet, 1);
			octet = DCS_8BIT;
			g_byte_array_append(pdu, &octet, 1);
			g_byte_array_append(pdu, scts, sizeof scts);
			break;
		case OMACP_SMS_ENCODE_SUBMIT:
			append_smsc(pdu, options->smsc);
			octet = MTI_SUBMIT | FO_UDHI; /* TP-VPF 00: no validity period */
			g_byte_array_append(pdu, &octet, 1);
			octet = 0; /* TP-MR: the modem assigns it */
			g_byte_array_append(pdu, &octet, 1);
			append_tp_address(pdu, options->sender, NULL);
			octet = 0; /* TP-PID */
			g_byte_array_append(pdu, &octet, 1);
			octet = DCS_8BIT;
			g_byte_array_append(pdu, &octet, 1);
			break;
		case OMACP_SMS_ENCODE_USER_DATA:
			break;
		}
		octet = (guint8) (udh_len + chunk_len);
		if (options->kind != OMACP_SMS_ENCODE_USER_DATA)
			g_byte_array_append(pdu, &octet, 1);
		g_byte_array_append(pdu, udh, udh_len);
		g_byte_array_append(pdu, chunk, (guint) chunk_len);
		g_ptr_array_add(pdus, g_byte_array_free_to_bytes(g_steal_pointer(&pdu)));
	}
	return g_steal_pointer(&pdus);
}

GBytes *
omacp_sms_submit_from_user_data(const char *to, GBytes *ud, GError **error)
{
	g_autoptr(GByteArray) pdu = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(ud, &len);
	guint8 octet;

	if (to == NULL || to[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: the destination address is missing");
		return NULL;
	}
	if (!check_number("the destination", to, error))
		return NULL;
	if (len == 0 || len > OMACP_SMS_MAX_UD) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "sms: user data of %zu octets does not fit one SMS (1..%u)", len,
		            OMACP_SMS_MAX_UD);
		return NULL;
	}
	pdu = g_byte_array_sized_new((guint) len + 24);
	append_smsc(pdu, NULL);
	octet = MTI_SUBMIT | FO_UDHI;
	g_byte_array_append(pdu, &octet, 1);
	octet = 0; /* TP-MR */
	g_byte_array_append(pdu, &octet, 1);
	append_tp_address(pdu, to, NULL);
	octet = 0; /* TP-PID */
	g_byte_array_append(pdu, &octet, 1);
	octet = DCS_8BIT;
	g_byte_array_append(pdu, &octet, 1);
	octet = (guint8) len;
	g_byte_array_append(pdu, &octet, 1);
	g_byte_array_append(pdu, data, (guint) len);
	return g_byte_array_free_to_bytes(g_steal_pointer(&pdu));
}
