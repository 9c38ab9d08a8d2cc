/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mmsd-tng backend against the real mmsdtng (Debian's mmsd-tng 2.1.0)
 * on a private session bus. Expectations from the issue: the MMS settings
 * (CarrierMMSC, CarrierMMSProxy, MMS_APN) go through mmsd-tng's D-Bus
 * interface while it runs, and into its settings file only when the
 * interface is absent; mmsd-tng's own unset values are "http://mms.invalid",
 * "apn.invalid" and "NULL" (observed on its first start); preview shows
 * them as "" (none). */

#include <string.h>

#include "backend.h"
#include "harness.h"
#include "omacp.h"

#define IMSI "001010123456789"

static Harness *harness;
static OmacpBackend *backend;

/* mmsd-tng's settings as it reports them. */
static GVariant *
view_settings(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	        harness->bus, "org.ofono.mms", "/org/ofono/mms", "org.ofono.mms.ModemManager",
	        "ViewSettings", NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
	        &error);

	g_assert_no_error(error);
	g_assert_nonnull(reply);
	return g_variant_get_child_value(reply, 0);
}

static void
assert_settings(const char *mmsc, const char *apn, const char *proxy)
{
	g_autoptr(GVariant) s = view_settings();
	const char *v = NULL;

	g_assert_true(g_variant_lookup(s, "CarrierMMSC", "&s", &v));
	g_assert_cmpstr(v, ==, mmsc);
	g_assert_true(g_variant_lookup(s, "MMS_APN", "&s", &v));
	g_assert_cmpstr(v, ==, apn);
	g_assert_true(g_variant_lookup(s, "CarrierMMSProxy", "&s", &v));
	g_assert_cmpstr(v, ==, proxy);
}

static void
change_setting(const char *key, const char *value)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	        harness->bus, "org.ofono.mms", "/org/ofono/mms", "org.ofono.mms.ModemManager",
	        "ChangeSettings", g_variant_new("(sv)", key, g_variant_new_string(value)), NULL,
	        G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(reply);
}

static OmacpProfile *
mms_profile(const char *mmsc, const char *proxy)
{
	g_autofree char *settings =
	        proxy != NULL ? g_strdup_printf("{'mmsc': <'%s'>, 'apn': <'mms.fake'>, "
	                                        "'mms-proxy': <'%s'>}",
	                                        mmsc, proxy)
	                      : g_strdup_printf("{'mmsc': <'%s'>, 'apn': <'mms.fake'>}", mmsc);

	return harness_profile(OMACP_PROFILE_MMS, "mms:FAKE", "Fake MMS", IMSI, settings, NULL);
}

static guint availability_signals;

static gboolean
signals_above(gpointer data)
{
	return availability_signals > GPOINTER_TO_UINT(data);
}

/* While mmsd-tng runs: through its interface; undo, hand edits, remove. */
static void
test_dbus(void)
{
	g_autoptr(HarnessProfile) p1 = mms_profile("http://mms.fake/one", "10.0.0.1:8080");
	g_autoptr(HarnessProfile) p2 = mms_profile("http://mms.fake/two", NULL);
	g_autoptr(GVariant) undo1 = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *id1 = NULL;
	g_autofree char *id2 = NULL;
	g_autofree char *again = NULL;
	const char *via = NULL;

	g_assert_cmpstr(backend->klass->name, ==, "mmsd");
	g_assert_true(backend->klass->handles(backend, p1));
	harness_start_mmsd(harness);
	harness_wait_until(signals_above, GUINT_TO_POINTER(0), 10000, "availability");
	g_assert_true(backend->klass->is_available(backend));
	assert_settings("http://mms.invalid", "apn.invalid", "NULL");
	/* mmsd-tng's unset values read as "" */
	harness_assert_preview(backend, p1, NULL,
	                       "CarrierMMSC: '' -> 'http://mms.fake/one'\n"
	                       "MMS_APN: '' -> 'mms.fake'\n"
	                       "CarrierMMSProxy: '' -> '10.0.0.1:8080'");

	id1 = harness_apply_ok(backend, p1, NULL, FALSE, &undo1);
	/* applied: nothing left to change; the next message changes what differs */
	harness_assert_preview(backend, p1, id1, "");
	harness_assert_preview(backend, p2, id1,
	                       "CarrierMMSC: 'http://mms.fake/one' -> 'http://mms.fake/two'\n"
	                       "CarrierMMSProxy: '10.0.0.1:8080' -> ''");
	g_assert_true(g_str_has_prefix(id1, "mmsd-tng:"));
	g_assert_true(g_variant_lookup(undo1, "via", "&s", &via));
	g_assert_cmpstr(via, ==, "dbus");
	assert_settings("http://mms.fake/one", "mms.fake", "10.0.0.1:8080");

	/* a later message: no proxy any more */
	id2 = harness_apply_ok(backend, p2, id1, FALSE, NULL);
	g_assert_cmpstr(id2, !=, id1);
	assert_settings("http://mms.fake/two", "mms.fake", "NULL");

	/* changed by hand: refused, unless confirmed */
	change_setting("CarrierMMSC", "http://mine.example/");
	/* the preview says so before apply refuses */
	harness_assert_preview(backend, p1, id2,
	                       "edited-by-hand: 'true' -> 'overwritten' [risk]\n"
	                       "CarrierMMSC: 'http://mine.example/' -> 'http://mms.fake/one'\n"
	                       "CarrierMMSProxy: '' -> '10.0.0.1:8080'");
	{
		g_autofree char *risk = harness_preview_risk(backend, p1, id2, "edited-by-hand");
		g_assert_nonnull(strstr(risk, "edited by hand"));
	}
	again = harness_apply(backend, p1, id2, FALSE, NULL, &error);
	g_assert_null(again);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE);
	g_assert_nonnull(strstr(error->message, "edited by hand"));
	g_clear_error(&error);
	assert_settings("http://mine.example/", "mms.fake", "NULL");
	/* and remove leaves the user's settings alone */
	harness_remove_ok(backend, id2);
	assert_settings("http://mine.example/", "mms.fake", "NULL");

	again = harness_apply_ok(backend, p2, id2, TRUE, NULL);
	g_assert_cmpstr(again, ==, id2);
	assert_settings("http://mms.fake/two", "mms.fake", "NULL");

	/* remove while still ours: back to mmsd-tng's unset values */
	harness_remove_ok(backend, id2);
	assert_settings("http://mms.invalid", "apn.invalid", "NULL");

	/* undo of the first apply restores what was there before it */
	g_free(harness_apply_ok(backend, p1, NULL, FALSE, NULL));
	harness_undo_ok(backend, id1, undo1);
	assert_settings("http://mms.invalid", "apn.invalid", "NULL");
}

/* mmsd-tng not running: its settings file, which it reads on start. */
static void
test_file_fallback(void)
{
	g_autoptr(HarnessProfile) p = mms_profile("http://mms.fake/file", "10.9.8.7:80");
	g_autoptr(GVariant) undo = NULL;
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *path = harness_mmsd_settings_file(harness);
	g_autofree char *id = NULL;
	g_autofree char *value = NULL;
	const char *via = NULL;
	guint before = availability_signals;

	harness_stop_mmsd(harness);
	harness_wait_until(signals_above, GUINT_TO_POINTER(before), 10000, "mmsd-tng to vanish");
	/* the settings file it left behind still makes the backend usable */
	g_assert_true(backend->klass->is_available(backend));
	/* preview reads that file: test_dbus left mmsd-tng's unset values */
	harness_assert_preview(backend, p, NULL,
	                       "CarrierMMSC: '' -> 'http://mms.fake/file'\n"
	                       "MMS_APN: '' -> 'mms.fake'\n"
	                       "CarrierMMSProxy: '' -> '10.9.8.7:80'");

	id = harness_apply_ok(backend, p, NULL, FALSE, &undo);
	g_assert_true(g_variant_lookup(undo, "via", "&s", &via));
	g_assert_cmpstr(via, ==, "file");
	g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, &error);
	g_assert_no_error(error);
	value = g_key_file_get_string(file, "Modem Manager", "CarrierMMSC", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(value, ==, "http://mms.fake/file");
	g_free(value);
	value = g_key_file_get_string(file, "Modem Manager", "IMSI", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(value, ==, IMSI);
	harness_assert_preview(backend, p, id, "");

	/* mmsd-tng reads what was written */
	harness_start_mmsd(harness);
	assert_settings("http://mms.fake/file", "mms.fake", "10.9.8.7:80");
	harness_stop_mmsd(harness);

	harness_undo_ok(backend, id, undo);
	g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, &error);
	g_assert_no_error(error);
	g_free(value);
	value = g_key_file_get_string(file, "Modem Manager", "CarrierMMSC", &error);
	g_assert_cmpstr(value, ==, "http://mms.invalid");
	g_free(value);
	value = g_key_file_get_string(file, "Modem Manager", "IMSI", &error);
	g_assert_cmpstr(value, ==, "invalid");
}

/* Neither the interface nor a settings file: nothing is created. */
static void
test_absent(void)
{
	g_autofree char *path =
	        g_build_filename(harness->dir, "nohome", ".mms", "modemmanager", "mms", NULL);
	g_autoptr(OmacpBackend) lonely = omacp_backend_mmsd_new(NULL, path);
	g_autoptr(HarnessProfile) p = mms_profile("http://mms.fake/x", NULL);
	g_autoptr(HarnessProfile) no_mmsc =
	        harness_profile(OMACP_PROFILE_MMS, "mms:NOMMSC", "x", NULL, "{'apn': <'a'>}", NULL);
	g_autoptr(HarnessProfile) internet = harness_profile(OMACP_PROFILE_INTERNET, "internet:X",
	                                                     "x", NULL, "{'apn': <'a'>}", NULL);
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;

	g_assert_false(lonely->klass->is_available(lonely));
	/* nothing to read: no preview */
	g_assert_null(lonely->klass->preview(lonely, p, NULL));
	g_assert_false(lonely->klass->handles(lonely, internet));
	lonely->klass->apply_async(lonely, p, NULL, NULL, FALSE, NULL, harness_store_result,
	                           &result);
	harness_wait_result(&result, "apply");
	id = lonely->klass->apply_finish(lonely, result, NULL, &error);
	g_assert_null(id);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	g_assert_nonnull(strstr(error->message, path));
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_clear_error(&error);
	g_clear_object(&result);

	lonely->klass->apply_async(lonely, no_mmsc, NULL, NULL, FALSE, NULL, harness_store_result,
	                           &result);
	harness_wait_result(&result, "apply");
	id = lonely->klass->apply_finish(lonely, result, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_assert_nonnull(strstr(error->message, "mms:NOMMSC"));
	g_clear_error(&error);
	g_clear_object(&result);

	lonely->klass->apply_async(lonely, internet, NULL, NULL, FALSE, NULL, harness_store_result,
	                           &result);
	harness_wait_result(&result, "apply");
	id = lonely->klass->apply_finish(lonely, result, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED);
}

int
main(int argc, char **argv)
{
	g_autofree char *reason = NULL;
	g_autofree char *settings = NULL;
	int ret;

	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
	if (!harness_can_run((const char *const[]){ "mmsdtng", "dbus-daemon", NULL }, &reason)) {
		g_test_skip(reason);
		return 0;
	}
	harness = harness_new();
	settings = harness_mmsd_settings_file(harness);
	/* the harness bus stands in for the user's session bus */
	backend = omacp_backend_mmsd_new(harness->bus, settings);
	g_assert_nonnull(backend);
	harness_count_availability(backend, &availability_signals);

	g_test_add_func("/backend-mmsd/dbus", test_dbus);
	g_test_add_func("/backend-mmsd/file-fallback", test_file_fallback);
	g_test_add_func("/backend-mmsd/absent", test_absent);
	ret = g_test_run();

	omacp_backend_free(backend);
	harness_free(harness);
	return ret;
}
