/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Which agent is in front of the user: follows systemd-logind
 * (org.freedesktop.login1 on the daemon's bus) for the active session of
 * one seat, and finds the session of an agent from its process. Without
 * logind nothing is active and no session is known: the agents are then
 * asked most recent first (issue 13, M2). */

#include <gio/gio.h>

G_BEGIN_DECLS

/* The seat whose active session is asked first. Modems carry no seat tag
 * of their own on phones and laptops (udev puts them on seat0). */
#define OMACP_AGENT_SESSIONS_SEAT "seat0"

typedef struct _OmacpAgentSessions OmacpAgentSessions;

/* The active session changed (or logind came or went). */
typedef void (*OmacpAgentSessionsChangedFunc)(gpointer user_data);

OmacpAgentSessions *omacp_agent_sessions_new(GDBusConnection *bus, const char *seat,
                                             OmacpAgentSessionsChangedFunc changed,
                                             gpointer user_data);
void omacp_agent_sessions_free(OmacpAgentSessions *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpAgentSessions, omacp_agent_sessions_free)

/* TRUE when @session (a logind session object path) is the seat's active
 * session. */
gboolean omacp_agent_sessions_is_active(OmacpAgentSessions *self, const char *session);

/* The logind session of the process @pid: a session object path, or NULL
 * (no logind, or a process outside any session; never an error). */
void omacp_agent_sessions_lookup_async(OmacpAgentSessions *self, guint32 pid,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
char *omacp_agent_sessions_lookup_finish(OmacpAgentSessions *self, GAsyncResult *result);

G_END_DECLS
