/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-agent: the risks of a message in the user's language, from the
 * stable codes and arguments omacpd puts beside each English sentence
 * (Changes "risk-code" and "risk-args", dbus/README.md "Risk codes"). */
#include "config.h"

#include "agent-text.h"

#include <glib/gi18n.h>
#include <string.h>

/* Argument @i of @args (as), "" when absent. */
static const char *
arg(GVariant *args, gsize i)
{
	const char *v = "";

	if (args != NULL && g_variant_is_of_type(args, G_VARIANT_TYPE_STRING_ARRAY) &&
	    i < g_variant_n_children(args))
		g_variant_get_child(args, i, "&s", &v);
	return v;
}

/* Argument @i of @args, a sender: "an unknown sender" when empty. */
static const char *
sender(GVariant *args, gsize i)
{
	const char *v = arg(args, i);

	/* TRANSLATORS: in "a message from %s" when the message had no sender */
	return v[0] != '\0' ? v : _("an unknown sender");
}

char *
omacp_agent_risk_from_code(const char *code, GVariant *args)
{
	if (code == NULL || code[0] == '\0')
		return NULL;
	if (strcmp(code, "dns") == 0)
		/* TRANSLATORS: %s is a list of addresses, e.g. "10.1.2.3, 2001:db8::53" */
		return g_strdup_printf(_("The name servers %s would see every name you look up "
		                         "and could send you elsewhere."),
		                       arg(args, 0));
	if (strcmp(code, "dial-up") == 0)
		/* TRANSLATORS: %s is a phone number */
		return g_strdup_printf(_("The access point dials %s: a data call that may be "
		                         "charged by the minute."),
		                       arg(args, 0));
	if (strcmp(code, "open-wlan") == 0)
		/* TRANSLATORS: %s is the name (SSID) of a Wi-Fi network */
		return g_strdup_printf(_("The Wi-Fi network %s is open: traffic over it is not "
		                         "encrypted."),
		                       arg(args, 0));
	if (strcmp(code, "wep") == 0)
		/* TRANSLATORS: %s is the name (SSID) of a Wi-Fi network */
		return g_strdup_printf(_("The Wi-Fi network %s uses WEP, which offers no real "
		                         "protection."),
		                       arg(args, 0));
	if (strcmp(code, "bookmark-password") == 0)
		/* TRANSLATORS: %s is a web address */
		return g_strdup_printf(_("The password for the bookmark %s would be sent "
		                         "unencrypted."),
		                       arg(args, 0));
	if (strcmp(code, "ds-server") == 0)
		/* TRANSLATORS: %s is a server address */
		return g_strdup_printf(_("The server %s would receive the data you synchronise "
		                         "(contacts, calendar, …)."),
		                       arg(args, 0));
	if (strcmp(code, "plaintext-credentials") == 0)
		/* TRANSLATORS: %s is a server address */
		return g_strdup_printf(_("Your user name and password would be sent unencrypted "
		                         "to %s."),
		                       arg(args, 0));
	if (strcmp(code, "bootstrap") == 0)
		/* TRANSLATORS: %s is a web address */
		return g_strdup_printf(_("The server %s would be trusted to send further settings "
		                         "that change this phone."),
		                       arg(args, 0));
	if (strcmp(code, "proxy") == 0)
		/* TRANSLATORS: %s is a proxy address, "host:port" */
		return g_strdup_printf(_("Your web traffic would go through the proxy %s."),
		                       arg(args, 0));
	if (strcmp(code, "proxy-domains") == 0)
		/* TRANSLATORS: %1$s is a proxy address, %2$s a list of domains */
		return g_strdup_printf(_("Your traffic to %2$s would go through the proxy %1$s."),
		                       arg(args, 0), arg(args, 1));
	if (strcmp(code, "dm-server") == 0)
		/* TRANSLATORS: %s is a server address */
		return g_strdup_printf(_("The server %s could change your phone's settings "
		                         "remotely."),
		                       arg(args, 0));
	if (strcmp(code, "plaintext-password") == 0)
		/* TRANSLATORS: %1$s is a protocol (imap, pop3, smtp), %2$s a host */
		return g_strdup_printf(_("Your %1$s password would be sent unencrypted to %2$s."),
		                       arg(args, 0), arg(args, 1));
	if (strcmp(code, "apn-unknown") == 0)
		/* TRANSLATORS: %1$s is an access point name, %2$s the operator's name */
		return g_strdup_printf(_("The access point %1$s is not one %2$s is known to use."),
		                       arg(args, 0), arg(args, 1));
	if (strcmp(code, "mmsc-foreign-domain") == 0)
		/* TRANSLATORS: %s is a host name */
		return g_strdup_printf(_("Your MMS would go to %s, a server outside your "
		                         "operator's domain."),
		                       arg(args, 0));
	if (strcmp(code, "mmsc-unknown") == 0)
		/* TRANSLATORS: %1$s is a web address, %2$s the operator's name */
		return g_strdup_printf(_("The MMS server %1$s is not the one %2$s is known to "
		                         "use."),
		                       arg(args, 0), arg(args, 1));
	if (strcmp(code, "mmsc-invalid") == 0)
		/* TRANSLATORS: %s is what the message gave as the MMS server's address */
		return g_strdup_printf(_("The MMS server address %s is not a web address: it is "
		                         "left out and MMS will not work with these settings."),
		                       arg(args, 0));
	if (strcmp(code, "mms-proxy-invalid") == 0)
		/* TRANSLATORS: %s is what the message gave as the MMS proxy, "host:port" */
		return g_strdup_printf(_("The MMS proxy %s is not a host with a port: it is left "
		                         "out."),
		                       arg(args, 0));
	if (strcmp(code, "edited-by-hand") == 0)
		return g_strdup(_("This overwrites settings that were changed by hand."));
	if (strcmp(code, "active-connection") == 0)
		return g_strdup(_("This interrupts a mobile data connection that is in use."));
	if (strcmp(code, "update-from-other-sender") == 0)
		/* TRANSLATORS: %1$s and %3$s are senders (a phone number or a name),
		 * %2$s a security method ("netwpin", "userpin", "none", ...) */
		return g_strdup_printf(_("These settings were last set by a message from %1$s "
		                         "(%2$s); this one comes from %3$s. The sender of a "
		                         "message is easily forged."),
		                       sender(args, 0), arg(args, 1), sender(args, 2));
	if (strcmp(code, "update-weaker-security") == 0)
		/* TRANSLATORS: both are security methods ("netwpin", "userpin", ...) */
		return g_strdup_printf(_("These settings were last set by a message secured with "
		                         "%1$s; this one is only secured with %2$s."),
		                       arg(args, 0), arg(args, 1));
	if (strcmp(code, "removal") == 0)
		/* TRANSLATORS: %s names the settings removed (e.g. "NAP-internet") */
		return g_strdup_printf(_("This removes the settings %s. Anyone who can send an SMS "
		                         "can ask for a removal."),
		                       arg(args, 0));
	if (strcmp(code, "wifi-network") == 0)
		/* TRANSLATORS: %s is the name (SSID) of a Wi-Fi network */
		return g_strdup_printf(_("The phone would join the Wi-Fi network %s by itself, and "
		                         "whoever runs that network sees your traffic."),
		                       arg(args, 0));
	if (strcmp(code, "mms-route") == 0) {
		const char *mmsc = arg(args, 0);
		const char *proxy = arg(args, 1);

		if (proxy[0] == '\0')
			/* TRANSLATORS: %s is a web address */
			return g_strdup_printf(_("Your MMS would go to the server %s."), mmsc);
		if (mmsc[0] == '\0')
			/* TRANSLATORS: %s is a proxy address, "host:port" */
			return g_strdup_printf(_("Your MMS would go through the proxy %s."), proxy);
		/* TRANSLATORS: %1$s is a web address, %2$s a proxy address "host:port" */
		return g_strdup_printf(_("Your MMS would go to the server %1$s through the proxy "
		                         "%2$s."),
		                       mmsc, proxy);
	}
	return NULL;
}

GPtrArray *
omacp_agent_risks(GVariant *changes)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GVariantIter iter;
	GVariant *entry;

	if (changes == NULL)
		return out;
	g_variant_iter_init(&iter, changes);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		OmacpAgentChange c;
		g_autoptr(GVariant) args =
		        g_variant_lookup_value(entry, "risk-args", G_VARIANT_TYPE_STRING_ARRAY);
		g_autofree char *text = NULL;
		gboolean dup = FALSE;

		omacp_agent_change_parse(entry, &c);
		if (c.risk[0] != '\0')
			text = omacp_agent_risk_from_code(c.risk_code, args);
		if (text == NULL && c.risk[0] != '\0')
			text = g_strdup(c.risk);
		for (guint i = 0; text != NULL && i < out->len; i++)
			dup = dup || strcmp(g_ptr_array_index(out, i), text) == 0;
		if (text != NULL && !dup)
			g_ptr_array_add(out, g_steal_pointer(&text));
		g_variant_unref(entry);
	}
	return out;
}
