/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Connectionless WSP Push PDU (WAP-230-WSP): TID, PDU type, HeadersLen,
 * Content-Type with the SEC and MAC parameters, the other headers and the
 * exact body range (the MAC input). Decoding and encoding. */

#include <glib.h>

G_BEGIN_DECLS

#define OMACP_WSP_PDU_PUSH           0x06
#define OMACP_WSP_PDU_CONFIRMED_PUSH 0x07
/* Octets of leading junk tolerated before the TID (see the Sierra vector and
 * Android's config_valid_wappush_index); only accepted when what follows is a
 * provisioning push. */
#define OMACP_WSP_MAX_LEADING_JUNK 8
/* Longest text value (content type, MAC, application id) kept. */
#define OMACP_WSP_MAX_TEXT 256
/* Longest Long-integer accepted where a value is decoded (content type code,
 * SEC, application id); longer ones are OMACP_ERROR_MALFORMED. Unknown
 * parameters and headers are skipped whatever their length. */
#define OMACP_WSP_MAX_INTEGER_OCTETS 8

typedef enum {
	OMACP_SEC_NONE, /* no SEC parameter */
	OMACP_SEC_NETWPIN,
	OMACP_SEC_USERPIN,
	OMACP_SEC_USERNETWPIN,
	OMACP_SEC_USERPINMAC,
	OMACP_SEC_UNKNOWN, /* a SEC value we do not know (sec_raw says which) */
} OmacpSec;

const char *omacp_sec_to_string(OmacpSec sec); /* "none", "netwpin", ... "unknown" */
/* Inverse of omacp_sec_to_string() (case-insensitive); also accepts the
 * decimal SEC values "0".."3" as Android exposes them. */
gboolean omacp_sec_from_string(const char *text, OmacpSec *out);

typedef enum {
	OMACP_PUSH_KIND_PROVISIONING,     /* application/vnd.wap.connectivity-wbxml */
	OMACP_PUSH_KIND_PROVISIONING_XML, /* text/vnd.wap.connectivity-xml */
	OMACP_PUSH_KIND_DM_BOOTSTRAP,     /* application/vnd.syncml.dm+wbxml */
	OMACP_PUSH_KIND_MMS,              /* application/vnd.wap.mms-message */
	OMACP_PUSH_KIND_SI,               /* application/vnd.wap.sic / text/vnd.wap.si */
	OMACP_PUSH_KIND_SL,               /* application/vnd.wap.slc / text/vnd.wap.sl */
	OMACP_PUSH_KIND_OTHER,
} OmacpPushKind;

const char *omacp_push_kind_to_string(OmacpPushKind kind); /* "provisioning", "mms", ... */

/* TRUE for the kinds that carry a provisioning document (connectivity WBXML
 * or XML, DM bootstrap). */
gboolean omacp_push_kind_is_provisioning(OmacpPushKind kind);

/* Well-known content type (WINA) code → media type, NULL when not in our
 * table; media type (case-insensitive) → code, -1 when it has none. */
const char *omacp_wsp_content_type_name(gint code);
gint omacp_wsp_content_type_code(const char *media_type);
/* Kind of push for a media type text (case-insensitive). */
OmacpPushKind omacp_wsp_kind_for_content_type(const char *media_type);
/* Registered X-Wap-Application-Id code → its URN, NULL when unknown. */
const char *omacp_wsp_app_id_name(gint64 code);

typedef struct {
	guint8 tid;
	guint8 pdu_type;
	gsize junk_skipped; /* leading octets dropped before the TID (normally 0) */

	/* media type text, e.g. "application/vnd.wap.connectivity-wbxml"; never
	 * NULL: a well-known code missing from our table reads "0x7a". */
	char *content_type;
	gint content_type_code; /* well-known code (0x36), or -1 for a text media type */
	OmacpPushKind kind;

	OmacpSec sec;
	gint sec_raw; /* the SEC integer as sent, -1 when absent */
	char *mac;    /* the MAC text as sent, NULL when absent */

	gboolean has_app_id;
	gint64 app_id_code; /* registered code, or -1 when the id is a URI */
	char *app_id;       /* text form: "x-wap-application:wml.ua" or the URI;
	                     * NULL for a code we have no name for */

	/* Offsets count from the start of the buffer given to the parser, leading
	 * junk included: pdu + data_offset is the body. */
	gsize headers_offset; /* offset of Content-Type in the PDU (after HeadersLen) */
	gsize headers_len;    /* HeadersLen */
	gsize data_offset;    /* offset of the body in the PDU */
	GBytes *headers;      /* the raw Content-Type + headers octets */
	GBytes *data;         /* the exact body octets: the MAC input */
} OmacpPush;

void omacp_push_free(OmacpPush *push);
/* A copy sharing @push's octets (->headers and ->data are referenced). */
OmacpPush *omacp_push_copy(const OmacpPush *push);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpPush, omacp_push_free)

/* Parses a connectionless push. PDU type 0x06 (0x07 accepted); HeadersLen
 * uintvar of at most 5 octets; content type in short, text and general
 * forms; SEC (0x11) and MAC (0x12) typed or untyped ("sec"/"mac" text), in
 * any order; unknown parameters and headers skipped by the generic rule.
 * A second SEC or MAC parameter is OMACP_ERROR_MALFORMED (an ambiguous
 * security parameter is never guessed). When octet 1 is not a push type,
 * up to OMACP_WSP_MAX_LEADING_JUNK leading octets are skipped if what
 * follows parses completely as a provisioning push; otherwise the error is
 * the one for offset 0 (OMACP_ERROR_NOT_PUSH naming the octet).
 * Errors name the field and the octet offset. */
gboolean omacp_wsp_parse_push(const guint8 *pdu, gsize len, OmacpPush **out, GError **error);

/* The same from a GBytes: ->headers and ->data are slices of @pdu, not
 * copies (the decode pipeline's path: the body is the reassembled
 * datagram's tail). */
gboolean omacp_wsp_parse_push_bytes(GBytes *pdu, OmacpPush **out, GError **error);

/* Builds a push with the general-form content type (well-known code when the
 * media type has one, else the text), SEC/MAC parameters when @sec is not
 * NONE (the MAC, 40 hex digits, written in upper case), no other headers.
 * With OMACP_SEC_NONE (and no MAC) the content type is the constrained form
 * (one octet or the text). @mac may be NULL for USERPINMAC; it must be NULL
 * for NONE. Bad arguments are OMACP_ERROR_INVALID_ARGS. */
GBytes *omacp_wsp_encode_push(guint8 tid, const char *content_type, OmacpSec sec, const char *mac,
                              const guint8 *body, gsize body_len, GError **error);

G_END_DECLS
