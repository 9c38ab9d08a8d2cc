/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The registry of org.omacp.Provisioning1.Agent objects: registered by a
 * bus name and a path, dropped when that name leaves the bus. Requests go
 * to the most recently registered agent among those the prefer function
 * picks (the active session on the modem's seat), else to the most recent
 * one; each agent has one queue and answers one request at a time. With an
 * authorization action set, the owner of the agent is checked with polkit
 * before each request is sent: an owner who lost the right loses the agent.
 * A request has an id by which it can be cancelled; its
 * reply function is called once, with the reply or an error
 * (G_IO_ERROR_CANCELLED when cancelled, G_IO_ERROR_TIMED_OUT when the agent
 * did not answer in time, G_IO_ERROR_CLOSED when its agent went away or
 * lost the right before the request was sent). */

#include <gio/gio.h>

#include "omacp-dbus-names.h" /* generated from the introspection XML */

G_BEGIN_DECLS

/* Agents registered at once, and by one user (uid): one user must not be
 * able to lock the others out. A user may run omacp-agent
 * and omacpctl agent at once, and one more while one restarts. */
#define OMACP_AGENT_MANAGER_MAX_AGENTS          16
#define OMACP_AGENT_MANAGER_MAX_AGENTS_PER_USER 3

typedef struct _OmacpAgentManager OmacpAgentManager;

/* @reply is NULL when @error is set. During the call
 * omacp_agent_manager_send_cancel() can still reach the request's agent. */
typedef void (*OmacpAgentReplyFunc)(OmacpAgentManager *self, guint request, GVariant *reply,
                                    const GError *error, gpointer user_data);
/* The agents changed: one went away. */
typedef void (*OmacpAgentsChangedFunc)(gpointer user_data);
/* TRUE when an agent of logind session @session (NULL: unknown) is to be
 * asked before the others about something of @seat (the modem's seat;
 * NULL: the default seat). */
typedef gboolean (*OmacpAgentPreferFunc)(const char *session, const char *seat, gpointer user_data);

/* Agents on @bus get @timeout_s seconds for each request. */
OmacpAgentManager *omacp_agent_manager_new(GDBusConnection *bus, guint timeout_s);
/* Tells every agent it is released; requests under way end without their
 * reply functions being called. */
void omacp_agent_manager_free(OmacpAgentManager *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpAgentManager, omacp_agent_manager_free)

void omacp_agent_manager_set_changed_func(OmacpAgentManager *self, OmacpAgentsChangedFunc func,
                                          gpointer user_data);

void omacp_agent_manager_set_prefer_func(OmacpAgentManager *self, OmacpAgentPreferFunc func,
                                         gpointer user_data);
/* Checks @action_id (polkit, for the agent's bus name) before every
 * request is sent; NULL (the default): no check. */
void omacp_agent_manager_set_authorization(OmacpAgentManager *self, const char *action_id);

/* Registers the agent at @path of bus name @owner, whose user is @uid and
 * whose logind session is @session (NULL: none known). Fails with
 * OMACP_ERROR_TOO_LARGE above the caps. */
gboolean omacp_agent_manager_register(OmacpAgentManager *self, const char *owner, const char *path,
                                      guint32 uid, const char *session, GError **error);
/* The same, with what the agent does besides asking (NULL-terminated, may
 * be NULL): "mms" — it applies MMS settings to the user's mmsd-tng
 * (Agent.ApplyMms). */
gboolean omacp_agent_manager_register_full(OmacpAgentManager *self, const char *owner,
                                           const char *path, guint32 uid, const char *session,
                                           const char *const *capabilities, GError **error);
/* TRUE when @owner has an agent registered; its path in @path. */
gboolean omacp_agent_manager_find_owner(OmacpAgentManager *self, const char *owner,
                                        const char **path);
gboolean omacp_agent_manager_unregister(OmacpAgentManager *self, const char *owner,
                                        const char *path, GError **error);
guint omacp_agent_manager_count(OmacpAgentManager *self);

/* @func is called after an agent registered, unregistered or left the bus
 * (one listener besides the changed func; NULL: none). */
void omacp_agent_manager_set_roster_func(OmacpAgentManager *self, OmacpAgentsChangedFunc func,
                                         gpointer user_data);
/* The most recently registered agent with @capability: its bus name and
 * path (valid until the agents change); FALSE when there is none. */
gboolean omacp_agent_manager_find_capable(OmacpAgentManager *self, const char *capability,
                                          const char **out_owner, const char **out_path);

/* TRUE when an agent is registered and has no request under way. */
gboolean omacp_agent_manager_can_ask(OmacpAgentManager *self);
/* The same for the agent asked first about something of @seat. */
gboolean omacp_agent_manager_can_ask_on(OmacpAgentManager *self, const char *seat);

/* Calls @method (@args, floating ok) on the current agent, queued behind
 * its request under way; 0 when no agent is registered. */
guint omacp_agent_manager_request(OmacpAgentManager *self, const char *method, GVariant *args,
                                  const GVariantType *reply_type, OmacpAgentReplyFunc func,
                                  gpointer user_data);
/* The same, to the agent of @owner at @path; 0 when there is none. */
guint omacp_agent_manager_request_to(OmacpAgentManager *self, const char *owner, const char *path,
                                     const char *method, GVariant *args,
                                     const GVariantType *reply_type, OmacpAgentReplyFunc func,
                                     gpointer user_data);
/* The same, to the agent of @owner at @path, or (@owner NULL) the agent
 * asked first about something of @seat (NULL: the default seat), for an
 * answer that stands for a call of the owner: with an
 * authorization action set, the owner also needs every action of @checks
 * (NULL-terminated, may be NULL), asked of polkit with @details (a{ss},
 * floating, may be NULL) before the request is sent. An owner refused one
 * of them keeps its agent; the request ends with
 * G_IO_ERROR_PERMISSION_DENIED. */
guint omacp_agent_manager_request_checked(OmacpAgentManager *self, const char *seat,
                                          const char *owner, const char *path, const char *method,
                                          GVariant *args, const GVariantType *reply_type,
                                          const char *const *checks, GVariant *details,
                                          OmacpAgentReplyFunc func, gpointer user_data);
/* The bus name of the agent @request went to, NULL when unknown. */
const char *omacp_agent_manager_request_owner(OmacpAgentManager *self, guint request);
/* Cancels @request (its reply function gets G_IO_ERROR_CANCELLED). */
void omacp_agent_manager_cancel(OmacpAgentManager *self, guint request);
/* Tells the agent of @request to close its prompt about @object_path
 * (NULL: the object of the request's arguments). */
void omacp_agent_manager_send_cancel(OmacpAgentManager *self, guint request,
                                     const char *object_path);

G_END_DECLS
