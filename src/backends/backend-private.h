/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the backend implementations; not part of the daemon's
 * contract (that is backend.h). */

#include "backend.h"

G_BEGIN_DECLS

/* The registration of each backend (its file defines it, backend-registry.c
 * lists those built). */
extern const OmacpBackendInfo omacp_backend_info_nm;
extern const OmacpBackendInfo omacp_backend_info_ofono;
extern const OmacpBackendInfo omacp_backend_info_mmsd;
extern const OmacpBackendInfo omacp_backend_info_ofono_provision;

/* The string under @key of the a{sv} @dict, or NULL when absent, not a
 * string, or empty. @dict may be NULL. */
const char *omacp_backend_dict_string(GVariant *dict, const char *key);
/* The boolean under @key, @fallback when absent or not a boolean. */
gboolean omacp_backend_dict_bool(GVariant *dict, const char *key, gboolean fallback);
/* The string array under @key (type as), NULL when absent. Free with g_strfreev. */
char **omacp_backend_dict_strv(GVariant *dict, const char *key);

/* One entry of a preview: a{sv} {field, old, new}, plus "risk" when not NULL. */
GVariant *omacp_backend_change_entry(const char *field, const char *old_value,
                                     const char *new_value, const char *risk);

/* Tells the daemon that is_available changed (calls availability_changed). */
void omacp_backend_notify_availability(OmacpBackend *self);

/* --- availability by bus name ---------------------------------------------- */

/* For a backend that is available exactly while its service owns @name on
 * the bus: embed one in the backend, start it in the constructor and stop it
 * in free. @present follows the name; every change is signalled with
 * omacp_backend_notify_availability() (the first vanishing only when the name
 * was there). */
typedef struct {
	OmacpBackend *backend;
	guint id;
	gboolean present;
} OmacpBackendNameWatch;

void omacp_backend_name_watch_start(OmacpBackendNameWatch *watch, OmacpBackend *backend,
                                    GDBusConnection *bus, const char *name);
void omacp_backend_name_watch_stop(OmacpBackendNameWatch *watch);

/* --- a preview cache of what a service holds ---------------------------------- */

/* preview must answer at once, so a backend keeps what its service holds and
 * reads it again (as a whole) when the service appears, when one of the
 * signals it subscribed comes, and after each of its own calls (follow);
 * one re-read for a burst of changes, and one more when something changed
 * while it ran. A backend embeds an OmacpBackendCache as the first member of
 * its own cache struct, which holds the data. The cache is reference counted
 * so that calls in flight outlive the backend safely. */
typedef struct _OmacpBackendCache OmacpBackendCache;

typedef struct {
	/* Starts reading everything again, with a reference on @cache and on
	 * @cancellable (owned), both given back to
	 * omacp_backend_cache_refresh_done() when it is over. */
	void (*refresh)(OmacpBackendCache *cache, GCancellable *cancellable);
	/* Drops the cached data (also when the cache is freed). */
	void (*forget)(OmacpBackendCache *cache);
} OmacpBackendCacheClass;

struct _OmacpBackendCache {
	const OmacpBackendCacheClass *klass;
	GDBusConnection *bus;
	gboolean alive;            /* FALSE once stopped (the backend is freed) */
	gboolean present;          /* the service owns its name */
	GCancellable *cancellable; /* of the refresh in flight; NULL when none */
	gboolean again;            /* a change came in while it ran */
	guint idle_id;
	guint watch_id;
	GArray *signal_ids; /* guint */
};

/* A signal of the service that can change what preview answers; NULL
 * members match any. */
typedef struct {
	const char *iface;
	const char *member;
	const char *path;
	const char *arg0;
} OmacpBackendCacheSignal;

/* A cache of @size bytes (the backend's struct, zeroed but for the base)
 * that follows the owner of @name on @bus and @n_signals @signals from it.
 * The backend holds the returned reference until omacp_backend_cache_stop(). */
OmacpBackendCache *omacp_backend_cache_new(gsize size, const OmacpBackendCacheClass *klass,
                                           GDBusConnection *bus, const char *name,
                                           const OmacpBackendCacheSignal *signals, gsize n_signals);
OmacpBackendCache *omacp_backend_cache_ref(OmacpBackendCache *cache);
void omacp_backend_cache_unref(OmacpBackendCache *cache);
/* Stops @cache for good (the backend goes) and drops the backend's
 * reference; calls in flight finish against the dead cache. */
void omacp_backend_cache_stop(OmacpBackendCache *cache);
/* Reads everything again soon (once for a burst of changes). */
void omacp_backend_cache_schedule(OmacpBackendCache *cache);
/* Reads everything again once @task (an apply, remove or undo of ours) is
 * done. @cache may be NULL (then nothing). */
void omacp_backend_cache_follow(OmacpBackendCache *cache, GTask *task);
/* Whether what the refresh given @cancellable read is still wanted (the
 * cache was neither forgotten nor stopped meanwhile): then the caller drops
 * the old data (klass->forget) and stores the new before calling
 * omacp_backend_cache_refresh_done(). */
gboolean omacp_backend_cache_refresh_wanted(OmacpBackendCache *cache, GCancellable *cancellable);
/* Ends the refresh given @cancellable: reads again when something changed
 * while it ran, and drops the references refresh got. */
void omacp_backend_cache_refresh_done(OmacpBackendCache *cache, GCancellable *cancellable);

/* When @self is not available (klass->is_available), returns
 * OMACP_ERROR_BACKEND_UNAVAILABLE "<backend>: <service> is not running" on
 * @task and TRUE (the caller drops its reference and returns), like
 * g_task_return_error_if_cancelled(). FALSE otherwise. */
gboolean omacp_backend_task_return_if_unavailable(OmacpBackend *self, GTask *task,
                                                  const char *service);

/* --- GTask results ------------------------------------------------------------ */

/* The task of a vtable call (apply_async, remove_async, undo_async) tagged
 * @source_tag; @cache (may be NULL) reads everything again when it is done
 * (omacp_backend_cache_follow()). */
GTask *omacp_backend_task_new(OmacpBackendCache *cache, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data,
                              gpointer source_tag);

/* Completes an apply: @id and the undo snapshot @undo (a{sv}; a floating
 * reference is sunk, any other is added to). */
void omacp_backend_task_return_applied(GTask *task, const char *id, GVariant *undo);
/* apply_finish for every backend that completes with
 * omacp_backend_task_return_applied(). */
char *omacp_backend_apply_finish(OmacpBackend *self, GAsyncResult *result, GVariant **out_undo,
                                 GError **error);
/* remove_finish and undo_finish for tasks that return a boolean. */
gboolean omacp_backend_task_finish(OmacpBackend *self, GAsyncResult *result, GError **error);
/* The three finish members of an OmacpBackendClass whose tasks complete as
 * above (every backend's do). */
#define OMACP_BACKEND_TASK_FINISHERS                                                               \
	.apply_finish = omacp_backend_apply_finish, .remove_finish = omacp_backend_task_finish,    \
	.undo_finish = omacp_backend_task_finish

/* The members of the OmacpBackendClass of a backend that applies profiles
 * (every one but the per-SIM settings writers), called @name, from its
 * functions <prefix>_handles, _is_available, _apply_async, _remove_async,
 * _undo_async, _preview and _free, with the finishers above:
 *   static const OmacpBackendClass nm_class = {
 *           OMACP_BACKEND_APPLYING_CLASS(nm, "networkmanager") }; */
#define OMACP_BACKEND_APPLYING_CLASS(prefix, backend_name)                                         \
	.name = (backend_name), .handles = prefix##_handles,                                       \
	.is_available = prefix##_is_available, .apply_async = prefix##_apply_async,                \
	.remove_async = prefix##_remove_async, .undo_async = prefix##_undo_async,                  \
	.preview = prefix##_preview, .free = prefix##_free, OMACP_BACKEND_TASK_FINISHERS

/* A zeroed @Type (a struct that starts with an OmacpBackend) of class
 * @klass. */
#define omacp_backend_new0(Type, klass) ((Type *) omacp_backend_alloc0(sizeof(Type), (klass)))
gpointer omacp_backend_alloc0(gsize size, const OmacpBackendClass *klass);

/* A failure that must wait while what was half-done is put back: hold
 * @error (owned) on @task, clean up, then return it with
 * omacp_backend_task_return_held_error() (which fails loudly when nothing
 * is held). */
void omacp_backend_task_hold_error(GTask *task, GError *error);
void omacp_backend_task_return_held_error(GTask *task);

/* --- errors ----------------------------------------------------------------- */

/* What a backend reports for a failed call: a cancellation stays
 * G_IO_ERROR_CANCELLED (a copy); anything else becomes OMACP_ERROR_BACKEND
 * "<backend>: <what> failed: <error's message>", <what> from @format. */
GError *omacp_backend_error_wrap(const char *backend, const GError *error, const char *format, ...)
        G_GNUC_PRINTF(3, 4);

/* --- undo ------------------------------------------------------------------- */

/* Undoing a creation is removing what was created: when @undo says
 * "created", starts klass->remove_async on @id (its result goes to
 * @callback, to be finished with undo_finish) and returns TRUE. */
gboolean omacp_backend_undo_created(OmacpBackend *self, const char *id, GVariant *undo,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
/* The value of type @type under @key of the undo snapshot @undo for object
 * @id (a full reference), or NULL and OMACP_ERROR_INVALID_ARGS. */
GVariant *omacp_backend_undo_lookup(OmacpBackend *self, GVariant *undo, const char *key,
                                    const GVariantType *type, const char *id, GError **error);

G_END_DECLS
