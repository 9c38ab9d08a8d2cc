/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Agent.ApplyMms: mmsd-tng (2.x, checked against Debian 12's 2.1.0) serves
 * org.ofono.mms on the user's session bus; /org/ofono/mms implements
 * org.ofono.mms.ModemManager with ViewSettings() → a{sv} and
 * ChangeAllSettings(a{sv}), and saves every change to its own settings
 * file. The agent runs as the user, so the user's own service does the
 * writing: nobody writes into the user's files for it. */
#include "config.h"

#include "agent-mms.h"
#include "omacp-dbus-names.h"

#define MMSD_BUS_NAME   "org.ofono.mms"
#define MMSD_PATH       "/org/ofono/mms"
#define MMSD_INTERFACE  "org.ofono.mms.ModemManager"
#define MMSD_TIMEOUT_MS 20000

GVariant *
omacp_agent_mms_register_options(void)
{
	const char *const capabilities[] = { "mms", "mms-push", NULL };
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "capabilities", g_variant_new_strv(capabilities, -1));
	return g_variant_builder_end(&b);
}

/* --- mmsd-tng's own WAP processing (AutoProcessSMSWAP) ---------------------- */

/* mmsd-tng 2.1.0 (Debian 12), observed: ChangeSettings("AutoProcessSMSWAP",
 * b) saves the value in its settings file and stops (or starts) following
 * ModemManager's SMS at once, but keeps its running value (what ViewSettings
 * shows, and what it follows again when the modem is set up anew) and sets
 * AutoProcessOnConnection instead; only its next start reads the saved
 * value. So the agent reads first, writes only what differs, reads again,
 * and when the running value did not follow restarts mmsd-tng (its systemd
 * user unit, mmsd-tng.service), which starts with the saved value. */
#define MMSD_UNIT        "mmsd-tng.service"
#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH     "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER  "org.freedesktop.systemd1.Manager"

static struct {
	guint watch;       /* org.ofono.mms on the session bus, while granted */
	gboolean switched; /* we set AutoProcessSMSWAP=false */
	GDBusConnection *session;
} wap;

typedef struct {
	GDBusConnection *session;
	gboolean on;      /* the value wanted */
	gboolean written; /* ChangeSettings went out */
} WapStep;

static void wap_viewed(GObject *source, GAsyncResult *result, gpointer user_data);

static void
wap_step_free(WapStep *step)
{
	g_clear_object(&step->session);
	g_free(step);
}

static void
wap_view(WapStep *step)
{
	g_dbus_connection_call(step->session, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE,
	                       "ViewSettings", NULL, G_VARIANT_TYPE("(a{sv})"),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, MMSD_TIMEOUT_MS, NULL, wap_viewed,
	                       step);
}

static void
wap_restarted(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_warning("mmsd-tng: AutoProcessSMSWAP is saved but takes effect at its next start "
		          "(restarting " MMSD_UNIT " failed: %s)",
		          error->message);
		return;
	}
	g_message("mmsd-tng: restarted (" MMSD_UNIT ") to take AutoProcessSMSWAP");
}

static void
wap_written(GObject *source, GAsyncResult *result, gpointer user_data)
{
	WapStep *step = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_warning("mmsd-tng: AutoProcessSMSWAP not set to %s: %s",
		          step->on ? "true" : "false", error->message);
		wap_step_free(step);
		return;
	}
	g_message("mmsd-tng: AutoProcessSMSWAP=%s (%s)", step->on ? "true" : "false",
	          step->on ? "mmsd-tng reads WAP pushes itself again"
	                   : "omacpd hands it the MMS notifications");
	step->written = TRUE;
	wap_view(step);
}

static void
wap_viewed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	WapStep *step = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) settings = NULL;
	gboolean running = !step->on;

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_warning("mmsd-tng: ViewSettings: %s", error->message);
		wap_step_free(step);
		return;
	}
	settings = g_variant_get_child_value(reply, 0);
	g_variant_lookup(settings, "AutoProcessSMSWAP", "b", &running);
	if (running == step->on) {
		if (!step->written)
			g_message("mmsd-tng: AutoProcessSMSWAP is %s already",
			          step->on ? "true" : "false");
		wap_step_free(step);
		return;
	}
	if (!step->written) {
		g_dbus_connection_call(
		        step->session, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE, "ChangeSettings",
		        g_variant_new("(sv)", "AutoProcessSMSWAP", g_variant_new_boolean(step->on)),
		        NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, MMSD_TIMEOUT_MS, NULL, wap_written,
		        step);
		return;
	}
	g_message("mmsd-tng: its running AutoProcessSMSWAP did not follow (mmsd-tng 2.1.0); "
	          "restarting " MMSD_UNIT);
	g_dbus_connection_call(step->session, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER,
	                       "TryRestartUnit", g_variant_new("(ss)", MMSD_UNIT, "replace"),
	                       G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
	                       MMSD_TIMEOUT_MS, NULL, wap_restarted, NULL);
	wap_step_free(step);
}

/* Makes mmsd-tng's AutoProcessSMSWAP @on, now and after its next start. */
static void
wap_set(GDBusConnection *session, gboolean on)
{
	WapStep *step = g_new0(WapStep, 1);

	step->session = g_object_ref(session);
	step->on = on;
	wap_view(step);
}

static void
mmsd_appeared(GDBusConnection *session, const char *name, const char *owner, gpointer user_data)
{
	g_set_object(&wap.session, session);
	wap.switched = TRUE;
	wap_set(session, FALSE);
}

void
omacp_agent_mms_registered(GVariant *granted)
{
	gboolean push = FALSE;

	if (!g_variant_lookup(granted, "mms-push", "b", &push) || !push) {
		g_message("omacpd does not hand MMS notifications to agents; mmsd-tng keeps its "
		          "own WAP processing");
		return;
	}
	if (wap.watch == 0)
		wap.watch = g_bus_watch_name(G_BUS_TYPE_SESSION, MMSD_BUS_NAME,
		                             G_BUS_NAME_WATCHER_FLAGS_NONE, mmsd_appeared, NULL,
		                             NULL, NULL);
}

void
omacp_agent_mms_daemon_gone(void)
{
	if (wap.watch != 0)
		g_bus_unwatch_name(wap.watch);
	wap.watch = 0;
	if (wap.switched && wap.session != NULL)
		wap_set(wap.session, TRUE);
	wap.switched = FALSE;
	g_clear_object(&wap.session);
}

/* --- Agent.PushMms ----------------------------------------------------------- */

static void
push_notified(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GDBusMethodInvocation) invocation = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error);
		g_message("mms: mmsd-tng did not take the MMS notification: %s", error->message);
		g_dbus_method_invocation_return_dbus_error(g_steal_pointer(&invocation),
		                                           OMACP_DBUS_ERROR_PREFIX "Backend",
		                                           error->message);
		return;
	}
	g_message("mms: MMS notification handed to mmsd-tng");
	g_dbus_method_invocation_return_value(g_steal_pointer(&invocation), NULL);
}

static void
push_got_session(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GDBusMethodInvocation) invocation = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) session = g_bus_get_finish(result, &error);
	g_autoptr(GVariant) push =
	        g_variant_get_child_value(g_dbus_method_invocation_get_parameters(invocation), 0);

	if (session == NULL) {
		g_dbus_method_invocation_return_dbus_error(g_steal_pointer(&invocation),
		                                           OMACP_DBUS_ERROR_PREFIX "Backend",
		                                           error->message);
		return;
	}
	g_dbus_connection_call(session, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE, "PushNotify",
	                       g_variant_new("(@ay)", push), NULL, G_DBUS_CALL_FLAGS_NONE,
	                       MMSD_TIMEOUT_MS, NULL, push_notified, g_steal_pointer(&invocation));
}

void
omacp_agent_mms_push(GDBusMethodInvocation *invocation)
{
	/* the handler's reference, given back when the call is answered */
	g_bus_get(G_BUS_TYPE_SESSION, NULL, push_got_session, invocation);
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
	/* a reference of ours either way: the call takes its own */
	g_autoptr(GVariant) previous = x->previous != NULL
	                                       ? g_variant_ref(x->previous)
	                                       : g_variant_ref_sink(g_variant_new("a{sv}", NULL));

	if (error != NULL)
		g_message("mms %s: %s failed: %s", x->request, x->what, error->message);
	else
		g_message("mms %s: %s %s", x->request, x->what,
		          g_variant_n_children(x->settings) > 0 ? "written to mmsd-tng"
		                                                : "read from mmsd-tng");
	g_dbus_connection_call(x->system_bus, x->daemon, OMACP_DBUS_PATH,
	                       OMACP_DBUS_MANAGER_INTERFACE, "ReportMms",
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
