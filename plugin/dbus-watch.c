/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part of the modem-stack adapters that does not depend on the stack:
 * the service's bus name, its list of modems, the calls made for a followed
 * object, the SIM identity and the hand-over of pushes to the router.
 *
 * Plain GDBusConnection calls and signal subscriptions (no proxies). Every
 * call carries the watcher's cancellable: its reply is only looked at when
 * the call was not cancelled, so a reply never reaches a freed watcher. */

#include "dbus-watch.h"

#include <string.h>

/* ---- objects and the calls made for them ---- */

void
omacp_dbus_object_init(OmacpDbusObject *object, OmacpDbusWatch *watch, GHashTable *table,
                       const char *path)
{
	object->watch = watch;
	object->table = table;
	object->path = g_strdup(path);
	object->serial = ++watch->next_serial;
	g_hash_table_insert(table, object->path, object);
}

void
omacp_dbus_object_clear(OmacpDbusObject *object)
{
	g_clear_pointer(&object->path, g_free);
}

/* What a call needs to find its object again, if it still exists. */
typedef struct {
	OmacpDbusWatch *watch;
	GHashTable *table;
	char *path;
	guint64 serial;
	char *what; /* Interface.Method, for the log */
	OmacpDbusReplyFunc done;
} CallData;

static void
call_data_free(CallData *data)
{
	g_free(data->path);
	g_free(data->what);
	g_free(data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallData, call_data_free)

static void
object_call_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	OmacpDbusObject *object;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	object = g_hash_table_lookup(data->table, data->path);
	if (object == NULL || object->serial != data->serial)
		return;
	if (reply == NULL)
		g_debug("%s: %s: %s: %s", data->watch->klass->log, data->path, data->what,
		        error->message);
	data->done(object, reply);
}

void
omacp_dbus_object_call(OmacpDbusObject *object, const char *path, const char *interface,
                       const char *method, GVariant *parameters, const char *reply_type,
                       OmacpDbusReplyFunc done)
{
	OmacpDbusWatch *watch = object->watch;
	const char *dot = strrchr(interface, '.');
	CallData *data = g_new0(CallData, 1);

	data->watch = watch;
	data->table = object->table;
	data->path = g_strdup(object->path);
	data->serial = object->serial;
	data->what = g_strdup_printf("%s.%s%s%s", dot != NULL ? dot + 1 : interface, method,
	                             path != NULL ? " on " : "", path != NULL ? path : "");
	data->done = done;
	g_dbus_connection_call(watch->bus, watch->klass->service,
	                       path != NULL ? path : object->path, interface, method, parameters,
	                       reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, OMACP_DBUS_CALL_TIMEOUT,
	                       watch->cancellable, object_call_done, data);
}

/* ---- modems ---- */

void
omacp_dbus_set_string(char **slot, const char *value)
{
	g_free(*slot);
	*slot = value != NULL && value[0] != '\0' ? g_strdup(value) : NULL;
}

void
omacp_dbus_modem_clear_sim(OmacpDbusModem *modem)
{
	g_clear_pointer(&modem->imsi, g_free);
	g_clear_pointer(&modem->iccid, g_free);
}

static void
modem_free(OmacpDbusModem *modem)
{
	const OmacpDbusWatchClass *klass = modem->object.watch->klass;

	if (klass->modem_clear != NULL)
		klass->modem_clear(modem);
	omacp_dbus_modem_clear_sim(modem);
	omacp_dbus_object_clear(&modem->object);
	g_free(modem);
}

OmacpDbusModem *
omacp_dbus_watch_lookup_modem(OmacpDbusWatch *watch, const char *path)
{
	return g_hash_table_lookup(watch->modems, path);
}

OmacpDbusModem *
omacp_dbus_watch_add_modem(OmacpDbusWatch *watch, const char *path)
{
	OmacpDbusModem *modem = g_malloc0(watch->klass->modem_size);

	omacp_dbus_object_init(&modem->object, watch, watch->modems, path);
	g_debug("%s: modem %s", watch->klass->log, path);
	return modem;
}

void
omacp_dbus_modem_notify(OmacpDbusModem *modem, gboolean listening)
{
	OmacpDbusWatch *watch = modem->object.watch;

	if (watch->options.modem_state != NULL)
		watch->options.modem_state(watch->klass->adapter, modem->object.path, modem->imsi,
		                           listening, watch->options.modem_state_data);
}

GPtrArray *
omacp_dbus_watch_get_imsis(OmacpDbusWatch *watch)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	OmacpDbusModem *modem;

	/* a modem state callback may ask while omacp_dbus_watch_clear() frees
	 * the modems: there are none any more */
	if (watch->modems == NULL)
		return out;
	g_hash_table_iter_init(&iter, watch->modems);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
		if (modem->imsi != NULL &&
		    !g_ptr_array_find_with_equal_func(out, modem->imsi, g_str_equal, NULL))
			g_ptr_array_add(out, g_strdup(modem->imsi));
	}
	return out;
}

GPtrArray *
omacp_dbus_adapter_get_imsis(OmacpAdapter *adapter)
{
	return omacp_dbus_watch_get_imsis((OmacpDbusWatch *) adapter);
}

void
omacp_dbus_watch_push(OmacpDbusWatch *watch, const char *modem_path, const char *sender,
                      const guint8 *bytes, gsize len, GVariant *info, OmacpPushRoutedFunc routed,
                      gpointer routed_data)
{
	OmacpDbusModem *modem = omacp_dbus_watch_lookup_modem(watch, modem_path);
	/* copies: the router may run anything, the modem may go */
	g_autofree char *path = g_strdup(modem_path);
	g_autofree char *imsi = modem != NULL ? g_strdup(modem->imsi) : NULL;
	g_autofree char *iccid = modem != NULL ? g_strdup(modem->iccid) : NULL;
	g_autoptr(GBytes) datagram = g_bytes_new(bytes, len);
	/* a floating @info is ours */
	g_autoptr(GVariant) held_info = info != NULL ? g_variant_ref_sink(info) : NULL;
	OmacpPushEvent event = { 0 };

	event.adapter = watch->klass->adapter;
	event.modem = path;
	event.imsi = imsi;
	event.iccid = iccid;
	event.sender = sender != NULL && sender[0] != '\0' ? sender : NULL;
	event.received_us = g_get_real_time();
	event.datagram = datagram;
	event.info = held_info;
	watch->options.push(&event, routed, routed_data, watch->options.push_data);
}

/* ---- the service ---- */

static void
forget_all(OmacpDbusWatch *watch)
{
	if (watch->klass->reset != NULL)
		watch->klass->reset(watch);
	g_hash_table_remove_all(watch->modems);
}

/* @entry: an (object path, details) pair, a tuple or a dict entry */
static void
entry_added(OmacpDbusWatch *watch, GVariant *entry)
{
	g_autoptr(GVariant) details = g_variant_get_child_value(entry, 1);
	const char *path;

	g_variant_get_child(entry, 0, "&o", &path);
	watch->klass->object_added(watch, path, details);
}

static void
list_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	OmacpDbusWatch *watch = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) list = NULL;
	GVariantIter iter;
	GVariant *entry;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (reply == NULL) {
		g_debug("%s: %s: %s", watch->klass->log, watch->klass->list_method, error->message);
		return;
	}
	list = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, list);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		entry_added(watch, entry);
		g_variant_unref(entry);
	}
}

static void
objects_signal(GDBusConnection *connection, const char *sender, const char *object_path,
               const char *interface_name, const char *signal_name, GVariant *parameters,
               gpointer user_data)
{
	OmacpDbusWatch *watch = user_data;
	const OmacpDbusWatchClass *klass = watch->klass;

	if (g_strcmp0(signal_name, klass->added_signal) == 0 &&
	    g_variant_is_of_type(parameters, G_VARIANT_TYPE(klass->added_type))) {
		entry_added(watch, parameters);
	} else if (g_strcmp0(signal_name, klass->removed_signal) == 0 &&
	           g_variant_is_of_type(parameters, G_VARIANT_TYPE(klass->removed_type))) {
		g_autoptr(GVariant) details = NULL;
		const char *path;

		g_variant_get_child(parameters, 0, "&o", &path);
		if (g_variant_n_children(parameters) > 1)
			details = g_variant_get_child_value(parameters, 1);
		klass->object_removed(watch, path, details);
	}
}

static void
service_appeared(GDBusConnection *connection, const char *name, const char *name_owner,
                 gpointer user_data)
{
	OmacpDbusWatch *watch = user_data;
	const OmacpDbusWatchClass *klass = watch->klass;

	g_debug("%s: %s appeared as %s", klass->log, name, name_owner);
	forget_all(watch);
	g_free(watch->owner);
	watch->owner = g_strdup(name_owner);
	/* ask the owner itself, so that a restart in between cannot mix replies */
	g_dbus_connection_call(watch->bus, name_owner, klass->path, klass->interface,
	                       klass->list_method, NULL, G_VARIANT_TYPE(klass->list_type),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, OMACP_DBUS_CALL_TIMEOUT,
	                       watch->cancellable, list_done, watch);
}

static void
service_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	OmacpDbusWatch *watch = user_data;

	if (watch->owner != NULL)
		g_debug("%s: %s vanished", watch->klass->log, name);
	g_clear_pointer(&watch->owner, g_free);
	forget_all(watch);
}

static void
subscribe(OmacpDbusWatch *watch, const char *interface, const char *member, const char *path,
          GDBusSignalCallback callback)
{
	guint id = g_dbus_connection_signal_subscribe(watch->bus, watch->klass->service, interface,
	                                              member, path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
	                                              callback, watch, NULL);

	g_array_append_val(watch->subscriptions, id);
}

void
omacp_dbus_watch_subscribe(OmacpDbusWatch *watch, const char *interface, const char *member,
                           GDBusSignalCallback callback)
{
	subscribe(watch, interface, member, NULL, callback);
}

void
omacp_dbus_watch_init(OmacpDbusWatch *watch, const OmacpDbusWatchClass *klass, GDBusConnection *bus,
                      const OmacpAdapterOptions *options)
{
	watch->klass = klass;
	watch->bus = g_object_ref(bus);
	watch->cancellable = g_cancellable_new();
	watch->options = *options;
	watch->subscriptions = g_array_new(FALSE, FALSE, sizeof(guint));
	watch->modems =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) modem_free);
}

void
omacp_dbus_watch_start(OmacpDbusWatch *watch)
{
	const OmacpDbusWatchClass *klass = watch->klass;

	subscribe(watch, klass->interface, NULL, klass->path, objects_signal);
	watch->name_watch = g_bus_watch_name_on_connection(
	        watch->bus, klass->service, G_BUS_NAME_WATCHER_FLAGS_NONE, service_appeared,
	        service_vanished, watch, NULL);
}

void
omacp_dbus_watch_stop(OmacpDbusWatch *watch)
{
	g_cancellable_cancel(watch->cancellable);
	if (watch->name_watch != 0)
		g_bus_unwatch_name(watch->name_watch);
	watch->name_watch = 0;
	for (guint i = 0; i < watch->subscriptions->len; i++)
		g_dbus_connection_signal_unsubscribe(watch->bus,
		                                     g_array_index(watch->subscriptions, guint, i));
	g_array_set_size(watch->subscriptions, 0);
}

void
omacp_dbus_watch_clear(OmacpDbusWatch *watch)
{
	g_clear_pointer(&watch->modems, g_hash_table_unref);
	g_clear_pointer(&watch->subscriptions, g_array_unref);
	g_clear_object(&watch->cancellable);
	g_clear_pointer(&watch->owner, g_free);
	g_clear_object(&watch->bus);
}
