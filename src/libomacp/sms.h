/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* 3GPP TS 23.040 SMS-DELIVER / SMS-SUBMIT for WAP Push over SMS:
 * addresses, DCS, SCTS, UDH (application ports, concatenation), 8-bit user
 * data. Pure code: bytes in, struct or GError out. */

#include <glib.h>

G_BEGIN_DECLS

#define OMACP_SMS_MAX_UD    140 /* octets of TP-User-Data in one SMS */
#define OMACP_WAP_PUSH_PORT 2948
#define OMACP_WAP_WSP_PORT  9200

typedef struct {
	char *smsc;   /* "+447785016005", or NULL when the PDU had no SMSC field / length 0 */
	char *sender; /* TP-OA: "+84..." (international), "20170097" (national) or
	               * the decoded alphanumeric text (UTF-8); TP-DA for SUBMIT;
	               * NULL (like smsc) from omacp_sms_parse_user_data() */
	guint8 first_octet;
	guint8 pid;
	guint8 dcs;
	guint8 scts[7];   /* raw semi-octets as received */
	gint64 scts_unix; /* SCTS converted to seconds since the epoch (UTC), 0 if invalid */

	gboolean has_ports;
	gboolean ports_8bit; /* IE 0x04 rather than 0x05 */
	guint16 dst_port;
	guint16 src_port;

	gboolean is_concat;
	gboolean ref_16bit; /* IE 0x08 rather than 0x00 */
	guint16 ref;
	guint8 total; /* 1 when not concatenated; kept as sent (may be 0) */
	guint8 seq;   /* 1 when not concatenated; kept as sent (may be 0 or > total):
	               * the reassembler rejects such segments */

	GBytes *payload;      /* TP-UD after the UDH */
	gsize payload_offset; /* where the payload starts in the parsed buffer */

	guint8 mr;       /* TP-MR (SMS-SUBMIT only; 0 for DELIVER and user data) */
	gsize ud_offset; /* where TP-UD (UDHL first) starts in the parsed buffer */
} OmacpSms;

void omacp_sms_free(OmacpSms *sms);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpSms, omacp_sms_free)

/* Parses an SMS-DELIVER. With @with_smsc the PDU starts with the SMSC address
 * field (modem PDU mode: what +CMT / +CMGR print); without, it is the bare
 * TPDU. DCS must be 8-bit data (7-bit and UCS2 are refused with
 * OMACP_ERROR_UNSUPPORTED). Every length is checked against what is left;
 * errors name the field and the octet offset. */
gboolean omacp_sms_parse_deliver(const guint8 *pdu, gsize len, gboolean with_smsc, OmacpSms **out,
                                 GError **error);

/* Parses an SMS-SUBMIT (what omacp_sms_encode_push() makes for
 * OMACP_SMS_ENCODE_SUBMIT: SMSC field + TPDU when @with_smsc). TP-DA goes
 * to ->sender; TP-VP of any format is skipped; scts is all zero. Same checks
 * and errors as omacp_sms_parse_deliver(). */
gboolean omacp_sms_parse_submit(const guint8 *pdu, gsize len, gboolean with_smsc, OmacpSms **out,
                                GError **error);

/* The TP-User-Data of an SMS-SUBMIT, given with the SMSC field in front
 * (what `encode --output submit` prints) or without it: a slice of @pdu that
 * omacp_sms_parse_user_data() takes, so `omacpctl decode` can check what an
 * operator is about to send. The PDU must parse completely as a SUBMIT
 * (same errors as omacp_sms_parse_submit(), the first form's) and carry a
 * UDH (TP-UDHI), else OMACP_ERROR_UNSUPPORTED. */
GBytes *omacp_sms_submit_user_data(GBytes *pdu, GError **error);

/* Parses TP-User-Data alone (UDHL + UDH + payload), as 8-bit data with the
 * UDHI bit set. Used for the ".ud.hex" vectors and by ModemManager (which
 * hands out user data, not PDUs). */
gboolean omacp_sms_parse_user_data(const guint8 *ud, gsize len, OmacpSms **out, GError **error);

typedef enum {
	OMACP_SMS_ENCODE_DELIVER_WITH_SMSC, /* "sms": what a modem prints for +CMT */
	OMACP_SMS_ENCODE_DELIVER,           /* "tpdu": SMS-DELIVER alone */
	OMACP_SMS_ENCODE_SUBMIT,            /* "submit": SMS-SUBMIT for AT+CMGS */
	OMACP_SMS_ENCODE_USER_DATA,         /* "ud": TP-UD alone (UDHL + UDH + payload),
	                                     * what an SMS gateway's binary interface takes */
} OmacpSmsEncodeKind;

typedef struct {
	OmacpSmsEncodeKind kind;
	const char *sender; /* TP-OA for DELIVER, TP-DA for SUBMIT; digits with optional '+';
	                     * unused for USER_DATA */
	const char *smsc;   /* NULL: a zero-length SMSC field (use the modem's default) */
	guint16 dst_port;   /* usually 2948 */
	guint16 src_port;   /* usually 9200 */
	gint ref;           /* concatenation reference 0..255; -1 picks one at random */
	gint64 scts_unix;   /* DELIVER timestamp; 0 = now */
} OmacpSmsEncodeOptions;

/* Payload octets per SMS: 140 - (UDHL + 16-bit port IE) alone, and with an
 * 8-bit concatenation IE as well. */
#define OMACP_SMS_SINGLE_PAYLOAD  133
#define OMACP_SMS_SEGMENT_PAYLOAD 128
/* Segments one message can have (the concatenation IE counts in one octet). */
#define OMACP_SMS_MAX_SEGMENTS 255

/* Cuts a WDP datagram (a WSP push PDU) into 8-bit SMS with 16-bit port UDH
 * and, when it does not fit one SMS, 8-bit-reference concatenation. Returns
 * a GPtrArray of GBytes, one PDU per segment, in order. More than 255
 * segments → OMACP_ERROR_TOO_LARGE.
 *
 * Forms: DELIVER_WITH_SMSC = SMSC field + SMS-DELIVER; DELIVER = the TPDU
 * alone; SUBMIT = SMSC field (length 0 when @smsc is NULL) + SMS-SUBMIT, the
 * string AT+CMGS takes in PDU mode; USER_DATA = the TP-User-Data alone (no
 * TP-UDL: its length is the item's), with no address, SMSC or timestamp. DELIVER: TP-MMS is set on
 * the last segment only (more messages follow until then), TP-PID 0, TP-DCS 0x04, TP-SCTS in UTC
 * (time zone 0, years 2000..2099). SUBMIT: first octet 0x41 (UDHI, no validity period), TP-MR 0,
 * TP-PID 0, TP-DCS 0x04. A @sender that is not "+"/digits/"*"/"#" is sent as an alphanumeric TP-OA
 * (GSM 7-bit, at most 11 septets; DELIVER only). Bad options → OMACP_ERROR_INVALID_ARGS. */
GPtrArray *omacp_sms_encode_push(const guint8 *datagram, gsize len,
                                 const OmacpSmsEncodeOptions *options, GError **error);

/* The SMS-SUBMIT (zero-length SMSC field + TPDU, as the SUBMIT form of
 * omacp_sms_encode_push()) that carries @ud, one segment's TP-User-Data
 * with a UDH, to @to. Cheaper than encoding the datagram twice when both
 * forms are wanted (the campaign writes both). */
GBytes *omacp_sms_submit_from_user_data(const char *to, GBytes *ud, GError **error);

G_END_DECLS
