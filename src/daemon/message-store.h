/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The mapping between omacpd's message and profile objects and the store's
 * records and files (a message's "meta", "input-K" and "complete" records,
 * GVariants in binary form; profiles/<N>.ini), and the profile snapshots an
 * undo record keeps. Messages stored by older versions (meta.ini with text
 * GVariants) are read once and rewritten as records. No decision and no
 * D-Bus export here. */

#include "daemon-message.h"
#include "daemon-profile.h"
#include "store.h"

G_BEGIN_DECLS

/* Writes what the daemon decided about @msg (its "meta" record). */
gboolean omacp_message_store_save_message(OmacpStore *store, OmacpDaemonMessage *msg,
                                          GError **error);
/* The document of @msg, stored beside its meta (NotFound when it is not). */
char *omacp_message_store_read_document(OmacpStore *store, OmacpDaemonMessage *msg, GError **error);
/* A message object from the records of message @id (its state restored
 * without a signal, nothing decoded, not exported); NotFound for a message
 * whose creation a crash cut short (its file is removed). */
OmacpDaemonMessage *omacp_message_store_load_message(OmacpStore *store, guint id,
                                                     OmacpAuthority *authority, GError **error);

/* Stores @input as the next input file of @msg (received at @now). */
gboolean omacp_message_store_add_input(OmacpStore *store, OmacpDaemonMessage *msg, GBytes *input,
                                       gint64 now, GError **error);
/* The inputs of @msg, in order; NULL for one that cannot be read (with
 * the error of the first such in @error). */
GBytes *omacp_message_store_read_input(OmacpStore *store, OmacpDaemonMessage *msg, guint index,
                                       GError **error);
/* Stores the complete push (wsp) or document of @msg. */
gboolean omacp_message_store_write_complete(OmacpStore *store, OmacpDaemonMessage *msg,
                                            GBytes *data, GError **error);
GBytes *omacp_message_store_read_complete(OmacpStore *store, OmacpDaemonMessage *msg,
                                          GError **error);

gboolean omacp_message_store_save_profile(OmacpStore *store, OmacpDaemonProfile *profile,
                                          GError **error);
OmacpDaemonProfile *omacp_message_store_load_profile(OmacpStore *store, guint id,
                                                     OmacpAuthority *authority, GError **error);

/* What an undo record keeps of @profile (a{sv}: Kind, Identity, Name,
 * Imsi, Settings, Risks, Message, Targets, CreatedAt, UpdatedAt), and
 * setting it back. */
GVariant *omacp_profile_snapshot(OmacpDaemonProfile *profile);
void omacp_profile_set_from_snapshot(OmacpDaemonProfile *profile, GVariant *snapshot);

G_END_DECLS
