/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* omacpd's message store: a directory tree under the state directory, mode
 * 0600 files in 0700 directories. Layout:
 *
 *   state.ini              next object numbers (never reused); derived:
 *                          written without fsync, rebuilt at open from the
 *                          numbers on disk when it disagrees
 *   replay                 fingerprints of applied documents, one per line
 *   messages/<N>.rec       message N: a log of records, see below
 *   profiles/<N>.ini       a profile: settings (no secrets), targets, times
 *
 * A message record file starts with "OMACPm1" and a byte-order mark ('l'
 * or 'B', the order of the GVariants in it), and holds records: a 32-bit
 * little-endian length, a 32-bit FNV-1a checksum of the payload, and the
 * payload, a serialised a{sv} GVariant in normal form, padded with zeros to
 * 8 octets. The records are patches: read back, they are folded into one
 * a{sv}, a later key replacing an earlier one. A new message costs one
 * file written and the directory made durable; a further record is one
 * append. Writes reach the file at once (a kill -9 loses nothing written)
 * and the disk at the next omacp_store_commit(), which the main loop runs
 * once after every burst of writes (group commit) and which callers wait
 * for with omacp_store_when_durable() before they acknowledge anything.
 * A torn last record (a crash mid-append, never acknowledged) is cut off
 * when the file is read; after 16 records a file is rewritten as one.
 *
 * Stores written by older versions kept a message in messages/<N>/
 * (meta.ini, input-K, message, written atomically with text GVariants):
 * they are read (omacp_store_message_is_legacy() and the legacy functions
 * below) and rewritten as records once, the directory removed after the
 * records are durable.
 *
 * The store knows files and records, not messages: the manager says what
 * goes in them. */

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

/* Message records. */
/* Appends @patch (a{sv}; floating is sunk) to message @id's record file,
 * creating it; durable at the next commit. */
gboolean omacp_store_put_message(OmacpStore *store, guint id, GVariant *patch, GError **error);
/* The records of message @id folded into one a{sv}; OMACP_ERROR_NOT_FOUND
 * when there is none, OMACP_ERROR_STORE when the file is corrupt. */
GVariant *omacp_store_get_message(OmacpStore *store, guint id, GError **error);
/* The records of message @id in the order they were written (a{sv} each,
 * a later key replacing an earlier one), not folded: for reading a few keys
 * once (the restore); errors as omacp_store_get_message(). */
GPtrArray *omacp_store_get_message_records(OmacpStore *store, guint id, GError **error);
/* The records of the record file @path folded, read without changing
 * anything (for checks from outside the daemon). */
GVariant *omacp_store_read_record_file(const char *path, GError **error);
/* TRUE when message @id is stored in the layout of older versions only. */
gboolean omacp_store_message_is_legacy(OmacpStore *store, guint id);

/* Makes every write since the last commit durable (fdatasync of each
 * file written, one fsync of each directory changed), writes state.ini
 * when it changed (without fsync), removes the legacy directories of
 * converted messages, then runs the omacp_store_when_durable() callbacks.
 * The main loop runs it by itself (one idle) after writes. */
gboolean omacp_store_commit(OmacpStore *store, GError **error);
/* @func runs once what was written so far is durable: after the next
 * commit, or now when nothing waits to be. @error is the commit's (NULL
 * when it went well). */
typedef void (*OmacpStoreDurableFunc)(const GError *error, gpointer user_data);
void omacp_store_when_durable(OmacpStore *store, OmacpStoreDurableFunc func, gpointer user_data);
/* How many fsync/fdatasync calls the store made (for the tests). */
guint64 omacp_store_get_sync_count(OmacpStore *store);

/* The legacy layout (messages/<N>/): @name is a plain file name
 * ("meta.ini", "input-1", ...). Written only by tests now. */
gboolean omacp_store_write_message_file(OmacpStore *store, guint id, const char *name,
                                        const void *data, gsize len, GError **error);
gboolean omacp_store_save_message_meta(OmacpStore *store, guint id, GKeyFile *meta, GError **error);
GBytes *omacp_store_read_message_file(OmacpStore *store, guint id, const char *name,
                                      GError **error);
GKeyFile *omacp_store_load_message_meta(OmacpStore *store, guint id, GError **error);
/* Removes message @id: its record file and its legacy directory. */
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
