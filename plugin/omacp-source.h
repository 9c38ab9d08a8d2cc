/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Modem-stack adapters hand WAP pushes to the daemon through this one
 * callback; they know modems, SIMs and senders, the daemon knows nothing of
 * oFono or ModemManager. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	const char *source; /* "ofono" or "modemmanager" */
	const char *modem;  /* the stack's modem object path */
	const char *imsi;   /* SIM of that modem, NULL when unknown */
	const char *iccid;  /* NULL when unknown */
	const char *sender; /* originating address, NULL when unknown */
	gint64 received_us; /* µs since the epoch */
	GBytes *datagram;   /* the complete WSP push PDU */
} OmacpPushEvent;

/* Returns TRUE once the daemon has stored the message (the adapter may then
 * delete it from modem storage); FALSE with @error otherwise. */
typedef gboolean (*OmacpPushFunc)(const OmacpPushEvent *event, gpointer user_data, GError **error);

typedef struct _OmacpOfonoWatcher OmacpOfonoWatcher;
typedef struct _OmacpMmWatcher OmacpMmWatcher;

/* Follows oFono modems on @bus, registers a PushNotification agent on each,
 * hands provisioning pushes to @func and forwards the others to the consumers
 * configured in @push_dir (NULL: no forwarding). */
OmacpOfonoWatcher *omacp_ofono_watcher_new(GDBusConnection *bus, const char *push_dir,
                                           OmacpPushFunc func, gpointer user_data);
void omacp_ofono_watcher_free(OmacpOfonoWatcher *self);
/* The IMSIs of the SIMs oFono knows now (char *), for NETWPIN. */
GPtrArray *omacp_ofono_watcher_get_imsis(OmacpOfonoWatcher *self);

/* Follows ModemManager modems on @bus, hands provisioning pushes found in
 * their SMS to @func and deletes them from modem storage once stored. */
OmacpMmWatcher *omacp_mm_watcher_new(GDBusConnection *bus, OmacpPushFunc func, gpointer user_data);
void omacp_mm_watcher_free(OmacpMmWatcher *self);
GPtrArray *omacp_mm_watcher_get_imsis(OmacpMmWatcher *self);

/* ---- additions (add-only) ---- */

/* Called when an adapter starts (@listening TRUE) or stops listening on a
 * modem: for oFono when the push agent is registered with it or released,
 * for ModemManager when the modem's messaging is followed or gone. @imsi may
 * be NULL. Meant for logs and tests. */
typedef void (*OmacpModemStateFunc)(const char *source, const char *modem, const char *imsi,
                                    gboolean listening, gpointer user_data);

void omacp_ofono_watcher_set_modem_notify(OmacpOfonoWatcher *self, OmacpModemStateFunc func,
                                          gpointer user_data);
void omacp_mm_watcher_set_modem_notify(OmacpMmWatcher *self, OmacpModemStateFunc func,
                                       gpointer user_data);

/* The network of the SIM with @imsi as oFono reports it: MCC+MNC digits
 * ("23415", for omacp_ofono_provision_write()) and the SPN (may be NULL).
 * FALSE when oFono has no such SIM or does not know its MCC/MNC yet. */
gboolean omacp_ofono_watcher_get_network(OmacpOfonoWatcher *self, const char *imsi, char **mcc_mnc,
                                         char **spn);

/* On ModemManager, also forward WAP pushes that are not provisioning to the
 * consumers of @push_dir (the push.d format, plugin/ofono/README.md) and
 * delete each from modem storage once a consumer has taken it. Meant for
 * mmsd-tng with AutoProcessSMSWAP=false (see plugin/mm/README.md). NULL turns
 * it off (the default: such SMS are left alone). */
gboolean omacp_mm_watcher_set_push_dir(OmacpMmWatcher *self, const char *push_dir, GError **error);

/* Writes the internet and MMS settings of @profiles (OmacpProfile *, the
 * first SET profile of each kind counts) for the network @mcc_mnc (5 or 6
 * digits) into the file read by the omacp-provision oFono plugin (@path NULL:
 * $OMACP_OFONO_PROVISION_FILE or /var/lib/omacp/ofono-provision.conf), mode
 * 0600, atomically, keeping the other networks. No internet/mms profile
 * removes the network. @spn (may be NULL) limits the entry to SIMs with that
 * service provider name. */
gboolean omacp_ofono_provision_write(const char *path, const char *mcc_mnc, GPtrArray *profiles,
                                     GError **error);
gboolean omacp_ofono_provision_write_full(const char *path, const char *mcc_mnc, const char *spn,
                                          GPtrArray *profiles, GError **error);

G_END_DECLS
