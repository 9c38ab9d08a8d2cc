/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Modem-stack adapters hand WAP pushes to the daemon through this one
 * callback; they know modems, SIMs and senders, the daemon knows nothing of
 * oFono or ModemManager. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	const char *source;  /* "ofono" or "modemmanager" */
	const char *modem;   /* the stack's modem object path */
	const char *imsi;    /* SIM of that modem, NULL when unknown */
	const char *iccid;   /* NULL when unknown */
	const char *sender;  /* originating address, NULL when unknown */
	gint64 received_us;  /* µs since the epoch */
	GBytes *datagram;    /* the complete WSP push PDU */
} OmacpPushEvent;

/* Returns TRUE once the daemon has stored the message (the adapter may then
 * delete it from modem storage); FALSE with @error otherwise. */
typedef gboolean (*OmacpPushFunc)(const OmacpPushEvent *event, gpointer user_data,
				  GError **error);

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

G_END_DECLS
