/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "encoder.h"

#include "auth.h"
#include "omacp-error.h"
#include "provdoc.h"
#include "wbxml.h"

#include <string.h>

#define DEFAULT_SENDER "+10000000000"
#define PUSH_TID       0x01

gboolean
omacp_encode_output_from_string(const char *text, OmacpEncodeOutput *out)
{
	static const char *const names[] = { "sms", "tpdu", "submit", "wsp", "wbxml", "ud" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_strcmp0(text, names[i]) == 0) {
			*out = (OmacpEncodeOutput) i;
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean
check_rules(xmlDoc *xml, gboolean force, GPtrArray *warnings, GError **error)
{
	g_autoptr(OmacpProvDoc) doc = NULL;

	if (!omacp_provdoc_from_xml(xml, &doc, error))
		return FALSE;
	for (guint i = 0; warnings != NULL && i < doc->warnings->len; i++)
		g_ptr_array_add(warnings, g_strdup(g_ptr_array_index(doc->warnings, i)));
	if (doc->warnings->len == 0 || force)
		return TRUE;
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT,
	            "the document breaks %u ProvCont rule(s), first: %s", doc->warnings->len,
	            (const char *) g_ptr_array_index(doc->warnings, 0));
	return FALSE;
}

static GPtrArray *
single(GBytes *bytes)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);

	g_ptr_array_add(out, g_bytes_ref(bytes));
	return out;
}

struct _OmacpEncoder {
	GBytes *wbxml;
};

OmacpEncoder *
omacp_encoder_new(const char *text, gsize len, gboolean force, GPtrArray *warnings, GError **error)
{
	g_autoptr(xmlDoc) xml = NULL;
	OmacpEncoder *encoder;
	GBytes *wbxml;

	if (!omacp_xml_parse(text, len, &xml, error))
		return NULL;
	if (!check_rules(xml, force, warnings, error))
		return NULL;
	wbxml = omacp_wbxml_encode(xml, error);
	if (wbxml == NULL)
		return NULL;
	encoder = g_new0(OmacpEncoder, 1);
	encoder->wbxml = wbxml;
	return encoder;
}

void
omacp_encoder_free(OmacpEncoder *encoder)
{
	if (encoder == NULL)
		return;
	g_bytes_unref(encoder->wbxml);
	g_free(encoder);
}

GBytes *
omacp_encoder_get_wbxml(const OmacpEncoder *encoder)
{
	return encoder->wbxml;
}

GBytes *
omacp_encoder_sign(const OmacpEncoder *encoder, OmacpSec sec, const char *imsi, const char *pin,
                   char **out_user_pin, GError **error)
{
	g_autofree char *user_pin = NULL;
	char mac[OMACP_MAC_HEX_LEN + 1] = "";
	gsize body_len = 0;
	const guint8 *body = g_bytes_get_data(encoder->wbxml, &body_len);
	GBytes *push;

	switch (sec) {
	case OMACP_SEC_NONE:
		break;
	case OMACP_SEC_NETWPIN:
	case OMACP_SEC_USERPIN:
	case OMACP_SEC_USERNETWPIN:
		if (!omacp_auth_compute_mac(sec, imsi, pin, body, body_len, mac, error))
			return NULL;
		break;
	case OMACP_SEC_USERPINMAC:
		user_pin = omacp_auth_userpinmac_pin(pin, body, body_len, error);
		if (user_pin == NULL)
			return NULL;
		break;
	case OMACP_SEC_UNKNOWN:
	default:
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "encode: SEC method 'unknown' cannot be encoded");
		return NULL;
	}
	push = omacp_wsp_encode_push(PUSH_TID, "application/vnd.wap.connectivity-wbxml", sec,
	                             mac[0] ? mac : NULL, body, body_len, error);
	if (push != NULL && out_user_pin != NULL)
		*out_user_pin = g_steal_pointer(&user_pin);
	else if (user_pin != NULL)
		memset(user_pin, 0, strlen(user_pin));
	return push;
}

GPtrArray *
omacp_encode_document(const char *text, gsize len, const OmacpEncodeOptions *o, char **out_user_pin,
                      GPtrArray *warnings, GError **error)
{
	g_autoptr(OmacpEncoder) encoder = NULL;
	g_autoptr(GBytes) push = NULL;
	g_autofree char *user_pin = NULL;
	GPtrArray *pdus;

	encoder = omacp_encoder_new(text, len, o->force, warnings, error);
	if (encoder == NULL)
		return NULL;
	if (o->output == OMACP_ENCODE_OUTPUT_WBXML)
		return single(encoder->wbxml);
	push = omacp_encoder_sign(encoder, o->sec, o->imsi, o->pin, &user_pin, error);
	if (push == NULL)
		return NULL;

	if (o->output == OMACP_ENCODE_OUTPUT_WSP) {
		pdus = single(push);
	} else {
		const char *sender = o->sender ? o->sender : DEFAULT_SENDER;
		OmacpSmsEncodeOptions so = {
			.sender = sender,
			.smsc = o->smsc,
			.dst_port = OMACP_WAP_PUSH_PORT,
			.src_port = OMACP_WAP_WSP_PORT,
			.ref = o->ref,
			.scts_unix = 0,
		};
		gsize push_len = 0;
		const guint8 *push_data = g_bytes_get_data(push, &push_len);

		switch (o->output) {
		case OMACP_ENCODE_OUTPUT_SMS:
			so.kind = OMACP_SMS_ENCODE_DELIVER_WITH_SMSC;
			break;
		case OMACP_ENCODE_OUTPUT_TPDU:
			so.kind = OMACP_SMS_ENCODE_DELIVER;
			break;
		case OMACP_ENCODE_OUTPUT_UD:
			so.kind = OMACP_SMS_ENCODE_USER_DATA;
			break;
		default:
			so.kind = OMACP_SMS_ENCODE_SUBMIT;
			so.sender = o->to != NULL ? o->to : sender;
			break;
		}
		pdus = omacp_sms_encode_push(push_data, push_len, &so, error);
		if (pdus == NULL)
			return NULL;
	}
	if (out_user_pin != NULL)
		*out_user_pin = g_steal_pointer(&user_pin);
	return pdus;
}
