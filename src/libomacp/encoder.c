/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "encoder.h"

#include "auth.h"
#include "omacp-error.h"
#include "provdoc.h"
#include "wbxml.h"

#define DEFAULT_SENDER "+10000000000"
#define PUSH_TID       0x01

gboolean
omacp_encode_output_from_string(const char *text, OmacpEncodeOutput *out)
{
	static const char *const names[] = { "sms", "tpdu", "submit", "wsp", "wbxml" };

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

GPtrArray *
omacp_encode_document(const char *text, gsize len, const OmacpEncodeOptions *o, char **out_user_pin,
                      GPtrArray *warnings, GError **error)
{
	g_autoptr(xmlDoc) xml = NULL;
	g_autoptr(GBytes) wbxml = NULL;
	g_autoptr(GBytes) push = NULL;
	g_autofree char *user_pin = NULL;
	char mac[OMACP_MAC_HEX_LEN + 1] = "";
	const guint8 *body;
	gsize body_len = 0;
	GPtrArray *pdus;

	if (!omacp_xml_parse(text, len, &xml, error))
		return NULL;
	if (!check_rules(xml, o->force, warnings, error))
		return NULL;
	wbxml = omacp_wbxml_encode(xml, error);
	if (wbxml == NULL)
		return NULL;
	if (o->output == OMACP_ENCODE_OUTPUT_WBXML)
		return single(wbxml);

	body = g_bytes_get_data(wbxml, &body_len);
	switch (o->sec) {
	case OMACP_SEC_NONE:
		break;
	case OMACP_SEC_NETWPIN:
	case OMACP_SEC_USERPIN:
	case OMACP_SEC_USERNETWPIN:
		if (!omacp_auth_compute_mac(o->sec, o->imsi, o->pin, body, body_len, mac, error))
			return NULL;
		break;
	case OMACP_SEC_USERPINMAC:
		user_pin = omacp_auth_userpinmac_pin(o->pin, body, body_len, error);
		if (user_pin == NULL)
			return NULL;
		break;
	case OMACP_SEC_UNKNOWN:
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "encode: SEC method 'unknown' cannot be encoded");
		return NULL;
	}
	push = omacp_wsp_encode_push(PUSH_TID, "application/vnd.wap.connectivity-wbxml", o->sec,
	                             mac[0] ? mac : NULL, body, body_len, error);
	if (push == NULL)
		return NULL;

	if (o->output == OMACP_ENCODE_OUTPUT_WSP) {
		pdus = single(push);
	} else {
		OmacpSmsEncodeOptions so = {
			.kind = o->output == OMACP_ENCODE_OUTPUT_SMS
			                ? OMACP_SMS_ENCODE_DELIVER_WITH_SMSC
			        : o->output == OMACP_ENCODE_OUTPUT_TPDU ? OMACP_SMS_ENCODE_DELIVER
			                                                : OMACP_SMS_ENCODE_SUBMIT,
			.sender = o->sender ? o->sender : DEFAULT_SENDER,
			.smsc = o->smsc,
			.dst_port = OMACP_WAP_PUSH_PORT,
			.src_port = OMACP_WAP_WSP_PORT,
			.ref = o->ref,
			.scts_unix = 0,
		};
		gsize push_len = 0;
		const guint8 *push_data = g_bytes_get_data(push, &push_len);

		pdus = omacp_sms_encode_push(push_data, push_len, &so, error);
		if (pdus == NULL)
			return NULL;
	}
	if (out_user_pin != NULL)
		*out_user_pin = g_steal_pointer(&user_pin);
	return pdus;
}
