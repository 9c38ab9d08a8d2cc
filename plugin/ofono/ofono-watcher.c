/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The oFono adapter: follows modems on org.ofono, registers a
 * PushNotification agent on each, reads the SIM identity and hands every
 * push to the router.
 *
 * Plain GDBusConnection calls and signal subscriptions (no proxies): every
 * piece of state comes from a reply or a signal we asked for. */

#include "dbus-watch.h"
#include "omacp.h"
#include "omacp-dbus-names.h"

#define OFONO_SERVICE     "org.ofono"
#define OFONO_MANAGER     "org.ofono.Manager"
#define OFONO_MODEM       "org.ofono.Modem"
#define OFONO_SIM         "org.ofono.SimManager"
#define OFONO_PUSH        "org.ofono.PushNotification"
#define OFONO_PUSH_AGENT  "org.ofono.PushNotificationAgent"
#define AGENT_PATH_PREFIX OMACP_DBUS_PATH "/ofono_agent"
/* How often we try again to take a modem's agent slot when someone else holds
 * it (oFono tells nobody when that agent goes away). */
#define AGENT_RETRY_SECONDS 5
/* Delay before re-registering after Release(): oFono releases the agent
 * before it updates the modem's Interfaces. */
#define AGENT_RELEASE_DELAY_MS 100

static const char agent_xml[] = "<node>"
                                "  <interface name='" OFONO_PUSH_AGENT "'>"
                                "    <method name='ReceiveNotification'>"
                                "      <arg name='notification' type='ay' direction='in'/>"
                                "      <arg name='info' type='a{sv}' direction='in'/>"
                                "    </method>"
                                "    <method name='Release'/>"
                                "  </interface>"
                                "</node>";

typedef struct {
	OmacpDbusModem base; /* first */
	char *agent_path;
	guint agent_object_id;
	gboolean has_push;
	gboolean has_sim;
	gboolean agent_registered;
	gboolean registering;
	guint retry_id;
	char *mcc;
	char *mnc;
	char *spn;
} Modem;

struct _OmacpOfonoWatcher {
	OmacpDbusWatch watch; /* first: the modems are Modem */
	GDBusNodeInfo *agent_info;
	guint next_agent;
};

static OmacpOfonoWatcher *
watcher_of(Modem *modem)
{
	return (OmacpOfonoWatcher *) modem->base.object.watch;
}

static const char *
path_of(Modem *modem)
{
	return modem->base.object.path;
}

static void
clear_sim(Modem *modem)
{
	omacp_dbus_modem_clear_sim(&modem->base);
	g_clear_pointer(&modem->mcc, g_free);
	g_clear_pointer(&modem->mnc, g_free);
	g_clear_pointer(&modem->spn, g_free);
}

static void
agent_released(Modem *modem)
{
	if (!modem->agent_registered)
		return;
	modem->agent_registered = FALSE;
	omacp_dbus_modem_notify(&modem->base, FALSE);
}

static void
modem_clear(OmacpDbusModem *base)
{
	Modem *modem = (Modem *) base;

	agent_released(modem);
	if (modem->agent_object_id != 0)
		g_dbus_connection_unregister_object(watcher_of(modem)->watch.bus,
		                                    modem->agent_object_id);
	g_clear_handle_id(&modem->retry_id, g_source_remove);
	clear_sim(modem);
	g_free(modem->agent_path);
}

/* ---- SIM ---- */

static void
set_sim_property(Modem *modem, const char *name, GVariant *value)
{
	char **slot = NULL;

	if (g_strcmp0(name, "SubscriberIdentity") == 0)
		slot = &modem->base.imsi;
	else if (g_strcmp0(name, "CardIdentifier") == 0)
		slot = &modem->base.iccid;
	else if (g_strcmp0(name, "MobileCountryCode") == 0)
		slot = &modem->mcc;
	else if (g_strcmp0(name, "MobileNetworkCode") == 0)
		slot = &modem->mnc;
	else if (g_strcmp0(name, "ServiceProviderName") == 0)
		slot = &modem->spn;

	if (g_strcmp0(name, "Present") == 0 &&
	    g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN) && !g_variant_get_boolean(value)) {
		clear_sim(modem);
		return;
	}
	if (slot == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return;
	omacp_dbus_set_string(slot, g_variant_get_string(value, NULL));
	/* the IMSI is personal data: never above debug, and masked there */
	if (slot == &modem->base.imsi)
		g_debug("ofono: %s: SIM %s", path_of(modem),
		        modem->base.imsi != NULL ? "known" : "gone");
}

static void
sim_properties_done(OmacpDbusObject *object, GVariant *reply)
{
	g_autoptr(GVariant) props = NULL;
	GVariantIter iter;
	const char *name;
	GVariant *value;

	if (reply == NULL)
		return;
	props = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, props);
	while (g_variant_iter_loop(&iter, "{&sv}", &name, &value))
		set_sim_property((Modem *) object, name, value);
}

static void
fetch_sim(Modem *modem)
{
	omacp_dbus_object_call(&modem->base.object, NULL, OFONO_SIM, "GetProperties", NULL,
	                       "(a{sv})", sim_properties_done);
}

/* ---- pushes ---- */

static void
handle_push(Modem *modem, GVariant *notification, GVariant *info)
{
	const char *sender = NULL;
	const guint8 *bytes;
	gsize len = 0;

	bytes = g_variant_get_fixed_array(notification, &len, 1);
	g_variant_lookup(info, "Sender", "&s", &sender);
	/* oFono has had its answer: what the router makes of it changes nothing here */
	omacp_dbus_watch_push(&watcher_of(modem)->watch, path_of(modem), sender, bytes, len, info,
	                      NULL, NULL);
}

/* ---- the agent ---- */

static void register_agent(Modem *modem);

static gboolean
retry_cb(gpointer user_data)
{
	Modem *modem = user_data;

	modem->retry_id = 0;
	if (modem->has_push && !modem->agent_registered && !modem->registering)
		register_agent(modem);
	return G_SOURCE_REMOVE;
}

static void
schedule_retry(Modem *modem, guint ms)
{
	g_clear_handle_id(&modem->retry_id, g_source_remove);
	modem->retry_id = g_timeout_add(ms, retry_cb, modem);
}

static void
agent_method_call(GDBusConnection *connection, const char *sender, const char *object_path,
                  const char *interface_name, const char *method_name, GVariant *parameters,
                  GDBusMethodInvocation *invocation, gpointer user_data)
{
	Modem *modem = user_data;
	const char *owner = watcher_of(modem)->watch.owner;

	/* only oFono may hand us pushes: anyone else could forge them */
	if (owner == NULL || g_strcmp0(sender, owner) != 0) {
		g_dbus_method_invocation_return_dbus_error(
		        invocation, "org.freedesktop.DBus.Error.AccessDenied",
		        "only oFono may call the push agent");
		return;
	}

	if (g_strcmp0(method_name, "ReceiveNotification") == 0) {
		g_autoptr(GVariant) notification = g_variant_get_child_value(parameters, 0);
		g_autoptr(GVariant) info = g_variant_get_child_value(parameters, 1);

		g_dbus_method_invocation_return_value(invocation, NULL);
		handle_push(modem, notification, info);
	} else if (g_strcmp0(method_name, "Release") == 0) {
		g_dbus_method_invocation_return_value(invocation, NULL);
		g_debug("ofono: %s: agent released", path_of(modem));
		agent_released(modem);
		if (modem->has_push)
			schedule_retry(modem, AGENT_RELEASE_DELAY_MS);
	} else {
		g_dbus_method_invocation_return_dbus_error(
		        invocation, "org.freedesktop.DBus.Error.UnknownMethod", method_name);
	}
}

static const GDBusInterfaceVTable agent_vtable = { agent_method_call, NULL, NULL, { 0 } };

static gboolean
export_agent(Modem *modem)
{
	OmacpOfonoWatcher *self = watcher_of(modem);
	g_autoptr(GError) error = NULL;

	if (modem->agent_object_id != 0)
		return TRUE;
	modem->agent_object_id = g_dbus_connection_register_object(
	        self->watch.bus, modem->agent_path, self->agent_info->interfaces[0], &agent_vtable,
	        modem, NULL, &error);
	if (modem->agent_object_id == 0) {
		g_debug("ofono: cannot export %s: %s", modem->agent_path, error->message);
		return FALSE;
	}
	return TRUE;
}

static void
register_done(OmacpDbusObject *object, GVariant *reply)
{
	Modem *modem = (Modem *) object;

	modem->registering = FALSE;
	if (reply == NULL) {
		/* InProgress: another agent (mmsd?) holds the slot; try again later */
		if (modem->has_push)
			schedule_retry(modem, AGENT_RETRY_SECONDS * 1000);
		return;
	}
	g_debug("ofono: %s: push agent registered at %s", path_of(modem), modem->agent_path);
	modem->agent_registered = TRUE;
	g_clear_handle_id(&modem->retry_id, g_source_remove);
	omacp_dbus_modem_notify(&modem->base, TRUE);
}

static void
register_agent(Modem *modem)
{
	if (!export_agent(modem))
		return;
	modem->registering = TRUE;
	omacp_dbus_object_call(&modem->base.object, NULL, OFONO_PUSH, "RegisterAgent",
	                       g_variant_new("(o)", modem->agent_path), NULL, register_done);
}

/* ---- modems ---- */

static void
set_interfaces(Modem *modem, GVariant *value)
{
	g_autofree const char **interfaces = NULL;
	gboolean has_push, has_sim;

	if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY))
		return;
	interfaces = g_variant_get_strv(value, NULL);
	has_push = g_strv_contains(interfaces, OFONO_PUSH);
	has_sim = g_strv_contains(interfaces, OFONO_SIM);

	if (has_sim && !modem->has_sim)
		fetch_sim(modem);
	else if (!has_sim && modem->has_sim)
		clear_sim(modem);
	modem->has_sim = has_sim;

	if (has_push == modem->has_push)
		return;
	modem->has_push = has_push;
	if (has_push) {
		if (!modem->agent_registered && !modem->registering)
			register_agent(modem);
	} else {
		/* the SMS atom is gone (powered off): oFono dropped our agent */
		g_clear_handle_id(&modem->retry_id, g_source_remove);
		agent_released(modem);
	}
}

static void
modem_added(OmacpDbusWatch *watch, const char *path, GVariant *props)
{
	OmacpOfonoWatcher *self = (OmacpOfonoWatcher *) watch;
	g_autoptr(GVariant) interfaces = NULL;
	Modem *modem;

	if (omacp_dbus_watch_lookup_modem(watch, path) != NULL)
		return;
	modem = (Modem *) omacp_dbus_watch_add_modem(watch, path);
	modem->agent_path = g_strdup_printf(AGENT_PATH_PREFIX "/%u", self->next_agent++);

	interfaces = g_variant_lookup_value(props, "Interfaces", G_VARIANT_TYPE_STRING_ARRAY);
	if (interfaces != NULL)
		set_interfaces(modem, interfaces);
}

static void
modem_removed(OmacpDbusWatch *watch, const char *path, GVariant *details)
{
	g_debug("ofono: modem %s removed", path);
	g_hash_table_remove(watch->modems, path);
}

/* PropertyChanged of a modem or of its SimManager */
static void
property_signal(GDBusConnection *connection, const char *sender, const char *object_path,
                const char *interface_name, const char *signal_name, GVariant *parameters,
                gpointer user_data)
{
	Modem *modem = (Modem *) omacp_dbus_watch_lookup_modem(user_data, object_path);
	g_autoptr(GVariant) value = NULL;
	const char *name;

	if (modem == NULL || !g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sv)")))
		return;
	g_variant_get(parameters, "(&sv)", &name, &value);
	if (g_strcmp0(interface_name, OFONO_SIM) == 0)
		set_sim_property(modem, name, value);
	else if (g_strcmp0(name, "Interfaces") == 0)
		set_interfaces(modem, value);
}

static const OmacpDbusWatchClass ofono_class = {
	.adapter = "ofono",
	.log = "ofono",
	.service = OFONO_SERVICE,
	.path = "/",
	.interface = OFONO_MANAGER,
	.list_method = "GetModems",
	.list_type = "(a(oa{sv}))",
	.added_signal = "ModemAdded",
	.added_type = "(oa{sv})",
	.removed_signal = "ModemRemoved",
	.removed_type = "(o)",
	.modem_size = sizeof(Modem),
	.object_added = modem_added,
	.object_removed = modem_removed,
	.modem_clear = modem_clear,
};

OmacpOfonoWatcher *
omacp_ofono_watcher_new(GDBusConnection *bus, const OmacpAdapterOptions *options)
{
	OmacpOfonoWatcher *self;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(bus), NULL);
	g_return_val_if_fail(options != NULL && options->push != NULL, NULL);

	self = g_new0(OmacpOfonoWatcher, 1);
	omacp_dbus_watch_init(&self->watch, &ofono_class, bus, options);
	self->agent_info = g_dbus_node_info_new_for_xml(agent_xml, NULL);

	omacp_dbus_watch_subscribe(&self->watch, OFONO_MODEM, "PropertyChanged", property_signal);
	omacp_dbus_watch_subscribe(&self->watch, OFONO_SIM, "PropertyChanged", property_signal);
	omacp_dbus_watch_start(&self->watch);
	return self;
}

void
omacp_ofono_watcher_free(OmacpOfonoWatcher *self)
{
	if (self == NULL)
		return;
	omacp_dbus_watch_stop(&self->watch);
	/* give the slots back, so that another agent can take them */
	if (self->watch.owner != NULL) {
		GHashTableIter iter;
		Modem *modem;

		g_hash_table_iter_init(&iter, self->watch.modems);
		while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
			if (!modem->agent_registered)
				continue;
			g_dbus_connection_call(
			        self->watch.bus, self->watch.owner, path_of(modem), OFONO_PUSH,
			        "UnregisterAgent", g_variant_new("(o)", modem->agent_path), NULL,
			        G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
		}
	}
	omacp_dbus_watch_clear(&self->watch);
	g_dbus_node_info_unref(self->agent_info);
	g_free(self);
}

gboolean
omacp_ofono_watcher_get_network(OmacpOfonoWatcher *self, const char *imsi, char **mcc_mnc,
                                char **spn)
{
	GHashTableIter iter;
	Modem *modem;

	g_hash_table_iter_init(&iter, self->watch.modems);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
		if (imsi == NULL || g_strcmp0(modem->base.imsi, imsi) != 0)
			continue;
		if (modem->mcc == NULL || modem->mnc == NULL)
			return FALSE;
		if (mcc_mnc != NULL)
			*mcc_mnc = g_strconcat(modem->mcc, modem->mnc, NULL);
		if (spn != NULL)
			*spn = g_strdup(modem->spn);
		return TRUE;
	}
	return FALSE;
}

/* ---- registration ---- */

static OmacpAdapter *
adapter_create(GDBusConnection *bus, const OmacpAdapterOptions *options)
{
	return (OmacpAdapter *) omacp_ofono_watcher_new(bus, options);
}

static void
adapter_free(OmacpAdapter *adapter)
{
	omacp_ofono_watcher_free((OmacpOfonoWatcher *) adapter);
}

static gboolean
adapter_get_network(OmacpAdapter *adapter, const char *imsi, char **mcc_mnc, char **spn)
{
	return omacp_ofono_watcher_get_network((OmacpOfonoWatcher *) adapter, imsi, mcc_mnc, spn);
}

const OmacpAdapterInfo omacp_adapter_info_ofono = {
	.name = "ofono",
	.create = adapter_create,
	.free = adapter_free,
	.get_imsis = omacp_dbus_adapter_get_imsis,
	.get_network = adapter_get_network,
};
