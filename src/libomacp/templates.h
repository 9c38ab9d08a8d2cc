/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Provisioning documents for the common cases, so that an operator or a
 * tester needs no document at hand: `omacpctl encode --template ...`. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	OMACP_TEMPLATE_INTERNET,
	OMACP_TEMPLATE_MMS,
	OMACP_TEMPLATE_WLAN,
} OmacpTemplateKind;

gboolean omacp_template_kind_from_string(const char *text, OmacpTemplateKind *out);

typedef struct {
	OmacpTemplateKind kind;
	const char *name;      /* NAME shown to the user; default: the APN or SSID */
	const char *apn;       /* internet, mms */
	const char *username;  /* optional */
	const char *password;  /* optional */
	const char *auth;      /* "pap" (default when a username is given) or "chap" */
	const char *mmsc;      /* mms: URL of the MMSC */
	const char *mms_proxy; /* mms: "host:port", optional */
	const char *ssid;      /* wlan */
	const char *psk;       /* wlan: WPA2 passphrase (8..63 characters); none = open */
} OmacpTemplateOptions;

/* Returns the document as XML text, or NULL with OMACP_ERROR_INVALID_ARGS
 * naming the missing or bad option. */
char *omacp_template_build(const OmacpTemplateOptions *options, GError **error);

G_END_DECLS
