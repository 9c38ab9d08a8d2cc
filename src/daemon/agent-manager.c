/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "agent-manager.h"

#include <string.h>

#include "omacp.h"
#include "polkit.h"

typedef struct _Agent Agent;
typedef struct _Request Request;

struct _OmacpAgentManager {
	GDBusConnection *bus;
	guint timeout_s;
	GPtrArray *agents;    /* Agent *, the most recent last */
	GHashTable *requests; /* guint id → Request *, sent or queued */
	guint last_request;
	OmacpAgentsChangedFunc changed_func;
	gpointer changed_data;
	OmacpAgentsChangedFunc roster_func; /* any agent came or went */
	gpointer roster_data;
	OmacpAgentPreferFunc prefer_func;
	gpointer prefer_data;
	char *action_id; /* checked for the owner before each request; NULL: none */
};

struct _Agent {
	char *owner;
	char *path;
	guint32 uid;
	char *session; /* logind session object path, NULL when unknown */
	guint watch;
	GQueue queue;        /* Request *, the head under way */
	char **capabilities; /* what it does besides asking ("mms") */
};

struct _Request {
	OmacpAgentManager *self; /* NULL once the manager is gone */
	guint id;
	Agent *agent; /* NULL once the agent is gone */
	char *owner;
	char *path;
	char *method;
	GVariant *args;
	GVariantType *reply_type;
	GCancellable *cancellable;
	gboolean sent; /* under way: its owner checked or the agent called */
	/* polkit actions the owner needs besides the agent action (NULL: none),
	 * checked in turn with @details (a{ss}, NULL: none) */
	GStrv checks;
	guint next_check;
	GVariant *details;
	OmacpAgentReplyFunc func;
	gpointer user_data;
};

static void
request_free(Request *req)
{
	g_free(req->owner);
	g_free(req->path);
	g_free(req->method);
	g_clear_pointer(&req->args, g_variant_unref);
	g_clear_pointer(&req->reply_type, g_variant_type_free);
	g_clear_object(&req->cancellable);
	g_strfreev(req->checks);
	g_clear_pointer(&req->details, g_variant_unref);
	g_free(req);
}

static void
agent_free(Agent *agent)
{
	if (agent->watch != 0)
		g_bus_unwatch_name(agent->watch);
	g_queue_clear(&agent->queue); /* the requests belong to self->requests */
	g_strfreev(agent->capabilities);
	g_free(agent->session);
	g_free(agent->owner);
	g_free(agent->path);
	g_free(agent);
}

static void
send_no_reply(OmacpAgentManager *self, const char *owner, const char *path, const char *method,
              GVariant *args)
{
	g_dbus_connection_call(self->bus, owner, path, OMACP_DBUS_AGENT_INTERFACE, method, args,
	                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static void send_next(OmacpAgentManager *self, Agent *agent);
static void remove_agent(OmacpAgentManager *self, Agent *agent);

/* Ends @req, which was under way: its reply function, then the next
 * request of its agent. */
static void
finish(OmacpAgentManager *self, Request *req, GVariant *reply, const GError *error)
{
	Agent *agent = req->agent;

	if (agent != NULL)
		g_queue_remove(&agent->queue, req);
	req->func(self, req->id, reply, error, req->user_data);
	g_hash_table_remove(self->requests, GUINT_TO_POINTER(req->id));
	if (agent != NULL)
		send_next(self, agent);
}

static void
request_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Request *req = user_data;
	OmacpAgentManager *self = req->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (self == NULL) {
		request_free(req); /* shutting down */
		return;
	}
	finish(self, req, reply, error);
}

static void
call_agent(OmacpAgentManager *self, Request *req)
{
	g_dbus_connection_call(self->bus, req->owner, req->path, OMACP_DBUS_AGENT_INTERFACE,
	                       req->method, req->args, req->reply_type,
	                       G_DBUS_CALL_FLAGS_NO_AUTO_START, (gint) self->timeout_s * 1000,
	                       req->cancellable, request_done, req);
}

static void check_owner(OmacpAgentManager *self, Request *req, const char *action_id);

/* polkit refused one of the request's own checks: the agent stays, this
 * request ends. */
static void
check_refused(OmacpAgentManager *self, Request *req, const char *action_id, const GError *error)
{
	g_autoptr(GError) denied =
	        g_error_new(G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
	                    "polkit: the agent's owner is not authorized for %s%s%s", action_id,
	                    error != NULL ? ": " : "", error != NULL ? error->message : "");

	finish(self, req, NULL, denied);
}

/* polkit's answer about the owner of @req's agent: the agent action first,
 * then the request's own checks. */
static void
owner_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Request *req = user_data;
	OmacpAgentManager *self = req->self;
	Agent *agent = req->agent;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	gboolean authorized = FALSE;
	gboolean own_check = req->next_check > 0;
	const char *action_id = own_check ? req->checks[req->next_check - 1] : NULL;

	if (self == NULL) {
		request_free(req); /* shutting down */
		return;
	}
	if (reply != NULL)
		g_variant_get(reply, "((bb*))", &authorized, NULL, NULL);
	if (own_check && reply == NULL && g_dbus_error_is_remote_error(error) &&
	    strstr(error->message, "is not registered") != NULL &&
	    g_strcmp0(action_id, OMACP_NM_ACTION_MODIFY_SYSTEM) == 0 && agent != NULL &&
	    !g_cancellable_is_cancelled(req->cancellable)) {
		/* without NetworkManager's policy, omacp's action of the same
		 * weight stands in for it, as for Accept */
		g_free(req->checks[req->next_check - 1]);
		req->checks[req->next_check - 1] = g_strdup(OMACP_ACTION_ID_SYSTEM_CONNECTION);
		check_owner(self, req, req->checks[req->next_check - 1]);
		return;
	}
	if (authorized && agent != NULL && !g_cancellable_is_cancelled(req->cancellable)) {
		if (req->checks != NULL && req->checks[req->next_check] != NULL) {
			req->next_check++;
			check_owner(self, req, req->checks[req->next_check - 1]);
			return;
		}
		call_agent(self, req);
		return;
	}
	if (error == NULL && agent == NULL)
		error = g_error_new(G_IO_ERROR, G_IO_ERROR_CLOSED,
		                    "the agent went away before it was asked");
	if (own_check && agent != NULL &&
	    (error == NULL || !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))) {
		check_refused(self, req, action_id, error);
		return;
	}
	if (error == NULL || !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		/* not authorized (or polkit could not say): no further requests */
		if (agent != NULL) {
			g_message("agent %s%s: its owner is no longer authorized for %s%s%s; "
			          "the agent is dropped",
			          agent->owner, agent->path, self->action_id, error ? ": " : "",
			          error ? error->message : "");
			send_no_reply(self, agent->owner, agent->path, "Release", NULL);
			remove_agent(self, agent);
		}
		g_clear_error(&error);
		error = g_error_new(G_IO_ERROR, G_IO_ERROR_CLOSED,
		                    "the agent's owner is no longer authorized");
		finish(self, req, NULL, error);
		if (agent != NULL && self->changed_func != NULL)
			self->changed_func(self->changed_data);
		return;
	}
	finish(self, req, NULL, error);
}

static void
check_owner(OmacpAgentManager *self, Request *req, const char *action_id)
{
	GVariantBuilder details;
	GVariant *subject;

	g_variant_builder_init(&details, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&details, "{sv}", "name", g_variant_new_string(req->owner));
	subject = g_variant_new("(sa{sv})", "system-bus-name", &details);
	g_dbus_connection_call(
	        self->bus, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
	        "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization",
	        g_variant_new("(@(sa{sv})s@a{ss}us)", subject, action_id,
	                      /* the message takes a reference of its own */
	                      req->details != NULL
	                              ? req->details
	                              : g_variant_new_array(G_VARIANT_TYPE("{ss}"), NULL, 0),
	                      0u, ""),
	        G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, -1, req->cancellable,
	        owner_checked, req);
}

static void
send_next(OmacpAgentManager *self, Agent *agent)
{
	Request *req = g_queue_peek_head(&agent->queue);

	if (req == NULL || req->sent)
		return;
	req->sent = TRUE;
	if (self->action_id != NULL)
		check_owner(self, req, self->action_id);
	else
		call_agent(self, req);
}

/* The agent asked first about something of @seat (NULL: the default
 * seat): the most recent of those the prefer function picks, else the most
 * recent. */
static Agent *
current_agent(OmacpAgentManager *self, const char *seat)
{
	for (guint i = self->agents->len; self->prefer_func != NULL && i > 0; i--) {
		Agent *agent = g_ptr_array_index(self->agents, i - 1);

		if (self->prefer_func(agent->session, seat, self->prefer_data))
			return agent;
	}
	if (self->agents->len == 0)
		return NULL;
	return g_ptr_array_index(self->agents, self->agents->len - 1);
}

static guint
enqueue(OmacpAgentManager *self, Agent *agent, const char *method, GVariant *args,
        const GVariantType *reply_type, const char *const *checks, GVariant *details,
        OmacpAgentReplyFunc func, gpointer user_data)
{
	Request *req;

	if (details != NULL)
		g_variant_ref_sink(details);
	if (agent == NULL) {
		g_variant_unref(g_variant_ref_sink(args));
		if (details != NULL)
			g_variant_unref(details);
		return 0;
	}
	req = g_new0(Request, 1);
	req->self = self;
	req->id = ++self->last_request;
	if (req->id == 0)
		req->id = ++self->last_request;
	req->agent = agent;
	req->owner = g_strdup(agent->owner);
	req->path = g_strdup(agent->path);
	req->method = g_strdup(method);
	req->args = g_variant_ref_sink(args);
	req->reply_type = g_variant_type_copy(reply_type);
	req->cancellable = g_cancellable_new();
	req->func = func;
	req->user_data = user_data;
	req->checks = checks != NULL && checks[0] != NULL ? g_strdupv((char **) checks) : NULL;
	req->details = details;
	g_hash_table_insert(self->requests, GUINT_TO_POINTER(req->id), req);
	g_queue_push_tail(&agent->queue, req);
	send_next(self, agent);
	return req->id;
}

guint
omacp_agent_manager_request(OmacpAgentManager *self, const char *method, GVariant *args,
                            const GVariantType *reply_type, OmacpAgentReplyFunc func,
                            gpointer user_data)
{
	return enqueue(self, current_agent(self, NULL), method, args, reply_type, NULL, NULL, func,
	               user_data);
}

static Agent *find_agent(OmacpAgentManager *self, const char *owner, const char *path);

guint
omacp_agent_manager_request_to(OmacpAgentManager *self, const char *owner, const char *path,
                               const char *method, GVariant *args, const GVariantType *reply_type,
                               OmacpAgentReplyFunc func, gpointer user_data)
{
	return enqueue(self, find_agent(self, owner, path), method, args, reply_type, NULL, NULL,
	               func, user_data);
}

guint
omacp_agent_manager_request_checked(OmacpAgentManager *self, const char *seat, const char *owner,
                                    const char *path, const char *method, GVariant *args,
                                    const GVariantType *reply_type, const char *const *checks,
                                    GVariant *details, OmacpAgentReplyFunc func, gpointer user_data)
{
	Agent *agent = owner != NULL ? find_agent(self, owner, path) : current_agent(self, seat);

	return enqueue(self, agent, method, args, reply_type, checks, details, func, user_data);
}

const char *
omacp_agent_manager_request_owner(OmacpAgentManager *self, guint request)
{
	Request *req = g_hash_table_lookup(self->requests, GUINT_TO_POINTER(request));

	return req != NULL ? req->owner : NULL;
}

gboolean
omacp_agent_manager_find_owner(OmacpAgentManager *self, const char *owner, const char **path)
{
	for (guint i = 0; i < self->agents->len; i++) {
		Agent *a = g_ptr_array_index(self->agents, i);

		if (g_strcmp0(a->owner, owner) == 0) {
			if (path != NULL)
				*path = a->path;
			return TRUE;
		}
	}
	return FALSE;
}

/* Ends @req before it was sent, with @code (G_IO_ERROR_CANCELLED, or
 * G_IO_ERROR_CLOSED when its agent went away). */
static void
drop_unsent(OmacpAgentManager *self, Request *req, GIOErrorEnum code)
{
	g_autoptr(GError) error = g_error_new(G_IO_ERROR, code, "%s",
	                                      code == G_IO_ERROR_CANCELLED
	                                              ? "the request was cancelled"
	                                              : "the agent went away before it was asked");

	if (req->agent != NULL)
		g_queue_remove(&req->agent->queue, req);
	req->func(self, req->id, NULL, error, req->user_data);
	g_hash_table_remove(self->requests, GUINT_TO_POINTER(req->id));
}

void
omacp_agent_manager_cancel(OmacpAgentManager *self, guint request)
{
	Request *req = g_hash_table_lookup(self->requests, GUINT_TO_POINTER(request));

	if (req == NULL)
		return;
	if (req->sent)
		g_cancellable_cancel(req->cancellable);
	else
		drop_unsent(self, req, G_IO_ERROR_CANCELLED);
}

void
omacp_agent_manager_send_cancel(OmacpAgentManager *self, guint request, const char *object_path)
{
	Request *req = g_hash_table_lookup(self->requests, GUINT_TO_POINTER(request));

	if (req == NULL)
		return;
	if (object_path == NULL)
		g_variant_get_child(req->args, 0, "&o", &object_path);
	send_no_reply(self, req->owner, req->path, "Cancel", g_variant_new("(o)", object_path));
}

gboolean
omacp_agent_manager_can_ask(OmacpAgentManager *self)
{
	return omacp_agent_manager_can_ask_on(self, NULL);
}

gboolean
omacp_agent_manager_can_ask_on(OmacpAgentManager *self, const char *seat)
{
	Agent *agent = current_agent(self, seat);

	return agent != NULL && g_queue_is_empty(&agent->queue);
}

guint
omacp_agent_manager_count(OmacpAgentManager *self)
{
	return self->agents->len;
}

static void
remove_agent(OmacpAgentManager *self, Agent *agent)
{
	g_message("agent %s%s unregistered", agent->owner, agent->path);
	/* the request under way still ends with its reply; the others now */
	for (GList *l = agent->queue.head; l != NULL; l = l->next)
		((Request *) l->data)->agent = NULL;
	while (!g_queue_is_empty(&agent->queue)) {
		Request *req = g_queue_pop_tail(&agent->queue);

		if (!req->sent)
			drop_unsent(self, req, G_IO_ERROR_CLOSED);
	}
	g_ptr_array_remove(self->agents, agent);
}

static void
agent_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	OmacpAgentManager *self = user_data;

	for (guint i = self->agents->len; i > 0; i--) {
		Agent *agent = g_ptr_array_index(self->agents, i - 1);

		if (g_strcmp0(agent->owner, name) == 0)
			remove_agent(self, agent);
	}
	if (self->roster_func != NULL)
		self->roster_func(self->roster_data);
	if (self->changed_func != NULL)
		self->changed_func(self->changed_data);
}

static Agent *
find_agent(OmacpAgentManager *self, const char *owner, const char *path)
{
	for (guint i = 0; i < self->agents->len; i++) {
		Agent *a = g_ptr_array_index(self->agents, i);

		if (g_strcmp0(a->owner, owner) == 0 && g_strcmp0(a->path, path) == 0)
			return a;
	}
	return NULL;
}

gboolean
omacp_agent_manager_register(OmacpAgentManager *self, const char *owner, const char *path,
                             guint32 uid, const char *session, GError **error)
{
	return omacp_agent_manager_register_full(self, owner, path, uid, session, NULL, error);
}

gboolean
omacp_agent_manager_register_full(OmacpAgentManager *self, const char *owner, const char *path,
                                  guint32 uid, const char *session, const char *const *capabilities,
                                  GError **error)
{
	Agent *agent;
	guint of_user = 0;

	if (find_agent(self, owner, path) != NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS,
		            "an agent is registered at %s already", path);
		return FALSE;
	}
	if (self->agents->len >= OMACP_AGENT_MANAGER_MAX_AGENTS) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "%d agents are registered already", OMACP_AGENT_MANAGER_MAX_AGENTS);
		return FALSE;
	}
	for (guint i = 0; i < self->agents->len; i++)
		of_user += ((Agent *) g_ptr_array_index(self->agents, i))->uid == uid;
	if (of_user >= OMACP_AGENT_MANAGER_MAX_AGENTS_PER_USER) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE,
		            "user %u has %d agents registered already", uid,
		            OMACP_AGENT_MANAGER_MAX_AGENTS_PER_USER);
		return FALSE;
	}
	agent = g_new0(Agent, 1);
	agent->owner = g_strdup(owner);
	agent->path = g_strdup(path);
	agent->uid = uid;
	agent->session = g_strdup(session);
	g_queue_init(&agent->queue);
	agent->capabilities = g_strdupv((char **) capabilities);
	agent->watch = g_bus_watch_name_on_connection(
	        self->bus, owner, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, agent_vanished, self, NULL);
	g_ptr_array_add(self->agents, agent);
	g_message("agent %s%s registered (uid %u, session %s)", owner, path, uid,
	          session != NULL ? session : "unknown");
	if (self->roster_func != NULL)
		self->roster_func(self->roster_data);
	return TRUE;
}

gboolean
omacp_agent_manager_unregister(OmacpAgentManager *self, const char *owner, const char *path,
                               GError **error)
{
	Agent *agent = find_agent(self, owner, path);

	if (agent == NULL) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		            "no agent of yours is registered at %s", path);
		return FALSE;
	}
	remove_agent(self, agent);
	if (self->roster_func != NULL)
		self->roster_func(self->roster_data);
	return TRUE;
}

void
omacp_agent_manager_set_roster_func(OmacpAgentManager *self, OmacpAgentsChangedFunc func,
                                    gpointer user_data)
{
	self->roster_func = func;
	self->roster_data = user_data;
}

gboolean
omacp_agent_manager_find_capable(OmacpAgentManager *self, const char *capability,
                                 const char **out_owner, const char **out_path)
{
	for (guint i = self->agents->len; i > 0; i--) {
		Agent *a = g_ptr_array_index(self->agents, i - 1);

		if (a->capabilities == NULL ||
		    !g_strv_contains((const char *const *) a->capabilities, capability))
			continue;
		if (out_owner != NULL)
			*out_owner = a->owner;
		if (out_path != NULL)
			*out_path = a->path;
		return TRUE;
	}
	return FALSE;
}

void
omacp_agent_manager_set_changed_func(OmacpAgentManager *self, OmacpAgentsChangedFunc func,
                                     gpointer user_data)
{
	self->changed_func = func;
	self->changed_data = user_data;
}

void
omacp_agent_manager_set_prefer_func(OmacpAgentManager *self, OmacpAgentPreferFunc func,
                                    gpointer user_data)
{
	self->prefer_func = func;
	self->prefer_data = user_data;
}

void
omacp_agent_manager_set_authorization(OmacpAgentManager *self, const char *action_id)
{
	g_free(self->action_id);
	self->action_id = g_strdup(action_id);
}

OmacpAgentManager *
omacp_agent_manager_new(GDBusConnection *bus, guint timeout_s)
{
	OmacpAgentManager *self = g_new0(OmacpAgentManager, 1);

	self->bus = g_object_ref(bus);
	self->timeout_s = timeout_s;
	self->agents = g_ptr_array_new_with_free_func((GDestroyNotify) agent_free);
	self->requests = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	                                       (GDestroyNotify) request_free);
	return self;
}

void
omacp_agent_manager_free(OmacpAgentManager *self)
{
	GHashTableIter iter;
	gpointer value;

	if (self == NULL)
		return;
	for (guint i = 0; i < self->agents->len; i++) {
		Agent *a = g_ptr_array_index(self->agents, i);

		send_no_reply(self, a->owner, a->path, "Release", NULL);
	}
	/* the requests under way end in request_done(), which frees them */
	g_hash_table_iter_init(&iter, self->requests);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Request *req = value;

		req->self = NULL;
		req->agent = NULL;
		if (req->sent) {
			g_cancellable_cancel(req->cancellable);
			g_hash_table_iter_steal(&iter);
		} else {
			g_hash_table_iter_remove(&iter);
		}
	}
	g_clear_pointer(&self->requests, g_hash_table_unref);
	g_clear_pointer(&self->agents, g_ptr_array_unref);
	g_clear_object(&self->bus);
	g_free(self->action_id);
	g_free(self);
}
