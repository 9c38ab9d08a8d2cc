/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmsd-tng backend: mms profiles become mmsd-tng's carrier settings
 * (CarrierMMSC, MMS_APN, CarrierMMSProxy).
 *
 * Where: mmsd-tng 2.x (checked against 2.1.0, Debian 12) serves
 * org.ofono.mms on the session bus; /org/ofono/mms implements
 * org.ofono.mms.ModemManager with ViewSettings() → a{sv},
 * ChangeSettings(s, v) and ChangeAllSettings(a{sv}), and saves every change
 * to its settings file itself. That interface is the only way in: omacpd runs
 * as root and never writes mmsd-tng's settings file ($HOME/.mms/...) itself,
 * because that file lives in a directory its user can write, where a root
 * write, rename or chown by path can be turned onto any file by a symlink.
 * omacpd as a system service has no session bus: then
 * the same reads and writes go through the relay the daemon hands in (its
 * MMS hand-off to the user's session agent, which calls the same methods
 * on its session bus and reports back; src/daemon/mms-handoff.c). Without
 * mmsd-tng on the bus and without a relay the backend is unavailable.
 *
 * mmsd-tng has one set of settings, so the object id is "mmsd-tng:" plus a
 * digest of the values omacp wrote: remove resets the settings only while
 * they still hold those values, and an update refuses (unless forced) when
 * someone changed them since.
 *
 * preview lists the keys apply would change (mmsd-tng's unset values shown
 * as ""), and an "edited-by-hand" entry when apply would refuse for that
 * reason; it answers from a cache of the settings while mmsd-tng runs. */

#include "config.h"

#include <string.h>

#include "backend-private.h"
#include "omacp.h"

#define MMSD_BUS_NAME  "org.ofono.mms"
#define MMSD_PATH      "/org/ofono/mms"
#define MMSD_INTERFACE "org.ofono.mms.ModemManager"
#define MMSD_ID_PREFIX "mmsd-tng:"
#define MMSD_TIMEOUT   10000 /* ms */

/* mmsd-tng's own "not configured" values (what it writes on first start) */
#define MMSD_UNSET_MMSC  "http://mms.invalid"
#define MMSD_UNSET_APN   "apn.invalid"
#define MMSD_UNSET_PROXY "NULL"

static const char *const mmsd_keys[] = { "CarrierMMSC", "MMS_APN", "CarrierMMSProxy" };

typedef struct _MmsdCache MmsdCache; /* mmsd-tng's settings, for preview */

typedef struct {
	OmacpBackend parent;
	GDBusConnection *bus;        /* session bus, NULL when there is none */
	OmacpBackendNameWatch watch; /* present: mmsd-tng is running */
	MmsdCache *cache;            /* NULL without a session bus */
	OmacpMmsdRelay *relay;       /* NULL: none (not owned) */
} MmsdBackend;

static MmsdBackend *
mmsd_backend(OmacpBackend *backend)
{
	return (MmsdBackend *) backend;
}

/* The three values, in mmsd_keys order. */
typedef struct {
	char *values[G_N_ELEMENTS(mmsd_keys)];
} MmsdSettings;

static void
mmsd_settings_clear(MmsdSettings *s)
{
	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++)
		g_clear_pointer(&s->values[i], g_free);
}

static gboolean
mmsd_settings_equal(const MmsdSettings *a, const MmsdSettings *b)
{
	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++)
		if (g_strcmp0(a->values[i], b->values[i]) != 0)
			return FALSE;
	return TRUE;
}

static char *
settings_id(const MmsdSettings *s)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++) {
		const char *v = s->values[i] != NULL ? s->values[i] : "";
		g_checksum_update(sum, (const guchar *) v, strlen(v) + 1);
	}
	return g_strdup_printf(MMSD_ID_PREFIX "%.16s", g_checksum_get_string(sum));
}

static GVariant *
settings_to_variant(const MmsdSettings *s)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++)
		g_variant_builder_add(
		        &b, "{sv}", mmsd_keys[i],
		        g_variant_new_string(s->values[i] != NULL ? s->values[i] : ""));
	return g_variant_builder_end(&b);
}

static void
settings_from_variant(GVariant *dict, MmsdSettings *out)
{
	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++) {
		const char *v = NULL;
		if (g_variant_lookup(dict, mmsd_keys[i], "&s", &v))
			out->values[i] = g_strdup(v);
	}
}

static gboolean
wanted_settings(const OmacpProfile *profile, MmsdSettings *out, GError **error)
{
	const char *mmsc = omacp_backend_dict_string(profile->settings, "mmsc");
	const char *apn = omacp_backend_dict_string(profile->settings, "apn");
	const char *proxy = omacp_backend_dict_string(profile->settings, "mms-proxy");

	if (profile->kind != OMACP_PROFILE_MMS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		            "mmsd: %s profiles are not MMS settings",
		            omacp_profile_kind_to_string(profile->kind));
		return FALSE;
	}
	if (mmsc == NULL || apn == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "mmsd: profile '%s' has no %s", profile->identity,
		            mmsc == NULL ? "mmsc" : "apn");
		return FALSE;
	}
	out->values[0] = g_strdup(mmsc);
	out->values[1] = g_strdup(apn);
	out->values[2] = g_strdup(proxy != NULL ? proxy : MMSD_UNSET_PROXY);
	return TRUE;
}

/* --- one operation: read current, decide, write ------------------------------ */

typedef enum {
	OP_APPLY,
	OP_REMOVE,
	OP_UNDO,
} OpKind;

typedef struct {
	OpKind kind;
	GDBusConnection *bus;
	OmacpMmsdRelay *relay; /* set: the operation goes through it */
	char *identity;        /* the profile's, for the relay (may be NULL) */
	char *imsi;            /* the profile's SIM, for the relay (may be NULL) */
	char *existing_id;     /* apply: what omacp wrote last time; remove: the id */
	gboolean force;
	MmsdSettings wanted;
	MmsdSettings current;
	gboolean unchanged; /* nothing to write */
} Op;

static void
op_free(Op *op)
{
	g_clear_object(&op->bus);
	g_free(op->identity);
	g_free(op->imsi);
	g_free(op->existing_id);
	mmsd_settings_clear(&op->wanted);
	mmsd_settings_clear(&op->current);
	g_free(op);
}

/* The task of a new operation of @kind on @self (its task data, an Op),
 * for the vtable call @source_tag. */
static GTask *
op_task_new(MmsdBackend *self, OpKind kind, GCancellable *cancellable, GAsyncReadyCallback callback,
            gpointer user_data, gpointer source_tag)
{
	GTask *task = omacp_backend_task_new((OmacpBackendCache *) self->cache, cancellable,
	                                     callback, user_data, source_tag);
	Op *op = g_new0(Op, 1);

	op->kind = kind;
	op->bus = self->bus != NULL ? g_object_ref(self->bus) : NULL;
	g_task_set_task_data(task, op, (GDestroyNotify) op_free);
	return task;
}

/* Decides what to write from the current values; FALSE + error to stop. */
static gboolean
op_decide(Op *op, GError **error)
{
	switch (op->kind) {
	case OP_APPLY:
		if (op->existing_id != NULL && !op->force) {
			g_autofree char *now = settings_id(&op->current);
			if (strcmp(now, op->existing_id) != 0 &&
			    !mmsd_settings_equal(&op->current, &op->wanted)) {
				g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
				            "mmsd: the mmsd-tng settings were edited by hand since "
				            "omacp wrote them (MMSC now %s); confirm to overwrite",
				            op->current.values[0] != NULL ? op->current.values[0]
				                                          : "unset");
				return FALSE;
			}
		}
		break;
	case OP_REMOVE: {
		g_autofree char *now = settings_id(&op->current);
		/* someone else's settings by now: nothing of omacp's is left */
		if (strcmp(now, op->existing_id) != 0) {
			op->unchanged = TRUE;
			return TRUE;
		}
		op->wanted.values[0] = g_strdup(MMSD_UNSET_MMSC);
		op->wanted.values[1] = g_strdup(MMSD_UNSET_APN);
		op->wanted.values[2] = g_strdup(MMSD_UNSET_PROXY);
		break;
	}
	case OP_UNDO:
		break;
	}
	op->unchanged = mmsd_settings_equal(&op->current, &op->wanted);
	return TRUE;
}

/* The undo snapshot of an apply (see backend.h). */
static GVariant *
op_undo(const Op *op)
{
	GVariantBuilder undo;

	g_variant_builder_init(&undo, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&undo, "{sv}", "created", g_variant_new_boolean(FALSE));
	g_variant_builder_add(&undo, "{sv}", "via",
	                      g_variant_new_string(op->relay != NULL ? "agent" : "dbus"));
	g_variant_builder_add(&undo, "{sv}", "properties", settings_to_variant(&op->current));
	return g_variant_builder_end(&undo);
}

static void
op_return(GTask *task)
{
	Op *op = g_task_get_task_data(task);

	switch (op->kind) {
	case OP_APPLY: {
		g_autofree char *id = settings_id(&op->wanted);

		omacp_backend_task_return_applied(task, id, op_undo(op));
		return;
	}
	case OP_REMOVE:
	case OP_UNDO:
		g_task_return_boolean(task, TRUE);
		return;
	}
}

/* mmsd-tng is not on the bus: nothing is written anywhere (see the top). */
static void
op_return_unavailable(GTask *task)
{
	g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
	                        "mmsd: mmsd-tng is not running on the session bus; its MMS "
	                        "settings are changed only through it");
}

/* Takes what mmsd-tng holds now (@dict, either way it was read) and decides.
 * FALSE when that answered @task (an error, or nothing to change); TRUE
 * when the caller writes op->wanted. */
static gboolean
op_take_current(GTask *task, GVariant *dict)
{
	Op *op = g_task_get_task_data(task);
	GError *error = NULL;

	settings_from_variant(dict, &op->current);
	if (!op_decide(op, &error)) {
		g_task_return_error(task, error);
		return FALSE;
	}
	if (op->unchanged) {
		op_return(task);
		return FALSE;
	}
	return TRUE;
}

/* Reads (@write NULL) or writes (@write, floating) mmsd-tng's settings the
 * operation's way: over omacpd's own session bus, or through the relay
 * when op->relay is set; @callback gets @task (owned). */
static void
op_exchange(GTask *task, GVariant *write, GAsyncReadyCallback callback)
{
	Op *op = g_task_get_task_data(task);

	if (op->relay != NULL)
		op->relay->exchange_async(op->relay, write, op->identity, op->imsi,
		                          g_task_get_cancellable(task), callback, task);
	else if (write == NULL)
		g_dbus_connection_call(op->bus, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE,
		                       "ViewSettings", NULL, G_VARIANT_TYPE("(a{sv})"),
		                       G_DBUS_CALL_FLAGS_NONE, MMSD_TIMEOUT,
		                       g_task_get_cancellable(task), callback, task);
	else
		g_dbus_connection_call(op->bus, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE,
		                       "ChangeAllSettings", g_variant_new("(@a{sv})", write), NULL,
		                       G_DBUS_CALL_FLAGS_NONE, MMSD_TIMEOUT, NULL, callback, task);
}

/* The answer to op_exchange(): the settings read (a{sv}) or, for a write,
 * any non-NULL value; NULL when the failure answered @task. */
static GVariant *
op_exchange_finish(GTask *task, GObject *source, GAsyncResult *result, gboolean write)
{
	Op *op = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	if (op->relay != NULL) {
		reply = op->relay->exchange_finish(op->relay, result, &error);
		if (reply == NULL)
			g_task_return_error(task, g_steal_pointer(&error));
		return g_steal_pointer(&reply);
	}
	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	if (reply == NULL && !write &&
	    (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	     g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)))
		/* gone between the name check and the call */
		op_return_unavailable(task);
	else if (reply == NULL)
		g_task_return_error(task, omacp_backend_error_wrap("mmsd", error, "%s",
		                                                   write ? "ChangeAllSettings"
		                                                         : "ViewSettings"));
	else if (!write)
		return g_variant_get_child_value(reply, 0);
	return g_steal_pointer(&reply);
}

static void
changed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GVariant) reply = op_exchange_finish(task, source, result, TRUE);

	if (reply != NULL)
		op_return(task);
}

static void
viewed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	Op *op = g_task_get_task_data(task);
	g_autoptr(GVariant) dict = op_exchange_finish(task, source, result, FALSE);

	if (dict == NULL || !op_take_current(task, dict))
		return;
	op_exchange(g_steal_pointer(&task), settings_to_variant(&op->wanted), changed_cb);
}

/* Runs the operation of @task (owned): over D-Bus while mmsd-tng is running
 * on our session bus, else through the relay when an agent is there, else
 * it is unavailable. Either way it reads first: what to write depends on
 * what mmsd-tng holds. */
static void
op_start(MmsdBackend *self, GTask *task)
{
	Op *op = g_task_get_task_data(task);

	if (self->watch.present) {
		op_exchange(task, NULL, viewed_cb);
		return;
	}
	if (self->relay != NULL && self->relay->available(self->relay)) {
		op->relay = self->relay;
		op_exchange(task, NULL, viewed_cb);
		return;
	}
	op_return_unavailable(task);
	g_object_unref(task);
}

/* --- the cache behind preview -------------------------------------------------- */

/* preview must answer at once: while mmsd-tng runs the backend keeps its
 * settings, read again when it appears, when it signals SettingsChanged and
 * after each of our own calls. Reference counted so that a call in flight
 * outlives the backend safely. Without mmsd-tng there is no preview. */

struct _MmsdCache {
	OmacpBackendCache base;
	gboolean valid; /* settings hold what mmsd-tng said */
	MmsdSettings settings;
};

static void
cache_forget(OmacpBackendCache *base)
{
	MmsdCache *cache = (MmsdCache *) base;

	mmsd_settings_clear(&cache->settings);
	cache->valid = FALSE;
}

/* One ViewSettings call of the cache. */
typedef struct {
	MmsdCache *cache;
	GCancellable *cancellable;
} CacheRead;

static void
cache_viewed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree CacheRead *read = user_data;
	MmsdCache *cache = read->cache;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL)
		g_debug("mmsd: reading the settings for the cache failed: %s", error->message);
	if (omacp_backend_cache_refresh_wanted(&cache->base, read->cancellable)) {
		cache_forget(&cache->base);
		cache->valid = reply != NULL;
		if (reply != NULL) {
			g_autoptr(GVariant) dict = g_variant_get_child_value(reply, 0);
			settings_from_variant(dict, &cache->settings);
		}
	}
	omacp_backend_cache_refresh_done(&cache->base, read->cancellable);
}

static void
cache_refresh(OmacpBackendCache *base, GCancellable *cancellable)
{
	CacheRead *read = g_new0(CacheRead, 1);

	read->cache = (MmsdCache *) base;
	read->cancellable = cancellable;
	g_dbus_connection_call(base->bus, MMSD_BUS_NAME, MMSD_PATH, MMSD_INTERFACE, "ViewSettings",
	                       NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
	                       MMSD_TIMEOUT, cancellable, cache_viewed_cb, read);
}

static const OmacpBackendCacheClass mmsd_cache_class = {
	.refresh = cache_refresh,
	.forget = cache_forget,
};

static MmsdCache *
cache_new(GDBusConnection *bus)
{
	static const OmacpBackendCacheSignal signals[] = {
		{ MMSD_INTERFACE, "SettingsChanged", MMSD_PATH, NULL },
	};

	return (MmsdCache *) omacp_backend_cache_new(sizeof(MmsdCache), &mmsd_cache_class, bus,
	                                             MMSD_BUS_NAME, signals, G_N_ELEMENTS(signals));
}

/* Stops @cache for good and drops the backend's reference. */
static void
cache_stop(MmsdCache *cache)
{
	omacp_backend_cache_stop(&cache->base);
}

/* --- preview ------------------------------------------------------------------ */

/* mmsd-tng's "not configured" value of each key, in mmsd_keys order. */
static const char *const mmsd_unset[] = { MMSD_UNSET_MMSC, MMSD_UNSET_APN, MMSD_UNSET_PROXY };

/* @value of key @i as a user reads it: "" for none. */
static const char *
shown_setting(gsize i, const char *value)
{
	if (value == NULL || strcmp(value, mmsd_unset[i]) == 0)
		return "";
	return value;
}

static GVariant *
mmsd_preview(OmacpBackend *backend, const OmacpProfile *profile, const char *existing_id)
{
	MmsdBackend *self = mmsd_backend(backend);
	MmsdSettings wanted = { 0 };
	MmsdSettings current = { 0 };
	GVariantBuilder b;

	if (!wanted_settings(profile, &wanted, NULL))
		return NULL;
	/* where apply would read them (op_start) */
	if (self->cache == NULL || !self->cache->base.present || !self->cache->valid) {
		mmsd_settings_clear(&wanted);
		return NULL;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++)
		current.values[i] = g_strdup(self->cache->settings.values[i]);

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	/* the check op_decide() makes */
	if (existing_id != NULL && !mmsd_settings_equal(&current, &wanted)) {
		g_autofree char *now = settings_id(&current);

		if (strcmp(now, existing_id) != 0)
			g_variant_builder_add_value(
			        &b, omacp_backend_change_entry(
			                    "edited-by-hand", "true", "overwritten",
			                    "the mmsd-tng settings were edited by hand since omacp "
			                    "wrote them; applying overwrites those edits"));
	}
	for (gsize i = 0; i < G_N_ELEMENTS(mmsd_keys); i++) {
		const char *old_value = shown_setting(i, current.values[i]);
		const char *new_value = shown_setting(i, wanted.values[i]);

		if (g_strcmp0(current.values[i], wanted.values[i]) == 0 ||
		    strcmp(old_value, new_value) == 0)
			continue;
		g_variant_builder_add_value(
		        &b, omacp_backend_change_entry(mmsd_keys[i], old_value, new_value, NULL));
	}
	mmsd_settings_clear(&wanted);
	mmsd_settings_clear(&current);
	return g_variant_builder_end(&b); /* empty: nothing changes */
}

/* --- vtable ------------------------------------------------------------------ */

static void
mmsd_apply_async(OmacpBackend *backend, const OmacpProfile *profile, const char *message,
                 const char *existing_id, gboolean force, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data)
{
	MmsdBackend *self = mmsd_backend(backend);
	g_autoptr(GTask) task =
	        op_task_new(self, OP_APPLY, cancellable, callback, user_data, mmsd_apply_async);
	Op *op = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	op->existing_id = g_strdup(existing_id);
	op->force = force;
	op->identity = g_strdup(profile->identity);
	op->imsi = g_strdup(profile->imsi);
	if (!wanted_settings(profile, &op->wanted, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	op_start(self, g_steal_pointer(&task));
}

static void
mmsd_remove_async(OmacpBackend *backend, const char *id, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
	MmsdBackend *self = mmsd_backend(backend);
	g_autoptr(GTask) task =
	        op_task_new(self, OP_REMOVE, cancellable, callback, user_data, mmsd_remove_async);
	Op *op = g_task_get_task_data(task);

	if (!g_str_has_prefix(id, MMSD_ID_PREFIX)) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		                        "mmsd: '%s' is not an mmsd-tng settings id", id);
		return;
	}
	op->existing_id = g_strdup(id);
	op_start(self, g_steal_pointer(&task));
}

static void
mmsd_undo_async(OmacpBackend *backend, const char *id, GVariant *undo, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
	MmsdBackend *self = mmsd_backend(backend);
	g_autoptr(GTask) task =
	        op_task_new(self, OP_UNDO, cancellable, callback, user_data, mmsd_undo_async);
	Op *op = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) previous = omacp_backend_undo_lookup(
	        backend, undo, "properties", G_VARIANT_TYPE_VARDICT, id, &error);

	if (previous == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	settings_from_variant(previous, &op->wanted);
	op_start(self, g_steal_pointer(&task));
}

static gboolean
mmsd_handles(OmacpBackend *backend, const OmacpProfile *profile)
{
	return profile->kind == OMACP_PROFILE_MMS;
}

static gboolean
mmsd_is_available(OmacpBackend *backend)
{
	MmsdBackend *self = mmsd_backend(backend);

	return self->watch.present || (self->relay != NULL && self->relay->available(self->relay));
}

static void
mmsd_free(OmacpBackend *backend)
{
	MmsdBackend *self = mmsd_backend(backend);

	omacp_backend_name_watch_stop(&self->watch);
	if (self->relay != NULL)
		self->relay->set_changed_func(self->relay, NULL, NULL);
	g_clear_pointer(&self->cache, cache_stop);
	g_clear_object(&self->bus);
	g_free(self);
}

static const OmacpBackendClass mmsd_class = {
	OMACP_BACKEND_APPLYING_CLASS(mmsd, "mmsd"),
};

static void
relay_availability_changed(gpointer user_data)
{
	MmsdBackend *self = user_data;

	omacp_backend_notify_availability(&self->parent);
}

OmacpBackend *
omacp_backend_mmsd_new_with_relay(GDBusConnection *session_bus, OmacpMmsdRelay *relay)
{
	MmsdBackend *self;

	g_return_val_if_fail(session_bus == NULL || G_IS_DBUS_CONNECTION(session_bus), NULL);

	self = omacp_backend_new0(MmsdBackend, &mmsd_class);
	self->relay = relay;
	if (relay != NULL)
		relay->set_changed_func(relay, relay_availability_changed, self);
	if (session_bus != NULL) {
		self->bus = g_object_ref(session_bus);
		self->cache = cache_new(session_bus);
		omacp_backend_name_watch_start(&self->watch, &self->parent, session_bus,
		                               MMSD_BUS_NAME);
	}
	return &self->parent;
}

OmacpBackend *
omacp_backend_mmsd_new(GDBusConnection *session_bus, const char *settings_file)
{
	/* @settings_file is no longer written (see the top); kept for the API */
	(void) settings_file;
	return omacp_backend_mmsd_new_with_relay(session_bus, NULL);
}

static OmacpBackend *
mmsd_create(const OmacpBackendSetup *setup)
{
	/* mmsd-tng lives on a user's session bus; a system daemon has none
	 * (and must not autolaunch one): then the backend is unavailable */
	g_autoptr(GDBusConnection) session = NULL;

	if (g_getenv("DBUS_SESSION_BUS_ADDRESS") != NULL)
		session = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	return omacp_backend_mmsd_new_with_relay(session, setup->mmsd_relay);
}

const OmacpBackendInfo omacp_backend_info_mmsd = {
	.name = "mmsd",
	.create = mmsd_create,
};
