/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacpctl verbs that talk to omacpd over D-Bus: list, show, accept, reject,
 * delete, remove, undo, deliver, monitor, agent. Plain GDBusConnection calls
 * and signal subscriptions; the names come from the header generated from the
 * introspection XML, the agent is exported with the generated interface info. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hexinput.h"
#include "omacp-dbus-generated.h"
#include "omacp-dbus-names.h"
#include "omacp.h"
#include "omacpctl-output.h"
#include "omacpctl.h"

#define BUS_NAME        OMACP_DBUS_NAME
#define ROOT_PATH       OMACP_DBUS_PATH
#define MESSAGE_PREFIX  OMACP_DBUS_MESSAGE_PREFIX
#define PROFILE_PREFIX  OMACP_DBUS_PROFILE_PREFIX
#define MANAGER_IFACE   OMACP_DBUS_MANAGER_INTERFACE
#define MESSAGE_IFACE   OMACP_DBUS_MESSAGE_INTERFACE
#define PROFILE_IFACE   OMACP_DBUS_PROFILE_INTERFACE
#define AGENT_PATH      "/org/omacp/ctl/agent"
#define CALL_TIMEOUT_MS (5 * 60 * 1000) /* polkit may ask for a password */
#define PIN_INPUT_MAX   128

/* options shared by the verbs */
static gboolean opt_session;
static gboolean opt_ask_password;
static gboolean opt_no_ask_password;
static gboolean opt_force;
static char *opt_pin;
static gboolean opt_activate;
static char *opt_format;
static char *opt_imsi;
static char *opt_sender;
static char *opt_modem;
static char *opt_confirm;
static gboolean opt_once;
static char **opt_args;

static const GOptionEntry bus_entries[] = {
	/* tests run omacpd on their session bus; users never need it */
	{ "session", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_session, NULL, NULL },
	{ "ask-password", 0, 0, G_OPTION_ARG_NONE, &opt_ask_password,
	  N_("Let polkit ask for a password even without a terminal (default: on a terminal)"),
	  NULL },
	{ "no-ask-password", 0, 0, G_OPTION_ARG_NONE, &opt_no_ask_password,
	  N_("Never let polkit ask for a password; fail instead"), NULL },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_args, NULL, NULL },
	{ NULL },
};

static const GOptionEntry accept_entries[] = {
	{ "pin", 'p', 0, G_OPTION_ARG_STRING, &opt_pin,
	  N_("The PIN the sender gave you (for USERPIN messages)"), N_("PIN") },
	{ "activate", 'a', 0, G_OPTION_ARG_NONE, &opt_activate,
	  N_("Switch the SIM's data connection to the new settings now"), NULL },
	{ "force", 0, 0, G_OPTION_ARG_NONE, &opt_force,
	  N_("Accept a quarantined (unsigned) message without asking"), NULL },
	{ NULL },
};

static const GOptionEntry deliver_entries[] = {
	{ "format", 0, 0, G_OPTION_ARG_STRING, &opt_format,
	  N_("Input form: sms (SMSC + TPDU), tpdu, ud, wsp, wbxml or xml (default: guess)"),
	  N_("FORMAT") },
	{ "imsi", 'i', 0, G_OPTION_ARG_STRING, &opt_imsi, N_("The SIM the message arrived on"),
	  N_("IMSI") },
	{ "sender", 's', 0, G_OPTION_ARG_STRING, &opt_sender, N_("The originating address"),
	  N_("NUMBER") },
	{ "modem", 'm', 0, G_OPTION_ARG_STRING, &opt_modem, N_("The modem it arrived on"),
	  N_("MODEM") },
	{ NULL },
};

static const GOptionEntry agent_entries[] = {
	{ "pin", 'p', 0, G_OPTION_ARG_STRING, &opt_pin,
	  N_("Answer every PIN request with PIN instead of asking"), N_("PIN") },
	{ "confirm", 'c', 0, G_OPTION_ARG_STRING, &opt_confirm,
	  N_("Answer every confirmation request with yes or no instead of asking"), "yes|no" },
	/* tests: leave after the first answer */
	{ "once", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_once, NULL, NULL },
	{ NULL },
};

static void
reset_options(void)
{
	opt_session = FALSE;
	opt_ask_password = FALSE;
	opt_no_ask_password = FALSE;
	opt_force = FALSE;
	opt_once = FALSE;
	g_clear_pointer(&opt_pin, g_free);
	opt_activate = FALSE;
	g_clear_pointer(&opt_format, g_free);
	g_clear_pointer(&opt_imsi, g_free);
	g_clear_pointer(&opt_sender, g_free);
	g_clear_pointer(&opt_modem, g_free);
	g_clear_pointer(&opt_confirm, g_free);
	g_clear_pointer(&opt_args, g_strfreev);
}

static guint
n_args(void)
{
	return opt_args != NULL ? g_strv_length(opt_args) : 0;
}

/* ---- errors ---- */

static const char *
short_path(const char *path)
{
	if (g_str_has_prefix(path, ROOT_PATH "/"))
		return path + strlen(ROOT_PATH "/");
	return path;
}

static gboolean
is_profile_path(const char *path)
{
	return g_str_has_prefix(path, PROFILE_PREFIX);
}

static int
exit_code_for(const GError *error)
{
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED))
		return OMACPCTL_EXIT_NOT_RUNNING;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
		return OMACPCTL_EXIT_NOT_FOUND;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
		return OMACPCTL_EXIT_DENIED;
	if (error->domain != OMACP_ERROR)
		return OMACPCTL_EXIT_FAILURE;
	switch ((OmacpError) error->code) {
	case OMACP_ERROR_TRUNCATED:
	case OMACP_ERROR_MALFORMED:
	case OMACP_ERROR_UNSUPPORTED:
	case OMACP_ERROR_NOT_PUSH:
	case OMACP_ERROR_INVALID_DOCUMENT:
	case OMACP_ERROR_TOO_LARGE:
	case OMACP_ERROR_INCOMPLETE:
		return OMACPCTL_EXIT_MALFORMED;
	case OMACP_ERROR_AUTH_FAILED:
	case OMACP_ERROR_NO_KEY:
		return OMACPCTL_EXIT_AUTH;
	case OMACP_ERROR_BAD_PIN:
		return OMACPCTL_EXIT_BAD_PIN;
	case OMACP_ERROR_NOT_FOUND:
		return OMACPCTL_EXIT_NOT_FOUND;
	case OMACP_ERROR_PERMISSION_DENIED:
	case OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED:
		return OMACPCTL_EXIT_DENIED;
	case OMACP_ERROR_FAILED:
	case OMACP_ERROR_INVALID_ARGS:
	case OMACP_ERROR_INVALID_STATE:
	case OMACP_ERROR_RATE_LIMITED:
	case OMACP_ERROR_BACKEND:
	case OMACP_ERROR_BACKEND_UNAVAILABLE:
	case OMACP_ERROR_STORE:
		break;
	}
	return OMACPCTL_EXIT_FAILURE;
}

/* Prints @error as a user reads it (for @path, the object it was about, or
 * NULL) and returns the exit status: "omacpd is not running", "no such
 * message", polkit refusals with what to do; omacpd's own errors keep their
 * D-Bus name for scripts and bug reports. */
static int
report_for(GError *error, const char *path)
{
	g_autofree char *name = g_dbus_error_encode_gerror(error);
	int status = exit_code_for(error);

	g_dbus_error_strip_remote_error(error);
	switch (status) {
	case OMACPCTL_EXIT_NOT_RUNNING:
		g_printerr("omacpctl: %s\n", _("omacpd is not running"));
		g_printerr("  %s\n", _("Start it with 'systemctl start omacpd' (or 'rc-service "
		                       "omacpd start')."));
		return status;
	case OMACPCTL_EXIT_NOT_FOUND:
		if (path != NULL) {
			if (is_profile_path(path))
				g_printerr(_("omacpctl: no such profile: %s\n"), short_path(path));
			else
				g_printerr(_("omacpctl: no such message: %s\n"), short_path(path));
			return status;
		}
		break;
	case OMACPCTL_EXIT_DENIED:
		g_printerr("omacpctl: %s: %s (%s)\n", _("permission denied"), error->message, name);
		if (g_error_matches(error, OMACP_ERROR,
		                    OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
			g_printerr("  %s\n",
			           _("polkit wants an administrator's password, and omacpctl "
			             "may not ask for one: run it on a terminal or with "
			             "--ask-password."));
		else
			g_printerr("  %s\n",
			           _("polkit allows this to administrators only (or to the "
			             "user at the device, as its rules say): ask one, or run "
			             "omacpctl with sudo."));
		return status;
	default:
		break;
	}
	if (error->domain == OMACP_ERROR || g_str_has_prefix(name, OMACP_DBUS_ERROR_PREFIX))
		g_printerr("omacpctl: %s (%s)\n", error->message, name);
	else
		g_printerr("omacpctl: %s\n", error->message);
	return status;
}

static int
report(GError *error)
{
	return report_for(error, NULL);
}

/* ---- connection and paths ---- */

static GDBusConnection *
connect_bus(GError **error)
{
	omacp_error_register();
	return g_bus_get_sync(opt_session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, error);
}

/* "3", "message/3", "profile/2" or a full object path. */
static char *
resolve_path(const char *arg, gboolean profile_default)
{
	guint64 n = 0;

	if (arg[0] == '/')
		return g_strdup(arg);
	if (g_str_has_prefix(arg, "message/"))
		return g_strconcat(MESSAGE_PREFIX, arg + strlen("message/"), NULL);
	if (g_str_has_prefix(arg, "profile/"))
		return g_strconcat(PROFILE_PREFIX, arg + strlen("profile/"), NULL);
	if (g_ascii_string_to_unsigned(arg, 10, 1, G_MAXUINT, &n, NULL))
		return g_strdup_printf("%s%" G_GUINT64_FORMAT,
		                       profile_default ? PROFILE_PREFIX : MESSAGE_PREFIX, n);
	return g_strdup(arg);
}

static GDBusCallFlags
call_flags(void)
{
	GDBusCallFlags flags = G_DBUS_CALL_FLAGS_NONE;

	/* like systemctl: polkit may ask for a password when someone is there
	 * to type it */
	if (!opt_no_ask_password && (opt_ask_password || isatty(STDIN_FILENO)))
		flags |= G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
	return flags;
}

static GVariant *
call(GDBusConnection *bus, const char *path, const char *iface, const char *method, GVariant *args,
     const GVariantType *reply_type, GError **error)
{
	return g_dbus_connection_call_sync(bus, BUS_NAME, path, iface, method, args, reply_type,
	                                   call_flags(), CALL_TIMEOUT_MS, NULL, error);
}

static GVariant *
get_all(GDBusConnection *bus, const char *path, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	GVariant *props;

	if (!g_variant_is_object_path(path) ||
	    (!g_str_has_prefix(path, MESSAGE_PREFIX) && !g_str_has_prefix(path, PROFILE_PREFIX))) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("'%s' is not a message or profile (give N, message/N or profile/N)"),
		            path);
		return NULL;
	}
	reply = call(bus, path, "org.freedesktop.DBus.Properties", "GetAll",
	             g_variant_new("(s)", is_profile_path(path) ? PROFILE_IFACE : MESSAGE_IFACE),
	             G_VARIANT_TYPE("(a{sv})"), error);
	if (reply == NULL)
		return NULL;
	g_variant_get(reply, "(@a{sv})", &props);
	if (g_variant_n_children(props) == 0) {
		g_variant_unref(props);
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND, _("%s does not exist"),
		            short_path(path));
		return NULL;
	}
	return props;
}

/* ---- what a message object does not carry ----
 *
 * A message's changes and its document are fetched per message with
 * Message.GetChanges and GetDocument: its object keeps the
 * summary only. with_heavy() puts them back into the properties where the
 * introspection lists them (after ContentType: Document, then Changes), so
 * that text and JSON read as they did when they were properties. */
typedef enum {
	HEAVY_CHANGES = 1 << 0,
	HEAVY_DOCUMENT = 1 << 1,
	HEAVY_ALL = HEAVY_CHANGES | HEAVY_DOCUMENT,
} HeavyFields;

/* @props with @changes and @document (either may be NULL: then what
 * @props has, if anything) in their places. A new floating-free value. */
static GVariant *
with_heavy(GVariant *props, GVariant *changes, GVariant *document)
{
	GVariantBuilder b;
	GVariantIter iter;
	const char *key;
	GVariant *value;
	gboolean placed = FALSE;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_iter_init(&iter, props);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		g_autoptr(GVariant) v = value;

		if ((document != NULL && g_str_equal(key, "Document")) ||
		    (changes != NULL && g_str_equal(key, "Changes")))
			continue;
		g_variant_builder_add(&b, "{sv}", key, v);
		if (g_str_equal(key, "ContentType")) {
			if (document != NULL)
				g_variant_builder_add(&b, "{sv}", "Document", document);
			if (changes != NULL)
				g_variant_builder_add(&b, "{sv}", "Changes", changes);
			placed = TRUE;
		}
	}
	if (!placed && document != NULL)
		g_variant_builder_add(&b, "{sv}", "Document", document);
	if (!placed && changes != NULL)
		g_variant_builder_add(&b, "{sv}", "Changes", changes);
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* One of the two getters; NULL without an error when omacpd predates it
 * (then the property, if any, stays). */
static GVariant *
get_heavy(GDBusConnection *bus, const char *path, const char *method, const char *type,
          GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GVariant) reply =
	        call(bus, path, MESSAGE_IFACE, method, NULL, G_VARIANT_TYPE(type), &local);

	if (reply == NULL) {
		if (!g_error_matches(local, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
			g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	return g_variant_get_child_value(reply, 0);
}

/* @props (a message's) with what @fields names fetched from omacpd; a new
 * reference, or NULL with @error set. */
static GVariant *
fetch_heavy(GDBusConnection *bus, const char *path, GVariant *props, HeavyFields fields,
            GError **error)
{
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) document = NULL;
	g_autoptr(GError) local = NULL;

	if (fields & HEAVY_CHANGES) {
		changes = get_heavy(bus, path, "GetChanges", "(aa{sv})", &local);
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			return NULL;
		}
	}
	if (fields & HEAVY_DOCUMENT) {
		document = get_heavy(bus, path, "GetDocument", "(s)", &local);
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			return NULL;
		}
	}
	return with_heavy(props, changes, document);
}

/* get_all() of a message or profile, with what @fields names of a message
 * fetched as well. */
static GVariant *
get_all_with(GDBusConnection *bus, const char *path, HeavyFields fields, GError **error)
{
	g_autoptr(GVariant) props = get_all(bus, path, error);

	if (props == NULL || is_profile_path(path) || fields == 0)
		return g_steal_pointer(&props);
	return fetch_heavy(bus, path, props, fields, error);
}

static void
variant_unref0(gpointer v)
{
	if (v != NULL)
		g_variant_unref(v);
}

/* Many messages at once (list --json): every call sent before the first
 * answer is read, so that N messages cost about one round trip, not 2N. */
typedef struct {
	GVariant **slot;
	guint *pending;
} HeavyCall;

static void
heavy_call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	HeavyCall *hc = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	/* a message deleted meanwhile is listed as it was */
	if (reply == NULL)
		g_debug("list: a message's changes or document: %s", error->message);
	else
		*hc->slot = g_variant_get_child_value(reply, 0);
	(*hc->pending)--;
	g_free(hc);
}

static void
heavy_call_start(GDBusConnection *bus, const char *path, const char *method, const char *type,
                 GVariant **slot, guint *pending)
{
	HeavyCall *hc = g_new0(HeavyCall, 1);

	hc->slot = slot;
	hc->pending = pending;
	(*pending)++;
	g_dbus_connection_call(bus, BUS_NAME, path, MESSAGE_IFACE, method, NULL,
	                       G_VARIANT_TYPE(type), call_flags(), CALL_TIMEOUT_MS, NULL,
	                       heavy_call_done, hc);
}

static const char *
lookup_str(GVariant *props, const char *key)
{
	const char *value = NULL;

	if (!g_variant_lookup(props, key, "&s", &value) &&
	    !g_variant_lookup(props, key, "&o", &value))
		return "";
	return value;
}

/* The colour of the State @name; none for a name this omacpctl does not
 * know (a newer omacpd's, or "removed"). */
static const char *
state_color(const char *name)
{
	OmacpMessageState state;

	return omacp_message_state_from_string(name, &state) ? omacpctl_state_color(state) : NULL;
}

static guint64
lookup_u64(GVariant *props, const char *key)
{
	guint64 t = 0;
	guint32 u = 0;

	if (g_variant_lookup(props, key, "t", &t))
		return t;
	if (g_variant_lookup(props, key, "u", &u))
		return u;
	return 0;
}

static char *
format_time(guint64 us)
{
	g_autoptr(GDateTime) dt = NULL;

	if (us == 0)
		return g_strdup("-");
	dt = g_date_time_new_from_unix_local((gint64) (us / G_USEC_PER_SEC));
	if (dt == NULL)
		return g_strdup("-");
	return g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
}

/* One message or profile as JSON: its D-Bus properties in kebab-case, with
 * "id" (message/N, profile/N) and "path". */
static JsonNode *
props_to_json(const char *path, GVariant *props)
{
	JsonNode *node = omacpctl_variant_to_json(props, TRUE);
	JsonObject *obj = json_node_get_object(node);

	json_object_set_string_member(obj, "id", short_path(path));
	json_object_set_string_member(obj, "path", path);
	return node;
}

/* ---- list ---- */

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	const char *x = *(const char *const *) a;
	const char *y = *(const char *const *) b;
	const char *xs = strrchr(x, '/');
	const char *ys = strrchr(y, '/');
	gint c = strncmp(x, y, MIN(xs - x, ys - y) + 1);

	if (c != 0)
		return c;
	return (gint) (g_ascii_strtoull(xs + 1, NULL, 10) > g_ascii_strtoull(ys + 1, NULL, 10)) -
	       (gint) (g_ascii_strtoull(xs + 1, NULL, 10) < g_ascii_strtoull(ys + 1, NULL, 10));
}

static GVariant *
managed_objects(GDBusConnection *bus, GError **error)
{
	g_autoptr(GVariant) reply =
	        call(bus, ROOT_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
	             NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"), error);

	if (reply == NULL)
		return NULL;
	return g_variant_get_child_value(reply, 0);
}

static const char *const message_fields[] = { "MESSAGE", "STATE",    "SECURITY",
	                                      "SENDER",  "RECEIVED", NULL };
static const char *const profile_fields[] = { "PROFILE", "KIND", "NAME", "IDENTITY", NULL };

static int
verb_list(GDBusConnection *bus)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) objects = managed_objects(bus, &error);
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(JsonArray) messages = json_array_new();
	g_autoptr(JsonArray) profiles = json_array_new();
	const char *message_headers[] = { _("MESSAGE"), _("STATE"),    _("SECURITY"),
		                          _("SENDER"),  _("RECEIVED"), NULL };
	const char *profile_headers[] = { _("PROFILE"), _("KIND"), _("NAME"), _("IDENTITY"), NULL };
	g_autoptr(OmacpctlTable) mtable = omacpctl_table_new(message_fields, message_headers);
	g_autoptr(OmacpctlTable) ptable = omacpctl_table_new(profile_fields, profile_headers);
	gboolean want_messages = TRUE;
	gboolean want_profiles = TRUE;
	g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func(variant_unref0);
	g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func(variant_unref0);
	guint pending = 0;
	GVariantIter iter;
	const char *path;

	if (objects == NULL)
		return report(error);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_next(&iter, "{&o@a{sa{sv}}}", &path, NULL))
		g_ptr_array_add(paths, (gpointer) path);
	g_ptr_array_sort(paths, compare_paths);
	/* the table shows nothing of a message's changes or document: only
	 * JSON, which holds every property as it was, fetches them */
	g_ptr_array_set_size(changes, paths->len);
	g_ptr_array_set_size(documents, paths->len);
	if (omacpctl_output.json) {
		for (guint i = 0; i < paths->len; i++) {
			const char *p = g_ptr_array_index(paths, i);

			if (!g_str_has_prefix(p, MESSAGE_PREFIX))
				continue;
			heavy_call_start(bus, p, "GetChanges", "(aa{sv})",
			                 (GVariant **) &changes->pdata[i], &pending);
			heavy_call_start(bus, p, "GetDocument", "(s)",
			                 (GVariant **) &documents->pdata[i], &pending);
		}
		while (pending > 0)
			g_main_context_iteration(NULL, TRUE);
	}

	for (guint i = 0; i < paths->len; i++) {
		const char *p = g_ptr_array_index(paths, i);
		g_autoptr(GVariant) ifaces = g_variant_lookup_value(objects, p, NULL);
		g_autoptr(GVariant) mprops = g_variant_lookup_value(ifaces, MESSAGE_IFACE, NULL);
		g_autoptr(GVariant) pprops = g_variant_lookup_value(ifaces, PROFILE_IFACE, NULL);

		if (mprops != NULL) {
			g_autofree char *when = format_time(lookup_u64(mprops, "ReceivedAt"));
			const char *state = lookup_str(mprops, "State");
			const char *row[] = { short_path(p), state, lookup_str(mprops, "Security"),
				              lookup_str(mprops, "Sender"), when };
			const char *colors[] = { NULL, state_color(state), NULL, NULL, NULL };

			if (omacpctl_output.json) {
				g_autoptr(GVariant) full =
				        with_heavy(mprops, g_ptr_array_index(changes, i),
				                   g_ptr_array_index(documents, i));

				json_array_add_element(messages, props_to_json(p, full));
			}
			omacpctl_table_add(mtable, row, colors);
		}
		if (pprops != NULL) {
			const char *row[] = { short_path(p), lookup_str(pprops, "Kind"),
				              lookup_str(pprops, "Name"),
				              lookup_str(pprops, "Identity") };

			json_array_add_element(profiles, props_to_json(p, pprops));
			omacpctl_table_add(ptable, row, NULL);
		}
	}
	if (omacpctl_output.json) {
		JsonObject *obj;
		JsonNode *root = omacpctl_json_object_new(&obj);

		json_object_set_array_member(obj, "messages", g_steal_pointer(&messages));
		json_object_set_array_member(obj, "profiles", g_steal_pointer(&profiles));
		omacpctl_print_json(root, FALSE);
		return OMACPCTL_EXIT_OK;
	}
	/* -f picks the table whose columns it names */
	if (omacpctl_output.fields != NULL) {
		g_auto(GStrv) wanted = g_strsplit(omacpctl_output.fields, ",", -1);

		for (guint i = 0; wanted[i] != NULL; i++) {
			gboolean m = g_strv_contains(message_fields, g_strstrip(wanted[i])) ||
			             g_ascii_strcasecmp(wanted[i], "message") == 0;
			gboolean p = g_ascii_strcasecmp(wanted[i], "profile") == 0 ||
			             g_ascii_strcasecmp(wanted[i], "kind") == 0 ||
			             g_ascii_strcasecmp(wanted[i], "name") == 0 ||
			             g_ascii_strcasecmp(wanted[i], "identity") == 0;

			if (i == 0) {
				want_messages = m || !p;
				want_profiles = p;
			}
		}
	}
	if (want_messages && !omacpctl_table_print(mtable, stdout, &error)) {
		g_printerr("omacpctl list: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (want_messages && want_profiles && !omacpctl_output.terse)
		printf("\n");
	if (want_profiles && !omacpctl_table_print(ptable, stdout, &error)) {
		g_printerr("omacpctl list: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	return OMACPCTL_EXIT_OK;
}

/* ---- show ---- */

/* "networkmanager:gsm.password-flags": what one backend holds. */
static gboolean
is_backend_field(const char *field)
{
	return strchr(field, ':') != NULL;
}

/* The change list, under one heading per profile. */
static void
add_changes(OmacpctlRecord *rec, GVariant *changes)
{
	GVariantIter iter;
	GVariant *entry;
	guint n = 0;
	g_autofree char *last_profile = NULL;

	if (changes != NULL) {
		g_variant_iter_init(&iter, changes);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
			const char *profile = "";
			const char *field = "";
			const char *o = "";
			const char *nv = "";
			const char *risk = "";

			g_variant_lookup(entry, "profile", "&s", &profile);
			g_variant_lookup(entry, "field", "&s", &field);
			g_variant_lookup(entry, "old", "&s", &o);
			g_variant_lookup(entry, "new", "&s", &nv);
			g_variant_lookup(entry, "risk", "&s", &risk);
			if (g_strcmp0(last_profile, profile) != 0) {
				g_autofree char *heading =
				        g_strdup_printf(_("Changes to %s"), profile);

				omacpctl_record_heading(rec, heading);
				g_free(last_profile);
				last_profile = g_strdup(profile);
			}
			if (field[0] != '\0' &&
			    (omacpctl_output.details || !is_backend_field(field))) {
				g_autofree char *name =
				        g_strdup_printf("changes.%s.%s", profile, field);
				g_autofree char *value =
				        g_strdup_printf("%s → %s", o[0] ? o : _("(none)"),
				                        nv[0] ? nv : _("(none)"));

				omacpctl_record_add(rec, name,
				                    is_backend_field(field)
				                            ? field
				                            : omacpctl_setting_label(field),
				                    value, NULL);
				n++;
			}
			if (risk[0] != '\0') {
				g_autofree char *name = g_strdup_printf("changes.%s.risk", profile);

				/* TRANSLATORS: a change the user should look at twice */
				omacpctl_record_add(rec, name, _("RISK"), risk, "red");
				n++;
			}
			g_variant_unref(entry);
		}
	}
	if (n == 0) {
		omacpctl_record_heading(rec, _("Changes"));
		omacpctl_record_add(rec, "changes", _("Changes"), _("(nothing)"), NULL);
	}
}

static void
add_message(OmacpctlRecord *rec, const char *path, GVariant *props, gboolean with_document)
{
	g_autofree char *when = format_time(lookup_u64(props, "ReceivedAt"));
	g_autoptr(GVariant) changes = g_variant_lookup_value(props, "Changes", NULL);
	g_autoptr(GVariant) profiles = g_variant_lookup_value(props, "Profiles", NULL);
	g_autoptr(GVariant) warnings = g_variant_lookup_value(props, "Warnings", NULL);
	gboolean authenticated = FALSE;
	const char *state_name = lookup_str(props, "State");
	OmacpMessageState state;
	gboolean state_known = omacp_message_state_from_string(state_name, &state);
	g_autoptr(GString) list = g_string_new(NULL);
	g_autofree char *state_text = NULL;
	g_autofree char *security = NULL;

	g_variant_lookup(props, "Authenticated", "b", &authenticated);
	for (gsize i = 0; profiles != NULL && i < g_variant_n_children(profiles); i++) {
		const char *p = NULL;

		g_variant_get_child(profiles, i, "&o", &p);
		g_string_append_printf(list, "%s%s", list->len ? ", " : "", short_path(p));
	}
	state_text = !state_known || g_str_equal(omacpctl_state_label(state), state_name)
	                     ? g_strdup(state_name)
	                     : g_strdup_printf("%s (%s)", state_name, omacpctl_state_label(state));
	security = omacpctl_security_label(lookup_str(props, "Security"), authenticated);
	omacpctl_record_add(rec, "message", _("Message"), short_path(path), "bold");
	omacpctl_record_add(rec, "state", _("State"), state_text,
	                    state_known ? omacpctl_state_color(state) : NULL);
	omacpctl_record_add(rec, "security", _("Security"), security,
	                    omacpctl_security_color(lookup_str(props, "Security"), authenticated));
	omacpctl_add_risk_summary(rec, changes);
	omacpctl_record_add(rec, "sender", _("Sender"),
	                    lookup_str(props, "Sender")[0] ? lookup_str(props, "Sender")
	                                                   : _("(unknown)"),
	                    NULL);
	omacpctl_record_add(
	        rec, "imsi", _("SIM (IMSI)"),
	        lookup_str(props, "Imsi")[0] ? lookup_str(props, "Imsi") : _("(unknown)"), NULL);
	if (lookup_str(props, "Modem")[0] != '\0')
		omacpctl_record_add(rec, "modem", _("Modem"), lookup_str(props, "Modem"), NULL);
	omacpctl_record_add(rec, "received", _("Received"), when, NULL);
	if (omacpctl_output.details)
		omacpctl_record_add(rec, "content-type", _("Content type"),
		                    lookup_str(props, "ContentType"), NULL);
	if (lookup_u64(props, "SegmentsTotal") > 0) {
		g_autofree char *seg = g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
		                                       lookup_u64(props, "SegmentsReceived"),
		                                       lookup_u64(props, "SegmentsTotal"));

		omacpctl_record_add(rec, "segments", _("Segments"), seg, NULL);
	}
	if (state_known && state == OMACP_MESSAGE_STATE_PENDING_PIN) {
		g_autofree char *left =
		        g_strdup_printf("%" G_GUINT64_FORMAT, lookup_u64(props, "PinAttemptsLeft"));

		omacpctl_record_add(rec, "pin-attempts-left", _("PIN attempts left"), left, NULL);
	}
	if (lookup_str(props, "Error")[0] != '\0')
		omacpctl_record_add(rec, "error", _("Error"), lookup_str(props, "Error"), "red");
	omacpctl_record_add(rec, "profiles", _("Profiles"), list->len ? list->str : _("(none)"),
	                    NULL);
	if (warnings != NULL && g_variant_n_children(warnings) > 0)
		omacpctl_record_add_variant(rec, "warnings", _("Warnings"), warnings);
	add_changes(rec, changes);
	if (with_document && omacpctl_output.details && lookup_str(props, "Document")[0] != '\0') {
		omacpctl_record_heading(rec, _("Document (secrets masked)"));
		omacpctl_record_add_text(rec, "document", _("Document"),
		                         lookup_str(props, "Document"), NULL);
	}
}

static const char *
backend_label(const char *backend)
{
	if (g_str_equal(backend, "networkmanager"))
		return "NetworkManager";
	if (g_str_equal(backend, "ofono"))
		return "oFono";
	if (g_str_equal(backend, "mmsd"))
		return "mmsd-tng";
	return backend;
}

static void
add_profile(OmacpctlRecord *rec, const char *path, GVariant *props)
{
	g_autoptr(GVariant) settings = g_variant_lookup_value(props, "Settings", NULL);
	g_autoptr(GVariant) targets = g_variant_lookup_value(props, "Targets", NULL);
	g_autoptr(GVariant) risks = g_variant_lookup_value(props, "Risks", NULL);
	g_autofree char *created = format_time(lookup_u64(props, "CreatedAt"));
	g_autofree char *updated = format_time(lookup_u64(props, "UpdatedAt"));
	GVariantIter iter;
	const char *key;
	GVariant *value;

	omacpctl_record_add(rec, "profile", _("Profile"), short_path(path), "bold");
	omacpctl_record_add(rec, "kind", _("Kind"), lookup_str(props, "Kind"), NULL);
	omacpctl_record_add(rec, "name", _("Name"), lookup_str(props, "Name"), NULL);
	omacpctl_record_add(rec, "identity", _("Identity"), lookup_str(props, "Identity"), NULL);
	omacpctl_record_add(
	        rec, "imsi", _("SIM (IMSI)"),
	        lookup_str(props, "Imsi")[0] ? lookup_str(props, "Imsi") : _("(unknown)"), NULL);
	omacpctl_record_add(rec, "message", _("Message"), short_path(lookup_str(props, "Message")),
	                    NULL);
	omacpctl_record_add(rec, "created", _("Created"), created, NULL);
	omacpctl_record_add(rec, "updated", _("Updated"), updated, NULL);
	omacpctl_record_heading(rec, _("Settings"));
	if (settings != NULL) {
		g_variant_iter_init(&iter, settings);
		while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
			g_autofree char *name = g_strconcat("settings.", key, NULL);

			omacpctl_record_add_variant(rec, name, omacpctl_setting_label(key), value);
			g_variant_unref(value);
		}
	}
	omacpctl_record_heading(rec, _("Applied to"));
	if (targets == NULL || g_variant_n_children(targets) == 0) {
		omacpctl_record_add(rec, "targets", _("Backends"),
		                    _("(nothing: no backend is enabled)"), NULL);
	} else {
		const char *name;
		const char *id;

		g_variant_iter_init(&iter, targets);
		while (g_variant_iter_next(&iter, "(&s&s)", &name, &id)) {
			g_autofree char *field = g_strconcat("targets.", name, NULL);

			omacpctl_record_add(rec, field, backend_label(name), id, NULL);
		}
	}
	if (risks != NULL && g_variant_n_children(risks) > 0) {
		omacpctl_record_heading(rec, _("Risks"));
		for (gsize i = 0; i < g_variant_n_children(risks); i++) {
			const char *r = NULL;

			g_variant_get_child(risks, i, "&s", &r);
			omacpctl_record_add(rec, "risks", _("Risk"), r, "red");
		}
	}
}

static int
verb_show(GDBusConnection *bus)
{
	int status = OMACPCTL_EXIT_OK;
	g_autoptr(JsonArray) messages = json_array_new();
	g_autoptr(JsonArray) profiles = json_array_new();

	if (n_args() == 0) {
		g_printerr("%s\n", _("Usage: omacpctl show [OPTION…] MESSAGE|PROFILE…"));
		return OMACPCTL_EXIT_FAILURE;
	}
	for (guint i = 0; opt_args[i] != NULL; i++) {
		g_autofree char *path = resolve_path(opt_args[i], FALSE);
		g_autoptr(GError) error = NULL;
		/* the text shows the document with --details only */
		g_autoptr(GVariant) props = get_all_with(
		        bus, path,
		        omacpctl_output.json || omacpctl_output.details ? HEAVY_ALL : HEAVY_CHANGES,
		        &error);
		g_autoptr(OmacpctlRecord) rec = omacpctl_record_new();

		if (props == NULL) {
			status = report_for(error, path);
			continue;
		}
		if (omacpctl_output.json) {
			json_array_add_element(is_profile_path(path) ? profiles : messages,
			                       props_to_json(path, props));
			continue;
		}
		if (is_profile_path(path))
			add_profile(rec, path, props);
		else
			add_message(rec, path, props, TRUE);
		if (i > 0 && !omacpctl_output.terse)
			printf("\n");
		omacpctl_record_print(rec, stdout);
	}
	if (omacpctl_output.json) {
		JsonObject *obj;
		JsonNode *root = omacpctl_json_object_new(&obj);

		json_object_set_array_member(obj, "messages", g_steal_pointer(&messages));
		json_object_set_array_member(obj, "profiles", g_steal_pointer(&profiles));
		omacpctl_print_json(root, FALSE);
	}
	return status;
}

/* ---- accept, reject, delete, remove, undo ---- */

static char *read_tty_line(const char *prompt, gboolean hide);

/* accept of a quarantined (unsigned) message: asked on a terminal, --force
 * otherwise. */
static int
confirm_quarantined(GDBusConnection *bus, const char *path)
{
	g_autoptr(GVariant) summary = get_all(bus, path, NULL);
	g_autoptr(GVariant) props = NULL;
	g_autoptr(OmacpctlRecord) rec = NULL;
	g_autofree char *answer = NULL;
	OmacpMessageState state;

	if (opt_force || summary == NULL ||
	    !omacp_message_state_from_string(lookup_str(summary, "State"), &state) ||
	    state != OMACP_MESSAGE_STATE_QUARANTINED)
		return OMACPCTL_EXIT_OK;
	if (!isatty(STDIN_FILENO)) {
		g_printerr(_("omacpctl: %s is not signed (quarantined): anyone can send such a "
		             "message. Give --force to accept it without a terminal.\n"),
		           short_path(path));
		return OMACPCTL_EXIT_DECLINED;
	}
	/* what it would change, as show has it (the document is not shown) */
	props = fetch_heavy(bus, path, summary, HEAVY_CHANGES, NULL);
	rec = omacpctl_record_new();
	add_message(rec, path, props != NULL ? props : summary, FALSE);
	omacpctl_record_print(rec, stdout);
	fflush(stdout);
	answer = read_tty_line(_("This message is not signed: anyone can send one. Apply it "
	                         "anyway? [y/N] "),
	                       FALSE);
	if (answer != NULL &&
	    (g_ascii_strncasecmp(answer, "y", 1) == 0 || g_ascii_strncasecmp(answer, "j", 1) == 0))
		return OMACPCTL_EXIT_OK;
	g_printerr(_("omacpctl: %s not accepted\n"), short_path(path));
	return OMACPCTL_EXIT_DECLINED;
}

static int
simple_call(GDBusConnection *bus, const char *verb)
{
	int status = OMACPCTL_EXIT_OK;
	gboolean profile = g_str_equal(verb, "remove");
	g_autoptr(JsonArray) results = json_array_new();

	if (n_args() == 0) {
		if (g_str_equal(verb, "accept"))
			g_printerr("%s\n",
			           _("Usage: omacpctl accept [--pin PIN] [--force] MESSAGE…"));
		else if (profile)
			g_printerr("%s\n", _("Usage: omacpctl remove PROFILE…"));
		else
			g_printerr(_("Usage: omacpctl %s MESSAGE…\n"), verb);
		return OMACPCTL_EXIT_FAILURE;
	}
	for (guint i = 0; opt_args[i] != NULL; i++) {
		g_autofree char *path = resolve_path(opt_args[i], profile);
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) reply = NULL;
		g_autoptr(GVariant) props = NULL;
		const char *state;

		if (!g_variant_is_object_path(path)) {
			g_printerr(
			        _("omacpctl: '%s' is not a message or profile (give N, message/N "
			          "or profile/N)\n"),
			        opt_args[i]);
			status = OMACPCTL_EXIT_FAILURE;
			continue;
		}
		if (g_str_equal(verb, "accept")) {
			int declined = confirm_quarantined(bus, path);

			if (declined != OMACPCTL_EXIT_OK) {
				status = declined;
				continue;
			}
			reply = call(bus, path, MESSAGE_IFACE,
			             opt_activate ? "AcceptAndActivate" : "Accept",
			             g_variant_new("(s)", opt_pin ? opt_pin : ""), NULL, &error);
		} else if (g_str_equal(verb, "reject")) {
			reply = call(bus, path, MESSAGE_IFACE, "Reject", NULL, NULL, &error);
		} else if (g_str_equal(verb, "delete")) {
			reply = call(bus, path, MESSAGE_IFACE, "Delete", NULL, NULL, &error);
		} else if (g_str_equal(verb, "undo")) {
			reply = call(bus, path, MESSAGE_IFACE, "Undo", NULL, NULL, &error);
		} else {
			reply = call(bus, path, PROFILE_IFACE, "Remove", NULL, NULL, &error);
		}
		if (reply == NULL) {
			status = report_for(error, path);
			continue;
		}
		if (profile || g_str_equal(verb, "delete")) {
			state = "removed";
		} else {
			props = get_all(bus, path, NULL);
			state = props ? lookup_str(props, "State") : "removed";
		}
		if (omacpctl_output.json) {
			JsonObject *o = json_object_new();

			json_object_set_string_member(o, "id", short_path(path));
			json_object_set_string_member(o, "path", path);
			json_object_set_string_member(o, "state", state);
			json_array_add_object_element(results, o);
		} else if (omacpctl_output.terse) {
			printf("%s:%s\n", short_path(path), state);
		} else {
			const char *color = omacpctl_color(state_color(state));

			printf("%s: %s%s%s\n", short_path(path), color, state,
			       *color ? omacpctl_color_off() : "");
		}
	}
	if (omacpctl_output.json) {
		JsonObject *obj;
		JsonNode *root = omacpctl_json_object_new(&obj);

		json_object_set_array_member(obj, "results", g_steal_pointer(&results));
		omacpctl_print_json(root, FALSE);
	}
	return status;
}

/* ---- deliver ---- */

static gboolean
parses_as(OmacpFormat format, GPtrArray *inputs)
{
	for (guint i = 0; i < inputs->len; i++) {
		GBytes *b = g_ptr_array_index(inputs, i);
		gsize len = 0;
		const guint8 *d = g_bytes_get_data(b, &len);
		g_autoptr(OmacpSms) sms = NULL;
		gboolean ok = FALSE;

		switch (format) {
		case OMACP_FORMAT_SMS:
			ok = omacp_sms_parse_deliver(d, len, TRUE, &sms, NULL);
			break;
		case OMACP_FORMAT_TPDU:
			ok = omacp_sms_parse_deliver(d, len, FALSE, &sms, NULL);
			break;
		case OMACP_FORMAT_UD:
			ok = omacp_sms_parse_user_data(d, len, &sms, NULL);
			break;
		case OMACP_FORMAT_WSP:
		case OMACP_FORMAT_WBXML:
		case OMACP_FORMAT_XML:
			return FALSE;
		}
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* Without --format: XML text; else the first form the whole input decodes
 * as; else the first segmented form every input parses as. */
static gboolean
guess_format(GPtrArray *inputs, OmacpFormat *out)
{
	const OmacpFormat order[] = { OMACP_FORMAT_SMS, OMACP_FORMAT_TPDU, OMACP_FORMAT_UD,
		                      OMACP_FORMAT_WSP, OMACP_FORMAT_WBXML };
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(g_ptr_array_index(inputs, 0), &len);

	if (len > 0 && (d[0] == '<' || (len > 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF))) {
		*out = OMACP_FORMAT_XML;
		return TRUE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
		g_autoptr(OmacpMessage) m = NULL;

		if ((omacp_format_is_segmented(order[i]) || inputs->len == 1) &&
		    omacp_message_decode(order[i], inputs, NULL, &m, NULL)) {
			*out = order[i];
			return TRUE;
		}
	}
	for (guint i = 0; i < 3; i++) {
		if (parses_as(order[i], inputs)) {
			*out = order[i];
			return TRUE;
		}
	}
	return FALSE;
}

static int
verb_deliver(GDBusConnection *bus)
{
	g_autoptr(GPtrArray) inputs =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	g_autoptr(GPtrArray) printed = g_ptr_array_new_with_free_func(g_free);
	OmacpFormat format = OMACP_FORMAT_SMS;
	gboolean have_format = FALSE;
	int status = OMACPCTL_EXIT_OK;
	GVariantBuilder options;

	if (n_args() == 0) {
		g_printerr("%s\n", _("Usage: omacpctl deliver [--format F] [--imsi IMSI] [--sender "
		                     "NUMBER] [--modem MODEM] FILE…"));
		return OMACPCTL_EXIT_FAILURE;
	}
	if (opt_format != NULL) {
		if (!omacp_format_from_string(opt_format, &format)) {
			g_printerr(_("omacpctl: unknown format '%s'\n"), opt_format);
			return OMACPCTL_EXIT_FAILURE;
		}
		have_format = TRUE;
	}
	for (guint i = 0; opt_args[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		/* documents are never segmented: their hex lines are one document */
		gboolean join = have_format && !omacp_format_is_segmented(format);
		g_autoptr(GPtrArray) items = omacp_input_read_file(opt_args[i], join, &error);

		if (items == NULL) {
			g_printerr("omacpctl: %s: %s\n", opt_args[i], error->message);
			return error->domain == OMACP_ERROR ? OMACPCTL_EXIT_MALFORMED
			                                    : OMACPCTL_EXIT_FAILURE;
		}
		for (guint j = 0; j < items->len; j++)
			g_ptr_array_add(inputs, g_bytes_ref(g_ptr_array_index(items, j)));
	}
	if (inputs->len == 0) {
		g_printerr("%s\n", _("omacpctl: no input"));
		return OMACPCTL_EXIT_FAILURE;
	}
	if (!have_format && !guess_format(inputs, &format)) {
		g_printerr("%s\n", _("omacpctl: cannot tell the form of the input; give --format"));
		return OMACPCTL_EXIT_MALFORMED;
	}
	if (!omacp_format_is_segmented(format) && inputs->len > 1 && !have_format) {
		/* hex lines of one document */
		g_autoptr(GByteArray) joined = g_byte_array_new();

		for (guint i = 0; i < inputs->len; i++) {
			gsize len = 0;
			const guint8 *d = g_bytes_get_data(g_ptr_array_index(inputs, i), &len);

			g_byte_array_append(joined, d, len);
		}
		g_ptr_array_set_size(inputs, 0);
		g_ptr_array_add(inputs, g_byte_array_free_to_bytes(g_steal_pointer(&joined)));
	}

	g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
	if (opt_imsi != NULL)
		g_variant_builder_add(&options, "{sv}", "imsi", g_variant_new_string(opt_imsi));
	if (opt_sender != NULL)
		g_variant_builder_add(&options, "{sv}", "sender", g_variant_new_string(opt_sender));
	if (opt_modem != NULL)
		g_variant_builder_add(&options, "{sv}", "modem", g_variant_new_string(opt_modem));
	{
		g_autoptr(GVariant) opts = g_variant_ref_sink(g_variant_builder_end(&options));

		for (guint i = 0; i < inputs->len; i++) {
			GBytes *b = g_ptr_array_index(inputs, i);
			g_autoptr(GError) error = NULL;
			g_autoptr(GVariant) reply = NULL;
			const char *path = NULL;
			gboolean seen = FALSE;

			reply = call(bus, ROOT_PATH, MANAGER_IFACE, "Deliver",
			             g_variant_new("(@ays@a{sv})",
			                           g_variant_new_from_bytes(G_VARIANT_TYPE("ay"), b,
			                                                    TRUE),
			                           omacp_format_to_string(format), opts),
			             G_VARIANT_TYPE("(o)"), &error);
			if (reply == NULL) {
				if (inputs->len > 1)
					g_prefix_error(&error, _("input %u: "), i + 1);
				status = report(error);
				continue;
			}
			g_variant_get(reply, "(&o)", &path);
			for (guint j = 0; j < printed->len; j++)
				seen |= g_str_equal(g_ptr_array_index(printed, j), path);
			if (!seen) {
				g_ptr_array_add(printed, g_strdup(path));
				if (!omacpctl_output.json)
					printf("%s\n", path);
			}
		}
	}
	if (omacpctl_output.json) {
		JsonObject *obj;
		JsonNode *root = omacpctl_json_object_new(&obj);
		JsonArray *messages = json_array_new();

		for (guint i = 0; i < printed->len; i++) {
			JsonObject *o = json_object_new();
			const char *path = g_ptr_array_index(printed, i);

			json_object_set_string_member(o, "id", short_path(path));
			json_object_set_string_member(o, "path", path);
			json_array_add_object_element(messages, o);
		}
		json_object_set_array_member(obj, "messages", messages);
		omacpctl_print_json(root, FALSE);
	}
	return status;
}

/* ---- monitor ---- */

static gboolean
quit_loop(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

/* Properties of a monitor event, one "  Key=value" line each, nested values
 * readable. */
static void
print_props(GVariant *props)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, props);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		g_autoptr(GVariant) inner = value; /* "{&sv}" gives the value itself */

		if (g_str_equal(key, "Document")) {
			printf("  %s=(%zu %s)\n", key, strlen(g_variant_get_string(inner, NULL)),
			       _("characters"));
		} else if (g_str_equal(key, "Changes") && !omacpctl_output.details) {
			printf("  %s=(%zu %s)\n", key, g_variant_n_children(inner), _("entries"));
		} else if (g_str_has_suffix(key, "At") &&
		           g_variant_is_of_type(inner, G_VARIANT_TYPE_UINT64)) {
			g_autofree char *when = format_time(g_variant_get_uint64(inner));

			printf("  %s=%s\n", key, when);
		} else {
			g_autofree char *text = omacpctl_render_variant(inner);
			g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
			g_autofree char *joined = g_strjoinv("\n    ", lines);

			printf("  %s=%s\n", key, joined);
		}
	}
}

static void
monitor_json(const char *event, const char *path, GVariant *props)
{
	JsonObject *obj;
	JsonNode *root = omacpctl_json_object_new(&obj);

	json_object_set_string_member(obj, "event", event);
	json_object_set_string_member(obj, "id", short_path(path));
	json_object_set_string_member(obj, "path", path);
	if (props != NULL)
		json_object_set_member(obj, "properties", omacpctl_variant_to_json(props, TRUE));
	omacpctl_print_json(root, TRUE);
}

static void
on_signal(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
          const char *signal, GVariant *params, gpointer user_data)
{
	if (g_str_equal(signal, "MessageReceived")) {
		const char *message = NULL;

		g_variant_get(params, "(&o)", &message);
		if (omacpctl_output.json)
			monitor_json("message-received", message, NULL);
		else
			printf("MessageReceived %s\n", short_path(message));
	} else if (g_str_equal(signal, "InterfacesAdded")) {
		const char *object = NULL;
		g_autoptr(GVariant) ifaces = NULL;
		GVariantIter iter;
		const char *name;
		GVariant *props;

		g_variant_get(params, "(&o@a{sa{sv}})", &object, &ifaces);
		g_variant_iter_init(&iter, ifaces);
		while (g_variant_iter_next(&iter, "{&s@a{sv}}", &name, &props)) {
			if (g_str_equal(name, MESSAGE_IFACE)) {
				/* a new message with what it changes and its
				 * document (counted, in the text), fetched */
				GVariant *full = fetch_heavy(bus, object, props, HEAVY_ALL, NULL);

				if (full != NULL) {
					g_variant_unref(props);
					props = full;
				}
			}
			if (g_str_equal(name, MESSAGE_IFACE) || g_str_equal(name, PROFILE_IFACE)) {
				if (omacpctl_output.json) {
					monitor_json("added", object, props);
				} else {
					printf("Added %s\n", short_path(object));
					print_props(props);
				}
			}
			g_variant_unref(props);
		}
	} else if (g_str_equal(signal, "InterfacesRemoved")) {
		const char *object = NULL;

		g_variant_get(params, "(&o@as)", &object, NULL);
		if (omacpctl_output.json)
			monitor_json("removed", object, NULL);
		else
			printf("Removed %s\n", short_path(object));
	} else if (g_str_equal(signal, "PropertiesChanged")) {
		g_autoptr(GVariant) changed = NULL;

		g_variant_get(params, "(&s@a{sv}@as)", NULL, &changed, NULL);
		if (omacpctl_output.json) {
			monitor_json("changed", path, changed);
		} else {
			printf("Changed %s\n", short_path(path));
			print_props(changed);
		}
	}
	fflush(stdout);
}

static int
verb_monitor(GDBusConnection *bus)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ping = NULL;
	guint id;

	id = g_dbus_connection_signal_subscribe(bus, BUS_NAME, NULL, NULL, NULL, NULL,
	                                        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, NULL, NULL);
	/* a monitor of a daemon that is not there would wait for nothing */
	ping = g_dbus_connection_call_sync(bus, BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.Peer",
	                                   "Ping", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
	                                   CALL_TIMEOUT_MS, NULL, &error);
	if (ping == NULL) {
		g_dbus_connection_signal_unsubscribe(bus, id);
		return report(error);
	}
	g_unix_signal_add(SIGINT, quit_loop, loop);
	g_unix_signal_add(SIGTERM, quit_loop, loop);
	if (omacpctl_output.json) {
		JsonObject *obj;
		JsonNode *root = omacpctl_json_object_new(&obj);

		json_object_set_string_member(obj, "event", "monitoring");
		omacpctl_print_json(root, TRUE);
	} else {
		printf("%s\n", _("Monitoring omacpd; press Ctrl+C to stop."));
	}
	fflush(stdout);
	g_main_loop_run(loop);
	g_dbus_connection_signal_unsubscribe(bus, id);
	return OMACPCTL_EXIT_OK;
}

/* ---- agent ---- */

/* The terminal agent reads the tty inside the main loop: a request that
 * ends (Cancel: timed out, answered elsewhere) ends its prompt at once, and
 * what is typed after that is not lost: it is kept and Manager.Ask() has
 * omacpd ask again, which it answers. */
typedef struct {
	GDBusConnection *bus;
	GMainLoop *loop;
	int tty; /* -1: no terminal */
	guint tty_watch;
	struct termios saved;
	gboolean echo_off;
	GString *line;
	/* the request being asked on the terminal */
	GDBusMethodInvocation *asking;
	char *asking_message;
	gboolean asking_pin;
	/* the last request that ended unanswered, and what was typed since */
	char *late_message;
	gboolean late_pin;
	char *late_answer;
} AgentState;

static char *
read_tty_line(const char *prompt, gboolean hide)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios saved;
	struct termios quiet;
	gboolean restored = FALSE;
	char buf[PIN_INPUT_MAX];
	char *line = NULL;

	if (tty == NULL)
		return NULL;
	fprintf(tty, "%s", prompt);
	fflush(tty);
	if (hide && tcgetattr(fileno(tty), &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		restored = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(buf, sizeof(buf), tty) != NULL)
		line = g_strstrip(g_strdup(buf));
	if (restored) {
		tcsetattr(fileno(tty), TCSAFLUSH, &saved);
		fprintf(tty, "\n");
	}
	memset(buf, 0, sizeof(buf));
	fclose(tty);
	return line;
}

static void
agent_json(const char *event, const char *message, GVariant *props, const char *answer)
{
	JsonObject *obj;
	JsonNode *root = omacpctl_json_object_new(&obj);

	json_object_set_string_member(obj, "event", event);
	if (message != NULL) {
		json_object_set_string_member(obj, "id", short_path(message));
		json_object_set_string_member(obj, "path", message);
	}
	if (props != NULL)
		json_object_set_member(obj, "properties", omacpctl_variant_to_json(props, TRUE));
	if (answer != NULL)
		json_object_set_string_member(obj, "answer", answer);
	omacpctl_print_json(root, TRUE);
}

static void
show_request(GDBusConnection *bus, const char *message, gboolean pin)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) props = get_all_with(
	        bus, message, omacpctl_output.json ? HEAVY_ALL : HEAVY_CHANGES, &error);
	g_autoptr(OmacpctlRecord) rec = NULL;

	if (omacpctl_output.json) {
		agent_json(pin ? "request-pin" : "request-confirmation", message, props, NULL);
		return;
	}
	printf("\n");
	if (pin)
		printf(_("omacpd asks for the PIN of %s\n"), short_path(message));
	else
		printf(_("omacpd asks whether to apply %s\n"), short_path(message));
	if (props == NULL) {
		printf("  %s\n", error->message);
		fflush(stdout);
		return;
	}
	rec = omacpctl_record_new();
	add_message(rec, message, props, FALSE);
	omacpctl_record_print(rec, stdout);
	fflush(stdout);
}

static void
tty_print(AgentState *st, const char *text)
{
	if (st->tty >= 0 && write(st->tty, text, strlen(text)) < 0)
		g_debug("agent: the terminal refused output: %s", g_strerror(errno));
}

/* Echo off while a PIN is typed (asked, or after its request ended). */
static void
tty_update_echo(AgentState *st)
{
	gboolean hide = (st->asking != NULL && st->asking_pin) ||
	                (st->asking == NULL && st->late_message != NULL && st->late_pin &&
	                 st->late_answer == NULL);
	struct termios quiet;

	if (st->tty < 0 || hide == st->echo_off)
		return;
	if (hide) {
		if (tcgetattr(st->tty, &st->saved) != 0)
			return;
		quiet = st->saved;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		st->echo_off = tcsetattr(st->tty, TCSANOW, &quiet) == 0;
	} else {
		tcsetattr(st->tty, TCSANOW, &st->saved);
		st->echo_off = FALSE;
	}
}

static void
clear_secret(char **text)
{
	if (*text != NULL)
		memset(*text, 0, strlen(*text));
	g_clear_pointer(text, g_free);
}

static void
forget_late(AgentState *st)
{
	g_clear_pointer(&st->late_message, g_free);
	clear_secret(&st->late_answer);
}

/* Answers the request being asked with @text (a PIN, or y/n). */
static void
answer_asking(AgentState *st, const char *text)
{
	g_autoptr(GDBusMethodInvocation) invocation = g_steal_pointer(&st->asking);
	g_autofree char *message = g_steal_pointer(&st->asking_message);

	if (st->asking_pin) {
		g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", text));
	} else {
		gboolean yes = g_ascii_strncasecmp(text, "y", 1) == 0 ||
		               g_ascii_strncasecmp(text, "j", 1) == 0;

		g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", yes));
	}
	if (omacpctl_output.json)
		agent_json("answered", message, NULL, st->asking_pin ? "pin" : "typed");
	if (opt_once)
		g_idle_add(quit_loop, st->loop);
}

static void
ask_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	AgentState *st = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply != NULL || st->late_message == NULL)
		return;
	g_dbus_error_strip_remote_error(error);
	/* TRANSLATORS: %s is the daemon's reason, e.g. "message/3 is applied" */
	printf(_("omacpd does not ask again: %s\n"), error->message);
	fflush(stdout);
	forget_late(st);
	tty_update_echo(st);
}

/* One line typed on the terminal. */
static void
tty_line(AgentState *st, char *text)
{
	if (st->asking != NULL) {
		tty_print(st, "\n");
		answer_asking(st, text);
	} else if (st->late_message != NULL && st->late_answer == NULL) {
		st->late_answer = g_strdup(text);
		tty_print(st, "\n");
		printf(_("Asking omacpd to ask again about %s.\n"), short_path(st->late_message));
		fflush(stdout);
		g_dbus_connection_call(st->bus, OMACP_DBUS_NAME, ROOT_PATH, MANAGER_IFACE, "Ask",
		                       g_variant_new("(o)", st->late_message), NULL,
		                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, ask_done, st);
	}
	memset(text, 0, strlen(text));
	tty_update_echo(st);
}

static gboolean
tty_readable(int fd, GIOCondition condition, gpointer user_data)
{
	AgentState *st = user_data;
	char buf[PIN_INPUT_MAX];
	gssize n = read(fd, buf, sizeof buf);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		st->tty_watch = 0;
		return G_SOURCE_REMOVE; /* the terminal is gone */
	}
	g_string_append_len(st->line, buf, n);
	memset(buf, 0, sizeof buf);
	while ((nl = memchr(st->line->str, '\n', st->line->len)) != NULL) {
		gsize len = (gsize) (nl - st->line->str);
		g_autofree char *text = g_strndup(st->line->str, len);

		memset(st->line->str, 0, len + 1);
		g_string_erase(st->line, 0, (gssize) len + 1);
		g_strstrip(text);
		tty_line(st, text);
	}
	if (st->line->len > PIN_INPUT_MAX) {
		memset(st->line->str, 0, st->line->len);
		g_string_truncate(st->line, 0);
	}
	return G_SOURCE_CONTINUE;
}

/* A request to answer on the terminal. */
static void
ask_on_tty(AgentState *st, GDBusMethodInvocation *invocation, const char *message, gboolean pin)
{
	if (st->tty < 0) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_FAILED,
		        pin ? "no terminal to ask for the PIN"
		            : "no terminal to ask for a confirmation");
		return;
	}
	if (st->late_answer != NULL && g_strcmp0(st->late_message, message) == 0 &&
	    st->late_pin == pin) {
		/* typed after the earlier request had ended */
		g_autofree char *text = g_steal_pointer(&st->late_answer);

		st->asking = g_object_ref(invocation);
		st->asking_message = g_strdup(message);
		st->asking_pin = pin;
		forget_late(st);
		printf("%s\n", pin ? _("Answering with the PIN typed earlier.")
		                   : _("Answering with what was typed earlier."));
		fflush(stdout);
		answer_asking(st, text);
		memset(text, 0, strlen(text));
		tty_update_echo(st);
		return;
	}
	if (st->asking != NULL)
		g_dbus_method_invocation_return_error(st->asking, OMACP_ERROR, OMACP_ERROR_FAILED,
		                                      "a newer request came");
	g_clear_object(&st->asking);
	g_free(st->asking_message);
	forget_late(st);
	st->asking = g_object_ref(invocation);
	st->asking_message = g_strdup(message);
	st->asking_pin = pin;
	tty_update_echo(st);
	tty_print(st, pin ? _("PIN (empty to decide later): ") : _("Apply these settings? [y/N] "));
}

/* Cancel: the request about @message is over. */
static void
end_request(AgentState *st, const char *message)
{
	if (st->asking == NULL || g_strcmp0(st->asking_message, message) != 0) {
		printf(_("The request for %s is over.\n"), short_path(message));
		return;
	}
	g_dbus_method_invocation_return_error(st->asking, OMACP_ERROR, OMACP_ERROR_FAILED,
	                                      "the request is over");
	g_clear_object(&st->asking);
	forget_late(st);
	st->late_message = g_steal_pointer(&st->asking_message);
	st->late_pin = st->asking_pin;
	tty_print(st, "\n");
	printf(st->late_pin ? _("The request for %s is over. Type the PIN anyway: omacpd will "
	                        "be asked again.\n")
	                    : _("The request for %s is over. Answer anyway: omacpd will be "
	                        "asked again.\n"),
	       short_path(message));
	tty_update_echo(st);
}

static void
agent_method(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
             const char *method, GVariant *params, GDBusMethodInvocation *invocation,
             gpointer user_data)
{
	AgentState *st = user_data;
	const char *message = NULL;

	if (g_str_equal(method, "Release")) {
		if (omacpctl_output.json)
			agent_json("released", NULL, NULL, NULL);
		else
			printf("%s\n", _("omacpd released the agent."));
		fflush(stdout);
		g_dbus_method_invocation_return_value(invocation, NULL);
		g_main_loop_quit(st->loop);
		return;
	}
	g_variant_get(params, "(&o)", &message);
	if (g_str_equal(method, "Cancel")) {
		if (omacpctl_output.json)
			agent_json("cancelled", message, NULL, NULL);
		else
			end_request(st, message);
		fflush(stdout);
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	if (g_str_equal(method, "RequestPin")) {
		show_request(st->bus, message, TRUE);
		if (opt_pin == NULL) {
			ask_on_tty(st, invocation, message, TRUE);
			return;
		}
		if (omacpctl_output.json)
			agent_json("answered", message, NULL, "pin");
		else
			printf("%s\n", _("Answering with the PIN given on the command line."));
		fflush(stdout);
		g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", opt_pin));
	} else if (g_str_equal(method, "RequestConfirmation")) {
		gboolean yes;

		show_request(st->bus, message, FALSE);
		if (opt_confirm == NULL) {
			ask_on_tty(st, invocation, message, FALSE);
			return;
		}
		yes = g_ascii_strcasecmp(opt_confirm, "yes") == 0 ||
		      g_ascii_strcasecmp(opt_confirm, "y") == 0;
		if (omacpctl_output.json)
			agent_json("answered", message, NULL, yes ? "yes" : "no");
		else
			printf(_("Answering %s as given on the command line.\n"),
			       yes ? _("yes") : _("no"));
		fflush(stdout);
		g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", yes));
	} else {
		g_dbus_method_invocation_return_dbus_error(
		        invocation, "org.freedesktop.DBus.Error.UnknownMethod", "unknown method");
		return;
	}
	if (opt_once)
		g_idle_add(quit_loop, st->loop);
}

static void
agent_tty_open(AgentState *st)
{
	st->tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (st->tty < 0)
		return; /* no terminal: requests are refused unless --pin/--confirm */
	st->tty_watch = g_unix_fd_add(st->tty, G_IO_IN | G_IO_HUP | G_IO_ERR, tty_readable, st);
}

static void
agent_tty_close(AgentState *st)
{
	g_clear_handle_id(&st->tty_watch, g_source_remove);
	if (st->echo_off)
		tcsetattr(st->tty, TCSANOW, &st->saved);
	if (st->tty >= 0)
		close(st->tty);
	st->tty = -1;
	if (st->asking != NULL)
		g_dbus_method_invocation_return_error(st->asking, OMACP_ERROR, OMACP_ERROR_FAILED,
		                                      "the agent is leaving");
	g_clear_object(&st->asking);
	g_clear_pointer(&st->asking_message, g_free);
	forget_late(st);
	if (st->line != NULL) {
		memset(st->line->str, 0, st->line->len);
		g_string_free(st->line, TRUE);
		st->line = NULL;
	}
}

static int
verb_agent(GDBusConnection *bus)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(GVariant) reply = NULL;
	const GDBusInterfaceVTable vtable = { agent_method, NULL, NULL, { 0 } };
	AgentState st = { .bus = bus, .loop = loop, .tty = -1 };
	guint reg;

	if (opt_confirm != NULL && g_ascii_strcasecmp(opt_confirm, "yes") != 0 &&
	    g_ascii_strcasecmp(opt_confirm, "no") != 0) {
		g_printerr("%s\n", _("omacpctl: --confirm takes yes or no"));
		return OMACPCTL_EXIT_FAILURE;
	}
	/* the interface as the introspection XML declares it (generated code) */
	reg = g_dbus_connection_register_object(bus, AGENT_PATH, omacp_dbus_agent_interface_info(),
	                                        &vtable, &st, NULL, &error);
	if (reg == 0)
		return report(error);
	reply = call(bus, ROOT_PATH, MANAGER_IFACE, "RegisterAgent",
	             g_variant_new("(o)", AGENT_PATH), NULL, &error);
	if (reply == NULL) {
		g_dbus_connection_unregister_object(bus, reg);
		return report(error);
	}
	st.line = g_string_new(NULL);
	agent_tty_open(&st);
	if (omacpctl_output.json)
		agent_json("registered", NULL, NULL, NULL);
	else
		printf("%s\n", _("Agent registered; waiting for requests (Ctrl+C to stop)."));
	fflush(stdout);
	g_unix_signal_add(SIGINT, quit_loop, loop);
	g_unix_signal_add(SIGTERM, quit_loop, loop);
	g_main_loop_run(loop);
	agent_tty_close(&st);
	g_clear_pointer(&reply, g_variant_unref);
	reply = call(bus, ROOT_PATH, MANAGER_IFACE, "UnregisterAgent",
	             g_variant_new("(o)", AGENT_PATH), NULL, NULL);
	g_dbus_connection_unregister_object(bus, reg);
	g_dbus_connection_flush_sync(bus, NULL, NULL);
	return OMACPCTL_EXIT_OK;
}

/* ---- dispatch ---- */

typedef struct {
	const char *verb;
	const char *args;
	const char *summary;
	const GOptionEntry *extra;
} Verb;

static const Verb verbs[] = {
	{ "list", "", N_("List the messages and profiles omacpd holds"), NULL },
	{ "show", N_("MESSAGE|PROFILE…"), N_("Show a message (with its changes) or a profile"),
	  NULL },
	{ "accept", N_("MESSAGE…"),
	  N_("Accept a message (with --pin for USERPIN messages; an unsigned one is asked "
	     "about, or needs --force)"),
	  accept_entries },
	{ "reject", N_("MESSAGE…"), N_("Reject a pending or quarantined message"), NULL },
	{ "delete", N_("MESSAGE…"), N_("Delete a message from the store"), NULL },
	{ "remove", N_("PROFILE…"), N_("Remove a profile and what it configured"), NULL },
	{ "undo", N_("MESSAGE…"), N_("Revert what an applied message changed"), NULL },
	{ "deliver", N_("FILE…"), N_("Hand a message (SMS segments, push or document) to omacpd"),
	  deliver_entries },
	{ "monitor", "", N_("Print what happens in omacpd until interrupted"), NULL },
	{ "agent", "", N_("Answer PIN and confirmation requests on this terminal"), agent_entries },
};

int
omacpctl_client_main(const char *verb, int argc, char **argv)
{
	const Verb *v = NULL;
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	g_autofree char *prgname = NULL;
	int status;

	for (guint i = 0; i < G_N_ELEMENTS(verbs); i++) {
		if (g_str_equal(verbs[i].verb, verb))
			v = &verbs[i];
	}
	if (v == NULL)
		return -1;

	reset_options();
	/* "Usage: omacpctl show [OPTION…] MESSAGE|PROFILE…" */
	prgname = g_strdup_printf("omacpctl %s", v->verb);
	g_set_prgname(prgname);
	ctx = g_option_context_new(v->args[0] ? _(v->args) : NULL);
	g_option_context_set_summary(ctx, _(v->summary));
	g_option_context_set_description(ctx, _("Exit status: 0 done, 1 failure, 2 malformed "
	                                        "input, 3 authentication failed, 4 wrong PIN, 5 "
	                                        "permission denied, 6 no such message or profile, "
	                                        "7 not confirmed, 8 omacpd is not running. See "
	                                        "omacpctl(1).\n"));
	g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(ctx, bus_entries, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(ctx, omacpctl_output_entries, GETTEXT_PACKAGE);
	if (v->extra != NULL)
		g_option_context_add_main_entries(ctx, v->extra, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) ||
	    !omacpctl_output_setup(stdout, &error)) {
		g_printerr("omacpctl %s: %s\n", verb, error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	bus = connect_bus(&error);
	if (bus == NULL) {
		g_printerr(_("omacpctl: cannot connect to the %s bus: %s\n"),
		           opt_session ? "session" : "system", error->message);
		g_printerr("  %s\n", _("omacpd is not running"));
		return OMACPCTL_EXIT_NOT_RUNNING;
	}

	if (g_str_equal(verb, "list"))
		status = verb_list(bus);
	else if (g_str_equal(verb, "show"))
		status = verb_show(bus);
	else if (g_str_equal(verb, "deliver"))
		status = verb_deliver(bus);
	else if (g_str_equal(verb, "monitor"))
		status = verb_monitor(bus);
	else if (g_str_equal(verb, "agent"))
		status = verb_agent(bus);
	else
		status = simple_call(bus, verb);
	reset_options();
	return status;
}
