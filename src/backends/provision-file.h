/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The file omacpd writes and the omacp-provision oFono plugin reads: the
 * internet and MMS contexts omacp holds for a network (MCC+MNC). A keyfile,
 * one group per network, keys named after oFono's context properties:
 *
 *   [23415]
 *   Spn=Example            (optional: only SIMs with this SPN)
 *   internet.Name=Example Internet
 *   internet.AccessPointName=internet.example
 *   internet.Username=user
 *   internet.Password=secret
 *   internet.AuthenticationMethod=chap | pap | none
 *   internet.Protocol=ip | ipv6 | dual
 *   mms.Name=..., mms.AccessPointName=..., ..., mms.MessageCenter=http://...,
 *   mms.MessageProxy=host:port
 *
 * This header is glib-only: the plugin compiles provision-file.c's reader
 * into ofonod, without the omacp core. */

#include <glib.h>

G_BEGIN_DECLS

#define OMACP_OFONO_PROVISION_FILE     "/var/lib/omacp/ofono-provision.conf"
#define OMACP_OFONO_PROVISION_FILE_ENV "OMACP_OFONO_PROVISION_FILE"
/* The plugin refuses bigger files. */
#define OMACP_OFONO_PROVISION_MAX_FILE_SIZE (256 * 1024)

typedef struct {
	char *name;
	char *apn;
	char *username;
	char *password;
	char *auth;           /* "chap", "pap", "none" or NULL (oFono's default) */
	char *protocol;       /* "ip", "ipv6", "dual" or NULL */
	char *message_center; /* mms only */
	char *message_proxy;  /* mms only */
} OmacpOfonoContextSettings;

void omacp_ofono_context_settings_free(OmacpOfonoContextSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpOfonoContextSettings, omacp_ofono_context_settings_free)

/* The path in effect: $OMACP_OFONO_PROVISION_FILE or the default. */
const char *omacp_ofono_provision_file_path(void);

/* Looks up the network @mcc/@mnc (@spn may be NULL). On success *@internet
 * and *@mms are set (either may be NULL, not both). Fails with
 * G_FILE_ERROR_NOENT (no file), G_KEY_FILE_ERROR_GROUP_NOT_FOUND (network not
 * listed or SPN differs) or another error for a broken file. */
gboolean omacp_ofono_provision_lookup(const char *path, const char *mcc, const char *mnc,
                                      const char *spn, OmacpOfonoContextSettings **internet,
                                      OmacpOfonoContextSettings **mms, GError **error);

/* Writes the internet and MMS settings of @profiles (OmacpProfile *, the
 * first SET profile of each kind counts) for the network @mcc_mnc (5 or 6
 * digits) into the file read by the omacp-provision oFono plugin (@path NULL:
 * omacp_ofono_provision_file_path()), mode 0600, atomically, keeping the
 * other networks. No internet/mms profile removes the network. @spn (may be
 * NULL) limits the entry to SIMs with that service provider name. Daemon
 * side (provision-write.c, which needs the omacp core). */
gboolean omacp_ofono_provision_write(const char *path, const char *mcc_mnc, GPtrArray *profiles,
                                     GError **error);
gboolean omacp_ofono_provision_write_full(const char *path, const char *mcc_mnc, const char *spn,
                                          GPtrArray *profiles, GError **error);

G_END_DECLS
