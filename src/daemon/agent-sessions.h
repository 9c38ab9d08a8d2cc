/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Which agent is in front of the user: follows systemd-logind
 * (org.freedesktop.login1 on the daemon's bus) for the active session of
 * the default seat and of the modems' seats, and finds the session of an
 * agent from its process. Without logind nothing is active and no session
 * is known: the agents are then asked most recent first.
 *
 * A modem's seat is that of its device: ModemManager's Modem.Device or
 * oFono's SystemPath (a sysfs path), whose udev record (/run/udev/data, or
 * $OMACP_UDEV_DATA_DIR) gives ID_SEAT, as logind assigns devices to seats;
 * the nearest parent with a record decides, and without ID_SEAT, a device
 * path or an answer of the modem stack the modem is on the default seat. */

#include <gio/gio.h>

G_BEGIN_DECLS

/* The default seat: that of modems without a seat of their own (udev puts
 * every device on seat0 unless a rule assigns it elsewhere). */
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
/* TRUE when @session is the active session of @seat (NULL: the default
 * seat). */
gboolean omacp_agent_sessions_is_active_on(OmacpAgentSessions *self, const char *session,
                                           const char *seat);

/* The seat of @modem (a modem stack's object path; NULL or "": none, the
 * default seat). NULL while it is looked up: the changed function runs
 * when it is known. Valid until the next call. */
const char *omacp_agent_sessions_modem_seat(OmacpAgentSessions *self, const char *modem);

/* The logind session of the process @pid: a session object path, or NULL
 * (no logind, or a process outside any session; never an error). */
void omacp_agent_sessions_lookup_async(OmacpAgentSessions *self, guint32 pid,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
char *omacp_agent_sessions_lookup_finish(OmacpAgentSessions *self, GAsyncResult *result);

G_END_DECLS
