/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake.c: from an input to a message object in its first decided state:
 * size caps, hourly rate limits, the store's capacity, SMS segments and
 * their expiry, replays, the Statistics counters. No bus: the objects are
 * exported on a server without a connection. */
#include "config.h"

#include <glib/gstdio.h>

#include "fixture.h"
#include "message-store.h"
#include "testutil.h"

typedef struct {
	OmacpDaemonFixture d;
	guint state_changes;
} Fixture;

static void
count_state_change(OmacpDaemonMessage *msg, guint old, guint state, Fixture *f)
{
	f->state_changes++;
}

static void
message_added(OmacpObjects *objects, OmacpDaemonMessage *msg, Fixture *f)
{
	g_signal_connect(msg, "state-changed", G_CALLBACK(count_state_change), f);
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	omacp_daemon_fixture_set_up(&f->d, "intake", FALSE);
	g_signal_connect(f->d.objects, "message-added", G_CALLBACK(message_added), f);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	omacp_daemon_fixture_tear_down(&f->d);
}

static GBytes *
document(const char *apn)
{
	return omacp_daemon_fixture_document(apn);
}

static guint64
statistic(Fixture *f, const char *name)
{
	g_autoptr(GVariant) stats = g_variant_ref_sink(omacp_intake_statistics(f->d.intake));
	guint64 value = G_MAXUINT64;

	g_assert_true(g_variant_lookup(stats, name, "t", &value));
	return value;
}

static OmacpDaemonMessage *
deliver_doc(Fixture *f, const char *apn, const char *sender, gint64 now, GError **error)
{
	g_autoptr(GBytes) doc = document(apn);

	return omacp_intake_deliver(f->d.intake, OMACP_FORMAT_XML, doc, sender, NULL, NULL, now,
	                            error);
}

/* Whether @v is kept as one serialised buffer rather than a tree: a
 * tree hands out the same child object each time, a buffer a new one. */
static gboolean
is_serialised(GVariant *v)
{
	g_autoptr(GVariant) a = g_variant_get_child_value(v, 0);
	g_autoptr(GVariant) b = g_variant_get_child_value(v, 0);

	return a != b;
}

static void
test_document(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg = deliver_doc(f, "web.example", "+4930001", 1000, &error);
	OmacpDBusMessage *m;
	g_autoptr(OmacpDaemonMessage) stored = NULL;
	g_autoptr(GBytes) complete = NULL;
	g_autofree char *changes = NULL;

	g_assert_no_error(error);
	g_assert_nonnull(msg);
	m = OMACP_DBUS_MESSAGE(msg);
	/* sec none, set to CONFIRM in the fixture */
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	g_assert_cmpstr(omacp_dbus_message_get_state(m), ==,
	                omacp_message_state_to_string(OMACP_MESSAGE_STATE_PENDING_CONFIRMATION));
	g_assert_cmpuint(f->state_changes, ==, 1);
	g_assert_nonnull(msg->decoded);
	g_assert_nonnull(msg->fingerprint);
	{
		g_autofree char *document = omacp_daemon_message_dup_document(msg);

		g_assert_nonnull(strstr(document, "web.example"));
	}
	g_assert_cmpstr(omacp_dbus_message_get_sender(m), ==, "+4930001");
	g_assert_cmpuint(omacp_dbus_message_get_received_at(m), ==, 1000);
	/* the Changes show the new APN */
	changes = g_variant_print(omacp_daemon_message_get_changes(msg), FALSE);
	g_assert_nonnull(strstr(changes, "web.example"));
	g_assert_cmpuint(statistic(f, "delivered"), ==, 1);
	/* once shown, the decoded tree is gone; the profiles stay */
	g_assert_null(msg->decoded->xml);
	g_assert_null(msg->decoded->doc);
	g_assert_cmpuint(msg->decoded->profiles->len, ==, 1);
	/* the Changes are kept serialised */
	g_assert_true(is_serialised(omacp_daemon_message_get_changes(msg)));
	/* the decision and the document are in the store */
	stored = omacp_message_store_load_message(f->d.store, msg->id, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(omacp_daemon_message_get_state(stored), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	g_assert_cmpstr(stored->fingerprint, ==, msg->fingerprint);
	complete = omacp_message_store_read_complete(f->d.store, msg, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(complete), >, 0);
}

static void
test_replay(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *first = deliver_doc(f, "web.example", "+4930001", 1000, &error);
	OmacpDaemonMessage *again = deliver_doc(f, "web.example", "+4930001", 2000, &error);
	OmacpDaemonMessage *other = deliver_doc(f, "other.example", "+4930001", 3000, &error);

	g_assert_no_error(error);
	/* the same document: the stored message, nothing new */
	g_assert_true(first == again);
	g_assert_true(other != first);
	g_assert_cmpuint(g_hash_table_size(omacp_objects_get_messages(f->d.objects)), ==, 2);
	g_assert_cmpuint(statistic(f, "delivered"), ==, 3);
}

static void
test_refused_inputs(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
	g_autoptr(GBytes) junk = g_bytes_new_static("not a document", 14);

	g_assert_null(omacp_intake_deliver(f->d.intake, OMACP_FORMAT_XML, empty, NULL, NULL, NULL,
	                                   1000, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	f->d.config->max_message_bytes = 10;
	g_assert_null(omacp_intake_deliver(f->d.intake, OMACP_FORMAT_XML, junk, NULL, NULL, NULL,
	                                   1000, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	g_clear_error(&error);
	f->d.config->max_message_bytes = 1000;
	g_assert_null(omacp_intake_deliver(f->d.intake, OMACP_FORMAT_XML, junk, NULL, NULL, NULL,
	                                   1000, &error));
	g_assert_nonnull(error);
	g_assert_cmpuint(statistic(f, "refused"), ==, 3);
	g_assert_cmpuint(statistic(f, "delivered"), ==, 0);
	g_assert_cmpuint(g_hash_table_size(omacp_objects_get_messages(f->d.objects)), ==, 0);
}

static void
test_rate_limits(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 hour = G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC;
	gint64 now = 10 * hour;

	f->d.config->max_per_sender_per_hour = 2;
	g_assert_nonnull(deliver_doc(f, "a.example", "+4930001", now, &error));
	g_assert_nonnull(deliver_doc(f, "b.example", "+4930001", now + 1, &error));
	g_assert_no_error(error);
	/* the third of the hour from the same sender is refused */
	g_assert_null(deliver_doc(f, "c.example", "+4930001", now + 2, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_RATE_LIMITED);
	g_clear_error(&error);
	/* another sender is not */
	g_assert_nonnull(deliver_doc(f, "d.example", "+4930002", now + 3, &error));
	/* an hour later the first sender may send again */
	g_assert_nonnull(deliver_doc(f, "e.example", "+4930001", now + hour + 1, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(statistic(f, "rate-limited"), ==, 1);
	g_assert_cmpuint(statistic(f, "refused"), ==, 1);
}

static void
test_capacity(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *first;
	guint first_id;

	f->d.config->max_stored_messages = 2;
	f->d.config->none = OMACP_ACTION_REJECT;
	first = deliver_doc(f, "a.example", NULL, 1000, &error);
	g_assert_nonnull(first);
	first_id = first->id;
	g_assert_cmpint(omacp_daemon_message_get_state(first), ==, OMACP_MESSAGE_STATE_REJECTED);
	g_assert_nonnull(deliver_doc(f, "b.example", NULL, 1001, &error));
	/* full of decided messages: the oldest goes */
	g_assert_nonnull(deliver_doc(f, "c.example", NULL, 1002, &error));
	g_assert_no_error(error);
	g_assert_null(omacp_objects_lookup_message(f->d.objects, first_id));
	g_assert_cmpuint(statistic(f, "store-evicted"), ==, 1);

	/* full of unauthenticated messages waiting for a decision: the
	 * oldest of them goes (authenticated ones never do,
	 * tests/integration/hardening/test-dos.py) */
	f->d.config->none = OMACP_ACTION_CONFIRM;
	first = deliver_doc(f, "d.example", NULL, 1003, &error);
	g_assert_nonnull(first);
	first_id = first->id;
	g_assert_nonnull(deliver_doc(f, "e.example", NULL, 1004, &error));
	g_assert_no_error(error);
	g_assert_nonnull(deliver_doc(f, "f.example", NULL, 1005, &error));
	g_assert_no_error(error);
	g_assert_null(omacp_objects_lookup_message(f->d.objects, first_id));
	g_assert_cmpuint(g_hash_table_size(omacp_objects_get_messages(f->d.objects)), ==, 2);
}

static GPtrArray *
segments(void)
{
	return omacp_test_load_hex_lines("vectors/public/05-vn-mobifone-gprs-userpin1111.ud.hex");
}

static void
test_segments(Fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) parts = segments();
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg = NULL;

	g_assert_cmpuint(parts->len, ==, 4);
	for (guint i = 0; i + 1 < parts->len; i++) {
		OmacpDaemonMessage *m = omacp_intake_deliver(
		        f->d.intake, OMACP_FORMAT_UD, g_ptr_array_index(parts, i), "+8490001", NULL,
		        NULL, 1000 + i, &error);

		g_assert_no_error(error);
		g_assert_true(msg == NULL || m == msg);
		msg = m;
		g_assert_cmpint(omacp_daemon_message_get_state(msg), ==,
		                OMACP_MESSAGE_STATE_RECEIVING);
		g_assert_cmpuint(omacp_dbus_message_get_segments_received(OMACP_DBUS_MESSAGE(msg)),
		                 ==, i + 1);
		g_assert_cmpuint(omacp_dbus_message_get_segments_total(OMACP_DBUS_MESSAGE(msg)), ==,
		                 4);
		g_assert_true(msg->exported);
	}
	g_assert_cmpuint(statistic(f, "receiving"), ==, 1);
	/* a segment again: a duplicate, the same message */
	g_assert_true(omacp_intake_deliver(f->d.intake, OMACP_FORMAT_UD,
	                                   g_ptr_array_index(parts, 0), "+8490001", NULL, NULL,
	                                   1100, &error) == msg);
	g_assert_cmpuint(statistic(f, "duplicate-segments"), ==, 1);
	g_assert_true(omacp_intake_deliver(f->d.intake, OMACP_FORMAT_UD,
	                                   g_ptr_array_index(parts, 3), "+8490001", NULL, NULL,
	                                   1200, &error) == msg);
	g_assert_no_error(error);
	/* USERPIN: the default policy asks for the PIN */
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==, OMACP_MESSAGE_STATE_PENDING_PIN);
	g_assert_false(msg->receiving);
	g_assert_nonnull(msg->decoded);
	g_assert_cmpuint(msg->n_inputs, ==, 4);
	g_assert_cmpuint(statistic(f, "receiving"), ==, 0);
	g_assert_cmpuint(statistic(f, "delivered"), ==, 5);
}

static void
test_segments_rejected(Fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) parts = segments();
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg =
	        omacp_intake_deliver(f->d.intake, OMACP_FORMAT_UD, g_ptr_array_index(parts, 0),
	                             "+8490001", NULL, NULL, 1000, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(statistic(f, "receiving"), ==, 1);
	g_assert_true(omacp_daemon_message_reject(msg, "rejected by the user", &error));
	/* intake lets go of it on its state-changed */
	g_assert_false(msg->receiving);
	g_assert_cmpuint(statistic(f, "receiving"), ==, 0);
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==, OMACP_MESSAGE_STATE_REJECTED);
	/* a rejected message cannot be rejected again */
	g_assert_false(omacp_daemon_message_reject(msg, "again", &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE);
}

static void
test_segments_expire(Fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) parts = segments();
	g_autoptr(GError) error = NULL;
	gint64 start = G_GINT64_CONSTANT(1000) * G_USEC_PER_SEC;
	OmacpDaemonMessage *msg =
	        omacp_intake_deliver(f->d.intake, OMACP_FORMAT_UD, g_ptr_array_index(parts, 0),
	                             "+8490001", NULL, NULL, start, &error);

	g_assert_no_error(error);
	omacp_intake_expire(f->d.intake, start + OMACP_REASSEMBLY_TIMEOUT_US - 1);
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==, OMACP_MESSAGE_STATE_RECEIVING);
	omacp_intake_expire(f->d.intake, start + OMACP_REASSEMBLY_TIMEOUT_US);
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==, OMACP_MESSAGE_STATE_FAILED);
	g_assert_nonnull(strstr(omacp_dbus_message_get_error(OMACP_DBUS_MESSAGE(msg)),
	                        "only 1 of 4 segments arrived"));
	g_assert_cmpuint(statistic(f, "incomplete-expired"), ==, 1);
	g_assert_cmpuint(statistic(f, "receiving"), ==, 0);
}

static void
test_restore(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg = deliver_doc(f, "web.example", "+4930001", 1000, &error);
	guint id = msg->id;
	OmacpDaemonMessage *back;

	g_assert_no_error(error);
	/* as after a restart: the stored message read back (its Document from
	 * the store), decoded again when something needs it */
	omacp_objects_forget_message(f->d.objects, msg);
	back = omacp_message_store_load_message(f->d.store, id, NULL, &error);
	g_assert_no_error(error);
	omacp_objects_add_message(f->d.objects, back);
	omacp_intake_restore_message(f->d.intake, back);
	g_assert_null(back->decoded);
	g_assert_true(omacp_daemon_message_ensure_decoded(back));
	g_assert_nonnull(back->decoded);
	g_assert_true(back->exported);
	{
		g_autofree char *document = omacp_daemon_message_dup_document(back);

		g_assert_nonnull(strstr(document, "web.example"));
	}
	g_assert_cmpint(omacp_daemon_message_get_state(back), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	/* its replay fingerprint came back with it; a forgotten message's
	 * went with it */
	g_assert_true(deliver_doc(f, "web.example", "+4930001", 2000, &error) == back);
	g_assert_no_error(error);
	omacp_objects_delete_message(f->d.objects, back);
	back = deliver_doc(f, "web.example", "+4930001", 3000, &error);
	g_assert_no_error(error);
	g_assert_nonnull(back);
	g_assert_cmpuint(back->id, >, id);
}

/* A message waiting for a user lets go of its decoded document once it is
 * decided (an idle later) and decodes it again when something needs it. */
static void
test_decoded_on_demand(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	OmacpDaemonMessage *msg = deliver_doc(f, "lazy.example", "+4930002", 1000, &error);

	g_assert_no_error(error);
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	g_assert_nonnull(msg->decoded);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_assert_null(msg->decoded);
	{
		g_autofree char *document = omacp_daemon_message_dup_document(msg);

		g_assert_nonnull(strstr(document, "lazy.example"));
	}
	g_assert_true(omacp_daemon_message_ensure_decoded(msg));
	g_assert_nonnull(msg->decoded);
	g_assert_cmpuint(msg->decoded->profiles->len, ==, 1);
}

/* A push from an adapter is parsed once, by the router: intake decodes
 * what the router parsed (here: a parse edited to say SEC none, MAC none),
 * not the datagram's own header (SEC NETWPIN with a MAC). */
static void
test_push_parsed_once(Fixture *f, gconstpointer data)
{
	static const char mac[] = "0123456789ABCDEF0123456789ABCDEF01234567";
	g_autoptr(GBytes) doc = document("once.example");
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) datagram = NULL;
	g_autoptr(OmacpPush) push = NULL;
	OmacpPushEvent event = { .adapter = "test", .modem = "/modem/1", .sender = "+4930002" };
	OmacpDaemonMessage *msg;
	OmacpDaemonMessage *again;

	datagram =
	        omacp_wsp_encode_push(1, "text/vnd.wap.connectivity-xml", OMACP_SEC_NETWPIN, mac,
	                              g_bytes_get_data(doc, NULL), g_bytes_get_size(doc), &error);
	g_assert_no_error(error);
	g_assert_true(omacp_wsp_parse_push_bytes(datagram, &push, &error));
	g_assert_no_error(error);
	g_assert_cmpint(push->sec, ==, OMACP_SEC_NETWPIN);
	push->sec = OMACP_SEC_NONE;
	g_clear_pointer(&push->mac, g_free);

	event.datagram = datagram;
	event.push = push;
	msg = omacp_intake_deliver_push(f->d.intake, &event, 2000, &error);
	g_assert_no_error(error);
	g_assert_nonnull(msg);
	g_assert_cmpint(msg->decoded->sec, ==, OMACP_SEC_NONE);
	g_assert_cmpstr(omacp_dbus_message_get_security(OMACP_DBUS_MESSAGE(msg)), ==, "none");
	g_assert_cmpint(omacp_daemon_message_get_state(msg), ==,
	                OMACP_MESSAGE_STATE_PENDING_CONFIRMATION);
	g_assert_cmpstr(omacp_dbus_message_get_sender(OMACP_DBUS_MESSAGE(msg)), ==, "+4930002");
	g_assert_cmpuint(statistic(f, "delivered"), ==, 1);

	/* without the router's parse the datagram's own header counts: a
	 * NETWPIN message of the same document, which the unsigned one does
	 * not stand for: a message of its own */
	event.push = NULL;
	event.sender = "+4930003";
	again = omacp_intake_deliver_push(f->d.intake, &event, 3000, &error);
	g_assert_no_error(error);
	g_assert_nonnull(again);
	g_assert_true(again != msg);
	g_assert_cmpstr(omacp_dbus_message_get_security(OMACP_DBUS_MESSAGE(again)), ==, "netwpin");
	{
		g_autoptr(OmacpMessage) decoded = NULL;

		g_assert_true(omacp_message_decode_push(datagram, NULL, &decoded, &error));
		g_assert_no_error(error);
		g_assert_cmpint(decoded->sec, ==, OMACP_SEC_NETWPIN);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD("/intake/document", test_document);
	ADD("/intake/replay", test_replay);
	ADD("/intake/refused", test_refused_inputs);
	ADD("/intake/rate-limits", test_rate_limits);
	ADD("/intake/capacity", test_capacity);
	ADD("/intake/segments", test_segments);
	ADD("/intake/segments-rejected", test_segments_rejected);
	ADD("/intake/segments-expire", test_segments_expire);
	ADD("/intake/restore", test_restore);
	ADD("/intake/decoded-on-demand", test_decoded_on_demand);
	ADD("/intake/push-parsed-once", test_push_parsed_once);
#undef ADD
	return g_test_run();
}
