/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Authorization of mutating D-Bus calls through polkit, with plain D-Bus
 * calls to org.freedesktop.PolicyKit1.Authority (no libpolkit), and how a
 * refused or failed call is answered. */

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

/* Who decides for the daemon's objects: the bus, whether polkit is asked,
 * and one cancellable that stops every check at shutdown. */
typedef struct _OmacpAuthority OmacpAuthority;

OmacpAuthority *omacp_authority_new(GDBusConnection *bus, gboolean bypass);
/* Cancels the checks under way: their callers never hear back. */
void omacp_authority_free(OmacpAuthority *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OmacpAuthority, omacp_authority_free)

/* Called only when the sender of @invocation may do the action; a refusal
 * is answered on @invocation (and nothing is called). */
typedef void (*OmacpAuthorizedFunc)(GDBusMethodInvocation *invocation, gpointer user_data);

/* Checks @action_id for @invocation, then calls @func, or answers the
 * refusal. @user_data is freed with @destroy (may be NULL) in every case. */
void omacp_authority_check(OmacpAuthority *self, GDBusMethodInvocation *invocation,
                           const char *action_id, OmacpAuthorizedFunc func, gpointer user_data,
                           GDestroyNotify destroy);

/* Answers @invocation with @error, in OMACP_ERROR (a foreign domain
 * becomes OMACP_ERROR_FAILED with the same message). */
void omacp_invocation_return_error(GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
