/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store.h"

#include <errno.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "omacp.h"

struct _OmacpStore {
	char *dir;
	char *messages_dir;
	char *profiles_dir;
	guint next_message;
	guint next_profile;
	GPtrArray *replay; /* char * fingerprints, oldest first */
	GHashTable *replay_set;
};

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
	if (g_mkdir_with_parents(path, 0700) != 0) {
		int saved = errno;

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: creating %s: %s", path,
		            g_strerror(saved));
		return FALSE;
	}
	/* an existing directory may have been made with a looser mode */
	if (g_chmod(path, 0700) != 0) {
		int saved = errno;

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: chmod %s: %s", path,
		            g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

/* The counters need not reach the disk when a number is handed out: the
 * message or profile written under it does, and omacp_store_open() never
 * goes below a number on disk. Only before a number leaves the disk (a
 * deletion) must the counter past it be durable, or a crash could hand
 * the number out again. */
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
	return write_file_full(path, data, len, durable, error);
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

/* "meta.ini.A1b2C3": the temporary file g_file_set_contents() writes and
 * renames; one is left behind only when the daemon died in between. No
 * file of the store has such a name. */
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

/* What a kill -9 can leave: temporaries of atomic writes, and message
 * directories without meta.ini (a message whose creation or deletion was
 * cut short; meta.ini is written before a message is announced, and removed
 * first when it is deleted). */
static void
sweep(OmacpStore *store)
{
	g_autoptr(GArray) messages = omacp_store_list_messages(store, NULL);

	remove_temporaries(store->dir);
	remove_temporaries(store->profiles_dir);
	for (guint i = 0; messages != NULL && i < messages->len; i++) {
		guint id = g_array_index(messages, guint, i);
		g_autofree char *dir = message_dir(store, id);
		g_autofree char *meta = g_build_filename(dir, "meta.ini", NULL);
		g_autoptr(GError) error = NULL;

		remove_temporaries(dir);
		if (g_file_test(meta, G_FILE_TEST_EXISTS))
			continue;
		g_message("store: removing message %u, whose creation or deletion was cut short",
		          id);
		if (!omacp_store_delete_message(store, id, &error))
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

	store->dir = g_strdup(dir);
	store->messages_dir = g_build_filename(dir, "messages", NULL);
	store->profiles_dir = g_build_filename(dir, "profiles", NULL);
	store->replay = g_ptr_array_new_with_free_func(g_free);
	store->replay_set = g_hash_table_new(g_str_hash, g_str_equal);
	if (!make_dir(store->dir, error) || !make_dir(store->messages_dir, error) ||
	    !make_dir(store->profiles_dir, error))
		return FALSE;

	state_path = g_build_filename(dir, "state.ini", NULL);
	if (g_key_file_load_from_file(kf, state_path, G_KEY_FILE_NONE, NULL)) {
		store->next_message =
		        (guint) g_key_file_get_uint64(kf, "Store", "NextMessage", NULL);
		store->next_profile =
		        (guint) g_key_file_get_uint64(kf, "Store", "NextProfile", NULL);
	}
	sweep(store);
	/* never hand out a number that is on disk, whatever state.ini says */
	messages = omacp_store_list_messages(store, error);
	if (messages == NULL)
		return FALSE;
	profiles = omacp_store_list_profiles(store, error);
	if (profiles == NULL)
		return FALSE;
	store->next_message = MAX(MAX(store->next_message, 1), max_id(messages) + 1);
	store->next_profile = MAX(MAX(store->next_profile, 1), max_id(profiles) + 1);
	load_replay(store);
	*out = g_steal_pointer(&store);
	return TRUE;
}

void
omacp_store_free(OmacpStore *store)
{
	if (store == NULL)
		return;
	g_free(store->dir);
	g_free(store->messages_dir);
	g_free(store->profiles_dir);
	g_clear_pointer(&store->replay_set, g_hash_table_unref);
	g_clear_pointer(&store->replay, g_ptr_array_unref);
	g_free(store);
}

const char *
omacp_store_get_dir(OmacpStore *store)
{
	return store->dir;
}

gboolean
omacp_store_next_message_id(OmacpStore *store, guint *out, GError **error)
{
	guint id = store->next_message;

	store->next_message++;
	if (!save_counters(store, FALSE, error))
		return FALSE;
	*out = id;
	return TRUE;
}

gboolean
omacp_store_next_profile_id(OmacpStore *store, guint *out, GError **error)
{
	guint id = store->next_profile;

	store->next_profile++;
	if (!save_counters(store, FALSE, error))
		return FALSE;
	*out = id;
	return TRUE;
}

static char *
message_dir(OmacpStore *store, guint id)
{
	g_autofree char *name = g_strdup_printf("%u", id);

	return g_build_filename(store->messages_dir, name, NULL);
}

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
	g_autofree char *dir = message_dir(store, id);
	g_autofree char *meta = g_build_filename(dir, "meta.ini", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return TRUE;
	if (!save_counters(store, TRUE, error))
		return FALSE;
	/* meta.ini first: a deletion cut short leaves a directory without it,
	 * which the next omacp_store_open() finishes off */
	if (g_unlink(meta) != 0 && errno != ENOENT) {
		int saved = errno;

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: removing %s: %s", meta,
		            g_strerror(saved));
		return FALSE;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_unlink(path) != 0 && errno != ENOENT) {
			int saved = errno;

			g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: removing %s: %s",
			            path, g_strerror(saved));
			return FALSE;
		}
	}
	if (g_rmdir(dir) != 0 && errno != ENOENT) {
		int saved = errno;

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: removing %s: %s", dir,
		            g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

static gint
compare_uint(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *) a;
	guint y = *(const guint *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* Numbers of the entries of @dir named "<N><suffix>". */
static GArray *
list_ids(const char *dir, const char *suffix, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
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

		if (!g_str_has_suffix(name, suffix))
			continue;
		number = g_strndup(name, strlen(name) - strlen(suffix));
		if (!g_ascii_string_to_unsigned(number, 10, 1, G_MAXUINT - 1, &value, NULL))
			continue;
		id = (guint) value;
		g_array_append_val(ids, id);
	}
	g_array_sort(ids, compare_uint);
	return g_steal_pointer(&ids);
}

GArray *
omacp_store_list_messages(OmacpStore *store, GError **error)
{
	return list_ids(store->messages_dir, "", error);
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

	if (!save_counters(store, TRUE, error))
		return FALSE;
	if (g_unlink(path) != 0 && errno != ENOENT) {
		int saved = errno;

		g_set_error(error, OMACP_ERROR, OMACP_ERROR_STORE, "store: removing %s: %s", path,
		            g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

GArray *
omacp_store_list_profiles(OmacpStore *store, GError **error)
{
	return list_ids(store->profiles_dir, ".ini", error);
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
