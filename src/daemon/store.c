/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "omacp.h"
#include "vardict.h"

/* "OMACPm1" and the byte order of the GVariants that follow */
#define RECORD_MAGIC       "OMACPm1"
#define RECORD_FILE_HEADER 8
#define RECORD_HEADER      8
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define RECORD_BYTE_ORDER 'l'
#else
#define RECORD_BYTE_ORDER 'B'
#endif
/* records in a file before it is rewritten as one */
#define RECORD_MAX_PER_FILE 16
/* the largest record the store writes or reads */
#define RECORD_MAX_SIZE OMACP_STORE_MAX_FILE_SIZE

typedef struct {
	OmacpStoreDurableFunc func;
	gpointer data;
} Waiter;

struct _OmacpStore {
	char *dir;
	char *messages_dir;
	char *profiles_dir;
	guint next_message;
	guint next_profile;
	/* below these, no number can be handed out again after a crash: the
	 * counters on disk (durably) or a file with a higher number */
	guint durable_next_message;
	guint durable_next_profile;
	gboolean counters_dirty;
	GPtrArray *replay; /* char * fingerprints, oldest first */
	GHashTable *replay_set;

	GHashTable *dirty; /* guint id → int fd + 1: record files written since the commit */
	gboolean messages_dir_dirty;
	GHashTable *n_records; /* guint id → guint records in its file, when known */
	GHashTable *converted; /* guint ids whose legacy directory goes after the commit */
	GArray *waiters;       /* Waiter */
	guint commit_source;
	guint64 n_syncs;
	/* the last message read back (restoring reads each one twice) */
	GVariant *cached;
	guint cached_id;
};

/* Sets @error to "store: <what>: <errno's text>" and returns FALSE; call it
 * right after the failed call, before anything can change errno. */
static gboolean G_GNUC_PRINTF(2, 3) fail_errno(GError **error, const char *format, ...)
{
	int saved = errno;
	g_autofree char *what = NULL;
	va_list args;

	va_start(args, format);
	what = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: %s: %s", what,
	            g_strerror(saved));
	return FALSE;
}

/* Replaces @path atomically (a crash leaves the old or the new content);
 * with @durable also on the disk before it returns (fsync). */
static gboolean
write_file_full(const char *path, const void *data, gsize len, gboolean durable, GError **error)
{
	g_autoptr(GError) local = NULL;
	GFileSetContentsFlags flags = G_FILE_SET_CONTENTS_CONSISTENT;

	if (durable)
		flags |= G_FILE_SET_CONTENTS_DURABLE;
	if (!g_file_set_contents_full(path, data, len, flags, 0600, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: writing %s: %s", path,
		            local->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean write_all(int fd, const guint8 *data, gsize len, const char *what, GError **error);
static gboolean sync_fd(OmacpStore *store, int fd, gboolean data_only, const char *what,
                        GError **error);

/* Replaces @path atomically by @data: a temporary file beside it, written,
 * made durable first when @store is given (rewrite_records), renamed over
 * it. Without @store nothing is synced: for files derived from the others
 * (state.ini), which a crash may leave old and the next start rebuilds. */
static gboolean
replace_file(OmacpStore *store, const char *path, const void *data, gsize len, GError **error)
{
	g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	gboolean ok;

	if (fd < 0)
		return fail_errno(error, "creating %s", tmp);
	ok = write_all(fd, data, len, tmp, error) &&
	     (store == NULL || sync_fd(store, fd, TRUE, tmp, error));
	close(fd);
	if (ok && g_rename(tmp, path) != 0)
		ok = fail_errno(error, "renaming %s", tmp);
	if (!ok)
		g_unlink(tmp);
	return ok;
}

static gboolean
write_file_unsynced(const char *path, const void *data, gsize len, GError **error)
{
	return replace_file(NULL, path, data, len, error);
}

static gboolean
write_file(const char *path, const void *data, gsize len, GError **error)
{
	return write_file_full(path, data, len, TRUE, error);
}

static gboolean
read_file(const char *path, char **out, gsize *out_len, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;
	GStatBuf st;

	if (g_stat(path, &st) == 0 && st.st_size > OMACP_STORE_MAX_FILE_SIZE) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE,
		            "store: %s is %lld octets, more than the %d the store reads", path,
		            (long long) st.st_size, OMACP_STORE_MAX_FILE_SIZE);
		return FALSE;
	}
	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, OMACP_ERROR,
		            g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
		                    ? OMACP_ERROR_NOT_FOUND
		                    : OMACP_ERROR_STORE,
		            "store: reading %s: %s", path, local->message);
		return FALSE;
	}
	*out = g_steal_pointer(&data);
	*out_len = len;
	return TRUE;
}

static gboolean
make_dir(const char *path, GError **error)
{
	if (g_mkdir_with_parents(path, 0700) != 0)
		return fail_errno(error, "creating %s", path);
	/* an existing directory may have been made with a looser mode */
	if (g_chmod(path, 0700) != 0)
		return fail_errno(error, "chmod %s", path);
	return TRUE;
}

/* The counters need not reach the disk when a number is handed out: the
 * message or profile written under it does, and omacp_store_open() never
 * goes below a number on disk. Only before a number leaves the disk (a
 * deletion of one at or above the durable counter) must the counter past
 * it be durable, or a crash could hand the number out again. */
static gboolean
save_counters(OmacpStore *store, gboolean durable, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *path = g_build_filename(store->dir, "state.ini", NULL);
	g_autofree char *data = NULL;
	gsize len = 0;

	g_key_file_set_uint64(kf, "Store", "NextMessage", store->next_message);
	g_key_file_set_uint64(kf, "Store", "NextProfile", store->next_profile);
	data = g_key_file_to_data(kf, &len, NULL);
	if (!(durable ? write_file_full(path, data, len, TRUE, error)
	              : write_file_unsynced(path, data, len, error)))
		return FALSE;
	store->counters_dirty = FALSE;
	if (durable) {
		store->durable_next_message = store->next_message;
		store->durable_next_profile = store->next_profile;
	}
	return TRUE;
}

/* Before number @id of @next leaves the disk. */
static gboolean
counters_durable_past(OmacpStore *store, guint id, guint durable_next, GError **error)
{
	if (id < durable_next)
		return TRUE;
	return save_counters(store, TRUE, error);
}

static guint
max_id(GArray *ids)
{
	guint max = 0;

	for (guint i = 0; ids != NULL && i < ids->len; i++)
		max = MAX(max, g_array_index(ids, guint, i));
	return max;
}

static void
load_replay(OmacpStore *store)
{
	g_autofree char *path = g_build_filename(store->dir, "replay", NULL);
	g_autofree char *data = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len = 0;

	if (!read_file(path, &data, &len, NULL))
		return;
	lines = g_strsplit(data, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_strstrip(lines[i]);
		if (lines[i][0] == '\0' || g_hash_table_contains(store->replay_set, lines[i]))
			continue;
		g_ptr_array_add(store->replay, g_strdup(lines[i]));
		g_hash_table_add(store->replay_set,
		                 g_ptr_array_index(store->replay, store->replay->len - 1));
	}
}

static char *message_dir(OmacpStore *store, guint id);
static char *record_path(OmacpStore *store, guint id);
static void forget_dirty(OmacpStore *store, guint id);

/* "meta.ini.A1b2C3", "7.rec.A1b2C3": the temporary file of an atomic
 * write, renamed over the real one; one is left behind only when the
 * daemon died in between. No file of the store has such a name. */
static gboolean
is_temporary(const char *name)
{
	gsize len = strlen(name);

	if (len < 8 || name[len - 7] != '.')
		return FALSE;
	for (gsize i = len - 6; i < len; i++) {
		if (!g_ascii_isalnum(name[i]))
			return FALSE;
	}
	return TRUE;
}

static void
remove_temporaries(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (is_temporary(name) && g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
			g_message("store: removing %s, left by an interrupted write", path);
			g_unlink(path);
		}
	}
}

static gboolean
remove_legacy_dir(OmacpStore *store, guint id, GError **error)
{
	g_autofree char *dir = message_dir(store, id);
	g_autofree char *meta = g_build_filename(dir, "meta.ini", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return TRUE;
	/* meta.ini first: a deletion cut short leaves a directory without it,
	 * which the next omacp_store_open() finishes off */
	if (g_unlink(meta) != 0 && errno != ENOENT)
		return fail_errno(error, "removing %s", meta);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_unlink(path) != 0 && errno != ENOENT)
			return fail_errno(error, "removing %s", path);
	}
	if (g_rmdir(dir) != 0 && errno != ENOENT)
		return fail_errno(error, "removing %s", dir);
	return TRUE;
}

/* What a kill -9 can leave: temporaries of atomic writes, record files
 * without a whole first record (a message whose creation was cut short:
 * omacp_store_get_message() removes those), and legacy message directories
 * without meta.ini (a deletion cut short) or beside the record file they
 * were converted to. */
static void
sweep(OmacpStore *store)
{
	g_autoptr(GDir) d = g_dir_open(store->messages_dir, 0, NULL);
	const char *name;

	remove_temporaries(store->dir);
	remove_temporaries(store->profiles_dir);
	remove_temporaries(store->messages_dir);
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *dir = NULL;
		g_autofree char *meta = NULL;
		g_autofree char *rec = NULL;
		g_autoptr(GError) error = NULL;
		guint64 value = 0;
		guint id;

		if (!g_ascii_string_to_unsigned(name, 10, 1, G_MAXUINT - 1, &value, NULL))
			continue;
		id = (guint) value;
		dir = message_dir(store, id);
		if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
			continue;
		remove_temporaries(dir);
		meta = g_build_filename(dir, "meta.ini", NULL);
		rec = record_path(store, id);
		if (g_file_test(meta, G_FILE_TEST_EXISTS) && !g_file_test(rec, G_FILE_TEST_EXISTS))
			continue;
		g_message("store: removing messages/%u/, %s", id,
		          g_file_test(meta, G_FILE_TEST_EXISTS)
		                  ? "converted to records before"
		                  : "whose creation or deletion was cut short");
		if (!remove_legacy_dir(store, id, &error))
			g_warning("%s", error->message);
	}
}

gboolean
omacp_store_open(const char *dir, OmacpStore **out, GError **error)
{
	g_autoptr(OmacpStore) store = g_new0(OmacpStore, 1);
	g_autofree char *state_path = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GArray) messages = NULL;
	g_autoptr(GArray) profiles = NULL;
	guint saved_message = 0;
	guint saved_profile = 0;

	store->dir = g_strdup(dir);
	store->messages_dir = g_build_filename(dir, "messages", NULL);
	store->profiles_dir = g_build_filename(dir, "profiles", NULL);
	store->replay = g_ptr_array_new_with_free_func(g_free);
	store->replay_set = g_hash_table_new(g_str_hash, g_str_equal);
	store->dirty = g_hash_table_new(g_direct_hash, g_direct_equal);
	store->n_records = g_hash_table_new(g_direct_hash, g_direct_equal);
	store->converted = g_hash_table_new(g_direct_hash, g_direct_equal);
	store->waiters = g_array_new(FALSE, FALSE, sizeof(Waiter));
	if (!make_dir(store->dir, error) || !make_dir(store->messages_dir, error) ||
	    !make_dir(store->profiles_dir, error))
		return FALSE;

	state_path = g_build_filename(dir, "state.ini", NULL);
	if (g_key_file_load_from_file(kf, state_path, G_KEY_FILE_NONE, NULL)) {
		saved_message = (guint) g_key_file_get_uint64(kf, "Store", "NextMessage", NULL);
		saved_profile = (guint) g_key_file_get_uint64(kf, "Store", "NextProfile", NULL);
	}
	sweep(store);
	/* never hand out a number that is on disk, whatever state.ini says */
	messages = omacp_store_list_messages(store, error);
	if (messages == NULL)
		return FALSE;
	profiles = omacp_store_list_profiles(store, error);
	if (profiles == NULL)
		return FALSE;
	store->next_message = MAX(MAX(saved_message, 1), max_id(messages) + 1);
	store->next_profile = MAX(MAX(saved_profile, 1), max_id(profiles) + 1);
	/* state.ini is written without fsync: only the numbers on disk are
	 * sure to have survived a power cut */
	store->durable_next_message = max_id(messages) + 1;
	store->durable_next_profile = max_id(profiles) + 1;
	if (saved_message != store->next_message || saved_profile != store->next_profile) {
		g_autoptr(GError) local = NULL;

		g_debug("store: state.ini says %u/%u, the store %u/%u: rewritten", saved_message,
		        saved_profile, store->next_message, store->next_profile);
		if (!save_counters(store, FALSE, &local))
			g_warning("%s", local->message);
	}
	load_replay(store);
	*out = g_steal_pointer(&store);
	return TRUE;
}

static void
run_waiters(OmacpStore *store, const GError *error)
{
	while (store->waiters->len > 0) {
		g_autoptr(GArray) waiters = store->waiters;

		store->waiters = g_array_new(FALSE, FALSE, sizeof(Waiter));
		for (guint i = 0; i < waiters->len; i++) {
			Waiter *w = &g_array_index(waiters, Waiter, i);

			w->func(error, w->data);
		}
	}
}

void
omacp_store_free(OmacpStore *store)
{
	g_autoptr(GError) error = NULL;

	if (store == NULL)
		return;
	if (store->dirty != NULL && !omacp_store_commit(store, &error))
		g_warning("%s", error->message);
	g_clear_handle_id(&store->commit_source, g_source_remove);
	g_free(store->dir);
	g_free(store->messages_dir);
	g_free(store->profiles_dir);
	g_clear_pointer(&store->replay_set, g_hash_table_unref);
	g_clear_pointer(&store->replay, g_ptr_array_unref);
	g_clear_pointer(&store->dirty, g_hash_table_unref);
	g_clear_pointer(&store->n_records, g_hash_table_unref);
	g_clear_pointer(&store->converted, g_hash_table_unref);
	g_clear_pointer(&store->waiters, g_array_unref);
	g_clear_pointer(&store->cached, g_variant_unref);
	g_free(store);
}

const char *
omacp_store_get_dir(OmacpStore *store)
{
	return store->dir;
}

static void schedule_commit(OmacpStore *store);

gboolean
omacp_store_next_message_id(OmacpStore *store, guint *out, GError **error)
{
	*out = store->next_message++;
	store->counters_dirty = TRUE;
	schedule_commit(store);
	return TRUE;
}

gboolean
omacp_store_next_profile_id(OmacpStore *store, guint *out, GError **error)
{
	*out = store->next_profile++;
	store->counters_dirty = TRUE;
	schedule_commit(store);
	return TRUE;
}

static char *
message_dir(OmacpStore *store, guint id)
{
	g_autofree char *name = g_strdup_printf("%u", id);

	return g_build_filename(store->messages_dir, name, NULL);
}

static char *
record_path(OmacpStore *store, guint id)
{
	g_autofree char *name = g_strdup_printf("%u.rec", id);

	return g_build_filename(store->messages_dir, name, NULL);
}

/* ---- commits ---- */

static gboolean
sync_fd(OmacpStore *store, int fd, gboolean data_only, const char *what, GError **error)
{
	int r;

	store->n_syncs++;
	do
		r = data_only ? fdatasync(fd) : fsync(fd);
	while (r != 0 && errno == EINTR);
	if (r != 0)
		return fail_errno(error, "syncing %s", what);
	return TRUE;
}

static gboolean
sync_dir(OmacpStore *store, const char *dir, GError **error)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	gboolean ok;

	if (fd < 0)
		return fail_errno(error, "opening %s", dir);
	ok = sync_fd(store, fd, FALSE, dir, error);
	close(fd);
	return ok;
}

static gboolean
commit_cb(gpointer user_data)
{
	OmacpStore *store = user_data;
	g_autoptr(GError) error = NULL;

	store->commit_source = 0;
	if (!omacp_store_commit(store, &error))
		g_warning("%s", error->message);
	return G_SOURCE_REMOVE;
}

/* One commit after the burst of writes the main loop is handling: an idle
 * below the default priority runs once the calls that arrived together
 * are all handled. Nothing is scheduled while nothing changes. */
static void
schedule_commit(OmacpStore *store)
{
	if (store->commit_source == 0)
		store->commit_source =
		        g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, commit_cb, store, NULL);
}

static gboolean
has_pending(OmacpStore *store)
{
	return g_hash_table_size(store->dirty) > 0 || store->messages_dir_dirty ||
	       store->counters_dirty || g_hash_table_size(store->converted) > 0;
}

gboolean
omacp_store_commit(OmacpStore *store, GError **error)
{
	g_autoptr(GError) first = NULL;
	GHashTableIter iter;
	gpointer key;
	gpointer value;

	g_clear_handle_id(&store->commit_source, g_source_remove);
	g_hash_table_iter_init(&iter, store->dirty);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		int fd = GPOINTER_TO_INT(value) - 1;
		g_autofree char *what = g_strdup_printf("messages/%u.rec", GPOINTER_TO_UINT(key));
		g_autoptr(GError) local = NULL;

		if (!sync_fd(store, fd, TRUE, what, &local) && first == NULL)
			first = g_steal_pointer(&local);
		close(fd);
		g_hash_table_iter_remove(&iter);
	}
	if (store->messages_dir_dirty) {
		g_autoptr(GError) local = NULL;

		store->messages_dir_dirty = FALSE;
		if (!sync_dir(store, store->messages_dir, &local) && first == NULL)
			first = g_steal_pointer(&local);
	}
	if (store->counters_dirty) {
		g_autoptr(GError) local = NULL;

		if (!save_counters(store, FALSE, &local))
			g_warning("%s", local->message);
	}
	/* the records of converted messages are on the disk now */
	if (first == NULL) {
		g_hash_table_iter_init(&iter, store->converted);
		while (g_hash_table_iter_next(&iter, &key, NULL)) {
			g_autoptr(GError) local = NULL;

			if (!remove_legacy_dir(store, GPOINTER_TO_UINT(key), &local))
				g_warning("%s", local->message);
			g_hash_table_iter_remove(&iter);
		}
	}
	run_waiters(store, first);
	if (first != NULL) {
		g_propagate_error(error, g_steal_pointer(&first));
		return FALSE;
	}
	return TRUE;
}

void
omacp_store_when_durable(OmacpStore *store, OmacpStoreDurableFunc func, gpointer user_data)
{
	Waiter w = { func, user_data };

	if (!has_pending(store)) {
		func(NULL, user_data);
		return;
	}
	g_array_append_val(store->waiters, w);
	schedule_commit(store);
}

guint64
omacp_store_get_sync_count(OmacpStore *store)
{
	return store->n_syncs;
}

/* ---- message records ---- */

static guint32
fnv1a(const guint8 *data, gsize len)
{
	guint32 h = 2166136261u;

	for (gsize i = 0; i < len; i++) {
		h ^= data[i];
		h *= 16777619u;
	}
	return h;
}

/* The record of @patch, framed, appended to @out. */
static void
frame_record(GByteArray *out, GVariant *patch)
{
	gsize len = g_variant_get_size(patch);
	gsize padded = (len + 7) & ~(gsize) 7;
	guint32 head[2] = { GUINT32_TO_LE((guint32) len),
		            GUINT32_TO_LE(fnv1a(g_variant_get_data(patch), len)) };
	static const guint8 zeros[8] = { 0 };

	g_byte_array_append(out, (const guint8 *) head, sizeof(head));
	g_byte_array_append(out, g_variant_get_data(patch), len);
	g_byte_array_append(out, zeros, padded - len);
}

static gboolean
write_all(int fd, const guint8 *data, gsize len, const char *what, GError **error)
{
	while (len > 0) {
		gssize n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: writing %s: %s",
			            what, n < 0 ? g_strerror(saved) : "no space written");
			return FALSE;
		}
		data += n;
		len -= (gsize) n;
	}
	return TRUE;
}

/* Whether the record @v (a{sv}, untrusted) is framed soundly: at least
 * one entry when it has any octets, every entry's framing sound, every
 * key a non-empty string. The values are not walked: GLib reads
 * serialised data that is not in normal form safely (what is out of order
 * or out of bounds reads as the type's default value), and so does
 * vardict.h, so they are checked where they are used and as far as they
 * are used. Walking them all was a fifth of a restore. */
static gboolean
record_is_sound(GVariant *v)
{
	OmacpVardictIter iter;
	OmacpVardictEntry e;
	gsize good = 0;

	omacp_vardict_iter_init(&iter, g_variant_get_data(v), g_variant_get_size(v));
	while (omacp_vardict_iter_next(&iter, &e)) {
		if (e.key[0] == '\0' || !g_utf8_validate(e.key, -1, NULL))
			return FALSE;
		good++;
	}
	return g_variant_get_size(v) == 0 || (good > 0 && good == iter.n);
}

/* Parses the record file @data of message @id: its records in order
 * (a{sv}, in this machine's byte order, sharing @data), *@good the length
 * of the whole ones. A torn last record ends the list silently; a corrupt
 * one (a bad checksum or GVariant followed by more data) with @error. */
static GPtrArray *
parse_records(GBytes *data, guint id, gsize *good, GError **error)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(data, &len);
	g_autoptr(GPtrArray) records =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
	gboolean swap;
	gsize off = RECORD_FILE_HEADER;

	*good = 0;
	if (len < RECORD_FILE_HEADER || memcmp(p, RECORD_MAGIC, 7) != 0 ||
	    (p[7] != 'l' && p[7] != 'B')) {
		if (len < RECORD_FILE_HEADER && memcmp(p, RECORD_MAGIC, MIN(len, 7)) == 0)
			return g_steal_pointer(&records); /* cut short at its creation */
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE,
		            "store: messages/%u.rec is not a record file", id);
		return NULL;
	}
	swap = p[7] != RECORD_BYTE_ORDER;
	*good = RECORD_FILE_HEADER;
	while (off + RECORD_HEADER <= len) {
		guint32 size = GUINT32_FROM_LE(*(const guint32 *) (p + off));
		guint32 sum = GUINT32_FROM_LE(*(const guint32 *) (p + off + 4));
		gsize padded = ((gsize) size + 7) & ~(gsize) 7;
		g_autoptr(GBytes) payload = NULL;
		g_autoptr(GVariant) v = NULL;
		gboolean last;

		if (size > RECORD_MAX_SIZE || off + RECORD_HEADER + padded > len)
			break; /* torn */
		last = off + RECORD_HEADER + padded == len;
		if (fnv1a(p + off + RECORD_HEADER, size) != sum) {
			if (last)
				break; /* torn */
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE,
			            "store: messages/%u.rec: record %u is corrupt (checksum)", id,
			            records->len + 1);
			return NULL;
		}
		payload = g_bytes_new_from_bytes(data, off + RECORD_HEADER, size);
		v = g_variant_ref_sink(
		        g_variant_new_from_bytes(G_VARIANT_TYPE_VARDICT, payload, FALSE));
		/* the checksum guards against a torn write, not against a file
		 * someone else wrote: the record's own framing must be sound */
		if (!record_is_sound(v)) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE,
			            "store: messages/%u.rec: record %u is not a GVariant a{sv} in "
			            "normal form",
			            id, records->len + 1);
			return NULL;
		}
		if (swap) {
			GVariant *swapped = g_variant_byteswap(v);

			g_variant_unref(v);
			v = swapped;
		}
		g_ptr_array_add(records, g_steal_pointer(&v));
		off += RECORD_HEADER + padded;
		*good = off;
	}
	return g_steal_pointer(&records);
}

/* @records folded: a later key replaces an earlier one. */
static GVariant *
fold_records(GPtrArray *records)
{
	GVariantDict d;

	if (records->len == 1)
		return g_variant_ref(g_ptr_array_index(records, 0));
	g_variant_dict_init(&d, NULL);
	for (guint i = 0; i < records->len; i++) {
		GVariantIter iter;
		const char *key;
		GVariant *value;

		g_variant_iter_init(&iter, g_ptr_array_index(records, i));
		while (g_variant_iter_loop(&iter, "{&sv}", &key, &value))
			g_variant_dict_insert_value(&d, key, value);
	}
	return g_variant_ref_sink(g_variant_dict_end(&d));
}

static GPtrArray *
read_records(OmacpStore *store, guint id, GError **error)
{
	g_autofree char *path = record_path(store, id);
	g_autofree char *data = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GPtrArray) records = NULL;
	gsize len = 0;
	gsize good = 0;

	if (!read_file(path, &data, &len, error))
		return NULL;
	bytes = g_bytes_new_take(g_steal_pointer(&data), len);
	records = parse_records(bytes, id, &good, error);
	if (records == NULL)
		return NULL;
	if (good < len) {
		/* the tail of an append a crash cut short: never acknowledged */
		g_message("store: messages/%u.rec: cutting off %zu octets of a record a crash "
		          "interrupted",
		          id, len - good);
		forget_dirty(store, id);
		if (truncate(path, (off_t) good) != 0)
			g_warning("store: truncating %s: %s", path, g_strerror(errno));
	}
	g_hash_table_insert(store->n_records, GUINT_TO_POINTER(id), GUINT_TO_POINTER(records->len));
	return g_steal_pointer(&records);
}

static void
drop_cache(OmacpStore *store, guint id)
{
	if (store->cached != NULL && store->cached_id == id)
		g_clear_pointer(&store->cached, g_variant_unref);
}

GPtrArray *
omacp_store_get_message_records(OmacpStore *store, guint id, GError **error)
{
	g_autoptr(GPtrArray) records = read_records(store, id, error);

	if (records == NULL)
		return NULL;
	if (records->len == 0) {
		g_autofree char *path = record_path(store, id);

		/* a message whose creation a crash cut short */
		g_message("store: removing messages/%u.rec, whose creation was cut short", id);
		forget_dirty(store, id);
		g_unlink(path);
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "store: messages/%u.rec holds no whole record", id);
		return NULL;
	}
	return g_steal_pointer(&records);
}

GVariant *
omacp_store_get_message(OmacpStore *store, guint id, GError **error)
{
	g_autoptr(GPtrArray) records = NULL;

	if (store->cached != NULL && store->cached_id == id)
		return g_variant_ref(store->cached);
	records = omacp_store_get_message_records(store, id, error);
	if (records == NULL)
		return NULL;
	g_clear_pointer(&store->cached, g_variant_unref);
	store->cached = fold_records(records);
	store->cached_id = id;
	return g_variant_ref(store->cached);
}

GVariant *
omacp_store_read_record_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GPtrArray) records = NULL;
	g_autofree char *base = g_path_get_basename(path);
	gsize len = 0;
	gsize good = 0;

	if (!read_file(path, &data, &len, error))
		return NULL;
	bytes = g_bytes_new_take(g_steal_pointer(&data), len);
	records = parse_records(bytes, (guint) g_ascii_strtoull(base, NULL, 10), &good, error);
	if (records == NULL)
		return NULL;
	if (records->len == 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "store: %s holds no whole record", path);
		return NULL;
	}
	return fold_records(records);
}

gboolean
omacp_store_message_is_legacy(OmacpStore *store, guint id)
{
	g_autofree char *rec = record_path(store, id);
	g_autofree char *dir = message_dir(store, id);

	return !g_file_test(rec, G_FILE_TEST_EXISTS) && g_file_test(dir, G_FILE_TEST_IS_DIR);
}

static void
forget_dirty(OmacpStore *store, guint id)
{
	gpointer value;

	if (g_hash_table_steal_extended(store->dirty, GUINT_TO_POINTER(id), NULL, &value))
		close(GPOINTER_TO_INT(value) - 1);
}

/* Replaces the record file of @id by one record, @folded, atomically: the
 * new file is on the disk before it is renamed over the old one. */
static gboolean
rewrite_records(OmacpStore *store, guint id, GVariant *folded, GError **error)
{
	g_autofree char *path = record_path(store, id);
	g_autoptr(GByteArray) buf = g_byte_array_new();

	g_byte_array_append(buf, (const guint8 *) RECORD_MAGIC, 7);
	g_byte_array_append(buf, (const guint8 *) (const char[]){ RECORD_BYTE_ORDER }, 1);
	frame_record(buf, folded);
	if (!replace_file(store, path, buf->data, buf->len, error))
		return FALSE;
	forget_dirty(store, id);
	store->messages_dir_dirty = TRUE;
	g_hash_table_insert(store->n_records, GUINT_TO_POINTER(id), GUINT_TO_POINTER(1));
	schedule_commit(store);
	return TRUE;
}

gboolean
omacp_store_put_message(OmacpStore *store, guint id, GVariant *patch, GError **error)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(patch);
	g_autoptr(GVariant) normal = g_variant_get_normal_form(owned);
	g_autoptr(GByteArray) buf = g_byte_array_new();
	g_autofree char *path = record_path(store, id);
	gpointer value = NULL;
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(store->n_records, GUINT_TO_POINTER(id)));
	int fd;

	g_return_val_if_fail(g_variant_is_of_type(owned, G_VARIANT_TYPE_VARDICT), FALSE);
	drop_cache(store, id);
	if (g_variant_get_size(normal) > RECORD_MAX_SIZE) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE,
		            "store: a record of %zu octets for message/%u, more than %d",
		            g_variant_get_size(normal), id, RECORD_MAX_SIZE);
		return FALSE;
	}
	if (g_hash_table_contains(store->converted, GUINT_TO_POINTER(id)) == FALSE &&
	    omacp_store_message_is_legacy(store, id))
		g_hash_table_add(store->converted, GUINT_TO_POINTER(id));
	if (n >= RECORD_MAX_PER_FILE) {
		g_autoptr(GPtrArray) records = read_records(store, id, NULL);

		if (records != NULL && records->len > 0) {
			g_autoptr(GVariant) folded = NULL;

			g_ptr_array_add(records, g_variant_ref(normal));
			folded = fold_records(records);
			return rewrite_records(store, id, folded, error);
		}
	}
	if (g_hash_table_lookup_extended(store->dirty, GUINT_TO_POINTER(id), NULL, &value)) {
		fd = GPOINTER_TO_INT(value) - 1;
	} else {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return fail_errno(error, "opening %s", path);
		g_hash_table_insert(store->dirty, GUINT_TO_POINTER(id), GINT_TO_POINTER(fd + 1));
	}
	if (lseek(fd, 0, SEEK_END) == 0) {
		/* a new file: its name in the directory must reach the disk too */
		g_byte_array_append(buf, (const guint8 *) RECORD_MAGIC, 7);
		g_byte_array_append(buf, (const guint8 *) (const char[]){ RECORD_BYTE_ORDER }, 1);
		store->messages_dir_dirty = TRUE;
		n = 0;
	}
	frame_record(buf, normal);
	schedule_commit(store);
	if (!write_all(fd, buf->data, buf->len, path, error))
		return FALSE;
	g_hash_table_insert(store->n_records, GUINT_TO_POINTER(id), GUINT_TO_POINTER(n + 1));
	return TRUE;
}

/* ---- the legacy layout ---- */

static gboolean
valid_name(const char *name, GError **error)
{
	if (name == NULL || name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "store: '%s' is not a file name", name ? name : "(null)");
		return FALSE;
	}
	return TRUE;
}

gboolean
omacp_store_write_message_file(OmacpStore *store, guint id, const char *name, const void *data,
                               gsize len, GError **error)
{
	g_autofree char *dir = message_dir(store, id);
	g_autofree char *path = NULL;

	if (!valid_name(name, error) || !make_dir(dir, error))
		return FALSE;
	path = g_build_filename(dir, name, NULL);
	return write_file(path, data, len, error);
}

gboolean
omacp_store_save_message_meta(OmacpStore *store, guint id, GKeyFile *meta, GError **error)
{
	gsize len = 0;
	g_autofree char *data = g_key_file_to_data(meta, &len, NULL);

	return omacp_store_write_message_file(store, id, "meta.ini", data, len, error);
}

GBytes *
omacp_store_read_message_file(OmacpStore *store, guint id, const char *name, GError **error)
{
	g_autofree char *dir = message_dir(store, id);
	g_autofree char *path = NULL;
	char *data = NULL;
	gsize len = 0;

	if (!valid_name(name, error))
		return NULL;
	path = g_build_filename(dir, name, NULL);
	if (!read_file(path, &data, &len, error))
		return NULL;
	return g_bytes_new_take(data, len);
}

static GKeyFile *
load_keyfile(const char *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *data = NULL;
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	if (!read_file(path, &data, &len, error))
		return NULL;
	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: %s: %s", path,
		            local->message);
		return NULL;
	}
	return g_steal_pointer(&kf);
}

GKeyFile *
omacp_store_load_message_meta(OmacpStore *store, guint id, GError **error)
{
	g_autofree char *dir = message_dir(store, id);
	g_autofree char *path = g_build_filename(dir, "meta.ini", NULL);

	return load_keyfile(path, error);
}

gboolean
omacp_store_delete_message(OmacpStore *store, guint id, GError **error)
{
	g_autofree char *rec = record_path(store, id);

	if (!counters_durable_past(store, id, store->durable_next_message, error))
		return FALSE;
	forget_dirty(store, id);
	drop_cache(store, id);
	g_hash_table_remove(store->n_records, GUINT_TO_POINTER(id));
	g_hash_table_remove(store->converted, GUINT_TO_POINTER(id));
	if (g_unlink(rec) == 0) {
		/* made durable with the next commit; until then a power cut may
		 * bring it back, which loses nothing */
		store->messages_dir_dirty = TRUE;
		schedule_commit(store);
	} else if (errno != ENOENT)
		return fail_errno(error, "removing %s", rec);
	return remove_legacy_dir(store, id, error);
}

static gint
compare_uint(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *) a;
	guint y = *(const guint *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* Numbers of the entries of @dir named "<N><suffix>" (and "<N>" too with
 * @also_bare), each once. */
static GArray *
list_ids(const char *dir, const char *suffix, gboolean also_bare, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GArray) unique = g_array_new(FALSE, FALSE, sizeof(guint));
	const char *name;

	if (d == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: listing %s: %s", dir,
		            local->message);
		return NULL;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *number = NULL;
		guint64 value = 0;
		guint id;

		if (g_str_has_suffix(name, suffix))
			number = g_strndup(name, strlen(name) - strlen(suffix));
		else if (also_bare)
			number = g_strdup(name);
		else
			continue;
		if (!g_ascii_string_to_unsigned(number, 10, 1, G_MAXUINT - 1, &value, NULL))
			continue;
		id = (guint) value;
		g_array_append_val(ids, id);
	}
	g_array_sort(ids, compare_uint);
	for (guint i = 0; i < ids->len; i++) {
		guint id = g_array_index(ids, guint, i);

		if (unique->len == 0 || g_array_index(unique, guint, unique->len - 1) != id)
			g_array_append_val(unique, id);
	}
	return g_steal_pointer(&unique);
}

GArray *
omacp_store_list_messages(OmacpStore *store, GError **error)
{
	return list_ids(store->messages_dir, ".rec", TRUE, error);
}

static char *
profile_path(OmacpStore *store, guint id)
{
	g_autofree char *name = g_strdup_printf("%u.ini", id);

	return g_build_filename(store->profiles_dir, name, NULL);
}

gboolean
omacp_store_save_profile(OmacpStore *store, guint id, GKeyFile *data, GError **error)
{
	g_autofree char *path = profile_path(store, id);
	gsize len = 0;
	g_autofree char *text = g_key_file_to_data(data, &len, NULL);

	return write_file(path, text, len, error);
}

GKeyFile *
omacp_store_load_profile(OmacpStore *store, guint id, GError **error)
{
	g_autofree char *path = profile_path(store, id);

	return load_keyfile(path, error);
}

gboolean
omacp_store_delete_profile(OmacpStore *store, guint id, GError **error)
{
	g_autofree char *path = profile_path(store, id);

	if (!counters_durable_past(store, id, store->durable_next_profile, error))
		return FALSE;
	if (g_unlink(path) != 0 && errno != ENOENT)
		return fail_errno(error, "removing %s", path);
	return TRUE;
}

GArray *
omacp_store_list_profiles(OmacpStore *store, GError **error)
{
	return list_ids(store->profiles_dir, ".ini", FALSE, error);
}

gboolean
omacp_store_replay_contains(OmacpStore *store, const char *fingerprint)
{
	return fingerprint != NULL && g_hash_table_contains(store->replay_set, fingerprint);
}

gboolean
omacp_store_replay_add(OmacpStore *store, const char *fingerprint, GError **error)
{
	g_autofree char *path = g_build_filename(store->dir, "replay", NULL);
	g_autoptr(GString) text = g_string_new(NULL);

	if (omacp_store_replay_contains(store, fingerprint))
		return TRUE;
	g_ptr_array_add(store->replay, g_strdup(fingerprint));
	g_hash_table_add(store->replay_set,
	                 g_ptr_array_index(store->replay, store->replay->len - 1));
	while (store->replay->len > OMACP_STORE_MAX_REPLAY_ENTRIES) {
		g_hash_table_remove(store->replay_set, g_ptr_array_index(store->replay, 0));
		g_ptr_array_remove_index(store->replay, 0);
	}
	for (guint i = 0; i < store->replay->len; i++)
		g_string_append_printf(text, "%s\n",
		                       (const char *) g_ptr_array_index(store->replay, i));
	return write_file(path, text->str, text->len, error);
}
