/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mmsd-tng backend against the real mmsdtng (Debian's mmsd-tng 2.1.0)
 * on a private session bus. Expectations from the issue: the MMS settings
 * (CarrierMMSC, CarrierMMSProxy, MMS_APN) go through mmsd-tng's D-Bus
 * interface while it runs; without it the backend is unavailable and
 * omacpd (root) writes nothing into the user's directory;
 * mmsd-tng's own unset values are "http://mms.invalid", "apn.invalid" and
 * "NULL" (observed on its first start); preview shows them as "" (none). */

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* stat() of @path without following a link. */
static struct stat
lstat_of(const char *path)
{
	struct stat st;

	g_assert_cmpint(lstat(path, &st), ==, 0);
	return st;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in @dir, sorted and joined. */
static char *
listing(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	const char *name;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, (gpointer) name);
	g_ptr_array_sort(names, compare_names);
	g_ptr_array_add(names, NULL);
	return g_strjoinv(" ", (char **) names->pdata);
}

/* Applies @p with @b: its error (NULL when it was applied). */
static GError *
apply_error(OmacpBackend *b, const OmacpProfile *p)
{
	g_autoptr(GAsyncResult) result = NULL;
	GError *error = NULL;
	g_autofree char *id = NULL;

	b->klass->apply_async(b, p, NULL, NULL, FALSE, NULL, harness_store_result, &result);
	harness_wait_result(&result, "apply");
	id = b->klass->apply_finish(b, result, NULL, &error);
	g_assert_true((id == NULL) == (error != NULL));
	return error;
}

/* H1: mmsd-tng not running and its settings file in a directory
 * its user can write. omacpd (root here) must not create, rename or chown
 * anything there: the old fallback wrote a root-owned temporary file, renamed
 * it over the path and chowned by path, so a symlink swapped in between gave
 * the user any root file. Nothing in the directory may change: the same
 * names, the same inodes and owners, the link still a link and its root-owned
 * target untouched. */
static void
test_no_root_writes_in_user_dir(void)
{
	const uid_t user = 65534; /* nobody: any non-root owner */
	g_autoptr(HarnessProfile) p = mms_profile("http://mms.attacker/x", "10.6.6.6:80");
	g_autofree char *dir =
	        g_build_filename(harness->dir, "userhome", ".mms", "modemmanager", NULL);
	g_autofree char *file = g_build_filename(dir, "mms", NULL);
	g_autofree char *victim = g_build_filename(harness->dir, "root-owned", NULL);
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;
	g_autofree char *text = NULL;
	const char *settings = "[Modem Manager]\nCarrierMMSC=http://mms.invalid\n"
	                       "MMS_APN=apn.invalid\nCarrierMMSProxy=NULL\n";
	g_autoptr(GError) error = NULL;
	OmacpBackend *lonely;
	struct stat st_file, st_victim, now;

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_cmpint(chown(dir, user, user), ==, 0);
	g_assert_true(g_file_set_contents(file, settings, -1, NULL));
	g_assert_cmpint(chown(file, user, user), ==, 0);
	g_assert_true(g_file_set_contents(victim, "root only\n", -1, NULL));
	g_assert_cmpint(chmod(victim, 0600), ==, 0);

	/* a regular file the user owns */
	lonely = omacp_backend_mmsd_new(NULL, file);
	st_file = lstat_of(file);
	before = listing(dir);
	error = apply_error(lonely, p);
	after = listing(dir);
	g_assert_cmpstr(after, ==, before);
	now = lstat_of(file);
	g_assert_cmpuint(now.st_ino, ==, st_file.st_ino);
	g_assert_cmpuint(now.st_uid, ==, user);
	g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, settings);
	/* and it says why: MMS settings go through the user's session */
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	g_clear_error(&error);
	g_assert_false(lonely->klass->is_available(lonely));
	g_assert_null(lonely->klass->preview(lonely, p, NULL));
	omacp_backend_free(lonely);

	/* the user's symlink to a root-owned file, as after the race */
	g_assert_cmpint(g_unlink(file), ==, 0);
	g_assert_cmpint(symlink(victim, file), ==, 0);
	g_assert_cmpint(lchown(file, user, user), ==, 0);
	st_file = lstat_of(file);
	st_victim = lstat_of(victim);
	lonely = omacp_backend_mmsd_new(NULL, file);
	error = apply_error(lonely, p);
	now = lstat_of(file);
	g_assert_true(S_ISLNK(now.st_mode));
	g_assert_cmpuint(now.st_ino, ==, st_file.st_ino);
	now = lstat_of(victim);
	g_assert_cmpuint(now.st_uid, ==, 0);
	g_assert_cmpuint(now.st_ino, ==, st_victim.st_ino);
	g_clear_pointer(&text, g_free);
	g_assert_true(g_file_get_contents(victim, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "root only\n");
	g_clear_pointer(&after, g_free);
	after = listing(dir);
	g_assert_cmpstr(after, ==, before);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	omacp_backend_free(lonely);
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
	g_test_add_func("/backend-mmsd/no-root-writes-in-user-dir",
	                test_no_root_writes_in_user_dir);
	g_test_add_func("/backend-mmsd/absent", test_absent);
	ret = g_test_run();

	omacp_backend_free(backend);
	harness_free(harness);
	return ret;
}
