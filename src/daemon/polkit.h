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
/* Accepting a quarantined (unauthenticated, by policy kept out) message:
 * what NetworkManager asks for a system-wide connection, auth_admin_keep. */
#define OMACP_ACTION_ID_ACCEPT_QUARANTINED "org.omacp.provisioning.accept-quarantined"
/* Accepting settings that become system-wide connections, when polkit does
 * not know NetworkManager's own action below. */
#define OMACP_ACTION_ID_SYSTEM_CONNECTION "org.omacp.provisioning.system-connection"
/* NetworkManager's action for connections of every user: omacpd is root,
 * so NetworkManager never asks it for the caller; omacpd does, for what NetworkManager would
 * require of the caller itself. */
#define OMACP_NM_ACTION_MODIFY_SYSTEM "org.freedesktop.NetworkManager.settings.modify.system"

/* Asks polkit whether the sender of @invocation may do @action_id, letting
 * polkit ask for a password only when the call carries the
 * ALLOW_INTERACTIVE_AUTHORIZATION flag. With @bypass (the daemon runs on a
 * session bus) every call is authorized without asking. Finishes with
 * OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED when polkit would have asked
 * but may not, and OMACP_ERROR_PERMISSION_DENIED when polkit says no or
 * cannot be asked. */
/* @details (a{ss}, may be NULL; a floating reference is sunk) go to polkit
 * with the check: rules see them with action.lookup() and the action's
 * message can name them as $(key). An action polkit does not know fails
 * with OMACP_ERROR_UNSUPPORTED. */
void omacp_polkit_check_async(GDBusConnection *bus, gboolean bypass,
                              GDBusMethodInvocation *invocation, const char *action_id,
                              GVariant *details, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean omacp_polkit_check_finish(GAsyncResult *result, GError **error);

/* Who decides for the daemon's objects: the bus, whether polkit is asked,
 * and one cancellable that stops every check at shutdown. */
typedef struct _OmacpAuthority OmacpAuthority;

OmacpAuthority *omacp_authority_new(GDBusConnection *bus, gboolean bypass);
/* Whether accepted internet and Wi-Fi profiles become system-wide
 * NetworkManager connections (its backend is enabled). */
void omacp_authority_set_system_connections(OmacpAuthority *self, gboolean system_connections);
gboolean omacp_authority_get_system_connections(OmacpAuthority *self);
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
/* The same for every action of @action_ids (NULL-terminated) in turn, each
 * with @details (a{ss}, may be NULL, sunk): @func runs when all of them are
 * authorized. When polkit does not know OMACP_NM_ACTION_MODIFY_SYSTEM,
 * OMACP_ACTION_ID_SYSTEM_CONNECTION is checked instead. */
void omacp_authority_check_all(OmacpAuthority *self, GDBusMethodInvocation *invocation,
                               const char *const *action_ids, GVariant *details,
                               OmacpAuthorizedFunc func, gpointer user_data,
                               GDestroyNotify destroy);

/* The details of a check about message @id (a{ss}, floating): "what" (the
 * method), "message" ("message/ID"), "sender" (as on the bus, escaped),
 * "security" (the SEC method) and "authenticated" ("yes"/"no"). */
GVariant *omacp_polkit_message_details(const char *what, guint id, const char *sender,
                                       const char *security, gboolean authenticated);

/* Answers @invocation with @error, in OMACP_ERROR (a foreign domain
 * becomes OMACP_ERROR_FAILED with the same message). */
void omacp_invocation_return_error(GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
