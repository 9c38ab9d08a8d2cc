/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ModemManager adapter: follows modems through the ObjectManager, their
 * SIM (IMSI, ICCID) and Messaging; reads every received SMS and hands the
 * ones whose data is a provisioning WAP push to the daemon, then deletes them
 * from the modem. ModemManager strips the UDH (ports included), so a push is
 * recognised by its content alone. Other SMS are left alone, unless a push.d
 * directory is set and a consumer takes a non-provisioning WAP push.
 *
 * Plain GDBusConnection calls and signal subscriptions, no proxies. */

#include "omacp-source.h"
#include "push-dispatch.h"
#include "wsp.h"

#define MM_SERVICE         "org.freedesktop.ModemManager1"
#define MM_PATH            "/org/freedesktop/ModemManager1"
#define MM_MODEM           MM_SERVICE ".Modem"
#define MM_MESSAGING       MM_SERVICE ".Modem.Messaging"
#define MM_SIM             MM_SERVICE ".Sim"
#define MM_SMS             MM_SERVICE ".Sms"
#define DBUS_PROPERTIES    "org.freedesktop.DBus.Properties"
#define DBUS_OBJECTMANAGER "org.freedesktop.DBus.ObjectManager"
#define MM_CALL_TIMEOUT    25000

/* MMSmsState and MMSmsPduType values (ModemManager's D-Bus API) */
#define SMS_STATE_RECEIVED       3
#define SMS_PDU_TYPE_SUBMIT      2
#define SMS_PDU_TYPE_STATUS      3
#define SMS_PDU_TYPE_CDMA_SUBMIT 33

/* SMS objects followed at once; a flood beyond this is ignored until some
 * are deleted. */
#define OMACP_MM_MAX_SMS 1024

typedef struct {
	OmacpMmWatcher *watcher;
	char *path;
	guint64 serial;
	char *sim_path;
	char *imsi;
	char *iccid;
	gboolean has_messaging;
} MmModem;

typedef struct {
	OmacpMmWatcher *watcher;
	char *path;
	char *modem_path;
	guint64 serial;
	gboolean fetching; /* a GetAll is on its way */
	gboolean refetch;  /* ... and the state changed meanwhile */
	gboolean done;     /* looked at once received: never handled twice */
	GVariant *early;   /* the PropertiesChanged that completed it, with Data */
} MmSms;

struct _OmacpMmWatcher {
	GDBusConnection *bus;
	OmacpPushDispatcher *dispatcher;
	OmacpPushFunc func;
	gpointer user_data;
	OmacpModemStateFunc state_func;
	gpointer state_data;
	GCancellable *cancellable;
	guint name_watch;
	char *owner;
	guint sub_objects;
	guint sub_properties;
	guint sub_messaging;
	GHashTable *modems; /* path -> MmModem */
	GHashTable *sms;    /* path -> MmSms */
	guint64 next_serial;
};

typedef struct {
	OmacpMmWatcher *watcher;
	char *path;
	guint64 serial;
} CallData;

static CallData *
call_data_new(OmacpMmWatcher *watcher, const char *path, guint64 serial)
{
	CallData *data = g_new0(CallData, 1);

	data->watcher = watcher;
	data->path = g_strdup(path);
	data->serial = serial;
	return data;
}

static void
call_data_free(CallData *data)
{
	g_free(data->path);
	g_free(data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallData, call_data_free)

static MmModem *
lookup_modem(CallData *data)
{
	MmModem *modem = g_hash_table_lookup(data->watcher->modems, data->path);

	return modem != NULL && modem->serial == data->serial ? modem : NULL;
}

static MmSms *
lookup_sms(CallData *data)
{
	MmSms *sms = g_hash_table_lookup(data->watcher->sms, data->path);

	return sms != NULL && sms->serial == data->serial ? sms : NULL;
}

static void
notify_state(MmModem *modem, gboolean listening)
{
	OmacpMmWatcher *self = modem->watcher;

	if (self->state_func != NULL)
		self->state_func("modemmanager", modem->path, modem->imsi, listening,
		                 self->state_data);
}

static void
modem_free(MmModem *modem)
{
	if (modem->has_messaging)
		notify_state(modem, FALSE);
	g_free(modem->path);
	g_free(modem->sim_path);
	g_free(modem->imsi);
	g_free(modem->iccid);
	g_free(modem);
}

static void
sms_free(MmSms *sms)
{
	g_clear_pointer(&sms->early, g_variant_unref);
	g_free(sms->path);
	g_free(sms->modem_path);
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

	if (g_variant_lookup(props, "Imsi", "&s", &value)) {
		g_free(modem->imsi);
		modem->imsi = value[0] != '\0' ? g_strdup(value) : NULL;
	}
	if (g_variant_lookup(props, "SimIdentifier", "&s", &value)) {
		g_free(modem->iccid);
		modem->iccid = value[0] != '\0' ? g_strdup(value) : NULL;
	}
}

static void
sim_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) props = NULL;
	MmModem *modem;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	modem = lookup_modem(data);
	if (modem == NULL)
		return;
	if (reply == NULL) {
		g_debug("mm: %s: SIM properties: %s", modem->path, error->message);
		return;
	}
	props = g_variant_get_child_value(reply, 0);
	apply_sim_props(modem, props);
	g_debug("mm: %s: SIM %s", modem->path, modem->imsi != NULL ? "known" : "without IMSI");
}

static void
set_sim_path(MmModem *modem, const char *sim_path)
{
	OmacpMmWatcher *self = modem->watcher;

	if (g_strcmp0(sim_path, "/") == 0)
		sim_path = NULL;
	if (g_strcmp0(sim_path, modem->sim_path) == 0)
		return;
	g_free(modem->sim_path);
	modem->sim_path = g_strdup(sim_path);
	g_clear_pointer(&modem->imsi, g_free);
	g_clear_pointer(&modem->iccid, g_free);
	if (sim_path == NULL)
		return;
	g_dbus_connection_call(self->bus, MM_SERVICE, sim_path, DBUS_PROPERTIES, "GetAll",
	                       g_variant_new("(s)", MM_SIM), G_VARIANT_TYPE("(a{sv})"),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, MM_CALL_TIMEOUT, self->cancellable,
	                       sim_done, call_data_new(self, modem->path, modem->serial));
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
	OmacpMmWatcher *self = data->watcher;

	data->attempt++;
	g_dbus_connection_call(self->bus, MM_SERVICE, data->modem_path, MM_MESSAGING, "Delete",
	                       g_variant_new("(o)", data->sms_path), NULL,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, MM_CALL_TIMEOUT, self->cancellable,
	                       delete_done, data);
}

static void
delete_sms(OmacpMmWatcher *self, const char *modem_path, const char *sms_path)
{
	DeleteData *data = g_new0(DeleteData, 1);

	g_debug("mm: deleting %s from %s", sms_path, modem_path);
	data->watcher = self;
	data->cancellable = g_object_ref(self->cancellable);
	data->modem_path = g_strdup(modem_path);
	data->sms_path = g_strdup(sms_path);
	delete_call(data);
}

typedef struct {
	OmacpMmWatcher *watcher;
	char *modem_path;
	char *sms_path;
} ForwardData;

static void
forward_done(guint n_ok, guint n_sent, gboolean cancelled, gpointer user_data)
{
	ForwardData *data = user_data;

	if (!cancelled) {
		g_debug("mm: %s: push taken by %u of %u consumers", data->sms_path, n_ok, n_sent);
		if (n_ok > 0)
			delete_sms(data->watcher, data->modem_path, data->sms_path);
	}
	g_free(data->modem_path);
	g_free(data->sms_path);
	g_free(data);
}

static void
forward_push(OmacpMmWatcher *self, MmSms *sms, const OmacpPush *push, GVariant *data,
             const char *number, const char *timestamp)
{
	GVariantBuilder info;
	ForwardData *fwd;

	g_variant_builder_init(&info, G_VARIANT_TYPE("a{sv}"));
	if (number != NULL)
		g_variant_builder_add(&info, "{sv}", "Sender", g_variant_new_string(number));
	if (timestamp != NULL)
		g_variant_builder_add(&info, "{sv}", "SentTime", g_variant_new_string(timestamp));

	fwd = g_new0(ForwardData, 1);
	fwd->watcher = self;
	fwd->modem_path = g_strdup(sms->modem_path);
	fwd->sms_path = g_strdup(sms->path);
	omacp_push_dispatcher_forward(self->dispatcher, self->bus, push, data,
	                              g_variant_builder_end(&info), self->cancellable, forward_done,
	                              fwd);
}

/* A received SMS with all its properties: is it ours? */
static void
examine_sms(OmacpMmWatcher *self, MmSms *sms, GVariant *props)
{
	g_autoptr(GVariant) data = NULL;
	g_autoptr(OmacpPush) push = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) datagram = NULL;
	g_autofree char *sms_path = g_strdup(sms->path);
	g_autofree char *modem_path = g_strdup(sms->modem_path);
	g_autofree char *imsi = NULL;
	g_autofree char *iccid = NULL;
	const char *number = NULL;
	const char *timestamp = NULL;
	OmacpPushEvent event = { 0 };
	const guint8 *bytes;
	MmModem *modem;
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
	if (!omacp_wsp_parse_push(bytes, len, &push, &error)) {
		g_debug("mm: %s: binary SMS that is no WAP push, left alone: %s", sms_path,
		        error->message);
		return;
	}
	if (!g_variant_lookup(props, "Number", "&s", &number) || number[0] == '\0')
		number = NULL;
	if (!g_variant_lookup(props, "Timestamp", "&s", &timestamp) || timestamp[0] == '\0')
		timestamp = NULL;

	if (!omacp_push_kind_is_provisioning(push->kind)) {
		if (self->dispatcher != NULL &&
		    omacp_push_dispatcher_get_n_consumers(self->dispatcher) > 0) {
			g_autoptr(GPtrArray) consumers =
			        omacp_push_dispatcher_match(self->dispatcher, push);

			if (consumers->len > 0) {
				forward_push(self, sms, push, data, number, timestamp);
				return;
			}
		}
		g_debug("mm: %s: %s push, not ours, left alone", sms_path,
		        push->content_type != NULL ? push->content_type : "?");
		return;
	}

	modem = g_hash_table_lookup(self->modems, modem_path);
	if (modem != NULL) {
		imsi = g_strdup(modem->imsi);
		iccid = g_strdup(modem->iccid);
	}
	datagram = g_bytes_new(bytes, len);
	event.source = "modemmanager";
	event.modem = modem_path;
	event.imsi = imsi;
	event.iccid = iccid;
	event.sender = number;
	event.received_us = g_get_real_time();
	event.datagram = datagram;
	if (!self->func(&event, self->user_data, &error)) {
		g_debug("mm: %s: the daemon did not take the push, kept on the modem: %s", sms_path,
		        error != NULL ? error->message : "no reason given");
		return;
	}
	delete_sms(self, modem_path, sms_path);
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
sms_getall_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) props = NULL;
	MmSms *sms;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	sms = lookup_sms(data);
	if (sms == NULL)
		return;
	sms->fetching = FALSE;
	if (reply == NULL) {
		g_debug("mm: %s: SMS properties: %s", data->path, error->message);
		if (sms->early != NULL) {
			g_autoptr(GVariant) early = g_steal_pointer(&sms->early);

			examine_sms(data->watcher, sms, early);
		}
		return;
	}
	props = g_variant_get_child_value(reply, 0);
	sms_props(data->watcher, sms, props, TRUE);
	/* the state changed while the reply was on its way */
	if (!sms->done && sms->refetch) {
		sms->refetch = FALSE;
		fetch_sms(data->watcher, sms);
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
	g_dbus_connection_call(self->bus, MM_SERVICE, sms->path, DBUS_PROPERTIES, "GetAll",
	                       g_variant_new("(s)", MM_SMS), G_VARIANT_TYPE("(a{sv})"),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, MM_CALL_TIMEOUT, self->cancellable,
	                       sms_getall_done, call_data_new(self, sms->path, sms->serial));
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
	sms->watcher = self;
	sms->path = g_strdup(sms_path);
	sms->modem_path = g_strdup(modem_path);
	sms->serial = ++self->next_serial;
	g_hash_table_insert(self->sms, sms->path, sms);
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
list_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) paths = NULL;
	MmModem *modem;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	modem = lookup_modem(data);
	if (modem == NULL || !modem->has_messaging)
		return;
	if (reply == NULL) {
		g_debug("mm: %s: Messaging.List: %s", modem->path, error->message);
	} else {
		paths = g_variant_get_child_value(reply, 0);
		track_sms_list(data->watcher, modem->path, paths);
	}
	notify_state(modem, TRUE);
}

/* ---- modems ---- */

static void
set_messaging(MmModem *modem, gboolean present)
{
	OmacpMmWatcher *self = modem->watcher;

	if (present == modem->has_messaging)
		return;
	modem->has_messaging = present;
	if (!present) {
		drop_sms_of_modem(self, modem->path);
		notify_state(modem, FALSE);
		return;
	}
	g_dbus_connection_call(self->bus, MM_SERVICE, modem->path, MM_MESSAGING, "List", NULL,
	                       G_VARIANT_TYPE("(ao)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
	                       MM_CALL_TIMEOUT, self->cancellable, list_done,
	                       call_data_new(self, modem->path, modem->serial));
}

/* @interfaces: a{sa{sv}} as in InterfacesAdded / GetManagedObjects */
static void
object_interfaces_added(OmacpMmWatcher *self, const char *path, GVariant *interfaces)
{
	g_autoptr(GVariant) modem_props = NULL;
	g_autoptr(GVariant) messaging_props = NULL;
	MmModem *modem = g_hash_table_lookup(self->modems, path);
	const char *sim = NULL;

	modem_props = g_variant_lookup_value(interfaces, MM_MODEM, G_VARIANT_TYPE_VARDICT);
	messaging_props = g_variant_lookup_value(interfaces, MM_MESSAGING, G_VARIANT_TYPE_VARDICT);
	if (modem == NULL && modem_props == NULL)
		return;
	if (modem == NULL) {
		modem = g_new0(MmModem, 1);
		modem->watcher = self;
		modem->path = g_strdup(path);
		modem->serial = ++self->next_serial;
		g_hash_table_insert(self->modems, modem->path, modem);
		g_debug("mm: modem %s", path);
	}
	if (modem_props != NULL && g_variant_lookup(modem_props, "Sim", "&o", &sim))
		set_sim_path(modem, sim);
	if (messaging_props != NULL)
		set_messaging(modem, TRUE);
}

static void
objects_signal(GDBusConnection *connection, const char *sender, const char *object_path,
               const char *interface_name, const char *signal_name, GVariant *parameters,
               gpointer user_data)
{
	OmacpMmWatcher *self = user_data;
	const char *path;

	if (g_strcmp0(signal_name, "InterfacesAdded") == 0 &&
	    g_variant_is_of_type(parameters, G_VARIANT_TYPE("(oa{sa{sv}})"))) {
		g_autoptr(GVariant) interfaces = g_variant_get_child_value(parameters, 1);

		g_variant_get_child(parameters, 0, "&o", &path);
		object_interfaces_added(self, path, interfaces);
	} else if (g_strcmp0(signal_name, "InterfacesRemoved") == 0 &&
	           g_variant_is_of_type(parameters, G_VARIANT_TYPE("(oas)"))) {
		g_autofree const char **gone = NULL;
		MmModem *modem;

		g_variant_get(parameters, "(&o^a&s)", &path, &gone);
		modem = g_hash_table_lookup(self->modems, path);
		if (modem == NULL)
			return;
		if (g_strv_contains(gone, MM_MODEM)) {
			drop_sms_of_modem(self, path);
			g_hash_table_remove(self->modems, path);
		} else if (g_strv_contains(gone, MM_MESSAGING)) {
			set_messaging(modem, FALSE);
		}
	}
}

static void
properties_signal(GDBusConnection *connection, const char *sender, const char *object_path,
                  const char *interface_name, const char *signal_name, GVariant *parameters,
                  gpointer user_data)
{
	OmacpMmWatcher *self = user_data;
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
		MmModem *modem = g_hash_table_lookup(self->modems, object_path);
		const char *sim;

		if (modem != NULL && g_variant_lookup(changed, "Sim", "&o", &sim))
			set_sim_path(modem, sim);
	} else if (g_strcmp0(iface, MM_MESSAGING) == 0) {
		MmModem *modem = g_hash_table_lookup(self->modems, object_path);
		g_autoptr(GVariant) messages = NULL;

		messages = g_variant_lookup_value(changed, "Messages", G_VARIANT_TYPE("ao"));
		if (modem != NULL && modem->has_messaging && messages != NULL)
			track_sms_list(self, modem->path, messages);
	} else if (g_strcmp0(iface, MM_SIM) == 0) {
		GHashTableIter iter;
		MmModem *modem;

		g_hash_table_iter_init(&iter, self->modems);
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
	MmModem *modem = g_hash_table_lookup(self->modems, object_path);
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
managed_objects_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	OmacpMmWatcher *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *interfaces;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (reply == NULL) {
		g_debug("mm: GetManagedObjects: %s", error->message);
		return;
	}
	objects = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
		object_interfaces_added(self, path, interfaces);
}

static void
mm_appeared(GDBusConnection *connection, const char *name, const char *name_owner,
            gpointer user_data)
{
	OmacpMmWatcher *self = user_data;

	g_debug("mm: %s appeared as %s", name, name_owner);
	g_hash_table_remove_all(self->sms);
	g_hash_table_remove_all(self->modems);
	g_free(self->owner);
	self->owner = g_strdup(name_owner);
	g_dbus_connection_call(self->bus, name_owner, MM_PATH, DBUS_OBJECTMANAGER,
	                       "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, MM_CALL_TIMEOUT, self->cancellable,
	                       managed_objects_done, self);
}

static void
mm_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	OmacpMmWatcher *self = user_data;

	if (self->owner != NULL)
		g_debug("mm: %s vanished", name);
	g_clear_pointer(&self->owner, g_free);
	g_hash_table_remove_all(self->sms);
	g_hash_table_remove_all(self->modems);
}

OmacpMmWatcher *
omacp_mm_watcher_new(GDBusConnection *bus, OmacpPushFunc func, gpointer user_data)
{
	OmacpMmWatcher *self;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(bus), NULL);
	g_return_val_if_fail(func != NULL, NULL);

	self = g_new0(OmacpMmWatcher, 1);
	self->bus = g_object_ref(bus);
	self->func = func;
	self->user_data = user_data;
	self->cancellable = g_cancellable_new();
	self->modems =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) modem_free);
	self->sms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) sms_free);

	self->sub_objects = g_dbus_connection_signal_subscribe(
	        bus, MM_SERVICE, DBUS_OBJECTMANAGER, NULL, MM_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
	        objects_signal, self, NULL);
	self->sub_properties = g_dbus_connection_signal_subscribe(
	        bus, MM_SERVICE, DBUS_PROPERTIES, "PropertiesChanged", NULL, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, properties_signal, self, NULL);
	self->sub_messaging = g_dbus_connection_signal_subscribe(
	        bus, MM_SERVICE, MM_MESSAGING, NULL, NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
	        messaging_signal, self, NULL);
	self->name_watch =
	        g_bus_watch_name_on_connection(bus, MM_SERVICE, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       mm_appeared, mm_vanished, self, NULL);
	return self;
}

void
omacp_mm_watcher_free(OmacpMmWatcher *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_bus_unwatch_name(self->name_watch);
	g_dbus_connection_signal_unsubscribe(self->bus, self->sub_objects);
	g_dbus_connection_signal_unsubscribe(self->bus, self->sub_properties);
	g_dbus_connection_signal_unsubscribe(self->bus, self->sub_messaging);
	g_hash_table_unref(self->sms);
	g_hash_table_unref(self->modems);
	g_clear_pointer(&self->dispatcher, omacp_push_dispatcher_free);
	g_object_unref(self->cancellable);
	g_free(self->owner);
	g_object_unref(self->bus);
	g_free(self);
}

GPtrArray *
omacp_mm_watcher_get_imsis(OmacpMmWatcher *self)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	MmModem *modem;

	g_hash_table_iter_init(&iter, self->modems);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &modem)) {
		gboolean seen = FALSE;

		if (modem->imsi == NULL)
			continue;
		for (guint i = 0; i < out->len && !seen; i++)
			seen = g_strcmp0(out->pdata[i], modem->imsi) == 0;
		if (!seen)
			g_ptr_array_add(out, g_strdup(modem->imsi));
	}
	return out;
}

void
omacp_mm_watcher_set_modem_notify(OmacpMmWatcher *self, OmacpModemStateFunc func,
                                  gpointer user_data)
{
	self->state_func = func;
	self->state_data = user_data;
}

gboolean
omacp_mm_watcher_set_push_dir(OmacpMmWatcher *self, const char *push_dir, GError **error)
{
	OmacpPushDispatcher *dispatcher = NULL;

	if (push_dir != NULL) {
		dispatcher = omacp_push_dispatcher_new(push_dir, NULL, error);
		if (dispatcher == NULL)
			return FALSE;
	}
	g_clear_pointer(&self->dispatcher, omacp_push_dispatcher_free);
	self->dispatcher = dispatcher;
	return TRUE;
}
