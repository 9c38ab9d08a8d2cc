/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NetworkManager backend (libnm, async): internet profiles become `gsm`
 * connections, wlan profiles `802-11-wireless` ones.
 *
 * Every connection omacp writes carries NMSettingUser keys: the profile
 * identity (to find it again), the message it came from, and a SHA-256 over
 * the fields omacp manages as NetworkManager stored them. A later apply
 * recomputes that hash from the live connection; a difference means someone
 * edited the connection by hand, and apply refuses unless forced.
 *
 * Secrets: passwords and PSKs are written with NM_SETTING_SECRET_FLAG_NONE,
 * i.e. owned by NetworkManager itself. NetworkManager keeps such secrets only
 * in the system keyfile (/etc/NetworkManager/system-connections/<id>, mode
 * 0600, root) and never returns them in GetSettings, only through GetSecrets,
 * which it restricts to privileged callers. AGENT_OWNED would move them to a
 * user's keyring, which a system daemon has no access to and which does not
 * exist before login (a modem connection must work without a user session);
 * NOT_SAVED would drop them, so the connection would prompt on every
 * activation. NONE is therefore the flag that keeps the secret out of every
 * world-readable place while the connection still works unattended. The hash
 * never covers secret values (it is stored in readable user data). */

#include "config.h"

#include <NetworkManager.h>
#include <string.h>

#include "backend-private.h"
#include "omacp.h"

#define NM_BUS_NAME "org.freedesktop.NetworkManager"

typedef struct {
	OmacpBackend parent;
	GDBusConnection *bus;
	guint watch_id;
	NMClient *client; /* set while NetworkManager is on the bus and the client is ready */
	struct _ClientInit *init; /* client setup in flight */
	OmacpMbpiSource mbpi;     /* the daemon's provider database, for operator ids */
} NmBackend;

/* The provider database, read by its owner at the first call; NULL: none
 * (operator ids then come from the list of 3-digit-MNC countries). */
static const OmacpMbpi *
nm_mbpi(NmBackend *self)
{
	return self->mbpi.get != NULL ? self->mbpi.get(self->mbpi.data) : NULL;
}

/* The fields omacp writes and the hand-edit hash covers. Secret values are
 * written but not hashed (see the top of the file). */
typedef struct {
	const char *setting;
	const char *property;
} ManagedField;

static const ManagedField managed_fields[] = {
	{ NM_SETTING_CONNECTION_SETTING_NAME, NM_SETTING_CONNECTION_ID },
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_APN },
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_USERNAME },
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_PASSWORD_FLAGS },
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_SIM_ID },
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_SIM_OPERATOR_ID },
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_NETWORK_ID },
	{ NM_SETTING_PPP_SETTING_NAME, NM_SETTING_PPP_REFUSE_EAP },
	{ NM_SETTING_PPP_SETTING_NAME, NM_SETTING_PPP_REFUSE_PAP },
	{ NM_SETTING_PPP_SETTING_NAME, NM_SETTING_PPP_REFUSE_CHAP },
	{ NM_SETTING_PPP_SETTING_NAME, NM_SETTING_PPP_REFUSE_MSCHAP },
	{ NM_SETTING_PPP_SETTING_NAME, NM_SETTING_PPP_REFUSE_MSCHAPV2 },
	{ NM_SETTING_IP4_CONFIG_SETTING_NAME, NM_SETTING_IP_CONFIG_METHOD },
	{ NM_SETTING_IP4_CONFIG_SETTING_NAME, NM_SETTING_IP_CONFIG_DNS },
	{ NM_SETTING_IP6_CONFIG_SETTING_NAME, NM_SETTING_IP_CONFIG_METHOD },
	{ NM_SETTING_IP6_CONFIG_SETTING_NAME, NM_SETTING_IP_CONFIG_DNS },
	{ NM_SETTING_WIRELESS_SETTING_NAME, NM_SETTING_WIRELESS_SSID },
	{ NM_SETTING_WIRELESS_SETTING_NAME, NM_SETTING_WIRELESS_MODE },
	{ NM_SETTING_WIRELESS_SETTING_NAME, NM_SETTING_WIRELESS_HIDDEN },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_KEY_MGMT },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_AUTH_ALG },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_PSK_FLAGS },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_WEP_KEY_FLAGS },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_WEP_KEY_TYPE },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_WEP_TX_KEYIDX },
};

/* Secret properties omacp writes: copied on update, never hashed or shown. */
static const ManagedField secret_fields[] = {
	{ NM_SETTING_GSM_SETTING_NAME, NM_SETTING_GSM_PASSWORD },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_PSK },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, NM_SETTING_WIRELESS_SECURITY_WEP_KEY0 },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, "wep-key1" },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, "wep-key2" },
	{ NM_SETTING_WIRELESS_SECURITY_SETTING_NAME, "wep-key3" },
};

static NmBackend *
nm_backend(OmacpBackend *backend)
{
	return (NmBackend *) backend;
}

/* --- rendering and hashing the managed fields ---------------------------- */

static char *
render_property(NMConnection *connection, const char *setting_name, const char *property)
{
	NMSetting *setting = nm_connection_get_setting_by_name(connection, setting_name);
	GParamSpec *spec;
	g_auto(GValue) value = G_VALUE_INIT;
	g_auto(GValue) text = G_VALUE_INIT;

	if (setting == NULL)
		return NULL;
	spec = g_object_class_find_property(G_OBJECT_GET_CLASS(setting), property);
	if (spec == NULL)
		return NULL;
	g_value_init(&value, spec->value_type);
	g_object_get_property(G_OBJECT(setting), property, &value);
	if (G_VALUE_HOLDS(&value, G_TYPE_STRV)) {
		const char *const *strv = g_value_get_boxed(&value);
		return strv != NULL ? g_strjoinv(",", (char **) strv) : g_strdup("");
	}
	if (G_VALUE_HOLDS(&value, G_TYPE_BYTES)) {
		GBytes *bytes = g_value_get_boxed(&value);
		gsize len = 0;
		const guint8 *data = bytes != NULL ? g_bytes_get_data(bytes, &len) : NULL;
		return data != NULL ? nm_utils_ssid_to_utf8(data, len) : g_strdup("");
	}
	g_value_init(&text, G_TYPE_STRING);
	if (!g_value_transform(&value, &text))
		return g_strdup("?");
	return g_strdup(g_value_get_string(&text) != NULL ? g_value_get_string(&text) : "");
}

static char *
managed_hash(NMConnection *connection)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	for (gsize i = 0; i < G_N_ELEMENTS(managed_fields); i++) {
		g_autofree char *text = render_property(connection, managed_fields[i].setting,
		                                        managed_fields[i].property);
		g_autofree char *line = g_strdup_printf(
		        "%s.%s%s%s\n", managed_fields[i].setting, managed_fields[i].property,
		        text != NULL ? "=" : "!", text != NULL ? text : "");
		g_checksum_update(sum, (const guchar *) line, strlen(line));
	}
	return g_strdup(g_checksum_get_string(sum));
}

static const char *
conn_user_data(NMConnection *connection, const char *key)
{
	NMSettingUser *s_user = NM_SETTING_USER(
	        nm_connection_get_setting_by_name(connection, NM_SETTING_USER_SETTING_NAME));

	if (s_user == NULL)
		return NULL;
	return nm_setting_user_get_data(s_user, key);
}

/* TRUE when the connection differs from what omacp last wrote into it. */
static gboolean
edited_by_hand(NMConnection *connection)
{
	const char *stored = conn_user_data(connection, OMACP_NM_USER_HASH);
	g_autofree char *now = managed_hash(connection);

	return stored == NULL || strcmp(stored, now) != 0;
}

static gboolean
set_user_data(NMConnection *connection, const char *key, const char *value, GError **error)
{
	NMSettingUser *s_user = NM_SETTING_USER(
	        nm_connection_get_setting_by_name(connection, NM_SETTING_USER_SETTING_NAME));
	g_autoptr(GError) local = NULL;

	if (s_user == NULL) {
		s_user = NM_SETTING_USER(nm_setting_user_new());
		nm_connection_add_setting(connection, NM_SETTING(s_user));
	}
	if (!nm_setting_user_set_data(s_user, key, value, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "networkmanager: user data %s rejected: %s", key, local->message);
		return FALSE;
	}
	return TRUE;
}

/* --- building a connection from a profile -------------------------------- */

static gboolean
add_ip_settings(NMConnection *connection, const OmacpProfile *profile, GError **error)
{
	const char *ip_type = omacp_backend_dict_string(profile->settings, "ip-type");
	g_auto(GStrv) dns = omacp_backend_dict_strv(profile->settings, "dns");
	NMSettingIPConfig *s_ip4 = NM_SETTING_IP_CONFIG(nm_setting_ip4_config_new());
	NMSettingIPConfig *s_ip6 = NM_SETTING_IP_CONFIG(nm_setting_ip6_config_new());
	gboolean v4 = TRUE;
	gboolean v6 = TRUE;

	nm_connection_add_setting(connection, NM_SETTING(s_ip4));
	nm_connection_add_setting(connection, NM_SETTING(s_ip6));
	if (ip_type == NULL || strcmp(ip_type, "ipv4v6") == 0) {
		/* the default: both families, as the network offers */
	} else if (strcmp(ip_type, "ipv4") == 0) {
		v6 = FALSE;
	} else if (strcmp(ip_type, "ipv6") == 0) {
		v4 = FALSE;
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "networkmanager: profile '%s' has ip-type '%s' (expected ipv4, ipv6 or "
		            "ipv4v6)",
		            profile->identity, ip_type);
		return FALSE;
	}
	g_object_set(s_ip4, NM_SETTING_IP_CONFIG_METHOD,
	             v4 ? NM_SETTING_IP4_CONFIG_METHOD_AUTO : NM_SETTING_IP4_CONFIG_METHOD_DISABLED,
	             NULL);
	g_object_set(s_ip6, NM_SETTING_IP_CONFIG_METHOD,
	             v6 ? NM_SETTING_IP6_CONFIG_METHOD_AUTO : NM_SETTING_IP6_CONFIG_METHOD_DISABLED,
	             NULL);
	for (gsize i = 0; dns != NULL && dns[i] != NULL; i++) {
		g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(dns[i]);

		if (addr == NULL) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "networkmanager: DNS server '%s' of profile '%s' is not an IP "
			            "address",
			            dns[i], profile->identity);
			return FALSE;
		}
		/* a server of a family the connection does not use is left out */
		if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV4 && v4)
			nm_setting_ip_config_add_dns(s_ip4, dns[i]);
		else if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6 && v6)
			nm_setting_ip_config_add_dns(s_ip6, dns[i]);
	}
	return TRUE;
}

static gboolean
add_gsm_settings(NMConnection *connection, const OmacpProfile *profile, const OmacpMbpi *mbpi,
                 GError **error)
{
	NMSettingGsm *s_gsm = NM_SETTING_GSM(nm_setting_gsm_new());
	const char *auth = omacp_backend_dict_string(profile->settings, "auth");
	const char *iccid = omacp_backend_dict_string(profile->settings, "iccid");
	const char *password = omacp_backend_dict_string(profile->secrets, "password");

	nm_connection_add_setting(connection, NM_SETTING(s_gsm));
	g_object_set(s_gsm, NM_SETTING_GSM_APN, omacp_backend_dict_string(profile->settings, "apn"),
	             NM_SETTING_GSM_USERNAME,
	             omacp_backend_dict_string(profile->settings, "username"),
	             NM_SETTING_GSM_PASSWORD, password, NM_SETTING_GSM_PASSWORD_FLAGS,
	             NM_SETTING_SECRET_FLAG_NONE, NULL);

	/* Bound to the SIM the message came for. network-id is never set: it
	 * pins the registered network and breaks roaming. */
	if (iccid != NULL)
		g_object_set(s_gsm, NM_SETTING_GSM_SIM_ID, iccid, NULL);
	if (profile->imsi != NULL) {
		g_autofree char *operator_id = NULL;

		if (!omacp_backend_operator_id_from_imsi(profile->imsi, mbpi, &operator_id, error))
			return FALSE;
		g_object_set(s_gsm, NM_SETTING_GSM_SIM_OPERATOR_ID, operator_id, NULL);
	}

	/* Authentication restrictions: the ppp setting is what pppd honours on
	 * serial modems and what NetworkManager turns into the bearer's
	 * allowed-auth on ModemManager. "none" (or no auth) keeps the default
	 * negotiation: refusing every method would break networks that ask for
	 * authentication anyway, and without credentials there is nothing to
	 * protect. */
	if (auth != NULL && strcmp(auth, "pap") == 0) {
		NMSetting *s_ppp = nm_setting_ppp_new();
		g_object_set(s_ppp, NM_SETTING_PPP_REFUSE_EAP, TRUE, NM_SETTING_PPP_REFUSE_CHAP,
		             TRUE, NM_SETTING_PPP_REFUSE_MSCHAP, TRUE,
		             NM_SETTING_PPP_REFUSE_MSCHAPV2, TRUE, NULL);
		nm_connection_add_setting(connection, s_ppp);
	} else if (auth != NULL && strcmp(auth, "chap") == 0) {
		NMSetting *s_ppp = nm_setting_ppp_new();
		g_object_set(s_ppp, NM_SETTING_PPP_REFUSE_EAP, TRUE, NM_SETTING_PPP_REFUSE_PAP,
		             TRUE, NULL);
		nm_connection_add_setting(connection, s_ppp);
	} else if (auth != NULL && strcmp(auth, "none") != 0) {
		g_set_error(
		        error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		        "networkmanager: profile '%s' has auth '%s' (expected pap, chap or none)",
		        profile->identity, auth);
		return FALSE;
	}
	return add_ip_settings(connection, profile, error);
}

static gboolean
add_wifi_settings(NMConnection *connection, const OmacpProfile *profile, GError **error)
{
	const char *ssid = omacp_backend_dict_string(profile->settings, "ssid");
	const char *mode = omacp_backend_dict_string(profile->settings, "mode");
	const char *security = omacp_backend_dict_string(profile->settings, "security");
	NMSettingWireless *s_wifi;
	g_autoptr(GBytes) ssid_bytes = NULL;

	if (ssid == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "networkmanager: wlan profile '%s' has no ssid", profile->identity);
		return FALSE;
	}
	s_wifi = NM_SETTING_WIRELESS(nm_setting_wireless_new());
	nm_connection_add_setting(connection, NM_SETTING(s_wifi));
	ssid_bytes = g_bytes_new(ssid, strlen(ssid));
	g_object_set(s_wifi, NM_SETTING_WIRELESS_SSID, ssid_bytes, NM_SETTING_WIRELESS_MODE,
	             mode != NULL && (strcmp(mode, "adhoc") == 0 || strcmp(mode, "ad-hoc") == 0)
	                     ? NM_SETTING_WIRELESS_MODE_ADHOC
	                     : NM_SETTING_WIRELESS_MODE_INFRA,
	             NM_SETTING_WIRELESS_HIDDEN,
	             omacp_backend_dict_bool(profile->settings, "hidden", FALSE), NULL);

	if (security == NULL || strcmp(security, "none") == 0) {
		/* open network: no security setting at all */
	} else if (strcmp(security, "wpa-psk") == 0 || strcmp(security, "wpa2-psk") == 0) {
		const char *psk = omacp_backend_dict_string(profile->secrets, "psk");
		NMSetting *s_sec;

		if (psk == NULL) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "networkmanager: wlan profile '%s' uses %s but carries no psk",
			            profile->identity, security);
			return FALSE;
		}
		s_sec = nm_setting_wireless_security_new();
		g_object_set(s_sec, NM_SETTING_WIRELESS_SECURITY_KEY_MGMT, "wpa-psk",
		             NM_SETTING_WIRELESS_SECURITY_PSK, psk,
		             NM_SETTING_WIRELESS_SECURITY_PSK_FLAGS, NM_SETTING_SECRET_FLAG_NONE,
		             NULL);
		nm_connection_add_setting(connection, s_sec);
	} else if (strcmp(security, "wep") == 0) {
		/* The profile's secrets wep-key0..3 (the document's WEPKEY by
		 * INDEX), the default key wep-key-index (WEPKEYIND) and wep-auth
		 * (WEPAUTHMODE: open or shared). */
		const char *auth = omacp_backend_dict_string(profile->settings, "wep-auth");
		guint32 index = 0;
		NMSetting *s_sec;
		gboolean have_default = FALSE;

		if (profile->settings != NULL)
			g_variant_lookup(profile->settings, "wep-key-index", "u", &index);
		if (index > 3) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "networkmanager: wlan profile '%s' has WEP key index %u (0-3)",
			            profile->identity, index);
			return FALSE;
		}
		if (auth != NULL && strcmp(auth, "open") != 0 && strcmp(auth, "shared") != 0) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "networkmanager: wlan profile '%s' has WEP authentication '%s' "
			            "(expected open or shared)",
			            profile->identity, auth);
			return FALSE;
		}
		s_sec = nm_setting_wireless_security_new();
		g_object_set(s_sec, NM_SETTING_WIRELESS_SECURITY_KEY_MGMT, "none",
		             NM_SETTING_WIRELESS_SECURITY_WEP_KEY_TYPE, NM_WEP_KEY_TYPE_KEY,
		             NM_SETTING_WIRELESS_SECURITY_WEP_TX_KEYIDX, index,
		             NM_SETTING_WIRELESS_SECURITY_AUTH_ALG, auth != NULL ? auth : "open",
		             NM_SETTING_WIRELESS_SECURITY_WEP_KEY_FLAGS,
		             NM_SETTING_SECRET_FLAG_NONE, NULL);
		for (guint k = 0; k < 4; k++) {
			g_autofree char *name = g_strdup_printf("wep-key%u", k);
			const char *key = omacp_backend_dict_string(profile->secrets, name);

			if (key == NULL)
				continue;
			nm_setting_wireless_security_set_wep_key(
			        NM_SETTING_WIRELESS_SECURITY(s_sec), k, key);
			have_default |= k == index;
		}
		if (!have_default) {
			g_object_unref(s_sec);
			g_set_error(
			        error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			        "networkmanager: wlan profile '%s' uses WEP key %u but carries no "
			        "such key",
			        profile->identity, index);
			return FALSE;
		}
		nm_connection_add_setting(connection, s_sec);
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		            "networkmanager: wlan profile '%s' uses security '%s', which omacp "
		            "does not apply (enterprise networks need certificates set up by hand)",
		            profile->identity, security);
		return FALSE;
	}
	return add_ip_settings(connection, profile, error);
}

/* TRUE when the daemon asks @profile to become its SIM's default. */
static gboolean
makes_default(const OmacpProfile *profile)
{
	return profile->kind == OMACP_PROFILE_INTERNET &&
	       omacp_backend_dict_bool(profile->settings, "make-default", FALSE);
}

/* The connection omacp wants for @profile, normalized, with user data and
 * the hash of its managed fields. */
static NMConnection *
build_connection(NmBackend *self, const OmacpProfile *profile, const char *name,
                 const char *message, GError **error)
{
	g_autoptr(NMConnection) connection = nm_simple_connection_new();
	NMSettingConnection *s_con;
	g_autofree char *uuid = nm_utils_uuid_generate();
	const char *type = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *hash = NULL;

	switch (profile->kind) {
	case OMACP_PROFILE_INTERNET:
		type = NM_SETTING_GSM_SETTING_NAME;
		break;
	case OMACP_PROFILE_WLAN:
		type = NM_SETTING_WIRELESS_SETTING_NAME;
		break;
	case OMACP_PROFILE_MMS:
	case OMACP_PROFILE_BROWSER:
	case OMACP_PROFILE_EMAIL:
	case OMACP_PROFILE_DS:
	case OMACP_PROFILE_DM:
	case OMACP_PROFILE_BOOTSTRAP:
	case OMACP_PROFILE_OTHER:
		break;
	}
	if (type == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		            "networkmanager: %s profiles are not NetworkManager connections",
		            omacp_profile_kind_to_string(profile->kind));
		return NULL;
	}

	s_con = NM_SETTING_CONNECTION(nm_setting_connection_new());
	/* autoconnect off unless the daemon says the profile becomes its SIM's
	 * default ("make-default", which a user's acceptance decides): a
	 * connection that arrived by SMS must not start carrying traffic (and
	 * costs) on its own, nor displace the connection the user chose. */
	g_object_set(s_con, NM_SETTING_CONNECTION_ID, name != NULL ? name : profile->name,
	             NM_SETTING_CONNECTION_UUID, uuid, NM_SETTING_CONNECTION_TYPE, type,
	             NM_SETTING_CONNECTION_AUTOCONNECT, makes_default(profile), NULL);
	nm_connection_add_setting(connection, NM_SETTING(s_con));

	if (profile->kind == OMACP_PROFILE_INTERNET) {
		if (!add_gsm_settings(connection, profile, nm_mbpi(self), error))
			return NULL;
	} else {
		if (!add_wifi_settings(connection, profile, error))
			return NULL;
	}
	if (!set_user_data(connection, OMACP_NM_USER_PROFILE, profile->identity, error))
		return NULL;
	if (message != NULL && !set_user_data(connection, OMACP_NM_USER_MESSAGE, message, error))
		return NULL;
	if (!nm_connection_normalize(connection, NULL, NULL, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "networkmanager: profile '%s' does not make a valid connection: %s",
		            profile->identity, local->message);
		return NULL;
	}
	hash = managed_hash(connection);
	if (!set_user_data(connection, OMACP_NM_USER_HASH, hash, error))
		return NULL;
	return g_steal_pointer(&connection);
}

/* --- the SIM a connection belongs to --------------------------------------- */

static const char *
conn_sim_id(NMConnection *c)
{
	NMSettingGsm *s_gsm = nm_connection_get_setting_gsm(c);
	const char *id = s_gsm != NULL ? nm_setting_gsm_get_sim_id(s_gsm) : NULL;

	return id != NULL && id[0] != '\0' ? id : NULL;
}

static const char *
conn_sim_operator_id(NMConnection *c)
{
	NMSettingGsm *s_gsm = nm_connection_get_setting_gsm(c);
	const char *id = s_gsm != NULL ? nm_setting_gsm_get_sim_operator_id(s_gsm) : NULL;

	return id != NULL && id[0] != '\0' ? id : NULL;
}

/* TRUE when @c is bound to the SIM @wanted is for: the same gsm.sim-id when
 * either has one (the ICCID names one card), else the same
 * gsm.sim-operator-id. Connections that are not gsm (Wi-Fi) belong to no
 * SIM and always match. */
static gboolean
same_sim(NMConnection *c, NMConnection *wanted)
{
	if (nm_connection_get_setting_gsm(wanted) == NULL)
		return nm_connection_get_setting_gsm(c) == NULL;
	if (nm_connection_get_setting_gsm(c) == NULL)
		return FALSE;
	if (conn_sim_id(c) != NULL || conn_sim_id(wanted) != NULL)
		return g_strcmp0(conn_sim_id(c), conn_sim_id(wanted)) == 0;
	return g_strcmp0(conn_sim_operator_id(c), conn_sim_operator_id(wanted)) == 0;
}

/* The connection omacp made for this identity and this SIM before: by
 * UUID, else by tag; one of another SIM is never taken (its profile gets a
 * connection of its own). */
static NMRemoteConnection *
find_existing(NMClient *client, const OmacpProfile *profile, const char *existing_id,
              NMConnection *wanted)
{
	const GPtrArray *all;

	if (existing_id != NULL) {
		NMRemoteConnection *rc = nm_client_get_connection_by_uuid(client, existing_id);
		if (rc != NULL && same_sim(NM_CONNECTION(rc), wanted))
			return rc;
	}
	all = nm_client_get_connections(client);
	for (guint i = 0; i < all->len; i++) {
		NMConnection *c = g_ptr_array_index(all, i);
		const char *tag = conn_user_data(c, OMACP_NM_USER_PROFILE);

		if (tag != NULL && strcmp(tag, profile->identity) == 0 && same_sim(c, wanted))
			return g_ptr_array_index(all, i);
	}
	return NULL;
}

/* Names tried after "Name": "Name 2" up to "Name <this>". */
#define MAX_NAME_NUMBER 999

/* TRUE when @name is taken by a connection other than @self that omacp made
 * or that belongs to the SIM of @wanted. */
static gboolean
name_taken(NMClient *client, const char *name, NMConnection *wanted, NMConnection *self)
{
	const GPtrArray *all = nm_client_get_connections(client);

	for (guint i = 0; i < all->len; i++) {
		NMConnection *c = g_ptr_array_index(all, i);

		if (c == self || g_strcmp0(nm_connection_get_id(c), name) != 0)
			continue;
		if (conn_user_data(c, OMACP_NM_USER_PROFILE) != NULL || same_sim(c, wanted))
			return TRUE;
	}
	return FALSE;
}

/* A readable connection id for @profile that no other omacp connection and
 * no other connection of its SIM has: its name, else "<name> 2", "<name> 3"...
 * @self (may be NULL) is the connection being updated. */
static char *
unique_name(NMClient *client, const OmacpProfile *profile, NMConnection *wanted, NMConnection *self,
            GError **error)
{
	if (!name_taken(client, profile->name, wanted, self))
		return g_strdup(profile->name);
	for (guint n = 2; n <= MAX_NAME_NUMBER; n++) {
		g_autofree char *name = g_strdup_printf("%s %u", profile->name, n);

		if (!name_taken(client, name, wanted, self))
			return g_steal_pointer(&name);
	}
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
	            "networkmanager: every name from '%s' to '%s %u' is taken", profile->name,
	            profile->name, MAX_NAME_NUMBER);
	return NULL;
}

/* The connection omacp wants for @profile, with a name no other omacp
 * connection and no other connection of its SIM has; *@out_existing gets the
 * connection it updates (NULL: a new one). */
static NMConnection *
build_wanted(NmBackend *self, const OmacpProfile *profile, const char *message,
             const char *existing_id, NMRemoteConnection **out_existing, GError **error)
{
	g_autoptr(NMConnection) wanted = build_connection(self, profile, NULL, message, error);
	g_autofree char *name = NULL;
	NMRemoteConnection *existing;

	*out_existing = NULL;
	if (wanted == NULL)
		return NULL;
	existing = find_existing(self->client, profile, existing_id, wanted);
	name = unique_name(self->client, profile, wanted,
	                   existing != NULL ? NM_CONNECTION(existing) : NULL, error);
	if (name == NULL)
		return NULL;
	if (strcmp(name, profile->name) != 0) {
		g_clear_object(&wanted);
		wanted = build_connection(self, profile, name, message, error);
		if (wanted == NULL)
			return NULL;
	}
	*out_existing = existing;
	return g_steal_pointer(&wanted);
}

/* The UUIDs of the connections that are the default of @wanted's SIM now
 * (gsm, same SIM, autoconnect on), @self (may be NULL) left out. */
static GPtrArray *
previous_defaults(NMClient *client, NMConnection *wanted, NMConnection *self)
{
	const GPtrArray *all = nm_client_get_connections(client);
	GPtrArray *uuids = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < all->len; i++) {
		NMConnection *c = g_ptr_array_index(all, i);
		NMSettingConnection *s_con = nm_connection_get_setting_connection(c);

		if (c == self || nm_connection_get_setting_gsm(c) == NULL || !same_sim(c, wanted) ||
		    s_con == NULL || !nm_setting_connection_get_autoconnect(s_con))
			continue;
		g_ptr_array_add(uuids, g_strdup(nm_connection_get_uuid(c)));
	}
	return uuids;
}

/* --- turning autoconnect on or off on a list of connections ---------------- */

typedef struct {
	NMClient *client;
	char **uuids;
	guint index;
	gboolean value;
	GError *error; /* the first failure; the others are still tried */
} AutoconnectData;

static void
autoconnect_data_free(AutoconnectData *data)
{
	g_clear_object(&data->client);
	g_strfreev(data->uuids);
	g_clear_error(&data->error);
	g_free(data);
}

static void autoconnect_next(GTask *task);

static void
autoconnect_updated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	AutoconnectData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) out =
	        nm_remote_connection_update2_finish(NM_REMOTE_CONNECTION(source), result, &error);

	if (out == NULL && data->error == NULL)
		data->error = omacp_backend_error_wrap("networkmanager", error,
		                                       "setting autoconnect of connection '%s'",
		                                       nm_connection_get_id(NM_CONNECTION(source)));
	data->index++;
	autoconnect_next(g_steal_pointer(&task));
}

static void
autoconnect_next(GTask *task)
{
	AutoconnectData *data = g_task_get_task_data(task);

	for (; data->uuids != NULL && data->uuids[data->index] != NULL; data->index++) {
		NMRemoteConnection *rc =
		        nm_client_get_connection_by_uuid(data->client, data->uuids[data->index]);
		g_autoptr(NMConnection) copy = NULL;
		NMSettingConnection *s_con;

		/* deleted since: nothing to put back */
		if (rc == NULL)
			continue;
		s_con = nm_connection_get_setting_connection(NM_CONNECTION(rc));
		if (s_con == NULL || nm_setting_connection_get_autoconnect(s_con) == data->value)
			continue;
		copy = nm_simple_connection_new_clone(NM_CONNECTION(rc));
		g_object_set(nm_connection_get_setting_connection(copy),
		             NM_SETTING_CONNECTION_AUTOCONNECT, data->value, NULL);
		/* no secrets in this update: NetworkManager keeps the stored ones */
		nm_remote_connection_update2(
		        rc, nm_connection_to_dbus(copy, NM_CONNECTION_SERIALIZE_ALL),
		        NM_SETTINGS_UPDATE2_FLAG_TO_DISK, NULL, NULL, autoconnect_updated_cb, task);
		return;
	}
	if (data->error != NULL)
		g_task_return_error(task, g_steal_pointer(&data->error));
	else
		g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

/* Sets connection.autoconnect to @value on each connection @uuids
 * (NULL-terminated, may be NULL) names that still exists, one after the
 * other; finish with g_task_propagate_boolean(). */
static void
set_autoconnect_async(NMClient *client, const char *const *uuids, gboolean value,
                      GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, NULL, callback, user_data);
	AutoconnectData *data = g_new0(AutoconnectData, 1);

	data->client = g_object_ref(client);
	data->uuids = g_strdupv((char **) uuids);
	data->value = value;
	g_task_set_task_data(task, data, (GDestroyNotify) autoconnect_data_free);
	autoconnect_next(task);
}

/* Copies one property from @from to @to (adding or resetting to the default
 * when @from lacks the setting). */
static void
copy_property(NMConnection *to, NMConnection *from, const ManagedField *field)
{
	NMSetting *src = nm_connection_get_setting_by_name(from, field->setting);
	NMSetting *dst = nm_connection_get_setting_by_name(to, field->setting);
	GParamSpec *spec;
	g_auto(GValue) value = G_VALUE_INIT;

	if (src == NULL && dst == NULL)
		return;
	if (dst == NULL) {
		GType type = nm_setting_lookup_type(field->setting);
		if (type == G_TYPE_INVALID)
			return;
		dst = g_object_new(type, NULL);
		nm_connection_add_setting(to, dst);
	}
	spec = g_object_class_find_property(G_OBJECT_GET_CLASS(dst), field->property);
	if (spec == NULL)
		return;
	g_value_init(&value, spec->value_type);
	if (src != NULL)
		g_object_get_property(G_OBJECT(src), field->property, &value);
	else
		g_param_value_set_default(spec, &value);
	g_object_set_property(G_OBJECT(dst), field->property, &value);
}

/* @existing with omacp's managed fields, secrets and tags taken from
 * @wanted; everything else (autoconnect, device binding, MTU...) is kept. */
static NMConnection *
merge_connection(NMConnection *existing, NMConnection *wanted, GError **error)
{
	g_autoptr(NMConnection) merged = nm_simple_connection_new_clone(existing);
	const char *keys[] = { OMACP_NM_USER_PROFILE, OMACP_NM_USER_MESSAGE, OMACP_NM_USER_HASH,
		               OMACP_NM_USER_DEFAULTS };
	g_autoptr(GError) local = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(managed_fields); i++)
		copy_property(merged, wanted, &managed_fields[i]);
	for (gsize i = 0; i < G_N_ELEMENTS(secret_fields); i++)
		copy_property(merged, wanted, &secret_fields[i]);
	/* a setting omacp no longer wants (a ppp block after auth became
	 * "none", wifi security after it became open) goes entirely */
	if (nm_connection_get_setting_by_name(wanted, NM_SETTING_PPP_SETTING_NAME) == NULL)
		nm_connection_remove_setting(merged, NM_TYPE_SETTING_PPP);
	if (nm_connection_get_setting_by_name(wanted, NM_SETTING_WIRELESS_SECURITY_SETTING_NAME) ==
	    NULL)
		nm_connection_remove_setting(merged, NM_TYPE_SETTING_WIRELESS_SECURITY);
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		const char *value = conn_user_data(wanted, keys[i]);
		if (!set_user_data(merged, keys[i], value, error))
			return NULL;
	}
	if (!nm_connection_normalize(merged, NULL, NULL, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND,
		            "networkmanager: updated connection '%s' is not valid: %s",
		            nm_connection_get_id(existing), local->message);
		return NULL;
	}
	/* normalizing may have filled in defaults: the hash is over the result */
	{
		g_autofree char *hash = managed_hash(merged);
		if (!set_user_data(merged, OMACP_NM_USER_HASH, hash, error))
			return NULL;
	}
	return g_steal_pointer(&merged);
}

static const char *
secret_setting_name(NMConnection *connection)
{
	if (nm_connection_get_setting_by_name(connection, NM_SETTING_GSM_SETTING_NAME) != NULL)
		return NM_SETTING_GSM_SETTING_NAME;
	if (nm_connection_get_setting_by_name(connection,
	                                      NM_SETTING_WIRELESS_SECURITY_SETTING_NAME) != NULL)
		return NM_SETTING_WIRELESS_SECURITY_SETTING_NAME;
	return NULL;
}

/* TRUE when @connection holds a value for any secret omacp writes. */
static gboolean
has_secrets(NMConnection *connection)
{
	for (gsize i = 0; i < G_N_ELEMENTS(secret_fields); i++) {
		g_autofree char *text = render_property(connection, secret_fields[i].setting,
		                                        secret_fields[i].property);
		if (text != NULL && text[0] != '\0')
			return TRUE;
	}
	return FALSE;
}

/* GetSecrets fails this way when the connection simply has none stored. */
static gboolean
is_no_secrets_error(const GError *error)
{
	return g_error_matches(error, NM_AGENT_MANAGER_ERROR, NM_AGENT_MANAGER_ERROR_NO_SECRETS) ||
	       g_error_matches(error, NM_SECRET_AGENT_ERROR, NM_SECRET_AGENT_ERROR_NO_SECRETS);
}

/* An Update without secrets keeps the stored ones, so dropping a secret
 * takes Settings.Connection.ClearSecrets (libnm does not wrap it). */
static void
clear_secrets(GDBusConnection *bus, NMConnection *connection, GAsyncReadyCallback callback,
              gpointer user_data)
{
	g_dbus_connection_call(bus, NM_BUS_NAME, nm_connection_get_path(connection),
	                       "org.freedesktop.NetworkManager.Settings.Connection", "ClearSecrets",
	                       NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, callback, user_data);
}

/* Writes @settings (a{sa{sv}}; a floating reference is sunk) over @rc, on
 * disk; finish with update_finish(). */
static void
update_connection(NMRemoteConnection *rc, GVariant *settings, GAsyncReadyCallback callback,
                  gpointer user_data)
{
	nm_remote_connection_update2(rc, settings, NM_SETTINGS_UPDATE2_FLAG_TO_DISK, NULL, NULL,
	                             callback, user_data);
}

static gboolean
update_finish(GObject *source, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) out =
	        nm_remote_connection_update2_finish(NM_REMOTE_CONNECTION(source), result, error);

	return out != NULL;
}

/* Adds @settings as a new connection, on disk, with autoconnect blocked
 * until first used when @block_autoconnect (see build_connection()). Not cancellable: cancelling
 * the call would not stop NetworkManager from adding. */
static void
add_connection(NMClient *client, GVariant *settings, gboolean block_autoconnect,
               GAsyncReadyCallback callback, gpointer user_data)
{
	nm_client_add_connection2(
	        client, settings,
	        NM_SETTINGS_ADD_CONNECTION2_FLAG_TO_DISK |
	                (block_autoconnect ? NM_SETTINGS_ADD_CONNECTION2_FLAG_BLOCK_AUTOCONNECT
	                                   : 0),
	        NULL, TRUE, NULL, callback, user_data);
}

static void
backend_error(GTask *task, GError *error, const char *what, const char *id)
{
	g_task_return_error(task, omacp_backend_error_wrap("networkmanager", error,
	                                                   "%s connection '%s'", what, id));
}

/* --- apply ---------------------------------------------------------------- */

typedef struct {
	GDBusConnection *bus;
	NMClient *client;
	NMConnection *wanted;
	NMRemoteConnection *existing; /* the connection being updated, or the one added */
	GVariant *undo;
	gboolean created;
	gboolean had_secrets;  /* the connection held secrets before the update */
	char *id;              /* connection id, for messages */
	gboolean make_default; /* it becomes its SIM's default */
	gboolean activate;     /* and the modem switches to it now */
	GPtrArray *defaults;   /* char *, UUIDs of the SIM's default before; NULL: none */
} ApplyData;

static void
apply_data_free(ApplyData *data)
{
	g_clear_object(&data->bus);
	g_clear_object(&data->client);
	g_clear_object(&data->wanted);
	g_clear_object(&data->existing);
	g_clear_pointer(&data->undo, g_variant_unref);
	g_free(data->id);
	g_clear_pointer(&data->defaults, g_ptr_array_unref);
	g_free(data);
}

/* The active connection of another connection of @wanted's SIM (not
 * @self), or NULL when the modem is not connected that way. */
static NMActiveConnection *
active_of_sim(NMClient *client, NMConnection *wanted, NMConnection *self)
{
	const GPtrArray *active = nm_client_get_active_connections(client);

	for (guint i = 0; active != NULL && i < active->len; i++) {
		NMActiveConnection *ac = g_ptr_array_index(active, i);
		NMRemoteConnection *rc = nm_active_connection_get_connection(ac);
		const GPtrArray *devices = nm_active_connection_get_devices(ac);

		if (rc == NULL || NM_CONNECTION(rc) == self || devices == NULL ||
		    devices->len == 0 || nm_connection_get_setting_gsm(NM_CONNECTION(rc)) == NULL ||
		    !same_sim(NM_CONNECTION(rc), wanted))
			continue;
		return ac;
	}
	return NULL;
}

static void
apply_activated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(NMActiveConnection) ac =
	        nm_client_activate_connection_finish(NM_CLIENT(source), result, &error);

	/* the settings are in place and connect next time: a failed switch
	 * now is told, not undone */
	if (ac == NULL)
		g_message("networkmanager: activating connection '%s' failed: %s", data->id,
		          error->message);
	omacp_backend_task_return_applied(
	        task, nm_connection_get_uuid(NM_CONNECTION(data->existing)), data->undo);
}

/* Ends an apply; with "activate", first switches the SIM's modem from the
 * connection it runs on to the new one (undo switches back). */
static void
apply_complete(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);
	NMActiveConnection *ac = data->activate ? active_of_sim(data->client, data->wanted,
	                                                        NM_CONNECTION(data->existing))
	                                        : NULL;
	GVariantDict undo;

	if (ac == NULL) {
		omacp_backend_task_return_applied(
		        task, nm_connection_get_uuid(NM_CONNECTION(data->existing)), data->undo);
		return;
	}
	g_variant_dict_init(&undo, data->undo);
	g_variant_dict_insert(
	        &undo, "active", "s",
	        nm_connection_get_uuid(NM_CONNECTION(nm_active_connection_get_connection(ac))));
	g_clear_pointer(&data->undo, g_variant_unref);
	data->undo = g_variant_ref_sink(g_variant_dict_end(&undo));
	nm_client_activate_connection_async(
	        data->client, NM_CONNECTION(data->existing),
	        g_ptr_array_index(nm_active_connection_get_devices(ac), 0), NULL, NULL,
	        apply_activated_cb, g_object_ref(task));
}

static void
apply_defaults_off_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	/* the new connection is in place and the SIM's default: a previous
	 * default that kept autoconnect competes with it but breaks nothing */
	if (!g_task_propagate_boolean(G_TASK(result), &error))
		g_message("%s", error->message);
	apply_complete(task);
}

static void
apply_return(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);
	GVariantDict undo;

	if (data->defaults == NULL || data->defaults->len == 0) {
		apply_complete(task);
		return;
	}
	/* the SIM's previous default stops connecting on its own; undo turns
	 * it back on */
	g_ptr_array_add(data->defaults, NULL);
	g_variant_dict_init(&undo, data->undo);
	g_variant_dict_insert_value(
	        &undo, "defaults",
	        g_variant_new_strv((const char *const *) data->defaults->pdata, -1));
	g_clear_pointer(&data->undo, g_variant_unref);
	data->undo = g_variant_ref_sink(g_variant_dict_end(&undo));
	set_autoconnect_async(data->client, (const char *const *) data->defaults->pdata, FALSE,
	                      apply_defaults_off_cb, g_object_ref(task));
}

static void
rollback_delete_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	if (!nm_remote_connection_delete_finish(NM_REMOTE_CONNECTION(source), result, &error))
		g_debug("networkmanager: removing the half-made connection failed: %s",
		        error->message);
	omacp_backend_task_return_held_error(task);
}

/* Deletes the connection this apply added, then fails with @error. */
static void
rollback_created(GTask *task, GError *error)
{
	ApplyData *data = g_task_get_task_data(task);

	omacp_backend_task_hold_error(task, error);
	nm_remote_connection_delete_async(data->existing, NULL, rollback_delete_cb, task);
}

/* Fails the apply with @error (owned), deleting first the connection it
 * added, if it added one. */
static void
apply_fail(GTask *task, GError *error)
{
	ApplyData *data = g_task_get_task_data(task);

	if (data->created) {
		rollback_created(task, error);
		return;
	}
	g_task_return_error(task, error);
	g_object_unref(task);
}

static void
apply_verified_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!update_finish(source, result, &error)) {
		apply_fail(g_steal_pointer(&task),
		           g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND,
		                       "networkmanager: recording the hash of connection '%s' "
		                       "failed: %s",
		                       data->id, error->message));
		return;
	}
	apply_return(task);
}

/* NetworkManager may normalize a field differently from libnm here; the
 * stored hash must describe what it stored, or the next apply would see a
 * hand edit. Read the settings back straight from the daemon (the client's
 * cache may lag behind an Update) and fix the hash when needed. */
static void
apply_readback_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_autoptr(NMConnection) stored = NULL;
	g_autofree char *hash = NULL;
	const char *written;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	if (reply != NULL) {
		dict = g_variant_get_child_value(reply, 0);
		stored = nm_simple_connection_new_from_dbus(dict, &error);
	}
	if (stored == NULL) {
		apply_fail(g_steal_pointer(&task),
		           g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND,
		                       "networkmanager: reading back connection '%s' failed: %s",
		                       data->id, error->message));
		return;
	}
	hash = managed_hash(stored);
	written = conn_user_data(stored, OMACP_NM_USER_HASH);
	if (written != NULL && strcmp(written, hash) == 0) {
		apply_return(task);
		return;
	}
	g_debug("networkmanager: NetworkManager normalized connection '%s'; re-recording its hash",
	        data->id);
	if (!set_user_data(stored, OMACP_NM_USER_HASH, hash, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	/* no secrets in this update: NetworkManager keeps the stored ones */
	update_connection(data->existing,
	                  nm_connection_to_dbus(stored, NM_CONNECTION_SERIALIZE_ALL),
	                  apply_verified_cb, g_steal_pointer(&task));
}

static void
apply_readback(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);

	g_dbus_connection_call(data->bus, NM_BUS_NAME,
	                       nm_connection_get_path(NM_CONNECTION(data->existing)),
	                       "org.freedesktop.NetworkManager.Settings.Connection", "GetSettings",
	                       NULL, G_VARIANT_TYPE("(a{sa{sv}})"), G_DBUS_CALL_FLAGS_NONE, -1,
	                       NULL, apply_readback_cb, task);
}

static void
apply_added_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	NMRemoteConnection *rc;

	rc = nm_client_add_connection2_finish(NM_CLIENT(source), result, NULL, &error);
	if (rc == NULL) {
		backend_error(task, error, "adding", data->id);
		return;
	}
	data->existing = rc;
	data->created = TRUE;
	data->undo = g_variant_ref_sink(g_variant_new_parsed("{'created': <true>}"));
	/* cancelled while NetworkManager was adding: take it back out */
	if (g_cancellable_is_cancelled(g_task_get_cancellable(task))) {
		rollback_created(g_steal_pointer(&task),
		                 g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED,
		                                     "networkmanager: apply cancelled"));
		return;
	}
	apply_readback(g_steal_pointer(&task));
}

static void
apply_restored_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	if (!update_finish(source, result, &error))
		g_debug("networkmanager: restoring the connection after a failed update failed: %s",
		        error->message);
	omacp_backend_task_return_held_error(task);
}

static void
apply_cleared_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) previous = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	if (reply != NULL) {
		apply_readback(g_steal_pointer(&task));
		return;
	}
	/* the update went through but the old secret stayed: put back the
	 * whole previous connection rather than leave a mix */
	omacp_backend_task_hold_error(
	        task, g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND,
	                          "networkmanager: clearing the old secrets of connection '%s' "
	                          "failed: %s",
	                          data->id, error->message));
	previous = g_variant_lookup_value(data->undo, "connection", G_VARIANT_TYPE("a{sa{sv}}"));
	/* libnm takes its own reference: @previous stays ours */
	update_connection(data->existing, previous, apply_restored_cb, g_steal_pointer(&task));
}

static void
apply_updated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!update_finish(source, result, &error)) {
		backend_error(task, error, "updating", data->id);
		return;
	}
	/* the new profile has no secret: the old one must not survive */
	if (data->had_secrets && !has_secrets(data->wanted)) {
		clear_secrets(data->bus, NM_CONNECTION(data->existing), apply_cleared_cb,
		              g_steal_pointer(&task));
		return;
	}
	apply_readback(g_steal_pointer(&task));
}

static void
apply_secrets_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	NMConnection *existing = NM_CONNECTION(data->existing);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) secrets = NULL;
	g_autoptr(NMConnection) snapshot = nm_simple_connection_new_clone(existing);
	g_autoptr(NMConnection) merged = NULL;
	GVariantBuilder undo;

	if (source != NULL) {
		secrets = nm_remote_connection_get_secrets_finish(NM_REMOTE_CONNECTION(source),
		                                                  result, &error);
		if (secrets == NULL && !is_no_secrets_error(error)) {
			backend_error(task, error, "reading the secrets of", data->id);
			return;
		}
		if (secrets != NULL &&
		    !nm_connection_update_secrets(snapshot, NULL, secrets, &error)) {
			backend_error(task, error, "snapshotting", data->id);
			return;
		}
		data->had_secrets = has_secrets(snapshot);
	}
	g_variant_builder_init(&undo, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&undo, "{sv}", "created", g_variant_new_boolean(FALSE));
	g_variant_builder_add(&undo, "{sv}", "connection",
	                      nm_connection_to_dbus(snapshot, NM_CONNECTION_SERIALIZE_ALL));
	data->undo = g_variant_ref_sink(g_variant_builder_end(&undo));

	merged = merge_connection(existing, data->wanted, &error);
	if (merged == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (data->make_default)
		g_object_set(nm_connection_get_setting_connection(merged),
		             NM_SETTING_CONNECTION_AUTOCONNECT, TRUE, NULL);
	if (g_task_return_error_if_cancelled(task))
		return;
	update_connection(data->existing,
	                  nm_connection_to_dbus(merged, NM_CONNECTION_SERIALIZE_ALL),
	                  apply_updated_cb, g_steal_pointer(&task));
}

static void
nm_apply_async(OmacpBackend *backend, const OmacpProfile *profile, const char *message,
               const char *existing_id, gboolean force, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
	NmBackend *self = nm_backend(backend);
	g_autoptr(GTask) task =
	        omacp_backend_task_new(NULL, cancellable, callback, user_data, nm_apply_async);
	g_autoptr(GError) error = NULL;
	ApplyData *data;
	NMRemoteConnection *existing;
	const char *secret_setting;

	/* results are checked by hand: a cancel after the add must remove it */
	g_task_set_check_cancellable(task, FALSE);
	if (omacp_backend_task_return_if_unavailable(backend, task, "NetworkManager"))
		return;
	data = g_new0(ApplyData, 1);
	g_task_set_task_data(task, data, (GDestroyNotify) apply_data_free);
	data->bus = g_object_ref(self->bus);
	data->client = g_object_ref(self->client);
	data->id = g_strdup(profile->name);
	data->wanted = build_wanted(self, profile, message, existing_id, &existing, &error);
	if (data->wanted == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_free(data->id);
	data->id = g_strdup(nm_connection_get_id(data->wanted));
	if (makes_default(profile)) {
		g_autofree char *list = NULL;

		data->make_default = TRUE;
		data->activate = omacp_backend_dict_bool(profile->settings, "activate", FALSE);
		data->defaults =
		        previous_defaults(self->client, data->wanted,
		                          existing != NULL ? NM_CONNECTION(existing) : NULL);
		if (data->defaults->len > 0) {
			g_ptr_array_add(data->defaults, NULL);
			list = g_strjoinv(",", (char **) data->defaults->pdata);
			g_ptr_array_remove_index(data->defaults, data->defaults->len - 1);
		}
		/* what Profile.Remove puts back (the hash does not cover it) */
		if (!set_user_data(data->wanted, OMACP_NM_USER_DEFAULTS, list, &error)) {
			g_task_return_error(task, g_steal_pointer(&error));
			return;
		}
	}

	if (existing == NULL) {
		/* a cancel meanwhile: apply_added_cb takes it back out */
		add_connection(self->client,
		               nm_connection_to_dbus(data->wanted, NM_CONNECTION_SERIALIZE_ALL),
		               !makes_default(profile), apply_added_cb, g_steal_pointer(&task));
		return;
	}

	data->existing = g_object_ref(existing);
	g_free(data->id);
	data->id = g_strdup(nm_connection_get_id(NM_CONNECTION(existing)));
	if (!force && edited_by_hand(NM_CONNECTION(existing))) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		                        "networkmanager: connection '%s' (%s) was edited by hand "
		                        "since omacp wrote it; confirm to overwrite",
		                        data->id, nm_connection_get_uuid(NM_CONNECTION(existing)));
		return;
	}
	/* the undo snapshot needs the secrets, which the settings lack */
	secret_setting = secret_setting_name(NM_CONNECTION(existing));
	if (secret_setting == NULL) {
		apply_secrets_cb(NULL, NULL, g_steal_pointer(&task));
		return;
	}
	nm_remote_connection_get_secrets_async(existing, secret_setting, cancellable,
	                                       apply_secrets_cb, g_steal_pointer(&task));
}

/* --- remove ---------------------------------------------------------------- */

static void
defaults_restored_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

/* The SIM's defaults before the connection @c became it (NULL: none). */
static char **
defaults_of(NMConnection *c)
{
	const char *list = conn_user_data(c, OMACP_NM_USER_DEFAULTS);

	return list != NULL && list[0] != '\0' ? g_strsplit(list, ",", -1) : NULL;
}

static void
remove_deleted_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	NMClient *client = g_task_get_task_data(task);
	g_auto(GStrv) defaults = defaults_of(NM_CONNECTION(source));
	g_autoptr(GError) error = NULL;

	if (!nm_remote_connection_delete_finish(NM_REMOTE_CONNECTION(source), result, &error)) {
		backend_error(task, error, "deleting", nm_connection_get_id(NM_CONNECTION(source)));
		return;
	}
	if (defaults != NULL) {
		/* the SIM's default before this one is its default again */
		set_autoconnect_async(client, (const char *const *) defaults, TRUE,
		                      defaults_restored_cb, g_steal_pointer(&task));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void
nm_remove_async(OmacpBackend *backend, const char *id, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
	NmBackend *self = nm_backend(backend);
	g_autoptr(GTask) task =
	        omacp_backend_task_new(NULL, cancellable, callback, user_data, nm_remove_async);
	NMRemoteConnection *rc;

	if (omacp_backend_task_return_if_unavailable(backend, task, "NetworkManager"))
		return;
	rc = nm_client_get_connection_by_uuid(self->client, id);
	if (rc == NULL) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	g_task_set_task_data(task, g_object_ref(self->client), g_object_unref);
	nm_remote_connection_delete_async(rc, cancellable, remove_deleted_cb,
	                                  g_steal_pointer(&task));
}

/* --- undo ------------------------------------------------------------------ */

static void
undo_updated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	if (!update_finish(source, result, &error)) {
		backend_error(task, error, "restoring",
		              nm_connection_get_id(NM_CONNECTION(source)));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

typedef struct {
	NMRemoteConnection *connection;
	GVariant *previous;
} UndoData;

static void
undo_data_free(UndoData *data)
{
	g_clear_object(&data->connection);
	g_clear_pointer(&data->previous, g_variant_unref);
	g_free(data);
}

static void
undo_cleared_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	UndoData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	if (reply == NULL) {
		backend_error(task, error, "clearing the secrets of",
		              nm_connection_get_id(NM_CONNECTION(data->connection)));
		return;
	}
	update_connection(data->connection, data->previous, undo_updated_cb,
	                  g_steal_pointer(&task));
}

static void
undo_added_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NMRemoteConnection) rc = NULL;

	rc = nm_client_add_connection2_finish(NM_CLIENT(source), result, NULL, &error);
	if (rc == NULL) {
		backend_error(task, error, "re-creating", "(deleted)");
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void
undo_connection_async(OmacpBackend *backend, const char *id, GVariant *undo,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	NmBackend *self = nm_backend(backend);
	g_autoptr(GTask) task = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) previous = NULL;
	g_autoptr(NMConnection) check = NULL;
	NMRemoteConnection *rc;

	if (omacp_backend_undo_created(backend, id, undo, cancellable, callback, user_data))
		return;
	task = omacp_backend_task_new(NULL, cancellable, callback, user_data,
	                              undo_connection_async);
	if (omacp_backend_task_return_if_unavailable(backend, task, "NetworkManager"))
		return;
	previous = omacp_backend_undo_lookup(backend, undo, "connection",
	                                     G_VARIANT_TYPE("a{sa{sv}}"), id, &error);
	if (previous == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	check = nm_simple_connection_new_from_dbus(previous, &error);
	if (check == NULL) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                        "networkmanager: undo snapshot for %s is not a valid "
		                        "connection: %s",
		                        id, error->message);
		return;
	}
	rc = nm_client_get_connection_by_uuid(self->client, nm_connection_get_uuid(check));
	if (rc != NULL && !has_secrets(check)) {
		/* the previous state had no secrets; an Update without any would
		 * keep the ones the change added */
		UndoData *data = g_new0(UndoData, 1);
		data->connection = g_object_ref(rc);
		data->previous = g_steal_pointer(&previous);
		g_task_set_task_data(task, data, (GDestroyNotify) undo_data_free);
		clear_secrets(self->bus, NM_CONNECTION(rc), undo_cleared_cb,
		              g_steal_pointer(&task));
		return;
	}
	if (rc != NULL) {
		update_connection(rc, previous, undo_updated_cb, g_steal_pointer(&task));
		return;
	}
	/* deleted since: bring it back as it was, same UUID */
	add_connection(self->client, previous, TRUE, undo_added_cb, g_steal_pointer(&task));
}

typedef struct {
	NMClient *client;
	char **defaults; /* may be NULL */
	char *active;    /* the connection the modem ran on before, NULL: none */
} UndoDefaultsData;

static void
undo_defaults_data_free(UndoDefaultsData *data)
{
	g_clear_object(&data->client);
	g_strfreev(data->defaults);
	g_free(data->active);
	g_free(data);
}

static void
undo_reactivated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	UndoDefaultsData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(NMActiveConnection) ac =
	        nm_client_activate_connection_finish(NM_CLIENT(source), result, &error);

	/* the settings are back; the modem reconnects through the default */
	if (ac == NULL)
		g_message("networkmanager: activating connection %s again failed: %s", data->active,
		          error->message);
	g_task_return_boolean(task, TRUE);
}

static void
undo_defaults_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	UndoDefaultsData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	NMRemoteConnection *rc;

	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	rc = data->active != NULL ? nm_client_get_connection_by_uuid(data->client, data->active)
	                          : NULL;
	if (rc == NULL) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	nm_client_activate_connection_async(data->client, NM_CONNECTION(rc), NULL, NULL, NULL,
	                                    undo_reactivated_cb, g_steal_pointer(&task));
}

static void
undo_connection_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	UndoDefaultsData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!omacp_backend_task_finish(NULL, result, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	set_autoconnect_async(data->client, (const char *const *) data->defaults, TRUE,
	                      undo_defaults_done, g_steal_pointer(&task));
}

/* The connection as it was, then the SIM's default and the modem's active
 * connection as they were. */
static void
nm_undo_async(OmacpBackend *backend, const char *id, GVariant *undo, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
	NmBackend *self = nm_backend(backend);
	g_auto(GStrv) defaults = NULL;
	g_autofree char *active = NULL;
	GTask *task;
	UndoDefaultsData *data;

	if (undo != NULL) {
		g_variant_lookup(undo, "defaults", "^as", &defaults);
		g_variant_lookup(undo, "active", "s", &active);
	}
	if ((defaults == NULL && active == NULL) || self->client == NULL) {
		undo_connection_async(backend, id, undo, cancellable, callback, user_data);
		return;
	}
	task = omacp_backend_task_new(NULL, cancellable, callback, user_data, nm_undo_async);
	data = g_new0(UndoDefaultsData, 1);
	data->client = g_object_ref(self->client);
	data->defaults = g_steal_pointer(&defaults);
	data->active = g_steal_pointer(&active);
	g_task_set_task_data(task, data, (GDestroyNotify) undo_defaults_data_free);
	undo_connection_async(backend, id, undo, cancellable, undo_connection_done, task);
}

/* --- preview ----------------------------------------------------------------- */

static GVariant *
nm_preview(OmacpBackend *backend, const OmacpProfile *profile, const char *existing_id)
{
	NmBackend *self = nm_backend(backend);
	g_autoptr(NMConnection) wanted = NULL;
	NMConnection *existing = NULL;
	NMRemoteConnection *rc = NULL;
	GVariantBuilder b;

	if (self->client != NULL)
		wanted = build_wanted(self, profile, NULL, existing_id, &rc, NULL);
	else
		wanted = build_connection(self, profile, NULL, NULL, NULL);
	if (wanted == NULL)
		return NULL;
	existing = rc != NULL ? NM_CONNECTION(rc) : NULL;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	if (existing != NULL && edited_by_hand(existing)) {
		g_autofree char *risk = g_strdup_printf(
		        "connection '%s' was edited by hand since omacp wrote it; applying "
		        "overwrites those edits",
		        nm_connection_get_id(existing));
		g_variant_builder_add_value(&b, omacp_backend_change_entry("edited-by-hand", "true",
		                                                           "overwritten", risk));
	}
	for (gsize i = 0; i < G_N_ELEMENTS(managed_fields); i++) {
		const ManagedField *f = &managed_fields[i];
		g_autofree char *old_text =
		        existing != NULL ? render_property(existing, f->setting, f->property)
		                         : NULL;
		g_autofree char *new_text = render_property(wanted, f->setting, f->property);
		g_autofree char *field = g_strdup_printf("%s.%s", f->setting, f->property);

		if (g_strcmp0(old_text, new_text) == 0)
			continue;
		if (old_text == NULL && new_text != NULL && new_text[0] == '\0')
			continue;
		g_variant_builder_add_value(
		        &b, omacp_backend_change_entry(field, old_text, new_text, NULL));
	}
	for (gsize i = 0; i < G_N_ELEMENTS(secret_fields); i++) {
		const ManagedField *f = &secret_fields[i];
		g_autofree char *new_text = render_property(wanted, f->setting, f->property);
		g_autofree char *field = NULL;

		if (new_text == NULL || new_text[0] == '\0')
			continue;
		/* the value never leaves the daemon; the stored one is not read here */
		field = g_strdup_printf("%s.%s", f->setting, f->property);
		g_variant_builder_add_value(
		        &b, omacp_backend_change_entry(field, existing != NULL ? "(secret)" : "",
		                                       "(secret)", NULL));
	}
	return g_variant_builder_end(&b); /* floating, as the contract says */
}

/* --- availability ---------------------------------------------------------- */

/* One NMClient setup in flight; detached (self = NULL) when superseded or
 * when the backend goes away, so its callback never touches a freed backend. */
typedef struct _ClientInit {
	NmBackend *self;
	GCancellable *cancellable;
} ClientInit;

static void
client_init_detach(NmBackend *self)
{
	if (self->init == NULL)
		return;
	self->init->self = NULL;
	g_cancellable_cancel(self->init->cancellable);
	self->init = NULL;
}

static void
client_ready_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ClientInit *init = user_data;
	NmBackend *self = init->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GObject) client =
	        g_async_initable_new_finish(G_ASYNC_INITABLE(source), result, &error);

	g_object_unref(init->cancellable);
	g_free(init);
	if (self == NULL)
		return;
	self->init = NULL;
	if (client == NULL) {
		g_debug("networkmanager: client setup failed: %s", error->message);
		return;
	}
	self->client = NM_CLIENT(g_steal_pointer(&client));
	g_debug("networkmanager: NetworkManager %s is available",
	        nm_client_get_version(self->client));
	omacp_backend_notify_availability(&self->parent);
}

static void
nm_appeared_cb(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	NmBackend *self = user_data;
	ClientInit *init;

	client_init_detach(self);
	g_clear_object(&self->client);
	init = g_new0(ClientInit, 1);
	init->self = self;
	init->cancellable = g_cancellable_new();
	self->init = init;
	/* a fresh client per appearance: its init finishes only once the
	 * connection list is loaded, so apply never misses an existing one */
	g_async_initable_new_async(
	        NM_TYPE_CLIENT, G_PRIORITY_DEFAULT, init->cancellable, client_ready_cb, init,
	        NM_CLIENT_DBUS_CONNECTION, self->bus, NM_CLIENT_INSTANCE_FLAGS,
	        (guint) NM_CLIENT_INSTANCE_FLAGS_NO_AUTO_FETCH_PERMISSIONS, NULL);
}

static void
nm_vanished_cb(GDBusConnection *bus, const char *name, gpointer user_data)
{
	NmBackend *self = user_data;
	gboolean was = self->client != NULL;

	client_init_detach(self);
	g_clear_object(&self->client);
	if (was)
		omacp_backend_notify_availability(&self->parent);
}

static gboolean
nm_handles(OmacpBackend *backend, const OmacpProfile *profile)
{
	return profile->kind == OMACP_PROFILE_INTERNET || profile->kind == OMACP_PROFILE_WLAN;
}

static gboolean
nm_is_available(OmacpBackend *backend)
{
	return nm_backend(backend)->client != NULL;
}

static void
nm_free(OmacpBackend *backend)
{
	NmBackend *self = nm_backend(backend);

	if (self->watch_id != 0)
		g_bus_unwatch_name(self->watch_id);
	client_init_detach(self);
	g_clear_object(&self->client);
	g_clear_object(&self->bus);
	g_free(self);
}

static const OmacpBackendClass nm_class = {
	OMACP_BACKEND_APPLYING_CLASS(nm, "networkmanager"),
};

OmacpBackend *
omacp_backend_nm_new(GDBusConnection *bus, OmacpMbpiSource mbpi)
{
	NmBackend *self;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(bus), NULL);

	self = omacp_backend_new0(NmBackend, &nm_class);
	self->bus = g_object_ref(bus);
	self->mbpi = mbpi;
	self->watch_id =
	        g_bus_watch_name_on_connection(bus, NM_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       nm_appeared_cb, nm_vanished_cb, self, NULL);
	return &self->parent;
}

static OmacpBackend *
nm_create(const OmacpBackendSetup *setup)
{
	return omacp_backend_nm_new(setup->bus, setup->mbpi);
}

const OmacpBackendInfo omacp_backend_info_nm = {
	.name = "networkmanager",
	.create = nm_create,
};
