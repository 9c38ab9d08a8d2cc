/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* omacpd's message store: a directory tree under the state directory, every
 * file written atomically (write to a temporary file, fsync, rename) with
 * mode 0600 in 0700 directories. Layout:
 *
 *   state.ini                 next object numbers (never reused)
 *   replay                    fingerprints of applied documents, one per line
 *   messages/<N>/meta.ini     what the daemon decided (state, sender, SIM, ...)
 *   messages/<N>/input-<K>    the raw octets of each Deliver input / segment
 *   messages/<N>/message      the complete push (wsp) or document (wbxml/xml)
 *   profiles/<N>.ini          a profile: settings (no secrets), targets, times
 *
 * The store knows files, not messages: the manager says what goes in them. */

#include <glib.h>

G_BEGIN_DECLS

/* Replay fingerprints kept; the oldest are forgotten beyond. */
#define OMACP_STORE_MAX_REPLAY_ENTRIES 4096
/* Largest file the store reads back. */
#define OMACP_STORE_MAX_FILE_SIZE (4 * 1024 * 1024)

typedef struct _OmacpStore OmacpStore;

/* Opens (creating with mode 0700) @dir. */
gboolean omacp_store_open(const char *dir, OmacpStore **out, GError **error);
void omacp_store_free(OmacpStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpStore, omacp_store_free)

const char *omacp_store_get_dir(OmacpStore *store);

/* Hands out the next message / profile number and persists the counter. */
gboolean omacp_store_next_message_id(OmacpStore *store, guint *out, GError **error);
gboolean omacp_store_next_profile_id(OmacpStore *store, guint *out, GError **error);

/* Message files. @name is a plain file name ("meta.ini", "input-1", ...). */
gboolean omacp_store_write_message_file(OmacpStore *store, guint id, const char *name,
                                        const void *data, gsize len, GError **error);
gboolean omacp_store_save_message_meta(OmacpStore *store, guint id, GKeyFile *meta, GError **error);
GBytes *omacp_store_read_message_file(OmacpStore *store, guint id, const char *name,
                                      GError **error);
GKeyFile *omacp_store_load_message_meta(OmacpStore *store, guint id, GError **error);
gboolean omacp_store_delete_message(OmacpStore *store, guint id, GError **error);
/* Numbers of the stored messages, ascending (guint). */
GArray *omacp_store_list_messages(OmacpStore *store, GError **error);

gboolean omacp_store_save_profile(OmacpStore *store, guint id, GKeyFile *data, GError **error);
GKeyFile *omacp_store_load_profile(OmacpStore *store, guint id, GError **error);
gboolean omacp_store_delete_profile(OmacpStore *store, guint id, GError **error);
GArray *omacp_store_list_profiles(OmacpStore *store, GError **error);

/* Replay fingerprints of applied documents. */
gboolean omacp_store_replay_contains(OmacpStore *store, const char *fingerprint);
gboolean omacp_store_replay_add(OmacpStore *store, const char *fingerprint, GError **error);

G_END_DECLS
