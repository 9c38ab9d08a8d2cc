/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The MMS hand-off: mmsd-tng runs per user on the session bus, which omacpd
 * as a system service cannot reach (and must not: it never writes into a
 * user's files, where a root write by path can be turned onto any file by
 * a symlink). The mmsd backend therefore reads and writes
 * mmsd-tng's settings through the user's session agent: Agent.ApplyMms
 * (request id, the settings to write, what for) to the most recently
 * registered agent with the "mms" capability, answered later by
 * Manager.ReportMms (applied or not, the settings before). This object is
 * the backend's OmacpMmsdRelay (backend.h) over the agents. */

#include <gio/gio.h>

#include "agent-manager.h"
#include "backend.h"
#include "omacp-adapter.h"

G_BEGIN_DECLS

typedef struct _OmacpMmsHandoff OmacpMmsHandoff;

/* Agents of @agents (not owned, outlives it) on @bus get @timeout_s seconds
 * (omacpd.conf [Agent] Timeout) to report; after that the exchange fails as
 * unavailable and the profile waits for the next agent. */
OmacpMmsHandoff *omacp_mms_handoff_new(GDBusConnection *bus, OmacpAgentManager *agents,
                                       guint timeout_s);
/* Requests still waiting for their report are dropped (shutting down). */
void omacp_mms_handoff_free(OmacpMmsHandoff *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpMmsHandoff, omacp_mms_handoff_free)

/* The relay to hand to the mmsd backend (lives as long as @self). */
OmacpMmsdRelay *omacp_mms_handoff_relay(OmacpMmsHandoff *self);

/* Tells the hand-off that the agents changed (call from the agent
 * manager's roster func). */
void omacp_mms_handoff_agents_changed(OmacpMmsHandoff *self);

/* An MMS notification push that ModemManager's adapter read (an
 * OmacpRouterMmsFunc): with mmsd-tng's own WAP processing off
 * (AutoProcessSMSWAP=false, which the agent sets, plugin/mm/README.md),
 * it goes to the most recent agent with the "mms-push" capability
 * (Agent.PushMms), which hands it to mmsd-tng (PushNotify); @routed gets
 * OMACP_PUSH_FORWARDED when mmsd-tng took it (the SMS is then deleted),
 * OMACP_PUSH_LEFT otherwise. FALSE (left, @routed not called) when no such
 * agent is registered or the push came from another adapter. */
gboolean omacp_mms_handoff_push(OmacpMmsHandoff *self, const OmacpPushEvent *event,
                                OmacpPushRoutedFunc routed, gpointer routed_data);

/* Longest value (octets) a report's @previous may carry: the values go into
 * the store as the undo snapshot (an MMSC URL, an APN, a proxy address are
 * far shorter). */
#define OMACP_MMS_HANDOFF_MAX_VALUE_LEN 2048

/* Manager.ReportMms from @sender: the result of request @request.
 * NotFound when no such request of @sender waits; InvalidArgs (the request
 * still waits) when a string in @previous is longer than
 * OMACP_MMS_HANDOFF_MAX_VALUE_LEN. */
gboolean omacp_mms_handoff_report(OmacpMmsHandoff *self, const char *sender, const char *request,
                                  gboolean applied, const char *error_text, GVariant *previous,
                                  GError **error);

G_END_DECLS
