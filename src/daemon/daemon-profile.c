/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "daemon-profile.h"

enum {
	SIGNAL_CHANGED,
	SIGNAL_REMOVE_REQUESTED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(OmacpDaemonProfile, omacp_daemon_profile, OMACP_DBUS_TYPE_PROFILE_SKELETON)

OmacpDBusProfile *
omacp_daemon_profile_iface(OmacpDaemonProfile *self)
{
	return OMACP_DBUS_PROFILE(self);
}

void
omacp_daemon_profile_set_imsi(OmacpDaemonProfile *self, const char *imsi)
{
	g_autofree char *shown = omacp_keep_imsi(&self->imsi, imsi);

	omacp_dbus_profile_set_imsi(OMACP_DBUS_PROFILE(self), shown);
}

void
omacp_daemon_profile_set_maker(OmacpDaemonProfile *self, const char *sender, const char *sec)
{
	/* the new values may be the old ones: copied before those are freed */
	char *old_sender = self->maker_sender;
	char *old_sec = self->maker_sec;

	self->maker_sender = sec != NULL ? g_strdup(sender != NULL ? sender : "") : NULL;
	self->maker_sec = g_strdup(sec);
	g_free(old_sender);
	g_free(old_sec);
}

void
omacp_daemon_profile_set_maker_of(OmacpDaemonProfile *self, OmacpDaemonMessage *msg)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(msg);
	const char *sec = omacp_dbus_message_get_security(m);

	if (!omacp_dbus_message_get_authenticated(m) || sec == NULL || sec[0] == '\0')
		sec = "none";
	omacp_daemon_profile_set_maker(self, omacp_dbus_message_get_sender(m), sec);
}

static void
remove_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpDaemonProfile *self = user_data;

	if (self->removed) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		        "profile/%u does not exist (any more)", self->id);
		return;
	}
	if (self->busy) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_INVALID_STATE,
		                                      "profile/%u is being removed", self->id);
		return;
	}
	g_signal_emit(self, signals[SIGNAL_REMOVE_REQUESTED], 0, invocation);
}

/* The details polkit gets with a removal, so that rules and dialogs tell
 * profiles apart: the profile, its identity and kind, and who and how
 * last set it. */
static GVariant *
remove_details(OmacpDaemonProfile *self)
{
	OmacpDBusProfile *p = OMACP_DBUS_PROFILE(self);
	g_autofree char *profile = g_strdup_printf("profile/%u", self->id);
	const char *sender = self->maker_sender;
	const char *message = omacp_dbus_profile_get_message(p);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "what", "Remove");
	g_variant_builder_add(&b, "{ss}", "profile", profile);
	g_variant_builder_add(&b, "{ss}", "identity", omacp_dbus_profile_get_identity(p) ?: "");
	g_variant_builder_add(&b, "{ss}", "kind", omacp_dbus_profile_get_kind(p) ?: "");
	/* the message that last set it ("message/N"), which polkit's texts name */
	g_variant_builder_add(&b, "{ss}", "message",
	                      g_str_has_prefix(message ?: "", OMACP_DBUS_PATH "/")
	                              ? message + strlen(OMACP_DBUS_PATH "/")
	                              : "(none)");
	g_variant_builder_add(&b, "{ss}", "sender",
	                      sender != NULL && sender[0] != '\0' ? sender : "(unknown)");
	g_variant_builder_add(&b, "{ss}", "security",
	                      self->maker_sec != NULL ? self->maker_sec : "(unknown)");
	return g_variant_builder_end(&b);
}

/* Removing an internet or Wi-Fi profile deletes a connection of every
 * user when NetworkManager carries it: that needs what NetworkManager
 * would ask of the caller, as accepting one does. */
static gboolean
is_system_connection(OmacpDaemonProfile *self)
{
	const char *kind = omacp_dbus_profile_get_kind(OMACP_DBUS_PROFILE(self));

	return omacp_authority_get_system_connections(self->authority) &&
	       (g_strcmp0(kind, "internet") == 0 || g_strcmp0(kind, "wlan") == 0);
}

static gboolean
handle_remove(OmacpDBusProfile *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpDaemonProfile *self = OMACP_DAEMON_PROFILE(iface);
	const char *actions[] = { OMACP_ACTION_ID_REMOVE, NULL, NULL };

	if (is_system_connection(self))
		actions[1] = OMACP_NM_ACTION_MODIFY_SYSTEM;
	omacp_authority_check_all(self->authority, invocation, actions, remove_details(self),
	                          remove_authorized, g_object_ref(self), g_object_unref);
	return TRUE;
}

void
omacp_daemon_profile_changed(OmacpDaemonProfile *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

void
omacp_daemon_profile_export(OmacpDaemonProfile *self, OmacpObjectServer *server)
{
	omacp_object_export(server, self->path, G_DBUS_INTERFACE_SKELETON(self), &self->server,
	                    &self->exported);
}

void
omacp_daemon_profile_withdraw(OmacpDaemonProfile *self)
{
	self->removed = TRUE;
	omacp_object_withdraw(self->path, &self->server, &self->exported);
}

/* The skeleton's values (omacp_object_server_skeleton_values()). */
static GValue *
skeleton_values(OmacpDaemonProfile *self)
{
	return omacp_object_server_skeleton_values(self->parent.priv);
}

/* The generated skeleton's set_property, and ours in its place: a property
 * set to another value is announced by the object server (the skeleton,
 * not exported itself, would not). */
static GObjectSetPropertyFunc skeleton_set_property;

static void
announcing_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	OmacpDaemonProfile *self;

	if (!G_TYPE_CHECK_INSTANCE_TYPE(object, OMACP_TYPE_DAEMON_PROFILE)) {
		skeleton_set_property(object, prop_id, value, pspec);
		return;
	}
	self = OMACP_DAEMON_PROFILE(object);
	omacp_object_server_set_property(self->server, self->path, skeleton_values(self), object,
	                                 prop_id, value, pspec, skeleton_set_property);
}

/* ---- life cycle ---- */

OmacpDaemonProfile *
omacp_daemon_profile_new(guint id, OmacpAuthority *authority)
{
	OmacpDaemonProfile *self = g_object_new(OMACP_TYPE_DAEMON_PROFILE, NULL);
	OmacpDBusProfile *p = OMACP_DBUS_PROFILE(self);
	const char *empty[] = { NULL };

	self->id = id;
	self->authority = authority;
	self->path = g_strdup_printf(OMACP_DBUS_PROFILE_PREFIX "%u", id);
	omacp_dbus_profile_set_kind(p, "");
	omacp_dbus_profile_set_identity(p, "");
	omacp_dbus_profile_set_name(p, "");
	omacp_daemon_profile_set_imsi(self, NULL);
	omacp_dbus_profile_set_settings(p, g_variant_new("a{sv}", NULL));
	omacp_dbus_profile_set_risks(p, empty);
	omacp_dbus_profile_set_message(p, "/");
	omacp_dbus_profile_set_targets(p, g_variant_new("a(ss)", NULL));
	g_signal_connect(self, "handle-remove", G_CALLBACK(handle_remove), NULL);
	return self;
}

static void
omacp_daemon_profile_init(OmacpDaemonProfile *self)
{
}

static void
omacp_daemon_profile_finalize(GObject *object)
{
	OmacpDaemonProfile *self = OMACP_DAEMON_PROFILE(object);

	g_free(self->path);
	g_free(self->imsi);
	g_free(self->maker_sender);
	g_free(self->maker_sec);
	G_OBJECT_CLASS(omacp_daemon_profile_parent_class)->finalize(object);
}

static void
omacp_daemon_profile_class_init(OmacpDaemonProfileClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = omacp_daemon_profile_finalize;
	/* the skeleton class's own: GObject calls the class that installed the
	 * property */
	skeleton_set_property = G_OBJECT_CLASS(omacp_daemon_profile_parent_class)->set_property;
	G_OBJECT_CLASS(omacp_daemon_profile_parent_class)->set_property = announcing_set_property;

	/* the handler answers the call */
	/* the record changed: written to the store */
	signals[SIGNAL_CHANGED] =
	        g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                     NULL, G_TYPE_NONE, 0);
	signals[SIGNAL_REMOVE_REQUESTED] =
	        g_signal_new("remove-requested", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
	                     NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_METHOD_INVOCATION);
}
