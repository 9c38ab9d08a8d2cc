/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The typed provisioning document.
 *
 * Three passes over the document tree (internal/doc-tree.h: what the WBXML
 * decoder makes, or a libxml2 tree read into that shape):
 *  1. build: every characteristic / parm (and the MSPROV nocharacteristic,
 *     noparm, characteristic-query, parm-query) becomes an
 *     OmacpCharacteristic / OmacpParm with a path; each characteristic is
 *     checked against the catalogue below (nesting, parm names, cardinality,
 *     value vocabularies, identifier lengths, mandatory parms);
 *  2. document rules: duplicate NAPID / PROXY-ID / APPREF / CLIENTIDENTITY /
 *     PROVURL bootstrap (the first one wins), w7 without PROVIDER-ID, ACCESS
 *     whose first parm is not RULE;
 *  3. links: dangling TO-NAPID / TO-PROXY / TO-APPREF / BOOTSTRAP PROXY-ID
 *     are removed; a PXPHYSICAL left without a TO-NAPID is dropped, then a
 *     PXLOGICAL left without a PXPHYSICAL, and an ACCESS left without target.
 *
 * Nothing is thrown away: rejected items stay in the tree with valid=FALSE
 * (and known=FALSE for names the catalogue does not have), and every
 * decision is a warning "<path>: <what>; <consequence>". Warnings never
 * quote the value of a secret parm.
 *
 * Catalogue: ProvCont 1.1 as enforced by the most complete public
 * implementation (see the digest §5), plus the late WLAN family,
 * BEARERINFO and DNS-ADDRINFO. Where the digest gives no parm list
 * (VENDORCONFIG, BEARERINFO, DNS-ADDRINFO) any parm is accepted. */
#include "provdoc.h"

#include <string.h>

#include "arena.h"
#include "doc-tree.h"
#include "omacp-error.h"
#include "wbxml.h"

/* @s equals the literal @lit (and is not NULL): the first octet decides
 * most comparisons without a call. */
static inline gboolean
str_is(const char *s, const char *lit)
{
	return s != NULL && s[0] == lit[0] && strcmp(s, lit) == 0;
}

/* ------------------------------------------------------------------------ */
/* Catalogue */

typedef enum {
	CARD_ONE,  /* 1: exactly once, mandatory */
	CARD_OPT,  /* ?: at most once */
	CARD_ANY,  /* *: any number */
	CARD_MANY, /* +: at least once */
} Card;

typedef enum {
	VOCAB_ANY,
	VOCAB_NONEMPTY,
	VOCAB_NUMBER, /* decimal, 0..G_MAXUINT32 */
	VOCAB_PORT,   /* decimal, 0..65535 */
	VOCAB_BOOL,   /* "0" / "1" */
	VOCAB_BYTE,   /* decimal, 0..255 */
	VOCAB_MCC,    /* three decimal digits */
	VOCAB_LINKSPEED,
	VOCAB_BEARER,
	VOCAB_ADDRTYPE,
	VOCAB_AUTHTYPE,
	VOCAB_PXAUTHTYPE,
	VOCAB_CALLTYPE,
	VOCAB_SERVICE,
	VOCAB_AUTH_ENTITY,
	VOCAB_SECMODE,
	VOCAB_NETMODE,
	VOCAB_WEPAUTHMODE,
	VOCAB_EAPTYPE,
	VOCAB_CERTTYPE,
	VOCAB_IPADDR, /* an IPv4 dotted quad (zero-padded octets allowed) or an IPv6 literal */
} Vocab;

enum {
	P_FLAG = 1 << 0,  /* may come without a value */
	P_IDENT = 1 << 1, /* an identifier: value longer than OMACP_PROVDOC_MAX_NAME is dropped */
	P_SOFT = 1 << 2,  /* mandatory, but missing only warns (a local label nobody references) */
	P_TRIM = 1 << 3,  /* white space around the value is removed (identifiers too) */
};

typedef struct {
	const char *name;
	Card card;
	Vocab vocab;
	guint flags;
} ParmSpec;

enum {
	C_ANY_PARMS = 1 << 0, /* parm names not in the list are accepted (known) */
	C_SINGLE = 1 << 1,    /* at most one per parent (CLIENTIDENTITY) */
	C_APPLICATION = 1 << 2,
};

typedef struct {
	const char *type;
	const char *parents[3]; /* "" = the document root; unused slots NULL */
	const ParmSpec *parms;
	guint n_parms;
	guint flags;
	const char *required_child; /* "+" child, checked after link resolution */
} CharSpec;

static const char *const bearer_words[] = {
	"GSM-USSD",
	"GSM-SMS",
	"GSM-CSD",
	"GSM-GPRS",
	"ANSI-136-GUTS",
	"ANSI-136-CSD",
	"ANSI-136-GPRS",
	"ANSI-136-GHOST",
	"IS-95-CDMA-SMS",
	"IS-95-CDMA-CSD",
	"IS-95-CDMA-PACKET",
	"CDMA2000-1X-SIMPLE-IP",
	"CDMA2000-1X-MOBILE-IP",
	"AMPS-CDPD",
	"PDC-CSD",
	"PDC-PACKET",
	"IDEN-SMS",
	"IDEN-CSD",
	"IDEN-PACKET",
	"FLEX/REFLEX",
	"PHS-SMS",
	"PHS-CSD",
	"TETRA-SDS",
	"TETRA-PACKET",
	"MOBITEX-MPAK",
	"3G-GSM",
	"WLAN",
	NULL,
};
static const char *const addrtype_words[] = {
	"IPV4", "IPV6", "E164", "ALPHA", "APN", "SCODE", "TETRA-ITSI", "MAN", NULL,
};
static const char *const authtype_words[] = { "PAP", "CHAP", "MD5", NULL };
static const char *const pxauthtype_words[] = { "HTTP-BASIC", "HTTP-DIGEST", "WTLS-SS", NULL };
static const char *const calltype_words[] = {
	"ANALOG-MODEM", "V.120",           "V.110",
	"X.31",         "BIT-TRANSPARENT", "DIRECT-ASYNCHRONOUS-DATA-SERVICE",
	NULL,
};
static const char *const service_words[] = {
	"CL-WSP",      "CO-WSP",          "CL-SEC-WSP",  "CO-SEC-WSP",
	"CL-SEC-WTA",  "CO-SEC-WTA",      "OTA-HTTP-TO", "OTA-HTTP-TLS-TO",
	"OTA-HTTP-PO", "OTA-HTTP-TLS-PO", NULL,
};
static const char *const auth_entity_words[] = { "AAA", "HA", NULL };
static const char *const secmode_words[] = {
	"WEP", "WPA", "WPA2", "8021X", "WPA-PRESHARED-KEY", "WPA2-PRESHARED-KEY", NULL,
};
static const char *const netmode_words[] = { "ADHOC", "INFRA", NULL };
static const char *const wepauthmode_words[] = { "OPEN", "SHARED", NULL };
static const char *const eaptype_words[] = {
	"EAP-SIM",  "EAP-AKA",      "EAP-TLS", "EAP-PEAP", "EAP-TTLS",
	"EAP-LEAP", "EAP-MSCHAPV2", "EAP-GTC", "EAP-FAST", NULL,
};
static const char *const certtype_words[] = { "USER", "CA", NULL };

#define N(a) G_N_ELEMENTS(a)

static const ParmSpec pxlogical_parms[] = {
	{ "PROXY-ID", CARD_ONE, VOCAB_NONEMPTY, P_IDENT },
	/* Windows' PXLOGICAL CSP does not require NAME; Symbian and MediaTek
	 * use a default name: missing, it only warns. */
	{ "NAME", CARD_ONE, VOCAB_ANY, P_IDENT | P_SOFT },
	{ "PROXY-PW", CARD_OPT, VOCAB_ANY, 0 },
	{ "PPGAUTH-TYPE", CARD_OPT, VOCAB_PXAUTHTYPE, 0 },
	{ "PROXY-PROVIDER-ID", CARD_OPT, VOCAB_ANY, P_IDENT },
	{ "DOMAIN", CARD_ANY, VOCAB_ANY, 0 },
	{ "TRUST", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "MASTER", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "STARTPAGE", CARD_OPT, VOCAB_ANY, 0 },
	{ "BASAUTH-ID", CARD_OPT, VOCAB_ANY, 0 },
	{ "BASAUTH-PW", CARD_OPT, VOCAB_ANY, 0 },
	{ "WSP-VERSION", CARD_OPT, VOCAB_ANY, 0 },
	{ "PUSHENABLED", CARD_OPT, VOCAB_BOOL, 0 },
	{ "PULLENABLED", CARD_OPT, VOCAB_BOOL, 0 },
};

static const ParmSpec pxphysical_parms[] = {
	{ "PHYSICAL-PROXY-ID", CARD_ONE, VOCAB_ANY, P_IDENT | P_SOFT },
	/* Empty (or 0.0.0.0) means "no proxy" in real pushes: the PXPHYSICAL
	 * and the link through it stay. */
	{ "PXADDR", CARD_ONE, VOCAB_ANY, P_SOFT },
	{ "PXADDRTYPE", CARD_OPT, VOCAB_ADDRTYPE, 0 },
	{ "PXADDR-FQDN", CARD_OPT, VOCAB_ANY, 0 },
	{ "TO-NAPID", CARD_MANY, VOCAB_NONEMPTY, P_IDENT },
	{ "DOMAIN", CARD_ANY, VOCAB_ANY, 0 },
	{ "WSP-VERSION", CARD_OPT, VOCAB_ANY, 0 },
	{ "PUSHENABLED", CARD_OPT, VOCAB_BOOL, 0 },
	{ "PULLENABLED", CARD_OPT, VOCAB_BOOL, 0 },
};

static const ParmSpec pxauthinfo_parms[] = {
	{ "PXAUTH-TYPE", CARD_ONE, VOCAB_PXAUTHTYPE, 0 },
	{ "PXAUTH-ID", CARD_OPT, VOCAB_ANY, 0 },
	{ "PXAUTH-PW", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec port_parms[] = {
	{ "PORTNBR", CARD_ONE, VOCAB_PORT, 0 },
	{ "SERVICE", CARD_ANY, VOCAB_SERVICE, 0 },
};

static const ParmSpec napdef_parms[] = {
	{ "NAPID", CARD_ONE, VOCAB_NONEMPTY, P_IDENT },
	/* Symbian's access-point adapter uses a default name. */
	{ "NAME", CARD_ONE, VOCAB_ANY, P_IDENT | P_SOFT },
	{ "NAP-ADDRESS", CARD_ONE, VOCAB_ANY, P_SOFT | P_TRIM },
	{ "NAP-ADDRTYPE", CARD_OPT, VOCAB_ADDRTYPE, 0 },
	{ "BEARER", CARD_ANY, VOCAB_BEARER, 0 },
	{ "CALLTYPE", CARD_OPT, VOCAB_CALLTYPE, 0 },
	{ "LOCAL-ADDR", CARD_OPT, VOCAB_ANY, 0 },
	{ "LOCAL-ADDRTYPE", CARD_OPT, VOCAB_ADDRTYPE, 0 },
	{ "LINKSPEED", CARD_OPT, VOCAB_LINKSPEED, 0 },
	{ "DNLINKSPEED", CARD_OPT, VOCAB_LINKSPEED, 0 },
	{ "LINGER", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "INTERNET", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "DNS-ADDR", CARD_ANY, VOCAB_IPADDR, P_TRIM },
	{ "DELIVERY-ERR-SDU", CARD_OPT, VOCAB_ANY, 0 },
	{ "DELIVERY-ORDER", CARD_OPT, VOCAB_ANY, 0 },
	{ "TRAFFIC-CLASS", CARD_OPT, VOCAB_ANY, 0 },
	{ "MAX-SDU-SIZE", CARD_OPT, VOCAB_ANY, 0 },
	{ "MAX-BITRATE-UPLINK", CARD_OPT, VOCAB_ANY, 0 },
	{ "MAX-BITRATE-DNLINK", CARD_OPT, VOCAB_ANY, 0 },
	{ "RESIDUAL-BER", CARD_OPT, VOCAB_ANY, 0 },
	{ "SDU-ERROR-RATIO", CARD_OPT, VOCAB_ANY, 0 },
	{ "TRAFFIC-HANDL-PRIO", CARD_OPT, VOCAB_ANY, 0 },
	{ "TRANSFER-DELAY", CARD_OPT, VOCAB_ANY, 0 },
	{ "GUARANTEED-BITRATE-UPLINK", CARD_OPT, VOCAB_ANY, 0 },
	{ "GUARANTEED-BITRATE-DNLINK", CARD_OPT, VOCAB_ANY, 0 },
	{ "MAX-NUM-RETRY", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "FIRST-RETRY-TIMEOUT", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "REREG-THRESHOLD", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "T-BIT", CARD_OPT, VOCAB_ANY, P_FLAG },
};

static const ParmSpec napauthinfo_parms[] = {
	{ "AUTHTYPE", CARD_ONE, VOCAB_AUTHTYPE, 0 },
	{ "AUTHNAME", CARD_OPT, VOCAB_ANY, 0 },
	{ "AUTHSECRET", CARD_OPT, VOCAB_ANY, 0 },
	{ "AUTH-ENTITY", CARD_ANY, VOCAB_AUTH_ENTITY, 0 },
	{ "SPI", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec validity_parms[] = {
	{ "COUNTRY", CARD_OPT, VOCAB_MCC, 0 },       { "NETWORK", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "SID", CARD_OPT, VOCAB_ANY, 0 },           { "SOC", CARD_OPT, VOCAB_ANY, 0 },
	{ "VALIDUNTIL", CARD_OPT, VOCAB_NUMBER, 0 },
};

static const ParmSpec bootstrap_parms[] = {
	{ "NAME", CARD_OPT, VOCAB_ANY, P_IDENT },
	{ "PROVURL", CARD_OPT, VOCAB_NONEMPTY, 0 },
	{ "CONTEXT-ALLOW", CARD_OPT, VOCAB_BYTE, 0 },
	{ "COUNTRY", CARD_OPT, VOCAB_MCC, 0 },
	{ "NETWORK", CARD_ANY, VOCAB_ANY, 0 },
	{ "PROXY-ID", CARD_ANY, VOCAB_NONEMPTY, P_IDENT },
};

static const ParmSpec clientidentity_parms[] = {
	{ "CLIENT-ID", CARD_ONE, VOCAB_NONEMPTY, P_IDENT },
};

static const ParmSpec vendorconfig_parms[] = {
	{ "NAME", CARD_ONE, VOCAB_ANY, P_IDENT },
};

/* Generic APPLICATION parms, then the application-specific ones seen in
 * registered applications (all accepted for any well-known APPID). */
static const ParmSpec application_parms[] = {
	{ "APPID", CARD_ONE, VOCAB_NONEMPTY, P_IDENT },
	{ "NAME", CARD_OPT, VOCAB_ANY, P_IDENT },
	{ "PROVIDER-ID", CARD_OPT, VOCAB_ANY, P_IDENT },
	{ "AACCEPT", CARD_OPT, VOCAB_ANY, 0 },
	{ "APROTOCOL", CARD_OPT, VOCAB_ANY, 0 },
	{ "ADDR", CARD_ANY, VOCAB_ANY, 0 },
	{ "TO-PROXY", CARD_ANY, VOCAB_NONEMPTY, P_IDENT },
	{ "TO-NAPID", CARD_ANY, VOCAB_NONEMPTY, P_IDENT },
	{ "APPREF", CARD_OPT, VOCAB_NONEMPTY, P_IDENT },
	{ "TO-APPREF", CARD_ANY, VOCAB_NONEMPTY, P_IDENT },
	{ "FROM", CARD_OPT, VOCAB_ANY, 0 },
	{ "INIT", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "CIDPREFIX", CARD_OPT, VOCAB_ANY, 0 },
	{ "CM", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "RM", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "MS", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "Ma", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "PC-ADDR", CARD_OPT, VOCAB_ANY, 0 },
	{ "SERVICES", CARD_ANY, VOCAB_ANY, 0 },
	{ "AUTO-DOWNLOAD", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "DELIVERY-TIME", CARD_OPT, VOCAB_ANY, 0 },
	{ "EXPIRY-TIME", CARD_OPT, VOCAB_ANY, 0 },
	{ "PRIORITY", CARD_OPT, VOCAB_ANY, 0 },
	{ "REQUEST-DELIVERY", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "REQUEST-READ", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "SAVE-SENT", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "SENDER-VISIBLE", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "SENT-FOLDER", CARD_OPT, VOCAB_ANY, 0 },
	{ "TRASH-FOLDER", CARD_OPT, VOCAB_ANY, 0 },
	{ "POP-BEFORE-SMTP", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "ROAMING", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "DOMAIN", CARD_ANY, VOCAB_ANY, 0 },
};

static const ParmSpec appaddr_parms[] = {
	{ "ADDR", CARD_ONE, VOCAB_NONEMPTY, 0 },
	{ "ADDRTYPE", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec appauth_parms[] = {
	{ "AAUTHLEVEL", CARD_OPT, VOCAB_ANY, 0 }, { "AAUTHTYPE", CARD_OPT, VOCAB_ANY, 0 },
	{ "AAUTHNAME", CARD_OPT, VOCAB_ANY, 0 },  { "AAUTHSECRET", CARD_OPT, VOCAB_ANY, 0 },
	{ "AAUTHDATA", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec resource_parms[] = {
	{ "URI", CARD_ONE, VOCAB_NONEMPTY, 0 },  { "NAME", CARD_OPT, VOCAB_ANY, P_IDENT },
	{ "AACCEPT", CARD_OPT, VOCAB_ANY, 0 },   { "AAUTHTYPE", CARD_OPT, VOCAB_ANY, 0 },
	{ "AAUTHNAME", CARD_OPT, VOCAB_ANY, 0 }, { "AAUTHSECRET", CARD_OPT, VOCAB_ANY, 0 },
	{ "AAUTHDATA", CARD_OPT, VOCAB_ANY, 0 }, { "STARTPAGE", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "CLIURI", CARD_OPT, VOCAB_ANY, 0 },    { "SYNCTYPE", CARD_OPT, VOCAB_ANY, 0 },
	{ "IMAGE", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec access_parms[] = {
	{ "RULE", CARD_MANY, VOCAB_ANY, P_FLAG },
	{ "APPID", CARD_ANY, VOCAB_ANY, 0 },
	{ "PORTNBR", CARD_ANY, VOCAB_PORT, 0 },
	{ "DOMAIN", CARD_ANY, VOCAB_ANY, 0 },
	{ "TO-NAPID", CARD_ANY, VOCAB_NONEMPTY, P_IDENT },
	{ "TO-PROXY", CARD_ANY, VOCAB_NONEMPTY, P_IDENT },
};

static const ParmSpec wlan_parms[] = {
	{ "PRI-SSID", CARD_OPT, VOCAB_NONEMPTY, 0 },
	{ "PRI-U-SSID", CARD_OPT, VOCAB_NONEMPTY, 0 },
	{ "PRI-H-SSID", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "NETMODE", CARD_OPT, VOCAB_NETMODE, 0 },
	{ "SECMODE", CARD_OPT, VOCAB_SECMODE, 0 },
	{ "WPA-PRES-KEY-ASC", CARD_OPT, VOCAB_ANY, 0 },
	{ "WPA-PRES-KEY-HEX", CARD_OPT, VOCAB_ANY, 0 },
	{ "WEPKEYIND", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "WEPAUTHMODE", CARD_OPT, VOCAB_WEPAUTHMODE, 0 },
	{ "WLANHAND", CARD_OPT, VOCAB_ANY, 0 },
	{ "EDIT-SET", CARD_OPT, VOCAB_ANY, 0 },
	{ "VIEW-SET", CARD_OPT, VOCAB_ANY, 0 },
	{ "FORW-SET", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec sec_ssid_parms[] = {
	{ "S-SSID", CARD_OPT, VOCAB_ANY, 0 },
	{ "S-U-SSID", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec eap_parms[] = {
	{ "EAPTYPE", CARD_ONE, VOCAB_EAPTYPE, 0 },
	{ "USERNAME", CARD_OPT, VOCAB_ANY, 0 },
	{ "PASSWORD", CARD_OPT, VOCAB_ANY, 0 },
	{ "REALM", CARD_OPT, VOCAB_ANY, 0 },
	{ "USE-PSEUD", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "ENCAPS", CARD_OPT, VOCAB_ANY, 0 },
	{ "VER-SER-REALM", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "CLIENT-AUTH", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "CLIENTH-AUTH", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "MAXAUTHS", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "SES-VAL-TIME", CARD_OPT, VOCAB_ANY, 0 },
	{ "CIP-SUIT", CARD_ANY, VOCAB_ANY, 0 },
	{ "PEAP-V0", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "PEAP-V1", CARD_OPT, VOCAB_ANY, P_FLAG },
	{ "PEAP-V2", CARD_OPT, VOCAB_ANY, P_FLAG },
};

static const ParmSpec cert_parms[] = {
	{ "ISS-NAME", CARD_OPT, VOCAB_ANY, 0 },       { "SUB-NAME", CARD_OPT, VOCAB_ANY, 0 },
	{ "CERT-TYPE", CARD_OPT, VOCAB_CERTTYPE, 0 }, { "SER-NUM", CARD_OPT, VOCAB_ANY, 0 },
	{ "SUB-KEY-ID", CARD_OPT, VOCAB_ANY, 0 },     { "THUMBPRINT", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec wepkey_parms[] = {
	{ "LENGTH", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "INDEX", CARD_OPT, VOCAB_NUMBER, 0 },
	{ "DATA", CARD_OPT, VOCAB_ANY, 0 },
};

static const ParmSpec bearerinfo_parms[] = {
	{ "BEARER", CARD_OPT, VOCAB_BEARER, 0 },
};

static const ParmSpec dns_addrinfo_parms[] = {
	{ "DNS-ADDR", CARD_OPT, VOCAB_IPADDR, P_TRIM },
	{ "DNS-ADDRTYPE", CARD_OPT, VOCAB_ADDRTYPE, 0 },
};

static const CharSpec catalogue[] = {
	{ "PXLOGICAL", { "" }, pxlogical_parms, N(pxlogical_parms), 0, "PXPHYSICAL" },
	{ "PXPHYSICAL", { "PXLOGICAL" }, pxphysical_parms, N(pxphysical_parms), 0, NULL },
	{ "PXAUTHINFO", { "PXLOGICAL" }, pxauthinfo_parms, N(pxauthinfo_parms), 0, NULL },
	{ "PORT", { "PXLOGICAL", "PXPHYSICAL", "APPADDR" }, port_parms, N(port_parms), 0, NULL },
	{ "NAPDEF", { "" }, napdef_parms, N(napdef_parms), 0, NULL },
	{ "NAPAUTHINFO", { "NAPDEF" }, napauthinfo_parms, N(napauthinfo_parms), 0, NULL },
	{ "VALIDITY", { "NAPDEF" }, validity_parms, N(validity_parms), 0, NULL },
	{ "BEARERINFO", { "NAPDEF" }, bearerinfo_parms, N(bearerinfo_parms), C_ANY_PARMS, NULL },
	{ "DNS-ADDRINFO",
	  { "NAPDEF" },
	  dns_addrinfo_parms,
	  N(dns_addrinfo_parms),
	  C_ANY_PARMS,
	  NULL },
	{ "BOOTSTRAP", { "" }, bootstrap_parms, N(bootstrap_parms), 0, NULL },
	{ "CLIENTIDENTITY", { "" }, clientidentity_parms, N(clientidentity_parms), C_SINGLE, NULL },
	{ "VENDORCONFIG", { "" }, vendorconfig_parms, N(vendorconfig_parms), C_ANY_PARMS, NULL },
	{ "APPLICATION", { "" }, application_parms, N(application_parms), C_APPLICATION, NULL },
	{ "APPADDR", { "APPLICATION" }, appaddr_parms, N(appaddr_parms), 0, NULL },
	{ "APPAUTH", { "APPLICATION" }, appauth_parms, N(appauth_parms), 0, NULL },
	{ "RESOURCE", { "APPLICATION" }, resource_parms, N(resource_parms), 0, NULL },
	{ "ACCESS", { "" }, access_parms, N(access_parms), 0, NULL },
	/* WLAN nesting is not settled (digest §10): accepted under NAPDEF and at the root. */
	{ "WLAN", { "NAPDEF", "" }, wlan_parms, N(wlan_parms), 0, NULL },
	{ "SEC-SSID", { "WLAN" }, sec_ssid_parms, N(sec_ssid_parms), 0, NULL },
	{ "EAP", { "WLAN" }, eap_parms, N(eap_parms), 0, NULL },
	{ "CERT", { "EAP" }, cert_parms, N(cert_parms), 0, NULL },
	{ "WEPKEY", { "WLAN" }, wepkey_parms, N(wepkey_parms), 0, NULL },
};

/* APPIDs whose parms we check against application_parms; for any other APPID
 * the parms are kept unchecked (known=FALSE, valid=TRUE). */
static const char *const known_appids[] = {
	"w2", "w4", "w5", "w7", "wA", "25", "110", "143", "DL", "ap0002", "ap0004", NULL,
};

/* The names are compared first octet first: most differ there. */
static const CharSpec *
find_spec(const char *type)
{
	for (guint i = 0; i < G_N_ELEMENTS(catalogue); i++) {
		if (catalogue[i].type[0] == type[0] && strcmp(catalogue[i].type, type) == 0)
			return &catalogue[i];
	}
	return NULL;
}

static const ParmSpec *
find_parm_spec(const CharSpec *spec, const char *name)
{
	for (guint i = 0; i < spec->n_parms; i++) {
		if (spec->parms[i].name[0] == name[0] && strcmp(spec->parms[i].name, name) == 0)
			return &spec->parms[i];
	}
	return NULL;
}

static gboolean
spec_allows_parent(const CharSpec *spec, const char *parent_type)
{
	const char *want = parent_type != NULL ? parent_type : "";

	for (guint i = 0; i < G_N_ELEMENTS(spec->parents) && spec->parents[i] != NULL; i++) {
		if (str_is(spec->parents[i], want))
			return TRUE;
	}
	return FALSE;
}

static gboolean
word_in(const char *const *words, const char *value)
{
	for (guint i = 0; words[i] != NULL; i++) {
		if (str_is(words[i], value))
			return TRUE;
	}
	return FALSE;
}

static gboolean
parse_decimal(const char *value, guint64 max)
{
	guint64 n = 0;

	if (value == NULL || *value == '\0')
		return FALSE;
	for (const char *p = value; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
		if (n > max)
			return FALSE;
		n = n * 10 + (guint64) (*p - '0');
	}
	return n <= max;
}

/* An IPv4 dotted quad (octets of one to three digits, at most 255) or an
 * IPv6 literal. */
static gboolean
is_ip_address(const char *value)
{
	const char *p = value;

	for (guint i = 0; i < 4; i++) {
		guint digits = 0;
		guint n = 0;

		while (g_ascii_isdigit(*p) && digits < 4) {
			n = n * 10 + (guint) (*p++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || n > 255 || (i < 3 && *p++ != '.'))
			break;
		if (i == 3 && *p == '\0')
			return TRUE;
	}
	/* IPv6: GLib's own parser. */
	return strchr(value, ':') != NULL && g_hostname_is_ip_address(value);
}

/* The words of a vocabulary that is a list of words, else NULL. */
static const char *const *
vocab_words(Vocab vocab)
{
	switch (vocab) {
	case VOCAB_BEARER:
		return bearer_words;
	case VOCAB_ADDRTYPE:
		return addrtype_words;
	case VOCAB_AUTHTYPE:
		return authtype_words;
	case VOCAB_PXAUTHTYPE:
		return pxauthtype_words;
	case VOCAB_CALLTYPE:
		return calltype_words;
	case VOCAB_SERVICE:
		return service_words;
	case VOCAB_AUTH_ENTITY:
		return auth_entity_words;
	case VOCAB_SECMODE:
		return secmode_words;
	case VOCAB_NETMODE:
		return netmode_words;
	case VOCAB_WEPAUTHMODE:
		return wepauthmode_words;
	case VOCAB_EAPTYPE:
		return eaptype_words;
	case VOCAB_CERTTYPE:
		return certtype_words;
	default:
		return NULL;
	}
}

/* NULL when @value fits the vocabulary, else what was expected. */
static const char *
vocab_mismatch(Vocab vocab, const char *value)
{
	switch (vocab) {
	case VOCAB_ANY:
		return NULL;
	case VOCAB_NONEMPTY:
		return *value != '\0' ? NULL : "a non-empty value";
	case VOCAB_NUMBER:
		return parse_decimal(value, G_MAXUINT32) ? NULL : "a decimal number";
	case VOCAB_PORT:
		return parse_decimal(value, 65535) ? NULL : "a port number (0..65535)";
	case VOCAB_BOOL:
		return str_is(value, "0") || str_is(value, "1") ? NULL : "0 or 1";
	case VOCAB_BYTE:
		return parse_decimal(value, 255) ? NULL : "a number 0..255";
	case VOCAB_MCC:
		return strlen(value) == 3 && parse_decimal(value, 999)
		               ? NULL
		               : "a three-digit country code";
	case VOCAB_LINKSPEED:
		return str_is(value, "AUTOBAUDING") || parse_decimal(value, G_MAXUINT32)
		               ? NULL
		               : "a number or AUTOBAUDING";
	case VOCAB_BEARER:
		return word_in(bearer_words, value) ? NULL : "a bearer (GSM-GPRS, GSM-CSD, ...)";
	case VOCAB_ADDRTYPE:
		return word_in(addrtype_words, value)
		               ? NULL
		               : "an address type (IPV4, IPV6, E164, APN, ...)";
	case VOCAB_AUTHTYPE:
		return word_in(authtype_words, value) ? NULL : "PAP, CHAP or MD5";
	case VOCAB_PXAUTHTYPE:
		return word_in(pxauthtype_words, value) ? NULL
		                                        : "HTTP-BASIC, HTTP-DIGEST or WTLS-SS";
	case VOCAB_CALLTYPE:
		return word_in(calltype_words, value) ? NULL : "a call type (ANALOG-MODEM, ...)";
	case VOCAB_SERVICE:
		return word_in(service_words, value) ? NULL
		                                     : "a service (CO-WSP, OTA-HTTP-PO, ...)";
	case VOCAB_AUTH_ENTITY:
		return word_in(auth_entity_words, value) ? NULL : "AAA or HA";
	case VOCAB_SECMODE:
		return word_in(secmode_words, value) ? NULL
		                                     : "a WLAN security mode (WEP, WPA, WPA2, ...)";
	case VOCAB_NETMODE:
		return word_in(netmode_words, value) ? NULL : "ADHOC or INFRA";
	case VOCAB_WEPAUTHMODE:
		return word_in(wepauthmode_words, value) ? NULL : "OPEN or SHARED";
	case VOCAB_EAPTYPE:
		return word_in(eaptype_words, value) ? NULL : "an EAP type (EAP-SIM, EAP-TLS, ...)";
	case VOCAB_CERTTYPE:
		return word_in(certtype_words, value) ? NULL : "USER or CA";
	case VOCAB_IPADDR:
		return is_ip_address(value) ? NULL : "an IPv4 or IPv6 address";
	}
	return NULL;
}

const char *
omacp_op_to_string(OmacpOp op)
{
	switch (op) {
	case OMACP_OP_SET:
		return "set";
	case OMACP_OP_REMOVE:
		return "remove";
	case OMACP_OP_QUERY:
		return "query";
	}
	return "unknown";
}

/* ------------------------------------------------------------------------ */
/* Model */

/* Everything a document holds apart from its arrays (characteristics,
 * parms, operations and all their strings) lives in one arena that the
 * document frees at once: a document costs a few allocations instead of
 * several per parm (internal/arena.h). The values of secret parms are
 * wiped before. */

/* Lookups by identifier over the document once its rules are applied, so
 * that link resolution and profiles stay linear in the document size (a
 * capped document can still hold thousands of NAPDEFs and proxies). One
 * open-addressing table for the three kinds of identifier, in the arena. */
typedef enum {
	ID_NAPID,
	ID_PROXY_ID,
	ID_APPREF,
	ID_VENDOR_NAME, /* only to find duplicates */
} IdKind;

typedef struct {
	const char *id; /* NULL: free slot */
	guint hash;
	IdKind kind;
	OmacpCharacteristic *c;
} IndexSlot;

typedef struct {
	IndexSlot *slots;
	guint mask;                     /* number of slots - 1 (a power of two) */
	OmacpCharacteristic **internet; /* live NAPDEFs carrying the INTERNET flag */
	guint n_internet;
} ProvIndex;

/* A secret value to wipe when the document is freed. */
typedef struct _SecretValue SecretValue;

struct _SecretValue {
	char *value;
	SecretValue *next;
};

/* How an APPLICATION reaches its access points, worked out once per
 * document (binding_pass()). */
typedef struct {
	OmacpBinding source;
	GPtrArray *links; /* OmacpLink *, priority order (in the arena) */
} AppBinding;

typedef struct {
	OmacpProvDoc doc; /* first: the public part */
	/* &own_arena, or the arena of the WBXML tree the document was built
	 * from: then its strings are the tree's (not copied), and the tree,
	 * kept alive by @tree, wipes them all when it goes */
	OmacpArena *arena;
	OmacpArena own_arena;
	OmacpDocTree *tree;
	ProvIndex index;
	SecretValue *secrets; /* to wipe, in own_arena */
	GHashTable *bindings; /* APPLICATION → AppBinding * (in the arena) */
} ProvDocPriv;

#define PRIV(d) ((ProvDocPriv *) (d))

static void
characteristic_free(OmacpCharacteristic *c)
{
	g_clear_pointer(&c->parms, g_ptr_array_unref);
	g_clear_pointer(&c->children, g_ptr_array_unref);
}

void
omacp_provdoc_free(OmacpProvDoc *doc)
{
	if (doc == NULL)
		return;
	g_clear_pointer(&doc->characteristics, g_ptr_array_unref);
	g_clear_pointer(&doc->warnings, g_ptr_array_unref);
	g_clear_pointer(&doc->operations, g_ptr_array_unref);
	g_clear_pointer(&PRIV(doc)->bindings, g_hash_table_unref);
	for (SecretValue *s = PRIV(doc)->secrets; s != NULL; s = s->next)
		explicit_bzero(s->value, strlen(s->value));
	omacp_arena_clear(&PRIV(doc)->own_arena, FALSE);
	g_clear_pointer(&PRIV(doc)->tree, omacp_doc_tree_unref);
	g_free(PRIV(doc));
}

static gboolean
parm_is_live(const OmacpParm *parm)
{
	return parm->op == OMACP_OP_SET && parm->valid;
}

const char *
omacp_characteristic_get(const OmacpCharacteristic *c, const char *name)
{
	g_return_val_if_fail(c != NULL, NULL);
	if (name == NULL)
		return NULL;
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (parm_is_live(parm) && parm->name[0] == name[0] && strcmp(parm->name, name) == 0)
			return parm->value;
	}
	return NULL;
}

gboolean
omacp_characteristic_has(const OmacpCharacteristic *c, const char *name)
{
	g_return_val_if_fail(c != NULL, FALSE);
	if (name == NULL)
		return FALSE;
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (parm_is_live(parm) && parm->name[0] == name[0] && strcmp(parm->name, name) == 0)
			return TRUE;
	}
	return FALSE;
}

GPtrArray *
omacp_characteristic_get_all(const OmacpCharacteristic *c, const char *name)
{
	GPtrArray *out = g_ptr_array_new();

	g_return_val_if_fail(c != NULL, out);
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (parm_is_live(parm) && parm->value != NULL && g_strcmp0(parm->name, name) == 0)
			g_ptr_array_add(out, parm->value);
	}
	return out;
}

static gboolean
characteristic_is_live(const OmacpCharacteristic *c)
{
	return c->op == OMACP_OP_SET && c->valid;
}

GPtrArray *
omacp_characteristic_children(const OmacpCharacteristic *c, const char *type)
{
	GPtrArray *out = g_ptr_array_new();

	g_return_val_if_fail(c != NULL, out);
	for (guint i = 0; i < c->children->len; i++) {
		OmacpCharacteristic *child = g_ptr_array_index(c->children, i);

		if (characteristic_is_live(child) && g_strcmp0(child->type, type) == 0)
			g_ptr_array_add(out, child);
	}
	return out;
}

GPtrArray *
omacp_provdoc_find_all(const OmacpProvDoc *doc, const char *type)
{
	GPtrArray *out = g_ptr_array_new();

	g_return_val_if_fail(doc != NULL, out);
	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);

		if (characteristic_is_live(c) && g_strcmp0(c->type, type) == 0)
			g_ptr_array_add(out, c);
	}
	return out;
}

static OmacpCharacteristic *
index_lookup(const ProvIndex *index, IdKind kind, const char *id)
{
	guint hash = g_str_hash(id);

	for (guint i = hash & index->mask;; i = (i + 1) & index->mask) {
		const IndexSlot *slot = &index->slots[i];

		if (slot->id == NULL)
			return NULL;
		if (slot->hash == hash && slot->kind == kind && strcmp(slot->id, id) == 0)
			return slot->c;
	}
}

static OmacpCharacteristic *
find_top_by(const OmacpProvDoc *doc, IdKind kind, const char *value)
{
	const ProvIndex *index = doc->index;
	OmacpCharacteristic *c;

	if (value == NULL || index == NULL)
		return NULL;
	/* Identifiers are unique among the live characteristics of a type
	 * (the first one wins): the one indexed, if it is still live. */
	c = index_lookup(index, kind, value);
	return c != NULL && characteristic_is_live(c) ? c : NULL;
}

OmacpCharacteristic *
omacp_provdoc_find_napdef(const OmacpProvDoc *doc, const char *napid)
{
	g_return_val_if_fail(doc != NULL, NULL);
	return find_top_by(doc, ID_NAPID, napid);
}

OmacpCharacteristic *
omacp_provdoc_find_pxlogical(const OmacpProvDoc *doc, const char *proxy_id)
{
	g_return_val_if_fail(doc != NULL, NULL);
	return find_top_by(doc, ID_PROXY_ID, proxy_id);
}

OmacpCharacteristic *
omacp_provdoc_find_appref(const OmacpProvDoc *doc, const char *appref)
{
	g_return_val_if_fail(doc != NULL, NULL);
	return find_top_by(doc, ID_APPREF, appref);
}

/* A set for de-duplicating links: a few items inline, a hash table beyond
 * (a capped document can link thousands of items). */
#define SEEN_INLINE 16

typedef struct {
	gconstpointer items[SEEN_INLINE];
	guint n;
	GHashTable *table; /* every item, once there are more than SEEN_INLINE */
	gboolean strings;  /* items are strings compared by value */
} Seen;

/* Adds @item; FALSE when it was there already. */
static gboolean
seen_add(Seen *seen, gconstpointer item)
{
	if (seen->table == NULL) {
		for (guint i = 0; i < seen->n; i++) {
			if (seen->items[i] == item ||
			    (seen->strings && strcmp(seen->items[i], item) == 0))
				return FALSE;
		}
		if (seen->n < SEEN_INLINE) {
			seen->items[seen->n++] = item;
			return TRUE;
		}
		seen->table = seen->strings ? g_hash_table_new(g_str_hash, g_str_equal)
		                            : g_hash_table_new(NULL, NULL);
		for (guint i = 0; i < seen->n; i++)
			g_hash_table_add(seen->table, (gpointer) seen->items[i]);
	}
	return g_hash_table_add(seen->table, (gpointer) item);
}

static void
seen_clear(Seen *seen)
{
	g_clear_pointer(&seen->table, g_hash_table_unref);
}

/* Appends @item unless @seen already has it. */
static void
add_unique(GPtrArray *array, Seen *seen, gpointer item)
{
	if (seen_add(seen, item))
		g_ptr_array_add(array, item);
}

/* The NAPDEFs a TO-NAPID designates, appended to @out unless @seen has
 * them (omacp_provdoc_resolve_to_napid() without its own array). */
static void
resolve_to_napid_into(const OmacpProvDoc *doc, const char *to_napid, Seen *seen, GPtrArray *out)
{
	const ProvIndex *index = doc->index;
	OmacpCharacteristic *nap;

	if (to_napid == NULL)
		return;
	if (strcmp(to_napid, "INTERNET") == 0) {
		gboolean found = FALSE;

		if (index != NULL) {
			/* Built once no NAPDEF can be dropped any more. */
			for (guint i = 0; i < index->n_internet; i++)
				add_unique(out, seen, index->internet[i]);
			found = index->n_internet > 0;
		} else {
			for (guint i = 0; i < doc->characteristics->len; i++) {
				nap = g_ptr_array_index(doc->characteristics, i);
				if (characteristic_is_live(nap) &&
				    strcmp(nap->type, "NAPDEF") == 0 &&
				    omacp_characteristic_has(nap, "INTERNET")) {
					add_unique(out, seen, nap);
					found = TRUE;
				}
			}
		}
		/* A NAPDEF may also literally be called INTERNET. */
		if (found)
			return;
	}
	nap = omacp_provdoc_find_napdef(doc, to_napid);
	if (nap != NULL)
		add_unique(out, seen, nap);
}

GPtrArray *
omacp_provdoc_resolve_to_napid(const OmacpProvDoc *doc, const char *to_napid)
{
	GPtrArray *out = g_ptr_array_new();
	Seen seen = { .strings = FALSE };

	g_return_val_if_fail(doc != NULL, out);
	resolve_to_napid_into(doc, to_napid, &seen, out);
	seen_clear(&seen);
	return out;
}

/* Resolves each TO-NAPID value of @c once (4000 TO-NAPID "INTERNET" must
 * not cost 4000 resolutions), appending to @out what @seen does not have. */
static void
resolve_to_napids_of(const OmacpProvDoc *doc, const OmacpCharacteristic *c, Seen *seen,
                     GPtrArray *out, Seen *ids)
{
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (!parm_is_live(parm) || parm->value == NULL ||
		    strcmp(parm->name, "TO-NAPID") != 0 || !seen_add(ids, parm->value))
			continue;
		resolve_to_napid_into(doc, parm->value, seen, out);
	}
}

static void
pxlogical_napdefs_into(const OmacpProvDoc *doc, const OmacpCharacteristic *pxlogical, Seen *seen,
                       GPtrArray *out)
{
	Seen ids = { .strings = TRUE };

	for (guint i = 0; i < pxlogical->children->len; i++) {
		const OmacpCharacteristic *phys = g_ptr_array_index(pxlogical->children, i);

		if (characteristic_is_live(phys) && strcmp(phys->type, "PXPHYSICAL") == 0)
			resolve_to_napids_of(doc, phys, seen, out, &ids);
	}
	seen_clear(&ids);
}

GPtrArray *
omacp_provdoc_pxlogical_napdefs(const OmacpProvDoc *doc, const OmacpCharacteristic *pxlogical)
{
	GPtrArray *out = g_ptr_array_new();
	Seen seen = { .strings = FALSE };

	g_return_val_if_fail(doc != NULL && pxlogical != NULL, out);
	pxlogical_napdefs_into(doc, pxlogical, &seen, out);
	seen_clear(&seen);
	return out;
}

gboolean
omacp_provdoc_app_is_unlinked(const OmacpCharacteristic *app)
{
	g_return_val_if_fail(app != NULL, FALSE);
	return !omacp_characteristic_has(app, "TO-PROXY") &&
	       !omacp_characteristic_has(app, "TO-NAPID");
}

gboolean
omacp_appid_is_mms(const char *appid)
{
	/* ap0005: the OMNA id of OMA MMS, which Android OEM clients (MediaTek,
	 * Spreadtrum) read as w4. */
	return str_is(appid, "w4") || str_is(appid, "ap0005");
}

static const AppBinding *
binding_of(const OmacpProvDoc *doc, const OmacpCharacteristic *app)
{
	GHashTable *bindings = PRIV(doc)->bindings;

	return bindings != NULL ? g_hash_table_lookup(bindings, app) : NULL;
}

const GPtrArray *
omacp_provdoc_app_links(const OmacpProvDoc *doc, const OmacpCharacteristic *app,
                        OmacpBinding *source)
{
	const AppBinding *b;

	g_return_val_if_fail(doc != NULL && app != NULL, NULL);
	b = binding_of(doc, app);
	if (source != NULL)
		*source = b != NULL ? b->source : OMACP_BINDING_NONE;
	return b != NULL ? b->links : NULL;
}

OmacpCharacteristic *const *
omacp_provdoc_internet_napdefs(const OmacpProvDoc *doc, guint *n)
{
	const ProvIndex *index;

	g_return_val_if_fail(doc != NULL && n != NULL, NULL);
	index = doc->index;
	*n = index != NULL ? index->n_internet : 0;
	return index != NULL ? index->internet : NULL;
}

GPtrArray *
omacp_provdoc_app_pxlogicals(const OmacpProvDoc *doc, const OmacpCharacteristic *app)
{
	Seen seen = { .strings = FALSE };
	const GPtrArray *links;
	GPtrArray *out = g_ptr_array_new();

	g_return_val_if_fail(doc != NULL && app != NULL, out);
	links = omacp_provdoc_app_links(doc, app, NULL);
	for (guint i = 0; links != NULL && i < links->len; i++) {
		const OmacpLink *link = g_ptr_array_index(links, i);

		if (link->pxlogical != NULL)
			add_unique(out, &seen, link->pxlogical);
	}
	seen_clear(&seen);
	return out;
}

GPtrArray *
omacp_provdoc_app_napdefs(const OmacpProvDoc *doc, const OmacpCharacteristic *app)
{
	Seen seen = { .strings = FALSE };
	const GPtrArray *links;
	GPtrArray *out = g_ptr_array_new();

	g_return_val_if_fail(doc != NULL && app != NULL, out);
	links = omacp_provdoc_app_links(doc, app, NULL);
	for (guint i = 0; links != NULL && i < links->len; i++) {
		const OmacpLink *link = g_ptr_array_index(links, i);

		if (link->napdef != NULL) {
			add_unique(out, &seen, link->napdef);
		} else {
			const ProvIndex *index = doc->index;

			for (guint k = 0; k < index->n_internet; k++)
				add_unique(out, &seen, index->internet[k]);
		}
	}
	seen_clear(&seen);
	return out;
}

/* ------------------------------------------------------------------------ */
/* Building */

typedef struct {
	OmacpProvDoc *doc;
	OmacpArena *arena;
	gboolean borrow; /* strings of the tree are used as they are */
	const OmacpDocNames *names;
	guint n_characteristics;
	guint n_parms;
} Builder;

/* Characteristics of each type seen so far among one element's children
 * (for the [n] of paths and the one-per-parent rule). */
typedef struct {
	guint known[G_N_ELEMENTS(catalogue)]; /* by catalogue entry */
	GHashTable *other;                    /* other types → count */
} Counts;

static void warn(OmacpProvDoc *doc, const char *path, const char *format, ...) G_GNUC_PRINTF(3, 4);

static void
warn(OmacpProvDoc *doc, const char *path, const char *format, ...)
{
	va_list args;
	g_autofree char *text = NULL;

	if (doc->warnings->len > OMACP_PROVDOC_MAX_WARNINGS)
		return;
	if (doc->warnings->len == OMACP_PROVDOC_MAX_WARNINGS) {
		g_ptr_array_add(doc->warnings,
		                g_strdup_printf("wap-provisioningdoc: more than %u warnings; the "
		                                "rest are not listed",
		                                OMACP_PROVDOC_MAX_WARNINGS));
		return;
	}
	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(
	        doc->warnings,
	        g_strdup_printf("%s: %s", path != NULL ? path : "wap-provisioningdoc", text));
}

/* A value as it may appear in a warning: quoted, escaped, shortened. */
static char *
quote_value(const char *value)
{
	g_autofree char *shown = NULL;
	g_autofree char *escaped = NULL;

	if (value == NULL)
		return g_strdup("(no value)");
	if (g_utf8_validate(value, -1, NULL) && g_utf8_strlen(value, -1) > 48) {
		g_autofree char *head = g_utf8_substring(value, 0, 45);

		shown = g_strconcat(head, "...", NULL);
	} else if (strlen(value) > 48) {
		shown = g_strndup(value, 45);
	} else {
		shown = g_strdup(value);
	}
	escaped = g_strescape(shown, NULL);
	return g_strdup_printf("\"%s\"", escaped);
}

/* The value of an attribute as xmlGetProp() gives it, in the document's
 * arena (the tree's own string when the arena is the tree's); NULL when
 * the element has none. Such a string is never changed in place: it is
 * also the Document text's. */
static char *
xml_prop(Builder *b, const OmacpDocNode *node, const char *name, const char *shared)
{
	const OmacpDocAttr *a = omacp_doc_node_attr(node, name, shared);
	xmlChar *raw;
	char *out;

	if (a != NULL && a->value != NULL && b->borrow)
		return (char *) a->value;
	if (a != NULL)
		return a->value != NULL ? omacp_arena_strndup(b->arena, a->value, a->value_len)
		                        : NULL;
	/* An element read from a libxml2 document with a DTD: an attribute
	 * it lacks may have a default there. */
	if (node->origin == NULL || node->origin->doc == NULL ||
	    (node->origin->doc->intSubset == NULL && node->origin->doc->extSubset == NULL))
		return NULL;
	raw = xmlGetProp(node->origin, (const xmlChar *) name);
	if (raw == NULL)
		return NULL;
	out = omacp_arena_strdup(b->arena, (const char *) raw);
	xmlFree(raw);
	return out;
}

/* The shared spellings of the names the builder looks for. */
#define DOC_NAMES (b->names)

/* name_is(node, characteristic_query, "characteristic-query") */
#define name_is(node, field, spelled)                                                              \
	omacp_doc_name_is((node)->name, (node)->interned, spelled, DOC_NAMES->field)

static gboolean
count_characteristic(Builder *b, const char *where, GError **error)
{
	if (++b->n_characteristics > OMACP_PROVDOC_MAX_CHARACTERISTICS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "provdoc: more than %u characteristics (limit reached at %s)",
		            OMACP_PROVDOC_MAX_CHARACTERISTICS, where);
		return FALSE;
	}
	return TRUE;
}

static gboolean
count_parm(Builder *b, const char *where, GError **error)
{
	if (++b->n_parms > OMACP_PROVDOC_MAX_PARMS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "provdoc: more than %u parms (limit reached in %s)",
		            OMACP_PROVDOC_MAX_PARMS, where);
		return FALSE;
	}
	return TRUE;
}

/* "<parent path>/<type>[<index>]" in the arena. */
static char *
make_path(Builder *b, const char *parent_path, const char *type, guint index)
{
	char number[16];
	guint at = sizeof number;
	gsize n_parent = parent_path != NULL ? strlen(parent_path) + 1 : 0;
	gsize n_type = strlen(type);
	gsize n_number;
	char *path;
	char *p;

	number[--at] = ']';
	do {
		number[--at] = (char) ('0' + index % 10);
		index /= 10;
	} while (index > 0);
	number[--at] = '[';
	n_number = sizeof number - at;
	path = omacp_arena_alloc(b->arena, n_parent + n_type + n_number + 1);
	p = path;

	if (parent_path != NULL) {
		memcpy(p, parent_path, n_parent - 1);
		p[n_parent - 1] = '/';
		p += n_parent;
	}
	memcpy(p, type, n_type);
	memcpy(p + n_type, number + at, n_number);
	return path;
}

/* A characteristic for the element @node, its arrays sized for the parms
 * and characteristics @node holds (growing them one by one would
 * reallocate each several times). */
static OmacpCharacteristic *
characteristic_new(Builder *b, const OmacpDocNode *node, const char *type, OmacpOp op,
                   OmacpCharacteristic *parent, guint index)
{
	OmacpCharacteristic *c = omacp_arena_alloc(b->arena, sizeof *c);
	guint n_parms = 0;
	guint n_children = 0;

	for (const OmacpDocNode *child = node->children; child != NULL; child = child->next) {
		if (name_is(child, parm, "parm"))
			n_parms++;
		else if (name_is(child, characteristic, "characteristic"))
			n_children++;
	}
	c->type = (char *) type; /* already in the arena */
	c->op = op;
	c->parent = parent;
	/* a hostile document's thousands of parms grow as they come */
	c->parms = g_ptr_array_sized_new(MIN(n_parms, 64));
	c->children =
	        g_ptr_array_new_full(MIN(n_children, 64), (GDestroyNotify) characteristic_free);
	c->path = make_path(b, parent != NULL ? parent->path : NULL, type, index);
	return c;
}

static void
add_operation(Builder *b, OmacpOp op, OmacpCharacteristic *parent, const char *target,
              gboolean recursive)
{
	OmacpOperation *operation = omacp_arena_alloc(b->arena, sizeof *operation);

	operation->op = op;
	operation->target = omacp_arena_strdup(b->arena, target);
	if (parent != NULL) {
		gsize n_parent = strlen(parent->path);
		gsize n_target = strlen(target);

		operation->path = omacp_arena_alloc(b->arena, n_parent + 1 + n_target + 1);
		memcpy(operation->path, parent->path, n_parent);
		operation->path[n_parent] = '/';
		memcpy(operation->path + n_parent + 1, target, n_target);
	} else {
		operation->path = operation->target;
	}
	operation->recursive = recursive;
	g_ptr_array_add(b->doc->operations, operation);
}

/* Counts one more @type (whose catalogue entry is @spec, or NULL) and
 * returns how many there are now. */
static guint
count_type(Counts *counts, const CharSpec *spec, const char *type)
{
	guint n;

	if (spec != NULL)
		return ++counts->known[spec - catalogue];
	if (counts->other == NULL)
		counts->other = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(counts->other, type)) + 1;
	g_hash_table_insert(counts->other, g_strdup(type), GUINT_TO_POINTER(n));
	return n;
}

static gboolean
appid_is_known(const char *appid)
{
	return appid != NULL && word_in(known_appids, appid);
}

/* The APPID of an APPLICATION element, read ahead of validation so that its
 * parms can be judged. */
static const char *
raw_appid(const OmacpCharacteristic *c)
{
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (parm->op == OMACP_OP_SET && str_is(parm->name, "APPID"))
			return parm->value;
	}
	return NULL;
}

/* Per-characteristic checks: parm names, values, repeats, mandatory parms. */
static void
validate_parms(OmacpProvDoc *doc, OmacpCharacteristic *c, const CharSpec *spec)
{
	gboolean unchecked_app = FALSE;
	gboolean has_set_parm = FALSE;
	guint64 seen = 0; /* bit i: a valid parm of spec->parms[i] */

	if ((spec->flags & C_APPLICATION) != 0) {
		const char *appid = raw_appid(c);

		if (appid != NULL && *appid != '\0' && !appid_is_known(appid)) {
			g_autofree char *shown = quote_value(appid);

			unchecked_app = TRUE;
			warn(doc, c->path,
			     "APPID %s is not a known application; its parms are kept unchecked",
			     shown);
		}
	}

	for (guint i = 0; i < c->parms->len; i++) {
		OmacpParm *parm = g_ptr_array_index(c->parms, i);
		const ParmSpec *ps;
		const char *mismatch;

		if (parm->op != OMACP_OP_SET) {
			parm->known = find_parm_spec(spec, parm->name) != NULL ||
			              (spec->flags & C_ANY_PARMS) != 0;
			parm->valid = TRUE;
			continue;
		}
		has_set_parm = TRUE;
		if (strlen(parm->name) > OMACP_PROVDOC_MAX_NAME) {
			warn(doc, c->path, "parm name longer than %u characters; parm ignored",
			     OMACP_PROVDOC_MAX_NAME);
			continue;
		}
		ps = find_parm_spec(spec, parm->name);
		if (ps == NULL) {
			if ((spec->flags & C_ANY_PARMS) != 0) {
				parm->known = TRUE;
				parm->valid = TRUE;
			} else if (unchecked_app) {
				parm->valid = TRUE;
			} else {
				g_autofree char *shown = quote_value(parm->name);

				warn(doc, c->path, "unknown parm %s; ignored", shown);
			}
			continue;
		}
		parm->known = TRUE;
		if (parm->value == NULL && (ps->flags & P_FLAG) == 0) {
			warn(doc, c->path, "parm %s has no value; parm ignored", ps->name);
			continue;
		}
		if (parm->value != NULL && (ps->flags & P_IDENT) != 0 &&
		    strlen(parm->value) > OMACP_PROVDOC_MAX_NAME) {
			warn(doc, c->path, "parm %s is longer than %u characters; parm ignored",
			     ps->name, OMACP_PROVDOC_MAX_NAME);
			continue;
		}
		if (parm->value != NULL && (ps->flags & (P_IDENT | P_TRIM)) != 0 &&
		    (g_ascii_isspace(parm->value[0]) ||
		     (parm->value[0] != '\0' &&
		      g_ascii_isspace(parm->value[strlen(parm->value) - 1])))) {
			/* Operators pad identifiers and APNs; links and oFono
			 * need them as they are meant. */
			g_autofree char *shown = quote_value(parm->value);

			/* the tree's own string is copied first: it is also the
			 * Document text's */
			if (PRIV(doc)->tree != NULL)
				parm->value = omacp_arena_strdup(PRIV(doc)->arena, parm->value);
			g_strstrip(parm->value);
			warn(doc, c->path, "parm %s value %s has white space around it; removed",
			     ps->name, shown);
		}
		mismatch = NULL;
		if (parm->value != NULL && !(ps->vocab == VOCAB_SERVICE && c->parent != NULL &&
		                             str_is(c->parent->type, "APPADDR")))
			mismatch = vocab_mismatch(ps->vocab, parm->value);
		if (mismatch != NULL && vocab_words(ps->vocab) != NULL) {
			/* "pap" for PAP: MediaTek and Spreadtrum compare without
			 * regard to case; the value is read as the word it spells. */
			const char *const *words = vocab_words(ps->vocab);

			for (guint w = 0; words[w] != NULL; w++) {
				if (g_ascii_strcasecmp(words[w], parm->value) == 0) {
					g_autofree char *shown = quote_value(parm->value);

					warn(doc, c->path, "parm %s value %s read as %s", ps->name,
					     shown, words[w]);
					parm->value =
					        omacp_arena_strdup(PRIV(doc)->arena, words[w]);
					mismatch = NULL;
					break;
				}
			}
		}
		if (mismatch != NULL && *parm->value == '\0') {
			warn(doc, c->path, "parm %s is empty; parm ignored", ps->name);
			continue;
		}
		if (mismatch != NULL) {
			g_autofree char *shown = omacp_parm_is_secret(ps->name, c->type)
			                                 ? g_strdup("(secret)")
			                                 : quote_value(parm->value);

			warn(doc, c->path, "parm %s value %s is not %s; parm ignored", ps->name,
			     shown, mismatch);
			continue;
		}
		if ((ps->card == CARD_ONE || ps->card == CARD_OPT) &&
		    (seen & (G_GUINT64_CONSTANT(1) << (ps - spec->parms))) != 0) {
			warn(doc, c->path, "parm %s repeated; the first one is kept", ps->name);
			continue;
		}
		seen |= G_GUINT64_CONSTANT(1) << (ps - spec->parms);
		parm->valid = TRUE;
	}

	if (c->op != OMACP_OP_SET || !c->valid)
		return;

	/* An MSPROV container (only operations or identifier children, no
	 * parm of its own) is not a characteristic to apply. */
	if (!has_set_parm) {
		for (guint i = 0; i < c->children->len; i++) {
			OmacpCharacteristic *child = g_ptr_array_index(c->children, i);

			if (child->op != OMACP_OP_SET || child->identifier) {
				c->valid = FALSE;
				return;
			}
		}
		for (guint i = 0; i < c->parms->len; i++) {
			OmacpParm *parm = g_ptr_array_index(c->parms, i);

			if (parm->op != OMACP_OP_SET) {
				c->valid = FALSE;
				return;
			}
		}
	}

	for (guint i = 0; i < spec->n_parms; i++) {
		const ParmSpec *ps = &spec->parms[i];

		if (ps->card != CARD_ONE && ps->card != CARD_MANY)
			continue;
		if ((seen & (G_GUINT64_CONSTANT(1) << i)) != 0)
			continue;
		if ((ps->flags & P_SOFT) != 0) {
			/* A WLAN NAPDEF has no NAP-ADDRESS. */
			if (str_is(ps->name, "NAP-ADDRESS") &&
			    str_is(omacp_characteristic_get(c, "BEARER"), "WLAN"))
				continue;
			warn(doc, c->path, "mandatory parm %s missing; characteristic kept",
			     ps->name);
			continue;
		}
		warn(doc, c->path, "mandatory parm %s missing; characteristic ignored", ps->name);
		c->valid = FALSE;
		return;
	}

	/* PRI-H-SSID is a flag (a hidden network), never the name. */
	if (str_is(c->type, "WLAN") && !omacp_characteristic_has(c, "PRI-SSID") &&
	    !omacp_characteristic_has(c, "PRI-U-SSID")) {
		warn(doc, c->path,
		     "no SSID (PRI-SSID or PRI-U-SSID; PRI-H-SSID only marks a hidden network); "
		     "characteristic ignored");
		c->valid = FALSE;
	}
}

/* Operations (REMOVE/QUERY) keep their own validity: a removal inside an
 * MSPROV container stays visible. */
static void
mark_subtree_invalid(OmacpCharacteristic *c)
{
	if (c->op != OMACP_OP_SET)
		return;
	c->valid = FALSE;
	for (guint i = 0; i < c->children->len; i++)
		mark_subtree_invalid(g_ptr_array_index(c->children, i));
}

static gboolean build_children(Builder *b, const OmacpDocNode *xml, OmacpCharacteristic *parent,
                               guint depth, gboolean ignored, GError **error);

static gboolean
build_characteristic(Builder *b, const OmacpDocNode *node, OmacpCharacteristic *parent,
                     Counts *counts, OmacpOp op, guint depth, gboolean ignored, GError **error)
{
	OmacpProvDoc *doc = b->doc;
	const char *parent_path = parent != NULL ? parent->path : NULL;
	GPtrArray *into = parent != NULL ? parent->children : doc->characteristics;
	char *type = xml_prop(b, node, "type", DOC_NAMES->type);
	const char *mwid = xml_prop(b, node, "mwid", DOC_NAMES->mwid);
	const CharSpec *spec;
	guint nth;
	OmacpCharacteristic *c;

	if (type == NULL) {
		if (!ignored)
			warn(doc, parent_path, "<%s> without type; ignored with its contents",
			     (const char *) node->name);
		return TRUE;
	}
	if (!count_characteristic(b, parent_path != NULL ? parent_path : "the document root",
	                          error))
		return FALSE;
	if (depth >= OMACP_PROVDOC_MAX_DEPTH) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "provdoc: characteristics nested deeper than %u at %s",
		            OMACP_PROVDOC_MAX_DEPTH, parent_path);
		return FALSE;
	}
	if (strlen(type) > OMACP_PROVDOC_MAX_NAME) {
		if (!ignored)
			warn(doc, parent_path,
			     "characteristic type longer than %u characters; ignored with its "
			     "contents",
			     OMACP_PROVDOC_MAX_NAME);
		return TRUE;
	}

	spec = find_spec(type);
	nth = count_type(counts, spec, type);
	c = characteristic_new(b, node, type, op, parent, nth);
	g_ptr_array_add(into, c);
	c->known = spec != NULL;
	c->valid = !ignored;
	c->identifier = str_is(mwid, "1");

	if (!ignored && spec == NULL) {
		/* MSPROV rearranged form: NAPDEF/<NAPID>, PXLOGICAL/<PROXY-ID>;
		 * a removal or query of an unknown type inside a characteristic
		 * names an instance too (APPLICATION/<name>). */
		if (c->identifier || (parent != NULL && op != OMACP_OP_SET) ||
		    (parent != NULL &&
		     (str_is(parent->type, "NAPDEF") || str_is(parent->type, "PXLOGICAL") ||
		      str_is(parent->type, "PXPHYSICAL")))) {
			c->identifier = TRUE;
			if (op == OMACP_OP_SET) {
				warn(doc, c->path,
				     "MSPROV identifier form (%s names an existing item) is not "
				     "supported; ignored with its contents",
				     parent != NULL ? parent->type : "the root");
				c->valid = FALSE;
			}
		} else if (op == OMACP_OP_SET) {
			warn(doc, c->path,
			     "unknown characteristic type; ignored with its contents");
			c->valid = FALSE;
		}
	} else if (!ignored && !spec_allows_parent(spec, parent != NULL ? parent->type : NULL)) {
		warn(doc, c->path, "%s is not allowed %s%s; ignored with its contents", type,
		     parent != NULL ? "inside " : "at the document root",
		     parent != NULL ? parent->type : "");
		c->valid = FALSE;
	} else if (!ignored && spec != NULL && (spec->flags & C_SINGLE) != 0 &&
	           op == OMACP_OP_SET && nth > 1) {
		warn(doc, c->path, "only one %s is allowed; ignored", type);
		c->valid = FALSE;
	}
	if (parent != NULL && !parent->valid && parent->op == OMACP_OP_SET)
		c->valid = FALSE;

	if (op != OMACP_OP_SET) {
		const char *recursive = xml_prop(b, node, "recursive", DOC_NAMES->recursive);

		if (!ignored)
			add_operation(b, op, parent, type,
			              op == OMACP_OP_QUERY && !str_is(recursive, "false"));
		if (node->children != NULL && !ignored) {
			for (const OmacpDocNode *child = node->children; child != NULL;
			     child = child->next) {
				if (child->name != NULL) {
					warn(doc, c->path, "content of <%s> ignored",
					     (const char *) node->name);
					break;
				}
			}
		}
		return TRUE;
	}

	if (!build_children(b, node, c, depth + 1, ignored || !c->valid, error))
		return FALSE;
	if (c->valid && spec != NULL)
		validate_parms(doc, c, spec);
	if (!c->valid)
		mark_subtree_invalid(c);
	return TRUE;
}

static gboolean
build_parm(Builder *b, const OmacpDocNode *node, OmacpCharacteristic *parent, OmacpOp op,
           gboolean ignored, GError **error)
{
	OmacpProvDoc *doc = b->doc;
	char *name = xml_prop(b, node, "name", DOC_NAMES->name);
	OmacpParm *parm;

	if (parent == NULL) {
		if (!ignored)
			warn(doc, NULL, "<%s> outside a characteristic; ignored",
			     (const char *) node->name);
		return TRUE;
	}
	if (!count_parm(b, parent->path, error))
		return FALSE;
	if (name == NULL) {
		if (!ignored)
			warn(doc, parent->path, "<%s> without name; ignored",
			     (const char *) node->name);
		return TRUE;
	}
	parm = omacp_arena_alloc(b->arena, sizeof *parm);
	parm->name = name;
	parm->op = op;
	if (op == OMACP_OP_SET)
		parm->value = xml_prop(b, node, "value", DOC_NAMES->value);
	if (parm->value != NULL && !b->borrow && omacp_parm_is_secret(name, parent->type)) {
		SecretValue *secret = omacp_arena_alloc(b->arena, sizeof *secret);

		secret->value = parm->value;
		secret->next = PRIV(doc)->secrets;
		PRIV(doc)->secrets = secret;
	}
	g_ptr_array_add(parent->parms, parm);
	if (ignored)
		return TRUE;
	if (op != OMACP_OP_SET)
		add_operation(b, op, parent, parm->name, FALSE);
	for (const OmacpDocNode *child = node->children; child != NULL; child = child->next) {
		if (child->name != NULL) {
			warn(doc, parent->path, "elements inside parm %s ignored", parm->name);
			break;
		}
	}
	return TRUE;
}

static gboolean
is_response_element(const OmacpDocNode *node)
{
	static const char *const names[] = {
		"characteristic-error",
		"parm-error",
		"noparm-error",
		"nocharacteristic-error",
		"characteristic-query-error",
		"parm-query-error",
		NULL,
	};

	return word_in(names, (const char *) node->name);
}

static gboolean
build_children(Builder *b, const OmacpDocNode *xml, OmacpCharacteristic *parent, guint depth,
               gboolean ignored, GError **error)
{
	OmacpProvDoc *doc = b->doc;
	const char *path = parent != NULL ? parent->path : NULL;
	Counts counts = { { 0 }, NULL };
	gboolean ok = TRUE;

	for (const OmacpDocNode *node = xml->children; node != NULL && ok; node = node->next) {
		if (node->name == NULL)
			continue;
		if (name_is(node, characteristic, "characteristic"))
			ok = build_characteristic(b, node, parent, &counts, OMACP_OP_SET, depth,
			                          ignored, error);
		else if (name_is(node, parm, "parm"))
			ok = build_parm(b, node, parent, OMACP_OP_SET, ignored, error);
		else if (name_is(node, nocharacteristic, "nocharacteristic"))
			ok = build_characteristic(b, node, parent, &counts, OMACP_OP_REMOVE, depth,
			                          ignored, error);
		else if (name_is(node, characteristic_query, "characteristic-query"))
			ok = build_characteristic(b, node, parent, &counts, OMACP_OP_QUERY, depth,
			                          ignored, error);
		else if (name_is(node, noparm, "noparm"))
			ok = build_parm(b, node, parent, OMACP_OP_REMOVE, ignored, error);
		else if (name_is(node, parm_query, "parm-query"))
			ok = build_parm(b, node, parent, OMACP_OP_QUERY, ignored, error);
		else if (ignored)
			continue;
		else if (is_response_element(node))
			warn(doc, path, "response element <%s> in a request; ignored",
			     (const char *) node->name);
		else {
			g_autofree char *shown = quote_value((const char *) node->name);

			warn(doc, path, "unknown element %s; ignored with its contents", shown);
		}
	}
	g_clear_pointer(&counts.other, g_hash_table_unref);
	return ok;
}

/* ------------------------------------------------------------------------ */
/* Document rules and links */

static void
invalidate(OmacpProvDoc *doc, OmacpCharacteristic *c, const char *message)
{
	warn(doc, c->path, "%s", message);
	mark_subtree_invalid(c);
}

static OmacpParm *
first_live_parm(OmacpCharacteristic *c)
{
	for (guint i = 0; i < c->parms->len; i++) {
		OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (parm->op == OMACP_OP_SET && parm->known)
			return parm;
	}
	return NULL;
}

static void
index_init(OmacpProvDoc *doc)
{
	ProvIndex *index = &PRIV(doc)->index;
	guint n = 8;

	while (n < 2 * doc->characteristics->len)
		n *= 2;
	index->slots = omacp_arena_alloc(PRIV(doc)->arena, n * sizeof *index->slots);
	index->mask = n - 1;
	index->internet = omacp_arena_alloc(PRIV(doc)->arena, MAX(doc->characteristics->len, 1) *
	                                                              sizeof *index->internet);
	doc->index = index;
}

/* Adds @id unless it is there; returns the characteristic indexed under it. */
static OmacpCharacteristic *
index_add(ProvIndex *index, IdKind kind, const char *id, OmacpCharacteristic *c)
{
	guint hash = g_str_hash(id);

	for (guint i = hash & index->mask;; i = (i + 1) & index->mask) {
		IndexSlot *slot = &index->slots[i];

		if (slot->id == NULL) {
			slot->id = id; /* points into the document */
			slot->hash = hash;
			slot->kind = kind;
			slot->c = c;
			return c;
		}
		if (slot->hash == hash && slot->kind == kind && strcmp(slot->id, id) == 0)
			return slot->c;
	}
}

/* Duplicates by identifier among valid top-level characteristics of a type:
 * the first one wins, and is the one the index keeps. */
static void
drop_duplicates(OmacpProvDoc *doc, const char *type, const char *id_parm, IdKind kind)
{
	ProvIndex *index = &PRIV(doc)->index;

	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);
		const char *id;
		OmacpCharacteristic *earlier;

		if (!characteristic_is_live(c) || !str_is(c->type, type))
			continue;
		id = omacp_characteristic_get(c, id_parm);
		if (id == NULL)
			continue;
		earlier = index_add(index, kind, id, c);
		if (earlier != c) {
			g_autofree char *shown = quote_value(id);
			g_autofree char *text =
			        g_strdup_printf("%s %s already defined by %s; this one is ignored",
			                        id_parm, shown, earlier->path);

			invalidate(doc, c, text);
		}
	}
}

static void
apply_document_rules(OmacpProvDoc *doc)
{
	gboolean have_provurl = FALSE;

	index_init(doc);
	drop_duplicates(doc, "NAPDEF", "NAPID", ID_NAPID);
	/* cpclient merges PXLOGICALs that share a PROXY-ID; we keep the first and
	 * drop the others, which is deterministic and never mixes two proxies'
	 * credentials. */
	drop_duplicates(doc, "PXLOGICAL", "PROXY-ID", ID_PROXY_ID);
	drop_duplicates(doc, "APPLICATION", "APPREF", ID_APPREF);
	drop_duplicates(doc, "VENDORCONFIG", "NAME", ID_VENDOR_NAME);
	/* No NAPDEF is dropped after this. */
	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);
		ProvIndex *index = &PRIV(doc)->index;

		if (characteristic_is_live(c) && strcmp(c->type, "NAPDEF") == 0 &&
		    omacp_characteristic_has(c, "INTERNET"))
			index->internet[index->n_internet++] = c;
	}

	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);

		if (!characteristic_is_live(c))
			continue;
		if (str_is(c->type, "BOOTSTRAP") && omacp_characteristic_has(c, "PROVURL")) {
			if (have_provurl)
				invalidate(doc, c,
				           "only one BOOTSTRAP with PROVURL is allowed; ignored");
			have_provurl = TRUE;
		} else if (str_is(c->type, "APPLICATION") &&
		           str_is(omacp_characteristic_get(c, "APPID"), "w7")) {
			const char *provider = omacp_characteristic_get(c, "PROVIDER-ID");

			if (provider == NULL || *provider == '\0')
				invalidate(doc, c,
				           "w7 (device management) without PROVIDER-ID; ignored");
		} else if (str_is(c->type, "ACCESS")) {
			OmacpParm *parm = first_live_parm(c);

			if (parm != NULL && !str_is(parm->name, "RULE")) {
				g_autofree char *text = g_strdup_printf(
				        "first parm is %s, not RULE; ignored", parm->name);

				invalidate(doc, c, text);
			}
		}
	}
}

/* Identifiers compared without regard to ASCII case, built at the first
 * link that does not match exactly. */
typedef struct {
	GHashTable *folded[ID_VENDOR_NAME]; /* by IdKind: lower-case id → characteristic */
} FoldedIds;

static void
folded_ids_clear(FoldedIds *f)
{
	for (guint i = 0; i < G_N_ELEMENTS(f->folded); i++)
		g_clear_pointer(&f->folded[i], g_hash_table_unref);
}

static OmacpCharacteristic *
find_folded(OmacpProvDoc *doc, FoldedIds *f, IdKind kind, const char *value)
{
	static const char *const types[] = { "NAPDEF", "PXLOGICAL", "APPLICATION" };
	static const char *const id_parms[] = { "NAPID", "PROXY-ID", "APPREF" };
	g_autofree char *key = g_ascii_strdown(value, -1);

	if (f->folded[kind] == NULL) {
		f->folded[kind] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		for (guint i = 0; i < doc->characteristics->len; i++) {
			OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);
			const char *id;

			if (!characteristic_is_live(c) || !str_is(c->type, types[kind]))
				continue;
			id = omacp_characteristic_get(c, id_parms[kind]);
			if (id != NULL && !g_hash_table_contains(f->folded[kind], id))
				g_hash_table_insert(f->folded[kind], g_ascii_strdown(id, -1), c);
		}
	}
	return g_hash_table_lookup(f->folded[kind], key);
}

/* Drops each @name parm of @c that does not resolve; returns how many are
 * left. A link that matches only without regard to case is kept (MediaTek
 * and Spreadtrum compare so) and made to name its target exactly. */
static guint
resolve_refs(OmacpProvDoc *doc, FoldedIds *folded, OmacpCharacteristic *c, const char *name,
             const char *what)
{
	guint left = 0;

	for (guint i = 0; i < c->parms->len; i++) {
		OmacpParm *parm = g_ptr_array_index(c->parms, i);
		IdKind kind;
		gboolean found;
		OmacpCharacteristic *target;

		if (!parm_is_live(parm) || !str_is(parm->name, name) || parm->value == NULL)
			continue;
		if (str_is(name, "TO-NAPID")) {
			/* INTERNET may designate a NAP provisioned earlier: kept. */
			kind = ID_NAPID;
			found = strcmp(parm->value, "INTERNET") == 0 ||
			        omacp_provdoc_find_napdef(doc, parm->value) != NULL;
		} else if (str_is(name, "TO-APPREF")) {
			kind = ID_APPREF;
			found = omacp_provdoc_find_appref(doc, parm->value) != NULL;
		} else {
			kind = ID_PROXY_ID;
			found = omacp_provdoc_find_pxlogical(doc, parm->value) != NULL;
		}
		if (found) {
			left++;
			continue;
		}
		target = find_folded(doc, folded, kind, parm->value);
		if (target != NULL) {
			static const char *const id_parms[] = { "NAPID", "PROXY-ID", "APPREF" };
			const char *id = omacp_characteristic_get(target, id_parms[kind]);
			g_autofree char *shown = quote_value(parm->value);
			g_autofree char *shown_id = quote_value(id);

			warn(doc, c->path,
			     "%s %s matches %s %s of %s only without regard to case; linked", name,
			     shown, id_parms[kind], shown_id, target->path);
			parm->value = (char *) id; /* in the arena, like the value */
			left++;
			continue;
		}
		{
			g_autofree char *shown = quote_value(parm->value);

			warn(doc, c->path, "%s %s names no %s in the document; removed", name,
			     shown, what);
		}
		parm->valid = FALSE;
	}
	return left;
}

static guint
count_live(const OmacpCharacteristic *c, const char *name)
{
	guint n = 0;

	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		n += parm_is_live(parm) && str_is(parm->name, name);
	}
	return n;
}

static void
resolve_links(OmacpProvDoc *doc)
{
	FoldedIds folded = { { NULL } };

	/* PXPHYSICAL → NAPDEF, then PXLOGICAL needs a PXPHYSICAL left. */
	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *px = g_ptr_array_index(doc->characteristics, i);

		if (!characteristic_is_live(px) || !str_is(px->type, "PXLOGICAL"))
			continue;
		for (guint j = 0; j < px->children->len; j++) {
			OmacpCharacteristic *phys = g_ptr_array_index(px->children, j);

			if (!characteristic_is_live(phys) || !str_is(phys->type, "PXPHYSICAL"))
				continue;
			if (resolve_refs(doc, &folded, phys, "TO-NAPID", "valid NAPDEF") == 0)
				invalidate(doc, phys, "no TO-NAPID left; characteristic ignored");
		}
		{
			g_autoptr(GPtrArray) left = omacp_characteristic_children(px, "PXPHYSICAL");

			if (left->len == 0)
				invalidate(doc, px,
				           "mandatory PXPHYSICAL missing; characteristic ignored");
		}
	}

	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);

		if (!characteristic_is_live(c))
			continue;
		if (str_is(c->type, "APPLICATION")) {
			guint had = count_live(c, "TO-NAPID") + count_live(c, "TO-PROXY");
			guint left = resolve_refs(doc, &folded, c, "TO-NAPID", "valid NAPDEF") +
			             resolve_refs(doc, &folded, c, "TO-PROXY", "valid PXLOGICAL");

			resolve_refs(doc, &folded, c, "TO-APPREF", "APPLICATION with that APPREF");
			/* Not re-bound to every access point: that would swap
			 * the internet and MMS APNs (Symbian's adapters reject
			 * such an item). */
			if (had > 0 && left == 0)
				invalidate(doc, c,
				           "none of its TO-NAPID and TO-PROXY links resolves; "
				           "characteristic ignored");
		} else if (str_is(c->type, "ACCESS")) {
			guint left = resolve_refs(doc, &folded, c, "TO-NAPID", "valid NAPDEF") +
			             resolve_refs(doc, &folded, c, "TO-PROXY", "valid PXLOGICAL");

			if (left == 0)
				invalidate(doc, c,
				           "no TO-NAPID or TO-PROXY left; characteristic ignored");
		} else if (str_is(c->type, "BOOTSTRAP")) {
			resolve_refs(doc, &folded, c, "PROXY-ID", "valid PXLOGICAL");
		}
	}
	folded_ids_clear(&folded);
}

/* ------------------------------------------------------------------------ */
/* Binding applications to access points
 *
 *  1. an APPLICATION's own TO-NAPID and TO-PROXY, in document order: that is
 *     their priority (CPClient's documentation; Symbian takes the first);
 *  2. without links, the ACCESS rules naming its APPID, else those naming no
 *     APPID, PORTNBR or DOMAIN (CPClient consults ACCESS before binding);
 *  3. still without, an MMS application takes the document's only
 *     PXLOGICAL no other application uses, else its only packet NAPDEF that
 *     no other application uses and that is not flagged INTERNET; with more
 *     than one (or none) it is dropped with a warning. Windows' w4 CSP
 *     requires a link and Spreadtrum binds none; binding to every access
 *     point (CPClient) swaps the internet and MMS APNs. Other applications
 *     stay without an access point.
 * TO-NAPID INTERNET is one link standing for every INTERNET NAPDEF, so that
 * N applications and N such NAPDEFs cost N, not N². */

static void
binding_free(AppBinding *b)
{
	g_ptr_array_unref(b->links);
}

static void
add_link(OmacpProvDoc *doc, AppBinding *b, OmacpCharacteristic *nap, OmacpCharacteristic *px,
         OmacpCharacteristic *phys)
{
	OmacpLink *link = omacp_arena_alloc(PRIV(doc)->arena, sizeof *link);

	link->napdef = nap;
	link->pxlogical = px;
	link->pxphysical = phys;
	g_ptr_array_add(b->links, link);
}

static void
link_napid(OmacpProvDoc *doc, AppBinding *b, const char *to_napid, OmacpCharacteristic *px,
           OmacpCharacteristic *phys)
{
	OmacpCharacteristic *nap;

	if (strcmp(to_napid, "INTERNET") == 0 && PRIV(doc)->index.n_internet > 0) {
		add_link(doc, b, NULL, px, phys);
		return;
	}
	nap = omacp_provdoc_find_napdef(doc, to_napid);
	if (nap != NULL)
		add_link(doc, b, nap, px, phys);
}

static void
link_proxy(OmacpProvDoc *doc, AppBinding *b, OmacpCharacteristic *px)
{
	for (guint i = 0; i < px->children->len; i++) {
		OmacpCharacteristic *phys = g_ptr_array_index(px->children, i);

		if (!characteristic_is_live(phys) || !str_is(phys->type, "PXPHYSICAL"))
			continue;
		for (guint k = 0; k < phys->parms->len; k++) {
			const OmacpParm *parm = g_ptr_array_index(phys->parms, k);

			if (parm_is_live(parm) && parm->value != NULL &&
			    str_is(parm->name, "TO-NAPID"))
				link_napid(doc, b, parm->value, px, phys);
		}
	}
}

/* The TO-NAPID and TO-PROXY of an APPLICATION or ACCESS, in order. */
static void
link_all(OmacpProvDoc *doc, AppBinding *b, const OmacpCharacteristic *c)
{
	for (guint i = 0; i < c->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(c->parms, i);

		if (!parm_is_live(parm) || parm->value == NULL)
			continue;
		if (str_is(parm->name, "TO-NAPID")) {
			link_napid(doc, b, parm->value, NULL, NULL);
		} else if (str_is(parm->name, "TO-PROXY")) {
			OmacpCharacteristic *px = omacp_provdoc_find_pxlogical(doc, parm->value);

			if (px != NULL)
				link_proxy(doc, b, px);
		}
	}
}

static gboolean
access_names_appid(const OmacpCharacteristic *rule, const char *appid)
{
	for (guint i = 0; i < rule->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(rule->parms, i);

		if (parm_is_live(parm) && str_is(parm->name, "APPID") &&
		    g_strcmp0(parm->value, appid) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
nap_is_wlan_or_internet(const OmacpCharacteristic *nap)
{
	if (omacp_characteristic_has(nap, "INTERNET"))
		return TRUE;
	for (guint i = 0; i < nap->children->len; i++) {
		const OmacpCharacteristic *child = g_ptr_array_index(nap->children, i);

		if (characteristic_is_live(child) && str_is(child->type, "WLAN"))
			return TRUE;
	}
	for (guint i = 0; i < nap->parms->len; i++) {
		const OmacpParm *parm = g_ptr_array_index(nap->parms, i);

		if (parm_is_live(parm) && str_is(parm->name, "BEARER") &&
		    g_strcmp0(parm->value, "WLAN") == 0)
			return TRUE;
	}
	return FALSE;
}

static void
binding_pass(OmacpProvDoc *doc)
{
	g_autoptr(GPtrArray) rules = g_ptr_array_new();
	g_autoptr(GPtrArray) unbound_mms = g_ptr_array_new();
	g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL); /* NAPDEFs and PXLOGICALs */
	OmacpCharacteristic *only_px = NULL;
	OmacpCharacteristic *only_nap = NULL;
	guint n_px = 0;
	guint n_nap = 0;

	PRIV(doc)->bindings =
	        g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) binding_free);
	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);

		if (characteristic_is_live(c) && str_is(c->type, "ACCESS"))
			g_ptr_array_add(rules, c);
	}
	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *app = g_ptr_array_index(doc->characteristics, i);
		const char *appid;
		AppBinding *b;

		if (!characteristic_is_live(app) || !str_is(app->type, "APPLICATION"))
			continue;
		appid = omacp_characteristic_get(app, "APPID");
		b = omacp_arena_alloc(PRIV(doc)->arena, sizeof *b);
		b->links = g_ptr_array_new();
		if (!omacp_provdoc_app_is_unlinked(app)) {
			b->source = OMACP_BINDING_LINKS;
			link_all(doc, b, app);
		} else {
			for (guint r = 0; r < rules->len; r++) {
				if (access_names_appid(g_ptr_array_index(rules, r), appid))
					link_all(doc, b, g_ptr_array_index(rules, r));
			}
			for (guint r = 0; r < rules->len && b->links->len == 0; r++) {
				const OmacpCharacteristic *rule = g_ptr_array_index(rules, r);

				if (!omacp_characteristic_has(rule, "APPID") &&
				    !omacp_characteristic_has(rule, "PORTNBR") &&
				    !omacp_characteristic_has(rule, "DOMAIN"))
					link_all(doc, b, rule);
			}
			b->source = b->links->len > 0 ? OMACP_BINDING_ACCESS : OMACP_BINDING_NONE;
		}
		for (guint k = 0; k < b->links->len; k++) {
			const OmacpLink *link = g_ptr_array_index(b->links, k);

			if (link->napdef != NULL)
				g_hash_table_add(used, link->napdef);
			if (link->pxlogical != NULL)
				g_hash_table_add(used, link->pxlogical);
		}
		g_hash_table_insert(PRIV(doc)->bindings, app, b);
		if (b->source == OMACP_BINDING_NONE && omacp_appid_is_mms(appid))
			g_ptr_array_add(unbound_mms, app);
	}
	if (unbound_mms->len == 0)
		return;

	for (guint i = 0; i < doc->characteristics->len; i++) {
		OmacpCharacteristic *c = g_ptr_array_index(doc->characteristics, i);

		if (!characteristic_is_live(c) || g_hash_table_contains(used, c))
			continue;
		if (str_is(c->type, "PXLOGICAL")) {
			only_px = c;
			n_px++;
		} else if (str_is(c->type, "NAPDEF") && !nap_is_wlan_or_internet(c)) {
			only_nap = c;
			n_nap++;
		}
	}
	for (guint i = 0; i < unbound_mms->len; i++) {
		OmacpCharacteristic *app = g_ptr_array_index(unbound_mms, i);
		AppBinding *b = g_hash_table_lookup(PRIV(doc)->bindings, app);

		if (unbound_mms->len == 1 && n_px == 1)
			link_proxy(doc, b, only_px);
		else if (unbound_mms->len == 1 && n_px == 0 && n_nap == 1)
			add_link(doc, b, only_nap, NULL, NULL);
		if (b->links->len > 0) {
			b->source = OMACP_BINDING_ONLY_CANDIDATE;
			continue;
		}
		g_hash_table_remove(PRIV(doc)->bindings, app);
		invalidate(doc, app,
		           "MMS application without TO-PROXY, TO-NAPID or ACCESS rule, and the "
		           "document has no single access point left for it; characteristic "
		           "ignored");
	}
}

gboolean
omacp_provdoc_from_tree(OmacpDocTree *tree, OmacpProvDoc **out, GError **error)
{
	g_autoptr(OmacpProvDoc) doc = NULL;
	const OmacpDocNode *root;
	Builder b = { 0 };

	g_return_val_if_fail(tree != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	root = tree->root;
	if (root == NULL) {
		g_set_error_literal(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT,
		                    "provdoc: the document has no root element");
		return FALSE;
	}
	if (!str_is(root->name, "wap-provisioningdoc")) {
		g_autofree char *shown = quote_value(root->name);

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_DOCUMENT,
		            "provdoc: root element is %s, not wap-provisioningdoc", shown);
		return FALSE;
	}

	doc = (OmacpProvDoc *) g_new0(ProvDocPriv, 1);
	doc->characteristics = g_ptr_array_new_with_free_func((GDestroyNotify) characteristic_free);
	doc->warnings = g_ptr_array_new_with_free_func(g_free);
	doc->operations = g_ptr_array_new();
	if (!tree->from_xml) {
		PRIV(doc)->tree = omacp_doc_tree_ref(tree);
		PRIV(doc)->arena = &tree->arena;
		b.borrow = TRUE;
	} else {
		PRIV(doc)->arena = &PRIV(doc)->own_arena;
	}
	b.doc = doc;
	b.arena = PRIV(doc)->arena;
	b.names = omacp_doc_names();
	doc->version = xml_prop(&b, root, "version", b.names->version);
	if (doc->version != NULL && !g_str_has_prefix(doc->version, "1.") &&
	    !str_is(doc->version, "1")) {
		g_autofree char *shown = quote_value(doc->version);

		warn(doc, NULL, "version %s is not 1.x; read as ProvCont 1.1", shown);
	}

	if (!build_children(&b, root, NULL, 0, FALSE, error))
		return FALSE;
	apply_document_rules(doc);
	resolve_links(doc);
	binding_pass(doc);

	*out = g_steal_pointer(&doc);
	return TRUE;
}

gboolean
omacp_provdoc_from_xml(xmlDoc *xml, OmacpProvDoc **out, GError **error)
{
	g_autoptr(OmacpDocTree) tree = NULL;

	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	tree = omacp_doc_tree_from_xml(xml);
	return omacp_provdoc_from_tree(tree, out, error);
}
