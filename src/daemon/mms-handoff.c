/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "mms-handoff.h"

#include "omacp.h"

/* The capability an agent names to get Agent.ApplyMms. */
#define MMS_CAPABILITY "mms"
/* ... and to get MMS notification pushes (Agent.PushMms). */
#define MMS_PUSH_CAPABILITY "mms-push"
/* ms an agent gets to hand a push to mmsd-tng */
#define MMS_PUSH_TIMEOUT_MS 30000
/* the hand-off of a bus connection, for replies that outlive it */
#define HANDOFF_KEY "omacp-mms-handoff"

typedef struct _Pending Pending;

struct _OmacpMmsHandoff {
	OmacpMmsdRelay relay; /* first: the backend holds &relay */
	GDBusConnection *bus;
	OmacpAgentManager *agents;
	guint timeout_s;
	GHashTable *pending; /* request id → Pending * */
	guint64 last_request;
	GCancellable *cancellable; /* of the pushes on their way */
	gboolean available;        /* as last told to changed_func */
	OmacpMmsdRelayChangedFunc changed_func;
	gpointer changed_data;
};

/* One Agent.ApplyMms waiting for its ReportMms. */
struct _Pending {
	OmacpMmsHandoff *self;
	char *id;
	char *owner; /* the agent's unique bus name */
	GTask *task;
	guint timeout;
	guint watch; /* the owner leaving the bus */
};

static void
pending_free(Pending *p)
{
	if (p->timeout != 0)
		g_source_remove(p->timeout);
	if (p->watch != 0)
		g_bus_unwatch_name(p->watch);
	g_clear_object(&p->task);
	g_free(p->owner);
	g_free(p->id);
	g_free(p);
}

/* Ends @p (taken out of the table) with @error, which is taken. */
static void
pending_fail(Pending *p, GError *error)
{
	OmacpMmsHandoff *self = p->self;
	g_autoptr(GTask) task = g_steal_pointer(&p->task);

	g_hash_table_remove(self->pending, p->id);
	g_task_return_error(task, error);
}

static gboolean
pending_timed_out(gpointer user_data)
{
	Pending *p = user_data;

	p->timeout = 0;
	g_message("mms: the session agent did not report on %s in %u s", p->id, p->self->timeout_s);
	pending_fail(p, g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
	                            "mmsd: the session agent did not report in %u s; the MMS "
	                            "settings wait for the next agent",
	                            p->self->timeout_s));
	return G_SOURCE_REMOVE;
}

static void
pending_owner_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	Pending *p = user_data;

	g_message("mms: the session agent %s left before reporting on %s", name, p->id);
	pending_fail(p, g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
	                            "mmsd: the session agent left before it reported; the MMS "
	                            "settings wait for the next agent"));
}

static void
apply_mms_sent(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree char *id = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	OmacpMmsHandoff *self;
	Pending *p;

	if (reply != NULL || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
		return;
	/* the hand-off may be gone by now: it is found through the bus */
	self = g_object_get_data(source, HANDOFF_KEY);
	if (self == NULL)
		return;
	p = g_hash_table_lookup(self->pending, id);
	if (p == NULL)
		return; /* reported (or timed out) already */
	g_message("mms: Agent.ApplyMms failed: %s", error->message);
	pending_fail(p, g_error_new(OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
	                            "mmsd: the session agent refused the MMS settings: %s",
	                            error->message));
}

static gboolean
relay_available(OmacpMmsdRelay *relay)
{
	OmacpMmsHandoff *self = (OmacpMmsHandoff *) relay;

	return omacp_agent_manager_find_capable(self->agents, MMS_CAPABILITY, NULL, NULL);
}

static void
relay_exchange_async(OmacpMmsdRelay *relay, GVariant *set, const char *profile, const char *imsi,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	OmacpMmsHandoff *self = (OmacpMmsHandoff *) relay;
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	g_autoptr(GVariant) settings =
	        g_variant_ref_sink(set != NULL ? set : g_variant_new("a{sv}", NULL));
	g_autofree char *masked = imsi != NULL ? omacp_mask_imsi(imsi) : NULL;
	const char *owner = NULL;
	const char *path = NULL;
	GVariantBuilder context;
	Pending *p;

	g_task_set_source_tag(task, relay_exchange_async);
	if (!omacp_agent_manager_find_capable(self->agents, MMS_CAPABILITY, &owner, &path)) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND_UNAVAILABLE,
		                        "mmsd: no session agent that applies MMS settings is "
		                        "registered (omacp-agent in the user's session)");
		return;
	}
	p = g_new0(Pending, 1);
	p->self = self;
	p->id = g_strdup_printf("mms-%" G_GUINT64_FORMAT, ++self->last_request);
	p->owner = g_strdup(owner);
	p->task = g_steal_pointer(&task);
	p->timeout = g_timeout_add_seconds(self->timeout_s, pending_timed_out, p);
	p->watch = g_bus_watch_name_on_connection(self->bus, owner, G_BUS_NAME_WATCHER_FLAGS_NONE,
	                                          NULL, pending_owner_vanished, p, NULL);
	g_hash_table_insert(self->pending, p->id, p);

	g_variant_builder_init(&context, G_VARIANT_TYPE_VARDICT);
	if (profile != NULL)
		g_variant_builder_add(&context, "{sv}", "profile", g_variant_new_string(profile));
	if (masked != NULL)
		g_variant_builder_add(&context, "{sv}", "imsi", g_variant_new_string(masked));
	g_variant_builder_add(
	        &context, "{sv}", "operation",
	        g_variant_new_string(g_variant_n_children(settings) > 0 ? "write" : "read"));
	g_message("mms: %s to the session agent %s (%s)", p->id, owner,
	          g_variant_n_children(settings) > 0 ? "write" : "read");
	g_dbus_connection_call(self->bus, owner, path, OMACP_DBUS_AGENT_INTERFACE, "ApplyMms",
	                       g_variant_new("(s@a{sv}a{sv})", p->id, settings, &context), NULL,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, (gint) self->timeout_s * 1000, NULL,
	                       apply_mms_sent, g_strdup(p->id));
}

static GVariant *
relay_exchange_finish(OmacpMmsdRelay *relay, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
relay_set_changed_func(OmacpMmsdRelay *relay, OmacpMmsdRelayChangedFunc func, gpointer user_data)
{
	OmacpMmsHandoff *self = (OmacpMmsHandoff *) relay;

	self->changed_func = func;
	self->changed_data = user_data;
}

void
omacp_mms_handoff_agents_changed(OmacpMmsHandoff *self)
{
	gboolean now = relay_available(&self->relay);

	if (now == self->available)
		return;
	self->available = now;
	g_message("mms: %s", now ? "a session agent applies MMS settings now"
	                         : "no session agent applies MMS settings now");
	if (self->changed_func != NULL)
		self->changed_func(self->changed_data);
}

static gboolean
previous_fits(GVariant *previous, GError **error)
{
	GVariantIter iter;
	const char *key;
	GVariant *boxed;

	g_variant_iter_init(&iter, previous);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &boxed)) {
		g_autoptr(GVariant) value = boxed;
		gsize len = 0;

		if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
			continue;
		g_variant_get_string(value, &len);
		if (len > OMACP_MMS_HANDOFF_MAX_VALUE_LEN) {
			g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
			            "ReportMms: %s is %" G_GSIZE_FORMAT
			            " octets long, more than %d",
			            key, len, OMACP_MMS_HANDOFF_MAX_VALUE_LEN);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
omacp_mms_handoff_report(OmacpMmsHandoff *self, const char *sender, const char *request,
                         gboolean applied, const char *error_text, GVariant *previous,
                         GError **error)
{
	Pending *p = g_hash_table_lookup(self->pending, request);
	g_autoptr(GTask) task = NULL;

	if (p == NULL || g_strcmp0(p->owner, sender) != 0) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "ReportMms: no MMS request %s of yours waits for a report", request);
		return FALSE;
	}
	if (!previous_fits(previous, error))
		return FALSE;
	task = g_steal_pointer(&p->task);
	g_hash_table_remove(self->pending, request);
	g_message("mms: %s reported: %s%s%s", request, applied ? "applied" : "failed",
	          applied ? "" : ": ", applied ? "" : error_text);
	if (!applied) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_BACKEND,
		                        "mmsd (through the session agent): %s",
		                        error_text[0] != '\0' ? error_text : "failed");
		return TRUE;
	}
	g_task_return_pointer(task, g_variant_ref(previous), (GDestroyNotify) g_variant_unref);
	return TRUE;
}

/* --- MMS notifications to mmsd-tng ---------------------------------------- */

typedef struct {
	OmacpPushRoutedFunc routed;
	gpointer routed_data;
} PushCall;

static void
pushed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree PushCall *call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL)
		g_message("mms: the session agent did not hand the MMS notification to mmsd-tng: "
		          "%s; left on the modem",
		          error->message);
	else
		g_message("mms: MMS notification handed to mmsd-tng through the session agent");
	if (call->routed != NULL)
		call->routed(reply != NULL ? OMACP_PUSH_FORWARDED : OMACP_PUSH_LEFT,
		             call->routed_data);
}

gboolean
omacp_mms_handoff_push(OmacpMmsHandoff *self, const OmacpPushEvent *event,
                       OmacpPushRoutedFunc routed, gpointer routed_data)
{
	const char *owner = NULL;
	const char *path = NULL;
	PushCall *call;
	GVariantBuilder info;

	/* oFono hands MMS notifications to mmsd-tng itself (its push agent) */
	if (g_strcmp0(event->adapter, "modemmanager") != 0 ||
	    !omacp_agent_manager_find_capable(self->agents, MMS_PUSH_CAPABILITY, &owner, &path))
		return FALSE;
	call = g_new0(PushCall, 1);
	call->routed = routed;
	call->routed_data = routed_data;
	g_variant_builder_init(&info, G_VARIANT_TYPE_VARDICT);
	if (event->modem != NULL)
		g_variant_builder_add(&info, "{sv}", "modem", g_variant_new_string(event->modem));
	g_message("mms: MMS notification from %s to the session agent %s", event->modem, owner);
	g_dbus_connection_call(self->bus, owner, path, OMACP_DBUS_AGENT_INTERFACE, "PushMms",
	                       g_variant_new("(@aya{sv})",
	                                     g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING,
	                                                              event->datagram, TRUE),
	                                     &info),
	                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, MMS_PUSH_TIMEOUT_MS,
	                       self->cancellable, pushed, call);
	return TRUE;
}

OmacpMmsdRelay *
omacp_mms_handoff_relay(OmacpMmsHandoff *self)
{
	return &self->relay;
}

OmacpMmsHandoff *
omacp_mms_handoff_new(GDBusConnection *bus, OmacpAgentManager *agents, guint timeout_s)
{
	OmacpMmsHandoff *self = g_new0(OmacpMmsHandoff, 1);

	self->relay.available = relay_available;
	self->relay.exchange_async = relay_exchange_async;
	self->relay.exchange_finish = relay_exchange_finish;
	self->relay.set_changed_func = relay_set_changed_func;
	self->bus = g_object_ref(bus);
	self->agents = agents;
	self->timeout_s = timeout_s;
	self->cancellable = g_cancellable_new();
	self->pending =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) pending_free);
	g_object_set_data(G_OBJECT(bus), HANDOFF_KEY, self);
	return self;
}

void
omacp_mms_handoff_free(OmacpMmsHandoff *self)
{
	if (self == NULL)
		return;
	if (g_object_get_data(G_OBJECT(self->bus), HANDOFF_KEY) == self)
		g_object_set_data(G_OBJECT(self->bus), HANDOFF_KEY, NULL);
	/* shutting down: the applies waiting for a report are not finished;
	 * the pushes on their way end as left */
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->pending, g_hash_table_unref);
	g_clear_object(&self->bus);
	g_free(self);
}
