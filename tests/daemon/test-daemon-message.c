/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon-message.c: the message object's properties as ObjectManager
 * sends them (InterfacesAdded, GetManagedObjects). */
#include "config.h"

#include "daemon-message.h"

/* What the generated skeleton would send for @msg. */
static GVariant *
generated_properties(OmacpDaemonMessage *msg)
{
	GDBusInterfaceSkeletonClass *generated =
	        g_type_class_peek(OMACP_DBUS_TYPE_MESSAGE_SKELETON);

	return g_variant_ref_sink(generated->get_properties(G_DBUS_INTERFACE_SKELETON(msg)));
}

static void
assert_same_properties(OmacpDaemonMessage *msg)
{
	g_autoptr(GVariant) ours =
	        g_dbus_interface_skeleton_get_properties(G_DBUS_INTERFACE_SKELETON(msg));
	g_autoptr(GVariant) theirs = generated_properties(msg);
	g_autofree char *ours_text = g_variant_print(ours, TRUE);
	g_autofree char *theirs_text = g_variant_print(theirs, TRUE);

	/* every property of the interface, none twice, in the XML's order */
	g_assert_cmpuint(g_variant_n_children(ours), ==,
	                 g_strv_length((char **) omacp_dbus_message_interface_info()->properties));
	g_assert_cmpstr(ours_text, ==, theirs_text);
	g_assert_true(g_variant_equal(ours, theirs));
}

static void
test_properties_new(void)
{
	g_autoptr(OmacpDaemonMessage) msg = omacp_daemon_message_new(3, OMACP_FORMAT_WSP, NULL);

	assert_same_properties(msg);
}

static void
test_properties_filled(void)
{
	g_autoptr(OmacpDaemonMessage) msg = omacp_daemon_message_new(4, OMACP_FORMAT_TPDU, NULL);
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	const char *warnings[] = { "one", "two \\x1B", NULL };
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	GVariantBuilder b;

	omacp_daemon_message_restore_state(msg, OMACP_MESSAGE_STATE_PENDING_PIN);
	omacp_dbus_message_set_security(m, "userpin");
	omacp_dbus_message_set_authenticated(m, TRUE);
	omacp_dbus_message_set_sender(m, "+4912345678");
	omacp_daemon_message_set_imsi(msg, "262011234567890");
	omacp_dbus_message_set_modem(m, "/ril_0");
	omacp_dbus_message_set_received_at(m, G_GUINT64_CONSTANT(1700000000123456));
	omacp_dbus_message_set_content_type(m, "application/vnd.wap.connectivity-wbxml");
	omacp_dbus_message_set_document(m, "<wap-provisioningdoc/>\n");
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	g_variant_builder_open(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "field", g_variant_new_string("apn"));
	g_variant_builder_close(&b);
	omacp_dbus_message_set_changes(m, g_variant_builder_end(&b));
	omacp_dbus_message_set_warnings(m, warnings);
	/* unset strings go out as "" */
	omacp_dbus_message_set_error(m, NULL);
	omacp_dbus_message_set_pin_attempts_left(m, 3);
	omacp_dbus_message_set_segments_received(m, 2);
	omacp_dbus_message_set_segments_total(m, 4);
	g_ptr_array_add(paths, OMACP_DBUS_PROFILE_PREFIX "1");
	g_ptr_array_add(paths, OMACP_DBUS_PROFILE_PREFIX "9");
	omacp_daemon_message_set_profiles(msg, paths);
	assert_same_properties(msg);

	/* and with nothing set at all where the skeleton allows it */
	omacp_dbus_message_set_changes(m, NULL);
	omacp_dbus_message_set_warnings(m, NULL);
	omacp_dbus_message_set_profiles(m, NULL);
	omacp_dbus_message_set_document(m, NULL);
	assert_same_properties(msg);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/daemon-message/properties/new", test_properties_new);
	g_test_add_func("/daemon-message/properties/filled", test_properties_filled);
	return g_test_run();
}
