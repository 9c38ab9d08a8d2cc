/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "daemon-message.h"

#include "changes.h"
#include "vardict.h"

enum {
	SIGNAL_CHANGED,
	SIGNAL_STATE_CHANGED,
	SIGNAL_DELETE_REQUESTED,
	SIGNAL_UNDO_REQUESTED,
	N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(OmacpDaemonMessage, omacp_daemon_message, OMACP_DBUS_TYPE_MESSAGE_SKELETON)

const char *
omacp_str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

gboolean
omacp_id_from_path(const char *path, const char *prefix, guint *out)
{
	guint64 value = 0;

	if (path == NULL || !g_str_has_prefix(path, prefix))
		return FALSE;
	if (!g_ascii_string_to_unsigned(path + strlen(prefix), 10, 1, G_MAXUINT, &value, NULL))
		return FALSE;
	*out = (guint) value;
	return TRUE;
}

gint
omacp_daemon_message_compare_id(gconstpointer a, gconstpointer b)
{
	const OmacpDaemonMessage *x = *(OmacpDaemonMessage *const *) a;
	const OmacpDaemonMessage *y = *(OmacpDaemonMessage *const *) b;

	return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

OmacpDBusMessage *
omacp_daemon_message_iface(OmacpDaemonMessage *self)
{
	return OMACP_DBUS_MESSAGE(self);
}

OmacpMessageState
omacp_daemon_message_get_state(OmacpDaemonMessage *self)
{
	return self->state;
}

gboolean
omacp_daemon_message_state_is(OmacpDaemonMessage *self, OmacpMessageState state)
{
	return self->state == state;
}

static void
change_state(OmacpDaemonMessage *self, OmacpMessageState state, gboolean emit)
{
	OmacpMessageState old = self->state;

	self->state = state;
	omacp_dbus_message_set_state(OMACP_DBUS_MESSAGE(self),
	                             omacp_message_state_to_string(state));
	if (!emit)
		return;
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
	g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, (guint) old, (guint) state);
}

void
omacp_daemon_message_set_state(OmacpDaemonMessage *self, OmacpMessageState state, const char *error)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(self);

	if (self->state != state) {
		g_autofree char *sender = omacp_mask_number(omacp_dbus_message_get_sender(m));

		g_message("message/%u from %s: %s → %s%s%s", self->id, sender,
		          omacp_message_state_to_string(self->state),
		          omacp_message_state_to_string(state), error ? ": " : "",
		          error ? error : "");
	}
	if (error != NULL)
		omacp_dbus_message_set_error(m, error);
	change_state(self, state, TRUE);
}

void
omacp_daemon_message_settle(OmacpDaemonMessage *self, OmacpMessageState state)
{
	change_state(self, state, TRUE);
}

void
omacp_daemon_message_restore_state(OmacpDaemonMessage *self, OmacpMessageState state)
{
	change_state(self, state, FALSE);
}

gboolean
omacp_daemon_message_ensure_decoded(OmacpDaemonMessage *self)
{
	if (self->decoded != NULL)
		return TRUE;
	if (self->decode_func == NULL || self->decode_failed)
		return FALSE;
	if (!self->decode_func(self, self->decode_data) || self->decoded == NULL)
		self->decode_failed = TRUE;
	return self->decoded != NULL;
}

void
omacp_daemon_message_accept(OmacpDaemonMessage *self, GDBusMethodInvocation *invocation,
                            gboolean confirmed)
{
	/* the apply that follows reads the document */
	omacp_daemon_message_ensure_decoded(self);
	g_clear_object(&self->accept_invocation);
	self->accept_invocation = invocation ? g_object_ref(invocation) : NULL;
	self->accept_confirmed = confirmed;
	omacp_daemon_message_set_state(self, OMACP_MESSAGE_STATE_ACCEPTED, NULL);
}

gboolean
omacp_daemon_message_reject(OmacpDaemonMessage *self, const char *why, GError **error)
{
	switch (self->state) {
	case OMACP_MESSAGE_STATE_RECEIVING:
	case OMACP_MESSAGE_STATE_PENDING_PIN:
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
	case OMACP_MESSAGE_STATE_QUARANTINED:
		break;
	case OMACP_MESSAGE_STATE_ACCEPTED:
	case OMACP_MESSAGE_STATE_APPLIED:
	case OMACP_MESSAGE_STATE_REJECTED:
	case OMACP_MESSAGE_STATE_FAILED:
	case OMACP_MESSAGE_STATE_UNDONE:
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		            "message/%u is %s: only receiving, pending or quarantined messages "
		            "can be rejected",
		            self->id, omacp_message_state_to_string(self->state));
		return FALSE;
	}
	omacp_daemon_message_set_state(self, OMACP_MESSAGE_STATE_REJECTED, why);
	return TRUE;
}

gboolean
omacp_daemon_message_check_pin(OmacpDaemonMessage *self, const char *pin, GError **error)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(self);
	g_autoptr(GError) local = NULL;
	guint left = omacp_dbus_message_get_pin_attempts_left(m);

	if (pin == NULL || pin[0] == '\0') {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "message/%u needs the PIN the sender gave you", self->id);
		return FALSE;
	}
	if (!omacp_daemon_message_ensure_decoded(self)) {
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_FAILED,
		            "message/%u could not be decoded again", self->id);
		return FALSE;
	}
	if (omacp_message_check_pin(self->decoded, self->imsi, pin, &local)) {
		g_message("message/%u: PIN verified", self->id);
		omacp_dbus_message_set_authenticated(m, TRUE);
		return TRUE;
	}
	if (g_error_matches(local, OMACP_ERROR, OMACP_ERROR_NO_KEY) ||
	    g_error_matches(local, OMACP_ERROR, OMACP_ERROR_BAD_PIN) ||
	    g_error_matches(local, OMACP_ERROR, OMACP_ERROR_UNSUPPORTED)) {
		/* not a guess at the PIN: costs no attempt */
		g_set_error(error, OMACP_ERROR,
		            local->code == OMACP_ERROR_NO_KEY ? OMACP_ERROR_NO_KEY
		                                              : OMACP_ERROR_BAD_PIN,
		            "message/%u: %s", self->id, local->message);
		return FALSE;
	}
	left = left > 0 ? left - 1 : 0;
	omacp_dbus_message_set_pin_attempts_left(m, left);
	g_message("message/%u: wrong PIN, %u attempt(s) left", self->id, left);
	if (left == 0) {
		omacp_daemon_message_set_state(self, OMACP_MESSAGE_STATE_REJECTED,
		                               "the PIN was wrong too many times");
		g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
		            "wrong PIN for message/%u: no attempts left, the message is rejected",
		            self->id);
		return FALSE;
	}
	omacp_daemon_message_changed(self);
	g_set_error(error, OMACP_ERROR, OMACP_ERROR_BAD_PIN,
	            "wrong PIN for message/%u: %u attempt(s) left", self->id, left);
	return FALSE;
}

char *
omacp_keep_imsi(char **slot, const char *imsi)
{
	imsi = omacp_str_or_null(imsi);
	if (g_strcmp0(*slot, imsi) != 0) {
		g_free(*slot);
		*slot = g_strdup(imsi);
	}
	return omacp_mask_imsi(imsi);
}

void
omacp_daemon_message_set_imsi(OmacpDaemonMessage *self, const char *imsi)
{
	g_autofree char *shown = omacp_keep_imsi(&self->imsi, imsi);

	omacp_dbus_message_set_imsi(OMACP_DBUS_MESSAGE(self), shown);
}

void
omacp_daemon_message_set_iccid(OmacpDaemonMessage *self, const char *iccid)
{
	iccid = omacp_str_or_null(iccid);
	if (g_strcmp0(self->iccid, iccid) == 0)
		return;
	g_free(self->iccid);
	self->iccid = g_strdup(iccid);
}

/* @settings (a{sv}, may be NULL) with @key set to @value (owned, floating
 * or not), every other entry kept; a new full reference. */
static GVariant *
settings_with(GVariant *settings, const char *key, GVariant *value)
{
	GVariantDict dict;

	g_variant_dict_init(&dict, settings);
	g_variant_dict_insert_value(&dict, key, value);
	return g_variant_ref_sink(g_variant_dict_end(&dict));
}

static void
profile_set(OmacpProfile *p, const char *key, GVariant *value)
{
	GVariant *old = p->settings;

	p->settings = settings_with(old, key, value);
	g_clear_pointer(&old, g_variant_unref);
}

void
omacp_daemon_message_bind_sim(OmacpDaemonMessage *self)
{
	if (self->iccid != NULL)
		omacp_daemon_message_ensure_decoded(self);
	for (guint i = 0;
	     self->iccid != NULL && self->decoded != NULL && i < self->decoded->profiles->len;
	     i++) {
		OmacpProfile *p = g_ptr_array_index(self->decoded->profiles, i);
		const char *have = NULL;

		if (p->settings != NULL && g_variant_lookup(p->settings, "iccid", "&s", &have) &&
		    g_strcmp0(have, self->iccid) == 0)
			continue;
		profile_set(p, "iccid", g_variant_new_string(self->iccid));
	}
}

void
omacp_daemon_message_bind_default(OmacpDaemonMessage *self, gboolean make_default,
                                  gboolean activate)
{
	omacp_daemon_message_ensure_decoded(self);
	omacp_daemon_message_bind_sim(self);
	for (guint i = 0; self->decoded != NULL && i < self->decoded->profiles->len; i++) {
		OmacpProfile *p = g_ptr_array_index(self->decoded->profiles, i);

		if (p->kind != OMACP_PROFILE_INTERNET)
			continue;
		profile_set(p, "make-default", g_variant_new_boolean(make_default));
		profile_set(p, "activate", g_variant_new_boolean(make_default && activate));
	}
}

void
omacp_daemon_message_set_profiles(OmacpDaemonMessage *self, GPtrArray *paths)
{
	g_ptr_array_add(paths, NULL);
	omacp_dbus_message_set_profiles(OMACP_DBUS_MESSAGE(self),
	                                (const char *const *) paths->pdata);
	g_ptr_array_remove_index(paths, paths->len - 1);
}

void
omacp_daemon_message_add_profile(OmacpDaemonMessage *self, const char *path)
{
	const char *const *cur = omacp_dbus_message_get_profiles(OMACP_DBUS_MESSAGE(self));
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; cur != NULL && cur[i] != NULL; i++) {
		if (g_strcmp0(cur[i], path) == 0)
			return;
		g_ptr_array_add(paths, g_strdup(cur[i]));
	}
	g_ptr_array_add(paths, g_strdup(path));
	omacp_daemon_message_set_profiles(self, paths);
}

gboolean
omacp_daemon_message_drop_profile(OmacpDaemonMessage *self, const char *path)
{
	const char *const *cur = omacp_dbus_message_get_profiles(OMACP_DBUS_MESSAGE(self));
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	gboolean found = FALSE;

	for (guint i = 0; cur != NULL && cur[i] != NULL; i++) {
		if (g_strcmp0(cur[i], path) == 0)
			found = TRUE;
		else
			g_ptr_array_add(paths, g_strdup(cur[i]));
	}
	if (found)
		omacp_daemon_message_set_profiles(self, paths);
	return found;
}

static GVariant *
empty_changes(void)
{
	static GVariant *empty;

	if (g_once_init_enter(&empty))
		g_once_init_leave(&empty, g_variant_ref_sink(g_variant_new_array(
		                                  G_VARIANT_TYPE_VARDICT, NULL, 0)));
	return empty;
}

GVariant *
omacp_daemon_message_get_changes(OmacpDaemonMessage *self)
{
	return self->changes != NULL ? self->changes : empty_changes();
}

void
omacp_daemon_message_set_changes(OmacpDaemonMessage *self, GVariant *changes)
{
	GVariant *old = self->changes;

	self->changes = changes != NULL ? g_variant_ref_sink(changes) : NULL;
	/* one buffer rather than a tree of a few hundred GVariants:
	 * g_variant_get_data() serialises a tree in place and lets go of its
	 * children; the store's record copies the buffer as it is */
	if (self->changes != NULL)
		(void) g_variant_get_data(self->changes);
	g_clear_pointer(&old, g_variant_unref);
}

char *
omacp_daemon_message_dup_document(OmacpDaemonMessage *self)
{
	char *stored;

	if (self->document != NULL)
		return g_strdup(self->document);
	if (self->document_stored && self->document_func != NULL &&
	    (stored = self->document_func(self, self->document_data)) != NULL)
		return stored;
	return g_strdup("");
}

void
omacp_daemon_message_set_document(OmacpDaemonMessage *self, const char *document)
{
	g_free(self->document);
	self->document = g_strdup(omacp_str_or_null(document));
}

void
omacp_daemon_message_show_decoded(OmacpDaemonMessage *self, GPtrArray *more)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(self);
	OmacpMessage *d = self->decoded;
	g_autofree char *raw = omacp_message_document_text(d, TRUE);
	/* the document's lines stay lines; nothing else of the SMS's control
	 * characters reaches a terminal */
	g_autofree char *document = omacp_changes_escape(raw, TRUE);
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);

	omacp_dbus_message_set_security(m, omacp_sec_to_string(d->sec));
	omacp_dbus_message_set_content_type(m, d->content_type ? d->content_type : "");
	omacp_daemon_message_set_document(self, document);
	if (more == NULL)
		return;
	for (guint i = 0; i < d->warnings->len; i++)
		g_ptr_array_add(warnings,
		                omacp_changes_escape(g_ptr_array_index(d->warnings, i), FALSE));
	for (guint i = 0; i < more->len; i++)
		g_ptr_array_add(warnings, omacp_changes_escape(g_ptr_array_index(more, i), FALSE));
	g_ptr_array_add(warnings, NULL);
	omacp_dbus_message_set_warnings(m, (const char *const *) warnings->pdata);
}

/* ---- D-Bus methods: authorization, then completion ---- */

/* The message a call was made on, when it can still take one. */
static gboolean
usable_for_call(OmacpDaemonMessage *self, GDBusMethodInvocation *invocation)
{
	if (self->removed) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_NOT_FOUND,
		        "message/%u does not exist (any more)", self->id);
		return FALSE;
	}
	if (self->busy) {
		g_dbus_method_invocation_return_error(invocation, OMACP_ERROR,
		                                      OMACP_ERROR_INVALID_STATE,
		                                      "message/%u is being applied", self->id);
		return FALSE;
	}
	return TRUE;
}

static void
accept_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpDaemonMessage *self = user_data;
	const char *pin = NULL;
	g_autoptr(GError) error = NULL;
	gboolean confirmed;

	if (!usable_for_call(self, invocation))
		return;
	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&s)", &pin);
	/* the user saw the Changes (a PIN entry alone does not show them) */
	confirmed = self->state == OMACP_MESSAGE_STATE_PENDING_CONFIRMATION ||
	            self->state == OMACP_MESSAGE_STATE_QUARANTINED;
	switch (self->state) {
	case OMACP_MESSAGE_STATE_PENDING_PIN:
		if (!omacp_daemon_message_check_pin(self, pin, &error)) {
			omacp_invocation_return_error(invocation, error);
			return;
		}
		/* the sender chose the PIN and may have texted it to the user: a
		 * right PIN is no consent to risks */
		if (omacp_changes_need_a_look(self->decoded)) {
			g_message("message/%u: PIN verified; its risks wait for a confirmation",
			          self->id);
			omacp_daemon_message_set_state(
			        self, OMACP_MESSAGE_STATE_PENDING_CONFIRMATION, NULL);
			g_dbus_method_invocation_return_value(invocation, NULL);
			return;
		}
		break;
	case OMACP_MESSAGE_STATE_QUARANTINED:
		g_message("message/%u: the user accepts an unauthenticated message", self->id);
		break;
	case OMACP_MESSAGE_STATE_PENDING_CONFIRMATION:
		break;
	case OMACP_MESSAGE_STATE_RECEIVING:
	case OMACP_MESSAGE_STATE_ACCEPTED:
	case OMACP_MESSAGE_STATE_APPLIED:
	case OMACP_MESSAGE_STATE_REJECTED:
	case OMACP_MESSAGE_STATE_FAILED:
	case OMACP_MESSAGE_STATE_UNDONE:
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		        "message/%u is %s: only pending or quarantined messages can be accepted",
		        self->id, omacp_message_state_to_string(self->state));
		return;
	}
	self->accept_activate = g_strcmp0(g_dbus_method_invocation_get_method_name(invocation),
	                                  "AcceptAndActivate") == 0;
	omacp_daemon_message_accept(self, invocation, confirmed);
}

static void
reject_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpDaemonMessage *self = user_data;
	g_autoptr(GError) error = NULL;

	if (!usable_for_call(self, invocation))
		return;
	if (!omacp_daemon_message_reject(self, "rejected by the user", &error)) {
		omacp_invocation_return_error(invocation, error);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
delete_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpDaemonMessage *self = user_data;

	if (!usable_for_call(self, invocation))
		return;
	g_signal_emit(self, signals[SIGNAL_DELETE_REQUESTED], 0, invocation);
}

static void
undo_authorized(GDBusMethodInvocation *invocation, gpointer user_data)
{
	OmacpDaemonMessage *self = user_data;

	if (!usable_for_call(self, invocation))
		return;
	if (self->state != OMACP_MESSAGE_STATE_APPLIED) {
		g_dbus_method_invocation_return_error(
		        invocation, OMACP_ERROR, OMACP_ERROR_INVALID_STATE,
		        "message/%u is %s: only applied messages can be undone", self->id,
		        omacp_message_state_to_string(self->state));
		return;
	}
	g_signal_emit(self, signals[SIGNAL_UNDO_REQUESTED], 0, invocation);
}

/* Whether accepting @self makes or changes system-wide NetworkManager
 * connections (its internet and Wi-Fi profiles, when that backend is on). */
static gboolean
makes_system_connections(OmacpDaemonMessage *self)
{
	if (!omacp_authority_get_system_connections(self->authority) ||
	    !omacp_daemon_message_ensure_decoded(self))
		return FALSE;
	for (guint i = 0; i < self->decoded->profiles->len; i++) {
		const OmacpProfile *p = g_ptr_array_index(self->decoded->profiles, i);

		if (p->kind == OMACP_PROFILE_INTERNET || p->kind == OMACP_PROFILE_WLAN)
			return TRUE;
	}
	return FALSE;
}

/* What accepting @self needs besides org.omacp.provisioning.accept, into
 * @actions from @n on (two slots); the new count. */
static guint
accept_actions(OmacpDaemonMessage *self, const char **actions, guint n)
{
	if (self->state == OMACP_MESSAGE_STATE_QUARANTINED)
		actions[n++] = OMACP_ACTION_ID_ACCEPT_QUARANTINED;
	if (makes_system_connections(self))
		actions[n++] = OMACP_NM_ACTION_MODIFY_SYSTEM;
	return n;
}

static GVariant *
details_of(OmacpDaemonMessage *self, const char *what)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(self);

	return omacp_polkit_message_details(what, self->id, omacp_dbus_message_get_sender(m),
	                                    omacp_dbus_message_get_security(m),
	                                    omacp_dbus_message_get_authenticated(m));
}

/* polkit for @action, with the message's details; accepting a quarantined
 * message, or settings that become system-wide connections, and undoing
 * those, needs what NetworkManager itself would ask of the caller. */
static void
authorize(OmacpDaemonMessage *self, GDBusMethodInvocation *invocation, const char *action,
          OmacpAuthorizedFunc func)
{
	const char *actions[4] = { action, NULL, NULL, NULL };

	if (func == accept_authorized)
		accept_actions(self, actions, 1);
	else if (func == undo_authorized && makes_system_connections(self))
		actions[1] = OMACP_NM_ACTION_MODIFY_SYSTEM;
	omacp_authority_check_all(
	        self->authority, invocation, actions,
	        details_of(self, g_dbus_method_invocation_get_method_name(invocation)), func,
	        g_object_ref(self), g_object_unref);
}

GVariant *
omacp_daemon_message_accept_checks(OmacpDaemonMessage *self, const char *what, const char **actions)
{
	actions[0] = OMACP_ACTION_ID_ACCEPT;
	actions[accept_actions(self, actions, 1)] = NULL;
	return details_of(self, what);
}

static gboolean
handle_accept(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, const char *pin,
              gpointer user_data)
{
	authorize(OMACP_DAEMON_MESSAGE(iface), invocation, OMACP_ACTION_ID_ACCEPT,
	          accept_authorized);
	return TRUE;
}

static gboolean
handle_reject(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	authorize(OMACP_DAEMON_MESSAGE(iface), invocation, OMACP_ACTION_ID_ACCEPT,
	          reject_authorized);
	return TRUE;
}

static gboolean
handle_delete(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	authorize(OMACP_DAEMON_MESSAGE(iface), invocation, OMACP_ACTION_ID_ACCEPT,
	          delete_authorized);
	return TRUE;
}

static gboolean
handle_undo(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	authorize(OMACP_DAEMON_MESSAGE(iface), invocation, OMACP_ACTION_ID_REMOVE, undo_authorized);
	return TRUE;
}

/* The summary stays on the object; the heavy values are fetched per
 * message (no polkit: they are as open as the properties). */
static gboolean
handle_get_changes(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	omacp_dbus_message_complete_get_changes(
	        iface, invocation, omacp_daemon_message_get_changes(OMACP_DAEMON_MESSAGE(iface)));
	return TRUE;
}

static gboolean
handle_get_document(OmacpDBusMessage *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	g_autofree char *document = omacp_daemon_message_dup_document(OMACP_DAEMON_MESSAGE(iface));

	omacp_dbus_message_complete_get_document(iface, invocation, document);
	return TRUE;
}

void
omacp_daemon_message_changed(OmacpDaemonMessage *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

/* Exported on the object server, which holds a reference to it until it
 * is withdrawn. */
void
omacp_object_export(OmacpObjectServer *server, const char *path, GDBusInterfaceSkeleton *iface,
                    OmacpObjectServer **slot, gboolean *exported)
{
	if (*exported)
		return;
	omacp_object_server_export(server, path, iface);
	*slot = server;
	*exported = TRUE;
}

void
omacp_object_withdraw(const char *path, OmacpObjectServer **slot, gboolean *exported)
{
	if (*exported && *slot != NULL)
		omacp_object_server_unexport(*slot, path);
	*exported = FALSE;
	*slot = NULL;
}

void
omacp_daemon_message_export(OmacpDaemonMessage *self, OmacpObjectServer *server)
{
	omacp_object_export(server, self->path, G_DBUS_INTERFACE_SKELETON(self), &self->server,
	                    &self->exported);
}

void
omacp_daemon_message_withdraw(OmacpDaemonMessage *self)
{
	self->removed = TRUE;
	omacp_object_withdraw(self->path, &self->server, &self->exported);
}

/* The generated skeleton's set_property, and ours in its place: a property
 * set to another value is announced by the object server (the skeleton,
 * not exported itself, would not). */
static GValue *skeleton_values(OmacpDaemonMessage *self);

static GObjectSetPropertyFunc skeleton_set_property;

static void
announcing_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	OmacpDaemonMessage *self;

	if (!G_TYPE_CHECK_INSTANCE_TYPE(object, OMACP_TYPE_DAEMON_MESSAGE)) {
		skeleton_set_property(object, prop_id, value, pspec);
		return;
	}
	self = OMACP_DAEMON_MESSAGE(object);
	omacp_object_server_set_property(self->server, self->path, skeleton_values(self), object,
	                                 prop_id, value, pspec, skeleton_set_property);
}

/* ---- the properties for ObjectManager ---- */

/* Every property (a{sv}) as InterfacesAdded and GetManagedObjects send
 * them: what the generated skeleton makes, read through the interface's
 * getters rather than through GObject's property machinery (a name
 * lookup, a GValue and a conversion per property, a tenth of a new
 * message's CPU). In the XML's order; the daemon-message test compares the
 * two. */
static GVariant *
omacp_daemon_message_get_properties(GDBusInterfaceSkeleton *skeleton)
{
	OmacpDBusMessage *m = OMACP_DBUS_MESSAGE(skeleton);
	OmacpVardictBuilder b;

	/* written serialised at once: no GVariant per property */
	omacp_vardict_builder_init(&b);
	omacp_vardict_add_string(&b, "State", omacp_dbus_message_get_state(m));
	omacp_vardict_add_string(&b, "Security", omacp_dbus_message_get_security(m));
	omacp_vardict_add_boolean(&b, "Authenticated", omacp_dbus_message_get_authenticated(m));
	omacp_vardict_add_string(&b, "Sender", omacp_dbus_message_get_sender(m));
	omacp_vardict_add_string(&b, "Imsi", omacp_dbus_message_get_imsi(m));
	omacp_vardict_add_string(&b, "Modem", omacp_dbus_message_get_modem(m));
	omacp_vardict_add_uint64(&b, "ReceivedAt", omacp_dbus_message_get_received_at(m));
	omacp_vardict_add_string(&b, "ContentType", omacp_dbus_message_get_content_type(m));
	omacp_vardict_add_strv(&b, "Warnings", "as", omacp_dbus_message_get_warnings(m));
	omacp_vardict_add_string(&b, "Error", omacp_dbus_message_get_error(m));
	omacp_vardict_add_uint32(&b, "PinAttemptsLeft",
	                         omacp_dbus_message_get_pin_attempts_left(m));
	omacp_vardict_add_uint32(&b, "SegmentsReceived",
	                         omacp_dbus_message_get_segments_received(m));
	omacp_vardict_add_uint32(&b, "SegmentsTotal", omacp_dbus_message_get_segments_total(m));
	omacp_vardict_add_strv(&b, "Profiles", "ao", omacp_dbus_message_get_profiles(m));
	return omacp_vardict_builder_end(&b);
}

/* ---- life cycle ---- */

OmacpDaemonMessage *
omacp_daemon_message_new(guint id, OmacpFormat format, OmacpAuthority *authority)
{
	return omacp_daemon_message_new_with_properties(id, format, authority, 0, NULL, NULL);
}

/* The skeleton's values (omacp_object_server_skeleton_values()). */
static GValue *
skeleton_values(OmacpDaemonMessage *self)
{
	return omacp_object_server_skeleton_values(self->parent.priv);
}

/* The D-Bus properties by GObject name, with their slot among the
 * skeleton's values: the properties of the interface's info, in the
 * XML's order, as gdbus-codegen names them ("PinAttemptsLeft" is
 * "pin-attempts-left"). */
static struct {
	char *name;
	guint slot;
} property_slots[32];
static guint n_property_slots;

static void
find_property_slots(void)
{
	GDBusInterfaceInfo *info = omacp_dbus_message_interface_info();

	for (guint i = 0; info->properties[i] != NULL && i < G_N_ELEMENTS(property_slots); i++) {
		const char *dbus_name = info->properties[i]->name;
		GString *name = g_string_new(NULL);

		for (const char *c = dbus_name; *c != '\0'; c++) {
			if (g_ascii_isupper(*c) && c != dbus_name)
				g_string_append_c(name, '-');
			g_string_append_c(name, g_ascii_tolower(*c));
		}
		property_slots[i].name = g_string_free(name, FALSE);
		property_slots[i].slot = i;
		n_property_slots = i + 1;
	}
}

static GValue *
slot_of(OmacpDaemonMessage *self, const char *name)
{
	for (guint i = 0; i < n_property_slots; i++) {
		if (strcmp(property_slots[i].name, name) == 0)
			return &skeleton_values(self)[property_slots[i].slot];
	}
	return NULL;
}

/* Sets the values of a new message's skeleton directly: nothing listens
 * to it yet and it is on no connection, so GObject's property machinery
 * (a name lookup, a notification queued and emitted, a lock, per
 * property: a sixth of a restore) has nothing to do. The empty values a
 * message starts with first, then @values, each moved. */
static void
set_initial_values(OmacpDaemonMessage *self, guint n_properties, const char *const *names,
                   GValue *values)
{
	static const char *const empty_strv[] = { NULL };
	GValue *v;

	for (guint i = 0; i < n_property_slots; i++) {
		v = &skeleton_values(self)[property_slots[i].slot];
		if (G_VALUE_HOLDS_STRING(v))
			g_value_set_interned_string(v,
			                            strcmp(property_slots[i].name, "state") == 0
			                                    ? omacp_message_state_to_string(
			                                              OMACP_MESSAGE_STATE_RECEIVING)
			                                    : "");
		else if (G_VALUE_HOLDS(v, G_TYPE_STRV))
			g_value_set_static_boxed(v, empty_strv);
		else if (G_VALUE_HOLDS_VARIANT(v))
			g_value_set_variant(v, empty_changes());
	}
	for (guint k = 0; k < n_properties; k++) {
		v = slot_of(self, names[k]);
		if (v == NULL || G_VALUE_TYPE(v) != G_VALUE_TYPE(&values[k])) {
			g_critical("message/%u: no property %s of type %s", self->id, names[k],
			           G_VALUE_TYPE_NAME(&values[k]));
			continue;
		}
		g_value_unset(v);
		*v = values[k];
		memset(&values[k], 0, sizeof(GValue));
	}
}

OmacpDaemonMessage *
omacp_daemon_message_new_with_properties(guint id, OmacpFormat format, OmacpAuthority *authority,
                                         guint n_properties, const char *const *names,
                                         GValue *values)
{
	OmacpDaemonMessage *self = g_object_new(OMACP_TYPE_DAEMON_MESSAGE, NULL);

	self->id = id;
	set_initial_values(self, n_properties, names, values);
	self->path = g_strdup_printf(OMACP_DBUS_MESSAGE_PREFIX "%u", id);
	self->format = format;
	self->authority = authority;
	self->state = OMACP_MESSAGE_STATE_RECEIVING;
	/* the method calls: class handlers, see override_method_handlers() */
	return self;
}

static void
omacp_daemon_message_init(OmacpDaemonMessage *self)
{
	self->input_times = g_array_new(FALSE, FALSE, sizeof(gint64));
}

static void
omacp_daemon_message_finalize(GObject *object)
{
	OmacpDaemonMessage *self = OMACP_DAEMON_MESSAGE(object);

	g_clear_object(&self->accept_invocation);
	g_free(self->path);
	g_clear_pointer(&self->input_times, g_array_unref);
	g_free(self->fingerprint);
	g_free(self->imsi);
	g_free(self->iccid);
	g_clear_pointer(&self->undo, g_variant_unref);
	g_clear_pointer(&self->changes, g_variant_unref);
	g_free(self->document);
	g_clear_pointer(&self->decoded, omacp_message_free);
	G_OBJECT_CLASS(omacp_daemon_message_parent_class)->finalize(object);
}

/* The D-Bus methods are handled by class handlers of the generated
 * signals rather than by handlers connected to each of thousands of
 * objects (a closure each, and a signal lookup each time one is made). */
static void
override_method_handlers(void)
{
	g_signal_override_class_handler("handle-accept", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_accept));
	g_signal_override_class_handler("handle-accept-and-activate", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_accept));
	g_signal_override_class_handler("handle-reject", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_reject));
	g_signal_override_class_handler("handle-delete", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_delete));
	g_signal_override_class_handler("handle-undo", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_undo));
	g_signal_override_class_handler("handle-get-changes", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_get_changes));
	g_signal_override_class_handler("handle-get-document", OMACP_TYPE_DAEMON_MESSAGE,
	                                G_CALLBACK(handle_get_document));
}

static void
omacp_daemon_message_class_init(OmacpDaemonMessageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	override_method_handlers();
	find_property_slots();

	object_class->finalize = omacp_daemon_message_finalize;
	/* the skeleton class's own: GObject calls the class that installed the
	 * property */
	skeleton_set_property = G_OBJECT_CLASS(omacp_daemon_message_parent_class)->set_property;
	G_OBJECT_CLASS(omacp_daemon_message_parent_class)->set_property = announcing_set_property;

	/* the record changed: written to the store */
	signals[SIGNAL_CHANGED] =
	        g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
	                     NULL, G_TYPE_NONE, 0);
	/* (old state, new state), both OmacpMessageState; after "changed" */
	signals[SIGNAL_STATE_CHANGED] =
	        g_signal_new("state-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                     NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
	/* the handler answers the call */
	signals[SIGNAL_DELETE_REQUESTED] =
	        g_signal_new("delete-requested", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
	                     NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_METHOD_INVOCATION);
	signals[SIGNAL_UNDO_REQUESTED] =
	        g_signal_new("undo-requested", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
	                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_METHOD_INVOCATION);

	/* InterfacesAdded and GetManagedObjects */
	G_DBUS_INTERFACE_SKELETON_CLASS(klass)->get_properties =
	        omacp_daemon_message_get_properties;
}
