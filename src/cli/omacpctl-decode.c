/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacpctl decode: what a provisioning message would configure. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "hexinput.h"
#include "omacp.h"
#include "omacpctl-output.h"
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

/* What omacpctl decode prints for a message: labelled lines, nested values
 * readable, field names for -f and -t. */
static OmacpctlRecord *
decode_record(const OmacpMessage *m, gboolean secrets)
{
	OmacpctlRecord *rec = omacpctl_record_new();
	g_autofree char *content = NULL;
	g_autofree char *security = NULL;
	g_autofree char *auth = NULL;
	const char *auth_color = NULL;

	if (m->segments != NULL && m->segments->len > 0) {
		const OmacpSms *first = g_ptr_array_index(m->segments, 0);
		g_autofree char *transport = NULL;
		g_autofree char *ports = NULL;

		transport = g_strdup_printf(_("%s, segments: %u"),
		                            omacp_format_to_string(m->format), m->segments->len);
		if (first->is_concat) {
			g_autofree char *t =
			        g_strdup_printf(_("%s, reference %u"), transport, first->ref);

			g_free(transport);
			transport = g_steal_pointer(&t);
		}
		omacpctl_record_add(rec, "transport", _("Transport"), transport, NULL);
		omacpctl_record_add(rec, "sender", _("Sender"), first->sender, NULL);
		if (first->smsc)
			omacpctl_record_add(rec, "smsc", _("SMSC"), first->smsc, NULL);
		ports = first->has_ports
		                ? g_strdup_printf("%u -> %u", first->src_port, first->dst_port)
		                : g_strdup(_("none (no port addressing IE)"));
		omacpctl_record_add(rec, "ports", _("Ports"), ports, NULL);
	}
	content = g_strdup_printf("%s (%s)", m->content_type ? m->content_type : "-",
	                          omacp_push_kind_to_string(m->kind));
	omacpctl_record_add(rec, "content-type", _("Content type"), content, NULL);
	security = g_strdup_printf(_("SEC %s, MAC %s"), omacp_sec_to_string(m->sec),
	                           m->mac ? m->mac : "-");
	omacpctl_record_add(rec, "security", _("Security"), security, NULL);
	auth = m->auth_detail ? g_strdup_printf("%s (%s)", omacp_auth_state_to_string(m->auth),
	                                        m->auth_detail)
	                      : g_strdup(omacp_auth_state_to_string(m->auth));
	if (m->auth == OMACP_AUTH_VALID)
		auth_color = "green";
	else if (m->auth == OMACP_AUTH_INVALID)
		auth_color = "red";
	omacpctl_record_add(rec, "authentication", _("Authentication"), auth, auth_color);
	omacpctl_add_risk_summary_profiles(rec, m->profiles);

	for (guint i = 0; m->profiles != NULL && i < m->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(m->profiles, i);
		g_autofree char *heading = NULL;
		g_autofree char *prefix = g_strdup_printf("profile%u", i + 1);
		GVariant *sets[] = { p->settings, secrets ? p->secrets : NULL };

		heading =
		        g_strdup_printf(_("Profile %u: %s \"%s\" [%s]%s"), i + 1,
		                        omacp_profile_kind_to_string(p->kind), p->name, p->identity,
		                        p->op == OMACP_OP_REMOVE  ? _(" (remove)")
		                        : p->op == OMACP_OP_QUERY ? _(" (query)")
		                                                  : "");
		omacpctl_record_heading(rec, heading);
		for (guint s = 0; s < G_N_ELEMENTS(sets); s++) {
			GVariantIter iter;
			const char *key;
			GVariant *value;

			if (sets[s] == NULL)
				continue;
			g_variant_iter_init(&iter, sets[s]);
			while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
				g_autofree char *field = g_strdup_printf("%s.%s", prefix, key);

				omacpctl_record_add_variant(rec, field, omacpctl_setting_label(key),
				                            value);
				g_variant_unref(value);
			}
		}
		for (guint r = 0; p->risks != NULL && r < p->risks->len; r++) {
			g_autofree char *field = g_strdup_printf("%s.risk", prefix);

			omacpctl_record_add(rec, field, _("Risk"), g_ptr_array_index(p->risks, r),
			                    "red");
		}
	}
	if (m->doc != NULL && m->doc->operations->len > 0) {
		omacpctl_record_heading(rec, _("Operations"));
		for (guint i = 0; i < m->doc->operations->len; i++) {
			const OmacpOperation *op = g_ptr_array_index(m->doc->operations, i);

			omacpctl_record_add(rec, "operations", omacp_op_to_string(op->op), op->path,
			                    NULL);
		}
	}
	if (m->warnings->len > 0) {
		omacpctl_record_heading(rec, _("Warnings"));
		for (guint i = 0; i < m->warnings->len; i++)
			omacpctl_record_add(rec, "warnings", _("Warning"),
			                    g_ptr_array_index(m->warnings, i), "yellow");
	}
	return rec;
}

static char **imsis;
static char **pins;
static char *format_name;
static gboolean show_secrets;
static gboolean show_document;
static char **files;

static const GOptionEntry entries[] = {
	{ "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
	  N_("Input form: sms (SMSC + TPDU), tpdu, submit, ud, wsp, wbxml or xml (default: "
	     "guess)"),
	  "FORMAT" },
	{ "imsi", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &imsis,
	  N_("IMSI of a SIM, for NETWPIN and USERNETWPIN (repeatable)"), "IMSI" },
	{ "pin", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &pins, N_("PIN given to the user (repeatable)"),
	  "PIN" },
	{ "show-secrets", 0, 0, G_OPTION_ARG_NONE, &show_secrets,
	  N_("Show passwords and keys instead of masking them"), NULL },
	{ "document", 0, 0, G_OPTION_ARG_NONE, &show_document,
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
	g_autoptr(GOptionContext) ctx = g_option_context_new(_("FILE…"));
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
	        ctx, _("Decode a provisioning message and show what it would configure.\n\n"
	               "Each FILE holds one PDU as hex text or raw bytes; several FILEs (or lines "
	               "of one hex file) are the segments of one message, in any order. '-' reads "
	               "hex PDUs from standard input, one per line.\n"
	               "Exit status: 0 decoded, 2 malformed input, 3 authentication failed."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(ctx, omacpctl_output_entries_brief, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) ||
	    !omacpctl_output_setup(stdout, &error)) {
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

	if (omacpctl_output.json) {
		JsonNode *node = omacp_message_to_json(message, show_secrets);
		JsonObject *obj;
		JsonNode *root = omacpctl_json_object_new(&obj);
		GList *members = json_object_get_members(json_node_get_object(node));

		/* "version" first, then the message's members */
		for (GList *l = members; l != NULL; l = l->next)
			json_object_set_member(
			        obj, l->data,
			        json_object_dup_member(json_node_get_object(node), l->data));
		g_list_free(members);
		json_node_unref(node);
		omacpctl_print_json(root, FALSE);
	} else {
		g_autoptr(OmacpctlRecord) rec = decode_record(message, show_secrets);
		g_autofree char *xml =
		        show_document ? omacp_message_document_text(message, !show_secrets) : NULL;

		omacpctl_record_print(rec, stdout);
		if (xml != NULL) {
			g_autofree char *shown = omacpctl_escape(xml, TRUE);

			printf(_("\nDocument:\n%s"), shown);
		}
	}
	return message->auth == OMACP_AUTH_INVALID ? OMACPCTL_EXIT_AUTH : OMACPCTL_EXIT_OK;
}
