/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The oFono backend against the real ofonod (phonesim plugin talking to the
 * fake AT modem), run through run-in-netns.sh so /var/lib/ofono is a tmpfs.
 * Expectations from the issue and the oFono field notes: internet and mms
 * profiles become ConnectionContexts (AccessPointName, Username, Password,
 * AuthenticationMethod, Protocol, MessageCenter, MessageProxy, Name) on the
 * modem of the SIM; an active context is not touched without confirmation;
 * test PLMN 001/01 has no provisioning data, so oFono starts with one blank
 * internet context. preview: the field names are oFono's property names;
 * the contract (backend.h) has secrets only as "(secret)". */

#include <string.h>

#include "backend.h"
#include "harness.h"
#include "omacp.h"

#define IMSI       "001010123456789"
#define OTHER_IMSI "001019999999999"

static Harness *harness;
static OmacpBackend *backend;
static guint availability_signals;

/* The contexts of /fakemodem, as oFono reports them. */
static GVariant *
contexts(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	        harness->bus, "org.ofono", "/fakemodem", "org.ofono.ConnectionManager",
	        "GetContexts", NULL, G_VARIANT_TYPE("(a(oa{sv}))"), G_DBUS_CALL_FLAGS_NONE, 5000,
	        NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(reply);
	return g_variant_get_child_value(reply, 0);
}

/* Properties of context @path, NULL when it does not exist. */
static GVariant *
context(const char *path)
{
	g_autoptr(GVariant) all = contexts();

	for (gsize i = 0; i < g_variant_n_children(all); i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value(all, i);
		const char *p = NULL;

		g_variant_get_child(child, 0, "&o", &p);
		if (strcmp(p, path) == 0)
			return g_variant_get_child_value(child, 1);
	}
	return NULL;
}

static guint
count_type(const char *type)
{
	g_autoptr(GVariant) all = contexts();
	guint n = 0;

	for (gsize i = 0; i < g_variant_n_children(all); i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value(all, i);
		g_autoptr(GVariant) props = g_variant_get_child_value(child, 1);
		const char *t = NULL;

		if (g_variant_lookup(props, "Type", "&s", &t) && strcmp(t, type) == 0)
			n++;
	}
	return n;
}

static void
assert_prop(GVariant *props, const char *name, const char *expected)
{
	const char *value = NULL;

	g_assert_true(g_variant_lookup(props, name, "&s", &value));
	g_assert_cmpstr(value, ==, expected);
}

static void
set_active(const char *path, gboolean active)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	        harness->bus, "org.ofono", path, "org.ofono.ConnectionContext", "SetProperty",
	        g_variant_new("(sv)", "Active", g_variant_new_boolean(active)), NULL,
	        G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(reply);
}

static gboolean
is_active(const char *path)
{
	g_autoptr(GVariant) props = context(path);
	gboolean active = FALSE;

	g_assert_nonnull(props);
	g_variant_lookup(props, "Active", "b", &active);
	return active;
}

static OmacpProfile *
internet_profile(const char *apn, const char *password)
{
	g_autofree char *settings = g_strdup_printf(
	        "{'apn': <'%s'>, 'username': <'web'>, 'auth': <'pap'>, 'ip-type': <'ipv4'>}", apn);
	g_autofree char *secrets = g_strdup_printf("{'password': <'%s'>}", password);

	return harness_profile(OMACP_PROFILE_INTERNET, "internet:NAP1", "Fake Internet", IMSI,
	                       settings, secrets);
}

static OmacpProfile *
mms_profile(const char *mmsc)
{
	g_autofree char *settings = g_strdup_printf(
	        "{'apn': <'mms.fake'>, 'mmsc': <'%s'>, 'mms-proxy': <'10.1.2.3:8080'>, 'auth': "
	        "<'chap'>}",
	        mmsc);

	return harness_profile(OMACP_PROFILE_MMS, "mms:FAKE", "Fake MMS", IMSI, settings, NULL);
}

/* Only the modem whose SIM card is the message's is
 * changed. The fake modem's card is FAKE_ICCID (fakemodem.py's default). */
#define FAKE_ICCID  "8944500102198304826"
#define OTHER_ICCID "8944500102198304834"

static OmacpProfile *
card_profile(const char *apn, const char *iccid)
{
	g_autofree char *settings = g_strdup_printf(
	        "{'apn': <'%s'>, 'ip-type': <'ipv4'>, 'iccid': <'%s'>}", apn, iccid);

	return harness_profile(OMACP_PROFILE_INTERNET, "internet:CARD", "Card Internet", IMSI,
	                       settings, NULL);
}

static void
test_sim_card(void)
{
	g_autoptr(HarnessProfile) other = card_profile("other.card", OTHER_ICCID);
	g_autoptr(HarnessProfile) mine = card_profile("my.card", FAKE_ICCID);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) props = NULL;
	guint before = count_type("internet");
	g_autofree char *none = harness_apply(backend, other, NULL, FALSE, NULL, &error);
	g_autofree char *id = NULL;

	/* same IMSI, another card: no modem of ours, nothing changed */
	g_assert_null(none);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	g_assert_cmpuint(count_type("internet"), ==, before);

	id = harness_apply_ok(backend, mine, NULL, FALSE, NULL);
	props = context(id);
	assert_prop(props, "AccessPointName", "my.card");
	g_assert_cmpuint(count_type("internet"), ==, before + 1);
	harness_remove_ok(backend, id);
}

/* oFono started after the backend: unavailable, then told. */
static void
test_appears_later(void)
{
	g_autoptr(HarnessProfile) p = internet_profile("early.apn", "x");
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;
	g_autofree char *masked = NULL;

	g_assert_cmpstr(backend->klass->name, ==, "ofono");
	g_assert_false(backend->klass->is_available(backend));
	id = harness_apply(backend, p, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	g_clear_error(&error);
	/* nothing known, nothing to show */
	g_assert_null(backend->klass->preview(backend, p, NULL));

	harness_start_ofono(harness, IMSI);
	harness_wait_until(harness_backend_available, backend, 10000, "availability");
	g_assert_cmpuint(availability_signals, ==, 1);

	/* the modem is there but offline: no ConnectionManager, so no target */
	id = harness_apply(backend, p, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	masked = omacp_mask_imsi(IMSI); /* the error names the SIM as everything else does */
	g_assert_nonnull(strstr(error->message, masked));
	g_assert_null(strstr(error->message, IMSI)); /* the IMSI is masked */
	g_clear_error(&error);

	harness_ofono_online(harness);
}

/* The internet profile adds a context next to oFono's blank one (which
 * cannot be restored once filled: oFono refuses an empty APN), updates it in
 * place, and undo walks back both steps. */
static void
test_internet_context(void)
{
	g_autoptr(HarnessProfile) p1 = internet_profile("web.fake", "s3cret");
	g_autoptr(HarnessProfile) p2 = internet_profile("web2.fake", "other");
	g_autoptr(GVariant) undo1 = NULL;
	g_autoptr(GVariant) undo2 = NULL;
	g_autoptr(GVariant) props = NULL;
	g_autofree char *id = NULL;
	g_autofree char *id2 = NULL;
	gboolean created = TRUE;

	g_assert_cmpuint(count_type("internet"), ==, 1);
	id = harness_apply_ok(backend, p1, NULL, FALSE, &undo1);
	g_assert_true(g_str_has_prefix(id, "/fakemodem/context"));
	g_assert_cmpuint(count_type("internet"), ==, 2);
	g_assert_true(g_variant_lookup(undo1, "created", "b", &created));
	g_assert_true(created);

	props = context(id);
	assert_prop(props, "Name", "Fake Internet");
	assert_prop(props, "AccessPointName", "web.fake");
	assert_prop(props, "Username", "web");
	assert_prop(props, "Password", "s3cret");
	assert_prop(props, "AuthenticationMethod", "pap");
	assert_prop(props, "Protocol", "ip");
	g_clear_pointer(&props, g_variant_unref);

	/* same profile again, new APN: same context, in place */
	id2 = harness_apply_ok(backend, p2, id, FALSE, &undo2);
	g_assert_cmpstr(id2, ==, id);
	g_assert_cmpuint(count_type("internet"), ==, 2);
	g_assert_true(g_variant_lookup(undo2, "created", "b", &created));
	g_assert_false(created);
	props = context(id);
	assert_prop(props, "AccessPointName", "web2.fake");
	assert_prop(props, "Password", "other");
	g_clear_pointer(&props, g_variant_unref);

	/* found by name when the caller lost the id */
	g_free(id2);
	id2 = harness_apply_ok(backend, p2, NULL, FALSE, NULL);
	g_assert_cmpstr(id2, ==, id);

	harness_undo_ok(backend, id, undo2);
	props = context(id);
	assert_prop(props, "AccessPointName", "web.fake");
	assert_prop(props, "Password", "s3cret");
	g_clear_pointer(&props, g_variant_unref);

	harness_undo_ok(backend, id, undo1);
	g_assert_null(context(id));
	g_assert_cmpuint(count_type("internet"), ==, 1);
}

/* An mms profile adds an mms context; undo of the creation removes it. */
static void
test_mms_context(void)
{
	g_autoptr(HarnessProfile) p = mms_profile("http://mms.fake/mms");
	g_autoptr(GVariant) undo = NULL;
	g_autoptr(GVariant) props = NULL;
	g_autofree char *id = NULL;
	gboolean created = FALSE;

	g_assert_false(backend->klass->handles(
	        backend, &(OmacpProfile){ .kind = OMACP_PROFILE_WLAN, .identity = "wlan:x" }));
	g_assert_cmpuint(count_type("mms"), ==, 0);
	id = harness_apply_ok(backend, p, NULL, FALSE, &undo);
	g_assert_true(g_variant_lookup(undo, "created", "b", &created));
	g_assert_true(created);
	g_assert_cmpuint(count_type("mms"), ==, 1);
	props = context(id);
	assert_prop(props, "Type", "mms");
	assert_prop(props, "Name", "Fake MMS");
	assert_prop(props, "AccessPointName", "mms.fake");
	assert_prop(props, "MessageCenter", "http://mms.fake/mms");
	assert_prop(props, "MessageProxy", "10.1.2.3:8080");
	assert_prop(props, "AuthenticationMethod", "chap");
	assert_prop(props, "Protocol", "dual");

	harness_undo_ok(backend, id, undo);
	g_assert_cmpuint(count_type("mms"), ==, 0);
}

/* An active context is not deactivated without confirmation. */
static void
test_active_context(void)
{
	g_autoptr(HarnessProfile) p1 = mms_profile("http://one.fake/");
	g_autoptr(HarnessProfile) p2 = mms_profile("http://two.fake/");
	g_autoptr(GVariant) props = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *id = harness_apply_ok(backend, p1, NULL, FALSE, NULL);
	g_autofree char *again = NULL;

	set_active(id, TRUE);
	g_assert_true(is_active(id));

	again = harness_apply(backend, p2, id, FALSE, NULL, &error);
	g_assert_null(again);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE);
	g_assert_nonnull(strstr(error->message, "is active"));
	g_clear_error(&error);
	g_assert_true(is_active(id));
	props = context(id);
	assert_prop(props, "MessageCenter", "http://one.fake/");
	g_clear_pointer(&props, g_variant_unref);

	/* reapplying what is already there changes nothing and needs no
	 * confirmation */
	g_free(harness_apply_ok(backend, p1, id, FALSE, NULL));

	/* confirmed: deactivated, changed, activated again */
	again = harness_apply_ok(backend, p2, id, TRUE, NULL);
	g_assert_cmpstr(again, ==, id);
	props = context(id);
	assert_prop(props, "MessageCenter", "http://two.fake/");
	g_assert_true(is_active(id));

	set_active(id, FALSE);
	harness_remove_ok(backend, id);
}

static void
test_remove(void)
{
	g_autoptr(HarnessProfile) p = mms_profile("http://rm.fake/");
	g_autoptr(GError) error = NULL;
	g_autofree char *id = harness_apply_ok(backend, p, NULL, FALSE, NULL);
	g_autoptr(GVariant) gone = NULL;

	harness_remove_ok(backend, id);
	gone = context(id);
	g_assert_null(gone);
	/* already gone: success */
	harness_remove_ok(backend, id);
	g_assert_false(harness_remove(backend, "/fakemodem", &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
}

/* A SIM no modem has, and a property oFono refuses: nothing left behind. */
static void
test_failures_leave_nothing(void)
{
	g_autoptr(HarnessProfile) other =
	        harness_profile(OMACP_PROFILE_MMS, "mms:OTHER", "Other", OTHER_IMSI,
	                        "{'apn': <'x'>, 'mmsc': <'http://x/'>}", NULL);
	g_autofree char *long_mmsc = NULL;
	g_autofree char *masked = NULL;
	g_autoptr(HarnessProfile) bad = NULL;
	g_autoptr(HarnessProfile) no_apn = harness_profile(OMACP_PROFILE_INTERNET, "internet:NOAPN",
	                                                   "NoApn", IMSI, "{}", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;
	guint before = count_type("mms");

	id = harness_apply(backend, other, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	masked = omacp_mask_imsi(OTHER_IMSI);
	g_assert_nonnull(strstr(error->message, masked));
	g_clear_error(&error);

	id = harness_apply(backend, no_apn, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_assert_nonnull(strstr(error->message, "internet:NOAPN"));
	g_clear_error(&error);

	/* oFono caps MessageCenter at 255 characters: the context it was being
	 * written into is removed again */
	{
		g_autofree char *tail = g_strnfill(300, 'a');
		long_mmsc = g_strconcat("http://", tail, NULL);
	}
	bad = mms_profile(long_mmsc);
	id = harness_apply(backend, bad, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND);
	g_assert_nonnull(strstr(error->message, "MessageCenter"));
	g_clear_error(&error);
	g_assert_cmpuint(count_type("mms"), ==, before);
}

/* What applying would change, from the backend's cache of oFono's
 * contexts: every field of a new context (old ""), only the changed fields
 * of an existing one, the password never in clear, and a risk on an active
 * context (oFono refuses changes to it). */
static void
test_preview(void)
{
	g_autoptr(HarnessProfile) p1 = internet_profile("prev.fake", "pw-one");
	g_autoptr(HarnessProfile) p2 = internet_profile("prev2.fake", "pw-one");
	g_autoptr(HarnessProfile) no_password = internet_profile("prev.fake", "");
	g_autoptr(HarnessProfile) other =
	        harness_profile(OMACP_PROFILE_INTERNET, "internet:OTHER", "Other", OTHER_IMSI,
	                        "{'apn': <'x'>}", NULL);
	g_autoptr(HarnessProfile) mms1 = mms_profile("http://one.fake/");
	g_autoptr(HarnessProfile) mms2 = mms_profile("http://two.fake/");
	g_autoptr(GVariant) raw = NULL;
	g_autofree char *printed = NULL;
	g_autofree char *id = NULL;
	g_autofree char *mms_id = NULL;
	g_autofree char *risk = NULL;

	/* a new context: the type and every value the profile sets */
	harness_assert_preview(backend, p1, NULL,
	                       "Type: '' -> 'internet'\n"
	                       "Name: '' -> 'Fake Internet'\n"
	                       "AccessPointName: '' -> 'prev.fake'\n"
	                       "Username: '' -> 'web'\n"
	                       "Password: '' -> '(secret)'\n"
	                       "AuthenticationMethod: '' -> 'pap'\n"
	                       "Protocol: '' -> 'ip'");
	raw = g_variant_ref_sink(backend->klass->preview(backend, p1, NULL));
	printed = g_variant_print(raw, FALSE);
	g_assert_null(strstr(printed, "pw-one"));
	/* no modem has that SIM: apply would fail, there is nothing to show */
	harness_assert_preview(backend, other, NULL, "(null)");

	id = harness_apply_ok(backend, p1, NULL, FALSE, NULL);
	/* applied: only the password remains, as the stored one is not known */
	harness_assert_preview(backend, p1, id, "Password: '(secret)' -> '(secret)'");
	/* an update: the changed fields only; found by name without the id too */
	harness_assert_preview(backend, p2, id,
	                       "AccessPointName: 'prev.fake' -> 'prev2.fake'\n"
	                       "Password: '(secret)' -> '(secret)'");
	harness_assert_preview(backend, p2, NULL,
	                       "AccessPointName: 'prev.fake' -> 'prev2.fake'\n"
	                       "Password: '(secret)' -> '(secret)'");
	/* a profile without a password clears the stored one */
	harness_assert_preview(backend, no_password, id, "Password: '(secret)' -> ''");
	/* changed outside omacp: the cache follows oFono's signals */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
		        harness->bus, "org.ofono", id, "org.ofono.ConnectionContext", "SetProperty",
		        g_variant_new("(sv)", "Username", g_variant_new_string("someone")), NULL,
		        G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
		g_assert_no_error(error);
		g_assert_nonnull(reply);
	}
	harness_assert_preview(backend, p1, id,
	                       "Username: 'someone' -> 'web'\n"
	                       "Password: '(secret)' -> '(secret)'");
	harness_remove_ok(backend, id);
	/* removed: a new context again */
	harness_assert_preview(backend, no_password, id,
	                       "Type: '' -> 'internet'\n"
	                       "Name: '' -> 'Fake Internet'\n"
	                       "AccessPointName: '' -> 'prev.fake'\n"
	                       "Username: '' -> 'web'\n"
	                       "AuthenticationMethod: '' -> 'pap'\n"
	                       "Protocol: '' -> 'ip'");

	/* an active context: the change carries a risk */
	mms_id = harness_apply_ok(backend, mms1, NULL, FALSE, NULL);
	harness_assert_preview(backend, mms2, mms_id,
	                       "MessageCenter: 'http://one.fake/' -> 'http://two.fake/'");
	set_active(mms_id, TRUE);
	harness_assert_preview(backend, mms2, mms_id,
	                       "MessageCenter: 'http://one.fake/' -> 'http://two.fake/'\n"
	                       "Active: 'true' -> 'true' [risk]");
	risk = harness_preview_risk(backend, mms2, mms_id, "Active");
	g_assert_nonnull(risk);
	g_assert_nonnull(strstr(risk, "'Fake MMS' is active"));
	/* nothing to change: nothing to deactivate either */
	harness_assert_preview(backend, mms1, mms_id, "");
	set_active(mms_id, FALSE);
	harness_assert_preview(backend, mms2, mms_id,
	                       "MessageCenter: 'http://one.fake/' -> 'http://two.fake/'");
	harness_remove_ok(backend, mms_id);
}

int
main(int argc, char **argv)
{
	g_autofree char *reason = NULL;
	int ret;

	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
	if (!harness_can_run(
	            (const char *const[]){ "ofonod", "dbus-daemon", "/usr/bin/python3", NULL },
	            &reason)) {
		g_test_skip(reason);
		return 0;
	}
	harness = harness_new();
	backend = omacp_backend_ofono_new(harness->bus);
	g_assert_nonnull(backend);
	harness_count_availability(backend, &availability_signals);

	g_test_add_func("/backend-ofono/appears-later", test_appears_later);
	g_test_add_func("/backend-ofono/internet-context", test_internet_context);
	g_test_add_func("/backend-ofono/mms-context", test_mms_context);
	g_test_add_func("/backend-ofono/active-context", test_active_context);
	g_test_add_func("/backend-ofono/remove", test_remove);
	g_test_add_func("/backend-ofono/failures-leave-nothing", test_failures_leave_nothing);
	g_test_add_func("/backend-ofono/preview", test_preview);
	g_test_add_func("/backend-ofono/sim-card", test_sim_card);
	ret = g_test_run();

	omacp_backend_free(backend);
	harness_free(harness);
	return ret;
}
