/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* omacpd's message and profile objects: created, looked up, written to the
 * store when they change, exported, deleted. Emits "message-added" for a
 * new message object (its listeners connect to its "state-changed" there,
 * in the order they connected here), "message-removed" before one goes, and
 * "profile-added" for a new profile object. */

#include <gio/gio.h>

#include "daemon-message.h"
#include "daemon-profile.h"
#include "store.h"

G_BEGIN_DECLS

#define OMACP_TYPE_OBJECTS (omacp_objects_get_type())
G_DECLARE_FINAL_TYPE(OmacpObjects, omacp_objects, OMACP, OBJECTS, GObject)

/* @store and @authority are not owned and outlive the objects. */
OmacpObjects *omacp_objects_new(OmacpStore *store, OmacpAuthority *authority,
                                OmacpObjectServer *server);
/* The server of the message and profile objects, at OMACP_DBUS_PATH (not
 * on a connection yet). */
OmacpObjectServer *omacp_objects_server_new(void);

OmacpStore *omacp_objects_get_store(OmacpObjects *self);
OmacpAuthority *omacp_objects_get_authority(OmacpObjects *self);
/* guint id → OmacpDaemonMessage * / OmacpDaemonProfile *, to iterate. */
GHashTable *omacp_objects_get_messages(OmacpObjects *self);
GHashTable *omacp_objects_get_profiles(OmacpObjects *self);

OmacpDaemonMessage *omacp_objects_lookup_message(OmacpObjects *self, guint id);
OmacpDaemonProfile *omacp_objects_lookup_profile(OmacpObjects *self, guint id);
/* The profile omacp made for @identity on the SIM @imsi (may be NULL). */
OmacpDaemonProfile *omacp_objects_find_profile(OmacpObjects *self, const char *identity,
                                               const char *imsi);
/* The message that last set @profile, when it is still there. */
OmacpDaemonMessage *omacp_objects_message_of_profile(OmacpObjects *self,
                                                     OmacpDaemonProfile *profile);
/* The profile of @msg's document that @profile holds now (with its
 * secrets), NULL when the message does not set it. */
const OmacpProfile *omacp_objects_decoded_profile_of(OmacpDaemonMessage *msg,
                                                     OmacpDaemonProfile *profile);

/* How a message's stored octets are decoded again (see
 * omacp_daemon_message_ensure_decoded()): set on every message added. A
 * settled message that waits for a user, or is rejected or failed, then
 * lets go of its decoded document (an idle after it settled) until
 * something needs it. */
void omacp_objects_set_decoder(OmacpObjects *self,
                               gboolean (*func)(OmacpDaemonMessage *msg, gpointer data),
                               gpointer data);

/* A new message object with the store's next number (not exported). */
OmacpDaemonMessage *omacp_objects_new_message(OmacpObjects *self, OmacpFormat format,
                                              GError **error);
/* Takes @msg, one read back from the store. */
void omacp_objects_add_message(OmacpObjects *self, OmacpDaemonMessage *msg);
void omacp_objects_export_message(OmacpObjects *self, OmacpDaemonMessage *msg);
/* Drops @msg's object; its files stay. */
void omacp_objects_forget_message(OmacpObjects *self, OmacpDaemonMessage *msg);
/* Drops @msg's object and its files; its profiles point to "/" then. */
void omacp_objects_delete_message(OmacpObjects *self, OmacpDaemonMessage *msg);

/* A new profile object with the store's next number (not exported). */
OmacpDaemonProfile *omacp_objects_new_profile(OmacpObjects *self, GError **error);
/* Takes @profile, one read back from the store or from an undo record. */
void omacp_objects_add_profile(OmacpObjects *self, OmacpDaemonProfile *profile);
void omacp_objects_export_profile(OmacpObjects *self, OmacpDaemonProfile *profile);
/* Drops @profile's object and its file, and it from every message's
 * Profiles. */
void omacp_objects_delete_profile(OmacpObjects *self, OmacpDaemonProfile *profile);

/* After each GetManagedObjects call on @bus, hands the memory its answer
 * used back to the system (malloc_trim()); also once now. */
void omacp_objects_trim_after_answers(OmacpObjects *self, GDBusConnection *bus);

/* Disconnects every handler with @data from the objects and from each
 * message and profile (a listener going away). */
void omacp_objects_disconnect(OmacpObjects *self, gpointer data);

G_END_DECLS
