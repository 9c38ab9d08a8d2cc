/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ModemManager adapter: follows modems through the ObjectManager, their
 * SIM (IMSI, ICCID) and Messaging; reads every received SMS and hands the
 * ones that carry data to the router, then deletes those the router took,
 * forwarded or refused (a provisioning push the daemon refused) from the
 * modem. ModemManager strips the UDH (ports included), so
 * a push is recognised by its content alone. Text SMS are left alone.
 *
 * Plain GDBusConnection calls and signal subscriptions, no proxies. */

#include "dbus-watch.h"
#include "omacp.h"

#define MM_SERVICE         "org.freedesktop.ModemManager1"
#define MM_PATH            "/org/freedesktop/ModemManager1"
#define MM_MODEM           MM_SERVICE ".Modem"
#define MM_MESSAGING       MM_SERVICE ".Modem.Messaging"
#define MM_SIM             MM_SERVICE ".Sim"
#define MM_SMS             MM_SERVICE ".Sms"
#define DBUS_PROPERTIES    "org.freedesktop.DBus.Properties"
#define DBUS_OBJECTMANAGER "org.freedesktop.DBus.ObjectManager"

/* MMSmsState and MMSmsPduType values (ModemManager's D-Bus API) */
#define SMS_STATE_RECEIVED       3
#define SMS_PDU_TYPE_SUBMIT      2
#define SMS_PDU_TYPE_STATUS      3
#define SMS_PDU_TYPE_CDMA_SUBMIT 33

/* SMS objects followed at once; a flood beyond this is ignored until some
 * are deleted. */
#define OMACP_MM_MAX_SMS 1024

typedef struct {
	OmacpDbusModem base; /* first */
	char *sim_path;
	gboolean has_messaging;
} MmModem;

typedef struct {
	OmacpDbusObject object; /* first: the path and serial */
	char *modem_path;
	gboolean fetching; /* a GetAll is on its way */
	gboolean refetch;  /* ... and the state changed meanwhile */
	gboolean done;     /* looked at once received: never handled twice */
	GVariant *early;   /* the PropertiesChanged that completed it, with Data */
} MmSms;

struct _OmacpMmWatcher {
	OmacpDbusWatch watch; /* first: the modems are MmModem */
	GHashTable *sms;      /* path -> MmSms */
};

static OmacpMmWatcher *
watcher_of(OmacpDbusObject *object)
{
	return (OmacpMmWatcher *) object->watch;
}

static void
modem_clear(OmacpDbusModem *base)
{
	MmModem *modem = (MmModem *) base;

	if (modem->has_messaging)
		omacp_dbus_modem_notify(base, FALSE);
	g_free(modem->sim_path);
}

static void
sms_free(MmSms *sms)
{
	g_clear_pointer(&sms->early, g_variant_unref);
	g_free(sms->modem_path);
	omacp_dbus_object_clear(&sms->object);
	g_free(sms);
}

static void
drop_sms_of_modem(OmacpMmWatcher *self, const char *modem_path)
{
	GHashTableIter iter;
	MmSms *sms;

	g_hash_table_iter_init(&iter, self->sms);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &sms)) {
		if (g_strcmp0(sms->modem_path, modem_path) == 0)
			g_hash_table_iter_remove(&iter);
	}
}

/* ---- SIM ---- */

static void
apply_sim_props(MmModem *modem, GVariant *props)
{
	const char *value;

	if (g_variant_lookup(props, "Imsi", "&s", &value))
		omacp_dbus_set_string(&modem->base.imsi, value);
	if (g_variant_lookup(props, "SimIdentifier", "&s", &value))
		omacp_dbus_set_string(&modem->base.iccid, value);
}

static void
sim_done(OmacpDbusObject *object, GVariant *reply)
{
	MmModem *modem = (MmModem *) object;
	g_autoptr(GVariant) props = NULL;

	if (reply == NULL)
		return;
	props = g_variant_get_child_value(reply, 0);
	apply_sim_props(modem, props);
	g_debug("mm: %s: SIM %s", object->path,
	        modem->base.imsi != NULL ? "known" : "without IMSI");
}

static void
set_sim_path(MmModem *modem, const char *sim_path)
{
	if (g_strcmp0(sim_path, "/") == 0)
		sim_path = NULL;
	if (g_strcmp0(sim_path, modem->sim_path) == 0)
		return;
	g_free(modem->sim_path);
	modem->sim_path = g_strdup(sim_path);
	omacp_dbus_modem_clear_sim(&modem->base);
	if (sim_path == NULL)
		return;
	omacp_dbus_object_call(&modem->base.object, sim_path, DBUS_PROPERTIES, "GetAll",
	                       g_variant_new("(s)", MM_SIM), "(a{sv})", sim_done);
}

/* ---- SMS ---- */

/* ModemManager refuses a Delete while it holds the SMS storage lock (reading
 * another part): "Retry". We try again, a little later each time. */
#define DELETE_ATTEMPTS 12
#define DELETE_RETRY_MS 100
#define MM_ERROR_RETRY  "org.freedesktop.ModemManager1.Error.Core.Retry"

typedef struct {
	OmacpMmWatcher *watcher;
	GCancellable *cancellable; /* the watcher's: tells whether it is still there */
	char *modem_path;
	char *sms_path;
	guint attempt;
} DeleteData;

static void
delete_data_free(DeleteData *data)
{
	g_object_unref(data->cancellable);
	g_free(data->modem_path);
	g_free(data->sms_path);
	g_free(data);
}

static void delete_call(DeleteData *data);

static gboolean
delete_retry_cb(gpointer user_data)
{
	DeleteData *data = user_data;

	if (g_cancellable_is_cancelled(data->cancellable))
		delete_data_free(data);
	else
		delete_call(data);
	return G_SOURCE_REMOVE;
}

static void
delete_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	DeleteData *data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autofree char *remote = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (reply != NULL || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		delete_data_free(data);
		return;
	}
	remote = g_dbus_error_get_remote_error(error);
	if (g_strcmp0(remote, MM_ERROR_RETRY) == 0 && data->attempt < DELETE_ATTEMPTS) {
		g_timeout_add(DELETE_RETRY_MS * data->attempt, delete_retry_cb, data);
		return;
	}
	g_debug("mm: Messaging.Delete(%s), attempt %u: %s", data->sms_path, data->attempt,
	        error->message);
	delete_data_free(data);
}

static void
delete_call(DeleteData *data)
{
	OmacpDbusWatch *watch = &data->watcher->watch;

	data->attempt++;
	g_dbus_connection_call(watch->bus, MM_SERVICE, data->modem_path, MM_MESSAGING, "Delete",
	                       g_variant_new("(o)", data->sms_path), NULL,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, OMACP_DBUS_CALL_TIMEOUT,
	                       watch->cancellable, delete_done, data);
}

static void
delete_sms(OmacpMmWatcher *self, const char *modem_path, const char *sms_path)
{
	DeleteData *data = g_new0(DeleteData, 1);

	g_debug("mm: deleting %s from %s", sms_path, modem_path);
	data->watcher = self;
	data->cancellable = g_object_ref(self->watch.cancellable);
	data->modem_path = g_strdup(modem_path);
	data->sms_path = g_strdup(sms_path);
	delete_call(data);
}

/* An SMS handed to the router, until it answers. */
typedef struct {
	OmacpMmWatcher *watcher;
	GCancellable *cancellable; /* the watcher's: tells whether it is still there */
	char *modem_path;
	char *sms_path;
} RoutedSms;

static void
sms_routed(OmacpPushRoute route, gpointer user_data)
{
	RoutedSms *routed = user_data;

	/* taken, forwarded or refused by the daemon: only what is nobody's
	 * stays in the modem's storage */
	if (route != OMACP_PUSH_LEFT && !g_cancellable_is_cancelled(routed->cancellable))
		delete_sms(routed->watcher, routed->modem_path, routed->sms_path);
	g_object_unref(routed->cancellable);
	g_free(routed->modem_path);
	g_free(routed->sms_path);
	g_free(routed);
}

/* A received SMS with all its properties: a push for the router? */
static void
examine_sms(OmacpMmWatcher *self, MmSms *sms, GVariant *props)
{
	g_autoptr(GVariant) data = NULL;
	GVariantBuilder info;
	RoutedSms *routed;
	const char *number = NULL;
	const char *timestamp = NULL;
	const guint8 *bytes;
	guint32 pdu_type = 0;
	gsize len = 0;

	sms->done = TRUE;
	g_clear_pointer(&sms->early, g_variant_unref);
	if (g_variant_lookup(props, "PduType", "u", &pdu_type) &&
	    (pdu_type == SMS_PDU_TYPE_SUBMIT || pdu_type == SMS_PDU_TYPE_STATUS ||
	     pdu_type == SMS_PDU_TYPE_CDMA_SUBMIT))
		return;
	data = g_variant_lookup_value(props, "Data", G_VARIANT_TYPE_BYTESTRING);
	if (data == NULL)
		return;
	bytes = g_variant_get_fixed_array(data, &len, 1);
	if (len == 0)
		return; /* a text SMS */
	if (!g_variant_lookup(props, "Number", "&s", &number) || number[0] == '\0')
		number = NULL;
	if (!g_variant_lookup(props, "Timestamp", "&s", &timestamp) || timestamp[0] == '\0')
		timestamp = NULL;

	/* what push.d consumers get with the push */
	g_variant_builder_init(&info, G_VARIANT_TYPE("a{sv}"));
	if (number != NULL)
		g_variant_builder_add(&info, "{sv}", "Sender", g_variant_new_string(number));
	if (timestamp != NULL)
		g_variant_builder_add(&info, "{sv}", "SentTime", g_variant_new_string(timestamp));

	routed = g_new0(RoutedSms, 1);
	routed->watcher = self;
	routed->cancellable = g_object_ref(self->watch.cancellable);
	routed->modem_path = g_strdup(sms->modem_path);
	routed->sms_path = g_strdup(sms->object.path);
	omacp_dbus_watch_push(&self->watch, routed->modem_path, number, bytes, len,
	                      g_variant_builder_end(&info), sms_routed, routed);
}

static void fetch_sms(OmacpMmWatcher *self, MmSms *sms);

/* Properties of an SMS, from GetAll (@complete) or PropertiesChanged. */
static void
sms_props(OmacpMmWatcher *self, MmSms *sms, GVariant *props, gboolean complete)
{
	g_autoptr(GVariant) data = NULL;
	guint32 state = 0;

	if (sms->done || !g_variant_lookup(props, "State", "u", &state))
		return;
	if (state != SMS_STATE_RECEIVED)
		return; /* receiving: the other parts complete it later */
	if (complete) {
		examine_sms(self, sms, props);
		return;
	}
	/* The State change of a multipart SMS carries Data. Keep it: someone
	 * else (mmsd-tng) may delete the object before our GetAll, which we
	 * still need for Number and PduType. */
	data = g_variant_lookup_value(props, "Data", G_VARIANT_TYPE_BYTESTRING);
	if (data != NULL && g_variant_n_children(data) > 0) {
		g_clear_pointer(&sms->early, g_variant_unref);
		sms->early = g_variant_ref(props);
	}
	fetch_sms(self, sms);
}

static void
sms_getall_done(OmacpDbusObject *object, GVariant *reply)
{
	OmacpMmWatcher *self = watcher_of(object);
	MmSms *sms = (MmSms *) object;
	g_autoptr(GVariant) props = NULL;

	sms->fetching = FALSE;
	if (reply == NULL) {
		if (sms->early != NULL) {
			g_autoptr(GVariant) early = g_steal_pointer(&sms->early);

			examine_sms(self, sms, early);
		}
		return;
	}
	props = g_variant_get_child_value(reply, 0);
	sms_props(self, sms, props, TRUE);
	/* the state changed while the reply was on its way */
	if (!sms->done && sms->refetch) {
		sms->refetch = FALSE;
		fetch_sms(self, sms);
	}
}

static void
fetch_sms(OmacpMmWatcher *self, MmSms *sms)
{
	if (sms->done)
		return;
	if (sms->fetching) {
		sms->refetch = TRUE;
		return;
	}
	sms->fetching = TRUE;
	omacp_dbus_object_call(&sms->object, NULL, DBUS_PROPERTIES, "GetAll",
	                       g_variant_new("(s)", MM_SMS), "(a{sv})", sms_getall_done);
}

static void
track_sms(OmacpMmWatcher *self, const char *modem_path, const char *sms_path)
{
	MmSms *sms;

	if (g_hash_table_contains(self->sms, sms_path))
		return;
	if (g_hash_table_size(self->sms) >= OMACP_MM_MAX_SMS) {
		g_debug("mm: following %d SMS already, %s ignored", OMACP_MM_MAX_SMS, sms_path);
		return;
	}
	sms = g_new0(MmSms, 1);
	sms->modem_path = g_strdup(modem_path);
	omacp_dbus_object_init(&sms->object, &self->watch, self->sms, sms_path);
	fetch_sms(self, sms);
}

static void
track_sms_list(OmacpMmWatcher *self, const char *modem_path, GVariant *paths)
{
	GVariantIter iter;
	const char *path;

	g_variant_iter_init(&iter, paths);
	while (g_variant_iter_next(&iter, "&o", &path))
		track_sms(self, modem_path, path);
}

static void
list_done(OmacpDbusObject *object, GVariant *reply)
{
	MmModem *modem = (MmModem *) object;
	g_autoptr(GVariant) paths = NULL;

	if (!modem->has_messaging)
		return;
	if (reply != NULL) {
		paths = g_variant_get_child_value(reply, 0);
		track_sms_list(watcher_of(object), object->path, paths);
	}
	omacp_dbus_modem_notify(&modem->base, TRUE);
}

/* ---- modems ---- */

static void
set_messaging(MmModem *modem, gboolean present)
{
	if (present == modem->has_messaging)
		return;
	modem->has_messaging = present;
	if (!present) {
		drop_sms_of_modem(watcher_of(&modem->base.object), modem->base.object.path);
		omacp_dbus_modem_notify(&modem->base, FALSE);
		return;
	}
	omacp_dbus_object_call(&modem->base.object, NULL, MM_MESSAGING, "List", NULL, "(ao)",
	                       list_done);
}

/* @interfaces: a{sa{sv}} as in InterfacesAdded / GetManagedObjects */
static void
interfaces_added(OmacpDbusWatch *watch, const char *path, GVariant *interfaces)
{
	g_autoptr(GVariant) modem_props = NULL;
	g_autoptr(GVariant) messaging_props = NULL;
	MmModem *modem = (MmModem *) omacp_dbus_watch_lookup_modem(watch, path);
	const char *sim = NULL;

	modem_props = g_variant_lookup_value(interfaces, MM_MODEM, G_VARIANT_TYPE_VARDICT);
	messaging_props = g_variant_lookup_value(interfaces, MM_MESSAGING, G_VARIANT_TYPE_VARDICT);
	if (modem == NULL && modem_props == NULL)
		return;
	if (modem == NULL)
		modem = (MmModem *) omacp_dbus_watch_add_modem(watch, path);
	if (modem_props != NULL && g_variant_lookup(modem_props, "Sim", "&o", &sim))
		set_sim_path(modem, sim);
	if (messaging_props != NULL)
		set_messaging(modem, TRUE);
}

/* @names: as, the interfaces gone */
static void
interfaces_removed(OmacpDbusWatch *watch, const char *path, GVariant *names)
{
	MmModem *modem = (MmModem *) omacp_dbus_watch_lookup_modem(watch, path);
	g_autofree const char **gone = NULL;

	if (modem == NULL)
		return;
	gone = g_variant_get_strv(names, NULL);
	if (g_strv_contains(gone, MM_MODEM)) {
		drop_sms_of_modem((OmacpMmWatcher *) watch, path);
		g_hash_table_remove(watch->modems, path);
	} else if (g_strv_contains(gone, MM_MESSAGING)) {
		set_messaging(modem, FALSE);
	}
}

static void
properties_signal(GDBusConnection *connection, const char *sender, const char *object_path,
                  const char *interface_name, const char *signal_name, GVariant *parameters,
                  gpointer user_data)
{
	OmacpMmWatcher *self = user_data;
	/* for the Modem and Messaging interfaces: the modem at the path */
	MmModem *modem = (MmModem *) omacp_dbus_watch_lookup_modem(&self->watch, object_path);
	g_autoptr(GVariant) changed = NULL;
	const char *iface;

	if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sa{sv}as)")))
		return;
	g_variant_get_child(parameters, 0, "&s", &iface);
	changed = g_variant_get_child_value(parameters, 1);

	if (g_strcmp0(iface, MM_SMS) == 0) {
		MmSms *sms = g_hash_table_lookup(self->sms, object_path);

		if (sms != NULL)
			sms_props(self, sms, changed, FALSE);
	} else if (g_strcmp0(iface, MM_MODEM) == 0) {
		const char *sim;

		if (modem != NULL && g_variant_lookup(changed, "Sim", "&o", &sim))
			set_sim_path(modem, sim);
	} else if (g_strcmp0(iface, MM_MESSAGING) == 0) {
		g_autoptr(GVariant) messages =
		        g_variant_lookup_value(changed, "Messages", G_VARIANT_TYPE("ao"));

		if (modem != NULL && modem->has_messaging && messages != NULL)
			track_sms_list(self, object_path, messages);
	} else if (g_strcmp0(iface, MM_SIM) == 0) {
		GHashTableIter iter;

		g_hash_table_iter_init(&iter, self->watch.modems);
		while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
			if (g_strcmp0(modem->sim_path, object_path) == 0)
				apply_sim_props(modem, changed);
		}
	}
}

static void
messaging_signal(GDBusConnection *connection, const char *sender, const char *object_path,
                 const char *interface_name, const char *signal_name, GVariant *parameters,
                 gpointer user_data)
{
	OmacpMmWatcher *self = user_data;
	MmModem *modem = (MmModem *) omacp_dbus_watch_lookup_modem(&self->watch, object_path);
	const char *path;

	if (modem == NULL || !modem->has_messaging)
		return;
	if (g_strcmp0(signal_name, "Added") == 0 &&
	    g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ob)"))) {
		g_variant_get(parameters, "(&ob)", &path, NULL);
		track_sms(self, object_path, path);
	} else if (g_strcmp0(signal_name, "Deleted") == 0 &&
	           g_variant_is_of_type(parameters, G_VARIANT_TYPE("(o)"))) {
		g_variant_get(parameters, "(&o)", &path);
		g_hash_table_remove(self->sms, path);
	}
}

static void
forget_sms(OmacpDbusWatch *watch)
{
	g_hash_table_remove_all(((OmacpMmWatcher *) watch)->sms);
}

static const OmacpDbusWatchClass mm_class = {
	.adapter = "modemmanager",
	.log = "mm",
	.service = MM_SERVICE,
	.path = MM_PATH,
	.interface = DBUS_OBJECTMANAGER,
	.list_method = "GetManagedObjects",
	.list_type = "(a{oa{sa{sv}}})",
	.added_signal = "InterfacesAdded",
	.added_type = "(oa{sa{sv}})",
	.removed_signal = "InterfacesRemoved",
	.removed_type = "(oas)",
	.modem_size = sizeof(MmModem),
	.object_added = interfaces_added,
	.object_removed = interfaces_removed,
	.reset = forget_sms,
	.modem_clear = modem_clear,
};

OmacpMmWatcher *
omacp_mm_watcher_new(GDBusConnection *bus, const OmacpAdapterOptions *options)
{
	OmacpMmWatcher *self;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(bus), NULL);
	g_return_val_if_fail(options != NULL && options->push != NULL, NULL);

	self = g_new0(OmacpMmWatcher, 1);
	omacp_dbus_watch_init(&self->watch, &mm_class, bus, options);
	self->sms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) sms_free);

	omacp_dbus_watch_subscribe(&self->watch, DBUS_PROPERTIES, "PropertiesChanged",
	                           properties_signal);
	omacp_dbus_watch_subscribe(&self->watch, MM_MESSAGING, NULL, messaging_signal);
	omacp_dbus_watch_start(&self->watch);
	return self;
}

void
omacp_mm_watcher_free(OmacpMmWatcher *self)
{
	if (self == NULL)
		return;
	omacp_dbus_watch_stop(&self->watch);
	g_hash_table_unref(self->sms);
	omacp_dbus_watch_clear(&self->watch);
	g_free(self);
}

/* ---- registration ---- */

static OmacpAdapter *
adapter_create(GDBusConnection *bus, const OmacpAdapterOptions *options)
{
	return (OmacpAdapter *) omacp_mm_watcher_new(bus, options);
}

static void
adapter_free(OmacpAdapter *adapter)
{
	omacp_mm_watcher_free((OmacpMmWatcher *) adapter);
}

const OmacpAdapterInfo omacp_adapter_info_mm = {
	.name = "modemmanager",
	.create = adapter_create,
	.free = adapter_free,
	.get_imsis = omacp_dbus_adapter_get_imsis,
};
