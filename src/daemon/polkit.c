/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "polkit.h"

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
                         const char *action_id, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
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
	g_dbus_connection_call(bus, POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE, "CheckAuthorization",
	                       g_variant_new("(@(sa{sv})sa{ss}us)", subject, action_id, NULL,
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
} CheckContext;

static void
check_context_free(CheckContext *ctx)
{
	g_object_unref(ctx->invocation);
	if (ctx->destroy != NULL)
		ctx->destroy(ctx->user_data);
	g_free(ctx);
}

static void
authority_check_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CheckContext *ctx = user_data;
	g_autoptr(GError) error = NULL;

	if (!omacp_polkit_check_finish(result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			omacp_invocation_return_error(ctx->invocation, error);
	} else {
		ctx->func(ctx->invocation, ctx->user_data);
	}
	check_context_free(ctx);
}

void
omacp_authority_check(OmacpAuthority *self, GDBusMethodInvocation *invocation,
                      const char *action_id, OmacpAuthorizedFunc func, gpointer user_data,
                      GDestroyNotify destroy)
{
	CheckContext *ctx = g_new0(CheckContext, 1);

	ctx->invocation = g_object_ref(invocation);
	ctx->func = func;
	ctx->user_data = user_data;
	ctx->destroy = destroy;
	omacp_polkit_check_async(self->bus, self->bypass, invocation, action_id, self->cancellable,
	                         authority_check_done, ctx);
}
