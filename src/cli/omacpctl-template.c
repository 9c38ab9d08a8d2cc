/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --template value options (--name, --apn, ... --psk) that `encode` and
 * `campaign` both take, and the document they make: one table, one build. */
#include "config.h"

#include <glib/gi18n.h>

#include "omacp.h"
#include "omacpctl.h"

static char *t_name, *t_apn, *t_username, *t_password, *t_auth, *t_mmsc, *t_mms_proxy, *t_ssid,
        *t_psk;

static const GOptionEntry template_entries[] = {
	{ "name", 0, 0, G_OPTION_ARG_STRING, &t_name, N_("Template: name shown to the user"),
	  "NAME" },
	{ "apn", 0, 0, G_OPTION_ARG_STRING, &t_apn, N_("Template: access point name"), "APN" },
	{ "username", 0, 0, G_OPTION_ARG_STRING, &t_username, N_("Template: user name"), "USER" },
	{ "password", 0, 0, G_OPTION_ARG_STRING, &t_password, N_("Template: password"),
	  "PASSWORD" },
	{ "auth", 0, 0, G_OPTION_ARG_STRING, &t_auth, N_("Template: pap or chap"), "AUTH" },
	{ "mmsc", 0, 0, G_OPTION_ARG_STRING, &t_mmsc, N_("Template: MMSC URL"), "URL" },
	{ "mms-proxy", 0, 0, G_OPTION_ARG_STRING, &t_mms_proxy, N_("Template: MMS proxy host:port"),
	  "HOST:PORT" },
	{ "ssid", 0, 0, G_OPTION_ARG_STRING, &t_ssid, N_("Template: WLAN SSID"), "SSID" },
	{ "psk", 0, 0, G_OPTION_ARG_STRING, &t_psk, N_("Template: WPA2 passphrase"), "PASSPHRASE" },
	{ NULL },
};

void
omacpctl_template_add_options(GOptionContext *ctx)
{
	g_option_context_add_main_entries(ctx, template_entries, GETTEXT_PACKAGE);
}

char *
omacpctl_template_build(const char *kind, GError **error)
{
	OmacpTemplateOptions o = {
		.name = t_name,
		.apn = t_apn,
		.username = t_username,
		.password = t_password,
		.auth = t_auth,
		.mmsc = t_mmsc,
		.mms_proxy = t_mms_proxy,
		.ssid = t_ssid,
		.psk = t_psk,
	};

	if (!omacp_template_kind_from_string(kind, &o.kind)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            _("unknown template '%s' (internet, mms, wlan)"), kind);
		return NULL;
	}
	return omacp_template_build(&o, error);
}
