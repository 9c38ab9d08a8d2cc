/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "templates.h"

#include <libxml/tree.h>
#include <string.h>

#include "omacp-error.h"
#include "wbxml.h"

gboolean
omacp_template_kind_from_string(const char *text, OmacpTemplateKind *out)
{
	if (g_strcmp0(text, "internet") == 0)
		*out = OMACP_TEMPLATE_INTERNET;
	else if (g_strcmp0(text, "mms") == 0)
		*out = OMACP_TEMPLATE_MMS;
	else if (g_strcmp0(text, "wlan") == 0)
		*out = OMACP_TEMPLATE_WLAN;
	else
		return FALSE;
	return TRUE;
}

static xmlNode *
add_characteristic(xmlNode *parent, const char *type)
{
	xmlNode *c = xmlNewChild(parent, NULL, BAD_CAST "characteristic", NULL);

	xmlNewProp(c, BAD_CAST "type", BAD_CAST type);
	return c;
}

static void
add_parm(xmlNode *parent, const char *name, const char *value)
{
	xmlNode *p = xmlNewChild(parent, NULL, BAD_CAST "parm", NULL);

	xmlNewProp(p, BAD_CAST "name", BAD_CAST name);
	if (value != NULL)
		xmlNewProp(p, BAD_CAST "value", BAD_CAST value);
}

static gboolean
require(const char *value, const char *option, const char *template, GError **error)
{
	if (value != NULL && *value != '\0')
		return TRUE;
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS, "template %s needs --%s",
	            template, option);
	return FALSE;
}

static gboolean
add_napdef(xmlNode *root, const char *napid, const OmacpTemplateOptions *o, gboolean internet,
           GError **error)
{
	xmlNode *nap = add_characteristic(root, "NAPDEF");
	const char *auth = o->auth;

	add_parm(nap, "NAPID", napid);
	add_parm(nap, "NAME", o->name ? o->name : o->apn);
	add_parm(nap, "BEARER", "GSM-GPRS");
	add_parm(nap, "NAP-ADDRESS", o->apn);
	add_parm(nap, "NAP-ADDRTYPE", "APN");
	if (internet)
		add_parm(nap, "INTERNET", NULL);
	if (o->username == NULL && o->password == NULL)
		return TRUE;
	if (auth == NULL)
		auth = "pap";
	if (g_ascii_strcasecmp(auth, "pap") != 0 && g_ascii_strcasecmp(auth, "chap") != 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "--auth must be pap or chap, not '%s'", auth);
		return FALSE;
	} else {
		xmlNode *ai = add_characteristic(nap, "NAPAUTHINFO");
		g_autofree char *upper = g_ascii_strup(auth, -1);

		add_parm(ai, "AUTHTYPE", upper);
		if (o->username != NULL)
			add_parm(ai, "AUTHNAME", o->username);
		if (o->password != NULL)
			add_parm(ai, "AUTHSECRET", o->password);
	}
	return TRUE;
}

static gboolean
split_host_port(const char *text, char **host, char **port, GError **error)
{
	const char *colon = strrchr(text, ':');
	guint64 n = 0;

	if (colon == NULL || colon == text ||
	    !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &n, NULL)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "--mms-proxy must be host:port with a port of 1..65535, not '%s'",
		            text);
		return FALSE;
	}
	*host = g_strndup(text, (gsize) (colon - text));
	*port = g_strdup(colon + 1);
	return TRUE;
}

static gboolean
looks_like_ipv4(const char *host)
{
	guint dots = 0;

	for (const char *p = host; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	return dots == 3;
}

char *
omacp_template_build(const OmacpTemplateOptions *o, GError **error)
{
	g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = xmlNewNode(NULL, BAD_CAST "wap-provisioningdoc");

	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, BAD_CAST "version", BAD_CAST "1.1");

	switch (o->kind) {
	case OMACP_TEMPLATE_INTERNET:
		if (!require(o->apn, "apn", "internet", error))
			return NULL;
		if (!add_napdef(root, "INTERNET1", o, TRUE, error))
			return NULL;
		break;
	case OMACP_TEMPLATE_MMS: {
		xmlNode *app;

		if (!require(o->apn, "apn", "mms", error) ||
		    !require(o->mmsc, "mmsc", "mms", error))
			return NULL;
		if (!add_napdef(root, "MMS1", o, FALSE, error))
			return NULL;
		if (o->mms_proxy != NULL) {
			g_autofree char *host = NULL;
			g_autofree char *port = NULL;
			xmlNode *px, *phys, *pt;

			if (!split_host_port(o->mms_proxy, &host, &port, error))
				return NULL;
			px = add_characteristic(root, "PXLOGICAL");
			add_parm(px, "PROXY-ID", "MMSPROXY1");
			add_parm(px, "NAME", o->name ? o->name : "MMS");
			phys = add_characteristic(px, "PXPHYSICAL");
			add_parm(phys, "PHYSICAL-PROXY-ID", "MMSPROXY1-1");
			add_parm(phys, "PXADDR", host);
			add_parm(phys, "PXADDRTYPE", looks_like_ipv4(host) ? "IPV4" : "ALPHA");
			add_parm(phys, "TO-NAPID", "MMS1");
			pt = add_characteristic(phys, "PORT");
			add_parm(pt, "PORTNBR", port);
		}
		app = add_characteristic(root, "APPLICATION");
		add_parm(app, "APPID", "w4");
		add_parm(app, "NAME", o->name ? o->name : "MMS");
		if (o->mms_proxy != NULL)
			add_parm(app, "TO-PROXY", "MMSPROXY1");
		else
			add_parm(app, "TO-NAPID", "MMS1");
		add_parm(app, "ADDR", o->mmsc);
		break;
	}
	case OMACP_TEMPLATE_WLAN: {
		xmlNode *nap, *wlan;

		if (!require(o->ssid, "ssid", "wlan", error))
			return NULL;
		if (o->psk != NULL && (strlen(o->psk) < 8 || strlen(o->psk) > 63)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "--psk must be 8 to 63 characters (WPA passphrase)");
			return NULL;
		}
		nap = add_characteristic(root, "NAPDEF");
		add_parm(nap, "NAPID", "WLAN1");
		add_parm(nap, "NAME", o->name ? o->name : o->ssid);
		add_parm(nap, "BEARER", "WLAN");
		add_parm(nap, "INTERNET", NULL);
		wlan = add_characteristic(nap, "WLAN");
		add_parm(wlan, "PRI-SSID", o->ssid);
		add_parm(wlan, "NETMODE", "INFRA");
		if (o->psk != NULL) {
			add_parm(wlan, "SECMODE", "WPA2-PRESHARED-KEY");
			add_parm(wlan, "WPA-PRES-KEY-ASC", o->psk);
		}
		/* An open network has no SECMODE at all. */
		break;
	}
	}
	return omacp_xml_to_string(doc, FALSE);
}
