/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backend helpers that need no daemon: the operator id (MCC+MNC) a
 * connection is bound to, derived from the IMSI. Expectations: E.212 (MCC 3
 * digits, MNC 2 or 3), the provider database's network-id entries, and the
 * 3-digit-MNC country list for networks it lacks.
 *
 * Also the plumbing every backend's vtable calls share (backend-private.h):
 * apply results and undo snapshots as backend.h describes them, errors,
 * availability, and failures held over a rollback; exercised through a
 * stand-in backend. */

#include <gio/gio.h>
#include <string.h>

#include "backend-private.h"
#include "backend.h"
#include "omacp.h"

#define MBPI "/usr/share/mobile-broadband-provider-info/serviceproviders.xml"

typedef struct {
	const char *imsi;
	const char *expected;
	gboolean needs_database;
} OperatorCase;

static const OperatorCase operator_cases[] = {
	/* the database lists 310/410 (AT&T) and 262/01 (Telekom) */
	{ "310410123456789", "310410", FALSE },
	{ "262011234567890", "26201", FALSE },
	/* MCC 364 mixes lengths: the database knows 364390 and 36449 */
	{ "364390123456789", "364390", TRUE },
	{ "364490123456789", "36449", TRUE },
	/* 405 (India) has both 405025 and 40505 */
	{ "405025123456789", "405025", TRUE },
	{ "405051234567890", "40505", TRUE },
	/* unknown networks: 3 digits in 3-digit countries, else 2 */
	{ "316999123456789", "316999", FALSE },
	{ "001010123456789", "00101", FALSE },
	/* the shortest an operator id can come from */
	{ "234150", "23415", FALSE },
};

/* The installed database, parsed as the daemon does (NULL: not installed). */
static OmacpMbpi *
installed_mbpi(void)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	OmacpMbpi *mbpi;

	if (!g_file_get_contents(MBPI, &data, &len, NULL))
		return NULL;
	mbpi = omacp_mbpi_new_from_data(data, len, &error);
	g_assert_no_error(error);
	return mbpi;
}

static void
test_operator_id(void)
{
	g_autoptr(OmacpMbpi) mbpi = installed_mbpi();

	for (gsize i = 0; i < G_N_ELEMENTS(operator_cases); i++) {
		const OperatorCase *c = &operator_cases[i];
		g_autoptr(GError) error = NULL;
		g_autofree char *id = NULL;

		if (c->needs_database && mbpi == NULL)
			continue;
		g_assert_true(omacp_backend_operator_id_from_imsi(c->imsi, mbpi, &id, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(id, ==, c->expected);
	}
}

/* The database handed in decides, not a file the backend would read: one
 * that lists 364/390 and 405/025 only. */
static void
test_operator_id_given_database(void)
{
	static const char xml[] =
	        "<serviceproviders><country code=\"xx\"><provider><name>A</name><gsm>"
	        "<network-id mcc=\"364\" mnc=\"390\"/><network-id mcc=\"405\" mnc=\"025\"/>"
	        "</gsm></provider></country></serviceproviders>";
	static const struct {
		const char *imsi;
		const char *expected;
	} cases[] = {
		{ "364390123456789", "364390" },
		{ "405025123456789", "405025" },
		/* not listed: 364 and 405 are not 3-digit countries */
		{ "364490123456789", "36449" },
		{ "405051234567890", "40505" },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpMbpi) mbpi = omacp_mbpi_new_from_data(xml, sizeof xml - 1, &error);

	g_assert_no_error(error);
	g_assert_nonnull(mbpi);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *id = NULL;

		g_assert_true(
		        omacp_backend_operator_id_from_imsi(cases[i].imsi, mbpi, &id, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(id, ==, cases[i].expected);
	}
}

static void
test_operator_id_rejects(void)
{
	const char *bad[] = { "", "31041", "3104101234567890", "31041x123456789", "+310410123" };
	g_autoptr(OmacpMbpi) mbpi = installed_mbpi();

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		char *id = (char *) "untouched";

		g_assert_false(omacp_backend_operator_id_from_imsi(bad[i], mbpi, &id, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_assert_true(g_str_has_prefix(error->message, "backend: IMSI"));
		/* output untouched on failure */
		g_assert_cmpstr(id, ==, "untouched");
	}
}

/* No database falls back to the country list, never fails. */
static void
test_operator_id_without_database(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;

	g_assert_true(omacp_backend_operator_id_from_imsi("364390123456789", NULL, &id, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, "36439");
}

/* --- shared vtable plumbing ------------------------------------------------ */

typedef struct {
	OmacpBackend parent;
	gboolean available;
	char *removed; /* the id remove_async was asked for */
} FakeBackend;

static gboolean
fake_is_available(OmacpBackend *backend)
{
	return ((FakeBackend *) backend)->available;
}

static void
fake_remove_async(OmacpBackend *backend, const char *id, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
	FakeBackend *fake = (FakeBackend *) backend;
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);

	g_free(fake->removed);
	fake->removed = g_strdup(id);
	g_task_return_boolean(task, TRUE);
}

static void
fake_free(OmacpBackend *backend)
{
	FakeBackend *fake = (FakeBackend *) backend;

	g_free(fake->removed);
	g_free(fake);
}

static const OmacpBackendClass fake_class = {
	.name = "fake",
	.is_available = fake_is_available,
	.remove_async = fake_remove_async,
	.free = fake_free,
	OMACP_BACKEND_TASK_FINISHERS,
};

static FakeBackend *
fake_new(gboolean available)
{
	FakeBackend *fake = g_new0(FakeBackend, 1);

	fake->parent.klass = &fake_class;
	fake->available = available;
	return fake;
}

static void
store_result_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **slot = user_data;

	g_assert_null(*slot);
	*slot = g_object_ref(result);
}

/* A task whose result lands in @slot; wait_result() runs the loop till then. */
static GTask *
task_into(GAsyncResult **slot)
{
	*slot = NULL;
	return g_task_new(NULL, NULL, store_result_cb, slot);
}

static GAsyncResult *
wait_result(GAsyncResult **slot)
{
	while (*slot == NULL)
		g_main_context_iteration(NULL, TRUE);
	return *slot;
}

/* apply_finish hands back the id and a full reference to the snapshot (the
 * floating one given is sunk); NULL out_undo is allowed. */
static void
test_apply_result(void)
{
	g_autoptr(OmacpBackend) backend = &fake_new(TRUE)->parent;

	for (guint want_undo = 0; want_undo < 2; want_undo++) {
		g_autoptr(GAsyncResult) result = NULL;
		g_autoptr(GTask) task = task_into(&result);
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) undo = NULL;
		g_autofree char *id = NULL;

		omacp_backend_task_return_applied(task, "/modem/context1",
		                                  g_variant_new_parsed("{'created': <true>}"));
		id = backend->klass->apply_finish(backend, wait_result(&result),
		                                  want_undo ? &undo : NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(id, ==, "/modem/context1");
		if (!want_undo)
			continue;
		g_assert_nonnull(undo);
		g_assert_false(g_variant_is_floating(undo));
		g_assert_true(g_variant_is_of_type(undo, G_VARIANT_TYPE_VARDICT));
		g_assert_true(omacp_backend_dict_bool(undo, "created", FALSE));
	}
}

/* A failed apply: NULL, the error, and the undo output untouched. */
static void
test_apply_result_error(void)
{
	g_autoptr(OmacpBackend) backend = &fake_new(TRUE)->parent;
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GTask) task = task_into(&result);
	g_autoptr(GError) error = NULL;
	GVariant *undo = (GVariant *) &undo; /* any non-NULL marker */
	char *id;

	g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_INVALID_STATE, "fake: no");
	id = backend->klass->apply_finish(backend, wait_result(&result), &undo, &error);
	g_assert_null(id);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE);
	g_assert_true(undo == (GVariant *) &undo);
}

static void
test_task_finish(void)
{
	g_autoptr(OmacpBackend) backend = &fake_new(TRUE)->parent;
	g_autoptr(GAsyncResult) ok = NULL;
	g_autoptr(GAsyncResult) bad = NULL;
	g_autoptr(GTask) ok_task = task_into(&ok);
	g_autoptr(GTask) bad_task = task_into(&bad);
	g_autoptr(GError) error = NULL;

	g_task_return_boolean(ok_task, TRUE);
	g_task_return_new_error(bad_task, OMACP_ERROR, OMACP_ERROR_NOT_FOUND, "fake: gone");
	g_assert_true(omacp_backend_task_finish(backend, wait_result(&ok), &error));
	g_assert_no_error(error);
	g_assert_false(omacp_backend_task_finish(backend, wait_result(&bad), &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND);
}

/* The failure held over a rollback is the one reported at its end. */
static void
test_held_error(void)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GTask) task = task_into(&result);
	g_autoptr(GError) error = NULL;

	omacp_backend_task_hold_error(task,
	                              g_error_new_literal(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
	                                                  "fake: setting Name failed"));
	omacp_backend_task_return_held_error(task);
	g_assert_false(g_task_propagate_boolean(G_TASK(wait_result(&result)), &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE);
	g_assert_cmpstr(error->message, ==, "fake: setting Name failed");
}

/* A rollback that lost its cause still fails, never reports success. */
static void
test_held_error_missing(void)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GTask) task = task_into(&result);
	g_autoptr(GError) error = NULL;

	omacp_backend_task_return_held_error(task);
	g_assert_false(g_task_propagate_boolean(G_TASK(wait_result(&result)), &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND);
}

static void
test_error_wrap(void)
{
	g_autoptr(GError) cancelled =
	        g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
	g_autoptr(GError) remote =
	        g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "not allowed");
	g_autoptr(GError) kept = omacp_backend_error_wrap("fake", cancelled, "adding %s", "x");
	g_autoptr(GError) wrapped =
	        omacp_backend_error_wrap("fake", remote, "adding connection '%s'", "Work");

	/* a cancellation stays one, so the caller can tell it apart */
	g_assert_error(kept, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpstr(kept->message, ==, "Operation was cancelled");
	g_assert_error(wrapped, OMACP_ERROR, OMACP_ERROR_BACKEND);
	g_assert_cmpstr(wrapped->message, ==, "fake: adding connection 'Work' failed: not allowed");
}

static void
test_return_if_unavailable(void)
{
	for (guint available = 0; available < 2; available++) {
		g_autoptr(OmacpBackend) backend = &fake_new(available)->parent;
		g_autoptr(GAsyncResult) result = NULL;
		g_autoptr(GTask) task = task_into(&result);
		g_autoptr(GError) error = NULL;
		gboolean returned = omacp_backend_task_return_if_unavailable(backend, task, "Fake");

		if (available) {
			g_assert_false(returned);
			g_task_return_boolean(task, TRUE);
			g_assert_true(
			        g_task_propagate_boolean(G_TASK(wait_result(&result)), &error));
			g_assert_no_error(error);
			continue;
		}
		g_assert_true(returned);
		g_assert_false(g_task_propagate_boolean(G_TASK(wait_result(&result)), &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
		g_assert_cmpstr(error->message, ==, "fake: Fake is not running");
	}
}

/* Undoing a creation removes the object; any other snapshot is the
 * backend's to restore. */
static void
test_undo_created(void)
{
	const char *snapshots[] = { "{'created': <true>}", "{'created': <false>}", "@a{sv} {}",
		                    "{'created': <'yes'>}" };
	const gboolean removes[] = { TRUE, FALSE, FALSE, FALSE };

	for (gsize i = 0; i < G_N_ELEMENTS(snapshots); i++) {
		FakeBackend *fake = fake_new(TRUE);
		g_autoptr(OmacpBackend) backend = &fake->parent;
		g_autoptr(GVariant) undo = g_variant_ref_sink(g_variant_new_parsed(snapshots[i]));
		g_autoptr(GAsyncResult) result = NULL;
		g_autoptr(GError) error = NULL;
		gboolean started = omacp_backend_undo_created(backend, "id-1", undo, NULL,
		                                              store_result_cb, &result);

		g_assert_cmpint(started, ==, removes[i]);
		if (!removes[i]) {
			g_assert_null(fake->removed);
			continue;
		}
		g_assert_cmpstr(fake->removed, ==, "id-1");
		g_assert_true(backend->klass->undo_finish(backend, wait_result(&result), &error));
		g_assert_no_error(error);
	}
}

static void
test_undo_lookup(void)
{
	g_autoptr(OmacpBackend) backend = &fake_new(TRUE)->parent;
	g_autoptr(GVariant) undo = g_variant_ref_sink(g_variant_new_parsed(
	        "{'created': <false>, 'properties': <{'Name': <'Work'>}>, 'via': <'file'>}"));
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) props = omacp_backend_undo_lookup(
	        backend, undo, "properties", G_VARIANT_TYPE_VARDICT, "/modem/context1", &error);
	struct {
		GVariant *undo;
		const char *key;
		const GVariantType *type;
	} bad[] = {
		{ undo, "connection", G_VARIANT_TYPE("a{sa{sv}}") }, /* absent */
		{ undo, "via", G_VARIANT_TYPE_VARDICT },             /* wrong type */
		{ NULL, "properties", G_VARIANT_TYPE_VARDICT },      /* no snapshot */
	};

	g_assert_no_error(error);
	g_assert_nonnull(props);
	g_assert_cmpstr(omacp_backend_dict_string(props, "Name"), ==, "Work");
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) local = NULL;
		g_autofree char *key = g_strdup_printf("'%s'", bad[i].key);
		GVariant *value = omacp_backend_undo_lookup(backend, bad[i].undo, bad[i].key,
		                                            bad[i].type, "/modem/context1", &local);

		g_assert_null(value);
		g_assert_error(local, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_assert_true(g_str_has_prefix(local->message, "fake: undo snapshot for "
		                                               "/modem/context1"));
		g_assert_nonnull(strstr(local->message, key));
	}
}

/* --- the preview cache ---------------------------------------------------------- */

#define CACHE_TEST_NAME  "org.example.omacp.CacheTest"
#define CACHE_TEST_IFACE "org.example.omacp.CacheTest"

/* A cache whose refreshes the test completes by hand. */
typedef struct {
	OmacpBackendCache base;
	guint refreshes;
	guint forgets;
	gboolean has_data;
	GCancellable *pending; /* of the refresh in flight, handed back by finish */
} TestCache;

static void
test_cache_refresh(OmacpBackendCache *base, GCancellable *cancellable)
{
	TestCache *cache = (TestCache *) base;

	g_assert_null(cache->pending);
	cache->refreshes++;
	cache->pending = cancellable;
}

static void
test_cache_forget(OmacpBackendCache *base)
{
	TestCache *cache = (TestCache *) base;

	cache->forgets++;
	cache->has_data = FALSE;
}

static const OmacpBackendCacheClass test_cache_class = {
	.refresh = test_cache_refresh,
	.forget = test_cache_forget,
};

/* Completes the refresh in flight the way a backend does. */
static void
test_cache_finish(TestCache *cache)
{
	GCancellable *cancellable = g_steal_pointer(&cache->pending);

	g_assert_nonnull(cancellable);
	if (omacp_backend_cache_refresh_wanted(&cache->base, cancellable)) {
		cache->base.klass->forget(&cache->base);
		cache->has_data = TRUE;
	}
	omacp_backend_cache_refresh_done(&cache->base, cancellable);
}

/* Runs the loop until @count reaches @want (fails after 10 s). */
static void
wait_count(const guint *count, guint want)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (*count < want) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_main_context_iteration(NULL, FALSE);
		g_usleep(1000);
	}
	g_assert_cmpuint(*count, ==, want);
}

/* Runs what is due now, so that nothing more happens unnoticed. */
static void
settle(void)
{
	for (int i = 0; i < 50; i++) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(2000);
	}
}

/* The cache reads again when its service appears, once more for any number
 * of changes during a refresh, on its signals and after a followed task;
 * a refresh that ran while the service vanished is dropped. */
static void
test_cache(void)
{
	static const OmacpBackendCacheSignal signals[] = {
		{ CACHE_TEST_IFACE, "Changed", "/", NULL },
	};
	g_autoptr(GTestDBus) dbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GError) error = NULL;
	GAsyncResult *slot = NULL;
	g_autoptr(GTask) task = NULL;
	TestCache *cache;
	guint own_id;

	g_test_dbus_up(dbus);
	bus = g_dbus_connection_new_for_address_sync(
	        g_test_dbus_get_bus_address(dbus),
	        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	        NULL, NULL, &error);
	g_assert_no_error(error);

	cache = (TestCache *) omacp_backend_cache_new(sizeof(TestCache), &test_cache_class, bus,
	                                              CACHE_TEST_NAME, signals,
	                                              G_N_ELEMENTS(signals));
	/* no owner: forgotten, nothing read */
	wait_count(&cache->forgets, 1);
	omacp_backend_cache_schedule(&cache->base);
	settle();
	g_assert_false(cache->base.present);
	g_assert_cmpuint(cache->refreshes, ==, 0);

	own_id = g_bus_own_name_on_connection(bus, CACHE_TEST_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
	                                      NULL, NULL, NULL, NULL);
	wait_count(&cache->refreshes, 1);
	g_assert_true(cache->base.present);

	/* a burst of changes while it runs: one more refresh, after it */
	omacp_backend_cache_schedule(&cache->base);
	omacp_backend_cache_schedule(&cache->base);
	settle();
	g_assert_cmpuint(cache->refreshes, ==, 1);
	test_cache_finish(cache);
	g_assert_true(cache->has_data);
	wait_count(&cache->refreshes, 2);
	test_cache_finish(cache);
	settle();
	g_assert_cmpuint(cache->refreshes, ==, 2);

	/* a subscribed signal */
	g_dbus_connection_emit_signal(bus, NULL, "/", CACHE_TEST_IFACE, "Changed", NULL, &error);
	g_assert_no_error(error);
	wait_count(&cache->refreshes, 3);
	test_cache_finish(cache);

	/* a followed task, once it is done */
	task = task_into(&slot);
	omacp_backend_cache_follow(&cache->base, task);
	settle();
	g_assert_cmpuint(cache->refreshes, ==, 3);
	g_task_return_boolean(task, TRUE);
	wait_result(&slot);
	wait_count(&cache->refreshes, 4);

	/* the service goes while it runs: cancelled, and its result dropped */
	g_bus_unown_name(own_id);
	while (cache->base.present)
		g_main_context_iteration(NULL, TRUE);
	g_assert_true(g_cancellable_is_cancelled(cache->pending));
	g_assert_false(cache->has_data);
	test_cache_finish(cache);
	g_assert_false(cache->has_data);
	omacp_backend_cache_schedule(&cache->base);
	settle();
	g_assert_cmpuint(cache->refreshes, ==, 4);

	omacp_backend_cache_stop(&cache->base);
	g_clear_object(&slot);
	g_clear_object(&task);
	g_dbus_connection_close_sync(bus, NULL, NULL);
	g_clear_object(&bus);
	g_test_dbus_down(dbus);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/backend-util/operator-id", test_operator_id);
	g_test_add_func("/backend-util/operator-id-given-database",
	                test_operator_id_given_database);
	g_test_add_func("/backend-util/operator-id-rejects", test_operator_id_rejects);
	g_test_add_func("/backend-util/operator-id-without-database",
	                test_operator_id_without_database);
	g_test_add_func("/backend-util/apply-result", test_apply_result);
	g_test_add_func("/backend-util/apply-result-error", test_apply_result_error);
	g_test_add_func("/backend-util/task-finish", test_task_finish);
	g_test_add_func("/backend-util/held-error", test_held_error);
	g_test_add_func("/backend-util/held-error-missing", test_held_error_missing);
	g_test_add_func("/backend-util/error-wrap", test_error_wrap);
	g_test_add_func("/backend-util/return-if-unavailable", test_return_if_unavailable);
	g_test_add_func("/backend-util/undo-created", test_undo_created);
	g_test_add_func("/backend-util/undo-lookup", test_undo_lookup);
	g_test_add_func("/backend-util/cache", test_cache);
	return g_test_run();
}
