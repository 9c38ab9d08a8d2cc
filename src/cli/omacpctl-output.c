/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "omacpctl-output.h"

#include "omacp.h"

#include <glib/gi18n.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

OmacpctlOutput omacpctl_output;

#define OUTPUT_ENTRIES                                                                             \
	{ "terse",                                                                                 \
	  't',                                                                                     \
	  0,                                                                                       \
	  G_OPTION_ARG_NONE,                                                                       \
	  &omacpctl_output.terse,                                                                  \
	  N_("Terse output for scripts: values separated by ':', no headers"),                     \
	  NULL },                                                                                  \
	        { "fields",                                                                        \
		  'f',                                                                             \
		  0,                                                                               \
		  G_OPTION_ARG_STRING,                                                             \
		  &omacpctl_output.fields,                                                         \
		  N_("Print only these fields (comma-separated; 'all' for every field)"),          \
		  N_("FIELD,...") },                                                               \
	        { "json",                                                                          \
		  'j',                                                                             \
		  0,                                                                               \
		  G_OPTION_ARG_NONE,                                                               \
		  &omacpctl_output.json,                                                           \
		  N_("Print JSON (one object with a \"version\" key)"),                            \
		  NULL },                                                                          \
	{                                                                                          \
		"color", 0, 0, G_OPTION_ARG_STRING, &omacpctl_output.color_when,                   \
		        N_("Colours: auto (on a terminal, unless NO_COLOR is set), always or "     \
		           "never"),                                                               \
		        N_("WHEN")                                                                 \
	}

const GOptionEntry omacpctl_output_entries[] = {
	OUTPUT_ENTRIES,
	{ "details", 'd', 0, G_OPTION_ARG_NONE, &omacpctl_output.details,
	  N_("Also show what each backend holds (e.g. networkmanager:gsm.password-flags)"), NULL },
	{ NULL },
};

const GOptionEntry omacpctl_output_entries_brief[] = {
	OUTPUT_ENTRIES,
	{ NULL },
};

void
omacpctl_output_reset(void)
{
	g_clear_pointer(&omacpctl_output.fields, g_free);
	g_clear_pointer(&omacpctl_output.color_when, g_free);
	omacpctl_output.terse = FALSE;
	omacpctl_output.json = FALSE;
	omacpctl_output.details = FALSE;
	omacpctl_output.color = FALSE;
}

/* Options before the verb: -t, --terse, -j, --json, -d, --details,
 * -f FIELDS, --fields[=]FIELDS, --color[=]WHEN. */
gboolean
omacpctl_output_parse_global(int *argc, char ***argv, GError **error)
{
	char **v = *argv;
	int out = 1;
	int i = 1;

	for (; i < *argc; i++) {
		const char *a = v[i];
		char **target = NULL;
		const char *value = NULL;

		if (a[0] != '-' || g_str_equal(a, "-"))
			break;
		if (g_str_equal(a, "-t") || g_str_equal(a, "--terse")) {
			omacpctl_output.terse = TRUE;
			continue;
		}
		if (g_str_equal(a, "-j") || g_str_equal(a, "--json")) {
			omacpctl_output.json = TRUE;
			continue;
		}
		if (g_str_equal(a, "-d") || g_str_equal(a, "--details")) {
			omacpctl_output.details = TRUE;
			continue;
		}
		if (g_str_equal(a, "-f") || g_str_equal(a, "--fields")) {
			target = &omacpctl_output.fields;
		} else if (g_str_has_prefix(a, "--fields=")) {
			target = &omacpctl_output.fields;
			value = a + strlen("--fields=");
		} else if (g_str_equal(a, "--color")) {
			target = &omacpctl_output.color_when;
		} else if (g_str_has_prefix(a, "--color=")) {
			target = &omacpctl_output.color_when;
			value = a + strlen("--color=");
		} else {
			break; /* --help, --version, unknown: main() decides */
		}
		if (value == NULL) {
			if (i + 1 >= *argc) {
				g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				            _("Missing argument for %s"), a);
				return FALSE;
			}
			value = v[++i];
		}
		g_free(*target);
		*target = g_strdup(value);
	}
	/* keep argv[0] and everything from the verb on */
	for (; i < *argc; i++)
		v[out++] = v[i];
	v[out] = NULL;
	*argc = out;
	return TRUE;
}

gboolean
omacpctl_output_setup(FILE *out, GError **error)
{
	const char *when = omacpctl_output.color_when ? omacpctl_output.color_when : "auto";
	const char *no_color = g_getenv("NO_COLOR");

	if (omacpctl_output.json && omacpctl_output.terse) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            _("--json and --terse exclude each other"));
		return FALSE;
	}
	if (g_str_equal(when, "always") || g_str_equal(when, "yes")) {
		omacpctl_output.color = TRUE;
	} else if (g_str_equal(when, "never") || g_str_equal(when, "no")) {
		omacpctl_output.color = FALSE;
	} else if (g_str_equal(when, "auto")) {
		const char *term = g_getenv("TERM");

		omacpctl_output.color = isatty(fileno(out)) && (no_color == NULL || !*no_color) &&
		                        g_strcmp0(term, "dumb") != 0;
	} else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            _("--color takes auto, always or never, not '%s'"), when);
		return FALSE;
	}
	if (omacpctl_output.terse || omacpctl_output.json)
		omacpctl_output.color = FALSE;
	return TRUE;
}

const char *
omacpctl_color(const char *name)
{
	static const struct {
		const char *name;
		const char *code;
	} codes[] = {
		{ "bold", "\033[1m" },    { "red", "\033[31m" }, { "green", "\033[32m" },
		{ "yellow", "\033[33m" }, { "dim", "\033[2m" },
	};

	if (!omacpctl_output.color || name == NULL)
		return "";
	for (guint i = 0; i < G_N_ELEMENTS(codes); i++) {
		if (g_str_equal(codes[i].name, name))
			return codes[i].code;
	}
	return "";
}

const char *
omacpctl_color_off(void)
{
	return omacpctl_output.color ? "\033[0m" : "";
}

const char *
omacpctl_state_color(OmacpMessageState state)
{
	switch (state) {
	case OMACP_MESSAGE_STATE_APPLIED:
		return "green";
	case OMACP_MESSAGE_STATE_REJECTED:
	case OMACP_MESSAGE_STATE_FAILED:
		return "red";
	case OMACP_MESSAGE_STATE_PENDING_PIN:
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
	case OMACP_MESSAGE_STATE_QUARANTINED:
		return "yellow";
	case OMACP_MESSAGE_STATE_RECEIVING:
	case OMACP_MESSAGE_STATE_ACCEPTED:
	case OMACP_MESSAGE_STATE_UNDONE:
		break;
	}
	return NULL;
}

gboolean
omacpctl_field_wanted(const char *field)
{
	g_auto(GStrv) wanted = NULL;

	if (omacpctl_output.fields == NULL ||
	    g_ascii_strcasecmp(omacpctl_output.fields, "all") == 0 ||
	    g_ascii_strcasecmp(omacpctl_output.fields, "common") == 0)
		return TRUE;
	wanted = g_strsplit(omacpctl_output.fields, ",", -1);
	for (guint i = 0; wanted[i] != NULL; i++) {
		const char *w = g_strstrip(wanted[i]);
		gsize n = strlen(w);

		if (n == 0)
			continue;
		if (g_ascii_strncasecmp(field, w, n) == 0 &&
		    (field[n] == '\0' || field[n] == '.' || field[n] == '['))
			return TRUE;
	}
	return FALSE;
}

/* nmcli's terse escaping: ':' and '\' get a backslash. */
static void
print_terse_value(FILE *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == ':' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
}

/* ---- escaping ---- */

char *
omacpctl_escape(const char *text, gboolean keep_newlines)
{
	GString *out;
	const char *end = NULL;

	if (text == NULL)
		return g_strdup("");
	out = g_string_sized_new(strlen(text));
	g_utf8_validate(text, -1, &end);
	for (const char *p = text; *p != '\0';) {
		gunichar c;

		if (p >= end) {
			g_string_append_printf(out, "\\x%02X", (guint) (guchar) *p);
			p++;
			continue;
		}
		c = g_utf8_get_char(p);
		if (keep_newlines && c == '\n')
			g_string_append_c(out, '\n');
		else if (c < 0x20 || c == 0x7F)
			g_string_append_printf(out, "\\x%02X", c);
		else if (c >= 0x80 && c <= 0x9F)
			g_string_append_printf(out, "\\u{%04X}", c);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

char *
omacpctl_escape_printf(const char *format, ...)
{
	va_list args;
	g_autofree char *text = NULL;

	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	return omacpctl_escape(text, FALSE);
}

const char *
omacpctl_security_label_text(const char *security, gboolean authenticated)
{
	gboolean pin_only =
	        g_strcmp0(security, "userpin") == 0 || g_strcmp0(security, "userpinmac") == 0;

	if (!authenticated)
		return _("not authenticated");
	/* TRANSLATORS: the sender chose the PIN and may have texted it: a right
	 * PIN proves nothing about who sent the message */
	return pin_only ? _("PIN verified") : _("authenticated");
}

char *
omacpctl_security_label(const char *security, gboolean authenticated)
{
	return g_strdup_printf("%s (%s)", security != NULL ? security : "",
	                       omacpctl_security_label_text(security, authenticated));
}

const char *
omacpctl_security_color(const char *security, gboolean authenticated)
{
	if (!authenticated || g_strcmp0(security, "userpin") == 0 ||
	    g_strcmp0(security, "userpinmac") == 0)
		return NULL;
	return "green";
}

/* ---- the risks first ---- */

static void
add_risk_summary(OmacpctlRecord *rec, GPtrArray *lines)
{
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < lines->len; i++)
		g_string_append_printf(text, "%s%s", i > 0 ? "\n" : "",
		                       (const char *) g_ptr_array_index(lines, i));
	omacpctl_record_add_text(rec, "risks", _("Risks"), lines->len > 0 ? text->str : _("(none)"),
	                         lines->len > 0 ? "red" : NULL);
}

void
omacpctl_add_risk_summary(OmacpctlRecord *rec, GVariant *changes)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	GVariantIter iter;
	GVariant *next;

	if (changes != NULL) {
		g_variant_iter_init(&iter, changes);
		while ((next = g_variant_iter_next_value(&iter)) != NULL) {
			g_autoptr(GVariant) entry = next;
			const char *profile = "";
			const char *risk = "";
			char *line;

			g_variant_lookup(entry, "profile", "&s", &profile);
			g_variant_lookup(entry, "risk", "&s", &risk);
			if (risk[0] == '\0')
				continue;
			line = omacpctl_escape_printf("%s: %s", profile, risk);
			if (g_hash_table_contains(seen, line)) {
				g_free(line);
				continue;
			}
			g_ptr_array_add(lines, line);
			g_hash_table_add(seen, line);
		}
	}
	add_risk_summary(rec, lines);
}

void
omacpctl_add_risk_summary_profiles(OmacpctlRecord *rec, GPtrArray *profiles)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; profiles != NULL && i < profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(profiles, i);

		for (guint r = 0; p->risks != NULL && r < p->risks->len; r++)
			g_ptr_array_add(lines,
			                omacpctl_escape_printf(
			                        "%s: %s", p->identity,
			                        (const char *) g_ptr_array_index(p->risks, r)));
	}
	add_risk_summary(rec, lines);
}

/* ---- tables ---- */

struct OmacpctlTable {
	GStrv fields;
	GStrv headers;
	GPtrArray *rows;   /* GStrv */
	GPtrArray *colors; /* GStrv or NULL */
};

OmacpctlTable *
omacpctl_table_new(const char *const *fields, const char *const *headers)
{
	OmacpctlTable *t = g_new0(OmacpctlTable, 1);

	t->fields = g_strdupv((char **) fields);
	t->headers = g_strdupv((char **) headers);
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
	t->colors = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
	return t;
}

void
omacpctl_table_add(OmacpctlTable *t, const char *const *values, const char *const *colors)
{
	guint n = g_strv_length(t->fields);
	GStrv row = g_new0(char *, n + 1);
	GStrv col = g_new0(char *, n + 1);

	/* a value from an SMS may carry CR, LF, ESC or C1 CSI */
	for (guint i = 0; i < n; i++) {
		row[i] = omacpctl_escape(values[i] && *values[i] ? values[i] : "-", FALSE);
		col[i] = g_strdup(colors && colors[i] ? colors[i] : "");
	}
	g_ptr_array_add(t->rows, row);
	g_ptr_array_add(t->colors, col);
}

gboolean
omacpctl_table_print(OmacpctlTable *t, FILE *out, GError **error)
{
	guint n = g_strv_length(t->fields);
	g_autoptr(GArray) cols = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autofree guint *width = g_new0(guint, n);

	if (omacpctl_output.fields != NULL &&
	    g_ascii_strcasecmp(omacpctl_output.fields, "all") != 0 &&
	    g_ascii_strcasecmp(omacpctl_output.fields, "common") != 0) {
		g_auto(GStrv) wanted = g_strsplit(omacpctl_output.fields, ",", -1);

		for (guint w = 0; wanted[w] != NULL; w++) {
			guint found = n;

			for (guint i = 0; i < n; i++) {
				if (g_ascii_strcasecmp(g_strstrip(wanted[w]), t->fields[i]) == 0)
					found = i;
			}
			if (found == n) {
				g_autofree char *known = g_strjoinv(",", t->fields);

				g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				            _("unknown field '%s' (fields: %s)"), wanted[w], known);
				return FALSE;
			}
			g_array_append_val(cols, found);
		}
	} else {
		for (guint i = 0; i < n; i++)
			g_array_append_val(cols, i);
	}
	for (guint i = 0; i < n; i++) {
		width[i] = g_utf8_strlen(t->headers[i], -1);
		for (guint r = 0; r < t->rows->len; r++) {
			GStrv row = g_ptr_array_index(t->rows, r);

			width[i] = MAX(width[i], (guint) g_utf8_strlen(row[i], -1));
		}
	}
	if (!omacpctl_output.terse) {
		fputs(omacpctl_color("bold"), out);
		for (guint c = 0; c < cols->len; c++) {
			guint i = g_array_index(cols, guint, c);

			if (c + 1 < cols->len)
				fprintf(out, "%s%*s  ", t->headers[i],
				        (int) (width[i] - g_utf8_strlen(t->headers[i], -1)), "");
			else
				fputs(t->headers[i], out);
		}
		fprintf(out, "%s\n", omacpctl_color_off());
	}
	for (guint r = 0; r < t->rows->len; r++) {
		GStrv row = g_ptr_array_index(t->rows, r);
		GStrv col = g_ptr_array_index(t->colors, r);

		for (guint c = 0; c < cols->len; c++) {
			guint i = g_array_index(cols, guint, c);

			if (omacpctl_output.terse) {
				if (c > 0)
					fputc(':', out);
				print_terse_value(out, row[i]);
				continue;
			}
			fprintf(out, "%s%s%s", omacpctl_color(col[i]), row[i],
			        *omacpctl_color(col[i]) ? omacpctl_color_off() : "");
			if (c + 1 < cols->len)
				fprintf(out, "%*s  ", (int) (width[i] - g_utf8_strlen(row[i], -1)),
				        "");
		}
		fputc('\n', out);
	}
	return TRUE;
}

void
omacpctl_table_free(OmacpctlTable *t)
{
	if (t == NULL)
		return;
	g_strfreev(t->fields);
	g_strfreev(t->headers);
	g_ptr_array_unref(t->rows);
	g_ptr_array_unref(t->colors);
	g_free(t);
}

/* ---- records ---- */

typedef struct {
	char *field; /* NULL: a heading */
	char *label;
	char *value; /* may hold several lines */
	char *color;
	gboolean nested; /* under a heading */
} Line;

struct OmacpctlRecord {
	GArray *lines;
	gboolean in_section;
};

static void
line_clear(Line *l)
{
	g_free(l->field);
	g_free(l->label);
	g_free(l->value);
	g_free(l->color);
}

OmacpctlRecord *
omacpctl_record_new(void)
{
	OmacpctlRecord *r = g_new0(OmacpctlRecord, 1);

	r->lines = g_array_new(FALSE, TRUE, sizeof(Line));
	g_array_set_clear_func(r->lines, (GDestroyNotify) line_clear);
	return r;
}

void
omacpctl_record_free(OmacpctlRecord *r)
{
	if (r == NULL)
		return;
	g_array_unref(r->lines);
	g_free(r);
}

void
omacpctl_record_add(OmacpctlRecord *r, const char *field, const char *label, const char *value,
                    const char *color)
{
	/* one line: a CR or LF from an SMS must not start a line of its own,
	 * nor any other control character reach the terminal, also in labels
	 * (dictionary keys come from the daemon) */
	Line l = { g_strdup(field), omacpctl_escape(label, FALSE),
		   omacpctl_escape(value && *value ? value : "-", FALSE), g_strdup(color),
		   r->in_section };

	g_array_append_val(r->lines, l);
}

void
omacpctl_record_add_text(OmacpctlRecord *r, const char *field, const char *label, const char *value,
                         const char *color)
{
	Line l = { g_strdup(field), omacpctl_escape(label, FALSE),
		   omacpctl_escape(value && *value ? value : "-", TRUE), g_strdup(color),
		   r->in_section };

	g_array_append_val(r->lines, l);
}

void
omacpctl_record_heading(OmacpctlRecord *r, const char *text)
{
	Line l = { NULL, omacpctl_escape(text, FALSE), NULL, NULL, FALSE };

	g_array_append_val(r->lines, l);
	r->in_section = TRUE;
}

const char *
omacpctl_setting_label(const char *key)
{
	static const struct {
		const char *key;
		const char *label;
	} labels[] = {
		{ "address", N_("Address") },
		{ "address-type", N_("Address type") },
		{ "apn", N_("Access point (APN)") },
		{ "appid", N_("Application ID") },
		{ "auth", N_("Authentication method") },
		{ "auth-type", N_("Authentication type") },
		{ "bearer", N_("Bearer") },
		{ "context-allow", N_("Contexts allowed") },
		{ "dns", N_("DNS server") },
		{ "eap-type", N_("EAP method") },
		{ "edited-by-hand", N_("Edited by hand") },
		{ "from", N_("Sender address") },
		{ "hidden", N_("Hidden network") },
		{ "host", N_("Server") },
		{ "iccid", N_("SIM card (ICCID)") },
		{ "init", N_("Contact the server now") },
		{ "ip-type", N_("IP version") },
		{ "level", N_("Level") },
		{ "mms-proxy", N_("MMS proxy") },
		{ "mmsc", N_("MMS centre (MMSC)") },
		{ "mode", N_("Mode") },
		{ "name", N_("Name") },
		{ "napid", N_("Access point ID") },
		{ "nonce-set", N_("Nonce given") },
		{ "password", N_("Password") },
		{ "password-set", N_("Password given") },
		{ "port", N_("Port") },
		{ "protocol", N_("Protocol") },
		{ "provurl", N_("Provisioning URL") },
		{ "proxy", N_("HTTP proxy") },
		{ "proxy-id", N_("Proxy ID") },
		{ "psk", N_("Passphrase") },
		{ "psk-set", N_("Passphrase given") },
		{ "security", N_("Security") },
		{ "server-id", N_("Server ID") },
		{ "ssid", N_("Network name (SSID)") },
		{ "startpage", N_("Start page") },
		{ "type", N_("Type") },
		{ "uri", N_("URI") },
		{ "username", N_("User name") },
		{ "wap-gateway", N_("WAP gateway") },
		{ "wep-key", N_("WEP key") },
		{ "wep-key-set", N_("WEP key given") },
	};

	for (guint i = 0; i < G_N_ELEMENTS(labels); i++) {
		if (g_str_equal(labels[i].key, key))
			return _(labels[i].label);
	}
	return key;
}

const char *
omacpctl_state_label(OmacpMessageState state)
{
	switch (state) {
	case OMACP_MESSAGE_STATE_RECEIVING:
		return _("waiting for more segments");
	case OMACP_MESSAGE_STATE_PENDING_PIN:
		return _("waiting for the PIN the sender gave you");
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
		return _("waiting for your confirmation");
	case OMACP_MESSAGE_STATE_QUARANTINED:
		return _("not signed: kept, applied only if you accept it");
	case OMACP_MESSAGE_STATE_ACCEPTED:
		return _("accepted, waiting to be applied");
	case OMACP_MESSAGE_STATE_APPLIED:
		return _("applied");
	case OMACP_MESSAGE_STATE_REJECTED:
		return _("rejected");
	case OMACP_MESSAGE_STATE_FAILED:
		return _("applying failed");
	case OMACP_MESSAGE_STATE_UNDONE:
		return _("undone");
	}
	return omacp_message_state_to_string(state);
}

static char *render_scalar(GVariant *v);

/* "label: value, label: value" of a dictionary with string keys (a{sv},
 * a{st}, ...). */
static char *
render_dict(GVariant *dict)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (gsize i = 0; i < g_variant_n_children(dict); i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(dict, i);
		g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);
		g_autoptr(GVariant) value = g_variant_get_child_value(entry, 1);
		g_autofree char *text = render_scalar(value);

		g_autofree char *label = omacpctl_escape(
		        omacpctl_setting_label(g_variant_get_string(key, NULL)), FALSE);

		g_string_append_printf(s, "%s%s: %s", s->len ? ", " : "", label, text);
	}
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean
is_string_dict(GVariant *v)
{
	const GVariantType *t = g_variant_get_type(v);

	return g_variant_type_is_array(t) &&
	       g_variant_type_is_dict_entry(g_variant_type_element(t)) &&
	       g_variant_type_equal(g_variant_type_key(g_variant_type_element(t)),
	                            G_VARIANT_TYPE_STRING);
}

static char *
render_scalar(GVariant *v)
{
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(v);

		return render_scalar(inner);
	}
	/* escaped here, so that the lines a list becomes are the only ones */
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
	    g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH))
		return omacpctl_escape(g_variant_get_string(v, NULL), FALSE);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(v) ? _("yes") : _("no"));
	if (is_string_dict(v))
		return render_dict(v);
	if (g_variant_is_container(v)) {
		g_autoptr(GString) s = g_string_new(NULL);

		for (gsize i = 0; i < g_variant_n_children(v); i++) {
			g_autoptr(GVariant) child = g_variant_get_child_value(v, i);
			g_autofree char *text = render_scalar(child);

			g_string_append_printf(s, "%s%s", s->len ? ", " : "", text);
		}
		return g_string_free(g_steal_pointer(&s), FALSE);
	}
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BYTE))
		return g_strdup_printf("%u", g_variant_get_byte(v));
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT32))
		return g_strdup_printf("%d", g_variant_get_int32(v));
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32))
		return g_strdup_printf("%u", g_variant_get_uint32(v));
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64))
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(v));
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64))
		return g_strdup_printf("%" G_GUINT64_FORMAT, g_variant_get_uint64(v));
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_DOUBLE))
		return g_strdup_printf("%g", g_variant_get_double(v));
	return g_strdup("?");
}

char *
omacpctl_render_variant(GVariant *v)
{
	g_autoptr(GVariant) value = NULL;

	value = g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT) ? g_variant_get_variant(v)
	                                                        : g_variant_ref(v);
	/* a list of dictionaries or of lists: one line each */
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_ARRAY) &&
	    !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY) &&
	    !g_variant_is_of_type(value, G_VARIANT_TYPE_BYTESTRING) && !is_string_dict(value) &&
	    g_variant_type_is_container(g_variant_type_element(g_variant_get_type(value)))) {
		g_autoptr(GString) s = g_string_new(NULL);

		for (gsize i = 0; i < g_variant_n_children(value); i++) {
			g_autoptr(GVariant) child = g_variant_get_child_value(value, i);
			g_autofree char *text = render_scalar(child);

			g_string_append_printf(s, "%s%s", s->len ? "\n" : "", text);
		}
		return g_string_free(g_steal_pointer(&s), FALSE);
	}
	return render_scalar(value);
}

void
omacpctl_record_add_variant(OmacpctlRecord *r, const char *field, const char *label, GVariant *v)
{
	g_autofree char *text = omacpctl_render_variant(v);

	/* its strings are escaped: the lines are those of a list */
	omacpctl_record_add_text(r, field, label, text, NULL);
}

guint
omacpctl_record_print(OmacpctlRecord *r, FILE *out)
{
	guint width = 0;
	guint printed = 0;
	gboolean any = FALSE;
	gboolean heading_pending = FALSE;
	const char *heading = NULL;

	for (guint i = 0; i < r->lines->len; i++) {
		Line *l = &g_array_index(r->lines, Line, i);

		if (l->field != NULL)
			width = MAX(width,
			            (guint) g_utf8_strlen(l->label, -1) + (l->nested ? 2 : 0));
	}
	width = MAX(width + 1, 16);
	for (guint i = 0; i < r->lines->len; i++) {
		Line *l = &g_array_index(r->lines, Line, i);
		g_auto(GStrv) parts = NULL;

		if (l->field == NULL) {
			heading = l->label;
			heading_pending = TRUE;
			continue;
		}
		if (!omacpctl_field_wanted(l->field))
			continue;
		printed++;
		parts = g_strsplit(l->value, "\n", -1);
		if (omacpctl_output.terse) {
			for (guint p = 0; parts[p] != NULL; p++) {
				if (parts[1] != NULL)
					fprintf(out, "%s[%u]:", l->field, p + 1);
				else
					fprintf(out, "%s:", l->field);
				fprintf(out, "%s\n", parts[p]);
			}
			continue;
		}
		if (heading_pending && heading != NULL) {
			fprintf(out, "%s%s%s%s\n", any ? "\n" : "", omacpctl_color("bold"), heading,
			        omacpctl_color_off());
			heading_pending = FALSE;
		}
		any = TRUE;
		for (guint p = 0; parts[p] != NULL; p++) {
			const char *label = p == 0 ? l->label : "";
			guint pad = width - g_utf8_strlen(label, -1) - (l->nested ? 2 : 0);

			fprintf(out, "%s%s%s%*s%s%s%s\n", l->nested ? "  " : "", label,
			        p == 0 && *label ? ":" : " ", (int) pad, "",
			        omacpctl_color(l->color), parts[p],
			        *omacpctl_color(l->color) ? omacpctl_color_off() : "");
		}
	}
	return printed;
}

/* ---- JSON ---- */

char *
omacpctl_kebab(const char *camel)
{
	GString *s = g_string_new(NULL);

	for (const char *p = camel; *p; p++) {
		if (g_ascii_isupper(*p)) {
			if (s->len > 0)
				g_string_append_c(s, '-');
			g_string_append_c(s, g_ascii_tolower(*p));
		} else {
			g_string_append_c(s, *p);
		}
	}
	return g_string_free(s, FALSE);
}

static JsonNode *
iso_time(guint64 us)
{
	g_autoptr(GDateTime) dt = NULL;
	JsonNode *node = json_node_new(JSON_NODE_VALUE);

	if (us == 0 ||
	    (dt = g_date_time_new_from_unix_utc((gint64) (us / G_USEC_PER_SEC))) == NULL) {
		json_node_init_null(node);
		return node;
	}
	{
		g_autofree char *text = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");

		json_node_set_string(node, text);
	}
	return node;
}

JsonNode *
omacpctl_variant_to_json(GVariant *value, gboolean kebab_keys)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(value);

		return omacpctl_variant_to_json(inner, kebab_keys);
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT)) {
		JsonNode *node = json_node_new(JSON_NODE_OBJECT);
		JsonObject *obj = json_object_new();
		GVariantIter iter;
		const char *key;
		GVariant *v;

		g_variant_iter_init(&iter, value);
		while (g_variant_iter_next(&iter, "{&sv}", &key, &v)) {
			g_autofree char *name = kebab_keys ? omacpctl_kebab(key) : g_strdup(key);
			g_autoptr(GVariant) inner = v; /* "{&sv}" gives the value itself */

			if (kebab_keys && g_str_has_suffix(key, "At") &&
			    g_variant_is_of_type(inner, G_VARIANT_TYPE_UINT64))
				json_object_set_member(obj, name,
				                       iso_time(g_variant_get_uint64(inner)));
			else
				json_object_set_member(obj, name,
				                       omacpctl_variant_to_json(inner, FALSE));
		}
		json_node_take_object(node, obj);
		return node;
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE("a(ss)"))) {
		/* Targets: backend -> identifier */
		JsonNode *node = json_node_new(JSON_NODE_OBJECT);
		JsonObject *obj = json_object_new();
		GVariantIter iter;
		const char *a;
		const char *b;

		g_variant_iter_init(&iter, value);
		while (g_variant_iter_next(&iter, "(&s&s)", &a, &b))
			json_object_set_string_member(obj, a, b);
		json_node_take_object(node, obj);
		return node;
	}
	return json_gvariant_serialize(value);
}

JsonNode *
omacpctl_json_object_new(JsonObject **object)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonObject *obj = json_object_new();

	json_object_set_int_member(obj, "version", OMACPCTL_JSON_VERSION);
	json_node_take_object(node, obj);
	*object = obj;
	return node;
}

void
omacpctl_print_json(JsonNode *node, gboolean one_line)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;

	json_generator_set_pretty(gen, !one_line);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
	fflush(stdout);
	json_node_unref(node);
}
