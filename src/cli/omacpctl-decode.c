/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacpctl decode: what a provisioning message would configure. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "hexinput.h"
#include "omacp.h"
#include "omacpctl.h"
#include "output.h"

typedef struct {
	GPtrArray *inputs; /* GBytes */
	GPtrArray *origin; /* char *: "FILE" or "FILE line N", per input */
} Inputs;

static void
inputs_clear(Inputs *in)
{
	g_clear_pointer(&in->inputs, g_ptr_array_unref);
	g_clear_pointer(&in->origin, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Inputs, inputs_clear)

static gboolean
read_inputs(char **files, gboolean join, Inputs *in, GError **error)
{
	in->inputs = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	in->origin = g_ptr_array_new_with_free_func(g_free);
	for (guint f = 0; files[f] != NULL; f++) {
		g_autoptr(GError) local = NULL;
		g_autoptr(GPtrArray) items = omacp_input_read_file(files[f], join, &local);
		const char *name = g_str_equal(files[f], "-") ? "<stdin>" : files[f];

		if (items == NULL) {
			g_set_error(error, OMACP_ERROR, local->code, "%s: %s", name,
			            local->message);
			return FALSE;
		}
		for (guint i = 0; i < items->len; i++) {
			g_ptr_array_add(in->inputs, g_bytes_ref(g_ptr_array_index(items, i)));
			g_ptr_array_add(in->origin,
			                items->len > 1 ? g_strdup_printf("%s line %u", name, i + 1)
			                               : g_strdup(name));
		}
	}
	return TRUE;
}

/* Pipeline errors about one segment start "segment N: "; name the file (and
 * line) that segment came from instead. */
static char *
locate_error(const Inputs *in, const GError *error)
{
	guint n = 0;
	int consumed = 0;

	if (sscanf(error->message, "segment %u: %n", &n, &consumed) == 1 && consumed > 0 &&
	    n >= 1 && n <= in->origin->len)
		return g_strdup_printf("%s: %s",
		                       (const char *) g_ptr_array_index(in->origin, n - 1),
		                       error->message + consumed);
	if (in->origin->len == 1)
		return g_strdup_printf("%s: %s", (const char *) g_ptr_array_index(in->origin, 0),
		                       error->message);
	return g_strdup(error->message);
}

/* Without --format: XML text, a WBXML header, or else the first of
 * sms/tpdu/ud/wsp/wbxml that decodes. */
static GArray *
guess_formats(const Inputs *in)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(OmacpFormat));
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(g_ptr_array_index(in->inputs, 0), &len);
	OmacpFormat order[] = { OMACP_FORMAT_SMS, OMACP_FORMAT_TPDU, OMACP_FORMAT_UD,
		                OMACP_FORMAT_WSP, OMACP_FORMAT_WBXML };

	if (len > 0 && (d[0] == '<' || (len > 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF))) {
		OmacpFormat f = OMACP_FORMAT_XML;

		g_array_append_val(out, f);
		return out;
	}
	if (in->inputs->len == 1 && len >= 4 && d[0] <= 0x03 && (d[1] == 0x0B || d[1] <= 0x01)) {
		OmacpFormat f = OMACP_FORMAT_WBXML;

		g_array_append_val(out, f);
	}
	g_array_append_vals(out, order, G_N_ELEMENTS(order));
	return out;
}

/* SMS-SUBMIT PDUs (what `encode --output submit` and `campaign` write) are
 * decoded through their user data: with --format submit, or without
 * --format when every input parses as a SUBMIT. */
static gboolean
submits_to_user_data(Inputs *in, GError **error)
{
	g_autoptr(GPtrArray) uds = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);

	for (guint i = 0; i < in->inputs->len; i++) {
		g_autoptr(GError) local = NULL;
		GBytes *ud = omacp_sms_submit_user_data(g_ptr_array_index(in->inputs, i), &local);

		if (ud == NULL) {
			g_set_error(error, OMACP_ERROR, local->code, "%s: %s",
			            (const char *) g_ptr_array_index(in->origin, i),
			            local->message);
			return FALSE;
		}
		g_ptr_array_add(uds, ud);
	}
	g_ptr_array_unref(in->inputs);
	in->inputs = g_steal_pointer(&uds);
	return TRUE;
}

static char **imsis;
static char **pins;
static char *format_name;
static gboolean json;
static gboolean show_secrets;
static gboolean show_document;
static char **files;

static const GOptionEntry entries[] = {
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
	  N_("Input form: sms (SMSC + TPDU), tpdu, submit, ud, wsp, wbxml or xml (default: "
	     "guess)"),
	  "FORMAT" },
	{ "imsi", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &imsis,
	  N_("IMSI of a SIM, for NETWPIN and USERNETWPIN (repeatable)"), "IMSI" },
	{ "pin", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &pins, N_("PIN given to the user (repeatable)"),
	  "PIN" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
	{ "show-secrets", 0, 0, G_OPTION_ARG_NONE, &show_secrets,
	  N_("Show passwords and keys instead of masking them"), NULL },
	{ "document", 'd', 0, G_OPTION_ARG_NONE, &show_document,
	  N_("Also print the decoded XML document"), NULL },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE...") },
	{ NULL },
};

static GPtrArray *
strv_to_array(char **strv)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
		g_ptr_array_add(a, g_strdup(strv[i]));
	return a;
}

int
omacpctl_decode_main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx =
	        g_option_context_new(_("FILE... — decode a provisioning message"));
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) formats = NULL;
	g_autoptr(OmacpMessage) message = NULL;
	g_autoptr(GError) first_error = NULL;
	g_autoptr(GPtrArray) imsi_array = NULL;
	g_autoptr(GPtrArray) pin_array = NULL;
	g_auto(Inputs) in = { 0 };
	g_autoptr(OmacpMbpi) mbpi = NULL;
	OmacpKeys keys = { NULL, NULL, NULL };
	gboolean join;
	gboolean submit = FALSE;

	g_option_context_set_summary(
	        ctx, _("Each FILE holds one PDU as hex text or raw bytes; several FILEs (or lines "
	               "of one hex file) are the segments of one message, in any order. '-' reads "
	               "hex PDUs from standard input, one per line.\n"
	               "Exit status: 0 decoded, 2 malformed input, 3 authentication failed."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "omacpctl decode: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (files == NULL || files[0] == NULL) {
		fprintf(stderr, "%s", _("omacpctl decode: no input FILE given\n"));
		return OMACPCTL_EXIT_FAILURE;
	}
	if (g_strcmp0(format_name, "submit") == 0) {
		g_clear_pointer(&format_name, g_free);
		format_name = g_strdup("ud");
		submit = TRUE;
	}
	if (format_name != NULL) {
		OmacpFormat f;

		if (!omacp_format_from_string(format_name, &f)) {
			fprintf(stderr, _("omacpctl decode: unknown format '%s'\n"), format_name);
			return OMACPCTL_EXIT_FAILURE;
		}
		formats = g_array_new(FALSE, FALSE, sizeof(OmacpFormat));
		g_array_append_val(formats, f);
	}

	/* Documents are never segmented: their hex lines are one document. */
	join = formats != NULL &&
	       !omacp_format_is_segmented(g_array_index(formats, OmacpFormat, 0));
	if (!read_inputs(files, join, &in, &error)) {
		fprintf(stderr, "omacpctl: %s\n", error->message);
		return OMACPCTL_EXIT_MALFORMED;
	}
	if (in.inputs->len == 0) {
		fprintf(stderr, "%s", _("omacpctl decode: the input holds no PDU\n"));
		return OMACPCTL_EXIT_MALFORMED;
	}
	if (submit || formats == NULL) {
		g_autoptr(GError) local = NULL;

		if (submits_to_user_data(&in, &local)) {
			OmacpFormat ud = OMACP_FORMAT_UD;

			g_clear_pointer(&formats, g_array_unref);
			formats = g_array_new(FALSE, FALSE, sizeof(OmacpFormat));
			g_array_append_val(formats, ud);
		} else if (submit) {
			fprintf(stderr, "omacpctl: %s\n", local->message);
			return OMACPCTL_EXIT_MALFORMED;
		}
	}
	if (formats == NULL)
		formats = guess_formats(&in);

	imsi_array = strv_to_array(imsis);
	pin_array = strv_to_array(pins);
	keys.imsis = imsi_array;
	keys.pins = pin_array;
	/* Profiles are compared with the provider database when a SIM is named. */
	if (imsi_array != NULL && imsi_array->len > 0) {
		const char *path = g_getenv("OMACP_MBPI_DATABASE");
		g_autofree char *data = NULL;
		gsize len = 0;

		if (g_file_get_contents(path != NULL ? path : OMACP_MBPI_DATABASE, &data, &len,
		                        NULL))
			mbpi = omacp_mbpi_new_from_data(data, len, NULL);
		keys.mbpi = mbpi;
	}

	for (guint i = 0; i < formats->len && message == NULL; i++) {
		OmacpFormat f = g_array_index(formats, OmacpFormat, i);
		g_autoptr(GError) local = NULL;
		g_auto(Inputs) joined = { 0 };
		Inputs *use = &in;

		if (!omacp_format_is_segmented(f) && in.inputs->len > 1) {
			if (!read_inputs(files, TRUE, &joined, &local))
				continue;
			use = &joined;
			if (joined.inputs->len != 1)
				continue;
		}
		if (!omacp_message_decode(f, use->inputs, &keys, &message, &local)) {
			if (first_error == NULL)
				first_error = g_steal_pointer(&local);
		}
	}
	if (message == NULL) {
		g_autofree char *located = locate_error(&in, first_error);

		fprintf(stderr, "omacpctl: %s\n", located);
		return OMACPCTL_EXIT_MALFORMED;
	}

	if (json) {
		g_autoptr(JsonNode) node = omacp_message_to_json(message, show_secrets);
		g_autofree char *text = omacp_json_to_string(node, TRUE);

		printf("%s\n", text);
	} else {
		omacp_message_print(stdout, message, show_secrets, show_document);
	}
	return message->auth == OMACP_AUTH_INVALID ? OMACPCTL_EXIT_AUTH : OMACPCTL_EXIT_OK;
}
