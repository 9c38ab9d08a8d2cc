/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apply-queue.c: an accepted message is applied (its "state-changed"
 * starts it), its profiles recorded as objects with an undo record, and
 * two messages for one profile are applied one after the other. The
 * applier has no backend enabled: every profile is taken at once, with no
 * backend object. */
#include "config.h"

#include <glib/gstdio.h>

#include "intake.h"

typedef struct {
	char *dir;
	OmacpStore *store;
	OmacpConfig *config;
	OmacpApplier *applier;
	GDBusObjectManagerServer *server;
	OmacpObjects *objects;
	OmacpApplyQueue *queue;
	OmacpIntake *intake;
	GPtrArray *order; /* ids of the messages that became applied, in order */
	guint tick;
} Fixture;

static void
note_applied(OmacpDaemonMessage *msg, guint old, guint state, Fixture *f)
{
	if (state == OMACP_MESSAGE_STATE_APPLIED)
		g_ptr_array_add(f->order, GUINT_TO_POINTER(msg->id));
}

static void
message_added(OmacpObjects *objects, OmacpDaemonMessage *msg, Fixture *f)
{
	g_signal_connect(msg, "state-changed", G_CALLBACK(note_applied), f);
}

static gboolean
tick(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("omacp-test-apply-queue-XXXXXX", &error);
	g_assert_no_error(error);
	g_assert_true(omacp_store_open(f->dir, &f->store, &error));
	f->config = omacp_config_new_default();
	f->config->none = OMACP_ACTION_CONFIRM;
	f->config->backend_networkmanager = FALSE;
	f->config->backend_ofono = FALSE;
	f->config->backend_mmsd = FALSE;
	f->applier = omacp_applier_new(f->config, NULL);
	f->server = g_dbus_object_manager_server_new(OMACP_DBUS_PATH);
	f->objects = omacp_objects_new(f->store, NULL, f->server);
	f->order = g_ptr_array_new();
	f->queue = omacp_apply_queue_new(f->objects, f->applier);
	f->intake = omacp_intake_new(f->objects, f->config, f->queue);
	g_signal_connect(f->objects, "message-added", G_CALLBACK(message_added), f);
	f->tick = g_timeout_add(50, tick, NULL);
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
	g_clear_handle_id(&f->tick, g_source_remove);
	g_clear_pointer(&f->intake, omacp_intake_free);
	g_clear_pointer(&f->queue, omacp_apply_queue_free);
	g_clear_object(&f->objects);
	g_clear_object(&f->server);
	g_clear_pointer(&f->applier, omacp_applier_free);
	g_clear_pointer(&f->order, g_ptr_array_unref);
	g_clear_pointer(&f->config, omacp_config_free);
	g_clear_pointer(&f->store, omacp_store_free);
	remove_tree(f->dir);
	g_free(f->dir);
}

#define WAIT_UNTIL(cond)                                                                           \
	do {                                                                                       \
		gint64 end_ = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;                        \
		while (!(cond) && g_get_monotonic_time() < end_)                                   \
			g_main_context_iteration(NULL, TRUE);                                      \
		g_assert_true(cond);                                                               \
	} while (0)

static OmacpDaemonMessage *
deliver_apn(Fixture *f, const char *apn)
{
	g_autofree char *xml = g_strdup_printf("<wap-provisioningdoc version=\"1.0\">"
	                                       "<characteristic type=\"NAPDEF\">"
	                                       "<parm name=\"NAPID\" value=\"NAP1\"/>"
	                                       "<parm name=\"BEARER\" value=\"GSM-GPRS\"/>"
	                                       "<parm name=\"NAME\" value=\"Internet\"/>"
	                                       "<parm name=\"NAP-ADDRESS\" value=\"%s\"/>"
	                                       "<parm name=\"NAP-ADDRTYPE\" value=\"APN\"/>"
	                                       "</characteristic></wap-provisioningdoc>",
	                                       apn);
	g_autoptr(GBytes) doc = g_bytes_new(xml, strlen(xml));
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg = omacp_intake_deliver(f->intake, OMACP_FORMAT_XML, doc, NULL, NULL,
	                                               NULL, g_get_real_time(), &error);

	g_assert_no_error(error);
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	return msg;
}

static OmacpDaemonProfile *
the_profile(Fixture *f)
{
	GHashTableIter iter;
	gpointer value = NULL;

	g_assert_cmpuint(g_hash_table_size(omacp_objects_get_profiles(f->objects)), ==, 1);
	g_hash_table_iter_init(&iter, omacp_objects_get_profiles(f->objects));
	g_assert_true(g_hash_table_iter_next(&iter, NULL, &value));
	return value;
}

static void
test_accept_applies(Fixture *f, gconstpointer data)
{
	OmacpDaemonMessage *msg = deliver_apn(f, "web.example");
	OmacpDaemonProfile *profile;
	OmacpDBusProfile *p;
	g_autoptr(GVariant) entry = NULL;
	gboolean created = FALSE;

	omacp_daemon_message_accept(msg, NULL, TRUE);
	/* accepted on the bus first, and busy until the apply ends */
	g_assert_true(msg->busy);
	WAIT_UNTIL(omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_APPLIED));
	g_assert_false(msg->busy);
	profile = the_profile(f);
	p = OMACP_DBUS_PROFILE(profile);
	g_assert_false(profile->busy);
	g_assert_true(profile->exported);
	g_assert_cmpstr(omacp_dbus_profile_get_identity(p), ==, "internet:NAP1");
	g_assert_cmpstr(omacp_dbus_profile_get_message(p), ==, msg->path);
	g_assert_cmpstr(omacp_dbus_message_get_profiles(OMACP_DBUS_MESSAGE(msg))[0], ==,
	                profile->path);
	/* one undo entry: the profile was created */
	g_assert_nonnull(msg->undo);
	g_assert_cmpuint(g_variant_n_children(msg->undo), ==, 1);
	entry = g_variant_get_child_value(msg->undo, 0);
	g_assert_true(g_variant_lookup(entry, "created", "b", &created));
	g_assert_true(created);
	/* applied documents are replays from now on */
	g_assert_true(omacp_store_replay_contains(f->store, msg->fingerprint));
}

static void
test_one_apply_per_profile(Fixture *f, gconstpointer data)
{
	OmacpDaemonMessage *first = deliver_apn(f, "one.example");
	OmacpDaemonMessage *second = deliver_apn(f, "two.example");
	OmacpDaemonProfile *profile;
	g_autofree char *settings = NULL;

	omacp_daemon_message_accept(first, NULL, TRUE);
	/* the first holds the profile: the second waits in the queue */
	omacp_daemon_message_accept(second, NULL, TRUE);
	g_assert_true(second->busy);
	g_assert_cmpuint(f->order->len, ==, 0);
	WAIT_UNTIL(omacp_daemon_message_state_is(second, OMACP_MESSAGE_STATE_APPLIED));
	g_assert_true(omacp_daemon_message_state_is(first, OMACP_MESSAGE_STATE_APPLIED));
	g_assert_cmpuint(f->order->len, ==, 2);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_ptr_array_index(f->order, 0)), ==, first->id);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_ptr_array_index(f->order, 1)), ==, second->id);
	/* one profile, holding the later settings */
	profile = the_profile(f);
	settings = g_variant_print(omacp_dbus_profile_get_settings(OMACP_DBUS_PROFILE(profile)),
	                           FALSE);
	g_assert_nonnull(strstr(settings, "two.example"));
	g_assert_cmpstr(omacp_dbus_profile_get_message(OMACP_DBUS_PROFILE(profile)), ==,
	                second->path);
}

static void
test_deleted_profile_message(Fixture *f, gconstpointer data)
{
	OmacpDaemonMessage *msg = deliver_apn(f, "web.example");
	OmacpDaemonProfile *profile;

	omacp_daemon_message_accept(msg, NULL, TRUE);
	WAIT_UNTIL(omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_APPLIED));
	profile = the_profile(f);
	/* the message goes: its profile stays, pointing nowhere */
	omacp_objects_delete_message(f->objects, msg);
	g_assert_cmpstr(omacp_dbus_profile_get_message(OMACP_DBUS_PROFILE(profile)), ==, "/");
	g_assert_null(omacp_objects_message_of_profile(f->objects, profile));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD("/apply-queue/accept-applies", test_accept_applies);
	ADD("/apply-queue/one-apply-per-profile", test_one_apply_per_profile);
	ADD("/apply-queue/deleted-message", test_deleted_profile_message);
#undef ADD
	return g_test_run();
}
