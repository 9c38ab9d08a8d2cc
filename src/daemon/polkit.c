/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "polkit.h"

#include <string.h>

#include "omacp.h"

#define POLKIT_NAME                        "org.freedesktop.PolicyKit1"
#define POLKIT_PATH                        "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE                       "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_FLAG_ALLOW_USER_INTERACTION 1u
/* polkit may ask for a password: give the user time to type it */
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)

static void
check_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) local = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) details = NULL;
	gboolean authorized = FALSE;
	gboolean challenge = FALSE;
	const char *action_id = g_task_get_task_data(task);
	gboolean interactive = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(task), "interactive"));

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &local);
	if (reply == NULL && g_dbus_error_is_remote_error(local) &&
	    strstr(local->message, "is not registered") != NULL) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED,
		                        "polkit: %s is not known to polkit", action_id);
		return;
	}
	if (reply == NULL) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_PERMISSION_DENIED,
		                        "polkit: could not check %s: %s", action_id,
		                        local->message);
		return;
	}
	g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, &details);
	if (!authorized && challenge && !interactive) {
		g_task_return_new_error(task, OMACP_ERROR,
		                        OMACP_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
		                        "polkit: %s needs authentication, and the call does not "
		                        "allow interactive authorization",
		                        action_id);
		return;
	}
	if (!authorized) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_PERMISSION_DENIED,
		                        "polkit: not authorized for %s%s", action_id,
		                        challenge ? " (authentication needed)" : "");
		return;
	}
	g_task_return_boolean(task, TRUE);
}

void
omacp_polkit_check_async(GDBusConnection *bus, gboolean bypass, GDBusMethodInvocation *invocation,
                         const char *action_id, GVariant *details, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GVariant) owned = details != NULL ? g_variant_ref_sink(details) : NULL;
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	GVariantBuilder subject_details;
	GVariant *subject;
	GDBusMessageFlags flags =
	        g_dbus_message_get_flags(g_dbus_method_invocation_get_message(invocation));
	gboolean interactive = (flags & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;

	g_task_set_source_tag(task, omacp_polkit_check_async);
	g_task_set_task_data(task, g_strdup(action_id), g_free);
	g_object_set_data(G_OBJECT(task), "interactive", GINT_TO_POINTER(interactive));
	if (bypass) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	g_variant_builder_init(&subject_details, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(
	        &subject_details, "{sv}", "name",
	        g_variant_new_string(g_dbus_method_invocation_get_sender(invocation)));
	subject = g_variant_new("(sa{sv})", "system-bus-name", &subject_details);
	if (owned == NULL)
		owned = g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("{ss}"), NULL, 0));
	g_dbus_connection_call(bus, POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE, "CheckAuthorization",
	                       g_variant_new("(@(sa{sv})s@a{ss}us)", subject, action_id, owned,
	                                     interactive ? POLKIT_FLAG_ALLOW_USER_INTERACTION : 0u,
	                                     ""),
	                       G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE,
	                       POLKIT_TIMEOUT_MS, cancellable, check_done, g_steal_pointer(&task));
}

gboolean
omacp_polkit_check_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

struct _OmacpAuthority {
	GDBusConnection *bus;
	gboolean bypass;
	gboolean system_connections;
	GCancellable *cancellable;
};

OmacpAuthority *
omacp_authority_new(GDBusConnection *bus, gboolean bypass)
{
	OmacpAuthority *self = g_new0(OmacpAuthority, 1);

	self->bus = g_object_ref(bus);
	self->bypass = bypass;
	self->cancellable = g_cancellable_new();
	return self;
}

void
omacp_authority_free(OmacpAuthority *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->bus);
	g_free(self);
}

void
omacp_authority_set_system_connections(OmacpAuthority *self, gboolean system_connections)
{
	self->system_connections = system_connections;
}

gboolean
omacp_authority_get_system_connections(OmacpAuthority *self)
{
	return self->system_connections;
}

GVariant *
omacp_polkit_message_details(const char *what, guint id, const char *sender, const char *security,
                             gboolean authenticated)
{
	GVariantBuilder b;
	g_autofree char *message = g_strdup_printf("message/%u", id);

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "what", what != NULL ? what : "");
	g_variant_builder_add(&b, "{ss}", "message", message);
	g_variant_builder_add(&b, "{ss}", "sender",
	                      sender != NULL && sender[0] != '\0' ? sender : "(unknown)");
	g_variant_builder_add(&b, "{ss}", "security",
	                      security != NULL && security[0] != '\0' ? security : "none");
	g_variant_builder_add(&b, "{ss}", "authenticated", authenticated ? "yes" : "no");
	return g_variant_builder_end(&b);
}

void
omacp_invocation_return_error(GDBusMethodInvocation *invocation, const GError *error)
{
	g_autoptr(GError) e = NULL;

	if (error->domain == OMACP_ERROR)
		e = g_error_copy(error);
	else
		e = g_error_new(OMACP_ERROR, OMACP_ERROR_FAILED, "%s", error->message);
	g_dbus_method_invocation_return_gerror(invocation, e);
}

typedef struct {
	GDBusMethodInvocation *invocation;
	OmacpAuthorizedFunc func;
	gpointer user_data;
	GDestroyNotify destroy;
	OmacpAuthority *authority; /* not owned: a free cancels the check first */
	GStrv actions;             /* checked in turn */
	guint next;
	GVariant *details; /* a{ss}, NULL: none */
} CheckContext;

static void
check_context_free(CheckContext *ctx)
{
	g_object_unref(ctx->invocation);
	if (ctx->destroy != NULL)
		ctx->destroy(ctx->user_data);
	g_strfreev(ctx->actions);
	g_clear_pointer(&ctx->details, g_variant_unref);
	g_free(ctx);
}

static void check_next(CheckContext *ctx);

static void
authority_check_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CheckContext *ctx = user_data;
	g_autoptr(GError) error = NULL;
	const char *action = ctx->actions[ctx->next];

	if (!omacp_polkit_check_finish(result, &error)) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			check_context_free(ctx);
			return;
		}
		/* without NetworkManager's policy installed, our own action of
		 * the same weight stands in for it */
		if (g_error_matches(error, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED) &&
		    g_strcmp0(action, OMACP_NM_ACTION_MODIFY_SYSTEM) == 0) {
			g_free(ctx->actions[ctx->next]);
			ctx->actions[ctx->next] = g_strdup(OMACP_ACTION_ID_SYSTEM_CONNECTION);
			check_next(ctx);
			return;
		}
		omacp_invocation_return_error(ctx->invocation, error);
		check_context_free(ctx);
		return;
	}
	ctx->next++;
	if (ctx->actions[ctx->next] != NULL) {
		check_next(ctx);
		return;
	}
	ctx->func(ctx->invocation, ctx->user_data);
	check_context_free(ctx);
}

static void
check_next(CheckContext *ctx)
{
	OmacpAuthority *self = ctx->authority;

	omacp_polkit_check_async(self->bus, self->bypass, ctx->invocation, ctx->actions[ctx->next],
	                         ctx->details, self->cancellable, authority_check_done, ctx);
}

void
omacp_authority_check_all(OmacpAuthority *self, GDBusMethodInvocation *invocation,
                          const char *const *action_ids, GVariant *details,
                          OmacpAuthorizedFunc func, gpointer user_data, GDestroyNotify destroy)
{
	CheckContext *ctx = g_new0(CheckContext, 1);

	g_return_if_fail(action_ids != NULL && action_ids[0] != NULL);
	ctx->invocation = g_object_ref(invocation);
	ctx->func = func;
	ctx->user_data = user_data;
	ctx->destroy = destroy;
	ctx->authority = self;
	ctx->actions = g_strdupv((char **) action_ids);
	ctx->details = details != NULL ? g_variant_ref_sink(details) : NULL;
	check_next(ctx);
}

void
omacp_authority_check(OmacpAuthority *self, GDBusMethodInvocation *invocation,
                      const char *action_id, OmacpAuthorizedFunc func, gpointer user_data,
                      GDestroyNotify destroy)
{
	const char *const actions[] = { action_id, NULL };

	omacp_authority_check_all(self, invocation, actions, NULL, func, user_data, destroy);
}
