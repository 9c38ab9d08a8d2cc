/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PROV code pages (OMA ProvCont 1.1 §7 as collected in the digest §4, §6.2
 * and §8): one set of arrays indexed by token for decoding, and hash indexes
 * built from the same arrays once for encoding. */
#include "prov-tables.h"

#include <string.h>

#define LATE OMACP_PROV_TOKEN_LATE

/* ---- tags (identity = bits 0-5 of the tag octet) ---- */

#define MSPROV_TAGS                                                                                \
	[0x20] = "characteristic-query", [0x21] = "parm-query", [0x22] = "nocharacteristic",       \
	[0x23] = "noparm", [0x24] = "characteristic-error", [0x25] = "parm-error",                 \
	[0x26] = "characteristic-query-error", [0x27] = "parm-query-error",                        \
	[0x28] = "nocharacteristic-error", [0x29] = "noparm-error"

/* Page 0 carries the MSPROV elements in the Windows Mobile 2003 placement;
 * they do not collide with any OMA tag. */
static const char *const tags_page0[64] = {
	[0x05] = "wap-provisioningdoc",
	[0x06] = "characteristic",
	[0x07] = "parm",
	MSPROV_TAGS,
};

static const char *const tags_page1[64] = {
	[0x06] = "characteristic",
	[0x07] = "parm",
};

/* Windows Mobile 5 and later moved the MSPROV elements to page 200. */
static const char *const tags_page200[64] = {
	MSPROV_TAGS,
};

/* ---- attribute starts ---- */

#define NAME(p)                                                                                    \
	{                                                                                          \
		"name", p, 0                                                                       \
	}
#define NAME_L(p)                                                                                  \
	{                                                                                          \
		"name", p, LATE                                                                    \
	}
#define TYPE(p)                                                                                    \
	{                                                                                          \
		"type", p, 0                                                                       \
	}
#define TYPE_L(p)                                                                                  \
	{                                                                                          \
		"type", p, LATE                                                                    \
	}

static const OmacpProvAttrStart attrs_page0[128] = {
	[0x05] = NAME(NULL),
	[0x06] = { "value", NULL, 0 },
	[0x07] = NAME("NAME"),
	[0x08] = NAME("NAP-ADDRESS"),
	[0x09] = NAME("NAP-ADDRTYPE"),
	[0x0A] = NAME("CALLTYPE"),
	[0x0B] = NAME("VALIDUNTIL"),
	[0x0C] = NAME("AUTHTYPE"),
	[0x0D] = NAME("AUTHNAME"),
	[0x0E] = NAME("AUTHSECRET"),
	[0x0F] = NAME("LINGER"),
	[0x10] = NAME("BEARER"),
	[0x11] = NAME("NAPID"),
	[0x12] = NAME("COUNTRY"),
	[0x13] = NAME("NETWORK"),
	[0x14] = NAME("INTERNET"),
	[0x15] = NAME("PROXY-ID"),
	[0x16] = NAME("PROXY-PROVIDER-ID"),
	[0x17] = NAME("DOMAIN"),
	[0x18] = NAME("PROVURL"),
	[0x19] = NAME("PXAUTH-TYPE"),
	[0x1A] = NAME("PXAUTH-ID"),
	[0x1B] = NAME("PXAUTH-PW"),
	[0x1C] = NAME("STARTPAGE"),
	[0x1D] = NAME("BASAUTH-ID"),
	[0x1E] = NAME("BASAUTH-PW"),
	[0x1F] = NAME("PUSHENABLED"),
	[0x20] = NAME("PXADDR"),
	[0x21] = NAME("PXADDRTYPE"),
	[0x22] = NAME("TO-NAPID"),
	[0x23] = NAME("PORTNBR"),
	[0x24] = NAME("SERVICE"),
	[0x25] = NAME("LINKSPEED"),
	[0x26] = NAME("DNLINKSPEED"),
	[0x27] = NAME("LOCAL-ADDR"),
	[0x28] = NAME("LOCAL-ADDRTYPE"),
	[0x29] = NAME("CONTEXT-ALLOW"),
	[0x2A] = NAME("TRUST"),
	[0x2B] = NAME("MASTER"),
	[0x2C] = NAME("SID"),
	[0x2D] = NAME("SOC"),
	[0x2E] = NAME("WSP-VERSION"),
	[0x2F] = NAME("PHYSICAL-PROXY-ID"),
	[0x30] = NAME("CLIENT-ID"),
	[0x31] = NAME("DELIVERY-ERR-SDU"),
	[0x32] = NAME("DELIVERY-ORDER"),
	[0x33] = NAME("TRAFFIC-CLASS"),
	[0x34] = NAME("MAX-SDU-SIZE"),
	[0x35] = NAME("MAX-BITRATE-UPLINK"),
	[0x36] = NAME("MAX-BITRATE-DNLINK"),
	[0x37] = NAME("RESIDUAL-BER"),
	[0x38] = NAME("SDU-ERROR-RATIO"),
	[0x39] = NAME("TRAFFIC-HANDL-PRIO"),
	[0x3A] = NAME("TRANSFER-DELAY"),
	[0x3B] = NAME("GUARANTEED-BITRATE-UPLINK"),
	[0x3C] = NAME("GUARANTEED-BITRATE-DNLINK"),
	[0x3D] = NAME("PXADDR-FQDN"),
	[0x3E] = NAME("PROXY-PW"),
	[0x3F] = NAME("PPGAUTH-TYPE"),
	/* 0x40..0x44 are global tokens on this page */
	[0x45] = { "version", NULL, 0 },
	[0x46] = { "version", "1.0", 0 },
	[0x47] = NAME("PULLENABLED"),
	[0x48] = NAME("DNS-ADDR"),
	[0x49] = NAME("MAX-NUM-RETRY"),
	[0x4A] = NAME("FIRST-RETRY-TIMEOUT"),
	[0x4B] = NAME("REREG-THRESHOLD"),
	[0x4C] = NAME("T-BIT"),
	/* 0x4D unassigned */
	[0x4E] = NAME("AUTH-ENTITY"),
	[0x4F] = NAME("SPI"),
	[0x50] = TYPE(NULL),
	[0x51] = TYPE("PXLOGICAL"),
	[0x52] = TYPE("PXPHYSICAL"),
	[0x53] = TYPE("PORT"),
	[0x54] = TYPE("VALIDITY"),
	[0x55] = TYPE("NAPDEF"),
	[0x56] = TYPE("BOOTSTRAP"),
	[0x57] = TYPE("VENDORCONFIG"),
	[0x58] = TYPE("CLIENTIDENTITY"),
	[0x59] = TYPE("PXAUTHINFO"),
	[0x5A] = TYPE("NAPAUTHINFO"),
	[0x5B] = TYPE("ACCESS"),
	[0x5C] = TYPE_L("BEARERINFO"),
	[0x5D] = TYPE_L("DNS-ADDRINFO"),
};

/* Page 1: the APPLICATION family, then the late WLAN/APPREF additions.
 * 0x40..0x44 are global tokens in generic WBXML; in attribute state on this
 * page the decoder reads them as these names (digest §4.5). */
static const OmacpProvAttrStart attrs_page1[128] = {
	[0x05] = NAME(NULL),
	[0x06] = { "value", NULL, 0 },
	[0x07] = NAME("NAME"),
	[0x14] = NAME("INTERNET"),
	[0x1C] = NAME("STARTPAGE"),
	[0x22] = NAME("TO-NAPID"),
	[0x23] = NAME("PORTNBR"),
	[0x24] = NAME("SERVICE"),
	[0x2E] = NAME("AACCEPT"),
	[0x2F] = NAME("AAUTHDATA"),
	[0x30] = NAME("AAUTHLEVEL"),
	[0x31] = NAME("AAUTHNAME"),
	[0x32] = NAME("AAUTHSECRET"),
	[0x33] = NAME("AAUTHTYPE"),
	[0x34] = NAME("ADDR"),
	[0x35] = NAME("ADDRTYPE"),
	[0x36] = NAME("APPID"),
	[0x37] = NAME("APROTOCOL"),
	[0x38] = NAME("PROVIDER-ID"),
	[0x39] = NAME("TO-PROXY"),
	[0x3A] = NAME("URI"),
	[0x3B] = NAME("RULE"),
	[0x3C] = NAME_L("APPREF"),
	[0x3D] = NAME_L("TO-APPREF"),
	[0x3E] = NAME_L("PRI-SSID"),
	[0x3F] = NAME_L("PRI-U-SSID"),
	[0x40] = NAME_L("PRI-H-SSID"),
	[0x41] = NAME_L("S-SSID"),
	[0x42] = NAME_L("S-U-SSID"),
	[0x43] = NAME_L("NETMODE"),
	[0x44] = NAME_L("SECMODE"),
	[0x45] = NAME_L("EAPTYPE"),
	[0x46] = NAME_L("USERNAME"),
	[0x47] = NAME_L("PASSWORD"),
	[0x48] = NAME_L("REALM"),
	[0x49] = NAME_L("USE-PSEUD"),
	[0x4C] = NAME_L("VER-SER-REALM"),
	[0x4D] = NAME_L("CLIENT-AUTH"),
	[0x4E] = NAME_L("SES-VAL-TIME"),
	[0x4F] = NAME_L("CIP-SUIT"),
	[0x50] = TYPE(NULL),
	[0x53] = TYPE("PORT"),
	[0x55] = TYPE("APPLICATION"),
	[0x56] = TYPE("APPADDR"),
	[0x57] = TYPE("APPAUTH"),
	[0x58] = TYPE("CLIENTIDENTITY"),
	[0x59] = TYPE("RESOURCE"),
	[0x5A] = TYPE_L("WLAN"),
	[0x5B] = TYPE_L("SEC-SSID"),
	[0x5C] = TYPE_L("EAP"),
	[0x5D] = TYPE_L("CERT"),
	[0x5E] = TYPE_L("WEPKEY"),
	[0x60] = NAME_L("PEAP-V0"),
	[0x61] = NAME_L("PEAP-V1"),
	[0x62] = NAME_L("PEAP-V2"),
	[0x63] = NAME_L("ISS-NAME"),
	[0x64] = NAME_L("SUB-NAME"),
	[0x65] = NAME_L("CERT-TYPE"),
	[0x66] = NAME_L("SER-NUM"),
	[0x67] = NAME_L("SUB-KEY-ID"),
	[0x68] = NAME_L("THUMBPRINT"),
	[0x69] = NAME_L("WPA-PRES-KEY-ASC"),
	[0x6A] = NAME_L("WPA-PRES-KEY-HEX"),
	[0x6B] = NAME_L("WEPKEYIND"),
	[0x6C] = NAME_L("WEPAUTHMODE"),
	[0x6D] = NAME_L("LENGTH"),
	[0x6E] = NAME_L("INDEX"),
	[0x6F] = NAME_L("DATA"),
	/* Kannel only */
	[0x70] = NAME_L("WLANHAND"),
	[0x71] = NAME_L("EDIT-SET"),
	[0x72] = NAME_L("VIEW-SET"),
	[0x73] = NAME_L("FORW-SET"),
};

/* ---- attribute values ---- */

typedef struct {
	const char *text;
	guint8 flags;
} ValueToken;

/* Spellings per digest §8: TETRA-SDS/-PACKET (not libwbxml's "TRETRA"),
 * CDMA2000-1X-..., IS-95-CDMA-PACKET, AUTOBAUDING; AAA/HA on page 0. */
static const ValueToken values_page0[256] = {
	[0x85] = { "IPV4" },
	[0x86] = { "IPV6" },
	[0x87] = { "E164" },
	[0x88] = { "ALPHA" },
	[0x89] = { "APN" },
	[0x8A] = { "SCODE" },
	[0x8B] = { "TETRA-ITSI" },
	[0x8C] = { "MAN" },
	[0x90] = { "ANALOG-MODEM" },
	[0x91] = { "V.120" },
	[0x92] = { "V.110" },
	[0x93] = { "X.31" },
	[0x94] = { "BIT-TRANSPARENT" },
	[0x95] = { "DIRECT-ASYNCHRONOUS-DATA-SERVICE" },
	[0x9A] = { "PAP" },
	[0x9B] = { "CHAP" },
	[0x9C] = { "HTTP-BASIC" },
	[0x9D] = { "HTTP-DIGEST" },
	[0x9E] = { "WTLS-SS" },
	[0x9F] = { "MD5" },
	[0xA2] = { "GSM-USSD" },
	[0xA3] = { "GSM-SMS" },
	[0xA4] = { "ANSI-136-GUTS" },
	[0xA5] = { "IS-95-CDMA-SMS" },
	[0xA6] = { "IS-95-CDMA-CSD" },
	[0xA7] = { "IS-95-CDMA-PACKET" },
	[0xA8] = { "ANSI-136-CSD" },
	[0xA9] = { "ANSI-136-GPRS" },
	[0xAA] = { "GSM-CSD" },
	[0xAB] = { "GSM-GPRS" },
	[0xAC] = { "AMPS-CDPD" },
	[0xAD] = { "PDC-CSD" },
	[0xAE] = { "PDC-PACKET" },
	[0xAF] = { "IDEN-SMS" },
	[0xB0] = { "IDEN-CSD" },
	[0xB1] = { "IDEN-PACKET" },
	[0xB2] = { "FLEX/REFLEX" },
	[0xB3] = { "PHS-SMS" },
	[0xB4] = { "PHS-CSD" },
	[0xB5] = { "TETRA-SDS" },
	[0xB6] = { "TETRA-PACKET" },
	[0xB7] = { "ANSI-136-GHOST" },
	[0xB8] = { "MOBITEX-MPAK" },
	[0xB9] = { "CDMA2000-1X-SIMPLE-IP" },
	[0xBA] = { "CDMA2000-1X-MOBILE-IP" },
	[0xBB] = { "3G-GSM", LATE },
	[0xBC] = { "WLAN", LATE },
	[0xC5] = { "AUTOBAUDING" },
	[0xCA] = { "CL-WSP" },
	[0xCB] = { "CO-WSP" },
	[0xCC] = { "CL-SEC-WSP" },
	[0xCD] = { "CO-SEC-WSP" },
	[0xCE] = { "CL-SEC-WTA" },
	[0xCF] = { "CO-SEC-WTA" },
	[0xD0] = { "OTA-HTTP-TO" },
	[0xD1] = { "OTA-HTTP-TLS-TO" },
	[0xD2] = { "OTA-HTTP-PO" },
	[0xD3] = { "OTA-HTTP-TLS-PO" },
	[0xE0] = { "AAA" },
	[0xE1] = { "HA" },
};

/* No IPV4 on page 1. 0x90..0x93 are the 2005 numbering (AAUTHTYPE values
 * are built by concatenation: 0x91 0x92 = "HTTP-BASIC"). */
static const ValueToken values_page1[256] = {
	[0x86] = { "IPV6" },   [0x87] = { "E164" },  [0x88] = { "ALPHA" },
	[0x8D] = { "APPSRV" }, [0x8E] = { "OBEX" },  [0x90] = { "," },
	[0x91] = { "HTTP-" },  [0x92] = { "BASIC" }, [0x93] = { "DIGEST" },
};

/* ---- decoding ---- */

const char *
omacp_prov_tag_name(guint page, guint8 token)
{
	token &= 0x3F;
	switch (page) {
	case 0:
		return tags_page0[token];
	case 1:
		return tags_page1[token];
	case OMACP_PROV_MSPROV_PAGE:
		return tags_page200[token];
	}
	return NULL;
}

const OmacpProvAttrStart *
omacp_prov_attr_start(guint page, guint8 token)
{
	const OmacpProvAttrStart *a;

	if (token >= 128)
		return NULL;
	switch (page) {
	case 0:
		a = &attrs_page0[token];
		break;
	case 1:
		a = &attrs_page1[token];
		break;
	default:
		return NULL;
	}
	return a->attr != NULL ? a : NULL;
}

const char *
omacp_prov_attr_value(guint page, guint8 token)
{
	switch (page) {
	case 0:
		return values_page0[token].text;
	case 1:
		return values_page1[token].text;
	}
	return NULL;
}

/* ---- encoding: reverse indexes built once ---- */

/* Index values pack the token on page 0 in bits 0-7 and on page 1 in bits
 * 8-15 (0 = none: no token of either kind is 0). */
typedef struct {
	GHashTable *tags;         /* name → packed */
	GHashTable *attr_name;    /* prefix ("" = plain name=) → packed */
	GHashTable *attr_value;   /* "" → packed (value=) */
	GHashTable *attr_type;    /* prefix → packed */
	GHashTable *attr_version; /* prefix → packed */
	GHashTable *values;       /* text → packed */
} ReverseIndex;

static void
index_add(GHashTable *table, const char *key, guint page, guint8 token)
{
	guint packed = GPOINTER_TO_UINT(g_hash_table_lookup(table, key));
	guint shift = page * 8;

	/* The first (lowest) token of a page wins. */
	if (((packed >> shift) & 0xFF) != 0)
		return;
	packed |= (guint) token << shift;
	g_hash_table_insert(table, (gpointer) key, GUINT_TO_POINTER(packed));
}

static GHashTable *
attr_table(const ReverseIndex *idx, const char *attr)
{
	if (strcmp(attr, "name") == 0)
		return idx->attr_name;
	if (strcmp(attr, "value") == 0)
		return idx->attr_value;
	if (strcmp(attr, "type") == 0)
		return idx->attr_type;
	if (strcmp(attr, "version") == 0)
		return idx->attr_version;
	return NULL;
}

static const ReverseIndex *
reverse_index(void)
{
	static ReverseIndex idx;
	static gsize once = 0;

	if (g_once_init_enter(&once)) {
		static const char *const *const tag_pages[2] = { tags_page0, tags_page1 };
		static const OmacpProvAttrStart *const attr_pages[2] = { attrs_page0, attrs_page1 };
		static const ValueToken *const value_pages[2] = { values_page0, values_page1 };

		idx.tags = g_hash_table_new(g_str_hash, g_str_equal);
		idx.attr_name = g_hash_table_new(g_str_hash, g_str_equal);
		idx.attr_value = g_hash_table_new(g_str_hash, g_str_equal);
		idx.attr_type = g_hash_table_new(g_str_hash, g_str_equal);
		idx.attr_version = g_hash_table_new(g_str_hash, g_str_equal);
		idx.values = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint page = 0; page < 2; page++) {
			for (guint t = 0x05; t < 64; t++) {
				if (tag_pages[page][t] != NULL)
					index_add(idx.tags, tag_pages[page][t], page, (guint8) t);
			}
			for (guint t = 0x05; t < 128; t++) {
				const OmacpProvAttrStart *a = &attr_pages[page][t];

				/* 0x40..0x44 collide with globals: never emitted. */
				if (a->attr == NULL || (a->flags & LATE) ||
				    (t >= 0x40 && t <= 0x44))
					continue;
				index_add(attr_table(&idx, a->attr), a->prefix ? a->prefix : "",
				          page, (guint8) t);
			}
			for (guint t = 0x85; t < 256; t++) {
				const ValueToken *v = &value_pages[page][t];

				if (v->text == NULL || (v->flags & LATE))
					continue;
				index_add(idx.values, v->text, page, (guint8) t);
			}
		}
		g_once_init_leave(&once, 1);
	}
	return &idx;
}

static gboolean
choose(guint packed, guint current_page, guint *page, guint8 *token)
{
	guint8 on_page[2] = { packed & 0xFF, (packed >> 8) & 0xFF };
	guint p;

	if (packed == 0)
		return FALSE;
	if (current_page < 2 && on_page[current_page] != 0)
		p = current_page;
	else
		p = on_page[0] != 0 ? 0 : 1;
	*page = p;
	*token = on_page[p];
	return TRUE;
}

gboolean
omacp_prov_find_tag(const char *name, guint current_page, guint *page, guint8 *token)
{
	const ReverseIndex *idx = reverse_index();

	g_return_val_if_fail(name != NULL, FALSE);
	return choose(GPOINTER_TO_UINT(g_hash_table_lookup(idx->tags, name)), current_page, page,
	              token);
}

gboolean
omacp_prov_find_attr_start(const char *attr, const char *value, guint current_page, guint *page,
                           guint8 *token)
{
	const ReverseIndex *idx = reverse_index();
	GHashTable *table;

	g_return_val_if_fail(attr != NULL, FALSE);
	table = attr_table(idx, attr);
	if (table == NULL)
		return FALSE;
	return choose(GPOINTER_TO_UINT(g_hash_table_lookup(table, value ? value : "")),
	              current_page, page, token);
}

gboolean
omacp_prov_find_attr_value(const char *value, guint current_page, guint *page, guint8 *token)
{
	const ReverseIndex *idx = reverse_index();

	g_return_val_if_fail(value != NULL, FALSE);
	return choose(GPOINTER_TO_UINT(g_hash_table_lookup(idx->values, value)), current_page, page,
	              token);
}
