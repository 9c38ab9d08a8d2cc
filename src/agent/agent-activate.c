/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "agent-activate.h"
#include "omacp-dbus-names.h"

static char *policy; /* the Manager's Activate property, NULL: unknown */

gboolean
omacp_agent_offers_activate(const char *activate_policy, GVariant *changes)
{
	GVariantIter iter;
	GVariant *entry;

	if (g_strcmp0(activate_policy, "ask") != 0 || changes == NULL ||
	    !g_variant_is_of_type(changes, G_VARIANT_TYPE("aa{sv}")))
		return FALSE;
	g_variant_iter_init(&iter, changes);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		const char *kind = NULL;
		gboolean internet = g_variant_lookup(entry, "kind", "&s", &kind) &&
		                    g_strcmp0(kind, "internet") == 0;

		g_variant_unref(entry);
		if (internet)
			return TRUE;
	}
	return FALSE;
}

static void
fetched(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) value = NULL;

	g_clear_pointer(&policy, g_free);
	if (reply == NULL) {
		/* an omacpd from before the property: nothing to offer */
		g_message("omacpd's Activate policy is not known: %s", error->message);
		return;
	}
	g_variant_get(reply, "(v)", &value);
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		policy = g_variant_dup_string(value, NULL);
	g_message("omacpd's Activate policy: %s", policy != NULL ? policy : "(not a string)");
}

void
omacp_agent_activate_fetch(GDBusConnection *bus, const char *name, const char *path)
{
	g_clear_pointer(&policy, g_free);
	g_dbus_connection_call(bus, name, path, "org.freedesktop.DBus.Properties", "Get",
	                       g_variant_new("(ss)", OMACP_DBUS_MANAGER_INTERFACE, "Activate"),
	                       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, fetched,
	                       NULL);
}

const char *
omacp_agent_activate_policy(void)
{
	return policy;
}

const char *
omacp_agent_accept_method(gboolean activate)
{
	return activate ? "AcceptAndActivate" : "Accept";
}
