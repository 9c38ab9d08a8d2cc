/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NetworkManager backend against the real NetworkManager on a private
 * bus (run through run-in-netns.sh). Expectations come from the issue and
 * the NetworkManager field notes: gsm connection with apn/credentials/DNS,
 * bound by gsm.sim-operator-id (and gsm.sim-id when the ICCID is known) and
 * never network-id, autoconnect off unless accepted as the SIM's default
 * (then the SIM's previous default goes off until Undo or Remove), secrets
 * owned by NetworkManager (flags NONE) so they live only in the 0600 keyfile
 * and never in GetSettings, user keys org.omacp.*, update in place, hand
 * edits refused unless forced, remove, undo, and NetworkManager starting
 * after the backend. */

#include <NetworkManager.h>
#include <libxml/parser.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "harness.h"
#include "omacp.h"

static Harness *harness;
static OmacpBackend *backend;
static guint availability_signals;

/* --- driving the backend ------------------------------------------------ */

/* --- reading back through libnm with a fresh client ------------------------ */

static NMClient *
fresh_client(void)
{
	g_autoptr(GError) error = NULL;
	NMClient *client = nm_client_new(NULL, &error);

	g_assert_no_error(error);
	g_assert_true(nm_client_get_nm_running(client));
	return client;
}

/* The connection as NetworkManager has it; NULL when gone. */
static NMRemoteConnection *
lookup(NMClient *client, const char *uuid)
{
	return nm_client_get_connection_by_uuid(client, uuid);
}

/* A copy of the connection with its secrets (GetSecrets) merged in. */
static NMConnection *
with_secrets(NMRemoteConnection *rc, const char *setting)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) secrets = NULL;
	NMConnection *copy = nm_simple_connection_new_clone(NM_CONNECTION(rc));

	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	secrets = nm_remote_connection_get_secrets(rc, setting, NULL, &error);
	G_GNUC_END_IGNORE_DEPRECATIONS
	/* none stored: NetworkManager asks the (absent) agents and says so */
	if (g_error_matches(error, NM_AGENT_MANAGER_ERROR, NM_AGENT_MANAGER_ERROR_NO_SECRETS))
		return copy;
	g_assert_no_error(error);
	nm_connection_update_secrets(copy, setting, secrets, &error);
	g_assert_no_error(error);
	return copy;
}

static guint
count_tagged(NMClient *client, const char *identity)
{
	const GPtrArray *all = nm_client_get_connections(client);
	guint n = 0;

	for (guint i = 0; i < all->len; i++) {
		NMSettingUser *s_user = NM_SETTING_USER(nm_connection_get_setting_by_name(
		        g_ptr_array_index(all, i), NM_SETTING_USER_SETTING_NAME));
		const char *tag = s_user != NULL
		                          ? nm_setting_user_get_data(s_user, OMACP_NM_USER_PROFILE)
		                          : NULL;
		if (g_strcmp0(tag, identity) == 0)
			n++;
	}
	return n;
}

static const char *
user_key(NMConnection *c, const char *key)
{
	NMSettingUser *s_user =
	        NM_SETTING_USER(nm_connection_get_setting_by_name(c, NM_SETTING_USER_SETTING_NAME));
	return s_user != NULL ? nm_setting_user_get_data(s_user, key) : NULL;
}

static char *
read_keyfile(NMRemoteConnection *rc, guint *out_mode)
{
	const char *path = nm_remote_connection_get_filename(rc);
	g_autoptr(GError) error = NULL;
	struct stat st;
	char *text = NULL;

	g_assert_nonnull(path);
	/* the keyfile lives in the scratch dir the harness configured */
	g_assert_true(g_str_has_prefix(path, harness->dir));
	g_assert_cmpint(stat(path, &st), ==, 0);
	*out_mode = st.st_mode & 07777;
	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	return text;
}

/* --- profiles ------------------------------------------------------------- */

/* IMSI of AT&T (MCC 310, 3-digit MNC 410) and of Telekom DE (262, 01). */
#define IMSI_US "310410123456789"
#define IMSI_DE "262011234567890"

static OmacpProfile *
internet_profile(const char *identity, const char *name, const char *apn, const char *password)
{
	g_autofree char *settings = g_strdup_printf(
	        "{'apn': <'%s'>, 'username': <'wapuser'>, 'password-set': <true>, 'auth': "
	        "<'pap'>, 'dns': <['192.0.2.53', '2001:db8::53']>}",
	        apn);
	g_autofree char *secrets = g_strdup_printf("{'password': <'%s'>}", password);
	OmacpProfile *p =
	        harness_profile(OMACP_PROFILE_INTERNET, identity, name, IMSI_US, settings, secrets);

	harness_profile_set_message(p, "/org/omacp/Provisioning1/message/7");
	return p;
}

/* --- SIM binding, names, the SIM's default --------------------------------- */

/* Two SIM cards of Telekom DE. */
#define ICCID_A "8949010000000000011"
#define ICCID_B "8949010000000000029"

/* An internet profile for the SIM @iccid (NULL: unknown), as the daemon
 * hands it: "iccid" and "make-default" in the settings. */
static OmacpProfile *
sim_profile(const char *identity, const char *name, const char *apn, const char *iccid,
            gboolean make_default)
{
	g_autofree char *iccid_entry =
	        iccid != NULL ? g_strdup_printf(", 'iccid': <'%s'>", iccid) : g_strdup("");
	g_autofree char *settings = g_strdup_printf("{'apn': <'%s'>, 'make-default': <%s>%s}", apn,
	                                            make_default ? "true" : "false", iccid_entry);

	return harness_profile(OMACP_PROFILE_INTERNET, identity, name, IMSI_DE, settings, NULL);
}

static const char *
sim_id_of(NMClient *client, const char *uuid)
{
	NMRemoteConnection *rc = lookup(client, uuid);

	g_assert_nonnull(rc);
	return nm_setting_gsm_get_sim_id(nm_connection_get_setting_gsm(NM_CONNECTION(rc)));
}

static gboolean
autoconnect_of(NMClient *client, const char *uuid)
{
	NMRemoteConnection *rc = lookup(client, uuid);

	g_assert_nonnull(rc);
	return nm_setting_connection_get_autoconnect(
	        nm_connection_get_setting_connection(NM_CONNECTION(rc)));
}

static gboolean
set_flag(gpointer flag)
{
	*(gboolean *) flag = TRUE;
	return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms, so that the backend's NMClient sees what was
 * added behind its back. */
static void
run_for(guint ms)
{
	gboolean done = FALSE;

	g_timeout_add(ms, set_flag, &done);
	harness_wait_flag(&done, ms + 5000, "the main loop to run");
}

/* A gsm connection made by hand (or by a wizard) for the SIM @iccid,
 * autoconnect on, as GNOME Settings makes a SIM's default APN. */
static char *
add_hand_made(const char *id, const char *apn, const char *iccid)
{
	g_autoptr(NMConnection) c = nm_simple_connection_new();
	NMSetting *s_con = nm_setting_connection_new();
	NMSetting *s_gsm = nm_setting_gsm_new();
	g_autofree char *uuid = nm_utils_uuid_generate();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	g_object_set(s_con, NM_SETTING_CONNECTION_ID, id, NM_SETTING_CONNECTION_UUID, uuid,
	             NM_SETTING_CONNECTION_TYPE, NM_SETTING_GSM_SETTING_NAME,
	             NM_SETTING_CONNECTION_AUTOCONNECT, TRUE, NULL);
	g_object_set(s_gsm, NM_SETTING_GSM_APN, apn, NM_SETTING_GSM_SIM_ID, iccid, NULL);
	nm_connection_add_setting(c, s_con);
	nm_connection_add_setting(c, s_gsm);
	nm_connection_normalize(c, NULL, NULL, &error);
	g_assert_no_error(error);
	reply = g_dbus_connection_call_sync(
	        harness->bus, "org.freedesktop.NetworkManager",
	        "/org/freedesktop/NetworkManager/Settings",
	        "org.freedesktop.NetworkManager.Settings", "AddConnection",
	        g_variant_new("(@a{sa{sv}})",
	                      nm_connection_to_dbus(c, NM_CONNECTION_SERIALIZE_ALL)),
	        G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	g_assert_no_error(error);
	run_for(500);
	return g_steal_pointer(&uuid);
}

/* The same NAPID on two SIMs makes one connection
 * per SIM, bound by gsm.sim-id; SIM B's profile never touches SIM A's
 * connection, even handed its UUID; names stay unique. */
static void
test_sim_binding(void)
{
	g_autoptr(HarnessProfile) a1 =
	        sim_profile("internet:NAP1", "Telekom Internet", "a.apn", ICCID_A, FALSE);
	g_autoptr(HarnessProfile) b1 =
	        sim_profile("internet:NAP1", "Telekom Internet", "b.apn", ICCID_B, FALSE);
	g_autoptr(HarnessProfile) a2 =
	        sim_profile("internet:NAP2", "Telekom Internet", "a2.apn", ICCID_A, FALSE);
	g_autoptr(HarnessProfile) none =
	        sim_profile("internet:NAP3", "Telekom Other", "n.apn", NULL, FALSE);
	g_autoptr(HarnessProfile) a1_again =
	        sim_profile("internet:NAP1", "Telekom Internet", "a.new", ICCID_A, FALSE);
	g_autofree char *id_a1 = harness_apply_ok(backend, a1, NULL, FALSE, NULL);
	/* the worst case: the daemon hands SIM A's UUID for SIM B's profile */
	g_autofree char *id_b1 = harness_apply_ok(backend, b1, id_a1, FALSE, NULL);
	g_autofree char *id_a2 = harness_apply_ok(backend, a2, NULL, FALSE, NULL);
	g_autofree char *id_none = harness_apply_ok(backend, none, NULL, FALSE, NULL);
	g_autofree char *id_again = NULL;

	g_assert_cmpstr(id_a1, !=, id_b1);
	g_assert_cmpstr(id_a1, !=, id_a2);
	{
		g_autoptr(NMClient) client = fresh_client();
		NMConnection *ca1 = NM_CONNECTION(lookup(client, id_a1));
		NMConnection *cb1 = NM_CONNECTION(lookup(client, id_b1));
		NMConnection *ca2 = NM_CONNECTION(lookup(client, id_a2));
		NMConnection *cn = NM_CONNECTION(lookup(client, id_none));

		g_assert_cmpuint(count_tagged(client, "internet:NAP1"), ==, 2);
		g_assert_cmpstr(sim_id_of(client, id_a1), ==, ICCID_A);
		g_assert_cmpstr(sim_id_of(client, id_b1), ==, ICCID_B);
		g_assert_cmpstr(sim_id_of(client, id_a2), ==, ICCID_A);
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(ca1)), ==,
		                "a.apn");
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(cb1)), ==,
		                "b.apn");
		g_assert_cmpstr(
		        nm_setting_gsm_get_sim_operator_id(nm_connection_get_setting_gsm(cb1)), ==,
		        "26201");
		/* without an ICCID only the operator binds */
		g_assert_null(sim_id_of(client, id_none));
		g_assert_cmpstr(
		        nm_setting_gsm_get_sim_operator_id(nm_connection_get_setting_gsm(cn)), ==,
		        "26201");
		/* readable and never twice */
		g_assert_cmpstr(nm_connection_get_id(ca1), ==, "Telekom Internet");
		g_assert_cmpstr(nm_connection_get_id(cb1), ==, "Telekom Internet 2");
		g_assert_cmpstr(nm_connection_get_id(ca2), ==, "Telekom Internet 3");
		/* a message-made connection is not a default unless accepted so */
		g_assert_false(autoconnect_of(client, id_a1));
	}
	/* SIM A's profile again: SIM A's connection, in place, its name kept */
	id_again = harness_apply_ok(backend, a1_again, id_a1, FALSE, NULL);
	g_assert_cmpstr(id_again, ==, id_a1);
	{
		g_autoptr(NMClient) client = fresh_client();
		NMConnection *ca1 = NM_CONNECTION(lookup(client, id_a1));
		NMConnection *cb1 = NM_CONNECTION(lookup(client, id_b1));

		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(ca1)), ==,
		                "a.new");
		g_assert_cmpstr(nm_connection_get_id(ca1), ==, "Telekom Internet");
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(cb1)), ==,
		                "b.apn");
	}
	harness_remove_ok(backend, id_a1);
	harness_remove_ok(backend, id_b1);
	harness_remove_ok(backend, id_a2);
	harness_remove_ok(backend, id_none);
}

/* Accepted as the default, the new connection
 * autoconnects and the SIM's hand-made default stops; another SIM's default
 * is left alone; Undo and Remove put the previous default back. */
static void
test_default_switch_undo_remove(void)
{
	g_autofree char *hand_a = add_hand_made("My APN", "hand.apn", ICCID_A);
	g_autofree char *hand_b = add_hand_made("My other APN", "hand.b", ICCID_B);
	g_autoptr(HarnessProfile) p =
	        sim_profile("internet:DEF", "Telekom Default", "def.apn", ICCID_A, TRUE);
	g_autoptr(HarnessProfile) plain =
	        sim_profile("internet:DEF2", "Telekom Plain", "plain.apn", ICCID_A, FALSE);
	g_autoptr(HarnessProfile) plain_default =
	        sim_profile("internet:DEF2", "Telekom Plain", "plain.apn", ICCID_A, TRUE);
	g_autoptr(GVariant) undo = NULL;
	g_autoptr(GVariant) undo2 = NULL;
	g_autofree char *id = harness_apply_ok(backend, p, NULL, FALSE, &undo);
	g_autofree char *id2 = NULL;
	g_auto(GStrv) defaults = NULL;

	g_assert_true(g_variant_lookup(undo, "defaults", "^as", &defaults));
	g_assert_cmpuint(g_strv_length(defaults), ==, 1);
	g_assert_cmpstr(defaults[0], ==, hand_a);
	{
		g_autoptr(NMClient) client = fresh_client();

		g_assert_true(autoconnect_of(client, id));
		g_assert_false(autoconnect_of(client, hand_a));
		g_assert_true(autoconnect_of(client, hand_b));
		g_assert_cmpstr(user_key(NM_CONNECTION(lookup(client, id)), OMACP_NM_USER_DEFAULTS),
		                ==, hand_a);
	}
	harness_undo_ok(backend, id, undo);
	{
		g_autoptr(NMClient) client = fresh_client();

		g_assert_null(lookup(client, id));
		g_assert_true(autoconnect_of(client, hand_a));
		g_assert_true(autoconnect_of(client, hand_b));
	}

	/* accepted again, then removed: the hand-made default is back too */
	g_clear_pointer(&id, g_free);
	id = harness_apply_ok(backend, p, NULL, FALSE, NULL);
	{
		g_autoptr(NMClient) client = fresh_client();

		g_assert_true(autoconnect_of(client, id));
		g_assert_false(autoconnect_of(client, hand_a));
	}
	harness_remove_ok(backend, id);
	{
		g_autoptr(NMClient) client = fresh_client();

		g_assert_true(autoconnect_of(client, hand_a));
	}

	/* an existing omacp connection made the default by a later accept;
	 * undo gives it its autoconnect off back and the default its on */
	id2 = harness_apply_ok(backend, plain, NULL, FALSE, NULL);
	{
		g_autofree char *again =
		        harness_apply_ok(backend, plain_default, id2, FALSE, &undo2);
		g_autoptr(NMClient) client = fresh_client();

		g_assert_cmpstr(again, ==, id2);
		g_assert_true(autoconnect_of(client, id2));
		g_assert_false(autoconnect_of(client, hand_a));
	}
	harness_undo_ok(backend, id2, undo2);
	{
		g_autoptr(NMClient) client = fresh_client();

		g_assert_false(autoconnect_of(client, id2));
		g_assert_true(autoconnect_of(client, hand_a));
		g_assert_true(autoconnect_of(client, hand_b));
	}
	harness_remove_ok(backend, id2);
	harness_remove_ok(backend, hand_a);
	harness_remove_ok(backend, hand_b);
}

/* Activation: the harness's NetworkManager manages no
 * device (a modem would need ModemManager with a modem NetworkManager can
 * drive), so no connection of the SIM is active; "activate" then switches
 * nothing and the undo snapshot holds no "active" to go back to. */
static void
test_activate_without_active_connection(void)
{
	g_autoptr(HarnessProfile) p = harness_profile(
	        OMACP_PROFILE_INTERNET, "internet:ACT", "Telekom Act", IMSI_DE,
	        "{'apn': <'act.apn'>, 'iccid': <'" ICCID_B "'>, 'make-default': <true>, "
	        "'activate': <true>}",
	        NULL);
	g_autoptr(GVariant) undo = NULL;
	g_autofree char *id = harness_apply_ok(backend, p, NULL, FALSE, &undo);
	g_autoptr(NMClient) client = fresh_client();

	g_assert_true(autoconnect_of(client, id));
	g_assert_false(g_variant_lookup(undo, "active", "&s", NULL));
	g_assert_cmpuint(nm_client_get_active_connections(client)->len, ==, 0);
	harness_undo_ok(backend, id, undo);
}

/* --- tests --------------------------------------------------------------- */

/* Issue item 7: NetworkManager not running → unavailable; when it appears
 * the daemon is told and applying works. */
static void
test_nm_appears_later(void)
{
	g_autoptr(HarnessProfile) p =
	        internet_profile("internet:LATE", "Late APN", "late.apn", "pw");
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;
	g_autoptr(NMClient) client = NULL;

	g_assert_cmpstr(backend->klass->name, ==, "networkmanager");
	g_assert_false(backend->klass->is_available(backend));
	id = harness_apply(backend, p, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	g_assert_null(id);
	g_clear_error(&error);

	harness_start_nm(harness);
	harness_wait_until(harness_backend_available, backend, 10000, "availability");
	g_assert_cmpuint(availability_signals, ==, 1);

	id = harness_apply_ok(backend, p, NULL, FALSE, NULL);
	client = fresh_client();
	g_assert_nonnull(lookup(client, id));
	harness_remove_ok(backend, id);
}

static void
test_create_internet(void)
{
	g_autoptr(HarnessProfile) p = internet_profile("internet:NAP1", "Operator Internet",
	                                               "internet.example", "s3cret");
	g_autoptr(GVariant) undo = NULL;
	g_autoptr(NMClient) client = NULL;
	g_autoptr(NMConnection) full = NULL;
	g_autofree char *id = harness_apply_ok(backend, p, NULL, FALSE, &undo);
	g_autofree char *keyfile = NULL;
	NMRemoteConnection *rc;
	NMSettingGsm *s_gsm;
	NMSettingPpp *s_ppp;
	NMSettingIPConfig *s_ip4;
	NMSettingIPConfig *s_ip6;
	guint mode = 0;
	gboolean created = FALSE;

	g_assert_true(g_variant_lookup(undo, "created", "b", &created));
	g_assert_true(created);

	client = fresh_client();
	rc = lookup(client, id);
	g_assert_nonnull(rc);
	g_assert_cmpstr(nm_connection_get_id(NM_CONNECTION(rc)), ==, "Operator Internet");
	g_assert_cmpstr(nm_connection_get_connection_type(NM_CONNECTION(rc)), ==, "gsm");
	g_assert_false(nm_setting_connection_get_autoconnect(
	        nm_connection_get_setting_connection(NM_CONNECTION(rc))));

	s_gsm = nm_connection_get_setting_gsm(NM_CONNECTION(rc));
	g_assert_nonnull(s_gsm);
	g_assert_cmpstr(nm_setting_gsm_get_apn(s_gsm), ==, "internet.example");
	g_assert_cmpstr(nm_setting_gsm_get_username(s_gsm), ==, "wapuser");
	/* bound to the SIM's operator (310 uses 3-digit MNCs), never the network */
	g_assert_cmpstr(nm_setting_gsm_get_sim_operator_id(s_gsm), ==, "310410");
	g_assert_null(nm_setting_gsm_get_network_id(s_gsm));
	/* secret owned by NetworkManager, not returned with the settings */
	g_assert_cmpint(nm_setting_gsm_get_password_flags(s_gsm), ==, NM_SETTING_SECRET_FLAG_NONE);
	g_assert_null(nm_setting_gsm_get_password(s_gsm));

	/* auth pap → every other method refused */
	s_ppp = NM_SETTING_PPP(nm_connection_get_setting_by_name(NM_CONNECTION(rc), "ppp"));
	g_assert_nonnull(s_ppp);
	g_assert_false(nm_setting_ppp_get_refuse_pap(s_ppp));
	g_assert_true(nm_setting_ppp_get_refuse_chap(s_ppp));
	g_assert_true(nm_setting_ppp_get_refuse_mschap(s_ppp));
	g_assert_true(nm_setting_ppp_get_refuse_mschapv2(s_ppp));

	s_ip4 = nm_connection_get_setting_ip4_config(NM_CONNECTION(rc));
	s_ip6 = nm_connection_get_setting_ip6_config(NM_CONNECTION(rc));
	g_assert_cmpstr(nm_setting_ip_config_get_method(s_ip4), ==, "auto");
	g_assert_cmpstr(nm_setting_ip_config_get_method(s_ip6), ==, "auto");
	g_assert_cmpuint(nm_setting_ip_config_get_num_dns(s_ip4), ==, 1);
	g_assert_cmpstr(nm_setting_ip_config_get_dns(s_ip4, 0), ==, "192.0.2.53");
	g_assert_cmpuint(nm_setting_ip_config_get_num_dns(s_ip6), ==, 1);
	g_assert_cmpstr(nm_setting_ip_config_get_dns(s_ip6, 0), ==, "2001:db8::53");

	g_assert_cmpstr(user_key(NM_CONNECTION(rc), OMACP_NM_USER_PROFILE), ==, "internet:NAP1");
	g_assert_cmpstr(user_key(NM_CONNECTION(rc), OMACP_NM_USER_MESSAGE), ==,
	                "/org/omacp/Provisioning1/message/7");
	g_assert_cmpuint(strlen(user_key(NM_CONNECTION(rc), OMACP_NM_USER_HASH)), ==, 64);

	/* the password comes back only through GetSecrets */
	full = with_secrets(rc, NM_SETTING_GSM_SETTING_NAME);
	g_assert_cmpstr(nm_setting_gsm_get_password(nm_connection_get_setting_gsm(full)), ==,
	                "s3cret");

	/* flags NONE: the secret is in the keyfile, which only root can read */
	keyfile = read_keyfile(rc, &mode);
	g_assert_cmpuint(mode, ==, 0600);
	g_assert_nonnull(strstr(keyfile, "\n[gsm]\n"));
	g_assert_nonnull(strstr(keyfile, "\napn=internet.example\n"));
	g_assert_nonnull(strstr(keyfile, "\npassword=s3cret\n"));
	g_assert_null(strstr(keyfile, "password-flags=")); /* 0 = NONE is the default */
	g_assert_null(strstr(keyfile, "network-id"));
	g_assert_nonnull(strstr(keyfile, "\nsim-operator-id=310410\n"));
	g_assert_nonnull(strstr(keyfile, "org.omacp.profile=internet:NAP1"));

	harness_remove_ok(backend, id);
}

/* Same identity → same connection, new values, undo restores the old ones;
 * undo of the creation deletes it. */
static void
test_update_in_place_and_undo(void)
{
	g_autoptr(HarnessProfile) p1 =
	        internet_profile("internet:NAP2", "Operator Web", "web.one", "first-pw");
	g_autoptr(HarnessProfile) p2 =
	        internet_profile("internet:NAP2", "Operator Web 2", "web.two", "second-pw");
	g_autoptr(GVariant) undo1 = NULL;
	g_autoptr(GVariant) undo2 = NULL;
	g_autofree char *id1 = harness_apply_ok(backend, p1, NULL, FALSE, &undo1);
	g_autofree char *id2 = NULL;
	gboolean created = TRUE;

	/* no existing_id given: found again by its org.omacp.profile tag */
	id2 = harness_apply_ok(backend, p2, NULL, FALSE, &undo2);
	g_assert_cmpstr(id1, ==, id2);
	g_assert_true(g_variant_lookup(undo2, "created", "b", &created));
	g_assert_false(created);
	{
		g_autoptr(NMClient) client = fresh_client();
		NMRemoteConnection *rc = lookup(client, id2);
		g_autoptr(NMConnection) full = with_secrets(rc, "gsm");
		NMSettingGsm *s_gsm = nm_connection_get_setting_gsm(full);

		g_assert_cmpuint(count_tagged(client, "internet:NAP2"), ==, 1);
		g_assert_cmpstr(nm_connection_get_id(full), ==, "Operator Web 2");
		g_assert_cmpstr(nm_setting_gsm_get_apn(s_gsm), ==, "web.two");
		g_assert_cmpstr(nm_setting_gsm_get_password(s_gsm), ==, "second-pw");
	}
	/* and by UUID: a third apply with the id is the same connection */
	{
		g_autofree char *id3 = harness_apply_ok(backend, p2, id1, FALSE, NULL);
		g_assert_cmpstr(id3, ==, id1);
	}

	harness_undo_ok(backend, id2, undo2);
	{
		g_autoptr(NMClient) client = fresh_client();
		NMRemoteConnection *rc = lookup(client, id1);
		g_autoptr(NMConnection) full = with_secrets(rc, "gsm");
		NMSettingGsm *s_gsm = nm_connection_get_setting_gsm(full);

		g_assert_cmpstr(nm_connection_get_id(full), ==, "Operator Web");
		g_assert_cmpstr(nm_setting_gsm_get_apn(s_gsm), ==, "web.one");
		g_assert_cmpstr(nm_setting_gsm_get_password(s_gsm), ==, "first-pw");
	}

	harness_undo_ok(backend, id1, undo1);
	{
		g_autoptr(NMClient) client = fresh_client();
		g_assert_null(lookup(client, id1));
		g_assert_cmpuint(count_tagged(client, "internet:NAP2"), ==, 0);
	}
}

/* Undo after the connection was deleted brings it back with the same UUID. */
static void
test_undo_recreates_deleted(void)
{
	g_autoptr(HarnessProfile) p1 = internet_profile("internet:NAP3", "Gone", "gone.one", "a");
	g_autoptr(HarnessProfile) p2 = internet_profile("internet:NAP3", "Gone", "gone.two", "b");
	g_autoptr(GVariant) undo2 = NULL;
	g_autofree char *id = harness_apply_ok(backend, p1, NULL, FALSE, NULL);
	g_autofree char *id2 = harness_apply_ok(backend, p2, id, FALSE, &undo2);

	g_assert_cmpstr(id, ==, id2);
	harness_remove_ok(backend, id);
	harness_undo_ok(backend, id, undo2);
	{
		g_autoptr(NMClient) client = fresh_client();
		NMRemoteConnection *rc = lookup(client, id);
		g_autoptr(NMConnection) full = NULL;

		g_assert_nonnull(rc);
		full = with_secrets(rc, "gsm");
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(full)), ==,
		                "gone.one");
		g_assert_cmpstr(nm_setting_gsm_get_password(nm_connection_get_setting_gsm(full)),
		                ==, "a");
	}
	harness_remove_ok(backend, id);
}

/* The previous connection had no password: undo must not keep the one the
 * update added (NetworkManager keeps stored secrets when an update carries
 * none). */
static void
test_undo_clears_added_secret(void)
{
	g_autoptr(HarnessProfile) p1 =
	        harness_profile(OMACP_PROFILE_INTERNET, "internet:NAP6", "NoPw", IMSI_US,
	                        "{'apn': <'open.apn'>}", NULL);
	g_autoptr(HarnessProfile) p2 = internet_profile("internet:NAP6", "NoPw", "pw.apn", "added");
	g_autoptr(GVariant) undo2 = NULL;
	g_autofree char *id = harness_apply_ok(backend, p1, NULL, FALSE, NULL);
	g_autofree char *id2 = harness_apply_ok(backend, p2, id, FALSE, &undo2);

	g_assert_cmpstr(id, ==, id2);
	harness_undo_ok(backend, id, undo2);
	{
		g_autoptr(NMClient) client = fresh_client();
		NMRemoteConnection *rc = lookup(client, id);
		g_autoptr(NMConnection) full = with_secrets(rc, "gsm");
		g_autofree char *keyfile = NULL;
		guint mode = 0;

		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(full)), ==,
		                "open.apn");
		g_assert_null(nm_setting_gsm_get_password(nm_connection_get_setting_gsm(full)));
		keyfile = read_keyfile(rc, &mode);
		g_assert_null(strstr(keyfile, "password="));
	}
	/* the same through apply: a later profile without a password drops it */
	g_free(harness_apply_ok(backend, p2, id, FALSE, NULL));
	g_free(harness_apply_ok(backend, p1, id, FALSE, NULL));
	{
		g_autoptr(NMClient) client = fresh_client();
		g_autoptr(NMConnection) full = with_secrets(lookup(client, id), "gsm");

		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(full)), ==,
		                "open.apn");
		g_assert_null(nm_setting_gsm_get_password(nm_connection_get_setting_gsm(full)));
	}
	harness_remove_ok(backend, id);
}

static gboolean
variant_has_field(GVariant *changes, const char *field, const char *old_value,
                  const char *new_value)
{
	for (gsize i = 0; i < g_variant_n_children(changes); i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(changes, i);
		const char *f = NULL;
		const char *o = NULL;
		const char *n = NULL;

		g_variant_lookup(entry, "field", "&s", &f);
		g_variant_lookup(entry, "old", "&s", &o);
		g_variant_lookup(entry, "new", "&s", &n);
		if (g_strcmp0(f, field) == 0)
			return (old_value == NULL || g_strcmp0(o, old_value) == 0) &&
			       (new_value == NULL || g_strcmp0(n, new_value) == 0);
	}
	return FALSE;
}

static gboolean
edited_seen(gpointer profile)
{
	g_autoptr(GVariant) v = backend->klass->preview(backend, profile, NULL);
	return variant_has_field(v, "edited-by-hand", NULL, NULL);
}

/* A connection changed outside omacp is not overwritten unless forced; the
 * preview shows it. */
static void
test_hand_edit(void)
{
	g_autoptr(HarnessProfile) p1 =
	        internet_profile("internet:NAP4", "Edited", "edit.one", "pw1");
	g_autoptr(HarnessProfile) p2 =
	        internet_profile("internet:NAP4", "Edited", "edit.two", "pw2");
	g_autoptr(GError) error = NULL;
	g_autofree char *id = harness_apply_ok(backend, p1, NULL, FALSE, NULL);
	g_autofree char *again = NULL;
	g_autoptr(GVariant) preview = NULL;

	/* unchanged: preview lists only the new APN, no hand-edit warning */
	preview = backend->klass->preview(backend, p2, id);
	g_assert_nonnull(preview);
	g_assert_true(variant_has_field(preview, "gsm.apn", "edit.one", "edit.two"));
	g_assert_false(variant_has_field(preview, "edited-by-hand", NULL, NULL));
	g_clear_pointer(&preview, g_variant_unref);

	/* the user changes the APN with libnm */
	{
		g_autoptr(NMClient) client = fresh_client();
		NMRemoteConnection *rc = lookup(client, id);

		g_object_set(nm_connection_get_setting_gsm(NM_CONNECTION(rc)), NM_SETTING_GSM_APN,
		             "my.own.apn", NULL);
		G_GNUC_BEGIN_IGNORE_DEPRECATIONS
		nm_remote_connection_commit_changes(rc, TRUE, NULL, &error);
		G_GNUC_END_IGNORE_DEPRECATIONS
		g_assert_no_error(error);
	}
	/* the backend's client sees the change through its own signals */
	harness_wait_until(edited_seen, p2, 5000, "the hand edit to reach the backend");

	again = harness_apply(backend, p2, id, FALSE, NULL, &error);
	g_assert_null(again);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE);
	g_assert_nonnull(strstr(error->message, "'Edited'"));
	g_assert_nonnull(strstr(error->message, "edited by hand"));
	g_clear_error(&error);
	{
		g_autoptr(NMClient) client = fresh_client();
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(
		                        NM_CONNECTION(lookup(client, id)))),
		                ==, "my.own.apn");
	}

	preview = backend->klass->preview(backend, p2, id);
	g_assert_true(variant_has_field(preview, "edited-by-hand", NULL, NULL));
	g_assert_true(variant_has_field(preview, "gsm.apn", "my.own.apn", "edit.two"));

	/* confirmed: overwritten, and the record is clean again afterwards */
	again = harness_apply(backend, p2, id, TRUE, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(again, ==, id);
	g_clear_pointer(&again, g_free);
	{
		g_autoptr(NMClient) client = fresh_client();
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(
		                        NM_CONNECTION(lookup(client, id)))),
		                ==, "edit.two");
	}
	again = harness_apply_ok(backend, p1, id, FALSE, NULL);
	g_assert_cmpstr(again, ==, id);

	harness_remove_ok(backend, id);
}

static void
test_remove(void)
{
	g_autoptr(HarnessProfile) p = internet_profile("internet:NAP5", "Removed", "rm.apn", "x");
	g_autofree char *id = harness_apply_ok(backend, p, NULL, FALSE, NULL);
	g_autofree char *keyfile_path = NULL;

	{
		g_autoptr(NMClient) client = fresh_client();
		keyfile_path = g_strdup(nm_remote_connection_get_filename(lookup(client, id)));
	}
	g_assert_true(g_file_test(keyfile_path, G_FILE_TEST_EXISTS));
	harness_remove_ok(backend, id);
	{
		g_autoptr(NMClient) client = fresh_client();
		g_assert_null(lookup(client, id));
	}
	g_assert_false(g_file_test(keyfile_path, G_FILE_TEST_EXISTS));
	/* removing what is already gone is success */
	harness_remove_ok(backend, id);
}

static void
test_ip_type_and_sim(void)
{
	g_autoptr(HarnessProfile) p =
	        harness_profile(OMACP_PROFILE_INTERNET, "internet:V4", "IPv4 only", IMSI_DE,
	                        "{'apn': <'v4.apn'>, 'auth': <'chap'>, 'ip-type': <'ipv4'>, 'dns': "
	                        "<['198.51.100.1', '2001:db8::1']>}",
	                        NULL);
	g_autofree char *id = harness_apply_ok(backend, p, NULL, FALSE, NULL);
	g_autoptr(NMClient) client = fresh_client();
	NMConnection *c = NM_CONNECTION(lookup(client, id));
	NMSettingPpp *s_ppp = NM_SETTING_PPP(nm_connection_get_setting_by_name(c, "ppp"));

	/* 262 uses 2-digit MNCs: operator 26201 */
	g_assert_cmpstr(nm_setting_gsm_get_sim_operator_id(nm_connection_get_setting_gsm(c)), ==,
	                "26201");
	g_assert_cmpstr(nm_setting_ip_config_get_method(nm_connection_get_setting_ip4_config(c)),
	                ==, "auto");
	g_assert_cmpstr(nm_setting_ip_config_get_method(nm_connection_get_setting_ip6_config(c)),
	                ==, "disabled");
	g_assert_cmpuint(nm_setting_ip_config_get_num_dns(nm_connection_get_setting_ip4_config(c)),
	                 ==, 1);
	g_assert_cmpuint(nm_setting_ip_config_get_num_dns(nm_connection_get_setting_ip6_config(c)),
	                 ==, 0);
	/* chap → pap refused, chap allowed */
	g_assert_true(nm_setting_ppp_get_refuse_pap(s_ppp));
	g_assert_false(nm_setting_ppp_get_refuse_chap(s_ppp));
	g_assert_null(user_key(c, OMACP_NM_USER_MESSAGE));

	harness_remove_ok(backend, id);
}

static void
test_wlan(void)
{
	g_autoptr(HarnessProfile) psk = harness_profile(
	        OMACP_PROFILE_WLAN, "wlan:HomeNet", "HomeNet", NULL,
	        "{'ssid': <'HomeNet'>, 'security': <'wpa2-psk'>, 'psk-set': <true>}",
	        "{'psk': <'correct horse battery'>}");
	g_autoptr(HarnessProfile) open =
	        harness_profile(OMACP_PROFILE_WLAN, "wlan:Cafe", "Cafe", NULL,
	                        "{'ssid': <'Cafe'>, 'security': <'none'>, 'hidden': <true>}", NULL);
	g_autofree char *id = harness_apply_ok(backend, psk, NULL, FALSE, NULL);
	g_autofree char *id_open = harness_apply_ok(backend, open, NULL, FALSE, NULL);
	g_autoptr(NMClient) client = fresh_client();
	NMRemoteConnection *rc = lookup(client, id);
	g_autoptr(NMConnection) full = with_secrets(rc, "802-11-wireless-security");
	NMSettingWireless *s_wifi = nm_connection_get_setting_wireless(full);
	NMSettingWirelessSecurity *s_sec = nm_connection_get_setting_wireless_security(full);
	GBytes *ssid = nm_setting_wireless_get_ssid(s_wifi);
	g_autofree char *keyfile = NULL;
	guint mode = 0;

	g_assert_cmpstr(nm_connection_get_connection_type(full), ==, "802-11-wireless");
	g_assert_cmpmem(g_bytes_get_data(ssid, NULL), g_bytes_get_size(ssid), "HomeNet", 7);
	g_assert_cmpstr(nm_setting_wireless_get_mode(s_wifi), ==, "infrastructure");
	g_assert_cmpstr(nm_setting_wireless_security_get_key_mgmt(s_sec), ==, "wpa-psk");
	g_assert_cmpstr(nm_setting_wireless_security_get_psk(s_sec), ==, "correct horse battery");
	g_assert_cmpint(nm_setting_wireless_security_get_psk_flags(s_sec), ==,
	                NM_SETTING_SECRET_FLAG_NONE);
	g_assert_null(nm_setting_wireless_security_get_psk(
	        nm_connection_get_setting_wireless_security(NM_CONNECTION(rc))));
	g_assert_false(
	        nm_setting_connection_get_autoconnect(nm_connection_get_setting_connection(full)));
	g_assert_cmpstr(user_key(full, OMACP_NM_USER_PROFILE), ==, "wlan:HomeNet");
	keyfile = read_keyfile(rc, &mode);
	g_assert_cmpuint(mode, ==, 0600);
	g_assert_nonnull(strstr(keyfile, "\npsk=correct horse battery\n"));

	rc = lookup(client, id_open);
	g_assert_null(nm_connection_get_setting_wireless_security(NM_CONNECTION(rc)));
	g_assert_true(nm_setting_wireless_get_hidden(
	        nm_connection_get_setting_wireless(NM_CONNECTION(rc))));

	harness_remove_ok(backend, id);
	harness_remove_ok(backend, id_open);
}

/* The profiles the core derives from @xml (a WLAN or NAPDEF document). */
static GPtrArray *
profiles_of(const char *xml)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OmacpProvDoc) doc = NULL;
	xmlDoc *tree = xmlReadMemory(xml, (int) strlen(xml), "doc.xml", NULL,
	                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	g_assert_nonnull(tree);
	g_assert_true(omacp_provdoc_from_xml(tree, &doc, &error));
	g_assert_no_error(error);
	xmlFreeDoc(tree);
	return omacp_profiles_from_doc(doc, NULL);
}

/* From documents to NetworkManager. WEP with its four keys, the
 * default index and SHARED authentication (as Symbian stores them); SECMODE
 * WPA2 with a pre-shared key becomes WPA2-PSK; DNS of both families, a
 * zero-padded quad normalised. */
static void
test_from_documents(void)
{
	g_autoptr(GPtrArray) wep = profiles_of(
	        "<wap-provisioningdoc><characteristic type=\"WLAN\">"
	        "<parm name=\"PRI-SSID\" value=\"Office\"/><parm name=\"SECMODE\" value=\"WEP\"/>"
	        "<parm name=\"WEPKEYIND\" value=\"2\"/><parm name=\"WEPAUTHMODE\" "
	        "value=\"SHARED\"/>"
	        "<characteristic type=\"WEPKEY\"><parm name=\"INDEX\" value=\"0\"/>"
	        "<parm name=\"DATA\" value=\"key0key0key0k\"/></characteristic>"
	        "<characteristic type=\"WEPKEY\"><parm name=\"INDEX\" value=\"1\"/>"
	        "<parm name=\"DATA\" value=\"key1key1key1k\"/></characteristic>"
	        "<characteristic type=\"WEPKEY\"><parm name=\"INDEX\" value=\"2\"/>"
	        "<parm name=\"DATA\" value=\"key2key2key2k\"/></characteristic>"
	        "<characteristic type=\"WEPKEY\"><parm name=\"INDEX\" value=\"3\"/>"
	        "<parm name=\"DATA\" value=\"key3key3key3k\"/></characteristic>"
	        "</characteristic></wap-provisioningdoc>");
	g_autoptr(GPtrArray) wpa2 = profiles_of(
	        "<wap-provisioningdoc><characteristic type=\"WLAN\">"
	        "<parm name=\"PRI-SSID\" value=\"Home2\"/><parm name=\"SECMODE\" value=\"WPA2\"/>"
	        "<parm name=\"WPA-PRES-KEY-ASC\" value=\"correct horse battery\"/>"
	        "</characteristic></wap-provisioningdoc>");
	g_autoptr(GPtrArray) dns = profiles_of(
	        "<wap-provisioningdoc><characteristic type=\"NAPDEF\">"
	        "<parm name=\"NAPID\" value=\"NET\"/><parm name=\"NAME\" value=\"net\"/>"
	        "<parm name=\"BEARER\" value=\"GSM-GPRS\"/>"
	        "<parm name=\"NAP-ADDRESS\" value=\"internet\"/><parm name=\"INTERNET\"/>"
	        "<parm name=\"DNS-ADDR\" value=\"010.001.002.003\"/>"
	        "<parm name=\"DNS-ADDR\" value=\"2001:db8::53\"/>"
	        "<parm name=\"LOCAL-ADDRTYPE\" value=\"IPV6\"/>"
	        "</characteristic></wap-provisioningdoc>");
	g_autofree char *id_wep = NULL;
	g_autofree char *id_wpa2 = NULL;
	g_autofree char *id_dns = NULL;
	g_autoptr(NMClient) client = NULL;
	g_autoptr(NMConnection) full = NULL;
	g_autoptr(NMConnection) full2 = NULL;
	NMSettingWirelessSecurity *s_sec;
	NMConnection *c;

	g_assert_cmpuint(wep->len, ==, 1);
	g_assert_cmpuint(wpa2->len, ==, 1);
	g_assert_cmpuint(dns->len, ==, 1);
	id_wep = harness_apply_ok(backend, g_ptr_array_index(wep, 0), NULL, FALSE, NULL);
	id_wpa2 = harness_apply_ok(backend, g_ptr_array_index(wpa2, 0), NULL, FALSE, NULL);
	id_dns = harness_apply_ok(backend, g_ptr_array_index(dns, 0), NULL, FALSE, NULL);
	client = fresh_client();

	full = with_secrets(lookup(client, id_wep), "802-11-wireless-security");
	s_sec = nm_connection_get_setting_wireless_security(full);
	g_assert_cmpstr(nm_setting_wireless_security_get_key_mgmt(s_sec), ==, "none");
	g_assert_cmpuint(nm_setting_wireless_security_get_wep_tx_keyidx(s_sec), ==, 2);
	g_assert_cmpstr(nm_setting_wireless_security_get_auth_alg(s_sec), ==, "shared");
	g_assert_cmpstr(nm_setting_wireless_security_get_wep_key(s_sec, 0), ==, "key0key0key0k");
	g_assert_cmpstr(nm_setting_wireless_security_get_wep_key(s_sec, 1), ==, "key1key1key1k");
	g_assert_cmpstr(nm_setting_wireless_security_get_wep_key(s_sec, 2), ==, "key2key2key2k");
	g_assert_cmpstr(nm_setting_wireless_security_get_wep_key(s_sec, 3), ==, "key3key3key3k");

	full2 = with_secrets(lookup(client, id_wpa2), "802-11-wireless-security");
	s_sec = nm_connection_get_setting_wireless_security(full2);
	g_assert_cmpstr(nm_setting_wireless_security_get_key_mgmt(s_sec), ==, "wpa-psk");
	g_assert_cmpstr(nm_setting_wireless_security_get_psk(s_sec), ==, "correct horse battery");

	c = NM_CONNECTION(lookup(client, id_dns));
	g_assert_cmpstr(nm_setting_ip_config_get_method(nm_connection_get_setting_ip4_config(c)),
	                ==, NM_SETTING_IP4_CONFIG_METHOD_AUTO);
	g_assert_cmpuint(nm_setting_ip_config_get_num_dns(nm_connection_get_setting_ip4_config(c)),
	                 ==, 1);
	g_assert_cmpstr(nm_setting_ip_config_get_dns(nm_connection_get_setting_ip4_config(c), 0),
	                ==, "10.1.2.3");
	g_assert_cmpuint(nm_setting_ip_config_get_num_dns(nm_connection_get_setting_ip6_config(c)),
	                 ==, 1);
	g_assert_cmpstr(nm_setting_ip_config_get_dns(nm_connection_get_setting_ip6_config(c), 0),
	                ==, "2001:db8::53");

	harness_remove_ok(backend, id_wep);
	harness_remove_ok(backend, id_wpa2);
	harness_remove_ok(backend, id_dns);
}

static void
test_rejects(void)
{
	g_autoptr(HarnessProfile) no_ssid = harness_profile(OMACP_PROFILE_WLAN, "wlan:x", "x", NULL,
	                                                    "{'security': <'none'>}", NULL);
	g_autoptr(HarnessProfile) eap =
	        harness_profile(OMACP_PROFILE_WLAN, "wlan:corp", "corp", NULL,
	                        "{'ssid': <'Corp'>, 'security': <'wpa2-eap'>}", NULL);
	g_autoptr(HarnessProfile) mms = harness_profile(OMACP_PROFILE_MMS, "mms:X", "MMS", NULL,
	                                                "{'mmsc': <'http://mmsc/'>}", NULL);
	g_autoptr(HarnessProfile) bad_dns =
	        harness_profile(OMACP_PROFILE_INTERNET, "internet:bad", "bad", NULL,
	                        "{'apn': <'a'>, 'dns': <['not-an-address']>}", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;
	g_autoptr(NMClient) client = NULL;

	g_assert_false(backend->klass->handles(backend, mms));
	g_assert_true(backend->klass->handles(backend, no_ssid));

	id = harness_apply(backend, no_ssid, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_assert_nonnull(strstr(error->message, "wlan:x"));
	g_clear_error(&error);
	id = harness_apply(backend, eap, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED);
	g_clear_error(&error);
	id = harness_apply(backend, mms, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED);
	g_clear_error(&error);
	id = harness_apply(backend, bad_dns, NULL, FALSE, NULL, &error);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
	g_assert_nonnull(strstr(error->message, "not-an-address"));
	g_clear_error(&error);

	client = fresh_client();
	g_assert_cmpuint(count_tagged(client, "wlan:x"), ==, 0);
	g_assert_cmpuint(count_tagged(client, "wlan:corp"), ==, 0);
	g_assert_cmpuint(count_tagged(client, "internet:bad"), ==, 0);
}

/* Cancelled while NetworkManager adds: nothing is left behind. */
static void
test_cancel_leaves_nothing(void)
{
	g_autoptr(HarnessProfile) p = internet_profile("internet:CANCEL", "Cancel", "c.apn", "x");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;
	g_autoptr(NMClient) client = NULL;

	backend->klass->apply_async(backend, p, NULL, NULL, FALSE, cancellable,
	                            harness_store_result, &result);
	g_cancellable_cancel(cancellable);
	harness_wait_result(&result, "cancelled apply");
	id = backend->klass->apply_finish(backend, result, NULL, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(id);
	client = fresh_client();
	g_assert_cmpuint(count_tagged(client, "internet:CANCEL"), ==, 0);
}

/* NetworkManager restarts: the backend notices both ways, and the
 * connection read back from its keyfile is still recognised as omacp's own,
 * unedited (the hash survives the keyfile round trip). */
static void
test_restart(void)
{
	g_autoptr(HarnessProfile) p1 =
	        internet_profile("internet:RESTART", "Restart", "before.apn", "pw1");
	g_autoptr(HarnessProfile) p2 =
	        internet_profile("internet:RESTART", "Restart", "after.apn", "pw2");
	g_autoptr(GError) error = NULL;
	g_autofree char *id = harness_apply_ok(backend, p1, NULL, FALSE, NULL);
	g_autofree char *id2 = NULL;
	guint signals = availability_signals;

	harness_stop_nm(harness);
	harness_wait_until(harness_backend_unavailable, backend, 10000, "NetworkManager to vanish");
	g_assert_cmpuint(availability_signals, ==, signals + 1);
	id2 = harness_apply(backend, p2, NULL, FALSE, NULL, &error);
	g_assert_null(id2);
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE);
	g_clear_error(&error);

	harness_start_nm(harness);
	harness_wait_until(harness_backend_available, backend, 10000,
	                   "NetworkManager to come back");
	g_assert_cmpuint(availability_signals, ==, signals + 2);
	/* no id given: found by its tag; not flagged as edited */
	id2 = harness_apply_ok(backend, p2, NULL, FALSE, NULL);
	g_assert_cmpstr(id2, ==, id);
	{
		g_autoptr(NMClient) client = fresh_client();
		g_autoptr(NMConnection) full = with_secrets(lookup(client, id), "gsm");

		g_assert_cmpuint(count_tagged(client, "internet:RESTART"), ==, 1);
		g_assert_cmpstr(nm_setting_gsm_get_apn(nm_connection_get_setting_gsm(full)), ==,
		                "after.apn");
		g_assert_cmpstr(nm_setting_gsm_get_password(nm_connection_get_setting_gsm(full)),
		                ==, "pw2");
	}
	harness_remove_ok(backend, id);
}

static void
test_preview_create(void)
{
	g_autoptr(HarnessProfile) p = internet_profile("internet:NEW", "New", "new.apn", "x");
	g_autoptr(GVariant) preview = backend->klass->preview(backend, p, NULL);
	g_autofree char *printed = NULL;

	g_assert_true(variant_has_field(preview, "gsm.apn", "", "new.apn"));
	g_assert_true(variant_has_field(preview, "gsm.sim-operator-id", "", "310410"));
	g_assert_true(variant_has_field(preview, "gsm.password", "", "(secret)"));
	g_assert_false(variant_has_field(preview, "gsm.network-id", NULL, NULL));
	/* the secret itself never appears */
	printed = g_variant_print(preview, FALSE);
	g_assert_null(strstr(printed, "'x'"));
}

int
main(int argc, char **argv)
{
	g_autofree char *reason = NULL;
	int ret;

	g_test_init(&argc, &argv, NULL);
	omacp_error_register();
	if (!harness_can_run((const char *const[]){ "NetworkManager", "dbus-daemon", NULL },
	                     &reason)) {
		g_test_skip(reason);
		return 0;
	}
	harness = harness_new();
	backend = omacp_backend_nm_new(harness->bus, (OmacpMbpiSource){ NULL, NULL });
	g_assert_nonnull(backend);
	harness_count_availability(backend, &availability_signals);

	/* first: the backend exists before NetworkManager */
	g_test_add_func("/backend-nm/appears-later", test_nm_appears_later);
	g_test_add_func("/backend-nm/create-internet", test_create_internet);
	g_test_add_func("/backend-nm/update-in-place-and-undo", test_update_in_place_and_undo);
	g_test_add_func("/backend-nm/undo-recreates-deleted", test_undo_recreates_deleted);
	g_test_add_func("/backend-nm/undo-clears-added-secret", test_undo_clears_added_secret);
	g_test_add_func("/backend-nm/hand-edit", test_hand_edit);
	g_test_add_func("/backend-nm/remove", test_remove);
	g_test_add_func("/backend-nm/ip-type-and-sim", test_ip_type_and_sim);
	g_test_add_func("/backend-nm/wlan", test_wlan);
	g_test_add_func("/backend-nm/from-documents", test_from_documents);
	g_test_add_func("/backend-nm/rejects", test_rejects);
	g_test_add_func("/backend-nm/cancel-leaves-nothing", test_cancel_leaves_nothing);
	g_test_add_func("/backend-nm/preview-create", test_preview_create);
	g_test_add_func("/backend-nm/sim-binding", test_sim_binding);
	g_test_add_func("/backend-nm/default-switch-undo-remove", test_default_switch_undo_remove);
	g_test_add_func("/backend-nm/activate-without-active-connection",
	                test_activate_without_active_connection);
	g_test_add_func("/backend-nm/restart", test_restart);
	ret = g_test_run();

	omacp_backend_free(backend);
	harness_free(harness);
	return ret;
}
