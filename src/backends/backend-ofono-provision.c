/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The oFono provisioning file as an apply backend: the internet and MMS
 * settings omacp holds for a SIM, written for its network into the file
 * the omacp-provision oFono plugin reads (provision-file.h), so that oFono
 * finds them when it provisions that SIM afresh. */

#include <errno.h>
#include <glib/gstdio.h>

#include "backend-private.h"
#include "omacp.h"
#include "provision-file.h"

static gboolean
is_network_id(const char *mcc_mnc)
{
	gsize len = mcc_mnc != NULL ? strlen(mcc_mnc) : 0;

	if (len != 5 && len != 6)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(mcc_mnc[i]))
			return FALSE;
	}
	return TRUE;
}

static const char *
lookup_string(GVariant *dict, const char *key)
{
	const char *value = NULL;

	if (dict == NULL || !g_variant_lookup(dict, key, "&s", &value))
		return NULL;
	return value[0] != '\0' ? value : NULL;
}

static void
set_if(GKeyFile *kf, const char *group, const char *prefix, const char *key, const char *value)
{
	g_autofree char *full = NULL;

	if (value == NULL)
		return;
	full = g_strconcat(prefix, ".", key, NULL);
	g_key_file_set_string(kf, group, full, value);
}

static const char *
protocol_from_ip_type(const char *ip_type)
{
	if (g_strcmp0(ip_type, "ipv4") == 0)
		return "ip";
	if (g_strcmp0(ip_type, "ipv6") == 0)
		return "ipv6";
	if (g_strcmp0(ip_type, "ipv4v6") == 0)
		return "dual";
	return NULL;
}

static const char *
auth_from_profile(const char *auth)
{
	if (g_strcmp0(auth, "chap") == 0 || g_strcmp0(auth, "pap") == 0 ||
	    g_strcmp0(auth, "none") == 0)
		return auth;
	return NULL;
}

static void
put_context(GKeyFile *kf, const char *group, const char *prefix, const OmacpProfile *profile,
            const char *fallback_apn)
{
	const char *apn = lookup_string(profile->settings, "apn");

	if (apn == NULL)
		apn = fallback_apn;
	if (apn == NULL)
		return;
	set_if(kf, group, prefix, "Name", profile->name);
	set_if(kf, group, prefix, "AccessPointName", apn);
	set_if(kf, group, prefix, "Username", lookup_string(profile->settings, "username"));
	set_if(kf, group, prefix, "Password", lookup_string(profile->secrets, "password"));
	set_if(kf, group, prefix, "AuthenticationMethod",
	       auth_from_profile(lookup_string(profile->settings, "auth")));
	set_if(kf, group, prefix, "Protocol",
	       protocol_from_ip_type(lookup_string(profile->settings, "ip-type")));
	if (profile->kind == OMACP_PROFILE_MMS) {
		set_if(kf, group, prefix, "MessageCenter",
		       lookup_string(profile->settings, "mmsc"));
		set_if(kf, group, prefix, "MessageProxy",
		       lookup_string(profile->settings, "mms-proxy"));
	}
}

gboolean
omacp_ofono_provision_write_full(const char *path, const char *mcc_mnc, const char *spn,
                                 GPtrArray *profiles, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_autofree char *dir = NULL;
	g_autofree char *data = NULL;
	g_autofree char *comment = NULL;
	const OmacpProfile *internet = NULL;
	const OmacpProfile *mms = NULL;
	const char *internet_apn = NULL;
	gsize len = 0;

	if (path == NULL)
		path = omacp_ofono_provision_file_path();
	if (!is_network_id(mcc_mnc)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "ofono-provision: network '%s' is not MCC+MNC (5 or 6 digits)",
		            mcc_mnc != NULL ? mcc_mnc : "(null)");
		return FALSE;
	}

	/* keep the other networks; a file we cannot parse is ours and rebuilt */
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS, &local)) {
		if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			g_debug("ofono-provision: replacing unreadable %s: %s", path,
			        local->message);
		g_clear_error(&local);
		g_clear_pointer(&kf, g_key_file_free);
		kf = g_key_file_new();
	}
	g_key_file_remove_group(kf, mcc_mnc, NULL);

	for (guint i = 0; profiles != NULL && i < profiles->len; i++) {
		const OmacpProfile *profile = profiles->pdata[i];

		if (profile->op != OMACP_OP_SET)
			continue;
		if (profile->kind == OMACP_PROFILE_INTERNET && internet == NULL)
			internet = profile;
		else if (profile->kind == OMACP_PROFILE_MMS && mms == NULL)
			mms = profile;
	}
	if (internet != NULL) {
		internet_apn = lookup_string(internet->settings, "apn");
		put_context(kf, mcc_mnc, "internet", internet, NULL);
	}
	/* an MMS setting without an APN of its own shares the internet APN */
	if (mms != NULL)
		put_context(kf, mcc_mnc, "mms", mms, internet_apn);
	if (g_key_file_has_group(kf, mcc_mnc) && spn != NULL && spn[0] != '\0')
		g_key_file_set_string(kf, mcc_mnc, "Spn", spn);

	comment = g_key_file_get_comment(kf, NULL, NULL, NULL);
	if (comment == NULL)
		g_key_file_set_comment(kf, NULL, NULL,
		                       " Written by omacpd: contexts for the omacp-provision oFono "
		                       "plugin.",
		                       NULL);

	dir = g_path_get_dirname(path);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		int saved = errno;

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND,
		            "ofono-provision: cannot create %s: %s", dir, g_strerror(saved));
		return FALSE;
	}
	data = g_key_file_to_data(kf, &len, NULL);
	if (!g_file_set_contents_full(path, data, (gssize) len,
	                              G_FILE_SET_CONTENTS_CONSISTENT |
	                                      G_FILE_SET_CONTENTS_ONLY_EXISTING,
	                              0600, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BACKEND, "ofono-provision: %s",
		            local->message);
		return FALSE;
	}
	return TRUE;
}

gboolean
omacp_ofono_provision_write(const char *path, const char *mcc_mnc, GPtrArray *profiles,
                            GError **error)
{
	return omacp_ofono_provision_write_full(path, mcc_mnc, NULL, profiles, error);
}

/* ---- the backend ---- */

typedef struct {
	OmacpBackend parent;
	const OmacpSimNetworks *networks;
} ProvisionBackend;

static gboolean
provision_handles(OmacpBackend *backend, const OmacpProfile *profile)
{
	return FALSE; /* no object per profile: write_sim_settings only */
}

static gboolean
provision_is_available(OmacpBackend *backend)
{
	return TRUE;
}

static gboolean
provision_write_sim_settings(OmacpBackend *backend, const char *imsi, GPtrArray *profiles,
                             char **out_note, GError **error)
{
	const OmacpSimNetworks *networks = ((ProvisionBackend *) backend)->networks;
	g_autofree char *network = NULL;
	g_autofree char *spn = NULL;

	*out_note = NULL;
	if (networks == NULL || networks->func == NULL || imsi == NULL ||
	    !networks->func(networks->user_data, imsi, &network, &spn))
		return TRUE;
	if (!omacp_ofono_provision_write_full(NULL, network, spn, profiles, error))
		return FALSE;
	*out_note = g_strdup_printf("its internet/MMS settings written to the oFono "
	                            "provisioning file for network %s",
	                            network);
	return TRUE;
}

static void
provision_free(OmacpBackend *backend)
{
	g_free(backend);
}

static const OmacpBackendClass provision_class = {
	.name = "ofono-provision",
	.handles = provision_handles,
	.is_available = provision_is_available,
	.write_sim_settings = provision_write_sim_settings,
	.free = provision_free,
};

static OmacpBackend *
provision_create(const OmacpBackendSetup *setup)
{
	ProvisionBackend *self = omacp_backend_new0(ProvisionBackend, &provision_class);

	self->networks = setup->sim_networks;
	return &self->parent;
}

const OmacpBackendInfo omacp_backend_info_ofono_provision = {
	.name = "ofono-provision",
	.create = provision_create,
};
