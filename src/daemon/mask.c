/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mask.h"

#include <string.h>

char *
omacp_mask_number(const char *number)
{
	gsize len;
	char *masked;

	if (number == NULL || number[0] == '\0')
		return g_strdup("(none)");
	masked = g_strdup(number);
	len = strlen(masked);
	for (gsize i = 0; i + 3 < len; i++) {
		if (g_ascii_isdigit(masked[i]))
			masked[i] = '*';
	}
	return masked;
}

/* Parms whose value is a secret wherever they appear (ProvCont 1.1, the
 * MSPROV/WLAN extensions). */
static const char *const secret_parms[] = {
	"AUTHSECRET",       "PXAUTH-PW",        "AAUTHSECRET", "PROXY-PW",  "BASAUTH-PW",
	"WPA-PRES-KEY-ASC", "WPA-PRES-KEY-HEX", "PASSWORD",    "AAUTHDATA", "SPI",
};

gboolean
omacp_mask_parm_is_secret(const char *name, const char *parent_type)
{
	if (name == NULL)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(secret_parms); i++) {
		if (g_ascii_strcasecmp(name, secret_parms[i]) == 0)
			return TRUE;
	}
	/* WEPKEY/DATA is the key itself */
	if (parent_type != NULL && g_ascii_strcasecmp(parent_type, "WEPKEY") == 0 &&
	    g_ascii_strcasecmp(name, "DATA") == 0)
		return TRUE;
	return FALSE;
}

static void
mask_node(xmlNode *node)
{
	for (xmlNode *n = node; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, (const xmlChar *) "parm") == 0 ||
		    xmlStrcmp(n->name, (const xmlChar *) "noparm") == 0) {
			xmlChar *name = xmlGetProp(n, (const xmlChar *) "name");
			xmlChar *parent_type = NULL;

			if (n->parent != NULL && n->parent->type == XML_ELEMENT_NODE)
				parent_type = xmlGetProp(n->parent, (const xmlChar *) "type");
			if (omacp_mask_parm_is_secret((const char *) name,
			                              (const char *) parent_type) &&
			    xmlHasProp(n, (const xmlChar *) "value") != NULL)
				xmlSetProp(n, (const xmlChar *) "value",
				           (const xmlChar *) OMACP_MASK);
			xmlFree(name);
			xmlFree(parent_type);
		}
		mask_node(n->children);
	}
}

char *
omacp_mask_document(xmlDoc *xml)
{
	xmlDoc *copy;
	xmlChar *text = NULL;
	int len = 0;
	char *result;

	if (xml == NULL)
		return g_strdup("");
	copy = xmlCopyDoc(xml, 1);
	if (copy == NULL)
		return g_strdup("");
	mask_node(xmlDocGetRootElement(copy));
	xmlDocDumpFormatMemoryEnc(copy, &text, &len, "UTF-8", 1);
	xmlFreeDoc(copy);
	result = g_strndup((const char *) text, len);
	xmlFree(text);
	return result;
}

char *
omacp_mask_imsi(const char *imsi)
{
	gsize len;
	char *masked;

	if (imsi == NULL || imsi[0] == '\0')
		return g_strdup("");
	masked = g_strdup(imsi);
	len = strlen(masked);
	/* MCC (3) + MNC (2 or 3) name the operator; the MSIN is the secret. The
	 * 5 first and 2 last digits leave 10^8 possibilities for a 15-digit IMSI. */
	for (gsize i = 5; i + 2 < len; i++)
		masked[i] = '*';
	if (len <= 7) {
		for (gsize i = 0; i < len; i++)
			masked[i] = '*';
	}
	return masked;
}
