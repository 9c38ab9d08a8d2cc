/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The operator side: an XML provisioning document → WBXML → signed WSP push
 * → SMS PDUs (SMS-DELIVER with or without SMSC, or SMS-SUBMIT). */

#include <glib.h>

#include "sms.h"
#include "wsp.h"

G_BEGIN_DECLS

typedef enum {
	OMACP_ENCODE_OUTPUT_SMS,    /* SMSC + SMS-DELIVER per segment (what +CMT prints) */
	OMACP_ENCODE_OUTPUT_TPDU,   /* SMS-DELIVER per segment */
	OMACP_ENCODE_OUTPUT_SUBMIT, /* SMS-SUBMIT per segment, for AT+CMGS */
	OMACP_ENCODE_OUTPUT_WSP,    /* the WSP push */
	OMACP_ENCODE_OUTPUT_WBXML,  /* the WBXML document */
	OMACP_ENCODE_OUTPUT_UD,     /* TP-User-Data per segment (UDH + payload) */
} OmacpEncodeOutput;

gboolean omacp_encode_output_from_string(const char *text, OmacpEncodeOutput *out);

typedef struct {
	OmacpSec sec;
	const char *imsi; /* NETWPIN, USERNETWPIN */
	const char *pin;  /* USERPIN, USERNETWPIN; USERPINMAC: the first half */
	OmacpEncodeOutput output;
	const char *sender; /* TP-OA; NULL: "+10000000000" */
	const char *to;     /* TP-DA of the submit form; NULL: @sender, as before --to */
	const char *smsc;   /* NULL: empty SMSC field */
	gint ref;           /* -1: random */
	gboolean force;     /* encode even when the document breaks ProvCont rules */
} OmacpEncodeOptions;

/* Returns the output items (GBytes) in order. The document's rule warnings
 * are appended to @warnings (char *, may be NULL); with any warning and
 * without force → OMACP_ERROR_INVALID_DOCUMENT. For USERPINMAC
 * *out_user_pin receives the full PIN the user must type. */
GPtrArray *omacp_encode_document(const char *xml, gsize len, const OmacpEncodeOptions *options,
                                 char **out_user_pin, GPtrArray *warnings, GError **error);

/* One document for many subscribers (a campaign): the document is parsed,
 * checked and encoded to WBXML once by omacp_encoder_new(); each
 * omacp_encoder_sign() then costs one HMAC and the WSP framing. */
typedef struct _OmacpEncoder OmacpEncoder;

/* Same checks and warnings as omacp_encode_document(). */
OmacpEncoder *omacp_encoder_new(const char *xml, gsize len, gboolean force, GPtrArray *warnings,
                                GError **error);
void omacp_encoder_free(OmacpEncoder *encoder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpEncoder, omacp_encoder_free)

GBytes *omacp_encoder_get_wbxml(const OmacpEncoder *encoder);

/* The WSP push for one subscriber, signed with @sec (NONE: unsigned) over
 * the WBXML: NETWPIN needs @imsi, USERPIN @pin, USERNETWPIN both,
 * USERPINMAC @pin = the first half, and *out_user_pin then receives the
 * full PIN to give the user (a secret: wipe it before freeing). Thread
 * safe: several threads may sign with one encoder. */
GBytes *omacp_encoder_sign(const OmacpEncoder *encoder, OmacpSec sec, const char *imsi,
                           const char *pin, char **out_user_pin, GError **error);

G_END_DECLS
