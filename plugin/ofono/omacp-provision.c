/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * omacp-provision: an oFono plugin (loaded by ofonod from its plugin
 * directory) with a gprs-provision driver that answers with the internet and
 * MMS contexts omacpd stored for the SIM's network, ahead of oFono's own
 * providers (mobile-broadband-provider-info, file provisioning).
 *
 * oFono 1.31 asks drivers by MCC, MNC and SPN, not by IMSI; omacpd therefore
 * writes its settings per MCC+MNC (optionally per SPN) into a keyfile, see
 * provision-file.h. Any failure answers -ENOENT, so oFono falls through to
 * the next provider.
 */

#include <errno.h>
#include <glib.h>

#define OFONO_API_SUBJECT_TO_CHANGE
#include <ofono/gprs-provision.h>
#include <ofono/log.h>
#include <ofono/plugin.h>
#include <ofono/types.h>

#include "provision-file.h"

/* consulted before the built-in providers (priority 0) */
#define OMACP_PROVISION_PRIORITY 100

/* The file's words for oFono's enumerations. */
typedef struct {
	const char *text;
	int value;
} Word;

static const Word auth_methods[] = {
	{ "pap", OFONO_GPRS_AUTH_METHOD_PAP },
	{ "none", OFONO_GPRS_AUTH_METHOD_NONE },
	{ NULL, OFONO_GPRS_AUTH_METHOD_CHAP }, /* oFono's default */
};

static const Word protocols[] = {
	{ "ipv6", OFONO_GPRS_PROTO_IPV6 },
	{ "dual", OFONO_GPRS_PROTO_IPV4V6 },
	{ NULL, OFONO_GPRS_PROTO_IP },
};

/* The value of @text in @words, else that of their last (NULL) entry. */
static int
value_of(const Word *words, const char *text)
{
	while (words->text != NULL && g_strcmp0(words->text, text) != 0)
		words++;
	return words->value;
}

/* oFono frees the array and every string with g_free */
static void
fill(struct ofono_gprs_provision_data *out, enum ofono_gprs_context_type type,
     const OmacpOfonoContextSettings *ctx, const char *default_name)
{
	out->type = type;
	out->proto = (enum ofono_gprs_proto) value_of(protocols, ctx->protocol);
	out->name = g_strdup(ctx->name != NULL ? ctx->name : default_name);
	out->apn = g_strdup(ctx->apn);
	out->username = g_strdup(ctx->username);
	out->password = g_strdup(ctx->password);
	out->auth_method = (enum ofono_gprs_auth_method) value_of(auth_methods, ctx->auth);
	if (type == OFONO_GPRS_CONTEXT_TYPE_MMS) {
		out->message_center = g_strdup(ctx->message_center);
		out->message_proxy = g_strdup(ctx->message_proxy);
	}
}

static int
omacp_get_settings(const char *mcc, const char *mnc, const char *spn,
                   struct ofono_gprs_provision_data **settings, int *count)
{
	g_autoptr(OmacpOfonoContextSettings) internet = NULL;
	g_autoptr(OmacpOfonoContextSettings) mms = NULL;
	g_autoptr(GError) error = NULL;
	const char *path = omacp_ofono_provision_file_path();
	struct ofono_gprs_provision_data *out;
	int n = 0;

	if (!omacp_ofono_provision_lookup(path, mcc, mnc, spn, &internet, &mms, &error)) {
		DBG("omacp-provision: %s%s: %s", mcc != NULL ? mcc : "?", mnc != NULL ? mnc : "?",
		    error->message);
		return -ENOENT;
	}

	out = g_new0(struct ofono_gprs_provision_data, 2);
	if (internet != NULL)
		fill(&out[n++], OFONO_GPRS_CONTEXT_TYPE_INTERNET, internet, "Internet");
	if (mms != NULL)
		fill(&out[n++], OFONO_GPRS_CONTEXT_TYPE_MMS, mms, "MMS");
	ofono_info("omacp-provision: %d context(s) for %s%s from %s", n, mcc, mnc, path);
	*settings = out;
	*count = n;
	return 0;
}

static struct ofono_gprs_provision_driver omacp_provision_driver = {
	.name = "omacp",
	.priority = OMACP_PROVISION_PRIORITY,
	.get_settings = omacp_get_settings,
};

static int
omacp_provision_init(void)
{
	return ofono_gprs_provision_driver_register(&omacp_provision_driver);
}

static void
omacp_provision_exit(void)
{
	ofono_gprs_provision_driver_unregister(&omacp_provision_driver);
}

OFONO_PLUGIN_DEFINE(omacp_provision, "omacp stored-settings GPRS provisioning", OFONO_VERSION,
                    OFONO_PLUGIN_PRIORITY_DEFAULT, omacp_provision_init, omacp_provision_exit)
