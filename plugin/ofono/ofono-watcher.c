/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The oFono adapter: follows modems on org.ofono, registers a
 * PushNotification agent on each, reads the SIM identity, hands provisioning
 * pushes to the daemon and everything else to the push dispatcher.
 *
 * Plain GDBusConnection calls and signal subscriptions (no proxies): every
 * piece of state comes from a reply or a signal we asked for. */

#include "omacp-source.h"
#include "push-dispatch.h"
#include "wsp.h"

#define OFONO_SERVICE      "org.ofono"
#define OFONO_MANAGER      "org.ofono.Manager"
#define OFONO_MODEM        "org.ofono.Modem"
#define OFONO_SIM          "org.ofono.SimManager"
#define OFONO_PUSH         "org.ofono.PushNotification"
#define OFONO_PUSH_AGENT   "org.ofono.PushNotificationAgent"
#define AGENT_PATH_PREFIX  "/org/omacp/Provisioning1/ofono_agent"
#define OFONO_CALL_TIMEOUT 25000
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
	OmacpOfonoWatcher *watcher;
	char *path;
	guint64 serial;
	char *agent_path;
	guint agent_object_id;
	gboolean has_push;
	gboolean has_sim;
	gboolean agent_registered;
	gboolean registering;
	guint retry_id;
	char *imsi;
	char *iccid;
	char *mcc;
	char *mnc;
	char *spn;
} Modem;

struct _OmacpOfonoWatcher {
	GDBusConnection *bus;
	OmacpPushDispatcher *dispatcher;
	OmacpPushFunc func;
	gpointer user_data;
	OmacpModemStateFunc state_func;
	gpointer state_data;
	GCancellable *cancellable;
	GDBusNodeInfo *agent_info;
	guint name_watch;
	char *owner; /* unique name of org.ofono, NULL while it is not running */
	guint sub_manager;
	guint sub_modem;
	guint sub_sim;
	GHashTable *modems; /* path -> Modem */
	guint64 next_serial;
	guint next_agent;
};

/* What an asynchronous call needs to find its modem again, if it still
 * exists: the watcher is only touched once the call was not cancelled. */
typedef struct {
	OmacpOfonoWatcher *watcher;
	char *path;
	guint64 serial;
} CallData;

static CallData *
call_data_new(Modem *modem)
{
	CallData *data = g_new0(CallData, 1);

	data->watcher = modem->watcher;
	data->path = g_strdup(modem->path);
	data->serial = modem->serial;
	return data;
}

static void
call_data_free(CallData *data)
{
	g_free(data->path);
	g_free(data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallData, call_data_free)

static Modem *
call_data_modem(CallData *data)
{
	Modem *modem = g_hash_table_lookup(data->watcher->modems, data->path);

	if (modem == NULL || modem->serial != data->serial)
		return NULL;
	return modem;
}

static void
notify_state(Modem *modem, gboolean listening)
{
	OmacpOfonoWatcher *self = modem->watcher;

	if (self->state_func != NULL)
		self->state_func("ofono", modem->path, modem->imsi, listening, self->state_data);
}

static void
clear_sim(Modem *modem)
{
	g_clear_pointer(&modem->imsi, g_free);
	g_clear_pointer(&modem->iccid, g_free);
	g_clear_pointer(&modem->mcc, g_free);
	g_clear_pointer(&modem->mnc, g_free);
	g_clear_pointer(&modem->spn, g_free);
}

static void
modem_free(Modem *modem)
{
	if (modem->agent_registered) {
		modem->agent_registered = FALSE;
		notify_state(modem, FALSE);
	}
	if (modem->agent_object_id != 0)
		g_dbus_connection_unregister_object(modem->watcher->bus, modem->agent_object_id);
	g_clear_handle_id(&modem->retry_id, g_source_remove);
	clear_sim(modem);
	g_free(modem->agent_path);
	g_free(modem->path);
	g_free(modem);
}

/* ---- SIM ---- */

static void
set_sim_property(Modem *modem, const char *name, GVariant *value)
{
	char **slot = NULL;

	if (g_strcmp0(name, "SubscriberIdentity") == 0)
		slot = &modem->imsi;
	else if (g_strcmp0(name, "CardIdentifier") == 0)
		slot = &modem->iccid;
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
	g_free(*slot);
	*slot = g_variant_get_string(value, NULL)[0] != '\0' ? g_variant_dup_string(value, NULL)
	                                                     : NULL;
	/* the IMSI is personal data: never above debug, and masked there */
	if (slot == &modem->imsi)
		g_debug("ofono: %s: SIM %s", modem->path, modem->imsi != NULL ? "known" : "gone");
}

static void
sim_properties_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) props = NULL;
	GVariantIter iter;
	const char *name;
	GVariant *value;
	Modem *modem;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	modem = call_data_modem(data);
	if (modem == NULL)
		return;
	if (reply == NULL) {
		g_debug("ofono: %s: SimManager.GetProperties: %s", data->path, error->message);
		return;
	}
	props = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, props);
	while (g_variant_iter_loop(&iter, "{&sv}", &name, &value))
		set_sim_property(modem, name, value);
}

static void
fetch_sim(Modem *modem)
{
	OmacpOfonoWatcher *self = modem->watcher;

	g_dbus_connection_call(self->bus, OFONO_SERVICE, modem->path, OFONO_SIM, "GetProperties",
	                       NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
	                       OFONO_CALL_TIMEOUT, self->cancellable, sim_properties_done,
	                       call_data_new(modem));
}

/* ---- pushes ---- */

static void
forward_done(guint n_ok, guint n_sent, gboolean cancelled, gpointer user_data)
{
	if (!cancelled)
		g_debug("ofono: push taken by %u of %u consumers", n_ok, n_sent);
}

static void
handle_push(Modem *modem, GVariant *notification, GVariant *info)
{
	OmacpOfonoWatcher *self = modem->watcher;
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) datagram = NULL;
	g_autofree char *modem_path = g_strdup(modem->path);
	g_autofree char *imsi = g_strdup(modem->imsi);
	g_autofree char *iccid = g_strdup(modem->iccid);
	const char *sender = NULL;
	const guint8 *bytes;
	OmacpPushEvent event = { 0 };
	gsize len = 0;

	bytes = g_variant_get_fixed_array(notification, &len, 1);
	if (!omacp_wsp_parse_push(bytes, len, &push, &error)) {
		g_debug("ofono: %s: dropping a push that does not parse: %s", modem_path,
		        error->message);
		return;
	}
	if (!omacp_push_kind_is_provisioning(push->kind)) {
		if (self->dispatcher == NULL ||
		    omacp_push_dispatcher_forward(self->dispatcher, self->bus, push, notification,
		                                  info, self->cancellable, forward_done, NULL) == 0)
			g_debug("ofono: %s: no consumer for a %s push", modem_path,
			        push->content_type != NULL ? push->content_type : "?");
		return;
	}

	if (!g_variant_lookup(info, "Sender", "&s", &sender) || sender[0] == '\0')
		sender = NULL;
	datagram = g_bytes_new(bytes, len);
	event.source = "ofono";
	event.modem = modem_path;
	event.imsi = imsi;
	event.iccid = iccid;
	event.sender = sender;
	event.received_us = g_get_real_time();
	event.datagram = datagram;
	if (!self->func(&event, self->user_data, &error))
		g_debug("ofono: %s: the daemon did not take the push: %s", modem_path,
		        error != NULL ? error->message : "no reason given");
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
	OmacpOfonoWatcher *self = modem->watcher;

	/* only oFono may hand us pushes: anyone else could forge them */
	if (self->owner == NULL || g_strcmp0(sender, self->owner) != 0) {
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
		g_debug("ofono: %s: agent released", modem->path);
		if (modem->agent_registered) {
			modem->agent_registered = FALSE;
			notify_state(modem, FALSE);
		}
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
	OmacpOfonoWatcher *self = modem->watcher;
	g_autoptr(GError) error = NULL;

	if (modem->agent_object_id != 0)
		return TRUE;
	modem->agent_object_id = g_dbus_connection_register_object(
	        self->bus, modem->agent_path, self->agent_info->interfaces[0], &agent_vtable, modem,
	        NULL, &error);
	if (modem->agent_object_id == 0) {
		g_debug("ofono: cannot export %s: %s", modem->agent_path, error->message);
		return FALSE;
	}
	return TRUE;
}

static void
register_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	Modem *modem;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	modem = call_data_modem(data);
	if (modem == NULL)
		return;
	modem->registering = FALSE;
	if (reply == NULL) {
		g_debug("ofono: %s: RegisterAgent: %s", modem->path, error->message);
		/* InProgress: another agent (mmsd?) holds the slot; try again later */
		if (modem->has_push)
			schedule_retry(modem, AGENT_RETRY_SECONDS * 1000);
		return;
	}
	g_debug("ofono: %s: push agent registered at %s", modem->path, modem->agent_path);
	modem->agent_registered = TRUE;
	g_clear_handle_id(&modem->retry_id, g_source_remove);
	notify_state(modem, TRUE);
}

static void
register_agent(Modem *modem)
{
	OmacpOfonoWatcher *self = modem->watcher;

	if (!export_agent(modem))
		return;
	modem->registering = TRUE;
	g_dbus_connection_call(self->bus, OFONO_SERVICE, modem->path, OFONO_PUSH, "RegisterAgent",
	                       g_variant_new("(o)", modem->agent_path), NULL,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, OFONO_CALL_TIMEOUT,
	                       self->cancellable, register_done, call_data_new(modem));
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
		if (modem->agent_registered) {
			modem->agent_registered = FALSE;
			notify_state(modem, FALSE);
		}
	}
}

static void
add_modem(OmacpOfonoWatcher *self, const char *path, GVariant *props)
{
	g_autoptr(GVariant) interfaces = NULL;
	Modem *modem;

	if (g_hash_table_contains(self->modems, path))
		return;
	modem = g_new0(Modem, 1);
	modem->watcher = self;
	modem->path = g_strdup(path);
	modem->serial = ++self->next_serial;
	modem->agent_path = g_strdup_printf(AGENT_PATH_PREFIX "/%u", self->next_agent++);
	g_hash_table_insert(self->modems, modem->path, modem);
	g_debug("ofono: modem %s", path);

	interfaces = g_variant_lookup_value(props, "Interfaces", G_VARIANT_TYPE_STRING_ARRAY);
	if (interfaces != NULL)
		set_interfaces(modem, interfaces);
}

static void
manager_signal(GDBusConnection *connection, const char *sender, const char *object_path,
               const char *interface_name, const char *signal_name, GVariant *parameters,
               gpointer user_data)
{
	OmacpOfonoWatcher *self = user_data;
	const char *path = NULL;

	if (g_strcmp0(signal_name, "ModemAdded") == 0 &&
	    g_variant_is_of_type(parameters, G_VARIANT_TYPE("(oa{sv})"))) {
		g_autoptr(GVariant) props = g_variant_get_child_value(parameters, 1);

		g_variant_get_child(parameters, 0, "&o", &path);
		add_modem(self, path, props);
	} else if (g_strcmp0(signal_name, "ModemRemoved") == 0 &&
	           g_variant_is_of_type(parameters, G_VARIANT_TYPE("(o)"))) {
		g_variant_get(parameters, "(&o)", &path);
		g_debug("ofono: modem %s removed", path);
		g_hash_table_remove(self->modems, path);
	}
}

static gboolean
property_changed_args(GVariant *parameters, const char **name, GVariant **value)
{
	if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sv)")))
		return FALSE;
	g_variant_get(parameters, "(&sv)", name, value);
	return TRUE;
}

static void
modem_signal(GDBusConnection *connection, const char *sender, const char *object_path,
             const char *interface_name, const char *signal_name, GVariant *parameters,
             gpointer user_data)
{
	OmacpOfonoWatcher *self = user_data;
	Modem *modem = g_hash_table_lookup(self->modems, object_path);
	g_autoptr(GVariant) value = NULL;
	const char *name;

	if (modem == NULL || !property_changed_args(parameters, &name, &value))
		return;
	if (g_strcmp0(name, "Interfaces") == 0)
		set_interfaces(modem, value);
}

static void
sim_signal(GDBusConnection *connection, const char *sender, const char *object_path,
           const char *interface_name, const char *signal_name, GVariant *parameters,
           gpointer user_data)
{
	OmacpOfonoWatcher *self = user_data;
	Modem *modem = g_hash_table_lookup(self->modems, object_path);
	g_autoptr(GVariant) value = NULL;
	const char *name;

	if (modem == NULL || !property_changed_args(parameters, &name, &value))
		return;
	set_sim_property(modem, name, value);
}

static void
get_modems_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	OmacpOfonoWatcher *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) list = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *props;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (reply == NULL) {
		g_debug("ofono: GetModems: %s", error->message);
		return;
	}
	list = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, list);
	while (g_variant_iter_loop(&iter, "(&o@a{sv})", &path, &props))
		add_modem(self, path, props);
}

static void
ofono_appeared(GDBusConnection *connection, const char *name, const char *name_owner,
               gpointer user_data)
{
	OmacpOfonoWatcher *self = user_data;

	g_debug("ofono: %s appeared as %s", name, name_owner);
	g_hash_table_remove_all(self->modems);
	g_free(self->owner);
	self->owner = g_strdup(name_owner);
	/* ask the owner itself, so that a restart in between cannot mix replies */
	g_dbus_connection_call(self->bus, name_owner, "/", OFONO_MANAGER, "GetModems", NULL,
	                       G_VARIANT_TYPE("(a(oa{sv}))"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
	                       OFONO_CALL_TIMEOUT, self->cancellable, get_modems_done, self);
}

static void
ofono_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	OmacpOfonoWatcher *self = user_data;

	if (self->owner != NULL)
		g_debug("ofono: %s vanished", name);
	g_clear_pointer(&self->owner, g_free);
	g_hash_table_remove_all(self->modems);
}

OmacpOfonoWatcher *
omacp_ofono_watcher_new(GDBusConnection *bus, const char *push_dir, OmacpPushFunc func,
                        gpointer user_data)
{
	OmacpOfonoWatcher *self;
	g_autoptr(GError) error = NULL;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(bus), NULL);
	g_return_val_if_fail(func != NULL, NULL);

	self = g_new0(OmacpOfonoWatcher, 1);
	self->bus = g_object_ref(bus);
	self->func = func;
	self->user_data = user_data;
	self->cancellable = g_cancellable_new();
	self->agent_info = g_dbus_node_info_new_for_xml(agent_xml, NULL);
	self->modems =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) modem_free);
	if (push_dir != NULL) {
		self->dispatcher = omacp_push_dispatcher_new(push_dir, NULL, &error);
		if (self->dispatcher == NULL)
			g_debug("ofono: no push forwarding: %s", error->message);
	}

	self->sub_manager = g_dbus_connection_signal_subscribe(
	        bus, OFONO_SERVICE, OFONO_MANAGER, NULL, "/", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
	        manager_signal, self, NULL);
	self->sub_modem = g_dbus_connection_signal_subscribe(
	        bus, OFONO_SERVICE, OFONO_MODEM, "PropertyChanged", NULL, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, modem_signal, self, NULL);
	self->sub_sim = g_dbus_connection_signal_subscribe(
	        bus, OFONO_SERVICE, OFONO_SIM, "PropertyChanged", NULL, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, sim_signal, self, NULL);
	self->name_watch =
	        g_bus_watch_name_on_connection(bus, OFONO_SERVICE, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       ofono_appeared, ofono_vanished, self, NULL);
	return self;
}

void
omacp_ofono_watcher_free(OmacpOfonoWatcher *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_bus_unwatch_name(self->name_watch);
	g_dbus_connection_signal_unsubscribe(self->bus, self->sub_manager);
	g_dbus_connection_signal_unsubscribe(self->bus, self->sub_modem);
	g_dbus_connection_signal_unsubscribe(self->bus, self->sub_sim);
	/* give the slots back, so that another agent can take them */
	if (self->owner != NULL) {
		GHashTableIter iter;
		Modem *modem;

		g_hash_table_iter_init(&iter, self->modems);
		while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
			if (!modem->agent_registered)
				continue;
			g_dbus_connection_call(
			        self->bus, self->owner, modem->path, OFONO_PUSH, "UnregisterAgent",
			        g_variant_new("(o)", modem->agent_path), NULL,
			        G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
		}
	}
	g_hash_table_unref(self->modems);
	g_clear_pointer(&self->dispatcher, omacp_push_dispatcher_free);
	g_dbus_node_info_unref(self->agent_info);
	g_object_unref(self->cancellable);
	g_free(self->owner);
	g_object_unref(self->bus);
	g_free(self);
}

static void
add_unique(GPtrArray *out, const char *value)
{
	if (value == NULL)
		return;
	for (guint i = 0; i < out->len; i++) {
		if (g_strcmp0(out->pdata[i], value) == 0)
			return;
	}
	g_ptr_array_add(out, g_strdup(value));
}

GPtrArray *
omacp_ofono_watcher_get_imsis(OmacpOfonoWatcher *self)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	Modem *modem;

	g_hash_table_iter_init(&iter, self->modems);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem))
		add_unique(out, modem->imsi);
	return out;
}

void
omacp_ofono_watcher_set_modem_notify(OmacpOfonoWatcher *self, OmacpModemStateFunc func,
                                     gpointer user_data)
{
	self->state_func = func;
	self->state_data = user_data;
}

gboolean
omacp_ofono_watcher_get_network(OmacpOfonoWatcher *self, const char *imsi, char **mcc_mnc,
                                char **spn)
{
	GHashTableIter iter;
	Modem *modem;

	g_hash_table_iter_init(&iter, self->modems);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
		if (imsi == NULL || g_strcmp0(modem->imsi, imsi) != 0)
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
