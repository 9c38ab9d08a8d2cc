/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every backend shares: freeing, availability (the signal, the bus
 * name watch), reading profile settings, the GTask results and errors of the
 * vtable calls, undo snapshots, and the operator id of a SIM for binding
 * connections. */

#include "config.h"

#include <string.h>

#include "backend-private.h"
#include "omacp.h"

gpointer
omacp_backend_alloc0(gsize size, const OmacpBackendClass *klass)
{
	OmacpBackend *self;

	g_return_val_if_fail(size >= sizeof(OmacpBackend) && klass != NULL, NULL);
	self = g_malloc0(size);
	self->klass = klass;
	return self;
}

void
omacp_backend_free(OmacpBackend *self)
{
	if (self == NULL)
		return;
	self->klass->free(self);
}

const OmacpBackendInfo *
omacp_backend_info_lookup(const char *name)
{
	for (gsize i = 0; omacp_backends_built[i] != NULL; i++) {
		if (g_strcmp0(omacp_backends_built[i]->name, name) == 0)
			return omacp_backends_built[i];
	}
	return NULL;
}

void
omacp_backend_notify_availability(OmacpBackend *self)
{
	if (self->availability_changed != NULL)
		self->availability_changed(self, self->availability_user_data);
}

const char *
omacp_backend_dict_string(GVariant *dict, const char *key)
{
	const char *value = NULL;

	if (dict == NULL || !g_variant_lookup(dict, key, "&s", &value))
		return NULL;
	if (value[0] == '\0')
		return NULL;
	return value;
}

gboolean
omacp_backend_dict_bool(GVariant *dict, const char *key, gboolean fallback)
{
	gboolean value;

	if (dict == NULL || !g_variant_lookup(dict, key, "b", &value))
		return fallback;
	return value;
}

char **
omacp_backend_dict_strv(GVariant *dict, const char *key)
{
	char **value = NULL;

	if (dict == NULL || !g_variant_lookup(dict, key, "^as", &value))
		return NULL;
	return value;
}

GVariant *
omacp_backend_change_entry(const char *field, const char *old_value, const char *new_value,
                           const char *risk)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "field", g_variant_new_string(field));
	g_variant_builder_add(&b, "{sv}", "old",
	                      g_variant_new_string(old_value != NULL ? old_value : ""));
	g_variant_builder_add(&b, "{sv}", "new",
	                      g_variant_new_string(new_value != NULL ? new_value : ""));
	if (risk != NULL)
		g_variant_builder_add(&b, "{sv}", "risk", g_variant_new_string(risk));
	return g_variant_builder_end(&b);
}

/* --- availability by bus name ---------------------------------------------- */

static void
name_appeared_cb(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	OmacpBackendNameWatch *watch = user_data;

	watch->present = TRUE;
	omacp_backend_notify_availability(watch->backend);
}

static void
name_vanished_cb(GDBusConnection *bus, const char *name, gpointer user_data)
{
	OmacpBackendNameWatch *watch = user_data;
	gboolean was = watch->present;

	watch->present = FALSE;
	if (was)
		omacp_backend_notify_availability(watch->backend);
}

void
omacp_backend_name_watch_start(OmacpBackendNameWatch *watch, OmacpBackend *backend,
                               GDBusConnection *bus, const char *name)
{
	watch->backend = backend;
	watch->present = FALSE;
	watch->id = g_bus_watch_name_on_connection(bus, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                           name_appeared_cb, name_vanished_cb, watch, NULL);
}

void
omacp_backend_name_watch_stop(OmacpBackendNameWatch *watch)
{
	if (watch->id != 0)
		g_bus_unwatch_name(watch->id);
	watch->id = 0;
	watch->present = FALSE;
}

/* --- a preview cache of what a service holds ---------------------------------- */

static void
cache_clear(OmacpBackendCache *cache)
{
	cache->klass->forget(cache);
	g_clear_object(&cache->bus);
	g_clear_object(&cache->cancellable);
	g_clear_pointer(&cache->signal_ids, g_array_unref);
}

OmacpBackendCache *
omacp_backend_cache_ref(OmacpBackendCache *cache)
{
	return g_rc_box_acquire(cache);
}

void
omacp_backend_cache_unref(OmacpBackendCache *cache)
{
	g_rc_box_release_full(cache, (GDestroyNotify) cache_clear);
}

static void
cache_unref_closure(gpointer cache, GClosure *closure)
{
	omacp_backend_cache_unref(cache);
}

static gboolean
cache_idle_cb(gpointer user_data)
{
	OmacpBackendCache *cache = user_data;

	cache->idle_id = 0;
	cache->cancellable = g_cancellable_new();
	cache->klass->refresh(omacp_backend_cache_ref(cache), g_object_ref(cache->cancellable));
	return G_SOURCE_REMOVE;
}

void
omacp_backend_cache_schedule(OmacpBackendCache *cache)
{
	if (!cache->alive || !cache->present)
		return;
	if (cache->cancellable != NULL) {
		cache->again = TRUE;
		return;
	}
	if (cache->idle_id == 0)
		cache->idle_id = g_idle_add(cache_idle_cb, cache);
}

gboolean
omacp_backend_cache_refresh_wanted(OmacpBackendCache *cache, GCancellable *cancellable)
{
	return !g_cancellable_is_cancelled(cancellable) && cache->alive &&
	       cache->cancellable == cancellable;
}

void
omacp_backend_cache_refresh_done(OmacpBackendCache *cache, GCancellable *cancellable)
{
	if (omacp_backend_cache_refresh_wanted(cache, cancellable)) {
		g_clear_object(&cache->cancellable);
		if (cache->again) {
			cache->again = FALSE;
			omacp_backend_cache_schedule(cache);
		}
	}
	g_object_unref(cancellable);
	omacp_backend_cache_unref(cache);
}

/* Forgets everything and stops what runs. */
static void
cache_forget(OmacpBackendCache *cache)
{
	if (cache->cancellable != NULL)
		g_cancellable_cancel(cache->cancellable);
	g_clear_object(&cache->cancellable);
	g_clear_handle_id(&cache->idle_id, g_source_remove);
	cache->klass->forget(cache);
	cache->again = FALSE;
}

static void
cache_signal_cb(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                const char *member, GVariant *params, gpointer user_data)
{
	omacp_backend_cache_schedule(user_data);
}

static void
cache_appeared_cb(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	OmacpBackendCache *cache = user_data;

	cache_forget(cache);
	cache->present = TRUE;
	omacp_backend_cache_schedule(cache);
}

static void
cache_vanished_cb(GDBusConnection *bus, const char *name, gpointer user_data)
{
	OmacpBackendCache *cache = user_data;

	cache->present = FALSE;
	cache_forget(cache);
}

OmacpBackendCache *
omacp_backend_cache_new(gsize size, const OmacpBackendCacheClass *klass, GDBusConnection *bus,
                        const char *name, const OmacpBackendCacheSignal *signals, gsize n_signals)
{
	OmacpBackendCache *cache;

	g_return_val_if_fail(size >= sizeof(OmacpBackendCache), NULL);

	cache = g_rc_box_alloc0(size);
	cache->klass = klass;
	cache->bus = g_object_ref(bus);
	cache->alive = TRUE;
	cache->signal_ids = g_array_new(FALSE, FALSE, sizeof(guint));
	for (gsize i = 0; i < n_signals; i++) {
		guint id = g_dbus_connection_signal_subscribe(
		        bus, name, signals[i].iface, signals[i].member, signals[i].path,
		        signals[i].arg0, G_DBUS_SIGNAL_FLAGS_NONE, cache_signal_cb, cache, NULL);
		g_array_append_val(cache->signal_ids, id);
	}
	cache->watch_id =
	        g_bus_watch_name_on_connection(bus, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                       cache_appeared_cb, cache_vanished_cb, cache, NULL);
	return cache;
}

void
omacp_backend_cache_stop(OmacpBackendCache *cache)
{
	cache->alive = FALSE;
	cache_forget(cache);
	for (guint i = 0; i < cache->signal_ids->len; i++)
		g_dbus_connection_signal_unsubscribe(cache->bus,
		                                     g_array_index(cache->signal_ids, guint, i));
	g_array_set_size(cache->signal_ids, 0);
	if (cache->watch_id != 0)
		g_bus_unwatch_name(cache->watch_id);
	cache->watch_id = 0;
	omacp_backend_cache_unref(cache);
}

static void
cache_task_completed_cb(GObject *task, GParamSpec *pspec, gpointer user_data)
{
	omacp_backend_cache_schedule(user_data);
}

void
omacp_backend_cache_follow(OmacpBackendCache *cache, GTask *task)
{
	if (cache != NULL)
		g_signal_connect_data(task, "notify::completed",
		                      G_CALLBACK(cache_task_completed_cb),
		                      omacp_backend_cache_ref(cache), cache_unref_closure, 0);
}

gboolean
omacp_backend_task_return_if_unavailable(OmacpBackend *self, GTask *task, const char *service)
{
	if (self->klass->is_available(self))
		return FALSE;
	g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
	                        "%s: %s is not running", self->klass->name, service);
	return TRUE;
}

/* --- GTask results ------------------------------------------------------------ */

typedef struct {
	char *id;
	GVariant *undo;
} Applied;

static void
applied_free(Applied *applied)
{
	g_free(applied->id);
	g_clear_pointer(&applied->undo, g_variant_unref);
	g_free(applied);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Applied, applied_free)

GTask *
omacp_backend_task_new(OmacpBackendCache *cache, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);

	g_task_set_source_tag(task, source_tag);
	omacp_backend_cache_follow(cache, task);
	return task;
}

void
omacp_backend_task_return_applied(GTask *task, const char *id, GVariant *undo)
{
	Applied *applied;

	g_return_if_fail(id != NULL && undo != NULL);

	applied = g_new0(Applied, 1);
	applied->id = g_strdup(id);
	applied->undo = g_variant_ref_sink(undo);
	g_task_return_pointer(task, applied, (GDestroyNotify) applied_free);
}

char *
omacp_backend_apply_finish(OmacpBackend *self, GAsyncResult *result, GVariant **out_undo,
                           GError **error)
{
	g_autoptr(Applied) applied = g_task_propagate_pointer(G_TASK(result), error);

	if (applied == NULL)
		return NULL;
	if (out_undo != NULL)
		*out_undo = g_steal_pointer(&applied->undo);
	return g_steal_pointer(&applied->id);
}

gboolean
omacp_backend_task_finish(OmacpBackend *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

#define HELD_ERROR_KEY "omacp-backend-held-error"

void
omacp_backend_task_hold_error(GTask *task, GError *error)
{
	g_object_set_data_full(G_OBJECT(task), HELD_ERROR_KEY, error,
	                       (GDestroyNotify) g_error_free);
}

void
omacp_backend_task_return_held_error(GTask *task)
{
	GError *held = g_object_steal_data(G_OBJECT(task), HELD_ERROR_KEY);

	if (held == NULL)
		held = g_error_new_literal(OMACP_ERROR, OMACP_ERROR_BACKEND,
		                           "backend: a rollback finished without the failure "
		                           "that caused it");
	g_task_return_error(task, held);
}

/* --- errors ----------------------------------------------------------------- */

GError *
omacp_backend_error_wrap(const char *backend, const GError *error, const char *format, ...)
{
	g_autofree char *what = NULL;
	va_list args;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return g_error_copy(error);
	va_start(args, format);
	what = g_strdup_vprintf(format, args);
	va_end(args);
	return g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND, "%s: %s failed: %s", backend, what,
	                   error->message);
}

/* --- undo ------------------------------------------------------------------- */

gboolean
omacp_backend_undo_created(OmacpBackend *self, const char *id, GVariant *undo,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
	if (!omacp_backend_dict_bool(undo, "created", FALSE))
		return FALSE;
	self->klass->remove_async(self, id, cancellable, callback, user_data);
	return TRUE;
}

GVariant *
omacp_backend_undo_lookup(OmacpBackend *self, GVariant *undo, const char *key,
                          const GVariantType *type, const char *id, GError **error)
{
	GVariant *value = undo != NULL ? g_variant_lookup_value(undo, key, type) : NULL;

	if (value == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "%s: undo snapshot for %s holds neither 'created' nor '%s'",
		            self->klass->name, id, key);
		return NULL;
	}
	return value;
}

/* --- operator id from the IMSI ------------------------------------------ */

/* MCCs whose networks use 3-digit MNCs (ITU-T E.212 list), for networks the
 * provider database does not know. 364, 405 and 722 mix both lengths: there
 * the database decides, and 2 digits is the fallback. */
static const char *const three_digit_mnc_mccs[] = {
	"302", "310", "311", "312", "313", "314", "315", "316", "334", "338", "342", "344", "346",
	"348", "352", "354", "356", "358", "360", "365", "366", "376", "708", "710", "732", "750",
};

gboolean
omacp_backend_operator_id_from_imsi(const char *imsi, const OmacpMbpi *mbpi, char **out_operator_id,
                                    GError **error)
{
	g_autofree char *mcc = NULL;
	g_autofree char *six = NULL;
	g_autofree char *five = NULL;
	gsize len;

	g_return_val_if_fail(imsi != NULL, FALSE);

	len = strlen(imsi);
	/* E.212: an IMSI has at most 15 digits: MCC (3), MNC (2-3), MSIN. */
	if (len < 6 || len > 15) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "backend: IMSI has %zu digits, expected 6 to 15", len);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(imsi[i])) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "backend: IMSI has a non-digit at position %zu", i);
			return FALSE;
		}
	}
	mcc = g_strndup(imsi, 3);
	six = g_strndup(imsi, 6);
	five = g_strndup(imsi, 5);
	if (mbpi != NULL && omacp_mbpi_has_network(mbpi, mcc, six + 3)) {
		*out_operator_id = g_steal_pointer(&six);
		return TRUE;
	}
	if (mbpi != NULL && omacp_mbpi_has_network(mbpi, mcc, five + 3)) {
		*out_operator_id = g_steal_pointer(&five);
		return TRUE;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(three_digit_mnc_mccs); i++) {
		if (strcmp(mcc, three_digit_mnc_mccs[i]) == 0) {
			*out_operator_id = g_steal_pointer(&six);
			return TRUE;
		}
	}
	*out_operator_id = g_steal_pointer(&five);
	return TRUE;
}
