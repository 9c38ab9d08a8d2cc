/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacpctl encode: the operator side. XML document → WBXML → signed WSP
 * push → SMS PDUs, or a template document for the common cases. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "hexinput.h"
#include "omacp-error.h"
#include "omacpctl.h"
#include "provdoc.h"
#include "sms.h"
#include "templates.h"
#include "wbxml.h"
#include "wsp.h"

typedef enum {
	OUTPUT_SMS,
	OUTPUT_TPDU,
	OUTPUT_SUBMIT,
	OUTPUT_WSP,
	OUTPUT_WBXML,
} OutputForm;

static char *sec_name;
static char *imsi;
static char *pin;
static char *sender;
static char *smsc;
static char *output_name;
static gint ref = -1;
static gboolean force;
static char *template_name;
static char *t_name, *t_apn, *t_username, *t_password, *t_auth, *t_mmsc, *t_mms_proxy, *t_ssid,
        *t_psk;
static char **files;

static const GOptionEntry entries[] = {
	{ "sec", 's', 0, G_OPTION_ARG_STRING, &sec_name,
	  N_("Security: none, netwpin, userpin, usernetwpin or userpinmac (default: none)"),
	  "SEC" },
	{ "imsi", 'i', 0, G_OPTION_ARG_STRING, &imsi,
	  N_("IMSI of the target SIM (netwpin, usernetwpin)"), "IMSI" },
	{ "pin", 'p', 0, G_OPTION_ARG_STRING, &pin,
	  N_("User PIN (userpin, usernetwpin); for userpinmac the first half (at least 5 digits)"),
	  "PIN" },
	{ "sender", 0, 0, G_OPTION_ARG_STRING, &sender,
	  N_("Originating address of the SMS (default +10000000000)"), "NUMBER" },
	{ "smsc", 0, 0, G_OPTION_ARG_STRING, &smsc, N_("SMSC address in the sms output form"),
	  "NUMBER" },
	{ "output", 'o', 0, G_OPTION_ARG_STRING, &output_name,
	  N_("Output: sms (SMSC + SMS-DELIVER, default), tpdu, submit, wsp or wbxml"), "FORM" },
	{ "ref", 0, 0, G_OPTION_ARG_INT, &ref,
	  N_("Concatenation reference 0..255 (default random)"), "N" },
	{ "force", 0, 0, G_OPTION_ARG_NONE, &force,
	  N_("Encode even when the document breaks the ProvCont rules"), NULL },
	{ "template", 't', 0, G_OPTION_ARG_STRING, &template_name,
	  N_("Write the XML document for internet, mms or wlan instead of encoding"), "KIND" },
	{ "name", 0, 0, G_OPTION_ARG_STRING, &t_name, N_("Template: name shown to the user"),
	  "NAME" },
	{ "apn", 0, 0, G_OPTION_ARG_STRING, &t_apn, N_("Template: access point name"), "APN" },
	{ "username", 0, 0, G_OPTION_ARG_STRING, &t_username, N_("Template: user name"), "USER" },
	{ "password", 0, 0, G_OPTION_ARG_STRING, &t_password, N_("Template: password"),
	  "PASSWORD" },
	{ "auth", 0, 0, G_OPTION_ARG_STRING, &t_auth, N_("Template: pap or chap"), "AUTH" },
	{ "mmsc", 0, 0, G_OPTION_ARG_STRING, &t_mmsc, N_("Template: MMSC URL"), "URL" },
	{ "mms-proxy", 0, 0, G_OPTION_ARG_STRING, &t_mms_proxy, N_("Template: MMS proxy host:port"),
	  "HOST:PORT" },
	{ "ssid", 0, 0, G_OPTION_ARG_STRING, &t_ssid, N_("Template: WLAN SSID"), "SSID" },
	{ "psk", 0, 0, G_OPTION_ARG_STRING, &t_psk, N_("Template: WPA2 passphrase"), "PASSPHRASE" },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("DOC.xml") },
	{ NULL },
};

static gboolean
parse_output(const char *text, OutputForm *out)
{
	static const char *const names[] = { "sms", "tpdu", "submit", "wsp", "wbxml" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_strcmp0(text, names[i]) == 0) {
			*out = (OutputForm) i;
			return TRUE;
		}
	}
	return FALSE;
}

static int
run_template(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *xml = NULL;
	OmacpTemplateOptions o = {
		.name = t_name,
		.apn = t_apn,
		.username = t_username,
		.password = t_password,
		.auth = t_auth,
		.mmsc = t_mmsc,
		.mms_proxy = t_mms_proxy,
		.ssid = t_ssid,
		.psk = t_psk,
	};

	if (!omacp_template_kind_from_string(template_name, &o.kind)) {
		fprintf(stderr, _("omacpctl encode: unknown template '%s' (internet, mms, wlan)\n"),
		        template_name);
		return OMACPCTL_EXIT_FAILURE;
	}
	xml = omacp_template_build(&o, &error);
	if (xml == NULL) {
		fprintf(stderr, "omacpctl encode: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	fputs(xml, stdout);
	return OMACPCTL_EXIT_OK;
}

static GBytes *
read_document(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;

	if (g_strcmp0(path, "-") == 0) {
		g_autoptr(GPtrArray) items = omacp_input_read_file("-", TRUE, error);

		if (items == NULL)
			return NULL;
		return g_bytes_ref(g_ptr_array_index(items, 0));
	}
	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	return g_bytes_new_take(g_steal_pointer(&text), len);
}

/* Refuses a document the decoder would warn about, unless --force. */
static gboolean
check_document(xmlDoc *xml, const char *path, GError **error)
{
	g_autoptr(OmacpProvDoc) doc = NULL;

	if (!omacp_provdoc_from_xml(xml, &doc, error))
		return FALSE;
	if (doc->warnings->len == 0)
		return TRUE;
	for (guint i = 0; i < doc->warnings->len; i++)
		fprintf(stderr, "omacpctl encode: %s: %s\n", path,
		        (const char *) g_ptr_array_index(doc->warnings, i));
	if (force)
		return TRUE;
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT,
	            "%s: the document breaks %u ProvCont rule(s); fix it or use --force", path,
	            doc->warnings->len);
	return FALSE;
}

static void
print_hex_line(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	g_autofree char *hex = omacp_hex_encode(data, len);

	printf("%s\n", hex);
}

int
omacpctl_encode_main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(_("DOC.xml — build provisioning SMS"));
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) text = NULL;
	g_autoptr(xmlDoc) xml = NULL;
	g_autoptr(GBytes) wbxml = NULL;
	g_autoptr(GBytes) push = NULL;
	g_autofree char *full_pin = NULL;
	char mac[OMACP_MAC_HEX_LEN + 1] = "";
	OmacpSec sec = OMACP_SEC_NONE;
	OutputForm form = OUTPUT_SMS;
	const guint8 *body;
	gsize body_len = 0;
	const char *path;

	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "omacpctl encode: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (template_name != NULL)
		return run_template();
	if (files == NULL || files[0] == NULL || files[1] != NULL) {
		fprintf(stderr, "%s",
		        _("omacpctl encode: give exactly one DOC.xml (or - for stdin)\n"));
		return OMACPCTL_EXIT_FAILURE;
	}
	path = files[0];
	if (sec_name != NULL && !omacp_sec_from_string(sec_name, &sec)) {
		fprintf(stderr, _("omacpctl encode: unknown --sec '%s'\n"), sec_name);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (output_name != NULL && !parse_output(output_name, &form)) {
		fprintf(stderr, _("omacpctl encode: unknown --output '%s'\n"), output_name);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (ref < -1 || ref > 255) {
		fprintf(stderr, "%s", _("omacpctl encode: --ref must be 0..255\n"));
		return OMACPCTL_EXIT_FAILURE;
	}

	text = read_document(path, &error);
	if (text == NULL) {
		fprintf(stderr, "omacpctl encode: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	body = g_bytes_get_data(text, &body_len);
	if (!omacp_xml_parse((const char *) body, body_len, &xml, &error) ||
	    !check_document(xml, path, &error) ||
	    (wbxml = omacp_wbxml_encode(xml, &error)) == NULL) {
		fprintf(stderr, "omacpctl encode: %s\n", error->message);
		return OMACPCTL_EXIT_MALFORMED;
	}
	body = g_bytes_get_data(wbxml, &body_len);
	if (form == OUTPUT_WBXML) {
		print_hex_line(wbxml);
		return OMACPCTL_EXIT_OK;
	}

	switch (sec) {
	case OMACP_SEC_NONE:
		break;
	case OMACP_SEC_NETWPIN:
	case OMACP_SEC_USERPIN:
	case OMACP_SEC_USERNETWPIN:
		if (!omacp_auth_compute_mac(sec, imsi, pin, body, body_len, mac, &error)) {
			fprintf(stderr, "omacpctl encode: %s\n", error->message);
			return OMACPCTL_EXIT_FAILURE;
		}
		break;
	case OMACP_SEC_USERPINMAC:
		full_pin = omacp_auth_userpinmac_pin(pin, body, body_len, &error);
		if (full_pin == NULL) {
			fprintf(stderr, "omacpctl encode: %s\n", error->message);
			return OMACPCTL_EXIT_FAILURE;
		}
		/* The PIN the operator must tell the user; stderr keeps stdout PDUs only. */
		fprintf(stderr, _("PIN to give the user: %s\n"), full_pin);
		break;
	case OMACP_SEC_UNKNOWN:
		fprintf(stderr, "%s", _("omacpctl encode: --sec unknown cannot be encoded\n"));
		return OMACPCTL_EXIT_FAILURE;
	}

	push = omacp_wsp_encode_push(0x01, "application/vnd.wap.connectivity-wbxml", sec,
	                             sec == OMACP_SEC_NONE || sec == OMACP_SEC_USERPINMAC ? NULL
	                                                                                  : mac,
	                             body, body_len, &error);
	if (push == NULL) {
		fprintf(stderr, "omacpctl encode: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (form == OUTPUT_WSP) {
		print_hex_line(push);
		return OMACPCTL_EXIT_OK;
	} else {
		OmacpSmsEncodeOptions o = {
			.kind = form == OUTPUT_SMS    ? OMACP_SMS_ENCODE_DELIVER_WITH_SMSC
			        : form == OUTPUT_TPDU ? OMACP_SMS_ENCODE_DELIVER
			                              : OMACP_SMS_ENCODE_SUBMIT,
			.sender = sender ? sender : "+10000000000",
			.smsc = smsc,
			.dst_port = OMACP_WAP_PUSH_PORT,
			.src_port = OMACP_WAP_WSP_PORT,
			.ref = ref,
			.scts_unix = 0,
		};
		gsize push_len = 0;
		const guint8 *push_data = g_bytes_get_data(push, &push_len);
		g_autoptr(GPtrArray) pdus = omacp_sms_encode_push(push_data, push_len, &o, &error);

		if (pdus == NULL) {
			fprintf(stderr, "omacpctl encode: %s\n", error->message);
			return OMACPCTL_EXIT_FAILURE;
		}
		for (guint i = 0; i < pdus->len; i++)
			print_hex_line(g_ptr_array_index(pdus, i));
	}
	return OMACPCTL_EXIT_OK;
}
