/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apply-queue.c: an accepted message is applied (its "state-changed"
 * starts it) through the applier's backends, its profiles recorded as
 * objects with their backend targets and an undo record, two messages for
 * one profile are applied one after the other, and a backend's failure
 * fails the message. The applier's one backend is the fixture's fake
 * (fixture.h), which records every call. */
#include "config.h"

#include <glib/gstdio.h>

#include "fixture.h"

typedef struct {
	OmacpDaemonFixture d;
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
	omacp_daemon_fixture_set_up(&f->d, "apply-queue", TRUE);
	f->order = g_ptr_array_new();
	g_signal_connect(f->d.objects, "message-added", G_CALLBACK(message_added), f);
	f->tick = g_timeout_add(50, tick, NULL);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_clear_handle_id(&f->tick, g_source_remove);
	g_clear_pointer(&f->order, g_ptr_array_unref);
	omacp_daemon_fixture_tear_down(&f->d);
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
	g_autoptr(GBytes) doc = omacp_daemon_fixture_document(apn);
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg = omacp_intake_deliver(f->d.intake, OMACP_FORMAT_XML, doc, NULL,
	                                               NULL, NULL, g_get_real_time(), &error);

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

	g_assert_cmpuint(g_hash_table_size(omacp_objects_get_profiles(f->d.objects)), ==, 1);
	g_hash_table_iter_init(&iter, omacp_objects_get_profiles(f->d.objects));
	g_assert_true(g_hash_table_iter_next(&iter, NULL, &value));
	return value;
}

/* The id of @backend's object in @profile's Targets, NULL when none. */
static const char *
target_of(OmacpDaemonProfile *profile, const char *backend)
{
	GVariant *targets = omacp_dbus_profile_get_targets(OMACP_DBUS_PROFILE(profile));
	GVariantIter iter;
	const char *name;
	const char *id;

	if (targets == NULL)
		return NULL;
	g_variant_iter_init(&iter, targets);
	while (g_variant_iter_next(&iter, "(&s&s)", &name, &id)) {
		if (g_str_equal(name, backend))
			return id;
	}
	return NULL;
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
	g_assert_true(omacp_store_replay_contains(f->d.store, msg->fingerprint));
	/* through the backend: asked once, to create; its object is the
	 * profile's target and its snapshot is in the undo record */
	g_assert_cmpuint(f->d.fake->applied->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(f->d.fake->applied, 0), ==, "internet:NAP1 -");
	g_assert_cmpstr(target_of(profile, "fake"), ==, "fake-1");
	{
		g_autoptr(GVariant) backend_undo =
		        g_variant_lookup_value(entry, "backend-undo", G_VARIANT_TYPE("a(ssv)"));
		const char *backend = NULL;
		const char *id = NULL;

		g_assert_nonnull(backend_undo);
		g_assert_cmpuint(g_variant_n_children(backend_undo), ==, 1);
		g_variant_get_child(backend_undo, 0, "(&s&sv)", &backend, &id, NULL);
		g_assert_cmpstr(backend, ==, "fake");
		g_assert_cmpstr(id, ==, "fake-1");
	}
	g_assert_cmpuint(f->d.fake->undone->len, ==, 0);
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
	/* the second apply updated the first one's object */
	g_assert_cmpuint(f->d.fake->applied->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(f->d.fake->applied, 0), ==, "internet:NAP1 -");
	g_assert_cmpstr(g_ptr_array_index(f->d.fake->applied, 1), ==, "internet:NAP1 fake-1");
	g_assert_cmpstr(target_of(profile, "fake"), ==, "fake-1");
	g_assert_cmpuint(f->d.fake->made, ==, 1);
}

/* A backend that refuses: the message fails with its error, nothing is
 * recorded as applied, and a later message for the profile is tried
 * again. */
static void
test_backend_fails(Fixture *f, gconstpointer data)
{
	OmacpDaemonMessage *msg = deliver_apn(f, "fail.example");
	OmacpDaemonMessage *again;
	const char *error;

	f->d.fake->fail_apply = TRUE;
	omacp_daemon_message_accept(msg, NULL, TRUE);
	WAIT_UNTIL(!msg->busy);
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==, OMACP_MESSAGE_STATE_FAILED);
	error = omacp_dbus_message_get_error(OMACP_DBUS_MESSAGE(msg));
	g_assert_nonnull(strstr(error, "fake: apply of internet:NAP1 refused"));
	g_assert_cmpuint(f->d.fake->applied->len, ==, 1);
	g_assert_cmpuint(f->order->len, ==, 0);
	g_assert_false(omacp_store_replay_contains(f->d.store, msg->fingerprint));

	f->d.fake->fail_apply = FALSE;
	again = deliver_apn(f, "works.example");
	omacp_daemon_message_accept(again, NULL, TRUE);
	WAIT_UNTIL(omacp_daemon_message_state_is(again, OMACP_MESSAGE_STATE_APPLIED));
	g_assert_cmpuint(f->d.fake->applied->len, ==, 2);
	g_assert_cmpstr(target_of(the_profile(f), "fake"), ==, "fake-1");
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
	omacp_objects_delete_message(f->d.objects, msg);
	g_assert_cmpstr(omacp_dbus_profile_get_message(OMACP_DBUS_PROFILE(profile)), ==, "/");
	g_assert_null(omacp_objects_message_of_profile(f->d.objects, profile));
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
	ADD("/apply-queue/backend-fails", test_backend_fails);
#undef ADD
	return g_test_run();
}
