/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-agent's MMS hand-off: omacpd (a system service) cannot reach the
 * user's mmsd-tng on the session bus; the agent does it for it. GIO only,
 * no GTK: Agent.ApplyMms reads mmsd-tng's settings, writes the new ones and
 * answers with Manager.ReportMms (dbus/README.md, "MMS hand-off"). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What RegisterAgentWithOptions gets: {"capabilities": ["mms"]} (floating). */
GVariant *omacp_agent_mms_register_options(void);

/* Handles Agent.ApplyMms(s request, a{sv} settings, a{sv} context) called
 * on @system_bus: returns @invocation at once, then talks to mmsd-tng on the
 * session bus and reports to @daemon (omacpd's bus name) on @system_bus. */
void omacp_agent_mms_apply(GDBusConnection *system_bus, const char *daemon,
                           GDBusMethodInvocation *invocation);

G_END_DECLS
