/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "pipeline.h"

#include <string.h>

#include "doc-tree.h"
#include "omacp-error.h"
#include "wbxml.h"

/* The reassembler below is private to one decode call; the daemon keeps its
 * own long-lived one. */
#define PIPELINE_MODEM "decode"

static const char *const format_names[] = {
	[OMACP_FORMAT_SMS] = "sms", [OMACP_FORMAT_TPDU] = "tpdu",   [OMACP_FORMAT_UD] = "ud",
	[OMACP_FORMAT_WSP] = "wsp", [OMACP_FORMAT_WBXML] = "wbxml", [OMACP_FORMAT_XML] = "xml",
};

const char *
omacp_format_to_string(OmacpFormat format)
{
	return format_names[format];
}

gboolean
omacp_format_from_string(const char *text, OmacpFormat *out)
{
	if (text == NULL)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(format_names); i++) {
		if (g_ascii_strcasecmp(text, format_names[i]) == 0) {
			*out = (OmacpFormat) i;
			return TRUE;
		}
	}
	/* The D-Bus contract's spellings. */
	if (g_ascii_strcasecmp(text, "sms-pdu") == 0) {
		*out = OMACP_FORMAT_SMS;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "sms-tpdu") == 0) {
		*out = OMACP_FORMAT_TPDU;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "sms-ud") == 0) {
		*out = OMACP_FORMAT_UD;
		return TRUE;
	}
	return FALSE;
}

gboolean
omacp_format_is_segmented(OmacpFormat format)
{
	switch (format) {
	case OMACP_FORMAT_SMS:
	case OMACP_FORMAT_TPDU:
	case OMACP_FORMAT_UD:
		return TRUE;
	case OMACP_FORMAT_WSP:
	case OMACP_FORMAT_WBXML:
	case OMACP_FORMAT_XML:
		return FALSE;
	}
	return FALSE;
}

const char *
omacp_auth_state_to_string(OmacpAuthState state)
{
	switch (state) {
	case OMACP_AUTH_VALID:
		return "valid";
	case OMACP_AUTH_INVALID:
		return "invalid";
	case OMACP_AUTH_UNCHECKED:
		return "unchecked";
	case OMACP_AUTH_UNSIGNED:
		return "unsigned";
	}
	return "invalid";
}

void
omacp_message_free(OmacpMessage *message)
{
	if (message == NULL)
		return;
	g_clear_pointer(&message->segments, g_ptr_array_unref);
	g_clear_pointer(&message->datagram, g_bytes_unref);
	g_clear_pointer(&message->push, omacp_push_free);
	g_clear_pointer(&message->body, g_bytes_unref);
	g_free(message->content_type);
	g_free(message->mac);
	g_free(message->auth_imsi);
	g_free(message->auth_detail);
	g_clear_pointer(&message->xml, xmlFreeDoc);
	g_clear_pointer(&message->tree, omacp_doc_tree_unref);
	g_clear_pointer(&message->doc, omacp_provdoc_free);
	g_clear_pointer(&message->profiles, g_ptr_array_unref);
	g_clear_pointer(&message->warnings, g_ptr_array_unref);
	g_free(message);
}

static OmacpMessage *
message_new(OmacpFormat format)
{
	OmacpMessage *m = g_new0(OmacpMessage, 1);

	m->format = format;
	m->kind = OMACP_PUSH_KIND_OTHER;
	m->sec = OMACP_SEC_NONE;
	m->auth = OMACP_AUTH_UNSIGNED;
	m->auth_pin_index = -1;
	m->warnings = g_ptr_array_new_with_free_func(g_free);
	m->profiles = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	return m;
}

gboolean
omacp_message_parse_segment(OmacpFormat format, GBytes *input, OmacpSms **out, GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(input, &len);

	switch (format) {
	case OMACP_FORMAT_SMS:
		return omacp_sms_parse_deliver(data, len, TRUE, out, error);
	case OMACP_FORMAT_TPDU:
		return omacp_sms_parse_deliver(data, len, FALSE, out, error);
	case OMACP_FORMAT_UD:
		return omacp_sms_parse_user_data(data, len, out, error);
	case OMACP_FORMAT_WSP:
	case OMACP_FORMAT_WBXML:
	case OMACP_FORMAT_XML:
		break;
	}
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "format %s is not segmented",
	            omacp_format_to_string(format));
	return FALSE;
}

static gint
compare_seq(gconstpointer a, gconstpointer b)
{
	const OmacpSms *x = *(OmacpSms *const *) a;
	const OmacpSms *y = *(OmacpSms *const *) b;

	return (gint) x->seq - (gint) y->seq;
}

/* Ports that may carry a connectionless WSP push. A datagram for any other
 * port (Nokia OTA 49999, SyncML OTA 49996, ...) is not OMA CP. No port IE at
 * all is tolerated (the Sierra vector): the WSP layer decides. */
gboolean
omacp_message_check_ports(const OmacpSms *sms, GError **error)
{
	g_return_val_if_fail(sms != NULL, FALSE);
	if (!sms->has_ports)
		return TRUE;
	if (sms->dst_port == OMACP_WAP_PUSH_PORT || sms->dst_port == OMACP_WAP_WSP_PORT)
		return TRUE;
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_PUSH,
	            "sms: destination port %u is not the WAP push port %u%s", sms->dst_port,
	            OMACP_WAP_PUSH_PORT,
	            sms->dst_port == 49999  ? " (legacy Nokia OTA settings, not OMA CP)"
	            : sms->dst_port == 2949 ? " (secure push over WTLS is not supported)"
	                                    : "");
	return FALSE;
}

static gboolean
check_ports(const OmacpSms *sms, guint index, GError **error)
{
	if (omacp_message_check_ports(sms, error))
		return TRUE;
	g_prefix_error(error, "segment %u: ", index + 1);
	return FALSE;
}

static gboolean
reassemble(OmacpMessage *m, GPtrArray *inputs, GError **error)
{
	g_autoptr(OmacpReassembler) reassembler = omacp_reassembler_new();
	g_autoptr(GBytes) datagram = NULL;
	guint total = 0;

	m->segments = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_sms_free);
	for (guint i = 0; i < inputs->len; i++) {
		g_autoptr(OmacpSms) sms = NULL;
		g_autoptr(GError) local = NULL;
		OmacpReassemblyResult result = { 0 };

		if (!omacp_message_parse_segment(m->format, g_ptr_array_index(inputs, i), &sms,
		                                 &local)) {
			g_set_error(error, OMACP_ERROR, local->code, "segment %u: %s", i + 1,
			            local->message);
			return FALSE;
		}
		if (!check_ports(sms, i, error))
			return FALSE;
		if (datagram != NULL) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "segment %u: sms: the message was already complete; the "
			            "inputs hold segments of more than one message",
			            i + 1);
			return FALSE;
		}
		if (!omacp_reassembler_add(reassembler, PIPELINE_MODEM, sms, 0, &result, &datagram,
		                           &local)) {
			g_set_error(error, OMACP_ERROR, local->code, "segment %u: %s", i + 1,
			            local->message);
			return FALSE;
		}
		total = result.total;
		if (result.state == OMACP_REASSEMBLY_DUPLICATE) {
			g_ptr_array_add(
			        m->warnings,
			        g_strdup_printf("segment %u: sms: duplicate of segment %u/%u "
			                        "ignored",
			                        i + 1, sms->seq, sms->total));
		} else {
			g_ptr_array_add(m->segments, g_steal_pointer(&sms));
		}
		omacp_reassembly_result_clear(&result);
	}
	if (datagram == NULL) {
		g_autoptr(GString) missing = g_string_new(NULL);

		g_ptr_array_sort(m->segments, compare_seq);
		for (guint seq = 1; seq <= total; seq++) {
			gboolean have = FALSE;

			for (guint i = 0; i < m->segments->len; i++)
				have |= ((OmacpSms *) g_ptr_array_index(m->segments, i))->seq ==
				        seq;
			if (!have)
				g_string_append_printf(missing, "%s%u", missing->len ? ", " : "",
				                       seq);
		}
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INCOMPLETE,
		            "sms: message incomplete: %u of %u segments (missing %s)",
		            m->segments->len, total, missing->str);
		return FALSE;
	}
	g_ptr_array_sort(m->segments, compare_seq);
	m->datagram = g_steal_pointer(&datagram);
	return TRUE;
}

static gboolean
verify_with(OmacpMessage *m, const char *imsi, const char *pin, gboolean *bad_form)
{
	g_autoptr(GError) local = NULL;
	gsize len = 0;
	const guint8 *doc = g_bytes_get_data(m->body, &len);

	if (omacp_auth_verify(m->sec, m->mac, imsi, pin, doc, len, &local))
		return TRUE;
	if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_BAD_PIN))
		*bad_form = TRUE;
	return FALSE;
}

static guint
n_keys(GPtrArray *array)
{
	return array ? array->len : 0;
}

static gboolean
mac_has_form(const char *mac)
{
	if (strlen(mac) != OMACP_MAC_HEX_LEN)
		return FALSE;
	for (const char *p = mac; *p != '\0'; p++) {
		if (!g_ascii_isxdigit(*p))
			return FALSE;
	}
	return TRUE;
}

static void
authenticate(OmacpMessage *m, const OmacpKeys *keys)
{
	GPtrArray *imsis = keys ? keys->imsis : NULL;
	GPtrArray *pins = keys ? keys->pins : NULL;
	gboolean needs_imsi = m->sec == OMACP_SEC_NETWPIN || m->sec == OMACP_SEC_USERNETWPIN;
	gboolean needs_pin = m->sec == OMACP_SEC_USERPIN || m->sec == OMACP_SEC_USERNETWPIN ||
	                     m->sec == OMACP_SEC_USERPINMAC;
	gboolean bad_form = FALSE;

	switch (m->sec) {
	case OMACP_SEC_NONE:
		m->auth = OMACP_AUTH_UNSIGNED;
		return;
	case OMACP_SEC_UNKNOWN:
		m->auth = OMACP_AUTH_INVALID;
		m->auth_detail = g_strdup_printf("unknown SEC method %d", m->push->sec_raw);
		return;
	case OMACP_SEC_NETWPIN:
	case OMACP_SEC_USERPIN:
	case OMACP_SEC_USERNETWPIN:
		if (m->mac == NULL) {
			m->auth = OMACP_AUTH_INVALID;
			m->auth_detail = g_strdup_printf("SEC %s without a MAC parameter",
			                                 omacp_sec_to_string(m->sec));
			return;
		}
		/* no key can ever verify a MAC that is not an HMAC-SHA1 in hex:
		 * invalid, whether or not the keys are known */
		if (!mac_has_form(m->mac)) {
			m->auth = OMACP_AUTH_INVALID;
			m->auth_detail =
			        g_strdup_printf("the MAC parameter is not %u hexadecimal digits",
			                        (guint) OMACP_MAC_HEX_LEN);
			return;
		}
		break;
	case OMACP_SEC_USERPINMAC:
		break;
	}

	if ((needs_imsi && n_keys(imsis) == 0) || (needs_pin && n_keys(pins) == 0)) {
		m->auth = OMACP_AUTH_UNCHECKED;
		m->auth_detail =
		        g_strdup_printf("SEC %s needs %s", omacp_sec_to_string(m->sec),
		                        needs_imsi && needs_pin ? "the SIM's IMSI and the PIN"
		                        : needs_imsi            ? "the SIM's IMSI"
		                                                : "the PIN");
		return;
	}

	for (guint i = 0; i < (needs_imsi ? imsis->len : 1); i++) {
		const char *imsi = needs_imsi ? g_ptr_array_index(imsis, i) : NULL;

		for (guint j = 0; j < (needs_pin ? pins->len : 1); j++) {
			const char *pin = needs_pin ? g_ptr_array_index(pins, j) : NULL;

			if (verify_with(m, imsi, pin, &bad_form)) {
				m->auth = OMACP_AUTH_VALID;
				m->auth_imsi = g_strdup(imsi);
				m->auth_pin_index = needs_pin ? (gint) j : -1;
				return;
			}
		}
	}
	m->auth = OMACP_AUTH_INVALID;
	m->auth_detail = g_strdup_printf("no %s given matches the MAC%s",
	                                 needs_imsi && needs_pin ? "IMSI and PIN"
	                                 : needs_imsi            ? "IMSI"
	                                                         : "PIN",
	                                 bad_form ? " (a USERPINMAC PIN must be an even number of "
	                                            "at least 10 digits)"
	                                          : "");
}

/* The SIM the profiles are for: the one whose key verified, else the only
 * one given. */
static const char *
profile_imsi(const OmacpMessage *m, const OmacpKeys *keys)
{
	if (m->auth_imsi != NULL)
		return m->auth_imsi;
	if (keys != NULL && n_keys(keys->imsis) == 1)
		return g_ptr_array_index(keys->imsis, 0);
	return NULL;
}

gboolean
omacp_message_decode_document(OmacpMessage *m, const char *imsi, const OmacpMbpi *mbpi,
                              GError **error)
{
	g_autoptr(xmlDoc) xml = NULL;
	g_autoptr(OmacpDocTree) tree = NULL;
	g_autoptr(OmacpProvDoc) doc = NULL;
	g_autoptr(GPtrArray) profiles = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(m->body, &len);

	switch (m->kind) {
	case OMACP_PUSH_KIND_PROVISIONING:
		/* no libxml2 tree: the document is built from the decoder's */
		if (!omacp_wbxml_decode_tree(data, len, &tree, m->warnings, error))
			return FALSE;
		if (!omacp_provdoc_from_tree(tree, &doc, error))
			return FALSE;
		break;
	case OMACP_PUSH_KIND_PROVISIONING_XML:
		if (!omacp_xml_parse((const char *) data, len, &xml, error))
			return FALSE;
		if (!omacp_provdoc_from_xml(xml, &doc, error))
			return FALSE;
		break;
	case OMACP_PUSH_KIND_DM_BOOTSTRAP:
	case OMACP_PUSH_KIND_MMS:
	case OMACP_PUSH_KIND_SI:
	case OMACP_PUSH_KIND_SL:
	case OMACP_PUSH_KIND_OTHER:
		/* Not a provisioning document: routed elsewhere by the daemon. */
		return TRUE;
	}
	for (guint i = 0; i < doc->warnings->len; i++)
		g_ptr_array_add(m->warnings, g_strdup(g_ptr_array_index(doc->warnings, i)));
	profiles = omacp_profiles_derive(doc, imsi, m->warnings);
	if (profiles->len > OMACP_PROFILES_MAX_PER_MESSAGE) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "document: %u profiles, more than one message may make (%u)",
		            profiles->len, OMACP_PROFILES_MAX_PER_MESSAGE);
		return FALSE;
	}
	if (imsi != NULL && mbpi != NULL)
		omacp_profiles_check_mbpi(profiles, mbpi, imsi);
	g_clear_pointer(&m->xml, xmlFreeDoc);
	g_clear_pointer(&m->tree, omacp_doc_tree_unref);
	g_clear_pointer(&m->doc, omacp_provdoc_free);
	g_clear_pointer(&m->profiles, g_ptr_array_unref);
	m->xml = g_steal_pointer(&xml);
	m->tree = g_steal_pointer(&tree);
	m->doc = g_steal_pointer(&doc);
	m->profiles = g_steal_pointer(&profiles);
	return TRUE;
}

/* Decodes what follows the WSP header of @push (taken) into @m. */
static gboolean
decode_parsed_into(OmacpMessage *m, OmacpPush *parsed, const OmacpKeys *keys, GError **error)
{
	g_autoptr(OmacpPush) push = parsed;

	if (push->junk_skipped > 0)
		g_ptr_array_add(m->warnings,
		                g_strdup_printf("wsp: %zu octets before the TID skipped",
		                                push->junk_skipped));
	m->content_type = g_strdup(push->content_type);
	m->kind = push->kind;
	m->sec = push->sec;
	m->mac = g_strdup(push->mac);
	m->body = g_bytes_ref(push->data);
	m->push = g_steal_pointer(&push);
	authenticate(m, keys);
	return omacp_message_decode_document(m, profile_imsi(m, keys),
	                                     keys != NULL ? keys->mbpi : NULL, error);
}

static gboolean
decode_push_into(OmacpMessage *m, const OmacpKeys *keys, GError **error)
{
	OmacpPush *push = NULL;

	/* The body stays a slice of the datagram: no copy. */
	if (!omacp_wsp_parse_push_bytes(m->datagram, &push, error))
		return FALSE;
	return decode_parsed_into(m, push, keys, error);
}

gboolean
omacp_message_decode(OmacpFormat format, GPtrArray *inputs, const OmacpKeys *keys,
                     OmacpMessage **out, GError **error)
{
	g_autoptr(OmacpMessage) m = message_new(format);

	if (inputs == NULL || inputs->len == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "no input");
		return FALSE;
	}
	if (omacp_format_is_segmented(format)) {
		if (!reassemble(m, inputs, error))
			return FALSE;
		if (!decode_push_into(m, keys, error))
			return FALSE;
		*out = g_steal_pointer(&m);
		return TRUE;
	}
	if (inputs->len != 1) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "format %s takes exactly one input, got %u",
		            omacp_format_to_string(format), inputs->len);
		return FALSE;
	}
	switch (format) {
	case OMACP_FORMAT_WSP:
		m->datagram = g_bytes_ref(g_ptr_array_index(inputs, 0));
		if (!decode_push_into(m, keys, error))
			return FALSE;
		break;
	case OMACP_FORMAT_WBXML:
	case OMACP_FORMAT_XML:
		m->body = g_bytes_ref(g_ptr_array_index(inputs, 0));
		m->kind = format == OMACP_FORMAT_WBXML ? OMACP_PUSH_KIND_PROVISIONING
		                                       : OMACP_PUSH_KIND_PROVISIONING_XML;
		m->content_type = g_strdup(format == OMACP_FORMAT_WBXML
		                                   ? "application/vnd.wap.connectivity-wbxml"
		                                   : "text/vnd.wap.connectivity-xml");
		if (!omacp_message_decode_document(m, profile_imsi(m, keys),
		                                   keys != NULL ? keys->mbpi : NULL, error))
			return FALSE;
		break;
	case OMACP_FORMAT_SMS:
	case OMACP_FORMAT_TPDU:
	case OMACP_FORMAT_UD:
		g_assert_not_reached();
	}
	*out = g_steal_pointer(&m);
	return TRUE;
}

gboolean
omacp_message_decode_push(GBytes *datagram, const OmacpKeys *keys, OmacpMessage **out,
                          GError **error)
{
	g_autoptr(OmacpMessage) m = message_new(OMACP_FORMAT_WSP);

	m->datagram = g_bytes_ref(datagram);
	if (!decode_push_into(m, keys, error))
		return FALSE;
	*out = g_steal_pointer(&m);
	return TRUE;
}

gboolean
omacp_message_decode_parsed_push(GBytes *datagram, const OmacpPush *push, const OmacpKeys *keys,
                                 OmacpMessage **out, GError **error)
{
	g_autoptr(OmacpMessage) m = message_new(OMACP_FORMAT_WSP);

	g_return_val_if_fail(datagram != NULL && push != NULL, FALSE);
	m->datagram = g_bytes_ref(datagram);
	if (!decode_parsed_into(m, omacp_push_copy(push), keys, error))
		return FALSE;
	*out = g_steal_pointer(&m);
	return TRUE;
}

xmlDoc *
omacp_message_get_xml(OmacpMessage *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	if (m->xml == NULL && m->tree != NULL)
		m->xml = omacp_doc_tree_to_xml(m->tree);
	return m->xml;
}

char *
omacp_message_document_text(const OmacpMessage *m, gboolean mask_secrets)
{
	g_return_val_if_fail(m != NULL, NULL);
	if (m->xml != NULL)
		return omacp_xml_to_string(m->xml, mask_secrets);
	if (m->tree != NULL)
		return omacp_doc_tree_to_string(m->tree, mask_secrets);
	return NULL;
}

void
omacp_message_compact(OmacpMessage *m)
{
	g_return_if_fail(m != NULL);
	g_clear_pointer(&m->xml, xmlFreeDoc);
	g_clear_pointer(&m->tree, omacp_doc_tree_unref);
	g_clear_pointer(&m->doc, omacp_provdoc_free);
	g_clear_pointer(&m->segments, g_ptr_array_unref);
	for (guint i = 0; m->profiles != NULL && i < m->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(m->profiles, i);

		/* g_variant_get_data() serialises a tree in place and lets go
		 * of its children; the value stays the same */
		if (p->settings != NULL)
			(void) g_variant_get_data(p->settings);
		if (p->secrets != NULL)
			(void) g_variant_get_data(p->secrets);
	}
}

gboolean
omacp_message_check_pin(OmacpMessage *m, const char *imsi, const char *pin, GError **error)
{
	gsize len = 0;
	const guint8 *doc;

	if (m->body == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		            "message has no document");
		return FALSE;
	}
	doc = g_bytes_get_data(m->body, &len);
	if (!omacp_auth_verify(m->sec, m->mac, imsi, pin, doc, len, error))
		return FALSE;
	m->auth = OMACP_AUTH_VALID;
	g_clear_pointer(&m->auth_detail, g_free);
	g_free(m->auth_imsi);
	m->auth_imsi = g_strdup(imsi);
	return TRUE;
}
