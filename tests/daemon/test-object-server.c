/* SPDX-License-Identifier: GPL-2.0-or-later */
/* object-server.c on a private bus: GetManagedObjects, InterfacesAdded and
 * InterfacesRemoved, method calls and Properties through the generated
 * skeleton's handlers, PropertiesChanged once per main-loop turn,
 * introspection of the subtree. */
#include "config.h"

#include "objects.h"

typedef struct {
	GTestDBus *bus;
	GDBusConnection *daemon; /* the server's side */
	GDBusConnection *client;
	OmacpObjectServer *server;
	GPtrArray *signals; /* (member, path, parameters) as printed text */
	guint subscription;
} Fixture;

static void
on_signal(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
          const char *member, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;
	g_autofree char *text = g_variant_print(params, FALSE);

	g_ptr_array_add(f->signals, g_strdup_printf("%s %s %s", member, path, text));
}

static GDBusConnection *
connect_to(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_for_address_sync(
	        g_test_dbus_get_bus_address(f->bus),
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, &error);

	g_assert_no_error(error);
	return conn;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	f->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(f->bus);
	f->daemon = connect_to(f);
	f->client = connect_to(f);
	f->server = omacp_objects_server_new();
	f->signals = g_ptr_array_new_with_free_func(g_free);
	f->subscription = g_dbus_connection_signal_subscribe(
	        f->client, g_dbus_connection_get_unique_name(f->daemon), NULL, NULL, NULL, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_dbus_connection_signal_unsubscribe(f->client, f->subscription);
	g_clear_object(&f->server);
	g_ptr_array_unref(f->signals);
	g_dbus_connection_close_sync(f->client, NULL, NULL);
	g_dbus_connection_close_sync(f->daemon, NULL, NULL);
	g_clear_object(&f->client);
	g_clear_object(&f->daemon);
	g_test_dbus_down(f->bus);
	g_clear_object(&f->bus);
}

typedef struct {
	gboolean done;
	GVariant *reply;
	GError *error;
} Call;

static void
call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Call *c = user_data;

	c->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &c->error);
	c->done = TRUE;
}

/* A call from the client, the server answering in this thread's main loop;
 * NULL with @error set when it failed. */
static GVariant *
call(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args,
     GError **error)
{
	Call c = { FALSE, NULL, NULL };

	g_dbus_connection_call(f->client, g_dbus_connection_get_unique_name(f->daemon), path, iface,
	                       method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, call_done,
	                       &c);
	while (!c.done)
		g_main_context_iteration(NULL, TRUE);
	if (c.error != NULL)
		g_propagate_error(error, c.error);
	return c.reply;
}

/* Turns the main loop until the client has seen @n signals (5 s at most),
 * then a little longer for any that should not come. */
static void
wait_signals(Fixture *f, guint n)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	g_autoptr(GVariant) ping = NULL;

	while (f->signals->len < n && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	/* a round trip: what the daemon sent before it has arrived */
	ping = call(f, "/org/freedesktop/DBus", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_assert_cmpuint(f->signals->len, ==, n);
}

static OmacpDaemonMessage *
message(guint id)
{
	return omacp_daemon_message_new(id, OMACP_FORMAT_WSP, NULL);
}

static void
test_managed_objects(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) m1 = message(1);
	g_autoptr(OmacpDaemonMessage) m2 = message(2);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) answer = NULL;
	g_autoptr(GVariant) objects = NULL;
	g_autoptr(GVariant) props = NULL;
	g_autoptr(GVariant) state = NULL;

	/* exported before the connection: no signal */
	omacp_daemon_message_export(m1, f->server);
	omacp_dbus_message_set_sender(OMACP_DBUS_MESSAGE(m1), "+4912345");
	g_assert_true(omacp_object_server_set_connection(f->server, f->daemon, &error));
	g_assert_no_error(error);
	omacp_daemon_message_export(m2, f->server);
	g_assert_true(m2->exported);
	wait_signals(f, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(f->signals, 0),
	                               "InterfacesAdded /org/omacp/Provisioning1 "
	                               "('/org/omacp/Provisioning1/message/2', "
	                               "{'org.omacp.Provisioning1.Message': {'State': "
	                               "<'receiving'>"));

	answer = call(f, OMACP_DBUS_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
	              NULL, &error);
	g_assert_no_error(error);
	objects = g_variant_get_child_value(answer, 0);
	g_assert_cmpuint(g_variant_n_children(objects), ==, 2);
	g_assert_true(
	        g_variant_lookup(objects, OMACP_DBUS_MESSAGE_PREFIX "1", "@a{sa{sv}}", &props));
	g_assert_true(g_variant_lookup(props, "org.omacp.Provisioning1.Message", "@a{sv}", &state));
	g_assert_cmpuint(g_variant_n_children(state), ==,
	                 g_strv_length((char **) omacp_dbus_message_interface_info()->properties));
	{
		const char *sender = NULL;

		g_assert_true(g_variant_lookup(state, "Sender", "&s", &sender));
		g_assert_cmpstr(sender, ==, "+4912345");
	}
}

static void
test_calls_and_properties(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) m = message(7);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GVariant) state = NULL;
	g_autoptr(GVariant) all = NULL;
	g_autoptr(GVariant) missing = NULL;
	g_autoptr(GVariant) other = NULL;
	const char *path = OMACP_DBUS_MESSAGE_PREFIX "7";

	g_assert_true(omacp_object_server_set_connection(f->server, f->daemon, &error));
	omacp_daemon_message_export(m, f->server);

	/* a method of the interface: the daemon's class handler answers */
	changes = call(f, path, "org.omacp.Provisioning1.Message", "GetChanges", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(g_variant_get_type_string(changes), ==, "(aa{sv})");

	state = call(f, path, "org.freedesktop.DBus.Properties", "Get",
	             g_variant_new("(ss)", "org.omacp.Provisioning1.Message", "State"), &error);
	g_assert_no_error(error);
	{
		g_autoptr(GVariant) v = NULL;

		g_variant_get(state, "(v)", &v);
		g_assert_cmpstr(g_variant_get_string(v, NULL), ==, "receiving");
	}
	all = call(f, path, "org.freedesktop.DBus.Properties", "GetAll",
	           g_variant_new("(s)", "org.omacp.Provisioning1.Message"), &error);
	g_assert_no_error(error);
	{
		g_autoptr(GVariant) dict = g_variant_get_child_value(all, 0);

		g_assert_cmpuint(g_variant_n_children(dict), ==, 14);
	}

	/* no object there, another interface */
	missing = call(f, OMACP_DBUS_MESSAGE_PREFIX "8", "org.omacp.Provisioning1.Message",
	               "GetChanges", NULL, &error);
	g_assert_null(missing);
	g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
	g_clear_error(&error);
	other = call(f, path, "org.omacp.Provisioning1.Profile", "Remove", NULL, &error);
	g_assert_null(other);
	g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
}

static void
test_properties_changed(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) m = message(3);
	g_autoptr(GError) error = NULL;
	OmacpDBusMessage *iface = OMACP_DBUS_MESSAGE(m);

	g_assert_true(omacp_object_server_set_connection(f->server, f->daemon, &error));
	omacp_daemon_message_export(m, f->server);
	wait_signals(f, 1);

	/* two properties in one turn: one signal with both */
	omacp_dbus_message_set_error(iface, "broken");
	omacp_daemon_message_restore_state(m, OMACP_MESSAGE_STATE_FAILED);
	/* the same value again: not a change */
	omacp_dbus_message_set_sender(iface, "");
	wait_signals(f, 2);
	g_assert_cmpstr(g_ptr_array_index(f->signals, 1), ==,
	                "PropertiesChanged /org/omacp/Provisioning1/message/3 "
	                "('org.omacp.Provisioning1.Message', {'State': <'failed'>, "
	                "'Error': <'broken'>}, [])");

	/* the next turn: another signal */
	omacp_dbus_message_set_segments_received(iface, 4);
	wait_signals(f, 3);
	g_assert_cmpstr(g_ptr_array_index(f->signals, 2), ==,
	                "PropertiesChanged /org/omacp/Provisioning1/message/3 "
	                "('org.omacp.Provisioning1.Message', {'SegmentsReceived': <uint32 4>}, "
	                "[])");

	/* a change and the withdrawal in one turn: only InterfacesRemoved */
	omacp_dbus_message_set_error(iface, "gone");
	omacp_daemon_message_withdraw(m);
	g_assert_false(m->exported);
	wait_signals(f, 4);
	g_assert_cmpstr(g_ptr_array_index(f->signals, 3), ==,
	                "InterfacesRemoved /org/omacp/Provisioning1 "
	                "('/org/omacp/Provisioning1/message/3', "
	                "['org.omacp.Provisioning1.Message'])");
	/* not exported any more: nothing */
	omacp_dbus_message_set_error(iface, "later");
	wait_signals(f, 4);
}

static void
test_introspection(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) m = message(12);
	g_autoptr(OmacpDaemonProfile) p = omacp_daemon_profile_new(5, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) root = NULL;
	g_autoptr(GVariant) folder = NULL;
	g_autoptr(GVariant) node = NULL;
	g_autoptr(GVariant) profile = NULL;
	const char *xml = NULL;

	g_assert_true(omacp_object_server_set_connection(f->server, f->daemon, &error));
	omacp_daemon_message_export(m, f->server);
	omacp_daemon_profile_export(p, f->server);

	root = call(f, OMACP_DBUS_PATH, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
	            &error);
	g_assert_no_error(error);
	g_variant_get(root, "(&s)", &xml);
	g_assert_nonnull(strstr(xml, "org.freedesktop.DBus.ObjectManager"));
	g_assert_nonnull(strstr(xml, "<node name=\"message\"/>"));
	g_assert_nonnull(strstr(xml, "<node name=\"profile\"/>"));

	folder = call(f, OMACP_DBUS_PATH "/message", "org.freedesktop.DBus.Introspectable",
	              "Introspect", NULL, &error);
	g_assert_no_error(error);
	g_variant_get(folder, "(&s)", &xml);
	g_assert_nonnull(strstr(xml, "<node name=\"12\"/>"));

	node = call(f, OMACP_DBUS_MESSAGE_PREFIX "12", "org.freedesktop.DBus.Introspectable",
	            "Introspect", NULL, &error);
	g_assert_no_error(error);
	g_variant_get(node, "(&s)", &xml);
	g_assert_nonnull(strstr(xml, "<interface name=\"org.omacp.Provisioning1.Message\">"));
	g_assert_nonnull(strstr(xml, "<method name=\"Accept\">"));

	profile = call(f, OMACP_DBUS_PROFILE_PREFIX "5", "org.freedesktop.DBus.Introspectable",
	               "Introspect", NULL, &error);
	g_assert_no_error(error);
	g_variant_get(profile, "(&s)", &xml);
	g_assert_nonnull(strstr(xml, "<interface name=\"org.omacp.Provisioning1.Profile\">"));
}

static void
test_off_the_connection(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) m = message(4);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) answer = NULL;

	g_assert_true(omacp_object_server_set_connection(f->server, f->daemon, &error));
	omacp_daemon_message_export(m, f->server);
	wait_signals(f, 1);
	omacp_dbus_message_set_error(OMACP_DBUS_MESSAGE(m), "pending");
	/* taken off: no InterfacesRemoved, no PropertiesChanged, no answers */
	g_assert_true(omacp_object_server_set_connection(f->server, NULL, &error));
	g_assert_true(omacp_object_server_is_exported(f->server, OMACP_DBUS_MESSAGE_PREFIX "4"));
	wait_signals(f, 1);
	answer = call(f, OMACP_DBUS_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
	              NULL, &error);
	g_assert_null(answer);
	g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD("/object-server/managed-objects", test_managed_objects);
	ADD("/object-server/calls-and-properties", test_calls_and_properties);
	ADD("/object-server/properties-changed", test_properties_changed);
	ADD("/object-server/introspection", test_introspection);
	ADD("/object-server/off-the-connection", test_off_the_connection);
#undef ADD
	return g_test_run();
}
