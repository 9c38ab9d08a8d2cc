/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's router (src/daemon/router.h) with a fake intake (the deliver
 * function) and a fake push.d consumer on a private bus: every push is
 * answered taken, forwarded or left, and each goes where it says. */

#include <glib/gstdio.h>

#include "router.h"

/* Connectionless WSP pushes: TID, PDU type 0x06, header length 1, a
 * well-known content type, a body. */
static const guint8 provisioning_push[] = { 0x01, 0x06, 0x01, 0xB6, 0x03, 0x0B, 0x6A, 0x00 };
static const guint8 mms_push[] = { 0x02, 0x06, 0x01, 0xBE, 0x8C, 0x82, 0x98, 0x41 };
static const guint8 si_push[] = { 0x03, 0x06, 0x01, 0xAE, 0x02, 0x05, 0x6A, 0x00 };
static const guint8 not_a_push[] = { 0x00, 0x01, 0x02 };

#define CONSUMER_NAME  "org.omacp.TestConsumer"
#define CONSUMER_PATH  "/org/omacp/test/consumer"
#define CONSUMER_IFACE "org.ofono.PushNotificationAgent"

typedef struct {
	GTestDBus *dbus;
	GDBusConnection *bus;
	char *push_dir;
	guint consumer_id;
	GPtrArray *consumed; /* GBytes: what the fake consumer got */
	char *consumed_sender;
	gboolean consumer_refuses;
	GPtrArray *delivered; /* GBytes: what the fake intake got */
	gboolean intake_refuses;
	GArray *routes; /* OmacpPushRoute, in the order answered */
} Fixture;

static void
consumer_call(GDBusConnection *connection, const char *sender, const char *object_path,
              const char *interface_name, const char *method_name, GVariant *parameters,
              GDBusMethodInvocation *invocation, gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) notification = g_variant_get_child_value(parameters, 0);
	g_autoptr(GVariant) info = g_variant_get_child_value(parameters, 1);

	g_ptr_array_add(f->consumed, g_variant_get_data_as_bytes(notification));
	g_clear_pointer(&f->consumed_sender, g_free);
	g_variant_lookup(info, "Sender", "s", &f->consumed_sender);
	if (f->consumer_refuses)
		g_dbus_method_invocation_return_dbus_error(invocation, "org.omacp.Test.Error",
		                                           "not today");
	else
		g_dbus_method_invocation_return_value(invocation, NULL);
}

static const GDBusInterfaceVTable consumer_vtable = { consumer_call, NULL, NULL, { 0 } };

static const char consumer_xml[] = "<node><interface name='" CONSUMER_IFACE "'>"
                                   "<method name='ReceiveNotification'>"
                                   "<arg name='notification' type='ay' direction='in'/>"
                                   "<arg name='info' type='a{sv}' direction='in'/>"
                                   "</method></interface></node>";

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(consumer_xml, &error);
	g_autoptr(GVariant) reply = NULL;
	g_autofree char *conf = NULL;

	g_assert_no_error(error);
	f->dbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(f->dbus);
	f->bus = g_dbus_connection_new_for_address_sync(
	        g_test_dbus_get_bus_address(f->dbus),
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, &error);
	g_assert_no_error(error);
	reply = g_dbus_connection_call_sync(f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	                                    "org.freedesktop.DBus", "RequestName",
	                                    g_variant_new("(su)", CONSUMER_NAME, 0), NULL,
	                                    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	g_assert_no_error(error);
	f->consumer_id = g_dbus_connection_register_object(
	        f->bus, CONSUMER_PATH, node->interfaces[0], &consumer_vtable, f, NULL, &error);
	g_assert_no_error(error);

	f->push_dir = g_dir_make_tmp("omacp-router-XXXXXX", &error);
	g_assert_no_error(error);
	conf = g_build_filename(f->push_dir, "mms.conf", NULL);
	g_file_set_contents(conf,
	                    "[Consumer]\nContentType=application/vnd.wap.mms-message\n"
	                    "BusName=" CONSUMER_NAME "\nObjectPath=" CONSUMER_PATH "\n"
	                    "Interface=" CONSUMER_IFACE "\nMethod=ReceiveNotification\n"
	                    "Bus=system\n",
	                    -1, &error);
	g_assert_no_error(error);
	f->consumed = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	f->delivered = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
	f->routes = g_array_new(FALSE, FALSE, sizeof(OmacpPushRoute));
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_autofree char *conf = g_build_filename(f->push_dir, "mms.conf", NULL);

	g_dbus_connection_unregister_object(f->bus, f->consumer_id);
	g_dbus_connection_close_sync(f->bus, NULL, NULL);
	g_clear_object(&f->bus);
	g_test_dbus_down(f->dbus);
	g_clear_object(&f->dbus);
	g_unlink(conf);
	g_rmdir(f->push_dir);
	g_free(f->push_dir);
	g_free(f->consumed_sender);
	g_ptr_array_unref(f->consumed);
	g_ptr_array_unref(f->delivered);
	g_array_unref(f->routes);
}

/* the fake intake */
static gboolean
deliver(const OmacpPushEvent *event, gpointer user_data, GError **error)
{
	Fixture *f = user_data;

	g_assert_cmpstr(event->adapter, ==, "test");
	g_assert_cmpstr(event->imsi, ==, "001010123456789");
	/* parsed once, by the router */
	g_assert_nonnull(event->push);
	g_assert_cmpint(event->push->kind, ==, OMACP_PUSH_KIND_PROVISIONING);
	g_ptr_array_add(f->delivered, g_bytes_ref(event->datagram));
	if (f->intake_refuses) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "test: store full");
		return FALSE;
	}
	return TRUE;
}

static void
routed(OmacpPushRoute route, gpointer user_data)
{
	Fixture *f = user_data;

	g_array_append_val(f->routes, route);
}

/* Hands @pdu to @router as an adapter would and waits for the answer. */
static OmacpPushRoute
route_push(Fixture *f, OmacpRouter *router, const guint8 *pdu, gsize len)
{
	g_autoptr(GBytes) datagram = g_bytes_new(pdu, len);
	g_autoptr(GVariant) info =
	        g_variant_ref_sink(g_variant_new_parsed("{'Sender': <'+15550001'>}"));
	OmacpPushEvent event = {
		.adapter = "test",
		.modem = "/modem0",
		.imsi = "001010123456789",
		.sender = "+15550001",
		.received_us = g_get_real_time(),
		.datagram = datagram,
		.info = info,
	};
	guint before = f->routes->len;

	omacp_router_push(&event, routed, f, router);
	while (f->routes->len == before)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(f->routes->len, ==, before + 1);
	return g_array_index(f->routes, OmacpPushRoute, before);
}

static gboolean
bytes_are(GBytes *bytes, const guint8 *pdu, gsize len)
{
	g_autoptr(GBytes) expected = g_bytes_new_static(pdu, len);

	return g_bytes_equal(bytes, expected);
}

static void
test_taken(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpRouter) router = omacp_router_new(f->bus, f->push_dir, deliver, f);

	g_assert_cmpint(route_push(f, router, provisioning_push, sizeof(provisioning_push)), ==,
	                OMACP_PUSH_TAKEN);
	g_assert_cmpuint(f->delivered->len, ==, 1);
	g_assert_true(
	        bytes_are(f->delivered->pdata[0], provisioning_push, sizeof(provisioning_push)));
	g_assert_cmpuint(f->consumed->len, ==, 0);

	/* a daemon that refuses it: the adapter deletes it rather than leave
	 * it to fill the SIM */
	f->intake_refuses = TRUE;
	g_assert_cmpint(route_push(f, router, provisioning_push, sizeof(provisioning_push)), ==,
	                OMACP_PUSH_REFUSED);
	g_assert_cmpuint(f->delivered->len, ==, 2);
}

static void
test_forwarded(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpRouter) router = omacp_router_new(f->bus, f->push_dir, deliver, f);

	g_assert_cmpint(route_push(f, router, mms_push, sizeof(mms_push)), ==,
	                OMACP_PUSH_FORWARDED);
	g_assert_cmpuint(f->consumed->len, ==, 1);
	g_assert_true(bytes_are(f->consumed->pdata[0], mms_push, sizeof(mms_push)));
	g_assert_cmpstr(f->consumed_sender, ==, "+15550001");
	g_assert_cmpuint(f->delivered->len, ==, 0);

	/* the consumer did not take it: left on the modem */
	f->consumer_refuses = TRUE;
	g_assert_cmpint(route_push(f, router, mms_push, sizeof(mms_push)), ==, OMACP_PUSH_LEFT);
	g_assert_cmpuint(f->consumed->len, ==, 2);
}

static void
test_left(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpRouter) router = omacp_router_new(f->bus, f->push_dir, deliver, f);
	g_autoptr(OmacpRouter) no_dir = omacp_router_new(f->bus, NULL, deliver, f);

	/* no consumer wants an SI; data that is no push at all */
	g_assert_cmpint(route_push(f, router, si_push, sizeof(si_push)), ==, OMACP_PUSH_LEFT);
	g_assert_cmpint(route_push(f, router, not_a_push, sizeof(not_a_push)), ==, OMACP_PUSH_LEFT);
	/* without a push.d directory nothing is forwarded */
	g_assert_cmpint(route_push(f, no_dir, mms_push, sizeof(mms_push)), ==, OMACP_PUSH_LEFT);
	g_assert_cmpuint(f->consumed->len, ==, 0);
	g_assert_cmpuint(f->delivered->len, ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/router/taken", Fixture, NULL, fixture_set_up, test_taken, fixture_tear_down);
	g_test_add("/router/forwarded", Fixture, NULL, fixture_set_up, test_forwarded,
	           fixture_tear_down);
	g_test_add("/router/left", Fixture, NULL, fixture_set_up, test_left, fixture_tear_down);
	return g_test_run();
}
