/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the oFono and the ModemManager adapters do alike: follow a service by
 * its bus name, list its modems from the owner when it appears and follow the
 * signals that add and remove them, forget them all when it goes; call
 * methods for a followed object and hear the reply only if that same object
 * is still followed; keep each modem's SIM identity; hand pushes to the
 * router.
 *
 * An adapter embeds an OmacpDbusWatch as the FIRST member of its own struct
 * and each followed object starts with an OmacpDbusObject (modems with an
 * OmacpDbusModem), so that the callbacks below can cast back. */

#include "omacp-adapter.h"

G_BEGIN_DECLS

/* The registration of each adapter (its file defines it, adapter-registry.c
 * lists those built). */
extern const OmacpAdapterInfo omacp_adapter_info_ofono;
extern const OmacpAdapterInfo omacp_adapter_info_mm;

/* Milliseconds we wait for any reply from the modem stack. */
#define OMACP_DBUS_CALL_TIMEOUT 25000

typedef struct _OmacpDbusWatch OmacpDbusWatch;

/* The head of a followed object (modem, SMS). Tables of objects are keyed by
 * @path; @serial tells a reply meant for an object that was removed and added
 * again at the same path from one meant for the current one. */
typedef struct {
	OmacpDbusWatch *watch;
	GHashTable *table; /* the table that holds it */
	char *path;
	guint64 serial;
} OmacpDbusObject;

/* The head of a modem: its SIM identity, as both stacks report it. */
typedef struct {
	OmacpDbusObject object;
	char *imsi;  /* NULL when unknown */
	char *iccid; /* NULL when unknown */
} OmacpDbusModem;

/* How a modem stack lists its modems and tells about new and gone ones: on
 * @path and @interface, @list_method returns an array of (object path,
 * details) pairs of @list_type, the signal @added_signal of @added_type
 * carries one such pair and @removed_signal of @removed_type an object path
 * and maybe more (its second member). */
typedef struct {
	const char *adapter; /* for OmacpPushEvent.adapter and state notifications */
	const char *log;     /* prefix of our debug messages */
	const char *service;
	const char *path;
	const char *interface;
	const char *list_method;
	const char *list_type;
	const char *added_signal;
	const char *added_type;
	const char *removed_signal;
	const char *removed_type;
	gsize modem_size; /* of the adapter's modem struct */
	/* an object is listed or added: @details is the second member of the pair */
	void (*object_added)(OmacpDbusWatch *watch, const char *path, GVariant *details);
	/* an object is removed; @details: the second member of the signal or NULL */
	void (*object_removed)(OmacpDbusWatch *watch, const char *path, GVariant *details);
	/* the service appeared or vanished: forget what is not in the modem
	 * table (which is emptied just after). May be NULL. */
	void (*reset)(OmacpDbusWatch *watch);
	/* frees what the adapter keeps in a modem beyond OmacpDbusModem, but not
	 * the modem itself */
	void (*modem_clear)(OmacpDbusModem *modem);
} OmacpDbusWatchClass;

struct _OmacpDbusWatch {
	const OmacpDbusWatchClass *klass;
	GDBusConnection *bus;
	GCancellable *cancellable; /* cancelled when the adapter goes */
	OmacpAdapterOptions options;
	char *owner; /* unique name of the service, NULL while it is not running */
	guint name_watch;
	GArray *subscriptions; /* guint */
	GHashTable *modems;    /* path -> OmacpDbusModem (of klass->modem_size) */
	guint64 next_serial;
};

/* Sets @watch up for @klass; nothing happens on the bus before
 * omacp_dbus_watch_start(). */
void omacp_dbus_watch_init(OmacpDbusWatch *watch, const OmacpDbusWatchClass *klass,
                           GDBusConnection *bus, const OmacpAdapterOptions *options);
/* Follows the added/removed signals and the service's bus name. */
void omacp_dbus_watch_start(OmacpDbusWatch *watch);
/* Subscribes @callback (with @watch as its user data) to signals from the
 * service; dropped by omacp_dbus_watch_stop(). NULL matches any. */
void omacp_dbus_watch_subscribe(OmacpDbusWatch *watch, const char *interface, const char *member,
                                GDBusSignalCallback callback);
/* Cancels the calls on their way and stops following the bus: no callback
 * runs any more. The state (owner, modems) stays until omacp_dbus_watch_clear(). */
void omacp_dbus_watch_stop(OmacpDbusWatch *watch);
/* Frees what omacp_dbus_watch_init() and later calls set up (the modems
 * included); after omacp_dbus_watch_stop(). */
void omacp_dbus_watch_clear(OmacpDbusWatch *watch);

/* The IMSIs of the followed modems, each once (char *). */
GPtrArray *omacp_dbus_watch_get_imsis(OmacpDbusWatch *watch);
/* The same as OmacpAdapterInfo.get_imsis of an adapter that embeds an
 * OmacpDbusWatch first (every adapter here). */
GPtrArray *omacp_dbus_adapter_get_imsis(OmacpAdapter *adapter);

/* Gives @object (allocated zeroed by the caller) its path and a new serial
 * and puts it into @table, which must free it. */
void omacp_dbus_object_init(OmacpDbusObject *object, OmacpDbusWatch *watch, GHashTable *table,
                            const char *path);
/* Frees what omacp_dbus_object_init() set up, not @object itself. */
void omacp_dbus_object_clear(OmacpDbusObject *object);

/* Called with the reply of omacp_dbus_object_call() (NULL when the call
 * failed: that is already logged), only if the call was not cancelled and
 * @object is still the one followed at its path. */
typedef void (*OmacpDbusReplyFunc)(OmacpDbusObject *object, GVariant *reply);

/* Calls @interface.@method on @path (NULL: @object's own path) of the
 * service, for @object. @reply_type may be NULL. */
void omacp_dbus_object_call(OmacpDbusObject *object, const char *path, const char *interface,
                            const char *method, GVariant *parameters, const char *reply_type,
                            OmacpDbusReplyFunc done);

/* The modem followed at @path, NULL if none. */
OmacpDbusModem *omacp_dbus_watch_lookup_modem(OmacpDbusWatch *watch, const char *path);
/* A new modem (of klass->modem_size bytes) followed at @path, which must not
 * be followed yet. */
OmacpDbusModem *omacp_dbus_watch_add_modem(OmacpDbusWatch *watch, const char *path);
/* Replaces *@slot by a copy of @value; an empty or NULL @value clears it. */
void omacp_dbus_set_string(char **slot, const char *value);
/* Forgets the SIM identity of @modem. */
void omacp_dbus_modem_clear_sim(OmacpDbusModem *modem);
/* Tells the modem state callback, if any, that we (no longer) listen. */
void omacp_dbus_modem_notify(OmacpDbusModem *modem, gboolean listening);

/* Hands the push in @bytes that came in on the modem at @modem_path from
 * @sender (NULL or empty: unknown) with @info (a{sv} for push.d consumers,
 * may be NULL, a floating one is consumed) to the router, with the SIM identity of that modem;
 * @routed (may be NULL) gets the router's answer. */
void omacp_dbus_watch_push(OmacpDbusWatch *watch, const char *modem_path, const char *sender,
                           const guint8 *bytes, gsize len, GVariant *info,
                           OmacpPushRoutedFunc routed, gpointer routed_data);

G_END_DECLS
