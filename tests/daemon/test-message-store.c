/* SPDX-License-Identifier: GPL-2.0-or-later */
/* message-store.c: message and profile objects written to the store and
 * read back as they were; the undo snapshots of profiles. */
#include "config.h"

#include <glib/gstdio.h>

#include "message-store.h"

typedef struct {
	char *dir;
	OmacpStore *store;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("omacp-test-message-store-XXXXXX", &error);
	g_assert_no_error(error);
	g_assert_true(omacp_store_open(f->dir, &f->store, &error));
	g_assert_no_error(error);
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->store, omacp_store_free);
	remove_tree(f->dir);
	g_free(f->dir);
}

static void
test_message_round_trip(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = omacp_daemon_message_new(7, OMACP_FORMAT_UD, NULL);
	g_autoptr(OmacpDaemonMessage) back = NULL;
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	OmacpDBusMessage *b;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GBytes) input = g_bytes_new_static("\x01\x02\x03", 3);
	g_autoptr(GBytes) input_back = NULL;
	const char *warnings[] = { "one warning", NULL };
	GVariant *changes = g_variant_new_parsed(
	        "[{'profile': <'internet:N1'>, 'field': <'apn'>, 'old': <''>, 'new': <'web'>}]");
	GVariant *undo = g_variant_new_parsed("[{'profile': <uint32 3>, 'created': <true>}]");

	omacp_dbus_message_set_security(m, "userpin");
	omacp_dbus_message_set_authenticated(m, TRUE);
	omacp_dbus_message_set_sender(m, "+4930001");
	omacp_daemon_message_set_imsi(msg, "262011234567889");
	omacp_dbus_message_set_modem(m, "/modem/0");
	omacp_dbus_message_set_received_at(m, 1234567);
	omacp_dbus_message_set_content_type(m, "application/vnd.wap.connectivity-wbxml");
	omacp_dbus_message_set_error(m, "an error");
	omacp_dbus_message_set_pin_attempts_left(m, 2);
	omacp_dbus_message_set_segments_received(m, 3);
	omacp_dbus_message_set_segments_total(m, 4);
	g_ptr_array_add(paths, g_strdup(OMACP_DBUS_PROFILE_PREFIX "3"));
	g_ptr_array_add(paths, g_strdup(OMACP_DBUS_PROFILE_PREFIX "5"));
	omacp_daemon_message_set_profiles(msg, paths);
	omacp_dbus_message_set_changes(m, changes);
	omacp_dbus_message_set_warnings(m, warnings);
	omacp_daemon_message_restore_state(msg, OMACP_MESSAGE_STATE_PENDING_PIN);
	msg->fingerprint = g_strdup("abc123");
	msg->undo = g_variant_ref_sink(undo);
	g_assert_true(omacp_message_store_add_input(f->store, msg, input, 1000, &error));
	g_assert_no_error(error);
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_no_error(error);

	back = omacp_message_store_load_message(f->store, 7, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(back);
	b = OMACP_DBUS_MESSAGE(back);
	g_assert_cmpuint(back->id, ==, 7);
	g_assert_cmpstr(back->path, ==, OMACP_DBUS_MESSAGE_PREFIX "7");
	g_assert_cmpint(omacp_daemon_message_get_state(back), ==, OMACP_MESSAGE_STATE_PENDING_PIN);
	g_assert_cmpstr(omacp_dbus_message_get_state(b), ==, "pending-pin");
	g_assert_cmpint(back->format, ==, OMACP_FORMAT_UD);
	g_assert_cmpstr(omacp_dbus_message_get_security(b), ==, "userpin");
	g_assert_true(omacp_dbus_message_get_authenticated(b));
	g_assert_cmpstr(omacp_dbus_message_get_sender(b), ==, "+4930001");
	g_assert_cmpstr(back->imsi, ==, "262011234567889");
	g_assert_cmpstr(omacp_dbus_message_get_imsi(b), ==, "26201********89");
	g_assert_cmpstr(omacp_dbus_message_get_modem(b), ==, "/modem/0");
	g_assert_cmpuint(omacp_dbus_message_get_received_at(b), ==, 1234567);
	g_assert_cmpstr(omacp_dbus_message_get_content_type(b), ==,
	                "application/vnd.wap.connectivity-wbxml");
	g_assert_cmpstr(omacp_dbus_message_get_error(b), ==, "an error");
	g_assert_cmpuint(omacp_dbus_message_get_pin_attempts_left(b), ==, 2);
	g_assert_cmpuint(omacp_dbus_message_get_segments_received(b), ==, 3);
	g_assert_cmpuint(omacp_dbus_message_get_segments_total(b), ==, 4);
	g_assert_cmpstrv(omacp_dbus_message_get_profiles(b), omacp_dbus_message_get_profiles(m));
	g_assert_true(g_variant_equal(omacp_dbus_message_get_changes(b),
	                              omacp_dbus_message_get_changes(m)));
	g_assert_cmpstrv(omacp_dbus_message_get_warnings(b), warnings);
	g_assert_cmpuint(back->n_inputs, ==, 1);
	g_assert_cmpuint(back->input_times->len, ==, 1);
	g_assert_cmpint(g_array_index(back->input_times, gint64, 0), ==, 1000);
	g_assert_cmpstr(back->fingerprint, ==, "abc123");
	g_assert_true(g_variant_equal(back->undo, msg->undo));
	input_back = omacp_message_store_read_input(f->store, back, 0, &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(input_back, input));
	/* the secret part of the SIM never reaches a property */
	g_assert_null(strstr(omacp_dbus_message_get_imsi(b), "1234567"));
}

static void
test_message_unknown_state(Fixture *f, gconstpointer data)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpDaemonMessage) back = NULL;

	g_key_file_set_string(kf, "Message", "State", "half-applied");
	g_key_file_set_string(kf, "Message", "Format", "wbxml");
	g_assert_true(omacp_store_save_message_meta(f->store, 9, kf, &error));
	g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*unknown, read as failed*");
	back = omacp_message_store_load_message(f->store, 9, NULL, &error);
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	g_assert_cmpint(omacp_daemon_message_get_state(back), ==, OMACP_MESSAGE_STATE_FAILED);
	g_assert_cmpint(back->format, ==, OMACP_FORMAT_WBXML);
	/* nothing stored: an error, no object */
	g_clear_error(&error);
	g_assert_null(omacp_message_store_load_message(f->store, 10, NULL, &error));
	g_assert_nonnull(error);
}

static void
test_message_complete(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = omacp_daemon_message_new(3, OMACP_FORMAT_XML, NULL);
	g_autoptr(GBytes) doc = g_bytes_new_static("<wap-provisioningdoc/>", 22);
	g_autoptr(GBytes) back = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(omacp_message_store_write_complete(f->store, msg, doc, &error));
	back = omacp_message_store_read_complete(f->store, msg, &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(back, doc));
}

static void
fill_profile(OmacpDaemonProfile *profile)
{
	OmacpDBusProfile *p = OMACP_DBUS_PROFILE(profile);
	const char *risks[] = { "a proxy", NULL };

	omacp_dbus_profile_set_kind(p, "internet");
	omacp_dbus_profile_set_identity(p, "internet:N1");
	omacp_dbus_profile_set_name(p, "Web");
	omacp_daemon_profile_set_imsi(profile, "001010123456789");
	omacp_dbus_profile_set_settings(p, g_variant_new_parsed("{'apn': <'web'>}"));
	omacp_dbus_profile_set_risks(p, risks);
	omacp_dbus_profile_set_message(p, OMACP_DBUS_MESSAGE_PREFIX "4");
	omacp_dbus_profile_set_targets(p, g_variant_new_parsed("[('networkmanager', 'uuid-1')]"));
	omacp_dbus_profile_set_created_at(p, 10);
	omacp_dbus_profile_set_updated_at(p, 20);
}

static void
assert_same_profile(OmacpDaemonProfile *a, OmacpDaemonProfile *b)
{
	OmacpDBusProfile *x = OMACP_DBUS_PROFILE(a);
	OmacpDBusProfile *y = OMACP_DBUS_PROFILE(b);

	g_assert_cmpstr(omacp_dbus_profile_get_kind(x), ==, omacp_dbus_profile_get_kind(y));
	g_assert_cmpstr(omacp_dbus_profile_get_identity(x), ==, omacp_dbus_profile_get_identity(y));
	g_assert_cmpstr(omacp_dbus_profile_get_name(x), ==, omacp_dbus_profile_get_name(y));
	g_assert_cmpstr(a->imsi, ==, b->imsi);
	g_assert_cmpstr(omacp_dbus_profile_get_imsi(x), ==, omacp_dbus_profile_get_imsi(y));
	g_assert_true(g_variant_equal(omacp_dbus_profile_get_settings(x),
	                              omacp_dbus_profile_get_settings(y)));
	g_assert_cmpstrv(omacp_dbus_profile_get_risks(x), omacp_dbus_profile_get_risks(y));
	g_assert_cmpstr(omacp_dbus_profile_get_message(x), ==, omacp_dbus_profile_get_message(y));
	g_assert_true(g_variant_equal(omacp_dbus_profile_get_targets(x),
	                              omacp_dbus_profile_get_targets(y)));
	g_assert_cmpuint(omacp_dbus_profile_get_created_at(x), ==,
	                 omacp_dbus_profile_get_created_at(y));
	g_assert_cmpuint(omacp_dbus_profile_get_updated_at(x), ==,
	                 omacp_dbus_profile_get_updated_at(y));
}

static void
test_profile_round_trip(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonProfile) profile = omacp_daemon_profile_new(4, NULL);
	g_autoptr(OmacpDaemonProfile) back = NULL;
	g_autoptr(GError) error = NULL;

	fill_profile(profile);
	g_assert_true(omacp_message_store_save_profile(f->store, profile, &error));
	g_assert_no_error(error);
	back = omacp_message_store_load_profile(f->store, 4, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->id, ==, 4);
	g_assert_cmpstr(omacp_dbus_profile_get_imsi(OMACP_DBUS_PROFILE(back)), ==,
	                "00101********89");
	assert_same_profile(profile, back);
}

static void
test_profile_snapshot(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonProfile) profile = omacp_daemon_profile_new(4, NULL);
	g_autoptr(OmacpDaemonProfile) back = omacp_daemon_profile_new(4, NULL);
	g_autoptr(GVariant) snapshot = NULL;

	fill_profile(profile);
	snapshot = g_variant_ref_sink(omacp_profile_snapshot(profile));
	g_assert_true(g_variant_is_of_type(snapshot, G_VARIANT_TYPE_VARDICT));
	omacp_profile_set_from_snapshot(back, snapshot);
	assert_same_profile(profile, back);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/message-store/message", Fixture, NULL, fixture_set_up, test_message_round_trip,
	           fixture_tear_down);
	g_test_add("/message-store/unknown-state", Fixture, NULL, fixture_set_up,
	           test_message_unknown_state, fixture_tear_down);
	g_test_add("/message-store/complete", Fixture, NULL, fixture_set_up, test_message_complete,
	           fixture_tear_down);
	g_test_add("/message-store/profile", Fixture, NULL, fixture_set_up, test_profile_round_trip,
	           fixture_tear_down);
	g_test_add("/message-store/snapshot", Fixture, NULL, fixture_set_up, test_profile_snapshot,
	           fixture_tear_down);
	return g_test_run();
}
