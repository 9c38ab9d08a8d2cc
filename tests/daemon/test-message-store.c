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
	omacp_daemon_message_set_changes(msg, changes);
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
	g_assert_cmpstr(omacp_dbus_message_get_state(b), ==,
	                omacp_message_state_to_string(OMACP_MESSAGE_STATE_PENDING_PIN));
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
	g_assert_true(g_variant_equal(omacp_daemon_message_get_changes(back),
	                              omacp_daemon_message_get_changes(msg)));
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

/* The Document is stored once, beside the first meta that has one, and
 * read back without a decode; a later meta replaces an earlier one. */
static void
test_message_document(Fixture *f, gconstpointer data)
{
	static const char doc[] = "<wap-provisioningdoc>\n  <characteristic type=\"NAPDEF\"/>\n"
	                          "</wap-provisioningdoc>\n";
	g_autoptr(OmacpDaemonMessage) msg = omacp_daemon_message_new(4, OMACP_FORMAT_WSP, NULL);
	g_autoptr(OmacpDaemonMessage) plain = omacp_daemon_message_new(5, OMACP_FORMAT_WSP, NULL);
	g_autoptr(OmacpDaemonMessage) back = NULL;
	g_autoptr(OmacpDaemonMessage) plain_back = NULL;
	g_autoptr(GPtrArray) records = NULL;
	g_autoptr(GError) error = NULL;
	guint with_document = 0;

	/* receiving: no Document yet, none stored */
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_no_error(error);
	g_assert_false(msg->document_stored);
	omacp_daemon_message_set_document(msg, doc);
	omacp_daemon_message_restore_state(msg, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_true(msg->document_stored);
	omacp_daemon_message_restore_state(msg, OMACP_MESSAGE_STATE_REJECTED);
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_no_error(error);

	records = omacp_store_get_message_records(f->store, 4, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(records->len, ==, 3);
	for (guint i = 0; i < records->len; i++) {
		g_autoptr(GVariant) d = g_variant_lookup_value(g_ptr_array_index(records, i),
		                                               "document", G_VARIANT_TYPE_STRING);

		if (d != NULL) {
			g_assert_cmpstr(g_variant_get_string(d, NULL), ==, doc);
			with_document++;
		}
	}
	g_assert_cmpuint(with_document, ==, 1);

	/* stored, no longer kept by the message */
	g_assert_null(msg->document);
	back = omacp_message_store_load_message(f->store, 4, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(back->document_stored);
	g_assert_null(back->document);
	{
		g_autofree char *stored = omacp_message_store_read_document(f->store, back, &error);

		g_assert_no_error(error);
		g_assert_cmpstr(stored, ==, doc);
	}
	g_assert_null(back->decoded);
	/* the newest meta */
	g_assert_cmpint(omacp_daemon_message_get_state(back), ==, OMACP_MESSAGE_STATE_REJECTED);
	g_assert_cmpstr(omacp_dbus_message_get_state(OMACP_DBUS_MESSAGE(back)), ==,
	                omacp_message_state_to_string(OMACP_MESSAGE_STATE_REJECTED));
	/* nothing to decode it with here: no decoder, no decode */
	g_assert_false(omacp_daemon_message_ensure_decoded(back));

	omacp_daemon_message_restore_state(plain, OMACP_MESSAGE_STATE_FAILED);
	g_assert_true(omacp_message_store_save_message(f->store, plain, &error));
	plain_back = omacp_message_store_load_message(f->store, 5, NULL, &error);
	g_assert_no_error(error);
	g_assert_false(plain_back->document_stored);
	{
		g_autofree char *none = omacp_daemon_message_dup_document(plain_back);

		g_assert_cmpstr(none, ==, "");
		g_assert_null(omacp_message_store_read_document(f->store, plain_back, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND);
		g_clear_error(&error);
	}
	g_assert_cmpstrv(omacp_dbus_message_get_warnings(OMACP_DBUS_MESSAGE(plain_back)),
	                 (const char *const[]){ NULL });
	g_assert_cmpstrv(omacp_dbus_message_get_profiles(OMACP_DBUS_MESSAGE(plain_back)),
	                 (const char *const[]){ NULL });
	g_assert_cmpuint(g_variant_n_children(omacp_daemon_message_get_changes(plain_back)), ==, 0);
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
	omacp_daemon_profile_set_maker(profile, "+49 123\n", "netwpin");
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
	g_assert_cmpstr(a->maker_sender, ==, b->maker_sender);
	g_assert_cmpstr(a->maker_sec, ==, b->maker_sec);
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

/* A profile whose maker is not known (a record from before
 * makers were kept) stays unknown in its record and its snapshot, and
 * restoring such a snapshot forgets a maker set since. */
static void
test_profile_unknown_maker(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonProfile) profile = omacp_daemon_profile_new(5, NULL);
	g_autoptr(OmacpDaemonProfile) back = NULL;
	g_autoptr(GVariant) snapshot = NULL;
	g_autoptr(GError) error = NULL;

	fill_profile(profile);
	omacp_daemon_profile_set_maker(profile, "+4912345", NULL);
	g_assert_null(profile->maker_sender);
	g_assert_null(profile->maker_sec);
	g_assert_true(omacp_message_store_save_profile(f->store, profile, &error));
	g_assert_no_error(error);
	back = omacp_message_store_load_profile(f->store, 5, NULL, &error);
	g_assert_no_error(error);
	g_assert_null(back->maker_sec);
	assert_same_profile(profile, back);

	snapshot = g_variant_ref_sink(omacp_profile_snapshot(profile));
	omacp_daemon_profile_set_maker(back, NULL, "userpin");
	g_assert_cmpstr(back->maker_sender, ==, "");
	omacp_profile_set_from_snapshot(back, snapshot);
	g_assert_null(back->maker_sender);
	g_assert_null(back->maker_sec);
}

/* ---- the record files ---- */

static char *
rec_path(Fixture *f, guint id)
{
	g_autofree char *name = g_strdup_printf("%u.rec", id);

	return g_build_filename(f->dir, "messages", name, NULL);
}

static OmacpDaemonMessage *
sample_message(guint id)
{
	OmacpDaemonMessage *msg = omacp_daemon_message_new(id, OMACP_FORMAT_WSP, NULL);

	omacp_dbus_message_set_sender(OMACP_DBUS_MESSAGE(msg), "+4930001");
	omacp_daemon_message_set_changes(
	        msg, g_variant_new_parsed("[{'profile': <'internet:N1'>, 'new': <'web'>}]"));
	omacp_daemon_message_restore_state(msg, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	return msg;
}

/* A new message: its file and the directory; a further record: the file
 * alone; messages written together share the directory's fsync. */
static void
test_record_syncs(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(3);
	g_autoptr(OmacpDaemonMessage) other = sample_message(4);
	g_autoptr(OmacpDaemonMessage) third = sample_message(5);
	g_autoptr(GBytes) input = g_bytes_new_static("\x01\x02", 2);
	g_autoptr(GError) error = NULL;
	guint64 n = omacp_store_get_sync_count(f->store);

	/* several records of one Deliver: one file, one directory */
	g_assert_true(omacp_message_store_add_input(f->store, msg, input, 10, &error));
	g_assert_true(omacp_message_store_write_complete(f->store, msg, input, &error));
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_no_error(error);
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_cmpuint(omacp_store_get_sync_count(f->store) - n, ==, 2);
	/* a further segment: one */
	n = omacp_store_get_sync_count(f->store);
	g_assert_true(omacp_message_store_add_input(f->store, msg, input, 20, &error));
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_cmpuint(omacp_store_get_sync_count(f->store) - n, ==, 1);
	/* two new messages in one commit: two files, one directory */
	n = omacp_store_get_sync_count(f->store);
	g_assert_true(omacp_message_store_save_message(f->store, other, &error));
	g_assert_true(omacp_message_store_save_message(f->store, third, &error));
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(omacp_store_get_sync_count(f->store) - n, ==, 3);
	/* nothing written: nothing synced */
	n = omacp_store_get_sync_count(f->store);
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_cmpuint(omacp_store_get_sync_count(f->store) - n, ==, 0);
}

static void
durable_cb(const GError *error, gpointer user_data)
{
	g_assert_no_error(error);
	(*(guint *) user_data)++;
}

/* omacp_store_when_durable() waits for the commit the main loop runs. */
static void
test_record_when_durable(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(8);
	g_autoptr(GError) error = NULL;
	guint called = 0;

	/* nothing pending: at once */
	omacp_store_when_durable(f->store, durable_cb, &called);
	g_assert_cmpuint(called, ==, 1);
	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	omacp_store_when_durable(f->store, durable_cb, &called);
	omacp_store_when_durable(f->store, durable_cb, &called);
	g_assert_cmpuint(called, ==, 1);
	while (called < 3)
		g_main_context_iteration(NULL, TRUE);
	/* and no source is left behind */
	g_assert_false(g_main_context_pending(NULL));
}

/* Many state changes: the file is rewritten as one record now and then,
 * and reads back the last one. */
static void
test_record_compaction(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(6);
	g_autoptr(OmacpDaemonMessage) back = NULL;
	g_autoptr(GBytes) input = g_bytes_new_static("\x05\x06\x07", 3);
	g_autoptr(GBytes) input_back = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = rec_path(f, 6);
	g_autofree char *data_after = NULL;
	gsize len_after = 0;

	g_assert_true(omacp_message_store_add_input(f->store, msg, input, 42, &error));
	for (guint i = 0; i < 40; i++) {
		g_autofree char *why = g_strdup_printf("change %u", i);

		omacp_dbus_message_set_error(OMACP_DBUS_MESSAGE(msg), why);
		g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	}
	g_assert_no_error(error);
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_true(g_file_get_contents(path, &data_after, &len_after, NULL));
	/* 41 records of about 300 octets would be 12 KB */
	g_assert_cmpuint(len_after, <, 16 * 400);
	back = omacp_message_store_load_message(f->store, 6, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(omacp_dbus_message_get_error(OMACP_DBUS_MESSAGE(back)), ==, "change 39");
	g_assert_cmpuint(back->n_inputs, ==, 1);
	input_back = omacp_message_store_read_input(f->store, back, 0, &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(input_back, input));
}

static void
reopen(Fixture *f)
{
	g_autoptr(GError) error = NULL;

	g_clear_pointer(&f->store, omacp_store_free);
	g_assert_true(omacp_store_open(f->dir, &f->store, &error));
	g_assert_no_error(error);
}

/* A crash mid-append leaves a torn last record: cut off, the rest read. */
static void
test_record_torn_tail(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(7);
	g_autoptr(OmacpDaemonMessage) back = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = rec_path(f, 7);
	g_autofree char *whole = NULL;
	g_autofree char *torn = NULL;
	g_autofree char *after = NULL;
	gsize len = 0;
	gsize len_after = 0;

	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_true(g_file_get_contents(path, &whole, &len, NULL));
	/* the whole file and half of a copy of its record */
	torn = g_malloc(len + (len - 8) / 2);
	memcpy(torn, whole, len);
	memcpy(torn + len, whole + 8, (len - 8) / 2);
	g_assert_true(g_file_set_contents(path, torn, len + (len - 8) / 2, NULL));
	reopen(f);
	back = omacp_message_store_load_message(f->store, 7, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(omacp_daemon_message_get_state(back), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	g_assert_true(g_file_get_contents(path, &after, &len_after, NULL));
	g_assert_cmpuint(len_after, ==, len);
}

/* Bytes on disk are not trusted: a bad checksum before more records, or a
 * GVariant not in normal form, is a named error, no object. */
static void
test_record_corrupt(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(9);
	g_autoptr(GError) error = NULL;
	g_autofree char *path = rec_path(f, 9);
	g_autofree char *whole = NULL;
	g_autofree char *twice = NULL;
	gsize len = 0;
	/* a{sv} with one entry whose key string has no terminating NUL: its
	 * framing offset points past it, not normal form */
	static const guint8 bad[] = { 'O', 'M', 'A', 'C', 'P', 'm', '1', 'l', 8,   0,   0,   0,
		                      0,   0,   0,   0,   'k', 'e', 'y', 'x', 'y', 'z', 'w', 9 };
	guint8 framed[sizeof(bad)];
	guint32 sum = 2166136261u;

	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_true(g_file_get_contents(path, &whole, &len, NULL));
	/* the record twice, the first one's payload flipped */
	twice = g_malloc(2 * len - 8);
	memcpy(twice, whole, len);
	memcpy(twice + len, whole + 8, len - 8);
	twice[8 + 8 + 3] ^= 0x55;
	g_assert_true(g_file_set_contents(path, twice, 2 * len - 8, NULL));
	reopen(f);
	g_assert_null(omacp_message_store_load_message(f->store, 9, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_STORE);
	g_assert_nonnull(strstr(error->message, "record 1 is corrupt"));
	g_clear_error(&error);

	/* a right checksum over a GVariant that is not in normal form */
	memcpy(framed, bad, sizeof(bad));
	for (guint i = 16; i < sizeof(bad); i++) {
		sum ^= framed[i];
		sum *= 16777619u;
	}
	framed[12] = sum & 0xff;
	framed[13] = (sum >> 8) & 0xff;
	framed[14] = (sum >> 16) & 0xff;
	framed[15] = (sum >> 24) & 0xff;
	g_assert_true(g_file_set_contents(path, (const char *) framed, sizeof(framed), NULL));
	g_assert_null(omacp_message_store_load_message(f->store, 9, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_STORE);
	g_assert_nonnull(strstr(error->message, "normal form"));
	g_clear_error(&error);

	/* not a record file at all */
	g_assert_true(g_file_set_contents(path, "[Message]\nState=applied\n", -1, NULL));
	g_assert_null(omacp_message_store_load_message(f->store, 9, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_STORE);
}

/* A file whose creation a crash cut short (records but no meta, or not
 * even one whole record) is removed: NotFound. */
static void
test_record_cut_short(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(11);
	g_autoptr(GBytes) input = g_bytes_new_static("\x01", 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *path = rec_path(f, 11);
	g_autofree char *path12 = rec_path(f, 12);

	g_assert_true(omacp_message_store_write_complete(f->store, msg, input, &error));
	g_assert_true(g_file_set_contents(path12, "OMACPm1l\x10\x00", 10, NULL));
	reopen(f);
	g_assert_null(omacp_message_store_load_message(f->store, 11, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_assert_null(omacp_message_store_load_message(f->store, 12, NULL, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND);
	g_assert_false(g_file_test(path12, G_FILE_TEST_EXISTS));
}

/* A store written by an older version: meta.ini with the text form of
 * the GVariants, input-K and message files. Read once, converted to a
 * record file; the directory goes once the records are durable. */
static void
test_legacy_converted(Fixture *f, gconstpointer data)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpDaemonMessage) back = NULL;
	g_autoptr(OmacpDaemonMessage) again = NULL;
	g_autoptr(GBytes) input = NULL;
	g_autoptr(GBytes) complete = NULL;
	g_autoptr(GVariant) changes = g_variant_ref_sink(g_variant_new_parsed(
	        "[{'profile': <'internet:OLD'>, 'field': <'apn'>, 'new': <'old.example'>}]"));
	g_autoptr(GVariant) undo = g_variant_ref_sink(
	        g_variant_new_parsed("[{'profile': <uint32 2>, 'created': <true>}]"));
	g_autofree char *changes_text = g_variant_print(changes, TRUE);
	g_autofree char *undo_text = g_variant_print(undo, TRUE);
	g_autofree char *dir = g_build_filename(f->dir, "messages", "5", NULL);
	g_autofree char *path = rec_path(f, 5);
	const char *times[] = { "111", "222", NULL };
	gint profiles[] = { 2 };
	OmacpDBusMessage *b;

	g_key_file_set_uint64(kf, "Message", "Id", 5);
	g_key_file_set_string(kf, "Message", "State", "applied");
	g_key_file_set_string(kf, "Message", "Format", "ud");
	g_key_file_set_string(kf, "Message", "Security", "netwpin");
	g_key_file_set_boolean(kf, "Message", "Authenticated", TRUE);
	g_key_file_set_string(kf, "Message", "Sender", "+4930002");
	g_key_file_set_string(kf, "Message", "Imsi", "262011234567889");
	g_key_file_set_uint64(kf, "Message", "ReceivedAt", 99);
	g_key_file_set_uint64(kf, "Message", "SegmentsReceived", 2);
	g_key_file_set_uint64(kf, "Message", "SegmentsTotal", 2);
	g_key_file_set_integer_list(kf, "Message", "Profiles", profiles, 1);
	g_key_file_set_string(kf, "Message", "Changes", changes_text);
	g_key_file_set_uint64(kf, "Message", "Inputs", 2);
	g_key_file_set_string_list(kf, "Message", "InputTimes", times, 2);
	g_key_file_set_string(kf, "Message", "Fingerprint", "f00d");
	g_key_file_set_string(kf, "Message", "Undo", undo_text);
	g_assert_true(omacp_store_save_message_meta(f->store, 5, kf, &error));
	g_assert_true(omacp_store_write_message_file(f->store, 5, "input-1", "one", 3, &error));
	g_assert_true(omacp_store_write_message_file(f->store, 5, "input-2", "two", 3, &error));
	g_assert_true(omacp_store_write_message_file(f->store, 5, "message", "whole", 5, &error));
	g_assert_no_error(error);
	reopen(f);

	back = omacp_message_store_load_message(f->store, 5, NULL, &error);
	g_assert_no_error(error);
	b = OMACP_DBUS_MESSAGE(back);
	g_assert_cmpint(omacp_daemon_message_get_state(back), ==, OMACP_MESSAGE_STATE_APPLIED);
	g_assert_cmpint(back->format, ==, OMACP_FORMAT_UD);
	g_assert_cmpstr(omacp_dbus_message_get_security(b), ==, "netwpin");
	g_assert_true(omacp_dbus_message_get_authenticated(b));
	g_assert_cmpstr(omacp_dbus_message_get_sender(b), ==, "+4930002");
	g_assert_cmpstr(back->imsi, ==, "262011234567889");
	g_assert_cmpuint(omacp_dbus_message_get_received_at(b), ==, 99);
	g_assert_cmpuint(omacp_dbus_message_get_segments_total(b), ==, 2);
	g_assert_cmpstr(omacp_dbus_message_get_profiles(b)[0], ==, OMACP_DBUS_PROFILE_PREFIX "2");
	g_assert_true(g_variant_equal(omacp_daemon_message_get_changes(back), changes));
	g_assert_true(g_variant_equal(back->undo, undo));
	g_assert_cmpstr(back->fingerprint, ==, "f00d");
	g_assert_cmpuint(back->n_inputs, ==, 2);
	g_assert_cmpint(g_array_index(back->input_times, gint64, 1), ==, 222);
	/* converted: the records now, the directory after the commit */
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));

	/* and read as records from then on, all of it */
	reopen(f);
	again = omacp_message_store_load_message(f->store, 5, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_equal(omacp_daemon_message_get_changes(again), changes));
	input = omacp_message_store_read_input(f->store, again, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(input, NULL), g_bytes_get_size(input), "two", 3);
	complete = omacp_message_store_read_complete(f->store, again, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(complete, NULL), g_bytes_get_size(complete), "whole", 5);
}

/* state.ini is derived: stale (lower than a stored number) or unreadable,
 * it is rebuilt at open from the files, and no number is handed out twice. */
static void
test_counters_rebuilt(Fixture *f, gconstpointer data)
{
	g_autoptr(OmacpDaemonMessage) msg = sample_message(41);
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *state = g_build_filename(f->dir, "state.ini", NULL);
	guint id = 0;

	g_assert_true(omacp_message_store_save_message(f->store, msg, &error));
	g_assert_true(omacp_store_commit(f->store, &error));
	g_assert_true(
	        g_file_set_contents(state, "[Store]\nNextMessage=3\nNextProfile=1\n", -1, NULL));
	reopen(f);
	g_assert_true(g_key_file_load_from_file(kf, state, G_KEY_FILE_NONE, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(g_key_file_get_uint64(kf, "Store", "NextMessage", NULL), ==, 42);
	g_assert_true(omacp_store_next_message_id(f->store, &id, &error));
	g_assert_cmpuint(id, ==, 42);

	/* 42 was handed out but nothing stored under it: free to take again */
	g_clear_pointer(&f->store, omacp_store_free);
	g_assert_true(g_file_set_contents(state, "\x01garbage[", -1, NULL));
	reopen(f);
	g_assert_true(g_key_file_load_from_file(kf, state, G_KEY_FILE_NONE, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(g_key_file_get_uint64(kf, "Store", "NextMessage", NULL), ==, 42);
	g_assert_cmpuint(g_key_file_get_uint64(kf, "Store", "NextProfile", NULL), ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/message-store/message", Fixture, NULL, fixture_set_up, test_message_round_trip,
	           fixture_tear_down);
	g_test_add("/message-store/document", Fixture, NULL, fixture_set_up, test_message_document,
	           fixture_tear_down);
	g_test_add("/message-store/unknown-state", Fixture, NULL, fixture_set_up,
	           test_message_unknown_state, fixture_tear_down);
	g_test_add("/message-store/complete", Fixture, NULL, fixture_set_up, test_message_complete,
	           fixture_tear_down);
	g_test_add("/message-store/profile", Fixture, NULL, fixture_set_up, test_profile_round_trip,
	           fixture_tear_down);
	g_test_add("/message-store/snapshot", Fixture, NULL, fixture_set_up, test_profile_snapshot,
	           fixture_tear_down);
	g_test_add("/message-store/profile-unknown-maker", Fixture, NULL, fixture_set_up,
	           test_profile_unknown_maker, fixture_tear_down);
	g_test_add("/message-store/record/syncs", Fixture, NULL, fixture_set_up, test_record_syncs,
	           fixture_tear_down);
	g_test_add("/message-store/record/when-durable", Fixture, NULL, fixture_set_up,
	           test_record_when_durable, fixture_tear_down);
	g_test_add("/message-store/record/compaction", Fixture, NULL, fixture_set_up,
	           test_record_compaction, fixture_tear_down);
	g_test_add("/message-store/record/torn-tail", Fixture, NULL, fixture_set_up,
	           test_record_torn_tail, fixture_tear_down);
	g_test_add("/message-store/record/corrupt", Fixture, NULL, fixture_set_up,
	           test_record_corrupt, fixture_tear_down);
	g_test_add("/message-store/record/cut-short", Fixture, NULL, fixture_set_up,
	           test_record_cut_short, fixture_tear_down);
	g_test_add("/message-store/legacy-converted", Fixture, NULL, fixture_set_up,
	           test_legacy_converted, fixture_tear_down);
	g_test_add("/message-store/counters-rebuilt", Fixture, NULL, fixture_set_up,
	           test_counters_rebuilt, fixture_tear_down);
	return g_test_run();
}
