/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oFono backend (plain GDBus to org.ofono): internet and mms profiles become
 * ConnectionManager contexts on the modem whose SIM has the profile's IMSI.
 *
 * A context is found again by its object path (the id apply returned), else
 * among the contexts of the same type by Name (the profile name), then by
 * AccessPointName. Only when none fits is one added. The blank internet
 * context oFono creates when it has no provisioning data is left alone:
 * oFono refuses an empty AccessPointName, so filling it could not be undone.
 * Active contexts are never deactivated unless the caller forces it (every
 * property but Active is read-only while a context is active).
 *
 * oFono keeps no free-form data on a context, so hand edits cannot be told
 * apart from omacp's own values. preview answers from a cache of the modems
 * and their contexts (refreshed on oFono's signals and after each of our own
 * calls): the context apply would pick and the properties it would change,
 * a new context's with old "", the password only as "(secret)", and a
 * "risk" when that context is active. */

#include "config.h"

#include <string.h>

#include "backend-private.h"
#include "omacp.h"

#define OFONO_BUS_NAME     "org.ofono"
#define OFONO_MANAGER      "org.ofono.Manager"
#define OFONO_MODEM        "org.ofono.Modem"
#define OFONO_SIM_MANAGER  "org.ofono.SimManager"
#define OFONO_CONN_MANAGER "org.ofono.ConnectionManager"
#define OFONO_CONTEXT      "org.ofono.ConnectionContext"
#define OFONO_CALL_TIMEOUT 20000 /* ms; activation can take a while on real modems */

typedef struct _Cache Cache; /* what oFono holds, for preview */

typedef struct {
	OmacpBackend parent;
	GDBusConnection *bus;
	OmacpBackendNameWatch watch; /* present: oFono is running */
	Cache *cache;
} OfonoBackend;

static OfonoBackend *
ofono_backend(OmacpBackend *backend)
{
	return (OfonoBackend *) backend;
}

static gboolean
remote_error_is(const GError *error, const char *name)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);
	return remote != NULL && strcmp(remote, name) == 0;
}

static GError *
ofono_error(const GError *error, const char *what)
{
	/* every property but Active is read-only while a context is active */
	if (remote_error_is(error, "org.ofono.Error.InUse"))
		return g_error_new(OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		                   "ofono: %s failed: the context is in use (active)", what);
	return omacp_backend_error_wrap("ofono", error, "%s", what);
}

/* The reply of a call made for @task, or NULL after @task was failed with
 * what ofono_error() makes of the call's error. */
static GVariant *
task_call_finish(GObject *source, GAsyncResult *result, GTask *task, const char *what)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL)
		g_task_return_error(task, ofono_error(error, what));
	return reply;
}

static void
ofono_call(GDBusConnection *bus, const char *path, const char *iface, const char *method,
           GVariant *params, const char *reply_type, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
	g_dbus_connection_call(bus, OFONO_BUS_NAME, path, iface, method, params,
	                       reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL,
	                       G_DBUS_CALL_FLAGS_NONE, OFONO_CALL_TIMEOUT, cancellable, callback,
	                       user_data);
}

/* Finishes a call whose failure changes nothing but is worth a debug line. */
static void
finish_noting_failure(GObject *source, GAsyncResult *result, const char *what)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL)
		g_debug("ofono: %s failed: %s", what, error->message);
}

/* Switches the context @path on or off; not cancellable, as a change under
 * way is finished or rolled back, not cut. */
static void
set_active(GDBusConnection *bus, const char *path, gboolean active, GAsyncReadyCallback callback,
           gpointer user_data)
{
	ofono_call(bus, path, OFONO_CONTEXT, "SetProperty",
	           g_variant_new("(sv)", "Active", g_variant_new_boolean(active)), NULL, NULL,
	           callback, user_data);
}

static gboolean
strv_contains(GVariant *props, const char *key, const char *value)
{
	g_autofree const char **strv = NULL;

	if (!g_variant_lookup(props, key, "^a&s", &strv))
		return FALSE;
	return g_strv_contains(strv, value);
}

/* --- what a profile asks for ----------------------------------------------- */

typedef struct {
	const char *name;
	GVariant *value; /* s, non-floating */
} Property;

static void
property_clear(Property *p)
{
	g_clear_pointer(&p->value, g_variant_unref);
}

static void
add_property(GArray *props, const char *name, const char *value)
{
	Property p = { name, g_variant_ref_sink(g_variant_new_string(value != NULL ? value : "")) };
	g_array_append_val(props, p);
}

/* Context properties in the order they are set: the MMS ones only on mms
 * contexts (oFono refuses them on others). */
static GArray *
wanted_properties(const OmacpProfile *profile, GError **error)
{
	g_autoptr(GArray) props = g_array_new(FALSE, TRUE, sizeof(Property));
	const char *apn = omacp_backend_dict_string(profile->settings, "apn");
	const char *auth = omacp_backend_dict_string(profile->settings, "auth");
	const char *ip_type = omacp_backend_dict_string(profile->settings, "ip-type");
	const char *protocol;

	g_array_set_clear_func(props, (GDestroyNotify) property_clear);
	if (apn == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "ofono: profile '%s' has no apn", profile->identity);
		return NULL;
	}
	if (auth != NULL && strcmp(auth, "pap") != 0 && strcmp(auth, "chap") != 0 &&
	    strcmp(auth, "none") != 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "ofono: profile '%s' has auth '%s' (expected pap, chap or none)",
		            profile->identity, auth);
		return NULL;
	}
	if (ip_type == NULL || strcmp(ip_type, "ipv4v6") == 0) {
		protocol = "dual";
	} else if (strcmp(ip_type, "ipv4") == 0) {
		protocol = "ip";
	} else if (strcmp(ip_type, "ipv6") == 0) {
		protocol = "ipv6";
	} else {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "ofono: profile '%s' has ip-type '%s' (expected ipv4, ipv6 or ipv4v6)",
		            profile->identity, ip_type);
		return NULL;
	}

	add_property(props, "Name", profile->name);
	add_property(props, "AccessPointName", apn);
	add_property(props, "Username", omacp_backend_dict_string(profile->settings, "username"));
	add_property(props, "Password", omacp_backend_dict_string(profile->secrets, "password"));
	/* oFono's own default is chap; without a word from the document keep it */
	add_property(props, "AuthenticationMethod", auth != NULL ? auth : "chap");
	add_property(props, "Protocol", protocol);
	if (profile->kind == OMACP_PROFILE_MMS) {
		add_property(props, "MessageCenter",
		             omacp_backend_dict_string(profile->settings, "mmsc"));
		add_property(props, "MessageProxy",
		             omacp_backend_dict_string(profile->settings, "mms-proxy"));
	}
	return g_steal_pointer(&props);
}

/* --- setting a list of properties one after the other ------------------------ */

/* The task data of a chain; its task returns TRUE after the last property. */
typedef struct {
	GDBusConnection *bus;
	char *path;
	GArray *props; /* Property, borrowed values */
	guint next;
} SetChain;

static SetChain *
set_chain_new(GDBusConnection *bus, const char *path, GArray *props)
{
	SetChain *chain = g_new0(SetChain, 1);

	chain->bus = g_object_ref(bus);
	chain->path = g_strdup(path);
	chain->props = g_array_ref(props);
	return chain;
}

static void
set_chain_free(SetChain *chain)
{
	g_clear_object(&chain->bus);
	g_free(chain->path);
	g_clear_pointer(&chain->props, g_array_unref);
	g_free(chain);
}

static void set_chain_step(GTask *task);

static void
set_chain_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SetChain *chain = g_task_get_task_data(task);
	const Property *p = &g_array_index(chain->props, Property, chain->next);
	g_autofree char *what = g_strdup_printf("setting %s of %s", p->name, chain->path);
	g_autoptr(GVariant) reply = task_call_finish(source, result, task, what);

	if (reply == NULL)
		return;
	chain->next++;
	set_chain_step(g_steal_pointer(&task));
}

static void
set_chain_step(GTask *task)
{
	SetChain *chain = g_task_get_task_data(task);
	const Property *p;

	if (chain->next >= chain->props->len) {
		g_task_return_boolean(task, TRUE);
		g_object_unref(task);
		return;
	}
	p = &g_array_index(chain->props, Property, chain->next);
	ofono_call(chain->bus, chain->path, OFONO_CONTEXT, "SetProperty",
	           g_variant_new("(sv)", p->name, p->value), NULL, NULL, set_chain_cb, task);
}

/* Sets @props on the context @path in order; stops at the first failure. */
static void
set_properties_async(GDBusConnection *bus, const char *path, GArray *props,
                     GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, NULL, callback, user_data);

	g_task_set_task_data(task, set_chain_new(bus, path, props),
	                     (GDestroyNotify) set_chain_free);
	set_chain_step(task);
}

static gboolean
set_properties_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* --- apply ----------------------------------------------------------------- */

typedef struct {
	GDBusConnection *bus;
	OmacpProfileKind kind;
	char *type; /* "internet" or "mms" */
	char *name;
	char *imsi;
	char *iccid; /* the SIM card the message came through, NULL: unknown */
	char *existing_id;
	gboolean force;
	GArray *wanted;        /* Property */
	GArray *previous;      /* Property: old values of what changes (update) */
	GArray *changes;       /* Property: the subset of wanted that differs */
	GPtrArray *candidates; /* modem paths with a SIM, then checked in turn */
	guint candidate;
	char *modem;
	char *context;
	gboolean created;
	gboolean was_active;
} ApplyData;

static void
apply_data_free(ApplyData *data)
{
	g_clear_object(&data->bus);
	g_free(data->type);
	g_free(data->name);
	g_free(data->imsi);
	g_free(data->iccid);
	g_free(data->existing_id);
	g_clear_pointer(&data->wanted, g_array_unref);
	g_clear_pointer(&data->previous, g_array_unref);
	g_clear_pointer(&data->changes, g_array_unref);
	g_clear_pointer(&data->candidates, g_ptr_array_unref);
	g_free(data->modem);
	g_free(data->context);
	g_free(data);
}

static GArray *
property_array(void)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(Property));
	g_array_set_clear_func(a, (GDestroyNotify) property_clear);
	return a;
}

/* A call for the apply @task (which it takes), cancelled with it. */
static void
call(ApplyData *data, const char *path, const char *iface, const char *method, GVariant *params,
     const char *reply_type, GAsyncReadyCallback cb, GTask *task)
{
	ofono_call(data->bus, path, iface, method, params, reply_type, g_task_get_cancellable(task),
	           cb, task);
}

/* Completes the apply with the context and its undo snapshot (backend.h). */
static void
apply_finish_ok(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);
	GVariantBuilder undo;

	g_variant_builder_init(&undo, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&undo, "{sv}", "created", g_variant_new_boolean(data->created));
	g_variant_builder_add(&undo, "{sv}", "modem", g_variant_new_string(data->modem));
	g_variant_builder_add(&undo, "{sv}", "type", g_variant_new_string(data->type));
	if (!data->created) {
		GVariantBuilder props;

		g_variant_builder_init(&props, G_VARIANT_TYPE_VARDICT);
		for (guint i = 0; data->previous != NULL && i < data->previous->len; i++) {
			const Property *p = &g_array_index(data->previous, Property, i);
			g_variant_builder_add(&props, "{sv}", p->name, p->value);
		}
		g_variant_builder_add(&undo, "{sv}", "properties", g_variant_builder_end(&props));
	}
	omacp_backend_task_return_applied(task, data->context, g_variant_builder_end(&undo));
}

/* Failure after something changed: undo it, then report @error. */
static void apply_rollback(GTask *task, GError *error);

static void
reactivated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;

	/* the settings are in place; a network that refuses activation now is
	 * not a reason to take them back */
	finish_noting_failure(source, result, "reactivating the context");
	apply_finish_ok(task);
}

static void
props_set_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!set_properties_finish(result, &error)) {
		apply_rollback(g_steal_pointer(&task), g_steal_pointer(&error));
		return;
	}
	if (data->was_active) {
		set_active(data->bus, data->context, TRUE, reactivated_cb, g_steal_pointer(&task));
		return;
	}
	apply_finish_ok(task);
}

static void
set_changes(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);
	set_properties_async(data->bus, data->context, data->changes, props_set_cb, task);
}

static void
added_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GVariant) reply = task_call_finish(source, result, task, "adding a context");

	if (reply == NULL)
		return;
	g_variant_get(reply, "(o)", &data->context);
	data->created = TRUE;
	data->changes = g_array_ref(data->wanted);
	set_changes(g_steal_pointer(&task));
}

static void
deactivated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GVariant) reply =
	        task_call_finish(source, result, task, "deactivating the context");

	if (reply == NULL)
		return;
	set_changes(g_steal_pointer(&task));
}

static const char *
context_string(GVariant *props, const char *key)
{
	const char *value = NULL;

	if (!g_variant_lookup(props, key, "&s", &value))
		return "";
	return value;
}

/* Picks the context apply updates among @contexts (a(oa{sv})): the one at
 * @existing_id, else one of @type named @name, else one of @type with APN
 * @apn; NULL when none fits (a context is added). */
static GVariant *
pick_context(GVariant *contexts, const char *existing_id, const char *type, const char *name,
             const char *apn)
{
	GVariant *by_name = NULL;
	GVariant *by_apn = NULL;
	GVariantIter iter;
	GVariant *child;

	g_variant_iter_init(&iter, contexts);
	while ((child = g_variant_iter_next_value(&iter)) != NULL) {
		g_autoptr(GVariant) props = g_variant_get_child_value(child, 1);
		const char *path = NULL;

		g_variant_get_child(child, 0, "&o", &path);
		if (existing_id != NULL && strcmp(path, existing_id) == 0) {
			g_clear_pointer(&by_name, g_variant_unref);
			g_clear_pointer(&by_apn, g_variant_unref);
			return child;
		}
		if (strcmp(context_string(props, "Type"), type) != 0) {
			g_variant_unref(child);
			continue;
		}
		if (by_name == NULL && g_strcmp0(context_string(props, "Name"), name) == 0)
			by_name = g_variant_ref(child);
		else if (by_apn == NULL &&
		         g_strcmp0(context_string(props, "AccessPointName"), apn) == 0)
			by_apn = g_variant_ref(child);
		g_variant_unref(child);
	}
	if (by_name != NULL) {
		g_clear_pointer(&by_apn, g_variant_unref);
		return by_name;
	}
	return by_apn;
}

/* The value of property @name in @props (Property array), NULL if absent. */
static const char *
property_value(GArray *props, const char *name)
{
	for (guint i = 0; i < props->len; i++) {
		const Property *p = &g_array_index(props, Property, i);
		if (strcmp(p->name, name) == 0)
			return g_variant_get_string(p->value, NULL);
	}
	return NULL;
}

static void
contexts_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GVariant) reply = task_call_finish(source, result, task, "listing the contexts");
	g_autoptr(GVariant) contexts = NULL;
	g_autoptr(GVariant) found = NULL;
	g_autoptr(GVariant) props = NULL;
	gboolean active = FALSE;

	if (reply == NULL)
		return;
	contexts = g_variant_get_child_value(reply, 0);
	found = pick_context(contexts, data->existing_id, data->type, data->name,
	                     property_value(data->wanted, "AccessPointName"));
	if (found == NULL) {
		call(data, data->modem, OFONO_CONN_MANAGER, "AddContext",
		     g_variant_new("(s)", data->type), "(o)", added_cb, g_steal_pointer(&task));
		return;
	}

	g_variant_get_child(found, 0, "o", &data->context);
	props = g_variant_get_child_value(found, 1);
	data->previous = property_array();
	data->changes = property_array();
	/* a context found by its id may have had its type changed by hand */
	if (strcmp(context_string(props, "Type"), data->type) != 0) {
		add_property(data->previous, "Type", context_string(props, "Type"));
		add_property(data->changes, "Type", data->type);
	}
	for (guint i = 0; i < data->wanted->len; i++) {
		const Property *p = &g_array_index(data->wanted, Property, i);
		const char *old_value = context_string(props, p->name);

		if (strcmp(old_value, g_variant_get_string(p->value, NULL)) == 0)
			continue;
		add_property(data->previous, p->name, old_value);
		add_property(data->changes, p->name, g_variant_get_string(p->value, NULL));
	}
	if (data->changes->len == 0) {
		apply_finish_ok(task);
		return;
	}
	g_variant_lookup(props, "Active", "b", &active);
	if (active && !data->force) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		                        "ofono: context '%s' (%s) is active; confirm to deactivate "
		                        "it for the change",
		                        context_string(props, "Name"), data->context);
		return;
	}
	if (active) {
		data->was_active = TRUE;
		set_active(data->bus, data->context, FALSE, deactivated_cb, g_steal_pointer(&task));
		return;
	}
	set_changes(g_steal_pointer(&task));
}

static void
list_contexts(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);
	call(data, data->modem, OFONO_CONN_MANAGER, "GetContexts", NULL, "(a(oa{sv}))", contexts_cb,
	     task);
}

static void check_next_sim(GTask *task);

static void
sim_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) props = NULL;
	const char *imsi = NULL;
	const char *card = NULL;
	const char *path = g_ptr_array_index(data->candidates, data->candidate);

	if (reply == NULL) {
		g_debug("ofono: reading the SIM of %s failed: %s", path, error->message);
	} else {
		props = g_variant_get_child_value(reply, 0);
		g_variant_lookup(props, "SubscriberIdentity", "&s", &imsi);
		g_variant_lookup(props, "CardIdentifier", "&s", &card);
		/* the modem whose SIM is the message's: the same IMSI and, when
		 * both are known, the same card */
		if ((data->imsi == NULL || g_strcmp0(imsi, data->imsi) == 0) &&
		    (data->iccid == NULL || card == NULL || g_strcmp0(card, data->iccid) == 0)) {
			data->modem = g_strdup(path);
			list_contexts(g_steal_pointer(&task));
			return;
		}
	}
	data->candidate++;
	check_next_sim(g_steal_pointer(&task));
}

static void
check_next_sim(GTask *task)
{
	ApplyData *data = g_task_get_task_data(task);

	if (data->candidate >= data->candidates->len) {
		g_autofree char *masked = omacp_mask_imsi(data->imsi);
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
		                        "ofono: no online modem has the SIM with IMSI %s%s", masked,
		                        data->iccid != NULL ? " and the ICCID given" : "");
		g_object_unref(task);
		return;
	}
	call(data, g_ptr_array_index(data->candidates, data->candidate), OFONO_SIM_MANAGER,
	     "GetProperties", NULL, "(a{sv})", sim_cb, task);
}

/* The paths (owned strings) of the modems in the GetModems @reply that apply
 * can use, in oFono's order. */
static GPtrArray *
usable_modems(GVariant *reply)
{
	g_autoptr(GVariant) modems = g_variant_get_child_value(reply, 0);
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GVariantIter iter;
	const char *path;
	GVariant *props;

	g_variant_iter_init(&iter, modems);
	while (g_variant_iter_next(&iter, "(&o@a{sv})", &path, &props)) {
		/* contexts exist only on modems whose ConnectionManager is up */
		if (strv_contains(props, "Interfaces", OFONO_CONN_MANAGER) &&
		    strv_contains(props, "Interfaces", OFONO_SIM_MANAGER))
			g_ptr_array_add(paths, g_strdup(path));
		g_variant_unref(props);
	}
	return paths;
}

static void
modems_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ApplyData *data = g_task_get_task_data(task);
	g_autoptr(GVariant) reply = task_call_finish(source, result, task, "listing the modems");

	if (reply == NULL)
		return;
	data->candidates = usable_modems(reply);
	if (data->imsi == NULL && data->iccid == NULL) {
		/* a message without a SIM: only unambiguous with one modem */
		if (data->candidates->len != 1) {
			g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
			                        "ofono: profile has no IMSI and %u modems are "
			                        "online; cannot choose",
			                        data->candidates->len);
			return;
		}
		data->modem = g_strdup(g_ptr_array_index(data->candidates, 0));
		list_contexts(g_steal_pointer(&task));
		return;
	}
	check_next_sim(g_steal_pointer(&task));
}

/* --- rollback ---------------------------------------------------------------- */

static void
rollback_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	if (G_IS_TASK(result)) {
		if (!set_properties_finish(result, &error))
			g_debug("ofono: restoring the context failed: %s", error->message);
	} else {
		finish_noting_failure(source, result, "removing the half-made context");
	}
	omacp_backend_task_return_held_error(task);
}

static void
apply_rollback(GTask *task, GError *error)
{
	ApplyData *data = g_task_get_task_data(task);

	omacp_backend_task_hold_error(task, error);
	if (data->created) {
		ofono_call(data->bus, data->modem, OFONO_CONN_MANAGER, "RemoveContext",
		           g_variant_new("(o)", data->context), NULL, NULL, rollback_done_cb, task);
		return;
	}
	set_properties_async(data->bus, data->context, data->previous, rollback_done_cb, task);
}

static void
ofono_apply_async(OmacpBackend *backend, const OmacpProfile *profile, const char *message,
                  const char *existing_id, gboolean force, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
	OfonoBackend *self = ofono_backend(backend);
	g_autoptr(GTask) task =
	        omacp_backend_task_new((OmacpBackendCache *) self->cache, cancellable, callback,
	                               user_data, ofono_apply_async);
	g_autoptr(GError) error = NULL;
	ApplyData *data;

	/* once a change is under way it is finished or rolled back, not cut */
	g_task_set_check_cancellable(task, FALSE);
	if (omacp_backend_task_return_if_unavailable(backend, task, "oFono"))
		return;
	if (!backend->klass->handles(backend, profile)) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		                        "ofono: %s profiles are not oFono contexts",
		                        omacp_profile_kind_to_string(profile->kind));
		return;
	}
	data = g_new0(ApplyData, 1);
	g_task_set_task_data(task, data, (GDestroyNotify) apply_data_free);
	data->wanted = wanted_properties(profile, &error);
	if (data->wanted == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	data->bus = g_object_ref(self->bus);
	data->kind = profile->kind;
	data->type = g_strdup(profile->kind == OMACP_PROFILE_MMS ? "mms" : "internet");
	data->name = g_strdup(profile->name);
	data->imsi = g_strdup(profile->imsi);
	data->iccid = g_strdup(omacp_backend_dict_string(profile->settings, "iccid"));
	data->existing_id = g_strdup(existing_id);
	data->force = force;
	call(data, "/", OFONO_MANAGER, "GetModems", NULL, "(a(oa{sv}))", modems_cb,
	     g_steal_pointer(&task));
}

/* --- remove ---------------------------------------------------------------- */

/* "/modem/context3" → "/modem" */
static char *
modem_of_context(const char *id, GError **error)
{
	const char *slash = strrchr(id, '/');

	if (!g_variant_is_object_path(id) || slash == NULL || slash == id ||
	    !g_str_has_prefix(slash, "/context")) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "ofono: '%s' is not a context path", id);
		return NULL;
	}
	return g_strndup(id, slash - id);
}

static void
removed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply != NULL || remote_error_is(error, "org.ofono.Error.NotFound")) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE)) {
		/* the modem is away (its contexts are stored with its SIM) */
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
		                        "ofono: the modem of the context is not online: %s",
		                        error->message);
		return;
	}
	g_task_return_error(task, ofono_error(error, "removing the context"));
}

static void
ofono_remove_async(OmacpBackend *backend, const char *id, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data)
{
	OfonoBackend *self = ofono_backend(backend);
	g_autoptr(GTask) task =
	        omacp_backend_task_new((OmacpBackendCache *) self->cache, cancellable, callback,
	                               user_data, ofono_remove_async);
	g_autoptr(GError) error = NULL;
	g_autofree char *modem = NULL;

	if (omacp_backend_task_return_if_unavailable(backend, task, "oFono"))
		return;
	modem = modem_of_context(id, &error);
	if (modem == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	/* oFono deactivates an active context before removing it: removal is
	 * the user's explicit request (Profile.Remove, nocharacteristic) */
	ofono_call(self->bus, modem, OFONO_CONN_MANAGER, "RemoveContext", g_variant_new("(o)", id),
	           NULL, NULL, removed_cb, g_steal_pointer(&task));
}

/* --- undo ------------------------------------------------------------------ */

static void
undo_props_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SetChain *chain = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) props = NULL;
	gboolean active = FALSE;

	if (reply == NULL) {
		if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
		    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
			g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
			                        "ofono: context %s no longer exists", chain->path);
			return;
		}
		g_task_return_error(task, ofono_error(error, "reading the context"));
		return;
	}
	props = g_variant_get_child_value(reply, 0);
	g_variant_lookup(props, "Active", "b", &active);
	if (active) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		                        "ofono: context '%s' (%s) is active; deactivate it before "
		                        "undoing",
		                        context_string(props, "Name"), chain->path);
		return;
	}
	/* the undo task is the chain's: it returns TRUE after the last property */
	set_chain_step(g_steal_pointer(&task));
}

static void
ofono_undo_async(OmacpBackend *backend, const char *id, GVariant *undo, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data)
{
	OfonoBackend *self = ofono_backend(backend);
	g_autoptr(GTask) task = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) previous = NULL;
	g_autoptr(GArray) props = NULL;
	GVariantIter iter;
	const char *name;
	GVariant *value;

	if (omacp_backend_undo_created(backend, id, undo, cancellable, callback, user_data))
		return;
	task = omacp_backend_task_new((OmacpBackendCache *) self->cache, cancellable, callback,
	                              user_data, ofono_undo_async);
	if (omacp_backend_task_return_if_unavailable(backend, task, "oFono"))
		return;
	previous = omacp_backend_undo_lookup(backend, undo, "properties", G_VARIANT_TYPE_VARDICT,
	                                     id, &error);
	if (previous == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	props = property_array();
	/* Type first: MessageCenter/MessageProxy are only accepted on mms */
	g_variant_iter_init(&iter, previous);
	while (g_variant_iter_next(&iter, "{&sv}", &name, &value)) {
		static const char *const known[] = {
			"Type",     "Name",          "AccessPointName",
			"Username", "Password",      "AuthenticationMethod",
			"Protocol", "MessageCenter", "MessageProxy",
			NULL
		};
		for (gsize k = 0; known[k] != NULL; k++) {
			if (strcmp(known[k], name) == 0 &&
			    g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
				Property p = { known[k], g_variant_ref(value) };
				if (k == 0)
					g_array_prepend_val(props, p);
				else
					g_array_append_val(props, p);
			}
		}
		g_variant_unref(value);
	}
	g_task_set_task_data(task, set_chain_new(self->bus, id, props),
	                     (GDestroyNotify) set_chain_free);
	/* an active context refuses the properties: look first */
	ofono_call(self->bus, id, OFONO_CONTEXT, "GetProperties", NULL, "(a{sv})", cancellable,
	           undo_props_cb, g_steal_pointer(&task));
}

/* --- availability ------------------------------------------------------------ */

static gboolean
ofono_handles(OmacpBackend *backend, const OmacpProfile *profile)
{
	return profile->kind == OMACP_PROFILE_INTERNET || profile->kind == OMACP_PROFILE_MMS;
}

static gboolean
ofono_is_available(OmacpBackend *backend)
{
	return ofono_backend(backend)->watch.present;
}

/* --- the cache behind preview -------------------------------------------------- */

/* preview must answer at once, so the backend keeps what oFono holds: the
 * modems apply could pick (in oFono's order), each with its SIM's IMSI and
 * its contexts. The cache is read again (as a whole: a handful of calls) when
 * oFono appears, when a modem, its interfaces, its SIM or one of its contexts
 * changes, and after each of our own calls; a context's password is
 * never kept, only whether it is set. The cache is reference counted so
 * that calls in flight outlive the backend safely. */

#define SECRET_SHOWN "(secret)"

typedef struct {
	char *path;
	char *imsi;         /* NULL: the SIM could not be read */
	GVariant *contexts; /* a(oa{sv}), the password masked; NULL: not read */
} CachedModem;

static void
cached_modem_free(CachedModem *m)
{
	g_free(m->path);
	g_free(m->imsi);
	g_clear_pointer(&m->contexts, g_variant_unref);
	g_free(m);
}

struct _Cache {
	OmacpBackendCache base;
	GPtrArray *modems; /* CachedModem; NULL: not known (yet) */
};

static void
cache_forget(OmacpBackendCache *base)
{
	g_clear_pointer(&((Cache *) base)->modems, g_ptr_array_unref);
}

/* The context properties preview compares; the password becomes
 * SECRET_SHOWN when set, "" when not. */
static GVariant *
masked_context_properties(GVariant *props)
{
	static const char *const kept[] = {
		"Name",     "Type",          "AccessPointName", "Username", "AuthenticationMethod",
		"Protocol", "MessageCenter", "MessageProxy",    NULL,
	};
	GVariantBuilder b;
	gboolean active = FALSE;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (gsize i = 0; kept[i] != NULL; i++)
		g_variant_builder_add(&b, "{sv}", kept[i],
		                      g_variant_new_string(context_string(props, kept[i])));
	g_variant_builder_add(&b, "{sv}", "Password",
	                      g_variant_new_string(context_string(props, "Password")[0] != '\0'
	                                                   ? SECRET_SHOWN
	                                                   : ""));
	g_variant_lookup(props, "Active", "b", &active);
	g_variant_builder_add(&b, "{sv}", "Active", g_variant_new_boolean(active));
	return g_variant_builder_end(&b);
}

/* One reading of everything: GetModems, then the SIM and the contexts of
 * each modem that has both; installed when the last answer is in. */
typedef struct {
	Cache *cache;
	GCancellable *cancellable;
	GPtrArray *modems; /* CachedModem */
	guint pending;
	gboolean failed;
} Refresh;

static void
refresh_done(Refresh *r)
{
	Cache *cache = r->cache;

	if (omacp_backend_cache_refresh_wanted(&cache->base, r->cancellable)) {
		cache_forget(&cache->base);
		if (!r->failed)
			cache->modems = g_steal_pointer(&r->modems);
	}
	g_clear_pointer(&r->modems, g_ptr_array_unref);
	omacp_backend_cache_refresh_done(&cache->base, r->cancellable);
	g_free(r);
}

/* One more answer for @r is in. */
static void
refresh_answered(Refresh *r)
{
	if (--r->pending == 0)
		refresh_done(r);
}

/* Stores the reply (its only child) of one call about @m. */
typedef void (*RefreshStore)(CachedModem *m, GVariant *value);

typedef struct {
	Refresh *refresh;
	CachedModem *modem; /* owned by refresh->modems */
	RefreshStore store;
	const char *what; /* for the debug message */
} RefreshCall;

static void
store_sim(CachedModem *m, GVariant *props)
{
	g_variant_lookup(props, "SubscriberIdentity", "s", &m->imsi);
}

static void
store_contexts(CachedModem *m, GVariant *contexts)
{
	GVariantBuilder b;
	GVariantIter iter;
	const char *path;
	GVariant *props;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(oa{sv})"));
	g_variant_iter_init(&iter, contexts);
	while (g_variant_iter_next(&iter, "(&o@a{sv})", &path, &props)) {
		g_variant_builder_add(&b, "(o@a{sv})", path, masked_context_properties(props));
		g_variant_unref(props);
	}
	m->contexts = g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
refresh_call_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree RefreshCall *rc = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply != NULL) {
		g_autoptr(GVariant) value = g_variant_get_child_value(reply, 0);
		rc->store(rc->modem, value);
	} else {
		g_debug("ofono: %s of %s for the cache failed: %s", rc->what, rc->modem->path,
		        error->message);
	}
	refresh_answered(rc->refresh);
}

static void
refresh_call(Refresh *r, CachedModem *m, const char *iface, const char *method,
             const char *reply_type, RefreshStore store, const char *what)
{
	RefreshCall *rc = g_new0(RefreshCall, 1);

	rc->refresh = r;
	rc->modem = m;
	rc->store = store;
	rc->what = what;
	r->pending++;
	ofono_call(r->cache->base.bus, m->path, iface, method, NULL, reply_type, r->cancellable,
	           refresh_call_cb, rc);
}

static void
refresh_modems_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Refresh *r = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GPtrArray) paths = NULL;

	if (reply == NULL) {
		g_debug("ofono: listing the modems for the cache failed: %s", error->message);
		r->failed = TRUE;
		refresh_done(r);
		return;
	}
	/* the modems apply considers (modems_cb) */
	paths = usable_modems(reply);
	r->modems = g_ptr_array_new_with_free_func((GDestroyNotify) cached_modem_free);
	for (guint i = 0; i < paths->len; i++) {
		CachedModem *m = g_new0(CachedModem, 1);

		m->path = g_strdup(g_ptr_array_index(paths, i));
		g_ptr_array_add(r->modems, m);
	}
	/* one extra count so that no answer completes the refresh early */
	r->pending = 1;
	for (guint i = 0; i < r->modems->len; i++) {
		CachedModem *m = g_ptr_array_index(r->modems, i);

		refresh_call(r, m, OFONO_SIM_MANAGER, "GetProperties", "(a{sv})", store_sim,
		             "reading the SIM");
		refresh_call(r, m, OFONO_CONN_MANAGER, "GetContexts", "(a(oa{sv}))", store_contexts,
		             "listing the contexts");
	}
	refresh_answered(r);
}

static void
cache_refresh(OmacpBackendCache *base, GCancellable *cancellable)
{
	Refresh *r = g_new0(Refresh, 1);

	r->cache = (Cache *) base;
	r->cancellable = cancellable;
	ofono_call(base->bus, "/", OFONO_MANAGER, "GetModems", NULL, "(a(oa{sv}))", cancellable,
	           refresh_modems_cb, r);
}

static const OmacpBackendCacheClass ofono_cache_class = {
	.refresh = cache_refresh,
	.forget = cache_forget,
};

static Cache *
cache_new(GDBusConnection *bus)
{
	/* what can change the answer of a preview; NULL: any */
	static const OmacpBackendCacheSignal signals[] = {
		{ OFONO_MANAGER, "ModemAdded", NULL, NULL },
		{ OFONO_MANAGER, "ModemRemoved", NULL, NULL },
		{ OFONO_MODEM, "PropertyChanged", NULL, "Interfaces" },
		{ OFONO_SIM_MANAGER, "PropertyChanged", NULL, "SubscriberIdentity" },
		{ OFONO_CONN_MANAGER, "ContextAdded", NULL, NULL },
		{ OFONO_CONN_MANAGER, "ContextRemoved", NULL, NULL },
		{ OFONO_CONTEXT, "PropertyChanged", NULL, NULL },
	};

	return (Cache *) omacp_backend_cache_new(sizeof(Cache), &ofono_cache_class, bus,
	                                         OFONO_BUS_NAME, signals, G_N_ELEMENTS(signals));
}

/* Stops @cache for good (the backend goes) and drops the backend's
 * reference; calls in flight finish against the dead cache. */
static void
cache_stop(Cache *cache)
{
	omacp_backend_cache_stop(&cache->base);
}

/* The modem apply would pick for @imsi (check_next_sim, modems_cb), or NULL. */
static const CachedModem *
cache_find_modem(const Cache *cache, const char *imsi)
{
	if (cache->modems == NULL)
		return NULL;
	if (imsi == NULL)
		return cache->modems->len == 1 ? g_ptr_array_index(cache->modems, 0) : NULL;
	for (guint i = 0; i < cache->modems->len; i++) {
		const CachedModem *m = g_ptr_array_index(cache->modems, i);

		if (g_strcmp0(m->imsi, imsi) == 0)
			return m;
	}
	return NULL;
}

/* --- preview ------------------------------------------------------------------ */

/* What preview shows of @p: the password only as SECRET_SHOWN or "". */
static const char *
shown_value(const Property *p)
{
	const char *value = g_variant_get_string(p->value, NULL);

	if (strcmp(p->name, "Password") == 0)
		return value[0] != '\0' ? SECRET_SHOWN : "";
	return value;
}

static GVariant *
ofono_preview(OmacpBackend *backend, const OmacpProfile *profile, const char *existing_id)
{
	OfonoBackend *self = ofono_backend(backend);
	g_autoptr(GArray) wanted = NULL;
	g_autoptr(GVariant) found = NULL;
	g_autoptr(GVariant) props = NULL;
	const CachedModem *modem;
	const char *type = profile->kind == OMACP_PROFILE_MMS ? "mms" : "internet";
	gboolean active = FALSE;
	GVariantBuilder b;
	guint n = 0;

	if (!ofono_handles(backend, profile))
		return NULL;
	/* a profile apply would refuse: apply's error tells */
	wanted = wanted_properties(profile, NULL);
	modem = cache_find_modem(self->cache, profile->imsi);
	if (wanted == NULL || modem == NULL || modem->contexts == NULL)
		return NULL;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	found = pick_context(modem->contexts, existing_id, type, profile->name,
	                     property_value(wanted, "AccessPointName"));
	if (found == NULL) {
		/* a new context: everything apply sets that has a value */
		g_variant_builder_add_value(&b, omacp_backend_change_entry("Type", "", type, NULL));
		for (guint i = 0; i < wanted->len; i++) {
			const Property *p = &g_array_index(wanted, Property, i);

			if (shown_value(p)[0] != '\0')
				g_variant_builder_add_value(
				        &b, omacp_backend_change_entry(p->name, "", shown_value(p),
				                                       NULL));
		}
		return g_variant_builder_end(&b);
	}

	props = g_variant_get_child_value(found, 1);
	/* the same comparison as contexts_cb */
	if (strcmp(context_string(props, "Type"), type) != 0) {
		g_variant_builder_add_value(
		        &b, omacp_backend_change_entry("Type", context_string(props, "Type"), type,
		                                       NULL));
		n++;
	}
	for (guint i = 0; i < wanted->len; i++) {
		const Property *p = &g_array_index(wanted, Property, i);
		const char *old_value = context_string(props, p->name);
		const char *new_value = shown_value(p);

		/* two set passwords may differ: the stored one is not known */
		if (strcmp(old_value, new_value) == 0 && strcmp(new_value, SECRET_SHOWN) != 0)
			continue;
		g_variant_builder_add_value(
		        &b, omacp_backend_change_entry(p->name, old_value, new_value, NULL));
		n++;
	}
	g_variant_lookup(props, "Active", "b", &active);
	if (n > 0 && active) {
		g_autofree char *risk = g_strdup_printf(
		        "context '%s' is active and oFono changes only inactive contexts: "
		        "applying fails while it stays active, unless the change is forced, "
		        "which deactivates it (dropping its connection) and activates it again",
		        context_string(props, "Name"));
		g_variant_builder_add_value(
		        &b, omacp_backend_change_entry("Active", "true", "true", risk));
	}
	return g_variant_builder_end(&b); /* empty: nothing changes */
}

static void
ofono_free(OmacpBackend *backend)
{
	OfonoBackend *self = ofono_backend(backend);

	omacp_backend_name_watch_stop(&self->watch);
	g_clear_pointer(&self->cache, cache_stop);
	g_clear_object(&self->bus);
	g_free(self);
}

static const OmacpBackendClass ofono_class = {
	OMACP_BACKEND_APPLYING_CLASS(ofono, "ofono"),
};

OmacpBackend *
omacp_backend_ofono_new(GDBusConnection *bus)
{
	OfonoBackend *self;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(bus), NULL);

	self = omacp_backend_new0(OfonoBackend, &ofono_class);
	self->bus = g_object_ref(bus);
	self->cache = cache_new(bus);
	omacp_backend_name_watch_start(&self->watch, &self->parent, bus, OFONO_BUS_NAME);
	return &self->parent;
}

static OmacpBackend *
ofono_create(const OmacpBackendSetup *setup)
{
	return omacp_backend_ofono_new(setup->bus);
}

const OmacpBackendInfo omacp_backend_info_ofono = {
	.name = "ofono",
	.create = ofono_create,
};
