/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Authorization of mutating D-Bus calls through polkit, with plain D-Bus
 * calls to org.freedesktop.PolicyKit1.Authority (no libpolkit). */

#include <gio/gio.h>

G_BEGIN_DECLS

#define OMACP_ACTION_ID_DELIVER "org.omacp.provisioning.deliver"
#define OMACP_ACTION_ID_ACCEPT  "org.omacp.provisioning.accept"
#define OMACP_ACTION_ID_REMOVE  "org.omacp.provisioning.remove"
#define OMACP_ACTION_ID_AGENT   "org.omacp.provisioning.agent"

/* Asks polkit whether the sender of @invocation may do @action_id, letting
 * polkit ask for a password only when the call carries the
 * ALLOW_INTERACTIVE_AUTHORIZATION flag. With @bypass (the daemon runs on a
 * session bus) every call is authorized without asking. Finishes with
 * OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED when polkit would have asked
 * but may not, and OMACP_ERROR_PERMISSION_DENIED when polkit says no or
 * cannot be asked. */
void omacp_polkit_check_async(GDBusConnection *bus, gboolean bypass,
                              GDBusMethodInvocation *invocation, const char *action_id,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean omacp_polkit_check_finish(GAsyncResult *result, GError **error);

G_END_DECLS
