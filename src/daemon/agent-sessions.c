/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "agent-sessions.h"

#define LOGIND_NAME      "org.freedesktop.login1"
#define LOGIND_PATH      "/org/freedesktop/login1"
#define LOGIND_MANAGER   "org.freedesktop.login1.Manager"
#define LOGIND_SEAT      "org.freedesktop.login1.Seat"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

struct _OmacpAgentSessions {
	GDBusConnection *bus;
	char *seat_path;
	char *active; /* session object path, NULL: none known */
	guint watch;
	guint subscription;
	GCancellable *cancellable;
	OmacpAgentSessionsChangedFunc changed;
	gpointer changed_data;
};

static void
set_active(OmacpAgentSessions *self, const char *active)
{
	if (g_strcmp0(self->active, active) == 0)
		return;
	g_free(self->active);
	self->active = g_strdup(active);
	g_message("logind: the active session of %s is %s", self->seat_path,
	          active != NULL ? active : "none");
	if (self->changed != NULL)
		self->changed(self->changed_data);
}

/* ActiveSession is (so): the session id and its object path. */
static void
take_active(OmacpAgentSessions *self, GVariant *value)
{
	const char *path = NULL;

	if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE("(so)")))
		return;
	g_variant_get(value, "(&s&o)", NULL, &path);
	set_active(self, g_strcmp0(path, "/") == 0 ? NULL : path);
}

static void
active_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) value = NULL;

	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("logind: no active session read: %s", error->message);
		return;
	}
	g_variant_get(reply, "(v)", &value);
	take_active(user_data, value);
}

static void
seat_changed(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
             const char *signal, GVariant *params, gpointer user_data)
{
	OmacpAgentSessions *self = user_data;
	const char *changed_iface = NULL;
	g_autoptr(GVariant) changed = NULL;
	g_autoptr(GVariant) value = NULL;
	g_autofree const char **invalidated = NULL;

	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sa{sv}as)")))
		return;
	g_variant_get(params, "(&s@a{sv}^a&s)", &changed_iface, &changed, &invalidated);
	if (g_strcmp0(changed_iface, LOGIND_SEAT) != 0)
		return;
	value = g_variant_lookup_value(changed, "ActiveSession", G_VARIANT_TYPE("(so)"));
	if (value != NULL) {
		take_active(self, value);
		return;
	}
	for (guint i = 0; invalidated != NULL && invalidated[i] != NULL; i++) {
		if (g_str_equal(invalidated[i], "ActiveSession"))
			g_dbus_connection_call(
			        self->bus, LOGIND_NAME, self->seat_path, PROPERTIES_IFACE, "Get",
			        g_variant_new("(ss)", LOGIND_SEAT, "ActiveSession"),
			        G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
			        self->cancellable, active_read, self);
	}
}

static void
logind_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	OmacpAgentSessions *self = user_data;

	g_dbus_connection_call(bus, owner, self->seat_path, PROPERTIES_IFACE, "Get",
	                       g_variant_new("(ss)", LOGIND_SEAT, "ActiveSession"),
	                       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
	                       self->cancellable, active_read, self);
}

static void
logind_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	set_active(user_data, NULL);
}

OmacpAgentSessions *
omacp_agent_sessions_new(GDBusConnection *bus, const char *seat,
                         OmacpAgentSessionsChangedFunc changed, gpointer user_data)
{
	OmacpAgentSessions *self = g_new0(OmacpAgentSessions, 1);

	self->bus = g_object_ref(bus);
	self->seat_path = g_strconcat(LOGIND_PATH "/seat/", seat, NULL);
	self->cancellable = g_cancellable_new();
	self->changed = changed;
	self->changed_data = user_data;
	if (g_dbus_connection_get_unique_name(bus) == NULL)
		return self; /* a peer-to-peer connection (tests): no logind */
	self->subscription = g_dbus_connection_signal_subscribe(
	        bus, LOGIND_NAME, PROPERTIES_IFACE, "PropertiesChanged", self->seat_path, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, seat_changed, self, NULL);
	self->watch =
	        g_bus_watch_name_on_connection(bus, LOGIND_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       logind_appeared, logind_vanished, self, NULL);
	return self;
}

void
omacp_agent_sessions_free(OmacpAgentSessions *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->watch != 0)
		g_bus_unwatch_name(self->watch);
	if (self->subscription != 0)
		g_dbus_connection_signal_unsubscribe(self->bus, self->subscription);
	g_clear_object(&self->bus);
	g_free(self->seat_path);
	g_free(self->active);
	g_free(self);
}

gboolean
omacp_agent_sessions_is_active(OmacpAgentSessions *self, const char *session)
{
	return session != NULL && g_strcmp0(self->active, session) == 0;
}

static void
session_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	char *path = NULL;

	if (reply != NULL)
		g_variant_get(reply, "(o)", &path);
	else
		g_debug("logind: no session: %s", error->message);
	g_task_return_pointer(task, path, g_free);
}

void
omacp_agent_sessions_lookup_async(OmacpAgentSessions *self, guint32 pid, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);

	if (pid == 0) {
		/* unknown; logind would answer with the caller's own session */
		g_task_return_pointer(task, NULL, NULL);
		g_object_unref(task);
		return;
	}
	g_dbus_connection_call(self->bus, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER,
	                       "GetSessionByPID", g_variant_new("(u)", pid), G_VARIANT_TYPE("(o)"),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, session_found,
	                       task);
}

char *
omacp_agent_sessions_lookup_finish(OmacpAgentSessions *self, GAsyncResult *result)
{
	return g_task_propagate_pointer(G_TASK(result), NULL);
}
