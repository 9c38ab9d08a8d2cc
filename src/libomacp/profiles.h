/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Profiles: what a user would call a setting, derived from a ProvDoc:
 * internet, mms, wlan, browser, email, ds, dm, bootstrap. Each has typed
 * settings (a{sv}, never a secret), its secrets apart, a stable identity so
 * that a later message updates the same profile, and a list of risks shown
 * before the user accepts. */

#include <glib.h>

#include "provdoc.h"

G_BEGIN_DECLS

typedef enum {
	OMACP_PROFILE_INTERNET,
	OMACP_PROFILE_MMS,
	OMACP_PROFILE_WLAN,
	OMACP_PROFILE_BROWSER,
	OMACP_PROFILE_EMAIL,
	OMACP_PROFILE_DS,
	OMACP_PROFILE_DM,
	OMACP_PROFILE_BOOTSTRAP,
	OMACP_PROFILE_OTHER,
} OmacpProfileKind;

const char *omacp_profile_kind_to_string(OmacpProfileKind kind); /* "internet", ... */
gboolean omacp_profile_kind_from_string(const char *text, OmacpProfileKind *out);

typedef struct {
	OmacpProfileKind kind;
	OmacpOp op;         /* SET, or REMOVE for an MSPROV nocharacteristic */
	char *identity;     /* "internet:NAP1", "mms:CHT_MMS", "wlan:HomeNet", "dm:PLT", ... */
	char *name;         /* human name (NAME parm), never NULL */
	char *imsi;         /* the SIM it is for, NULL when unknown */
	GVariant *settings; /* a{sv}, non-floating; secrets only as "<x>-set" booleans */
	GVariant *secrets;  /* a{sv} of secrets ("password", "psk", ...), NULL when none */
	GPtrArray *risks;   /* char *, human-readable */
	/* GStrv per risk, in the order of @risks: a stable code (dbus/README.md,
	 * "Risk codes") followed by its arguments, for clients that render the
	 * risk in the user's language */
	GPtrArray *risk_codes;
} OmacpProfile;

void omacp_profile_free(OmacpProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpProfile, omacp_profile_free)

/* Profiles one message may make; a document that derives more is refused
 * (TooLarge): real operator messages carry a handful, and hundreds of
 * them bury the few risky ones a user must see. */
#define OMACP_PROFILES_MAX_PER_MESSAGE 64

/* Derives the profiles of a document (rules and identities: top of
 * profiles.c). Settings keys (absent when the document does not say):
 *  internet: napid, apn, bearer, username, password-set (b), auth ("pap"/"chap"; absent
 *            when the NAPDEF has no NAPAUTHINFO), ip-type ("ipv4v6" default, "ipv4",
 *            "ipv6" from LOCAL-ADDRTYPE), dns (as), proxy ("host:port", an HTTP proxy) or
 *            wap-gateway ("host:port", a WSP gateway: port 9200..9203 or SERVICE *-WSP)
 *  mms:      mmsc, mms-proxy ("host:port") or wap-gateway, napid, apn, username,
 *            password-set, auth, ip-type
 *  wlan:     ssid, hidden (b), mode ("infrastructure"/"adhoc"), security ("none"/"wep"/
 *            "wpa-psk"/"wpa2-psk"/"wpa-eap"/"wpa2-eap"/"ieee8021x"), eap-type ("peap",
 *            "tls", ...), username, password-set, psk-set, wep-key-set, napid;
 *            secrets psk, password, wep-key<INDEX>
 *  browser:  startpage, bookmarks (aa{ss} uri/name), proxy or wap-gateway, napid
 *  email:    protocol ("smtp"/"pop3"/"imap"), host, port (u), security ("ssl"/"starttls"/
 *            "none"), username, password-set, from, server-id, auth (as for dm)
 *  ds/dm:    server-id, name, address, port (u), auth-type, username, password-set
 *            (of the CLIENT-level APPAUTH, else the first), auth (aa{sv}: level, type,
 *            username, password-set, nonce-set), napid; ds: databases (aa{ss} uri, name,
 *            accept, sync-type); dm: init (b); secrets <level>-password, <level>-nonce
 *  bootstrap: name, provurl, context-allow (u), proxy-id (only a BOOTSTRAP with PROVURL)
 *  other:    type ("napdef": napid, bearer, address, address-type; "application": appid,
 *            server-id, address)
 * A REMOVE profile (MSPROV nocharacteristic) has empty settings.
 * Returns a GPtrArray of OmacpProfile *, possibly empty. */
GPtrArray *omacp_profiles_from_doc(const OmacpProvDoc *doc, const char *imsi);
/* The same, appending to @warnings (char *, may be NULL) what the
 * document says that no profile uses: "<path>: <what>; <consequence>". */
GPtrArray *omacp_profiles_derive(const OmacpProvDoc *doc, const char *imsi, GPtrArray *warnings);

/* mobile-broadband-provider-info (serviceproviders.xml), parsed from octets
 * the caller read: the core opens no file. Load it once and pass it in. */
typedef struct _OmacpMbpi OmacpMbpi;

/* NULL with an error when @data is not well-formed XML; a document with
 * another root element is an empty database. */
OmacpMbpi *omacp_mbpi_new_from_data(const char *data, gsize len, GError **error);
void omacp_mbpi_free(OmacpMbpi *mbpi);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpMbpi, omacp_mbpi_free)
/* Whether the database lists a network with exactly this MCC and MNC
 * ("244", "91"). */
gboolean omacp_mbpi_has_network(const OmacpMbpi *mbpi, const char *mcc, const char *mnc);

/* Compares internet/mms profiles with @mbpi for the MCC/MNC of @imsi and
 * appends a risk to each profile whose APN (or MMSC) the database does not
 * list for that operator. No-op when @mbpi or @imsi is NULL or the database
 * has no entry for its network. */
void omacp_profiles_check_mbpi(GPtrArray *profiles, const OmacpMbpi *mbpi, const char *imsi);

G_END_DECLS
