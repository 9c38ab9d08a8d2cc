/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "apply-queue.h"

#include <string.h>

#include "changes.h"
#include "message-store.h"

struct _OmacpApplyQueue {
	OmacpObjects *objects;
	OmacpApplier *applier;
	OmacpAdapters *adapters;
	OmacpActivate activate;

	/* QueuedApply *: messages whose profiles another apply holds, in the
	 * order they were accepted */
	GQueue waiting;

	/* applying profiles on backends that appeared after them, one at a time */
	gboolean catch_up_running;
	GHashTable *catch_up_failed; /* profile ids not retried until a backend appears */
};

static void start_apply(OmacpApplyQueue *self, OmacpDaemonMessage *msg,
                        GDBusMethodInvocation *invocation, gboolean user_confirmed);
static void run_waiting(OmacpApplyQueue *self);
static void catch_up(OmacpApplyQueue *self);

/* ---- Changes ---- */

void
omacp_apply_queue_update_changes(OmacpApplyQueue *self, OmacpDaemonMessage *msg)
{
	GVariantBuilder b;

	omacp_daemon_message_bind_sim(msg);
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; msg->decoded != NULL && i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);
		OmacpDaemonProfile *existing =
		        omacp_objects_find_profile(self->objects, p->identity, p->imsi);
		OmacpDBusProfile *e = existing ? OMACP_DBUS_PROFILE(existing) : NULL;
		g_autoptr(GVariant) preview = NULL;

		if (p->op != OMACP_OP_REMOVE && self->applier != NULL)
			preview = omacp_applier_preview(
			        self->applier, p, e ? omacp_dbus_profile_get_targets(e) : NULL);
		omacp_changes_add_profile(&b, p, existing != NULL,
		                          e ? omacp_dbus_profile_get_name(e) : NULL,
		                          e ? omacp_dbus_profile_get_settings(e) : NULL, preview);
	}
	omacp_daemon_message_set_changes(msg, g_variant_builder_end(&b));
}

/* ---- undo records ---- */

static guint
undo_entry_profile(GVariant *entry)
{
	guint id = 0;

	g_variant_lookup(entry, "profile", "u", &id);
	return id;
}

/* @old's backend entries (a(ssv)) plus those of @more for backends @old has
 * none of: the earliest snapshot of a backend's object is the one to go
 * back to. */
static GVariant *
merge_backend_undo(GVariant *old, GVariant *more)
{
	GVariantBuilder b;
	GVariantIter iter;
	GVariant *item;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ssv)"));
	for (guint pass = 0; pass < 2; pass++) {
		GVariant *list = pass == 0 ? old : more;

		if (list == NULL)
			continue;
		g_variant_iter_init(&iter, list);
		while ((item = g_variant_iter_next_value(&iter)) != NULL) {
			char *name = NULL;

			g_variant_get_child(item, 0, "s", &name);
			if (g_hash_table_add(seen, name))
				g_variant_builder_add_value(&b, item);
			g_variant_unref(item);
		}
	}
	return g_variant_builder_end(&b);
}

/* The undo record of a message (aa{sv}, one entry per profile) after more
 * work on it: @old (may be NULL) from an earlier run (applied partly before a
 * confirmation, or before a backend appeared), @more new entries (GVariant
 * a{sv}). Per profile the earliest entry wins; backends first seen in @more
 * are added to it. */
static GVariant *
merge_undo(GVariant *old, GPtrArray *more)
{
	g_autoptr(GPtrArray) merged =
	        g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
	GVariantIter iter;
	GVariant *entry;

	if (old != NULL) {
		g_variant_iter_init(&iter, old);
		while ((entry = g_variant_iter_next_value(&iter)) != NULL)
			g_ptr_array_add(merged, entry);
	}
	for (guint i = 0; i < more->len; i++) {
		GVariant *add = g_ptr_array_index(more, i);
		guint id = undo_entry_profile(add);
		gboolean found = FALSE;

		for (guint j = 0; j < merged->len && !found; j++) {
			GVariant *have = g_ptr_array_index(merged, j);
			g_autoptr(GVariant) have_bu = NULL;
			g_autoptr(GVariant) add_bu = NULL;
			GVariantDict d;

			if (undo_entry_profile(have) != id)
				continue;
			found = TRUE;
			have_bu = g_variant_lookup_value(have, "backend-undo",
			                                 G_VARIANT_TYPE("a(ssv)"));
			add_bu = g_variant_lookup_value(add, "backend-undo",
			                                G_VARIANT_TYPE("a(ssv)"));
			g_variant_dict_init(&d, have);
			g_variant_dict_insert_value(&d, "backend-undo",
			                            merge_backend_undo(have_bu, add_bu));
			g_ptr_array_index(merged, j) = g_variant_ref_sink(g_variant_dict_end(&d));
			g_variant_unref(have);
		}
		if (!found)
			g_ptr_array_add(merged, g_variant_ref(add));
	}
	return g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("a{sv}"),
	                                              (GVariant **) merged->pdata, merged->len));
}

static void
add_to_undo(OmacpDaemonMessage *msg, GPtrArray *more)
{
	GVariant *undo = merge_undo(msg->undo, more);

	g_clear_pointer(&msg->undo, g_variant_unref);
	msg->undo = undo;
}

/* ---- the omacp-provision oFono plugin's file ---- */

static gint
compare_updated_desc(gconstpointer a, gconstpointer b)
{
	guint64 x = omacp_dbus_profile_get_updated_at(*(OmacpDBusProfile *const *) a);
	guint64 y = omacp_dbus_profile_get_updated_at(*(OmacpDBusProfile *const *) b);

	return x > y ? -1 : x < y ? 1 : 0;
}

/* Writes the internet and MMS settings omacp holds for the SIM @imsi (the
 * most recently updated profile of each kind) for the plugin, which answers
 * with them when oFono provisions that SIM afresh. Profiles whose message
 * is gone (no secrets left) are not written. */
static void
provision_ofono(OmacpApplyQueue *self, const char *imsi)
{
	g_autoptr(GPtrArray) found = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *note = NULL;
	g_autofree char *masked = NULL;
	GHashTableIter iter;
	gpointer value;

	if (self->adapters == NULL || imsi == NULL)
		return;
	g_hash_table_iter_init(&iter, omacp_objects_get_profiles(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonProfile *p = value;
		const char *kind = omacp_dbus_profile_get_kind(OMACP_DBUS_PROFILE(p));

		if (g_strcmp0(p->imsi, imsi) == 0 &&
		    (g_strcmp0(kind, "internet") == 0 || g_strcmp0(kind, "mms") == 0))
			g_ptr_array_add(found, p);
	}
	g_ptr_array_sort(found, compare_updated_desc);
	for (guint i = 0; i < found->len; i++) {
		OmacpDaemonProfile *p = g_ptr_array_index(found, i);
		OmacpDaemonMessage *msg = omacp_objects_message_of_profile(self->objects, p);
		const OmacpProfile *profile = NULL;

		if (msg != NULL && omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_APPLIED))
			profile = omacp_objects_decoded_profile_of(msg, p);
		if (profile != NULL)
			g_ptr_array_add(profiles, (gpointer) profile);
	}
	masked = omacp_mask_imsi(imsi);
	if (!omacp_applier_write_sim_settings(self->applier, imsi, profiles, &note, &error))
		g_warning("SIM %s: oFono provisioning file not written: %s", masked,
		          error->message);
	else if (note != NULL)
		g_message("SIM %s: %s", masked, note);
}

/* TRUE when @msg sets or removes internet or MMS settings (what the oFono
 * plugin's file holds). */
static gboolean
has_connectivity_profile(OmacpDaemonMessage *msg)
{
	for (guint i = 0; msg->decoded != NULL && i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);

		if (p->kind == OMACP_PROFILE_INTERNET || p->kind == OMACP_PROFILE_MMS)
			return TRUE;
	}
	return FALSE;
}

/* ---- applying a message ---- */

typedef struct {
	const OmacpProfile *profile; /* owned by msg->decoded */
	guint profile_id;
	gboolean created;
	gboolean removing;
	GVariant *previous; /* a{sv} snapshot, NULL when created */
} Work;

static void
work_free(Work *w)
{
	g_clear_pointer(&w->previous, g_variant_unref);
	g_free(w);
}

typedef struct {
	OmacpApplyQueue *self;
	guint msg_id;
	GDBusMethodInvocation *invocation; /* may be NULL */
	GPtrArray *work;                   /* Work * */
	guint index;
	GPtrArray *undo; /* GVariant a{sv} */
	OmacpApplyFlags flags;
	guint n_taken;    /* profiles applied (or with nothing to apply them on) */
	GString *waiting; /* profiles no backend could take now */
	/* a profile only a forced apply takes (hand edit, active context) */
	const OmacpProfile *edited;
} ApplyJob;

static void
apply_job_free(ApplyJob *job)
{
	g_clear_object(&job->invocation);
	g_clear_pointer(&job->work, g_ptr_array_unref);
	g_clear_pointer(&job->undo, g_ptr_array_unref);
	g_string_free(job->waiting, TRUE);
	g_free(job);
}

static void apply_job_next(ApplyJob *job);

static void
apply_job_finish(ApplyJob *job, const GError *error)
{
	OmacpApplyQueue *self = job->self;
	OmacpDaemonMessage *msg = omacp_objects_lookup_message(self->objects, job->msg_id);
	gboolean again = FALSE;

	for (guint i = 0; job->work != NULL && i < job->work->len; i++) {
		Work *w = g_ptr_array_index(job->work, i);
		OmacpDaemonProfile *p = omacp_objects_lookup_profile(self->objects, w->profile_id);

		if (p != NULL)
			p->busy = FALSE;
	}
	if (msg != NULL) {
		OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);

		add_to_undo(msg, job->undo);
		msg->busy = FALSE;
		if (error == NULL && job->n_taken == 0 && job->waiting->len > 0) {
			g_autofree char *why = g_strdup_printf("waiting for a backend to apply %s",
			                                       job->waiting->str);

			g_message("message/%u: %s", msg->id, why);
			omacp_dbus_message_set_error(m, why);
			omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_ACCEPTED, NULL);
			/* the backend went and came back while this ran:
			 * applier_ready() skipped the message then */
			again = msg->backend_appeared;
		} else if (error == NULL) {
			g_autoptr(GError) local = NULL;
			OmacpStore *store = omacp_objects_get_store(self->objects);

			if (msg->fingerprint != NULL &&
			    !omacp_store_replay_add(store, msg->fingerprint, &local))
				g_warning("message/%u: %s", msg->id, local->message);
			if (job->waiting->len > 0)
				g_message("message/%u: %s wait(s) for a backend", msg->id,
				          job->waiting->str);
			omacp_dbus_message_set_error(m, "");
			omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_APPLIED, NULL);
			if (has_connectivity_profile(msg))
				provision_ofono(self, msg->imsi);
		} else if (job->edited != NULL) {
			/* the user decides: Accept applies with force */
			omacp_daemon_message_set_changes(
			        msg,
			        omacp_changes_add_forcing(omacp_daemon_message_get_changes(msg),
			                                  job->edited, error->message));
			omacp_daemon_message_set_state(
			        msg, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION, error->message);
		} else {
			omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_FAILED,
			                               error->message);
		}
	}
	if (job->invocation != NULL) {
		if (msg == NULL || error == NULL)
			g_dbus_method_invocation_return_value(job->invocation, NULL);
		else
			omacp_invocation_return_error(job->invocation, error);
	}
	apply_job_free(job);
	if (again)
		start_apply(self, msg, NULL, FALSE);
	run_waiting(self);
	/* a backend may have appeared while this ran */
	catch_up(self);
}

static GVariant *
undo_entry(Work *w, GVariant *backend_undo)
{
	GVariantDict d;

	g_variant_dict_init(&d, NULL);
	g_variant_dict_insert(&d, "profile", "u", w->profile_id);
	g_variant_dict_insert(&d, "created", "b", w->created);
	g_variant_dict_insert(&d, "removed", "b", w->removing);
	if (w->previous != NULL)
		g_variant_dict_insert_value(&d, "previous", w->previous);
	g_variant_dict_insert_value(&d, "backend-undo",
	                            backend_undo ? backend_undo : g_variant_new("a(ssv)", NULL));
	return g_variant_ref_sink(g_variant_dict_end(&d));
}

static void
apply_one_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ApplyJob *job = user_data;
	OmacpApplyQueue *self = job->self;
	Work *w = g_ptr_array_index(job->work, job->index);
	OmacpDaemonProfile *p = omacp_objects_lookup_profile(self->objects, w->profile_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_autoptr(GVariant) backend_undo = NULL;

	if (!omacp_applier_apply_finish(self->applier, result, &targets, &backend_undo, &error)) {
		g_ptr_array_add(job->undo, undo_entry(w, NULL));
		if (g_error_matches(error, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE)) {
			/* recorded; applied when a backend for it appears (catch_up) */
			g_message("message/%u: %s", job->msg_id, error->message);
			g_string_append_printf(job->waiting, "%s%s", job->waiting->len ? ", " : "",
			                       w->profile->identity);
			job->index++;
			apply_job_next(job);
			return;
		}
		/* what a user may still want: Accept then forces it */
		if (omacp_changes_is_forcing_error(error))
			job->edited = w->profile;
		g_prefix_error(&error, "%s: ", w->profile->identity);
		apply_job_finish(job, error);
		return;
	}
	if (p != NULL) {
		omacp_dbus_profile_set_targets(OMACP_DBUS_PROFILE(p), targets);
		omacp_daemon_profile_changed(p);
	}
	g_ptr_array_add(job->undo, undo_entry(w, backend_undo));
	job->n_taken++;
	job->index++;
	apply_job_next(job);
}

static void
remove_one_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ApplyJob *job = user_data;
	OmacpApplyQueue *self = job->self;
	Work *w = g_ptr_array_index(job->work, job->index);
	OmacpDaemonProfile *p = omacp_objects_lookup_profile(self->objects, w->profile_id);
	g_autoptr(GError) error = NULL;

	if (!omacp_applier_remove_finish(self->applier, result, &error)) {
		g_prefix_error(&error, "%s: ", w->profile->identity);
		apply_job_finish(job, error);
		return;
	}
	if (p != NULL)
		omacp_objects_delete_profile(self->objects, p);
	g_ptr_array_add(job->undo, undo_entry(w, NULL));
	job->n_taken++;
	job->index++;
	apply_job_next(job);
}

static void
apply_job_next(ApplyJob *job)
{
	OmacpApplyQueue *self = job->self;
	OmacpDaemonMessage *msg = omacp_objects_lookup_message(self->objects, job->msg_id);
	Work *w;
	OmacpDaemonProfile *p;
	GVariant *targets;

	if (msg == NULL) {
		g_autoptr(GError) error = g_error_new(OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		                                      "the message was deleted while applying");

		apply_job_finish(job, error);
		return;
	}
	if (job->index >= job->work->len) {
		apply_job_finish(job, NULL);
		return;
	}
	w = g_ptr_array_index(job->work, job->index);
	p = omacp_objects_lookup_profile(self->objects, w->profile_id);
	targets = p ? omacp_dbus_profile_get_targets(OMACP_DBUS_PROFILE(p)) : NULL;
	if (w->removing)
		omacp_applier_remove_async(self->applier, targets, NULL, remove_one_done, job);
	else
		omacp_applier_apply_async(self->applier, w->profile, targets, msg->path, job->flags,
		                          NULL, apply_one_done, job);
}

/* Sets @p from @profile of @msg at @now. */
static void
set_profile(OmacpDaemonProfile *p, const OmacpProfile *profile, OmacpDaemonMessage *msg, gint64 now)
{
	OmacpDBusProfile *i = OMACP_DBUS_PROFILE(p);
	const char *empty[] = { NULL };
	g_autoptr(GPtrArray) risks = g_ptr_array_new();

	omacp_dbus_profile_set_kind(i, omacp_profile_kind_to_string(profile->kind));
	omacp_dbus_profile_set_identity(i, profile->identity);
	{
		/* the name and settings come from an SMS: no raw control
		 * character on the bus */
		g_autofree char *name = omacp_changes_escape(profile->name, FALSE);

		omacp_dbus_profile_set_name(i, name);
	}
	omacp_daemon_profile_set_imsi(p, profile->imsi);
	omacp_dbus_profile_set_settings(i, omacp_changes_escape_settings(profile->settings));
	for (guint j = 0; profile->risks != NULL && j < profile->risks->len; j++)
		g_ptr_array_add(risks, g_ptr_array_index(profile->risks, j));
	g_ptr_array_add(risks, NULL);
	omacp_dbus_profile_set_risks(i,
	                             risks->len > 1 ? (const char *const *) risks->pdata : empty);
	omacp_dbus_profile_set_message(i, msg->path);
	omacp_daemon_profile_set_maker_of(p, msg);
	omacp_dbus_profile_set_updated_at(i, (guint64) now);
}

/* Records the profiles of @msg (creating or updating profile objects) and
 * says what the backends must do. */
static GPtrArray *
record_profiles(OmacpApplyQueue *self, OmacpDaemonMessage *msg, gint64 now, GError **error)
{
	g_autoptr(GPtrArray) work = g_ptr_array_new_with_free_func((GDestroyNotify) work_free);

	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *profile = g_ptr_array_index(msg->decoded->profiles, i);
		OmacpDaemonProfile *p =
		        omacp_objects_find_profile(self->objects, profile->identity, profile->imsi);
		Work *w;

		if (profile->op == OMACP_OP_QUERY)
			continue;
		if (profile->op == OMACP_OP_REMOVE) {
			if (p == NULL)
				continue;
			w = g_new0(Work, 1);
			w->profile = profile;
			w->profile_id = p->id;
			w->removing = TRUE;
			w->previous = g_variant_ref_sink(omacp_profile_snapshot(p));
			g_ptr_array_add(work, w);
			continue;
		}
		w = g_new0(Work, 1);
		w->profile = profile;
		if (p == NULL) {
			p = omacp_objects_new_profile(self->objects, error);
			if (p == NULL) {
				work_free(w);
				return NULL;
			}
			omacp_dbus_profile_set_created_at(OMACP_DBUS_PROFILE(p), (guint64) now);
			w->created = TRUE;
		} else {
			w->previous = g_variant_ref_sink(omacp_profile_snapshot(p));
		}
		w->profile_id = p->id;
		set_profile(p, profile, msg, now);
		omacp_daemon_profile_changed(p);
		if (w->created)
			omacp_objects_export_profile(self->objects, p);
		omacp_daemon_message_add_profile(msg, p->path);
		g_ptr_array_add(work, w);
	}
	return g_steal_pointer(&work);
}

typedef struct {
	guint msg_id;
	GDBusMethodInvocation *invocation; /* may be NULL */
	gboolean user_confirmed;
} QueuedApply;

static void
queued_apply_free(QueuedApply *q)
{
	g_clear_object(&q->invocation);
	g_free(q);
}

/* Whether applying @msg makes one of its internet profiles the SIM's
 * default: the backend then rewrites the autoconnect flag of the SIM's
 * other connections. */
static gboolean
switches_default(OmacpDaemonMessage *msg)
{
	for (guint i = 0;
	     msg->accept_default && msg->decoded != NULL && i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);

		if (p->kind == OMACP_PROFILE_INTERNET && p->op == OMACP_OP_SET)
			return TRUE;
	}
	return FALSE;
}

/* Whether another apply for @msg's SIM runs that must not overlap with
 * @msg's: a default switch writes the SIM's other connections from the
 * backend's copy of them, so an update of one of them running beside it
 * would be overwritten with the old settings (seen with two messages of a
 * SIM caught up together after NetworkManager came back). A switching
 * message waits for every busy profile of its SIM, any message of the SIM
 * for a switching one. */
static gboolean
sim_busy(OmacpApplyQueue *self, OmacpDaemonMessage *msg)
{
	GHashTableIter iter;
	gpointer value;

	if (switches_default(msg)) {
		g_hash_table_iter_init(&iter, omacp_objects_get_profiles(self->objects));
		while (g_hash_table_iter_next(&iter, NULL, &value)) {
			OmacpDaemonProfile *p = value;

			if (p->busy && g_strcmp0(p->imsi, msg->imsi) == 0)
				return TRUE;
		}
		return FALSE;
	}
	g_hash_table_iter_init(&iter, omacp_objects_get_messages(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *other = value;

		if (other != msg && other->busy && g_strcmp0(other->imsi, msg->imsi) == 0 &&
		    switches_default(other))
			return TRUE;
	}
	return FALSE;
}

/* Whether an apply or a catch-up is writing a profile @msg sets or removes,
 * or a default switch of its SIM runs (sim_busy). */
static gboolean
profiles_busy(OmacpApplyQueue *self, OmacpDaemonMessage *msg)
{
	if (sim_busy(self, msg))
		return TRUE;
	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		const OmacpProfile *profile = g_ptr_array_index(msg->decoded->profiles, i);
		OmacpDaemonProfile *p;

		if (profile->op == OMACP_OP_QUERY)
			continue;
		p = omacp_objects_find_profile(self->objects, profile->identity, profile->imsi);
		if (p != NULL && p->busy)
			return TRUE;
	}
	return FALSE;
}

/* Starts the first waiting message whose profiles are free, until none is. */
static void
run_waiting(OmacpApplyQueue *self)
{
	gboolean started = TRUE;

	while (started) {
		started = FALSE;
		for (GList *l = self->waiting.head; l != NULL; l = l->next) {
			QueuedApply *q = l->data;
			OmacpDaemonMessage *msg =
			        omacp_objects_lookup_message(self->objects, q->msg_id);

			if (msg != NULL && profiles_busy(self, msg))
				continue;
			g_queue_delete_link(&self->waiting, l);
			if (msg != NULL) {
				msg->busy = FALSE;
				start_apply(self, msg, g_steal_pointer(&q->invocation),
				            q->user_confirmed);
			} else if (q->invocation != NULL) {
				g_dbus_method_invocation_return_error(
				        g_steal_pointer(&q->invocation), OMACP_ERROR,
				        OMACP_ERROR_NOT_FOUND,
				        "message/%u was deleted while it waited to be applied",
				        q->msg_id);
			}
			queued_apply_free(q);
			/* start_apply may have changed the queue: from the top */
			started = TRUE;
			break;
		}
	}
}

/* A user accepting @msg makes its internet profiles their SIM's default;
 * the choice is stored with the message (saved on "changed"), so that an
 * apply that first waits for a backend, or is resumed after a restart
 * (where nobody is there to confirm), still makes them the default. */
static void
remember_default_choice(OmacpDaemonMessage *msg, gboolean user_confirmed)
{
	if (!user_confirmed || msg->accept_default)
		return;
	msg->accept_default = TRUE;
	omacp_daemon_message_changed(msg);
}

/* Whether @msg's new default is switched to at once: Activate= in
 * omacpd.conf, and with "ask" what the user chose on accepting (stored
 * with the message like accept_default). */
static gboolean
activate_now(OmacpApplyQueue *self, OmacpDaemonMessage *msg)
{
	switch (self->activate) {
	case OMACP_ACTIVATE_ALWAYS:
		return TRUE;
	case OMACP_ACTIVATE_ASK:
		return msg->accept_activate;
	case OMACP_ACTIVATE_NEVER:
		break;
	}
	return FALSE;
}

/* Applies the accepted @msg; takes @invocation (may be NULL), answered
 * when the apply ends. */
static void
start_apply(OmacpApplyQueue *self, OmacpDaemonMessage *msg, GDBusMethodInvocation *invocation,
            gboolean user_confirmed)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) waiting = g_string_new(NULL);
	gboolean any_set = FALSE;
	gboolean any_ready = FALSE;
	gboolean force;
	ApplyJob *job;

	/* overwriting hand edits or cutting a connection needs a user who was
	 * shown it */
	force = user_confirmed && omacp_changes_need_force(omacp_daemon_message_get_changes(msg));
	remember_default_choice(msg, user_confirmed);
	if (msg->decoded == NULL) {
		error = g_error_new(OMACP_ERROR, OMACP_ERROR_FAILED,
		                    "the stored message could not be decoded again");
		omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_FAILED, error->message);
		if (invocation != NULL)
			omacp_invocation_return_error(invocation, error);
		g_clear_object(&invocation);
		return;
	}
	/* one apply per profile at a time: two messages for one identity
	 * applied at once would both add a backend object, or leave the
	 * older settings on the backend and the newer in the profile */
	if (profiles_busy(self, msg)) {
		QueuedApply *q = g_new0(QueuedApply, 1);

		g_message("message/%u: another apply holds its profiles; queued", msg->id);
		q->msg_id = msg->id;
		q->invocation = invocation;
		q->user_confirmed = user_confirmed;
		msg->busy = TRUE;
		g_queue_push_tail(&self->waiting, q);
		return;
	}
	/* apply what can be applied now; wait only when nothing can */
	for (guint i = 0; i < msg->decoded->profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(msg->decoded->profiles, i);
		g_autofree char *waiting_for = NULL;

		if (p->op != OMACP_OP_SET)
			continue;
		any_set = TRUE;
		if (omacp_applier_can_apply(self->applier, p, &waiting_for))
			any_ready = TRUE;
		else
			g_string_append_printf(waiting, "%s%s for %s", waiting->len ? "; " : "",
			                       waiting_for, p->identity);
	}
	if (any_set && !any_ready) {
		g_autofree char *why = g_strdup_printf("waiting for %s", waiting->str);

		g_message("message/%u: %s", msg->id, why);
		omacp_dbus_message_set_error(m, why);
		omacp_daemon_message_changed(msg);
		if (invocation != NULL)
			g_dbus_method_invocation_return_value(invocation, NULL);
		g_clear_object(&invocation);
		return;
	}
	/* after a partial run the Changes shown before it stay: the profiles
	 * already hold the new values */
	if (msg->undo == NULL)
		omacp_apply_queue_update_changes(self, msg);
	if (!force && omacp_changes_need_force(omacp_daemon_message_get_changes(msg))) {
		error = g_error_new(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		                    "message/%u would overwrite settings edited by hand or "
		                    "interrupt an active connection (see its Changes); accept it "
		                    "to go ahead",
		                    msg->id);
		omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION,
		                               error->message);
		if (invocation != NULL)
			omacp_invocation_return_error(invocation, error);
		g_clear_object(&invocation);
		return;
	}
	if (force)
		g_message("message/%u: the user confirmed overwriting settings edited by hand",
		          msg->id);
	/* a profile a user accepted becomes its SIM's default (NetworkManager
	 * connects it from now on); switching over at once is the policy's or
	 * the user's call */
	omacp_daemon_message_bind_default(msg, msg->accept_default, activate_now(self, msg));
	msg->busy = TRUE;
	msg->backend_appeared = FALSE;
	job = g_new0(ApplyJob, 1);
	job->self = self;
	job->msg_id = msg->id;
	job->invocation = invocation;
	job->undo = g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
	job->flags = force ? OMACP_APPLY_FORCE : OMACP_APPLY_FLAGS_NONE;
	job->waiting = g_string_new(NULL);
	job->work = record_profiles(self, msg, g_get_real_time(), &error);
	omacp_daemon_message_changed(msg);
	if (job->work == NULL) {
		apply_job_finish(job, error);
		return;
	}
	for (guint i = 0; i < job->work->len; i++) {
		Work *w = g_ptr_array_index(job->work, i);

		omacp_objects_lookup_profile(self->objects, w->profile_id)->busy = TRUE;
	}
	apply_job_next(job);
}

void
omacp_apply_queue_set_activate(OmacpApplyQueue *self, OmacpActivate activate)
{
	self->activate = activate;
}

/* Every accepted message not being applied, by number. */
static GPtrArray *
accepted_messages(OmacpApplyQueue *self, gboolean mark_busy_ones)
{
	GPtrArray *accepted = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, omacp_objects_get_messages(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonMessage *msg = value;

		if (!msg->busy && omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_ACCEPTED))
			g_ptr_array_add(accepted, msg);
		else if (msg->busy && mark_busy_ones)
			msg->backend_appeared = TRUE;
	}
	g_ptr_array_sort(accepted, omacp_daemon_message_compare_id);
	return accepted;
}

void
omacp_apply_queue_resume(OmacpApplyQueue *self)
{
	g_autoptr(GPtrArray) accepted = accepted_messages(self, FALSE);

	for (guint i = 0; i < accepted->len; i++)
		start_apply(self, g_ptr_array_index(accepted, i), NULL, FALSE);
}

static void
applier_ready(gpointer user_data)
{
	OmacpApplyQueue *self = user_data;
	g_autoptr(GPtrArray) accepted = accepted_messages(self, TRUE);

	for (guint i = 0; i < accepted->len; i++)
		start_apply(self, g_ptr_array_index(accepted, i), NULL, FALSE);
	/* a backend appeared: profiles applied before it existed go there too */
	g_hash_table_remove_all(self->catch_up_failed);
	catch_up(self);
}

/* ---- profiles on backends that appeared after them ---- */

typedef struct {
	OmacpApplyQueue *self;
	guint profile_id;
	guint msg_id;
} CatchUp;

static void
catch_up_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CatchUp *c = user_data;
	OmacpApplyQueue *self = c->self;
	OmacpDaemonProfile *p = omacp_objects_lookup_profile(self->objects, c->profile_id);
	OmacpDaemonMessage *msg = omacp_objects_lookup_message(self->objects, c->msg_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) targets = NULL;
	g_autoptr(GVariant) backend_undo = NULL;

	self->catch_up_running = FALSE;
	if (p != NULL)
		p->busy = FALSE;
	if (msg != NULL)
		msg->busy = FALSE;
	if (!omacp_applier_apply_finish(self->applier, result, &targets, &backend_undo, &error)) {
		/* not retried until another backend appears; the message stays
		 * applied (what it did elsewhere holds) */
		g_message("profile/%u: not applied on the backend that appeared: %s", c->profile_id,
		          error->message);
		g_hash_table_add(self->catch_up_failed, GUINT_TO_POINTER(c->profile_id));
	} else {
		if (p != NULL) {
			omacp_dbus_profile_set_targets(OMACP_DBUS_PROFILE(p), targets);
			omacp_daemon_profile_changed(p);
			g_message("profile/%u (%s) applied on the backend that appeared", p->id,
			          omacp_dbus_profile_get_identity(OMACP_DBUS_PROFILE(p)));
		}
		if (msg != NULL && g_variant_n_children(backend_undo) > 0) {
			/* Undo of the message takes this back too */
			g_autoptr(GPtrArray) more =
			        g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
			GVariantDict d;

			g_variant_dict_init(&d, NULL);
			g_variant_dict_insert(&d, "profile", "u", c->profile_id);
			g_variant_dict_insert_value(&d, "backend-undo", backend_undo);
			g_ptr_array_add(more, g_variant_ref_sink(g_variant_dict_end(&d)));
			add_to_undo(msg, more);
			omacp_daemon_message_changed(msg);
		}
	}
	g_free(c);
	run_waiting(self);
	catch_up(self);
}

/* Applies, one at a time, every profile of an applied message on the
 * handling backends that are available now and do not have it yet. */
static void
catch_up(OmacpApplyQueue *self)
{
	GHashTableIter iter;
	gpointer value;

	if (self->catch_up_running || self->applier == NULL)
		return;
	g_hash_table_iter_init(&iter, omacp_objects_get_profiles(self->objects));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		OmacpDaemonProfile *p = value;
		GVariant *targets = omacp_dbus_profile_get_targets(OMACP_DBUS_PROFILE(p));
		OmacpDaemonMessage *msg;
		const OmacpProfile *profile;
		CatchUp *c;

		if (p->busy ||
		    g_hash_table_contains(self->catch_up_failed, GUINT_TO_POINTER(p->id)))
			continue;
		msg = omacp_objects_message_of_profile(self->objects, p);
		if (msg == NULL || msg->busy ||
		    !omacp_daemon_message_state_is(msg, OMACP_MESSAGE_STATE_APPLIED))
			continue;
		profile = omacp_objects_decoded_profile_of(msg, p);
		if (profile == NULL || !omacp_applier_has_missing(self->applier, profile, targets))
			continue;
		g_message("profile/%u (%s): applying it on the backend that appeared", p->id,
		          profile->identity);
		self->catch_up_running = TRUE;
		p->busy = TRUE;
		msg->busy = TRUE;
		c = g_new0(CatchUp, 1);
		c->self = self;
		c->profile_id = p->id;
		c->msg_id = msg->id;
		omacp_applier_apply_async(self->applier, profile, targets, msg->path,
		                          OMACP_APPLY_MISSING_ONLY, NULL, catch_up_done, c);
		return;
	}
}

/* ---- Undo ---- */

typedef struct {
	OmacpApplyQueue *self;
	guint msg_id;
	GDBusMethodInvocation *invocation;
	GVariant *entries; /* aa{sv}, walked from the end */
	gsize left;
	GString *errors;
} UndoJob;

static void undo_job_next(UndoJob *job);

static void
undo_job_free(UndoJob *job)
{
	g_clear_object(&job->invocation);
	g_clear_pointer(&job->entries, g_variant_unref);
	g_string_free(job->errors, TRUE);
	g_free(job);
}

static void
undo_step_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	UndoJob *job = user_data;
	OmacpApplyQueue *self = job->self;
	g_autoptr(GVariant) entry = g_variant_get_child_value(job->entries, job->left);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) previous = NULL;
	guint profile_id = 0;
	gboolean created = FALSE;
	OmacpDaemonProfile *p;
	gboolean ok;

	g_variant_lookup(entry, "profile", "u", &profile_id);
	g_variant_lookup(entry, "created", "b", &created);
	previous = g_variant_lookup_value(entry, "previous", G_VARIANT_TYPE("a{sv}"));

	ok = created ? omacp_applier_remove_finish(self->applier, result, &error)
	             : omacp_applier_undo_finish(self->applier, result, &error);
	p = omacp_objects_lookup_profile(self->objects, profile_id);
	if (!ok) {
		g_string_append_printf(job->errors, "%sprofile/%u: %s",
		                       job->errors->len ? "; " : "", profile_id, error->message);
	} else if (created) {
		if (p != NULL)
			omacp_objects_delete_profile(self->objects, p);
	} else if (previous != NULL) {
		gboolean back = p == NULL;

		if (back) {
			/* a profile the message removed comes back */
			p = omacp_daemon_profile_new(profile_id,
			                             omacp_objects_get_authority(self->objects));
			omacp_objects_add_profile(self->objects, p);
		}
		omacp_profile_set_from_snapshot(p, previous);
		omacp_daemon_profile_changed(p);
		if (back)
			omacp_objects_export_profile(self->objects, p);
	}
	undo_job_next(job);
}

static void
undo_job_next(UndoJob *job)
{
	OmacpApplyQueue *self = job->self;
	OmacpDaemonMessage *msg = omacp_objects_lookup_message(self->objects, job->msg_id);

	while (job->left > 0) {
		g_autoptr(GVariant) entry = NULL;
		g_autoptr(GVariant) backend_undo = NULL;
		guint profile_id = 0;
		gboolean created = FALSE;
		OmacpDaemonProfile *p;

		job->left--;
		entry = g_variant_get_child_value(job->entries, job->left);
		g_variant_lookup(entry, "profile", "u", &profile_id);
		g_variant_lookup(entry, "created", "b", &created);
		backend_undo =
		        g_variant_lookup_value(entry, "backend-undo", G_VARIANT_TYPE("a(ssv)"));
		p = omacp_objects_lookup_profile(self->objects, profile_id);
		if (created && p == NULL)
			continue; /* removed since */
		if (created)
			omacp_applier_remove_async(
			        self->applier,
			        omacp_dbus_profile_get_targets(OMACP_DBUS_PROFILE(p)), NULL,
			        undo_step_done, job);
		else
			omacp_applier_undo_async(self->applier, backend_undo, NULL, undo_step_done,
			                         job);
		return;
	}
	if (msg != NULL) {
		msg->busy = FALSE;
		if (job->errors->len == 0) {
			g_clear_pointer(&msg->undo, g_variant_unref);
			omacp_dbus_message_set_error(OMACP_DBUS_MESSAGE(msg), "");
			omacp_daemon_message_set_state(msg, OMACP_MESSAGE_STATE_UNDONE, NULL);
			provision_ofono(self, msg->imsi);
		} else {
			omacp_daemon_message_changed(msg);
		}
	}
	if (job->errors->len == 0)
		g_dbus_method_invocation_return_value(job->invocation, NULL);
	else
		g_dbus_method_invocation_return_error(job->invocation, OMACP_ERROR,
		                                      OMACP_ERROR_BACKEND, "undo: %s",
		                                      job->errors->str);
	undo_job_free(job);
}

static void
undo_requested(OmacpDaemonMessage *msg, GDBusMethodInvocation *invocation, OmacpApplyQueue *self)
{
	UndoJob *job = g_new0(UndoJob, 1);

	msg->busy = TRUE;
	job->self = self;
	job->msg_id = msg->id;
	job->invocation = g_object_ref(invocation);
	job->entries = msg->undo ? g_variant_ref(msg->undo)
	                         : g_variant_ref_sink(g_variant_new("aa{sv}", NULL));
	job->left = g_variant_n_children(job->entries);
	job->errors = g_string_new(NULL);
	g_message("message/%u: undoing %zu change(s)", msg->id, job->left);
	undo_job_next(job);
}

/* ---- Profile.Remove ---- */

typedef struct {
	OmacpApplyQueue *self;
	guint profile_id;
	GDBusMethodInvocation *invocation;
} RemoveJob;

static void
remove_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RemoveJob *job = user_data;
	OmacpApplyQueue *self = job->self;
	OmacpDaemonProfile *p = omacp_objects_lookup_profile(self->objects, job->profile_id);
	g_autoptr(GError) error = NULL;

	if (!omacp_applier_remove_finish(self->applier, result, &error)) {
		if (p != NULL)
			p->busy = FALSE;
		omacp_invocation_return_error(job->invocation, error);
	} else {
		if (p != NULL) {
			g_autofree char *imsi = g_strdup(p->imsi);

			g_message("profile/%u (%s) removed", p->id,
			          omacp_dbus_profile_get_identity(OMACP_DBUS_PROFILE(p)));
			omacp_objects_delete_profile(self->objects, p);
			provision_ofono(self, omacp_str_or_null(imsi));
		}
		g_dbus_method_invocation_return_value(job->invocation, NULL);
	}
	g_object_unref(job->invocation);
	g_free(job);
}

static void
remove_requested(OmacpDaemonProfile *p, GDBusMethodInvocation *invocation, OmacpApplyQueue *self)
{
	RemoveJob *job = g_new0(RemoveJob, 1);

	p->busy = TRUE;
	job->self = self;
	job->profile_id = p->id;
	job->invocation = g_object_ref(invocation);
	omacp_applier_remove_async(self->applier,
	                           omacp_dbus_profile_get_targets(OMACP_DBUS_PROFILE(p)), NULL,
	                           remove_done, job);
}

/* ---- listening ---- */

static void
state_changed(OmacpDaemonMessage *msg, guint old, guint state, OmacpApplyQueue *self)
{
	GDBusMethodInvocation *invocation;

	if (state != OMACP_MESSAGE_STATE_ACCEPTED || old == OMACP_MESSAGE_STATE_ACCEPTED)
		return;
	invocation = g_steal_pointer(&msg->accept_invocation);
	start_apply(self, msg, invocation, msg->accept_confirmed);
	msg->accept_confirmed = FALSE;
}

static void
message_added(OmacpObjects *objects, OmacpDaemonMessage *msg, OmacpApplyQueue *self)
{
	g_signal_connect(msg, "state-changed", G_CALLBACK(state_changed), self);
	g_signal_connect(msg, "undo-requested", G_CALLBACK(undo_requested), self);
}

static void
profile_added(OmacpObjects *objects, OmacpDaemonProfile *profile, OmacpApplyQueue *self)
{
	g_signal_connect(profile, "remove-requested", G_CALLBACK(remove_requested), self);
}

OmacpApplyQueue *
omacp_apply_queue_new(OmacpObjects *objects, OmacpApplier *applier)
{
	OmacpApplyQueue *self = g_new0(OmacpApplyQueue, 1);

	self->objects = objects;
	self->applier = applier;
	self->catch_up_failed = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_queue_init(&self->waiting);
	g_signal_connect(objects, "message-added", G_CALLBACK(message_added), self);
	g_signal_connect(objects, "profile-added", G_CALLBACK(profile_added), self);
	if (applier != NULL)
		omacp_applier_set_ready_func(applier, applier_ready, self);
	return self;
}

void
omacp_apply_queue_set_adapters(OmacpApplyQueue *self, OmacpAdapters *adapters)
{
	self->adapters = adapters;
}

void
omacp_apply_queue_free(OmacpApplyQueue *self)
{
	if (self == NULL)
		return;
	omacp_objects_disconnect(self->objects, self);
	if (self->applier != NULL)
		omacp_applier_set_ready_func(self->applier, NULL, NULL);
	g_queue_clear_full(&self->waiting, (GDestroyNotify) queued_apply_free);
	g_clear_pointer(&self->catch_up_failed, g_hash_table_unref);
	g_free(self);
}
