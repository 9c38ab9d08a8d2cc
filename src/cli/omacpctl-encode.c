/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacpctl encode: the operator side. XML document → WBXML → signed WSP
 * push → SMS PDUs, or a template document for the common cases. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "omacp.h"
#include "hexinput.h"
#include "omacpctl.h"

static char *sec_name;
static char *imsi;
static char *pin;
static char *sender;
static char *to;
static char *smsc;
static char *output_name;
static gint ref = -1;
static gboolean force;
static char *template_name;
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
	{ "to", 0, 0, G_OPTION_ARG_STRING, &to,
	  N_("Destination address of the submit output (default: the --sender number)"), "NUMBER" },
	{ "smsc", 0, 0, G_OPTION_ARG_STRING, &smsc, N_("SMSC address in the sms output form"),
	  "NUMBER" },
	{ "output", 'o', 0, G_OPTION_ARG_STRING, &output_name,
	  N_("Output: sms (SMSC + SMS-DELIVER, default), tpdu, submit, ud (user data: UDH + "
	     "payload), wsp or wbxml"),
	  "FORM" },
	{ "ref", 0, 0, G_OPTION_ARG_INT, &ref,
	  N_("Concatenation reference 0..255 (default random)"), "N" },
	{ "force", 0, 0, G_OPTION_ARG_NONE, &force,
	  N_("Encode even when the document breaks the ProvCont rules"), NULL },
	{ "template", 't', 0, G_OPTION_ARG_STRING, &template_name,
	  N_("Write the XML document for internet, mms or wlan instead of encoding"), "KIND" },
	{ NULL },
};

/* after the template value options (omacpctl_template_add_options) */
static const GOptionEntry entries_after_template[] = {
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("DOC.xml") },
	{ NULL },
};

static int
run_template(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *xml = NULL;

	xml = omacpctl_template_build(template_name, &error);
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
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *user_pin = NULL;
	OmacpEncodeOptions o = { .sec = OMACP_SEC_NONE, .output = OMACP_ENCODE_OUTPUT_SMS };
	const char *data;
	gsize len = 0;

	g_option_context_set_summary(
	        ctx, _("Prints one hex PDU per line. With --sec userpinmac the PIN the user must "
	               "type is printed on standard error."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	omacpctl_template_add_options(ctx);
	g_option_context_add_main_entries(ctx, entries_after_template, GETTEXT_PACKAGE);
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
	if (sec_name != NULL && !omacp_sec_from_string(sec_name, &o.sec)) {
		fprintf(stderr, _("omacpctl encode: unknown --sec '%s'\n"), sec_name);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (output_name != NULL && !omacp_encode_output_from_string(output_name, &o.output)) {
		fprintf(stderr, _("omacpctl encode: unknown --output '%s'\n"), output_name);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (ref < -1 || ref > 255) {
		fprintf(stderr, "%s", _("omacpctl encode: --ref must be 0..255\n"));
		return OMACPCTL_EXIT_FAILURE;
	}
	o.imsi = imsi;
	o.pin = pin;
	o.sender = sender;
	o.to = to;
	o.smsc = smsc;
	o.ref = ref;
	o.force = force;

	text = read_document(files[0], &error);
	if (text == NULL) {
		fprintf(stderr, "omacpctl encode: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	data = g_bytes_get_data(text, &len);
	items = omacp_encode_document(data, len, &o, &user_pin, warnings, &error);
	for (guint i = 0; i < warnings->len; i++)
		fprintf(stderr, "omacpctl encode: %s: %s\n", files[0],
		        (const char *) g_ptr_array_index(warnings, i));
	if (items == NULL) {
		fprintf(stderr, "omacpctl encode: %s: %s\n", files[0], error->message);
		return g_error_matches(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS) ||
		                       g_error_matches(error, OMACP_ERROR, OMACP_ERROR_NO_KEY) ||
		                       g_error_matches(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN)
		               ? OMACPCTL_EXIT_FAILURE
		               : OMACPCTL_EXIT_MALFORMED;
	}
	if (user_pin != NULL)
		fprintf(stderr, _("PIN to give the user: %s\n"), user_pin);
	for (guint i = 0; i < items->len; i++)
		print_hex_line(g_ptr_array_index(items, i));
	return OMACPCTL_EXIT_OK;
}
