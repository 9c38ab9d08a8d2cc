/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The whole receive pipeline as one pure call: segments or a push or a
 * document in, a decoded OmacpMessage out (transport facts, SEC/MAC, the
 * authentication verdict, the document, profiles, warnings). Used by
 * `omacpctl decode`, the daemon, the bench and the fuzzers. */

#include <glib.h>
#include <libxml/tree.h>

#include "auth.h"
#include "profiles.h"
#include "provdoc.h"
#include "reassembly.h"
#include "sms.h"
#include "wsp.h"

G_BEGIN_DECLS

typedef enum {
	OMACP_FORMAT_SMS,   /* SMSC address + SMS-DELIVER TPDU (modem PDU mode) */
	OMACP_FORMAT_TPDU,  /* SMS-DELIVER TPDU alone */
	OMACP_FORMAT_UD,    /* TP-User-Data alone (UDHL + UDH + payload) */
	OMACP_FORMAT_WSP,   /* a WSP push PDU (reassembled datagram) */
	OMACP_FORMAT_WBXML, /* the WBXML document alone (no SEC/MAC) */
	OMACP_FORMAT_XML,   /* the XML document alone (no SEC/MAC) */
} OmacpFormat;

const char *omacp_format_to_string(OmacpFormat format); /* "sms", "tpdu", "ud", ... */
gboolean omacp_format_from_string(const char *text,
                                  OmacpFormat *out);    /* also "sms-pdu", "sms-tpdu" */
gboolean omacp_format_is_segmented(OmacpFormat format); /* sms, tpdu, ud */

typedef enum {
	OMACP_AUTH_VALID,     /* MAC verified with one of the keys given */
	OMACP_AUTH_INVALID,   /* MAC present and no key given matches */
	OMACP_AUTH_UNCHECKED, /* signed, but the IMSI/PIN needed was not given */
	OMACP_AUTH_UNSIGNED,  /* no SEC parameter */
} OmacpAuthState;

const char *omacp_auth_state_to_string(OmacpAuthState state); /* "valid", "invalid", ... */

/* What the decoder is given besides the input: the keys to try, every IMSI
 * (SIM) and every PIN the user gave, and the provider database the
 * profiles are compared with (loaded once by the caller). */
typedef struct {
	GPtrArray *imsis;      /* char *, may be NULL */
	GPtrArray *pins;       /* char *, may be NULL */
	const OmacpMbpi *mbpi; /* may be NULL: no comparison */
} OmacpKeys;

typedef struct {
	OmacpFormat format;
	GPtrArray *segments; /* OmacpSms *, in sequence order (segmented formats only) */
	GBytes *datagram;    /* the reassembled WSP push (NULL for wbxml/xml input) */
	OmacpPush *push;     /* NULL for wbxml/xml input */
	GBytes *body;        /* the document octets: the MAC input */
	char *content_type;
	OmacpPushKind kind;

	OmacpSec sec;
	char *mac;
	OmacpAuthState auth;
	char *auth_imsi;     /* the IMSI whose key verified (NETWPIN/USERNETWPIN), else NULL */
	gint auth_pin_index; /* index into keys->pins of the PIN that verified, or -1 */
	char *auth_detail;   /* human-readable reason for invalid/unchecked, else NULL */

	/* The document as a libxml2 tree: for XML input made by the decode;
	 * for WBXML only on request (omacp_message_get_xml()), else NULL. */
	xmlDoc *xml;
	OmacpProvDoc *doc;   /* NULL when the push is not provisioning */
	GPtrArray *profiles; /* OmacpProfile *; empty when not provisioning */
	GPtrArray *warnings; /* char *: from every layer */

	struct _OmacpDocTree *tree; /* private: the decoded WBXML document */
} OmacpMessage;

void omacp_message_free(OmacpMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpMessage, omacp_message_free)

/* Decodes one message from @inputs (GBytes items): the segments of one
 * message in any order for sms/tpdu/ud, exactly one item otherwise. Tries
 * every IMSI/PIN of @keys (may be NULL). With @imsi_for_profiles the profiles
 * are bound to that SIM (else to auth_imsi). Fails with the error of the
 * first layer that rejects its input (message prefixed with the layer; for
 * segments also "segment N: "); an authentication failure is NOT an error: it
 * is reported in ->auth. Pushes that are not provisioning decode without
 * ->doc (kind says what they are). */
gboolean omacp_message_decode(OmacpFormat format, GPtrArray *inputs, const OmacpKeys *keys,
                              OmacpMessage **out, GError **error);

/* Parses one segment in a segmented format (sms, tpdu, ud); any other
 * format is OMACP_ERROR_INVALID_ARGS. */
gboolean omacp_message_parse_segment(OmacpFormat format, GBytes *input, OmacpSms **out,
                                     GError **error);

/* Whether @sms may carry a connectionless WSP push: its destination port
 * is the WAP push port (2948) or the WSP port (9200), or it has no port IE
 * at all (the WSP layer decides). Any other port (Nokia OTA 49999, secure
 * push 2949, ...) is OMACP_ERROR_NOT_PUSH. */
gboolean omacp_message_check_ports(const OmacpSms *sms, GError **error);

/* The same from an already reassembled WSP push (the daemon's path after its
 * own reassembler). */
gboolean omacp_message_decode_push(GBytes *datagram, const OmacpKeys *keys, OmacpMessage **out,
                                   GError **error);

/* The same from a push already parsed from @datagram (the router's): the
 * WSP header is not parsed again; @push is copied (its octets shared). */
gboolean omacp_message_decode_parsed_push(GBytes *datagram, const OmacpPush *push,
                                          const OmacpKeys *keys, OmacpMessage **out,
                                          GError **error);

/* The document stage alone: body octets + content type (wbxml or xml) →
 * doc, profiles on @message, and ->xml for XML (WBXML makes no libxml2 tree
 * until omacp_message_get_xml()). Used by the two calls above and by the
 * daemon to re-derive profiles after a restart. With @imsi and @mbpi the
 * profiles are compared with the provider database. */
gboolean omacp_message_decode_document(OmacpMessage *message, const char *imsi,
                                       const OmacpMbpi *mbpi, GError **error);

/* The document as a libxml2 tree, made from the decoded document on the
 * first call and kept in ->xml (owned by @message): the tree
 * omacp_wbxml_decode() or omacp_xml_parse() gives for ->body. NULL when the
 * push is not provisioning or the message was compacted. */
xmlDoc *omacp_message_get_xml(OmacpMessage *message);

/* omacp_xml_to_string(omacp_message_get_xml(@message), @mask_secrets),
 * without making the libxml2 tree for WBXML input. NULL when
 * omacp_message_get_xml() would be. */
char *omacp_message_document_text(const OmacpMessage *message, gboolean mask_secrets);

/* For a message kept long after its decode (the daemon's): frees the
 * decoded trees (->xml, ->doc, the document tree) and the segments, and turns every profile's
 * settings and secrets from a tree of GVariants into one serialised
 * buffer each. What later stages read stays: the profiles, ->body, SEC, MAC
 * and the authentication verdict. Call it once the Document was made. */
void omacp_message_compact(OmacpMessage *message);

/* Re-checks authentication with one more PIN (the daemon's Accept(pin)).
 * Returns TRUE and sets ->auth VALID when it verifies. */
gboolean omacp_message_check_pin(OmacpMessage *message, const char *imsi, const char *pin,
                                 GError **error);

G_END_DECLS
