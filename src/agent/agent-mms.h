/* SPDX-License-Identifier: GPL-2.0-or-later */
/* omacp-agent's MMS hand-off: omacpd (a system service) cannot reach the
 * user's mmsd-tng on the session bus; the agent does it for it. GIO only,
 * no GTK: Agent.ApplyMms reads mmsd-tng's settings, writes the new ones and
 * answers with Manager.ReportMms (dbus/README.md, "MMS hand-off"). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What RegisterAgentWithOptions gets: {"capabilities": ["mms",
 * "mms-push"]} (floating). */
GVariant *omacp_agent_mms_register_options(void);

/* RegisterAgentWithOptions answered with @granted (a{sv}): with "mms-push"
 * omacpd hands us the MMS notifications it reads from ModemManager, so
 * mmsd-tng's own WAP processing (AutoProcessSMSWAP, which deletes every
 * binary SMS, provisioning pushes included) is switched off whenever
 * mmsd-tng is on the session bus, until omacp_agent_mms_daemon_gone(). */
void omacp_agent_mms_registered(GVariant *granted);

/* omacpd left the bus (or released us): mmsd-tng gets its own WAP
 * processing back if we switched it off, so MMS keeps working without
 * omacpd. */
void omacp_agent_mms_daemon_gone(void);

/* Handles Agent.PushMms(ay push, a{sv} info): hands @push to mmsd-tng
 * (PushNotify) and answers @invocation when mmsd-tng took it. */
void omacp_agent_mms_push(GDBusMethodInvocation *invocation);

/* Handles Agent.ApplyMms(s request, a{sv} settings, a{sv} context) called
 * on @system_bus: returns @invocation at once, then talks to mmsd-tng on the
 * session bus and reports to @daemon (omacpd's bus name) on @system_bus. */
void omacp_agent_mms_apply(GDBusConnection *system_bus, const char *daemon,
                           GDBusMethodInvocation *invocation);

G_END_DECLS
