/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Agent.ApplyMms: mmsd-tng (2.x, checked against Debian 12's 2.1.0) serves
 * org.ofono.mms on the user's session bus; /org/ofono/mms implements
 * org.ofono.mms.ModemManager with ViewSettings() → a{sv} and
 * ChangeAllSettings(a{sv}), and saves every change to its own settings
 * file. The agent runs as the user, so the user's own service does the
 * writing: nobody writes into the user's files for it. */
#include "config.h"

#include "agent-mms.h"

#define MMSD_BUS_NAME   "org.ofono.mms"
#define MMSD_PATH       "/org/ofono/mms"
#define MMSD_INTERFACE  "org.ofono.mms.ModemManager"
#define DAEMON_ROOT     "/org/omacp/Provisioning1"
#define DAEMON_MANAGER  "org.omacp.Provisioning1.Manager"
#define MMSD_TIMEOUT_MS 20000

GVariant *
omacp_agent_mms_register_options(void)
{
	const char *const capabilities[] = { "mms", NULL };
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "capabilities", g_variant_new_strv(capabilities, -1));
	return g_variant_builder_end(&b);
}

/* One ApplyMms, from the read to the report. */
typedef struct {
	GDBusConnection *system_bus;
	GDBusConnection *session_bus;
	char *daemon;
	char *request;
	char *what; /* for the log: "mms:MMS1 (SIM 26201********89)" */
	GVariant *settings;
	GVariant *previous; /* what ViewSettings said */
} Exchange;

static void
exchange_free(Exchange *x)
{
	g_clear_object(&x->system_bus);
	g_clear_object(&x->session_bus);
	g_free(x->daemon);
	g_free(x->request);
	g_free(x->what);
	g_clear_pointer(&x->settings, g_variant_unref);
	g_clear_pointer(&x->previous, g_variant_unref);
	g_free(x);
}

static void
reported(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree char *request = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_warning("mms %s: omacpd did not take the report: %s", request, error->message);
	}
}

/* Ends @x (taken) with Manager.ReportMms; @error NULL: applied. */
static void
report(Exchange *x, const GError *error)
{
	g_autoptr(GVariant) previous =
	        x->previous != NULL ? g_variant_ref(x->previous) : g_variant_new("a{sv}", NULL);

	if (error != NULL)
		g_message("mms %s: %s failed: %s", x->request, x->what, error->message);
	else
		g_message("mms %s: %s %s", x->request, x->what,
		          g_variant_n_children(x->settings) > 0 ? "written to mmsd-tng"
		                                                : "read from mmsd-tng");
	g_dbus_connection_call(x->system_bus, x->daemon, DAEMON_ROOT, DAEMON_MANAGER, "ReportMms",
	                       g_variant_new("(sbs@a{sv})", x->request, error == NULL,
	                                     error != NULL ? error->message : "", previous),
	                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, reported,
	                       g_strdup(x->request));
	exchange_free(x);
}

static void
changed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Exchange *x = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_prefix_error(&error, "mmsd-tng ChangeAllSettings: ");
	}
	report(x, error);
}

static void
viewed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Exchange *x = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_prefix_error(&error, "mmsd-tng ViewSettings: ");
		report(x, error);
		return;
	}
	x->previous = g_variant_get_child_value(reply, 0);
	if (g_variant_n_children(x->settings) == 0) {
		report(x, NULL);
		return;
	}
	g_dbus_connection_call(x->session_bus, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE,
	                       "ChangeAllSettings", g_variant_new("(@a{sv})", x->settings), NULL,
	                       G_DBUS_CALL_FLAGS_NONE, MMSD_TIMEOUT_MS, NULL, changed, x);
}

static void
got_session_bus(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Exchange *x = user_data;
	g_autoptr(GError) error = NULL;

	x->session_bus = g_bus_get_finish(result, &error);
	if (x->session_bus == NULL) {
		g_prefix_error(&error, "no session bus: ");
		report(x, error);
		return;
	}
	/* mmsd-tng may be bus-activated (its D-Bus service file) */
	g_dbus_connection_call(x->session_bus, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE,
	                       "ViewSettings", NULL, G_VARIANT_TYPE("(a{sv})"),
	                       G_DBUS_CALL_FLAGS_NONE, MMSD_TIMEOUT_MS, NULL, viewed, x);
}

void
omacp_agent_mms_apply(GDBusConnection *system_bus, const char *daemon,
                      GDBusMethodInvocation *invocation)
{
	GVariant *params = g_dbus_method_invocation_get_parameters(invocation);
	g_autoptr(GVariant) context = NULL;
	Exchange *x = g_new0(Exchange, 1);
	const char *profile = NULL;
	const char *imsi = NULL;

	x->system_bus = g_object_ref(system_bus);
	x->daemon = g_strdup(daemon);
	g_variant_get(params, "(s@a{sv}@a{sv})", &x->request, &x->settings, &context);
	if (!g_variant_lookup(context, "profile", "&s", &profile))
		profile = "MMS settings";
	if (g_variant_lookup(context, "imsi", "&s", &imsi))
		x->what = g_strdup_printf("%s (SIM %s)", profile, imsi);
	else
		x->what = g_strdup(profile);
	/* the answer comes with ReportMms: the user's mmsd-tng may be slow
	 * to start, and omacpd never waits on a session in a method call */
	g_dbus_method_invocation_return_value(invocation, NULL);
	g_bus_get(G_BUS_TYPE_SESSION, NULL, got_session_bus, x);
}
