/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "apply.h"

#include "backend.h"
#include "omacp.h"

struct _OmacpApplier {
	GPtrArray *backends; /* OmacpBackend *, enabled and constructed */
	GArray *generations; /* guint per backend: availability changes seen */
	OmacpApplierReadyFunc ready_func;
	gpointer ready_data;
	OmacpSimNetworks sim_networks; /* what the backends ask SIM networks of */
};

static void
backend_availability_changed(OmacpBackend *backend, gpointer user_data)
{
	OmacpApplier *self = user_data;
	guint index;

	if (g_ptr_array_find(self->backends, backend, &index))
		g_array_index(self->generations, guint, index)++;
	g_message("backend %s is %s", backend->klass->name,
	          backend->klass->is_available(backend) ? "available" : "gone");
	if (backend->klass->is_available(backend) && self->ready_func != NULL)
		self->ready_func(self->ready_data);
}

/* The backends omacpd.conf can enable, in the order they apply a profile. */
static const struct {
	const char *name;  /* OmacpBackendInfo.name */
	const char *title; /* for the log */
	gsize enabled;     /* offset of its gboolean in OmacpConfig */
} known_backends[] = {
	{ "networkmanager", "NetworkManager",
	  G_STRUCT_OFFSET(OmacpConfig, backend_networkmanager) },
	{ "ofono", "oFono", G_STRUCT_OFFSET(OmacpConfig, backend_ofono) },
	{ "mmsd", "mmsd", G_STRUCT_OFFSET(OmacpConfig, backend_mmsd) },
	/* follows the oFono adapter: it writes for the SIMs that adapter knows */
	{ "ofono-provision", "oFono provisioning file",
	  G_STRUCT_OFFSET(OmacpConfig, adapter_ofono) },
};

static void
add_backend(OmacpApplier *self, const char *title, OmacpBackend *backend)
{
	if (backend == NULL) {
		g_message("backend %s is enabled but cannot run here; not used", title);
		return;
	}
	backend->availability_changed = backend_availability_changed;
	backend->availability_user_data = self;
	g_ptr_array_add(self->backends, backend);
	g_array_set_size(self->generations, self->backends->len);
}

OmacpApplier *
omacp_applier_new(const OmacpConfig *config, GDBusConnection *bus)
{
	return omacp_applier_new_with_relay(config, bus, NULL, (OmacpMbpiSource){ NULL, NULL });
}

OmacpApplier *
omacp_applier_new_with_relay(const OmacpConfig *config, GDBusConnection *bus,
                             OmacpMmsdRelay *mmsd_relay, OmacpMbpiSource mbpi)
{
	OmacpApplier *self = g_new0(OmacpApplier, 1);
	OmacpBackendSetup setup = {
		.bus = bus,
		.mmsd_settings_file = config->mmsd_settings_file,
		.sim_networks = &self->sim_networks,
		.mmsd_relay = mmsd_relay,
		.mbpi = mbpi,
	};

	self->backends = g_ptr_array_new_with_free_func((GDestroyNotify) omacp_backend_free);
	self->generations = g_array_new(FALSE, TRUE, sizeof(guint));
	for (gsize i = 0; i < G_N_ELEMENTS(known_backends); i++) {
		const OmacpBackendInfo *info;

		if (!G_STRUCT_MEMBER(gboolean, config, known_backends[i].enabled))
			continue;
		info = omacp_backend_info_lookup(known_backends[i].name);
		if (info == NULL)
			g_message("this omacpd was built without the %s backend",
			          known_backends[i].title);
		else
			add_backend(self, known_backends[i].title, info->create(&setup));
	}
	return self;
}

void
omacp_applier_free(OmacpApplier *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->backends, g_ptr_array_unref);
	g_clear_pointer(&self->generations, g_array_unref);
	g_free(self);
}

void
omacp_applier_add_backend(OmacpApplier *self, OmacpBackend *backend)
{
	g_return_if_fail(backend != NULL);
	add_backend(self, backend->klass->name, backend);
}

void
omacp_applier_set_ready_func(OmacpApplier *self, OmacpApplierReadyFunc func, gpointer user_data)
{
	self->ready_func = func;
	self->ready_data = user_data;
}

char *
omacp_applier_describe(OmacpApplier *self)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (guint i = 0; i < self->backends->len; i++) {
		OmacpBackend *b = g_ptr_array_index(self->backends, i);

		g_string_append_printf(s, "%s%s", s->len ? ", " : "", b->klass->name);
	}
	if (s->len == 0)
		g_string_append(s, "none");
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static OmacpBackend *
find_backend(OmacpApplier *self, const char *name)
{
	for (guint i = 0; i < self->backends->len; i++) {
		OmacpBackend *b = g_ptr_array_index(self->backends, i);

		if (g_strcmp0(b->klass->name, name) == 0)
			return b;
	}
	return NULL;
}

static char *
target_for(GVariant *targets, const char *backend)
{
	GVariantIter iter;
	const char *name;
	const char *id;

	if (targets == NULL)
		return NULL;
	g_variant_iter_init(&iter, targets);
	while (g_variant_iter_next(&iter, "(&s&s)", &name, &id)) {
		if (g_strcmp0(name, backend) == 0)
			return g_strdup(id);
	}
	return NULL;
}

gboolean
omacp_applier_can_apply(OmacpApplier *self, const OmacpProfile *profile, char **out_waiting_for)
{
	g_autoptr(GString) waiting = g_string_new(NULL);

	for (guint i = 0; i < self->backends->len; i++) {
		OmacpBackend *b = g_ptr_array_index(self->backends, i);

		if (!b->klass->handles(b, profile))
			continue;
		if (b->klass->is_available(b))
			return TRUE;
		g_string_append_printf(waiting, "%s%s", waiting->len ? " or " : "", b->klass->name);
	}
	if (waiting->len == 0)
		return TRUE; /* no enabled backend handles it: nothing to wait for */
	if (out_waiting_for != NULL)
		*out_waiting_for = g_string_free(g_steal_pointer(&waiting), FALSE);
	return FALSE;
}

gboolean
omacp_applier_has_missing(OmacpApplier *self, const OmacpProfile *profile, GVariant *targets)
{
	for (guint i = 0; i < self->backends->len; i++) {
		OmacpBackend *b = g_ptr_array_index(self->backends, i);
		g_autofree char *existing = NULL;

		if (!b->klass->handles(b, profile) || !b->klass->is_available(b))
			continue;
		existing = target_for(targets, b->klass->name);
		if (existing == NULL)
			return TRUE;
	}
	return FALSE;
}

/* ---- apply: every handling backend in turn, undo on failure ---- */

typedef struct {
	OmacpApplier *self;
	const OmacpProfile *profile;
	char *message; /* the message the profile came from, may be NULL */
	GVariant *targets;
	OmacpApplyFlags flags;
	guint index;
	guint generation;     /* of the backend at index when its apply started */
	GPtrArray *done;      /* GVariant (ssv) undo entries made so far */
	GString *unavailable; /* handling backends that could not take it now */
	GError *error;        /* failure being rolled back */
} ApplyData;

static void
apply_data_free(ApplyData *d)
{
	g_clear_pointer(&d->targets, g_variant_unref);
	g_free(d->message);
	g_clear_pointer(&d->done, g_ptr_array_unref);
	g_string_free(d->unavailable, TRUE);
	g_clear_error(&d->error);
	g_free(d);
}

static void apply_next(GTask *task);

static void
rollback_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *d = g_task_get_task_data(task);
	g_autoptr(GError) local = NULL;

	if (!omacp_applier_undo_finish(d->self, result, &local))
		g_message("rolling back %s failed too: %s", d->profile->identity, local->message);
	g_task_return_error(task, g_steal_pointer(&d->error));
}

static void
note_unavailable(ApplyData *d, const char *name)
{
	g_string_append_printf(d->unavailable, "%s%s", d->unavailable->len ? ", " : "", name);
}

static void
apply_one_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *d = g_task_get_task_data(task);
	OmacpBackend *b = g_ptr_array_index(d->self->backends, d->index);
	g_autoptr(GError) local = NULL;
	g_autoptr(GVariant) undo = NULL;
	g_autofree char *id = b->klass->apply_finish(b, result, &undo, &local);
	/* the service left (or restarted) while it applied: its calls failed for
	 * that, so it counts as not there, and the profile goes to it when it is
	 * back rather than the message failing */
	gboolean gone = id == NULL && !g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
	                (!b->klass->is_available(b) ||
	                 g_array_index(d->self->generations, guint, d->index) != d->generation);

	if (gone ||
	    (id == NULL && g_error_matches(local, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE))) {
		/* e.g. oFono runs but no modem has the SIM: like a backend that
		 * is not there; the others still get the profile */
		g_message("%s: %s; applied without it", d->profile->identity, local->message);
		note_unavailable(d, b->klass->name);
		d->index++;
		apply_next(g_steal_pointer(&task));
		return;
	}
	if (id == NULL) {
		d->error = g_error_new(OMACP_ERROR,
		                       local->domain == OMACP_ERROR ? local->code
		                                                    : OMACP_ERROR_BACKEND,
		                       "%s: %s", b->klass->name, local->message);
		if (d->done->len > 0) {
			g_autoptr(GVariant) all = g_variant_ref_sink(
			        g_variant_new_array(G_VARIANT_TYPE("(ssv)"),
			                            (GVariant **) d->done->pdata, d->done->len));

			omacp_applier_undo_async(d->self, all, g_task_get_cancellable(task),
			                         rollback_done, g_steal_pointer(&task));
			return;
		}
		g_task_return_error(task, g_steal_pointer(&d->error));
		return;
	}
	if (undo == NULL)
		undo = g_variant_ref_sink(g_variant_new("a{sv}", NULL));
	g_ptr_array_add(d->done, g_variant_ref_sink(g_variant_new("(ss@v)", b->klass->name, id,
	                                                          g_variant_new_variant(undo))));
	d->index++;
	apply_next(g_steal_pointer(&task));
}

static void
apply_next(GTask *task)
{
	ApplyData *d = g_task_get_task_data(task);

	for (; d->index < d->self->backends->len; d->index++) {
		OmacpBackend *b = g_ptr_array_index(d->self->backends, d->index);
		g_autofree char *existing = NULL;

		if (!b->klass->handles(b, d->profile))
			continue;
		existing = target_for(d->targets, b->klass->name);
		if ((d->flags & OMACP_APPLY_MISSING_ONLY) && existing != NULL)
			continue;
		if (!b->klass->is_available(b)) {
			/* applied there once it appears (omacp_applier_has_missing) */
			note_unavailable(d, b->klass->name);
			continue;
		}
		d->generation = g_array_index(d->self->generations, guint, d->index);
		b->klass->apply_async(b, d->profile, d->message, existing,
		                      (d->flags & OMACP_APPLY_FORCE) != 0,
		                      g_task_get_cancellable(task), apply_one_done, task);
		return;
	}
	if (d->done->len == 0 && d->unavailable->len > 0) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
		                        "no backend can take %s now (%s)", d->profile->identity,
		                        d->unavailable->str);
		g_object_unref(task);
		return;
	}
	g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

void
omacp_applier_apply_async(OmacpApplier *self, const OmacpProfile *profile, GVariant *targets,
                          const char *message, OmacpApplyFlags flags, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	ApplyData *d = g_new0(ApplyData, 1);

	d->self = self;
	d->profile = profile;
	d->flags = flags;
	d->message = g_strdup(message);
	d->targets = targets ? g_variant_ref(targets) : NULL;
	d->done = g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
	d->unavailable = g_string_new(NULL);
	g_task_set_task_data(task, d, (GDestroyNotify) apply_data_free);
	apply_next(task);
}

gboolean
omacp_applier_apply_finish(OmacpApplier *self, GAsyncResult *result, GVariant **out_targets,
                           GVariant **out_undo, GError **error)
{
	ApplyData *d = g_task_get_task_data(G_TASK(result));
	GVariantBuilder targets;

	if (!g_task_propagate_boolean(G_TASK(result), error))
		return FALSE;
	g_variant_builder_init(&targets, G_VARIANT_TYPE("a(ss)"));
	/* objects of backends not touched this time stay the profile's */
	if (d->targets != NULL) {
		GVariantIter iter;
		const char *name;
		const char *id;
		g_variant_iter_init(&iter, d->targets);
		while (g_variant_iter_next(&iter, "(&s&s)", &name, &id)) {
			gboolean replaced = FALSE;

			for (guint i = 0; i < d->done->len; i++) {
				const char *done_name = NULL;

				g_variant_get_child(g_ptr_array_index(d->done, i), 0, "&s",
				                    &done_name);
				replaced |= g_strcmp0(done_name, name) == 0;
			}
			if (!replaced)
				g_variant_builder_add(&targets, "(ss)", name, id);
		}
	}
	for (guint i = 0; i < d->done->len; i++) {
		const char *name = NULL;
		const char *id = NULL;

		g_variant_get_child(g_ptr_array_index(d->done, i), 0, "&s", &name);
		g_variant_get_child(g_ptr_array_index(d->done, i), 1, "&s", &id);
		g_variant_builder_add(&targets, "(ss)", name, id);
	}
	*out_targets = g_variant_ref_sink(g_variant_builder_end(&targets));
	*out_undo = g_variant_ref_sink(g_variant_new_array(
	        G_VARIANT_TYPE("(ssv)"), (GVariant **) d->done->pdata, d->done->len));
	return TRUE;
}

/* ---- remove and undo: one backend call per entry, in turn ---- */

typedef struct {
	OmacpApplier *self;
	GVariant *entries; /* a(ss) or a(ssv) */
	gboolean undo;
	gsize index;
	GString *errors;
} EachData;

static void
each_data_free(EachData *d)
{
	g_clear_pointer(&d->entries, g_variant_unref);
	g_string_free(d->errors, TRUE);
	g_free(d);
}

static void each_next(GTask *task);

static void
each_one_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	EachData *d = g_task_get_task_data(task);
	g_autoptr(GVariant) entry = g_variant_get_child_value(d->entries, d->index);
	g_autoptr(GError) local = NULL;
	const char *name = NULL;
	OmacpBackend *b;
	gboolean ok;

	g_variant_get_child(entry, 0, "&s", &name);
	b = find_backend(d->self, name);
	ok = d->undo ? b->klass->undo_finish(b, result, &local)
	             : b->klass->remove_finish(b, result, &local);
	if (!ok)
		g_string_append_printf(d->errors, "%s%s: %s", d->errors->len ? "; " : "", name,
		                       local->message);
	d->index++;
	each_next(task);
}

static void
each_next(GTask *task)
{
	EachData *d = g_task_get_task_data(task);

	while (d->index < g_variant_n_children(d->entries)) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(d->entries, d->index);
		const char *name = NULL;
		const char *id = NULL;
		OmacpBackend *b;

		g_variant_get_child(entry, 0, "&s", &name);
		g_variant_get_child(entry, 1, "&s", &id);
		b = find_backend(d->self, name);
		if (b == NULL || !b->klass->is_available(b)) {
			g_string_append_printf(d->errors, "%s%s: %s", d->errors->len ? "; " : "",
			                       name,
			                       b == NULL ? "backend not enabled" : "not running");
			d->index++;
			continue;
		}
		if (d->undo) {
			g_autoptr(GVariant) boxed = g_variant_get_child_value(entry, 2);
			g_autoptr(GVariant) snapshot = g_variant_get_variant(boxed);

			b->klass->undo_async(b, id, snapshot, g_task_get_cancellable(task),
			                     each_one_done, task);
		} else {
			b->klass->remove_async(b, id, g_task_get_cancellable(task), each_one_done,
			                       task);
		}
		return;
	}
	if (d->errors->len > 0)
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND, "%s",
		                        d->errors->str);
	else
		g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static void
each_start(OmacpApplier *self, GVariant *entries, gboolean undo, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	EachData *d = g_new0(EachData, 1);

	d->self = self;
	/* one reference of ours: a floating @entries is taken, another one is
	 * shared (ref_sink of a non-floating value is a plain ref) */
	d->entries = g_variant_ref_sink(entries ? entries
	                                        : g_variant_new(undo ? "a(ssv)" : "a(ss)", NULL));
	d->undo = undo;
	d->errors = g_string_new(NULL);
	g_task_set_task_data(task, d, (GDestroyNotify) each_data_free);
	each_next(task);
}

void
omacp_applier_remove_async(OmacpApplier *self, GVariant *targets, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
	each_start(self, targets, FALSE, cancellable, callback, user_data);
}

void
omacp_applier_undo_async(OmacpApplier *self, GVariant *undo, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
	each_start(self, undo, TRUE, cancellable, callback, user_data);
}

/* Both are each_start() tasks. */
gboolean
omacp_applier_remove_finish(OmacpApplier *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
omacp_applier_undo_finish(OmacpApplier *self, GAsyncResult *result, GError **error)
{
	return omacp_applier_remove_finish(self, result, error);
}

GVariant *
omacp_applier_preview(OmacpApplier *self, const OmacpProfile *profile, GVariant *targets)
{
	GVariantBuilder out;
	gboolean any = FALSE;

	g_variant_builder_init(&out, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < self->backends->len; i++) {
		OmacpBackend *b = g_ptr_array_index(self->backends, i);
		g_autofree char *existing = NULL;
		g_autoptr(GVariant) preview = NULL;
		GVariantIter iter;
		GVariant *entry;

		if (b->klass->preview == NULL || !b->klass->handles(b, profile) ||
		    !b->klass->is_available(b))
			continue;
		existing = target_for(targets, b->klass->name);
		preview = b->klass->preview(b, profile, existing);
		if (preview == NULL)
			continue;
		g_variant_ref_sink(preview);
		g_variant_iter_init(&iter, preview);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
			GVariantDict dict;
			const char *field = NULL;
			g_autofree char *qualified = NULL;

			g_variant_dict_init(&dict, entry);
			if (g_variant_dict_lookup(&dict, "field", "&s", &field)) {
				qualified = g_strdup_printf("%s:%s", b->klass->name, field);
				g_variant_dict_insert(&dict, "field", "s", qualified);
			}
			g_variant_builder_add_value(&out, g_variant_dict_end(&dict));
			g_variant_unref(entry);
			any = TRUE;
		}
	}
	if (!any) {
		g_variant_builder_clear(&out);
		return NULL;
	}
	return g_variant_ref_sink(g_variant_builder_end(&out));
}

/* ---- settings kept per SIM ---- */

void
omacp_applier_set_sim_networks(OmacpApplier *self, OmacpSimNetworkFunc func, gpointer user_data)
{
	self->sim_networks.func = func;
	self->sim_networks.user_data = user_data;
}

gboolean
omacp_applier_write_sim_settings(OmacpApplier *self, const char *imsi, GPtrArray *profiles,
                                 char **out_note, GError **error)
{
	g_autoptr(GString) notes = g_string_new(NULL);

	for (guint i = 0; i < self->backends->len; i++) {
		OmacpBackend *b = g_ptr_array_index(self->backends, i);
		g_autofree char *note = NULL;

		if (b->klass->write_sim_settings == NULL)
			continue;
		if (!b->klass->write_sim_settings(b, imsi, profiles, &note, error))
			return FALSE;
		if (note != NULL)
			g_string_append_printf(notes, "%s%s", notes->len ? "; " : "", note);
	}
	*out_note = notes->len > 0 ? g_string_free(g_steal_pointer(&notes), FALSE) : NULL;
	return TRUE;
}
