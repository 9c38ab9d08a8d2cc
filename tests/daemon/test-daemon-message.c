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

	omacp_daemon_message_restore_state(msg, OMACP_MESSAGE_STATE_PENDING_PIN);
	omacp_dbus_message_set_security(m, "userpin");
	omacp_dbus_message_set_authenticated(m, TRUE);
	omacp_dbus_message_set_sender(m, "+4912345678");
	omacp_daemon_message_set_imsi(msg, "262011234567890");
	omacp_dbus_message_set_modem(m, "/ril_0");
	omacp_dbus_message_set_received_at(m, G_GUINT64_CONSTANT(1700000000123456));
	omacp_dbus_message_set_content_type(m, "application/vnd.wap.connectivity-wbxml");
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
	omacp_dbus_message_set_warnings(m, NULL);
	omacp_dbus_message_set_profiles(m, NULL);
	assert_same_properties(msg);
}

/* The GObject name gdbus-codegen gives the D-Bus property @name. */
static char *
gobject_name(const char *name)
{
	GString *out = g_string_new(NULL);

	for (const char *c = name; *c != '\0'; c++) {
		if (g_ascii_isupper(*c) && c != name)
			g_string_append_c(out, '-');
		g_string_append_c(out, g_ascii_tolower(*c));
	}
	return g_string_free(out, FALSE);
}

static gboolean
same_value(const GValue *a, const GValue *b)
{
	if (G_VALUE_HOLDS_VARIANT(a))
		return g_variant_equal(g_value_get_variant(a), g_value_get_variant(b));
	if (G_VALUE_HOLDS(a, G_TYPE_STRV))
		return g_strv_equal(g_value_get_boxed(a), g_value_get_boxed(b));
	if (G_VALUE_HOLDS_STRING(a))
		return g_strcmp0(g_value_get_string(a), g_value_get_string(b)) == 0;
	if (G_VALUE_HOLDS_BOOLEAN(a))
		return g_value_get_boolean(a) == g_value_get_boolean(b);
	if (G_VALUE_HOLDS_UINT(a))
		return g_value_get_uint(a) == g_value_get_uint(b);
	if (G_VALUE_HOLDS_UINT64(a))
		return g_value_get_uint64(a) == g_value_get_uint64(b);
	g_assert_not_reached();
}

/* A message made with every property given: each value lands where the
 * skeleton keeps that property (GObject reads it back, and ObjectManager
 * sends it), and the values are moved. */
static void
test_made_with_properties(void)
{
	GDBusPropertyInfo **props = omacp_dbus_message_interface_info()->properties;
	const char *const warnings[] = { "w1", NULL };
	const char *const profiles[] = { OMACP_DBUS_PROFILE_PREFIX "7", NULL };
	g_autoptr(GVariant) changes = g_variant_ref_sink(
	        g_variant_new_parsed("[{'field': <'apn'>}, {'field': <'name'>}]"));
	GObjectClass *klass = g_type_class_ref(OMACP_TYPE_DAEMON_MESSAGE);
	g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
	const char *names[32];
	GValue values[32] = { G_VALUE_INIT };
	GValue expected[32] = { G_VALUE_INIT };
	g_autoptr(OmacpDaemonMessage) msg = NULL;
	g_autoptr(OmacpDaemonMessage) plain = NULL;
	guint n = 0;

	for (guint i = 0; props[i] != NULL; i++, n++) {
		char *name = gobject_name(props[i]->name);
		GParamSpec *spec = g_object_class_find_property(klass, name);

		g_assert_nonnull(spec);
		g_ptr_array_add(owned, name);
		names[n] = name;
		g_value_init(&values[n], spec->value_type);
		if (spec->value_type == G_TYPE_STRING)
			g_value_take_string(&values[n], g_strdup_printf("value of %s", name));
		else if (spec->value_type == G_TYPE_BOOLEAN)
			g_value_set_boolean(&values[n], TRUE);
		else if (spec->value_type == G_TYPE_UINT)
			g_value_set_uint(&values[n], 100 + i);
		else if (spec->value_type == G_TYPE_UINT64)
			g_value_set_uint64(&values[n], G_GUINT64_CONSTANT(1) << 40);
		else if (spec->value_type == G_TYPE_VARIANT)
			g_value_set_variant(&values[n], changes);
		else if (spec->value_type == G_TYPE_STRV)
			g_value_set_boxed(&values[n],
			                  strcmp(name, "profiles") == 0 ? profiles : warnings);
		else
			g_assert_not_reached();
		g_value_init(&expected[n], spec->value_type);
		g_value_copy(&values[n], &expected[n]);
	}
	msg = omacp_daemon_message_new_with_properties(5, OMACP_FORMAT_WSP, NULL, n, names, values);
	for (guint i = 0; i < n; i++) {
		GValue back = G_VALUE_INIT;

		g_assert_false(G_IS_VALUE(&values[i]));
		g_value_init(&back, G_VALUE_TYPE(&expected[i]));
		g_object_get_property(G_OBJECT(msg), names[i], &back);
		if (!same_value(&back, &expected[i]))
			g_error("property %s not read back", names[i]);
		g_value_unset(&back);
		g_value_unset(&expected[i]);
	}
	g_assert_cmpstr(omacp_dbus_message_get_sender(OMACP_DBUS_MESSAGE(msg)), ==,
	                "value of sender");
	g_assert_cmpstr(omacp_dbus_message_get_warnings(OMACP_DBUS_MESSAGE(msg))[0], ==, "w1");
	g_assert_true(omacp_dbus_message_get_authenticated(OMACP_DBUS_MESSAGE(msg)));
	assert_same_properties(msg);

	/* nothing given: the empty values, the state receiving */
	plain = omacp_daemon_message_new_with_properties(6, OMACP_FORMAT_WSP, NULL, 0, NULL, NULL);
	g_assert_cmpstr(omacp_dbus_message_get_state(OMACP_DBUS_MESSAGE(plain)), ==, "receiving");
	g_assert_cmpstr(omacp_dbus_message_get_sender(OMACP_DBUS_MESSAGE(plain)), ==, "");
	g_assert_cmpuint(
	        g_strv_length((char **) omacp_dbus_message_get_profiles(OMACP_DBUS_MESSAGE(plain))),
	        ==, 0);
	assert_same_properties(plain);
	g_type_class_unref(klass);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/daemon-message/properties/new", test_properties_new);
	g_test_add_func("/daemon-message/properties/filled", test_properties_filled);
	g_test_add_func("/daemon-message/properties/made-with", test_made_with_properties);
	return g_test_run();
}
