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
} OmacpEncodeOutput;

gboolean omacp_encode_output_from_string(const char *text, OmacpEncodeOutput *out);

typedef struct {
	OmacpSec sec;
	const char *imsi; /* NETWPIN, USERNETWPIN */
	const char *pin;  /* USERPIN, USERNETWPIN; USERPINMAC: the first half */
	OmacpEncodeOutput output;
	const char *sender; /* NULL: "+10000000000" */
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

G_END_DECLS
