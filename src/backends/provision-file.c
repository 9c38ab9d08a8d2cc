/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the oFono provisioning file (glib only: also built into the oFono
 * plugin). */

#include "provision-file.h"

#include <string.h>

void
omacp_ofono_context_settings_free(OmacpOfonoContextSettings *settings)
{
	if (settings == NULL)
		return;
	g_free(settings->name);
	g_free(settings->apn);
	g_free(settings->username);
	if (settings->password != NULL) {
		memset(settings->password, 0, strlen(settings->password));
		g_free(settings->password);
	}
	g_free(settings->auth);
	g_free(settings->protocol);
	g_free(settings->message_center);
	g_free(settings->message_proxy);
	g_free(settings);
}

const char *
omacp_ofono_provision_file_path(void)
{
	const char *env = g_getenv(OMACP_OFONO_PROVISION_FILE_ENV);

	if (env != NULL && env[0] != '\0')
		return env;
	return OMACP_OFONO_PROVISION_FILE;
}

static char *
get_key(GKeyFile *kf, const char *group, const char *prefix, const char *key)
{
	g_autofree char *full = g_strconcat(prefix, ".", key, NULL);
	g_autofree char *value = g_key_file_get_string(kf, group, full, NULL);

	if (value == NULL || g_strstrip(value)[0] == '\0')
		return NULL;
	return g_steal_pointer(&value);
}

static gboolean
one_of(const char *value, const char *const *allowed)
{
	return value == NULL || g_strv_contains(allowed, value);
}

static gboolean
read_context(GKeyFile *kf, const char *group, const char *prefix, OmacpOfonoContextSettings **out,
             GError **error)
{
	static const char *const auths[] = { "chap", "pap", "none", NULL };
	static const char *const protos[] = { "ip", "ipv6", "dual", NULL };
	g_autoptr(OmacpOfonoContextSettings) ctx = g_new0(OmacpOfonoContextSettings, 1);

	ctx->apn = get_key(kf, group, prefix, "AccessPointName");
	if (ctx->apn == NULL) {
		*out = NULL;
		return TRUE;
	}
	ctx->name = get_key(kf, group, prefix, "Name");
	ctx->username = get_key(kf, group, prefix, "Username");
	ctx->password = get_key(kf, group, prefix, "Password");
	ctx->auth = get_key(kf, group, prefix, "AuthenticationMethod");
	ctx->protocol = get_key(kf, group, prefix, "Protocol");
	ctx->message_center = get_key(kf, group, prefix, "MessageCenter");
	ctx->message_proxy = get_key(kf, group, prefix, "MessageProxy");
	if (!one_of(ctx->auth, auths)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "provision file: [%s] %s.AuthenticationMethod '%s' is not chap, pap "
		            "or none",
		            group, prefix, ctx->auth);
		return FALSE;
	}
	if (!one_of(ctx->protocol, protos)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "provision file: [%s] %s.Protocol '%s' is not ip, ipv6 or dual", group,
		            prefix, ctx->protocol);
		return FALSE;
	}
	*out = g_steal_pointer(&ctx);
	return TRUE;
}

gboolean
omacp_ofono_provision_lookup(const char *path, const char *mcc, const char *mnc, const char *spn,
                             OmacpOfonoContextSettings **internet, OmacpOfonoContextSettings **mms,
                             GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(OmacpOfonoContextSettings) inet = NULL;
	g_autoptr(OmacpOfonoContextSettings) mmsctx = NULL;
	g_autofree char *contents = NULL;
	g_autofree char *group = NULL;
	g_autofree char *want_spn = NULL;
	gsize len = 0;

	if (mcc == NULL || mnc == NULL) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
		            "provision file: no MCC/MNC to look up");
		return FALSE;
	}
	if (!g_file_get_contents(path, &contents, &len, error))
		return FALSE;
	if (len > OMACP_OFONO_PROVISION_MAX_FILE_SIZE) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		            "provision file: %s has %" G_GSIZE_FORMAT
		            " octets, more than the %d allowed",
		            path, len, OMACP_OFONO_PROVISION_MAX_FILE_SIZE);
		return FALSE;
	}
	if (!g_key_file_load_from_data(kf, contents, len, G_KEY_FILE_NONE, error))
		return FALSE;

	group = g_strconcat(mcc, mnc, NULL);
	if (!g_key_file_has_group(kf, group)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
		            "provision file: no [%s]", group);
		return FALSE;
	}
	want_spn = g_key_file_get_string(kf, group, "Spn", NULL);
	if (want_spn != NULL && g_strstrip(want_spn)[0] != '\0' && g_strcmp0(want_spn, spn) != 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
		            "provision file: [%s] is for SPN '%s', not '%s'", group, want_spn,
		            spn != NULL ? spn : "");
		return FALSE;
	}
	if (!read_context(kf, group, "internet", &inet, error) ||
	    !read_context(kf, group, "mms", &mmsctx, error))
		return FALSE;
	if (inet == NULL && mmsctx == NULL) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
		            "provision file: [%s] has no internet.AccessPointName nor "
		            "mms.AccessPointName",
		            group);
		return FALSE;
	}
	*internet = g_steal_pointer(&inet);
	*mms = g_steal_pointer(&mmsctx);
	return TRUE;
}
